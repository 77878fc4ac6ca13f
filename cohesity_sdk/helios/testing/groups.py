"""A cluster's groups: the operations on them, and how the other resources find them."""

from __future__ import annotations

from typing import Callable, List, Optional, Set, Tuple

from cohesity_sdk.helios.testing.checks import name_matches, non_empty, tenant_visible
from cohesity_sdk.helios.testing.errors import bad_request, conflict, not_found
from cohesity_sdk.helios.testing.records import (
    LOCAL,
    Cluster,
    Group,
    Json,
    group_json,
    local_domain,
    now_msecs,
)
from cohesity_sdk.helios.testing.roles import Roles


class Groups:
    """The groups of one cluster.

    A LOCAL group holds its members in ``localGroupParams.userSids``, each a user of the
    cluster; groups of other domains have no members here. Roles given must exist.
    """

    def __init__(self, cluster: Cluster, roles: Roles) -> None:
        self._cluster = cluster
        self._roles = roles
        #: What goes with a deleted group: each is called with its SID.
        self.on_delete: List[Callable[[str], None]] = []

    # -- for the other resources ---------------------------------------------------------

    def get(self, sid: str) -> Group:
        """The group ``sid``; 404 when there is none."""
        group = self._cluster.groups.get(sid)
        if group is None:
            raise not_found(f"group {sid} not found")
        return group

    def find(self, domain: str, name: str) -> Optional[Group]:
        """The group of that domain and name, ignoring case."""
        for group in self._cluster.groups.values():
            if group.domain.lower() == domain.lower() and group.name.lower() == name.lower():
                return group
        return None

    def forget_member(self, sid: str) -> None:
        """Take the user ``sid`` out of every group."""
        for group in self._cluster.groups.values():
            if sid in group.member_sids:
                group.member_sids.remove(sid)

    # -- operations ------------------------------------------------------------------------

    def create_group(self, caller_sid: str, *, body: List[Json]) -> Json:
        seen: Set[Tuple[str, str]] = set()
        for i, item in enumerate(body):
            where = f"body[{i}]"
            name = non_empty(item["name"], f"{where}.name")
            domain = local_domain(non_empty(item["domain"], f"{where}.domain"))
            self._check_members(domain, item.get("localGroupParams"), where)
            self._roles.check(item.get("roles"), f"{where}.roles")
            key = (domain.lower(), name.lower())
            if key in seen or self.find(domain, name) is not None:
                raise conflict(f"{where}: group {name} already exists in domain {domain}")
            seen.add(key)
        created: List[Group] = []
        for item in body:
            stamp = now_msecs()
            group = Group(
                sid=self._cluster.new_sid(), name=item["name"],
                domain=local_domain(item["domain"]), roles=list(item.get("roles") or []),
                tenant_ids=list(item.get("tenantIds") or []), created=stamp, updated=stamp,
                description=item.get("description"), restricted=bool(item.get("restricted")),
                member_sids=_members(item.get("localGroupParams")),
            )
            self._cluster.groups[group.sid] = group
            created.append(group)
        return {"groups": [group_json(g) for g in created]}

    def get_groups(
        self, caller_sid: str, *,
        names: Optional[List[str]] = None, roles: Optional[List[str]] = None,
        domain: Optional[str] = None, sids: Optional[List[str]] = None,
        match_partial_names: bool = False, tenant_ids: Optional[List[str]] = None,
        include_tenants: bool = False,
    ) -> Json:
        found = []
        for group in self._cluster.groups.values():
            if domain is not None and group.domain.lower() != domain.lower():
                continue
            if sids is not None and group.sid not in sids:
                continue
            if names is not None and not name_matches(group.name, names,
                                                      match_partial_names):
                continue
            if roles is not None and not set(group.roles) & set(roles):
                continue
            if not tenant_visible(group.tenant_ids, tenant_ids, include_tenants):
                continue
            found.append(group_json(group))
        return {"groups": found}

    def get_group_by_sid(self, caller_sid: str, *, sid: str) -> Json:
        return group_json(self.get(sid))

    def update_group(self, caller_sid: str, *, sid: str, body: Json) -> Json:
        group = self.get(sid)
        self._check_members(group.domain, body.get("localGroupParams"), "body")
        self._roles.check(body.get("roles"), "body.roles")
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

    def delete_group(self, caller_sid: str, *, sid: str) -> None:
        self._remove(self.get(sid).sid)

    def delete_groups(self, caller_sid: str, *, body: Json) -> None:
        sids: List[str] = body["sids"]
        for sid in sids:
            self.get(sid)
        for sid in dict.fromkeys(sids):
            self._remove(sid)

    def _check_members(self, domain: str, local: Optional[Json], where: str) -> None:
        if local is None:
            return
        if domain != LOCAL:
            raise bad_request(f"{where}.localGroupParams: only LOCAL groups have it")
        for i, sid in enumerate(local.get("userSids") or []):
            if sid not in self._cluster.users:
                raise not_found(f"{where}.localGroupParams.userSids[{i}]: user {sid} not found")

    def _remove(self, sid: str) -> None:
        del self._cluster.groups[sid]
        for forget in self.on_delete:
            forget(sid)


def _members(local: Optional[Json]) -> List[str]:
    return list(dict.fromkeys((local or {}).get("userSids") or []))
