"""``cohesity-helios plan``, ``apply`` and ``export`` as a user runs them: subprocesses
against a FakeHelios served by ``python -m cohesity_sdk.helios.testing``, two clusters at a
time. Each test works on clusters of its own, so that they share the served fake."""

from __future__ import annotations

import itertools
import json
import os
import pty
import re
import select
import stat
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from typing import Dict, Iterator, List, NamedTuple, Optional, Tuple

import pytest
from conftest import start_served_fake, stop_served_fake

from cohesity_sdk.helios import (
    ApiClient,
    Configuration,
    CreateOrUpdateAPIKeyRequest,
    CreateUserParameters,
    UserApi,
)
from cohesity_sdk.helios.cli.access import (
    EXIT_BAD_FILE,
    EXIT_DONE,
    EXIT_ERROR,
    EXIT_FAILED,
    EXIT_IN_SYNC,
    EXIT_PENDING,
    EXIT_USAGE,
)

PASSWORD = "Cli-svc-Passw0rd"
PROG = "python -m cohesity_sdk.helios"  # what the command calls itself, run so
_NEXT_CLUSTER = itertools.count(7_100_000_000_000_001)

ACCESS = """\
clusters: [{a}, {b}]
users:
  - username: svc-backup
    roles: [COHESITY_OPERATOR]
    email: svc-backup@example.com
    password_env: SVC_BACKUP_PASSWORD
    api_keys:
      - name: nightly
        secret_file: ~/.config/helios/svc-backup-nightly-{{cluster}}
  - username: jdoe
    domain: corp.example.com
    roles: [COHESITY_VIEWER]
groups:
  - name: backup-ops
    roles: [COHESITY_ADMIN]
    members: [svc-backup]
"""


class Served(NamedTuple):
    url: str
    api_key: str

    @property
    def control_url(self) -> str:
        return self.url[:-len("/v2")] + "/_fake"

    def api(self) -> UserApi:
        return UserApi(ApiClient(Configuration(host=self.url, api_key=self.api_key)))

    def fault(self, fault: Dict[str, object]) -> None:
        request = urllib.request.Request(self.control_url + "/faults", method="POST",
                                         data=json.dumps(fault).encode(),
                                         headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(request, timeout=10) as answer:
            assert answer.status == 204


@pytest.fixture(scope="module")
def served() -> Iterator[Served]:
    proc, url, api_key = start_served_fake()
    try:
        yield Served(url, api_key)
    finally:
        stop_served_fake(proc)


class Workspace(NamedTuple):
    root: Path
    env: Dict[str, str]
    clusters: Tuple[int, int]

    @property
    def file(self) -> Path:
        return self.root / "access.yaml"

    def secret_file(self, cluster: int) -> Path:
        return self.root / ".config" / "helios" / f"svc-backup-nightly-{cluster}"

    def write(self, text: str, name: str = "access.yaml") -> Path:
        path = self.root / name
        path.write_text(text, encoding="utf-8")
        return path


@pytest.fixture
def work(served: Served, tmp_path: Path) -> Workspace:
    """A home folder with the access file, an environment that reaches the fake, and two
    clusters no other test uses."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("HELIOS_")}
    env.update(HOME=str(tmp_path), XDG_CONFIG_HOME=str(tmp_path / ".config"),
               HELIOS_HOST=served.url, HELIOS_API_KEY=served.api_key,
               SVC_BACKUP_PASSWORD=PASSWORD, PYTHONUNBUFFERED="1")
    clusters = (next(_NEXT_CLUSTER), next(_NEXT_CLUSTER))
    workspace = Workspace(tmp_path, env, clusters)
    workspace.write(ACCESS.format(a=clusters[0], b=clusters[1]))
    return workspace


def cli(work: Workspace, *args: str, stdin: Optional[str] = None,
        env: Optional[Dict[str, str]] = None) -> subprocess.CompletedProcess[str]:
    done = subprocess.run([sys.executable, "-m", "cohesity_sdk.helios", *args],
                          cwd=work.root, env=env or work.env, input=stdin,
                          capture_output=True, text=True, timeout=120, check=False)
    secrets = [PASSWORD, work.env["HELIOS_API_KEY"]]
    secrets += [p.read_text().strip() for p in (work.root / ".config" / "helios").glob("*")
                if p.is_file()] if (work.root / ".config" / "helios").is_dir() else []
    for secret in secrets:  # nothing ever prints a secret
        assert secret not in done.stdout and secret not in done.stderr, args
    return done


def usernames(served: Served, cluster: int) -> List[str]:
    return sorted(u.username or "" for u in served.api().get_users(access_cluster_id=cluster))


# -- the round trip ------------------------------------------------------------------------


def test_plan_apply_plan_apply_export_plan(served: Served, work: Workspace) -> None:
    a, b = work.clusters
    plan = cli(work, "plan", "access.yaml", "-o", "table")
    assert plan.returncode == EXIT_PENDING, plan.stderr
    assert plan.stderr == ""
    lines = plan.stdout.splitlines()
    assert lines[0] == f"cluster {a}: 4 to create, 1 to update, 0 to delete; 0 in sync"
    assert lines[1].split() == ["#", "action", "object", "field", "before", "after", "needs"]
    assert lines[2].split() == ["1", "create", "user", "LOCAL\\svc-backup", "roles",
                                "COHESITY_OPERATOR"]
    assert lines[-1] == "Plan: 8 to create, 2 to update, 0 to delete on 2 clusters; 0 in sync."
    assert "from $SVC_BACKUP_PASSWORD" in plan.stdout
    assert usernames(served, a) == ["admin"]  # a plan changes nothing

    apply = cli(work, "apply", "access.yaml", "--yes", "-o", "table")
    assert apply.returncode == EXIT_DONE, apply.stderr
    assert apply.stdout.startswith(plan.stdout)  # the plan, then the results
    assert apply.stdout.rstrip().endswith("Apply: 10 done, 0 failed, 0 skipped on 2 clusters.")
    for cluster in (a, b):
        assert usernames(served, cluster) == ["admin", "jdoe", "svc-backup"]
        secret_file = work.secret_file(cluster)
        assert stat.S_IMODE(secret_file.stat().st_mode) == 0o600
        assert len(secret_file.read_text().strip()) >= 16

    again = cli(work, "plan", "access.yaml", "-o", "table")
    assert again.returncode == EXIT_IN_SYNC, again.stdout + again.stderr
    assert again.stdout.splitlines()[-1] == (
        "In sync: nothing to change on 2 clusters (10 objects as the file says).")
    secret = work.secret_file(a).read_text()
    again = cli(work, "apply", "access.yaml", "-o", "table")  # nothing to confirm
    assert again.returncode == EXIT_IN_SYNC, again.stderr
    assert work.secret_file(a).read_text() == secret  # not rotated

    exported = cli(work, "export", "--access-cluster-id", str(a))
    assert exported.returncode == EXIT_IN_SYNC, exported.stderr
    assert exported.stdout.startswith(f"# The users and groups of cluster {a}, exported")
    assert "unmanaged: true" in exported.stdout
    work.write(exported.stdout, "exported.yaml")
    assert cli(work, "plan", "exported.yaml").returncode == EXIT_IN_SYNC
    as_json = cli(work, "export", "--access-cluster-id", str(a), "-o", "json")
    assert json.loads(as_json.stdout)["clusters"] == [a]
    work.write(as_json.stdout, "exported.json")
    assert cli(work, "plan", "exported.json").returncode == EXIT_IN_SYNC


def test_json_output_is_one_document(served: Served, work: Workspace) -> None:
    plan = cli(work, "plan", "access.yaml")  # json off a terminal
    assert plan.returncode == EXIT_PENDING
    document = json.loads(plan.stdout)
    assert document["format"] == "cohesity-helios-access-plan"
    assert document["summary"] == {"create": 8, "update": 2, "delete": 0, "in_sync": 0}
    assert [c["cluster_id"] for c in document["clusters"]] == list(work.clusters)
    apply = cli(work, "apply", "access.yaml", "--yes", "-o", "json")
    assert apply.returncode == EXIT_DONE, apply.stderr
    done = json.loads(apply.stdout)
    assert done["plan"]["summary"] == document["summary"]
    assert done["result"]["ok"] is True
    assert done["result"]["summary"] == {"done": 10, "failed": 0, "skipped": 0,
                                         "clusters_failed": 0}
    assert [r["status"] for c in done["result"]["clusters"] for r in c["results"]] == \
        ["done"] * 10
    again = json.loads(cli(work, "apply", "access.yaml", "-o", "json").stdout)
    assert again["result"]["summary"]["done"] == 0 and again["result"]["ok"] is True


def test_verbose_logs_show_no_secret(work: Workspace) -> None:
    done = cli(work, "apply", "access.yaml", "--yes", "-vv", "-o", "table")
    assert done.returncode == EXIT_DONE, done.stderr
    assert "POST" in done.stderr  # each request is logged; cli() checked no secret is


# -- confirmation ----------------------------------------------------------------------------


def test_apply_off_a_terminal_needs_yes(served: Served, work: Workspace) -> None:
    done = cli(work, "apply", "access.yaml")
    assert done.returncode == EXIT_USAGE
    assert "add --yes" in done.stderr and "nothing was changed" in done.stderr
    assert usernames(served, work.clusters[0]) == ["admin"]


def run_on_a_terminal(work: Workspace, answer: str, *args: str) -> Tuple[int, str]:
    """Run the command with a terminal as its stdin, stdout and stderr; answer the
    prompt with ``answer``; its exit status and all it wrote."""
    leader, follower = pty.openpty()
    proc = subprocess.Popen([sys.executable, "-m", "cohesity_sdk.helios", *args],
                            cwd=work.root, env=work.env, stdin=follower, stdout=follower,
                            stderr=follower, close_fds=True)
    os.close(follower)
    written, answered = b"", False
    deadline = time.monotonic() + 60
    try:
        while time.monotonic() < deadline:
            ready, _, _ = select.select([leader], [], [], 0.2)
            if ready:
                try:
                    chunk = os.read(leader, 4096)
                except OSError:  # the other end closed: the command is done
                    break
                if not chunk:
                    break
                written += chunk
                if not answered and b"Only 'yes' applies: " in written:
                    os.write(leader, answer.encode() + b"\n")
                    answered = True
            elif proc.poll() is not None:
                break
        status = proc.wait(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
        os.close(leader)
    return status, written.decode(errors="replace").replace("\r\n", "\n")


def test_apply_on_a_terminal_asks_and_yes_applies(served: Served, work: Workspace) -> None:
    status, written = run_on_a_terminal(work, "yes", "apply", "access.yaml")
    assert status == EXIT_DONE, written
    assert "Plan: 8 to create, 2 to update, 0 to delete on 2 clusters" in written  # a table
    assert "Apply 8 creates, 2 updates and 0 deletes? Only 'yes' applies: " in written
    assert written.rstrip().endswith("Apply: 10 done, 0 failed, 0 skipped on 2 clusters.")
    assert PASSWORD not in written
    assert usernames(served, work.clusters[1]) == ["admin", "jdoe", "svc-backup"]


def test_apply_on_a_terminal_not_confirmed_changes_nothing(served: Served,
                                                           work: Workspace) -> None:
    status, written = run_on_a_terminal(work, "y", "apply", "access.yaml")
    assert status == EXIT_PENDING, written
    assert "Apply cancelled: nothing was changed." in written
    assert usernames(served, work.clusters[0]) == ["admin"]


# -- exit codes of what goes wrong --------------------------------------------------------------


def test_a_bad_file_is_3_with_a_line_per_problem(served: Served, work: Workspace) -> None:
    work.write(f"users:\n  - username: a\n    domian: LOCAL\n    password: {PASSWORD}\n",
               "bad.yaml")
    path = "bad.yaml"  # as the command line names it
    for command, *options in (("plan",), ("apply", "--yes")):
        done = cli(work, command, "bad.yaml", *options)
        assert done.returncode == EXIT_BAD_FILE
        assert done.stdout == ""
        assert done.stderr.splitlines() == [
            f"{PROG} {command}: error: {path}: users[0].domian: unknown key (did you mean "
            "'domain'?)",
            f"{PROG} {command}: error: {path}: users[0].password: a password is never "
            "written in the access file: give password_env: NAME (an environment variable "
            "that holds it) or password_file: PATH (a file that holds it)"]


def test_a_member_missing_on_a_cluster_is_a_bad_file(served: Served, work: Workspace) -> None:
    a, b = work.clusters
    work.write(f"clusters: [{a}, {b}]\ngroups: [{{name: ops, members: [nobody]}}]\n")
    done = cli(work, "plan", "access.yaml")
    assert done.returncode == EXIT_BAD_FILE
    assert done.stderr.count("groups[0].members[0]: nobody is no LOCAL user of the file") == 2


def test_a_new_key_without_a_secret_file_is_3_and_nothing_is_sent(
        served: Served, work: Workspace) -> None:
    a, _ = work.clusters
    work.write(f"clusters: [{a}]\nusers:\n  - username: svc-a\n"
               "    password_env: SVC_BACKUP_PASSWORD\n    api_keys: [{name: ci}]\n")
    plan = cli(work, "plan", "access.yaml", "-o", "table")
    assert plan.returncode == EXIT_BAD_FILE
    assert "problem: #2 api key ci of LOCAL\\svc-a: a new API key needs secret_file" in \
        plan.stdout
    assert "users[0].api_keys[0]: a new API key needs secret_file" in plan.stderr
    apply = cli(work, "apply", "access.yaml", "--yes")
    assert apply.returncode == EXIT_BAD_FILE
    assert usernames(served, a) == ["admin"]


def test_no_yaml_is_3_naming_the_extra_and_json_still_works(work: Workspace) -> None:
    a, _ = work.clusters
    work.write(json.dumps({"clusters": [a], "users": [{"username": "svc-j",
                                                       "password_env": "SVC_BACKUP_PASSWORD"}]}),
               "access.json")
    code = ("import sys\nsys.modules['yaml'] = None\n"
            "from cohesity_sdk.helios.cli import main\nsys.exit(main(sys.argv[1:]))")
    for args, status in ((["plan", "access.yaml"], EXIT_BAD_FILE),
                         (["plan", "access.json"], EXIT_PENDING),
                         (["export"], EXIT_BAD_FILE)):
        done = subprocess.run([sys.executable, "-c", code, *args], cwd=work.root,
                              env=work.env, capture_output=True, text=True, timeout=60,
                              check=False)
        assert done.returncode == status, done.stderr
        if status == EXIT_BAD_FILE:
            assert "pip install 'cohesity-helios[yaml]'" in done.stderr


def test_some_changes_failed_is_6_and_planning_again_shows_the_rest(
        served: Served, work: Workspace) -> None:
    served.fault({"operation": "create_group", "fail": {"status": 503}})
    done = cli(work, "apply", "access.yaml", "--yes", "--parallel", "1", "-o", "table")
    assert done.returncode == EXIT_FAILED, done.stdout + done.stderr
    a, b = work.clusters
    assert done.stderr.splitlines() == [
        f"{PROG} apply: error: cluster {a}: #4 group LOCAL\\backup-ops: "
        "(503) Service Unavailable in create_group [POST /v2/groups] "
        + done.stderr.split("[POST /v2/groups] ", 1)[1].splitlines()[0]]
    assert "Apply: 8 done, 1 failed, 1 skipped on 2 clusters." in done.stdout
    assert re.search(r"5  skipped +update +members of group LOCAL\\backup-ops +needs #4 "
                     r"\(group LOCAL\\backup-ops\), which failed", done.stdout)
    again = cli(work, "plan", "access.yaml", "-o", "table")
    assert again.returncode == EXIT_PENDING
    assert again.stdout.splitlines()[-1] == (
        "Plan: 1 to create, 1 to update, 0 to delete on 2 clusters; 8 in sync.")
    assert cli(work, "apply", "access.yaml", "--yes").returncode == EXIT_DONE


def test_a_cluster_that_cannot_be_read(served: Served, work: Workspace) -> None:
    a, b = work.clusters
    api = served.api()
    [admin] = [u for u in api.get_users(access_cluster_id=b) if u.username == "admin"]
    [key] = api.get_user_api_keys(admin.sid or "", access_cluster_id=b)
    api.update_user_api_key_by_id(key.id or "", admin.sid or "", CreateOrUpdateAPIKeyRequest(
        name="bootstrap", is_active=False), access_cluster_id=b)
    plan = cli(work, "plan", "access.yaml", "-o", "table")
    assert plan.returncode == EXIT_ERROR
    assert f"cluster {b}: could not be read: (401) Unauthorized" in plan.stdout
    assert f"cluster {b}: (401) Unauthorized" in plan.stderr
    apply = cli(work, "apply", "access.yaml", "--yes", "-o", "table")
    assert apply.returncode == EXIT_FAILED
    assert usernames(served, a) == ["admin", "jdoe", "svc-backup"]  # the other went on


def test_a_stale_saved_plan_is_1_and_a_fresh_one_applies(served: Served,
                                                         work: Workspace) -> None:
    a, b = work.clusters
    plan = cli(work, "plan", "access.yaml", "--out", "plan.json", "-o", "table")
    assert plan.returncode == EXIT_PENDING
    saved = json.loads((work.root / "plan.json").read_text())
    assert saved["format"] == "cohesity-helios-access-plan"
    served.api().create_users([CreateUserParameters(
        username="jdoe", domain="corp.example.com", roles=["COHESITY_ADMIN"])],
        access_cluster_id=b)
    stale = cli(work, "apply", "plan.json", "--yes")
    assert stale.returncode == EXIT_ERROR
    assert stale.stderr == (
        f"{PROG} apply: error: plan.json: the plan is stale: cluster "
        f"{b} changed since it was made, so nothing was changed; plan again and review the "
        "new plan\n")
    assert usernames(served, a) == ["admin"]
    assert cli(work, "plan", "access.yaml", "--out", "plan.json").returncode == EXIT_PENDING
    done = cli(work, "apply", "plan.json", "--yes", "-o", "table")
    assert done.returncode == EXIT_DONE, done.stderr
    assert "update  user corp.example.com\\jdoe" in done.stdout


def test_a_saved_plan_given_to_plan_is_2(work: Workspace) -> None:
    assert cli(work, "plan", "access.yaml", "--out", "plan.json").returncode == EXIT_PENDING
    done = cli(work, "plan", "plan.json")
    assert done.returncode == EXIT_USAGE
    assert "plan.json is a saved plan: apply it with `apply plan.json`" in done.stderr


def test_usage_errors_are_2(work: Workspace) -> None:
    for args in (["plan"], ["plan", "access.yaml", "-o", "csv"], ["export", "-o", "table"],
                 ["apply", "access.yaml", "--parallel", "0"], ["plan", "access.yaml",
                                                               "--no-such-option"]):
        done = cli(work, *args)
        assert done.returncode == EXIT_USAGE, args
        assert done.stdout == "" and "error" in done.stderr


def test_connection_options_and_the_fake(work: Workspace) -> None:
    # Without clusters, the file goes where --access-cluster-id says; --fake is a fresh fake.
    work.write("users: [{username: svc-f, password_env: SVC_BACKUP_PASSWORD}]\n", "one.yaml")
    env = {k: v for k, v in work.env.items() if not k.startswith("HELIOS_")}
    done = cli(work, "--fake", "apply", "one.yaml", "--yes", "-o", "table", env=env)
    assert done.returncode == EXIT_DONE, done.stderr
    assert "the configured target: 1 to create" in done.stdout
    assert cli(work, "plan", "one.yaml", env=env).returncode == EXIT_USAGE  # no credentials
    done = cli(work, "apply", "one.yaml", "--yes", "--access-cluster-id",
               str(work.clusters[0]))
    assert done.returncode == EXIT_DONE


def test_the_console_script_runs_the_access_commands(work: Workspace) -> None:
    script = Path(sys.executable).parent / "cohesity-helios"
    if not script.exists():
        pytest.skip("the cohesity-helios script is not installed")
    done = subprocess.run([str(script), "plan", "access.yaml"], cwd=work.root, env=work.env,
                          capture_output=True, text=True, timeout=60, check=False)
    assert done.returncode == EXIT_PENDING, done.stderr
    assert json.loads(done.stdout)["summary"]["create"] == 8


def test_the_exit_codes_are_documented() -> None:
    from cohesity_sdk.helios.cli.access import EXIT_CODES

    # In sync (plan) and done (apply) are both a success: 0.
    assert EXIT_IN_SYNC == EXIT_DONE == 0
    statuses = {EXIT_DONE: "success", EXIT_ERROR: "error", EXIT_USAGE: "usage error",
                EXIT_BAD_FILE: "bad file", EXIT_PENDING: "changes pending",
                EXIT_FAILED: "some changes failed"}
    assert len(set(statuses)) == 6
    for status, meaning in statuses.items():
        assert f"  {status}  {meaning}" in EXIT_CODES
    page = (Path(__file__).resolve().parent.parent / "docs" / "AccessAsCode.md").read_text()
    for status, meaning in statuses.items():
        assert f"| {status} | {meaning}" in page
