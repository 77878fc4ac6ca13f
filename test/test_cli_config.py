"""``cohesity-helios config show`` and ``cohesity-helios completion``, run as a user runs
them: the console script in a subprocess, with an environment and a profile file of
the test's own (``HOME`` and ``XDG_CONFIG_HOME`` in a temporary folder), and for
completion a real shell that sources the printed script."""

from __future__ import annotations

import csv
import io
import json
import os
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
