"""One cluster of the fake: its records, and one class per resource that acts on them.

``ClusterBackends`` holds a ``ClusterBackend`` per ``accessClusterId`` (``None``: the
Helios level) and makes each on first use, seeded: the LOCAL user ``admin`` (password
``admin``, roles ``["COHESITY_ADMIN"]``) owning an API key whose secret is the bootstrap
key. Nothing here takes a lock: ``HeliosState`` holds its own for each request.
"""

from __future__ import annotations

import secrets
import uuid
from typing import Any, Callable, Dict, Mapping, Optional

from cohesity_sdk.helios.testing import roles as rbac
from cohesity_sdk.helios.testing.api_keys import ApiKeys
from cohesity_sdk.helios.testing.checks import refuse_inactive
from cohesity_sdk.helios.testing.errors import unauthorized
from cohesity_sdk.helios.testing.groups import Groups
from cohesity_sdk.helios.testing.operations import OPERATIONS
from cohesity_sdk.helios.testing.records import LOCAL, ApiKey, Cluster, Json, User, now_msecs
from cohesity_sdk.helios.testing.sessions import Sessions
from cohesity_sdk.helios.testing.sources import Sources
from cohesity_sdk.helios.testing.tenants import TenantAccessList, Tenants
from cohesity_sdk.helios.testing.users import Users

ADMIN_USERNAME = "admin"
ADMIN_PASSWORD = "admin"
ADMIN_ROLES = ("COHESITY_ADMIN",)
BOOTSTRAP_KEY_NAME = "bootstrap"

#: Each resource of a cluster: the attribute of ``ClusterBackend`` and its class.
RESOURCES: Mapping[str, type] = {
    "users": Users,
    "groups": Groups,
    "sessions": Sessions,
    "api_keys": ApiKeys,
    "sources": Sources,
    "tenants": Tenants,
}

#: Each operation's resource, by operation id: the resource class has the operation's
#: method, of the same name, called with the caller's SID and the request's parameters.
RESOURCE_OF: Mapping[str, str] = {
    operation_id: attribute
    for attribute, cls in RESOURCES.items()
    for operation_id in OPERATIONS if callable(getattr(cls, operation_id, None))
}


class ClusterBackend:
    """One cluster: its records (``records``) and the resources that act on them. The
    roles and the tenant access list are the fake's, shared by every cluster."""

    def __init__(self, records: Cluster, roles: rbac.Roles,
                 tenant_access: TenantAccessList) -> None:
        self.records = records
        self._roles = roles
        self.users = Users(records, roles)
        self.groups = Groups(records, roles)
        self.sessions = Sessions(records, self.users)
        self.api_keys = ApiKeys(records, self.users, roles)
        self.sources = Sources(records)
        self.tenants = Tenants(tenant_access)
        # A user goes with its sessions, API keys, group memberships and sources; a group
        # with its sources.
        self.users.on_delete += [self.sessions.forget_user, self.api_keys.forget_user,
                                 self.groups.forget_member, self.sources.forget]
        self.groups.on_delete.append(self.sources.forget)

    def authenticate(self, api_key: Optional[str], session_id: Optional[str]) -> str:
        """The SID of the user owning ``api_key`` (or, without a key, ``session_id``); 401
        otherwise, and for a locked, expired or not yet effective user whatever the
        credentials."""
        now = now_msecs()
        if api_key:
            user_sid = self.api_keys.owner(api_key, now)
        else:
            found = self.sessions.owner(session_id or "")
            if found is None:
                raise unauthorized("the session is not valid on this cluster")
            user_sid = found
        refuse_inactive(self.records.users[user_sid], now)
        return user_sid

    def perform(self, operation_id: str, caller_sid: str,
                arguments: Mapping[str, Any]) -> Optional[Json]:
        """Carry out one operation as ``caller_sid``, once ``roles`` lets it: its answer
        body, or ``None`` for a 204."""
        rbac.authorize(operation_id, self.records, self._roles, caller_sid, arguments)
        resource = getattr(self, RESOURCE_OF[operation_id])
        answer: Optional[Json] = getattr(resource, operation_id)(caller_sid, **arguments)
        return answer


class ClusterBackends(Dict[Optional[int], ClusterBackend]):
    """Every cluster's backend by its ``accessClusterId``. ``backends[cluster_id]`` makes
    a missing one, seeded by ``make`` with a cluster number no other cluster has;
    ``get`` and ``in`` make none."""

    def __init__(self, make: Callable[[Cluster], ClusterBackend], bootstrap_key: str) -> None:
        super().__init__()
        self._make = make
        self._bootstrap_key = bootstrap_key

    def __missing__(self, cluster_id: Optional[int]) -> ClusterBackend:
        taken = {backend.records.number for backend in self.values()}
        number = secrets.randbelow(9 * 10**8) + 10**8
        while number in taken:
            number = secrets.randbelow(9 * 10**8) + 10**8
        backend = self._make(seeded_cluster(number, self._bootstrap_key))
        self[cluster_id] = backend
        return backend


def seeded_cluster(number: int, bootstrap_key: str) -> Cluster:
    """A new cluster's records: ``admin`` and its key ``bootstrap``."""
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
        created_by=admin.sid, created=created, secret=bootstrap_key,
    )
    cluster.keys[key.id] = key
    return cluster
