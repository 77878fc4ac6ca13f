"""A cluster's API keys: the operations on them, and whose key a secret is."""

from __future__ import annotations

import secrets
import uuid
from typing import List, Optional

from cohesity_sdk.helios.testing import roles as rbac
from cohesity_sdk.helios.testing.checks import non_empty
from cohesity_sdk.helios.testing.errors import forbidden, not_found, unauthorized
from cohesity_sdk.helios.testing.records import (
    ApiKey,
    Cluster,
    Json,
    key_json,
    new_secret,
    now_msecs,
)
from cohesity_sdk.helios.testing.users import Users


class ApiKeys:
    """The API keys of one cluster, each owned by a user.

    A key's secret is answered only by create and rotate. Without ``API_KEY_VIEW_ALL``
    a caller sees only the keys it owns or created.
    """

    def __init__(self, cluster: Cluster, users: Users, roles: rbac.Roles) -> None:
        self._cluster = cluster
        self._users = users
        self._roles = roles

    # -- for the cluster and the other resources ----------------------------------------------

    def owner(self, secret: str, now: int) -> str:
        """The SID of the owner of the key whose secret this is; 401 when none is, or
        the key is inactive or expired."""
        for key in self._cluster.keys.values():
            if secrets.compare_digest(key.secret.encode(), secret.encode()):
                if not key.active:
                    raise unauthorized(f"API key {key.id} is inactive")
                if key.expired(now):
                    raise unauthorized(f"API key {key.id} has expired")
                return key.user_sid
        raise unauthorized("the API key is not valid on this cluster")

    def forget_user(self, sid: str) -> None:
        """Delete every key of the user ``sid``."""
        keys = self._cluster.keys
        for key_id in [k.id for k in keys.values() if k.user_sid == sid]:
            del keys[key_id]

    # -- operations ------------------------------------------------------------------------

    def create_user_api_key(self, caller_sid: str, *, user_sid: str, body: Json) -> Json:
        owner = self._users.get(user_sid)
        name = non_empty(body["name"], "body.name")
        active = body.get("isActive")
        key = ApiKey(
            id=str(uuid.uuid4()), name=name, user_sid=owner.sid, created_by=caller_sid,
            created=now_msecs(), secret=new_secret(),
            active=True if active is None else active, expiry_time=body.get("expiryTimeMsecs"),
        )
        self._cluster.keys[key.id] = key
        return {**key_json(key), "apiKey": key.secret}

    def get_user_api_keys(
        self, caller_sid: str, *, user_sid: str,
        ids: Optional[List[str]] = None, is_active: Optional[bool] = None,
        is_expired: Optional[bool] = None,
    ) -> Json:
        owner = self._users.get(user_sid)
        keys = [k for k in self._visible(caller_sid) if k.user_sid == owner.sid]
        return {"apiKeys": [key_json(k) for k in _filter(keys, ids, is_active, is_expired)]}

    def get_all_api_keys(
        self, caller_sid: str, *,
        ids: Optional[List[str]] = None, owner_sids: Optional[List[str]] = None,
        is_active: Optional[bool] = None, is_expired: Optional[bool] = None,
    ) -> Json:
        keys = self._visible(caller_sid)
        if owner_sids is not None:
            keys = [k for k in keys if k.user_sid in owner_sids]
        return {"apiKeys": [key_json(k) for k in _filter(keys, ids, is_active, is_expired)]}

    def get_user_api_key_by_id(self, caller_sid: str, *, id: str, user_sid: str) -> Json:
        key = self._key(user_sid, id)
        if key not in self._visible(caller_sid):
            raise forbidden(f"API key {id} of user {user_sid} needs the "
                            f"{rbac.API_KEY_VIEW_ALL} privilege")
        return key_json(key)

    def update_user_api_key_by_id(self, caller_sid: str, *, id: str, user_sid: str,
                                  body: Json) -> Json:
        key = self._key(user_sid, id)
        name = non_empty(body["name"], "body.name")
        key.name = name
        if body.get("isActive") is not None:
            key.active = body["isActive"]
        if "expiryTimeMsecs" in body:
            key.expiry_time = body["expiryTimeMsecs"]
        return key_json(key)

    def rotate_user_api_key(self, caller_sid: str, *, user_sid: str, id: str) -> Json:
        key = self._key(user_sid, id)
        key.secret = new_secret()
        key.last_rotated = now_msecs()
        return {**key_json(key), "apiKey": key.secret}

    def delete_user_api_key_by_id(self, caller_sid: str, *, user_sid: str, id: str) -> None:
        del self._cluster.keys[self._key(user_sid, id).id]

    # -- lookups ---------------------------------------------------------------------------

    def _key(self, user_sid: str, key_id: str) -> ApiKey:
        owner = self._users.get(user_sid)
        key = self._cluster.keys.get(key_id)
        if key is None or key.user_sid != owner.sid:
            raise not_found(f"API key {key_id} of user {owner.sid} not found")
        return key

    def _visible(self, caller_sid: str) -> List[ApiKey]:
        """The keys the caller may read: all with API_KEY_VIEW_ALL, else those it owns or
        created."""
        keys = list(self._cluster.keys.values())
        if rbac.API_KEY_VIEW_ALL in rbac.privileges(self._cluster, self._roles, caller_sid):
            return keys
        return [k for k in keys if caller_sid in (k.user_sid, k.created_by)]


def _filter(keys: List[ApiKey], ids: Optional[List[str]], is_active: Optional[bool],
            is_expired: Optional[bool]) -> List[ApiKey]:
    now = now_msecs()
    return [
        k for k in keys
        if (ids is None or k.id in ids)
        and (is_active is None or k.active == is_active)
        and (is_expired is None or k.expired(now) == is_expired)
    ]
