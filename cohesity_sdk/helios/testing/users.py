"""A cluster's users: the operations on them, and how the other resources find them."""

from __future__ import annotations

from typing import Callable, List, Optional, Set, Tuple

from cohesity_sdk.helios.testing.checks import name_matches, non_empty, tenant_visible
from cohesity_sdk.helios.testing.errors import bad_request, conflict, not_found
from cohesity_sdk.helios.testing.records import (
    LOCAL,
    Cluster,
    Json,
    User,
    local_domain,
    new_secret,
    now_msecs,
    user_json,
)
from cohesity_sdk.helios.testing.roles import Roles


class Users:
    """The users of one cluster.

    A new LOCAL user needs ``localUserParams`` with a password (Cohesity requires one);
    directory users have neither. ``create_users`` accepts ``tenantId`` in an item
    (beyond the spec) so that tenant users can be made. Roles given must exist.
    """

    def __init__(self, cluster: Cluster, roles: Roles) -> None:
        self._cluster = cluster
        self._roles = roles
        #: What goes with a deleted user: each is called with its SID.
        self.on_delete: List[Callable[[str], None]] = []

    # -- for the other resources ---------------------------------------------------------

    def get(self, sid: str) -> User:
        """The user ``sid``; 404 when there is none."""
        user = self._cluster.users.get(sid)
        if user is None:
            raise not_found(f"user {sid} not found")
        return user

    def find(self, domain: str, username: str) -> Optional[User]:
        """The user of that domain and name, ignoring case."""
        for user in self._cluster.users.values():
            if (user.domain.lower() == domain.lower()
                    and user.username.lower() == username.lower()):
                return user
        return None

    # -- operations ------------------------------------------------------------------------

    def create_users(self, caller_sid: str, *, body: List[Json]) -> Json:
        seen: Set[Tuple[str, str]] = set()
        for i, item in enumerate(body):
            where = f"body[{i}]"
            username = non_empty(item["username"], f"{where}.username")
            domain = local_domain(non_empty(item["domain"], f"{where}.domain"))
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
            self._roles.check(item.get("roles"), f"{where}.roles")
            name = (domain.lower(), username.lower())
            if name in seen or self.find(domain, username) is not None:
                raise conflict(f"{where}: user {username} already exists in domain {domain}")
            seen.add(name)
        created: List[User] = []
        for item in body:
            stamp = now_msecs()
            local = item.get("localUserParams") or {}
            user = User(
                sid=self._cluster.new_sid(), username=item["username"],
                domain=local_domain(item["domain"]), roles=list(item.get("roles") or []),
                created=stamp, updated=stamp, description=item.get("description"),
                effective_time=item.get("effectiveTimeMsecs"),
                expiry_time=item.get("expiryTimeMsecs"), locked=bool(item.get("locked")),
                restricted=bool(item.get("restricted")), email=local.get("email"),
                password=local.get("password"), tenant_id=item.get("tenantId"),
            )
            self._cluster.users[user.sid] = user
            created.append(user)
        return {"users": [user_json(self._cluster, u) for u in created]}

    def get_users(
        self, caller_sid: str, *,
        domain: Optional[str] = None, sids: Optional[List[str]] = None,
        usernames: Optional[List[str]] = None, match_partial_names: bool = False,
        email_addresses: Optional[List[str]] = None, roles: Optional[List[str]] = None,
        tenant_ids: Optional[List[str]] = None, include_tenants: bool = False,
    ) -> Json:
        found = []
        for user in self._cluster.users.values():
            if domain is not None and user.domain.lower() != domain.lower():
                continue
            if sids is not None and user.sid not in sids:
                continue
            if usernames is not None and not name_matches(
                user.username, usernames, match_partial_names
            ):
                continue
            if email_addresses is not None and (user.email or "").lower() not in {
                e.lower() for e in email_addresses
            }:
                continue
            if roles is not None and not set(user.roles) & set(roles):
                continue
            if not tenant_visible([user.tenant_id] if user.tenant_id else [], tenant_ids,
                                  include_tenants):
                continue
            found.append(user_json(self._cluster, user))
        return {"users": found}

    def get_user_by_sid(self, caller_sid: str, *, sid: str) -> Json:
        return user_json(self._cluster, self.get(sid))

    def update_user(self, caller_sid: str, *, sid: str, body: Json) -> Json:
        user = self.get(sid)
        local = body.get("localUserParams")
        if local is not None:
            if not user.is_local:
                raise bad_request("body.localUserParams: only LOCAL users have it")
            current = local.get("currentPassword")
            if current is not None and current != user.password:
                raise bad_request("body.localUserParams.currentPassword: does not match")
            if local.get("password") == "":
                raise bad_request("body.localUserParams.password: must not be empty")
        self._roles.check(body.get("roles"), "body.roles")
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
        return user_json(self._cluster, user)

    def delete_user(self, caller_sid: str, *, sid: str) -> None:
        self._remove(self.get(sid).sid)

    def delete_users(self, caller_sid: str, *, body: Json) -> None:
        sids: List[str] = body["sids"]
        for sid in sids:
            self.get(sid)
        for sid in dict.fromkeys(sids):
            self._remove(sid)

    def regenerate_s3_key(self, caller_sid: str, *, sid: str) -> Json:
        user = self.get(sid)
        user.s3_secret_key = new_secret()
        return {"secret-key": user.s3_secret_key}

    def _remove(self, sid: str) -> None:
        del self._cluster.users[sid]
        for forget in self.on_delete:
            forget(sid)
