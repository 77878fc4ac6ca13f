"""FakeHelios over real sockets: lifecycle, every operation's state and errors, auth,
cluster isolation, bad input, fault injection, the request log, the CLI and the plugin.

The SDK is the client where it can be; raw ``http.client`` sends what the SDK refuses to
(malformed JSON, missing fields, wrong types). Answers are checked key by key against
``spec/helios-user-api.json``.
"""

from __future__ import annotations

import ast
import http.client
import json
import re
import signal
import socket
import subprocess
import sys
import textwrap
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, Dict, Iterator, List, Optional, Set, Tuple
from urllib.parse import urlsplit

import pytest
from conftest import modules_loaded_by, start_served_fake, stop_served_fake

import cohesity_sdk.helios as h
import cohesity_sdk.helios.testing as testing
from cohesity_sdk.helios.testing import FakeHelios, FakeRequest, schema as shapes
from cohesity_sdk.helios.testing.routes import ROUTES
from cohesity_sdk.helios.testing.state import HeliosState

pytest_plugins = ["pytester"]

ROOT = Path(__file__).resolve().parent.parent
SPEC = json.loads((ROOT / "spec" / "helios-user-api.json").read_text())
SCHEMAS: Dict[str, Any] = SPEC["components"]["schemas"]
SID = re.compile(r"S-1-100-21-(\d+)-(\d+)")
UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


# -- helpers ---------------------------------------------------------------------------


@pytest.fixture
def api(fake: FakeHelios) -> Iterator[h.UserApi]:
    # No retries: each injected fault must reach the test as it happened.
    with h.ApiClient(fake.configuration(retries=0)) as client:
        yield h.UserApi(client)


def now_msecs() -> int:
    return int(time.time() * 1000)


def local(name: str, password: Optional[str] = "pw", email: Optional[str] = None,
          roles: Optional[List[str]] = None) -> h.CreateUserParameters:
    params = {"email": email, "password": password}
    return h.CreateUserParameters(
        username=name, domain="LOCAL", roles=roles or ["COHESITY_VIEWER"],
        local_user_params=h.LocalUserParams(**{k: v for k, v in params.items() if v}),
    )


def sid_of(api: h.UserApi, username: str, **kwargs: Any) -> str:
    users = api.get_users(usernames=[username], include_tenants=True, **kwargs).users or []
    assert len(users) == 1, users
    assert users[0].sid
    return users[0].sid


def names(users: Any) -> List[str]:
    return [u.username for u in users.users or []]


def group_names(groups: Any) -> List[str]:
    return [g.name for g in groups.groups or []]


class Raw:
    """One keep-alive connection to the fake, for requests the SDK would not send."""

    def __init__(self, fake: FakeHelios) -> None:
        parts = urlsplit(fake.url)
        self.fake = fake
        self.conn = http.client.HTTPConnection(parts.hostname or "", parts.port, timeout=5)

    def __call__(
        self,
        method: str,
        path: str,
        body: Any = None,
        *,
        raw_body: Optional[bytes] = None,
        headers: Optional[Dict[str, str]] = None,
        key: Optional[str] = "bootstrap",
    ) -> Tuple[int, Dict[str, str], Any]:
        sent: Dict[str, str] = {}
        if key == "bootstrap":
            sent["apiKey"] = self.fake.api_key
        elif key is not None:
            sent["apiKey"] = key
        sent.update(headers or {})
        data = raw_body if raw_body is not None else (
            None if body is None else json.dumps(body).encode()
        )
        if data is not None:
            sent.setdefault("Content-Type", "application/json")
        self.conn.request(method, "/v2" + path, body=data, headers=sent)
        response = self.conn.getresponse()
        payload = response.read()
        answer = json.loads(payload) if payload else None
        return response.status, dict(response.getheaders()), answer

    def close(self) -> None:
        self.conn.close()


@pytest.fixture
def raw(fake: FakeHelios) -> Iterator[Raw]:
    client = Raw(fake)
    yield client
    client.close()


def expect_error(result: Tuple[int, Dict[str, str], Any], status: int, code: str,
                 *mentions: str) -> str:
    """The message of an ``Error`` answer with ``status`` and ``code``."""
    actual, headers, body = result
    assert actual == status, body
    assert headers["Content-Type"] == "application/json"
    assert set(body) == {"errorCode", "message"}, body
    assert body["errorCode"] == code
    for word in mentions:
        assert word in body["message"], body["message"]
    message: str = body["message"]
    return message


def snapshot(raw: Raw, cluster: Optional[int] = None) -> List[Any]:
    """Everything a request could have changed on a cluster, as the API shows it."""
    headers = {} if cluster is None else {"accessClusterId": str(cluster)}
    out = []
    for path in ("/users?includeTenants=true", "/groups?includeTenants=true", "/api-keys",
                 "/users/sessions"):
        status, _, body = raw("GET", path, headers=headers)
        assert status == 200
        out.append(body)
    return out


# -- the spec as the fake knows it -----------------------------------------------------


def resolve(schema: Dict[str, Any]) -> Dict[str, Any]:
    while "$ref" in schema:
        schema = SCHEMAS[schema["$ref"].rsplit("/", 1)[1]]
    return schema


def conformance_problems(value: Any, schema: Dict[str, Any], where: str = "") -> List[str]:
    """How ``value`` differs from ``schema``: unknown keys, wrong types, missing required."""
    schema = resolve(schema)
    if value is None:
        return [] if schema.get("nullable") else [f"{where}: null"]
    kind = schema.get("type", "object")
    problems: List[str] = []
    if kind == "object":
        if not isinstance(value, dict):
            return [f"{where}: not an object"]
        properties = schema.get("properties", {})
        problems += [f"{where}.{k}: not in the spec" for k in value if k not in properties]
        problems += [f"{where}.{k}: missing" for k in schema.get("required", [])
                     if k not in value]
        for k, v in value.items():
            if k in properties:
                problems += conformance_problems(v, properties[k], f"{where}.{k}")
    elif kind == "array":
        if not isinstance(value, list):
            return [f"{where}: not an array"]
        for i, item in enumerate(value):
            problems += conformance_problems(item, schema["items"], f"{where}[{i}]")
    elif kind == "string":
        if not isinstance(value, str):
            problems.append(f"{where}: not a string")
        elif "enum" in schema and value not in schema["enum"]:
            problems.append(f"{where}: {value!r} not in the enum")
    elif kind == "integer":
        if not isinstance(value, int) or isinstance(value, bool):
            problems.append(f"{where}: not an integer")
    elif kind == "boolean":
        if not isinstance(value, bool):
            problems.append(f"{where}: not a boolean")
    return problems


def spec_operations() -> Dict[str, Tuple[str, str, Dict[str, Any]]]:
    return {
        op["operationId"]: (method.upper(), path, op)
        for path, item in SPEC["paths"].items()
        for method, op in item.items()
    }


def success_status(op: Dict[str, Any]) -> int:
    return int(next(code for code in op["responses"] if code.startswith("2")))


def test_routes_are_the_spec_operations() -> None:
    operations = spec_operations()
    assert sorted(r.operation_id for r in ROUTES) == sorted(operations)
    for route in ROUTES:
        method, path, op = operations[route.operation_id]
        assert (route.method, route.template, route.status) == (
            method, path, success_status(op)
        ), route.operation_id
        params = op.get("parameters", [])
        query = {p["name"]: p for p in params if p["in"] == "query"}
        assert set(route.query) == set(query), route.operation_id
        for name, param in query.items():
            ours, theirs = route.query[name], param["schema"]
            assert ours.kind == theirs["type"], (route.operation_id, name)
            if ours.items is not None:
                assert ours.items.kind == theirs["items"]["type"]
                assert ours.items.min_length == theirs["items"].get("minLength", 0)
            assert (name in route.required_query) == param.get("required", False)
        headers = {p["name"] for p in params if p["in"] == "header"}
        assert route.routed == ("accessClusterId" in headers), route.operation_id
        body = op.get("requestBody")
        if body is None:
            assert route.body is None, route.operation_id
            continue
        body_schema = body["content"]["application/json"]["schema"]
        assert route.body is not None
        if body_schema.get("type") == "array":
            assert route.body.kind == shapes.ARRAY
            assert route.body.min_items == body_schema.get("minItems", 0)
            assert route.body.items is not None and route.body.items.shape is not None
            assert route.body.items.shape.name == body_schema["items"]["$ref"].rsplit("/")[-1]
        else:
            assert route.body.shape is not None
            assert route.body.shape.name == body_schema["$ref"].rsplit("/")[-1]


def test_every_route_has_an_operation() -> None:
    assert set(HeliosState("key").operation_ids) == {r.operation_id for r in ROUTES}


def test_the_server_side_needs_no_pydantic() -> None:
    code = textwrap.dedent("""
        import http.client
        from cohesity_sdk.helios.testing import FakeHelios
        with FakeHelios() as fake:
            port = int(fake.url.rsplit(":", 1)[1].split("/")[0])
            conn = http.client.HTTPConnection("127.0.0.1", port)
            conn.request("POST", "/v2/users", body=b'[{"domain": "LOCAL", "username": "x",'
                         b' "localUserParams": {"password": "pw"}}]',
                         headers={"apiKey": fake.api_key})
            assert conn.getresponse().status == 201
    """)
    assert modules_loaded_by(code, "pydantic", "cohesity_sdk.helios.models.", cwd=ROOT) == []


def imports_of_the_testing_package() -> Dict[str, Set[str]]:
    """Which modules of ``cohesity_sdk.helios.testing`` each of its modules imports,
    those imported only for type checkers included."""
    package = "cohesity_sdk.helios.testing"
    folder = Path(testing.__file__).parent
    modules = {path.stem for path in folder.glob("*.py")}
    graph: Dict[str, Set[str]] = {}
    for name in modules:
        found: Set[str] = set()
        for node in ast.walk(ast.parse((folder / f"{name}.py").read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module == package:
                found.update(a.name if a.name in modules else "__init__" for a in node.names)
            elif isinstance(node, ast.ImportFrom) and (node.module or "").startswith(package):
                found.add((node.module or "").rsplit(".", 1)[1])
            elif isinstance(node, ast.Import):
                found.update(a.name.rsplit(".", 1)[1] for a in node.names
                             if a.name.startswith(package + "."))
        graph[name] = found
    return graph


def test_the_fakes_modules_import_one_way() -> None:
    graph = imports_of_the_testing_package()
    assert "fake_helios" not in graph["control"]  # the control API drives the fake's parts
    assert {"state", "faults", "request_log"} <= graph["control"]
    # Every resource of a cluster has a module of its own, below the cluster's backend.
    assert {"users", "groups", "sessions", "api_keys", "sources", "tenants"} <= graph["backend"]
    done: Set[str] = set()

    def visit(name: str, path: Tuple[str, ...]) -> None:
        assert name not in path, " -> ".join((*path, name))
        if name not in done:
            for imported in graph[name]:
                visit(imported, (*path, name))
            done.add(name)

    for name in sorted(graph):
        visit(name, ())


class CountingLock:
    """A lock that counts how often it is taken."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.taken = 0

    def __enter__(self) -> "CountingLock":
        self._lock.acquire()
        self.taken += 1
        return self

    def __exit__(self, *exc: Any) -> None:
        self._lock.release()


def test_a_request_takes_the_states_lock_once(fake: FakeHelios, raw: Raw) -> None:
    counting = CountingLock()
    fake._state._lock = counting  # type: ignore[assignment]  # a look inside
    requests: List[Tuple[str, str, Any, Optional[Dict[str, str]], int]] = [
        ("GET", "/users", None, None, 200),  # the Helios level, made on first use
        ("GET", "/users", None, {"accessClusterId": "5"}, 200),  # another, made on first use
        ("POST", "/users", [{"domain": "LOCAL", "username": "bob",
                             "localUserParams": {"password": "pw"}}], None, 201),
        ("POST", "/users/sessions", {"username": "bob", "password": "pw"}, None, 201),
        ("POST", "/users", [{"domain": "LOCAL", "username": "x"}], None, 400),
        ("GET", "/users", None, {"apiKey": "wrong", "accessClusterId": "6"}, 401),
        ("GET", "/users", None, {"apiKey": "wrong"}, 401),
    ]
    for method, path, body, headers, status in requests:
        counting.taken = 0
        answered, _, _ = raw(method, path, body, headers=headers)
        assert (answered, counting.taken) == (status, 1), (method, path)


def _check_field(ours: shapes.Field, theirs: Dict[str, Any], where: str) -> None:
    if "$ref" in theirs:
        assert ours.kind == shapes.OBJECT and ours.shape is not None, where
        assert ours.shape.name == theirs["$ref"].rsplit("/")[-1], where
        _check_shape(ours.shape)
        return
    assert ours.kind == theirs["type"], where
    assert ours.nullable == theirs.get("nullable", False), where
    assert ours.enum == tuple(theirs.get("enum", ())), where
    assert ours.min_items == theirs.get("minItems", 0), where
    if ours.items is not None:
        _check_field(ours.items, theirs["items"], where + "[]")


def _check_shape(shape: shapes.Shape) -> None:
    spec = SCHEMAS[shape.name]
    writable = {k: v for k, v in spec["properties"].items() if not v.get("readOnly")}
    ours = {k for k in shape.fields if (shape.name, k) not in shapes.EXTENSIONS}
    assert ours == set(writable), shape.name
    assert set(shape.required) == set(spec.get("required", [])), shape.name
    for name in ours:
        _check_field(shape.fields[name], writable[name], f"{shape.name}.{name}")


def test_request_shapes_are_the_spec_schemas() -> None:
    for route in ROUTES:
        if route.body is not None:
            body = route.body.items if route.body.kind == shapes.ARRAY else route.body
            assert body is not None and body.shape is not None
            _check_shape(body.shape)


def test_every_operation_answers_the_spec_status_and_keys(fake: FakeHelios, raw: Raw) -> None:
    fake.add_role("R", [])
    fake.add_role("R2", [])
    operations = spec_operations()
    seen: Set[str] = set()
    request_ids: Set[str] = set()

    def call(op_id: str, path: str, body: Any = None) -> Any:
        method, _, op = operations[op_id]
        status, headers, answer = raw(method, path, body)
        expected = success_status(op)
        assert status == expected, (op_id, answer)
        assert headers["Content-Type"] == "application/json"
        assert headers["X-Request-Id"] not in request_ids
        request_ids.add(headers["X-Request-Id"])
        if expected == 204:
            assert answer is None and "Content-Length" not in headers
        else:
            schema = op["responses"][str(expected)]["content"]["application/json"]["schema"]
            assert conformance_problems(answer, schema) == [], op_id
        assert fake.requests[-1].operation_id == op_id
        assert fake.requests[-1].status == expected
        seen.add(op_id)
        return answer

    users = call("create_users", "/users", [
        {"domain": "LOCAL", "username": "bob", "description": "Bob", "roles": ["R"],
         "effectiveTimeMsecs": 1, "expiryTimeMsecs": now_msecs() + 10**8,
         "localUserParams": {"email": "bob@example.com", "password": "pw"}},
        {"domain": "corp.example.com", "username": "carol", "tenantId": "acme/"},
    ])["users"]
    bob, carol = users[0]["sid"], users[1]["sid"]
    call("get_users", "/users?includeTenants=true&roles=R,COHESITY_ADMIN")
    call("get_user_by_sid", f"/users/{bob}")
    call("update_user", f"/users/{bob}", {"locked": False, "description": "B"})
    call("regenerate_s3_key", f"/users/{bob}/s3-secret-key")
    call("create_session", "/users/sessions", {"username": "bob", "password": "pw"})
    call("get_active_sessions_count", "/users/sessions")
    call("delete_session", f"/users/sessions?sid={bob}")
    key = call("create_user_api_key", f"/users/{bob}/api-keys",
               {"name": "k", "expiryTimeMsecs": now_msecs() + 10**8})
    call("get_user_api_keys", f"/users/{bob}/api-keys")
    call("get_all_api_keys", "/api-keys")
    call("get_user_api_key_by_id", f"/users/{bob}/api-keys/{key['id']}")
    call("update_user_api_key_by_id", f"/users/{bob}/api-keys/{key['id']}",
         {"name": "k2", "isActive": True})
    call("rotate_user_api_key", f"/users/{bob}/api-keys/{key['id']}/rotate")
    call("delete_user_api_key_by_id", f"/users/{bob}/api-keys/{key['id']}")
    group = call("create_group", "/groups", [
        {"domain": "LOCAL", "name": "ops", "description": "Ops", "roles": ["R"],
         "tenantIds": [], "restricted": True, "localGroupParams": {"userSids": [bob]}},
        {"domain": "corp.example.com", "name": "eng", "tenantIds": ["acme/"]},
    ])["groups"]
    call("get_groups", "/groups?includeTenants=true")
    call("get_group_by_sid", f"/groups/{group[0]['sid']}")
    call("update_group", f"/groups/{group[0]['sid']}", {"roles": ["R2"]})
    call("get_security_principals", f"/security-principals?sids={bob},{group[0]['sid']}")
    call("update_principal_sources", f"/security-principals/{bob}/sources",
         {"sourceIds": [1], "viewIds": [2]})
    call("get_principal_sources", f"/security-principals/{bob}/sources")
    call("get_tenant_access", "/mcm/users/tenant-access?includeInactive=true")
    call("delete_group", f"/groups/{group[0]['sid']}")
    call("delete_groups", "/groups/delete", {"sids": [group[1]["sid"]]})
    call("delete_user", f"/users/{carol}")
    call("delete_users", "/users/delete", {"sids": [bob]})
    assert seen == set(operations)


# -- lifecycle -------------------------------------------------------------------------


def test_context_manager_serves_then_stops() -> None:
    with FakeHelios() as fake:
        assert re.fullmatch(r"http://127\.0\.0\.1:\d+/v2", fake.url)
        assert fake.api_key
        with h.ApiClient(fake.configuration(retries=0)) as client:
            assert names(h.UserApi(client).get_users()) == ["admin"]
        url = fake.url
    with h.ApiClient(fake.configuration(retries=0)) as client:
        with pytest.raises(h.ApiConnectionError):
            h.UserApi(client).get_users()
    assert fake.url == url
    assert repr(fake) == f"FakeHelios({url})"
    assert fake.api_key not in repr(fake)


def test_start_and_stop_on_a_given_port_and_restart() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    fake = FakeHelios(port=port, host="127.0.0.1", api_key="my-key")
    with pytest.raises(RuntimeError):
        fake.url  # noqa: B018
    fake.start()
    try:
        assert fake.url == f"http://127.0.0.1:{port}/v2"
        assert fake.api_key == "my-key"
        with pytest.raises(RuntimeError):
            fake.start()
    finally:
        fake.stop()
    fake.stop()  # a second stop is harmless
    fake.start()
    try:
        with h.ApiClient(fake.configuration(retries=0)) as client:
            assert names(h.UserApi(client).get_users()) == ["admin"]
    finally:
        fake.stop()


@pytest.mark.parametrize("key", ["", "a\r\nb", 5])
def test_an_api_key_that_cannot_be_a_header_is_refused(key: Any) -> None:
    with pytest.raises(ValueError):
        FakeHelios(api_key=key)


def test_stop_closes_idle_keep_alive_connections() -> None:
    fake = FakeHelios()
    fake.start()
    raw = Raw(fake)
    assert raw("GET", "/users")[0] == 200
    sock = raw.conn.sock
    assert sock is not None
    fake.stop()
    sock.settimeout(5)
    assert sock.recv(1) == b""  # closed by the server, not left hanging
    raw.close()


def test_stop_wakes_a_delayed_request() -> None:
    fake = FakeHelios()
    fake.start()
    fake.delay_next("get_users", 30)
    with ThreadPoolExecutor(1) as pool:
        pending = pool.submit(Raw(fake), "GET", "/users")
        while not fake.requests:
            time.sleep(0.005)
        fake.stop()
        with pytest.raises((http.client.HTTPException, OSError)):
            pending.result(timeout=10)


def test_configuration_is_ready_and_passes_settings_through(fake: FakeHelios) -> None:
    config = fake.configuration(access_cluster_id=7, region_id="us-east-1", timeout=3.0)
    assert isinstance(config, h.Configuration)
    assert config.host == fake.url
    assert config.api_key["APIKeyHeader"] == fake.api_key
    assert (config.access_cluster_id, config.region_id, config.timeout) == (7, "us-east-1", 3.0)
    other = fake.configuration(api_key={"APIKeyHeader": "other"})
    assert other.api_key["APIKeyHeader"] == "other"


def test_module_docstring_example_runs() -> None:
    doc = testing.__doc__ or ""
    block = doc.split("::\n\n", 1)[1]
    code_lines = []
    for line in block.splitlines():
        if line and not line.startswith("    "):
            break
        code_lines.append(line)
    exec(compile(textwrap.dedent("\n".join(code_lines)), "<docstring>", "exec"), {})


def test_keep_alive_serves_many_answers_on_one_connection(fake: FakeHelios, raw: Raw) -> None:
    sid = raw("POST", "/users", [{"domain": "LOCAL", "username": "x",
                                  "localUserParams": {"password": "pw"}}])[2]["users"][0]["sid"]
    sock = raw.conn.sock
    results = [
        raw("GET", "/users")[0],
        raw("DELETE", f"/users/sessions?sid={sid}")[0],
        raw("GET", "/nowhere")[0],
        raw("PATCH", "/users")[0],
        raw("GET", f"/users/{sid}")[0],
        raw("DELETE", f"/users/{sid}")[0],
        raw("GET", "/users", key=None)[0],
    ]
    assert results == [200, 204, 404, 405, 200, 204, 401]
    assert raw.conn.sock is sock


def test_chunked_request_bodies_are_read(fake: FakeHelios) -> None:
    parts = urlsplit(fake.url)
    conn = http.client.HTTPConnection(parts.hostname or "", parts.port, timeout=5)
    body = json.dumps([{"domain": "LOCAL", "username": "chunky",
                        "localUserParams": {"password": "pw"}}]).encode()
    conn.request("POST", "/v2/users", body=iter([body[:10], body[10:]]), encode_chunked=True,
                 headers={"apiKey": fake.api_key, "Content-Type": "application/json"})
    response = conn.getresponse()
    assert response.status == 201
    assert json.loads(response.read())["users"][0]["username"] == "chunky"
    conn.close()


# -- users -----------------------------------------------------------------------------


def test_seeded_admin(fake: FakeHelios, api: h.UserApi) -> None:
    (admin,) = api.get_users().users or []
    assert admin.username == "admin" and admin.domain == "LOCAL"
    assert admin.roles == ["COHESITY_ADMIN"]
    assert admin.sid and SID.fullmatch(admin.sid)
    assert admin.primary_group == "local-users"
    assert admin.locked is False and admin.locked_reason == "NotLocked"
    session = api.create_session(h.CreateUserSessionRequestParams(username="admin",
                                                                   password="admin"))
    assert session.session_id
    keys = api.get_all_api_keys().api_keys or []
    assert [(k.name, k.user_sid) for k in keys] == [("bootstrap", admin.sid)]


def test_create_users_returns_full_users(api: h.UserApi, raw: Raw) -> None:
    before = now_msecs()
    created = api.create_users([
        local("bob", email="bob@example.com", roles=["COHESITY_VIEWER"]),
        h.CreateUserParameters(username="carol", domain="corp.example.com",
                               description="from AD", restricted=True, locked=True),
    ]).users or []
    bob, carol = created
    assert bob.sid and carol.sid and SID.fullmatch(bob.sid) and SID.fullmatch(carol.sid)
    assert bob.sid != carol.sid
    assert bob.local_user_params is not None and bob.local_user_params.email == "bob@example.com"
    assert bob.primary_group == "local-users" and bob.other_groups == []
    assert bob.created_time_msecs is not None and bob.created_time_msecs >= before
    assert bob.last_updated_time_msecs == bob.created_time_msecs
    assert bob.last_login_time_msecs is None and bob.tenant_id is None
    assert bob.s3_account_params is not None and bob.s3_account_params.s3_access_key_id
    assert carol.local_user_params is None and carol.primary_group is None
    assert (carol.description, carol.restricted, carol.locked, carol.locked_reason) == (
        "from AD", True, True, "LockedByAdmin"
    )
    _, _, body = raw("GET", f"/users/{bob.sid}")
    assert "password" not in json.dumps(body) and "pw" not in json.dumps(body)
    assert set(body["s3AccountParams"]) == {"s3AccountId", "s3AccessKeyId"}
    assert api.get_user_by_sid(bob.sid) == bob


def test_create_users_conflicts_case_insensitively_and_creates_nothing(
    api: h.UserApi, raw: Raw
) -> None:
    api.create_users([local("bob")])
    before = snapshot(raw)
    with pytest.raises(h.ConflictException) as caught:
        api.create_users([local("zed"), h.CreateUserParameters(
            username="BOB", domain="local", local_user_params=h.LocalUserParams(password="pw"))])
    assert caught.value.error_code == "KAlreadyExists"
    assert "body[1]" in (caught.value.message or "")
    with pytest.raises(h.ConflictException):
        api.create_users([local("amy"), local("Amy")])
    assert snapshot(raw) == before
    # The same name in another domain is another user.
    api.create_users([h.CreateUserParameters(username="bob", domain="corp.example.com")])


def test_create_users_validates_the_whole_request_first(raw: Raw) -> None:
    before = snapshot(raw)
    cases = [
        ([{"domain": "LOCAL", "username": "ok"}, {"domain": "LOCAL"}], "body[1].username"),
        ([{"domain": "LOCAL", "username": "ok"}, {"username": "x"}], "body[1].domain"),
        ([{"domain": "LOCAL", "username": "ok", "roles": "admin"}], "body[0].roles"),
        ([{"domain": "LOCAL", "username": "ok", "expiryTimeMsecs": "soon"}],
         "body[0].expiryTimeMsecs"),
        ([{"domain": "LOCAL", "username": "ok", "locked": "yes"}], "body[0].locked"),
        ([{"domain": "LOCAL", "username": " "}], "body[0].username"),
        ([{"domain": "corp", "username": "x", "localUserParams": {"password": "p"}}],
         "body[0].localUserParams"),
        ([{"domain": "LOCAL", "username": "x", "localUserParams": {"email": 5}}],
         "body[0].localUserParams.email"),
        ([], "body"),
        ({"domain": "LOCAL", "username": "x"}, "body"),
    ]
    for body, field in cases:
        expect_error(raw("POST", "/users", body), 400, "KInvalidRequest", field)
    assert snapshot(raw) == before


def test_get_users_filters(fake: FakeHelios, api: h.UserApi, raw: Raw) -> None:
    fake.add_role("AUDITOR", ["PRINCIPAL_VIEW"])
    api.create_users([
        local("alice", email="Alice@Example.com", roles=["COHESITY_VIEWER"]),
        local("alicia", roles=["COHESITY_ADMIN", "AUDITOR"]),
        h.CreateUserParameters(username="bob", domain="corp.example.com", roles=["AUDITOR"]),
    ])
    status, _, _ = raw("POST", "/users", [
        {"domain": "LOCAL", "username": "tina", "tenantId": "acme/",
         "localUserParams": {"password": "pw"}},
        {"domain": "LOCAL", "username": "tom", "tenantId": "globex/",
         "localUserParams": {"password": "pw"}},
    ])
    assert status == 201
    assert names(api.get_users()) == ["admin", "alice", "alicia", "bob"]
    assert names(api.get_users(domain="local")) == ["admin", "alice", "alicia"]
    assert names(api.get_users(domain="CORP.example.com")) == ["bob"]
    assert names(api.get_users(usernames=["ALICE"])) == ["alice"]
    assert names(api.get_users(usernames=["ali"])) == []
    assert names(api.get_users(usernames=["ALI"], match_partial_names=True)) == [
        "alice", "alicia"
    ]
    assert names(api.get_users(usernames=["ali", "ob"], match_partial_names=True)) == [
        "alice", "alicia", "bob"
    ]
    assert names(api.get_users(email_addresses=["alice@example.COM"])) == ["alice"]
    assert names(api.get_users(roles=["AUDITOR", "NOPE"])) == ["alicia", "bob"]
    assert names(api.get_users(roles=["COHESITY_ADMIN"])) == ["admin", "alicia"]
    alice = sid_of(api, "alice")
    bob = sid_of(api, "bob")
    assert names(api.get_users(sids=[bob, alice])) == ["alice", "bob"]
    assert names(api.get_users(sids=[bob], roles=["COHESITY_ADMIN"])) == []
    # Tenants: none by default, all with includeTenants, exactly those with tenantIds.
    assert names(api.get_users(include_tenants=True)) == [
        "admin", "alice", "alicia", "bob", "tina", "tom"
    ]
    assert names(api.get_users(tenant_ids=["acme/"])) == ["tina"]
    assert names(api.get_users(tenant_ids=["acme/", "globex/"], include_tenants=False)) == [
        "tina", "tom"
    ]
    assert api.get_users(tenant_ids=["acme/"]).users[0].tenant_id == "acme/"  # type: ignore
    # Commas inside one item are escaped by the SDK and stay inside it.
    assert names(api.get_users(usernames=["alice,bob"])) == []


def test_update_user(fake: FakeHelios, api: h.UserApi, raw: Raw) -> None:
    fake.add_role("AUDITOR", ["PRINCIPAL_VIEW"])
    (bob,) = api.create_users([local("bob", password="old", email="b@x.com")]).users or []
    assert bob.sid
    locked = api.update_user(bob.sid, h.UpdateUserParameters(locked=True, roles=["AUDITOR"],
                                                             description="Bob"))
    assert (locked.locked, locked.locked_reason, locked.roles, locked.description) == (
        True, "LockedByAdmin", ["AUDITOR"], "Bob"
    )
    assert locked.last_updated_time_msecs is not None and bob.created_time_msecs is not None
    assert locked.last_updated_time_msecs >= bob.created_time_msecs
    assert api.get_user_by_sid(bob.sid) == locked
    unlocked = api.update_user(bob.sid, h.UpdateUserParameters(locked=False))
    assert (unlocked.locked, unlocked.locked_reason, unlocked.roles) == (
        False, "NotLocked", ["AUDITOR"]
    )
    api.update_user(bob.sid, h.UpdateUserParameters(
        local_user_params=h.LocalUserUpdateParams(password="new", email="bob@x.com")))
    assert api.get_user_by_sid(bob.sid).local_user_params.email == "bob@x.com"  # type: ignore
    with pytest.raises(h.UnauthorizedException):
        api.create_session(h.CreateUserSessionRequestParams(username="bob", password="old"))
    api.create_session(h.CreateUserSessionRequestParams(username="bob", password="new"))
    # Unknown fields are ignored; wrong types and a wrong current password are not.
    status, _, body = raw("PUT", f"/users/{bob.sid}", {"color": "blue", "restricted": True})
    assert status == 200 and body["restricted"] is True and "color" not in body
    before = snapshot(raw)
    expect_error(raw("PUT", f"/users/{bob.sid}", {"locked": "yes"}), 400, "KInvalidRequest",
                 "body.locked")
    expect_error(raw("PUT", f"/users/{bob.sid}", {"roles": ["A", 1]}), 400, "KInvalidRequest",
                 "body.roles[1]")
    expect_error(raw("PUT", f"/users/{bob.sid}", {"localUserParams": {
        "currentPassword": "wrong", "password": "x"}}), 400, "KInvalidRequest",
        "currentPassword")
    expect_error(raw("PUT", f"/users/{bob.sid}", [1]), 400, "KInvalidRequest", "body")
    expect_error(raw("PUT", "/users/S-1-100-21-1-1", {"locked": True}), 404, "KNotFound")
    assert snapshot(raw) == before
    (carol,) = api.create_users([h.CreateUserParameters(username="c", domain="ad")]).users or []
    assert carol.sid
    with pytest.raises(h.BadRequestException):
        api.update_user(carol.sid, h.UpdateUserParameters(
            local_user_params=h.LocalUserUpdateParams(password="x")))


def test_delete_user_takes_its_sessions_keys_memberships_and_sources(
    fake: FakeHelios, api: h.UserApi
) -> None:
    (bob, amy) = api.create_users([local("bob"), local("amy")]).users or []
    assert bob.sid and amy.sid
    api.create_session(h.CreateUserSessionRequestParams(username="bob", password="pw"))
    api.create_session(h.CreateUserSessionRequestParams(username="amy", password="pw"))
    key = api.create_user_api_key(bob.sid, h.CreateOrUpdateAPIKeyRequest(name="k"))
    api.create_group([h.CreateGroupParams(name="g", domain="LOCAL", local_group_params=(
        h.LocalGroupParams(user_sids=[bob.sid, amy.sid])))])
    api.update_principal_sources(bob.sid, h.AssignedSources(source_ids=[1], view_ids=[2]))
    assert api.delete_user(bob.sid) is None
    with pytest.raises(h.NotFoundException) as caught:
        api.get_user_by_sid(bob.sid)
    assert caught.value.error_code == "KNotFound"
    with pytest.raises(h.NotFoundException):
        api.delete_user(bob.sid)
    with pytest.raises(h.NotFoundException):
        api.get_principal_sources(bob.sid)
    counts = api.get_active_sessions_count()
    assert counts.total_sessions_count == 1
    assert [(s.sid, s.sessions_count) for s in counts.sessions_per_user or []] == [(amy.sid, 1)]
    assert [k.name for k in api.get_all_api_keys().api_keys or []] == ["bootstrap"]
    (group,) = api.get_groups().groups or []
    assert group.local_group_params and group.local_group_params.user_sids == [amy.sid]
    with pytest.raises(h.UnauthorizedException):
        api.get_users(_request_auth={"in": "header", "key": "apiKey", "value": key.api_key or ""})


def test_delete_users_is_all_or_nothing(api: h.UserApi) -> None:
    users = api.create_users([local("a"), local("b"), local("c")]).users or []
    sids = [u.sid or "" for u in users]
    with pytest.raises(h.NotFoundException) as caught:
        api.delete_users(h.DeleteUsersRequest(sids=[sids[0], "S-1-100-21-9-9"]))
    assert "S-1-100-21-9-9" in (caught.value.message or "")
    assert names(api.get_users()) == ["admin", "a", "b", "c"]
    api.delete_users(h.DeleteUsersRequest(sids=[sids[0], sids[2], sids[0]]))
    assert names(api.get_users()) == ["admin", "b"]


def test_delete_users_needs_a_non_empty_list(raw: Raw) -> None:
    expect_error(raw("POST", "/users/delete", {"sids": []}), 400, "KInvalidRequest", "body.sids")
    expect_error(raw("POST", "/users/delete", {}), 400, "KInvalidRequest", "body.sids")
    expect_error(raw("POST", "/users/delete"), 400, "KInvalidRequest", "body")


def test_regenerate_s3_key(api: h.UserApi) -> None:
    (bob,) = api.create_users([local("bob")]).users or []
    assert bob.sid
    first = api.regenerate_s3_key_with_http_info(bob.sid)
    assert first.status_code == 201
    assert first.data is not None and first.data.secret_key
    again = api.regenerate_s3_key(bob.sid)
    assert again.secret_key and again.secret_key != first.data.secret_key
    assert api.get_user_by_sid(bob.sid).s3_account_params == bob.s3_account_params
    with pytest.raises(h.NotFoundException):
        api.regenerate_s3_key("S-1-100-21-1-1")


# -- sessions --------------------------------------------------------------------------


def test_sessions(api: h.UserApi) -> None:
    (bob, amy, dir_user) = api.create_users([
        local("bob"), local("amy"), h.CreateUserParameters(username="d", domain="corp"),
    ]).users or []
    assert bob.sid and amy.sid and dir_user.sid
    login = h.CreateUserSessionRequestParams
    created = api.create_session_with_http_info(login(username="BOB", password="pw",
                                                      domain="LOCAL"))
    assert created.status_code == 201
    assert created.data is not None and created.data.session_id
    second = api.create_session(login(username="bob", password="pw"))
    assert second.session_id != created.data.session_id
    api.create_session(login(username="amy", password="pw"))
    assert api.get_user_by_sid(bob.sid).last_login_time_msecs is not None
    counts = api.get_active_sessions_count()
    assert counts.total_sessions_count == 3
    assert [(s.sid, s.sessions_count) for s in counts.sessions_per_user or []] == [
        (bob.sid, 2), (amy.sid, 1)
    ]
    only_amy = api.get_active_sessions_count(sids=[amy.sid])
    assert only_amy.total_sessions_count == 1
    assert api.delete_session(sid=bob.sid) is None
    assert api.get_active_sessions_count().total_sessions_count == 1
    with pytest.raises(h.NotFoundException):
        api.delete_session(sid="S-1-100-21-1-1")
    api.delete_session(all_sessions=True)
    assert api.get_active_sessions_count().total_sessions_count == 0
    assert api.get_active_sessions_count().sessions_per_user == []


@pytest.mark.parametrize("change", [
    {"locked": True},
    {"expiryTimeMsecs": 1},
    {"effectiveTimeMsecs": 2**62},
])
def test_a_locked_expired_or_not_yet_effective_user_cannot_log_in(
    raw: Raw, change: Dict[str, Any]
) -> None:
    sid = raw("POST", "/users", [{"domain": "LOCAL", "username": "bob",
                                  "localUserParams": {"password": "pw"}}])[2]["users"][0]["sid"]
    assert raw("PUT", f"/users/{sid}", change)[0] == 200
    message = expect_error(raw("POST", "/users/sessions", {"username": "bob", "password": "pw"}),
                           401, "KUnauthorized")
    assert "pw" not in message


def test_wrong_credentials_are_refused_without_echoing_them(raw: Raw) -> None:
    raw("POST", "/users", [{"domain": "LOCAL", "username": "bob",
                            "localUserParams": {"password": "s3cret!"}},
                           {"domain": "corp", "username": "dir"}])
    for body in ({"username": "bob", "password": "guess-123"},
                 {"username": "nobody", "password": "guess-123"},
                 {"username": "dir", "password": "guess-123", "domain": "corp"},
                 {"username": "bob", "password": "s3cret!", "domain": "corp"}):
        message = expect_error(raw("POST", "/users/sessions", body), 401, "KUnauthorized")
        assert "guess-123" not in message and "s3cret!" not in message
    expect_error(raw("POST", "/users/sessions", {"password": "x"}), 400, "KInvalidRequest",
                 "username")
    expect_error(raw("POST", "/users/sessions", {"username": "bob", "otpType": "sms",
                                                 "password": "x"}),
                 400, "KInvalidRequest", "body.otpType")
    assert raw("GET", "/users/sessions")[2]["totalSessionsCount"] == 0


# -- API keys --------------------------------------------------------------------------


def test_api_key_lifecycle(fake: FakeHelios, api: h.UserApi, raw: Raw) -> None:
    admin = sid_of(api, "admin")
    (bob,) = api.create_users([local("bob")]).users or []
    assert bob.sid
    created = api.create_user_api_key_with_http_info(
        bob.sid, h.CreateOrUpdateAPIKeyRequest(name="ci", expiry_time_msecs=2**50))
    assert created.status_code == 201
    key = created.data
    assert key is not None and key.id and UUID.fullmatch(key.id) and key.api_key
    assert (key.name, key.user_sid, key.created_by_user_sid, key.is_active, key.is_expired,
            key.expiry_time_msecs, key.last_rotated_time_msecs) == (
        "ci", bob.sid, admin, True, False, 2**50, None)
    as_bob = {"in": "header", "key": "apiKey", "value": key.api_key}
    # The new key works, and the keys it creates are created by bob.
    other = api.create_user_api_key(bob.sid, h.CreateOrUpdateAPIKeyRequest(name="second"),
                                    _request_auth=as_bob)
    assert other.created_by_user_sid == bob.sid
    # The secret is shown only when created or rotated.
    for path in (f"/users/{bob.sid}/api-keys", "/api-keys",
                 f"/users/{bob.sid}/api-keys/{key.id}"):
        status, _, body = raw("GET", path)
        assert status == 200 and key.api_key not in json.dumps(body)
        assert '"apiKey"' not in json.dumps(body)
    fetched = api.get_user_api_key_by_id(id=key.id, user_sid=bob.sid)
    assert fetched.name == "ci" and fetched.id == key.id
    updated = api.update_user_api_key_by_id(
        id=key.id, user_sid=bob.sid, body=h.CreateOrUpdateAPIKeyRequest(name="ci-2"))
    assert (updated.name, updated.is_active, updated.expiry_time_msecs) == ("ci-2", True, 2**50)
    rotated = api.rotate_user_api_key_with_http_info(user_sid=bob.sid, id=key.id)
    assert rotated.status_code == 200
    assert rotated.data is not None and rotated.data.api_key
    assert rotated.data.api_key != key.api_key and rotated.data.id == key.id
    assert rotated.data.last_rotated_time_msecs is not None
    with pytest.raises(h.UnauthorizedException):
        api.get_users(_request_auth=as_bob)
    as_rotated = {"in": "header", "key": "apiKey", "value": rotated.data.api_key}
    assert names(api.get_users(_request_auth=as_rotated)) == ["admin", "bob"]
    assert api.delete_user_api_key_by_id(user_sid=bob.sid, id=key.id) is None
    with pytest.raises(h.UnauthorizedException):
        api.get_users(_request_auth=as_rotated)
    with pytest.raises(h.NotFoundException):
        api.get_user_api_key_by_id(id=key.id, user_sid=bob.sid)
    # A key is found only under its owner.
    with pytest.raises(h.NotFoundException):
        api.get_user_api_key_by_id(id=other.id or "", user_sid=admin)


def test_api_key_errors(api: h.UserApi, raw: Raw) -> None:
    admin = sid_of(api, "admin")
    with pytest.raises(h.NotFoundException):
        api.create_user_api_key("S-1-100-21-1-1", h.CreateOrUpdateAPIKeyRequest(name="k"))
    before = snapshot(raw)
    expect_error(raw("POST", f"/users/{admin}/api-keys", {}), 400, "KInvalidRequest",
                 "body.name")
    expect_error(raw("POST", f"/users/{admin}/api-keys", {"name": None}), 400,
                 "KInvalidRequest", "body.name")
    expect_error(raw("POST", f"/users/{admin}/api-keys", {"name": ""}), 400,
                 "KInvalidRequest", "body.name")
    expect_error(raw("POST", f"/users/{admin}/api-keys", {"name": "k", "isActive": 1}), 400,
                 "KInvalidRequest", "body.isActive")
    expect_error(raw("POST", f"/users/{admin}/api-keys",
                     {"name": "k", "expiryTimeMsecs": 1.5}),
                 400, "KInvalidRequest", "body.expiryTimeMsecs")
    expect_error(raw("POST", f"/users/{admin}/api-keys",
                     {"name": "k", "expiryTimeMsecs": 2**64}),
                 400, "KInvalidRequest", "body.expiryTimeMsecs")
    assert snapshot(raw) == before
    for method, suffix in (("GET", ""), ("PUT", ""), ("DELETE", ""), ("POST", "/rotate")):
        body = {"name": "x"} if method == "PUT" else None
        expect_error(raw(method, f"/users/{admin}/api-keys/nope{suffix}", body), 404,
                     "KNotFound")
    expect_error(raw("GET", "/users/S-1-100-21-1-1/api-keys"), 404, "KNotFound")


def test_api_key_filters(api: h.UserApi) -> None:
    admin = sid_of(api, "admin")
    (bob,) = api.create_users([local("bob")]).users or []
    assert bob.sid
    req = h.CreateOrUpdateAPIKeyRequest
    live = api.create_user_api_key(bob.sid, req(name="live"))
    off = api.create_user_api_key(bob.sid, req(name="off", is_active=False))
    old = api.create_user_api_key(admin, req(name="old", expiry_time_msecs=now_msecs() - 1000))
    assert old.is_expired is True and off.is_active is False

    def key_names(result: Any) -> List[str]:
        return [k.name for k in result.api_keys or []]

    assert key_names(api.get_all_api_keys()) == ["bootstrap", "live", "off", "old"]
    assert key_names(api.get_all_api_keys(owner_sids=[bob.sid])) == ["live", "off"]
    assert key_names(api.get_all_api_keys(ids=[old.id or "", live.id or ""])) == ["live", "old"]
    assert key_names(api.get_all_api_keys(is_active=True)) == ["bootstrap", "live", "old"]
    assert key_names(api.get_all_api_keys(is_active=False)) == ["off"]
    assert key_names(api.get_all_api_keys(is_expired=True)) == ["old"]
    assert key_names(api.get_all_api_keys(is_expired=False, is_active=True,
                                          owner_sids=[admin])) == ["bootstrap"]
    assert key_names(api.get_user_api_keys(bob.sid)) == ["live", "off"]
    assert key_names(api.get_user_api_keys(bob.sid, is_active=False)) == ["off"]
    assert key_names(api.get_user_api_keys(bob.sid, ids=[live.id or ""])) == ["live"]
    assert key_names(api.get_user_api_keys(bob.sid, is_expired=True)) == []
    assert key_names(api.get_user_api_keys(admin, is_expired=True)) == ["old"]


# -- auth ------------------------------------------------------------------------------


def test_every_operation_needs_a_valid_api_key(fake: FakeHelios, raw: Raw) -> None:
    for route in ROUTES:
        if route.login:
            continue  # the login is how a caller gets credentials
        path = route.template.replace("{sid}", "S-1").replace("{userSid}", "S-1")
        path = path.replace("{id}", "x")
        body = [] if route.body is not None and route.body.kind == "array" else {}
        missing = raw(route.method, path, body if route.body else None, key=None)
        expect_error(missing, 401, "KUnauthorized", "apiKey")
        wrong = raw(route.method, path, body if route.body else None, key="not-the-key-123")
        message = expect_error(wrong, 401, "KUnauthorized")
        assert "not-the-key-123" not in message
        session = raw(route.method, path, body if route.body else None, key=None,
                      headers={"session-id": "not-a-session-456"})
        message = expect_error(session, 401, "KUnauthorized", "session")
        assert "not-a-session-456" not in message
    assert {r.status for r in fake.requests} == {401}
    assert [route.operation_id for route in ROUTES if route.login] == ["create_session"]


def test_a_session_authenticates_until_it_expires(fake: FakeHelios, raw: Raw) -> None:
    status, _, body = raw("POST", "/users/sessions",
                          {"username": "admin", "password": "admin"}, key=None)
    assert status == 201 and set(body) == {"sessionId"}
    session = {"session-id": body["sessionId"]}
    status, _, users = raw("GET", "/users", key=None, headers=session)
    assert status == 200 and [u["username"] for u in users["users"]] == ["admin"]
    # The session is the user's own on its cluster only.
    other_cluster = raw("GET", "/users", key=None, headers={**session, "accessClusterId": "7"})
    expect_error(other_cluster, 401, "KUnauthorized", "session")
    # The log masks it as it masks the key.
    logged = [r for r in fake.requests if r.operation_id == "get_users"][0]
    assert logged.headers["session-id"] == "***"
    assert body["sessionId"] not in str([r.headers for r in fake.requests])
    # A key wins over a session when both are sent.
    status, _, _ = raw("GET", "/users", headers={"session-id": "stale"})
    assert status == 200
    assert fake.expire_sessions() == 1
    expired = raw("GET", "/users", key=None, headers=session)
    expect_error(expired, 401, "KUnauthorized", "session is not valid")
    assert fake.expire_sessions() == 0


def test_the_session_of_a_locked_or_expired_user_is_refused(raw: Raw) -> None:
    status, _, created = raw("POST", "/users", [{
        "username": "carol", "domain": "LOCAL",
        "localUserParams": {"email": "c@example.com", "password": "pw"}}])
    assert status == 201
    sid = created["users"][0]["sid"]
    _, _, body = raw("POST", "/users/sessions", {"username": "carol", "password": "pw"})
    session = {"session-id": body["sessionId"]}
    assert raw("GET", f"/users/{sid}", key=None, headers=session)[0] == 200
    assert raw("PUT", f"/users/{sid}", {"locked": True})[0] == 200
    expect_error(raw("GET", f"/users/{sid}", key=None, headers=session), 401,
                 "KUnauthorized", "locked")
    assert raw("PUT", f"/users/{sid}", {"locked": False,
                                        "expiryTimeMsecs": now_msecs() - 1})[0] == 200
    expect_error(raw("GET", f"/users/{sid}", key=None, headers=session), 401,
                 "KUnauthorized", "expired")


def test_inactive_and_expired_keys_are_refused(api: h.UserApi) -> None:
    admin = sid_of(api, "admin")
    key = api.create_user_api_key(admin, h.CreateOrUpdateAPIKeyRequest(name="k"))
    assert key.id and key.api_key
    auth = {"in": "header", "key": "apiKey", "value": key.api_key}
    api.get_users(_request_auth=auth)
    update = h.CreateOrUpdateAPIKeyRequest
    api.update_user_api_key_by_id(id=key.id, user_sid=admin, body=update(name="k",
                                                                         is_active=False))
    with pytest.raises(h.UnauthorizedException) as caught:
        api.get_users(_request_auth=auth)
    assert caught.value.error_code == "KUnauthorized"
    assert key.api_key not in str(caught.value) and key.api_key not in (
        caught.value.body or b"").decode()
    api.update_user_api_key_by_id(id=key.id, user_sid=admin, body=update(
        name="k", is_active=True, expiry_time_msecs=now_msecs() - 1))
    with pytest.raises(h.UnauthorizedException):
        api.get_users(_request_auth=auth)
    api.update_user_api_key_by_id(id=key.id, user_sid=admin, body=update(
        name="k", expiry_time_msecs=now_msecs() + 60_000))
    api.get_users(_request_auth=auth)
    # A key created with an expiry in the past never works.
    stale = api.create_user_api_key(admin, update(name="s", expiry_time_msecs=1))
    with pytest.raises(h.UnauthorizedException):
        api.get_users(_request_auth={"in": "header", "key": "apiKey",
                                     "value": stale.api_key or ""})


def test_a_client_without_a_key_is_refused(fake: FakeHelios) -> None:
    config = h.Configuration(host=fake.url, retries=0)
    with h.ApiClient(config) as client:
        with pytest.raises(h.UnauthorizedException) as caught:
            h.UserApi(client).get_users()
    assert caught.value.error_code == "KUnauthorized"


# -- clusters --------------------------------------------------------------------------


def test_clusters_are_isolated(fake: FakeHelios, api: h.UserApi) -> None:
    (on7,) = api.create_users([local("seven")], access_cluster_id=7).users or []
    assert on7.sid
    assert names(api.get_users(access_cluster_id=7)) == ["admin", "seven"]
    assert names(api.get_users(access_cluster_id=9)) == ["admin"]
    assert names(api.get_users()) == ["admin"]
    with pytest.raises(h.NotFoundException):
        api.get_user_by_sid(on7.sid, access_cluster_id=9)
    admins = {sid_of(api, "admin", access_cluster_id=c) for c in (7, 9, None)}
    assert len({SID.fullmatch(s).group(1) for s in admins}) == 3  # type: ignore[union-attr]
    # A key made on cluster 7 works there only; the bootstrap key works everywhere.
    key = api.create_user_api_key(on7.sid, h.CreateOrUpdateAPIKeyRequest(name="k"),
                                  access_cluster_id=7)
    auth = {"in": "header", "key": "apiKey", "value": key.api_key or ""}
    assert names(api.get_users(access_cluster_id=7, _request_auth=auth)) == ["admin", "seven"]
    with pytest.raises(h.UnauthorizedException):
        api.get_users(access_cluster_id=9, _request_auth=auth)
    with pytest.raises(h.UnauthorizedException):
        api.get_users(_request_auth=auth)
    # Big cluster ids arrive exactly; the region is recorded.
    api.get_users(access_cluster_id=2**53 + 1, region_id="eu-west-1")
    headers = fake.requests[-1].headers
    assert headers["accessClusterId"] == str(2**53 + 1) and headers["regionId"] == "eu-west-1"
    # Revoking the bootstrap key on one cluster leaves the others alone.
    admin7 = sid_of(api, "admin", access_cluster_id=7)
    (boot,) = api.get_user_api_keys(admin7, access_cluster_id=7).api_keys or []
    api.delete_user_api_key_by_id(user_sid=admin7, id=boot.id or "", access_cluster_id=7)
    with pytest.raises(h.UnauthorizedException):
        api.get_users(access_cluster_id=7)
    api.get_users(access_cluster_id=9)


def test_a_refused_request_leaves_no_new_cluster_behind(fake: FakeHelios, raw: Raw) -> None:
    # Clusters are made on first use: one a refused request named must not stay.
    assert fake.snapshot()["clusters"] == []
    expect_error(raw("GET", "/users/S-1-100-21-1-1"), 404, "KNotFound")
    expect_error(raw("GET", "/users/x", headers={"accessClusterId": "7"}), 404, "KNotFound")
    expect_error(raw("GET", "/api-keys?isActive=yes", headers={"accessClusterId": "8"}), 400,
                 "KInvalidRequest", "isActive")
    expect_error(raw("POST", "/users", [{"username": "x"}], headers={"accessClusterId": "9"}),
                 400, "KInvalidRequest", "body[0].domain")
    expect_error(raw("POST", "/users/sessions", {"username": "admin", "password": "no"},
                     headers={"accessClusterId": "10"}), 401, "KUnauthorized")
    assert fake.snapshot()["clusters"] == []
    # A request that succeeds makes its cluster, and a refused one then leaves it be.
    assert raw("GET", "/users", headers={"accessClusterId": "7"})[0] == 200
    before = fake.snapshot()
    assert [c["clusterId"] for c in before["clusters"]] == [7]
    expect_error(raw("GET", "/users/x", headers={"accessClusterId": "7"}), 404, "KNotFound")
    assert fake.snapshot() == before


def test_tenant_access_is_helios_level(fake: FakeHelios, api: h.UserApi, raw: Raw) -> None:
    active = api.get_tenant_access().tenant_accesses or []
    assert [(t.tenant_id, t.is_access_active, t.tenant_status) for t in active] == [
        ("acme/", True, "Active")
    ]
    everything = api.get_tenant_access(include_inactive=True).tenant_accesses or []
    assert [(t.tenant_id, t.is_access_active) for t in everything] == [
        ("acme/", True), ("globex/", False)
    ]
    acme = everything[0]
    assert acme.tenant_name == "Acme" and acme.roles and acme.clusters
    assert acme.clusters[0].cluster_id and acme.clusters[0].region_id
    entry = fake.add_tenant_access("initech/", ["COHESITY_VIEWER"],
                                   [7, {"clusterId": 9, "regionId": "us-west-2"}])
    assert entry["clusters"] == [{"clusterId": 7}, {"clusterId": 9, "regionId": "us-west-2"}]
    fake.add_tenant_access("umbrella/", ["R"], [1], active=False, tenant_name="Umbrella Corp")
    assert [t.tenant_id for t in api.get_tenant_access().tenant_accesses or []] == [
        "acme/", "initech/"
    ]
    found = api.get_tenant_access(tenant_ids=["umbrella/", "globex/"], include_inactive=True)
    assert [(t.tenant_id, t.tenant_name, t.tenant_status)
            for t in found.tenant_accesses or []] == [
        ("globex/", "Globex", "Inactive"), ("umbrella/", "Umbrella Corp", "Inactive")
    ]
    assert api.get_tenant_access(tenant_ids=["globex/"]).tenant_accesses == []
    # The Helios-level key decides, whatever accessClusterId says.
    status, _, _ = raw("GET", "/mcm/users/tenant-access", headers={"accessClusterId": "oops"})
    assert status == 200
    expect_error(raw("GET", "/mcm/users/tenant-access?tenantIds=a"), 400, "KInvalidRequest",
                 "tenantIds[0]")
    for bad in (("", ["R"], [1]), ("t/", [], [1]), ("t/", ["R"], []), ("t/", ["R"], ["x"])):
        with pytest.raises(ValueError):
            fake.add_tenant_access(*bad)


# -- groups ----------------------------------------------------------------------------


def test_groups(fake: FakeHelios, api: h.UserApi, raw: Raw) -> None:
    fake.add_role("AUDITOR", ["PRINCIPAL_VIEW"])
    (bob, amy) = api.create_users([local("bob"), local("amy")]).users or []
    assert bob.sid and amy.sid
    result = api.create_group_with_http_info([
        h.CreateGroupParams(name="Operators", domain="LOCAL", roles=["COHESITY_ADMIN"],
                            description="ops", local_group_params=h.LocalGroupParams(
                                user_sids=[bob.sid, amy.sid, bob.sid])),
        h.CreateGroupParams(name="readers", domain="LOCAL", roles=["COHESITY_VIEWER"],
                            local_group_params=h.LocalGroupParams(user_sids=[bob.sid])),
        h.CreateGroupParams(name="Domain Admins", domain="corp.example.com",
                            roles=["COHESITY_ADMIN"], restricted=True),
        h.CreateGroupParams(name="acme-ops", domain="LOCAL", tenant_ids=["acme/"]),
    ])
    assert result.status_code == 201
    ops, readers, domain_admins, acme_ops = result.data.groups or []  # type: ignore[union-attr]
    assert ops.sid and SID.fullmatch(ops.sid) and ops.sid not in (bob.sid, amy.sid)
    assert ops.local_group_params and ops.local_group_params.user_sids == [bob.sid, amy.sid]
    assert (ops.description, ops.restricted, ops.tenant_ids) == ("ops", False, [])
    assert ops.created_time_msecs and ops.last_updated_time_msecs
    assert domain_admins.local_group_params is None and domain_admins.restricted is True
    assert api.get_user_by_sid(bob.sid).other_groups == ["Operators", "readers"]
    assert api.get_user_by_sid(amy.sid).other_groups == ["Operators"]
    assert api.get_group_by_sid(ops.sid) == ops
    # Filters.
    assert group_names(api.get_groups()) == ["Operators", "readers", "Domain Admins"]
    assert group_names(api.get_groups(names=["operators"])) == ["Operators"]
    assert group_names(api.get_groups(names=["op"])) == []
    assert group_names(api.get_groups(names=["OP", "min"], match_partial_names=True)) == [
        "Operators", "Domain Admins"
    ]
    assert group_names(api.get_groups(roles=["COHESITY_VIEWER", "X"])) == ["readers"]
    assert group_names(api.get_groups(domain="corp.EXAMPLE.com")) == ["Domain Admins"]
    assert group_names(api.get_groups(sids=[readers.sid or ""])) == ["readers"]
    assert group_names(api.get_groups(include_tenants=True)) == [
        "Operators", "readers", "Domain Admins", "acme-ops"
    ]
    assert group_names(api.get_groups(tenant_ids=["acme/"])) == ["acme-ops"]
    assert group_names(api.get_groups(tenant_ids=["globex/"])) == []
    assert acme_ops.tenant_ids == ["acme/"]
    # Update replaces membership when localGroupParams is given.
    updated = api.update_group(ops.sid, h.UpdateGroupParameters(
        roles=["AUDITOR"], local_group_params=h.LocalGroupParams(user_sids=[amy.sid]),
        tenant_ids=["acme/"], description="Ops team"))
    assert (updated.roles, updated.description, updated.tenant_ids) == (
        ["AUDITOR"], "Ops team", ["acme/"])
    assert updated.local_group_params and updated.local_group_params.user_sids == [amy.sid]
    assert api.get_user_by_sid(bob.sid).other_groups == ["readers"]
    kept = api.update_group(ops.sid, h.UpdateGroupParameters(restricted=True))
    assert kept.local_group_params and kept.local_group_params.user_sids == [amy.sid]
    assert kept.restricted is True and kept.roles == ["AUDITOR"]
    # Deletes.
    assert api.delete_group(readers.sid or "") is None
    assert api.get_user_by_sid(bob.sid).other_groups == []
    with pytest.raises(h.NotFoundException):
        api.get_group_by_sid(readers.sid or "")
    with pytest.raises(h.NotFoundException):
        api.delete_groups(h.DeleteGroupsRequest(sids=[ops.sid, readers.sid or ""]))
    assert api.get_group_by_sid(ops.sid).name == "Operators"
    api.delete_groups(h.DeleteGroupsRequest(sids=[ops.sid, domain_admins.sid or ""]))
    assert group_names(api.get_groups(include_tenants=True)) == ["acme-ops"]


def test_group_errors_leave_the_state_alone(api: h.UserApi, raw: Raw) -> None:
    (bob,) = api.create_users([local("bob")]).users or []
    (group,) = api.create_group([h.CreateGroupParams(name="g", domain="LOCAL")]).groups or []
    before = snapshot(raw)
    expect_error(raw("POST", "/groups", [{"name": "new", "domain": "LOCAL"},
                                         {"name": "G", "domain": "local"}]),
                 409, "KAlreadyExists", "body[1]")
    expect_error(raw("POST", "/groups", [{"name": "x", "domain": "LOCAL"},
                                         {"name": "x", "domain": "LOCAL"}]),
                 409, "KAlreadyExists")
    expect_error(raw("POST", "/groups", [{"name": "x", "domain": "LOCAL", "localGroupParams": {
        "userSids": [bob.sid, "S-1-100-21-1-1"]}}]), 404, "KNotFound",
        "body[0].localGroupParams.userSids[1]")
    expect_error(raw("POST", "/groups", [{"name": "x", "domain": "ad", "localGroupParams": {}}]),
                 400, "KInvalidRequest", "body[0].localGroupParams")
    expect_error(raw("POST", "/groups", [{"domain": "LOCAL"}]), 400, "KInvalidRequest",
                 "body[0].name")
    expect_error(raw("POST", "/groups", [{"name": "x", "domain": "LOCAL", "tenantIds": "a"}]),
                 400, "KInvalidRequest", "body[0].tenantIds")
    expect_error(raw("PUT", f"/groups/{group.sid}", {"localGroupParams": {
        "userSids": ["S-1-100-21-1-1"]}, "roles": ["X"]}), 404, "KNotFound")
    expect_error(raw("PUT", f"/groups/{group.sid}", {"restricted": "no"}), 400,
                 "KInvalidRequest", "body.restricted")
    expect_error(raw("GET", "/groups/S-1-100-21-1-1"), 404, "KNotFound")
    expect_error(raw("DELETE", "/groups/S-1-100-21-1-1"), 404, "KNotFound")
    expect_error(raw("POST", "/groups/delete", {"sids": []}), 400, "KInvalidRequest")
    assert snapshot(raw) == before


# -- security principals ---------------------------------------------------------------


def test_security_principals_and_sources(api: h.UserApi, raw: Raw) -> None:
    (bob,) = api.create_users([h.CreateUserParameters(username="bob", domain="corp")]).users or []
    (group,) = api.create_group([h.CreateGroupParams(name="g", domain="LOCAL")]).groups or []
    assert bob.sid and group.sid
    found = api.get_security_principals([group.sid, "S-1-100-21-1-1", bob.sid, group.sid])
    assert [(p.object_class, p.principal_name, p.domain_name, p.full_name, p.sid)
            for p in found.security_principals or []] == [
        ("Group", "g", "LOCAL", "g", group.sid), ("User", "bob", "corp", "bob", bob.sid)
    ]
    assert api.get_security_principals(["S-1-100-21-1-1"]).security_principals == []
    expect_error(raw("GET", "/security-principals"), 400, "KInvalidRequest", "sids")
    expect_error(raw("GET", "/security-principals?sids="), 400, "KInvalidRequest", "sids")
    empty = api.get_principal_sources(bob.sid)
    assert (empty.source_ids, empty.view_ids) == ([], [])
    set_ = api.update_principal_sources(bob.sid, h.AssignedSources(source_ids=[1, 2],
                                                                   view_ids=[3]))
    assert (set_.source_ids, set_.view_ids) == ([1, 2], [3])
    assert api.get_principal_sources(bob.sid) == set_
    replaced = api.update_principal_sources(bob.sid, h.AssignedSources(view_ids=[4]))
    assert (replaced.source_ids, replaced.view_ids) == ([], [4])
    api.update_principal_sources(group.sid, h.AssignedSources(source_ids=[9]))
    assert api.get_principal_sources(group.sid).source_ids == [9]
    with pytest.raises(h.NotFoundException):
        api.get_principal_sources("S-1-100-21-1-1")
    with pytest.raises(h.NotFoundException):
        api.update_principal_sources("S-1-100-21-1-1", h.AssignedSources(source_ids=[1]))
    expect_error(raw("PUT", f"/security-principals/{bob.sid}/sources", {"sourceIds": ["1"]}),
                 400, "KInvalidRequest", "body.sourceIds[0]")
    assert api.get_principal_sources(bob.sid).view_ids == [4]


# -- bad requests ----------------------------------------------------------------------


def test_malformed_requests(fake: FakeHelios, raw: Raw) -> None:
    before = snapshot(raw)
    expect_error(raw("POST", "/users", raw_body=b"[{not json"), 400, "KInvalidRequest",
                 "not valid JSON")
    expect_error(raw("POST", "/users", raw_body=b"\xff\xfe\x00"), 400, "KInvalidRequest")
    expect_error(raw("POST", "/users", "just a string"), 400, "KInvalidRequest",
                 "body: must be an array")
    expect_error(raw("POST", "/users/sessions", ["x"]), 400, "KInvalidRequest",
                 "body: must be an object")
    expect_error(raw("POST", "/users", None), 400, "KInvalidRequest", "body: is required")
    expect_error(raw("POST", "/users", [5]), 400, "KInvalidRequest", "body[0]")
    expect_error(raw("GET", "/api-keys?isActive=yes"), 400, "KInvalidRequest", "isActive")
    expect_error(raw("GET", "/users", headers={"accessClusterId": "seven"}), 400,
                 "KInvalidRequest", "accessClusterId")
    expect_error(raw("GET", "/users", headers={"accessClusterId": str(2**63)}), 400,
                 "KInvalidRequest", "accessClusterId")
    malformed = fake.requests[4]
    assert (malformed.operation_id, malformed.json, malformed.status) == (
        "create_users", None, 400)
    assert snapshot(raw) == before


def test_unknown_paths_and_methods(fake: FakeHelios, raw: Raw) -> None:
    expect_error(raw("GET", "/nothing/here"), 404, "KNotFound")
    expect_error(raw("GET", "/users/a/b/c/d"), 404, "KNotFound")
    expect_error(raw("GET", "/users//api-keys"), 404, "KNotFound")
    status, _, body = raw("GET", "/../v1/users")
    assert status == 404 and body["errorCode"] == "KNotFound"
    status, headers, body = raw("PATCH", "/users")
    expect_error((status, headers, body), 405, "KMethodNotAllowed")
    assert headers["Allow"] == "GET, POST"
    expect_error(raw("GET", "/users/delete"), 404, "KNotFound", "user delete")
    assert fake.requests[-1].operation_id == "get_user_by_sid"  # GET: a user of that SID
    status, headers, _ = raw("PUT", "/api-keys")
    assert status == 405 and headers["Allow"] == "GET"
    assert [r.operation_id for r in fake.requests[:2]] == [None, None]


def test_literal_segments_win_and_encoded_slashes_stay_inside_a_sid(
    fake: FakeHelios, raw: Raw
) -> None:
    assert raw("GET", "/users/sessions")[0] == 200
    assert fake.requests[-1].operation_id == "get_active_sessions_count"
    message = expect_error(raw("GET", "/users/a%2Fb"), 404, "KNotFound")
    assert "a/b" in message
    assert fake.requests[-1].operation_id == "get_user_by_sid"
    assert fake.requests[-1].path == "/v2/users/a%2Fb"


# -- faults ----------------------------------------------------------------------------


def test_fail_next_with_times_and_retry_after(fake: FakeHelios, api: h.UserApi) -> None:
    fake.fail_next("create_users", status=503, times=2, retry_after=7)
    for _ in range(2):
        with pytest.raises(h.ServiceException) as caught:
            api.create_users([local("bob")])
        assert caught.value.status == 503
        assert caught.value.headers and caught.value.headers["Retry-After"] == "7"
        assert caught.value.error_code == "KServiceUnavailable"
    assert names(api.get_users()) == ["admin"]  # state untouched; other ops unaffected
    api.create_users([local("bob")])
    assert names(api.get_users()) == ["admin", "bob"]
    assert [r.status for r in fake.requests if r.operation_id == "create_users"] == [
        503, 503, 201
    ]


def test_fail_next_with_a_body_and_a_date(fake: FakeHelios, api: h.UserApi) -> None:
    when = "Wed, 21 Oct 2015 07:28:00 GMT"
    fake.fail_next("get_users", status=429, retry_after=when,
                   body={"errorCode": "KThrottled", "message": "slow down"})
    with pytest.raises(h.ApiException) as caught:
        api.get_users()
    assert caught.value.status == 429 and caught.value.error_code == "KThrottled"
    assert caught.value.headers and caught.value.headers["Retry-After"] == when
    fake.fail_next("get_users", status=500, body=["not", "an", "error"])
    with pytest.raises(h.ServiceException) as failed:
        api.get_users()
    assert json.loads(failed.value.body or b"") == ["not", "an", "error"]
    fake.fail_next("delete_user", status=400)
    with pytest.raises(h.BadRequestException):
        api.delete_user(sid_of(api, "admin"))
    assert names(api.get_users()) == ["admin"]


def test_faults_come_before_authentication(fake: FakeHelios, raw: Raw) -> None:
    fake.fail_next("get_users", status=502)
    expect_error(raw("GET", "/users", key=None), 502, "KBadGateway")
    expect_error(raw("GET", "/users", key=None), 401, "KUnauthorized")


@pytest.mark.parametrize("inject", [
    lambda f: f.fail_next("no_such_op"),
    lambda f: f.delay_next("no_such_op", 1),
    lambda f: f.drop_next("no_such_op"),
    lambda f: f.fail_next("get_users", status=100),
    lambda f: f.fail_next("get_users", status=True),
    lambda f: f.fail_next("get_users", times=0),
    lambda f: f.fail_next("get_users", retry_after=-1),
    lambda f: f.fail_next("get_users", body={1, 2}),
    lambda f: f.delay_next("get_users", -1),
])
def test_bad_fault_requests_are_refused(inject: Any) -> None:
    fake = FakeHelios()  # faults can be queued before start
    with pytest.raises(ValueError):
        inject(fake)


def test_delay_next(fake: FakeHelios, api: h.UserApi) -> None:
    fake.delay_next("get_users", 0.05)
    assert names(api.get_users()) == ["admin"]
    fake.delay_next("create_users", 0.5)
    with pytest.raises(h.ApiTimeoutError):
        api.create_users([local("bob")], _request_timeout=0.1)
    assert [r.operation_id for r in fake.requests] == ["get_users", "create_users"]


def test_delay_next_after_the_action(fake: FakeHelios, api: h.UserApi) -> None:
    # The call is carried out at once, and its answer held back: a slow server that acted.
    fake.delay_next("create_users", 0.6, after_action=True)
    with pytest.raises(h.ApiTimeoutError):
        api.create_users([local("bob")], _request_timeout=0.2)
    assert names(api.get_users()) == ["admin", "bob"]
    started = time.monotonic()
    fake.delay_next("get_users", 0.2, after_action=True)
    assert names(api.get_users()) == ["admin", "bob"]
    assert time.monotonic() - started >= 0.2


def test_drop_next_before_the_action(fake: FakeHelios, api: h.UserApi) -> None:
    fake.drop_next("create_users")
    with pytest.raises(h.ApiConnectionError):
        api.create_users([local("bob")])
    assert names(api.get_users()) == ["admin"]
    assert [(r.operation_id, r.status) for r in fake.requests] == [
        ("create_users", 0), ("get_users", 200)
    ]
    api.create_users([local("bob")])


def test_drop_next_after_the_action(fake: FakeHelios, api: h.UserApi) -> None:
    fake.drop_next("create_users", after_action=True)
    with pytest.raises(h.ApiConnectionError):
        api.create_users([local("bob")])
    assert names(api.get_users()) == ["admin", "bob"]  # acted on, never answered
    with pytest.raises(h.ConflictException):
        api.create_users([local("bob")])


def test_a_drop_wins_over_a_failure_and_faults_queue_per_kind(
    fake: FakeHelios, raw: Raw, api: h.UserApi
) -> None:
    fake.fail_next("get_users", status=500, times=2)
    fake.drop_next("get_users")
    with pytest.raises(h.ApiConnectionError):
        api.get_users()
    with pytest.raises(h.ServiceException):
        api.get_users()  # the drop took the call; one failure is left
    assert names(api.get_users()) == ["admin"]


# -- the request log and reset ---------------------------------------------------------


def test_requests_are_logged_with_the_key_masked(fake: FakeHelios, api: h.UserApi,
                                                  raw: Raw) -> None:
    api.get_users(usernames=["a", "b"], include_tenants=True, access_cluster_id=3,
                  region_id="r1")
    api.create_users([local("bob")])
    raw("GET", "/nope", headers={"APIKEY": "other-secret"}, key=None)
    first, second, third = fake.requests
    assert isinstance(first, FakeRequest)
    assert (first.method, first.path, first.operation_id, first.status) == (
        "GET", "/v2/users", "get_users", 200)
    assert first.query == {"usernames": ["a,b"], "includeTenants": ["true"]}
    assert first.headers["apiKey"] == "***"
    assert first.headers["accessClusterId"] == "3" and first.headers["regionId"] == "r1"
    assert first.json is None
    assert second.json == [{"domain": "LOCAL", "roles": ["COHESITY_VIEWER"], "username": "bob",
                            "localUserParams": {"password": "pw"}}]
    assert (second.operation_id, second.status) == ("create_users", 201)
    assert (third.operation_id, third.status, third.headers["APIKEY"]) == (None, 404, "***")
    assert fake.api_key not in repr(fake.requests)
    log = fake.requests
    log.clear()  # a view: this empties the fake's log
    assert len(fake.requests) == 0 and log == []


def test_reset_forgets_state_requests_and_faults(fake: FakeHelios, api: h.UserApi) -> None:
    api.create_users([local("bob")], access_cluster_id=4)
    fake.add_tenant_access("t1/", ["R"], [1])
    fake.fail_next("get_users", times=5)
    fake.reset()
    assert fake.requests == []
    assert names(api.get_users(access_cluster_id=4)) == ["admin"]
    assert len(api.get_tenant_access(include_inactive=True).tenant_accesses or []) == 2
    assert len(fake.requests) == 2


def test_concurrent_calls(fake: FakeHelios) -> None:
    config = fake.configuration(retries=0, connection_pool_maxsize=8)
    with h.ApiClient(config) as client:
        api = h.UserApi(client)
        with ThreadPoolExecutor(8) as pool:
            created = list(pool.map(
                lambda i: (api.create_users([local(f"u{i}")], access_cluster_id=i % 2).users
                           or [])[0].sid, range(40)))
        assert len(set(created)) == 40
        assert len(api.get_users(access_cluster_id=0).users or []) == 21
        assert len(api.get_users(access_cluster_id=1).users or []) == 21
    assert len(fake.requests) == 42
    assert all(r.status in (200, 201) for r in fake.requests)


# -- CLI and pytest plugin -------------------------------------------------------------


@pytest.mark.parametrize("stop_with", [signal.SIGTERM, signal.SIGINT])
def test_cli_serves_until_signalled(stop_with: signal.Signals, tmp_path: Path) -> None:
    key_file = tmp_path / "key"
    key_file.write_text("cli-key\n", encoding="utf-8")
    proc, url, key = start_served_fake("--api-key-file", str(key_file))
    try:
        assert key == "cli-key"
        config = h.Configuration(host=url, retries=0)
        config.api_key["APIKeyHeader"] = "cli-key"
        with h.ApiClient(config) as client:
            assert names(h.UserApi(client).get_users()) == ["admin"]
    finally:
        assert stop_served_fake(proc, stop_with) == (0, "")


def test_cli_reports_a_port_in_use() -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        done = subprocess.run(
            [sys.executable, "-m", "cohesity_sdk.helios.testing", "--port", str(port)],
            cwd=ROOT, capture_output=True, text=True, timeout=30,
        )
    assert done.returncode == 1
    assert done.stdout == "" and "cannot start FakeHelios" in done.stderr


def test_pytest_plugin_fixtures(pytester: pytest.Pytester) -> None:
    pytester.makeconftest('pytest_plugins = ["cohesity_sdk.helios.testing.pytest_plugin"]\n')
    pytester.makepyfile(textwrap.dedent("""
        import cohesity_sdk.helios as h
        from cohesity_sdk.helios.testing import FakeHelios

        def test_fixtures(fake_helios, helios_api):
            assert isinstance(fake_helios, FakeHelios)
            assert isinstance(helios_api, h.UserApi)
            helios_api.create_users([{"domain": "LOCAL", "username": "one",
                                      "localUserParams": {"password": "pw"}}])
            assert [u.username for u in helios_api.get_users().users] == ["admin", "one"]
            assert fake_helios.requests[-1].operation_id == "get_users"

        def test_each_test_gets_a_fresh_fake(helios_api):
            assert [u.username for u in helios_api.get_users().users] == ["admin"]
    """))
    result = pytester.runpytest("-p", "no:cacheprovider")
    result.assert_outcomes(passed=2)
