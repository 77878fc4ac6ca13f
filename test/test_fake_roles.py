"""FakeHelios's roles and preconditions over real sockets, with the SDK as the client, and
its generated table of operations against the spec.

Callers other than ``admin`` use an API key that ``admin`` made for them (or a session
they opened), so every call below is authorized as that user would be.
"""

from __future__ import annotations

import inspect
import json
import urllib.error
import urllib.request
from contextlib import ExitStack
from pathlib import Path
from typing import Any, Callable, Dict, Iterator, List, Tuple

import pytest

import cohesity_sdk.helios as h
from cohesity_sdk.helios.testing import FakeHelios, operations
from cohesity_sdk.helios.testing.state import HeliosState

ROOT = Path(__file__).resolve().parent.parent
SPEC: Dict[str, Any] = json.loads((ROOT / "spec" / "helios-user-api.json").read_text())
PASSWORD = "Fake-Passw0rd"


# -- helpers ---------------------------------------------------------------------------


class Users:
    """Makes users, each with a client of its own, on one fake."""

    def __init__(self, fake: FakeHelios, stack: ExitStack) -> None:
        self.fake = fake
        self.stack = stack
        self.admin = self.client()
        (admin,) = self.admin.get_users(usernames=["admin"]).users or []
        self.admin_sid = admin.sid or ""

    def client(self, **settings: Any) -> h.UserApi:
        # No retries: a refusal must reach the test as it was answered.
        config = self.fake.configuration(retries=0, **settings)
        return h.UserApi(self.stack.enter_context(h.ApiClient(config)))

    def add(self, name: str, roles: List[str], **fields: Any) -> Tuple[str, h.UserApi]:
        """A LOCAL user, its SID, and a client using a key that admin made for it."""
        (user,) = self.admin.create_users([h.CreateUserParameters(
            username=name, domain="LOCAL", roles=roles,
            local_user_params=h.LocalUserParams(password=PASSWORD), **fields,
        )]).users or []
        assert user.sid
        key = self.admin.create_user_api_key(user.sid, h.CreateOrUpdateAPIKeyRequest(name="login"))
        assert key.api_key
        return user.sid, self.client(api_key=key.api_key)


@pytest.fixture
def users(fake: FakeHelios) -> Iterator[Users]:
    with ExitStack() as stack:
        yield Users(fake, stack)


def snapshot(admin: h.UserApi) -> List[Any]:
    """Everything a call could have changed, as admin reads it through the API."""
    people = admin.get_users(include_tenants=True).users or []
    groups = admin.get_groups(include_tenants=True).groups or []
    return [
        people,
        groups,
        admin.get_all_api_keys().api_keys,
        admin.get_active_sessions_count(),
        [admin.get_principal_sources(p.sid or "") for p in [*people, *groups]],
    ]


def refused(call: Callable[[], Any]) -> h.ForbiddenException:
    with pytest.raises(h.ForbiddenException) as caught:
        call()
    assert caught.value.status == 403
    assert caught.value.error_code == "KPermissionDenied"
    assert json.loads(caught.value.body or b"")["message"]
    return caught.value


def key_names(result: h.UserAPIKeys) -> List[str]:
    return sorted(k.name or "" for k in result.api_keys or [])


# -- the generated table against the spec ----------------------------------------------

KEPT = {"type", "format", "enum", "nullable", "readOnly", "minItems", "minLength", "items",
        "properties", "required"}


def expected_schema(schema: Dict[str, Any]) -> Dict[str, Any]:
    """What the fake needs of a schema, written from the spec independently."""
    if "$ref" in schema:
        return {"$ref": schema["$ref"].rsplit("/", 1)[-1]}
    out = {k: v for k, v in schema.items() if k in KEPT}
    if "items" in out:
        out["items"] = expected_schema(out["items"])
    if "properties" in out:
        out["properties"] = {k: expected_schema(v) for k, v in out["properties"].items()}
    return out


def refs_of(schema: Dict[str, Any]) -> Iterator[str]:
    """The names of the schemas ``schema`` refers to directly."""
    if "$ref" in schema:
        yield schema["$ref"].rsplit("/", 1)[-1]
    subs = [schema["items"]] if "items" in schema else []
    for sub in [*subs, *schema.get("properties", {}).values()]:
        yield from refs_of(sub)


def spec_operations() -> Dict[str, Tuple[str, str, Dict[str, Any]]]:
    return {op["operationId"]: (method.upper(), path, op)
            for path, item in SPEC["paths"].items() for method, op in item.items()}


def test_the_generated_operations_are_the_spec() -> None:
    ops = spec_operations()
    assert sorted(operations.OPERATIONS) == sorted(ops)
    pending: List[str] = []
    for op_id, (method, path, op) in ops.items():
        ours = operations.OPERATIONS[op_id]
        status = next(int(code) for code in op["responses"] if code.startswith("2"))
        assert (ours["method"], ours["path"], ours["status"]) == (method, path, status)
        assert ours["login"] == (op.get("security") == [])
        for location, key in (("path", "path_params"), ("query", "query"),
                              ("header", "headers")):
            params = [p for p in op.get("parameters", []) if p["in"] == location]
            assert ours[key] == {p["name"]: {
                "python_name": p["x-python-name"],
                "required": bool(p.get("required")),
                "schema": expected_schema(p["schema"]),
            } for p in params}, (op_id, location)
        body = op.get("requestBody")
        if body is None:
            assert ours["body"] is None, op_id
            continue
        schema = body["content"]["application/json"]["schema"]
        assert ours["body"] == {"required": bool(body.get("required")),
                                "schema": expected_schema(schema)}, op_id
        pending += refs_of(schema)
    # The schemas are the ones request bodies reach, and every one of them.
    reached = set()
    while pending:
        name = pending.pop()
        if name not in reached:
            reached.add(name)
            pending += refs_of(SPEC["components"]["schemas"][name])
    assert sorted(operations.SCHEMAS) == sorted(reached)
    for name, schema in operations.SCHEMAS.items():
        assert schema == expected_schema(SPEC["components"]["schemas"][name]), name
    # Only create_session needs no credentials: it is the login.
    assert [i for i, op in operations.OPERATIONS.items() if op["login"]] == ["create_session"]


def test_the_generated_module_is_plain_data() -> None:
    text = Path(operations.__file__).read_text()
    assert text.splitlines()[0].startswith("# Generated by tools/generate.py")
    imports = [line for line in text.splitlines() if line.startswith(("import ", "from "))]
    assert imports == ["from typing import Any, Dict"]


def test_each_operation_is_a_state_method_taking_the_spec_python_names() -> None:
    for op_id, op in operations.OPERATIONS.items():
        params = list(inspect.signature(getattr(HeliosState, op_id)).parameters.values())
        assert [p.name for p in params[:3]] == ["self", "cluster_id", "caller_sid"], op_id
        assert all(p.kind is p.KEYWORD_ONLY for p in params[3:]), op_id
        names = {p["python_name"] for where in ("path_params", "query")
                 for p in op[where].values()}
        if op["body"] is not None:
            names.add("body")
        assert {p.name for p in params[3:]} == names, op_id


# -- each role against representative operations ----------------------------------------


class Target:
    """What the operations below act on: another user, with a key, a session and a
    group."""

    def __init__(self, users: Users) -> None:
        admin = users.admin
        self.sid, _ = users.add("target", ["COHESITY_VIEWER"])
        key = admin.create_user_api_key(self.sid, h.CreateOrUpdateAPIKeyRequest(name="spare"))
        self.key_id = key.id or ""
        admin.create_session(h.CreateUserSessionRequestParams(username="target",
                                                              password=PASSWORD))
        (group,) = admin.create_group([h.CreateGroupParams(
            name="ops", domain="LOCAL", local_group_params=h.LocalGroupParams(
                user_sids=[self.sid]))]).groups or []
        self.group_sid = group.sid or ""


Case = Callable[[h.UserApi, Target], Any]
new_key = h.CreateOrUpdateAPIKeyRequest

READS: Dict[str, Case] = {
    "get_users": lambda api, t: api.get_users(),
    "get_user_by_sid": lambda api, t: api.get_user_by_sid(t.sid),
    "get_groups": lambda api, t: api.get_groups(),
    "get_group_by_sid": lambda api, t: api.get_group_by_sid(t.group_sid),
    "get_security_principals": lambda api, t: api.get_security_principals([t.sid]),
    "get_principal_sources": lambda api, t: api.get_principal_sources(t.sid),
    "get_active_sessions_count": lambda api, t: api.get_active_sessions_count(),
    "get_user_api_keys": lambda api, t: api.get_user_api_keys(t.sid),
}
OPEN: Dict[str, Case] = {
    "get_all_api_keys": lambda api, t: api.get_all_api_keys(),
    "get_tenant_access": lambda api, t: api.get_tenant_access(),
}
ADMIN_ONLY: Dict[str, Case] = {
    "create_users": lambda api, t: api.create_users([h.CreateUserParameters(
        username="new", domain="LOCAL", local_user_params=h.LocalUserParams(password="pw"))]),
    "update_user": lambda api, t: api.update_user(t.sid, h.UpdateUserParameters(
        description="changed")),
    "delete_user": lambda api, t: api.delete_user(t.sid),
    "delete_users": lambda api, t: api.delete_users(h.DeleteUsersRequest(sids=[t.sid])),
    "regenerate_s3_key": lambda api, t: api.regenerate_s3_key(t.sid),
    "create_group": lambda api, t: api.create_group([h.CreateGroupParams(name="g",
                                                                         domain="LOCAL")]),
    "update_group": lambda api, t: api.update_group(t.group_sid, h.UpdateGroupParameters(
        description="changed")),
    "delete_group": lambda api, t: api.delete_group(t.group_sid),
    "delete_groups": lambda api, t: api.delete_groups(h.DeleteGroupsRequest(
        sids=[t.group_sid])),
    "update_principal_sources": lambda api, t: api.update_principal_sources(
        t.sid, h.AssignedSources(source_ids=[1])),
    "create_user_api_key": lambda api, t: api.create_user_api_key(t.sid, new_key(name="k")),
    "get_user_api_key_by_id": lambda api, t: api.get_user_api_key_by_id(id=t.key_id,
                                                                        user_sid=t.sid),
    "update_user_api_key_by_id": lambda api, t: api.update_user_api_key_by_id(
        id=t.key_id, user_sid=t.sid, body=new_key(name="renamed")),
    "rotate_user_api_key": lambda api, t: api.rotate_user_api_key(user_sid=t.sid,
                                                                  id=t.key_id),
    "delete_user_api_key_by_id": lambda api, t: api.delete_user_api_key_by_id(
        user_sid=t.sid, id=t.key_id),
    "delete_session": lambda api, t: api.delete_session(sid=t.sid),
    "delete_session(all)": lambda api, t: api.delete_session(all_sessions=True),
}
CASES = {**READS, **OPEN, **ADMIN_ONLY}
ALLOWED = {
    "COHESITY_ADMIN": set(CASES),
    "COHESITY_VIEWER": set(READS) | set(OPEN),
    "COHESITY_OPERATOR": set(READS) | set(OPEN),
    "AUDITOR": set(READS) | set(OPEN),  # added, as the viewer is built in
    "BACKUP_CLERK": set(OPEN),  # added, with no privilege
}
#: The roles above that are not built in, and the privileges they are added with.
ADDED = {"AUDITOR": ["PRINCIPAL_VIEW"], "BACKUP_CLERK": []}


@pytest.mark.parametrize("case", sorted(CASES))
@pytest.mark.parametrize("role", sorted(ALLOWED))
def test_role_against_operation(users: Users, role: str, case: str) -> None:
    if role in ADDED:
        users.fake.add_role(role, ADDED[role])
    target = Target(users)
    _, api = users.add("caller", [role])
    before = snapshot(users.admin)
    if case in ALLOWED[role]:
        CASES[case](api, target)
        assert users.fake.requests[-1].status in (200, 201, 204)
    else:
        refused(lambda: CASES[case](api, target))
        assert snapshot(users.admin) == before


def test_the_privileges_of_a_session_are_its_users(users: Users) -> None:
    users.add("viewer", ["COHESITY_VIEWER"])
    api = users.client(username="viewer", password=PASSWORD)
    assert len(api.get_users().users or []) == 2
    before = snapshot(users.admin)
    refused(lambda: api.create_users([h.CreateUserParameters(
        username="x", domain="LOCAL", local_user_params=h.LocalUserParams(password="pw"))]))
    assert snapshot(users.admin) == before


# -- self-service, escalation, group roles ----------------------------------------------


def test_a_user_without_privileges_may_act_on_itself(users: Users) -> None:
    sid, api = users.add("self", [])
    refused(lambda: api.get_users())
    assert api.get_user_by_sid(sid).username == "self"
    assert api.get_principal_sources(sid).source_ids == []
    # Its own password and e-mail.
    api.update_user(sid, h.UpdateUserParameters(local_user_params=h.LocalUserUpdateParams(
        current_password=PASSWORD, password="New-Passw0rd", email="self@example.com")))
    session = api.create_session(h.CreateUserSessionRequestParams(username="self",
                                                                  password="New-Passw0rd"))
    assert session.session_id
    assert api.get_user_by_sid(sid).local_user_params.email == "self@example.com"  # type: ignore
    assert api.regenerate_s3_key(sid).secret_key
    # Its own sessions.
    counts = api.get_active_sessions_count(sids=[sid])
    assert [(s.sid, s.sessions_count) for s in counts.sessions_per_user or []] == [(sid, 1)]
    api.delete_session(sid=sid)
    assert api.get_active_sessions_count(sids=[sid]).total_sessions_count == 0
    # Its own keys, including one it makes.
    key = api.create_user_api_key(sid, h.CreateOrUpdateAPIKeyRequest(name="mine"))
    assert key.id and key.created_by_user_sid == sid
    assert key_names(api.get_user_api_keys(sid)) == ["login", "mine"]
    assert api.get_user_api_key_by_id(id=key.id, user_sid=sid).name == "mine"
    api.update_user_api_key_by_id(id=key.id, user_sid=sid,
                                  body=h.CreateOrUpdateAPIKeyRequest(name="renamed"))
    rotated = api.rotate_user_api_key(user_sid=sid, id=key.id)
    assert rotated.api_key and rotated.api_key != key.api_key
    assert users.client(api_key=rotated.api_key).get_user_by_sid(sid).sid == sid
    api.delete_user_api_key_by_id(user_sid=sid, id=key.id)
    assert key_names(api.get_all_api_keys()) == ["login"]


def test_a_viewer_cannot_escalate_or_touch_others(users: Users) -> None:
    sid, api = users.add("viewer", ["COHESITY_VIEWER"])
    other, _ = users.add("other", ["COHESITY_VIEWER"])
    (admins,) = users.admin.create_group([h.CreateGroupParams(
        name="admins", domain="LOCAL", roles=["COHESITY_ADMIN"])]).groups or []
    assert admins.sid
    before = snapshot(users.admin)
    attempts: List[Callable[[], Any]] = [
        lambda: api.update_user(sid, h.UpdateUserParameters(roles=["COHESITY_ADMIN"])),
        lambda: api.update_user(sid, h.UpdateUserParameters(
            roles=["COHESITY_ADMIN"],
            local_user_params=h.LocalUserUpdateParams(password="x-Passw0rd"))),
        lambda: api.update_user(other, h.UpdateUserParameters(
            local_user_params=h.LocalUserUpdateParams(password="x-Passw0rd"))),
        lambda: api.create_users([h.CreateUserParameters(
            username="sidekick", domain="LOCAL", roles=["COHESITY_ADMIN"],
            local_user_params=h.LocalUserParams(password="pw"))]),
        lambda: api.create_group([h.CreateGroupParams(
            name="mine", domain="LOCAL", roles=["COHESITY_ADMIN"],
            local_group_params=h.LocalGroupParams(user_sids=[sid]))]),
        lambda: api.update_group(admins.sid or "", h.UpdateGroupParameters(
            local_group_params=h.LocalGroupParams(user_sids=[sid]))),
        lambda: api.create_user_api_key(users.admin_sid, h.CreateOrUpdateAPIKeyRequest(
            name="borrowed")),
        lambda: api.delete_user(other),
        lambda: api.delete_users(h.DeleteUsersRequest(sids=[other])),
        lambda: api.regenerate_s3_key(other),
        lambda: api.delete_session(sid=other),
    ]
    for attempt in attempts:
        refused(attempt)
    assert snapshot(users.admin) == before
    assert api.get_user_by_sid(sid).roles == ["COHESITY_VIEWER"]


def test_a_local_groups_roles_count_for_its_members(users: Users) -> None:
    sid, api = users.add("member", [])
    refused(lambda: api.get_users())
    (group,) = users.admin.create_group([h.CreateGroupParams(
        name="admins", domain="LOCAL", roles=["COHESITY_ADMIN"],
        local_group_params=h.LocalGroupParams(user_sids=[sid]))]).groups or []
    assert group.sid
    api.create_users([h.CreateUserParameters(
        username="made-by-member", domain="LOCAL",
        local_user_params=h.LocalUserParams(password="pw"))])
    users.admin.update_group(group.sid, h.UpdateGroupParameters(
        local_group_params=h.LocalGroupParams(user_sids=[])))
    refused(lambda: api.get_users())
    # A directory group's roles reach nobody: the fake knows no directory members.
    users.admin.create_group([h.CreateGroupParams(name="Domain Admins", domain="corp",
                                                  roles=["COHESITY_ADMIN"])])
    refused(lambda: api.get_users())


# -- roles that exist, and roles added ---------------------------------------------------


def local_user(name: str, roles: List[str]) -> h.CreateUserParameters:
    return h.CreateUserParameters(username=name, domain="LOCAL", roles=roles,
                                  local_user_params=h.LocalUserParams(password=PASSWORD))


def test_a_role_that_is_neither_built_in_nor_added_is_refused(users: Users) -> None:
    admin = users.admin
    sid, _ = users.add("vera", ["COHESITY_VIEWER"])
    (group,) = admin.create_group([h.CreateGroupParams(
        name="ops", domain="LOCAL", roles=["COHESITY_VIEWER"])]).groups or []
    assert group.sid
    before = snapshot(admin)
    god = "COHESITY_GOD"
    attempts: List[Tuple[str, Callable[[], Any], str]] = [
        ("create_users", lambda: admin.create_users([
            local_user("ok", ["COHESITY_VIEWER"]),
            local_user("god", ["COHESITY_VIEWER", god])]), f"body[1].roles[1]: role {god}"),
        ("create_users", lambda: admin.create_users([h.CreateUserParameters(
            username="dir", domain="corp.example.com", roles=[god])]),
         f"body[0].roles[0]: role {god}"),
        ("update_user", lambda: admin.update_user(sid, h.UpdateUserParameters(
            roles=["COHESITY_ADMIN", god], description="changed")),
         f"body.roles[1]: role {god}"),
        ("create_group", lambda: admin.create_group([h.CreateGroupParams(
            name="gods", domain="corp.example.com", roles=[god])]),
         f"body[0].roles[0]: role {god}"),
        ("update_group", lambda: admin.update_group(group.sid or "", h.UpdateGroupParameters(
            roles=[god], description="changed")), f"body.roles[0]: role {god}"),
        # Role names are exact, as the built-in ones are written.
        ("update_user", lambda: admin.update_user(sid, h.UpdateUserParameters(
            roles=["cohesity_viewer"])), "body.roles[0]: role cohesity_viewer"),
    ]
    for operation_id, attempt, message in attempts:
        with pytest.raises(h.BadRequestException) as caught:
            attempt()
        assert caught.value.error_code == "KInvalidRequest"
        assert caught.value.message == f"{message} does not exist"
        assert users.fake.requests[-1].operation_id == operation_id
    assert snapshot(admin) == before


def test_an_added_role_gives_its_privileges_on_every_cluster(users: Users) -> None:
    fake, admin = users.fake, users.admin
    fake.add_role("USER_ADMIN", ["PRINCIPAL_VIEW", "PRINCIPAL_MODIFY"])
    sid, api = users.add("uma", ["USER_ADMIN"])
    assert api.get_user_by_sid(sid).roles == ["USER_ADMIN"]
    api.create_users([local_user("made-by-uma", ["USER_ADMIN"])])
    refused(lambda: api.create_user_api_key(users.admin_sid, h.CreateOrUpdateAPIKeyRequest(
        name="borrowed")))  # API_KEY_MANAGE_ALL is not among them
    # Added roles are the fake's: every cluster knows them.
    (far,) = admin.create_users([local_user("far", ["USER_ADMIN"])],
                                access_cluster_id=77).users or []
    assert far.roles == ["USER_ADMIN"]
    (team,) = admin.create_group([h.CreateGroupParams(
        name="team", domain="LOCAL", roles=["USER_ADMIN"])], access_cluster_id=77).groups or []
    assert team.roles == ["USER_ADMIN"]
    # Added again, it has the new privileges, for the users who hold it.
    fake.add_role("USER_ADMIN", ["PRINCIPAL_VIEW"])
    refused(lambda: api.create_users([local_user("second", [])]))
    assert "made-by-uma" in [u.username for u in api.get_users().users or []]


def test_an_added_role_of_a_local_group_counts_for_its_members(users: Users) -> None:
    users.fake.add_role("KEY_AUDITOR", ["PRINCIPAL_VIEW", "API_KEY_VIEW_ALL"])
    sid, api = users.add("member", [])
    refused(lambda: api.get_users())
    assert key_names(api.get_all_api_keys()) == ["login"]
    users.admin.create_group([h.CreateGroupParams(
        name="auditors", domain="LOCAL", roles=["KEY_AUDITOR"],
        local_group_params=h.LocalGroupParams(user_sids=[sid]))])
    assert len(api.get_users().users or []) == 2
    assert key_names(api.get_all_api_keys()) == ["bootstrap", "login"]
    refused(lambda: api.delete_user(users.admin_sid))


@pytest.mark.parametrize("name, privileges, message", [
    ("", [], "name: must be a non-empty string"),
    ("  ", [], "name: must be a non-empty string"),
    (7, [], "name: must be a non-empty string"),
    ("COHESITY_ADMIN", [], "name: COHESITY_ADMIN is a built-in role"),
    ("AUDITOR", ["EVERYTHING"], "privileges[0]: 'EVERYTHING' is not a privilege of the fake; "
     "they are API_KEY_MANAGE_ALL, API_KEY_VIEW_ALL, PRINCIPAL_MODIFY, PRINCIPAL_VIEW, "
     "SESSION_MANAGE_ALL"),
    ("AUDITOR", ["PRINCIPAL_VIEW", "principal_view"], "privileges[1]: 'principal_view'"),
    ("AUDITOR", "PRINCIPAL_VIEW", "privileges: must be a list of privilege names"),
    ("AUDITOR", None, "privileges: must be a list of privilege names"),
])
def test_add_role_refuses_what_is_no_role(fake: FakeHelios, name: Any, privileges: Any,
                                          message: str) -> None:
    with pytest.raises(ValueError) as caught:
        fake.add_role(name, privileges)
    assert str(caught.value).startswith(message)
    assert fake.snapshot()["roles"] == []


def test_add_role_takes_any_collection_of_privileges(fake: FakeHelios) -> None:
    fake.add_role("AUDITOR", ("PRINCIPAL_VIEW", "API_KEY_VIEW_ALL", "PRINCIPAL_VIEW"))
    fake.add_role("NOBODY", set())
    assert fake.snapshot()["roles"] == [
        {"name": "AUDITOR", "privileges": ["API_KEY_VIEW_ALL", "PRINCIPAL_VIEW"]},
        {"name": "NOBODY", "privileges": []},
    ]


# -- get_all_api_keys, scoped -------------------------------------------------------------


def test_api_key_lists_hold_the_callers_keys_unless_it_may_see_all(users: Users) -> None:
    admin = users.admin
    viewer, api = users.add("viewer", ["COHESITY_VIEWER"])
    other, _ = users.add("other", [])
    admin.create_user_api_key(viewer, h.CreateOrUpdateAPIKeyRequest(name="given"))
    theirs = admin.create_user_api_key(other, h.CreateOrUpdateAPIKeyRequest(name="theirs"))
    api.create_user_api_key(viewer, h.CreateOrUpdateAPIKeyRequest(name="own"))
    assert key_names(admin.get_all_api_keys()) == [
        "bootstrap", "given", "login", "login", "own", "theirs"]
    assert key_names(api.get_all_api_keys()) == ["given", "login", "own"]
    assert key_names(api.get_all_api_keys(owner_sids=[other])) == []
    assert key_names(api.get_user_api_keys(other)) == []
    assert key_names(admin.get_user_api_keys(other)) == ["login", "theirs"]
    refused(lambda: api.get_user_api_key_by_id(id=theirs.id or "", user_sid=other))
    # Keys it created for another user stay in its list after it lost the privilege.
    manager, manager_api = users.add("manager", ["COHESITY_ADMIN", "COHESITY_VIEWER"])
    manager_api.create_user_api_key(other, h.CreateOrUpdateAPIKeyRequest(name="for-other"))
    admin.update_user(manager, h.UpdateUserParameters(roles=["COHESITY_VIEWER"]))
    assert key_names(manager_api.get_all_api_keys()) == ["for-other", "login"]
    assert key_names(manager_api.get_user_api_keys(other)) == ["for-other"]


# -- preconditions ---------------------------------------------------------------------


def test_a_local_user_needs_local_user_params_with_a_password(users: Users) -> None:
    admin = users.admin
    before = snapshot(admin)
    for params in (None, h.LocalUserParams(email="a@example.com"),
                   h.LocalUserParams(password="")):
        with pytest.raises(h.BadRequestException) as caught:
            admin.create_users([
                h.CreateUserParameters(username="ok", domain="LOCAL",
                                       local_user_params=h.LocalUserParams(password="pw")),
                h.CreateUserParameters(username="alice", domain="LOCAL",
                                       local_user_params=params),
            ])
        assert caught.value.error_code == "KInvalidRequest"
        assert "body[1].localUserParams" in (caught.value.message or "")
    assert snapshot(admin) == before
    # A directory user has no password here, and needs none.
    admin.create_users([h.CreateUserParameters(username="alice", domain="corp.example.com")])


@pytest.mark.parametrize("change,reason", [
    (h.UpdateUserParameters(locked=True), "locked"),
    (h.UpdateUserParameters(expiry_time_msecs=1), "expired"),
    (h.UpdateUserParameters(effective_time_msecs=2**62), "not effective"),
])
def test_the_keys_of_a_locked_or_expired_user_are_refused(
    users: Users, change: h.UpdateUserParameters, reason: str
) -> None:
    sid, api = users.add("bob", ["COHESITY_ADMIN"])
    assert api.get_user_by_sid(sid).username == "bob"
    users.admin.update_user(sid, change)
    with pytest.raises(h.UnauthorizedException) as caught:
        api.get_user_by_sid(sid)
    assert caught.value.error_code == "KUnauthorized"
    assert reason in (caught.value.message or "")
    users.admin.update_user(sid, h.UpdateUserParameters(
        locked=False, expiry_time_msecs=None, effective_time_msecs=None))
    assert api.get_user_by_sid(sid).username == "bob"


def raw_get(fake: FakeHelios, path: str) -> Tuple[int, Any]:
    request = urllib.request.Request(fake.url + path, headers={"apiKey": fake.api_key})
    try:
        with urllib.request.urlopen(request, timeout=5) as answer:
            return answer.status, json.loads(answer.read())
    except urllib.error.HTTPError as error:
        with error:
            return error.code, json.loads(error.read())


def test_query_items_are_checked_as_the_spec_says(fake: FakeHelios, users: Users) -> None:
    # The SDK refuses these before sending (an item shorter than the spec's minLength).
    with pytest.raises(h.ApiValueError):
        users.admin.get_tenant_access(tenant_ids=[""])
    before = len(fake.requests)
    for query, item in (("tenantIds=,", 0), ("tenantIds=acme/,", 1), ("tenantIds=a", 0),
                        ("tenantIds=acme/,%2C", 1)):
        status, body = raw_get(fake, f"/mcm/users/tenant-access?{query}")
        assert status == 400, query
        assert body["errorCode"] == "KInvalidRequest"
        assert body["message"].startswith(f"tenantIds[{item}]: must be at least 2"), body
    assert len(fake.requests) == before + 4
    status, body = raw_get(fake, "/mcm/users/tenant-access?tenantIds=acme/")
    assert status == 200 and [t["tenantId"] for t in body["tenantAccesses"]] == ["acme/"]
    # What the SDK sends for lists still works: escaped commas stay inside an item.
    found = users.admin.get_tenant_access(tenant_ids=["acme/", "x,y"], include_inactive=True)
    assert [t.tenant_id for t in found.tenant_accesses or []] == ["acme/"]
    assert fake.requests[-1].query == {"tenantIds": ["acme/,x,y"], "includeInactive": ["true"]}


def test_a_required_query_list_given_empty_is_refused(fake: FakeHelios) -> None:
    status, body = raw_get(fake, "/security-principals?sids=")
    assert status == 400 and body["message"] == "sids: must not be empty"
    status, body = raw_get(fake, "/users?sids=")  # an optional one counts as not given
    assert status == 200 and [u["username"] for u in body["users"]] == ["admin"]


def test_roles_module_names_every_operation() -> None:
    from cohesity_sdk.helios.testing import roles

    assert set(roles.RULES) == set(operations.OPERATIONS)
    assert roles.ROLE_PRIVILEGES["COHESITY_ADMIN"] == roles.ALL_PRIVILEGES
    assert set(roles.ROLE_PRIVILEGES["COHESITY_VIEWER"]) == {roles.PRINCIPAL_VIEW}
