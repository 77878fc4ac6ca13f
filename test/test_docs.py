"""The code in README.md and docs/UserApi.md runs as written against a server."""

from __future__ import annotations

import contextlib
import io
import re
from pathlib import Path
from typing import List, Tuple

import pytest
from conftest import API_KEY, RecordingServer
from test_contract_examples import ANSWERS

ROOT = Path(__file__).resolve().parent.parent
PUBLIC_HOST = "https://helios.cohesity.com/v2"


def python_blocks(path: Path) -> List[str]:
    return re.findall(r"```python\n(.*?)```", path.read_text(encoding="utf-8"), re.S)


def run(code: str, server: RecordingServer, monkeypatch: pytest.MonkeyPatch) -> str:
    assert PUBLIC_HOST in code
    monkeypatch.setenv("HELIOS_API_KEY", API_KEY)
    monkeypatch.setenv("NEW_PASSWORD", "pw-from-env")
    monkeypatch.setenv("NEW_USER_PASSWORD", "pw-from-env")
    monkeypatch.setenv("HELIOS_PASSWORD", "pw-from-env")
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
    assert creation.json() == [{
        "domain": "LOCAL",
        "localUserParams": {"email": "report-bot@example.com", "password": "pw-from-env"},
        "roles": ["COHESITY_VIEWER"],
        "username": "report-bot",
    }]


def api_examples() -> List[Tuple[str, str, str]]:
    text = (ROOT / "docs" / "UserApi.md").read_text(encoding="utf-8")
    found = []
    for section in re.split(r"^# \*\*", text, flags=re.M)[1:]:
        method = section.split("**", 1)[0]
        head = re.search(r"^> (.*)$", section, re.M).group(1).split("(", 1)[0].split()  # type: ignore[union-attr]
        code = re.search(r"```python\n(.*?)```", section, re.S).group(1)  # type: ignore[union-attr]
        found.append((method, head[0] if len(head) == 2 else "", code))
    return found


EXAMPLES = api_examples()


def test_reference_documents_every_method() -> None:
    assert len(EXAMPLES) == 27


@pytest.mark.parametrize("method,returns,code", EXAMPLES, ids=[m for m, _, _ in EXAMPLES])
def test_reference_example_succeeds(
    method: str, returns: str, code: str, server: RecordingServer,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    if returns:
        server.reply(200, ANSWERS[returns])
    else:
        server.reply(204)
    printed = run(code, server, monkeypatch)
    assert "failed" not in printed, printed
    assert len(server.requests) == 1
    assert server.last.headers["apiKey"] == API_KEY
    if returns:
        import cohesity_sdk.helios

        expected = getattr(cohesity_sdk.helios, returns).from_dict(ANSWERS[returns])
        assert printed == f"{expected}\n"
    else:
        assert printed == ""


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
    tokens = iter(["t-1", "t-2"])
    namespace = {"get_token": lambda: next(tokens)}
    monkeypatch.setenv("HELIOS_HOST", server.url)
    exec(compile(code, "<readme>", "exec"), namespace)
    server.reply(401, {"errorCode": "KUnauthorized", "message": "token expired"})
    server.reply(200, {"users": []})
    configuration = namespace["configuration"]
    assert isinstance(configuration, helios.Configuration)
    with helios.ApiClient(configuration) as client:
        assert helios.UserApi(client).get_users().users == []
    assert [r.headers["Authorization"] for r in server.requests] == ["Bearer t-1",
                                                                     "Bearer t-2"]
