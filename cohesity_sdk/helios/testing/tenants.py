"""The Helios-level list of tenant access entries, and ``get_tenant_access``, which reads it.

It starts with two entries, ``acme/`` (active) and ``globex/`` (inactive); tests add
more through ``FakeHelios.add_tenant_access``.
"""

from __future__ import annotations

import copy
from typing import Any, List, Mapping, Optional, Sequence, Union

from cohesity_sdk.helios.testing.records import Json, now_msecs

#: A cluster of an entry: its id, or a whole ``McmClusterIdentifier``.
ClusterSpec = Union[int, Mapping[str, Any]]

_DAY_MSECS = 86_400_000


class TenantAccessList:
    """Entries in the ``TenantAccess`` shape, in the order they were added."""

    def __init__(self) -> None:
        self._entries: List[Json] = []
        self.reset()

    def reset(self) -> None:
        """Back to the two seeded entries."""
        created = now_msecs()
        self._entries = []
        self.add("acme/", ["COHESITY_VIEWER"], [{
            "clusterId": 4213516873913468, "clusterIncarnationId": 1700000000000,
            "regionId": "us-east-1",
        }], tenant_name="Acme", tenant_type="Dmaas")
        self.add("globex/", ["COHESITY_ADMIN"], [{
            "clusterId": 5523891277452301, "clusterIncarnationId": 1700000000001,
            "regionId": "eu-west-1",
        }], active=False, tenant_name="Globex", tenant_type="Mcm",
            effective_time_msecs=created - _DAY_MSECS,
            expired_time_msecs=created - _DAY_MSECS // 24)

    def add(
        self,
        tenant_id: str,
        roles: Sequence[str],
        clusters: Sequence[ClusterSpec],
        active: bool = True,
        *,
        tenant_name: Optional[str] = None,
        tenant_status: Optional[str] = None,
        tenant_type: str = "Dmaas",
        effective_time_msecs: Optional[int] = None,
        expired_time_msecs: Optional[int] = None,
    ) -> Json:
        """Add an entry and return a copy of it; a wrong argument is a ``ValueError``."""
        if not isinstance(tenant_id, str) or len(tenant_id) < 2:
            raise ValueError("tenant_id must be a string of at least 2 characters")
        if isinstance(roles, str) or not roles or not all(isinstance(r, str) for r in roles):
            raise ValueError("roles must be a non-empty list of strings")
        if isinstance(clusters, (str, bytes)) or not clusters:
            raise ValueError("clusters must be a non-empty list")
        identifiers: List[Json] = []
        for item in clusters:
            if isinstance(item, int) and not isinstance(item, bool):
                identifiers.append({"clusterId": item})
            elif isinstance(item, Mapping):
                identifiers.append(dict(item))
            else:
                raise ValueError("each cluster must be a cluster id or an McmClusterIdentifier")
        created = now_msecs()
        entry: Json = {
            "tenantId": tenant_id,
            "tenantName": tenant_name or tenant_id.rstrip("/").capitalize(),
            "roles": list(roles),
            "clusters": identifiers,
            "isAccessActive": active,
            "tenantStatus": tenant_status or ("Active" if active else "Inactive"),
            "tenantType": tenant_type,
            "createdTimeMsecs": created,
            "lastUpdatedTimeMsecs": created,
            "effectiveTimeMsecs": created if effective_time_msecs is None
            else effective_time_msecs,
        }
        if expired_time_msecs is not None:
            entry["expiredTimeMsecs"] = expired_time_msecs
        self._entries.append(entry)
        return copy.deepcopy(entry)

    def entries(self) -> List[Json]:
        """Copies of every entry, in order."""
        return copy.deepcopy(self._entries)

    def replace(self, entries: List[Json]) -> None:
        """Hold exactly ``entries`` (already checked), copied."""
        self._entries = copy.deepcopy(entries)

    def query(self, tenant_ids: Optional[List[str]], include_inactive: bool) -> List[Json]:
        """Copies of the entries of those tenants (all when ``None``); only active ones
        unless ``include_inactive``."""
        return [
            copy.deepcopy(entry) for entry in self._entries
            if (tenant_ids is None or entry["tenantId"] in tenant_ids)
            and (include_inactive or entry["isAccessActive"])
        ]


class Tenants:
    """``get_tenant_access``: the Helios-level list, the same from every cluster."""

    def __init__(self, access: TenantAccessList) -> None:
        self._access = access

    def get_tenant_access(self, caller_sid: str, *, tenant_ids: Optional[List[str]] = None,
                          include_inactive: bool = False) -> Json:
        return {"tenantAccesses": self._access.query(tenant_ids, include_inactive)}
