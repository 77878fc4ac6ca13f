"""A cluster's sessions: the login, counting and ending them, and whose each one is."""

from __future__ import annotations

import secrets
from typing import Dict, List, Optional

from cohesity_sdk.helios.testing.checks import refuse_inactive
from cohesity_sdk.helios.testing.errors import bad_request, unauthorized
from cohesity_sdk.helios.testing.records import LOCAL, Cluster, Json, local_domain, now_msecs
from cohesity_sdk.helios.testing.users import Users


class Sessions:
    """The sessions of one cluster, each the id of a LOCAL user's login.

    A session lasts until it is deleted, its user is, or every session expires
    (``expire``).
    """

    def __init__(self, cluster: Cluster, users: Users) -> None:
        self._cluster = cluster
        self._users = users

    # -- for the cluster and the other resources ----------------------------------------------

    def owner(self, session_id: str) -> Optional[str]:
        """The SID of the user whose session this is, if it is one."""
        return self._cluster.sessions.get(session_id)

    def forget_user(self, sid: str) -> None:
        """End every session of the user ``sid``."""
        sessions = self._cluster.sessions
        for session_id in [s for s, owner in sessions.items() if owner == sid]:
            del sessions[session_id]

    def expire(self) -> int:
        """End every session, as if each had timed out; how many ended."""
        ended = len(self._cluster.sessions)
        self._cluster.sessions.clear()
        return ended

    # -- operations ------------------------------------------------------------------------

    def create_session(self, caller_sid: str, *, body: Json) -> Json:
        username = body.get("username")
        if not username:
            raise bad_request("body.username: is required")
        if body.get("password") is None:
            raise bad_request("body.password: is required")
        user = self._users.find(local_domain(body.get("domain") or LOCAL), username)
        if (user is None or not user.is_local or user.password is None
                or not secrets.compare_digest(user.password.encode(),
                                              body["password"].encode())):
            raise unauthorized("invalid username or password")
        now = now_msecs()
        refuse_inactive(user, now)
        session_id = secrets.token_urlsafe(24)
        self._cluster.sessions[session_id] = user.sid
        user.last_login = now
        return {"sessionId": session_id}

    def get_active_sessions_count(self, caller_sid: str, *,
                                  sids: Optional[List[str]] = None) -> Json:
        counts: Dict[str, int] = {}
        for sid in self._cluster.sessions.values():
            counts[sid] = counts.get(sid, 0) + 1
        per_user = [
            {"sid": sid, "sessionsCount": counts[sid]}
            for sid in self._cluster.users
            if sid in counts and (sids is None or sid in sids)
        ]
        return {
            "totalSessionsCount": sum(entry["sessionsCount"] for entry in per_user),
            "sessionsPerUser": per_user,
        }

    def delete_session(self, caller_sid: str, *, sid: Optional[str] = None) -> None:
        if sid is None:
            self._cluster.sessions.clear()
        else:
            self.forget_user(self._users.get(sid).sid)
