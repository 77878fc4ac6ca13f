"""The objects a cluster stores, and how each is shown on the wire.

Answers are built fresh from these records, so a caller can never hold a reference into
the state. Optional fields that are not set are left out, never sent as ``null``; the
secrets (passwords, API key and S3 secrets) are never part of an answer.
"""

from __future__ import annotations

import secrets
import time
import uuid
from dataclasses import dataclass, field
from typing import Any, Dict, List, Optional

Json = Dict[str, Any]

LOCAL = "LOCAL"
LOCAL_PRIMARY_GROUP = "local-users"
FIRST_RID = 1000


def local_domain(domain: str) -> str:
    """``LOCAL`` in any case is the local domain; other domains are kept as given."""
    return LOCAL if domain.upper() == LOCAL else domain


def now_msecs() -> int:
    return int(time.time() * 1000)


def new_secret() -> str:
    return secrets.token_urlsafe(32)


@dataclass
class User:
    sid: str
    username: str
    domain: str
    roles: List[str]
    created: int
    updated: int
    description: Optional[str] = None
    effective_time: Optional[int] = None
    expiry_time: Optional[int] = None
    locked: bool = False
    restricted: bool = False
    last_login: Optional[int] = None
    email: Optional[str] = None
    password: Optional[str] = None
    tenant_id: Optional[str] = None
    s3_account_id: str = field(default_factory=lambda: str(uuid.uuid4()))
    s3_access_key_id: str = field(default_factory=lambda: secrets.token_hex(10).upper())
    s3_secret_key: str = field(default_factory=new_secret)

    @property
    def is_local(self) -> bool:
        return self.domain == LOCAL


@dataclass
class Group:
    sid: str
    name: str
    domain: str
    roles: List[str]
    tenant_ids: List[str]
    created: int
    updated: int
    description: Optional[str] = None
    restricted: bool = False
    member_sids: List[str] = field(default_factory=list)

    @property
    def is_local(self) -> bool:
        return self.domain == LOCAL


@dataclass
class ApiKey:
    id: str
    name: str
    user_sid: str
    created_by: str
    created: int
    secret: str
    active: bool = True
    expiry_time: Optional[int] = None
    last_rotated: Optional[int] = None

    def expired(self, now: int) -> bool:
        return self.expiry_time is not None and self.expiry_time <= now


@dataclass
class Cluster:
    """One cluster's objects; dicts keep creation order, which answers follow."""

    number: int  # the cluster's part of every SID
    next_rid: int = FIRST_RID
    users: Dict[str, User] = field(default_factory=dict)
    groups: Dict[str, Group] = field(default_factory=dict)
    keys: Dict[str, ApiKey] = field(default_factory=dict)
    sessions: Dict[str, str] = field(default_factory=dict)  # session id -> user SID
    sources: Dict[str, Json] = field(default_factory=dict)  # principal SID -> AssignedSources

    def new_sid(self) -> str:
        """``S-1-100-21-<cluster number>-<rid>``; users and groups share the rids."""
        rid = self.next_rid
        self.next_rid += 1
        return f"S-1-100-21-{self.number}-{rid}"


def user_json(cluster: Cluster, user: User) -> Json:
    """``UserParams``; ``otherGroups`` names the local groups holding the user."""
    out: Json = {
        "sid": user.sid,
        "username": user.username,
        "domain": user.domain,
        "roles": list(user.roles),
        "locked": user.locked,
        "lockedReason": "LockedByAdmin" if user.locked else "NotLocked",
        "restricted": user.restricted,
        "forcePasswordChange": False,
        "createdTimeMsecs": user.created,
        "lastUpdatedTimeMsecs": user.updated,
        "otherGroups": [g.name for g in cluster.groups.values() if user.sid in g.member_sids],
        "s3AccountParams": {
            "s3AccountId": user.s3_account_id,
            "s3AccessKeyId": user.s3_access_key_id,
        },
    }
    optional = {
        "description": user.description,
        "effectiveTimeMsecs": user.effective_time,
        "expiryTimeMsecs": user.expiry_time,
        "lastLoginTimeMsecs": user.last_login,
        "tenantId": user.tenant_id,
    }
    out.update({k: v for k, v in optional.items() if v is not None})
    if user.is_local:
        out["primaryGroup"] = LOCAL_PRIMARY_GROUP
        out["localUserParams"] = {} if user.email is None else {"email": user.email}
    return out


def group_json(group: Group) -> Json:
    """``GroupParams``; only LOCAL groups have members."""
    out: Json = {
        "sid": group.sid,
        "name": group.name,
        "domain": group.domain,
        "roles": list(group.roles),
        "restricted": group.restricted,
        "tenantIds": list(group.tenant_ids),
        "createdTimeMsecs": group.created,
        "lastUpdatedTimeMsecs": group.updated,
    }
    if group.description is not None:
        out["description"] = group.description
    if group.is_local:
        out["localGroupParams"] = {"userSids": list(group.member_sids)}
    return out


def key_json(key: ApiKey) -> Json:
    """``UserAPIKey``: never the secret, which only create and rotate add."""
    out: Json = {
        "id": key.id,
        "name": key.name,
        "userSid": key.user_sid,
        "createdByUserSid": key.created_by,
        "createdTimeMsecs": key.created,
        "isActive": key.active,
        "isExpired": key.expired(now_msecs()),
    }
    if key.expiry_time is not None:
        out["expiryTimeMsecs"] = key.expiry_time
    if key.last_rotated is not None:
        out["lastRotatedTimeMsecs"] = key.last_rotated
    return out


def sources_json(sources: Optional[Json]) -> Json:
    """``AssignedSources``, both lists always present."""
    sources = sources or {}
    return {
        "sourceIds": list(sources.get("sourceIds") or []),
        "viewIds": list(sources.get("viewIds") or []),
    }
