"""What a cluster holds now, as far as an access file can manage it: read with the
SDK's own ``UserApi`` calls, and summed up in a fingerprint that tells whether it moved.

Reading makes two calls (``get_users``, ``get_groups``) and one ``get_user_api_keys``
per user whose keys the file names. It never changes anything.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Dict, Iterable, List, Optional, Tuple

from cohesity_sdk.helios.access.reading import domain_key

if TYPE_CHECKING:
    from cohesity_sdk.helios.api.user_api import UserApi
    from cohesity_sdk.helios.models import GroupParams, UserAPIKey, UserParams


def routing(cluster_id: Optional[int]) -> Dict[str, Any]:
    """The keyword that sends a call to ``cluster_id``; none for the configured target."""
    return {} if cluster_id is None else {"access_cluster_id": cluster_id}


def cluster_label(cluster_id: Optional[int]) -> str:
    return "the configured target" if cluster_id is None else f"cluster {cluster_id}"


@dataclass
class ClusterState:
    """The users and groups of one cluster, and the API keys of some of its users."""

    cluster_id: Optional[int]
    users: List[UserParams]
    groups: List[GroupParams]
    #: The keys of each user (by SID) whose keys were read.
    keys: Dict[str, List[UserAPIKey]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self._users = {(domain_key(u.domain or ""), (u.username or "").lower()): u
                       for u in self.users}
        self._groups = {(domain_key(g.domain or ""), (g.name or "").lower()): g
                        for g in self.groups}
        self._by_sid = {u.sid: u for u in self.users if u.sid}

    def user(self, domain: str, username: str) -> Optional[UserParams]:
        return self._users.get((domain_key(domain), username.lower()))

    def group(self, domain: str, name: str) -> Optional[GroupParams]:
        return self._groups.get((domain_key(domain), name.lower()))

    def username_of(self, sid: str) -> str:
        """The username of the user ``sid``, or the SID itself when it is no user."""
        user = self._by_sid.get(sid)
        return user.username if user is not None and user.username else sid

    def read_keys(self, api: UserApi, owners: Iterable[Tuple[str, str]]) -> None:
        """Read the keys of the users ``owners`` names (``(domain, username)``) that
        exist here and whose keys are not read yet."""
        for domain, username in owners:
            user = self.user(domain, username)
            if user is not None and user.sid and user.sid not in self.keys:
                self.keys[user.sid] = list(api.get_user_api_keys(
                    user.sid, **routing(self.cluster_id)).api_keys)

    def fingerprint(self) -> str:
        """A digest of everything a plan looks at (not logins or update times, which
        move without anyone changing access)."""
        digest = hashlib.sha256()
        summary = {
            "users": sorted((_user_summary(u) for u in self.users), key=_sid),
            "groups": sorted((_group_summary(g) for g in self.groups), key=_sid),
            "keys": {sid: sorted((_key_summary(k) for k in keys), key=lambda k: k["id"] or "")
                     for sid, keys in sorted(self.keys.items())},
        }
        digest.update(json.dumps(summary, sort_keys=True, default=str).encode())
        return digest.hexdigest()


def read_state(api: UserApi, cluster_id: Optional[int],
               key_owners: Iterable[Tuple[str, str]] = ()) -> ClusterState:
    """Read ``cluster_id``: its users and groups, and the keys of the users named in
    ``key_owners`` (``(domain, username)`` pairs) that exist there."""
    where = routing(cluster_id)
    users = api.get_users(**where).users
    groups = api.get_groups(**where).groups
    state = ClusterState(cluster_id, list(users), list(groups))
    state.read_keys(api, key_owners)
    return state


def _sid(summary: Dict[str, Any]) -> str:
    return str(summary.get("sid") or "")


def _user_summary(user: UserParams) -> Dict[str, Any]:
    local = user.local_user_params
    return {
        "sid": user.sid, "username": user.username, "domain": user.domain,
        "roles": sorted(user.roles or []), "email": local.email if local else None,
        "description": user.description, "locked": user.locked,
        "restricted": user.restricted,
    }


def _group_summary(group: GroupParams) -> Dict[str, Any]:
    local = group.local_group_params
    return {
        "sid": group.sid, "name": group.name, "domain": group.domain,
        "roles": sorted(group.roles or []), "description": group.description,
        "restricted": group.restricted,
        "members": sorted(local.user_sids or []) if local else None,
    }


def _key_summary(key: UserAPIKey) -> Dict[str, Any]:
    return {"id": key.id, "name": key.name, "active": key.is_active}
