"""Reading an access file: YAML (``yaml.safe_load``) or JSON, refused whole when bad.

``load(path)`` and ``parse(data)`` give an ``AccessFile`` or raise ``AccessFileError``
with every problem found, each with the path of its field (``users[0].roles``) and the
reason; nothing is read from a cluster before the file is accepted. ``check`` is the
part that needs the whole file (names given twice, members, keys that do not fit
together); ``plan`` runs it on an ``AccessFile`` built in Python too.

The text itself, YAML or JSON, is read as plain data by ``file_text``.
"""

from __future__ import annotations

import os
import re
import shlex
from typing import (
    Any,
    Dict,
    FrozenSet,
    Iterable,
    List,
    Optional,
    Sequence,
    Tuple,
    Type,
    Union,
)

from pydantic import BaseModel, ValidationError

from cohesity_sdk.helios.access.errors import AccessFileError
from cohesity_sdk.helios.access.file_text import (
    dump_yaml as dump_yaml,
    parse_json as parse_json,
    parse_yaml as parse_yaml,
    yaml_loader as yaml_loader,
    yaml_module as yaml_module,
)
from cohesity_sdk.helios.access.schema import (
    CHILDREN,
    LOCAL,
    AccessFile,
    ApiKeySpec,
    GroupSpec,
    UserSpec,
)
from cohesity_sdk.helios.exceptions import did_you_mean, render_path
from cohesity_sdk.helios.roles import BUILT_IN_ROLES

PathLike = Union[str, "os.PathLike[str]"]
Problem = Tuple[str, str]

#: LOCAL accounts every cluster has: listed only as ``unmanaged: true``, never pruned.
BUILT_IN_USERS = frozenset({"admin"})
#: The keys that identify an entry; an absent or unmanaged one has no others.
_IDENTITY = {"username", "domain", "name", "absent", "unmanaged"}
_ENV_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")

_PASSWORD_HINT = ("a password is never written in the access file: give password_env: NAME "
                  "(an environment variable that holds it) or password_file: PATH (a file "
                  "that holds it)")
_SECRET_HINT = ("a secret is never written in the access file: give secret_file: PATH, where "
                "the secret of a new key is written")
_REASONS = {
    "string_type": "should be a string (in YAML, put it in quotes)",
    "bool_type": "should be true or false",
    "int_type": "should be an integer",
    "list_type": "should be a list",
    "model_type": "should be a mapping of keys",
    "model_attributes_type": "should be a mapping of keys",
    "dict_type": "should be a mapping of keys",
    "literal_error": "should be 1, the only version so far",
    "greater_than_equal": "should be a cluster id: an integer from 1 to 2**63-1",
    "less_than_equal": "should be a cluster id: an integer from 1 to 2**63-1",
    "missing": "is required",
}


# -- reading -------------------------------------------------------------------------


def load(path: PathLike) -> AccessFile:
    """The access file at ``path``: JSON when it ends in ``.json`` or its text starts
    with ``{``, otherwise YAML. Relative ``secret_file`` and ``password_file`` paths are
    taken from the file's folder, and ``~`` is the home folder."""
    source = os.fspath(path)
    try:
        with open(source, encoding="utf-8") as file:
            text = file.read()
    except UnicodeDecodeError:
        raise AccessFileError(source, [("", "is not UTF-8 text")]) from None
    except OSError as exc:
        raise AccessFileError(source, [("", f"cannot be read: {exc.strerror or exc}")]) from None
    is_json = source.endswith(".json") or text.lstrip().startswith("{")
    access = parse(parse_json(text, source) if is_json else parse_yaml(text, source), source)
    resolve_paths(access, os.path.dirname(os.path.abspath(source)))
    return access


def parse(data: Any, source: str = "<data>") -> AccessFile:
    """``data`` (the file's parsed YAML or JSON) as an ``AccessFile``, checked whole."""
    if data is None:
        raise AccessFileError(source, [("", "is empty")])
    try:
        access = AccessFile.model_validate(data)
    except ValidationError as exc:
        raise AccessFileError(source, validation_problems(exc)) from None
    access._source = source
    check(access)
    return access


def validation_problems(exc: ValidationError) -> List[Problem]:
    """pydantic's errors as (path, reason), an unknown key with a suggestion and a
    secret with its safer spelling; never the value."""
    problems = []
    for error in exc.errors(include_input=False, include_url=False):
        loc = tuple(error["loc"])
        if error["type"] == "extra_forbidden":
            reason = _unknown_key(loc)
        elif not loc and error["type"] in ("model_type", "model_attributes_type"):
            reason = ("should be a mapping of keys: "
                      + ", ".join(AccessFile.model_fields))
        else:
            reason = _REASONS.get(error["type"], error["msg"])
        problems.append((render_path(loc), reason))
    return problems


def _unknown_key(loc: Tuple[Union[str, int], ...]) -> str:
    key = str(loc[-1])
    letters = re.sub(r"[^a-z]", "", key.lower())
    if letters.endswith(("password", "passwd")):
        return _PASSWORD_HINT
    if letters.endswith(("secret", "apikey", "token")):
        return _SECRET_HINT
    model = _model_at(loc[:-1])
    names = list(model.model_fields) if model is not None else []
    return f"unknown key{did_you_mean(key, names)}"


def _model_at(loc: Sequence[Union[str, int]]) -> Optional[Type[BaseModel]]:
    model: Optional[Type[BaseModel]] = AccessFile
    for part in loc:
        if isinstance(part, int):
            continue
        model = CHILDREN.get(model, {}).get(part) if model is not None else None
    return model


def resolve_paths(access: AccessFile, base: str) -> None:
    """Make the file's ``secret_file`` and ``password_file`` paths absolute, relative
    ones against ``base``."""
    for user in access.users:
        if user.password_file is not None:
            user.password_file = absolute(user.password_file, base)
        for key in user.api_keys:
            if key.secret_file is not None:
                key.secret_file = absolute(key.secret_file, base)


def absolute(path: str, base: Optional[str] = None) -> str:
    """``path`` with ``~`` expanded, relative to ``base`` (default: the current folder)."""
    return os.path.normpath(os.path.join(base or os.getcwd(), os.path.expanduser(path)))


# -- the checks that need the whole file ------------------------------------------------


# -- passwords ---------------------------------------------------------------------------


def password_problem(user: UserSpec, path: str) -> Optional[Problem]:
    """Why the password of the new LOCAL user ``user`` (at ``path``) cannot be read, or
    None: the check ``plan`` makes, so that ``apply`` finds it there."""
    try:
        read_password(user, path, "")
    except AccessFileError as exc:
        return exc.problems[0]
    return None


def read_password(user: UserSpec, path: str, source: str) -> str:
    """The password of a new LOCAL user, from its variable or its file: set and not
    empty, and a file only its owner may read (as a profile holding a secret)."""
    if user.password_env is not None:
        value = os.environ.get(user.password_env)
        if not value:
            raise AccessFileError(source, [(f"{path}.password_env",
                                            f"{user.password_env} is not set, or is empty")])
        return value
    if user.password_file is not None:
        try:
            with open(user.password_file, encoding="utf-8") as file:
                mode = os.fstat(file.fileno()).st_mode
                value = file.read().rstrip("\r\n")
        except (OSError, UnicodeDecodeError) as exc:
            reason = getattr(exc, "strerror", None) or "it is not UTF-8 text"
            raise AccessFileError(source, [(f"{path}.password_file",
                                            f"{user.password_file} cannot be read: {reason}")]
                                  ) from None
        if os.name != "nt" and mode & 0o077:
            raise AccessFileError(source, [(f"{path}.password_file", (
                f"{user.password_file} holds a password, but users other than its owner may "
                f"read or change it (mode {mode & 0o777:o}); run chmod 600 "
                f"{shlex.quote(user.password_file)}"))])
        if not value:
            raise AccessFileError(source, [(f"{path}.password_file",
                                            f"{user.password_file} is empty")])
        return value
    raise AccessFileError(source, [(path, "a new LOCAL user needs password_env or "
                                          "password_file")])


def domain_key(domain: str) -> str:
    """``LOCAL`` in any case is the local domain; other domains compare ignoring case."""
    return LOCAL if domain.upper() == LOCAL else domain.lower()


def is_local(domain: str) -> bool:
    return domain.upper() == LOCAL


def shown_domain(domain: str) -> str:
    """The domain as plans and the cluster spell it: ``LOCAL`` in capitals."""
    return LOCAL if is_local(domain) else domain


def check(access: AccessFile) -> None:
    """Raise ``AccessFileError`` with every problem of ``access`` that needs no cluster."""
    problems = problems_of(access)
    if problems:
        raise AccessFileError(access.source, problems)


def problems_of(access: AccessFile) -> List[Problem]:
    problems: List[Problem] = []
    if access.clusters is not None:
        if not access.clusters:
            problems.append(("clusters", "names no cluster: leave it out for the configured "
                                         "target"))
        problems += _twice(access.clusters, "clusters")
    roles = _known_roles(access, problems)
    users: Dict[Key, List[Tuple[int, Clusters]]] = {}
    for i, user in enumerate(access.users):
        where = f"users[{i}]"
        problems += _user_problems(user, where, access, roles)
        problems += _given_twice(users, (domain_key(user.domain), user.username.lower()),
                                 i, clusters_of(access, user), where, "username",
                                 f"{shown_domain(user.domain)}\\{user.username}", "users")
    groups: Dict[Key, List[Tuple[int, Clusters]]] = {}
    members = _local_users(access)
    for i, group in enumerate(access.groups):
        where = f"groups[{i}]"
        problems += _group_problems(group, where, access, roles, members)
        problems += _given_twice(groups, (domain_key(group.domain), group.name.lower()),
                                 i, clusters_of(access, group), where, "name",
                                 f"{shown_domain(group.domain)}\\{group.name}", "groups")
    if access.prune is not None:
        for kind in ("users", "groups"):
            scope = getattr(access.prune, kind)
            if scope is not None:
                problems += _name_problems(scope.domain, f"prune.{kind}.domain")
    return problems


Key = Tuple[str, str]
#: The clusters an entry is on; ``{None}`` when the file names none (the configured one).
Clusters = FrozenSet[Optional[int]]


def clusters_of(access: AccessFile, entry: Union[UserSpec, GroupSpec],
                key: Optional[ApiKeySpec] = None) -> Clusters:
    """The clusters ``entry`` (or its API key ``key``) is on: its own ``clusters``, else
    its user's, else the file's."""
    for given in (key.clusters if key is not None else None, entry.clusters, access.clusters):
        if given:
            return frozenset(given)
    return frozenset([None])


def _given_twice(seen: Dict[Key, List[Tuple[int, Clusters]]], key: Key, index: int,
                 clusters: Clusters, where: str, field: str, name: str,
                 listed: str) -> List[Problem]:
    """A name given twice on one cluster: two entries of one name are allowed only on
    clusters apart."""
    earlier = seen.setdefault(key, [])
    problems = []
    for other, on in earlier:
        shared = clusters & on
        if shared:
            where_too = "" if shared == {None} else " on " + _cluster_names(shared)
            problems.append((f"{where}.{field}", f"{name} is {listed}[{other}] "
                                                 f"already{where_too}".lstrip()))
            break
    earlier.append((index, clusters))
    return problems


def _cluster_names(clusters: Iterable[Optional[int]]) -> str:
    named = sorted(c for c in clusters if c is not None)
    return ("cluster " if len(named) == 1 else "clusters ") + ", ".join(map(str, named))


def _entry_clusters_problems(given: Optional[List[int]], where: str, access: AccessFile,
                             within: Optional[Clusters], of: str) -> List[Problem]:
    """The ``clusters`` of an entry: each among ``within`` (the file's, or its user's)."""
    if given is None:
        return []
    if access.clusters is None:
        return [(f"{where}.clusters", "the file names no clusters, so an entry cannot: "
                                      "give the file's clusters at the top")]
    if not given:
        return [(f"{where}.clusters", f"names no cluster: leave it out for all of {of}")]
    problems = _twice(given, f"{where}.clusters")
    for k, cluster in enumerate(given):
        if within is not None and cluster not in within:
            problems.append((f"{where}.clusters[{k}]", f"{cluster} is not one of {of}"))
    return problems


def _known_roles(access: AccessFile, problems: List[Problem]) -> FrozenSet[str]:
    """The roles users and groups may be given: the built-in ones and ``custom_roles``."""
    custom = access.custom_roles or []
    for k, role in enumerate(custom):
        problems += _name_problems(role, f"custom_roles[{k}]")
        if role in BUILT_IN_ROLES:
            problems.append((f"custom_roles[{k}]", f"{role} is built in: leave it out of "
                                                   "custom_roles"))
    problems += _twice(custom, "custom_roles")
    return frozenset(BUILT_IN_ROLES) | frozenset(custom)


def _user_problems(user: UserSpec, where: str, access: AccessFile,
                   roles: FrozenSet[str]) -> List[Problem]:
    problems = _name_problems(user.username, f"{where}.username")
    problems += _name_problems(user.domain, f"{where}.domain")
    problems += _state_problems(user, where, "user")
    problems += _entry_clusters_problems(user.clusters, where, access,
                                         _file_clusters(access), "the file's clusters")
    local = is_local(user.domain)
    if local and user.username.lower() in BUILT_IN_USERS and not user.unmanaged:
        problems.append((where, f"{user.username} is a built-in account: list it as "
                                "unmanaged: true, or leave it out"))
    if not local:
        for field in ("email", "password_env", "password_file"):
            if getattr(user, field) is not None:
                what = "an e-mail" if field == "email" else "a password"
                problems.append((f"{where}.{field}", f"only LOCAL users have {what} here: a "
                                                     f"{user.domain} user's is its directory's"))
    if user.password_env is not None and user.password_file is not None:
        problems.append((f"{where}.password_file", "give password_env or password_file, "
                                                   "not both"))
    if user.password_env is not None and not _ENV_NAME.match(user.password_env):
        problems.append((f"{where}.password_env", "should be the name of an environment "
                                                  "variable, such as SVC_BACKUP_PASSWORD"))
    problems += _roles_problems(user.roles, f"{where}.roles", roles)
    names: Dict[Key, List[Tuple[int, Clusters]]] = {}
    owner = clusters_of(access, user)
    for k, key in enumerate(user.api_keys):
        at = f"{where}.api_keys[{k}]"
        problems += _key_problems(key, at)
        problems += _entry_clusters_problems(
            key.clusters, at, access, None if owner == {None} else owner,
            "its user's clusters")
        problems += _given_twice(names, ("", key.name), k, clusters_of(access, user, key),
                                 at, "name", "", f"{where}.api_keys")
    return problems


def _file_clusters(access: AccessFile) -> Optional[Clusters]:
    return frozenset(access.clusters) if access.clusters else None


def _key_problems(key: ApiKeySpec, where: str) -> List[Problem]:
    problems = _name_problems(key.name, f"{where}.name")
    if key.absent:
        problems += [(f"{where}.{field}", "an absent key has no other keys")
                     for field in sorted(key.model_fields_set - {"name", "absent", "clusters"})]
    return problems


#: The file's LOCAL users by lower-case username: (index, entry, clusters) of each.
Members = Dict[str, List[Tuple[int, UserSpec, Clusters]]]


def _local_users(access: AccessFile) -> Members:
    named: Members = {}
    for i, user in enumerate(access.users):
        if is_local(user.domain):
            named.setdefault(user.username.lower(), []).append(
                (i, user, clusters_of(access, user)))
    return named


def _group_problems(group: GroupSpec, where: str, access: AccessFile,
                    roles: FrozenSet[str], named: Members) -> List[Problem]:
    problems = _name_problems(group.name, f"{where}.name")
    problems += _name_problems(group.domain, f"{where}.domain")
    problems += _state_problems(group, where, "group")
    problems += _entry_clusters_problems(group.clusters, where, access,
                                         _file_clusters(access), "the file's clusters")
    problems += _roles_problems(group.roles, f"{where}.roles", roles)
    if group.members is None:
        return problems
    if not is_local(group.domain):
        problems.append((f"{where}.members", f"only LOCAL groups have members here: a "
                                             f"{group.domain} group's are its directory's"))
        return problems
    problems += _twice([m.lower() for m in group.members], f"{where}.members")
    scope = access.prune.users if access.prune is not None else None
    on = clusters_of(access, group)
    for k, member in enumerate(group.members):
        at = f"{where}.members[{k}]"
        problems += _name_problems(member, at)
        entries = [(i, u, c & on) for i, u, c in named.get(member.lower(), []) if c & on]
        absent = next(((i, c) for i, u, c in entries if u.absent), None)
        covered = frozenset().union(*(c for _, _, c in entries))
        if absent is not None:
            also = "" if absent[1] == on else " on " + _cluster_names(absent[1])
            problems.append((at, f"{member} is to be deleted{also}: users[{absent[0]}] says "
                                 "absent: true"))
        elif covered != on and scope is not None and in_scope(scope, LOCAL, member):
            also = "" if not covered else " on " + _cluster_names(on - covered)
            problems.append((at, f"{member} is not in users{also}, so prune.users would "
                                 "delete it: name it in users, or narrow the scope"))
    return problems


def _state_problems(entry: Union[UserSpec, GroupSpec], where: str,
                    noun: str) -> List[Problem]:
    if entry.absent and entry.unmanaged:
        return [(f"{where}.unmanaged", f"an absent {noun} cannot be unmanaged too")]
    state = "absent" if entry.absent else "unmanaged" if entry.unmanaged else None
    if state is None:
        return []
    return [(f"{where}.{field}", f"an {state} {noun} has no other keys")
            for field in sorted(entry.model_fields_set - _IDENTITY)]


def _roles_problems(roles: Optional[List[str]], where: str,
                    known: FrozenSet[str]) -> List[Problem]:
    if roles is None:
        return []
    problems: List[Problem] = []
    for k, role in enumerate(roles):
        blank = _name_problems(role, f"{where}[{k}]")
        problems += blank
        if not blank and role not in known:
            problems.append((f"{where}[{k}]", f"{role} is no built-in role, nor one of "
                                              f"custom_roles{did_you_mean(role, known)}"))
    return problems + _twice(roles, where)


def _name_problems(name: str, where: str) -> List[Problem]:
    if not name.strip():
        return [(where, "must not be blank")]
    if name != name.strip():
        return [(where, "must not start or end with a space")]
    return []


def _twice(values: Sequence[Any], where: str) -> List[Problem]:
    seen: Dict[Any, int] = {}
    problems = []
    for k, value in enumerate(values):
        if value in seen:
            problems.append((f"{where}[{k}]", f"repeats {where}[{seen[value]}]"))
        seen.setdefault(value, k)
    return problems


def in_scope(scope: Any, domain: str, name: str) -> bool:
    """Whether a prune scope covers the object ``domain\\name``."""
    return (domain_key(domain) == domain_key(scope.domain)
            and name.lower().startswith(scope.name_prefix.lower()))
