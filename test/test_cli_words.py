"""The command line as admins reach for it: names instead of SIDs, passwords from stdin,
``--query``, deletes that confirm and say what they deleted, "did you mean", Ctrl-D at a
prompt, ``--expires-in``, bodies refused in their own words, and help that is true.
Each runs the console script as a subprocess (a pseudo-terminal where a terminal
matters) against a FakeHelios served by ``python -m cohesity_sdk.helios.testing``."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from typing import Any, Dict, Iterator, List, NamedTuple, Optional, Sequence, Tuple

import pytest
from conftest import RecordingServer, start_served_fake, stop_served_fake

from cohesity_sdk import __url__, __version__
from cohesity_sdk.helios import (
    ApiClient,
    Configuration,
    CreateGroupParams,
    CreateOrUpdateAPIKeyRequest,
    CreateUserParameters,
    CreateUserSessionRequestParams,
    LocalUserParams,
    UserApi,
)

PASSWORD = "Words-Passw0rd-1"
needs_a_terminal = pytest.mark.skipif(os.name != "posix", reason="a POSIX pseudo-terminal")


class Served(NamedTuple):
    url: str
    api_key: str

    def api(self) -> UserApi:
        return UserApi(ApiClient(Configuration(host=self.url, api_key=self.api_key)))

    def requests(self) -> List[Dict[str, Any]]:
        with urllib.request.urlopen(self.url[:-len("/v2")] + "/_fake/requests",
                                    timeout=10) as answer:
            logged: List[Dict[str, Any]] = json.loads(answer.read())
        return logged

    def clear_requests(self) -> None:
        request = urllib.request.Request(self.url[:-len("/v2")] + "/_fake/requests",
                                         method="DELETE")
        with urllib.request.urlopen(request, timeout=10):
            pass


@pytest.fixture(scope="module")
def served() -> Iterator[Served]:
    proc, url, api_key = start_served_fake()
    try:
        yield Served(url, api_key)
    finally:
        stop_served_fake(proc)


@pytest.fixture
def env(served: Served, tmp_path: Path) -> Dict[str, str]:
    environment = {k: v for k, v in os.environ.items() if not k.startswith("HELIOS_")}
    environment.update(HOME=str(tmp_path), XDG_CONFIG_HOME=str(tmp_path / "config"),
                       HELIOS_HOST=served.url, HELIOS_API_KEY=served.api_key)
    return environment


def script() -> str:
    found = Path(sys.executable).parent / "cohesity-helios"
    assert found.exists(), "the cohesity-helios script is not installed: pip install -e ."
    return str(found)


def cli(*args: str, env: Dict[str, str], stdin: Optional[str] = None
        ) -> subprocess.CompletedProcess[str]:
    done = subprocess.run([script(), *args], env=env, input=stdin, capture_output=True,
                          text=True, timeout=60, check=False)
    assert PASSWORD not in done.stdout + done.stderr
    assert "Traceback" not in done.stderr
    return done


def user(served: Served, name: str, domain: str = "LOCAL") -> str:
    params = LocalUserParams(password=PASSWORD) if domain == "LOCAL" else None
    created = served.api().create_users([CreateUserParameters(
        username=name, domain=domain, roles=["COHESITY_VIEWER"], local_user_params=params)])
    return str(created.users[0].sid)


def usernames(served: Served) -> List[str]:
    return sorted(u.username or "" for u in served.api().get_users().users)


def on_a_terminal(args: Sequence[str], env: Dict[str, str],
                  answers: Sequence[Tuple[bytes, bytes]],
                  timeout: float = 30.0) -> Tuple[int, str]:
    """Run the console script with a pseudo-terminal as its stdin, stdout and stderr;
    after each prompt (the first of a pair), type the second of the pair (raw bytes:
    ``b"\\x04"`` is Ctrl-D, ``b"\\x03"`` Ctrl-C). Its exit status and what it showed."""
    import pty
    import select
    import warnings

    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", "This process .* is multi-threaded",
                                DeprecationWarning)
        pid, fd = pty.fork()
    if pid == 0:  # the child: the terminal is its own
        try:
            os.execve(script(), [script(), *args], env)
        finally:
            os._exit(127)
    shown = b""
    pending = list(answers)
    deadline = time.monotonic() + timeout
    try:
        while time.monotonic() < deadline:
            ready, _, _ = select.select([fd], [], [], 0.2)
            if not ready:
                continue
            try:
                chunk = os.read(fd, 4096)
            except OSError:  # the child has closed the terminal
                break
            if not chunk:
                break
            shown += chunk
            if pending and pending[0][0] in shown:
                shown = shown.replace(pending[0][0], pending[0][0] + b"<answered>", 1)
                time.sleep(0.1)  # the prompt's read has started
                os.write(fd, pending.pop(0)[1])
    finally:
        os.close(fd)
        _, status = os.waitpid(pid, 0)
    text = shown.decode(errors="replace").replace("\r\n", "\n")
    assert "Traceback" not in text
    return os.waitstatus_to_exitcode(status), text


# -- names instead of SIDs -----------------------------------------------------------------


def test_a_user_group_and_key_by_name(served: Served, env: Dict[str, str]) -> None:
    sid = user(served, "svc-report")
    user(served, "svc-report2")  # a name the first is a part of
    done = cli("get-user-by-sid", "--username", "svc-report", "-o", "json", env=env)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["sid"] == sid
    done = cli("update-user", "--username", "SVC-REPORT", "--body",
               '{"roles": ["COHESITY_OPERATOR"]}', env=env)  # names ignore case
    assert done.returncode == 0, done.stderr
    assert served.api().get_user_by_sid(sid).roles == ["COHESITY_OPERATOR"]

    served.api().create_group([CreateGroupParams(name="auditors", domain="LOCAL")])
    done = cli("get-group-by-sid", "--group", "auditors", "--query", "name", "-o", "text",
               env=env)
    assert (done.returncode, done.stdout) == (0, "auditors\n"), done.stderr

    created = served.api().create_user_api_key(sid, CreateOrUpdateAPIKeyRequest(name="ci"))
    done = cli("get-user-api-key-by-id", "--username", "svc-report", "--key-name", "ci",
               "--query", "id", "-o", "text", env=env)
    assert (done.returncode, done.stdout) == (0, f"{created.id}\n"), done.stderr
    # --sid keeps working, beside names.
    done = cli("get-user-by-sid", "--sid", sid, "--query", "username", "-o", "text", env=env)
    assert done.stdout == "svc-report\n"


def test_a_name_that_matches_nothing_or_twice_names_the_candidates(
        served: Served, env: Dict[str, str]) -> None:
    user(served, "svc-dup")
    user(served, "svc-dup", domain="corp.example.com")
    user(served, "svc-duplex")
    served.clear_requests()
    done = cli("delete-user", "--username", "svc-du", env=env)
    assert done.returncode == 1
    assert done.stderr.strip().endswith(
        "--username svc-du: no user is named so (names that hold it: "
        "LOCAL\\svc-dup, LOCAL\\svc-duplex, corp.example.com\\svc-dup)")
    done = cli("delete-user", "--username", "svc-dup", env=env)
    assert done.returncode == 1
    assert "--username svc-dup: 2 users are named so: user LOCAL\\svc-dup (" in done.stderr
    assert "user corp.example.com\\svc-dup (" in done.stderr
    assert done.stderr.strip().endswith("give --domain")
    assert [r for r in served.requests() if r["method"] != "GET"] == []  # nothing deleted
    done = cli("delete-user", "--username", "svc-dup", "--domain", "corp.example.com",
               env=env)
    assert done.returncode == 0, done.stderr
    assert "deleted user corp.example.com\\svc-dup (" in done.stderr
    assert usernames(served).count("svc-dup") == 1
    done = cli("get-user-by-sid", "--username", "svc-dup", "--sid", "S-1", env=env)
    assert done.returncode == 2 and "give --sid or --username, not both" in done.stderr
    done = cli("get-user-by-sid", env=env)
    assert done.returncode == 2 and "required: --sid or --username" in done.stderr


def test_names_are_matched_exactly_whatever_the_server_matches(
        server: RecordingServer, tmp_path: Path) -> None:
    # A server that matches a name filter by a part of it: the answer holds both.
    server.reply(200, {"users": [
        {"sid": "S-1-100-21-1-2", "username": "svc-report2", "domain": "LOCAL"},
        {"sid": "S-1-100-21-1-1", "username": "svc-report", "domain": "LOCAL"}]})
    environment = {k: v for k, v in os.environ.items() if not k.startswith("HELIOS_")}
    environment.update(HOME=str(tmp_path), HELIOS_HOST=server.url,
                       HELIOS_API_KEY="recording-key-1234")
    done = subprocess.run([script(), "get-principal-sources", "--username", "svc-report"],
                          env=environment, capture_output=True, text=True, timeout=60)
    assert server.last.path == "/v2/security-principals/S-1-100-21-1-1/sources", \
        done.stderr


# -- passwords from stdin ----------------------------------------------------------------------


def test_password_stdin_for_new_users_a_login_and_a_new_password(
        served: Served, env: Dict[str, str], tmp_path: Path) -> None:
    body = tmp_path / "users.json"
    body.write_text(json.dumps([{"username": "svc-pipe", "domain": "LOCAL"},
                                {"username": "svc-pipe2", "domain": "LOCAL"}]))
    done = cli("create-users", "--password-stdin", "--body", f"@{body}", env=env,
               stdin=PASSWORD + "\n")
    assert done.returncode == 0, done.stderr
    for name in ("svc-pipe", "svc-pipe2"):
        served.api().create_session(CreateUserSessionRequestParams(
            username=name, domain="LOCAL", password=PASSWORD))  # it took the password
    done = cli("create-session", "--password-stdin", "--body",
               '{"username": "svc-pipe", "domain": "LOCAL"}', "--query",
               "length(sessionId) > `0`", env=env, stdin=PASSWORD + "\n")
    assert (done.returncode, done.stdout) == (0, "true\n"), done.stderr
    new = "Words-Passw0rd-2"
    done = cli("update-user", "--username", "svc-pipe", "--password-stdin", env=env,
               stdin=new + "\n")
    assert done.returncode == 0, done.stderr
    served.api().create_session(CreateUserSessionRequestParams(
        username="svc-pipe", domain="LOCAL", password=new))


def test_a_body_without_its_password_off_a_terminal_is_refused_naming_password_stdin(
        served: Served, env: Dict[str, str]) -> None:
    served.clear_requests()
    done = cli("create-users", "--body", '[{"username": "svc-nopw", "domain": "LOCAL"}]',
               env=env, stdin="")
    assert done.returncode == 2
    assert "no password of LOCAL\\svc-nopw" in done.stderr
    assert "--password-stdin" in done.stderr and "nothing was sent" in done.stderr
    done = cli("create-session", "--body", '{"username": "admin", "domain": "LOCAL"}',
               env=env, stdin="")
    assert done.returncode == 2 and "--password-stdin" in done.stderr
    done = cli("create-users", "--password-stdin", "--body",
               '[{"username": "svc-nopw", "domain": "LOCAL"}]', env=env, stdin="\n")
    assert done.returncode == 2 and "stdin gave no password" in done.stderr
    done = cli("create-users", "--password-stdin", "--body", "-", env=env, stdin="[]")
    assert done.returncode == 2 and "both read stdin" in done.stderr
    assert served.requests() == []  # none of it was sent


# -- --query and -o text -------------------------------------------------------------------------


def test_query_filters_the_json_and_a_bad_one_is_one_line_and_2(
        served: Served, env: Dict[str, str]) -> None:
    done = cli("get-users", "--usernames", "admin", "--query", "users[0].username", env=env)
    assert (done.returncode, done.stdout) == (0, '"admin"\n'), done.stderr
    done = cli("get-users", "--usernames", "admin", "--query",
               "users[].[username, domain]", "-o", "text", env=env)
    assert done.stdout == "admin\tLOCAL\n"
    done = cli("get-users", "--usernames", "admin", "--query",
               "users[].{user: username, domain: domain}", "-o", "csv", env=env)
    assert done.stdout == "user,domain\nadmin,LOCAL\n"
    served.clear_requests()
    done = cli("get-users", "--query", "users[?", env=env)
    assert done.returncode == 2
    assert done.stderr.count("\n") == 1
    assert "--query 'users[?' is not a JMESPath expression at column" in done.stderr
    assert served.requests() == []  # refused before anything was sent
    done = cli("plan", "no-such-file.yaml", "--query", "summary[", env=env)
    assert done.returncode == 2 and "not a JMESPath expression" in done.stderr


# -- deletes confirm and say what they deleted ---------------------------------------------------


@needs_a_terminal
def test_a_delete_on_a_terminal_names_it_and_asks(served: Served,
                                                  env: Dict[str, str]) -> None:
    sid = user(served, "svc-ask")
    status, shown = on_a_terminal(["delete-users", "--username", "svc-ask"], env,
                                  [(b"[y/N] ", b"n\n")])
    assert status == 1, shown
    assert f"Delete user LOCAL\\svc-ask ({sid})? [y/N] " in shown
    assert "not confirmed; nothing was sent" in shown
    assert "svc-ask" in usernames(served)
    status, shown = on_a_terminal(["delete-users", "--username", "svc-ask"], env,
                                  [(b"[y/N] ", b"y\n")])
    assert status == 0, shown
    assert f"deleted user LOCAL\\svc-ask ({sid})" in shown
    assert "svc-ask" not in usernames(served)
    user(served, "svc-yes")
    status, shown = on_a_terminal(["delete-user", "--username", "svc-yes", "--yes"], env, [])
    assert status == 0 and "[y/N]" not in shown and "deleted user LOCAL\\svc-yes" in shown


@needs_a_terminal
def test_all_sessions_asks_on_a_terminal(served: Served, env: Dict[str, str]) -> None:
    status, shown = on_a_terminal(["delete-session", "--all-sessions"], env,
                                  [(b"[y/N] ", b"\n")])
    assert status == 1, shown
    assert "Log out every user: delete every session of the cluster? [y/N]" in shown


def test_off_a_terminal_deletes_do_not_ask_and_say_what_they_deleted(
        served: Served, env: Dict[str, str]) -> None:
    sids = [user(served, name) for name in ("svc-gone1", "svc-gone2")]
    done = cli("delete-users", "--body", json.dumps({"sids": sids}), env=env, stdin="")
    assert done.returncode == 0, done.stderr
    assert done.stderr.splitlines() == [
        f"cohesity-helios delete-users: deleted user LOCAL\\svc-gone1 ({sids[0]})",
        f"cohesity-helios delete-users: deleted user LOCAL\\svc-gone2 ({sids[1]})"]
    served.api().create_group([CreateGroupParams(name="old-ops", domain="LOCAL")])
    done = cli("delete-groups", "--group", "old-ops", env=env, stdin="")
    assert done.returncode == 0, done.stderr
    assert "deleted group LOCAL\\old-ops (" in done.stderr
    sid = user(served, "svc-sessions")
    done = cli("delete-session", "--username", "svc-sessions", env=env, stdin="")
    assert done.returncode == 0, done.stderr
    assert f"deleted every session of user LOCAL\\svc-sessions ({sid})" in done.stderr


# -- words, not Python ----------------------------------------------------------------------------


@needs_a_terminal
@pytest.mark.parametrize("key, status", [(b"\x04", 1), (b"\x03", 130)])
def test_ctrl_d_or_ctrl_c_at_a_prompt_ends_with_one_line(
        served: Served, env: Dict[str, str], key: bytes, status: int) -> None:
    no_password = dict(env)
    del no_password["HELIOS_API_KEY"]
    no_password["HELIOS_USERNAME"] = "admin"
    code, shown = on_a_terminal(["get-users"], no_password, [(b"Password for ", key)])
    assert code == status, shown
    assert "cancelled at the prompt; nothing was sent" in shown or "interrupted" in shown
    code, shown = on_a_terminal(
        ["create-users", "--body", '[{"username": "svc-eof", "domain": "LOCAL"}]'], env,
        [(b"Password for the new user LOCAL\\svc-eof: ", key)])
    assert code == status, shown
    assert "svc-eof" not in usernames(served)


def test_a_typo_gets_did_you_mean(env: Dict[str, str]) -> None:
    done = cli("get-user", "--sid", "x", env=env)
    assert done.returncode == 2
    assert "invalid choice: 'get-user' (did you mean 'get-users'?)" in done.stderr
    done = cli("get-users", "--usernmes", "admin", env=env)
    assert done.returncode == 2
    assert "unrecognized arguments: --usernmes admin (did you mean '--usernames'?)" in \
        done.stderr
    done = cli("get-users", "-o", "tabel", env=env)
    assert "invalid choice: 'tabel' (did you mean 'table'?)" in done.stderr


def test_a_bad_body_names_the_fields_as_the_command_line_spells_them(
        served: Served, env: Dict[str, str]) -> None:
    done = cli("delete-users", "--body", '{"usernames": ["a"]}', env=env)
    assert done.returncode == 2
    assert done.stderr.strip().endswith(
        "error: --body: unknown key 'usernames'; DeleteUsersRequest takes sids; or name "
        "them with --username")
    done = cli("create-users", "--password-stdin", "--body",
               '[{"username": "a", "domain": "LOCAL", "localUserParams": {"pasword": "x"}}]',
               env=env, stdin=PASSWORD + "\n")
    assert "--body[0].localUserParams: unknown key 'pasword' (did you mean 'password'?)" in \
        done.stderr
    done = cli("create-users", "--body", '[{"username": "a", "domain": "LOCAL", '
               '"roles": "COHESITY_VIEWER"}]', env=env)
    assert "--body[0].roles: input should be a valid list" in done.stderr
    assert "Python" not in done.stderr and "keyword argument" not in done.stderr


def test_expires_in(served: Served, env: Dict[str, str]) -> None:
    user(served, "svc-expiring")
    before = int(time.time() * 1000)
    done = cli("create-user-api-key", "--username", "svc-expiring", "--body",
               '{"name": "ci"}', "--expires-in", "90d", "--query", "expiryTimeMsecs", env=env)
    assert done.returncode == 0, done.stderr
    ninety_days = 90 * 86400 * 1000
    assert before + ninety_days <= int(done.stdout) <= int(time.time() * 1000) + ninety_days
    done = cli("create-user-api-key", "--username", "svc-expiring", "--body",
               '{"name": "ci2"}', "--expires-in", "soon", env=env)
    assert done.returncode == 2 and "invalid duration: 'soon'" in done.stderr


# -- help that is true --------------------------------------------------------------------------


def test_help_offers_the_outputs_that_work_and_links_a_page_pip_users_can_open(
        env: Dict[str, str]) -> None:
    plan = cli("plan", "--help", env=env).stdout
    assert "-o {table,json}" in plan and "csv" not in plan
    assert f"{__url__}/blob/v{__version__}/docs/AccessAsCode.md" in plan
    assert "See docs/AccessAsCode.md" not in plan  # a path a pip install does not have
    assert "-o {yaml,json}" in cli("export", "--help", env=env).stdout
    assert "-o {json,table,csv,text}" in cli("get-users", "--help", env=env).stdout
    for command in ("create-users", "create-session", "update-user"):
        shown = cli(command, "--help", env=env).stdout
        assert '"password"' not in shown and "<secret>" not in shown
        assert "--password-stdin" in shown


def test_create_session_to_a_secret_file_says_where_the_session_went(
        served: Served, env: Dict[str, str], tmp_path: Path) -> None:
    target = tmp_path / "session"
    done = cli("create-session", "--password-stdin", "--secret-file", str(target), "--body",
               '{"username": "admin", "domain": "LOCAL"}', env=env, stdin="admin\n")
    assert done.returncode == 0, done.stderr
    assert done.stdout == ""  # not "{}": all it held is in the file
    assert f"wrote the answer's sessionId to {target} (mode 0600)" in done.stderr
    assert target.read_text().strip() and oct(target.stat().st_mode & 0o777) == "0o600"


# -- the guide's examples, run --------------------------------------------------------------------


def guide_blocks(*sections: str) -> List[str]:
    page = (Path(__file__).resolve().parent.parent / "docs" / "CommandLine.md").read_text(
        encoding="utf-8")
    blocks = []
    for section in sections:
        text = page.split(f"\n{section}\n", 1)[1].split("\n## ", 1)[0].split("\n### ", 1)[0]
        blocks += [block.split("```", 1)[0] for block in text.split("```sh\n")[1:]]
    return blocks


@pytest.fixture
def own_fake(tmp_path: Path) -> Iterator[Tuple[Served, Dict[str, str]]]:
    """A served fake of the test's own: the guide's examples use fixed names."""
    proc, url, api_key = start_served_fake()
    environment = {k: v for k, v in os.environ.items() if not k.startswith("HELIOS_")}
    environment.update(HOME=str(tmp_path), XDG_CONFIG_HOME=str(tmp_path / "config"),
                       HELIOS_HOST=url, HELIOS_API_KEY=api_key)
    try:
        yield Served(url, api_key), environment
    finally:
        stop_served_fake(proc)


def test_the_guides_examples_of_names_passwords_and_queries_run(
        own_fake: Tuple[Served, Dict[str, str]], tmp_path: Path) -> None:
    """Every command line of those sections of docs/CommandLine.md, run by a real shell
    as written, against a served fake set up as the examples expect."""
    served, env = own_fake
    user(served, "svc-report")  # with PASSWORD, which password.txt holds
    backup = user(served, "svc-backup")
    served.api().create_user_api_key(backup, CreateOrUpdateAPIKeyRequest(name="nightly"))
    for name in ("old-contractor", "old-intern"):
        user(served, name)
    served.api().create_group([CreateGroupParams(name="readers", domain="LOCAL",
                                                 roles=["COHESITY_VIEWER"])])
    (tmp_path / "new-users.json").write_text(json.dumps(
        [{"username": "svc-new", "domain": "LOCAL", "roles": ["COHESITY_VIEWER"]}]))
    (tmp_path / "password.txt").write_text(PASSWORD + "\n")
    shell_env = dict(env, NEW_PASSWORD=PASSWORD,
                     PATH=f"{Path(sys.executable).parent}{os.pathsep}{env['PATH']}")
    blocks = [block for block in guide_blocks("## Names instead of SIDs", "### Passwords",
                                              "## Output")
              if any(new in block for new in ("--username ", "--password-stdin", "--query"))]
    assert len(blocks) == 3
    for block in blocks:
        for line in block.splitlines():
            line = line.replace("alice", "svc-report").replace("~/.config/helios/", "")
            done = subprocess.run(["bash", "-c", f"set -o pipefail; {line}"], cwd=tmp_path,
                                  env=shell_env, capture_output=True, text=True, timeout=60)
            assert done.returncode == 0, (line, done.stderr)
            assert PASSWORD not in done.stdout + done.stderr
    assert {"old-contractor", "old-intern"}.isdisjoint(usernames(served))
    assert "svc-new" in usernames(served)
    assert (tmp_path / "nightly").read_text().strip()
