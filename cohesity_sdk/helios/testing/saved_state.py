"""A fake's state as plain JSON, and back: what ``snapshot()`` gives and ``restore()`` takes.

A snapshot is a test fixture, so it holds everything, secrets included::

    {"version": 1,
     "bootstrapKey": "<the fake's key>",
     "roles": [{"name": "AUDITOR", "privileges": ["PRINCIPAL_VIEW"]}],
     "clusters": [{"clusterId": null, "number": 123456789, "nextRid": 1002,
                   "users": [...], "groups": [...], "apiKeys": [...],
                   "sessions": {"<session id>": "<user SID>"},
                   "sources": {"<SID>": {"sourceIds": [1], "viewIds": []}}}],
     "tenantAccess": [...]}

Records use the API's field names, plus ``password`` and ``s3SecretKey`` for users,
``secret`` for API keys and ``memberSids`` for groups; fields not set are left out.
``roles`` are the roles added to the fake (``add_role``), which users and groups may
hold besides the built-in ones; a role neither built in nor there is refused.
Restoring checks the whole snapshot before anything changes. Left out of a hand-written
snapshot, ``roles`` means none added, ``clusters`` none yet (each is made on first use,
as in a new fake), ``tenantAccess`` the two seeded entries, ``nextRid`` the rid after
the highest in use, and a record's optional fields their defaults.

The API keys whose secret is the snapshot's ``bootstrapKey`` come back with the
restoring fake's own key, so that ``fake.api_key`` works on restored clusters as on new
ones; every other key keeps its secret.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import (
    AbstractSet,
    Any,
    Callable,
    Dict,
    FrozenSet,
    List,
    Mapping,
    Optional,
    Set,
    Tuple,
    Type,
    TypeVar,
)

from cohesity_sdk.helios.testing.records import (
    FIRST_RID,
    ApiKey,
    Cluster,
    Group,
    Json,
    User,
    local_domain,
    now_msecs,
)
from cohesity_sdk.helios.testing.roles import ROLE_PRIVILEGES, added_role

VERSION = 1

_INT64 = (-(2**63), 2**63 - 1)
_TENANT_STATUSES = ("Active", "Inactive", "MarkedForDeletion", "Deleted")
_TENANT_TYPES = ("Dmaas", "Mcm")

Record = TypeVar("Record", User, Group, ApiKey)


# -- value checks -------------------------------------------------------------------------


def _is_int(value: Any) -> bool:
    return (isinstance(value, int) and not isinstance(value, bool)
            and _INT64[0] <= value <= _INT64[1])


def _is_str(value: Any) -> bool:
    return isinstance(value, str)


def _is_name(value: Any) -> bool:
    return isinstance(value, str) and bool(value.strip())


def _is_bool(value: Any) -> bool:
    return isinstance(value, bool)


def _is_strs(value: Any) -> bool:
    return isinstance(value, list) and all(isinstance(v, str) for v in value)


def _is_ints(value: Any) -> bool:
    return isinstance(value, list) and all(_is_int(v) for v in value)


_KINDS: Dict[Callable[[Any], bool], str] = {
    _is_int: "an int64 integer",
    _is_str: "a string",
    _is_name: "a non-empty string",
    _is_bool: "true or false",
    _is_strs: "a list of strings",
    _is_ints: "a list of int64 integers",
}


def _check(value: Any, kind: Callable[[Any], bool], where: str) -> Any:
    if not kind(value):
        raise ValueError(f"{where}: must be {_KINDS[kind]}")
    return value


def _object(value: Any, where: str, known: Tuple[str, ...]) -> Mapping[str, Any]:
    if not isinstance(value, Mapping):
        raise ValueError(f"{where}: must be an object")
    unknown = [k for k in value if k not in known]
    if unknown:
        raise ValueError(f"{where}: unknown field {unknown[0]!r}")
    return value


def _list(value: Any, where: str) -> List[Any]:
    if not isinstance(value, list):
        raise ValueError(f"{where}: must be a list")
    return value


# -- records --------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Field:
    json: str
    attr: str
    kind: Callable[[Any], bool]
    required: bool = False
    # For a field left out that the record has no default for.
    default: Optional[Callable[[], Any]] = None


_USER = (
    _Field("sid", "sid", _is_name, required=True),
    _Field("username", "username", _is_name, required=True),
    _Field("domain", "domain", _is_name, required=True),
    _Field("roles", "roles", _is_strs, default=list),
    _Field("createdTimeMsecs", "created", _is_int, default=now_msecs),
    _Field("lastUpdatedTimeMsecs", "updated", _is_int, default=now_msecs),
    _Field("description", "description", _is_str),
    _Field("effectiveTimeMsecs", "effective_time", _is_int),
    _Field("expiryTimeMsecs", "expiry_time", _is_int),
    _Field("locked", "locked", _is_bool),
    _Field("restricted", "restricted", _is_bool),
    _Field("lastLoginTimeMsecs", "last_login", _is_int),
    _Field("email", "email", _is_str),
    _Field("password", "password", _is_str),
    _Field("tenantId", "tenant_id", _is_str),
    _Field("s3AccountId", "s3_account_id", _is_str),
    _Field("s3AccessKeyId", "s3_access_key_id", _is_str),
    _Field("s3SecretKey", "s3_secret_key", _is_str),
)

_GROUP = (
    _Field("sid", "sid", _is_name, required=True),
    _Field("name", "name", _is_name, required=True),
    _Field("domain", "domain", _is_name, required=True),
    _Field("roles", "roles", _is_strs, default=list),
    _Field("tenantIds", "tenant_ids", _is_strs, default=list),
    _Field("createdTimeMsecs", "created", _is_int, default=now_msecs),
    _Field("lastUpdatedTimeMsecs", "updated", _is_int, default=now_msecs),
    _Field("description", "description", _is_str),
    _Field("restricted", "restricted", _is_bool),
    _Field("memberSids", "member_sids", _is_strs),
)

_KEY = (
    _Field("id", "id", _is_name, required=True),
    _Field("name", "name", _is_name, required=True),
    _Field("userSid", "user_sid", _is_name, required=True),
    _Field("secret", "secret", _is_name, required=True),
    _Field("createdByUserSid", "created_by", _is_str),  # default: the owner
    _Field("createdTimeMsecs", "created", _is_int, default=now_msecs),
    _Field("isActive", "active", _is_bool),
    _Field("expiryTimeMsecs", "expiry_time", _is_int),
    _Field("lastRotatedTimeMsecs", "last_rotated", _is_int),
)


def _dump(record: Any, fields: Tuple[_Field, ...]) -> Json:
    out: Json = {}
    for f in fields:
        value = getattr(record, f.attr)
        if value is not None:
            out[f.json] = list(value) if isinstance(value, list) else value
    return out


def _load(cls: Type[Record], value: Any, fields: Tuple[_Field, ...], where: str,
          extra: Optional[Mapping[str, Any]] = None) -> Record:
    item = _object(value, where, tuple(f.json for f in fields))
    kwargs: Dict[str, Any] = dict(extra or {})
    for f in fields:
        if item.get(f.json) is not None:
            field_value = _check(item[f.json], f.kind, f"{where}.{f.json}")
            kwargs[f.attr] = list(field_value) if isinstance(field_value, list) else field_value
        elif f.required:
            raise ValueError(f"{where}.{f.json}: is required")
        elif f.default is not None:
            kwargs[f.attr] = f.default()
    return cls(**kwargs)


# -- clusters -------------------------------------------------------------------------------

_CLUSTER_FIELDS = ("clusterId", "number", "nextRid", "users", "groups", "apiKeys",
                   "sessions", "sources")


def _dump_cluster(cluster_id: Optional[int], cluster: Cluster) -> Json:
    return {
        "clusterId": cluster_id,
        "number": cluster.number,
        "nextRid": cluster.next_rid,
        "users": [_dump(u, _USER) for u in cluster.users.values()],
        "groups": [_dump(g, _GROUP) for g in cluster.groups.values()],
        "apiKeys": [_dump(k, _KEY) for k in cluster.keys.values()],
        "sessions": dict(cluster.sessions),
        "sources": {sid: {"sourceIds": list(s.get("sourceIds") or []),
                          "viewIds": list(s.get("viewIds") or [])}
                    for sid, s in cluster.sources.items()},
    }


def _check_roles(roles: List[str], known: AbstractSet[str], where: str) -> None:
    for i, role in enumerate(roles):
        if role not in ROLE_PRIVILEGES and role not in known:
            raise ValueError(f"{where}[{i}]: role {role} does not exist; add it to "
                             "snapshot.roles")


def _load_cluster(value: Any, where: str, snapshot_key: Optional[str],
                  bootstrap_key: str, roles: AbstractSet[str]) -> Tuple[Optional[int], Cluster]:
    item = _object(value, where, _CLUSTER_FIELDS)
    if "clusterId" not in item:
        raise ValueError(f"{where}.clusterId: is required (null for the Helios level)")
    cluster_id = item["clusterId"]
    if cluster_id is not None:
        _check(cluster_id, _is_int, f"{where}.clusterId")
    if item.get("number") is None:
        raise ValueError(f"{where}.number: is required")
    number = _check(item["number"], _is_int, f"{where}.number")
    if number < 1:
        raise ValueError(f"{where}.number: must be positive")
    cluster = Cluster(number)

    names: Set[Tuple[str, str]] = set()
    for i, raw in enumerate(_list(item.get("users", []), f"{where}.users")):
        at = f"{where}.users[{i}]"
        user = _load(User, raw, _USER, at)
        user.domain = local_domain(user.domain)
        _check_roles(user.roles, roles, f"{at}.roles")
        if user.sid in cluster.users:
            raise ValueError(f"{at}.sid: {user.sid} is taken")
        if (user.domain.lower(), user.username.lower()) in names:
            raise ValueError(f"{at}: user {user.domain}\\{user.username} is there twice")
        if not user.is_local and (user.password is not None or user.email is not None):
            raise ValueError(f"{at}: only LOCAL users have a password or an email")
        names.add((user.domain.lower(), user.username.lower()))
        cluster.users[user.sid] = user

    names = set()
    for i, raw in enumerate(_list(item.get("groups", []), f"{where}.groups")):
        at = f"{where}.groups[{i}]"
        group = _load(Group, raw, _GROUP, at)
        group.domain = local_domain(group.domain)
        _check_roles(group.roles, roles, f"{at}.roles")
        group.member_sids = list(dict.fromkeys(group.member_sids))
        if group.sid in cluster.users or group.sid in cluster.groups:
            raise ValueError(f"{at}.sid: {group.sid} is taken")
        if (group.domain.lower(), group.name.lower()) in names:
            raise ValueError(f"{at}: group {group.domain}\\{group.name} is there twice")
        if group.member_sids and not group.is_local:
            raise ValueError(f"{at}.memberSids: only LOCAL groups have members")
        for sid in group.member_sids:
            if sid not in cluster.users:
                raise ValueError(f"{at}.memberSids: user {sid} is not in the cluster")
        names.add((group.domain.lower(), group.name.lower()))
        cluster.groups[group.sid] = group

    for i, raw in enumerate(_list(item.get("apiKeys", []), f"{where}.apiKeys")):
        at = f"{where}.apiKeys[{i}]"
        owner = raw.get("userSid") if isinstance(raw, Mapping) else None
        key = _load(ApiKey, raw, _KEY, at, {"created_by": owner})
        if key.id in cluster.keys:
            raise ValueError(f"{at}.id: {key.id} is taken")
        if key.user_sid not in cluster.users:
            raise ValueError(f"{at}.userSid: user {key.user_sid} is not in the cluster")
        if snapshot_key is not None and key.secret == snapshot_key:
            key.secret = bootstrap_key
        cluster.keys[key.id] = key

    sessions = item.get("sessions", {})
    if not isinstance(sessions, Mapping):
        raise ValueError(f"{where}.sessions: must be an object of session ids to user SIDs")
    for session_id, sid in sessions.items():
        if not isinstance(session_id, str) or not session_id or not isinstance(sid, str) \
                or sid not in cluster.users:
            raise ValueError(f"{where}.sessions: session {session_id!r} is not of a user "
                             "in the cluster")
        cluster.sessions[session_id] = sid

    sources = item.get("sources", {})
    if not isinstance(sources, Mapping):
        raise ValueError(f"{where}.sources: must be an object of SIDs to AssignedSources")
    for sid, raw in sources.items():
        at = f"{where}.sources[{sid!r}]"
        if sid not in cluster.users and sid not in cluster.groups:
            raise ValueError(f"{at}: no user or group has this SID")
        assigned = _object(raw, at, ("sourceIds", "viewIds"))
        cluster.sources[sid] = {
            name: list(_check(assigned.get(name, []), _is_ints, f"{at}.{name}"))
            for name in ("sourceIds", "viewIds")
        }

    in_use = [int(m.group(1)) for sid in [*cluster.users, *cluster.groups]
              for m in [re.fullmatch(rf"S-1-100-21-{number}-(\d+)", sid)] if m]
    lowest = max([FIRST_RID - 1, *in_use]) + 1
    if item.get("nextRid") is None:
        cluster.next_rid = lowest
    else:
        cluster.next_rid = _check(item["nextRid"], _is_int, f"{where}.nextRid")
        if cluster.next_rid < lowest:
            raise ValueError(f"{where}.nextRid: must be at least {lowest}, past every rid "
                             "in use")
    return cluster_id, cluster


# -- tenant access ---------------------------------------------------------------------------

_TENANT_FIELDS = ("tenantId", "tenantName", "roles", "clusters", "isAccessActive",
                  "tenantStatus", "tenantType", "createdTimeMsecs", "lastUpdatedTimeMsecs",
                  "effectiveTimeMsecs", "expiredTimeMsecs")
_CLUSTER_ID_FIELDS = ("clusterId", "clusterIncarnationId", "regionId")


def _load_tenant(value: Any, where: str) -> Json:
    """A ``TenantAccess`` entry; nulls are left out, as the fake's answers do."""
    item = {k: v for k, v in _object(value, where, _TENANT_FIELDS).items() if v is not None}
    for name in ("tenantId", "roles", "clusters"):
        if name not in item:
            raise ValueError(f"{where}.{name}: is required")
    if not _is_str(item["tenantId"]) or len(item["tenantId"]) < 2:
        raise ValueError(f"{where}.tenantId: must be a string of at least 2 characters")
    if not _check(item["roles"], _is_strs, f"{where}.roles"):
        raise ValueError(f"{where}.roles: must not be empty")
    if not _list(item["clusters"], f"{where}.clusters"):
        raise ValueError(f"{where}.clusters: must not be empty")
    clusters = []
    for i, raw in enumerate(item["clusters"]):
        at = f"{where}.clusters[{i}]"
        identifier = {k: v for k, v in _object(raw, at, _CLUSTER_ID_FIELDS).items()
                      if v is not None}
        for name in ("clusterId", "clusterIncarnationId"):
            if name in identifier:
                _check(identifier[name], _is_int, f"{at}.{name}")
        if "regionId" in identifier:
            _check(identifier["regionId"], _is_str, f"{at}.regionId")
        clusters.append(identifier)
    entry: Json = {**item, "roles": list(item["roles"]), "clusters": clusters}
    entry.setdefault("isAccessActive", True)
    _check(entry["isAccessActive"], _is_bool, f"{where}.isAccessActive")
    if "tenantName" in entry:
        _check(entry["tenantName"], _is_str, f"{where}.tenantName")
    for name, allowed in (("tenantStatus", _TENANT_STATUSES), ("tenantType", _TENANT_TYPES)):
        if name in entry and entry[name] not in allowed:
            raise ValueError(f"{where}.{name}: must be one of {', '.join(allowed)}")
    for name in ("createdTimeMsecs", "lastUpdatedTimeMsecs", "effectiveTimeMsecs",
                 "expiredTimeMsecs"):
        if name in entry:
            _check(entry[name], _is_int, f"{where}.{name}")
    return entry


# -- added roles ---------------------------------------------------------------------------


def _load_roles(value: Any, where: str) -> Dict[str, FrozenSet[str]]:
    """The added roles, by name, of a snapshot's ``roles``."""
    added: Dict[str, FrozenSet[str]] = {}
    for i, raw in enumerate(_list(value, where)):
        at = f"{where}[{i}]"
        item = _object(raw, at, ("name", "privileges"))
        for name in ("name", "privileges"):
            if name not in item:
                raise ValueError(f"{at}.{name}: is required")
        _check(item["privileges"], _is_strs, f"{at}.privileges")
        privileges = added_role(item["name"], item["privileges"], f"{at}.")
        if item["name"] in added:
            raise ValueError(f"{at}.name: role {item['name']} is there twice")
        added[item["name"]] = privileges
    return added


# -- the whole ----------------------------------------------------------------------------


def dump(clusters: Mapping[Optional[int], Cluster], roles: List[Json], tenants: List[Json],
         bootstrap_key: str) -> Json:
    """The snapshot of this state: plain JSON values only, none shared with it."""
    return {
        "version": VERSION,
        "bootstrapKey": bootstrap_key,
        "roles": roles,
        "clusters": [_dump_cluster(cid, cluster) for cid, cluster in clusters.items()],
        "tenantAccess": tenants,
    }


def load(snapshot: Any, bootstrap_key: str) -> Tuple[
        Dict[Optional[int], Cluster], Dict[str, FrozenSet[str]], Optional[List[Json]]]:
    """The clusters, added roles and tenant access entries (``None``: the seeded ones)
    of ``snapshot``; a ``ValueError`` naming the first problem when it is not one."""
    if not isinstance(snapshot, Mapping):
        raise ValueError("snapshot: must be a JSON object")
    if "version" not in snapshot:
        raise ValueError("snapshot.version: is required")
    if not _is_int(snapshot["version"]) or snapshot["version"] != VERSION:
        raise ValueError(f"snapshot.version: {snapshot['version']!r} is not supported "
                         f"(this fake reads version {VERSION})")
    _object(snapshot, "snapshot", ("version", "bootstrapKey", "roles", "clusters",
                                   "tenantAccess"))
    snapshot_key = snapshot.get("bootstrapKey")
    if snapshot_key is not None:
        _check(snapshot_key, _is_name, "snapshot.bootstrapKey")
    roles = _load_roles([] if snapshot.get("roles") is None else snapshot["roles"],
                        "snapshot.roles")

    clusters: Dict[Optional[int], Cluster] = {}
    numbers: Set[int] = set()
    for i, raw in enumerate(_list(snapshot.get("clusters", []), "snapshot.clusters")):
        where = f"snapshot.clusters[{i}]"
        cluster_id, cluster = _load_cluster(raw, where, snapshot_key, bootstrap_key,
                                            roles.keys())
        if cluster_id in clusters:
            raise ValueError(f"{where}.clusterId: cluster {cluster_id} is there twice")
        if cluster.number in numbers:
            raise ValueError(f"{where}.number: {cluster.number} is another cluster's")
        numbers.add(cluster.number)
        clusters[cluster_id] = cluster

    tenants: Optional[List[Json]] = None
    if snapshot.get("tenantAccess") is not None:
        tenants = [_load_tenant(raw, f"snapshot.tenantAccess[{i}]") for i, raw in
                   enumerate(_list(snapshot["tenantAccess"], "snapshot.tenantAccess"))]
    return clusters, roles, tenants
