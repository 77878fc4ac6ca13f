"""``cohesity-helios config show`` and ``cohesity-helios completion``, run as a user runs
them: the console script in a subprocess, with an environment and a profile file of
the test's own (``HOME`` and ``XDG_CONFIG_HOME`` in a temporary folder), and for
completion a real shell that sources the printed script."""

from __future__ import annotations

import csv
import importlib.util
import io
import json
import os
import shlex
import shutil
import socket
import subprocess
import sys
from pathlib import Path
from typing import Any, Dict, List

import pytest
from conftest import modules_loaded_by

posix_only = pytest.mark.skipif(os.name == "nt", reason="file modes and ptys are POSIX")

KEY = "0f8e7d6c-5b4a-3928-1706-abcdefWXYZ42"  # an API key's length; ends in "YZ42"
PASSWORD = "pa55-word-never-shown"
PROXY_VARIABLES = ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "NO_PROXY", "http_proxy",
                   "https_proxy", "all_proxy", "no_proxy")


def script() -> str:
    """The console script, as pip installed it beside this Python."""
    found = Path(sys.executable).parent / "cohesity-helios"
    if found.exists():
        return str(found)
    which = shutil.which("cohesity-helios")
    assert which, "the cohesity-helios script is not installed: pip install -e ."
    return which


def clean_env(tmp: Path, **variables: str) -> Dict[str, str]:
    """The caller's environment without HELIOS_* or proxy variables, HOME and
    XDG_CONFIG_HOME in ``tmp``; then ``variables``."""
    env = {k: v for k, v in os.environ.items()
           if not k.startswith("HELIOS_") and k not in PROXY_VARIABLES}
    env.update(HOME=str(tmp / "home"), XDG_CONFIG_HOME=str(tmp / "config"), **variables)
    return env


def run(*args: str, env: Dict[str, str], module: bool = False,
        stdout: Any = subprocess.PIPE) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "cohesity_sdk.helios"] if module else [script()]
    return subprocess.run([*command, *args], env=env, stdout=stdout, stderr=subprocess.PIPE,
                          text=True, timeout=60, check=False)


def show(*args: str, env: Dict[str, str]) -> Dict[str, Dict[str, Any]]:
    done = run("config", "show", *args, env=env)
    assert done.returncode == 0, done.stderr
    assert done.stderr == ""
    answer: Dict[str, Dict[str, Any]] = json.loads(done.stdout)  # JSON off a terminal
    return answer


def write_private(path: Path, text: str, mode: int = 0o600) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    path.chmod(mode)
    return path


def profile_file(tmp: Path) -> Path:
    """Where the command looks for profiles with ``clean_env(tmp)``: under XDG_CONFIG_HOME."""
    return tmp / "config" / "cohesity" / "helios.ini"


# -- config show: where each setting came from ---------------------------------------------


def test_nothing_configured_shows_the_defaults(tmp_path: Path) -> None:
    shown = show(env=clean_env(tmp_path))
    assert shown["host"] == {"value": "https://helios.cohesity.com/v2", "source": "default"}
    assert shown["credential"] == {"value": None, "source": "nothing gives one",
                                   "kind": "none"}
    assert shown["profile"] == {"value": "default", "source": "default", "used": False}
    assert shown["profile_file"] == {"value": str(profile_file(tmp_path)),
                                     "source": "default, under XDG_CONFIG_HOME",
                                     "exists": False}
    assert shown["access_cluster_id"] == {"value": None, "source": "default"}
    assert shown["verify_ssl"] == {"value": True, "source": "default"}
    assert shown["ca_bundle"] == {"value": None, "source": "default: the system's CAs"}
    assert shown["client_certificate"]["value"] is None
    assert shown["tls_server_name"] == {"value": None, "source": "default: the host's name"}
    assert shown["proxy"] == {"value": None, "source": "no HTTPS_PROXY or ALL_PROXY is set"}
    assert shown["trust_env"] == {"value": True, "source": "default"}
    assert shown["timeout"] == {"value": [10.0, 120.0], "source": "default"}


def test_settings_from_the_environment_name_their_variables(tmp_path: Path) -> None:
    env = clean_env(tmp_path, HELIOS_HOST="https://cluster.example.com/v2",
                    HELIOS_API_KEY=KEY, HELIOS_ACCESS_CLUSTER_ID="4213516873913468",
                    HELIOS_REGION_ID="us-east-1", HELIOS_VERIFY_SSL="no",
                    HELIOS_CA_BUNDLE="/etc/ssl/corp.pem", HELIOS_TIMEOUT="30")
    done = run("config", "show", env=env)
    assert done.returncode == 0, done.stderr
    shown = json.loads(done.stdout)
    assert shown["host"] == {"value": "https://cluster.example.com/v2",
                             "source": "environment HELIOS_HOST"}
    assert shown["credential"] == {"value": "****YZ42", "source": "environment HELIOS_API_KEY",
                                   "kind": "api_key"}
    assert shown["access_cluster_id"] == {"value": 4213516873913468,
                                          "source": "environment HELIOS_ACCESS_CLUSTER_ID"}
    assert shown["region_id"] == {"value": "us-east-1", "source": "environment HELIOS_REGION_ID"}
    assert shown["verify_ssl"] == {"value": False, "source": "environment HELIOS_VERIFY_SSL"}
    assert shown["ca_bundle"] == {"value": "/etc/ssl/corp.pem",
                                  "source": "environment HELIOS_CA_BUNDLE"}
    assert shown["timeout"] == {"value": 30.0, "source": "environment HELIOS_TIMEOUT"}
    assert KEY[:-4] not in done.stdout + done.stderr


def test_a_profile_names_its_file_and_a_login_never_shows_its_password(
    tmp_path: Path,
) -> None:
    path = write_private(profile_file(tmp_path), (
        "[default]\nregion_id = from-default\n"
        "[lab]\nhost = https://lab.example.com/v2\nusername = backup-admin\n"
        f"password = {PASSWORD}\ndomain = CORP\nregion_id = eu-1\nverify_ssl = off\n"
        "ca_bundle = /etc/ssl/lab.pem\ntrust_env = false\ntimeout = 5,60\n"))
    done = run("config", "show", "--profile", "lab", env=clean_env(tmp_path))
    assert done.returncode == 0, done.stderr
    assert PASSWORD not in done.stdout + done.stderr
    shown = json.loads(done.stdout)
    source = f"profile [lab] of {path}"
    assert shown["profile"] == {"value": "lab", "source": "flag --profile", "used": True}
    assert shown["profile_file"] == {"value": str(path),
                                     "source": "default, under XDG_CONFIG_HOME", "exists": True}
    assert shown["host"] == {"value": "https://lab.example.com/v2", "source": source}
    assert shown["credential"] == {"value": "backup-admin", "source": source, "kind": "session"}
    assert shown["domain"] == {"value": "CORP", "source": source}
    assert shown["password"] == {"value": "set", "source": source}
    assert shown["region_id"] == {"value": "eu-1", "source": source}
    assert shown["verify_ssl"] == {"value": False, "source": source}
    assert shown["ca_bundle"] == {"value": "/etc/ssl/lab.pem", "source": source}
    assert shown["trust_env"] == {"value": False, "source": source}
    assert shown["timeout"] == {"value": [5.0, 60.0], "source": source}
    assert shown["proxy"] == {"value": None, "source": "trust_env is off"}

    table = run("config", "show", "--profile", "lab", "-o", "table", env=clean_env(tmp_path))
    assert table.returncode == 0, table.stderr
    assert PASSWORD not in table.stdout
    rows = {line.split()[0]: line for line in table.stdout.splitlines()}
    assert "session login as CORP\\backup-admin" in rows["credential"]
    assert rows["password"].split()[1] == "set"


def test_a_login_without_its_password_is_shown_without_asking(tmp_path: Path) -> None:
    env = clean_env(tmp_path, HELIOS_USERNAME="ops", HELIOS_DOMAIN="CORP")
    shown = show(env=env)
    assert shown["credential"] == {"value": "ops", "source": "environment HELIOS_USERNAME",
                                   "kind": "session"}
    assert shown["domain"] == {"value": "CORP", "source": "environment HELIOS_DOMAIN"}
    assert shown["password"] == {"value": None, "source": "not set"}
    table = run("config", "show", "-o", "table", env=env).stdout
    assert "not set: asked for on a terminal" in table


def test_the_profile_may_come_from_the_environment_and_the_file_from_a_variable(
    tmp_path: Path,
) -> None:
    path = write_private(tmp_path / "elsewhere.ini", "[ops]\nregion_id = r-ops\n", mode=0o644)
    shown = show(env=clean_env(tmp_path, HELIOS_PROFILE="ops", HELIOS_CONFIG_FILE=str(path)))
    assert shown["profile"] == {"value": "ops", "source": "environment HELIOS_PROFILE",
                                "used": True}
    assert shown["profile_file"] == {"value": str(path),
                                     "source": "environment HELIOS_CONFIG_FILE", "exists": True}
    assert shown["region_id"] == {"value": "r-ops", "source": f"profile [ops] of {path}"}


def test_a_default_profile_the_file_lacks_is_shown_as_not_used(tmp_path: Path) -> None:
    write_private(profile_file(tmp_path), "[lab]\nregion_id = r\n")
    env = clean_env(tmp_path)
    assert show(env=env)["profile"] == {"value": "default", "source": "default", "used": False}
    table = run("config", "show", "-o", "table", env=env).stdout
    assert "default (not in the file: not used)" in table


def test_flags_win_and_say_so(tmp_path: Path) -> None:
    write_private(profile_file(tmp_path), "[default]\nregion_id = from-profile\n")
    env = clean_env(tmp_path, HELIOS_HOST="https://env.example.com/v2", HELIOS_API_KEY=KEY,
                    HELIOS_ACCESS_CLUSTER_ID="1", HTTPS_PROXY="http://proxy.corp:3128")
    # Before the command and after it: the options of every command.
    shown = show("--host", "https://flag.example.com/v2", "--region-id", "from-flag",
                 "--no-trust-env", env=env)
    assert shown["host"] == {"value": "https://flag.example.com/v2", "source": "flag --host"}
    assert shown["region_id"] == {"value": "from-flag", "source": "flag --region-id"}
    assert shown["trust_env"] == {"value": False, "source": "flag --no-trust-env"}
    assert shown["proxy"] == {"value": None, "source": "trust_env is off"}
    done = run("--access-cluster-id", "42", "config", "show", "--trust-env", env=env)
    assert done.returncode == 0, done.stderr
    shown = json.loads(done.stdout)
    assert shown["access_cluster_id"] == {"value": 42, "source": "flag --access-cluster-id"}
    assert shown["trust_env"] == {"value": True, "source": "flag --trust-env"}
    assert shown["proxy"] == {"value": "http://proxy.corp:3128",
                              "source": "environment HTTPS_PROXY"}


def test_the_proxy_in_use_and_why(tmp_path: Path) -> None:
    host = "https://helios.example.com/v2"
    with_credentials = clean_env(tmp_path, HELIOS_HOST=host,
                                 https_proxy="http://bob:pr0xy-secret@proxy.corp:3128")
    done = run("config", "show", env=with_credentials)
    assert "pr0xy-secret" not in done.stdout + done.stderr
    assert json.loads(done.stdout)["proxy"] == {"value": "http://bob:***@proxy.corp:3128",
                                                "source": "environment https_proxy"}
    everything = clean_env(tmp_path, HELIOS_HOST=host, ALL_PROXY="proxy.corp:8080")
    assert show(env=everything)["proxy"] == {"value": "http://proxy.corp:8080",
                                             "source": "environment ALL_PROXY"}
    bypassed = clean_env(tmp_path, HELIOS_HOST=host, HTTPS_PROXY="http://proxy.corp:3128",
                         NO_PROXY="localhost,.example.com")
    assert show(env=bypassed)["proxy"] == {"value": None, "source": "NO_PROXY names the host"}
    off = clean_env(tmp_path, HELIOS_HOST=host, HTTPS_PROXY="http://proxy.corp:3128",
                    HELIOS_TRUST_ENV="false")
    shown = show(env=off)
    assert shown["trust_env"] == {"value": False, "source": "environment HELIOS_TRUST_ENV"}
    assert shown["proxy"] == {"value": None, "source": "trust_env is off"}


@pytest.mark.parametrize("key,shown", [
    (KEY, "****YZ42"),
    ("k" * 15 + "LAST", "****LAST"),
    ("short-key-0123", "****"),  # 14 characters: 4 of them would be too many
    ("abcd", "****"),
])
def test_a_key_shows_at_most_its_last_four_characters(tmp_path: Path, key: str,
                                                      shown: str) -> None:
    done = run("config", "show", "-o", "table", env=clean_env(tmp_path, HELIOS_API_KEY=key))
    assert done.returncode == 0, done.stderr
    [row] = [line for line in done.stdout.splitlines() if line.startswith("credential ")]
    assert row.split()[1:4] == ["API", "key", shown]
    assert show(env=clean_env(tmp_path, HELIOS_API_KEY=key))["credential"]["value"] == shown
    hidden = key[:-4] if len(shown) > 4 else key
    assert hidden not in done.stdout


def test_a_key_from_a_file_names_the_file(tmp_path: Path) -> None:
    key_file = write_private(tmp_path / "secrets" / "helios-key", KEY + "\n")
    shown = show(env=clean_env(tmp_path, HELIOS_API_KEY_FILE=str(key_file)))
    assert shown["credential"] == {"value": "****YZ42", "kind": "api_key",
                                   "source": f"environment HELIOS_API_KEY_FILE ({key_file})"}
    path = write_private(profile_file(tmp_path), f"[ci]\napi_key_file = {key_file}\n",
                         mode=0o644)
    shown = show("--profile", "ci", env=clean_env(tmp_path))
    assert shown["credential"]["source"] == (
        f"profile [ci] of {path}: api_key_file ({key_file})")


@posix_only
def test_a_key_file_others_can_read_is_refused_with_the_cure(tmp_path: Path) -> None:
    key_file = write_private(tmp_path / "helios-key", KEY + "\n", mode=0o644)
    done = run("config", "show", env=clean_env(tmp_path, HELIOS_API_KEY_FILE=str(key_file)))
    assert done.returncode == 2
    assert done.stdout == ""
    assert done.stderr == (
        f"cohesity-helios config show: error: HELIOS_API_KEY_FILE: the API key file "
        f"{key_file} may be read or changed by users other than its owner (mode 644); run "
        f"chmod 600 {key_file}\n")
    both = clean_env(tmp_path, HELIOS_API_KEY=KEY, HELIOS_API_KEY_FILE=str(key_file))
    done = run("config", "show", env=both)
    assert done.returncode == 2
    assert "HELIOS_API_KEY and HELIOS_API_KEY_FILE are both set" in done.stderr


@pytest.mark.parametrize("args,variables,says", [
    ([], {"HELIOS_ACCESS_CLUSTER_ID": "abc"},
     "HELIOS_ACCESS_CLUSTER_ID must be an integer, got 'abc'"),
    (["--host", "https://helios.example.com"], {},
     "--host must be the API's base URL ending in /v2"),
    (["--profile", "prod"], {}, "profile 'prod' was asked for (--profile), but the profile "
                                "file"),
    (["--fake"], {}, "--fake runs against a fresh local FakeHelios"),
])
def test_what_is_refused_exits_2_with_one_line(tmp_path: Path, args: List[str],
                                               variables: Dict[str, str], says: str) -> None:
    done = run("config", "show", *args, env=clean_env(tmp_path, **variables))
    assert done.returncode == 2
    assert done.stdout == ""
    [line] = done.stderr.splitlines()
    assert line.startswith("cohesity-helios config show: error: ")
    assert says in line


@posix_only
def test_a_profile_file_others_can_read_is_refused(tmp_path: Path) -> None:
    path = write_private(profile_file(tmp_path), f"[default]\napi_key = {KEY}\n", mode=0o640)
    done = run("config", "show", env=clean_env(tmp_path))
    assert done.returncode == 2
    assert done.stderr.rstrip().endswith(f"run chmod 600 {path}")
    assert KEY[-4:] not in done.stderr


def test_csv_and_python_dash_m(tmp_path: Path) -> None:
    env = clean_env(tmp_path, HELIOS_API_KEY=KEY)
    done = run("config", "show", "-o", "csv", env=env, module=True)
    assert done.returncode == 0, done.stderr
    rows = list(csv.DictReader(io.StringIO(done.stdout)))
    assert list(rows[0]) == ["setting", "value", "source"]
    by_setting = {row["setting"]: row for row in rows}
    assert by_setting["credential"] == {"setting": "credential", "value": "API key ****YZ42",
                                        "source": "environment HELIOS_API_KEY"}
    assert "password" not in by_setting  # a key: the login's rows are left out
    assert json.loads(run("config", "show", env=env, module=True).stdout) == \
        json.loads(run("config", "show", env=env).stdout)


@posix_only
def test_a_table_on_a_terminal(tmp_path: Path) -> None:
    import pty

    parent, child = pty.openpty()
    try:
        done = run("config", "show", env=clean_env(tmp_path, HELIOS_API_KEY=KEY), stdout=child)
        os.close(child)
        child = -1
        assert done.returncode == 0, done.stderr
        out = b""
        while True:
            try:
                chunk = os.read(parent, 65536)
            except OSError:  # the other end is closed
                break
            if not chunk:
                break
            out += chunk
    finally:
        os.close(parent)
        if child != -1:
            os.close(child)
    lines = out.decode().splitlines()
    assert lines[0].split() == ["setting", "value", "source"]
    assert any(line.split()[:4] == ["credential", "API", "key", "****YZ42"] for line in lines)


def test_it_never_contacts_the_server(tmp_path: Path) -> None:
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(8)
    listener.setblocking(False)
    try:
        port = listener.getsockname()[1]
        env = clean_env(tmp_path, HELIOS_HOST=f"http://127.0.0.1:{port}/v2",
                        HELIOS_API_KEY=KEY)
        assert show(env=env)["host"]["value"] == f"http://127.0.0.1:{port}/v2"
        with pytest.raises(BlockingIOError):
            listener.accept()  # nobody connected
    finally:
        listener.close()
    # Nor could it: the HTTP stack and the models are not even loaded.
    code = ("from cohesity_sdk.helios.cli import main\n"
            "main(['config', 'show', '-o', 'json'])")
    assert modules_loaded_by(code, "pydantic", "urllib3", "http.client",
                             "cohesity_sdk.helios.api", "cohesity_sdk.helios.models.",
                             env=env) == []


def test_config_needs_its_subcommand(tmp_path: Path) -> None:
    done = run("config", env=clean_env(tmp_path))
    assert done.returncode == 2
    assert "COMMAND" in done.stderr
    helped = run("config", "show", "--help", env=clean_env(tmp_path))
    assert helped.returncode == 0
    for option in ("--host", "--profile", "--access-cluster-id", "--region-id", "--trust-env",
                   "-o"):
        assert option in helped.stdout


# -- completion ------------------------------------------------------------------------------


def on_path(tmp: Path, **variables: str) -> Dict[str, str]:
    """``clean_env`` with the console script's folder first on PATH, as an activated
    virtualenv has it: the completion script runs ``cohesity-helios`` by name."""
    env = clean_env(tmp, **variables)
    env["PATH"] = os.pathsep.join([str(Path(script()).parent), env.get("PATH", "")])
    return env


def completion_script(shell: str, env: Dict[str, str]) -> str:
    done = run("completion", shell, env=env)
    assert done.returncode == 0, done.stderr
    assert done.stderr == ""
    return done.stdout


# Completes each line as bash does on TAB: the words, the cursor, then the function that
# the sourced script registered with `complete -F` for the command (the first word).
BASH_ASK = r'''
ask() {
    COMP_LINE="$1"
    COMP_POINT=${#COMP_LINE}
    read -ra COMP_WORDS <<< "$COMP_LINE"
    [[ "$COMP_LINE" == *" " ]] && COMP_WORDS+=("")
    COMP_CWORD=$(( ${#COMP_WORDS[@]} - 1 ))
    COMP_TYPE=9  # TAB
    COMPREPLY=()
    local spec function
    spec=$(complete -p "${COMP_WORDS[0]}" 2>/dev/null || complete -p -D)
    function=$(sed -E 's/.* -F ([^ ]+) .*/\1/' <<< "$spec")
    "$function" "${COMP_WORDS[0]}" "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD-1]}"
    printf '%s\n' "${COMPREPLY[*]}"
}
'''


def bash_completions(setup: str, lines: List[str], env: Dict[str, str]) -> List[List[str]]:
    """What bash completes for each of ``lines`` after running ``setup``."""
    program = setup + BASH_ASK + "".join(f"ask {shlex.quote(line)}\n" for line in lines)
    done = subprocess.run(["bash", "--norc", "--noprofile", "-c", program], env=env,
                          capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    answers = done.stdout.splitlines()
    assert len(answers) == len(lines), done.stdout + done.stderr
    return [answer.split() for answer in answers]


LINES_AND_ANSWERS = [
    ("cohesity-helios get-us",
     ["get-user-api-key-by-id", "get-user-api-keys", "get-user-by-sid", "get-users"]),
    ("cohesity-helios get-users --usern", ["--usernames"]),
    ("cohesity-helios get-users -o ", ["json", "table", "csv", "text"]),
    ("cohesity-helios get-users --output t", ["table", "text"]),
    ("cohesity-helios conf", ["config"]),
    ("cohesity-helios config ", ["-h", "--help", "show"]),
    ("cohesity-helios config show --pro", ["--profile"]),
    ("cohesity-helios --ho", ["--host"]),
    ("cohesity-helios completion ", ["-h", "--help", "bash", "zsh", "fish"]),
    ("cohesity-helios pl", ["plan"]),
    ("cohesity-helios plan -o ", ["table", "json"]),  # the outputs each command writes
    ("cohesity-helios delete-user --user", ["--username"]),
]

needs_argcomplete = pytest.mark.skipif(
    importlib.util.find_spec("argcomplete") is None,
    reason="argcomplete is not installed: pip install 'cohesity-helios[cli]'")
needs_bash = pytest.mark.skipif(shutil.which("bash") is None, reason="bash is not installed")


@needs_argcomplete
@needs_bash
def test_bash_completes_commands_options_and_their_values(tmp_path: Path) -> None:
    env = on_path(tmp_path)
    code = completion_script("bash", env)
    source = tmp_path / "cohesity-helios.bash"
    source.write_text(code)
    lines = [line for line, _ in LINES_AND_ANSWERS]
    answers = bash_completions(f"source {shlex.quote(str(source))}\n", lines, env)
    assert answers == [expected for _, expected in LINES_AND_ANSWERS]
    # As ~/.bashrc turns it on.
    eval_line = 'eval "$(cohesity-helios completion bash)"\n'
    assert bash_completions(eval_line, ["cohesity-helios get-users -o "], env) == [
        ["json", "table", "csv", "text"]]


@needs_argcomplete
@needs_bash
def test_python_dash_m_completes_under_argcompletes_global_completion(tmp_path: Path) -> None:
    import argcomplete

    # The marker argcomplete's global completion looks for, in the module run by
    # `python -m` and in the console script's module.
    global_script = Path(argcomplete.__file__).parent / "bash_completion.d" / "_python-argcomplete"
    env = on_path(tmp_path)
    python = Path(sys.executable).name
    setup = f"source {shlex.quote(str(global_script))}\n"
    answers = bash_completions(setup, [
        f"{python} -m cohesity_sdk.helios get-us",
        f"{python} -m cohesity_sdk.helios get-users -o ",
        "cohesity-helios get-users --usern",
    ], env)
    assert answers == [
        ["get-user-api-key-by-id", "get-user-api-keys", "get-user-by-sid", "get-users"],
        ["json", "table", "csv", "text"],
        ["--usernames"],
    ]


@needs_argcomplete
@pytest.mark.skipif(shutil.which("fish") is None, reason="fish is not installed")
def test_fish_completes_commands_options_and_their_values(tmp_path: Path) -> None:
    env = on_path(tmp_path)
    commands = ["cohesity-helios completion fish | source"]
    lines = ["cohesity-helios get-us", "cohesity-helios get-users --usern",
             "cohesity-helios get-users -o "]
    commands += [f"complete -C {shlex.quote(line)}; echo '=='" for line in lines]
    done = subprocess.run(["fish", "--no-config", "-c", "; ".join(commands)], env=env,
                          capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    answers = [[row.split("\t")[0] for row in block.strip().splitlines()]
               for block in done.stdout.split("==\n")[:-1]]
    assert answers == [
        ["get-users", "get-user-api-keys", "get-user-api-key-by-id", "get-user-by-sid"],
        ["--usernames"],
        ["csv", "json", "table", "text"],
    ]


@needs_argcomplete
@posix_only
@pytest.mark.skipif(shutil.which("zsh") is None, reason="zsh is not installed")
def test_zsh_completes_commands_options_and_their_values(tmp_path: Path) -> None:
    # zsh completes only in its line editor: an interactive zsh on a pseudo-terminal,
    # turned on as ~/.zshrc would, sent a partial line and two TABs (the first inserts
    # what all the answers share, the second lists them).
    env = on_path(tmp_path, TERM="dumb", PS1="ready> ")
    with Interactive(["zsh", "-f", "-i"], env) as zsh:
        zsh.send('autoload -U compinit && compinit -u && '
                 'eval "$(cohesity-helios completion zsh)"; print turned-on\n')
        zsh.wait_for("\nturned-on")
        zsh.send("cohesity-helios get-us\t\t")
        listed = zsh.wait_for("get-user-by-sid", "get-user-api-keys", "get-users ")
        assert "get-user-api-key-by-id" in listed
        zsh.send("\x15")  # ^U: the line emptied
        zsh.send("cohesity-helios get-users -o \t\t")
        listed = zsh.wait_for("table", "json", "csv")
        assert "--" in listed  # zsh's list, with the option's help beside the values


class Interactive:
    """A program on a pseudo-terminal, sent keys and read until what is expected shows."""

    def __init__(self, argv: List[str], env: Dict[str, str]) -> None:
        import pty

        self.parent, child = pty.openpty()
        self.proc = subprocess.Popen(argv, stdin=child, stdout=child, stderr=child, env=env,
                                     start_new_session=True)
        os.close(child)
        self.seen = ""

    def send(self, text: str) -> None:
        os.write(self.parent, text.encode())

    def wait_for(self, *texts: str, timeout: float = 30.0) -> str:
        import select
        import time

        start = len(self.seen)
        deadline = time.monotonic() + timeout
        while not all(text in self.seen[start:] for text in texts):
            left = deadline - time.monotonic()
            assert left > 0, f"waited for {texts} in {self.seen[start:]!r}"
            ready, _, _ = select.select([self.parent], [], [], min(left, 0.5))
            if ready:
                try:
                    self.seen += os.read(self.parent, 65536).decode(errors="replace")
                except OSError:  # the program is gone
                    break
        return self.seen[start:]

    def __enter__(self) -> Interactive:
        return self

    def __exit__(self, *exc: object) -> None:
        self.proc.kill()
        self.proc.wait(timeout=30)
        os.close(self.parent)


@needs_argcomplete
def test_the_scripts_are_argcompletes_for_the_console_script(tmp_path: Path) -> None:
    import argcomplete

    env = on_path(tmp_path)
    for shell in ("bash", "zsh", "fish"):
        expected = argcomplete.shellcode(["cohesity-helios"], shell=shell)
        assert completion_script(shell, env) == expected
        # python -m is the same program: the script is for the console script still.
        done = run("completion", shell, env=env, module=True)
        assert done.returncode == 0 and done.stdout == expected


def test_an_unknown_shell_is_a_usage_error(tmp_path: Path) -> None:
    done = run("completion", "tcsh", env=clean_env(tmp_path))
    assert done.returncode == 2
    assert "invalid choice: 'tcsh'" in done.stderr


# Runs the command line in a Python that has no argcomplete to import, as when the cli
# extra is not installed: an import of a module set to None in sys.modules fails.
WITHOUT_ARGCOMPLETE = ("import sys\n"
                       "sys.modules['argcomplete'] = None\n"
                       "from cohesity_sdk.helios.cli import main\n"
                       "sys.exit(main(sys.argv[1:]))\n")


def test_without_argcomplete_completion_names_the_extra(tmp_path: Path) -> None:
    done = subprocess.run([sys.executable, "-c", WITHOUT_ARGCOMPLETE, "completion", "bash"],
                          env=clean_env(tmp_path), capture_output=True, text=True,
                          timeout=60, check=False)
    assert done.returncode == 2
    assert done.stdout == ""
    assert done.stderr == ("cohesity-helios completion: error: shell completion needs "
                           "argcomplete: pip install 'cohesity-helios[cli]'\n")


def test_a_completion_request_never_runs_the_partial_command(tmp_path: Path) -> None:
    # Without argcomplete there is nothing to answer with; the line is not run either.
    asked = clean_env(tmp_path, _ARGCOMPLETE="1", COMP_LINE="cohesity-helios config show ",
                      COMP_POINT="28")
    done = subprocess.run([sys.executable, "-c", WITHOUT_ARGCOMPLETE, "config", "show"],
                          env=asked, capture_output=True, text=True, timeout=60, check=False)
    assert (done.returncode, done.stdout, done.stderr) == (2, "", "")


def test_help_and_commands_load_no_argcomplete(tmp_path: Path) -> None:
    env = clean_env(tmp_path)
    for args in (["--help"], ["config", "show", "--help"], ["completion", "--help"],
                 ["config", "show", "-o", "json"]):
        code = ("from cohesity_sdk.helios.cli import main\n"
                f"try:\n    main({args!r})\nexcept SystemExit:\n    pass")
        assert modules_loaded_by(code, "argcomplete", env=env) == [], args
