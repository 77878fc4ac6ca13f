"""``cohesity-helios``, run as a user runs it: a subprocess against a FakeHelios served by
``python -m cohesity_sdk.helios.testing`` in another process."""

from __future__ import annotations

import csv
import io
import json
import os
import re
import shutil
import socket
import subprocess
import sys
from pathlib import Path
from typing import Dict, Iterator, List, NamedTuple, Optional

import pytest
from conftest import modules_loaded_by, start_served_fake, stop_served_fake

from cohesity_sdk.helios import ApiClient, Configuration, UserApi
from cohesity_sdk.helios.cli.commands import COMMANDS

SPEC = json.loads((Path(__file__).resolve().parent.parent / "spec" /
                   "helios-user-api.json").read_text(encoding="utf-8"))


class Served(NamedTuple):
    url: str
    api_key: str


@pytest.fixture(scope="module")
def served() -> Iterator[Served]:
    proc, url, api_key = start_served_fake()
    try:
        yield Served(url, api_key)
    finally:
        stop_served_fake(proc)


def clean_env(tmp: Path, **variables: str) -> Dict[str, str]:
    """The caller's environment without HELIOS_* and with no profile file to find."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("HELIOS_")}
    env.update(HOME=str(tmp), XDG_CONFIG_HOME=str(tmp / "config"), **variables)
    return env


@pytest.fixture
def env(served: Served, tmp_path: Path) -> Dict[str, str]:
    return clean_env(tmp_path, HELIOS_HOST=served.url, HELIOS_API_KEY=served.api_key)


def cli(*args: str, env: Dict[str, str], stdin: Optional[str] = None,
        module: bool = True) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "cohesity_sdk.helios"] if module else [_script()]
    return subprocess.run([*command, *args], env=env, input=stdin, capture_output=True,
                          text=True, timeout=60, check=False)


def _script() -> str:
    found = Path(sys.executable).parent / "cohesity-helios"
    if not found.exists():
        which = shutil.which("cohesity-helios")
        assert which, "the cohesity-helios script is not installed: pip install -e ."
        return which
    return str(found)


def api(served: Served) -> UserApi:
    return UserApi(ApiClient(Configuration(host=served.url, api_key=served.api_key)))


# -- output ---------------------------------------------------------------------------


def test_json_output_is_the_api_answer(env: Dict[str, str], served: Served) -> None:
    done = cli("get-users", "--usernames", "admin", "-o", "json", env=env)
    assert done.returncode == 0, done.stderr
    answer = json.loads(done.stdout)
    assert [u["username"] for u in answer["users"]] == ["admin"]
    assert answer == json.loads(api(served).get_users_with_http_info(
        usernames=["admin"]).raw_data)
    assert done.stderr == ""


def test_json_is_the_default_off_a_terminal(env: Dict[str, str]) -> None:
    done = cli("get-users", env=env)
    assert done.returncode == 0, done.stderr
    assert "users" in json.loads(done.stdout)


def test_table_output(env: Dict[str, str]) -> None:
    login = json.dumps({"username": "admin", "password": "admin", "domain": "LOCAL"})
    assert cli("create-session", "--body", login, env=env).returncode == 0  # a last login
    done = cli("get-users", "-o", "table", env=env)
    assert done.returncode == 0, done.stderr
    header, *rows = done.stdout.splitlines()
    columns = re.split(r"  +", header)
    # The columns that identify a user (the spec's x-columns), in words; -o csv has
    # them all, by their keys.
    assert columns == ["Username", "Domain", "Roles", "Locked", "Email", "Last login", "SID"]
    admin = next(row for row in rows if row.split()[0] == "admin")
    assert "LOCAL" in admin and "COHESITY_ADMIN" in admin
    assert admin.split()[3] == "no"  # locked: yes or no
    # Times as ISO dates, not epoch milliseconds.
    assert "Z" in admin and "T" in admin
    assert not any(len(word) == 13 and word.isdigit() for word in admin.split())


def test_table_of_one_object_is_a_field_per_line(env: Dict[str, str], served: Served) -> None:
    sid = api(served).get_users(usernames=["admin"]).users[0].sid
    assert sid is not None
    done = cli("get-user-by-sid", "--sid", sid, "-o", "table", env=env)
    assert done.returncode == 0, done.stderr
    fields = {}
    for line in done.stdout.splitlines():  # "Header  value", the headers in words
        name, value = re.split(r"  +", line, maxsplit=1)
        fields[name] = value
    assert fields["Username"] == "admin"
    assert fields["SID"] == sid
    assert fields["Locked"] == "no"


def test_csv_output_is_to_records(env: Dict[str, str], served: Served) -> None:
    done = cli("get-users", "-o", "csv", env=env)
    assert done.returncode == 0, done.stderr
    rows = list(csv.DictReader(io.StringIO(done.stdout)))
    records = api(served).get_users().to_records()
    assert [list(row) for row in rows] == [list(record) for record in records]
    assert [row["username"] for row in rows] == [r["username"] for r in records]
    admin = next(row for row in rows if row["username"] == "admin")
    assert admin["roles"] == "COHESITY_ADMIN"
    assert admin["created_time_msecs"].endswith("Z")
    # Secrets are no column of a table.
    assert "s3_account_params.s3_secret_key" not in rows[0]


# -- parameters and bodies ---------------------------------------------------------------


def test_body_from_a_file_and_from_stdin(env: Dict[str, str], tmp_path: Path,
                                         served: Served) -> None:
    body = tmp_path / "users.json"
    body.write_text(json.dumps([
        {"username": "cli-file", "domain": "LOCAL", "roles": ["COHESITY_VIEWER"],
         "localUserParams": {"email": "f@example.com", "password": "Pa55-file-word"}},
    ]), encoding="utf-8")
    done = cli("create-users", "--body", f"@{body}", "-o", "json", env=env)
    assert done.returncode == 0, done.stderr
    assert [u["username"] for u in json.loads(done.stdout)["users"]] == ["cli-file"]
    assert "Pa55-file-word" not in done.stdout + done.stderr

    one = {"username": "cli-stdin", "domain": "LOCAL",
           "localUserParams": {"password": "Pa55-stdin-word"}}
    done = cli("create-users", "--body", "-", "-vv", env=env, stdin=json.dumps(one))
    assert done.returncode == 0, done.stderr
    assert "Pa55-stdin-word" not in done.stdout + done.stderr
    assert "POST" in done.stderr  # -vv logs each request
    names = {u.username for u in api(served).get_users(usernames=["cli-file", "cli-stdin"])}
    assert names == {"cli-file", "cli-stdin"}


def test_lists_are_comma_separated_or_repeated(env: Dict[str, str]) -> None:
    commas = cli("get-users", "--usernames", "admin,nobody", env=env)
    repeated = cli("get-users", "--usernames", "admin", "--usernames", "nobody", env=env)
    assert commas.returncode == repeated.returncode == 0
    assert json.loads(commas.stdout) == json.loads(repeated.stdout)
    assert [u["username"] for u in json.loads(commas.stdout)["users"]] == ["admin"]


def test_options_after_the_subcommand_and_before_it(env: Dict[str, str]) -> None:
    before = cli("-o", "csv", "get-users", env=env)
    after = cli("get-users", "-o", "csv", env=env)
    assert before.returncode == after.returncode == 0
    assert before.stdout == after.stdout and before.stdout.startswith("username,")


def requests_served(served: Served) -> int:
    """How many requests the fake has logged: what a refused command must not change."""
    import urllib.request

    control = served.url[: -len("/v2")] + "/_fake/requests"
    with urllib.request.urlopen(control, timeout=10) as answer:
        return len(json.loads(answer.read()))


def admin_sid(served: Served) -> str:
    sid = api(served).get_users(usernames=["admin"]).users[0].sid
    assert sid is not None
    return sid


def test_a_new_keys_secret_is_printed_in_json_by_default(env: Dict[str, str],
                                                         served: Served) -> None:
    body = json.dumps({"name": "cli-key"})
    done = cli("create-user-api-key", "--user-sid", admin_sid(served), "--body", body, env=env)
    assert done.returncode == 0, done.stderr
    created = json.loads(done.stdout)  # JSON, even off a terminal: the default here
    assert created["apiKey"] and created["name"] == "cli-key"


@pytest.mark.parametrize("output", ["table", "csv"])
@pytest.mark.parametrize("command", ["create-user-api-key", "rotate-user-api-key",
                                     "regenerate-s3-key", "create-session"])
def test_an_output_that_would_lose_a_secret_is_refused_before_sending(
        env: Dict[str, str], served: Served, command: str, output: str) -> None:
    sid = admin_sid(served)
    key_id = api(served).get_user_api_keys(sid).api_keys[0].id
    assert key_id is not None
    args = {
        "create-user-api-key": ["--user-sid", sid, "--body", '{"name": "never-made"}'],
        "rotate-user-api-key": ["--user-sid", sid, "--id", key_id],
        "regenerate-s3-key": ["--sid", sid],
        "create-session": ["--body", "-"],
    }[command]
    login = json.dumps({"username": "admin", "password": "admin", "domain": "LOCAL"})
    before = requests_served(served)
    done = cli(command, *args, "-o", output, env=env, stdin=login)
    assert done.returncode == 2
    line = one_line(done.stderr)
    assert f"-o {output} cannot show" in line and "--secret-file PATH" in line
    assert "nothing was sent" in line
    assert done.stdout == ""
    assert requests_served(served) == before


def test_a_secret_file_keeps_the_secret_whatever_the_output(
        env: Dict[str, str], served: Served, tmp_path: Path) -> None:
    sid = admin_sid(served)
    secret_file = tmp_path / "nightly.key"
    secret_file.write_text("old\n", encoding="utf-8")
    secret_file.chmod(0o644)  # replaced whole, not written through
    done = cli("create-user-api-key", "--user-sid", sid, "--body", '{"name": "cli-file-key"}',
               "-o", "table", "--secret-file", str(secret_file), env=env)
    assert done.returncode == 0, done.stderr
    assert "cli-file-key" in done.stdout
    assert oct(secret_file.stat().st_mode & 0o777) == oct(0o600)
    secret = secret_file.read_text(encoding="utf-8")
    assert secret.endswith("\n") and secret.strip() not in done.stdout + done.stderr
    assert str(secret_file) in done.stderr and "0600" in done.stderr
    as_the_key = UserApi(ApiClient(Configuration(host=served.url, api_key=secret.strip())))
    assert as_the_key.get_user_by_sid(sid).username == "admin"  # the secret works
    assert [p.name for p in tmp_path.iterdir()] == ["nightly.key"]  # no temporary left

    # JSON with a secret file: the answer without the secret, which is in the file.
    key_id = json.loads(cli("get-user-api-keys", "--user-sid", sid, env=env).stdout)
    key_id = next(k["id"] for k in key_id["apiKeys"] if k["name"] == "cli-file-key")
    done = cli("rotate-user-api-key", "--user-sid", sid, "--id", key_id, "-o", "json",
               "--secret-file", str(secret_file), env=env)
    assert done.returncode == 0, done.stderr
    rotated = json.loads(done.stdout)
    assert rotated["id"] == key_id and "apiKey" not in rotated
    assert secret_file.read_text(encoding="utf-8") not in ("", secret)


def test_a_secret_file_that_cannot_be_written_is_refused_before_sending(
        env: Dict[str, str], served: Served, tmp_path: Path) -> None:
    sid = admin_sid(served)
    before = requests_served(served)
    for path in (tmp_path / "no-such-folder" / "k", tmp_path):
        done = cli("create-user-api-key", "--user-sid", sid, "--body", '{"name": "x"}',
                   "--secret-file", str(path), env=env)
        assert done.returncode == 2
        line = one_line(done.stderr)
        assert "--secret-file" in line and "nothing was sent" in line
    assert requests_served(served) == before


def test_fake_runs_against_a_fresh_fake(tmp_path: Path) -> None:
    done = cli("--fake", "get-users", "-o", "json", env=clean_env(tmp_path))
    assert done.returncode == 0, done.stderr
    assert [u["username"] for u in json.loads(done.stdout)["users"]] == ["admin"]


def test_console_script(env: Dict[str, str]) -> None:
    done = cli("get-users", "--usernames", "admin", env=env, module=False)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["users"][0]["username"] == "admin"
    version = cli("--version", env=env, module=False)
    import cohesity_sdk

    assert version.stdout.split() == ["cohesity-helios", cohesity_sdk.__version__]


# -- exit codes -------------------------------------------------------------------------


def one_line(stderr: str) -> str:
    lines = stderr.splitlines()
    assert len(lines) == 1, stderr
    return lines[0]


def test_refused_by_the_server_is_1_with_one_line(env: Dict[str, str]) -> None:
    done = cli("get-user-by-sid", "--sid", "S-1-no-such-user", env=env)
    assert done.returncode == 1
    assert done.stdout == ""
    line = one_line(done.stderr)
    assert "(404) Not Found" in line and "not found" in line


def test_a_wrong_key_is_1(env: Dict[str, str]) -> None:
    done = cli("get-users", env={**env, "HELIOS_API_KEY": "wrong-key-0000"})
    assert done.returncode == 1
    assert "(401)" in one_line(done.stderr)
    assert "wrong-key-0000" not in done.stderr


def test_unreachable_is_1(tmp_path: Path) -> None:
    with socket.socket() as sock:  # a port nobody listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    env = clean_env(tmp_path, HELIOS_HOST=f"http://127.0.0.1:{port}/v2",
                    HELIOS_API_KEY="some-key-123")
    done = cli("get-users", env=env)
    assert done.returncode == 1
    assert "get_users" in one_line(done.stderr)


@pytest.mark.parametrize("args, message", [
    (["no-such-command"], "invalid choice"),
    (["get-user-by-sid"], "--sid"),
    (["get-users", "--no-such-option"], "unrecognized arguments"),
    (["get-users", "-o", "yaml"], "invalid choice"),
    (["get-users", "--access-cluster-id", "twelve"], "invalid int value"),
    (["create-users"], "--body"),
])
def test_usage_errors_are_2(env: Dict[str, str], args: List[str], message: str) -> None:
    done = cli(*args, env=env)
    assert done.returncode == 2
    assert message in done.stderr
    assert done.stdout == ""


@pytest.mark.parametrize("body, message", [
    ('[{"username": "x", "domain": "LOCAL"', "is not JSON"),
    ('[{"username": "x", "domian": "LOCAL"}]', "did you mean 'domain'"),
    ('[{"username": "x"}]', "body[0].domain: is required"),
    ("[]", "at least 1 item"),
    ('"alice"', "JSON array of CreateUserParameters"),
    ("@/no/such/file.json", "cannot read"),
])
def test_a_refused_body_is_2_and_nothing_is_sent(env: Dict[str, str], served: Served,
                                                 body: str, message: str) -> None:
    before = len(api(served).get_users())
    done = cli("create-users", "--body", body, env=env)
    assert done.returncode == 2
    assert message in one_line(done.stderr)
    assert len(api(served).get_users()) == before


def test_no_credentials_is_2(tmp_path: Path) -> None:
    done = cli("get-users", env=clean_env(tmp_path))
    assert done.returncode == 2
    assert "HELIOS_API_KEY" in one_line(done.stderr) and "--fake" in done.stderr


def test_a_bad_variable_is_2_and_named(env: Dict[str, str]) -> None:
    done = cli("get-users", env={**env, "HELIOS_ACCESS_CLUSTER_ID": "abc"})
    assert done.returncode == 2
    assert "HELIOS_ACCESS_CLUSTER_ID" in one_line(done.stderr)


# -- the parser -------------------------------------------------------------------------


def test_one_subcommand_per_operation_with_every_parameter() -> None:
    operations = {op["operationId"]: op for item in SPEC["paths"].values()
                  for op in item.values()}
    assert sorted(COMMANDS) == sorted(name.replace("_", "-") for name in operations)
    from cohesity_sdk.helios.cli import build_parser

    parser = build_parser()
    for name, command in COMMANDS.items():
        op = operations[command.method]
        sub = parser._subparsers._group_actions[0].choices[name]  # type: ignore[union-attr]
        flags = {flag for action in sub._actions for flag in action.option_strings}
        for param in op.get("parameters", []):
            assert "--" + param["x-python-name"].replace("_", "-") in flags, (name, param)
        assert ("--body" in flags) == ("requestBody" in op)


def test_subcommand_help_shows_the_description(env: Dict[str, str]) -> None:
    done = cli("rotate-user-api-key", "--help", env=env)
    assert done.returncode == 0
    text = " ".join(done.stdout.split())
    assert COMMANDS["rotate-user-api-key"].description in text
    assert "--user-sid" in text and "--id" in text


def test_help_imports_no_model_and_no_http(tmp_path: Path) -> None:
    code = ("from cohesity_sdk.helios.cli import main\n"
            "try:\n    main(['--help'])\nexcept SystemExit:\n    pass")
    assert modules_loaded_by(code, "pydantic", "urllib3", "cohesity_sdk.helios.models.",
                             "cohesity_sdk.helios.api", env=clean_env(tmp_path)) == []


def documented_command_lines() -> List[str]:
    lines = []
    root = Path(__file__).resolve().parent.parent
    for page in (root / "README.md", root / "docs" / "CommandLine.md"):
        for block in page.read_text(encoding="utf-8").split("```sh\n")[1:]:
            for line in block.split("```")[0].splitlines():
                # A command line, or the last command of a pipeline ("printf ... | ...").
                command = line.rsplit(" | ", 1)[-1]
                if command.startswith("cohesity-helios ") or (
                        line.startswith("sid=$(cohesity-helios ") and line.endswith(")")):
                    lines.append(command if not line.startswith("sid=$(")
                                 else line[len("sid=$("):-1])
    return lines


@pytest.mark.parametrize("line", documented_command_lines())
def test_documented_command_lines_parse(line: str) -> None:
    import shlex

    from cohesity_sdk.helios.cli import build_parser

    words = shlex.split(line, comments=True)[1:]
    for redirection in (">", "<"):
        words = words[:words.index(redirection)] if redirection in words else words
    try:
        args = build_parser().parse_args(words)
    except SystemExit as exc:  # --help
        assert exc.code == 0 and "--help" in words
        return
    from cohesity_sdk.helios.cli.access import NAMES as ACCESS_COMMANDS
    from cohesity_sdk.helios.cli.config import NAMES as CONFIG_COMMANDS

    assert args.command in (*COMMANDS, *ACCESS_COMMANDS, *CONFIG_COMMANDS)


# -- the command line in its own words ---------------------------------------------------


@pytest.mark.parametrize("args, says", [
    (["delete-session"], ["without --sid", "--sid SID", "--all-sessions"]),
    (["delete-session", "--sid", "S-1-100-1", "--all-sessions"],
     ["--all-sessions contradicts --sid"]),
    (["get-user-by-sid", "--sid", ""], ["--sid must not be empty"]),
    (["get-security-principals", "--sids", ""], ["--sids has an empty value"]),
    (["get-users", "--usernames", "admin,"], ["--usernames has an empty value"]),
    (["get-users", "--access-cluster-id", "99999999999999999999"],
     ["--access-cluster-id", "int64"]),
    (["get-users", "--region-id", "eu\nwest"], ["--region-id", "line break"]),
    (["get-users", "--host", "https://helios.example.com"], ["--host", "/v2"]),
    (["get-users", "--profile", "no-such-profile"], ["(--profile)", "no-such-profile"]),
])
def test_an_error_names_the_option_typed(env: Dict[str, str], served: Served,
                                         args: List[str], says: List[str]) -> None:
    before = requests_served(served)
    done = cli(*args, env=env)
    assert done.returncode == 2
    line = done.stderr.splitlines()[-1]
    for words in says:
        assert words in line, line
    for python in ("all_sessions", "sid=", "=True", "Configuration.", "profile=", "(): "):
        assert python not in line, line
    assert requests_served(served) == before


def test_delete_session_with_all_sessions_logs_everyone_out(env: Dict[str, str]) -> None:
    login = json.dumps({"username": "admin", "password": "admin", "domain": "LOCAL"})
    assert cli("create-session", "--body", "-", env=env, stdin=login).returncode == 0
    done = cli("delete-session", "--all-sessions", env=env)
    assert done.returncode == 0, done.stderr
    counted = json.loads(cli("get-active-sessions-count", env=env).stdout)
    assert counted.get("totalSessionsCount", 0) == 0


def test_an_empty_list_still_says_something(env: Dict[str, str]) -> None:
    table = cli("get-groups", "--names", "no-such-group", "-o", "table", env=env)
    assert table.returncode == 0, table.stderr
    header, last = table.stdout.splitlines()
    assert header.split()[:3] == ["Name", "Domain", "Roles"]
    assert last == "no groups"
    csv_out = cli("get-groups", "--names", "no-such-group", "-o", "csv", env=env)
    assert csv_out.returncode == 0, csv_out.stderr
    [header] = csv_out.stdout.splitlines()
    assert header.startswith("name,domain,roles,") and "sid" in header.split(",")
    full = cli("get-groups", "-o", "csv", env=env)  # the same columns as a list with rows
    assert full.stdout.splitlines()[0] == header


def test_a_password_on_the_command_line_is_warned_about(env: Dict[str, str],
                                                         tmp_path: Path) -> None:
    user = {"username": "cli-warned", "domain": "LOCAL",
            "localUserParams": {"password": "Warned-Pa55"}}
    done = cli("create-users", "--body", json.dumps([user]), env=env)
    assert done.returncode == 0, done.stderr
    warning = one_line(done.stderr)
    assert "warning" in warning and "localUserParams.password" in warning
    assert "--body @FILE" in warning and "--body -" in warning
    assert "Warned-Pa55" not in done.stderr

    login = {"username": "admin", "domain": "LOCAL", "password": "admin",
             "otpType": "totp", "otpCode": "123456"}
    done = cli("create-session", "--body", json.dumps(login), env=env)
    assert "otpCode, password" in done.stderr  # the fake refuses the code; still warned

    # From a file or stdin, nothing to warn about.
    user["username"] = "cli-from-file"
    path = tmp_path / "user.json"
    path.write_text(json.dumps(user), encoding="utf-8")
    done = cli("create-users", "--body", f"@{path}", env=env)
    assert done.returncode == 0 and done.stderr == ""
    user["username"] = "cli-from-stdin"
    done = cli("create-users", "--body", "-", env=env, stdin=json.dumps(user))
    assert done.returncode == 0 and done.stderr == ""
    # No password in it: nothing to warn about either.
    done = cli("update-user", "--sid", "S-1-no-such", "--body", '{"locked": false}', env=env)
    assert "warning" not in done.stderr


def test_a_duplicate_is_named_without_a_doubled_backslash(env: Dict[str, str]) -> None:
    done = cli("create-group", "--body", json.dumps([{"name": "dup", "domain": "LOCAL"}]),
               env=env)
    assert done.returncode == 0, done.stderr
    done = cli("create-group", "--body", json.dumps([{"name": "dup", "domain": "LOCAL"}]),
               env=env)
    assert done.returncode == 1
    line = one_line(done.stderr)
    assert "(409)" in line and "group dup already exists in domain LOCAL" in line
    assert "\\" not in line
    user = [{"username": "admin", "domain": "LOCAL", "localUserParams": {"password": "x"}}]
    done = cli("create-users", "--body", "-", env=env, stdin=json.dumps(user))
    line = one_line(done.stderr)
    assert "(409)" in line and "user admin already exists in domain LOCAL" in line
    assert "\\" not in line


# -- prompts on a terminal ---------------------------------------------------------------


def on_a_terminal(args: List[str], env: Dict[str, str], answers: List[str],
                  timeout: float = 30.0) -> "tuple[int, str]":
    """Run the command line with a terminal (a pseudo-terminal it controls) as its
    stdin and stdout, typing each of ``answers`` after a prompt; its exit status and
    everything the terminal showed."""
    import pty
    import select
    import time
    import warnings

    with warnings.catch_warnings():
        # The child only replaces itself with the command: no thread of ours runs there.
        warnings.filterwarnings("ignore", "This process .* is multi-threaded",
                                DeprecationWarning)
        pid, fd = pty.fork()
    if pid == 0:  # the child: the terminal is its own
        try:
            os.execve(sys.executable, [sys.executable, "-m", "cohesity_sdk.helios", *args], env)
        finally:
            os._exit(127)
    shown = b""
    pending = list(answers)
    deadline = time.monotonic() + timeout
    try:
        while time.monotonic() < deadline:
            ready, _, _ = select.select([fd], [], [], 0.5)
            if not ready:
                continue
            try:
                chunk = os.read(fd, 4096)
            except OSError:  # the child has closed the terminal
                break
            if not chunk:
                break
            shown += chunk
            if pending and shown.rstrip().endswith(b":"):
                os.write(fd, pending.pop(0).encode() + b"\n")
                shown += b"<typed>\n"
    finally:
        os.close(fd)
        _, status = os.waitpid(pid, 0)
    return os.waitstatus_to_exitcode(status), shown.decode(errors="replace")


needs_a_terminal = pytest.mark.skipif(os.name != "posix", reason="a POSIX pseudo-terminal")


def new_local_user(served: Served, name: str, password: str) -> str:
    from cohesity_sdk.helios import CreateUserParameters, LocalUserParams

    created = api(served).create_users([CreateUserParameters(
        username=name, domain="LOCAL", roles=["COHESITY_ADMIN"],
        local_user_params=LocalUserParams(password=password))])
    sid = created.users[0].sid
    assert sid is not None
    return sid


def can_log_in(served: Served, name: str, password: str) -> bool:
    from cohesity_sdk.helios import CreateUserSessionRequestParams
    from cohesity_sdk.helios.exceptions import UnauthorizedException

    try:
        api(served).create_session(CreateUserSessionRequestParams(
            username=name, domain="LOCAL", password=password))
    except UnauthorizedException:
        return False
    return True


@needs_a_terminal
def test_a_login_without_its_password_asks_on_a_terminal(env: Dict[str, str],
                                                         served: Served) -> None:
    new_local_user(served, "tty-login", "Typed-Pa55-1")
    body = json.dumps({"username": "tty-login", "domain": "LOCAL"})
    status, shown = on_a_terminal(["create-session", "--body", body], env, ["Typed-Pa55-1"])
    assert status == 0, shown
    assert "Password for LOCAL\\tty-login:" in shown
    assert "Typed-Pa55-1" not in shown  # not echoed
    assert '"sessionId"' in shown


@needs_a_terminal
def test_a_username_without_a_password_asks_on_a_terminal(env: Dict[str, str],
                                                          served: Served) -> None:
    new_local_user(served, "tty-user", "Typed-Pa55-2")
    login_env = {k: v for k, v in env.items() if k != "HELIOS_API_KEY"}
    login_env["HELIOS_USERNAME"] = "tty-user"
    status, shown = on_a_terminal(["get-users", "--usernames", "tty-user", "-o", "csv"],
                                  login_env, ["Typed-Pa55-2"])
    assert status == 0, shown
    assert "Password for LOCAL\\tty-user:" in shown
    assert "Typed-Pa55-2" not in shown
    assert "tty-user,LOCAL" in shown
    # Without a terminal, nothing to ask on: a usage error that says what to set.
    done = cli("get-users", env=login_env)
    assert done.returncode == 2
    assert "HELIOS_PASSWORD" in one_line(done.stderr)


@needs_a_terminal
def test_a_new_local_user_without_a_password_asks_twice(env: Dict[str, str],
                                                        served: Served) -> None:
    body = json.dumps([{"username": "tty-new", "domain": "LOCAL"}])
    status, shown = on_a_terminal(["create-users", "--body", body, "-o", "csv"], env,
                                  ["Typed-Pa55-3", "Typed-Pa55-3"])
    assert status == 0, shown
    assert "Password for the new user LOCAL\\tty-new:" in shown and "again" in shown
    assert can_log_in(served, "tty-new", "Typed-Pa55-3")

    body = json.dumps([{"username": "tty-mistyped", "domain": "LOCAL"}])
    status, shown = on_a_terminal(["create-users", "--body", body], env,
                                  ["Typed-Pa55-4", "Typed-Pa55-5"])
    assert status == 2
    assert "do not match" in shown and "nothing was sent" in shown
    assert len(api(served).get_users(usernames=["tty-mistyped"])) == 0


@needs_a_terminal
def test_new_password_asks_twice_and_sets_it(env: Dict[str, str], served: Served) -> None:
    sid = new_local_user(served, "tty-change", "Typed-Pa55-6")
    status, shown = on_a_terminal(["update-user", "--sid", sid, "--new-password", "-o", "csv"],
                                  env, ["Typed-Pa55-7", "Typed-Pa55-7"])
    assert status == 0, shown
    assert f"New password for {sid}:" in shown
    assert "Typed-Pa55-7" not in shown
    assert can_log_in(served, "tty-change", "Typed-Pa55-7")
    assert not can_log_in(served, "tty-change", "Typed-Pa55-6")
    # Off a terminal it cannot ask: refused, and the body is the way.
    done = cli("update-user", "--sid", sid, "--new-password", env=env)
    assert done.returncode == 2 and "--body @FILE" in one_line(done.stderr)
