"""A plan, and the result of applying it, in a real notebook: a Jupyter kernel of this
Python runs the cells, and the outputs are what a user sees: a table of changes."""

from __future__ import annotations

import re
from typing import Any, Dict

import pytest
from conftest import cell_output, run_notebook

pytest.importorskip("nbformat", reason="the notebook test needs nbformat")
pytest.importorskip("nbclient", reason="the notebook test needs nbclient")
pytest.importorskip("ipykernel.kernelspec", reason="the notebook test needs ipykernel")

KERNEL = "cohesity-sdk-access-test"
PASSWORD = "Notebook-svc-Passw0rd"

CELLS = [
    # 0: a fake with two clusters, and an access file for them
    "import os\n"
    "from cohesity_sdk.helios import ApiClient, UserApi, access\n"
    "from cohesity_sdk.helios.testing import FakeHelios\n"
    "fake = FakeHelios()\n"
    "fake.start()\n"
    "api = UserApi(ApiClient(fake.configuration()))\n"
    f"os.environ['SVC_BACKUP_PASSWORD'] = {PASSWORD!r}\n"
    "wanted = access.parse({\n"
    "    'clusters': [4213516873913468, 5523896512376540],\n"
    "    'users': [{'username': 'svc-backup', 'roles': ['COHESITY_OPERATOR'],\n"
    "               'password_env': 'SVC_BACKUP_PASSWORD',\n"
    "               'api_keys': [{'name': 'nightly', 'secret_file': 'keys/nightly-{cluster}'}]},\n"
    "              {'username': 'jdoe', 'domain': 'corp.example.com'}],\n"
    "    'groups': [{'name': 'backup-ops', 'members': ['svc-backup']}]})",
    # 1: the plan
    "planned = access.plan(api, wanted)\nplanned",
    # 2: the result
    "result = access.apply(api, planned)\nresult",
    # 3: the secrets, printed only so that the test can look for them elsewhere
    "print(open('keys/nightly-4213516873913468').read().strip())\n"
    "print(open('keys/nightly-5523896512376540').read().strip())",
    # 4: in sync now
    "access.plan(api, wanted)",
    "fake.stop()",
]


@pytest.fixture(scope="module")
def notebook(tmp_path_factory: pytest.TempPathFactory) -> Dict[int, Any]:
    return run_notebook(tmp_path_factory.mktemp("notebook"), CELLS, KERNEL)


def test_a_plan_shows_as_a_table_of_changes(notebook: Dict[int, Any]) -> None:
    html = cell_output(notebook[1], "text/html")
    assert html.startswith("<table>") and html.endswith("</table>")
    assert "Plan of &lt;data&gt;: Plan: 8 to create, 2 to update, 0 to delete on 2 clusters" \
        in html
    headers = re.findall(r"<th>([^<]*)</th>", html)
    assert headers == ["cluster", "#", "action", "object", "field", "before", "after", "needs"]
    rows = re.findall(r"<tr>(.*?)</tr>", html)
    cells = [re.findall(r"<td[^>]*>(.*?)</td>", row) for row in rows]
    first = next(c for c in cells if c and c[0] == "4213516873913468")
    assert first == ["4213516873913468", "1", "create", "user LOCAL\\svc-backup", "roles", "",
                     "COHESITY_OPERATOR", ""]
    assert ["", "", "", "", "password", "", "from $SVC_BACKUP_PASSWORD", ""] in cells
    assert any(c[2:4] == ["update", "members of group LOCAL\\backup-ops"] and c[-1] == "#1, #4"
               for c in cells if len(c) == 8)
    text = cell_output(notebook[1], "text/plain")
    assert text.splitlines()[0] == "cluster 4213516873913468: 4 to create, 1 to update, " \
                                   "0 to delete; 0 in sync"


def test_a_result_shows_as_a_table_of_results(notebook: Dict[int, Any]) -> None:
    html = cell_output(notebook[2], "text/html")
    assert "Apply: 10 done, 0 failed, 0 skipped on 2 clusters." in html
    assert html.count(">done</td>") == 10
    assert cell_output(notebook[2], "text/plain").splitlines()[-1] == \
        "Apply: 10 done, 0 failed, 0 skipped on 2 clusters."


def test_in_sync_shows_so(notebook: Dict[int, Any]) -> None:
    assert "In sync: nothing to change on 2 clusters" in cell_output(notebook[4], "text/html")


def test_no_secret_shows(notebook: Dict[int, Any]) -> None:
    secrets = cell_output(notebook[3], "stream").split()
    assert len(secrets) == 2 and all(len(s) >= 16 for s in secrets)
    for cell in (0, 1, 2, 4):
        for kind in ("text/html", "text/plain", "stream"):
            shown = cell_output(notebook[cell], kind)
            for secret in [*secrets, PASSWORD]:
                assert secret not in shown
