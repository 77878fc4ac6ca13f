"""Who may call what: the built-in roles' privileges and the privilege each operation needs.

It follows Cohesity's documented behaviour as far as it is public: the Admin and Super
Admin roles may do everything; the Viewer role may look but not change; the Operator
role has the Viewer's privileges plus running protection groups and recoveries, which
this API does not have, so here it is a viewer, as is Data Security. ``PRINCIPAL_VIEW``
and ``PRINCIPAL_MODIFY`` are Cohesity's privilege names; ``API_KEY_VIEW_ALL``,
``API_KEY_MANAGE_ALL`` and ``SESSION_MANAGE_ALL`` are the fake's names for what Cohesity
leaves to admins: other users' API keys and sessions.

Rules a test may rely on:

- The roles a user or a group may be given are the built-in ones and those added to the
  fake (``Roles.add``, ``FakeHelios.add_role``), each with privileges of the table
  below; any other is refused with 400, as a cluster refuses it.
- A caller's privileges are those of its own roles and of the roles of every LOCAL
  group whose ``localGroupParams.userSids`` holds it (as a directory group's roles
  apply to its members).
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
from typing import Any, Dict, FrozenSet, Iterable, List, Mapping, Optional

from cohesity_sdk.helios.roles import BUILT_IN_ROLES
from cohesity_sdk.helios.testing.errors import bad_request, forbidden
from cohesity_sdk.helios.testing.records import Cluster, Json

PRINCIPAL_VIEW = "PRINCIPAL_VIEW"
PRINCIPAL_MODIFY = "PRINCIPAL_MODIFY"
API_KEY_VIEW_ALL = "API_KEY_VIEW_ALL"
API_KEY_MANAGE_ALL = "API_KEY_MANAGE_ALL"
SESSION_MANAGE_ALL = "SESSION_MANAGE_ALL"

ALL_PRIVILEGES = frozenset({PRINCIPAL_VIEW, PRINCIPAL_MODIFY, API_KEY_VIEW_ALL,
                            API_KEY_MANAGE_ALL, SESSION_MANAGE_ALL})

#: What each built-in role may do (the roles of ``cohesity_sdk.helios.roles``).
ROLE_PRIVILEGES: Mapping[str, FrozenSet[str]] = {
    "COHESITY_ADMIN": ALL_PRIVILEGES,
    "COHESITY_OPERATOR": frozenset({PRINCIPAL_VIEW}),
    "COHESITY_VIEWER": frozenset({PRINCIPAL_VIEW}),
    # Data Security looks after the cluster's security settings, not its principals.
    "COHESITY_DATA_SECURITY": frozenset({PRINCIPAL_VIEW}),
    "COHESITY_SUPER_ADMIN": ALL_PRIVILEGES,
}
assert tuple(ROLE_PRIVILEGES) == BUILT_IN_ROLES


class Roles:
    """The roles of one fake: the built-in ones, and those added to it, in the order they
    were added. Added roles are the fake's, known on every cluster."""

    def __init__(self) -> None:
        self._added: Dict[str, FrozenSet[str]] = {}

    def add(self, name: str, privileges: Iterable[str]) -> None:
        """Know ``name`` as a role with these privileges (the names of ``ALL_PRIVILEGES``);
        adding it again sets its privileges anew. A ``ValueError`` for a name that is
        blank or built in, or a privilege the fake does not know."""
        self._added[name] = added_role(name, privileges)

    def privileges_of(self, role: str) -> FrozenSet[str]:
        """What ``role`` may do; nothing when it is no role."""
        found = ROLE_PRIVILEGES.get(role)
        if found is None:
            found = self._added.get(role, frozenset())
        return found

    def check(self, roles: Optional[Iterable[str]], where: str) -> None:
        """400 unless every one of ``roles`` (given at ``where``) is a role."""
        for i, role in enumerate(roles or ()):
            if role not in ROLE_PRIVILEGES and role not in self._added:
                raise bad_request(f"{where}[{i}]: role {role} does not exist")

    def entries(self) -> List[Json]:
        """The added roles as JSON: ``[{"name", "privileges"}]``, privileges sorted."""
        return [{"name": name, "privileges": sorted(privileges)}
                for name, privileges in self._added.items()]

    def replace(self, added: Mapping[str, FrozenSet[str]]) -> None:
        """Know exactly these added roles (already checked)."""
        self._added = dict(added)

    def reset(self) -> None:
        """Forget the added roles."""
        self._added = {}


def added_role(name: Any, privileges: Any, where: str = "") -> FrozenSet[str]:
    """The privileges of a role to add as ``name``, checked: a ``ValueError`` for a name
    that is blank or built in, or a privilege the fake does not know. ``where`` begins
    the names of the fields in the message."""
    if not isinstance(name, str) or not name.strip():
        raise ValueError(f"{where}name: must be a non-empty string")
    if name in ROLE_PRIVILEGES:
        raise ValueError(f"{where}name: {name} is a built-in role")
    if isinstance(privileges, (str, bytes, Mapping)) or not isinstance(privileges, Iterable):
        raise ValueError(f"{where}privileges: must be a list of privilege names")
    privileges = list(privileges)
    for i, privilege in enumerate(privileges):
        if privilege not in ALL_PRIVILEGES:
            raise ValueError(f"{where}privileges[{i}]: {privilege!r} is not a privilege of "
                             f"the fake; they are {', '.join(sorted(ALL_PRIVILEGES))}")
    return frozenset(privileges)


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


def privileges(cluster: Cluster, roles: Roles, sid: str) -> FrozenSet[str]:
    """The privileges of the user ``sid``: its roles' and its LOCAL groups' roles'."""
    user = cluster.users.get(sid)
    if user is None:
        return frozenset()
    held = set(user.roles)
    for group in cluster.groups.values():
        if sid in group.member_sids:
            held.update(group.roles)
    found: FrozenSet[str] = frozenset()
    for role in held:
        found |= roles.privileges_of(role)
    return found


def authorize(operation_id: str, cluster: Cluster, roles: Roles, caller_sid: str,
              arguments: Mapping[str, Any]) -> None:
    """Refuse with a 403 unless the caller may call ``operation_id`` with ``arguments``
    (its keyword arguments)."""
    rule = RULES[operation_id]
    if rule.privilege is None or _own(rule, caller_sid, arguments):
        return
    if rule.privilege not in privileges(cluster, roles, caller_sid):
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
