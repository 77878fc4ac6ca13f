"""Reading an access file: YAML (``yaml.safe_load``) or JSON, refused whole when bad.

``load(path)`` and ``parse(data)`` give an ``AccessFile`` or raise ``AccessFileError``
with every problem found, each with the path of its field (``users[0].roles``) and the
reason; nothing is read from a cluster before the file is accepted. ``check`` is the
part that needs the whole file (names given twice, members, keys that do not fit
together); ``plan`` runs it on an ``AccessFile`` built in Python too.

PyYAML is an optional dependency (the ``yaml`` extra): it is imported only when a YAML
file is read or written. JSON needs nothing.
"""

from __future__ import annotations

import importlib
import json
import os
import re
from typing import Any, Dict, List, Optional, Sequence, Tuple, Type, Union

from pydantic import BaseModel, ValidationError

from cohesity_sdk.helios.access.errors import AccessFileError, YamlMissingError
from cohesity_sdk.helios.access.schema import (
    CHILDREN,
    LOCAL,
    AccessFile,
    ApiKeySpec,
    GroupSpec,
    UserSpec,
)
from cohesity_sdk.helios.exceptions import did_you_mean, render_path

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


def parse_json(text: str, source: str) -> Any:
    """JSON ``text``; a key given twice in an object is refused."""
    try:
        return json.loads(text, object_pairs_hook=_unique_keys)
    except json.JSONDecodeError as exc:
        # The position, never the text: it may hold a secret.
        raise AccessFileError(source, [("", f"is not JSON: {exc.msg} at line {exc.lineno}, "
                                            f"column {exc.colno}")]) from None
    except _DuplicateKey as exc:
        raise AccessFileError(source, [("", str(exc))]) from None


def parse_yaml(text: str, source: str) -> Any:
    """YAML ``text``, through ``yaml.safe_load``: plain data, never Python objects."""
    yaml = yaml_module(source)
    try:
        return yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        problem = getattr(exc, "problem", None) or "cannot be read"
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        raise AccessFileError(source, [("", f"is not YAML: {problem}{where}")]) from None


def yaml_module(source: str) -> Any:
    """PyYAML, or ``YamlMissingError`` naming the extra that brings it."""
    try:
        return importlib.import_module("yaml")
    except ImportError:
        raise YamlMissingError(source) from None


def dump_yaml(data: Any) -> str:
    """``data`` as YAML: mappings as blocks, lists of plain values on one line."""
    yaml = yaml_module("YAML output")

    class Dumper(yaml.SafeDumper):  # type: ignore[name-defined,misc]
        pass

    def sequence(dumper: Any, items: List[Any]) -> Any:
        flat = all(not isinstance(item, (dict, list)) for item in items)
        return dumper.represent_sequence("tag:yaml.org,2002:seq", items, flow_style=flat)

    Dumper.add_representer(list, sequence)
    text: str = yaml.dump(data, Dumper=Dumper, sort_keys=False, allow_unicode=True,
                          default_flow_style=False, width=88)
    return text


class _DuplicateKey(ValueError):
    pass


def _unique_keys(pairs: List[Tuple[str, Any]]) -> Dict[str, Any]:
    out: Dict[str, Any] = {}
    for key, value in pairs:
        if key in out:
            raise _DuplicateKey(f"the key {key!r} is given twice in one object")
        out[key] = value
    return out


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
            reason = "should be a mapping of keys: version, clusters, users, groups, prune"
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
    users: Dict[Tuple[str, str], int] = {}
    for i, user in enumerate(access.users):
        where = f"users[{i}]"
        problems += _user_problems(user, where)
        key = (domain_key(user.domain), user.username.lower())
        if key in users:
            problems.append((f"{where}.username", f"{shown_domain(user.domain)}\\"
                                                  f"{user.username} is users[{users[key]}] "
                                                  "already"))
        users.setdefault(key, i)
    groups: Dict[Tuple[str, str], int] = {}
    for i, group in enumerate(access.groups):
        where = f"groups[{i}]"
        problems += _group_problems(group, where, access)
        key = (domain_key(group.domain), group.name.lower())
        if key in groups:
            problems.append((f"{where}.name", f"{shown_domain(group.domain)}\\{group.name} "
                                              f"is groups[{groups[key]}] already"))
        groups.setdefault(key, i)
    if access.prune is not None:
        for kind in ("users", "groups"):
            scope = getattr(access.prune, kind)
            if scope is not None:
                problems += _name_problems(scope.domain, f"prune.{kind}.domain")
    return problems


def _user_problems(user: UserSpec, where: str) -> List[Problem]:
    problems = _name_problems(user.username, f"{where}.username")
    problems += _name_problems(user.domain, f"{where}.domain")
    problems += _state_problems(user, where, "user")
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
    problems += _roles_problems(user.roles, f"{where}.roles")
    names: Dict[str, int] = {}
    for k, key in enumerate(user.api_keys):
        at = f"{where}.api_keys[{k}]"
        problems += _key_problems(key, at)
        if key.name in names:
            problems.append((f"{at}.name", f"is {where}.api_keys[{names[key.name]}] already"))
        names.setdefault(key.name, k)
    return problems


def _key_problems(key: ApiKeySpec, where: str) -> List[Problem]:
    problems = _name_problems(key.name, f"{where}.name")
    if key.absent:
        problems += [(f"{where}.{field}", "an absent key has no other keys")
                     for field in sorted(key.model_fields_set - {"name", "absent"})]
    return problems


def _group_problems(group: GroupSpec, where: str, access: AccessFile) -> List[Problem]:
    problems = _name_problems(group.name, f"{where}.name")
    problems += _name_problems(group.domain, f"{where}.domain")
    problems += _state_problems(group, where, "group")
    problems += _roles_problems(group.roles, f"{where}.roles")
    if group.members is None:
        return problems
    if not is_local(group.domain):
        problems.append((f"{where}.members", f"only LOCAL groups have members here: a "
                                             f"{group.domain} group's are its directory's"))
        return problems
    problems += _twice([m.lower() for m in group.members], f"{where}.members")
    named = {u.username.lower(): (i, u) for i, u in enumerate(access.users)
             if is_local(u.domain)}
    scope = access.prune.users if access.prune is not None else None
    for k, member in enumerate(group.members):
        at = f"{where}.members[{k}]"
        problems += _name_problems(member, at)
        found = named.get(member.lower())
        if found is not None and found[1].absent:
            problems.append((at, f"{member} is to be deleted: users[{found[0]}] says "
                                 "absent: true"))
        elif found is None and scope is not None and in_scope(scope, LOCAL, member):
            problems.append((at, f"{member} is not in users, so prune.users would delete it: "
                                 "name it in users, or narrow the scope"))
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


def _roles_problems(roles: Optional[List[str]], where: str) -> List[Problem]:
    if roles is None:
        return []
    problems: List[Problem] = []
    for k, role in enumerate(roles):
        problems += _name_problems(role, f"{where}[{k}]")
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
