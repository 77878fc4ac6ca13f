"""``cohesity-helios ... -o table`` in words, as people read it, and the same table as
``print()`` of a result and a notebook show: run as a user runs it, a subprocess against
a FakeHelios served by ``python -m cohesity_sdk.helios.testing`` in another process, and
a real Jupyter kernel for the notebook."""

from __future__ import annotations

import csv
import io
import json
import re
import subprocess
import sys
import time
import urllib.request
from datetime import datetime
from pathlib import Path
from typing import Any, Dict, Iterator, List, NamedTuple, Optional, Tuple

import pytest
from conftest import start_served_fake, stop_served_fake
from test_cli import clean_env

from cohesity_sdk.helios import (
    ApiClient,
    Configuration,
    CreateGroupParams,
    CreateUserParameters,
    CreateUserSessionRequestParams,
    LocalGroupParams,
    LocalUserParams,
    UserApi,
    from_epoch_msecs,
)

ROOT = Path(__file__).resolve().parent.parent
ISO = r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{3})?Z"
USER_HEADERS = ["Username", "Domain", "Roles", "Locked", "Email", "Last login", "SID"]
GROUP_HEADERS = ["Name", "Domain", "Roles", "Description", "SID", "Members"]
PASSWORD = "Tables-Pa55-word"


class Served(NamedTuple):
    url: str
    api_key: str

    def control(self, path: str, body: Any = None, method: Optional[str] = None) -> Any:
        """Call the fake's control API (``/_fake/<path>``); its JSON answer, if any."""
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(
            self.url[: -len("/v2")] + "/_fake/" + path, data=data,
            method=method or ("GET" if body is None else "POST"),
            headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(request, timeout=10) as answer:
            text = answer.read()
        return json.loads(text) if text else None

    def requests(self) -> List[Dict[str, Any]]:
        """The fake's request log, as ``GET /_fake/requests`` gives it."""
        logged: List[Dict[str, Any]] = self.control("requests")
        return logged

    def api(self) -> UserApi:
        return UserApi(ApiClient(Configuration(host=self.url, api_key=self.api_key)))


@pytest.fixture(scope="module")
def _served() -> Iterator[Served]:
    proc, url, api_key = start_served_fake()
    try:
        yield Served(url, api_key)
    finally:
        stop_served_fake(proc)


@pytest.fixture
def served(_served: Served) -> Served:
    """The served fake, back to its seeded admin only, with an empty request log."""
    _served.control("reset", {})
    _served.control("requests", method="DELETE")
    return _served


@pytest.fixture
def env(served: Served, tmp_path: Path) -> Dict[str, str]:
    return clean_env(tmp_path, HELIOS_HOST=served.url, HELIOS_API_KEY=served.api_key)


def cli(*args: str, env: Dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "cohesity_sdk.helios", *args], env=env,
                          capture_output=True, text=True, timeout=60, check=False)


def table(*args: str, env: Dict[str, str]) -> List[str]:
    """The lines of ``cohesity-helios *args -o table``, which must succeed quietly."""
    done = cli(*args, "-o", "table", env=env)
    assert done.returncode == 0, done.stderr
    assert done.stderr == ""
    return done.stdout.splitlines()


def cells(line: str) -> List[str]:
    """The cells of a table's line: they are two spaces or more apart."""
    return re.split(r"  +", line)


def by_field(lines: List[str]) -> Dict[str, str]:
    """A table of one object, ``Header  value`` a line, as a dict."""
    return dict((cells(line) + [""])[:2] for line in lines)


def operations(served: Served) -> List[str]:
    return [r["operationId"] for r in served.requests()]


class Team(NamedTuple):
    alice: str
    bob: str
    group: str


def make_team(served: Served, cluster: Optional[int] = None) -> Team:
    """Users alice (with an email address) and bob (locked), and a LOCAL group
    backup-admins whose members they are; then an empty request log."""
    configuration = Configuration(host=served.url, api_key=served.api_key,
                                  access_cluster_id=cluster)
    with ApiClient(configuration) as client:
        api = UserApi(client)
        alice, bob = api.create_users([
            CreateUserParameters(username="alice", domain="LOCAL", roles=["COHESITY_VIEWER"],
                                 local_user_params=LocalUserParams(
                                     email="alice@example.com", password=PASSWORD)),
            CreateUserParameters(username="bob", domain="LOCAL", roles=["COHESITY_VIEWER"],
                                 locked=True, local_user_params=LocalUserParams(
                                     password=PASSWORD)),
        ]).users
        assert alice.sid and bob.sid
        [group] = api.create_group([CreateGroupParams(
            name="backup-admins", domain="LOCAL", roles=["COHESITY_ADMIN"],
            description="Backup operators",
            local_group_params=LocalGroupParams(user_sids=[alice.sid, bob.sid]))]).groups
        assert group.sid
    served.control("requests", method="DELETE")
    return Team(alice.sid, bob.sid, group.sid)


# -- users: headers in words, yes/no, dates --------------------------------------------


def test_users_read_in_words_yes_no_and_dates(env: Dict[str, str], served: Served) -> None:
    team = make_team(served)
    served.api().create_session(CreateUserSessionRequestParams(
        username="alice", password=PASSWORD, domain="LOCAL"))  # a last login to show
    login = served.api().get_user_by_sid(team.alice).last_login_time_msecs
    assert login is not None
    header, *rows = table("get-users", env=env)
    assert cells(header) == USER_HEADERS
    admin, alice, bob = (cells(row) for row in rows)
    assert admin[:4] == ["admin", "LOCAL", "COHESITY_ADMIN", "no"]
    assert alice[:5] == ["alice", "LOCAL", "COHESITY_VIEWER", "no", "alice@example.com"]
    assert alice[6:] == [team.alice]
    assert re.fullmatch(ISO, alice[5])  # the last login: a date, in UTC
    assert datetime.fromisoformat(alice[5].replace("Z", "+00:00")) == from_epoch_msecs(login)
    assert bob == ["bob", "LOCAL", "COHESITY_VIEWER", "yes", team.bob]  # no email, no login
    # Every value starts under its header.
    starts = [header.index(name) for name in USER_HEADERS]
    assert rows[1][starts[5]:].startswith(alice[5]) and rows[2][starts[6]:] == team.bob


def test_one_object_reads_a_field_a_line(env: Dict[str, str], served: Served) -> None:
    team = make_team(served)
    lines = table("get-user-by-sid", "--sid", team.bob, env=env)
    fields = by_field(lines)
    assert list(fields)[:5] == ["Username", "Domain", "Roles", "Locked", "SID"]
    assert fields["Username"] == "bob" and fields["SID"] == team.bob
    assert fields["Locked"] == "yes" and fields["Restricted"] == "no"
    assert fields["Force password change"] == "no"
    assert fields["Locked reason"] == "LockedByAdmin"
    assert re.fullmatch(ISO, fields["Created"]) and re.fullmatch(ISO, fields["Last updated"])
    assert fields["Other groups"] == "backup-admins"
    assert "Email" not in fields and "Last login" not in fields  # none: not shown
    # The values start in one column, after the longest header.
    assert {len(line) - len(value) for line, value in zip(lines, fields.values())} == {
        len("Force password change") + 2}
    assert not any("_" in name for name in fields)


def test_api_keys_read_in_words(env: Dict[str, str], served: Served) -> None:
    from cohesity_sdk.helios import CreateOrUpdateAPIKeyRequest

    team = make_team(served)
    key = served.api().create_user_api_key(team.alice, CreateOrUpdateAPIKeyRequest(
        name="nightly", is_active=True, expiry_time_msecs=1_830_000_000_000))
    header, row = table("get-user-api-keys", "--user-sid", team.alice, env=env)
    assert cells(header) == ["Name", "Active", "Expired", "Expires", "Last rotated",
                             "User SID", "ID"]
    assert cells(row) == ["nightly", "yes", "no", "2027-12-28T13:20:00Z", team.alice, key.id]


def test_csv_keeps_the_keys_and_json_is_the_answer(env: Dict[str, str],
                                                   served: Served) -> None:
    team = make_team(served)
    done = cli("get-users", "-o", "csv", env=env)
    assert done.returncode == 0, done.stderr
    rows = list(csv.DictReader(io.StringIO(done.stdout)))
    assert list(rows[0])[:7] == ["username", "domain", "roles", "locked",
                                 "local_user_params.email", "last_login_time_msecs", "sid"]
    assert [row["locked"] for row in rows] == ["false", "false", "true"]
    assert re.fullmatch(ISO, rows[1]["created_time_msecs"])
    done = cli("get-groups", "-o", "csv", env=env)
    [group] = list(csv.DictReader(io.StringIO(done.stdout)))
    assert group["local_group_params.user_sids"] == f"{team.alice}, {team.bob}"  # SIDs
    done = cli("get-groups", "-o", "json", env=env)
    assert json.loads(done.stdout)["groups"][0]["localGroupParams"]["userSids"] == [
        team.alice, team.bob]
    # Neither looks the members up.
    assert operations(served) == ["get_users", "get_groups", "get_groups"]


# -- a group's members by username -----------------------------------------------------


def member_lookups(served: Served) -> List[Dict[str, Any]]:
    return [r for r in served.requests() if r["operationId"] == "get_users"]


def test_a_groups_members_read_as_usernames(env: Dict[str, str], served: Served) -> None:
    team = make_team(served)
    header, row = table("get-groups", env=env)
    assert cells(header) == GROUP_HEADERS
    assert cells(row) == ["backup-admins", "LOCAL", "COHESITY_ADMIN", "Backup operators",
                          team.group, "alice, bob"]
    # One more call: a single get_users read, filtered by the members' SIDs.
    assert operations(served) == ["get_groups", "get_users"]
    [lookup] = member_lookups(served)
    assert lookup["query"]["sids"] == [f"{team.alice},{team.bob}"]
    assert lookup["status"] == 200


@pytest.mark.parametrize("command", ["get-group-by-sid", "update-group", "create-group"])
def test_every_group_command_shows_members_by_username(
        env: Dict[str, str], served: Served, command: str) -> None:
    team = make_team(served)
    args = {
        "get-group-by-sid": ["--sid", team.group],
        "update-group": ["--sid", team.group, "--body", json.dumps(
            {"description": "On call", "localGroupParams": {"userSids": [team.bob]}})],
        "create-group": ["--body", json.dumps([{
            "name": "auditors", "domain": "LOCAL", "roles": ["COHESITY_VIEWER"],
            "localGroupParams": {"userSids": [team.bob, team.alice]}}])],
    }[command]
    lines = table(command, *args, env=env)
    method = command.replace("-", "_")
    if command == "create-group":
        header, row = lines
        assert cells(header) == GROUP_HEADERS
        assert cells(row)[0] == "auditors" and cells(row)[-1] == "bob, alice"
        sids = [f"{team.bob},{team.alice}"]
    else:
        fields = by_field(lines)
        assert fields["Members"] == ("bob" if command == "update-group" else "alice, bob")
        assert fields["Description"] == ("On call" if command == "update-group"
                                         else "Backup operators")
        assert "User SIDs" not in fields and team.alice not in "\n".join(lines)
        sids = [team.bob] if command == "update-group" else [f"{team.alice},{team.bob}"]
    assert operations(served) == [method, "get_users"]
    [lookup] = member_lookups(served)
    assert lookup["query"]["sids"] == sids


def test_no_members_no_lookup(env: Dict[str, str], served: Served) -> None:
    served.api().create_group([CreateGroupParams(name="empty", domain="LOCAL")])
    served.control("requests", method="DELETE")
    header, row = table("get-groups", env=env)
    assert cells(header) == GROUP_HEADERS and cells(row)[0] == "empty"
    assert operations(served) == ["get_groups"]


def test_a_sid_that_is_no_user_stays_a_sid(env: Dict[str, str], served: Served) -> None:
    """bob is deleted after the command read the group and before its lookup of the
    members is carried out (the fake holds the lookup for a few seconds)."""
    team = make_team(served)
    served.control("faults", {"operation": "get_users", "delay": 5})
    command = subprocess.Popen(
        [sys.executable, "-m", "cohesity_sdk.helios", "get-groups", "-o", "table"],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 30
        while not member_lookups(served):  # it has read the group, and asks for the users
            assert time.monotonic() < deadline, "no lookup of the members"
            time.sleep(0.05)
        served.api().delete_user(team.bob)
        out, err = command.communicate(timeout=60)
    finally:
        if command.poll() is None:
            command.kill()
            command.communicate()
    assert command.returncode == 0, err
    assert err == ""
    header, row = out.splitlines()
    assert cells(row)[-1] == f"alice, {team.bob}"
    assert [r["operationId"] for r in served.requests()].count("get_users") == 1


def test_a_failed_lookup_leaves_the_sids_and_says_so(env: Dict[str, str],
                                                     served: Served) -> None:
    team = make_team(served)
    served.control("faults", {"operation": "get_users", "fail": {"status": 403}})
    done = cli("get-groups", "-o", "table", env=env)
    assert done.returncode == 0, done.stderr  # the groups were read: that is the command
    header, row = done.stdout.splitlines()
    assert cells(row)[-1] == f"{team.alice}, {team.bob}"
    [warning] = done.stderr.splitlines()
    assert " get-groups: warning: the members are shown by SID, as their usernames " \
        "could not be read: (403)" in warning
    assert "get_users" in warning
    assert operations(served) == ["get_groups", "get_users"]


def test_the_lookup_goes_where_the_command_goes(env: Dict[str, str], served: Served) -> None:
    cluster = 4213516873913468
    team = make_team(served, cluster=cluster)
    header, row = table("get-groups", "--access-cluster-id", str(cluster), env=env)
    assert cells(row)[-2:] == [team.group, "alice, bob"]
    groups, users = served.requests()
    assert (groups["operationId"], users["operationId"]) == ("get_groups", "get_users")
    for request in (groups, users):
        headers = {k.lower(): v for k, v in request["headers"].items()}
        assert headers["accessclusterid"] == str(cluster)
    # The configured cluster has none of them: a table without routing finds no group.
    assert table("get-groups", env=env)[1:] == ["no groups"]


# -- the same table everywhere -----------------------------------------------------------


def test_the_documented_tables_are_what_the_command_prints(env: Dict[str, str],
                                                           served: Served) -> None:
    page = (ROOT / "docs" / "CommandLine.md").read_text(encoding="utf-8")
    shown: List[Tuple[str, str]] = re.findall(
        r"```sh\n(cohesity-helios [^\n]*-o table)\n```\n\n```text\n(.*?)```", page, re.S)
    assert len(shown) == 3
    make_team(served)
    number = re.match(r"S-1-100-21-(\d+)-", served.api().get_users().users[0].sid or "")
    assert number

    def here(text: str) -> str:
        """The docs' SIDs as this fake's cluster numbers them."""
        return re.sub(r"S-1-100-21-\d+-", f"S-1-100-21-{number.group(1)}-", text)  # type: ignore

    def any_date(text: str) -> str:
        return re.sub(ISO, "<date>", text)

    for line, text in shown:
        words = here(line).split()[1:]
        lines = table(*words[:-2], env=env)
        # The times are those of this run; nothing else may differ.
        assert [any_date(x) for x in lines] == any_date(here(text)).splitlines(), line


NOTEBOOK_CELLS = [
    # 0: the SDK, on the served fake
    "from cohesity_sdk.helios import ApiClient, Configuration, UserApi\n"
    "api = UserApi(ApiClient(Configuration(host={url!r}, api_key={key!r})))\n"
    "users = api.get_users()\n"
    "groups = api.get_groups()",
    # 1, 2: the list, shown and printed
    "users",
    "print(users)",
    # 3, 4: one user, shown and printed
    "users[1]",
    "print(users[1])",
    # 5: the groups, printed: members by SID, as the SDK has them
    "print(groups)",
]


def test_print_the_notebook_and_the_command_line_agree(
        env: Dict[str, str], served: Served, tmp_path: Path) -> None:
    pytest.importorskip("nbformat", reason="the notebook needs nbformat")
    pytest.importorskip("nbclient", reason="the notebook needs nbclient")
    pytest.importorskip("ipykernel.kernelspec", reason="the notebook needs ipykernel")
    from conftest import cell_output, run_notebook

    team = make_team(served)
    served.api().create_session(CreateUserSessionRequestParams(
        username="alice", password=PASSWORD, domain="LOCAL"))  # a date in the table
    cli_users = table("get-users", env=env)
    cli_alice = table("get-user-by-sid", "--sid", team.alice, env=env)
    cli_groups = table("get-groups", env=env)
    code = [cell.format(url=served.url, key=served.api_key) if i == 0 else cell
            for i, cell in enumerate(NOTEBOOK_CELLS)]
    notebook = run_notebook(tmp_path, code, "cohesity-helios-tables-test")

    printed = cell_output(notebook[2], "stream").splitlines()
    assert printed == ["UsersList: 3 users", *cli_users]
    assert cell_output(notebook[1], "text/plain").splitlines() == printed
    html = cell_output(notebook[1], "text/html")
    headers = re.findall(r"<th style=\"text-align:left;vertical-align:top\">([^<]*)</th>",
                         html)
    assert headers[:7] == cells(cli_users[0]) == USER_HEADERS
    body = html.split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    rows = [re.findall(r"<td[^>]*>([^<]*)</td>", row) for row in body.split("</tr>") if row]
    for row, line in zip(rows, cli_users[1:]):
        assert [cell for cell in row[:7] if cell] == cells(line)
    assert rows[1][3] == "no" and re.fullmatch(ISO, rows[1][5])

    one = cell_output(notebook[4], "stream").splitlines()
    assert one == ["UserParams", *("  " + line for line in cli_alice)]
    assert cell_output(notebook[3], "text/plain").splitlines() == one
    one_html = cell_output(notebook[3], "text/html")
    for name, value in by_field(cli_alice).items():  # nested ones in tables of their own
        assert f">{name}</th><td" in one_html and f">{value}</td>" in one_html, name

    # The command line names the members; the SDK has their SIDs.
    group_lines = cell_output(notebook[5], "stream").splitlines()
    assert group_lines[0] == "Groups: 1 groups"
    assert cells(group_lines[1]) == cells(cli_groups[0]) == GROUP_HEADERS
    assert cells(group_lines[2])[:5] == cells(cli_groups[1])[:5]
    assert cells(cli_groups[1])[5] == "alice, bob"
    assert cells(group_lines[2])[5] == f"{team.alice}, {team.bob}"[:39] + "…"  # a cut cell
