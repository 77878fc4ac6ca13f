"""What a cluster holds now, as far as an access file can manage it: read with the
SDK's own ``UserApi`` calls, and summed up in digests that tell whether it moved.

Reading makes two list calls (``get_users``, ``get_groups``, at the same time) and one
``get_user_api_keys`` per user whose keys the file names, a few at a time
(``Reads``). It never changes anything.

A plan keeps, for each object it changes, the digest of the object as it was read (its
``basis``); ``apply`` reads those objects again, and only those (``recheck``), to tell
whether the plan is still true.
"""

from __future__ import annotations

import hashlib
import json
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import (
    TYPE_CHECKING,
    Any,
    Callable,
    Dict,
    Iterable,
    List,
    Optional,
    Sequence,
    Tuple,
    TypeVar,
)

from cohesity_sdk.helios.access.reading import domain_key

if TYPE_CHECKING:
    from cohesity_sdk.helios.api.user_api import UserApi
    from cohesity_sdk.helios.models import GroupParams, UserAPIKey, UserParams

T = TypeVar("T")

#: How many SIDs or names one filtered list call asks for: the query stays short.
BATCH = 100


def routing(cluster_id: Optional[int]) -> Dict[str, Any]:
    """The keyword that sends a call to ``cluster_id``; none for the configured target."""
    return {} if cluster_id is None else {"access_cluster_id": cluster_id}


def cluster_label(cluster_id: Optional[int]) -> str:
    return "the configured target" if cluster_id is None else f"cluster {cluster_id}"


class Reads:
    """Reads run ``parallel`` at a time, shared by every cluster being read: however
    many clusters there are, no more than ``parallel`` calls are in flight."""

    def __init__(self, parallel: int) -> None:
        if parallel < 1:
            raise ValueError(f"parallel={parallel}: should be 1 or more")
        self.parallel = parallel
        self._pool: Optional[ThreadPoolExecutor] = None

    def submit(self, call: Callable[..., T], *args: Any, **kwargs: Any) -> Future[T]:
        if self._pool is None:
            self._pool = ThreadPoolExecutor(max_workers=self.parallel,
                                            thread_name_prefix="access-read")
        return self._pool.submit(call, *args, **kwargs)

    def map(self, call: Callable[..., T], items: Sequence[Any], **kwargs: Any) -> List[T]:
        """``call(item, **kwargs)`` of each item, in the items' order; one at a time when
        there is only one."""
        if len(items) <= 1 or self.parallel == 1:
            return [call(item, **kwargs) for item in items]
        futures = [self.submit(call, item, **kwargs) for item in items]
        return [f.result() for f in futures]

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None

    def __enter__(self) -> Reads:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


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

    def read_keys(self, api: UserApi, owners: Iterable[Tuple[str, str]],
                  reads: Optional[Reads] = None) -> None:
        """Read the keys of the users ``owners`` names (``(domain, username)``) that
        exist here and whose keys are not read yet, ``reads.parallel`` at a time."""
        sids: List[str] = []
        for domain, username in owners:
            user = self.user(domain, username)
            if user is not None and user.sid and user.sid not in self.keys \
                    and user.sid not in sids:
                sids.append(user.sid)
        where = routing(self.cluster_id)

        def keys_of(sid: str) -> List[UserAPIKey]:
            return list(api.get_user_api_keys(sid, **where).api_keys)

        found = reads.map(keys_of, sids) if reads is not None else [keys_of(s) for s in sids]
        self.keys.update(zip(sids, found))

    def fingerprint(self) -> str:
        """A digest of everything a plan looks at (not logins or update times, which
        move without anyone changing access)."""
        summary = {
            "users": sorted((user_summary(u) for u in self.users), key=_sid),
            "groups": sorted((group_summary(g) for g in self.groups), key=_sid),
            "keys": {sid: keys_summary(keys) for sid, keys in sorted(self.keys.items())},
        }
        return digest(summary)


def read_state(api: UserApi, cluster_id: Optional[int],
               key_owners: Iterable[Tuple[str, str]] = (),
               reads: Optional[Reads] = None) -> ClusterState:
    """Read ``cluster_id``: its users and groups, and the keys of the users named in
    ``key_owners`` (``(domain, username)`` pairs) that exist there."""
    where = routing(cluster_id)
    if reads is not None:  # the two lists at the same time
        groups_read = reads.submit(api.get_groups, **where)
        users = api.get_users(**where).users
        groups = groups_read.result().groups
    else:
        users = api.get_users(**where).users
        groups = api.get_groups(**where).groups
    state = ClusterState(cluster_id, list(users), list(groups))
    state.read_keys(api, key_owners, reads)
    return state


# -- digests ---------------------------------------------------------------------------


def digest(summary: Any) -> str:
    """A short digest of plain JSON values: the same values, the same digest."""
    text = json.dumps(summary, sort_keys=True, default=str, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()


def user_basis(user: Optional[UserParams]) -> str:
    """The digest of a user as a plan saw it (``None``: there was none)."""
    return digest(None if user is None else user_summary(user))


def group_basis(group: Optional[GroupParams]) -> str:
    return digest(None if group is None else group_summary(group))


def keys_basis(keys: Iterable[UserAPIKey]) -> str:
    """The digest of a user's keys of one name."""
    return digest(keys_summary(keys))


def _sid(summary: Dict[str, Any]) -> str:
    return str(summary.get("sid") or "")


def user_summary(user: UserParams) -> Dict[str, Any]:
    local = user.local_user_params
    return {
        "sid": user.sid, "username": user.username, "domain": user.domain,
        "roles": sorted(user.roles or []), "email": local.email if local else None,
        "description": user.description, "locked": user.locked,
        "restricted": user.restricted,
    }


def group_summary(group: GroupParams) -> Dict[str, Any]:
    local = group.local_group_params
    return {
        "sid": group.sid, "name": group.name, "domain": group.domain,
        "roles": sorted(group.roles or []), "description": group.description,
        "restricted": group.restricted,
        "members": sorted(local.user_sids or []) if local else None,
    }


def keys_summary(keys: Iterable[UserAPIKey]) -> List[Dict[str, Any]]:
    return sorted(({"id": k.id, "name": k.name, "active": k.is_active} for k in keys),
                  key=lambda k: k["id"] or "")
