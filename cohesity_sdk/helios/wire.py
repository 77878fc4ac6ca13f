"""What the generated models declare of a field beyond its type, and what is worked out
from it once per class.

A generated field reads ``Annotated[Optional[StrictStr], Wire(required=True)]``: its type
for pydantic and type checkers, then ``Wire``, what the spec says of it on the wire. Each
model class turns its fields' ``Wire`` into ``FieldPlan`` objects when it is defined; the
request rules, the encoder, redaction and display read those.
"""

from __future__ import annotations

import enum
import operator
import typing
from typing import Any, List, Optional, Tuple, Type

from pydantic import BaseModel

__all__ = ["NULL_AS_EMPTY", "FieldPlan", "Wire", "WireEnum", "empty_list", "field_plans"]


class WireEnum(str, enum.Enum):
    """Base of the enums of known values; members compare equal to their strings."""

    # Python 3.11 made mixed-in enums print as ``Class.MEMBER``; keep the value.
    def __str__(self) -> str:
        return str.__str__(self)

    def __format__(self, format_spec: str) -> str:
        return str.__format__(self, format_spec)


class Wire(typing.NamedTuple):
    """What the spec says of a field beyond its type, as the generated models declare it:
    ``Annotated[Optional[StrictStr], Wire(required=True)]``.

    - ``required``: a request must give it (not None).
    - ``nullable``: ``None`` set on it is sent as ``null``; on other fields ``None``
      means "not given" and nothing is sent.
    - ``read_only``: the server sets it; a request that sets it is refused.
    - ``secret``: masked as ``***`` wherever a model is shown.
    - ``int64``: a request's values must fit in 64 bits.
    - ``min_items``: a request's list must have at least this many items.
    - ``enum``: the values this SDK knows; a request must use one of them.
    """

    required: bool = False
    nullable: bool = False
    read_only: bool = False
    secret: bool = False
    int64: bool = False
    min_items: int = 0
    enum: Optional[Type[WireEnum]] = None


_NO_WIRE = Wire()


def _null_as_empty(value: Any) -> Any:
    return [] if value is None else value


class _NullAsEmpty:
    """For the list of a list result: ``null`` from the server reads as an empty list.

    The list's schema is made nullable and the ``None`` replaced after validation, as one
    call per answer: a validator that ran before would make pydantic turn the whole JSON
    list into Python objects first, doubling the cost of decoding it.
    """

    def __get_pydantic_core_schema__(self, source: Any, handler: Any) -> Any:
        from pydantic_core import core_schema

        return core_schema.no_info_after_validator_function(
            _null_as_empty, core_schema.nullable_schema(handler(source)))


NULL_AS_EMPTY = _NullAsEmpty()


def empty_list() -> List[Any]:
    """The default of the list of a list result: a new ``[]``. (A function rather than
    ``list``: pydantic reads the signature of a default factory, and reading a builtin's
    loads ``tokenize`` and compiles its patterns, milliseconds of a script's first call.)"""
    return []


class FieldPlan:
    """What the wire needs to know about one field, worked out once per class."""

    __slots__ = (
        "name", "alias", "position", "model", "is_list", "required", "nullable",
        "read_only", "secret", "int64", "min_items", "enum", "value_of",
    )

    def __init__(self, name: str, alias: str, position: int, annotation: Any,
                 wire: Wire) -> None:
        self.name = name
        self.alias = alias
        self.position = position  # among the class's fields, in declaration order
        self.value_of = operator.itemgetter(name)  # of a model's __dict__
        leaf, self.is_list = _leaf_type(annotation)
        # The model the field holds (or holds a list of), if any: always an ApiModel
        # (model_base's, which imports this module: so it is named BaseModel here).
        self.model: Optional[Type[BaseModel]] = (
            leaf if isinstance(leaf, type) and issubclass(leaf, BaseModel) else None)
        self.required = wire.required
        self.nullable = wire.nullable
        self.read_only = wire.read_only
        self.secret = wire.secret
        self.int64 = wire.int64
        self.min_items = wire.min_items
        self.enum = frozenset(e.value for e in wire.enum) if wire.enum else None


def field_plans(cls: Type[BaseModel]) -> Tuple[FieldPlan, ...]:
    """The plans of ``cls``'s fields, in declaration order."""
    plans: List[FieldPlan] = []
    for position, (name, info) in enumerate(cls.model_fields.items()):
        wire = next((m for m in info.metadata if isinstance(m, Wire)), _NO_WIRE)
        plans.append(FieldPlan(name, info.serialization_alias or name, position,
                               info.annotation, wire))
    return tuple(plans)


def _leaf_type(annotation: Any) -> Tuple[Any, bool]:
    """``Optional[List[X]]`` -> ``(X, True)``; ``Optional[X]`` -> ``(X, False)``."""
    is_list = False
    while True:
        origin = typing.get_origin(annotation)
        if origin is typing.Union:
            annotation = next(a for a in typing.get_args(annotation) if a is not type(None))
        elif origin in (list, List):
            is_list = True
            annotation = typing.get_args(annotation)[0]
        else:
            return annotation, is_list
