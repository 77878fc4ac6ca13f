"""What the fake remembers, and what each operation does to it.

Pure logic on JSON-like values: requests arrive here already routed, authenticated and
checked against their schema (``schema``), and answers leave as dicts in the spec's
shape. Nothing here knows about HTTP.

Rules a test may rely on:

- Each ``accessClusterId`` is a cluster of its own, made on first use; ``None`` is the
  Helios-level (default) cluster. Every cluster starts with the LOCAL user ``admin``
  (password ``admin``, roles ``["COHESITY_ADMIN"]``) owning an API key whose secret is
  the bootstrap key. Deleting ``admin`` or deactivating that key on a cluster locks the
  bootstrap key out of that cluster only.
- SIDs look like ``S-1-100-21-<cluster number>-<rid>``; users and groups share the rids.
- LOCAL users have ``primaryGroup`` ``"local-users"``; directory users have none.
  ``otherGroups`` lists the groups whose ``localGroupParams.userSids`` hold the user.
- Optional fields that are not set are left out of answers, never sent as ``null``
  (``records``).
- Tenants: without ``tenantIds`` and ``includeTenants``, user and group lists hold only
  objects of no tenant; ``includeTenants=true`` adds every tenant's; ``tenantIds``
  returns exactly those tenants' objects. ``create_users`` accepts ``tenantId`` in an
  item (beyond the spec) so that tenant users can be made.
- Every request is checked whole before anything changes: a refused request leaves the
  state as it was.
"""

from __future__ import annotations

import secrets
import threading
import uuid
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, Callable, Dict, Iterable, Iterator, List, Mapping, Optional, Sequence

from cohesity_sdk.helios.testing import saved_state
from cohesity_sdk.helios.testing.errors import bad_request, conflict, not_found, unauthorized
from cohesity_sdk.helios.testing.records import (
    LOCAL,
    ApiKey,
    Cluster,
    Group,
    Json,
    User,
    group_json,
    key_json,
    new_secret,
    now_msecs,
    sources_json,
    user_json,
)
from cohesity_sdk.helios.testing.tenants import ClusterSpec, TenantAccessList

ADMIN_USERNAME = "admin"
ADMIN_PASSWORD = "admin"
ADMIN_ROLES = ("COHESITY_ADMIN",)
BOOTSTRAP_KEY_NAME = "bootstrap"


@dataclass(frozen=True)
class Call:
    """One authenticated, schema-checked request."""

    cluster_id: Optional[int]
    caller_sid: str
    path: Mapping[str, str] = field(default_factory=dict)
    query: Mapping[str, Any] = field(default_factory=dict)
    body: Any = None


Operation = Callable[[Cluster, Call], Optional[Json]]


class HeliosState:
    """Every cluster's state plus the Helios-level tenant access list, behind one lock."""

    def __init__(self, bootstrap_key: str) -> None:
        self.bootstrap_key = bootstrap_key
        self._lock = threading.RLock()
        self._clusters: Dict[Optional[int], Cluster] = {}
        self._tenants = TenantAccessList()
        self._operations: Dict[str, Operation] = {
            "create_users": self._create_users,
            "get_users": self._get_users,
            "get_user_by_sid": self._get_user_by_sid,
            "update_user": self._update_user,
            "delete_user": self._delete_user,
            "delete_users": self._delete_users,
            "regenerate_s3_key": self._regenerate_s3_key,
            "create_session": self._create_session,
            "get_active_sessions_count": self._get_active_sessions_count,
            "delete_session": self._delete_session,
            "create_user_api_key": self._create_user_api_key,
            "get_user_api_keys": self._get_user_api_keys,
            "get_all_api_keys": self._get_all_api_keys,
            "get_user_api_key_by_id": self._get_user_api_key_by_id,
            "update_user_api_key_by_id": self._update_user_api_key_by_id,
            "rotate_user_api_key": self._rotate_user_api_key,
            "delete_user_api_key_by_id": self._delete_user_api_key_by_id,
            "create_group": self._create_group,
            "get_groups": self._get_groups,
            "get_group_by_sid": self._get_group_by_sid,
            "update_group": self._update_group,
            "delete_group": self._delete_group,
            "delete_groups": self._delete_groups,
            "get_security_principals": self._get_security_principals,
            "get_principal_sources": self._get_principal_sources,
            "update_principal_sources": self._update_principal_sources,
            "get_tenant_access": self._get_tenant_access,
        }
        self.reset()

    @property
    def operation_ids(self) -> Iterable[str]:
        return self._operations.keys()

    def reset(self) -> None:
        """Forget every cluster and go back to the seeded tenant access entries."""
        with self._lock:
            self._clusters = {}
            self._tenants.reset()

    # -- entry points ----------------------------------------------------------------

    def authenticate(
        self, cluster_id: Optional[int], api_key: Optional[str],
        session_id: Optional[str] = None,
    ) -> str:
        """The SID of the user owning ``api_key`` (or, without a key, ``session_id``) on
        that cluster; 401 otherwise, and for the session of a locked or expired user."""
        if not api_key and not session_id:
            raise unauthorized("the apiKey or session-id header is required")
        with self._lock:
            cluster = self._clusters.get(cluster_id)
            if cluster is None:
                # Only the bootstrap key, valid on every cluster, may bring one into being:
                # a refused caller leaves nothing behind.
                if not api_key or not secrets.compare_digest(
                        api_key.encode(), self.bootstrap_key.encode()):
                    raise unauthorized(f"the {'API key' if api_key else 'session'} "
                                       "is not valid on this cluster")
                cluster = self._cluster(cluster_id)
            if not api_key:
                user_sid = cluster.sessions.get(session_id or "")
                if user_sid is None:
                    raise unauthorized("the session is not valid on this cluster")
                _refuse_inactive(cluster.users[user_sid], now_msecs())
                return user_sid
            for key in cluster.keys.values():
                if secrets.compare_digest(key.secret.encode(), api_key.encode()):
                    if not key.active:
                        raise unauthorized(f"API key {key.id} is inactive")
                    if key.expired(now_msecs()):
                        raise unauthorized(f"API key {key.id} has expired")
                    return key.user_sid
        raise unauthorized("the API key is not valid on this cluster")

    def expire_sessions(self) -> int:
        """End every session on every cluster, as if each had timed out; how many ended."""
        with self._lock:
            ended = 0
            for cluster in self._clusters.values():
                ended += len(cluster.sessions)
                cluster.sessions.clear()
            return ended

    @contextmanager
    def request(self, cluster_id: Optional[int]) -> Iterator[None]:
        """Hold the state for one request, from ``authenticate`` to ``perform``: a cluster
        it brought into being goes again if it is refused, so it leaves no trace."""
        with self._lock:
            made = cluster_id not in self._clusters
            try:
                yield
            except Exception:
                if made:
                    self._clusters.pop(cluster_id, None)
                raise

    def perform(self, operation_id: str, call: Call) -> Optional[Json]:
        """Carry out one operation; its answer body, or ``None`` for a 204."""
        operation = self._operations[operation_id]
        with self.request(call.cluster_id):
            return operation(self._cluster(call.cluster_id), call)

    def add_tenant_access(
        self,
        tenant_id: str,
        roles: Sequence[str],
        clusters: Sequence[ClusterSpec],
        active: bool = True,
        **details: Any,
    ) -> Json:
        """See ``TenantAccessList.add``."""
        with self._lock:
            return self._tenants.add(tenant_id, roles, clusters, active, **details)

    def snapshot(self) -> Json:
        """Every cluster and the tenant access list as plain JSON (``saved_state``)."""
        with self._lock:
            return saved_state.dump(self._clusters, self._tenants.entries(),
                                    self.bootstrap_key)

    def restore(self, snapshot: Any) -> None:
        """Replace the state with ``snapshot``'s; a ``ValueError`` leaves it as it was."""
        clusters, tenants = saved_state.load(snapshot, self.bootstrap_key)
        with self._lock:
            self._clusters = clusters
            if tenants is None:
                self._tenants.reset()
            else:
                self._tenants.replace(tenants)

    # -- clusters ----------------------------------------------------------------------

    def _cluster(self, cluster_id: Optional[int]) -> Cluster:
        cluster = self._clusters.get(cluster_id)
        if cluster is None:
            taken = {c.number for c in self._clusters.values()}
            number = secrets.randbelow(9 * 10**8) + 10**8
            while number in taken:
                number = secrets.randbelow(9 * 10**8) + 10**8
            cluster = Cluster(number)
            created = now_msecs()
            admin = User(
                sid=cluster.new_sid(), username=ADMIN_USERNAME, domain=LOCAL,
                roles=list(ADMIN_ROLES), created=created, updated=created,
                description="Seeded administrator", password=ADMIN_PASSWORD,
            )
            cluster.users[admin.sid] = admin
            key = ApiKey(
                id=str(uuid.uuid4()), name=BOOTSTRAP_KEY_NAME, user_sid=admin.sid,
                created_by=admin.sid, created=created, secret=self.bootstrap_key,
            )
            cluster.keys[key.id] = key
            self._clusters[cluster_id] = cluster
        return cluster

    # -- users -------------------------------------------------------------------------

    def _create_users(self, cluster: Cluster, call: Call) -> Json:
        items: List[Json] = call.body
        seen = set()
        for i, item in enumerate(items):
            where = f"body[{i}]"
            username = _non_empty(item["username"], f"{where}.username")
            domain = _domain(_non_empty(item["domain"], f"{where}.domain"))
            if domain != LOCAL and item.get("localUserParams") is not None:
                raise bad_request(f"{where}.localUserParams: only LOCAL users have it")
            name = (domain.lower(), username.lower())
            if name in seen or _find_user(cluster, domain, username) is not None:
                raise conflict(f"{where}: user {domain}\\{username} already exists")
            seen.add(name)
        created: List[User] = []
        for item in items:
            stamp = now_msecs()
            local = item.get("localUserParams") or {}
            user = User(
                sid=cluster.new_sid(), username=item["username"],
                domain=_domain(item["domain"]), roles=list(item.get("roles") or []),
                created=stamp, updated=stamp, description=item.get("description"),
                effective_time=item.get("effectiveTimeMsecs"),
                expiry_time=item.get("expiryTimeMsecs"), locked=bool(item.get("locked")),
                restricted=bool(item.get("restricted")), email=local.get("email"),
                password=local.get("password"), tenant_id=item.get("tenantId"),
            )
            cluster.users[user.sid] = user
            created.append(user)
        return {"users": [user_json(cluster, u) for u in created]}

    def _get_users(self, cluster: Cluster, call: Call) -> Json:
        q = call.query
        found = []
        for user in cluster.users.values():
            if "domain" in q and user.domain.lower() != q["domain"].lower():
                continue
            if "sids" in q and user.sid not in q["sids"]:
                continue
            if "usernames" in q and not _name_matches(
                user.username, q["usernames"], q.get("matchPartialNames", False)
            ):
                continue
            if "emailAddresses" in q and (user.email or "").lower() not in {
                e.lower() for e in q["emailAddresses"]
            }:
                continue
            if "roles" in q and not set(user.roles) & set(q["roles"]):
                continue
            if not _tenant_visible([user.tenant_id] if user.tenant_id else [], q):
                continue
            found.append(user_json(cluster, user))
        return {"users": found}

    def _get_user_by_sid(self, cluster: Cluster, call: Call) -> Json:
        return user_json(cluster, _user(cluster, call.path["sid"]))

    def _update_user(self, cluster: Cluster, call: Call) -> Json:
        user = _user(cluster, call.path["sid"])
        body: Json = call.body
        local = body.get("localUserParams")
        if local is not None:
            if not user.is_local:
                raise bad_request("body.localUserParams: only LOCAL users have it")
            current = local.get("currentPassword")
            if current is not None and current != user.password:
                raise bad_request("body.localUserParams.currentPassword: does not match")
            if local.get("password") == "":
                raise bad_request("body.localUserParams.password: must not be empty")
        # Checked; now change.
        for key, attr in (("description", "description"),
                          ("effectiveTimeMsecs", "effective_time"),
                          ("expiryTimeMsecs", "expiry_time")):
            if key in body:
                setattr(user, attr, body[key])
        if body.get("locked") is not None:
            user.locked = body["locked"]
        if body.get("restricted") is not None:
            user.restricted = body["restricted"]
        if "roles" in body:
            user.roles = list(body["roles"] or [])
        if local is not None:
            if "email" in local:
                user.email = local["email"]
            if local.get("password") is not None:
                user.password = local["password"]
        user.updated = now_msecs()
        return user_json(cluster, user)

    def _delete_user(self, cluster: Cluster, call: Call) -> None:
        _remove_user(cluster, _user(cluster, call.path["sid"]).sid)
        return None

    def _delete_users(self, cluster: Cluster, call: Call) -> None:
        sids: List[str] = call.body["sids"]
        for sid in sids:
            _user(cluster, sid)
        for sid in dict.fromkeys(sids):
            _remove_user(cluster, sid)
        return None

    def _regenerate_s3_key(self, cluster: Cluster, call: Call) -> Json:
        user = _user(cluster, call.path["sid"])
        user.s3_secret_key = new_secret()
        return {"secret-key": user.s3_secret_key}

    # -- sessions ----------------------------------------------------------------------

    def _create_session(self, cluster: Cluster, call: Call) -> Json:
        body: Json = call.body
        username = body.get("username")
        if not username:
            raise bad_request("body.username: is required")
        if body.get("password") is None:
            raise bad_request("body.password: is required")
        domain = _domain(body.get("domain") or LOCAL)
        user = _find_user(cluster, domain, username)
        if (user is None or not user.is_local or user.password is None
                or not secrets.compare_digest(user.password.encode(),
                                              body["password"].encode())):
            raise unauthorized("invalid username or password")
        now = now_msecs()
        _refuse_inactive(user, now)
        session_id = secrets.token_urlsafe(24)
        cluster.sessions[session_id] = user.sid
        user.last_login = now
        return {"sessionId": session_id}

    def _get_active_sessions_count(self, cluster: Cluster, call: Call) -> Json:
        wanted = call.query.get("sids")
        counts: Dict[str, int] = {}
        for sid in cluster.sessions.values():
            counts[sid] = counts.get(sid, 0) + 1
        per_user = [
            {"sid": sid, "sessionsCount": counts[sid]}
            for sid in cluster.users
            if sid in counts and (wanted is None or sid in wanted)
        ]
        return {
            "totalSessionsCount": sum(entry["sessionsCount"] for entry in per_user),
            "sessionsPerUser": per_user,
        }

    def _delete_session(self, cluster: Cluster, call: Call) -> None:
        sid = call.query.get("sid")
        if sid is None:
            cluster.sessions.clear()
        else:
            _user(cluster, sid)
            _drop_sessions(cluster, sid)
        return None

    # -- API keys ----------------------------------------------------------------------

    def _create_user_api_key(self, cluster: Cluster, call: Call) -> Json:
        owner = _user(cluster, call.path["userSid"])
        body: Json = call.body
        name = _non_empty(body["name"], "body.name")
        active = body.get("isActive")
        key = ApiKey(
            id=str(uuid.uuid4()), name=name, user_sid=owner.sid, created_by=call.caller_sid,
            created=now_msecs(), secret=new_secret(),
            active=True if active is None else active, expiry_time=body.get("expiryTimeMsecs"),
        )
        cluster.keys[key.id] = key
        return {**key_json(key), "apiKey": key.secret}

    def _get_user_api_keys(self, cluster: Cluster, call: Call) -> Json:
        owner = _user(cluster, call.path["userSid"])
        keys = [k for k in cluster.keys.values() if k.user_sid == owner.sid]
        return {"apiKeys": [key_json(k) for k in _filter_keys(keys, call.query)]}

    def _get_all_api_keys(self, cluster: Cluster, call: Call) -> Json:
        keys = list(cluster.keys.values())
        if "ownerSids" in call.query:
            keys = [k for k in keys if k.user_sid in call.query["ownerSids"]]
        return {"apiKeys": [key_json(k) for k in _filter_keys(keys, call.query)]}

    def _get_user_api_key_by_id(self, cluster: Cluster, call: Call) -> Json:
        return key_json(_key(cluster, call))

    def _update_user_api_key_by_id(self, cluster: Cluster, call: Call) -> Json:
        key = _key(cluster, call)
        body: Json = call.body
        name = _non_empty(body["name"], "body.name")
        key.name = name
        if body.get("isActive") is not None:
            key.active = body["isActive"]
        if "expiryTimeMsecs" in body:
            key.expiry_time = body["expiryTimeMsecs"]
        return key_json(key)

    def _rotate_user_api_key(self, cluster: Cluster, call: Call) -> Json:
        key = _key(cluster, call)
        key.secret = new_secret()
        key.last_rotated = now_msecs()
        return {**key_json(key), "apiKey": key.secret}

    def _delete_user_api_key_by_id(self, cluster: Cluster, call: Call) -> None:
        del cluster.keys[_key(cluster, call).id]
        return None

    # -- groups ------------------------------------------------------------------------

    def _create_group(self, cluster: Cluster, call: Call) -> Json:
        items: List[Json] = call.body
        seen = set()
        for i, item in enumerate(items):
            where = f"body[{i}]"
            name = _non_empty(item["name"], f"{where}.name")
            domain = _domain(_non_empty(item["domain"], f"{where}.domain"))
            _check_members(cluster, domain, item.get("localGroupParams"), where)
            key = (domain.lower(), name.lower())
            if key in seen or _find_group(cluster, domain, name) is not None:
                raise conflict(f"{where}: group {domain}\\{name} already exists")
            seen.add(key)
        created: List[Group] = []
        for item in items:
            stamp = now_msecs()
            group = Group(
                sid=cluster.new_sid(), name=item["name"], domain=_domain(item["domain"]),
                roles=list(item.get("roles") or []),
                tenant_ids=list(item.get("tenantIds") or []), created=stamp, updated=stamp,
                description=item.get("description"), restricted=bool(item.get("restricted")),
                member_sids=_members(item.get("localGroupParams")),
            )
            cluster.groups[group.sid] = group
            created.append(group)
        return {"groups": [group_json(g) for g in created]}

    def _get_groups(self, cluster: Cluster, call: Call) -> Json:
        q = call.query
        found = []
        for group in cluster.groups.values():
            if "domain" in q and group.domain.lower() != q["domain"].lower():
                continue
            if "sids" in q and group.sid not in q["sids"]:
                continue
            if "names" in q and not _name_matches(
                group.name, q["names"], q.get("matchPartialNames", False)
            ):
                continue
            if "roles" in q and not set(group.roles) & set(q["roles"]):
                continue
            if not _tenant_visible(group.tenant_ids, q):
                continue
            found.append(group_json(group))
        return {"groups": found}

    def _get_group_by_sid(self, cluster: Cluster, call: Call) -> Json:
        return group_json(_group(cluster, call.path["sid"]))

    def _update_group(self, cluster: Cluster, call: Call) -> Json:
        group = _group(cluster, call.path["sid"])
        body: Json = call.body
        _check_members(cluster, group.domain, body.get("localGroupParams"), "body")
        if "description" in body:
            group.description = body["description"]
        if body.get("restricted") is not None:
            group.restricted = body["restricted"]
        if "roles" in body:
            group.roles = list(body["roles"])
        if "tenantIds" in body:
            group.tenant_ids = list(body["tenantIds"])
        if body.get("localGroupParams") is not None:
            group.member_sids = _members(body["localGroupParams"])
        group.updated = now_msecs()
        return group_json(group)

    def _delete_group(self, cluster: Cluster, call: Call) -> None:
        _remove_group(cluster, _group(cluster, call.path["sid"]).sid)
        return None

    def _delete_groups(self, cluster: Cluster, call: Call) -> None:
        sids: List[str] = call.body["sids"]
        for sid in sids:
            _group(cluster, sid)
        for sid in dict.fromkeys(sids):
            _remove_group(cluster, sid)
        return None

    # -- security principals -------------------------------------------------------------

    def _get_security_principals(self, cluster: Cluster, call: Call) -> Json:
        found = []
        for sid in dict.fromkeys(call.query["sids"]):
            user = cluster.users.get(sid)
            group = cluster.groups.get(sid)
            if user is not None:
                found.append({"objectClass": "User", "principalName": user.username,
                              "domainName": user.domain, "fullName": user.username,
                              "sid": sid})
            elif group is not None:
                found.append({"objectClass": "Group", "principalName": group.name,
                              "domainName": group.domain, "fullName": group.name, "sid": sid})
        return {"securityPrincipals": found}

    def _get_principal_sources(self, cluster: Cluster, call: Call) -> Json:
        sid = _principal(cluster, call.path["sid"])
        return sources_json(cluster.sources.get(sid))

    def _update_principal_sources(self, cluster: Cluster, call: Call) -> Json:
        sid = _principal(cluster, call.path["sid"])
        # A PUT replaces both lists; one left out becomes empty.
        cluster.sources[sid] = sources_json(call.body)
        return sources_json(cluster.sources[sid])



    # -- tenant access -----------------------------------------------------------------

    def _get_tenant_access(self, cluster: Cluster, call: Call) -> Json:
        tenants = self._tenants.query(call.query.get("tenantIds"),
                                      call.query.get("includeInactive", False))
        return {"tenantAccesses": tenants}


# -- lookups -----------------------------------------------------------------------------


def _domain(domain: str) -> str:
    """``LOCAL`` in any case is the local domain; other domains are kept as given."""
    return LOCAL if domain.upper() == LOCAL else domain


def _refuse_inactive(user: User, now: int) -> None:
    """401 for a user who may not log in: locked, expired, or not yet effective."""
    if user.locked:
        raise unauthorized("the user is locked")
    if user.expiry_time is not None and user.expiry_time <= now:
        raise unauthorized("the user has expired")
    if user.effective_time is not None and user.effective_time > now:
        raise unauthorized("the user is not effective yet")


def _non_empty(value: str, where: str) -> str:
    if not value.strip():
        raise bad_request(f"{where}: must not be empty")
    return value


def _find_user(cluster: Cluster, domain: str, username: str) -> Optional[User]:
    for user in cluster.users.values():
        if user.domain.lower() == domain.lower() and user.username.lower() == username.lower():
            return user
    return None


def _find_group(cluster: Cluster, domain: str, name: str) -> Optional[Group]:
    for group in cluster.groups.values():
        if group.domain.lower() == domain.lower() and group.name.lower() == name.lower():
            return group
    return None


def _user(cluster: Cluster, sid: str) -> User:
    user = cluster.users.get(sid)
    if user is None:
        raise not_found(f"user {sid} not found")
    return user


def _group(cluster: Cluster, sid: str) -> Group:
    group = cluster.groups.get(sid)
    if group is None:
        raise not_found(f"group {sid} not found")
    return group


def _principal(cluster: Cluster, sid: str) -> str:
    if sid not in cluster.users and sid not in cluster.groups:
        raise not_found(f"principal {sid} not found")
    return sid


def _key(cluster: Cluster, call: Call) -> ApiKey:
    owner = _user(cluster, call.path["userSid"])
    key = cluster.keys.get(call.path["id"])
    if key is None or key.user_sid != owner.sid:
        raise not_found(f"API key {call.path['id']} of user {owner.sid} not found")
    return key


def _name_matches(name: str, wanted: List[str], partial: bool) -> bool:
    lowered = name.lower()
    if partial:
        return any(w.lower() in lowered for w in wanted)
    return any(w.lower() == lowered for w in wanted)


def _tenant_visible(tenant_ids: List[str], query: Mapping[str, Any]) -> bool:
    if "tenantIds" in query:
        return bool(set(tenant_ids) & set(query["tenantIds"]))
    return not tenant_ids or bool(query.get("includeTenants"))


def _filter_keys(keys: List[ApiKey], query: Mapping[str, Any]) -> List[ApiKey]:
    now = now_msecs()
    return [
        k for k in keys
        if ("ids" not in query or k.id in query["ids"])
        and ("isActive" not in query or k.active == query["isActive"])
        and ("isExpired" not in query or k.expired(now) == query["isExpired"])
    ]


def _check_members(
    cluster: Cluster, domain: str, local: Optional[Json], where: str
) -> None:
    if local is None:
        return
    if domain != LOCAL:
        raise bad_request(f"{where}.localGroupParams: only LOCAL groups have it")
    for i, sid in enumerate(local.get("userSids") or []):
        if sid not in cluster.users:
            raise not_found(f"{where}.localGroupParams.userSids[{i}]: user {sid} not found")


def _members(local: Optional[Json]) -> List[str]:
    return list(dict.fromkeys((local or {}).get("userSids") or []))


# -- removal cascades ----------------------------------------------------------------------


def _drop_sessions(cluster: Cluster, sid: str) -> None:
    for session_id in [s for s, owner in cluster.sessions.items() if owner == sid]:
        del cluster.sessions[session_id]


def _remove_user(cluster: Cluster, sid: str) -> None:
    """A user goes with its sessions, API keys, group memberships and sources."""
    del cluster.users[sid]
    _drop_sessions(cluster, sid)
    for key_id in [k.id for k in cluster.keys.values() if k.user_sid == sid]:
        del cluster.keys[key_id]
    for group in cluster.groups.values():
        if sid in group.member_sids:
            group.member_sids.remove(sid)
    cluster.sources.pop(sid, None)


def _remove_group(cluster: Cluster, sid: str) -> None:
    del cluster.groups[sid]
    cluster.sources.pop(sid, None)


__all__ = ["Call", "ClusterSpec", "HeliosState"]
