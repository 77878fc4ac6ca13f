"""Export: what clusters hold now, written as an access file that plans as in sync.

This is how a team starts managing access that exists already, in the manner of
``terraform import``: export, review, commit, then plan and apply from the file. The
export holds no secret (API keys are listed by name, without a ``secret_file``; no
password source), and built-in accounts such as ``admin`` are listed as
``unmanaged: true``, so that no plan ever changes them. Roles that are not built in
are listed in ``custom_roles``.

Of several clusters, the export is one file: an object that is the same on all of them
is written once, and one that is not, or is not on all of them, names its own
``clusters`` (a user's keys too, among their user's clusters).
"""

from __future__ import annotations

from typing import (
    TYPE_CHECKING,
    Any,
    Dict,
    FrozenSet,
    List,
    Optional,
    Sequence,
    Set,
    Tuple,
    TypeVar,
)

from cohesity_sdk.helios.access.cluster_state import ClusterState, Reads, read_state
from cohesity_sdk.helios.access.planning import DEFAULT_PARALLEL, in_parallel
from cohesity_sdk.helios.access.reading import (
    BUILT_IN_USERS,
    domain_key,
    is_local,
    shown_domain,
)
from cohesity_sdk.helios.access.schema import (
    AccessFile,
    ApiKeySpec,
    GroupSpec,
    UserSpec,
)
from cohesity_sdk.helios.roles import BUILT_IN_ROLES

if TYPE_CHECKING:
    from cohesity_sdk.helios.api.user_api import UserApi
    from cohesity_sdk.helios.models import GroupParams, UserAPIKey, UserParams

Spec = TypeVar("Spec", UserSpec, GroupSpec, ApiKeySpec)


def export(api: UserApi, *, cluster_id: Optional[int] = None,
           clusters: Optional[Sequence[int]] = None,
           parallel: int = DEFAULT_PARALLEL) -> AccessFile:
    """The users, groups and API keys of ``cluster_id`` (default: the configured
    target), or of each of ``clusters``, as an ``AccessFile``; its ``clusters`` names
    them when they are given. ``parallel``: how many reads at a time."""
    targets: List[Optional[int]] = list(clusters) if clusters else [cluster_id]
    if clusters is not None and cluster_id is not None:
        raise ValueError("give cluster_id or clusters, not both")
    with Reads(parallel) as reads:
        states = in_parallel(lambda cid: _read(api, cid, reads), targets, parallel)
    per_cluster = [(state.cluster_id, _users(state), _groups(state)) for state in states]
    if len(per_cluster) == 1:
        users, groups = per_cluster[0][1], per_cluster[0][2]
    else:
        every = frozenset(targets)
        users = [_with_keys(entry, variants) for entry, variants in
                 _merge([(c, u) for c, found, _ in per_cluster for u in found],
                        _user_key, every, exclude={"api_keys"})]
        groups = [entry for entry, _ in
                  _merge([(c, g) for c, _, found in per_cluster for g in found],
                         _group_key, every)]
    fields: Dict[str, Any] = {"version": 1}
    if targets != [None]:
        fields["clusters"] = [c for c in targets if c is not None]
    roles = [role for user in users for role in user.roles or []]
    roles += [role for group in groups for role in group.roles or []]
    custom = sorted({role for role in roles if role not in BUILT_IN_ROLES})
    if custom:
        fields["custom_roles"] = custom
    fields.update(users=users, groups=groups)
    access = AccessFile(**fields)
    named = ", ".join(str(c) for c in targets if c is not None)
    access._source = "<export>" if not named else \
        f"<export of cluster{'s' if len(targets) > 1 else ''} {named}>"
    return access


def _read(api: UserApi, cluster_id: Optional[int], reads: Reads) -> ClusterState:
    state = read_state(api, cluster_id, reads=reads)
    state.read_keys(api, [(u.domain or "", u.username or "") for u in state.users
                          if u.username and not _built_in(u)], reads)
    return state


def _users(state: ClusterState) -> List[UserSpec]:
    return [_user(u, state.keys.get(u.sid or "", [])) for u in state.users if u.username]


def _groups(state: ClusterState) -> List[GroupSpec]:
    known = {u.sid for u in state.users if u.sid}
    return [_group(g, known, state.username_of) for g in state.groups if g.name]


def _built_in(user: UserParams) -> bool:
    return is_local(user.domain or "") and (user.username or "").lower() in BUILT_IN_USERS


def _user(user: UserParams, keys: List[UserAPIKey]) -> UserSpec:
    domain = shown_domain(user.domain or "")
    if _built_in(user):
        return UserSpec(username=user.username or "", domain=domain, unmanaged=True)
    fields: Dict[str, Any] = {"roles": list(user.roles or [])}
    local = user.local_user_params
    if local is not None and local.email:
        fields["email"] = local.email
    if user.description:
        fields["description"] = user.description
    if user.locked:
        fields["locked"] = True
    if user.restricted:
        fields["restricted"] = True
    named: Dict[str, ApiKeySpec] = {}
    for key in keys:
        if key.name and key.name not in named:
            named[key.name] = (ApiKeySpec(name=key.name, active=False)
                               if key.is_active is False else ApiKeySpec(name=key.name))
    if named:
        fields["api_keys"] = list(named.values())
    return UserSpec(username=user.username or "", domain=domain, **fields)


def _group(group: GroupParams, known: Set[str], username_of: Any) -> GroupSpec:
    domain = shown_domain(group.domain or "")
    fields: Dict[str, Any] = {"roles": list(group.roles or [])}
    if group.description:
        fields["description"] = group.description
    if group.restricted:
        fields["restricted"] = True
    local = group.local_group_params
    sids = list(local.user_sids or []) if local is not None else []
    # Members the export cannot name (not listed among the users) leave the membership
    # unmanaged rather than planned away.
    if is_local(domain) and all(sid in known for sid in sids):
        fields["members"] = [username_of(sid) for sid in sids]
    return GroupSpec(name=group.name or "", domain=domain, **fields)


# -- one file of several clusters --------------------------------------------------------


def _user_key(user: UserSpec) -> Tuple[str, str]:
    return (domain_key(user.domain), user.username.lower())


def _group_key(group: GroupSpec) -> Tuple[str, str]:
    return (domain_key(group.domain), group.name.lower())


Variants = List[Tuple[Optional[int], Spec]]


def _merge(found: List[Tuple[Optional[int], Spec]], key: Any, every: FrozenSet[Any],
           exclude: Optional[Set[str]] = None) -> List[Tuple[Spec, Variants[Spec]]]:
    """One entry for each object and way it is: those the same on several clusters
    merged, each naming its clusters unless it is on all of ``every``; with each, what
    it was on each of its clusters. Kept in the order they were first found."""
    shapes: Dict[Any, Dict[str, List[Tuple[Optional[int], Spec]]]] = {}
    for cluster, spec in found:
        shape = spec.model_dump_json(exclude_unset=True, exclude=exclude)
        shapes.setdefault(key(spec), {}).setdefault(shape, []).append((cluster, spec))
    merged: List[Tuple[Spec, Variants[Spec]]] = []
    for by_shape in shapes.values():
        for variants in by_shape.values():
            entry = variants[0][1].model_copy(deep=True)
            clusters = [c for c, _ in variants]
            if frozenset(clusters) != every:
                entry.clusters = [c for c in clusters if c is not None]
            merged.append((entry, variants))
    return merged


def _with_keys(user: UserSpec, variants: Variants[UserSpec]) -> UserSpec:
    """``user`` with the keys it has on each of its clusters, merged as the users are."""
    on = frozenset(c for c, _ in variants)
    keys = [key for key, _ in _merge([(c, k) for c, found in variants for k in found.api_keys],
                                     lambda k: k.name, on)]
    if keys:
        user.api_keys = keys
    return user
