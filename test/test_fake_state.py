"""FakeHelios's request log (bounded, masked in text), its saved state (snapshot,
restore, ``--state``) and its control API, over real sockets.

The SDK is the client where it fits; ``urllib.request`` drives the control API and sends
what the SDK would not.
"""

from __future__ import annotations

import collections.abc
import gc
import json
import threading
import time
import urllib.error
import urllib.request
import weakref
from typing import Any, Dict, Iterator, List, Optional, Tuple

import pytest

import cohesity_sdk.helios as h
from cohesity_sdk.helios.testing import FakeHelios, FakeRequest

# -- helpers ---------------------------------------------------------------------------


@pytest.fixture
def api(fake: FakeHelios) -> Iterator[h.UserApi]:
    with h.ApiClient(fake.configuration(retries=0)) as client:
        yield h.UserApi(client)


def send(fake: FakeHelios, method: str, path: str, body: Any = None, *,
         raw_body: Optional[bytes] = None, headers: Optional[Dict[str, str]] = None,
         key: bool = True) -> Tuple[int, Any]:
    """One request to ``fake.url + path``; its status and JSON answer (None if empty)."""
    sent = {"apiKey": fake.api_key} if key else {}
    sent.update(headers or {})
    data = raw_body if raw_body is not None else (
        None if body is None else json.dumps(body).encode())
    request = urllib.request.Request(fake.url + path, data=data, method=method,
                                     headers=sent)
    try:
        with urllib.request.urlopen(request, timeout=10) as answer:
            payload = answer.read()
            return answer.status, json.loads(payload) if payload else None
    except urllib.error.HTTPError as error:
        payload = error.read()
        return error.code, json.loads(payload) if payload else None


def names(api: h.UserApi, **kwargs: Any) -> List[str]:
    return [u.username or "" for u in api.get_users(**kwargs).users or []]


def local(name: str, password: str = "pw") -> h.CreateUserParameters:
    return h.CreateUserParameters(username=name, domain="LOCAL", roles=["COHESITY_VIEWER"],
                                  local_user_params=h.LocalUserParams(password=password))


# -- the bounded request log -----------------------------------------------------------


def test_the_log_keeps_the_last_max_requests() -> None:
    with FakeHelios(max_requests=3) as fake, h.ApiClient(fake.configuration()) as client:
        api = h.UserApi(client)
        api.create_users([local("bob")])
        for username in ("admin", "bob", "carol", "dave"):
            api.get_users(usernames=[username])
        assert fake.requests.max_requests == 3
        assert len(fake.requests) == 3
        assert [r.query["usernames"] for r in fake.requests] == [["bob"], ["carol"], ["dave"]]
        assert [r.status for r in fake.requests] == [200, 200, 200]  # answered in place


def test_unlimited_and_empty_logs() -> None:
    with FakeHelios(max_requests=None) as fake, h.ApiClient(fake.configuration()) as client:
        for _ in range(5):
            h.UserApi(client).get_users()
        assert fake.requests.max_requests is None and len(fake.requests) == 5
    with FakeHelios(max_requests=0) as fake, h.ApiClient(fake.configuration()) as client:
        assert names(h.UserApi(client)) == ["admin"]  # served, not logged
        assert fake.requests == []
    assert FakeHelios().requests.max_requests == 1000


@pytest.mark.parametrize("bad", [-1, 1.5, "10", True])
def test_a_bad_max_requests_is_refused(bad: Any) -> None:
    with pytest.raises(ValueError, match="max_requests"):
        FakeHelios(max_requests=bad)


def test_requests_past_the_bound_are_let_go() -> None:
    big = json.dumps({"blob": "x" * 4_000_000}).encode()
    with FakeHelios(max_requests=1) as fake:
        assert send(fake, "POST", "/nothing", raw_body=big)[0] == 404
        first = weakref.ref(fake.requests[0])
        assert fake.requests[0].body == big and len(fake.requests[0].json["blob"]) == 4_000_000
        assert send(fake, "POST", "/nothing", raw_body=big)[0] == 404
        gc.collect()
        assert first() is None  # the first body is no longer held
        assert len(fake.requests) == 1


def test_requests_is_a_live_read_only_view_with_clear(fake: FakeHelios,
                                                      api: h.UserApi) -> None:
    log = fake.requests
    assert isinstance(log, collections.abc.Sequence) and log == [] and not log
    api.get_users()
    api.create_users([local("bob")])
    api.get_groups()
    assert len(log) == 3 and log is fake.requests  # the same view, now showing three
    assert [r.operation_id for r in log] == ["get_users", "create_users", "get_groups"]
    assert log[-1].operation_id == "get_groups" and log[0].operation_id == "get_users"
    assert isinstance(log[1:], list) and [r.operation_id for r in log[1:]] == [
        "create_users", "get_groups"]
    assert log == list(log) and log == tuple(log) and log != list(log)[:2]
    assert list(reversed(log)) == list(log)[::-1]
    assert log.index(log[1]) == 1 and log[1] in log
    assert repr(log) == repr(list(log))
    with pytest.raises(IndexError):
        log[3]
    with pytest.raises(TypeError):
        log[0] = log[1]  # type: ignore[index]
    assert not hasattr(log, "append")
    log.clear()
    assert fake.requests == [] and len(log) == 0
    api.get_users()
    assert [r.operation_id for r in fake.requests] == ["get_users"]


def test_a_request_in_flight_during_clear_is_not_filed_back(fake: FakeHelios,
                                                            api: h.UserApi) -> None:
    fake.delay_next("get_users", 0.3)
    caller = threading.Thread(target=api.get_users)
    caller.start()
    deadline = time.monotonic() + 5
    while not fake.requests and time.monotonic() < deadline:
        time.sleep(0.01)
    fake.requests.clear()
    api.get_groups()
    caller.join()
    assert [(r.operation_id, r.status) for r in fake.requests] == [("get_groups", 200)]


# -- masking in the text forms ---------------------------------------------------------


SECRETS = ["pw-create-1", "pw-new-2", "otp-5", "pkey-6",
           "key-7", "secret-8", "secret-key-9", "s3-secret-10", "session-11", "deep-12",
           "header-key-13", "header-session-14", "bearer-15", "query-token-16"]


def test_str_and_repr_mask_every_secret_and_the_json_stays_raw(fake: FakeHelios,
                                                                api: h.UserApi) -> None:
    (bob,) = api.create_users([local("bob", password="pw-create-1")]).users or []
    assert bob.sid
    api.update_user(bob.sid, h.UpdateUserParameters(
        description="new description",
        local_user_params=h.LocalUserUpdateParams(password="pw-new-2",
                                                  current_password="pw-create-1")))
    api.create_session(h.CreateUserSessionRequestParams(
        username="bob", password="pw-new-2", otp_code="otp-5",
        otp_type="totp", private_key="pkey-6"))
    send(fake, "POST", "/elsewhere?accessToken=query-token-16&page=2", {
        "apiKey": "key-7", "secret": "secret-8", "secret-key": "secret-key-9",
        "s3SecretKey": "s3-secret-10", "SessionId": "session-11",
        "nested": [{"deeper": {"PASSWORD": "deep-12"}, "kept": "visible"}],
        "password": None,
    }, key=False, headers={"APIKEY": "header-key-13", "session-id": "header-session-14",
                           "Authorization": "Bearer bearer-15"})
    create, update, login, other = fake.requests
    for request in (create, update, login, other):
        for text in (str(request), repr(request)):
            assert "***" in text
            for secret in SECRETS:
                assert secret not in text, (secret, text)
    assert str(create) == repr(create)
    assert "'username': 'bob'" in repr(create) and "new description" in repr(update)
    assert "'kept': 'visible'" in repr(other) and "'password': None" in repr(other)
    assert "'page': ['2']" in repr(other)

    # What tests assert on stays as it was sent.
    assert create.json[0]["localUserParams"] == {"password": "pw-create-1"}
    assert update.json["localUserParams"] == {"password": "pw-new-2",
                                              "currentPassword": "pw-create-1"}
    assert (login.json["password"], login.json["otpCode"], login.json["privateKey"]) == (
        "pw-new-2", "otp-5", "pkey-6")
    assert login.status == 201
    assert other.json["nested"][0]["deeper"]["PASSWORD"] == "deep-12"
    assert b"s3-secret-10" in other.body and json.loads(other.body) == other.json
    assert other.query["accessToken"] == ["query-token-16"]
    headers = {k.lower(): v for k, v in other.headers.items()}
    assert headers["authorization"] == "Bearer bearer-15"  # only the text forms hide it
    assert headers["apikey"] == "***" and headers["session-id"] == "***"  # as ever


def test_repr_cuts_long_bodies_and_never_shows_a_body_that_is_not_json(
    fake: FakeHelios
) -> None:
    items = [{"username": f"user{i}", "domain": "LOCAL",
              "localUserParams": {"password": f"secret{i}"}} for i in range(20_000)]
    send(fake, "POST", "/bulk", items)
    long = fake.requests[-1]
    assert long.status == 404 and len(long.json) == 20_000
    text = repr(long)
    assert len(text) < 1500
    assert f"...<{len(long.body)} bytes>" in text and "'username': 'user0'" in text
    assert "secret0" not in text

    send(fake, "POST", "/users/sessions", raw_body=b'{"password": "hunter2"')  # cut short
    broken = fake.requests[-1]
    assert broken.status == 400 and broken.json is None
    assert broken.body == b'{"password": "hunter2"'
    assert "hunter2" not in repr(broken) and "<22 bytes, not JSON>" in repr(broken)

    send(fake, "POST", "/users", [{"username": "x" * 1_000_000, "domain": "LOCAL"}])
    assert len(repr(fake.requests[-1])) < 1500


def test_fake_request_to_json_masks_like_str(fake: FakeHelios, api: h.UserApi) -> None:
    api.create_users([local("bob", password="pw-create-1")])
    entry = fake.requests[-1].to_json()
    assert json.loads(json.dumps(entry)) == entry
    assert entry == {
        "method": "POST", "path": "/v2/users", "query": {},
        "headers": {**fake.requests[-1].headers},
        "json": [{"domain": "LOCAL", "roles": ["COHESITY_VIEWER"], "username": "bob",
                  "localUserParams": {"password": "***"}}],
        "operationId": "create_users", "status": 201,
    }
    assert entry["headers"]["apiKey"] == "***"
    assert isinstance(fake.requests[-1], FakeRequest)
