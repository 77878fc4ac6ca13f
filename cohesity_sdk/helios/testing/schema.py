"""The shapes of request bodies and parameters, and the check that a value fits one.

Written out from ``spec/helios-user-api.json`` (the package does not ship the spec);
``test/test_fake_helios.py`` compares them with it. Read-only fields are left out: a
server ignores them in requests. Unknown fields are ignored too, as real servers do.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Mapping, Optional, Tuple

from cohesity_sdk.helios.testing.errors import bad_request

STRING = "string"
INTEGER = "integer"
BOOLEAN = "boolean"
ARRAY = "array"
OBJECT = "object"

INT64_MIN = -(2**63)
INT64_MAX = 2**63 - 1


@dataclass(frozen=True)
class Shape:
    """An object schema: its fields and the ones it requires."""

    name: str  # the spec's schema name
    fields: Mapping[str, "Field"]
    required: Tuple[str, ...] = ()


@dataclass(frozen=True)
class Field:
    """The schema of one value."""

    kind: str
    nullable: bool = False
    items: Optional["Field"] = None
    shape: Optional[Shape] = None
    min_items: int = 0
    min_length: int = 0
    enum: Tuple[str, ...] = field(default=())


def string(nullable: bool = False, *, min_length: int = 0, enum: Tuple[str, ...] = ()) -> Field:
    return Field(STRING, nullable, min_length=min_length, enum=enum)


def integer(nullable: bool = False) -> Field:
    return Field(INTEGER, nullable)


def boolean(nullable: bool = False) -> Field:
    return Field(BOOLEAN, nullable)


def array(items: Field, nullable: bool = False, *, min_items: int = 0) -> Field:
    return Field(ARRAY, nullable, items=items, min_items=min_items)


def obj(shape: Shape) -> Field:
    return Field(OBJECT, shape=shape)


LOCAL_USER_PARAMS = Shape("LocalUserParams", {
    "email": string(True),
    "password": string(True),
})

CREATE_USER = Shape("CreateUserParameters", {
    "allowSmbAccessToken": boolean(True),
    "description": string(True),
    "domain": string(),
    "effectiveTimeMsecs": integer(True),
    "expiryTimeMsecs": integer(True),
    "localUserParams": obj(LOCAL_USER_PARAMS),
    "locked": boolean(True),
    "restricted": boolean(True),
    "roles": array(string(), True),
    "username": string(),
    # Not in the spec's request: lets tests create tenant users (UserParams has it).
    "tenantId": string(True),
}, ("domain", "username"))

#: Fields the fake accepts beyond the spec: (schema name, field name).
EXTENSIONS = frozenset({("CreateUserParameters", "tenantId")})

LOCAL_USER_UPDATE_PARAMS = Shape("LocalUserUpdateParams", {
    "email": string(True),
    "password": string(True),
    "currentPassword": string(True),
})

UPDATE_USER = Shape("UpdateUserParameters", {
    "description": string(True),
    "effectiveTimeMsecs": integer(True),
    "expiryTimeMsecs": integer(True),
    "locked": boolean(True),
    "restricted": boolean(True),
    "roles": array(string(), True),
    "localUserParams": obj(LOCAL_USER_UPDATE_PARAMS),
})

LOCAL_GROUP_PARAMS = Shape("LocalGroupParams", {
    "userSids": array(string()),
})

CREATE_GROUP = Shape("CreateGroupParams", {
    "description": string(True),
    "domain": string(),
    "localGroupParams": obj(LOCAL_GROUP_PARAMS),
    "name": string(),
    "restricted": boolean(True),
    "roles": array(string()),
    "tenantIds": array(string()),
}, ("domain", "name"))

UPDATE_GROUP = Shape("UpdateGroupParameters", {
    "description": string(True),
    "localGroupParams": obj(LOCAL_GROUP_PARAMS),
    "restricted": boolean(True),
    "roles": array(string()),
    "tenantIds": array(string()),
})

DELETE_USERS = Shape("DeleteUsersRequest", {
    "sids": array(string(), min_items=1),
}, ("sids",))

DELETE_GROUPS = Shape("DeleteGroupsRequest", {
    "sids": array(string(), min_items=1),
}, ("sids",))

SESSION_REQUEST = Shape("CreateUserSessionRequestParams", {
    "certificate": string(True),
    "domain": string(True),
    "otpCode": string(True),
    "otpType": string(True, enum=("email", "totp", "salesforce")),
    "password": string(True),
    "privateKey": string(True),
    "username": string(True),
})

API_KEY_REQUEST = Shape("CreateOrUpdateAPIKeyRequest", {
    "expiryTimeMsecs": integer(True),
    "isActive": boolean(True),
    "name": string(True),
}, ("name",))

ASSIGNED_SOURCES = Shape("AssignedSources", {
    "sourceIds": array(integer()),
    "viewIds": array(integer()),
})

_KIND_NAMES = {
    STRING: "a string",
    INTEGER: "an integer",
    BOOLEAN: "true or false",
    ARRAY: "an array",
    OBJECT: "an object",
}


def check(value: Any, schema: Field, where: str) -> None:
    """Raise a 400 naming ``where`` (``body[0].domain``) when ``value`` does not fit.

    Messages name the field and what was expected, never the value sent: it may be a
    password.
    """
    if value is None:
        if schema.nullable:
            return
        raise bad_request(f"{where}: must not be null")
    kind = schema.kind
    if not _is_kind(value, kind):
        raise bad_request(f"{where}: must be {_KIND_NAMES[kind]}")
    if kind == INTEGER and not INT64_MIN <= value <= INT64_MAX:
        raise bad_request(f"{where}: is out of the int64 range")
    if kind == STRING:
        if len(value) < schema.min_length:
            raise bad_request(f"{where}: must be at least {schema.min_length} characters")
        if schema.enum and value not in schema.enum:
            raise bad_request(f"{where}: must be one of {', '.join(schema.enum)}")
    elif kind == ARRAY:
        if len(value) < schema.min_items:
            raise bad_request(f"{where}: must have at least {schema.min_items} item(s)")
        assert schema.items is not None
        for i, item in enumerate(value):
            check(item, schema.items, f"{where}[{i}]")
    elif kind == OBJECT:
        assert schema.shape is not None
        for name in schema.shape.required:
            if value.get(name) is None:
                raise bad_request(f"{where}.{name}: is required")
        for name, sub in schema.shape.fields.items():
            if name in value:
                check(value[name], sub, f"{where}.{name}")


def _is_kind(value: Any, kind: str) -> bool:
    if kind == STRING:
        return isinstance(value, str)
    if kind == INTEGER:
        # JSON true is not a number, and 1.0 is not an integer.
        return isinstance(value, int) and not isinstance(value, bool)
    if kind == BOOLEAN:
        return isinstance(value, bool)
    if kind == ARRAY:
        return isinstance(value, list)
    return isinstance(value, dict)
