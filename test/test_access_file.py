"""The access file: what ``access.load`` accepts, and how it refuses a bad one (before
anything is read from a cluster): with the file, the path of each field at fault and the
reason, never a value of the file."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Iterator

import pytest
from conftest import modules_loaded_by

from cohesity_sdk.helios import ApiClient, OpenApiException, UserApi
from cohesity_sdk.helios.access import (
    AccessFile,
    AccessFileError,
    ApiKeySpec,
    GroupSpec,
    UserSpec,
    load,
    parse,
    plan,
)
from cohesity_sdk.helios.access.reading import parse_yaml, yaml_loader
from cohesity_sdk.helios.testing import FakeHelios

SECRET = "Hunter2-literal-Secret"


@pytest.fixture
def api(fake: FakeHelios) -> Iterator[UserApi]:
    with ApiClient(fake.configuration()) as client:
        yield UserApi(client)


def write(tmp_path: Path, text: str, name: str = "access.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def refusal(path: Path) -> AccessFileError:
    with pytest.raises(AccessFileError) as caught:
        load(path)
    return caught.value


# -- what it accepts -----------------------------------------------------------------------


def test_yaml_and_json_read_as_the_same_file(tmp_path: Path) -> None:
    yaml_path = write(tmp_path, """
clusters: [4213516873913468]
users:
  - username: svc-backup
    roles: [COHESITY_OPERATOR]
    password_env: SVC_BACKUP_PASSWORD
    api_keys:
      - name: nightly
        secret_file: keys/nightly
groups:
  - name: backup-ops
    members: [svc-backup]
prune:
  users: {domain: LOCAL, name_prefix: svc-}
""")
    from_yaml = load(yaml_path)
    json_path = write(tmp_path, from_yaml.to_json(), "access.json")
    from_json = load(json_path)
    assert from_json.to_data() == from_yaml.to_data()
    assert from_yaml.source == str(yaml_path)
    [user] = from_yaml.users
    assert (user.username, user.domain, user.roles) == ("svc-backup", "LOCAL",
                                                        ["COHESITY_OPERATOR"])
    # A relative secret_file is the file's folder's, not the current folder's.
    assert user.api_keys[0].secret_file == str(tmp_path / "keys" / "nightly")
    assert from_yaml.groups[0].members == ["svc-backup"]
    assert from_yaml.prune is not None and from_yaml.prune.users is not None
    assert from_yaml.prune.users.name_prefix == "svc-"
    # What was not written stays unmanaged (None), and is not written back.
    assert user.email is None and user.locked is None
    assert "email" not in from_yaml.to_json()


def test_a_file_without_yaml_extension_holding_json_is_json(tmp_path: Path) -> None:
    path = write(tmp_path, json.dumps({"users": [{"username": "a", "password_env": "A"}]}),
                 "access.txt")
    assert load(path).users[0].username == "a"


def test_tilde_is_the_home_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    path = write(tmp_path, "users:\n  - username: a\n    password_file: ~/pw\n"
                           "    api_keys: [{name: k, secret_file: ~/.config/helios/k}]\n")
    user = load(path).users[0]
    assert user.password_file == str(tmp_path / "home" / "pw")
    assert user.api_keys[0].secret_file == str(tmp_path / "home" / ".config" / "helios" / "k")


def test_an_access_file_built_in_python_is_typed_and_checked() -> None:
    access = AccessFile(users=[UserSpec(username="svc-a", roles=["COHESITY_VIEWER"],
                                        password_env="SVC_A_PASSWORD",
                                        api_keys=[ApiKeySpec(name="ci")])],
                        groups=[GroupSpec(name="ops", members=["svc-a"])])
    assert access.source == "<AccessFile>"
    assert parse(access.to_data()).to_data() == access.to_data()
    with pytest.raises(ValueError):  # pydantic's own check of a wrong type
        UserSpec(username="x", roles="COHESITY_ADMIN")  # type: ignore[arg-type]


# -- bad files: one kind each ---------------------------------------------------------------


BAD_FILES = {
    "unknown key": ("users:\n  - username: a\n    domian: LOCAL\n",
                    "users[0].domian: unknown key (did you mean 'domain'?)"),
    "unknown top-level key": ("user:\n  - username: a\n",
                              "user: unknown key (did you mean 'users'?)"),
    "unknown key of a key": ("users:\n  - username: a\n    api_keys:\n      - {name: k, "
                             "secret_fil: k.txt}\n",
                             "users[0].api_keys[0].secret_fil: unknown key (did you mean "
                             "'secret_file'?)"),
    "a list as a string": ("users:\n  - username: a\n    roles: COHESITY_ADMIN\n",
                           "users[0].roles: should be a list"),
    "a number as a name": ("users:\n  - username: 1234\n",
                           "users[0].username: should be a string (in YAML, put it in quotes)"),
    "a string as a flag": ('users:\n  - username: a\n    absent: "yes"\n',
                           "users[0].absent: should be true or false"),
    "a cluster id as a string": ('clusters: ["4213516873913468"]\n',
                                 "clusters[0]: should be an integer"),
    "a negative cluster id": ("clusters: [-1]\n", "clusters[0]: should be a cluster id"),
    "no clusters": ("clusters: []\n", "clusters: names no cluster"),
    "a missing name": ("groups:\n  - roles: [COHESITY_VIEWER]\n", "groups[0].name: is required"),
    "an entry as a string": ("users: [alice]\n", "users[0]: should be a mapping of keys"),
    "another version": ("version: 2\n", "version: should be 1"),
    "a duplicate user": ("users:\n  - {username: svc-a, password_env: A}\n"
                         "  - {username: SVC-A, domain: local, password_env: A}\n",
                         "users[1].username: LOCAL\\SVC-A is users[0] already"),
    "a duplicate group": ("groups:\n  - {name: ops}\n  - {name: Ops}\n",
                          "groups[1].name: LOCAL\\Ops is groups[0] already"),
    "a duplicate key": ("users:\n  - username: a\n    api_keys: [{name: k}, {name: k}]\n",
                        "users[0].api_keys[1].name: is users[0].api_keys[0] already"),
    "a duplicate cluster": ("clusters: [7, 7]\n", "clusters[1]: repeats clusters[0]"),
    "a duplicate member": ("users: [{username: a, password_env: A}]\n"
                           "groups: [{name: g, members: [a, A]}]\n",
                           "groups[0].members[1]: repeats groups[0].members[0]"),
    "a duplicate role": ("groups: [{name: g, roles: [COHESITY_ADMIN, COHESITY_ADMIN]}]\n",
                         "groups[0].roles[1]: repeats groups[0].roles[0]"),
    "a member marked absent": ("users: [{username: old, absent: true}]\n"
                               "groups: [{name: g, members: [old]}]\n",
                               "groups[0].members[0]: old is to be deleted: users[0] says "
                               "absent: true"),
    "a member the prune scope deletes": (
        "groups: [{name: g, members: [svc-x]}]\n"
        "prune: {users: {name_prefix: svc-}}\n",
        "groups[0].members[0]: svc-x is not in users, so prune.users would delete it"),
    "members of a directory group": ("groups: [{name: g, domain: corp.example.com, "
                                     "members: [a]}]\n",
                                     "groups[0].members: only LOCAL groups have members here"),
    "an e-mail of a directory user": ("users: [{username: j, domain: corp.example.com, "
                                      "email: j@example.com}]\n",
                                      "users[0].email: only LOCAL users have an e-mail here"),
    "both password sources": ("users: [{username: a, password_env: A, password_file: a.txt}]\n",
                              "users[0].password_file: give password_env or password_file, "
                              "not both"),
    "a password variable that is no name": ("users: [{username: a, password_env: 'not a "
                                            "name'}]\n",
                                            "users[0].password_env: should be the name of an "
                                            "environment variable"),
    "an absent user with roles": ("users: [{username: a, absent: true, roles: []}]\n",
                                  "users[0].roles: an absent user has no other keys"),
    "an absent and unmanaged user": ("users: [{username: a, absent: true, unmanaged: true}]\n",
                                     "users[0].unmanaged: an absent user cannot be unmanaged"),
    "an absent key with a secret file": ("users:\n  - username: a\n    api_keys: [{name: k, "
                                         "absent: true, secret_file: k}]\n",
                                         "users[0].api_keys[0].secret_file: an absent key has "
                                         "no other keys"),
    "admin managed": ("users: [{username: admin, roles: [COHESITY_VIEWER]}]\n",
                      "users[0]: admin is a built-in account: list it as unmanaged: true"),
    "a blank name": ("users: [{username: '  '}]\n", "users[0].username: must not be blank"),
    "a name with a space around it": ("groups: [{name: 'ops '}]\n",
                                      "groups[0].name: must not start or end with a space"),
    "not YAML": ("users:\n  - username: [a\n", "is not YAML: "),
    "a python tag": ("users: !!python/object/apply:os.system ['true']\n", "is not YAML: "),
    "empty": ("", "is empty"),
    "not a mapping": ("- username: a\n", ": should be a mapping of keys: version, clusters, "
                                         "custom_roles, users, groups, prune"),
    "a key given twice in YAML": ("users:\n  - username: a\n    roles: [COHESITY_ADMIN]\n"
                                  "    roles: []\n",
                                  ": line 4: the key 'roles' is given twice in one mapping "
                                  "(first at line 3); YAML would keep the last one only"),
    "a key given twice in a flow mapping": ("users: [{username: a, username: b}]\n",
                                            ": line 1: the key 'username' is given twice"),
    "a top-level key given twice": ("groups: []\nusers: []\ngroups: []\n",
                                    ": line 3: the key 'groups' is given twice in one "
                                    "mapping (first at line 1)"),
    "a role that is no role": ("users: [{username: a, roles: [COHESITY_VEIWER]}]\n",
                               "users[0].roles[0]: COHESITY_VEIWER is no built-in role, nor "
                               "one of custom_roles (did you mean 'COHESITY_VIEWER'?)"),
    "a group role that is no role": ("groups: [{name: g, roles: [auditor]}]\n",
                                     "groups[0].roles[0]: auditor is no built-in role"),
    "a custom role that is built in": ("custom_roles: [COHESITY_ADMIN]\n",
                                       "custom_roles[0]: COHESITY_ADMIN is built in: leave it "
                                       "out of custom_roles"),
    "a custom role twice": ("custom_roles: [X, X]\n", "custom_roles[1]: repeats custom_roles[0]"),
    "clusters of an entry, none of the file": ("users: [{username: a, clusters: [7], "
                                               "password_env: A}]\n",
                                               "users[0].clusters: the file names no clusters, "
                                               "so an entry cannot"),
    "an entry on a cluster the file does not list": (
        "clusters: [7]\nusers: [{username: a, clusters: [8], password_env: A}]\n",
        "users[0].clusters[0]: 8 is not one of the file's clusters"),
    "an entry on no cluster": ("clusters: [7]\ngroups: [{name: g, clusters: []}]\n",
                               "groups[0].clusters: names no cluster: leave it out"),
    "a key on a cluster its user is not on": (
        "clusters: [7, 8]\nusers:\n  - username: a\n    clusters: [7]\n"
        "    api_keys: [{name: k, clusters: [8]}]\n",
        "users[0].api_keys[0].clusters[0]: 8 is not one of its user's clusters"),
    "a user twice on one cluster": (
        "clusters: [7, 8]\nusers:\n  - {username: a, password_env: A}\n"
        "  - {username: a, clusters: [8], password_env: A}\n",
        "users[1].username: LOCAL\\a is users[0] already on cluster 8"),
    "a key twice on one cluster": (
        "clusters: [7, 8]\nusers:\n  - username: a\n"
        "    api_keys: [{name: k, clusters: [7]}, {name: k}]\n",
        "users[0].api_keys[1].name: is users[0].api_keys[0] already on cluster 7"),
    "a member deleted on one of its clusters": (
        "clusters: [7, 8]\nusers:\n  - {username: a, clusters: [7], password_env: A}\n"
        "  - {username: a, clusters: [8], absent: true}\n"
        "groups: [{name: g, members: [a]}]\n",
        "groups[0].members[0]: a is to be deleted on cluster 8: users[1] says absent: true"),
    "a member the prune scope deletes on one cluster": (
        "clusters: [7, 8]\nusers: [{username: svc-a, clusters: [7], password_env: A}]\n"
        "groups: [{name: g, members: [svc-a]}]\nprune: {users: {name_prefix: svc-}}\n",
        "groups[0].members[0]: svc-a is not in users on cluster 8, so prune.users would "
        "delete it"),
}


@pytest.mark.parametrize("text, message", BAD_FILES.values(), ids=list(BAD_FILES))
def test_a_bad_file_is_refused_with_the_path_and_the_reason(
        tmp_path: Path, text: str, message: str) -> None:
    path = write(tmp_path, text)
    error = refusal(path)
    assert isinstance(error, OpenApiException) and isinstance(error, ValueError)
    assert any(line.startswith(f"{path}: ") for line in error.lines())
    assert message in str(error), str(error)


def test_every_problem_is_reported_at_once(tmp_path: Path) -> None:
    path = write(tmp_path, "users:\n  - {username: a, domian: LOCAL, roles: X}\n"
                           "  - {username: b, locked: maybe}\n")
    lines = refusal(path).lines()
    assert [line.split(": ")[1] for line in lines] == [
        "users[0].roles", "users[0].domian", "users[1].locked"]


@pytest.mark.parametrize("text, key", [
    (f"users:\n  - username: a\n    password: {SECRET}\n", "users[0].password"),
    (f"users:\n  - username: a\n    Password: {SECRET}\n", "users[0].Password"),
    (f"users:\n  - username: a\n    api_keys: [{{name: k, secret: {SECRET}}}]\n",
     "users[0].api_keys[0].secret"),
    (f"users:\n  - username: a\n    api_keys: [{{name: k, api_key: {SECRET}}}]\n",
     "users[0].api_keys[0].api_key"),
])
def test_a_literal_secret_is_refused_with_the_safer_spelling(
        tmp_path: Path, text: str, key: str) -> None:
    error = refusal(write(tmp_path, text))
    assert f"{key}: " in str(error)
    assert ("password_env" in str(error) and "password_file" in str(error)) or \
        "secret_file" in str(error)
    assert SECRET not in str(error) and SECRET not in repr(error)


def test_a_value_is_never_quoted(tmp_path: Path) -> None:
    # A secret in the wrong place, of the wrong type, or in a broken file.
    for text in (f"users:\n  - username: a\n    password_env: [{SECRET}]\n",
                 f"users:\n  - username: a\n    email: {{x: {SECRET}}}\n",
                 f"users:\n  - username: a\n    password_env: '{SECRET} !'\n",
                 f"users:\n  - username: [{SECRET}\n"):
        error = refusal(write(tmp_path, text))
        assert SECRET not in str(error), text
    broken = write(tmp_path, f'{{"users": [{{"password": "{SECRET}",}}]}}', "a.json")
    assert SECRET not in str(refusal(broken))


def test_one_name_on_clusters_apart_is_two_entries(tmp_path: Path) -> None:
    path = write(tmp_path, "clusters: [7, 8]\ncustom_roles: [AUDITOR]\nusers:\n"
                           "  - {username: a, clusters: [7], roles: [AUDITOR], password_env: A}\n"
                           "  - {username: a, clusters: [8], roles: [COHESITY_SUPER_ADMIN],"
                           " password_env: A}\n"
                           "groups: [{name: g, members: [a]}]\n")
    access = load(path)
    assert [u.clusters for u in access.users] == [[7], [8]]


YAML_READ_AS_PYYAML_READS = [
    "a: 1\nb: {x: yes, y: ~, z: 1.5, d: 2020-01-01, o: 0o17, h: 0x1f, s: '007'}\n",
    "x: &x {a: 1, b: [1, 2]}\ny:\n  <<: *x\n  a: 2\nz: *x\n",
    "m:\n  <<: [{a: 1}, {b: 2}]\n  c: 3\n",
    "s: !!set {p, q}\no: !!omap [{a: 1}, {b: 2}]\nbin: !!binary aGVsbG8=\n",
    "? complex\n: value\n'quoted key': \"double\"\n1: int key\nnull: ~\n",
    "folded: >\n  one\n  two\nliteral: |\n  three\n",
    "- a\n- [b, c]\n- {d: e}\n",
    "",
    "just text\n",
]


@pytest.mark.parametrize("text", YAML_READ_AS_PYYAML_READS)
def test_yaml_reads_as_pyyamls_safe_load_reads_it(text: str) -> None:
    yaml = pytest.importorskip("yaml")
    assert parse_yaml(text, "f.yaml") == yaml.safe_load(text)


def test_yaml_is_read_with_the_c_loader_when_pyyaml_has_it() -> None:
    yaml = pytest.importorskip("yaml")
    if not yaml.__with_libyaml__:
        pytest.skip("this PyYAML was built without libyaml")
    assert yaml_loader(yaml) is yaml.CSafeLoader
    assert issubclass(yaml.CSafeLoader, yaml.constructor.SafeConstructor)  # never Python's


def test_json_with_a_key_given_twice_is_refused(tmp_path: Path) -> None:
    path = write(tmp_path, '{"users": [{"username": "a", "username": "b"}]}', "a.json")
    assert "the key 'username' is given twice" in str(refusal(path))


def test_a_file_that_cannot_be_read(tmp_path: Path) -> None:
    assert "cannot be read" in str(refusal(tmp_path / "missing.yaml"))
    binary = tmp_path / "binary.yaml"
    binary.write_bytes(b"\xff\xfe\x00")
    assert "is not UTF-8 text" in str(refusal(binary))


def test_a_bad_file_is_refused_before_anything_is_read(
        fake: FakeHelios, api: UserApi, tmp_path: Path) -> None:
    path = write(tmp_path, "clusters: [4213516873913468]\nusers:\n  - username: a\n"
                           "    rolls: [COHESITY_ADMIN]\n")
    with pytest.raises(AccessFileError, match="did you mean 'roles'"):
        plan(api, path)
    # Built in Python, the same checks run in plan() before any call.
    twice = AccessFile(users=[UserSpec(username="a", password_env="A"),
                              UserSpec(username="A", password_env="A")])
    with pytest.raises(AccessFileError, match=r"<AccessFile>: users\[1\]\.username"):
        plan(api, twice)
    assert list(fake.requests) == []


def test_a_member_neither_in_the_file_nor_on_the_cluster(fake: FakeHelios, api: UserApi,
                                                        tmp_path: Path) -> None:
    path = write(tmp_path, "clusters: [4213516873913468, 5523896512376540]\n"
                           "groups: [{name: ops, members: [carol]}]\n")
    from cohesity_sdk.helios import CreateUserParameters, LocalUserParams

    api.create_users([CreateUserParameters(username="carol", domain="LOCAL",
                                           local_user_params=LocalUserParams(password="x-Pw-1"))],
                     access_cluster_id=4213516873913468)
    fake.requests.clear()
    with pytest.raises(AccessFileError) as caught:
        plan(api, path)
    assert caught.value.problems == [
        ("groups[0].members[0]", "carol is no LOCAL user of the file, nor of cluster "
                                 "5523896512376540")]
    assert {r.method for r in fake.requests} == {"GET"}  # reads only, nothing changed


# -- PyYAML is optional ----------------------------------------------------------------------


def run_without_yaml(code: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    """``code`` in a Python where ``import yaml`` fails, as where PyYAML is not installed."""
    probe = "import sys\nsys.modules['yaml'] = None\n" + code
    return subprocess.run([sys.executable, "-c", probe], cwd=cwd, capture_output=True,
                          text=True, timeout=60, check=False)


def test_without_pyyaml_json_works_and_yaml_names_the_extra(tmp_path: Path) -> None:
    write(tmp_path, '{"users": [{"username": "a", "password_env": "A"}]}', "access.json")
    write(tmp_path, "users:\n  - username: a\n")
    done = run_without_yaml(
        "from cohesity_sdk.helios import access\n"
        "print(access.load('access.json').users[0].username)\n"
        "try:\n    access.load('access.yaml')\n"
        "except ImportError as e:\n    print(type(e).__name__, e)\n", tmp_path)
    assert done.returncode == 0, done.stderr
    first, second = done.stdout.splitlines()
    assert first == "a"
    assert second.startswith("YamlMissingError access.yaml: reading YAML needs PyYAML")
    assert "pip install 'cohesity-helios[yaml]'" in second


def test_yaml_is_imported_only_to_read_yaml(tmp_path: Path) -> None:
    write(tmp_path, '{"users": [{"username": "a", "password_env": "A"}]}', "access.json")
    code = "from cohesity_sdk.helios import access\naccess.load('access.json')"
    assert modules_loaded_by(code, "yaml", cwd=tmp_path) == []


def test_importing_the_sdk_loads_nothing_of_access() -> None:
    assert modules_loaded_by("import cohesity_sdk.helios as h; h.UserApi",
                             "cohesity_sdk.helios.access", "yaml") == []
    # The package itself is cheap: its names load on first use.
    assert modules_loaded_by("import cohesity_sdk.helios.access", "pydantic", "yaml",
                             "cohesity_sdk.helios.access.") == []


def test_the_command_lines_help_loads_only_the_access_commands_parser() -> None:
    code = ("from cohesity_sdk.helios.cli import main\n"
            "for argv in (['--help'], ['plan', '--help'], ['apply', '--help']):\n"
            "    try:\n        main(argv)\n    except SystemExit:\n        pass")
    env = {k: v for k, v in os.environ.items() if not k.startswith("HELIOS_")}
    loaded = modules_loaded_by(code, "cohesity_sdk.helios.access", "pydantic", "yaml",
                               "urllib3", env=env)
    assert loaded == []  # the access commands' parser is the command line's own
