"""A plan: the changes that bring each cluster to what the access file says.

``plan(api, access)`` reads each cluster (``cluster_state``) and compares: every object
the file names is to be created, updated (field by field, before and after), deleted,
or is in sync. It only reads. The changes of a cluster are numbered in the order
``apply`` carries them out:

1. users created and updated, in the file's order;
2. their API keys created and updated;
3. groups created and updated;
4. memberships, once the users and the groups they join exist;
5. deletes last, in reverse: groups, then API keys, then users.

A change lists the earlier changes it needs (``depends_on``): a key needs its user, a
membership its group and its new members. ``apply`` skips a change whose needs failed.
"""

from __future__ import annotations

import json
import os
import re
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from typing import (
    TYPE_CHECKING,
    Any,
    Callable,
    Dict,
    List,
    Optional,
    Sequence,
    Tuple,
    TypeVar,
    Union,
)

from cohesity_sdk.helios.access.cluster_state import (
    ClusterState,
    Reads,
    cluster_label,
    group_basis,
    keys_basis,
    read_state,
    user_basis,
)
from cohesity_sdk.helios.access.errors import AccessFileError
from cohesity_sdk.helios.access.reading import (
    BUILT_IN_USERS,
    PathLike,
    Problem,
    absolute,
    check,
    clusters_of,
    domain_key,
    in_scope,
    is_local,
    load,
    parse,
    password_problem,
    shown_domain,
)
from cohesity_sdk.helios.access.render import plan_html, plan_summary, plan_text
from cohesity_sdk.helios.access.schema import (
    CLUSTER_PLACEHOLDER,
    LOCAL,
    AccessFile,
    ApiKeySpec,
    GroupSpec,
    UserSpec,
)

if TYPE_CHECKING:
    from cohesity_sdk.helios.api.user_api import UserApi
    from cohesity_sdk.helios.models import GroupParams, UserParams

#: How many clusters are read, or changed, at the same time, and how many reads are in
#: flight at once.
DEFAULT_PARALLEL = 8
#: What a saved plan says it is, and the version of its format.
PLAN_FORMAT = "cohesity-helios-access-plan"
PLAN_VERSION = 2

CREATE, UPDATE, DELETE = "create", "update", "delete"
USER, API_KEY, GROUP, MEMBERS = "user", "api_key", "group", "members"

T = TypeVar("T")
R = TypeVar("R")
Key = Tuple[str, str]  # (domain_key, lower-case name)


@dataclass(frozen=True)
class FieldChange:
    """One field of a change: its value on the cluster now (``before``; ``None`` for a
    new object) and the file's (``after``)."""

    field: str
    before: Any = None
    after: Any = None

    def to_dict(self) -> Dict[str, Any]:
        return {"field": self.field, "before": self.before, "after": self.after}


@dataclass(frozen=True)
class Change:
    """One change to one object of one cluster."""

    number: int  # from 1, the order of the cluster's changes
    action: str  # "create", "update" or "delete"
    kind: str  # "user", "api_key", "group" or "members" (of a group)
    domain: str
    name: str  # the username, or the group's name
    path: str  # where the file asks for it: users[0], users[0].api_keys[1], prune.users
    fields: Tuple[FieldChange, ...] = ()
    key: Optional[str] = None  # the API key's name
    depends_on: Tuple[int, ...] = ()  # the changes it needs, by number
    problem: Optional[str] = None  # why it cannot be applied as the file stands
    #: The digest of the object as the plan read it (of the user's keys of this name, for
    #: a key): ``apply`` reads it again and refuses a plan it no longer fits.
    basis: Optional[str] = None

    @property
    def target(self) -> str:
        """``user LOCAL\\svc-backup``, ``api key nightly of LOCAL\\svc-backup``..."""
        who = f"{self.domain}\\{self.name}"
        if self.kind == API_KEY:
            return f"api key {self.key} of {who}"
        if self.kind == MEMBERS:
            return f"members of group {who}"
        return f"{self.kind} {who}"

    def to_dict(self) -> Dict[str, Any]:
        return {
            "number": self.number, "action": self.action, "kind": self.kind,
            "domain": self.domain, "name": self.name, "key": self.key, "path": self.path,
            "fields": [f.to_dict() for f in self.fields],
            "depends_on": list(self.depends_on), "problem": self.problem,
            "basis": self.basis,
        }

    @classmethod
    def from_dict(cls, data: Dict[str, Any]) -> Change:
        fields = tuple(FieldChange(f["field"], f.get("before"), f.get("after"))
                       for f in data.get("fields") or [])
        return cls(int(data["number"]), str(data["action"]), str(data["kind"]),
                   str(data["domain"]), str(data["name"]), str(data["path"]), fields,
                   data.get("key"), tuple(int(n) for n in data.get("depends_on") or []),
                   data.get("problem"), data.get("basis"))


@dataclass(frozen=True)
class Step:
    """What ``apply`` needs to carry a change out, beyond the change itself: what the
    plan read (SIDs, key ids) and the file's entry (found again by the change's path)."""

    sid: Optional[str] = None  # the object's SID (for a key or a membership: its owner's)
    user: Optional[UserSpec] = None
    group: Optional[GroupSpec] = None
    api_key: Optional[ApiKeySpec] = None
    key_id: Optional[str] = None
    secret_file: Optional[str] = None  # where a key's secret goes, {cluster} filled in
    members: Tuple[str, ...] = ()  # usernames
    rotate: bool = False  # a key whose secret_file is missing or empty: rotated
    #: The SIDs of the members that exist, by lower-case username.
    member_sids: Tuple[Tuple[str, str], ...] = ()

    def to_dict(self) -> Dict[str, Any]:
        return {"sid": self.sid, "key_id": self.key_id, "secret_file": self.secret_file,
                "members": list(self.members), "rotate": self.rotate,
                "member_sids": dict(self.member_sids)}

    @classmethod
    def from_dict(cls, data: Dict[str, Any], change: Change, access: AccessFile) -> Step:
        user, group, api_key = entries_at(access, change.path)
        return cls(data.get("sid"), user, group, api_key, data.get("key_id"),
                   data.get("secret_file"), tuple(str(m) for m in data.get("members") or []),
                   bool(data.get("rotate")),
                   tuple((str(k), str(v)) for k, v in (data.get("member_sids") or {}).items()))


def entries_at(access: AccessFile, path: str) -> Tuple[Optional[UserSpec], Optional[GroupSpec],
                                                       Optional[ApiKeySpec]]:
    """The user, group and API key of the file at ``path`` (``users[0].api_keys[1]``,
    ``groups[2].members``); none for a prune's."""
    found = re.match(r"(users|groups)\[(\d+)\](?:\.api_keys\[(\d+)\])?", path)
    if found is None:
        return None, None, None
    kind, index, key = found.group(1), int(found.group(2)), found.group(3)
    if kind == "groups":
        return None, access.groups[index] if index < len(access.groups) else None, None
    user = access.users[index] if index < len(access.users) else None
    api_key = None
    if user is not None and key is not None and int(key) < len(user.api_keys):
        api_key = user.api_keys[int(key)]
    return user, None, api_key


@dataclass
class ClusterPlan:
    """The changes of one cluster; ``error`` says why there are none when it could not
    be read."""

    cluster_id: Optional[int]
    changes: List[Change] = field(default_factory=list)
    in_sync: List[str] = field(default_factory=list)  # the targets already as the file says
    fingerprint: Optional[str] = None  # of the state the plan was made from
    error: Optional[str] = None
    steps: Dict[int, Step] = field(default_factory=dict, repr=False, compare=False)
    # The SIDs of the cluster's users and groups, by (domain, name).
    user_sids: Dict[Key, str] = field(default_factory=dict, repr=False, compare=False)
    group_sids: Dict[Key, str] = field(default_factory=dict, repr=False, compare=False)

    @property
    def label(self) -> str:
        return cluster_label(self.cluster_id)

    def to_dict(self) -> Dict[str, Any]:
        return {"cluster_id": self.cluster_id, "error": self.error,
                "fingerprint": self.fingerprint,
                "changes": [c.to_dict() for c in self.changes], "in_sync": list(self.in_sync),
                "steps": {str(n): step.to_dict() for n, step in sorted(self.steps.items())}}

    @classmethod
    def from_dict(cls, data: Dict[str, Any], access: AccessFile) -> ClusterPlan:
        cluster_id = data.get("cluster_id")
        changes = [Change.from_dict(c) for c in data.get("changes") or []]
        saved = data.get("steps") or {}
        steps = {c.number: Step.from_dict(saved.get(str(c.number)) or {}, c, access)
                 for c in changes}
        return cls(None if cluster_id is None else int(cluster_id), changes,
                   [str(t) for t in data.get("in_sync") or []], data.get("fingerprint"),
                   data.get("error"), steps)


class Plan:
    """The changes an access file asks of each of its clusters, in the order they are
    applied. It shows as a table of changes: ``str(plan)``, and in a notebook."""

    def __init__(self, access: AccessFile, clusters: Sequence[ClusterPlan],
                 saved_as: Optional[str] = None) -> None:
        self.access = access
        self.clusters: List[ClusterPlan] = list(clusters)
        #: The file the plan was read from, when it was saved (``Plan.load``).
        self.saved_as = saved_as

    @property
    def source(self) -> str:
        """The access file the plan was made from."""
        return self.access.source

    @property
    def changes(self) -> List[Change]:
        """Every change, cluster after cluster."""
        return [c for cluster in self.clusters for c in cluster.changes]

    @property
    def in_sync(self) -> bool:
        """Whether every cluster was read and needs no change."""
        return not self.changes and not any(c.error for c in self.clusters)

    @property
    def errors(self) -> List[str]:
        """The clusters that could not be read, and why."""
        return [f"{c.label}: {c.error}" for c in self.clusters if c.error]

    def problems(self) -> List[Problem]:
        """The changes that cannot be applied as the file stands: (path, reason)."""
        several = len(self.clusters) > 1
        return [(c.path, f"{c.problem} (on {cluster.label})" if several else c.problem)
                for cluster in self.clusters for c in cluster.changes if c.problem]

    def counts(self) -> Dict[str, int]:
        """How many changes of each action there are, and how many objects are in sync."""
        out = {action: 0 for action in (CREATE, UPDATE, DELETE)}
        for change in self.changes:
            out[change.action] += 1
        out["in_sync"] = sum(len(c.in_sync) for c in self.clusters)
        return out

    def summary(self) -> str:
        """One line: ``Plan: 3 to create, 1 to update, 0 to delete, on 2 clusters; ...``."""
        return plan_summary(self)

    def to_dict(self) -> Dict[str, Any]:
        """The plan as plain JSON values, its access file included: what ``save``
        writes. It holds no secret: passwords are read, and keys made, at apply time."""
        return {"format": PLAN_FORMAT, "version": PLAN_VERSION, "source": self.source,
                "summary": self.counts(), "clusters": [c.to_dict() for c in self.clusters],
                "access": self.access.to_data()}

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), indent=2, ensure_ascii=False) + "\n"

    def save(self, path: PathLike) -> None:
        """Write the plan to ``path``, for ``apply`` to carry out later: it is refused
        then if a cluster's state changed meanwhile."""
        with open(path, "w", encoding="utf-8") as file:
            file.write(self.to_json())

    @classmethod
    def load(cls, path: PathLike) -> Plan:
        """A plan that ``save`` wrote; ``AccessFileError`` when it is not one."""
        source = os.fspath(path)
        from cohesity_sdk.helios.access.reading import parse_json

        try:
            with open(source, encoding="utf-8") as file:
                text = file.read()
        except (OSError, UnicodeDecodeError) as exc:
            raise AccessFileError(source, [("", f"cannot be read: {exc}")]) from None
        return cls.from_dict(parse_json(text, source), source)

    @classmethod
    def from_dict(cls, data: Any, source: str = "<plan>") -> Plan:
        if not is_saved_plan(data):
            raise AccessFileError(source, [("", f"is not a saved plan ({PLAN_FORMAT})")])
        if data.get("version") != PLAN_VERSION:
            raise AccessFileError(source, [("version", f"should be {PLAN_VERSION}: a plan "
                                                       "saved by another version of "
                                                       "cohesity-helios; plan again")])
        access = parse(data.get("access"), f"{source} (access)")
        access._source = str(data.get("source") or source)
        try:
            clusters = [ClusterPlan.from_dict(c, access) for c in data["clusters"]]
        except (KeyError, TypeError, ValueError, AttributeError):
            raise AccessFileError(source, [("clusters", "is not as plan --out writes it")]) \
                from None
        return cls(access, clusters, saved_as=source)

    def __str__(self) -> str:
        return plan_text(self)

    def __repr__(self) -> str:
        return f"<Plan of {self.source}: {self.summary()}>"

    def _repr_html_(self) -> str:
        return plan_html(self)

    def _repr_pretty_(self, printer: Any, cycle: bool) -> None:
        printer.text(str(self))


def is_saved_plan(data: Any) -> bool:
    return isinstance(data, dict) and data.get("format") == PLAN_FORMAT


def plan(api: UserApi, access: Union[AccessFile, PathLike], *,
         parallel: int = DEFAULT_PARALLEL,
         clusters: Optional[Sequence[int]] = None) -> Plan:
    """The changes that make each cluster of ``access`` (an ``AccessFile``, or the path
    of one) what it says; ``clusters``: only these of the file's. Reads only, with
    ``parallel`` clusters and calls at a time; a file the clusters show to be wrong (a
    member that is no user) raises ``AccessFileError``. A cluster that cannot be read
    gets an ``error`` and no changes, and the others are planned."""
    if not isinstance(access, AccessFile):
        access = load(access)
    check(access)
    targets = selected_clusters(access, clusters)
    with Reads(parallel) as reads:
        planned = in_parallel(lambda cid: _plan_cluster(api, access, cid, reads), targets,
                              parallel)
    problems = [p for _, found in planned for p in found]
    problems += _password_problems(access, [cluster for cluster, _ in planned])
    if problems:
        raise AccessFileError(access.source, list(dict.fromkeys(problems)))
    return Plan(access, _shared_secret_files([cluster for cluster, _ in planned]))


def _password_problems(access: AccessFile, clusters: List[ClusterPlan]) -> List[Problem]:
    """The password sources ``apply`` would read, each checked now: a variable unset or
    empty, a file that cannot be read, is empty or others may read, makes a bad file."""
    paths = {c.path for cluster in clusters for c in cluster.changes
             if c.kind == USER and c.action == CREATE and c.problem is None}
    problems: List[Problem] = []
    for i, user in enumerate(access.users):
        if f"users[{i}]" in paths and is_local(user.domain):
            found = password_problem(user, f"users[{i}]")
            if found is not None:
                problems.append(found)
    return problems


def selected_clusters(access: AccessFile,
                      clusters: Optional[Sequence[int]]) -> List[Optional[int]]:
    """The clusters to work on: ``clusters``, each one of the file's, or all of them.
    ``ApiValueError`` for one the file does not list."""
    listed: List[Optional[int]] = list(access.clusters) if access.clusters else [None]
    if clusters is None:
        return listed
    from cohesity_sdk.helios.exceptions import ApiValueError

    chosen: List[Optional[int]] = []
    for cluster in clusters:
        if cluster not in listed:
            names = ", ".join(str(c) for c in listed if c is not None)
            raise ApiValueError(
                f"{access.source}: cluster {cluster} is not one of the file's clusters"
                + (f" ({names})" if names else ": it names none, and works on the "
                                               "configured target"))
        if cluster in chosen:
            raise ApiValueError(f"cluster {cluster} is given twice")
        chosen.append(cluster)
    return [c for c in listed if c in chosen]


def in_parallel(work: Callable[[T], R], items: Sequence[T], parallel: int) -> List[R]:
    """``work`` of each item, ``parallel`` at a time, in the items' order."""
    if parallel < 1:
        raise ValueError(f"parallel={parallel}: should be 1 or more")
    if len(items) <= 1 or parallel == 1:
        return [work(item) for item in items]
    with ThreadPoolExecutor(max_workers=min(parallel, len(items))) as pool:
        return list(pool.map(work, items))


def _plan_cluster(api: UserApi, access: AccessFile, cluster_id: Optional[int],
                  reads: Reads) -> Tuple[ClusterPlan, List[Problem]]:
    from cohesity_sdk.helios.exceptions import ApiConnectionError, ApiException

    owners = [(u.domain, u.username) for u in access.users
              if not u.absent and not u.unmanaged and on_cluster(access, cluster_id, u)
              and any(on_cluster(access, cluster_id, u, k) for k in u.api_keys)]
    try:
        state = read_state(api, cluster_id, owners, reads)
    except (ApiException, ApiConnectionError) as exc:
        return ClusterPlan(cluster_id, error=" ".join(str(exc).split())), []
    planner = _Planner(access, state)
    return planner.cluster_plan(), planner.problems


def on_cluster(access: AccessFile, cluster_id: Optional[int],
               entry: Union[UserSpec, GroupSpec], key: Optional[ApiKeySpec] = None) -> bool:
    """Whether ``entry`` (or its key ``key``) is on ``cluster_id``."""
    return cluster_id in clusters_of(access, entry, key)


def _shared_secret_files(clusters: List[ClusterPlan]) -> List[ClusterPlan]:
    """Two keys whose secrets would go to the same file cannot both be applied."""
    writers: Dict[str, List[Tuple[ClusterPlan, Change]]] = {}
    for cluster in clusters:
        for change in cluster.changes:
            step = cluster.steps.get(change.number)
            if step is not None and step.secret_file is not None \
                    and (change.action == CREATE or step.rotate):
                writers.setdefault(step.secret_file, []).append((cluster, change))
    for path, changes in writers.items():
        if len(changes) < 2:
            continue
        for cluster, change in changes:
            others = ", ".join(f"#{c.number} on {p.label}" for p, c in changes
                               if c is not change)
            problem = (f"secret_file {path} is also where {others} writes a key's "
                       f"secret: put {CLUSTER_PLACEHOLDER} in the path")
            cluster.changes[change.number - 1] = replace(change, problem=problem)
    return clusters


def secret_file_state(path: str) -> Optional[str]:
    """Why the secret file ``path`` does not hold a secret (``"missing"``, ``"empty"``),
    or None when it does."""
    try:
        with open(path, "rb") as file:
            held = file.read(4096)
    except FileNotFoundError:
        return "missing"
    except IsADirectoryError:
        return "a folder"
    except OSError:
        return None  # there, but not ours to read: left alone
    return None if held.strip() else "empty"


class _Planner:
    """Compares one cluster's state with the file, change by change, in apply order."""

    def __init__(self, access: AccessFile, state: ClusterState) -> None:
        self.access = access
        self.state = state
        self.cluster_id = state.cluster_id
        self.changes: List[Change] = []
        self.steps: Dict[int, Step] = {}
        self.in_sync: List[str] = []
        self.problems: List[Problem] = []
        self.created_users: Dict[Key, int] = {}  # the change that creates each new user
        self.created_groups: Dict[Key, int] = {}
        # The file's LOCAL users on this cluster, by lower-case username.
        self.local_users = {u.username.lower(): u for u in access.users
                            if is_local(u.domain) and self.on(u)}
        # Deletes wait until the end, each kind in the file's order, to be reversed.
        self.deletes: Dict[str, List[Tuple[Change, Step]]] = {GROUP: [], API_KEY: [], USER: []}
        self._plan()

    def on(self, entry: Union[UserSpec, GroupSpec], key: Optional[ApiKeySpec] = None) -> bool:
        return on_cluster(self.access, self.cluster_id, entry, key)

    def cluster_plan(self) -> ClusterPlan:
        return ClusterPlan(
            self.state.cluster_id, self.changes, self.in_sync, self.state.fingerprint(),
            steps=self.steps,
            user_sids={name_key(u.domain or "", u.username or ""): u.sid
                       for u in self.state.users if u.sid},
            group_sids={name_key(g.domain or "", g.name or ""): g.sid
                        for g in self.state.groups if g.sid})

    def _add(self, change: Change, step: Step) -> int:
        number = len(self.changes) + 1
        self.changes.append(replace(change, number=number))
        self.steps[number] = step
        return number

    def _plan(self) -> None:
        users = [(i, u) for i, u in enumerate(self.access.users) if self.on(u)]
        groups = [(i, g) for i, g in enumerate(self.access.groups) if self.on(g)]
        for i, user in users:
            if not user.unmanaged:
                self._user(user, f"users[{i}]")
        for i, user in users:
            if not user.unmanaged and not user.absent:
                self._keys(user, f"users[{i}]")
        for i, group in groups:
            if not group.unmanaged:
                self._group(group, f"groups[{i}]")
        for i, group in groups:
            if group.members is not None and not group.absent and not group.unmanaged:
                self._members(group, f"groups[{i}]")
        self._prune(users, groups)
        for kind in (GROUP, API_KEY, USER):
            for change, step in reversed(self.deletes[kind]):
                self._add(change, step)

    # -- users -------------------------------------------------------------------------

    def _user(self, user: UserSpec, path: str) -> None:
        current = self.state.user(user.domain, user.username)
        change = Change(0, CREATE, USER, shown_domain(user.domain), user.username, path,
                        basis=user_basis(current))
        if user.absent:
            if current is None:
                self.in_sync.append(change.target + " (absent)")
            else:
                self.deletes[USER].append((replace(change, action=DELETE),
                                           Step(sid=current.sid, user=user)))
            return
        if current is None:
            fields = _user_fields(user, None)
            problem = None
            if is_local(user.domain) and user.password_env is None \
                    and user.password_file is None:
                problem = "a new LOCAL user needs password_env or password_file"
            number = self._add(replace(change, fields=tuple(fields), problem=problem),
                               Step(user=user))
            self.created_users[name_key(user.domain, user.username)] = number
            return
        fields = _user_fields(user, current)
        if fields:
            self._add(replace(change, action=UPDATE, fields=tuple(fields)),
                      Step(sid=current.sid, user=user))
        else:
            self.in_sync.append(change.target)

    def _keys(self, user: UserSpec, path: str) -> None:
        owner = self.state.user(user.domain, user.username)
        sid = owner.sid if owner is not None else None
        created = self.created_users.get(name_key(user.domain, user.username))
        existing = self.state.keys.get(sid or "", []) if owner is not None else []
        for k, spec in enumerate(user.api_keys):
            if not self.on(user, spec):
                continue
            named = [key for key in existing if key.name == spec.name]
            change = Change(0, CREATE, API_KEY, shown_domain(user.domain), user.username,
                            f"{path}.api_keys[{k}]", key=spec.name, basis=keys_basis(named))
            if spec.absent:
                for key in named:
                    self.deletes[API_KEY].append((replace(change, action=DELETE), Step(
                        sid=sid, api_key=spec, key_id=key.id)))
                if not named:
                    self.in_sync.append(change.target + " (absent)")
                continue
            secret_file = self._secret_file(spec)
            if not named:
                fields = [FieldChange("secret_file", None, secret_file)] if secret_file else []
                if spec.active is not None:
                    fields.append(FieldChange("active", None, spec.active))
                self._add(replace(
                    change, fields=tuple(fields),
                    depends_on=(created,) if created is not None else (),
                    problem=None if secret_file else
                    "a new API key needs secret_file, where its secret is written"),
                    Step(sid=sid, user=user, api_key=spec, secret_file=secret_file))
                continue
            if len(named) > 1:
                ids = ", ".join(str(key.id) for key in named)
                self._add(replace(
                    change, action=UPDATE,
                    fields=(FieldChange("keys named so", len(named), 1),),
                    problem=(f"{len(named)} API keys of {change.domain}\\{change.name} are "
                             f"named {spec.name} (ids {ids}), where the file asks for one: "
                             "delete the others (or all, with absent: true), then plan "
                             "again")),
                    Step(sid=sid, user=user, api_key=spec))
                continue
            key = named[0]
            fields = []
            active = True if key.is_active is None else key.is_active
            if spec.active is not None and spec.active != active:
                fields.append(FieldChange("active", active, spec.active))
            lost = secret_file_state(secret_file) if secret_file is not None else None
            if lost is not None:
                # Its secret is nowhere (a crash, a lost answer, a deleted file): a new one.
                fields.append(FieldChange("secret", f"lost: {secret_file} is {lost}",
                                          f"rotated, written to {secret_file}"))
            if fields:
                self._add(replace(change, action=UPDATE, fields=tuple(fields)),
                          Step(sid=sid, user=user, api_key=spec, key_id=key.id,
                               secret_file=secret_file if lost is not None else None,
                               rotate=lost is not None))
            else:
                self.in_sync.append(change.target)

    def _secret_file(self, spec: ApiKeySpec) -> Optional[str]:
        if spec.secret_file is None:
            return None
        cluster = self.state.cluster_id
        filled = spec.secret_file.replace(CLUSTER_PLACEHOLDER,
                                          "default" if cluster is None else str(cluster))
        return absolute(filled)

    # -- groups ------------------------------------------------------------------------

    def _group(self, group: GroupSpec, path: str) -> None:
        current = self.state.group(group.domain, group.name)
        change = Change(0, CREATE, GROUP, shown_domain(group.domain), group.name, path,
                        basis=group_basis(current))
        if group.absent:
            if current is None:
                self.in_sync.append(change.target + " (absent)")
            else:
                self.deletes[GROUP].append((replace(change, action=DELETE),
                                            Step(sid=current.sid, group=group)))
            return
        fields = _group_fields(group, current)
        if current is None:
            number = self._add(replace(change, fields=tuple(fields)), Step(group=group))
            self.created_groups[name_key(group.domain, group.name)] = number
        elif fields:
            self._add(replace(change, action=UPDATE, fields=tuple(fields)),
                      Step(sid=current.sid, group=group))
        else:
            self.in_sync.append(change.target)

    def _members(self, group: GroupSpec, path: str) -> None:
        wanted = list(group.members or [])
        needs: List[int] = []
        group_created = self.created_groups.get(name_key(group.domain, group.name))
        if group_created is not None:
            needs.append(group_created)
        for k, member in enumerate(wanted):
            created = self.created_users.get(name_key(LOCAL, member))
            if created is not None:
                needs.append(created)
                continue
            entry = self.local_users.get(member.lower())
            if self.state.user(LOCAL, member) is None and (
                    entry is None or entry.unmanaged or entry.absent):
                self.problems.append((f"{path}.members[{k}]", (
                    f"{member} is no LOCAL user of the file, nor of "
                    f"{cluster_label(self.state.cluster_id)}")))
        current = self.state.group(group.domain, group.name)
        sids = (current.local_group_params.user_sids or []) \
            if current is not None and current.local_group_params is not None else []
        before = [self.state.username_of(sid) for sid in sids]
        target = Change(0, UPDATE, MEMBERS, shown_domain(group.domain), group.name,
                        f"{path}.members", basis=group_basis(current))
        if sorted(m.lower() for m in before) == sorted(m.lower() for m in wanted):
            if current is not None:
                self.in_sync.append(target.target)
            return
        known = []
        for member in wanted:
            user = self.state.user(LOCAL, member)
            if user is not None and user.sid:
                known.append((member.lower(), user.sid))
        self._add(replace(target, fields=(FieldChange("members", before, wanted),),
                          depends_on=tuple(sorted(set(needs)))),
                  Step(sid=current.sid if current else None, group=group,
                       members=tuple(wanted), member_sids=tuple(known)))

    # -- prune -------------------------------------------------------------------------

    def _prune(self, users: List[Tuple[int, UserSpec]],
               groups: List[Tuple[int, GroupSpec]]) -> None:
        """Delete what a prune scope covers and the file does not name on this cluster."""
        prune = self.access.prune
        if prune is None:
            return
        if prune.users is not None:
            named = {name_key(u.domain, u.username) for _, u in users}
            for user in self.state.users:
                domain, username = user.domain or "", user.username or ""
                if (in_scope(prune.users, domain, username)
                        and name_key(domain, username) not in named
                        and not (is_local(domain) and username.lower() in BUILT_IN_USERS)):
                    self.deletes[USER].append((Change(
                        0, DELETE, USER, shown_domain(domain), username, "prune.users",
                        basis=user_basis(user)), Step(sid=user.sid)))
        if prune.groups is not None:
            named = {name_key(g.domain, g.name) for _, g in groups}
            for group in self.state.groups:
                domain, name = group.domain or "", group.name or ""
                if in_scope(prune.groups, domain, name) and name_key(domain, name) not in named:
                    self.deletes[GROUP].append((Change(
                        0, DELETE, GROUP, shown_domain(domain), name, "prune.groups",
                        basis=group_basis(group)), Step(sid=group.sid)))


def name_key(domain: str, name: str) -> Key:
    return (domain_key(domain), name.lower())


def _user_fields(user: UserSpec, current: Optional[UserParams]) -> List[FieldChange]:
    """The fields the file manages that differ (all of them, for a new user)."""
    fields: List[FieldChange] = []
    if user.roles is not None:
        before = None if current is None else list(current.roles or [])
        if before is None or set(before) != set(user.roles):
            fields.append(FieldChange("roles", before, list(user.roles)))
    email = None
    if current is not None and current.local_user_params is not None:
        email = current.local_user_params.email
    for name, now in (("email", email),
                      ("description", None if current is None else current.description)):
        wanted = getattr(user, name)
        if wanted is not None and (current is None or (now or "") != wanted):
            fields.append(FieldChange(name, now, wanted))
    for name in ("locked", "restricted"):
        wanted = getattr(user, name)
        was = None if current is None else bool(getattr(current, name))
        if wanted is not None and was != wanted:
            fields.append(FieldChange(name, was, wanted))
    if current is None and user.password_env is not None:
        fields.append(FieldChange("password", None, f"from ${user.password_env}"))
    elif current is None and user.password_file is not None:
        fields.append(FieldChange("password", None, f"from {absolute(user.password_file)}"))
    return fields


def _group_fields(group: GroupSpec, current: Optional[GroupParams]) -> List[FieldChange]:
    fields: List[FieldChange] = []
    if group.roles is not None:
        before = None if current is None else list(current.roles or [])
        if before is None or set(before) != set(group.roles):
            fields.append(FieldChange("roles", before, list(group.roles)))
    if group.description is not None:
        now = None if current is None else current.description
        if current is None or (now or "") != group.description:
            fields.append(FieldChange("description", now, group.description))
    if group.restricted is not None:
        was = None if current is None else bool(current.restricted)
        if was != group.restricted:
            fields.append(FieldChange("restricted", was, group.restricted))
    return fields
