"""The roles every Cohesity cluster has built in. Imports nothing.

The API has no call that lists roles, so the list is kept here: the roles that clusters
of the 7.x releases give (``COHESITY_`` and the role's name in the console, as users and
groups carry them in ``roles``): Admin, Operator, Viewer, Data Security and Super
Admin. A role made by a cluster's admins, or built in to a later release, is not here:
access files declare those (``custom_roles``), and FakeHelios adds them with
``add_role``.
"""

from __future__ import annotations

__all__ = ["BUILT_IN_ROLES"]

#: The built-in roles, in the order the console lists them.
BUILT_IN_ROLES = (
    "COHESITY_ADMIN",
    "COHESITY_OPERATOR",
    "COHESITY_VIEWER",
    "COHESITY_DATA_SECURITY",
    "COHESITY_SUPER_ADMIN",
)
