"""Access as code in Python, against a FakeHelios serving two clusters: ``access.plan``
reads, ``access.apply`` makes the changes in order and reports each, ``access.export``
writes what exists. Every change is checked on the clusters themselves."""

from __future__ import annotations

import os
import stat
import threading
from pathlib import Path
from typing import Dict, Iterator, List, Tuple

import pytest

from cohesity_sdk.helios import (
    ApiClient,
    CreateGroupParams,
    CreateOrUpdateAPIKeyRequest,
    CreateUserParameters,
    CreateUserSessionRequestParams,
    LocalUserParams,
    RetryPolicy,
    UpdateUserParameters,
    UserApi,
    UserParams,
    access,
)
from cohesity_sdk.helios.access import (
    AccessFileError,
    ApplyError,
    FieldChange,
    Plan,
    StalePlanError,
)
from cohesity_sdk.helios.access.cluster_state import user_basis
from cohesity_sdk.helios.testing import FakeHelios

A, B = CLUSTERS = (4213516873913468, 5523896512376540)
PASSWORD = "Svc-backup-Passw0rd"

EXAMPLE = """\
clusters: [4213516873913468, 5523896512376540]
users:
  - username: svc-backup
    domain: LOCAL
    roles: [COHESITY_OPERATOR]
    email: svc-backup@example.com
    password_env: SVC_BACKUP_PASSWORD
    api_keys:
      - name: nightly
        secret_file: secrets/svc-backup-nightly-{cluster}
  - username: jdoe
    domain: corp.example.com
    roles: [COHESITY_VIEWER]
  - username: old-contractor
    domain: LOCAL
    absent: true
groups:
  - name: backup-ops
    domain: LOCAL
    roles: [COHESITY_ADMIN]
    members: [svc-backup]
"""


@pytest.fixture(autouse=True)
def password(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SVC_BACKUP_PASSWORD", PASSWORD)


@pytest.fixture
def api(fake: FakeHelios) -> Iterator[UserApi]:
    with ApiClient(fake.configuration(retries=RetryPolicy(3, backoff_base=0))) as client:
        yield UserApi(client)


def write(tmp_path: Path, text: str, name: str = "access.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def users(api: UserApi, cluster: int) -> Dict[str, UserParams]:
    return {u.username or "": u for u in api.get_users(access_cluster_id=cluster)}


def kinds(changes: List[access.Change]) -> List[Tuple[str, str, str]]:
    return [(c.action, c.kind, c.target) for c in changes]


def new_user(api: UserApi, cluster: int, username: str, **fields: object) -> str:
    created = api.create_users([CreateUserParameters(
        username=username, domain="LOCAL", local_user_params=LocalUserParams(
            password="Other-Passw0rd"), **fields)],  # type: ignore[arg-type]
        access_cluster_id=cluster)
    sid = created.users[0].sid
    assert sid is not None
    return sid


def writes(fake: FakeHelios) -> List[str]:
    return [r.operation_id or "" for r in fake.requests if r.method != "GET"]


def secret_of(path: Path) -> str:
    return path.read_text(encoding="utf-8").strip()


# -- create from empty, then in sync ------------------------------------------------------


def test_create_from_empty_on_two_clusters(fake: FakeHelios, api: UserApi,
                                           tmp_path: Path) -> None:
    path = write(tmp_path, EXAMPLE)
    planned = access.plan(api, path)
    assert [c.cluster_id for c in planned.clusters] == list(CLUSTERS)
    assert writes(fake) == []  # a plan only reads
    for cluster in planned.clusters:
        # In the order they are applied: users, their keys, groups, then memberships.
        assert kinds(cluster.changes) == [
            ("create", "user", "user LOCAL\\svc-backup"),
            ("create", "user", "user corp.example.com\\jdoe"),
            ("create", "api_key", "api key nightly of LOCAL\\svc-backup"),
            ("create", "group", "group LOCAL\\backup-ops"),
            ("update", "members", "members of group LOCAL\\backup-ops"),
        ]
        user, _, key, _, members = cluster.changes
        assert user.fields == (
            FieldChange("roles", None, ["COHESITY_OPERATOR"]),
            FieldChange("email", None, "svc-backup@example.com"),
            FieldChange("password", None, "from $SVC_BACKUP_PASSWORD"))
        assert key.depends_on == (1,) and members.depends_on == (1, 4)
        assert members.fields == (FieldChange("members", [], ["svc-backup"]),)
        secret_file = tmp_path / "secrets" / f"svc-backup-nightly-{cluster.cluster_id}"
        assert key.fields == (FieldChange("secret_file", None, str(secret_file)),)
        assert cluster.in_sync == ["user LOCAL\\old-contractor (absent)"]
    assert planned.counts() == {"create": 8, "update": 2, "delete": 0, "in_sync": 2}

    result = access.apply(api, planned)
    assert result.ok and result.changed
    assert [r.status for r in result.results] == ["done"] * 10

    for cluster in CLUSTERS:
        found = users(api, cluster)
        assert sorted(found) == ["admin", "jdoe", "svc-backup"]
        svc = found["svc-backup"]
        assert svc.roles == ["COHESITY_OPERATOR"]
        assert svc.local_user_params is not None
        assert svc.local_user_params.email == "svc-backup@example.com"
        jdoe = found["jdoe"]  # an AD principal, added by name, without a password
        assert (jdoe.domain, jdoe.roles, jdoe.local_user_params) == (
            "corp.example.com", ["COHESITY_VIEWER"], None)
        [group] = api.get_groups(access_cluster_id=cluster)
        assert (group.name, group.roles) == ("backup-ops", ["COHESITY_ADMIN"])
        assert group.local_group_params is not None
        assert group.local_group_params.user_sids == [svc.sid]
        # The password came from the environment: svc-backup can log in with it.
        api.create_session(CreateUserSessionRequestParams(
            username="svc-backup", password=PASSWORD, domain="LOCAL"),
            access_cluster_id=cluster)
        # The new key's secret is in its file only, mode 0600, and it works.
        secret_file = tmp_path / "secrets" / f"svc-backup-nightly-{cluster}"
        assert stat.S_IMODE(secret_file.stat().st_mode) == 0o600
        configuration = fake.configuration(access_cluster_id=cluster)
        configuration.api_key["APIKeyHeader"] = secret_of(secret_file)
        with ApiClient(configuration) as client:
            assert UserApi(client).get_user_by_sid(svc.sid or "").username == "svc-backup"
    assert {p.name for p in (tmp_path / "secrets").iterdir()} == {
        f"svc-backup-nightly-{cluster}" for cluster in CLUSTERS}  # no temporary file left
    create = next(r for r in fake.requests if r.operation_id == "create_users"
                  and r.json and r.json[0]["username"] == "jdoe")
    assert "localUserParams" not in create.json[0]

    # Nothing shows a secret: not the plan, not the result, in any form.
    secrets = [PASSWORD] + [secret_of(p) for p in (tmp_path / "secrets").iterdir()]
    for shown in (str(planned), planned.to_json(), planned._repr_html_(), repr(planned),
                  str(result), result.to_json(), result._repr_html_()):
        for secret in secrets:
            assert secret not in shown


def test_the_second_apply_is_in_sync_and_changes_nothing(fake: FakeHelios, api: UserApi,
                                                         tmp_path: Path) -> None:
    path = write(tmp_path, EXAMPLE)
    access.apply(api, access.plan(api, path))
    secret_file = tmp_path / "secrets" / f"svc-backup-nightly-{A}"
    secret, written = secret_of(secret_file), secret_file.stat().st_mtime_ns
    keys_before = api.get_all_api_keys(access_cluster_id=A).to_dict()
    fake.requests.clear()

    again = access.plan(api, path)
    assert again.in_sync and again.changes == []
    assert "In sync: nothing to change on 2 clusters" in str(again)
    result = access.apply(api, again)
    assert result.ok and not result.changed and result.results == []
    assert writes(fake) == []  # reads only
    # The key that exists is not rotated: same id, same secret, same file.
    assert api.get_all_api_keys(access_cluster_id=A).to_dict() == keys_before
    assert secret_of(secret_file) == secret
    assert secret_file.stat().st_mtime_ns == written
    [key] = [k for k in api.get_all_api_keys(access_cluster_id=A) if k.name == "nightly"]
    assert key.last_rotated_time_msecs is None


# -- updates: field by field, and only the fields written -------------------------------------


def test_a_role_change_is_planned_field_by_field_and_applied(
        fake: FakeHelios, api: UserApi, tmp_path: Path) -> None:
    path = write(tmp_path, EXAMPLE)
    access.apply(api, access.plan(api, path))
    sid = users(api, A)["svc-backup"].sid or ""
    # Out of band: a description, which the file does not manage.
    api.update_user(sid, UpdateUserParameters(description="backups at night"),
                    access_cluster_id=A)

    changed = EXAMPLE.replace("roles: [COHESITY_OPERATOR]",
                              "roles: [COHESITY_ADMIN, COHESITY_OPERATOR]").replace(
        "email: svc-backup@example.com", "email: backup@example.com")
    write(tmp_path, changed)
    planned = access.plan(api, path)
    for cluster in planned.clusters:
        [change] = cluster.changes
        assert (change.action, change.target) == ("update", "user LOCAL\\svc-backup")
        assert change.fields == (
            FieldChange("roles", ["COHESITY_OPERATOR"], ["COHESITY_ADMIN", "COHESITY_OPERATOR"]),
            FieldChange("email", "svc-backup@example.com", "backup@example.com"))
    text = str(planned)
    assert "update  user LOCAL\\svc-backup" in text
    assert "COHESITY_OPERATOR" in text and "backup@example.com" in text
    fake.requests.clear()
    access.apply(api, planned)
    sent = [r.json for r in fake.requests if r.operation_id == "update_user"]
    # Only what changed is sent: neither the description nor the password.
    assert sent == [{"roles": ["COHESITY_ADMIN", "COHESITY_OPERATOR"],
                     "localUserParams": {"email": "backup@example.com"}}] * 2
    svc = users(api, A)["svc-backup"]
    assert svc.roles == ["COHESITY_ADMIN", "COHESITY_OPERATOR"]
    assert svc.description == "backups at night"  # not managed, left alone
    assert access.plan(api, path).in_sync


def test_role_order_does_not_matter_and_unwritten_fields_are_not_managed(
        api: UserApi, tmp_path: Path) -> None:
    new_user(api, A, "svc-a", roles=["COHESITY_VIEWER", "COHESITY_OPERATOR"], locked=True,
             description="made by hand")
    path = write(tmp_path, "clusters: [4213516873913468]\nusers:\n  - username: svc-a\n"
                           "    roles: [COHESITY_OPERATOR, COHESITY_VIEWER]\n")
    planned = access.plan(api, path)
    assert planned.in_sync
    assert planned.clusters[0].in_sync == ["user LOCAL\\svc-a"]


def test_a_role_the_cluster_refuses_is_that_changes_failed_result(
        fake: FakeHelios, api: UserApi, tmp_path: Path) -> None:
    new_user(api, A, "svc-a", roles=["COHESITY_VIEWER"])
    new_user(api, A, "svc-b", roles=["COHESITY_VIEWER"])
    # The file declares a custom role that the cluster does not have (yet).
    path = write(tmp_path, "clusters: [4213516873913468]\ncustom_roles: [COHESITY_BOGUS]\n"
                           "users:\n"
                           "  - {username: svc-a, roles: [COHESITY_BOGUS]}\n"
                           "  - {username: svc-b, roles: [COHESITY_ADMIN]}\n")
    planned = access.plan(api, path)
    # The cluster (here FakeHelios, as a cluster does) answers 400 for a role it does not
    # know: that change fails, the other is made.
    result = access.apply(api, planned, check=False)
    first, second = result.results
    assert (first.status, second.status) == ("failed", "done")
    assert first.error is not None
    assert "(400) Bad Request in update_user" in first.error
    assert "role COHESITY_BOGUS does not exist" in first.error
    assert users(api, A)["svc-b"].roles == ["COHESITY_ADMIN"]
    assert kinds(access.plan(api, path).changes) == [("update", "user", "user LOCAL\\svc-a")]
    # Once the cluster knows the role, the same file applies.
    fake.add_role("COHESITY_BOGUS", [])
    assert access.apply(api, access.plan(api, path), check=False).ok
    assert users(api, A)["svc-a"].roles == ["COHESITY_BOGUS"]


def test_a_new_user_with_a_role_the_cluster_refuses_skips_what_needs_it(
        api: UserApi, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = write(tmp_path, "clusters: [4213516873913468]\ncustom_roles: [NO_SUCH_ROLE]\n"
                           "users:\n"
                           "  - {username: svc-c, roles: [NO_SUCH_ROLE], password_env: PW}\n"
                           "groups:\n  - {name: ops, members: [svc-c]}\n")
    monkeypatch.setenv("PW", "Passw0rd-c")
    result = access.apply(api, access.plan(api, path), check=False)
    statuses = {r.change.target: r.status for r in result.results}
    assert statuses["user LOCAL\\svc-c"] == "failed"
    assert statuses["members of group LOCAL\\ops"] == "skipped"  # it needs svc-c
    assert statuses["group LOCAL\\ops"] == "done"  # it does not
    assert "svc-c" not in users(api, A)


# -- deletes: absent, prune, and what the file does not name --------------------------------------


def test_absent_deletes_and_users_the_file_does_not_name_are_left_alone(
        fake: FakeHelios, api: UserApi, tmp_path: Path) -> None:
    for cluster in CLUSTERS:
        new_user(api, cluster, "old-contractor")
        new_user(api, cluster, "bystander", roles=["COHESITY_VIEWER"])
    path = write(tmp_path, EXAMPLE)
    planned = access.plan(api, path)
    for cluster in planned.clusters:
        assert kinds(cluster.changes)[-1] == ("delete", "user", "user LOCAL\\old-contractor")
        assert not any("bystander" in c.target for c in cluster.changes)
    access.apply(api, planned)
    for cluster in CLUSTERS:
        found = users(api, cluster)
        assert "old-contractor" not in found
        assert found["bystander"].roles == ["COHESITY_VIEWER"]
    assert access.plan(api, path).in_sync


def test_a_prune_scope_deletes_only_what_it_names_and_the_file_does_not(
        fake: FakeHelios, api: UserApi, tmp_path: Path) -> None:
    for name in ("svc-old", "svc-keep", "SVC-shouty", "carol"):
        new_user(api, A, name)
    api.create_group([CreateGroupParams(name="ops-old", domain="LOCAL"),
                      CreateGroupParams(name="ops-legacy", domain="LOCAL",
                                        roles=["COHESITY_VIEWER"]),
                      CreateGroupParams(name="finance", domain="LOCAL")], access_cluster_id=A)
    path = write(tmp_path, """\
clusters: [4213516873913468]
users:
  - {username: svc-keep}
  - {username: svc-new, password_env: SVC_BACKUP_PASSWORD}
groups:
  - {name: ops-legacy, unmanaged: true}
prune:
  users: {domain: LOCAL, name_prefix: svc-}
  groups: {domain: LOCAL, name_prefix: ops-}
""")
    planned = access.plan(api, path)
    assert kinds(planned.changes) == [
        ("create", "user", "user LOCAL\\svc-new"),
        # Deletes last, in reverse: groups before users.
        ("delete", "group", "group LOCAL\\ops-old"),
        ("delete", "user", "user LOCAL\\SVC-shouty"),
        ("delete", "user", "user LOCAL\\svc-old"),
    ]
    assert [c.path for c in planned.changes[1:]] == ["prune.groups", "prune.users",
                                                     "prune.users"]
    access.apply(api, planned)
    assert sorted(users(api, A)) == ["admin", "carol", "svc-keep", "svc-new"]
    assert [(g.name, g.roles) for g in api.get_groups(access_cluster_id=A)] == [
        ("ops-legacy", ["COHESITY_VIEWER"]), ("finance", [])]


def test_prune_never_deletes_admin_nor_an_unmanaged_entry(api: UserApi,
                                                          tmp_path: Path) -> None:
    new_user(api, A, "legacy", roles=["COHESITY_VIEWER"])
    new_user(api, A, "gone")
    path = write(tmp_path, """\
clusters: [4213516873913468]
users:
  - {username: admin, unmanaged: true}
  - {username: legacy, unmanaged: true}
prune:
  users: {name_prefix: ""}
""")
    planned = access.plan(api, path)
    assert kinds(planned.changes) == [("delete", "user", "user LOCAL\\gone")]
    access.apply(api, planned)
    assert sorted(users(api, A)) == ["admin", "legacy"]
    # admin is never deleted even when nothing names it.
    write(tmp_path, "clusters: [4213516873913468]\nprune:\n  users: {name_prefix: ''}\n")
    assert kinds(access.plan(api, path).changes) == [("delete", "user", "user LOCAL\\legacy")]


# -- memberships ------------------------------------------------------------------------------


def test_a_membership_is_planned_as_before_and_after_and_applied(
        fake: FakeHelios, api: UserApi, tmp_path: Path) -> None:
    alice, bob = new_user(api, A, "alice"), new_user(api, A, "bob")
    api.create_group([CreateGroupParams(name="ops", domain="LOCAL", roles=["COHESITY_VIEWER"],
                                        local_group_params={"user_sids": [alice]})],
                     access_cluster_id=A)
    path = write(tmp_path, """\
clusters: [4213516873913468]
users:
  - {username: carol, password_env: SVC_BACKUP_PASSWORD}
groups:
  - name: ops
    members: [bob, carol]
""")
    planned = access.plan(api, path)
    assert kinds(planned.changes) == [("create", "user", "user LOCAL\\carol"),
                                      ("update", "members", "members of group LOCAL\\ops")]
    members = planned.changes[1]
    assert members.fields == (FieldChange("members", ["alice"], ["bob", "carol"]),)
    assert members.depends_on == (1,)  # carol first
    assert planned.clusters[0].in_sync == ["group LOCAL\\ops"]  # its roles are not managed
    access.apply(api, planned)
    carol = users(api, A)["carol"].sid
    [group] = api.get_groups(access_cluster_id=A)
    assert group.local_group_params is not None
    assert group.local_group_params.user_sids == [bob, carol]
    assert group.roles == ["COHESITY_VIEWER"]
    assert access.plan(api, path).in_sync


# -- API keys -------------------------------------------------------------------------------


def test_a_new_key_without_a_secret_file_is_refused_before_anything_is_sent(
        fake: FakeHelios, api: UserApi, tmp_path: Path) -> None:
    path = write(tmp_path, "clusters: [4213516873913468]\nusers:\n"
                           "  - {username: svc-a, password_env: SVC_BACKUP_PASSWORD,\n"
                           "     api_keys: [{name: ci}]}\n")
    planned = access.plan(api, path)
    [_, key] = planned.changes
    assert key.problem == "a new API key needs secret_file, where its secret is written"
    assert planned.problems() == [("users[0].api_keys[0]", key.problem)]
    assert "problem: #2 api key ci of LOCAL\\svc-a" in str(planned)
    fake.requests.clear()
    with pytest.raises(AccessFileError, match=r"users\[0\]\.api_keys\[0\]: a new API key "
                                              "needs secret_file"):
        access.apply(api, planned)
    assert list(fake.requests) == []  # nothing sent, not even a read


def test_a_key_that_exists_needs_no_secret_file_and_absent_deletes_it(
        fake: FakeHelios, api: UserApi, tmp_path: Path) -> None:
    sid = new_user(api, A, "svc-a")
    kept = api.create_user_api_key(sid, CreateOrUpdateAPIKeyRequest(name="ci"),
                                   access_cluster_id=A)
    api.create_user_api_key(sid, CreateOrUpdateAPIKeyRequest(name="old"), access_cluster_id=A)
    path = write(tmp_path, "clusters: [4213516873913468]\nusers:\n  - username: svc-a\n"
                           "    api_keys:\n      - {name: ci, active: false}\n"
                           "      - {name: old, absent: true}\n")
    planned = access.plan(api, path)
    assert kinds(planned.changes) == [("update", "api_key", "api key ci of LOCAL\\svc-a"),
                                      ("delete", "api_key", "api key old of LOCAL\\svc-a")]
    assert planned.changes[0].fields == (FieldChange("active", True, False),)
    access.apply(api, planned)
    [key] = api.get_user_api_keys(sid, access_cluster_id=A)
    assert (key.id, key.name, key.is_active) == (kept.id, "ci", False)
    assert access.plan(api, path).in_sync


def test_new_keys_of_two_clusters_cannot_share_a_secret_file(api: UserApi,
                                                            tmp_path: Path) -> None:
    shared = EXAMPLE.replace("svc-backup-nightly-{cluster}", "svc-backup-nightly")
    planned = access.plan(api, write(tmp_path, shared))
    problems = planned.problems()
    assert [path for path, _ in problems] == ["users[0].api_keys[0]"] * 2
    assert "put {cluster} in the path" in problems[0][1]
    with pytest.raises(AccessFileError):
        access.apply(api, planned)


def test_a_password_that_cannot_be_read_is_refused_before_anything_is_sent(
        fake: FakeHelios, api: UserApi, tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    path = write(tmp_path, EXAMPLE)
    planned = access.plan(api, path)
    monkeypatch.delenv("SVC_BACKUP_PASSWORD")
    # A plan checks the password sources the apply would read: the file is bad as it is.
    with pytest.raises(AccessFileError) as caught:
        access.plan(api, path)
    assert caught.value.problems == [
        ("users[0].password_env", "SVC_BACKUP_PASSWORD is not set, or is empty")]
    # And an apply of a plan made while it was set checks again, before sending.
    fake.requests.clear()
    with pytest.raises(AccessFileError) as caught:
        access.apply(api, planned)
    assert ("users[0].password_env", "SVC_BACKUP_PASSWORD is not set, or is empty") in \
        caught.value.problems
    assert list(fake.requests) == []


def test_a_password_file(fake: FakeHelios, api: UserApi, tmp_path: Path) -> None:
    (tmp_path / "pw").write_text("From-a-File-Passw0rd\n", encoding="utf-8")
    (tmp_path / "pw").chmod(0o600)
    path = write(tmp_path, "clusters: [4213516873913468]\n"
                           "users: [{username: svc-f, password_file: pw}]\n")
    planned = access.plan(api, path)
    assert planned.changes[0].fields == (FieldChange("password", None,
                                                     f"from {tmp_path / 'pw'}"),)
    access.apply(api, planned)
    api.create_session(CreateUserSessionRequestParams(
        username="svc-f", password="From-a-File-Passw0rd"), access_cluster_id=A)
    (tmp_path / "pw").write_text("", encoding="utf-8")
    write(tmp_path, "clusters: [4213516873913468]\n"
                    "users: [{username: svc-g, password_file: pw}]\n")
    with pytest.raises(AccessFileError, match="is empty"):
        access.plan(api, path)


def test_a_secret_that_cannot_be_written_deletes_the_new_key_again(
        fake: FakeHelios, api: UserApi, tmp_path: Path) -> None:
    sid = new_user(api, A, "svc-a")
    target = tmp_path / "keys" / "ci"
    path = write(tmp_path, "clusters: [4213516873913468]\nusers:\n  - username: svc-a\n"
                           "    api_keys: [{name: ci, secret_file: keys/ci}]\n")
    planned = access.plan(api, path)
    # While the key is being made, a folder takes the secret file's place.
    fake.delay_next("create_user_api_key", seconds=1)
    threading.Timer(0.3, lambda: (target / "taken").mkdir(parents=True)).start()
    result = access.apply(api, planned, check=False)
    [failed] = result.results
    assert failed.status == "failed" and failed.error is not None
    assert failed.error.startswith(f"the secret of the new key could not be written to "
                                   f"{target}")
    assert failed.error.endswith("the key was deleted again")
    assert list(api.get_user_api_keys(sid, access_cluster_id=A)) == []
    assert [p.name for p in (tmp_path / "keys").iterdir()] == ["ci"]  # no temporary file
    assert kinds(access.plan(api, path).changes) == [
        ("create", "api_key", "api key ci of LOCAL\\svc-a")]


def test_a_secret_file_in_no_folder_is_refused(api: UserApi, tmp_path: Path) -> None:
    (tmp_path / "a-file").write_text("", encoding="utf-8")
    path = write(tmp_path, "clusters: [4213516873913468]\n"
                           "users:\n  - username: svc-a\n    password_env: SVC_BACKUP_PASSWORD\n"
                           "    api_keys: [{name: k, secret_file: a-file/k}]\n")
    with pytest.raises(AccessFileError, match=r"users\[0\]\.api_keys\[0\]\.secret_file: .* "
                                              "is not a folder"):
        access.apply(api, access.plan(api, path))


# -- failures: the rest goes on ----------------------------------------------------------------


FAULTY = """\
clusters: [4213516873913468, 5523896512376540]
users:
  - {username: svc-a, password_env: SVC_BACKUP_PASSWORD, roles: [COHESITY_VIEWER]}
  - username: svc-b
    password_env: SVC_BACKUP_PASSWORD
    api_keys: [{name: ci, secret_file: "keys/svc-b-{cluster}"}]
  - {username: svc-c, password_env: SVC_BACKUP_PASSWORD}
  - {username: old, absent: true}
groups:
  - {name: ops, members: [svc-a, svc-b]}
  - {name: viewers, roles: [COHESITY_VIEWER], members: [svc-c]}
"""


def test_a_fault_in_the_middle_skips_its_dependents_and_the_rest_goes_on(
        fake: FakeHelios, api: UserApi, tmp_path: Path) -> None:
    new_user(api, A, "old")
    new_user(api, B, "old")
    path = write(tmp_path, FAULTY)
    planned = access.plan(api, path)
    assert kinds(planned.clusters[0].changes) == [
        ("create", "user", "user LOCAL\\svc-a"),
        ("create", "user", "user LOCAL\\svc-b"),
        ("create", "user", "user LOCAL\\svc-c"),
        ("create", "api_key", "api key ci of LOCAL\\svc-b"),
        ("create", "group", "group LOCAL\\ops"),
        ("create", "group", "group LOCAL\\viewers"),
        ("update", "members", "members of group LOCAL\\ops"),
        ("update", "members", "members of group LOCAL\\viewers"),
        ("delete", "user", "user LOCAL\\old"),
    ]
    # Creating the first group of the first cluster fails (clusters are applied one at
    # a time here, so that it is the first cluster's).
    fake.requests.clear()
    fake.fail_next("create_group", status=503)
    with pytest.raises(ApplyError) as caught:
        access.apply(api, planned, parallel=1)
    result = caught.value.result
    assert not result.ok and result.changed
    first, second = result.clusters
    statuses = [(r.change.number, r.status) for r in first.results]
    assert statuses == [(1, "done"), (2, "done"), (3, "done"), (4, "done"), (5, "failed"),
                        (6, "done"), (7, "skipped"), (8, "done"), (9, "done")]
    failed = first.results[4]
    assert failed.error is not None
    assert "(503) Service Unavailable in create_group [POST /v2/groups]" in failed.error
    assert first.results[6].error == "needs #5 (group LOCAL\\ops), which failed"
    assert second.ok and [r.status for r in second.results] == ["done"] * 9
    assert "1 failed, 1 skipped" in result.summary()
    assert str(caught.value) == result.summary()
    text = str(result)
    assert "failed   create  group LOCAL\\ops" in text
    assert "skipped  update  members of group LOCAL\\ops" in text
    assert writes(fake).count("create_group") == 4  # tried once: a POST is not repeated

    # The re-plan is short: only what was left.
    again = access.plan(api, path)
    assert kinds(again.clusters[0].changes) == [
        ("create", "group", "group LOCAL\\ops"),
        ("update", "members", "members of group LOCAL\\ops")]
    assert again.clusters[0].changes[1].fields == (
        FieldChange("members", [], ["svc-a", "svc-b"]),)
    assert again.clusters[0].changes[1].depends_on == (1,)
    assert again.clusters[1].changes == []
    assert access.apply(api, again).ok
    assert access.plan(api, path).in_sync


def test_a_failed_user_skips_its_key_and_membership(fake: FakeHelios, api: UserApi,
                                                    tmp_path: Path) -> None:
    path = write(tmp_path, "clusters: [4213516873913468]\nusers:\n"
                           "  - {username: svc-a, password_env: SVC_BACKUP_PASSWORD,\n"
                           "     api_keys: [{name: ci, secret_file: ci.key}]}\n"
                           "groups:\n  - {name: ops, members: [svc-a]}\n")
    planned = access.plan(api, path)
    fake.fail_next("create_users", status=409)
    result = access.apply(api, planned, check=False)
    assert [(r.status, r.error and r.error.split(" in ")[0]) for r in result.results] == [
        ("failed", "(409) Conflict"),
        ("skipped", "needs #1 (user LOCAL\\svc-a), which failed"),
        ("done", None),
        ("skipped", "needs #1 (user LOCAL\\svc-a), which failed")]
    assert not (tmp_path / "ci.key").exists()
    assert list(tmp_path.iterdir()) == [path]  # no temporary secret file left behind


def test_a_cluster_that_refuses_the_key_does_not_stop_the_other(
        fake: FakeHelios, api: UserApi, tmp_path: Path) -> None:
    # On cluster B the key in use is disabled: every call there answers 401.
    [admin] = [u for u in api.get_users(access_cluster_id=B) if u.username == "admin"]
    [bootstrap] = api.get_user_api_keys(admin.sid or "", access_cluster_id=B)
    api.update_user_api_key_by_id(bootstrap.id or "", admin.sid or "",
                                  CreateOrUpdateAPIKeyRequest(name="bootstrap",
                                                              is_active=False),
                                  access_cluster_id=B)
    path = write(tmp_path, EXAMPLE)
    planned = access.plan(api, path)
    first, second = planned.clusters
    assert len(first.changes) == 5 and first.error is None
    assert second.changes == [] and second.error is not None and "(401)" in second.error
    assert not planned.in_sync
    assert planned.errors == [f"cluster {B}: {second.error}"]
    assert "could not be read" in str(planned)
    with pytest.raises(ApplyError) as caught:
        access.apply(api, planned)
    applied, refused = caught.value.result.clusters
    assert applied.ok and len(applied.results) == 5
    assert refused.error is not None and "not applied" in refused.error
    assert sorted(users(api, A)) == ["admin", "jdoe", "svc-backup"]


def test_a_cluster_lost_mid_apply_has_the_rest_of_its_changes_skipped(
        fake: FakeHelios, api: UserApi, tmp_path: Path) -> None:
    path = write(tmp_path, "clusters: [4213516873913468]\nusers:\n"
                           "  - {username: svc-a, password_env: SVC_BACKUP_PASSWORD}\n"
                           "  - {username: svc-b, password_env: SVC_BACKUP_PASSWORD}\n"
                           "groups:\n  - {name: ops}\n  - {name: dev}\n")
    planned = access.plan(api, path)
    # The server goes away while it handles the first change.
    fake.delay_next("create_users", seconds=2)
    threading.Timer(0.3, fake.stop).start()
    result = access.apply(api, planned, check=False)
    statuses = [r.status for r in result.results]
    # The changes fail until one cannot even connect (a kept-alive connection may first
    # be found broken); the others are skipped then, rather than each tried in vain.
    lost = statuses.index("skipped") - 1
    assert lost >= 1 and statuses == ["failed"] * (lost + 1) + ["skipped"] * (3 - lost)
    assert "cannot connect" in (result.results[lost].error or "")
    assert {r.error for r in result.results[lost + 1:]} == {f"cluster {A} could not be reached"}


# -- stale plans -------------------------------------------------------------------------------


def test_a_saved_plan_is_refused_when_a_cluster_changed_since(
        fake: FakeHelios, api: UserApi, tmp_path: Path) -> None:
    path = write(tmp_path, EXAMPLE)
    saved = tmp_path / "plan.json"
    access.plan(api, path).save(saved)
    loaded = Plan.load(saved)
    assert loaded.saved_as == str(saved) and loaded.source == str(path)
    assert [c.to_dict() for c in loaded.changes] == [
        c.to_dict() for c in access.plan(api, path).changes]

    sid = new_user(api, B, "svc-backup", roles=["COHESITY_VIEWER"])  # out of band
    fake.requests.clear()
    with pytest.raises(StalePlanError) as caught:
        access.apply(api, loaded)
    assert caught.value.clusters == [B]
    assert str(caught.value) == (
        f"{saved}: the plan is stale: cluster {B} changed since it was made, so nothing "
        "was changed; plan again and review the new plan")
    assert writes(fake) == []  # nothing was changed anywhere, not even on A
    assert sorted(users(api, A)) == ["admin"]

    # Planned again, it applies, and the user made meanwhile is updated.
    fresh = access.plan(api, path)
    assert ("update", "user", "user LOCAL\\svc-backup") in kinds(fresh.clusters[1].changes)
    access.plan(api, path).save(saved)
    assert access.apply(api, Plan.load(saved)).ok
    assert api.get_user_by_sid(sid, access_cluster_id=B).roles == ["COHESITY_OPERATOR"]


def test_an_unrelated_login_does_not_make_a_plan_stale(api: UserApi, tmp_path: Path) -> None:
    new_user(api, A, "carol")
    path = write(tmp_path, EXAMPLE)
    planned = access.plan(api, path)
    api.create_session(CreateUserSessionRequestParams(username="carol",
                                                      password="Other-Passw0rd"),
                       access_cluster_id=A)
    assert access.apply(api, planned).ok


def test_a_saved_plan_that_is_not_one_is_refused(tmp_path: Path) -> None:
    bad = write(tmp_path, '{"format": "something-else"}', "plan.json")
    with pytest.raises(AccessFileError, match="is not a saved plan"):
        Plan.load(bad)
    tampered = write(tmp_path, '{"format": "cohesity-helios-access-plan", "version": 2, '
                               '"access": {"users": [{"username": "a", "pasword": "x"}]}, '
                               '"clusters": []}', "plan.json")
    with pytest.raises(AccessFileError, match=r"users\[0\]\.pasword: unknown key"):
        Plan.load(tampered)


# -- export ----------------------------------------------------------------------------------


def test_export_then_plan_is_in_sync(fake: FakeHelios, api: UserApi, tmp_path: Path) -> None:
    path = write(tmp_path, EXAMPLE)
    access.apply(api, access.plan(api, path))
    sid = new_user(api, A, "locked-out", roles=[], locked=True, description="on leave")
    key = api.create_user_api_key(sid, CreateOrUpdateAPIKeyRequest(name="off", is_active=False),
                                  access_cluster_id=A)
    api.create_group([CreateGroupParams(name="empty", domain="LOCAL")], access_cluster_id=A)
    admin = users(api, A)["admin"].sid or ""
    api.create_group([CreateGroupParams(name="admins", domain="LOCAL",
                                        local_group_params={"user_sids": [admin, sid]})],
                     access_cluster_id=A)

    exported = access.export(api, cluster_id=A)
    assert exported.clusters == [A]
    by_name = {u.username: u for u in exported.users}
    assert by_name["admin"].unmanaged
    assert by_name["admin"].model_fields_set == {"username", "domain", "unmanaged"}
    assert by_name["locked-out"].locked is True
    assert by_name["locked-out"].description == "on leave"
    assert [(k.name, k.active) for k in by_name["locked-out"].api_keys] == [("off", False)]
    assert by_name["jdoe"].domain == "corp.example.com" and by_name["jdoe"].email is None
    assert [(g.name, g.members) for g in exported.groups] == [
        ("backup-ops", ["svc-backup"]), ("empty", []), ("admins", ["admin", "locked-out"])]
    text = exported.to_yaml()
    assert "secret" not in text and "password" not in text
    assert key.api_key is not None and key.api_key not in text
    assert "unmanaged: true" in text

    for name, dumped in (("exported.yaml", text), ("exported.json", exported.to_json())):
        planned = access.plan(api, write(tmp_path, dumped, name))
        assert planned.in_sync, str(planned)


def test_export_of_the_configured_cluster_names_none(fake: FakeHelios,
                                                     tmp_path: Path) -> None:
    with ApiClient(fake.configuration(access_cluster_id=B)) as client:
        api = UserApi(client)
        new_user(api, B, "svc-z")
        exported = access.export(api)
        assert exported.clusters is None
        assert [u.username for u in exported.users] == ["admin", "svc-z"]
        # Without clusters, a file is planned on the configured cluster.
        assert access.plan(api, write(tmp_path, exported.to_json(), "e.json")).in_sync


# -- the plan in a notebook, and as data -------------------------------------------------------


def test_a_plan_shows_as_a_table_of_changes(api: UserApi, tmp_path: Path) -> None:
    planned = access.plan(api, write(tmp_path, EXAMPLE))
    html = planned._repr_html_()
    assert html.startswith("<table>") and html.endswith("</table>")
    assert "Plan of " in html and "8 to create, 2 to update, 0 to delete" in html
    cells = [cell for cell in html.split("<td") if cell]
    assert any(">user LOCAL\\svc-backup</td>" in cell for cell in cells)
    assert html.count(">create</td>") == 8
    data = planned.to_dict()
    assert data["summary"] == {"create": 8, "update": 2, "delete": 0, "in_sync": 2}
    assert data["clusters"][0]["changes"][0] == {
        "number": 1, "action": "create", "kind": "user", "domain": "LOCAL",
        "name": "svc-backup", "key": None, "path": "users[0]",
        "fields": [{"field": "roles", "before": None, "after": ["COHESITY_OPERATOR"]},
                   {"field": "email", "before": None, "after": "svc-backup@example.com"},
                   {"field": "password", "before": None,
                    "after": "from $SVC_BACKUP_PASSWORD"}],
        "depends_on": [], "problem": None,
        "basis": user_basis(None)}  # what apply checks again: there was no such user


def test_html_escapes_what_the_cluster_holds(api: UserApi, tmp_path: Path) -> None:
    new_user(api, A, "svc-a", description="<script>alert(1)</script>")
    planned = access.plan(api, write(tmp_path, "clusters: [4213516873913468]\nusers:\n"
                                               "  - {username: svc-a, description: plain}\n"))
    assert "<script>" not in planned._repr_html_()
    assert "&lt;script&gt;" in planned._repr_html_()


def test_the_configured_target_when_the_file_names_no_cluster(fake: FakeHelios,
                                                              tmp_path: Path) -> None:
    with ApiClient(fake.configuration(access_cluster_id=A)) as client:
        api = UserApi(client)
        planned = access.plan(api, write(tmp_path, "users: [{username: svc-a, "
                                                   "password_env: SVC_BACKUP_PASSWORD}]\n"))
        assert [c.cluster_id for c in planned.clusters] == [None]
        assert planned.clusters[0].label == "the configured target"
        access.apply(api, planned)
        assert "svc-a" in users(api, A)


def test_parallel_must_be_positive(api: UserApi, tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="parallel=0"):
        access.plan(api, write(tmp_path, EXAMPLE), parallel=0)


def test_the_environment_is_read_only_when_creating(
        api: UserApi, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = write(tmp_path, EXAMPLE)
    access.apply(api, access.plan(api, path))
    monkeypatch.delenv("SVC_BACKUP_PASSWORD")  # no longer needed: the user exists
    changed = EXAMPLE.replace("roles: [COHESITY_OPERATOR]", "roles: [COHESITY_VIEWER]")
    assert access.apply(api, access.plan(api, write(tmp_path, changed))).ok
    assert os.environ.get("SVC_BACKUP_PASSWORD") is None
