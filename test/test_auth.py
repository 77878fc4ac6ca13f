"""Authentication over real sockets: API keys, session login, re-login, your own ``Auth``."""

from __future__ import annotations

import logging
import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Any, List, Mapping

import pytest
from conftest import API_KEY, RecordingServer

import cohesity_sdk.helios as helios
from cohesity_sdk.helios.auth import SESSION_HEADER, ApiKeyAuth, Auth, NoAuth, SessionAuth
from cohesity_sdk.helios.testing import FakeHelios


def operations(fake: FakeHelios) -> List[str]:
    return [r.operation_id or "" for r in fake.requests]


def session_api(fake: FakeHelios, **settings: Any) -> helios.UserApi:
    settings.setdefault("username", "admin")
    settings.setdefault("password", "admin")
    settings.setdefault("retries", 0)
    return helios.UserApi(helios.ApiClient(fake.configuration(**settings)))


def new_local_user(api: helios.UserApi, name: str, password: str) -> str:
    created = api.create_users([helios.CreateUserParameters(
        username=name, domain="LOCAL", roles=["COHESITY_VIEWER"],
        local_user_params=helios.LocalUserParams(email=f"{name}@example.com",
                                                 password=password),
    )])
    sid = created.users[0].sid if created.users else None
    assert sid is not None
    return sid


# -- session login -------------------------------------------------------------------


def test_username_and_password_log_in_once_and_send_the_session_id(fake: FakeHelios) -> None:
    api = session_api(fake)
    assert [u.username for u in api.get_users().users or []] == ["admin"]
    api.get_groups()
    assert operations(fake) == ["create_session", "get_users", "get_groups"]
    login, first, second = fake.requests
    assert login.json["username"] == "admin" and login.json["domain"] == "LOCAL"
    assert "apiKey" not in login.headers and SESSION_HEADER not in login.headers
    for call in (first, second):
        assert call.headers[SESSION_HEADER] == "***"  # sent, and masked in the log
        assert "apiKey" not in call.headers
        assert call.status == 200


def test_the_login_carries_domain_and_one_time_code(fake: FakeHelios) -> None:
    admin = helios.UserApi(helios.ApiClient(fake.configuration()))
    new_local_user(admin, "otp-user", "pw-1")
    api = session_api(fake, username="otp-user", password="pw-1", domain="local",
                      otp_type="totp", otp_code="493817")
    api.get_users()
    login = [r for r in fake.requests if r.operation_id == "create_session"][0]
    assert {k: login.json[k] for k in ("username", "domain", "otpType", "otpCode")} == {
        "username": "otp-user", "domain": "local", "otpType": "totp", "otpCode": "493817"}


def test_threads_sharing_a_client_log_in_once(fake: FakeHelios) -> None:
    api = session_api(fake, connection_pool_maxsize=8)
    fake.delay_next("create_session", 0.3)  # every thread arrives while the login runs
    start = threading.Barrier(8)

    def work(_: int) -> int:
        start.wait()
        return len(api.get_users().users or [])

    with ThreadPoolExecutor(max_workers=8) as pool:
        assert list(pool.map(work, range(8))) == [1] * 8
    assert operations(fake).count("create_session") == 1
    assert operations(fake).count("get_users") == 8


def test_an_expired_session_is_renewed_once_and_the_call_repeated(
    fake: FakeHelios, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="cohesity_sdk.helios")
    api = session_api(fake)
    api.get_users()
    assert fake.expire_sessions() == 1
    before = len(fake.requests)
    # A POST too: the server refused the first try without acting, so repeating is safe.
    sid = new_local_user(api, "after-expiry", "pw")
    assert operations(fake)[before:] == ["create_users", "create_session", "create_users"]
    assert [r.status for r in fake.requests[before:]] == [401, 201, 201]
    assert [u.sid for u in api.get_users(usernames=["after-expiry"]).users or []] == [sid]
    assert any("logging in again" in r.getMessage() for r in caplog.records)


def test_a_wrong_password_is_one_unauthorized_error_without_a_login_loop(
    fake: FakeHelios,
) -> None:
    api = session_api(fake, password="not-the-password", retries=3)
    for _ in range(2):
        with pytest.raises(helios.UnauthorizedException) as info:
            api.get_users()
        assert info.value.operation == "create_session"
        assert "invalid username or password" in str(info.value)
        assert "not-the-password" not in str(info.value) + repr(info.value)
    # One login in all: the refusal is remembered, and the call itself never went out.
    assert operations(fake) == ["create_session"]


def test_the_session_of_a_locked_user_is_refused(fake: FakeHelios) -> None:
    admin = helios.UserApi(helios.ApiClient(fake.configuration()))
    sid = new_local_user(admin, "soon-locked", "pw-2")
    api = session_api(fake, username="soon-locked", password="pw-2")
    api.get_user_by_sid(sid)
    admin.update_user(sid, helios.UpdateUserParameters(locked=True))
    with pytest.raises(helios.UnauthorizedException) as info:
        api.get_user_by_sid(sid)
    # The session was refused, and so was the login that followed.
    assert "locked" in str(info.value)
    assert operations(fake)[-2:] == ["get_user_by_sid", "create_session"]
    assert [r.status for r in fake.requests[-2:]] == [401, 401]


def test_close_leaves_the_session_on_the_server(fake: FakeHelios) -> None:
    with helios.ApiClient(fake.configuration(username="admin", password="admin")) as client:
        helios.UserApi(client).get_users()
    counted = helios.UserApi(helios.ApiClient(fake.configuration())).get_active_sessions_count()
    assert counted.total_sessions_count == 1
    assert "delete_session" not in operations(fake)


def test_password_and_session_id_appear_in_no_text(
    fake: FakeHelios, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)  # every logger, urllib3's included
    password = "S3ss10n-pw-7c1e"
    admin = helios.UserApi(helios.ApiClient(fake.configuration()))
    new_local_user(admin, "secretive", password)
    configuration = fake.configuration(username="secretive", password=password, retries=0)
    client = helios.ApiClient(configuration)
    api = helios.UserApi(client)
    api.get_users()
    auth = client.auth
    assert isinstance(auth, SessionAuth) and auth.logged_in
    assert auth._session is not None
    session_id = auth._session.reveal()
    assert session_id
    fake.expire_sessions()
    api.get_users()  # logged in again
    assert auth._session is not None
    renewed = auth._session.reveal()
    admin.update_user(admin.get_users(usernames=["secretive"]).users[0].sid or "",
                      helios.UpdateUserParameters(locked=True))
    with pytest.raises(helios.UnauthorizedException) as refused:
        api.get_users()
    session = admin.create_session(helios.CreateUserSessionRequestParams(
        username="admin", password="admin", domain="LOCAL"))
    texts = [caplog.text, repr(configuration), str(configuration), repr(client), repr(auth),
             str(refused.value), repr(refused.value), repr(session), str(session),
             session.to_str(), *(str(r.headers) for r in fake.requests)]
    for secret in (password, session_id, renewed, session.session_id):
        assert secret
        for text in texts:
            assert secret not in text


def test_login_settings_are_checked_when_set() -> None:
    with pytest.raises(helios.ApiValueError, match="password"):
        helios.ApiClient(helios.Configuration(username="admin")).auth  # noqa: B018
    with pytest.raises(helios.ApiValueError, match="not both"):
        helios.Configuration(username="admin", password="x", auth=NoAuth())
    with pytest.raises(helios.ApiTypeError, match="password"):
        helios.Configuration(username="admin", password=1234)  # type: ignore[arg-type]
    with pytest.raises(helios.ApiValueError, match="empty"):
        SessionAuth("", "pw")


# -- API keys ------------------------------------------------------------------------


def test_the_api_key_is_read_at_every_call(api: helios.UserApi, server: RecordingServer,
                                           configuration: helios.Configuration) -> None:
    api.get_users()
    configuration.api_key["APIKeyHeader"] = "rotated"
    api.get_users()
    assert [r.headers["apiKey"] for r in server.requests] == [API_KEY, "rotated"]
    assert isinstance(api.api_client.auth, ApiKeyAuth)


def test_a_401_to_an_api_key_is_raised_at_once(api: helios.UserApi,
                                               server: RecordingServer) -> None:
    server.reply(401, {"errorCode": "KUnauthorized", "message": "bad key"})
    with pytest.raises(helios.UnauthorizedException):
        api.get_users(_retries=3)
    assert len(server.requests) == 1


def test_no_auth_for_one_call(api: helios.UserApi, server: RecordingServer) -> None:
    api.get_users(_request_auth=NoAuth())
    assert "apiKey" not in server.last.headers


# -- your own Auth -------------------------------------------------------------------


class BearerToken(Auth):
    """A token from elsewhere, fetched again when the server refuses it."""

    def __init__(self) -> None:
        self.issued = 0
        self.refused: List[Mapping[str, str]] = []

    def auth_headers(self, client: helios.ApiClient) -> Mapping[str, str]:
        return {"Authorization": f"Bearer token-{self.issued}"}

    def refresh(self, client: helios.ApiClient, rejected: Mapping[str, str]) -> bool:
        self.refused.append(dict(rejected))
        self.issued += 1
        return True


def test_your_own_auth_adds_headers_and_refreshes_once_on_401(server: RecordingServer) -> None:
    token = BearerToken()
    configuration = helios.Configuration(host=server.url, auth=token, retries=0)
    api = helios.UserApi(helios.ApiClient(configuration))
    server.reply(401, {"errorCode": "KUnauthorized", "message": "token expired"})
    server.reply(200, {"users": [{"username": "alice"}]})
    assert [u.username for u in api.get_users().users or []] == ["alice"]
    assert [r.headers["Authorization"] for r in server.requests] == [
        "Bearer token-0", "Bearer token-1"]
    assert "apiKey" not in server.last.headers
    assert token.refused[0]["Authorization"] == "Bearer token-0"
    # A second refusal in the same call is raised: one refresh per call.
    server.reply(401, {"errorCode": "KUnauthorized", "message": "no"})
    server.reply(401, {"errorCode": "KUnauthorized", "message": "still no"})
    with pytest.raises(helios.UnauthorizedException, match="still no"):
        api.get_users()
    assert len(server.requests) == 4 and token.issued == 2


def test_an_auth_written_without_the_base_class(server: RecordingServer) -> None:
    class Plain:
        def auth_headers(self, client: helios.ApiClient) -> Mapping[str, str]:
            return {"X-Token": "t"}

        def refresh(self, client: helios.ApiClient, rejected: Mapping[str, str]) -> bool:
            return False

    api = helios.UserApi(helios.ApiClient(helios.Configuration(host=server.url, auth=Plain())))
    api.get_users()
    assert server.last.headers["X-Token"] == "t"
    server.reply(401)
    with pytest.raises(helios.UnauthorizedException):
        api.get_users()
    assert len(server.requests) == 2


def test_an_auth_header_that_could_split_the_request_is_refused(
    server: RecordingServer,
) -> None:
    class Broken(Auth):
        def auth_headers(self, client: helios.ApiClient) -> Mapping[str, str]:
            return {"Authorization": "Bearer x\r\nX-Injected: 1"}

    api = helios.UserApi(helios.ApiClient(helios.Configuration(host=server.url,
                                                               auth=Broken())))
    with pytest.raises(helios.ApiValueError, match="line break"):
        api.get_users()
    assert server.requests == []


def test_something_that_is_not_an_auth_is_refused() -> None:
    with pytest.raises(helios.ApiTypeError, match="auth_headers"):
        helios.Configuration(auth="my-token")  # type: ignore[arg-type]
