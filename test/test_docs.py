"""The code in README.md and docs/ runs as written against a server, and each example of
docs/UserApi.md sends exactly what the spec's x-examples say."""

from __future__ import annotations

import contextlib
import copy
import inspect
import io
import json
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any, Callable, Dict, Iterator, List, NamedTuple, Tuple, Union
from urllib.parse import quote

import pytest
from conftest import API_KEY, Recorded, RecordingServer
from test_contract_examples import ANSWERS

ROOT = Path(__file__).resolve().parent.parent
PUBLIC_HOST = "https://helios.cohesity.com/v2"
SPEC_PATH = ROOT / "spec" / "helios-user-api.json"
SPEC: Dict[str, Any] = json.loads(SPEC_PATH.read_text(encoding="utf-8"))
SCHEMAS: Dict[str, Any] = SPEC["components"]["schemas"]
# operationId -> (HTTP method, path, operation)
OPERATIONS: Dict[str, Tuple[str, str, Dict[str, Any]]] = {
    op["operationId"]: (method.upper(), path, op)
    for path, item in SPEC["paths"].items()
    for method, op in item.items()
}
ENV_READ = re.compile(r'os\.environ\["(\w+)"\]')

Where = Tuple[Union[str, int], ...]  # keys and indexes into a JSON value


def python_blocks(path: Path) -> List[str]:
    return re.findall(r"```python\n(.*?)```", path.read_text(encoding="utf-8"), re.S)


def env_value(name: str) -> str:
    """What the environment holds for ``name`` while an example runs: one value a name."""
    return f"{name.lower()}-from-env"


def run(code: str, server: RecordingServer, monkeypatch: pytest.MonkeyPatch) -> str:
    assert PUBLIC_HOST in code
    for name in ENV_READ.findall(code):
        monkeypatch.setenv(name, env_value(name))
    monkeypatch.setenv("HELIOS_API_KEY", API_KEY)
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(compile(code.replace(PUBLIC_HOST, server.url), "<doc>", "exec"), {})
    return out.getvalue()


def test_readme_first_call(server: RecordingServer, monkeypatch: pytest.MonkeyPatch) -> None:
    code = python_blocks(ROOT / "README.md")[0]
    server.reply(200, {"users": [{"username": "admin", "roles": ["COHESITY_ADMIN"],
                                  "lockedReason": "NotLocked"}]})
    server.reply(201, {"users": [{"username": "report-bot", "sid": "S-1-100-77"}]})
    printed = run(code, server, monkeypatch)
    assert printed == "admin ['COHESITY_ADMIN'] NotLocked\nS-1-100-77\n"
    listing, creation = server.requests
    assert listing.target == "/v2/users?domain=LOCAL&usernames=adm&matchPartialNames=true"
    [password] = ENV_READ.findall(code.split("create_users", 1)[1])
    assert creation.json() == [{
        "domain": "LOCAL",
        "localUserParams": {"email": "report-bot@example.com", "password": env_value(password)},
        "roles": ["COHESITY_VIEWER"],
        "username": "report-bot",
    }]


def test_readme_first_call_without_a_network_ends_in_one_line(
        monkeypatch: pytest.MonkeyPatch) -> None:
    import socket

    with socket.socket() as unused:  # a port nobody listens on: as good as no network
        unused.bind(("127.0.0.1", 0))
        nowhere = f"http://127.0.0.1:{unused.getsockname()[1]}/v2"
    code = python_blocks(ROOT / "README.md")[0].replace(PUBLIC_HOST, nowhere)
    for name in ENV_READ.findall(code):
        monkeypatch.setenv(name, env_value(name))
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(compile(code, "<doc>", "exec"), {})  # no traceback: the family is caught
    [line] = out.getvalue().splitlines()
    assert line.startswith("The call failed: ") and "get_users" in line


def test_readme_links_the_contract_page_nowhere() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "](test/data/UserApi.contract.md)" not in readme
    assert "kept verbatim as the contract" in readme


class Example(NamedTuple):
    method: str
    returns: str  # the response model, "" when there is none
    signature: str  # the section's "> ..." line, without the return type
    code: str


def api_examples() -> List[Example]:
    text = (ROOT / "docs" / "UserApi.md").read_text(encoding="utf-8")
    found = []
    for section in re.split(r"^# \*\*", text, flags=re.M)[1:]:
        method = section.split("**", 1)[0]
        line = re.search(r"^> (.*)$", section, re.M).group(1)  # type: ignore[union-attr]
        head = line.split("(", 1)[0].split()
        code = re.search(r"```python\n(.*?)```", section, re.S).group(1)  # type: ignore[union-attr]
        returns = head[0] if len(head) == 2 else ""
        found.append(Example(method, returns, line[len(returns):].strip(), code))
    return found


EXAMPLES = api_examples()


def test_reference_documents_every_method() -> None:
    assert len(EXAMPLES) == 27
    assert {e.method for e in EXAMPLES} == set(OPERATIONS)


def query_text(value: Any) -> str:
    """A parameter's value as the spec's style puts it (form, explode=false for lists)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return ",".join(query_text(item) for item in value)
    return str(value)


def upper_snake(name: str) -> str:
    return re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "_", name).upper()


def secrets_in(value: Any, schema: Dict[str, Any], at: Where = ()) -> Iterator[Tuple[Where, str]]:
    """Where the JSON ``value`` holds a secret (a field of format password), with the
    field's name."""
    ref = schema.get("$ref")
    if ref:
        schema = SCHEMAS[ref.rsplit("/", 1)[-1]]
    if isinstance(value, dict):
        for key, item in value.items():
            prop = schema["properties"][key]
            if prop.get("format") == "password":
                yield at + (key,), key
            else:
                yield from secrets_in(item, prop, at + (key,))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from secrets_in(item, schema["items"], at + (index,))


def dig(value: Any, at: Where) -> Any:
    for step in at:
        value = value[step]
    return value


def check_request(method: str, code: str, request: Recorded) -> None:
    """The request carries the x-examples of its operation and nothing else."""
    http_method, path, op = OPERATIONS[method]
    params = {p["name"]: p for p in op.get("parameters", [])}
    shown = {name: p["x-example"] for name, p in params.items() if "x-example" in p}
    assert request.method == http_method
    assert request.path == "/v2" + re.sub(
        r"\{(\w+)\}", lambda m: quote(str(shown[m.group(1)]), safe=""), path)
    assert request.params == {name: [query_text(value)] for name, value in shown.items()
                              if params[name]["in"] == "query"}
    headers = {name.lower(): value for name, value in request.headers.items()}
    for name, p in params.items():
        if p["in"] == "header":
            assert headers.get(name.lower()) == (query_text(shown[name]) if name in shown
                                                 else None), name
    body = op.get("requestBody")
    if body is None:
        assert request.body == b""
        return
    sent = request.json()
    expected = copy.deepcopy(body["x-example"])
    for at, field in secrets_in(expected, body["content"]["application/json"]["schema"]):
        # A secret is read from the environment, from a variable named after its field.
        readers = [n for n in ENV_READ.findall(code) if n.endswith(f"_{upper_snake(field)}")]
        assert dig(sent, at) in [env_value(n) for n in readers], (at, readers)
        dig(expected, at[:-1])[at[-1]] = dig(sent, at)
    assert sent == expected


@pytest.mark.parametrize("example", EXAMPLES, ids=[e.method for e in EXAMPLES])
def test_reference_example_succeeds(
    example: Example, server: RecordingServer, monkeypatch: pytest.MonkeyPatch,
) -> None:
    if example.returns:
        server.reply(200, ANSWERS[example.returns])
    else:
        server.reply(204)
    printed = run(example.code, server, monkeypatch)
    assert "failed" not in printed, printed
    assert len(server.requests) == 1
    assert server.last.headers["apiKey"] == API_KEY
    check_request(example.method, example.code, server.last)
    if example.returns:
        import cohesity_sdk.helios

        expected = getattr(cohesity_sdk.helios, example.returns).from_dict(
            ANSWERS[example.returns])
        assert printed == f"{expected}\n"
    else:
        assert printed == ""


@pytest.mark.parametrize("example", EXAMPLES, ids=[e.method for e in EXAMPLES])
def test_reference_signature_is_the_methods(example: Example) -> None:
    """``> name(required, *, optional=...)``, as the method takes them."""
    import cohesity_sdk.helios

    method = getattr(cohesity_sdk.helios.UserApi, example.method)
    parts: List[str] = []
    for p in list(inspect.signature(method).parameters.values())[1:]:  # after self
        if p.kind is p.POSITIONAL_OR_KEYWORD:
            parts.append(p.name)
        elif p.kind is p.KEYWORD_ONLY:
            parts += [] if "*" in parts else ["*"]
            parts.append(f"{p.name}=...")
    assert example.signature == f"{example.method}({', '.join(parts)})"


def test_spec_examples_show_what_matters() -> None:
    """Every required parameter and body has an x-example; a routing header or a
    confirmation never has one, and at most two optional filters do."""
    for method, (_, _, op) in OPERATIONS.items():
        params = op.get("parameters", [])
        for p in params:
            assert "x-example" in p or not p.get("required"), (method, p["name"])
            assert "x-example" not in p or p["in"] != "header", (method, p["name"])
        assert len([p for p in params if not p.get("required") and "x-example" in p]) <= 2
        assert "x-example" in op.get("requestBody", {"x-example": None}), method
    confirming = [(method, op["x-confirm-unfiltered"]["name"])
                  for method, (_, _, op) in OPERATIONS.items() if "x-confirm-unfiltered" in op]
    assert confirming
    for method, name in confirming:
        [example] = [e for e in EXAMPLES if e.method == method]
        assert name not in example.code


def literal_secrets() -> List[str]:
    """What the spec's x-examples hold in secret fields (a placeholder, not a secret)."""
    found = []
    for _, _, op in OPERATIONS.values():
        body = op.get("requestBody", {})
        if "x-example" in body:
            example = body["x-example"]
            schema = body["content"]["application/json"]["schema"]
            found += [dig(example, at) for at, _ in secrets_in(example, schema)]
    return found


def test_no_doc_example_holds_a_literal_secret() -> None:
    secret_fields = sorted({
        re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "_", key).lower()
        for schema in SCHEMAS.values()
        for key, prop in schema.get("properties", {}).items()
        if prop.get("format") == "password"
    })
    assert "password" in secret_fields
    assigned = re.compile(rf"\b({'|'.join(secret_fields)})\s*=(?!=)\s*")
    placeholders = literal_secrets()
    assert placeholders
    passed = 0
    for page in sorted((ROOT / "docs").glob("*.md")):
        for code in python_blocks(page):
            for match in assigned.finditer(code):
                assert code.startswith("os.environ[", match.end()), (page.name, match.group())
                passed += 1
            for placeholder in placeholders:
                assert json.dumps(placeholder) not in code, page.name
    assert passed >= 2  # create_users and create_session pass a password


MODEL_PAGES = sorted(p for p in (ROOT / "docs").glob("*.md") if p.stem in SCHEMAS)


@pytest.mark.parametrize("page", MODEL_PAGES, ids=[p.stem for p in MODEL_PAGES])
def test_model_page_example_runs(page: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    [code] = python_blocks(page)
    for name in ENV_READ.findall(code):
        monkeypatch.setenv(name, env_value(name))
    namespace: Dict[str, Any] = {}
    with contextlib.redirect_stdout(io.StringIO()) as out:
        exec(compile(code, page.name, "exec"), namespace)
    assert namespace["same"] == namespace["instance"]
    for name in ENV_READ.findall(code):
        assert env_value(name) not in out.getvalue()  # printing masks secrets


def drop_example(method: str, name: str) -> Callable[[Dict[str, Any]], None]:
    def change(spec: Dict[str, Any]) -> None:
        op = next(op for item in spec["paths"].values() for op in item.values()
                  if op["operationId"] == method)
        del (op["requestBody"] if name == "body" else
             next(p for p in op["parameters"] if p["name"] == name))["x-example"]
    return change


def literal_password(spec: Dict[str, Any]) -> None:
    spec["paths"]["/users/sessions"]["post"]["requestBody"]["x-example"]["password"] = "hunter2"


@pytest.mark.parametrize("change,message", [
    (drop_example("delete_user", "sid"), "delete_user: path parameter sid has no x-example"),
    (drop_example("create_users", "body"), "create_users: body has no x-example"),
    (literal_password, "create_session: body.password: x-example of a secret must be"),
], ids=["required-parameter", "body", "literal-secret"])
def test_generator_refuses_the_spec(
    tmp_path: Path, change: Callable[[Dict[str, Any]], None], message: str
) -> None:
    (tmp_path / "tools" / "templates").mkdir(parents=True)
    for path in [ROOT / "tools" / "generate.py", *(ROOT / "tools" / "templates").iterdir()]:
        target = tmp_path / path.relative_to(ROOT)
        target.write_text(path.read_text(encoding="utf-8"), encoding="utf-8")
    spec = copy.deepcopy(SPEC)
    change(spec)
    (tmp_path / "spec").mkdir()
    (tmp_path / "spec" / SPEC_PATH.name).write_text(json.dumps(spec, indent=2) + "\n")
    result = subprocess.run([sys.executable, str(tmp_path / "tools" / "generate.py"), "--check"],
                            capture_output=True, text=True, cwd=tmp_path, check=False)
    assert result.returncode == 1
    assert message in result.stderr, result.stderr


def test_readme_fake_helios_snippet_runs_as_written() -> None:
    [code] = [b for b in python_blocks(ROOT / "README.md") if "FakeHelios()" in b]
    exec(compile(code, "<readme>", "exec"), {})  # its asserts are the test


def test_readme_session_login_runs_as_written(monkeypatch: pytest.MonkeyPatch) -> None:
    import cohesity_sdk.helios as helios
    from cohesity_sdk.helios.testing import FakeHelios

    [code] = [b for b in python_blocks(ROOT / "README.md")
              if 'password=os.environ["HELIOS_PASSWORD"]' in b]
    with FakeHelios() as fake:
        admin = helios.UserApi(helios.ApiClient(fake.configuration()))
        admin.create_users([helios.CreateUserParameters(
            username="backup-admin", domain="LOCAL", roles=["COHESITY_ADMIN"],
            local_user_params=helios.LocalUserParams(email="b@example.com",
                                                     password="pw-from-env"))])
        monkeypatch.setenv("HELIOS_HOST", fake.url)
        monkeypatch.setenv("HELIOS_PASSWORD", "pw-from-env")
        out = io.StringIO()
        with contextlib.redirect_stdout(out):
            exec(compile(code, "<readme>", "exec"), {})
        assert out.getvalue() == "['admin', 'backup-admin']\n"
        login, listing = fake.requests[-2:]
        assert (login.operation_id, listing.operation_id) == ("create_session", "get_users")
        assert listing.headers["session-id"] == "***"


def test_readme_bearer_token_auth_runs_as_written(
    server: RecordingServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    import cohesity_sdk.helios as helios

    [code] = [b for b in python_blocks(ROOT / "README.md") if "class BearerToken" in b]
    # The snippet's get_token() stands for the reader's own; where it leaves it out, this
    # one takes its place. Either way the token comes from HELIOS_TOKEN.
    namespace: Dict[str, Any] = {"get_token": lambda: os.environ["HELIOS_TOKEN"]}
    monkeypatch.setenv("HELIOS_HOST", server.url)
    monkeypatch.setenv("HELIOS_TOKEN", "t-1")
    exec(compile(code, "<readme>", "exec"), namespace)
    server.reply(200, {"users": []})
    server.reply(401, {"errorCode": "KUnauthorized", "message": "token expired"})
    server.reply(200, {"users": []})
    configuration = namespace["configuration"]
    assert isinstance(configuration, helios.Configuration)
    with helios.ApiClient(configuration) as client:
        api = helios.UserApi(client)
        assert api.get_users().users == []
        monkeypatch.setenv("HELIOS_TOKEN", "t-2")  # issued meanwhile: used once refused
        assert api.get_users().users == []
    assert [r.headers["Authorization"] for r in server.requests] == [
        "Bearer t-1", "Bearer t-1", "Bearer t-2"]


def test_readme_hooks_snippet_runs_as_written(monkeypatch: pytest.MonkeyPatch) -> None:
    from cohesity_sdk.helios.testing import FakeHelios

    [code] = [b for b in python_blocks(ROOT / "README.md") if "event_hooks=" in b]
    with FakeHelios() as fake:
        monkeypatch.setenv("HELIOS_HOST", fake.url)
        monkeypatch.setenv("HELIOS_API_KEY", fake.api_key)
        out = io.StringIO()
        with contextlib.redirect_stdout(out):
            exec(compile(code, "<readme>", "exec"), {})
        assert out.getvalue() == "['get_users #1: 200']\n"
        sent = fake.requests[-1]
        assert sent.headers["traceparent"].startswith("00-4bf92f3577b34da6")
