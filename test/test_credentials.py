"""Logging in as part of the call: within its deadline and retries, one login at a time,
a refused login remembered; and no secret in any frame an error tracker records."""

from __future__ import annotations

import threading
import time
import traceback
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, List, Optional

import pytest
from test_resilience import FAST, closed_port

import cohesity_sdk.helios as helios
from cohesity_sdk.helios.auth import SessionAuth
from cohesity_sdk.helios.retry import RetryPolicy
from cohesity_sdk.helios.testing import FakeHelios


def operations(fake: FakeHelios) -> List[str]:
    return [r.operation_id or "" for r in fake.requests]


def session_api(fake: FakeHelios, **settings: Any) -> helios.UserApi:
    settings.setdefault("username", "admin")
    settings.setdefault("password", "admin")
    settings.setdefault("retries", RetryPolicy(3, **FAST))
    return helios.UserApi(helios.ApiClient(fake.configuration(**settings)))


# -- within the call's deadline ----------------------------------------------------------


def test_a_slow_login_ends_at_the_callers_deadline(fake: FakeHelios) -> None:
    api = session_api(fake, deadline=30)
    fake.delay_next("create_session", 3.0)
    started = time.monotonic()
    with pytest.raises(helios.ApiTimeoutError) as info:
        api.get_users(_deadline=1)
    assert 0.9 <= time.monotonic() - started < 1.5
    error = info.value
    assert error.waiting_for == "login" and error.deadline == 1
    assert error.operation == "get_users"
    assert str(error).startswith("get_users [GET /v2/users]: the deadline of 1 s passed "
                                 "logging in (create_session: timed out waiting for ")


def test_threads_waiting_for_a_login_wait_no_longer_than_their_own_deadline(
    fake: FakeHelios,
) -> None:
    api = session_api(fake)
    fake.delay_next("create_session", 2.0)
    first = threading.Thread(target=api.get_users)  # logs in, for 2 s
    first.start()
    while not fake.requests:
        time.sleep(0.01)
    started = time.monotonic()
    with pytest.raises(helios.ApiTimeoutError) as info:
        api.get_users(_deadline=0.5)
    assert time.monotonic() - started < 1.0
    assert info.value.waiting_for == "login-lock"
    assert "waiting for another thread's login" in str(info.value)
    first.join()
    assert operations(fake) == ["create_session", "get_users"]  # one login in all


def test_a_relogin_after_401_is_within_the_deadline(fake: FakeHelios) -> None:
    api = session_api(fake)
    api.get_users()
    fake.expire_sessions()
    fake.delay_next("create_session", 3.0)
    started = time.monotonic()
    with pytest.raises(helios.ApiTimeoutError) as info:
        api.get_users(_deadline=1)
    assert time.monotonic() - started < 1.5
    assert info.value.waiting_for == "login"


# -- retried as the call is --------------------------------------------------------------


@pytest.mark.parametrize("fault", ["503", "429", "drop"])
def test_a_passing_login_failure_is_retried_under_the_calls_policy(
    fake: FakeHelios, fault: str,
) -> None:
    api = session_api(fake)
    if fault == "drop":
        fake.drop_next("create_session")
    else:
        fake.fail_next("create_session", status=int(fault), retry_after=0)
    assert api.get_users().users
    assert operations(fake) == ["create_session", "create_session", "get_users"]


def test_a_login_the_server_cannot_be_reached_for_is_retried_then_reported() -> None:
    configuration = helios.Configuration(host=f"http://127.0.0.1:{closed_port()}/v2",
                                         username="admin", password="admin",
                                         retries=RetryPolicy(2, **FAST))
    api = helios.UserApi(helios.ApiClient(configuration))
    with pytest.raises(helios.ApiConnectionError) as info:
        api.get_users()
    assert info.value.operation == "create_session" and info.value.attempts == 3


def test_without_retries_a_failed_login_is_raised_at_once(fake: FakeHelios) -> None:
    api = session_api(fake, retries=0)
    fake.fail_next("create_session", status=503)
    with pytest.raises(helios.ServiceException) as info:
        api.get_users()
    assert info.value.operation == "create_session"
    assert operations(fake) == ["create_session"]


# -- a refused login, remembered ---------------------------------------------------------


def test_a_wrong_password_from_many_threads_is_sent_once(fake: FakeHelios) -> None:
    api = session_api(fake, password="wrong-password-1")

    def three_calls(_: int) -> List[str]:
        kinds = []
        for _ in range(3):
            try:
                api.get_users()
            except helios.UnauthorizedException as e:
                kinds.append(e.operation or "")
        return kinds

    with ThreadPoolExecutor(16) as pool:
        results = list(pool.map(three_calls, range(16)))
    assert results == [["create_session"] * 3] * 16  # every call refused, as the login was
    assert operations(fake) == ["create_session"]  # but the password went out once


def test_a_refused_login_is_tried_again_after_the_cooldown_or_new_credentials(
    fake: FakeHelios,
) -> None:
    auth = SessionAuth("admin", "wrong-password-2", refused_login_cooldown=0.3)
    configuration = fake.configuration(auth=auth, retries=0)
    api = helios.UserApi(helios.ApiClient(configuration))
    for _ in range(2):
        with pytest.raises(helios.UnauthorizedException):
            api.get_users()
    assert operations(fake) == ["create_session"]
    time.sleep(0.35)
    with pytest.raises(helios.UnauthorizedException):
        api.get_users()
    assert operations(fake) == ["create_session"] * 2
    # New credentials in the configuration make a new credential, tried at once.
    configuration.auth = None
    configuration.username, configuration.password = "admin", "admin"
    assert api.get_users().users
    assert operations(fake)[-2:] == ["create_session", "get_users"]


# -- no secret in a recorded frame -------------------------------------------------------


PACKAGE = str(Path(helios.__file__).parent)


def _sdk_frames(error: BaseException) -> List[str]:
    """The frames of the SDK a failure passed through, each with the repr of each of its
    locals, as error trackers record them (the test's own frames left out)."""
    frames = []
    seen: Optional[BaseException] = error
    while seen is not None:  # the error, and what it was raised from
        summary = traceback.TracebackException.from_exception(seen, capture_locals=True)
        frames += [f"{frame.filename}:{frame.name} {frame.locals}" for frame in summary.stack
                   if frame.filename.startswith(PACKAGE)]
        seen = seen.__cause__
    return frames


def _failure(call: Any) -> BaseException:
    try:
        call()
    except helios.OpenApiException as error:
        return error
    raise AssertionError("the call did not fail")


def test_no_secret_is_in_the_locals_of_a_failure(fake: FakeHelios) -> None:
    key, wrong_key, password = fake.api_key, "wrong-key-8b1f", "S3cret-pw-41"
    admin = helios.UserApi(helios.ApiClient(fake.configuration(retries=0)))
    admin.create_users([helios.CreateUserParameters(
        username="svc", domain="LOCAL", roles=["COHESITY_VIEWER"],
        local_user_params=helios.LocalUserParams(password=password))])
    sessions = session_api(fake, username="svc", password=password, retries=0)
    sessions.get_users()
    auth = sessions.api_client.auth
    assert isinstance(auth, SessionAuth) and auth._session is not None
    session_id = auth._session.reveal()
    unreachable = helios.UserApi(helios.ApiClient(helios.Configuration(
        host=f"http://127.0.0.1:{closed_port()}/v2", api_key=key, retries=0)))

    def refused_503() -> None:
        fake.fail_next("get_users", status=503)
        admin.get_users()

    def session_503() -> None:
        fake.fail_next("get_users", status=503)
        sessions.get_users()

    failures = {
        "401": _failure(lambda: admin.get_users(_request_auth={"value": wrong_key})),
        "503": _failure(refused_503),
        "refused connection": _failure(unreachable.get_users),
        "session call": _failure(session_503),
        "new user's password": _failure(lambda: admin.create_users([
            helios.CreateUserParameters(username="svc", domain="LOCAL",
                                        local_user_params=helios.LocalUserParams(
                                            password=password))])),
    }
    for name, error in failures.items():
        frames = _sdk_frames(error)
        assert any("api_client.py" in frame for frame in frames), name  # the engine's
        for frame in frames:
            for secret in (key, wrong_key, password, session_id):
                assert secret not in frame, (name, secret, frame)


def test_a_host_with_a_password_in_it_is_refused_without_repeating_it() -> None:
    for host in ("http://bob:hunter2@cluster.example/v2", "https://:hunter2@cluster/v2",
                 "https://bob@cluster.example/v2"):
        with pytest.raises(helios.ApiValueError) as info:
            helios.Configuration(host=host)
        assert "hunter2" not in str(info.value) + repr(info.value)
        assert "must not hold a user name or password" in str(info.value)
    configuration = helios.Configuration()
    with pytest.raises(helios.ApiValueError) as info:
        configuration.host = "http://bob:hunter2@cluster.example/v2"
    assert "'http://bob:***@cluster.example/v2'" in str(info.value)
    assert configuration.host == "https://helios.cohesity.com/v2"  # unchanged
