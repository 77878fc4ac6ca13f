"""Export: what a cluster holds now, written as an access file that plans as in sync.

This is how a team starts managing access that exists already, in the manner of
``terraform import``: export, review, commit, then plan and apply from the file. The
export holds no secret (API keys are listed by name, without a ``secret_file``; no
password source), and built-in accounts such as ``admin`` are listed as
``unmanaged: true``, so that no plan ever changes them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Dict, List, Optional

from cohesity_sdk.helios.access.cluster_state import read_state
from cohesity_sdk.helios.access.reading import BUILT_IN_USERS, is_local, shown_domain
from cohesity_sdk.helios.access.schema import (
    AccessFile,
    ApiKeySpec,
    GroupSpec,
    UserSpec,
)

if TYPE_CHECKING:
    from cohesity_sdk.helios.api.user_api import UserApi
    from cohesity_sdk.helios.models import GroupParams, UserAPIKey, UserParams


def export(api: UserApi, *, cluster_id: Optional[int] = None) -> AccessFile:
    """The users, groups and API keys of ``cluster_id`` (default: the configured
    target) as an ``AccessFile``; ``clusters`` names that cluster when one is given."""
    state = read_state(api, cluster_id)
    state.read_keys(api, [(u.domain or "", u.username or "") for u in state.users
                          if u.username and not _built_in(u)])
    users = [_user(u, state.keys.get(u.sid or "", [])) for u in state.users if u.username]
    known = {u.sid for u in state.users if u.sid}
    groups = [_group(g, known, state.username_of) for g in state.groups if g.name]
    fields: Dict[str, Any] = {"version": 1, "users": users, "groups": groups}
    if cluster_id is not None:
        fields["clusters"] = [cluster_id]
    access = AccessFile(**fields)
    access._source = "<export>" if cluster_id is None else f"<export of cluster {cluster_id}>"
    return access


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


def _group(group: GroupParams, known: "set[str]", username_of: Any) -> GroupSpec:
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
