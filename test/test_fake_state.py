"""FakeHelios's request log (bounded, masked in text), its saved state (snapshot,
restore, ``--state``) and its control API, over real sockets.

The SDK is the client where it fits; ``urllib.request`` drives the control API and sends
what the SDK would not.
"""

from __future__ import annotations

import collections.abc
import gc
import http.client
import json
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
import weakref
from pathlib import Path
from typing import Any, Dict, Iterator, List, Optional, Tuple
from urllib.parse import urlsplit

import pytest
from conftest import start_served_fake, stop_served_fake

import cohesity_sdk.helios as h
from cohesity_sdk.helios.testing import FakeHelios, FakeRequest
from cohesity_sdk.helios.testing.control import control_allowed

ROOT = Path(__file__).resolve().parent.parent

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
    assert "hunter2" not in repr(broken) and "body=<22 bytes, not shown>" in repr(broken)

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
        "bodySize": len(fake.requests[-1].body), "truncated": False,
    }
    assert entry["headers"]["apiKey"] == "***"
    assert isinstance(fake.requests[-1], FakeRequest)


# -- saved state -------------------------------------------------------------------------


def as_key(secret: str) -> Dict[str, str]:
    return {"in": "header", "key": "apiKey", "value": secret}


def populate(fake: FakeHelios, api: h.UserApi) -> Dict[str, str]:
    """Users, groups, keys, a session, sources and a tenant entry on two clusters; the
    secrets the API handed out."""
    fake.add_role("AUDITOR", ["PRINCIPAL_VIEW"])
    bob, amy, dora = api.create_users([
        local("bob", password="bob-pw"), local("amy"),
        h.CreateUserParameters(username="dora", domain="corp.example", roles=["AUDITOR"]),
    ]).users or []
    assert bob.sid and amy.sid and dora.sid
    send(fake, "POST", "/users", [{"username": "tina", "domain": "LOCAL", "tenantId": "acme/",
                                   "localUserParams": {"password": "tina-pw"}}])
    api.update_user(bob.sid, h.UpdateUserParameters(locked=False, description="bob's"))
    api.create_group([h.CreateGroupParams(
        name="ops", domain="LOCAL", roles=["COHESITY_VIEWER"],
        local_group_params=h.LocalGroupParams(user_sids=[bob.sid, amy.sid]))])
    key = api.create_user_api_key(bob.sid, h.CreateOrUpdateAPIKeyRequest(name="ci"))
    api.update_principal_sources(bob.sid, h.AssignedSources(source_ids=[1, 2], view_ids=[3]))
    session = api.create_session(h.CreateUserSessionRequestParams(username="bob",
                                                                  password="bob-pw"))
    s3 = api.regenerate_s3_key(amy.sid)
    api.create_users([local("seven")], access_cluster_id=7)
    fake.add_tenant_access("initech/", ["COHESITY_ADMIN"], [99])
    assert key.api_key and session.session_id and s3.secret_key
    return {"key": key.api_key, "session": session.session_id, "s3": s3.secret_key}


def test_a_snapshot_is_plain_json_with_every_secret(fake: FakeHelios, api: h.UserApi) -> None:
    handed_out = populate(fake, api)
    snapshot = fake.snapshot()
    text = json.dumps(snapshot)
    assert json.loads(text) == snapshot  # no tuples, sets or objects inside
    assert snapshot["version"] == 1 and snapshot["bootstrapKey"] == fake.api_key
    helios, seven = snapshot["clusters"]
    assert helios["clusterId"] is None and seven["clusterId"] == 7
    assert helios["number"] != seven["number"]
    admin, bob, amy, dora, tina = helios["users"]
    assert (bob["username"], bob["password"], bob["description"]) == ("bob", "bob-pw", "bob's")
    assert amy["s3SecretKey"] == handed_out["s3"]
    assert "password" not in dora and dora["domain"] == "corp.example"
    assert tina["tenantId"] == "acme/"
    assert [g["memberSids"] for g in helios["groups"]] == [[bob["sid"], amy["sid"]]]
    assert [(k["name"], k["userSid"]) for k in helios["apiKeys"]] == [
        ("bootstrap", admin["sid"]), ("ci", bob["sid"])]
    assert [k["secret"] for k in helios["apiKeys"]] == [fake.api_key, handed_out["key"]]
    assert helios["sessions"] == {handed_out["session"]: bob["sid"]}
    assert helios["sources"] == {bob["sid"]: {"sourceIds": [1, 2], "viewIds": [3]}}
    assert helios["nextRid"] == 1006  # admin 1000, four users 1001-1004, the group 1005
    assert [t["tenantId"] for t in snapshot["tenantAccess"]] == ["acme/", "globex/",
                                                                 "initech/"]


def test_snapshots_round_trip_and_share_nothing_with_the_state(fake: FakeHelios,
                                                              api: h.UserApi) -> None:
    populate(fake, api)
    snapshot = fake.snapshot()
    fake.restore(snapshot)
    assert fake.snapshot() == snapshot
    fake.restore(json.loads(json.dumps(snapshot)))
    assert fake.snapshot() == snapshot
    snapshot["clusters"][0]["users"][1]["username"] = "changed"
    snapshot["tenantAccess"][0]["roles"].append("changed")
    assert names(api) == ["admin", "bob", "amy", "dora"]
    again = fake.snapshot()
    fake.restore(again)
    again["clusters"][0]["users"].clear()
    assert names(api) == ["admin", "bob", "amy", "dora"]
    assert "changed" not in json.dumps(fake.snapshot())


def test_restore_brings_back_users_groups_keys_and_sessions(fake: FakeHelios,
                                                            api: h.UserApi) -> None:
    handed_out = populate(fake, api)
    snapshot = fake.snapshot()
    (bob,) = api.get_users(usernames=["bob"]).users or []
    assert bob.sid
    api.delete_user(bob.sid)  # takes bob's key, session, membership and sources
    api.delete_groups(h.DeleteGroupsRequest(sids=[g.sid or "" for g in
                                                  api.get_groups().groups or []]))
    api.create_users([local("zed")])
    fake.add_tenant_access("later/", ["R"], [1])
    with pytest.raises(h.UnauthorizedException):
        api.get_users(_request_auth=as_key(handed_out["key"]))

    fake.restore(snapshot)
    assert names(api, include_tenants=True) == ["admin", "bob", "amy", "dora", "tina"]
    assert names(api, access_cluster_id=7) == ["admin", "seven"]
    (ops,) = api.get_groups().groups or []
    assert ops.name == "ops" and ops.local_group_params
    assert len(ops.local_group_params.user_sids or []) == 2
    # The key made before the snapshot authenticates again, as bob.
    as_bob = as_key(handed_out["key"])
    assert names(api, _request_auth=as_bob) == ["admin", "bob", "amy", "dora"]
    made = api.create_user_api_key(bob.sid, h.CreateOrUpdateAPIKeyRequest(name="by bob"),
                                   _request_auth=as_bob)
    assert made.created_by_user_sid == bob.sid
    status, users = send(fake, "GET", "/users", key=False,
                         headers={"session-id": handed_out["session"]})
    assert status == 200 and "bob" in [u["username"] for u in users["users"]]
    assert api.get_principal_sources(bob.sid).source_ids == [1, 2]
    assert api.get_user_by_sid(bob.sid).other_groups == ["ops"]
    assert [t.tenant_id for t in api.get_tenant_access(include_inactive=True)
            .tenant_accesses or []] == ["acme/", "globex/", "initech/"]
    # New SIDs carry on after the restored ones: none is handed out twice.
    restored = {u["sid"] for u in snapshot["clusters"][0]["users"]}
    (new,) = api.create_users([local("new")]).users or []
    assert new.sid not in restored
    assert new.sid == bob.sid.rsplit("-", 1)[0] + "-1006"


def test_fake_helios_can_start_from_a_snapshot_and_reset_goes_back_to_it(
    fake: FakeHelios, api: h.UserApi
) -> None:
    handed_out = populate(fake, api)
    snapshot = fake.snapshot()
    with FakeHelios(state=snapshot) as seeded, \
            h.ApiClient(seeded.configuration()) as client:
        assert seeded.api_key != fake.api_key
        other = h.UserApi(client)
        # The bootstrap key of the snapshot's fake is this fake's own key now.
        assert names(other) == ["admin", "bob", "amy", "dora"]
        with pytest.raises(h.UnauthorizedException):
            other.get_users(_request_auth=as_key(fake.api_key))
        assert "bob" in names(other, _request_auth=as_key(handed_out["key"]))
        assert names(other, access_cluster_id=12) == ["admin"]  # a new cluster, as ever
        other.create_users([local("extra")])
        fake_snapshot = seeded.snapshot()
        assert [u["sid"] for u in fake_snapshot["clusters"][0]["users"]][:5] == [
            u["sid"] for u in snapshot["clusters"][0]["users"]]
        seeded.reset()
        assert seeded.requests == []
        assert names(other) == ["admin", "bob", "amy", "dora"]
        assert [c["clusterId"] for c in seeded.snapshot()["clusters"]] == [None, 7]


def test_a_hand_written_snapshot(tmp_path: Any) -> None:
    snapshot = {"version": 1, "clusters": [{
        "clusterId": None, "number": 42,
        "users": [{"sid": "S-1-100-21-42-1000", "username": "admin", "domain": "local",
                   "roles": ["COHESITY_ADMIN"], "password": "pw"},
                  {"sid": "S-1-100-21-42-1007", "username": "ann", "domain": "LOCAL"}],
        "apiKeys": [{"id": "k1", "name": "ci", "userSid": "S-1-100-21-42-1000",
                     "secret": "ci-key"}],
    }]}
    with FakeHelios(state=snapshot) as fake, h.ApiClient(fake.configuration()) as client:
        api = h.UserApi(client)
        ci = as_key("ci-key")
        assert names(api, _request_auth=ci) == ["admin", "ann"]
        (admin,) = api.get_users(usernames=["admin"], _request_auth=ci).users or []
        assert admin.domain == "LOCAL" and admin.created_time_msecs
        (key,) = api.get_user_api_keys(admin.sid or "", _request_auth=ci).api_keys or []
        assert (key.created_by_user_sid, key.is_active) == (admin.sid, True)
        assert api.create_session(h.CreateUserSessionRequestParams(username="admin",
                                                                   password="pw")).session_id
        (new,) = api.create_users([local("new")], _request_auth=ci).users or []
        assert new.sid == "S-1-100-21-42-1008"
        # The snapshot lists no key of this fake's on the cluster: its key is not there.
        with pytest.raises(h.UnauthorizedException):
            api.get_users()
        assert names(api, access_cluster_id=3) == ["admin"]
        assert len(api.get_tenant_access(include_inactive=True, _request_auth=ci)
                   .tenant_accesses or []) == 2
    fresh = FakeHelios(state={"version": 1})
    assert fresh.snapshot()["clusters"] == []


AUDITOR = {"name": "AUDITOR", "privileges": ["PRINCIPAL_VIEW"]}


def auditor(name: str) -> h.CreateUserParameters:
    return h.CreateUserParameters(username=name, domain="corp.example", roles=["AUDITOR"])


def test_added_roles_are_part_of_the_state(fake: FakeHelios, api: h.UserApi) -> None:
    fake.add_role("AUDITOR", ["PRINCIPAL_VIEW"])
    api.create_users([auditor("dora")])
    snapshot = fake.snapshot()
    assert snapshot["roles"] == [AUDITOR]
    # reset() forgets them, as it forgets added tenant access entries.
    fake.reset()
    assert fake.snapshot()["roles"] == []
    with pytest.raises(h.BadRequestException,
                       match=r"body\[0\]\.roles\[0\]: role AUDITOR does not exist"):
        api.create_users([auditor("erin")])
    # restore() brings them back with the users who hold them.
    fake.restore(json.loads(json.dumps(snapshot)))
    assert names(api) == ["admin", "dora"]
    api.create_users([auditor("erin")])
    assert fake.snapshot()["roles"] == [AUDITOR]
    # A fake started from a snapshot goes back to its roles, and to no other.
    with FakeHelios(state=snapshot) as seeded, \
            h.ApiClient(seeded.configuration(retries=0)) as client:
        seeded.add_role("CLERK", [])
        seeded_api = h.UserApi(client)
        seeded_api.create_users([h.CreateUserParameters(username="cleo", domain="corp",
                                                        roles=["CLERK"])])
        seeded.reset()
        assert seeded.snapshot()["roles"] == [AUDITOR]
        assert names(seeded_api) == ["admin", "dora"]
        seeded_api.create_users([auditor("fay")])
        with pytest.raises(h.BadRequestException, match="role CLERK does not exist"):
            seeded_api.create_users([h.CreateUserParameters(username="cleo", domain="corp",
                                                            roles=["CLERK"])])


def good_snapshot() -> Dict[str, Any]:
    with FakeHelios() as fake, h.ApiClient(fake.configuration()) as client:
        populate(fake, h.UserApi(client))
        return fake.snapshot()


def users_of(snapshot: Dict[str, Any]) -> List[Dict[str, Any]]:
    users: List[Dict[str, Any]] = snapshot["clusters"][0]["users"]
    return users


BAD_SNAPSHOTS = [
    (lambda s: ["not", "an", "object"], "snapshot: must be a JSON object"),
    (lambda s: {k: v for k, v in s.items() if k != "version"}, "snapshot.version: is required"),
    (lambda s: {**s, "version": 2}, "version: 2 is not supported"),
    (lambda s: {**s, "version": "1"}, "version: '1' is not supported"),
    (lambda s: {**s, "extra": 1}, "unknown field 'extra'"),
    (lambda s: {**s, "clusters": {}}, "snapshot.clusters: must be a list"),
    (lambda s: users_of(s)[1].pop("username") and s,
     r"snapshot.clusters\[0\].users\[1\].username: is required"),
    (lambda s: users_of(s)[1].update(locked="yes") or s, r"users\[1\].locked: must be true"),
    (lambda s: users_of(s)[1].update(pasword="x") or s, r"users\[1\]: unknown field 'pasword'"),
    (lambda s: users_of(s).append(dict(users_of(s)[1])) or s, "is taken"),
    (lambda s: users_of(s).append({**users_of(s)[1], "sid": "S-9", "username": "BOB"}) or s,
     r"user LOCAL\\BOB is there twice"),
    (lambda s: users_of(s)[3].update(password="x") or s, "only LOCAL users have a password"),
    (lambda s: s["clusters"][0]["groups"][0]["memberSids"].append("S-nobody") or s,
     "user S-nobody is not in the cluster"),
    (lambda s: s["clusters"][0]["apiKeys"][1].update(userSid="S-nobody") or s,
     r"apiKeys\[1\].userSid: user S-nobody is not in the cluster"),
    (lambda s: s["clusters"][0]["apiKeys"][1].pop("secret") and s, r"secret: is required"),
    (lambda s: s["clusters"][0]["sessions"].update(x="S-nobody") or s, "session 'x'"),
    (lambda s: s["clusters"][0]["sources"].update({"S-nobody": {}}) or s,
     "no user or group has this SID"),
    (lambda s: s["clusters"][0].update(nextRid=1001) or s, "nextRid: must be at least 1006"),
    (lambda s: s["clusters"][0].pop("number") and s, r"clusters\[0\].number: is required"),
    (lambda s: s["clusters"][1].update(clusterId=None) or s, "cluster None is there twice"),
    (lambda s: s["clusters"][1].update(number=s["clusters"][0]["number"]) or s,
     "is another cluster's"),
    (lambda s: s["tenantAccess"][0].pop("roles") and s,
     r"tenantAccess\[0\].roles: is required"),
    (lambda s: s["tenantAccess"][0].update(tenantType="Other") or s,
     "tenantType: must be one of Dmaas, Mcm"),
    # Roles: users and groups hold roles that are built in or in snapshot.roles.
    (lambda s: users_of(s)[1].update(roles=["COHESITY_GOD"]) or s,
     r"users\[1\].roles\[0\]: role COHESITY_GOD does not exist; add it to snapshot.roles"),
    (lambda s: s["clusters"][0]["groups"][0].update(roles=["COHESITY_VIEWER", "GOD"]) or s,
     r"groups\[0\].roles\[1\]: role GOD does not exist"),
    (lambda s: s.pop("roles") and s, r"users\[3\].roles\[0\]: role AUDITOR does not exist"),
    (lambda s: {**s, "roles": {"AUDITOR": []}}, "snapshot.roles: must be a list"),
    (lambda s: s["roles"][0]["privileges"].append("EVERYTHING") or s,
     r"snapshot.roles\[0\].privileges\[1\]: 'EVERYTHING' is not a privilege"),
    (lambda s: s["roles"][0].update(privileges="PRINCIPAL_VIEW") or s,
     r"snapshot.roles\[0\].privileges: must be a list of strings"),
    (lambda s: s["roles"].append({"name": "COHESITY_ADMIN", "privileges": []}) or s,
     r"snapshot.roles\[1\].name: COHESITY_ADMIN is a built-in role"),
    (lambda s: s["roles"].append(dict(s["roles"][0])) or s,
     r"snapshot.roles\[1\].name: role AUDITOR is there twice"),
    (lambda s: s["roles"][0].pop("privileges") and s,
     r"snapshot.roles\[0\].privileges: is required"),
    (lambda s: s["roles"][0].update(color="red") or s,
     r"snapshot.roles\[0\]: unknown field 'color'"),
]


@pytest.mark.parametrize("spoil, message", BAD_SNAPSHOTS,
                         ids=[m for _, m in BAD_SNAPSHOTS])
def test_a_bad_snapshot_is_refused_and_changes_nothing(
    fake: FakeHelios, api: h.UserApi, spoil: Any, message: str
) -> None:
    api.create_users([local("keep")])
    before = fake.snapshot()
    bad = spoil(good_snapshot())
    with pytest.raises(ValueError, match=message):
        fake.restore(bad)
    assert fake.snapshot() == before
    assert names(api) == ["admin", "keep"]
    with pytest.raises(ValueError, match=message):
        FakeHelios(state=bad)


def cli_api(url: str, key: str) -> h.ApiClient:
    config = h.Configuration(host=url, retries=0)
    config.api_key["APIKeyHeader"] = key
    return h.ApiClient(config)


def test_cli_starts_from_a_state_file_and_saves_one_on_exit(tmp_path: Path) -> None:
    seed = good_snapshot()
    state, saved = tmp_path / "state.json", tmp_path / "saved.json"
    state.write_text(json.dumps(seed), encoding="utf-8")
    proc, url, key = start_served_fake("--state", str(state), "--save-state", str(saved))
    try:
        assert key != seed["bootstrapKey"]
        with cli_api(url, key) as client:
            api = h.UserApi(client)
            assert names(api) == ["admin", "bob", "amy", "dora"]
            assert names(api, access_cluster_id=7) == ["admin", "seven"]
            api.create_users([local("added")])
    finally:
        status, errors = stop_served_fake(proc)
    assert (status, errors) == (0, "")
    written = json.loads(saved.read_text(encoding="utf-8"))
    assert written["version"] == 1 and written["bootstrapKey"] == key
    assert [u["username"] for u in users_of(written)] == [
        "admin", "bob", "amy", "dora", "tina", "added"]
    # Started again from what it saved, with the same key given, it goes on from there.
    key_file = tmp_path / "key"
    key_file.write_text("fixed-key\n", encoding="utf-8")
    proc, url, key = start_served_fake("--state", str(saved), "--api-key-file", str(key_file))
    try:
        assert key == "fixed-key"
        with cli_api(url, key) as client:
            assert names(h.UserApi(client))[-1] == "added"
    finally:
        assert stop_served_fake(proc) == (0, "")


def test_cli_state_file_brings_its_roles_and_the_control_reset_goes_back_to_them(
        tmp_path: Path) -> None:
    state, saved = tmp_path / "state.json", tmp_path / "saved.json"
    state.write_text(json.dumps({"version": 1, "roles": [AUDITOR]}), encoding="utf-8")
    proc, url, key = start_served_fake("--state", str(state), "--save-state", str(saved))
    try:
        assert proc.stdout is not None
        control_url = proc.stdout.readline().rstrip("\n").split("Control API: ", 1)[1]
        with cli_api(url, key) as client:
            api = h.UserApi(client)
            api.create_users([auditor("dora")])
            with pytest.raises(h.BadRequestException, match="role CLERK does not exist"):
                api.create_users([h.CreateUserParameters(username="cleo", domain="corp",
                                                         roles=["CLERK"])])
            saved_now = expect(control(control_url, "GET", "/snapshot"), 200)
            assert saved_now["roles"] == [AUDITOR]
            # A snapshot put through the control API brings its roles, and only those.
            clerk = {"name": "CLERK", "privileges": []}
            expect(control(control_url, "PUT", "/snapshot", {"version": 1, "roles": [clerk]}),
                   204)
            api.create_users([h.CreateUserParameters(username="cleo", domain="corp",
                                                     roles=["CLERK"])])
            with pytest.raises(h.BadRequestException, match="role AUDITOR does not exist"):
                api.create_users([auditor("erin")])
            expect(control(control_url, "PUT", "/snapshot", {
                "version": 1, "roles": [{"name": "CLERK", "privileges": ["ALL"]}]}), 400,
                "snapshot.roles[0].privileges[0]: 'ALL' is not a privilege of the fake")
            # The control API's reset goes back to the state file, its roles with it.
            expect(control(control_url, "POST", "/reset"), 204)
            assert names(api) == ["admin"]
            api.create_users([auditor("erin")])
            with pytest.raises(h.BadRequestException, match="role CLERK does not exist"):
                api.create_users([h.CreateUserParameters(username="cleo", domain="corp",
                                                         roles=["CLERK"])])
    finally:
        status, errors = stop_served_fake(proc)
    assert (status, errors) == (0, "")
    written = json.loads(saved.read_text(encoding="utf-8"))
    assert written["roles"] == [AUDITOR]
    assert [u["username"] for u in users_of(written)] == ["admin", "erin"]


def test_control_reset_forgets_added_roles(fake: FakeHelios, api: h.UserApi) -> None:
    fake.add_role("AUDITOR", ["PRINCIPAL_VIEW"])
    assert send(fake, "POST", "/users", [{"username": "dora", "domain": "corp",
                                          "roles": ["AUDITOR"]}])[0] == 201
    expect(control(fake.control_url, "POST", "/reset"), 204)
    status, body = send(fake, "POST", "/users", [{"username": "dora", "domain": "corp",
                                                  "roles": ["AUDITOR"]}])
    assert (status, body) == (400, {"errorCode": "KInvalidRequest",
                                    "message": "body[0].roles[0]: role AUDITOR does not exist"})
    assert names(api) == ["admin"]


@pytest.mark.parametrize("content, message", [
    (None, "No such file"),
    ("{not json", "not JSON"),
    (json.dumps({"version": 9}), "snapshot.version: 9 is not supported"),
])
def test_cli_refuses_a_bad_state_file(tmp_path: Path, content: Optional[str],
                                      message: str) -> None:
    state = tmp_path / "state.json"
    if content is not None:
        state.write_text(content, encoding="utf-8")
    done = subprocess.run(
        [sys.executable, "-m", "cohesity_sdk.helios.testing", "--state", str(state)],
        cwd=ROOT, capture_output=True, text=True, timeout=30,
    )
    assert done.returncode == 1 and done.stdout == ""
    assert done.stderr.startswith("cannot start FakeHelios: ") and message in done.stderr


# -- the control API ---------------------------------------------------------------------


def control(url: str, method: str, path: str, body: Any = None, *,
            raw_body: Optional[bytes] = None) -> Tuple[int, Dict[str, str], Any]:
    """One control request, without a key; its status, headers and JSON answer."""
    data = raw_body if raw_body is not None else (
        None if body is None else json.dumps(body).encode())
    request = urllib.request.Request(url + path, data=data, method=method)
    try:
        with urllib.request.urlopen(request, timeout=10) as answer:
            payload = answer.read()
            return answer.status, dict(answer.headers), json.loads(payload) if payload else None
    except urllib.error.HTTPError as error:
        payload = error.read()
        return error.code, dict(error.headers), json.loads(payload) if payload else None


def expect(result: Tuple[int, Dict[str, str], Any], status: int, *mentions: str) -> Any:
    actual, headers, body = result
    assert actual == status, body
    if status == 204:
        assert body is None
    else:
        assert headers["Content-Type"] == "application/json"
    if status >= 400:
        assert set(body) == {"errorCode", "message"}
        for word in mentions:
            assert word in body["message"], body["message"]
    return body


def test_control_reset(fake: FakeHelios, api: h.UserApi) -> None:
    api.create_users([local("bob")], access_cluster_id=3)
    fake.fail_next("get_users", times=3)
    expect(control(fake.control_url, "POST", "/reset"), 204)
    assert fake.requests == []  # control requests are not logged either
    assert names(api, access_cluster_id=3) == ["admin"]  # and no failure is left
    assert fake.control_url == fake.url[:-len("/v2")] + "/_fake"


def test_control_snapshot_get_and_put(fake: FakeHelios, api: h.UserApi) -> None:
    populate(fake, api)
    saved = expect(control(fake.control_url, "GET", "/snapshot"), 200)
    assert saved == fake.snapshot()
    api.create_users([local("later")])
    expect(control(fake.control_url, "PUT", "/snapshot", saved), 204)
    assert names(api) == ["admin", "bob", "amy", "dora"]
    assert fake.snapshot() == saved

    spoiled = json.loads(json.dumps(saved))
    users_of(spoiled)[1]["roles"] = "admin"
    expect(control(fake.control_url, "PUT", "/snapshot", spoiled), 400,
           "snapshot.clusters[0].users[1].roles: must be a list of strings")
    expect(control(fake.control_url, "PUT", "/snapshot", raw_body=b"{"), 400, "not valid JSON")
    expect(control(fake.control_url, "PUT", "/snapshot", raw_body=b""), 400, "is required")
    expect(control(fake.control_url, "PUT", "/snapshot", {"version": 2}), 400,
           "version: 2 is not supported")
    assert fake.snapshot() == saved
    assert all(r.path.startswith("/v2/") for r in fake.requests)  # the SDK's calls only


def test_control_faults_fail(fake: FakeHelios, api: h.UserApi) -> None:
    expect(control(fake.control_url, "POST", "/faults", {
        "operation": "create_users", "fail": {"status": 503, "times": 2, "retryAfter": 1}}),
        204)
    for _ in range(2):
        with pytest.raises(h.ServiceException) as caught:
            api.create_users([local("bob")])
        assert caught.value.status == 503 and caught.value.error_code == "KServiceUnavailable"
        assert caught.value.headers and caught.value.headers["Retry-After"] == "1"
    api.create_users([local("bob")])
    expect(control(fake.control_url, "POST", "/faults", {
        "operation": "get_users", "fail": {"status": 429, "body": {"why": "slow down"}}}), 204)
    with pytest.raises(h.ApiException) as throttled:
        api.get_users()
    assert throttled.value.status == 429 and json.loads(throttled.value.body or b"") == {
        "why": "slow down"}
    expect(control(fake.control_url, "POST", "/faults",
                   {"operation": "get_users", "fail": {}}), 204)
    with pytest.raises(h.ServiceException) as default:
        api.get_users()
    assert default.value.status == 503
    assert names(api) == ["admin", "bob"]


def test_control_faults_delay_and_drop(fake: FakeHelios, api: h.UserApi) -> None:
    expect(control(fake.control_url, "POST", "/faults",
                   {"operation": "create_users", "delay": 0.5}), 204)
    with pytest.raises(h.ApiTimeoutError):
        api.create_users([local("slow")], _request_timeout=0.1)
    expect(control(fake.control_url, "POST", "/faults",
                   {"operation": "create_users", "drop": {}}), 204)
    with pytest.raises(h.ApiConnectionError):
        api.create_users([local("dropped")])
    expect(control(fake.control_url, "POST", "/faults",
                   {"operation": "create_users", "drop": {"afterAction": True}}), 204)
    with pytest.raises(h.ApiConnectionError):
        api.create_users([local("acted")])
    time.sleep(0.5)  # the delayed call is carried out once its wait is over
    assert sorted(names(api)) == ["acted", "admin", "slow"]  # not "dropped"
    # A delay after the action: carried out at once, answered late.
    expect(control(fake.control_url, "POST", "/faults", {
        "operation": "create_users", "delay": {"seconds": 0.6, "afterAction": True}}), 204)
    with pytest.raises(h.ApiTimeoutError):
        api.create_users([local("late")], _request_timeout=0.2)
    assert "late" in names(api)
    # Kinds combine as the Python calls do: delayed, then failed.
    expect(control(fake.control_url, "POST", "/faults", {
        "operation": "get_groups", "delay": 0.2, "fail": {"status": 500}}), 204)
    started = time.monotonic()
    with pytest.raises(h.ServiceException):
        api.get_groups()
    assert time.monotonic() - started >= 0.2


@pytest.mark.parametrize("body, message", [
    ({"operation": "no_such_op", "fail": {}}, "operation: must be an operation id"),
    ({"fail": {}}, "operation: must be an operation id"),
    ({"operation": "get_users"}, "at least one of fail, delay and drop"),
    ({"operation": "get_users", "fial": {}}, "unknown field 'fial'"),
    (["get_users"], "body: must be an object"),
    ({"operation": "get_users", "fail": 503}, "fail: must be an object"),
    ({"operation": "get_users", "fail": {"status": 100}}, "fail.status"),
    ({"operation": "get_users", "fail": {"status": "503"}}, "fail.status"),
    ({"operation": "get_users", "fail": {"times": 0}}, "fail.times"),
    ({"operation": "get_users", "fail": {"retryAfter": -1}}, "fail.retryAfter"),
    ({"operation": "get_users", "fail": {"retryAfter": "1\r\nX-Evil: 1"}}, "fail.retryAfter"),
    ({"operation": "get_users", "fail": {"retry_after": 1}}, "unknown field 'retry_after'"),
    ({"operation": "get_users", "delay": -1}, "delay: must be a non-negative number"),
    ({"operation": "get_users", "delay": "2"}, "delay: must be a non-negative number"),
    ({"operation": "get_users", "delay": {"seconds": -1}}, "delay: must be a non-negative"),
    ({"operation": "get_users", "delay": {"afterAction": True}}, "delay: must be a non-neg"),
    ({"operation": "get_users", "delay": {"seconds": 1, "afterAction": 1}},
     "delay.afterAction"),
    ({"operation": "get_users", "delay": {"seconds": 1, "after": True}},
     "delay: unknown field 'after'"),
    ({"operation": "get_users", "drop": True}, "drop: must be an object"),
    ({"operation": "get_users", "drop": {"afterAction": "yes"}}, "drop.afterAction"),
    ({"operation": "get_users", "fail": {}, "delay": -1}, "delay"),  # nothing queued
    ({"operation": "get_users", "delay": 1, "drop": {"after": True}}, "unknown field 'after'"),
])
def test_control_refuses_a_bad_fault_and_queues_nothing(
    fake: FakeHelios, api: h.UserApi, body: Any, message: str
) -> None:
    expect(control(fake.control_url, "POST", "/faults", body), 400, message)
    started = time.monotonic()
    assert names(api) == ["admin"]
    assert time.monotonic() - started < 0.5 and fake.requests[-1].status == 200


def test_control_lists_and_clears_the_request_log(fake: FakeHelios, api: h.UserApi) -> None:
    api.create_users([local("bob", password="pw-control-1")], access_cluster_id=5)
    send(fake, "POST", "/users/sessions?page=1", {"username": "bob", "password": "pw-2",
                                                  "otpCode": "otp-3"},
         headers={"accessClusterId": "5", "Authorization": "Bearer tok-4"})
    listed = expect(control(fake.control_url, "GET", "/requests"), 200)
    assert listed == [r.to_json() for r in fake.requests]
    create, login = listed
    assert create["method"] == "POST" and create["path"] == "/v2/users"
    assert create["operationId"] == "create_users" and create["status"] == 201
    assert create["json"][0]["localUserParams"] == {"password": "***"}
    assert create["json"][0]["username"] == "bob"
    assert create["headers"]["apiKey"] == "***" and create["headers"]["accessClusterId"] == "5"
    assert login["query"] == {"page": ["1"]} and login["status"] == 401
    assert login["json"] == {"username": "bob", "password": "***", "otpCode": "***"}
    assert login["headers"]["Authorization"] == "***"
    text = json.dumps(listed)
    for secret in ("pw-control-1", "pw-2", "otp-3", "tok-4", fake.api_key):
        assert secret not in text
    expect(control(fake.control_url, "DELETE", "/requests"), 204)
    assert fake.requests == []
    assert expect(control(fake.control_url, "GET", "/requests"), 200) == []


@pytest.mark.parametrize("method, path, status, allow", [
    ("GET", "/nothing", 404, None),
    ("GET", "", 404, None),
    ("GET", "/", 404, None),
    ("POST", "/reset/now", 404, None),
    ("GET", "/reset", 405, "POST"),
    ("DELETE", "/snapshot", 405, "GET, PUT"),
    ("PATCH", "/requests", 405, "DELETE, GET"),
    ("PUT", "/faults", 405, "POST"),
])
def test_control_unknown_paths_and_wrong_methods(fake: FakeHelios, method: str, path: str,
                                                status: int, allow: Optional[str]) -> None:
    result = control(fake.control_url, method, path)
    expect(result, status, "control path" if status == 404 else "is not allowed")
    assert result[2]["errorCode"] == ("KNotFound" if status == 404 else "KMethodNotAllowed")
    assert result[1].get("Allow") == allow
    assert fake.requests == []


def test_the_control_api_can_be_turned_off() -> None:
    with FakeHelios(control_api=False) as fake:
        status, _, body = control(fake.control_url, "POST", "/reset")
        assert status == 404 and body["message"] == "no such path: /_fake/reset"
        assert [(r.path, r.status) for r in fake.requests] == [("/_fake/reset", 404)]


@pytest.mark.parametrize("peer, listening_on, allowed", [
    ("127.0.0.1", "127.0.0.1", True),
    ("127.0.0.2", "127.0.0.1", True),
    ("::1", "::1", True),
    ("::ffff:127.0.0.1", "::", True),
    ("192.0.2.7", "127.0.0.1", False),
    ("10.1.2.3", "::1", False),
    ("::ffff:192.0.2.7", "::1", False),
    ("fe80::1%eth0", "127.0.0.1", False),
    (None, "127.0.0.1", False),
    ("192.0.2.7", "0.0.0.0", True),
    ("192.0.2.7", "::", True),
    ("192.0.2.7", "", True),
    ("192.0.2.7", "192.0.2.2", True),
    ("192.0.2.7", "localhost", False),
])
def test_the_loopback_rule(peer: Optional[str], listening_on: str, allowed: bool) -> None:
    assert control_allowed(peer, listening_on) is allowed


def outward_address() -> Optional[str]:
    """This machine's address on its way out, when it has one beyond loopback."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        try:
            probe.connect(("192.0.2.123", 9))  # no packet is sent
        except OSError:
            return None
        address: str = probe.getsockname()[0]
    return None if address.startswith("127.") else address


def test_a_client_from_beyond_loopback_is_refused(fake: FakeHelios) -> None:
    address = outward_address()
    if address is None:
        pytest.skip("no address beyond loopback here")
    parts = urlsplit(fake.url)
    # Linux lets a socket bound to the machine's own outward address reach 127.0.0.1:
    # the fake then sees a peer that is not loopback.
    conn = http.client.HTTPConnection(parts.hostname or "", parts.port, timeout=5,
                                      source_address=(address, 0))
    try:
        try:
            conn.request("POST", "/_fake/reset")
        except OSError as exc:
            pytest.skip(f"this system does not reach loopback from {address}: {exc}")
        answer = conn.getresponse()
        body = json.loads(answer.read())
        assert answer.status == 403 and body["errorCode"] == "KPermissionDenied"
        assert "loopback" in body["message"]
        conn.request("GET", "/v2/users", headers={"apiKey": fake.api_key})
        answer = conn.getresponse()  # the API itself answers it, as any client
        assert answer.status == 200 and json.loads(answer.read())["users"]
    finally:
        conn.close()
    assert [r.operation_id for r in fake.requests] == ["get_users"]


def test_a_fake_told_to_listen_beyond_loopback_answers_other_clients() -> None:
    address = outward_address()
    if address is None:
        pytest.skip("no address beyond loopback here")
    with FakeHelios(host="0.0.0.0") as fake:
        outside = f"http://{address}:{fake.control_url.rsplit(':', 1)[1]}"
        expect(control(outside, "DELETE", "/requests"), 204)
        assert expect(control(outside, "GET", "/snapshot"), 200)["version"] == 1


def test_cli_serves_the_control_api(tmp_path: Path) -> None:
    proc, url, key = start_served_fake()
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline()
        assert line == f"Control API: {url[:-len('/v2')]}/_fake\n"
        control_url = line.split(": ", 1)[1].strip()
        with cli_api(url, key) as client:
            api = h.UserApi(client)
            api.create_users([local("bob")])
            listed = expect(control(control_url, "GET", "/requests"), 200)
            assert [r["operationId"] for r in listed] == ["create_users"]
            expect(control(control_url, "POST", "/reset"), 204)
            assert names(api) == ["admin"]
    finally:
        assert stop_served_fake(proc) == (0, "")
    proc, url, key = start_served_fake("--no-control-api")
    try:
        status, _, body = control(url[:-len("/v2")] + "/_fake", "POST", "/reset")
        assert status == 404 and body["message"] == "no such path: /_fake/reset"
        proc.send_signal(signal.SIGINT)
        assert proc.wait(timeout=10) == 0
        assert proc.stdout is not None and proc.stdout.read() == ""  # no control line
    finally:
        stop_served_fake(proc)
