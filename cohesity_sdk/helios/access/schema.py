"""The access file: the users, groups and API keys that should exist, as pydantic models.

The models check the shape of the file: its keys (an unknown one is refused) and the
type of each value. What needs the whole file to be judged (a name given twice, a member
that is no user, a key that does not fit with another) is ``checks``'s work.

A field left out (``None``) is not managed: a plan never touches it on the cluster.
"""

from __future__ import annotations

from typing import Any, Dict, List, Literal, Optional, Type

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, StrictBool, StrictInt, StrictStr
from typing_extensions import Annotated

#: The domain of the cluster's own users and groups.
LOCAL = "LOCAL"
#: Replaced in a ``secret_file`` by the cluster's id (``default`` for the configured one).
CLUSTER_PLACEHOLDER = "{cluster}"

ClusterId = Annotated[StrictInt, Field(ge=1, le=2**63 - 1)]


class _Entry(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        strict=True,
        validate_assignment=True,
        # Error text never quotes a value: one in the wrong place may be a password.
        hide_input_in_errors=True,
    )


class ApiKeySpec(_Entry):
    """An API key of a user, known by its name among that user's keys."""

    name: StrictStr
    #: Where the key's secret is kept (mode 0600): written when the key is made, and when
    #: the file is missing or empty, so that the key is rotated. Needed to create the key.
    secret_file: Optional[StrictStr] = None
    #: Whether the key is enabled; not managed when left out.
    active: Optional[StrictBool] = None
    #: Delete the key.
    absent: StrictBool = False
    #: The clusters it is on, among its user's (default: all of its user's).
    clusters: Optional[List[ClusterId]] = None


class UserSpec(_Entry):
    """A user: LOCAL (the cluster's own) or of a directory (AD, IdP), added by name."""

    username: StrictStr
    domain: StrictStr = LOCAL
    roles: Optional[List[StrictStr]] = None
    email: Optional[StrictStr] = None
    description: Optional[StrictStr] = None
    locked: Optional[StrictBool] = None
    restricted: Optional[StrictBool] = None
    #: The environment variable holding the password, read only to create the user.
    password_env: Optional[StrictStr] = None
    #: A file holding the password, read only to create the user.
    password_file: Optional[StrictStr] = None
    api_keys: List[ApiKeySpec] = Field(default_factory=list)
    #: Delete the user.
    absent: StrictBool = False
    #: Listed for the record: never changed, never deleted (built-in accounts).
    unmanaged: StrictBool = False
    #: The clusters it is on, among the file's (default: all of the file's).
    clusters: Optional[List[ClusterId]] = None


class GroupSpec(_Entry):
    """A group: LOCAL, whose members are LOCAL users, or of a directory, added by name."""

    name: StrictStr
    domain: StrictStr = LOCAL
    roles: Optional[List[StrictStr]] = None
    description: Optional[StrictStr] = None
    restricted: Optional[StrictBool] = None
    #: The usernames of its LOCAL members, all of them: others are taken out.
    members: Optional[List[StrictStr]] = None
    #: Delete the group.
    absent: StrictBool = False
    #: Listed for the record: never changed, never deleted.
    unmanaged: StrictBool = False
    #: The clusters it is on, among the file's (default: all of the file's).
    clusters: Optional[List[ClusterId]] = None


class PruneScope(_Entry):
    """What may be deleted when the file does not name it: one domain's objects whose
    names start with ``name_prefix`` (ignoring case)."""

    domain: StrictStr = LOCAL
    name_prefix: StrictStr


class PruneSpec(_Entry):
    """The objects a plan deletes when the file does not name them."""

    users: Optional[PruneScope] = None
    groups: Optional[PruneScope] = None


class AccessFile(_Entry):
    """The whole file. ``clusters`` left out: the cluster the connection is set up for."""

    version: Literal[1] = 1
    clusters: Optional[List[ClusterId]] = None
    #: Roles beyond the built-in ones (``cohesity_sdk.helios.roles``) that users and
    #: groups may be given: those the clusters' admins made.
    custom_roles: Optional[List[StrictStr]] = None
    users: List[UserSpec] = Field(default_factory=list)
    groups: List[GroupSpec] = Field(default_factory=list)
    prune: Optional[PruneSpec] = None

    # Where the file was read from, for messages; ``reading.load`` sets it.
    _source: str = PrivateAttr(default="<AccessFile>")

    @property
    def source(self) -> str:
        """The file it was read from, or ``"<AccessFile>"`` when built in Python."""
        return self._source

    def to_data(self) -> Dict[str, Any]:
        """The file as plain JSON values, the keys that were given only."""
        return self.model_dump(mode="json", exclude_unset=True)

    def to_json(self) -> str:
        """The file as JSON text, which reads back as the same file."""
        import json

        return json.dumps(self.to_data(), indent=2, ensure_ascii=False) + "\n"

    def to_yaml(self) -> str:
        """The file as YAML text (needs PyYAML, the ``yaml`` extra)."""
        from cohesity_sdk.helios.access.file_text import dump_yaml

        return dump_yaml(self.to_data())


#: Each model's entries, by field: how a path into the file finds its model.
CHILDREN: Dict[Type[BaseModel], Dict[str, Type[BaseModel]]] = {
    AccessFile: {"users": UserSpec, "groups": GroupSpec, "prune": PruneSpec},
    UserSpec: {"api_keys": ApiKeySpec},
    PruneSpec: {"users": PruneScope, "groups": PruneScope},
}
