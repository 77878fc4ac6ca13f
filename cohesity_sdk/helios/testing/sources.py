"""A cluster's security principals, and the sources and views assigned to each."""

from __future__ import annotations

from typing import List

from cohesity_sdk.helios.testing.errors import not_found
from cohesity_sdk.helios.testing.records import Cluster, Json, sources_json


class Sources:
    """What ``get_security_principals`` finds, and the ``AssignedSources`` of each user
    or group of one cluster. A PUT replaces both lists; one left out becomes empty."""

    def __init__(self, cluster: Cluster) -> None:
        self._cluster = cluster

    # -- for the other resources ---------------------------------------------------------

    def forget(self, sid: str) -> None:
        """Forget what was assigned to the principal ``sid``."""
        self._cluster.sources.pop(sid, None)

    # -- operations ------------------------------------------------------------------------

    def get_security_principals(self, caller_sid: str, *, sids: List[str]) -> Json:
        found = []
        for sid in dict.fromkeys(sids):
            user = self._cluster.users.get(sid)
            group = self._cluster.groups.get(sid)
            if user is not None:
                found.append({"objectClass": "User", "principalName": user.username,
                              "domainName": user.domain, "fullName": user.username,
                              "sid": sid})
            elif group is not None:
                found.append({"objectClass": "Group", "principalName": group.name,
                              "domainName": group.domain, "fullName": group.name, "sid": sid})
        return {"securityPrincipals": found}

    def get_principal_sources(self, caller_sid: str, *, sid: str) -> Json:
        return sources_json(self._cluster.sources.get(self._principal(sid)))

    def update_principal_sources(self, caller_sid: str, *, sid: str, body: Json) -> Json:
        principal = self._principal(sid)
        self._cluster.sources[principal] = sources_json(body)
        return sources_json(self._cluster.sources[principal])

    def _principal(self, sid: str) -> str:
        if sid not in self._cluster.users and sid not in self._cluster.groups:
            raise not_found(f"principal {sid} not found")
        return sid
