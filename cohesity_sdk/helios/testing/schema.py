"""The shapes of request bodies and parameters, and the check that a value fits one.

Built from the generated ``operations`` module (the package does not ship the spec).
Read-only fields are left out: a server ignores them in requests. Unknown fields are
ignored too, as real servers do.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Any, Mapping, Optional, Tuple

from cohesity_sdk.helios.testing.errors import bad_request
from cohesity_sdk.helios.testing.operations import SCHEMAS

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
    enum: Tuple[str, ...] = ()


#: Fields the fake accepts beyond the spec, by (schema name, field name): a ``tenantId``
#: on ``create_users`` items lets tests make tenant users (``UserParams`` has it).
EXTENSIONS: Mapping[Tuple[str, str], Field] = {
    ("CreateUserParameters", "tenantId"): Field(STRING, nullable=True),
}


def field(schema: Mapping[str, Any]) -> Field:
    """The ``Field`` for a schema of the generated ``operations`` module."""
    if "$ref" in schema:
        return Field(OBJECT, shape=shape(schema["$ref"]))
    items = schema.get("items")
    return Field(
        kind=schema["type"],
        nullable=bool(schema.get("nullable")),
        items=None if items is None else field(items),
        min_items=schema.get("minItems", 0),
        min_length=schema.get("minLength", 0),
        enum=tuple(schema.get("enum", ())),
    )


@functools.lru_cache(maxsize=None)
def shape(name: str) -> Shape:
    """The spec's object schema ``name`` as requests are checked against it: read-only
    fields are left out (a server ignores them in requests), EXTENSIONS added."""
    schema = SCHEMAS[name]
    fields = {key: field(prop) for key, prop in schema.get("properties", {}).items()
              if not prop.get("readOnly")}
    fields.update({key: value for (owner, key), value in EXTENSIONS.items() if owner == name})
    return Shape(name, fields, tuple(schema.get("required", ())))


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
