"""Results in a real notebook: a Jupyter kernel of this Python runs the cells, and the
outputs are what a user sees: an HTML table, text, dates, masked secrets, a DataFrame."""

from __future__ import annotations

import re
import sys
from pathlib import Path
from typing import Any, Dict, List

import pytest
from conftest import cell_output, run_notebook

import cohesity_sdk

pytest.importorskip("nbformat", reason="the notebook test needs nbformat")
pytest.importorskip("nbclient", reason="the notebook test needs nbclient")
pytest.importorskip("ipykernel.kernelspec", reason="the notebook test needs ipykernel")
pytest.importorskip("pandas", reason="the notebook builds a DataFrame")

KERNEL = "cohesity-helios-test"
ISO = r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{3})?Z"
USER_HEADERS = ["Username", "Domain", "Roles", "Locked", "Email", "Last login", "SID"]

CELLS = [
    # 0: which Python and which SDK the kernel runs
    "import sys, cohesity_sdk\nprint(sys.prefix)\nprint(cohesity_sdk.__file__)",
    # 1: a fake Helios with 60 more users, one of whom has logged in
    "from cohesity_sdk.helios import (ApiClient, CreateOrUpdateAPIKeyRequest,\n"
    "    CreateUserParameters, CreateUserSessionRequestParams, LocalUserParams, UserApi)\n"
    "from cohesity_sdk.helios.testing import FakeHelios\n"
    "fake = FakeHelios()\n"
    "fake.start()\n"
    "api = UserApi(ApiClient(fake.configuration()))\n"
    "api.create_users([CreateUserParameters(\n"
    "    username=f'user{i:02d}', domain='LOCAL', roles=['COHESITY_VIEWER'],\n"
    "    local_user_params=LocalUserParams(email=f'user{i:02d}@example.com',\n"
    "                                      password='Notebook-pw-1'))\n"
    "    for i in range(60)])\n"
    "api.create_session(CreateUserSessionRequestParams(\n"
    "    username='user00', password='Notebook-pw-1', domain='LOCAL'))\n"
    "users = api.get_users()",
    # 2: the list
    "users",
    # 3: one user
    "users[1]",
    # 4: a new API key, whose secret must not show
    "key = api.create_user_api_key(users[1].sid, CreateOrUpdateAPIKeyRequest(name='nightly'))\n"
    "key",
    # 5: the secret itself, printed only so that the test can look for it elsewhere
    "print(key.api_key)",
    # 6: a DataFrame
    "frame = users.to_pandas()\n"
    "print(frame.shape)\n"
    "print(list(frame.columns[:7]))\n"
    "print(frame['created_time_msecs'].dtype, frame['last_login_time_msecs'].dtype)\n"
    "print(frame.loc[1, 'local_user_params.email'], frame['last_login_time_msecs'].notna().sum())",
    # 7: users none of whom has logged in: the documented columns stay
    "api.get_users(usernames=['user05', 'user06'])",
    "fake.stop()",
]
LEFT = 'style="text-align:left;vertical-align:top"'
ONE_LINE = 'style="text-align:left;vertical-align:top;white-space:nowrap"'


def column_headers(html: str) -> List[str]:
    """The column headers of a list table (not its title, which spans them)."""
    return re.findall(rf"<th {LEFT}>([^<]*)</th>", html)


def cells(html: str) -> List[List[str]]:
    """Each row of the table body: its cells' markup, style included."""
    body = html.split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    return [re.findall(r"<td[^>]*>[^<]*</td>", row) for row in body.split("</tr>") if row]


@pytest.fixture(scope="module")
def notebook(tmp_path_factory: pytest.TempPathFactory) -> Dict[int, Any]:
    return run_notebook(tmp_path_factory.mktemp("notebook"), CELLS, KERNEL)


def test_the_kernel_is_this_python_with_this_sdk(notebook: Dict[int, Any]) -> None:
    prefix, sdk = cell_output(notebook[0], "stream").splitlines()
    assert prefix == sys.prefix
    assert Path(sdk) == Path(cohesity_sdk.__file__)


def test_the_users_show_as_a_table(notebook: Dict[int, Any]) -> None:
    html = cell_output(notebook[2], "text/html")
    assert "UsersList: 61 users" in html
    headers = column_headers(html)
    assert headers[:7] == USER_HEADERS
    rows = cells(html)
    assert len(rows) == 50  # rows of users, then a line counting the rest
    assert "… 11 more (61 users)" in html
    user00 = dict(zip(headers, rows[1]))
    # Every cell reads from the left; identifiers and times stay on one line.
    assert user00["Email"] == f"<td {LEFT}>user00@example.com</td>"
    assert re.fullmatch(rf"<td {ONE_LINE}>{ISO}</td>", user00["Last login"])
    assert re.fullmatch(rf"<td {ONE_LINE}>S-1-[0-9-]+</td>", user00["SID"])
    assert user00["Username"] == f"<td {ONE_LINE}>user00</td>"
    assert user00["Locked"] == f"<td {LEFT}>no</td>"
    assert all(cell.startswith(("<td style=\"text-align:left;",)) for row in rows for cell in row)

    text = cell_output(notebook[2], "text/plain").splitlines()
    assert text[0] == "UsersList: 61 users"
    assert re.split(r"  +", text[1]) == USER_HEADERS
    assert text[2].split()[:4] == ["admin", "LOCAL", "COHESITY_ADMIN", "no"]
    assert re.search(rf"user00@example.com +{ISO} ", text[3])  # logged in
    assert text[-1] == "… 11 more (61 users)"
    assert max(map(len, text)) <= 200


def test_the_documented_columns_stay_when_every_row_leaves_one_empty(
        notebook: Dict[int, Any]) -> None:
    html = cell_output(notebook[7], "text/html")
    assert "UsersList: 2 users" in html
    headers = column_headers(html)
    assert headers[:7] == USER_HEADERS
    for row in cells(html):
        assert dict(zip(headers, row))["Last login"] == f"<td {ONE_LINE}></td>"
    assert "Effective from" not in headers  # an undocumented one, empty everywhere


def test_a_user_shows_field_by_field(notebook: Dict[int, Any]) -> None:
    html = cell_output(notebook[3], "text/html")
    assert ">UserParams</th>" in html and ">user00</td>" in html
    assert re.search(rf">Created</th><td {ONE_LINE}>{ISO}</td>", html)
    assert re.search(rf">SID</th><td {ONE_LINE}>S-1-", html)
    assert re.search(rf">Locked</th><td {LEFT}>no</td>", html)
    text = cell_output(notebook[3], "text/plain").splitlines()
    assert text[0] == "UserParams"
    assert text[1].split() == ["Username", "user00"]
    assert re.fullmatch(rf"  Created +{ISO}", next(
        line for line in text if line.startswith("  Created ")))
    assert re.fullmatch(r"  Locked +no", next(
        line for line in text if line.startswith("  Locked ")))


def test_a_secret_shows_as_stars(notebook: Dict[int, Any]) -> None:
    secret = cell_output(notebook[5], "stream").strip()
    assert len(secret) >= 16
    html, text = cell_output(notebook[4], "text/html"), cell_output(notebook[4], "text/plain")
    assert re.search(r">API key</th><td[^>]*>\*\*\*</td>", html)
    assert re.search(r"^  API key +\*\*\*$", text, re.M)
    for cell in (2, 3, 4, 6):
        for kind in ("text/html", "text/plain", "stream"):
            assert secret not in cell_output(notebook[cell], kind)


def test_the_users_make_a_data_frame(notebook: Dict[int, Any]) -> None:
    shape, columns, dtypes, values = cell_output(notebook[6], "stream").splitlines()
    assert shape == "(61, 20)"
    assert columns == str(["username", "domain", "roles", "locked", "local_user_params.email",
                           "last_login_time_msecs", "sid"])
    assert dtypes == "datetime64[ns, UTC] datetime64[ns, UTC]"
    assert values == "user00@example.com 1"
