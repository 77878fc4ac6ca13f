"""Retries, timeouts, TLS, proxies, secrets and threads, each against a real server.

FakeHelios injects the faults (failed, slow and dropped answers); a local TLS server with
certificates made by trustme stands in for a cluster's HTTPS endpoint.
"""

from __future__ import annotations

import http.client
import logging
import socket
import threading
import time
import warnings
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, Iterator, List, Tuple

import pytest
import trustme
import urllib3
from conftest import ForwardProxy, TLSServer

import cohesity_sdk.helios as helios
from cohesity_sdk.helios.retry import RetryPolicy
from cohesity_sdk.helios.testing import FakeHelios

FAST = dict(backoff_base=0.01, backoff_cap=0.05, retry_after_cap=0.05)


def user_api(fake: FakeHelios, **settings: Any) -> helios.UserApi:
    settings.setdefault("retries", RetryPolicy(3, **FAST))
    return helios.UserApi(helios.ApiClient(fake.configuration(**settings)))


def calls_of(fake: FakeHelios, operation_id: str) -> int:
    return sum(1 for r in fake.requests if r.operation_id == operation_id)


def new_user(name: str) -> helios.CreateUserParameters:
    return helios.CreateUserParameters(
        username=name, domain="LOCAL", roles=["COHESITY_VIEWER"],
        local_user_params=helios.LocalUserParams(password=f"{name}-Passw0rd"))


def usernames(api: helios.UserApi) -> List[str]:
    return sorted(u.username or "" for u in api.get_users(domain="LOCAL").users or [])


# -- retries -----------------------------------------------------------------------


def test_retries_are_on_by_default() -> None:
    retry = helios.Configuration().retries
    assert retry == 3


@pytest.mark.parametrize("status", [502, 503, 504, 429])
def test_get_is_retried_on_overload_and_gateway_errors(fake: FakeHelios, status: int) -> None:
    api = user_api(fake)
    fake.fail_next("get_users", status=status, times=2)
    assert "admin" in usernames(api)
    assert calls_of(fake, "get_users") == 3


@pytest.mark.parametrize("status", [502, 503, 504])
def test_post_is_never_repeated_after_a_server_error(fake: FakeHelios, status: int) -> None:
    api = user_api(fake)
    fake.fail_next("create_users", status=status)
    with pytest.raises(helios.ServiceException) as info:
        api.create_users([new_user("once")])
    assert info.value.status == status
    assert calls_of(fake, "create_users") == 1
    assert "once" not in usernames(api)


def test_post_is_retried_on_429_which_the_server_did_not_act_on(fake: FakeHelios) -> None:
    api = user_api(fake)
    fake.fail_next("create_users", status=429, retry_after=0)
    created = api.create_users([new_user("throttled")])
    assert [u.username for u in created.users or []] == ["throttled"]
    assert calls_of(fake, "create_users") == 2
    assert usernames(api).count("throttled") == 1


def test_updates_and_deletes_safe_to_repeat_are_retried(fake: FakeHelios) -> None:
    api = user_api(fake)
    sid = (api.create_users([new_user("carol")]).users or [])[0].sid
    group = (api.create_group([helios.CreateGroupParams(name="ops", domain="LOCAL")]).groups
             or [])[0].sid
    assert sid is not None and group is not None
    fake.fail_next("update_group", status=503)
    assert api.update_group(group, helios.UpdateGroupParameters(description="x")).description \
        == "x"
    assert calls_of(fake, "update_group") == 2
    fake.fail_next("delete_user", status=502)
    api.delete_user(sid)
    assert calls_of(fake, "delete_user") == 2
    assert "carol" not in usernames(api)


def test_update_user_is_never_repeated_once_it_may_have_acted(fake: FakeHelios) -> None:
    # A PUT, but one with currentPassword cannot be made twice: the rule is the
    # operation's (x-idempotent), not its method's.
    api = user_api(fake, retries=RetryPolicy(5, **FAST))
    sid = (api.create_users([new_user("dave")]).users or [])[0].sid
    assert sid is not None
    for status in (502, 503, 504):
        fake.fail_next("update_user", status=status)
        with pytest.raises(helios.ServiceException) as info:
            api.update_user(sid, helios.UpdateUserParameters(description="x"))
        assert info.value.attempts == 1
        assert info.value.may_have_acted is (status != 503)
    assert calls_of(fake, "update_user") == 3
    assert "may have acted on it, and update_user is not sent again" in str(info.value)


def test_retries_give_up_with_the_last_answer(fake: FakeHelios) -> None:
    api = user_api(fake, retries=RetryPolicy(2, **FAST))
    fake.fail_next("get_users", status=503, times=10)
    with pytest.raises(helios.ServiceException) as info:
        api.get_users()
    assert info.value.status == 503
    assert calls_of(fake, "get_users") == 3


def test_retries_zero_turns_them_off(fake: FakeHelios) -> None:
    api = user_api(fake, retries=0)
    fake.fail_next("get_users", status=503)
    with pytest.raises(helios.ServiceException):
        api.get_users()
    assert calls_of(fake, "get_users") == 1


def test_a_urllib3_retry_is_refused_with_the_way_to_say_it(fake: FakeHelios) -> None:
    # urllib3 only connects; the SDK owns every retry decision.
    with pytest.raises(helios.ApiValueError, match=r"RetryPolicy\(3"):
        user_api(fake, retries=urllib3.Retry(total=1))
    with pytest.raises(helios.ApiValueError, match="_retries"):
        user_api(fake).get_users(_retries=urllib3.Retry(total=1))  # type: ignore[typeddict-item]
    assert fake.requests == []


def test_a_bad_retries_setting_is_refused(fake: FakeHelios) -> None:
    with pytest.raises(helios.ApiValueError, match="retries"):
        user_api(fake, retries="many").get_users()


def test_retry_after_is_honoured_up_to_its_cap(fake: FakeHelios) -> None:
    api = user_api(fake, retries=RetryPolicy(1, backoff_base=0, retry_after_cap=0.4))
    fake.fail_next("get_users", status=503, retry_after=30)
    started = time.monotonic()
    api.get_users()
    waited = time.monotonic() - started
    assert calls_of(fake, "get_users") == 2
    assert 0.4 <= waited < 10  # waited for Retry-After, but only as long as the cap


def test_retry_after_in_seconds_and_as_an_http_date() -> None:
    policy = RetryPolicy(retry_after_cap=60)
    assert policy.retry_after({"Retry-After": "7"}) == 7
    assert policy.retry_after({"Retry-After": "7200"}) == 60
    in_20s = time.strftime("%a, %d %b %Y %H:%M:%S GMT", time.gmtime(time.time() + 20))
    wait = policy.retry_after({"Retry-After": in_20s})
    assert wait is not None and 15 <= wait <= 21
    assert policy.retry_after({"Retry-After": "soon"}) is None
    assert policy.retry_after({"Retry-After": "-5"}) == 0
    assert policy.retry_after({}) is None
    assert policy.retry_after(None) is None
    # What the server asked for is the wait, capped.
    assert policy.delay(1, {"Retry-After": "7"}) == 7


def test_backoff_is_exponential_with_jitter_and_capped() -> None:
    policy = RetryPolicy(10, backoff_base=1.0, backoff_cap=5.0)
    ceilings = [1, 2, 4, 5, 5, 5]
    for attempt, ceiling in enumerate(ceilings, start=1):
        waits = [policy.delay(attempt) for _ in range(50)]
        assert all(0 <= w <= ceiling for w in waits)
        assert max(waits) > ceiling / 2  # reaches up towards its ceiling...
        assert len(set(waits)) > 1  # ...jittered, not a fixed schedule


def test_a_dropped_get_is_retried(fake: FakeHelios) -> None:
    api = user_api(fake)
    fake.drop_next("get_users")
    assert "admin" in usernames(api)
    assert calls_of(fake, "get_users") == 2


def test_a_post_dropped_after_the_server_acted_is_not_sent_again(fake: FakeHelios) -> None:
    api = user_api(fake)
    fake.drop_next("create_users", after_action=True)
    with pytest.raises(helios.ApiConnectionError) as info:
        api.create_users([new_user("dave")])
    assert "create_users [POST /v2/users]" in str(info.value)
    assert calls_of(fake, "create_users") == 1
    assert usernames(api).count("dave") == 1  # created exactly once


def test_a_slow_get_times_out_and_is_retried(fake: FakeHelios) -> None:
    api = user_api(fake)
    fake.delay_next("get_users", 1.0)
    assert "admin" in usernames_with_timeout(api, (2, 0.3))
    assert calls_of(fake, "get_users") == 2


def usernames_with_timeout(api: helios.UserApi, timeout: Any) -> List[str]:
    return [u.username or "" for u in api.get_users(_request_timeout=timeout).users or []]


def test_a_slow_post_times_out_and_is_not_sent_again(fake: FakeHelios) -> None:
    api = user_api(fake)
    fake.delay_next("create_users", 0.6)
    with pytest.raises(helios.ApiTimeoutError) as info:
        api.create_users([new_user("erin")], _request_timeout=(2, 0.2))
    assert "create_users [POST /v2/users]" in str(info.value)
    time.sleep(0.6)  # the server finishes the call it was given
    assert calls_of(fake, "create_users") == 1
    assert usernames(api).count("erin") == 1


def test_refused_connections_are_retried_for_any_method_then_reported() -> None:
    port = closed_port()
    configuration = helios.Configuration(
        host=f"http://127.0.0.1:{port}/v2", retries=RetryPolicy(2, **FAST)
    )
    api = helios.UserApi(helios.ApiClient(configuration))
    with pytest.raises(helios.ApiConnectionError) as info:
        api.create_users([new_user("x")])
    assert not isinstance(info.value, helios.ApiTimeoutError)
    message = str(info.value)
    assert f"create_users [POST /v2/users]: cannot connect to 127.0.0.1:{port}" in message


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


# -- timeouts ----------------------------------------------------------------------


@pytest.fixture
def silent_server() -> Iterator[str]:
    """Accepts connections and reads requests, but never answers."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(16)
    held: List[socket.socket] = []
    stop = threading.Event()

    def accept() -> None:
        listener.settimeout(0.1)
        while not stop.is_set():
            try:
                conn, _ = listener.accept()
                held.append(conn)
            except OSError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{listener.getsockname()[1]}/v2"
    stop.set()
    thread.join()
    for conn in held:
        conn.close()
    listener.close()


def test_a_server_that_never_answers_fails_within_the_timeout(silent_server: str) -> None:
    configuration = helios.Configuration(host=silent_server, timeout=(1.0, 0.3), retries=0)
    api = helios.UserApi(helios.ApiClient(configuration))
    started = time.monotonic()
    with pytest.raises(helios.ApiTimeoutError) as info:
        api.get_users()
    assert time.monotonic() - started < 3
    assert "get_users [GET /v2/users]: timed out waiting for 127.0.0.1" in str(info.value)


def test_the_per_call_timeout_wins_and_retries_stay_within_budget(silent_server: str) -> None:
    configuration = helios.Configuration(host=silent_server, timeout=60,
                                         retries=RetryPolicy(2, **FAST))
    api = helios.UserApi(helios.ApiClient(configuration))
    started = time.monotonic()
    with pytest.raises(helios.ApiTimeoutError):
        api.get_users(_request_timeout=0.2)
    # three tries of 0.2 s each, plus short waits
    assert time.monotonic() - started < 4


@pytest.mark.parametrize("bad", [0, -1, "5", (1, 2, 3), True, (True, 5), (5, 0), (None, -1),
                                 [5, 5], ()])
def test_a_bad_timeout_is_refused(fake: FakeHelios, bad: Any) -> None:
    with pytest.raises(helios.ApiValueError, match="timeout"):
        user_api(fake).get_users(_request_timeout=bad)
    assert fake.requests == []


@pytest.mark.parametrize("good", [None, 5, 2.5, (1, 30), (None, 30), (1, None), (None, None)])
def test_a_timeout_is_a_number_or_a_pair(fake: FakeHelios, good: Any) -> None:
    assert user_api(fake).get_users(_request_timeout=good) is not None
    assert len(fake.requests) == 1


# -- errors ------------------------------------------------------------------------


def test_error_text_names_the_request_id(fake: FakeHelios) -> None:
    api = user_api(fake)
    with pytest.raises(helios.NotFoundException) as info:
        api.get_user_by_sid("S-1-100-21-0-404")
    error = info.value
    assert error.request_id
    assert f"request-id={error.request_id}" in str(error)
    assert "get_user_by_sid [GET /v2/users/S-1-100-21-0-404]" in str(error)


def test_an_unresolvable_host_is_a_connection_error() -> None:
    configuration = helios.Configuration(host="http://no-such-host.invalid/v2", retries=0)
    with pytest.raises(helios.ApiConnectionError) as info:
        helios.UserApi(helios.ApiClient(configuration)).get_users()
    assert "get_users [GET /v2/users]" in str(info.value)


def test_everything_a_call_raises_is_an_open_api_exception(fake: FakeHelios) -> None:
    api = user_api(fake, retries=0)
    fake.fail_next("get_users", status=503)
    fake.drop_next("get_groups")
    failures = [
        lambda: api.get_users(),
        lambda: api.get_groups(),
        lambda: api.get_user_by_sid(123),  # type: ignore[arg-type]
        lambda: api.get_users(sids=[]),
        lambda: helios.UserApi(helios.ApiClient(helios.Configuration(host="/v2"))).get_users(),
    ]
    for failure in failures:
        with pytest.raises(helios.OpenApiException):
            failure()


# -- secrets -----------------------------------------------------------------------


def test_no_secret_reaches_the_logs_or_any_text(
    fake: FakeHelios, caplog: pytest.LogCaptureFixture
) -> None:
    password, otp, private_key = "Pw-7c1e9f", "493817", "-----BEGIN KEY----- kq9"
    api = user_api(fake)
    caplog.set_level(logging.DEBUG)  # every logger, urllib3's included
    created = api.create_users([helios.CreateUserParameters(
        username="frank", domain="LOCAL",
        local_user_params=helios.LocalUserParams(email="f@example.com", password=password),
    )])
    sid = (created.users or [])[0].sid
    assert sid is not None
    api.create_session(helios.CreateUserSessionRequestParams(
        username="frank", password=password, domain="LOCAL"))
    with pytest.raises(helios.ApiException) as failed_login:
        api.create_session(helios.CreateUserSessionRequestParams(
            username="frank", password=password + "x", otp_code=otp, otp_type="totp",
            private_key=private_key))
    key = api.create_user_api_key(sid, helios.CreateOrUpdateAPIKeyRequest(name="k"))
    rotated = api.rotate_user_api_key(sid, key.id or "")
    s3 = api.regenerate_s3_key(sid)
    secrets = [fake.api_key, password, otp, private_key, key.api_key, rotated.api_key,
               s3.secret_key]
    assert all(secrets)
    texts = [
        caplog.text, repr(api.api_client), repr(api.api_client.configuration),
        str(api.api_client.configuration), repr(key), str(key), repr(rotated), repr(s3),
        str(failed_login.value), repr(failed_login.value),
    ]
    wrong_key = user_api(fake, retries=0)
    wrong_key.api_client.configuration.api_key["APIKeyHeader"] = "not-the-key-" + password
    with pytest.raises(helios.UnauthorizedException) as unauthorized:
        wrong_key.get_users()
    texts += [str(unauthorized.value), repr(wrong_key.api_client.configuration)]
    for secret in secrets:
        for text in texts:
            assert str(secret) not in text
    assert "GET " in caplog.text and " -> 200 (" in caplog.text  # debug logging is there
    assert http.client.HTTPConnection.debuglevel == 0


def test_debug_log_shows_method_url_status_and_time(
    fake: FakeHelios, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG, logger="cohesity_sdk.helios")
    user_api(fake).get_users(domain="LOCAL")
    records = [r for r in caplog.records if r.name == "cohesity_sdk.helios"]
    assert len(records) == 1
    message = records[0].getMessage()
    assert message.startswith(f"GET {fake.url}/users?domain=LOCAL -> 200 (")
    assert message.endswith(" ms)")


# -- TLS ---------------------------------------------------------------------------


def tls_get(url: str, **settings: Any) -> Tuple[List[str], Any]:
    settings.setdefault("retries", 0)
    configuration = helios.Configuration(host=url, **settings)
    with helios.ApiClient(configuration) as client:
        result = helios.UserApi(client).get_users_with_http_info()
    return [u.username or "" for u in result.data.users or []], result.headers


def test_tls_certificates_are_verified_by_default(tls_server: TLSServer) -> None:
    with pytest.raises(helios.ApiConnectionError) as info:
        tls_get(tls_server.url)
    assert "TLS failed" in str(info.value)
    assert "CERTIFICATE_VERIFY_FAILED" in str(info.value)


def test_a_ca_bundle_makes_the_server_trusted(tls_server: TLSServer, ca_file: str) -> None:
    assert tls_get(tls_server.url, ssl_ca_cert=ca_file)[0] == ["tls"]


def test_tls_server_name_checks_the_certificate_against_that_name(
    ca: trustme.CA, ca_file: str
) -> None:
    server = TLSServer(ca, "helios.test")
    try:
        with pytest.raises(helios.ApiConnectionError, match="TLS failed"):
            tls_get(server.url, ssl_ca_cert=ca_file)  # the certificate is not for 127.0.0.1
        users, _ = tls_get(server.url, ssl_ca_cert=ca_file, tls_server_name="helios.test")
        assert users == ["tls"]
    finally:
        server.close()


def test_client_certificates_for_mutual_tls(
    ca: trustme.CA, ca_file: str, tmp_path: Path
) -> None:
    client_ca = trustme.CA()
    server = TLSServer(ca, "127.0.0.1", client_ca=client_ca)
    try:
        with pytest.raises(helios.ApiConnectionError):
            tls_get(server.url, ssl_ca_cert=ca_file)  # no client certificate: refused
        identity = client_ca.issue_cert("automation@example.com")
        cert, key = tmp_path / "client.pem", tmp_path / "client.key"
        identity.cert_chain_pems[0].write_to_path(str(cert))
        identity.private_key_pem.write_to_path(str(key))
        users, headers = tls_get(server.url, ssl_ca_cert=ca_file, cert_file=str(cert),
                                 key_file=str(key))
        assert users == ["tls"] and headers["X-Client-Cert"] == "yes"
    finally:
        server.close()


def test_verify_ssl_false_works_and_warns_once(
    tls_server: TLSServer, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING, logger="cohesity_sdk.helios")
    configuration = helios.Configuration(host=tls_server.url, verify_ssl=False, retries=0)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        with helios.ApiClient(configuration) as client:
            api = helios.UserApi(client)
            for _ in range(3):
                assert [u.username for u in api.get_users().users or []] == ["tls"]
    ours = [r for r in caplog.records if r.name == "cohesity_sdk.helios"]
    assert len(ours) == 1 and "verification is off for 127.0.0.1" in ours[0].getMessage()
    assert not [w for w in caught if issubclass(w.category, urllib3.exceptions.HTTPWarning)]


# -- proxies -----------------------------------------------------------------------


@pytest.fixture
def proxy() -> Iterator[ForwardProxy]:
    running = ForwardProxy()
    yield running
    running.close()


def test_calls_go_through_the_configured_proxy(fake: FakeHelios, proxy: ForwardProxy) -> None:
    api = user_api(fake, proxy=proxy.url, proxy_headers={"Proxy-Authorization": "Basic b3A6cHc="})
    assert "admin" in usernames(api)
    path, headers = proxy.seen[-1]
    assert path == f"{fake.url}/users?domain=LOCAL"
    assert headers["Proxy-Authorization"] == "Basic b3A6cHc="


def test_the_environment_proxy_is_used_unless_turned_off(
    fake: FakeHelios, proxy: ForwardProxy, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HTTP_PROXY", proxy.url)
    monkeypatch.delenv("NO_PROXY", raising=False)
    monkeypatch.delenv("no_proxy", raising=False)
    usernames(user_api(fake))
    assert len(proxy.seen) == 1  # by default, as curl, pip and requests do
    usernames(user_api(fake, trust_env=False))
    assert len(proxy.seen) == 1  # turned off
    monkeypatch.setenv("NO_PROXY", "127.0.0.1")
    usernames(user_api(fake))
    assert len(proxy.seen) == 1  # NO_PROXY honoured


# -- threads -----------------------------------------------------------------------


def test_one_client_shared_by_many_threads(fake: FakeHelios) -> None:
    api = user_api(fake, connection_pool_maxsize=4)
    sid = (api.create_users([new_user("gina")]).users or [])[0].sid
    assert sid is not None

    def work(i: int) -> Tuple[str, int]:
        user = api.get_user_by_sid(sid)
        groups = api.get_groups()
        return user.username or "", len(groups.groups or [])

    with ThreadPoolExecutor(max_workers=8) as pool:
        results = list(pool.map(work, range(200)))
    assert results == [("gina", 0)] * 200
    assert calls_of(fake, "get_user_by_sid") == 200
