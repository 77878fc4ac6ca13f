"""Access as code run with nobody watching: a crash, a lost answer, two runs at once, the
mistakes people make in YAML, and 5,000 users. Each runs ``cohesity-helios`` as a
subprocess against a FakeHelios served by ``python -m cohesity_sdk.helios.testing``, and
asserts what is on the fake afterwards, what each secret file holds and whether it
authenticates, and the exit status and message."""

from __future__ import annotations

import itertools
import json
import os
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from typing import Any, Dict, Iterator, List, NamedTuple, Optional, Tuple

import pytest
from conftest import start_served_fake, stop_served_fake

from cohesity_sdk.helios import (
    ApiClient,
    Configuration,
    CreateGroupParams,
    CreateOrUpdateAPIKeyRequest,
    CreateUserParameters,
    LocalUserParams,
    UnauthorizedException,
    UserApi,
)
from cohesity_sdk.helios.cli.access import (
    EXIT_BAD_FILE,
    EXIT_DONE,
    EXIT_FAILED,
    EXIT_IN_SYNC,
    EXIT_PENDING,
    EXIT_USAGE,
)

PASSWORD = "Unattended-Passw0rd"
_NEXT_CLUSTER = itertools.count(7_200_000_000_000_001)


class Served(NamedTuple):
    url: str
    api_key: str

    def api(self, key: Optional[str] = None) -> UserApi:
        return UserApi(ApiClient(Configuration(host=self.url, api_key=key or self.api_key,
                                               retries=0)))

    def control(self, path: str, method: str = "GET", body: Any = None) -> Any:
        request = urllib.request.Request(
            self.url[:-len("/v2")] + "/_fake" + path, method=method,
            data=None if body is None else json.dumps(body).encode(),
            headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(request, timeout=30) as answer:
            data = answer.read()
        return json.loads(data) if data else None

    def fault(self, fault: Dict[str, Any]) -> None:
        self.control("/faults", "POST", fault)

    def requests(self) -> List[Dict[str, Any]]:
        logged: List[Dict[str, Any]] = self.control("/requests")
        return logged


@pytest.fixture(scope="module")
def served() -> Iterator[Served]:
    proc, url, api_key = start_served_fake("--max-requests", "20000")
    try:
        yield Served(url, api_key)
    finally:
        stop_served_fake(proc)


class Work(NamedTuple):
    root: Path
    env: Dict[str, str]
    clusters: Tuple[int, int]

    def write(self, text: str, name: str = "access.yaml") -> Path:
        path = self.root / name
        path.write_text(text, encoding="utf-8")
        return path

    def secret_file(self, name: str, cluster: int) -> Path:
        return self.root / "keys" / f"{name}-{cluster}"


@pytest.fixture
def work(served: Served, tmp_path: Path) -> Work:
    env = {k: v for k, v in os.environ.items() if not k.startswith("HELIOS_")}
    env.update(HOME=str(tmp_path), XDG_CONFIG_HOME=str(tmp_path / ".config"),
               XDG_RUNTIME_DIR=str(tmp_path), HELIOS_HOST=served.url,
               HELIOS_API_KEY=served.api_key, SVC_PASSWORD=PASSWORD, PYTHONUNBUFFERED="1")
    return Work(tmp_path, env, (next(_NEXT_CLUSTER), next(_NEXT_CLUSTER)))


def command(work: Work, *args: str) -> List[str]:
    return [sys.executable, "-m", "cohesity_sdk.helios", *args]


def cli(work: Work, *args: str, env: Optional[Dict[str, str]] = None
        ) -> subprocess.CompletedProcess[str]:
    done = subprocess.run(command(work, *args), cwd=work.root, env=env or work.env,
                          capture_output=True, text=True, timeout=300, check=False)
    no_secret_in(work, done.stdout + done.stderr)
    return done


def no_secret_in(work: Work, text: str) -> None:
    secrets = [PASSWORD, work.env["HELIOS_API_KEY"]]
    keys = work.root / "keys"
    if keys.is_dir():
        secrets += [p.read_text().strip() for p in keys.iterdir() if p.is_file()
                    and p.read_text().strip()]
    for secret in secrets:
        assert secret not in text


def new_user(served: Served, cluster: int, username: str,
             roles: Optional[List[str]] = None) -> str:
    created = served.api().create_users([CreateUserParameters(
        username=username, domain="LOCAL", roles=roles or ["COHESITY_VIEWER"],
        local_user_params=LocalUserParams(password=PASSWORD))], access_cluster_id=cluster)
    return str(created.users[0].sid)


def sid_of(served: Served, cluster: int, username: str) -> Optional[str]:
    for user in served.api().get_users(access_cluster_id=cluster).users:
        if user.username == username:
            return user.sid
    return None


def keys_named(served: Served, cluster: int, username: str, name: str) -> List[Any]:
    sid = sid_of(served, cluster, username)
    if sid is None:
        return []
    keys = served.api().get_user_api_keys(sid, access_cluster_id=cluster).api_keys
    return [key for key in keys if key.name == name]


def authenticates(served: Served, cluster: int, secret: str) -> bool:
    """Whether ``secret`` is an API key the cluster takes."""
    try:
        served.api(secret).get_users(access_cluster_id=cluster)
    except UnauthorizedException:
        return False
    return True


def temporary_files(work: Work) -> List[str]:
    keys = work.root / "keys"
    return sorted(p.name for p in keys.iterdir() if p.name.endswith(".tmp")) \
        if keys.is_dir() else []


def wait_for(check: Any, what: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < deadline, f"waited {timeout} s for {what}"
        time.sleep(0.05)


def key_file(work: Work, cluster: int, *, user: str = "svc-ci", extra: str = "") -> Path:
    """An access file of one user with one key, ``ci``, kept in keys/ci-<cluster>."""
    return work.write(f"clusters: [{cluster}]\nusers:\n"
                      f"  - username: {user}\n    roles: [COHESITY_VIEWER]\n"
                      "    password_env: SVC_PASSWORD\n"
                      "    api_keys: [{name: ci, secret_file: 'keys/ci-{cluster}'}]\n" + extra)


# -- a crash, and a lost answer ---------------------------------------------------------


def test_a_run_killed_between_a_keys_create_and_its_secret_is_mended_by_the_next(
        served: Served, work: Work) -> None:
    a, _ = work.clusters
    key_file(work, a)
    secret = work.secret_file("ci", a)
    # The cluster makes the key at once and holds its answer: the run is killed then.
    served.fault({"operation": "create_user_api_key",
                  "delay": {"seconds": 60, "afterAction": True}})
    run = subprocess.Popen(command(work, "apply", "access.yaml", "--yes"), cwd=work.root,
                           env=work.env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_for(lambda: keys_named(served, a, "svc-ci", "ci"), "the key to be made")
        os.kill(run.pid, signal.SIGKILL)
    finally:
        run.wait()
    assert not secret.exists()
    [left] = temporary_files(work)  # what the killed run left beside the secret file
    assert left.startswith(f".ci-{a}.{run.pid}.")

    plan = cli(work, "plan", "access.yaml", "-o", "table")
    assert plan.returncode == EXIT_PENDING, plan.stdout + plan.stderr  # not "in sync"
    assert f"lost: {secret} is missing" in plan.stdout
    assert f"rotated, written to {secret}" in plan.stdout

    apply = cli(work, "apply", "access.yaml", "--yes", "-o", "table")
    assert apply.returncode == EXIT_DONE, apply.stdout + apply.stderr
    assert temporary_files(work) == []  # the dead run's file is gone
    [key] = keys_named(served, a, "svc-ci", "ci")  # the same key, not a second one
    assert authenticates(served, a, secret.read_text().strip())
    assert oct(secret.stat().st_mode & 0o777) == "0o600"
    assert cli(work, "plan", "access.yaml").returncode == EXIT_IN_SYNC


def test_a_lost_answer_to_a_keys_create_is_found_and_rotated_by_the_same_run(
        served: Served, work: Work) -> None:
    a, _ = work.clusters
    key_file(work, a)
    served.fault({"operation": "create_user_api_key", "drop": {"afterAction": True}})
    apply = cli(work, "apply", "access.yaml", "--yes", "-o", "json")
    assert apply.returncode == EXIT_DONE, apply.stderr
    [result] = [r for c in json.loads(apply.stdout)["result"]["clusters"]
                for r in c["results"] if r["kind"] == "api_key"]
    assert result["status"] == "done"
    assert "the answer to its create was lost" in result["note"]
    [key] = keys_named(served, a, "svc-ci", "ci")
    assert authenticates(served, a, work.secret_file("ci", a).read_text().strip())
    assert cli(work, "plan", "access.yaml").returncode == EXIT_IN_SYNC


def test_a_lost_answer_that_cannot_be_mended_at_once_is_mended_by_the_next_run(
        served: Served, work: Work) -> None:
    a, _ = work.clusters
    key_file(work, a)
    served.fault({"operation": "create_user_api_key", "drop": {"afterAction": True}})
    served.fault({"operation": "rotate_user_api_key", "fail": {"status": 500}})
    apply = cli(work, "apply", "access.yaml", "--yes", "-o", "table")
    assert apply.returncode == EXIT_FAILED, apply.stdout + apply.stderr
    assert "may have acted" in apply.stderr
    assert "the next run rotates it again" in apply.stderr
    assert not work.secret_file("ci", a).exists()
    assert len(keys_named(served, a, "svc-ci", "ci")) == 1  # made once, secret unknown

    plan = cli(work, "plan", "access.yaml")
    assert plan.returncode == EXIT_PENDING  # the key whose secret nobody holds is a change
    again = cli(work, "apply", "access.yaml", "--yes")
    assert again.returncode == EXIT_DONE, again.stderr
    [key] = keys_named(served, a, "svc-ci", "ci")
    assert authenticates(served, a, work.secret_file("ci", a).read_text().strip())


def test_a_managed_key_whose_secret_file_is_gone_or_empty_is_rotated(
        served: Served, work: Work) -> None:
    a, _ = work.clusters
    key_file(work, a, extra="  - username: svc-plain\n    roles: [COHESITY_VIEWER]\n"
                            "    password_env: SVC_PASSWORD\n    api_keys: [{name: ci}]\n")
    sid = new_user(served, a, "svc-plain")
    served.api().create_user_api_key(sid, CreateOrUpdateAPIKeyRequest(name="ci"),
                                     access_cluster_id=a)
    assert cli(work, "apply", "access.yaml", "--yes").returncode == EXIT_DONE
    secret = work.secret_file("ci", a)
    first = secret.read_text().strip()
    assert authenticates(served, a, first)
    secret.write_text("\n")  # emptied by hand
    plan = cli(work, "plan", "access.yaml", "-o", "table")
    assert plan.returncode == EXIT_PENDING
    assert f"lost: {secret} is empty" in plan.stdout
    assert "api key ci of LOCAL\\svc-plain" not in plan.stdout  # no secret_file: left alone
    assert cli(work, "apply", "access.yaml", "--yes").returncode == EXIT_DONE
    second = secret.read_text().strip()
    assert second != first and authenticates(served, a, second)
    assert not authenticates(served, a, first)  # rotated: the lost secret is no more
    secret.unlink()
    assert cli(work, "apply", "access.yaml", "--yes").returncode == EXIT_DONE
    assert authenticates(served, a, secret.read_text().strip())
    assert len(keys_named(served, a, "svc-ci", "ci")) == 1
    assert len(keys_named(served, a, "svc-plain", "ci")) == 1


# -- two runs at once --------------------------------------------------------------------


def test_two_applies_at_once_take_turns_and_make_nothing_twice(
        served: Served, work: Work) -> None:
    a, _ = work.clusters
    for user in ("svc-one", "svc-two"):
        new_user(served, a, user)
    work.write(f"clusters: [{a}]\nusers:\n" + "".join(
        f"  - username: {user}\n    api_keys: [{{name: ci, secret_file: 'keys/{user}'}}]\n"
        for user in ("svc-one", "svc-two")))
    # The first key's answer is held, so that the two runs overlap.
    served.fault({"operation": "create_user_api_key",
                  "delay": {"seconds": 2, "afterAction": True}})
    runs = [subprocess.Popen(command(work, "apply", "access.yaml", "--yes", "-o", "table"),
                             cwd=work.root, env=work.env, stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, text=True) for _ in range(2)]
    outputs = [run.communicate(timeout=120) for run in runs]
    for run, (out, err) in zip(runs, outputs):
        no_secret_in(work, out + err)
        assert run.returncode == EXIT_DONE, out + err
    waited = [err for _, err in outputs if "waiting for another apply" in err]
    assert len(waited) == 1, outputs
    assert f"waiting for another apply of cluster {a} (pid " in waited[0]
    for user in ("svc-one", "svc-two"):
        [key] = keys_named(served, a, user, "ci")  # one each, not two
        assert authenticates(served, a, (work.root / "keys" / user).read_text().strip())
    assert cli(work, "plan", "access.yaml").returncode == EXIT_IN_SYNC


def test_a_key_made_meanwhile_is_not_made_again(served: Served, work: Work) -> None:
    a, _ = work.clusters
    sid = new_user(served, a, "svc-ci")
    # The file changes the user's roles first, then makes its key.
    work.write(f"clusters: [{a}]\nusers:\n  - username: svc-ci\n"
               "    roles: [COHESITY_VIEWER, COHESITY_OPERATOR]\n"
               f"    api_keys: [{{name: ci, secret_file: 'keys/ci-{a}'}}]\n")
    served.fault({"operation": "update_user", "delay": {"seconds": 3, "afterAction": True}})
    run = subprocess.Popen(command(work, "apply", "access.yaml", "--yes", "-o", "table"),
                           cwd=work.root, env=work.env, stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE, text=True)
    # While the update's answer is held, someone else makes the key.
    wait_for(lambda: len(served.api().get_user_by_sid(sid, access_cluster_id=a).roles
                         or []) == 2, "the update")
    served.api().create_user_api_key(sid, CreateOrUpdateAPIKeyRequest(name="ci"),
                                     access_cluster_id=a)
    out, err = run.communicate(timeout=120)
    assert run.returncode == EXIT_FAILED, out + err
    assert "api key ci of LOCAL\\svc-ci exists already: it was made after the plan was " \
           "read, by another run or by hand, and is not made again; plan again" in err
    assert len(keys_named(served, a, "svc-ci", "ci")) == 1


def test_two_keys_of_one_name_are_a_problem_the_plan_names(
        served: Served, work: Work) -> None:
    a, _ = work.clusters
    sid = new_user(served, a, "svc-ci")
    for _ in range(2):
        served.api().create_user_api_key(sid, CreateOrUpdateAPIKeyRequest(name="ci"),
                                         access_cluster_id=a)
    key_file(work, a)
    plan = cli(work, "plan", "access.yaml", "-o", "table")
    assert plan.returncode == EXIT_BAD_FILE, plan.stdout  # never "in sync"
    assert "2 API keys of LOCAL\\svc-ci are named ci (ids " in plan.stderr
    apply = cli(work, "apply", "access.yaml", "--yes")
    assert apply.returncode == EXIT_BAD_FILE
    assert len(keys_named(served, a, "svc-ci", "ci")) == 2  # nothing done


# -- a file means what it says -------------------------------------------------------------


def test_a_yaml_key_given_twice_is_refused_with_the_line_of_each(
        served: Served, work: Work) -> None:
    a, _ = work.clusters
    api = served.api()
    for name in ("grp-one", "grp-two"):
        api.create_group([CreateGroupParams(name=name, domain="LOCAL",
                                            roles=["COHESITY_VIEWER"])], access_cluster_id=a)
    # A list appended at the end, where the first one was: YAML would keep the last only.
    work.write(f"clusters: [{a}]\n"
               "groups:\n  - name: grp-one\n  - name: grp-two\n"
               "prune:\n  groups: {name_prefix: grp-}\n"
               "groups:\n  - name: grp-three\n")
    plan = cli(work, "plan", "access.yaml")
    assert plan.returncode == EXIT_BAD_FILE
    assert plan.stderr.splitlines() == [
        "python -m cohesity_sdk.helios plan: error: access.yaml: line 7: the key 'groups' "
        "is given twice in one mapping (first at line 2); YAML would keep the last one only"]
    apply = cli(work, "apply", "access.yaml", "--yes")
    assert apply.returncode == EXIT_BAD_FILE
    assert sorted(g.name or "" for g in api.get_groups(access_cluster_id=a).groups) == \
        ["grp-one", "grp-two"]  # nothing deleted
    work.write(f"clusters: [{a}]\nusers:\n  - username: svc-x\n    roles: [COHESITY_ADMIN]\n"
               "    password_env: SVC_PASSWORD\n    roles: [COHESITY_VIEWER]\n")
    done = cli(work, "plan", "access.yaml")
    assert done.returncode == EXIT_BAD_FILE
    assert "line 6: the key 'roles' is given twice in one mapping (first at line 4)" in \
        done.stderr


def test_a_role_that_is_no_role_is_a_bad_file_with_did_you_mean(
        served: Served, work: Work) -> None:
    a, _ = work.clusters
    served.control("/requests", "DELETE")
    work.write(f"clusters: [{a}]\nusers:\n  - username: svc-r\n    roles: [COHESITY_OPERATR]\n"
               "    password_env: SVC_PASSWORD\n")
    for args in (("plan",), ("apply", "--yes")):
        done = cli(work, args[0], "access.yaml", *args[1:])
        assert done.returncode == EXIT_BAD_FILE, done.stderr
        assert "users[0].roles[0]: COHESITY_OPERATR is no built-in role, nor one of " \
               "custom_roles (did you mean 'COHESITY_OPERATOR'?)" in done.stderr
    assert [r for r in served.requests() if r["method"] != "GET"] == []  # nothing sent
    # A role the cluster's admins made is declared, and then planned.
    work.write(f"clusters: [{a}]\ncustom_roles: [BACKUP_AUDITOR]\nusers:\n"
               "  - username: svc-r\n    roles: [BACKUP_AUDITOR]\n"
               "    password_env: SVC_PASSWORD\n")
    assert cli(work, "plan", "access.yaml").returncode == EXIT_PENDING


def test_every_password_source_is_checked_at_plan_time(served: Served, work: Work) -> None:
    a, _ = work.clusters
    work.write(f"clusters: [{a}]\nusers:\n  - username: svc-p\n    password_env: UNSET_PW\n")
    env = dict(work.env)
    env.pop("UNSET_PW", None)
    done = cli(work, "plan", "access.yaml", "--out", "plan.json", env=env)
    assert done.returncode == EXIT_BAD_FILE
    assert "users[0].password_env: UNSET_PW is not set, or is empty" in done.stderr
    assert not (work.root / "plan.json").exists()  # nothing written
    env["UNSET_PW"] = ""
    assert cli(work, "plan", "access.yaml", env=env).returncode == EXIT_BAD_FILE
    # A password file others may read is refused, as a profile holding a key is.
    password = work.write(PASSWORD + "\n", "svc-p.password")
    password.chmod(0o644)
    work.write(f"clusters: [{a}]\nusers:\n  - username: svc-p\n"
               "    password_file: svc-p.password\n")
    done = cli(work, "plan", "access.yaml")
    assert done.returncode == EXIT_BAD_FILE
    assert (f"users[0].password_file: {password} holds a password, but users other than "
            f"its owner may read or change it (mode 644); run chmod 600 {password}") \
        in done.stderr
    password.chmod(0o600)
    assert cli(work, "plan", "access.yaml").returncode == EXIT_PENDING
    assert cli(work, "apply", "access.yaml", "--yes").returncode == EXIT_DONE
    assert sid_of(served, a, "svc-p") is not None
    (work.root / "svc-p.password").unlink()  # a user that exists needs no password
    assert cli(work, "plan", "access.yaml").returncode == EXIT_IN_SYNC


# -- targets and scope -----------------------------------------------------------------------


def test_cluster_chooses_among_the_files_clusters(served: Served, work: Work) -> None:
    a, b = work.clusters
    work.write(f"clusters: [{a}, {b}]\nusers:\n  - username: svc-t\n"
               "    password_env: SVC_PASSWORD\n")
    done = cli(work, "plan", "access.yaml", "--access-cluster-id", str(a))
    assert done.returncode == EXIT_USAGE
    assert "names its clusters, which --access-cluster-id would not change: choose among " \
           "them with --cluster ID" in done.stderr
    done = cli(work, "plan", "access.yaml", "--cluster", "1001")
    assert done.returncode == EXIT_USAGE
    assert f"cluster 1001 is not one of the file's clusters ({a}, {b})" in done.stderr
    done = cli(work, "plan", "access.yaml", "--cluster", str(b))
    assert done.returncode == EXIT_PENDING
    assert [c["cluster_id"] for c in json.loads(done.stdout)["clusters"]] == [b]
    assert cli(work, "apply", "access.yaml", "--yes", "--cluster", str(b)).returncode == \
        EXIT_DONE
    assert (sid_of(served, a, "svc-t"), sid_of(served, b, "svc-t") is not None) == \
        (None, True)
    for repeated in (["--parallel", "2", "--parallel", "3"], ["-o", "json", "-o", "table"],
                     ["--host", served.url, "--host", served.url]):
        done = cli(work, "plan", "access.yaml", *repeated)
        assert done.returncode == EXIT_USAGE
        assert "given twice; give it once" in done.stderr


def test_objects_on_some_clusters_and_one_export_of_several(
        served: Served, work: Work) -> None:
    a, b = work.clusters
    work.write(f"clusters: [{a}, {b}]\ncustom_roles: [BACKUP_AUDITOR]\nusers:\n"
               "  - username: svc-both\n    roles: [COHESITY_VIEWER]\n"
               "    password_env: SVC_PASSWORD\n"
               "    api_keys:\n"
               "      - {name: ci, secret_file: 'keys/ci-{cluster}'}\n"
               f"      - {{name: only-b, secret_file: 'keys/b-{{cluster}}', clusters: [{b}]}}\n"
               f"  - username: svc-a\n    clusters: [{a}]\n    roles: [COHESITY_VIEWER]\n"
               "    password_env: SVC_PASSWORD\n"
               f"  - username: svc-a\n    clusters: [{b}]\n    roles: [COHESITY_OPERATOR]\n"
               "    password_env: SVC_PASSWORD\n"
               f"groups:\n  - {{name: auditors, clusters: [{b}], roles: [COHESITY_VIEWER],"
               " members: [svc-a]}\n")
    done = cli(work, "apply", "access.yaml", "--yes")
    assert done.returncode == EXIT_DONE, done.stderr
    api = served.api()
    assert sorted(u.username or "" for u in api.get_users(access_cluster_id=a).users) == \
        ["admin", "svc-a", "svc-both"]
    roles = {u.username: u.roles for u in api.get_users(access_cluster_id=b).users}
    assert roles["svc-a"] == ["COHESITY_OPERATOR"]
    assert [g.name for g in api.get_groups(access_cluster_id=a).groups] == []
    assert [g.name for g in api.get_groups(access_cluster_id=b).groups] == ["auditors"]
    assert keys_named(served, a, "svc-both", "only-b") == []
    assert len(keys_named(served, b, "svc-both", "only-b")) == 1
    assert not work.secret_file("b", a).exists()
    assert cli(work, "plan", "access.yaml").returncode == EXIT_IN_SYNC

    # One export of both: what differs names its clusters, and it plans as in sync.
    exported = cli(work, "export", "--cluster", str(a), "--cluster", str(b))
    assert exported.returncode == EXIT_IN_SYNC, exported.stderr
    assert exported.stdout.startswith(f"# The users and groups of clusters {a}, {b}, exported")
    work.write(exported.stdout, "exported.yaml")
    data = json.loads(cli(work, "export", "--cluster", str(a), "--cluster", str(b),
                          "-o", "json").stdout)
    assert data["clusters"] == [a, b]
    users = {(u["username"], tuple(u.get("clusters") or ())): u for u in data["users"]}
    assert ("svc-a", (a,)) in users and ("svc-a", (b,)) in users
    both = users[("svc-both", ())]
    assert [(k["name"], k.get("clusters")) for k in both["api_keys"]] == \
        [("ci", None), ("only-b", [b])]
    assert [(g["name"], g["clusters"]) for g in data["groups"]] == [("auditors", [b])]
    assert cli(work, "plan", "exported.yaml").returncode == EXIT_IN_SYNC
    done = cli(work, "export", "--cluster", str(a), "--access-cluster-id", str(a))
    assert done.returncode == EXIT_USAGE


# -- 5,000 users -----------------------------------------------------------------------------


def test_a_cluster_of_5000_users_is_read_in_parallel_and_not_read_again_by_apply(
        served: Served, work: Work) -> None:
    a, _ = work.clusters
    api = served.api()
    for start in range(0, 5000, 1000):
        api.create_users([CreateUserParameters(
            username=f"u{n:04d}", domain="LOCAL", roles=["COHESITY_VIEWER"],
            local_user_params=LocalUserParams(password=PASSWORD))
            for n in range(start, start + 1000)], access_cluster_id=a)
    sids = {u.username: u.sid for u in api.get_users(access_cluster_id=a).users}
    for n in range(500):
        api.create_user_api_key(str(sids[f"u{n:04d}"]), CreateOrUpdateAPIKeyRequest(
            name="k"), access_cluster_id=a)
    users = [f"  - {{username: u{n:04d}, roles: [COHESITY_VIEWER]"
             + (", api_keys: [{name: k}]" if n < 500 else "") + "}\n" for n in range(5000)]
    work.write(f"clusters: [{a}]\nusers:\n" + "".join(users))
    served.control("/requests", "DELETE")
    # The first key reads are held, so that how many run at once can be seen.
    for _ in range(6):
        served.fault({"operation": "get_user_api_keys", "delay": 1.5})
    plan = subprocess.Popen(command(work, "plan", "access.yaml", "--parallel", "3"),
                            cwd=work.root, env=work.env, stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE, text=True)
    in_flight = []
    while plan.poll() is None:
        in_flight.append(sum(1 for r in served.requests()
                             if r["operationId"] == "get_user_api_keys" and r["status"] == 0))
        time.sleep(0.1)
    _, err = plan.communicate()
    assert plan.returncode == EXIT_IN_SYNC, err
    assert max(in_flight) == 3  # three at a time: --parallel 3, no more
    sent = [r["operationId"] for r in served.requests()]
    assert (sent.count("get_users"), sent.count("get_groups"),
            sent.count("get_user_api_keys"), len(sent)) == (1, 1, 500, 502)

    # An apply of a few changes reads the cluster once, for its plan, then only what it
    # changes.
    users[10] = "  - {username: u0010, roles: [COHESITY_OPERATOR]}\n"
    users[600] = ("  - {username: u0600, roles: [COHESITY_VIEWER], api_keys: "
                  "[{name: new, secret_file: keys/u0600}]}\n")
    users.append("  - {username: new-user, password_env: SVC_PASSWORD}\n")
    work.write(f"clusters: [{a}]\nusers:\n" + "".join(users))
    served.control("/requests", "DELETE")
    apply = cli(work, "apply", "access.yaml", "--yes")
    assert apply.returncode == EXIT_DONE, apply.stderr
    logged = served.requests()
    unfiltered = [r for r in logged if r["method"] == "GET" and r["query"] == {}
                  and r["operationId"] in ("get_users", "get_groups")]
    assert len(unfiltered) == 2  # the plan's two lists, not read again
    writes = [r["operationId"] for r in logged if r["method"] != "GET"]
    assert sorted(writes) == ["create_user_api_key", "create_users", "update_user"]
    assert len(logged) < 520, len(logged)  # 502 for the plan, a few for the changes
    assert authenticates(served, a, (work.root / "keys" / "u0600").read_text().strip())
