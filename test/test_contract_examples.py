"""The documented examples of every UserApi method run unchanged against a server.

``test/data/UserApi.contract.md`` is the API's documentation as users know it. Each of its
27 examples is run as written, with only the host and the API key filled in, against the
recording server; the server answers in the shape the spec gives.
"""

from __future__ import annotations

import contextlib
import io
import re
from pathlib import Path
from typing import Any, Dict, List, Tuple

import pytest
from conftest import API_KEY, RecordingServer

DOC = Path(__file__).parent / "data" / "UserApi.contract.md"

# A realistic answer for each response model of the API.
ANSWERS: Dict[str, Any] = {
    "Groups": {"groups": [{"name": "ops", "domain": "LOCAL", "sid": "S-1-100-2001"}]},
    "UserSession": {"sessionId": "f3c1a0"},
    "CreatedUserAPIKey": {"id": "k1", "name": "ci", "apiKey": "fresh-secret", "isActive": True},
    "UsersList": {"users": [{"username": "alice", "domain": "LOCAL", "sid": "S-1-100-1001"}]},
    "ActiveSessionsCountParams": {
        "totalSessionsCount": 3,
        "sessionsPerUser": [{"sid": "S-1-100-1001", "sessionsCount": 3}],
    },
    "UserAPIKeys": {"apiKeys": [{"id": "k1", "name": "ci", "userSid": "S-1-100-1001"}]},
    "GroupParams": {"name": "ops", "domain": "LOCAL", "sid": "S-1-100-2001"},
    "AssignedSources": {"sourceIds": [1, 2], "viewIds": [3]},
    "SecurityPrincipals": {
        "securityPrincipals": [{"sid": "S-1-100-1001", "objectClass": "User"}]
    },
    "TenantAccessResult": {
        "tenantAccesses": [
            {"tenantId": "acme/", "roles": ["Admin"], "clusters": [{"clusterId": 1}]}
        ]
    },
    "UserAPIKey": {"id": "k1", "name": "ci", "userSid": "S-1-100-1001"},
    "UserParams": {"username": "alice", "domain": "LOCAL", "sid": "S-1-100-1001"},
    "SecretKeyEntity": {"secret-key": "s3-secret"},
}

# Examples whose body is built empty although the spec requires some of its fields:
# the SDK refuses them before sending, and the example prints that error.
REFUSED = {
    "create_group": "body[0].domain: is required",
    "create_user_api_key": "body.name: is required",
    "create_users": "body[0].domain: is required",
    "delete_groups": "body.sids: is required",
    "delete_users": "body.sids: is required",
    "update_user_api_key_by_id": "body.name: is required",
}


def examples() -> List[Tuple[str, str, str]]:
    """(method, return type or '', example code) for each method of the page."""
    text = DOC.read_text(encoding="utf-8")
    found = []
    for section in re.split(r"^# \*\*", text, flags=re.M)[1:]:
        method = section.split("**", 1)[0]
        signature = re.search(r"^> (.*)$", section, re.M)
        assert signature, method
        head = signature.group(1).split("(", 1)[0].split()
        returns = head[0] if len(head) == 2 else ""
        code = re.search(r"```python\n(.*?)```", section, re.S)
        assert code, method
        found.append((method, returns, code.group(1)))
    return found


EXAMPLES = examples()


def test_the_page_documents_all_27_methods() -> None:
    assert len(EXAMPLES) == 27
    assert len({m for m, _, _ in EXAMPLES}) == 27


def run_example(code: str, server: RecordingServer) -> str:
    # Only the two lines a user must fill in are changed.
    host_line = 'host = "/v2"'
    key_line = 'configuration.api_key[\'APIKeyHeader\'] = os.environ["API_KEY"]'
    assert code.count(host_line) == 1 and code.count(key_line) == 1
    code = code.replace(host_line, f'host = "{server.url}"')
    code = code.replace(key_line, f"configuration.api_key['APIKeyHeader'] = {API_KEY!r}")
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(compile(code, "<example>", "exec"), {"__name__": "__example__"})
    return out.getvalue()


@pytest.mark.parametrize("method,returns,code", EXAMPLES, ids=[m for m, _, _ in EXAMPLES])
def test_example_runs_unchanged(
    method: str, returns: str, code: str, server: RecordingServer
) -> None:
    import cohesity_sdk.helios

    if returns:
        status = 201 if method.startswith("create") or method == "regenerate_s3_key" else 200
        server.reply(status, ANSWERS[returns])
    else:
        server.reply(204)
    printed = run_example(code, server)

    if method in REFUSED:
        assert f"Exception when calling UserApi->{method}: {method}(): {REFUSED[method]}" in printed
        assert server.requests == []  # refused before anything was sent
        return

    assert "Exception when calling" not in printed, printed
    assert len(server.requests) == 1
    request = server.last
    assert request.headers["apiKey"] == API_KEY
    # The examples pass both routing parameters.
    assert request.headers["regionId"] == "region_id_example"
    if method != "get_tenant_access":
        assert request.headers["accessClusterId"] == "56"
    if returns:
        assert f"The response of UserApi->{method}:" in printed
        model = getattr(cohesity_sdk.helios, returns)
        # pprint shows the typed result's repr, which carries the server's values
        # (a secret the server sent, such as a new API key, is masked).
        expected = model.from_dict(ANSWERS[returns])
        assert printed.split(":\n", 1)[1].strip() == repr(expected)
        assert "fresh-secret" not in printed and "s3-secret" not in printed
    else:
        assert printed == ""
