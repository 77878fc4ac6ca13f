"""The request pipeline: per-call options, retries the SDK decides and logs, deadlines,
configuration checks, and the pure building and reading of requests.

Everything that sends goes over real sockets, to FakeHelios, the recording server of
``conftest.py`` or a port nothing listens on.
"""

from __future__ import annotations

import json
import logging
import time
from typing import Any

import pytest
from conftest import API_KEY, RecordingServer
from test_resilience import FAST, calls_of, closed_port, user_api

import cohesity_sdk.helios as helios
from cohesity_sdk.helios.api.user_api import _CREATE_USERS, _GET_USER_BY_SID, _GET_USERS
from cohesity_sdk.helios.options import (
    DATA,
    HTTP_INFO,
    CallSettings,
    RequestOptions,
    call_settings,
    request_options,
)
from cohesity_sdk.helios.parse import parse_response
from cohesity_sdk.helios.retry import RetryPolicy
from cohesity_sdk.helios.serialize import build_request
from cohesity_sdk.helios.testing import FakeHelios

# -- retries, per call -------------------------------------------------------------------


def test_retries_per_call_override_the_configuration(fake: FakeHelios) -> None:
    api = user_api(fake, retries=0)
    fake.fail_next("get_users", status=503, times=2)
    assert api.get_users(_retries=RetryPolicy(2, **FAST)).users
    assert calls_of(fake, "get_users") == 3

    api = user_api(fake)  # three retries configured
    fake.fail_next("get_users", status=503, times=5)
    with pytest.raises(helios.ServiceException) as info:
        api.get_users(_retries=0)
    assert calls_of(fake, "get_users") == 4  # 3 before, and exactly one try now
    assert info.value.attempts == 1
    assert "attempt" not in str(info.value)


def test_an_int_per_call_is_that_many_retries(fake: FakeHelios) -> None:
    api = user_api(fake, retries=0)
    fake.fail_next("get_users", status=429, times=1, retry_after=0)
    assert api.get_users(_retries=1).users
    assert calls_of(fake, "get_users") == 2


def test_a_post_is_not_repeated_whatever_the_retries(fake: FakeHelios) -> None:
    api = user_api(fake)
    fake.fail_next("create_users", status=503)
    with pytest.raises(helios.ServiceException):
        api.create_users([helios.CreateUserParameters(username="x", domain="LOCAL")],
                         _retries=RetryPolicy(5, **FAST))
    assert calls_of(fake, "create_users") == 1


def test_429_to_the_end_is_a_rate_limit_exception(fake: FakeHelios) -> None:
    api = user_api(fake)
    fake.fail_next("get_users", status=429, times=10, retry_after=0)
    with pytest.raises(helios.RateLimitException) as info:
        api.get_users()
    error = info.value
    assert isinstance(error, helios.ApiException) and isinstance(error, helios.OpenApiException)
    assert error.status == 429 and error.attempts == 4
    assert error.retry_after == 0
    assert str(error).startswith("(429) Too Many Requests in get_users [GET /v2/users]")
    assert str(error).endswith(" after 4 attempts")
    assert error.request_id and f"request-id={error.request_id}" in str(error)
    assert calls_of(fake, "get_users") == 4


def test_every_retry_logs_one_info_line(fake: FakeHelios,
                                        caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="cohesity_sdk.helios")
    api = user_api(fake)
    fake.fail_next("get_users", status=503, times=2)
    api.get_users()
    lines = [r for r in caplog.records if r.name == "cohesity_sdk.helios"]
    assert [r.levelno for r in lines] == [logging.INFO, logging.INFO]
    for record, attempt in zip(lines, (2, 3)):
        message = record.getMessage()
        assert message.startswith("get_users [GET /v2/users]: (503) Service Unavailable")
        assert f"(attempt {attempt} of 4)" in message
        assert " retrying in 0.0" in message  # the wait, in seconds


def test_a_connection_retry_is_logged_with_its_error(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="cohesity_sdk.helios")
    port = closed_port()
    configuration = helios.Configuration(host=f"http://127.0.0.1:{port}/v2",
                                         retries=RetryPolicy(2, **FAST))
    with pytest.raises(helios.ApiConnectionError) as info:
        helios.UserApi(helios.ApiClient(configuration)).create_users(
            [helios.CreateUserParameters(username="x", domain="LOCAL")])
    # Never sent, so even a POST is tried again; and the error says it was not sent.
    assert info.value.attempts == 3 and str(info.value).endswith(
        " after 3 attempts; it was not sent, so nothing was changed")
    assert not info.value.may_have_acted
    assert info.value.phase == "connect"
    messages = [r.getMessage() for r in caplog.records if r.levelno == logging.INFO]
    assert len(messages) == 2
    assert all(m.startswith(f"create_users [POST /v2/users]: cannot connect to 127.0.0.1:{port}")
               for m in messages)


def test_urllib3_never_repeats_a_request_by_itself(fake: FakeHelios) -> None:
    # A dropped answer to a GET is retried by the SDK's policy: once per SDK retry.
    api = user_api(fake, retries=0)
    fake.drop_next("get_users")
    with pytest.raises(helios.ApiConnectionError) as info:
        api.get_users()
    assert info.value.phase == "read" and info.value.attempts == 1
    assert calls_of(fake, "get_users") == 1


def test_retries_of_a_raw_call_free_their_connections(fake: FakeHelios) -> None:
    api = user_api(fake, connection_pool_maxsize=1)
    fake.fail_next("get_users", status=503, times=3)
    response = api.get_users_without_preload_content()
    assert response.status == 200
    assert json.loads(response.data)["users"][0]["username"] == "admin"
    assert calls_of(fake, "get_users") == 4


def test_a_policy_of_your_own_decides(fake: FakeHelios) -> None:
    class AlsoOn500(RetryPolicy):
        def should_retry(self, method: str, attempt: int, *, status: Any = None,
                         error: Any = None, idempotent: Any = None) -> bool:
            if status == 500 and attempt <= self.total:
                return True
            return super().should_retry(method, attempt, status=status, error=error,
                                        idempotent=idempotent)

        def delay(self, attempt: int, headers: Any = None) -> float:
            return 0.0

    api = user_api(fake, retries=AlsoOn500(2))
    fake.fail_next("get_users", status=500, times=2)
    assert api.get_users().users
    assert calls_of(fake, "get_users") == 3


def test_a_policy_written_before_idempotent_is_warned_of_and_still_asked(
        fake: FakeHelios) -> None:
    with pytest.warns(DeprecationWarning, match="takes no 'idempotent' keyword"):
        class Before(RetryPolicy):  # as policies were written for earlier releases
            def should_retry(self, method: str, attempt: int, *, status: Any = None,
                             error: Any = None) -> bool:
                if status == 500 and attempt <= self.total:
                    return True
                return super().should_retry(method, attempt, status=status, error=error)

            def delay(self, attempt: int, headers: Any = None) -> float:
                return 0.0

    api = user_api(fake, retries=Before(2))
    fake.fail_next("get_users", status=500, times=2)
    assert api.get_users().users
    assert calls_of(fake, "get_users") == 3


# -- deadlines -----------------------------------------------------------------------------


def test_a_deadline_cuts_a_slow_answer(fake: FakeHelios) -> None:
    api = user_api(fake)
    fake.delay_next("get_users", 3.0)
    started = time.monotonic()
    with pytest.raises(helios.ApiTimeoutError) as info:
        api.get_users(_deadline=1.0)
    elapsed = time.monotonic() - started
    assert 0.9 <= elapsed < 1.6
    error = info.value
    assert error.deadline == 1.0 and error.attempts == 1
    assert str(error) == (
        f"get_users [GET /v2/users]: the deadline of 1 s passed "
        f"(last try: timed out waiting for {fake.url.split('/')[2]})"
    )
    assert isinstance(error.last_error, helios.ApiTimeoutError)


def test_the_configured_deadline_bounds_retries_against_a_server_that_keeps_failing(
    fake: FakeHelios,
) -> None:
    api = user_api(fake, retries=RetryPolicy(1000, backoff_base=0.05, backoff_cap=0.1),
                   deadline=1.5)
    fake.fail_next("get_users", status=503, times=10_000)
    started = time.monotonic()
    with pytest.raises(helios.ApiTimeoutError) as info:
        api.get_users()
    elapsed = time.monotonic() - started
    assert 1.2 <= elapsed <= 1.6  # gave up at the deadline, not at a retry count
    error = info.value
    tried = calls_of(fake, "get_users")
    assert error.attempts == tried > 5
    assert isinstance(error.last_error, helios.ServiceException)
    assert error.last_error.status == 503
    assert ("the deadline of 1.5 s passed before the next try (last answer: (503) Service "
            "Unavailable") in str(error)
    assert error.waiting_for == "retry"
    assert str(error).endswith(f" after {tried} attempts")


def test_a_deadline_that_passes_between_tries_names_the_last_answer(fake: FakeHelios) -> None:
    class SlowSecondTime(helios.ApiKeyAuth):
        calls = 0

        def auth_headers(self, client: helios.ApiClient) -> Any:
            self.calls += 1
            if self.calls == 2:
                time.sleep(0.5)  # the deadline passes here, before the second try
            return super().auth_headers(client)

    api = user_api(fake, auth=SlowSecondTime(fake.api_key))
    fake.fail_next("get_users", status=503)
    with pytest.raises(helios.ApiTimeoutError) as info:
        api.get_users(_deadline=0.3)
    error = info.value
    assert error.attempts == 1 and calls_of(fake, "get_users") == 1
    assert isinstance(error.last_error, helios.ServiceException)
    assert "(last answer: (503) Service Unavailable" in str(error)
    assert error.__cause__ is error.last_error


def test_no_wait_starts_that_would_end_past_the_deadline(fake: FakeHelios) -> None:
    api = user_api(fake, retries=RetryPolicy(3, retry_after_cap=30))
    fake.fail_next("get_users", status=503, retry_after=20)
    started = time.monotonic()
    with pytest.raises(helios.ApiTimeoutError, match="deadline of 2 s"):
        api.get_users(_deadline=2)
    assert time.monotonic() - started < 0.5  # did not sleep 20 s, nor 2 s
    assert calls_of(fake, "get_users") == 1


def test_the_request_timeout_still_bounds_each_try(fake: FakeHelios) -> None:
    api = user_api(fake)
    fake.delay_next("get_users", 1.0)
    started = time.monotonic()
    assert api.get_users(_request_timeout=0.3, _deadline=10).users
    assert time.monotonic() - started < 1.0
    assert calls_of(fake, "get_users") == 2


def test_a_call_within_its_deadline_is_unaffected(fake: FakeHelios) -> None:
    api = user_api(fake, deadline=30)
    assert api.get_users().users
    assert api.get_users(_deadline=5).users


@pytest.mark.parametrize("bad", [0, -1, "5", True, float("inf"), (1, 2)])
def test_a_bad_deadline_is_refused(fake: FakeHelios, bad: Any) -> None:
    with pytest.raises(helios.ApiValueError, match="deadline"):
        user_api(fake).get_users(_deadline=bad)
    with pytest.raises(helios.ApiValueError, match="deadline"):
        helios.Configuration(deadline=bad)
    assert fake.requests == []


# -- per-call options --------------------------------------------------------------------


def test_an_unknown_keyword_is_a_type_error_that_names_it(fake: FakeHelios) -> None:
    api = user_api(fake)
    with pytest.raises(TypeError) as info:
        api.get_users(domian="LOCAL")  # type: ignore[call-arg]
    assert isinstance(info.value, helios.ApiTypeError)
    assert "get_users() got an unexpected keyword argument 'domian'" in str(info.value)
    assert "did you mean 'domain'" in str(info.value)
    with pytest.raises(helios.ApiTypeError, match="did you mean '_request_timeout'"):
        api.get_users(_request_timout=5)  # type: ignore[call-arg]
    assert fake.requests == []


def test_options_are_one_frozen_value() -> None:
    options = call_settings(_GET_USERS, {"_request_timeout": 5, "_deadline": 30,
                                         "_retries": 2, "_headers": {"X-A": "b"}})
    assert options == CallSettings(
        timeout=5, deadline=30.0, retries=RetryPolicy(2), headers={"X-A": "b"},
    )
    with pytest.raises(AttributeError):
        options.timeout = 1  # type: ignore[misc]
    # No option given: one shared value. What a call returns is an argument of its own
    # (``result``), no longer one of its settings.
    assert call_settings(_GET_USERS, {}) is call_settings(_GET_USERS, {})
    # The names of earlier releases still work.
    assert RequestOptions is CallSettings
    assert request_options(_GET_USERS, {}, HTTP_INFO) is call_settings(_GET_USERS, {})


def test_a_non_json_content_type_is_refused_before_sending(
    api: helios.UserApi, server: RecordingServer
) -> None:
    with pytest.raises(helios.ApiValueError, match="application/json"):
        api.create_users([helios.CreateUserParameters(username="a", domain="LOCAL")],
                         _content_type="text/csv")
    assert server.requests == []


# -- building and reading, without a socket --------------------------------------------------


def test_a_request_is_built_without_any_connection() -> None:
    configuration = helios.Configuration(host="https://cluster.invalid/v2/",
                                         access_cluster_id=42)
    options = call_settings(_CREATE_USERS, {"_headers": {"x-trace": "t1"}})
    request = build_request(
        _CREATE_USERS, ([helios.CreateUserParameters(username="a", domain="LOCAL")], None,
                        "us-east-1"), options, configuration, {"Accept": "application/json"},
    )
    assert (request.method, request.url) == ("POST", "https://cluster.invalid/v2/users")
    assert request.body == b'[{"domain":"LOCAL","username":"a"}]'
    assert request.headers == {"Accept": "application/json", "accessClusterId": "42",
                               "regionId": "us-east-1", "Content-Type": "application/json"}
    assert "LOCAL" not in repr(request)


def test_credentials_go_in_per_try_and_the_callers_headers_win(
    server: RecordingServer,
) -> None:
    configuration = helios.Configuration(host=server.url, api_key="k")
    api = helios.UserApi(helios.ApiClient(configuration))
    api.get_users(_headers={"x-trace": "t1", "apiKey": "mine"})
    sent = server.last.headers
    assert sent["x-trace"] == "t1" and sent["apiKey"] == "mine"
    api.get_users()
    assert server.last.headers["apiKey"] == "k" and "x-trace" not in server.last.headers


def test_an_answer_is_read_without_any_connection() -> None:
    url = "https://cluster.invalid/v2/users/S-1"
    user = parse_response(_GET_USER_BY_SID, "GET", url, 200, "OK", {},
                          b'{"username": "a", "newField": 1}', DATA)
    assert user.username == "a" and user.model_extra == {"newField": 1}
    with pytest.raises(helios.NotFoundException) as info:
        parse_response(_GET_USER_BY_SID, "GET", url, 404, "Not Found",
                       {"X-Request-Id": "r-1"}, b'{"errorCode": "KNotFound"}', DATA,
                       attempts=2)
    assert str(info.value) == ("(404) Not Found in get_user_by_sid [GET /v2/users/S-1] "
                               "errorCode=KNotFound request-id=r-1 after 2 attempts")


# -- configuration, checked when built ------------------------------------------------------


@pytest.mark.parametrize("host, message", [
    ("https://helios.cohesity.com", "ending in /v2"),
    ("https://helios.cohesity.com/v1", "ending in /v2"),
    ("helios.cohesity.com/v2", "absolute http"),
    ("ftp://helios.cohesity.com/v2", "absolute http"),
    ("https://helios.cohesity .com/v2", "spaces"),
    (" https://helios.cohesity.com/v2", "spaces"),
    ("https:///v2", "absolute http"),
    ("https://helios.cohesity.com:port/v2", "bad port"),
    ("https://helios.cohesity.com/v2?x=1", "query"),
    ("/v2", "absolute http"),
])
def test_a_bad_host_is_refused_when_set(host: str, message: str) -> None:
    with pytest.raises(helios.ApiValueError, match=message) as info:
        helios.Configuration(host=host)
    assert "'https://helios.cohesity.com/v2'" in str(info.value) or message in (
        "spaces", "bad port", "query")
    configuration = helios.Configuration()
    with pytest.raises(helios.ApiValueError, match=message):
        configuration.host = host
    assert configuration.host == "https://helios.cohesity.com/v2"


@pytest.mark.parametrize("host", ["https://helios.cohesity.com/v2", "http://10.2.3.4:8443/v2/",
                                  "https://gw.example.com/cohesity/v2", "http://[::1]:80/v2"])
def test_a_good_host_is_taken(host: str) -> None:
    configuration = helios.Configuration(host=host)
    assert configuration.base_url() == host.rstrip("/")


@pytest.mark.parametrize("setting, value, error", [
    ("timeout", 0, helios.ApiValueError),
    ("timeout", (1, 2, 3), helios.ApiValueError),
    ("retries", -1, helios.ApiValueError),
    ("retries", "3", helios.ApiValueError),
    ("connection_pool_maxsize", 0, helios.ApiValueError),
    ("verify_ssl", "no", helios.ApiTypeError),
    ("region_id", 5, helios.ApiTypeError),
    ("access_cluster_id", True, helios.ApiTypeError),
    ("ssl_ca_cert", 5, helios.ApiTypeError),
])
def test_a_bad_setting_is_refused_when_built_and_when_assigned(
    setting: str, value: Any, error: type
) -> None:
    with pytest.raises(error, match=setting):
        helios.Configuration(**{setting: value})
    configuration = helios.Configuration()
    before = getattr(configuration, setting)
    with pytest.raises(error, match=setting):
        setattr(configuration, setting, value)
    assert getattr(configuration, setting) == before


def test_a_changed_host_or_retries_is_used(fake: FakeHelios, server: RecordingServer) -> None:
    configuration = fake.configuration(retries=0)
    api = helios.UserApi(helios.ApiClient(configuration))
    api.get_users()
    configuration.host = server.url
    configuration.retries = RetryPolicy(1, **FAST)
    server.reply(503)
    api.get_users()
    assert len(server.requests) == 2


def test_the_configuration_copy_is_independent() -> None:
    configuration = helios.Configuration(api_key={"APIKeyHeader": API_KEY}, deadline=5)
    copied = configuration.copy()
    copied.api_key["APIKeyHeader"] = "other"
    copied.host = "https://other.example.com/v2"
    assert configuration.api_key["APIKeyHeader"] == API_KEY
    assert configuration.base_url() == "https://helios.cohesity.com/v2"
    assert copied.base_url() == "https://other.example.com/v2" and copied.deadline == 5


def test_configuration_repr_shows_the_settings_not_the_secrets() -> None:
    configuration = helios.Configuration(username="ops", password="pw-secret-1", otp_code="99",
                                         deadline=60)
    text = repr(configuration)
    assert "username='ops'" in text and "password='***'" in text and "deadline=60" in text
    assert "pw-secret-1" not in text and "'99'" not in text
