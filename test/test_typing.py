"""What a type checker sees in code written against the SDK: mypy --strict on a user's file."""

from __future__ import annotations

import re
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Dict, List

import urllib3

ROOT = Path(__file__).resolve().parent.parent

USER_CODE = '''
import cohesity_sdk.helios as helios

api = helios.UserApi(helios.ApiClient(helios.Configuration(host="https://h.example/v2")))
reveal_type(api.get_users())  # L:plain
reveal_type(api.get_users_with_http_info())  # L:info
reveal_type(api.get_users_with_http_info().data)  # L:data
reveal_type(api.get_users_without_preload_content())  # L:raw
reveal_type(api.delete_user("S-1"))  # L:none
reveal_type(api.delete_user_with_http_info("S-1"))  # L:none-info
api.get_users(domain="LOCAL", _deadline=5, _retries=2, _request_timeout=(1, 2),
              _headers={"X-Trace": "t"}, _request_auth=helios.NoAuth())
api.get_users(_retries=helios.RetryPolicy(1, backoff_base=0.1))
api.get_users(_deadline="soon")  # L:bad-deadline
api.get_users(_retry=2)  # L:bad-name
api.get_user_by_sid_with_http_info(5)  # L:bad-arg
try:
    api.get_users()
except helios.ApiException as error:
    attempts: int = error.attempts
'''


def mypy_lines(code: str, tmp_path: Path) -> Dict[str, List[str]]:
    """mypy's messages for ``code``, by the ``# L:name`` marker of their line."""
    source = tmp_path / "user_code.py"
    source.write_text(textwrap.dedent(code))
    result = subprocess.run(
        # The SDK's own files are checked by its own mypy run: here only what they give.
        [sys.executable, "-m", "mypy", "--strict", "--no-error-summary",
         "--follow-imports=silent", "--cache-dir", str(tmp_path / ".mypy_cache"),
         str(source)],
        capture_output=True, text=True, cwd=tmp_path,
        # The package as a user has it installed; an editable install hides it from mypy.
        env={"MYPYPATH": str(ROOT), "PATH": "", "PYTHONPATH": ""},
    )
    lines = source.read_text().splitlines()
    out: Dict[str, List[str]] = {}
    for message in result.stdout.splitlines():
        match = re.match(r"user_code\.py:(\d+): (?:error|note): (.*)", message)
        if not match:
            continue  # a note that points into the SDK, e.g. where a method is defined
        marker = re.search(r"# L:(\S+)", lines[int(match.group(1)) - 1])
        out.setdefault(marker.group(1) if marker else "unmarked", []).append(match.group(2))
    return out


def test_each_variant_has_its_own_result_type_and_options_are_checked(tmp_path: Path) -> None:
    found = mypy_lines(USER_CODE, tmp_path)
    model = "cohesity_sdk.helios.models.users_list.UsersList"
    response = "cohesity_sdk.helios.api_response.ApiResponse"
    assert found.pop("plain") == [f'Revealed type is "{model}"']
    assert found.pop("info") == [f'Revealed type is "{response}[{model}]"']
    assert found.pop("data") == [f'Revealed type is "{model}"']
    # urllib3 1.26 has no types: its response is Any there.
    raw = "urllib3.response.BaseHTTPResponse" if urllib3.__version__ >= "2" else "Any"
    assert found.pop("raw") == [f'Revealed type is "{raw}"']
    assert found.pop("none") == ['Revealed type is "None"']
    assert found.pop("none-info") == [f'Revealed type is "{response}[None]"']
    assert "_deadline" in found.pop("bad-deadline")[0]
    assert '"_retry"' in found.pop("bad-name")[0]
    assert 'incompatible type "int"; expected "str"' in found.pop("bad-arg")[0]
    assert found == {}, found  # nothing else: the good calls type-check
