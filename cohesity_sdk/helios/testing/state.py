"""What the fake remembers, and what each operation does to it.

Pure logic: requests arrive here already routed, authenticated and checked against
their schema (``schema``), as Python keyword arguments (bodies stay JSON-like dicts, in
the API's shape), and answers leave as dicts in the spec's shape. Nothing here knows
about HTTP.

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
- A new LOCAL user needs ``localUserParams`` with a password (Cohesity requires one);
  directory users have neither.
- A locked, expired or not yet effective user is refused (401) whatever its
  credentials: its API keys as well as its sessions.
- Who may call what is ``roles``'s table; a refused call answers 403.
- Every request is checked whole before anything changes: a refused request leaves the
  state as it was.
"""

from __future__ import annotations

import functools
import secrets
import threading
import uuid
from contextlib import contextmanager
from typing import (
    Any,
    Callable,
    Dict,
    Iterable,
    Iterator,
    List,
    Mapping,
    Optional,
    Sequence,
    TypeVar,
    cast,
)

from cohesity_sdk.helios.testing import roles as rbac, saved_state
from cohesity_sdk.helios.testing.errors import (
    bad_request,
    conflict,
    forbidden,
    not_found,
    unauthorized,
)
from cohesity_sdk.helios.testing.operations import OPERATIONS
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


F = TypeVar("F", bound=Callable[..., Optional[Json]])


def _operation(method: F) -> F:
    """An operation of the API: run under the state's lock, once ``roles`` lets the
    caller run it with these arguments."""
    operation_id = method.__name__

    @functools.wraps(method)
    def run(self: "HeliosState", cluster_id: Optional[int], caller_sid: str,
            **arguments: Any) -> Optional[Json]:
        with self._lock:
            rbac.authorize(operation_id, self._cluster(cluster_id), caller_sid, arguments)
            return method(self, cluster_id, caller_sid, **arguments)

    return cast(F, run)


class HeliosState:
    """Every cluster's state plus the Helios-level tenant access list, behind one lock.

    Each operation of the API is the method of its operation id, called with the
    cluster (the ``accessClusterId``, None for the Helios level), the caller's SID and
    the request's parameters as keyword arguments, by their Python names (``sids``,
    ``match_partial_names``...), the body as ``body``. It answers the response body as
    JSON, or ``None`` for a 204.
    """

    def __init__(self, bootstrap_key: str) -> None:
        self.bootstrap_key = bootstrap_key
        self._lock = threading.RLock()
        self._clusters: Dict[Optional[int], Cluster] = {}
        self._tenants = TenantAccessList()
        self.reset()

    @property
    def operation_ids(self) -> Iterable[str]:
        """The API's operations that this state carries out."""
        return [op for op in OPERATIONS if callable(getattr(self, op, None))]

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
        that cluster; 401 otherwise, and for a locked, expired or not yet effective user
        whatever the credentials."""
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
            now = now_msecs()
            if not api_key:
                user_sid = cluster.sessions.get(session_id or "")
                if user_sid is None:
                    raise unauthorized("the session is not valid on this cluster")
                _refuse_inactive(cluster.users[user_sid], now)
                return user_sid
            for key in cluster.keys.values():
                if secrets.compare_digest(key.secret.encode(), api_key.encode()):
                    if not key.active:
                        raise unauthorized(f"API key {key.id} is inactive")
                    if key.expired(now):
                        raise unauthorized(f"API key {key.id} has expired")
                    _refuse_inactive(cluster.users[key.user_sid], now)
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

    def perform(self, operation_id: str, cluster_id: Optional[int], caller_sid: str,
                arguments: Mapping[str, Any]) -> Optional[Json]:
        """Carry out one operation (see the class); its answer body, or ``None`` for a
        204."""
        operation: Callable[..., Optional[Json]] = getattr(self, operation_id)
        with self.request(cluster_id):
            return operation(cluster_id, caller_sid, **arguments)

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

    @_operation
    def create_users(self, cluster_id: Optional[int], caller_sid: str, *,
                     body: List[Json]) -> Json:
        cluster = self._cluster(cluster_id)
        seen = set()
        for i, item in enumerate(body):
            where = f"body[{i}]"
            username = _non_empty(item["username"], f"{where}.username")
            domain = _domain(_non_empty(item["domain"], f"{where}.domain"))
            local = item.get("localUserParams")
            if domain != LOCAL and local is not None:
                raise bad_request(f"{where}.localUserParams: only LOCAL users have it")
            if domain == LOCAL:
                # Cohesity requires a password for a new LOCAL user.
                if local is None:
                    raise bad_request(f"{where}.localUserParams: is required for a LOCAL user")
                if not local.get("password"):
                    raise bad_request(
                        f"{where}.localUserParams.password: is required for a LOCAL user")
            name = (domain.lower(), username.lower())
            if name in seen or _find_user(cluster, domain, username) is not None:
                raise conflict(f"{where}: user {username} already exists in domain {domain}")
            seen.add(name)
        created: List[User] = []
        for item in body:
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

    @_operation
    def get_users(
        self, cluster_id: Optional[int], caller_sid: str, *,
        domain: Optional[str] = None, sids: Optional[List[str]] = None,
        usernames: Optional[List[str]] = None, match_partial_names: bool = False,
        email_addresses: Optional[List[str]] = None, roles: Optional[List[str]] = None,
        tenant_ids: Optional[List[str]] = None, include_tenants: bool = False,
    ) -> Json:
        cluster = self._cluster(cluster_id)
        found = []
        for user in cluster.users.values():
            if domain is not None and user.domain.lower() != domain.lower():
                continue
            if sids is not None and user.sid not in sids:
                continue
            if usernames is not None and not _name_matches(
                user.username, usernames, match_partial_names
            ):
                continue
            if email_addresses is not None and (user.email or "").lower() not in {
                e.lower() for e in email_addresses
            }:
                continue
            if roles is not None and not set(user.roles) & set(roles):
                continue
            if not _tenant_visible([user.tenant_id] if user.tenant_id else [], tenant_ids,
                                   include_tenants):
                continue
            found.append(user_json(cluster, user))
        return {"users": found}

    @_operation
    def get_user_by_sid(self, cluster_id: Optional[int], caller_sid: str, *,
                        sid: str) -> Json:
        cluster = self._cluster(cluster_id)
        return user_json(cluster, _user(cluster, sid))

    @_operation
    def update_user(self, cluster_id: Optional[int], caller_sid: str, *, sid: str,
                    body: Json) -> Json:
        cluster = self._cluster(cluster_id)
        user = _user(cluster, sid)
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

    @_operation
    def delete_user(self, cluster_id: Optional[int], caller_sid: str, *, sid: str) -> None:
        cluster = self._cluster(cluster_id)
        _remove_user(cluster, _user(cluster, sid).sid)
        return None

    @_operation
    def delete_users(self, cluster_id: Optional[int], caller_sid: str, *, body: Json) -> None:
        cluster = self._cluster(cluster_id)
        sids: List[str] = body["sids"]
        for sid in sids:
            _user(cluster, sid)
        for sid in dict.fromkeys(sids):
            _remove_user(cluster, sid)
        return None

    @_operation
    def regenerate_s3_key(self, cluster_id: Optional[int], caller_sid: str, *,
                          sid: str) -> Json:
        user = _user(self._cluster(cluster_id), sid)
        user.s3_secret_key = new_secret()
        return {"secret-key": user.s3_secret_key}

    # -- sessions ----------------------------------------------------------------------

    @_operation
    def create_session(self, cluster_id: Optional[int], caller_sid: str, *,
                       body: Json) -> Json:
        cluster = self._cluster(cluster_id)
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

    @_operation
    def get_active_sessions_count(self, cluster_id: Optional[int], caller_sid: str, *,
                                  sids: Optional[List[str]] = None) -> Json:
        cluster = self._cluster(cluster_id)
        counts: Dict[str, int] = {}
        for sid in cluster.sessions.values():
            counts[sid] = counts.get(sid, 0) + 1
        per_user = [
            {"sid": sid, "sessionsCount": counts[sid]}
            for sid in cluster.users
            if sid in counts and (sids is None or sid in sids)
        ]
        return {
            "totalSessionsCount": sum(entry["sessionsCount"] for entry in per_user),
            "sessionsPerUser": per_user,
        }

    @_operation
    def delete_session(self, cluster_id: Optional[int], caller_sid: str, *,
                       sid: Optional[str] = None) -> None:
        cluster = self._cluster(cluster_id)
        if sid is None:
            cluster.sessions.clear()
        else:
            _user(cluster, sid)
            _drop_sessions(cluster, sid)
        return None

    # -- API keys ----------------------------------------------------------------------

    @_operation
    def create_user_api_key(self, cluster_id: Optional[int], caller_sid: str, *,
                            user_sid: str, body: Json) -> Json:
        cluster = self._cluster(cluster_id)
        owner = _user(cluster, user_sid)
        name = _non_empty(body["name"], "body.name")
        active = body.get("isActive")
        key = ApiKey(
            id=str(uuid.uuid4()), name=name, user_sid=owner.sid, created_by=caller_sid,
            created=now_msecs(), secret=new_secret(),
            active=True if active is None else active, expiry_time=body.get("expiryTimeMsecs"),
        )
        cluster.keys[key.id] = key
        return {**key_json(key), "apiKey": key.secret}

    @_operation
    def get_user_api_keys(
        self, cluster_id: Optional[int], caller_sid: str, *, user_sid: str,
        ids: Optional[List[str]] = None, is_active: Optional[bool] = None,
        is_expired: Optional[bool] = None,
    ) -> Json:
        cluster = self._cluster(cluster_id)
        owner = _user(cluster, user_sid)
        keys = [k for k in _visible_keys(cluster, caller_sid) if k.user_sid == owner.sid]
        return {"apiKeys": [key_json(k) for k in _filter_keys(keys, ids, is_active,
                                                               is_expired)]}

    @_operation
    def get_all_api_keys(
        self, cluster_id: Optional[int], caller_sid: str, *,
        ids: Optional[List[str]] = None, owner_sids: Optional[List[str]] = None,
        is_active: Optional[bool] = None, is_expired: Optional[bool] = None,
    ) -> Json:
        keys = _visible_keys(self._cluster(cluster_id), caller_sid)
        if owner_sids is not None:
            keys = [k for k in keys if k.user_sid in owner_sids]
        return {"apiKeys": [key_json(k) for k in _filter_keys(keys, ids, is_active,
                                                               is_expired)]}

    @_operation
    def get_user_api_key_by_id(self, cluster_id: Optional[int], caller_sid: str, *,
                               id: str, user_sid: str) -> Json:
        cluster = self._cluster(cluster_id)
        key = _key(cluster, user_sid, id)
        if key not in _visible_keys(cluster, caller_sid):
            raise forbidden(f"API key {id} of user {user_sid} needs the "
                            f"{rbac.API_KEY_VIEW_ALL} privilege")
        return key_json(key)

    @_operation
    def update_user_api_key_by_id(self, cluster_id: Optional[int], caller_sid: str, *,
                                  id: str, user_sid: str, body: Json) -> Json:
        key = _key(self._cluster(cluster_id), user_sid, id)
        name = _non_empty(body["name"], "body.name")
        key.name = name
        if body.get("isActive") is not None:
            key.active = body["isActive"]
        if "expiryTimeMsecs" in body:
            key.expiry_time = body["expiryTimeMsecs"]
        return key_json(key)

    @_operation
    def rotate_user_api_key(self, cluster_id: Optional[int], caller_sid: str, *,
                            user_sid: str, id: str) -> Json:
        key = _key(self._cluster(cluster_id), user_sid, id)
        key.secret = new_secret()
        key.last_rotated = now_msecs()
        return {**key_json(key), "apiKey": key.secret}

    @_operation
    def delete_user_api_key_by_id(self, cluster_id: Optional[int], caller_sid: str, *,
                                  user_sid: str, id: str) -> None:
        cluster = self._cluster(cluster_id)
        del cluster.keys[_key(cluster, user_sid, id).id]
        return None

    # -- groups ------------------------------------------------------------------------

    @_operation
    def create_group(self, cluster_id: Optional[int], caller_sid: str, *,
                     body: List[Json]) -> Json:
        cluster = self._cluster(cluster_id)
        seen = set()
        for i, item in enumerate(body):
            where = f"body[{i}]"
            name = _non_empty(item["name"], f"{where}.name")
            domain = _domain(_non_empty(item["domain"], f"{where}.domain"))
            _check_members(cluster, domain, item.get("localGroupParams"), where)
            key = (domain.lower(), name.lower())
            if key in seen or _find_group(cluster, domain, name) is not None:
                raise conflict(f"{where}: group {name} already exists in domain {domain}")
            seen.add(key)
        created: List[Group] = []
        for item in body:
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

    @_operation
    def get_groups(
        self, cluster_id: Optional[int], caller_sid: str, *,
        names: Optional[List[str]] = None, roles: Optional[List[str]] = None,
        domain: Optional[str] = None, sids: Optional[List[str]] = None,
        match_partial_names: bool = False, tenant_ids: Optional[List[str]] = None,
        include_tenants: bool = False,
    ) -> Json:
        cluster = self._cluster(cluster_id)
        found = []
        for group in cluster.groups.values():
            if domain is not None and group.domain.lower() != domain.lower():
                continue
            if sids is not None and group.sid not in sids:
                continue
            if names is not None and not _name_matches(group.name, names,
                                                       match_partial_names):
                continue
            if roles is not None and not set(group.roles) & set(roles):
                continue
            if not _tenant_visible(group.tenant_ids, tenant_ids, include_tenants):
                continue
            found.append(group_json(group))
        return {"groups": found}

    @_operation
    def get_group_by_sid(self, cluster_id: Optional[int], caller_sid: str, *,
                         sid: str) -> Json:
        return group_json(_group(self._cluster(cluster_id), sid))

    @_operation
    def update_group(self, cluster_id: Optional[int], caller_sid: str, *, sid: str,
                     body: Json) -> Json:
        cluster = self._cluster(cluster_id)
        group = _group(cluster, sid)
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

    @_operation
    def delete_group(self, cluster_id: Optional[int], caller_sid: str, *, sid: str) -> None:
        cluster = self._cluster(cluster_id)
        _remove_group(cluster, _group(cluster, sid).sid)
        return None

    @_operation
    def delete_groups(self, cluster_id: Optional[int], caller_sid: str, *,
                      body: Json) -> None:
        cluster = self._cluster(cluster_id)
        sids: List[str] = body["sids"]
        for sid in sids:
            _group(cluster, sid)
        for sid in dict.fromkeys(sids):
            _remove_group(cluster, sid)
        return None

    # -- security principals -------------------------------------------------------------

    @_operation
    def get_security_principals(self, cluster_id: Optional[int], caller_sid: str, *,
                                sids: List[str]) -> Json:
        cluster = self._cluster(cluster_id)
        found = []
        for sid in dict.fromkeys(sids):
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

    @_operation
    def get_principal_sources(self, cluster_id: Optional[int], caller_sid: str, *,
                              sid: str) -> Json:
        cluster = self._cluster(cluster_id)
        return sources_json(cluster.sources.get(_principal(cluster, sid)))

    @_operation
    def update_principal_sources(self, cluster_id: Optional[int], caller_sid: str, *,
                                 sid: str, body: Json) -> Json:
        cluster = self._cluster(cluster_id)
        principal = _principal(cluster, sid)
        # A PUT replaces both lists; one left out becomes empty.
        cluster.sources[principal] = sources_json(body)
        return sources_json(cluster.sources[principal])

    # -- tenant access -----------------------------------------------------------------

    @_operation
    def get_tenant_access(self, cluster_id: Optional[int], caller_sid: str, *,
                          tenant_ids: Optional[List[str]] = None,
                          include_inactive: bool = False) -> Json:
        return {"tenantAccesses": self._tenants.query(tenant_ids, include_inactive)}


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


def _key(cluster: Cluster, user_sid: str, key_id: str) -> ApiKey:
    owner = _user(cluster, user_sid)
    key = cluster.keys.get(key_id)
    if key is None or key.user_sid != owner.sid:
        raise not_found(f"API key {key_id} of user {owner.sid} not found")
    return key


def _visible_keys(cluster: Cluster, caller_sid: str) -> List[ApiKey]:
    """The keys the caller may read: all with API_KEY_VIEW_ALL, else those it owns or
    created."""
    keys = list(cluster.keys.values())
    if rbac.API_KEY_VIEW_ALL in rbac.privileges(cluster, caller_sid):
        return keys
    return [k for k in keys if caller_sid in (k.user_sid, k.created_by)]


def _name_matches(name: str, wanted: List[str], partial: bool) -> bool:
    lowered = name.lower()
    if partial:
        return any(w.lower() in lowered for w in wanted)
    return any(w.lower() == lowered for w in wanted)


def _tenant_visible(tenants: List[str], tenant_ids: Optional[List[str]],
                    include_tenants: bool) -> bool:
    if tenant_ids is not None:
        return bool(set(tenants) & set(tenant_ids))
    return not tenants or include_tenants


def _filter_keys(keys: List[ApiKey], ids: Optional[List[str]], is_active: Optional[bool],
                 is_expired: Optional[bool]) -> List[ApiKey]:
    now = now_msecs()
    return [
        k for k in keys
        if (ids is None or k.id in ids)
        and (is_active is None or k.active == is_active)
        and (is_expired is None or k.expired(now) == is_expired)
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


__all__ = ["ClusterSpec", "HeliosState"]
