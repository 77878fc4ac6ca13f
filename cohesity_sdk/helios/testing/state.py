"""What the fake remembers: a backend per cluster (``backend``), and the roles and tenant
access list that every cluster shares, behind one lock taken once per request.

Pure logic: requests arrive here already routed and checked against their schema
(``schema``), as Python keyword arguments (bodies stay JSON-like dicts, in the API's
shape), and answers leave as dicts in the spec's shape. Nothing here knows about HTTP.

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
- Who may call what is ``roles``'s table; a refused call answers 403. A role given to
  a user or a group is built in or added (``add_role``), else the request is a 400.
  Added roles, like the tenant access entries, are part of the state: snapshots hold
  them and ``reset()`` forgets them.
- Every request is checked whole before anything changes: a refused request leaves the
  state as it was.
"""

from __future__ import annotations

import inspect
import secrets
import threading
from contextlib import contextmanager
from typing import (
    Any,
    Callable,
    Iterable,
    Iterator,
    Mapping,
    Optional,
    Sequence,
    Tuple,
)

from cohesity_sdk.helios.testing import saved_state
from cohesity_sdk.helios.testing.backend import (
    RESOURCE_OF,
    RESOURCES,
    ClusterBackend,
    ClusterBackends,
)
from cohesity_sdk.helios.testing.errors import unauthorized
from cohesity_sdk.helios.testing.operations import OPERATIONS
from cohesity_sdk.helios.testing.records import Cluster, Json
from cohesity_sdk.helios.testing.roles import Roles
from cohesity_sdk.helios.testing.tenants import ClusterSpec, TenantAccessList

#: A request's credentials: its API key and its session id, either may be missing.
Credentials = Tuple[Optional[str], Optional[str]]


class HeliosState:
    """Every cluster's backend, plus the fake's roles and tenant access list, behind one
    lock.

    ``serve`` carries out one request; ``perform`` one operation as a caller already
    known. Each operation of the API is also the method of its operation id, called with
    the cluster (the ``accessClusterId``, None for the Helios level), the caller's SID
    and the request's parameters as keyword arguments, by their Python names (``sids``,
    ``match_partial_names``...), the body as ``body``. It answers the response body as
    JSON, or ``None`` for a 204.

    With ``initial`` (a snapshot) the state starts from it, and ``reset()`` goes back to
    it.
    """

    def __init__(self, bootstrap_key: str, initial: Optional[Mapping[str, Any]] = None) -> None:
        self.bootstrap_key = bootstrap_key
        self._lock = threading.Lock()
        self._roles = Roles()
        self._tenants = TenantAccessList()
        self._clusters = ClusterBackends(self._backend, bootstrap_key)
        self._initial: Optional[Json] = None
        if initial is not None:
            self.restore(initial)
            self._initial = self.snapshot()

    @property
    def operation_ids(self) -> Iterable[str]:
        """The API's operations that this state carries out."""
        return [op for op in OPERATIONS if callable(getattr(self, op, None))]

    def reset(self) -> None:
        """Back to the state it started from: no cluster yet, no added role and the seeded
        tenant access entries, or the ``initial`` snapshot."""
        if self._initial is not None:
            self.restore(self._initial)
            return
        with self._lock:
            self._clusters.clear()
            self._roles.reset()
            self._tenants.reset()

    # -- requests ------------------------------------------------------------------------

    def serve(self, operation_id: str, cluster_id: Optional[int],
              credentials: Optional[Credentials],
              read_arguments: Callable[[], Mapping[str, Any]]) -> Optional[Json]:
        """One request, under one hold of the lock: authenticated by ``credentials`` (none
        for the login, which takes none), its arguments read (``read_arguments()``
        checks the query and the body, and raises their 400), then carried out as
        ``perform`` does. A refused caller leaves no cluster behind."""
        if credentials is not None and not any(credentials):
            raise unauthorized("the apiKey or session-id header is required")
        with self._hold(cluster_id):
            if credentials is None:
                backend, caller = self._clusters[cluster_id], ""
            else:
                backend, caller = self._authenticated(cluster_id, *credentials)
            return backend.perform(operation_id, caller, read_arguments())

    def perform(self, operation_id: str, cluster_id: Optional[int], caller_sid: str,
                arguments: Mapping[str, Any]) -> Optional[Json]:
        """Carry out one operation as ``caller_sid``, once ``roles`` lets it: its answer
        body, or ``None`` for a 204."""
        with self._hold(cluster_id):
            return self._clusters[cluster_id].perform(operation_id, caller_sid, arguments)

    @contextmanager
    def _hold(self, cluster_id: Optional[int]) -> Iterator[None]:
        """The lock, for one request: a cluster it brought into being goes again if the
        request is refused, so that it leaves no trace."""
        with self._lock:
            made = cluster_id not in self._clusters
            try:
                yield
            except Exception:
                if made:
                    self._clusters.pop(cluster_id, None)
                raise

    def _authenticated(self, cluster_id: Optional[int], api_key: Optional[str],
                       session_id: Optional[str]) -> Tuple[ClusterBackend, str]:
        """The cluster, and the SID of the user whose key or session the credentials are
        there (see ``ClusterBackend.authenticate``)."""
        backend = self._clusters.get(cluster_id)
        if backend is None:
            # Only the bootstrap key, valid on every cluster, may bring one into being.
            if not api_key or not secrets.compare_digest(api_key.encode(),
                                                         self.bootstrap_key.encode()):
                raise unauthorized(f"the {'API key' if api_key else 'session'} "
                                   "is not valid on this cluster")
            backend = self._clusters[cluster_id]
        return backend, backend.authenticate(api_key, session_id)

    def _backend(self, records: Cluster) -> ClusterBackend:
        return ClusterBackend(records, self._roles, self._tenants)

    # -- what tests set up -------------------------------------------------------------------

    def expire_sessions(self) -> int:
        """End every session on every cluster, as if each had timed out; how many ended."""
        with self._lock:
            return sum(backend.sessions.expire() for backend in self._clusters.values())

    def add_role(self, name: str, privileges: Iterable[str]) -> None:
        """See ``Roles.add``."""
        with self._lock:
            self._roles.add(name, privileges)

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
        """Every cluster, the added roles and the tenant access list as plain JSON
        (``saved_state``)."""
        with self._lock:
            return saved_state.dump(
                {cluster_id: backend.records for cluster_id, backend in self._clusters.items()},
                self._roles.entries(), self._tenants.entries(), self.bootstrap_key)

    def restore(self, snapshot: Any) -> None:
        """Replace the state with ``snapshot``'s; a ``ValueError`` leaves it as it was."""
        clusters, roles, tenants = saved_state.load(snapshot, self.bootstrap_key)
        with self._lock:
            self._clusters.clear()
            for cluster_id, records in clusters.items():
                self._clusters[cluster_id] = self._backend(records)
            self._roles.replace(roles)
            if tenants is None:
                self._tenants.reset()
            else:
                self._tenants.replace(tenants)


def _entry_point(operation_id: str, method: Callable[..., Any]) -> Callable[..., Any]:
    """``HeliosState``'s method for an operation: the resource's method of that name,
    on the cluster given first."""

    def run(self: HeliosState, cluster_id: Optional[int], caller_sid: str,
            **arguments: Any) -> Optional[Json]:
        return self.perform(operation_id, cluster_id, caller_sid, arguments)

    head = list(inspect.signature(run).parameters.values())[:3]
    own = list(inspect.signature(method).parameters.values())[2:]  # past self, caller_sid
    run.__signature__ = inspect.Signature(head + own)  # type: ignore[attr-defined]
    run.__name__ = operation_id
    run.__qualname__ = f"HeliosState.{operation_id}"
    run.__doc__ = f"``{RESOURCES[RESOURCE_OF[operation_id]].__name__}.{operation_id}``."
    return run


for _operation_id, _resource in RESOURCE_OF.items():
    setattr(HeliosState, _operation_id,
            _entry_point(_operation_id, getattr(RESOURCES[_resource], _operation_id)))
del _operation_id, _resource


__all__ = ["ClusterSpec", "Credentials", "HeliosState"]
