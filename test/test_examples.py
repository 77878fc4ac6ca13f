"""The examples in examples/, run for real against a FakeHelios.

Each example is run in-process through its ``main(argv)`` with HELIOS_HOST/HELIOS_API_KEY
pointing at a FakeHelios the test owns (so the test can look at the state afterwards), or
without them, when the example starts a FakeHelios of its own. The README's commands are
also run as subprocesses, exactly as written.
"""

from __future__ import annotations

import importlib.util
import json
import os
import re
import stat
import subprocess
import sys
from datetime import datetime, timedelta, timezone
from pathlib import Path
from types import ModuleType
from typing import Any, Callable, Dict, Iterator, List

import pytest

import cohesity_sdk.helios as helios
from cohesity_sdk.helios.testing import FakeHelios

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"
TARGET_ENV = ("HELIOS_HOST", "HELIOS_API_KEY", "HELIOS_ACCESS_CLUSTER_ID", "HELIOS_REGION_ID")

Load = Callable[[str], ModuleType]


@pytest.fixture
def load(monkeypatch: pytest.MonkeyPatch) -> Load:
    """Import examples/<name>.py as a fresh module."""
    monkeypatch.syspath_prepend(str(EXAMPLES))

    def load(name: str) -> ModuleType:
        spec = importlib.util.spec_from_file_location(f"example_{name}", EXAMPLES / f"{name}.py")
        assert spec is not None and spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        monkeypatch.setitem(sys.modules, spec.name, module)  # dataclasses look it up
        spec.loader.exec_module(module)
        return module

    return load


@pytest.fixture(autouse=True)
def no_profile(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """No HELIOS_* variable and no profile file: the real home directory is never read."""
    for name in list(os.environ):
        if name.startswith("HELIOS_"):
            monkeypatch.delenv(name)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    monkeypatch.setenv("APPDATA", str(tmp_path / "config"))


@pytest.fixture
def fake_mode(monkeypatch: pytest.MonkeyPatch) -> None:
    """No HELIOS_* variables: the examples start their own FakeHelios."""
    for name in TARGET_ENV + ("QUICKSTART_PASSWORD",):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def fake(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeHelios]:
    """A FakeHelios the examples are pointed at through HELIOS_HOST/HELIOS_API_KEY."""
    for name in TARGET_ENV + ("QUICKSTART_PASSWORD",):
        monkeypatch.delenv(name, raising=False)
    with FakeHelios() as server:
        monkeypatch.setenv("HELIOS_HOST", server.url)
        monkeypatch.setenv("HELIOS_API_KEY", server.api_key)
        yield server


@pytest.fixture
def api(fake: FakeHelios) -> Iterator[helios.UserApi]:
    with helios.ApiClient(fake.configuration()) as client:
        yield helios.UserApi(client)


def api_with_key(fake: FakeHelios, secret: str) -> helios.UserApi:
    configuration = fake.configuration()
    configuration.api_key["APIKeyHeader"] = secret
    return helios.UserApi(helios.ApiClient(configuration))


def state(api: helios.UserApi) -> Dict[str, Any]:
    """What an example may create, as seen through the SDK."""
    return {
        "users": sorted(u.username or "" for u in api.get_users().users or []),
        "groups": sorted(g.name or "" for g in api.get_groups().groups or []),
        "keys": sorted(k.id or "" for k in api.get_all_api_keys().api_keys or []),
        "sessions": api.get_active_sessions_count().total_sessions_count or 0,
    }


def local_user(name: str, password: str = "Initial-Passw0rd", **fields: Any) -> Any:
    return helios.CreateUserParameters(
        username=name, domain="LOCAL", roles=["COHESITY_VIEWER"],
        local_user_params=helios.LocalUserParams(password=password), **fields,
    )


def subprocess_env() -> Dict[str, str]:
    """The environment of a user who ran ``pip install .``, with no HELIOS_* set (nor a
    profile: the no_profile fixture points XDG_CONFIG_HOME at an empty place)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("HELIOS_", "QUICKSTART_"))}
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(ROOT), env.get("PYTHONPATH")) if p)
    return env


# --- the README's commands, as subprocesses --------------------------------------------


def test_quickstart_runs_as_the_readme_says() -> None:
    done = subprocess.run(
        [sys.executable, "examples/quickstart.py"],
        cwd=ROOT, env=subprocess_env(), capture_output=True, text=True, timeout=120,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "FakeHelios" in done.stderr
    for expected in ("old secret: rejected (401", "new secret: accepted", "not returned",
                     "deleted 2 users", "Done."):
        assert expected in done.stdout
    assert "error" not in done.stderr


@pytest.mark.parametrize(
    "command",
    [
        ["examples/bulk_import_users.py"],
        ["examples/rotate_service_key.py", "--user", "svc-backup", "--key-name", "nightly"],
        ["examples/audit_accounts.py"],
    ],
    ids=lambda c: Path(c[0]).stem,
)
def test_examples_run_on_their_own_fake(command: List[str]) -> None:
    done = subprocess.run(
        [sys.executable, *command],
        cwd=ROOT, env=subprocess_env(), capture_output=True, text=True, timeout=120,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "FakeHelios" in done.stderr


# --- quickstart -------------------------------------------------------------------------


def test_quickstart_leaves_helios_as_it_found_it(
    load: Load, api: helios.UserApi, capsys: pytest.CaptureFixture[str]
) -> None:
    before = state(api)
    assert load("quickstart").main(["--source-id", "11", "--view-id", "3"]) == 0
    out = capsys.readouterr().out
    assert state(api) == before
    assert "sources [11], views [3]" in out
    for number in range(1, 13):
        assert f"\n{number:>2}. " in out


def test_quickstart_tables_read_as_the_sdk_shows_them(
    load: Load, fake: FakeHelios, capsys: pytest.CaptureFixture[str]
) -> None:
    assert load("quickstart").main([]) == 0
    lines = capsys.readouterr().out.splitlines()

    def table_under(title: str, header: str) -> List[List[str]]:
        """The rows (as cells) of the table with ``header`` after the step ``title``."""
        start = next(i for i, line in enumerate(lines) if title in line)
        at = next(i for i in range(start, len(lines)) if lines[i].strip().startswith(header))
        rows = []
        for line in lines[at:]:
            if not line.startswith("    ") or not line.strip():
                break
            rows.append(re.split(r"  +", line.strip()))
        return rows

    # Headers in words, yes/no, dates: as print(result) and cohesity-helios -o table.
    users = table_under(" 5. Update users", "Username")
    assert users[0] == ["Username", "Domain", "Roles", "Email", "Locked", "Description"]
    assert users[1][-2:] == ["no", "On-call backup admin"]
    assert users[2][-2:] == ["COHESITY_VIEWER", "yes"]  # bob: no email, no description
    found = table_under(" 4. Find them", "UsersList: 2 users")
    assert found[1] == ["Username", "Domain", "Roles", "Locked", "Email", "Last login", "SID"]
    groups = table_under(" 4. Find them", "Group")
    assert groups[0] == ["Group", "Roles", "Members"]
    assert re.fullmatch(r"qs-alice-\w+, qs-bob-\w+", groups[1][2])  # by username
    keys = table_under(" 8. List API keys", "Listed by")
    assert keys[0] == ["Listed by", "Name", "Active", "Expired", "Last rotated", "Secret"]
    for row in keys[1:]:
        assert row[2:4] == ["yes", "no"]
        assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{3})?Z", row[4])
    assert not any(word in line.split() for line in lines for word in ("True", "False"))


def test_quickstart_never_prints_a_whole_secret(
    load: Load, fake: FakeHelios, monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    secrets: List[str] = []
    for name in ("create_user_api_key", "rotate_user_api_key"):
        original = getattr(helios.UserApi, name)

        def spy(self: Any, *args: Any, _original: Any = original, **kwargs: Any) -> Any:
            result = _original(self, *args, **kwargs)
            secrets.append(result.api_key)
            return result

        monkeypatch.setattr(helios.UserApi, name, spy)
    monkeypatch.setenv("QUICKSTART_PASSWORD", "Quickstart-Passw0rd")

    assert load("quickstart").main([]) == 0
    captured = capsys.readouterr()
    assert len(secrets) == 2
    for secret in secrets + ["Quickstart-Passw0rd"]:
        assert secret not in captured.out + captured.err
    for secret in secrets:
        assert captured.out.count(secret[:4] + "...") == 1


def test_quickstart_cleans_up_when_a_step_fails(
    load: Load, fake: FakeHelios, api: helios.UserApi, capsys: pytest.CaptureFixture[str]
) -> None:
    fake.fail_next("regenerate_s3_key", status=403)  # step 11 of 12
    before = state(api)
    assert load("quickstart").main([]) == 1
    captured = capsys.readouterr()
    assert state(api) == before
    errors = captured.err.splitlines()
    assert len(errors) == 1 and errors[0].startswith("error: (403) Forbidden in regenerate_s3_key")
    assert "deleted 2 users" in captured.out
    assert captured.out.rstrip().endswith("Failed.")


# --- bulk_import_users ------------------------------------------------------------------


def test_bulk_import_creates_only_new_valid_users_in_one_call(
    load: Load, api: helios.UserApi, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    api.create_users([local_user("ops-existing")])
    csv_file = tmp_path / "users.csv"
    csv_file.write_text(
        "username,email,roles,domain\n"
        "ops-existing,ops-existing@example.com,COHESITY_VIEWER,LOCAL\n"
        "ops-new-1,ops-new-1@example.com,COHESITY_VIEWER;COHESITY_ADMIN,LOCAL\n"
        ",nobody@example.com,COHESITY_VIEWER,LOCAL\n"
        "ops-new-2,,COHESITY_VIEWER,\n"
        "ops-new-1,,COHESITY_VIEWER,LOCAL\n"
    )
    batches: List[List[str]] = []
    original = helios.UserApi.create_users

    def spy(self: Any, body: Any, **kwargs: Any) -> Any:
        batches.append([user.username for user in body])
        return original(self, body, **kwargs)

    monkeypatch.setattr(helios.UserApi, "create_users", spy)

    assert load("bulk_import_users").main([str(csv_file)]) == 1  # two rows are invalid
    out = capsys.readouterr().out

    assert batches == [["ops-new-1", "ops-new-2"]]
    users = {u.username or "": u for u in api.get_users().users or []}
    assert sorted(users) == ["admin", "ops-existing", "ops-new-1", "ops-new-2"]
    new_1 = users["ops-new-1"]
    assert new_1.domain == "LOCAL"
    assert new_1.roles == ["COHESITY_VIEWER", "COHESITY_ADMIN"]
    assert new_1.local_user_params is not None
    assert new_1.local_user_params.email == "ops-new-1@example.com"
    assert "Created 2, skipped 1 (already exist), invalid 2." in out
    assert "invalid: empty username" in out
    assert "invalid: same user as line 3" in out
    assert "random passwords that were not shown" in out


def test_bulk_import_sets_the_password_from_the_environment(
    load: Load, api: helios.UserApi, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    csv_file = tmp_path / "users.csv"
    csv_file.write_text("username,email,roles\nops-1,,COHESITY_VIEWER\n")
    monkeypatch.setenv("OPS_PASSWORD", "Bulk-Passw0rd")
    assert load("bulk_import_users").main([str(csv_file), "--password-env", "OPS_PASSWORD"]) == 0
    session = api.create_session(helios.CreateUserSessionRequestParams(
        username="ops-1", domain="LOCAL", password="Bulk-Passw0rd"))
    assert session.session_id


def test_bulk_import_goes_to_the_access_cluster(
    load: Load, api: helios.UserApi, monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("HELIOS_ACCESS_CLUSTER_ID", "4242")
    assert load("bulk_import_users").main([]) == 0
    on_cluster = api.get_users(access_cluster_id=4242).users or []
    assert {"backup-ops-1", "report-bot"} <= {u.username for u in on_cluster}
    assert [u.username for u in api.get_users().users or []] == ["admin"]


def test_bulk_import_reads_its_target_from_a_profile(
    load: Load, fake_mode: None, tmp_path: Path, capsys: pytest.CaptureFixture[str],
) -> None:
    with FakeHelios() as server:
        profiles = tmp_path / "config" / "cohesity" / "helios.ini"
        profiles.parent.mkdir(parents=True)
        profiles.write_text(f"[default]\nhost = {server.url}\napi_key = {server.api_key}\n"
                            "access_cluster_id = 4242\n")
        profiles.chmod(0o600)
        assert load("bulk_import_users").main([]) == 0
        assert "FakeHelios" not in capsys.readouterr().err  # not one of its own
        with helios.ApiClient(server.configuration()) as client:
            on_cluster = helios.UserApi(client).get_users(access_cluster_id=4242).users
        assert {"backup-ops-1", "report-bot"} <= {u.username for u in on_cluster}


def test_bulk_import_default_csv_in_fake_mode(
    load: Load, fake_mode: None, capsys: pytest.CaptureFixture[str]
) -> None:
    assert load("bulk_import_users").main([]) == 0
    captured = capsys.readouterr()
    assert "Created 4, skipped 0 (already exist), invalid 0." in captured.out
    assert "FakeHelios" in captured.err


# --- rotate_service_key -----------------------------------------------------------------


def test_rotate_writes_a_private_secret_file_that_works(
    load: Load, fake: FakeHelios, api: helios.UserApi, tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    sid = (api.create_users([local_user("svc-backup")]).users or [])[0].sid
    assert sid
    old = api.create_user_api_key(sid, helios.CreateOrUpdateAPIKeyRequest(name="nightly"))
    assert old.api_key
    secret_file = tmp_path / "helios.key"
    secret_file.write_text("stale\n")
    secret_file.chmod(0o644)

    argv = ["--user", "svc-backup", "--key-name", "nightly", "--secret-file", str(secret_file),
            "--expire-days", "7"]
    assert load("rotate_service_key").main(argv) == 0
    out = capsys.readouterr().out

    assert stat.S_IMODE(secret_file.stat().st_mode) == 0o600
    assert sorted(p.name for p in tmp_path.iterdir()) == ["helios.key"]
    new_secret = secret_file.read_text().strip()
    assert new_secret and new_secret not in out
    assert api_with_key(fake, new_secret).get_user_by_sid(sid).username == "svc-backup"
    with pytest.raises(helios.UnauthorizedException):
        api_with_key(fake, old.api_key).get_user_by_sid(sid)

    keys = api.get_user_api_keys(sid).api_keys or []
    assert [(k.id, k.name) for k in keys] == [(old.id, "nightly")]
    in_a_week = helios.to_epoch_msecs(datetime.now(timezone.utc) + timedelta(days=7))
    assert abs((keys[0].expiry_time_msecs or 0) - in_a_week) < 60_000
    assert "Verified: the new secret authenticates" in out


def test_rotate_creates_a_missing_key_and_prints_its_secret_once(
    load: Load, fake: FakeHelios, api: helios.UserApi, capsys: pytest.CaptureFixture[str],
) -> None:
    sid = (api.create_users([local_user("svc-report")]).users or [])[0].sid
    assert sid
    assert load("rotate_service_key").main(["--user", "svc-report", "--key-name", "daily"]) == 0
    out = capsys.readouterr().out

    keys = api.get_user_api_keys(sid).api_keys or []
    assert [k.name for k in keys] == ["daily"]
    lines = out.splitlines()
    label = next(i for i, line in enumerate(lines) if "shown only this once" in line)
    secret = lines[label + 1]
    assert out.count(secret) == 1
    assert api_with_key(fake, secret).get_user_by_sid(sid).sid == sid


def test_rotate_refuses_an_unknown_user_before_touching_anything(
    load: Load, api: helios.UserApi, tmp_path: Path, capsys: pytest.CaptureFixture[str],
) -> None:
    before = state(api)
    argv = ["--user", "ghost", "--key-name", "nightly", "--secret-file", str(tmp_path / "k")]
    assert load("rotate_service_key").main(argv) == 1
    assert capsys.readouterr().err.splitlines() == ["error: no LOCAL user named 'ghost'"]
    assert list(tmp_path.iterdir()) == []
    assert state(api) == before


# --- audit_accounts ---------------------------------------------------------------------


def test_audit_reports_the_accounts_it_seeds_in_fake_mode(
    load: Load, fake_mode: None, capsys: pytest.CaptureFixture[str]
) -> None:
    assert load("audit_accounts").main(["--json"]) == 0
    captured = capsys.readouterr()
    report = json.loads(captured.out)
    assert "seeding" in captured.err
    found = {(f["kind"], f["finding"], f["name"]): f for f in report["findings"]}
    assert found[("user", "locked", "audit-locked")]["detail"] == "LockedByAdmin"
    assert ("user", "expired", "audit-expired") in found
    assert ("user", "expiring", "audit-expiring") in found
    assert ("user", "never_logged_in", "audit-locked") in found
    assert ("user", "never_logged_in", "audit-active") not in found
    assert ("api_key", "expired", "old-export (audit-active)") in found
    assert ("api_key", "inactive", "paused-sync (audit-active)") in found
    assert not any(name.startswith("nightly") for _, _, name in found)


def test_audit_table_honours_days(
    load: Load, api: helios.UserApi, capsys: pytest.CaptureFixture[str]
) -> None:
    in_45_days = helios.to_epoch_msecs(datetime.now(timezone.utc) + timedelta(days=45))
    api.create_users([local_user("contractor", expiry_time_msecs=in_45_days)])
    audit = load("audit_accounts")

    assert audit.main([]) == 0
    default = capsys.readouterr().out
    # A table as the SDK shows one: headers in words.
    assert default.splitlines()[1].split() == ["Kind", "Finding", "Name", "Domain", "Detail"]
    assert " expiring " not in default

    assert audit.main(["--days", "60", "--domain", "LOCAL"]) == 0
    wider = capsys.readouterr().out
    row = next(line for line in wider.splitlines() if " expiring " in line)
    assert row.split()[:4] == ["user", "expiring", "contractor", "LOCAL"]
    assert "(in 45 days)" in row


def test_audit_of_one_domain_reports_only_its_accounts_by_name(
    load: Load, api: helios.UserApi, capsys: pytest.CaptureFixture[str]
) -> None:
    local = api.create_users([local_user("local-keyholder")]).users[0]
    corp = api.create_users([helios.CreateUserParameters(
        username="corp-keyholder", domain="CORP", roles=["COHESITY_VIEWER"])]).users[0]
    assert local.sid and corp.sid
    for sid in (local.sid, corp.sid):
        api.create_user_api_key(sid, helios.CreateOrUpdateAPIKeyRequest(
            name="paused", is_active=False))

    assert load("audit_accounts").main(["--domain", "CORP", "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    found = [(f["kind"], f["finding"], f["name"], f["domain"]) for f in report["findings"]]
    assert ("api_key", "inactive", "paused (corp-keyholder)", "CORP") in found
    assert all(domain == "CORP" for _, _, _, domain in found), found
    assert not any("local-keyholder" in name or "admin" in name for _, _, name, _ in found)
    assert not any(sid in name for sid in (local.sid, corp.sid) for _, _, name, _ in found)
    assert report["api_keys_checked"] == 1

    # Without --domain, every account, each key by its owner's name.
    assert load("audit_accounts").main(["--json"]) == 0
    names = {f["name"] for f in json.loads(capsys.readouterr().out)["findings"]}
    assert {"paused (corp-keyholder)", "paused (local-keyholder)"} <= names


# --- what every example does on failure -------------------------------------------------

ARGV = {
    "quickstart": [],
    "bulk_import_users": [],
    "rotate_service_key": ["--user", "admin", "--key-name", "k"],
    "audit_accounts": [],
}


@pytest.mark.parametrize("name", sorted(ARGV))
def test_a_rejected_api_key_is_one_line_and_a_non_zero_exit(
    name: str, load: Load, fake: FakeHelios, monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("HELIOS_API_KEY", "not-a-valid-key")
    assert load(name).main(ARGV[name]) != 0
    errors = [line for line in capsys.readouterr().err.splitlines() if "error" in line]
    assert len(errors) == 1 and errors[0].startswith("error: (401)")


@pytest.mark.parametrize("name", sorted(ARGV))
def test_half_a_target_is_refused(
    name: str, load: Load, fake_mode: None, monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("HELIOS_HOST", "https://helios.example.com/v2")
    assert load(name).main(ARGV[name]) == 1
    assert capsys.readouterr().err.strip() == (
        "error: set both HELIOS_HOST and HELIOS_API_KEY, or neither"
    )
