"""Who may call what: the built-in roles' privileges and the privilege each operation needs.

It follows Cohesity's documented behaviour as far as it is public: the Admin role may do
everything; the Viewer role may look but not change; the Operator role has the Viewer's
privileges plus running protection groups and recoveries, which this API does not
have, so here it is a viewer. ``PRINCIPAL_VIEW`` and ``PRINCIPAL_MODIFY`` are Cohesity's
privilege names; ``API_KEY_VIEW_ALL``, ``API_KEY_MANAGE_ALL`` and ``SESSION_MANAGE_ALL``
are the fake's names for what Cohesity leaves to admins: other users' API keys and
sessions.

Rules a test may rely on:

- A caller's privileges are those of its own roles and of the roles of every LOCAL
  group whose ``localGroupParams.userSids`` holds it (as a directory group's roles
  apply to its members). A role the table does not know gives none.
- Self-service needs no privilege: a user may read itself, change its own password and
  e-mail (``update_user`` with nothing but ``localUserParams``), reset its own S3 key,
  read its own sources, count and delete its own sessions, and create, read, update,
  rotate and delete its own API keys. ``get_all_api_keys`` and ``get_tenant_access``
  are open to every caller; without ``API_KEY_VIEW_ALL`` the key lists hold only the
  keys the caller owns or created, and reading another key by id is refused.
- A refused call answers 403 (``KPermissionDenied``) before anything changes.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Dict, FrozenSet, Mapping, Optional

from cohesity_sdk.helios.testing.errors import forbidden
from cohesity_sdk.helios.testing.records import Cluster

PRINCIPAL_VIEW = "PRINCIPAL_VIEW"
PRINCIPAL_MODIFY = "PRINCIPAL_MODIFY"
API_KEY_VIEW_ALL = "API_KEY_VIEW_ALL"
API_KEY_MANAGE_ALL = "API_KEY_MANAGE_ALL"
SESSION_MANAGE_ALL = "SESSION_MANAGE_ALL"

ALL_PRIVILEGES = frozenset({PRINCIPAL_VIEW, PRINCIPAL_MODIFY, API_KEY_VIEW_ALL,
                            API_KEY_MANAGE_ALL, SESSION_MANAGE_ALL})

#: What each built-in role may do.
ROLE_PRIVILEGES: Mapping[str, FrozenSet[str]] = {
    "COHESITY_ADMIN": ALL_PRIVILEGES,
    "COHESITY_VIEWER": frozenset({PRINCIPAL_VIEW}),
    "COHESITY_OPERATOR": frozenset({PRINCIPAL_VIEW}),
}


@dataclass(frozen=True)
class Rule:
    """What an operation needs: ``privilege`` (None: only credentials), unless the
    argument named ``own`` names the caller itself (a SID, or a list of just that SID)
    and, for ``own_body``, the body sets none but those fields."""

    privilege: Optional[str]
    own: Optional[str] = None
    own_body: Optional[FrozenSet[str]] = None


#: The rule of every operation, by operation id.
RULES: Mapping[str, Rule] = {
    # Users
    "create_users": Rule(PRINCIPAL_MODIFY),
    "get_users": Rule(PRINCIPAL_VIEW),
    "get_user_by_sid": Rule(PRINCIPAL_VIEW, own="sid"),
    "update_user": Rule(PRINCIPAL_MODIFY, own="sid", own_body=frozenset({"localUserParams"})),
    "delete_user": Rule(PRINCIPAL_MODIFY),
    "delete_users": Rule(PRINCIPAL_MODIFY),
    "regenerate_s3_key": Rule(PRINCIPAL_MODIFY, own="sid"),
    # Sessions
    "create_session": Rule(None),  # the login: it takes no credentials
    "get_active_sessions_count": Rule(PRINCIPAL_VIEW, own="sids"),
    "delete_session": Rule(SESSION_MANAGE_ALL, own="sid"),
    # API keys: reads are also narrowed to the caller's keys without API_KEY_VIEW_ALL
    "create_user_api_key": Rule(API_KEY_MANAGE_ALL, own="user_sid"),
    "get_user_api_keys": Rule(PRINCIPAL_VIEW, own="user_sid"),
    "get_user_api_key_by_id": Rule(PRINCIPAL_VIEW, own="user_sid"),
    "update_user_api_key_by_id": Rule(API_KEY_MANAGE_ALL, own="user_sid"),
    "rotate_user_api_key": Rule(API_KEY_MANAGE_ALL, own="user_sid"),
    "delete_user_api_key_by_id": Rule(API_KEY_MANAGE_ALL, own="user_sid"),
    "get_all_api_keys": Rule(None),
    # Groups
    "create_group": Rule(PRINCIPAL_MODIFY),
    "get_groups": Rule(PRINCIPAL_VIEW),
    "get_group_by_sid": Rule(PRINCIPAL_VIEW),
    "update_group": Rule(PRINCIPAL_MODIFY),
    "delete_group": Rule(PRINCIPAL_MODIFY),
    "delete_groups": Rule(PRINCIPAL_MODIFY),
    # Security principals
    "get_security_principals": Rule(PRINCIPAL_VIEW),
    "get_principal_sources": Rule(PRINCIPAL_VIEW, own="sid"),
    "update_principal_sources": Rule(PRINCIPAL_MODIFY),
    # Tenant access: the caller's own list
    "get_tenant_access": Rule(None),
}


def privileges(cluster: Cluster, sid: str) -> FrozenSet[str]:
    """The privileges of the user ``sid``: its roles' and its LOCAL groups' roles'."""
    user = cluster.users.get(sid)
    if user is None:
        return frozenset()
    roles = set(user.roles)
    for group in cluster.groups.values():
        if sid in group.member_sids:
            roles.update(group.roles)
    found: FrozenSet[str] = frozenset()
    for role in roles:
        found |= ROLE_PRIVILEGES.get(role, frozenset())
    return found


def authorize(operation_id: str, cluster: Cluster, caller_sid: str,
              arguments: Mapping[str, Any]) -> None:
    """Refuse with a 403 unless the caller may call ``operation_id`` with ``arguments``
    (its keyword arguments)."""
    rule = RULES[operation_id]
    if rule.privilege is None or _own(rule, caller_sid, arguments):
        return
    if rule.privilege not in privileges(cluster, caller_sid):
        raise forbidden(f"{operation_id} needs the {rule.privilege} privilege")


def _own(rule: Rule, caller_sid: str, arguments: Mapping[str, Any]) -> bool:
    if rule.own is None:
        return False
    value = arguments.get(rule.own)
    if value != caller_sid and value != [caller_sid]:
        return False
    if rule.own_body is None:
        return True
    body: Dict[str, Any] = arguments.get("body") or {}
    return set(body) <= rule.own_body
