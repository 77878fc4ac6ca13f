"""The base of every generated model: strict when a user builds it, lenient from the server.

A model built by a user (``CreateUserParameters(username=...)``) refuses keywords it does
not know, at any depth. A model decoded from the server (``from_dict``, ``from_json``, a
response) keeps unknown fields, accepts enum values it has not heard of and fields that
are missing. What the spec requires of a request (required fields, ``minItems``, known
enum values) is checked when the model is turned into a request body, by ``to_wire``.
"""

from __future__ import annotations

import difflib
import enum
import functools
import json
import pprint
import typing
from typing import (
    TYPE_CHECKING,
    Any,
    ClassVar,
    Dict,
    List,
    Optional,
    Tuple,
    Type,
    TypeVar,
    Union,
)

from pydantic import BaseModel, ConfigDict, TypeAdapter

from cohesity_sdk.helios.exceptions import (
    ApiAttributeError,
    ApiTypeError,
    ApiValueError,
    render_path,
)
from cohesity_sdk.helios.operation import INT64_MAX, INT64_MIN

if TYPE_CHECKING:
    from pydantic._internal._model_construction import ModelMetaclass as _PydanticMeta
else:
    _PydanticMeta = type(BaseModel)

M = TypeVar("M", bound="ApiModel")
Path = List[Any]

REDACTED = "***"


class WireEnum(str, enum.Enum):
    """Base of the enums of known values; members compare equal to their strings."""

    # Python 3.11 made mixed-in enums print as ``Class.MEMBER``; keep the value.
    def __str__(self) -> str:
        return str.__str__(self)

    def __format__(self, format_spec: str) -> str:
        return str.__format__(self, format_spec)


class FieldPlan:
    """What the wire needs to know about one field, worked out once per class."""

    __slots__ = (
        "name", "alias", "model", "is_list", "required", "nullable", "read_only",
        "secret", "int64", "min_items", "enum",
    )

    def __init__(self, name: str, alias: str, annotation: Any, extra: Dict[str, Any]) -> None:
        self.name = name
        self.alias = alias
        self.model, self.is_list = _nested_model(annotation)
        self.required = bool(extra.get("x-required"))
        self.nullable = bool(extra.get("nullable"))
        self.read_only = bool(extra.get("readOnly"))
        self.secret = extra.get("format") == "password"
        self.int64 = extra.get("format") == "int64"
        self.min_items = int(extra.get("minItems", 0))
        values = extra.get("enum")
        self.enum = frozenset(values) if values else None


def _nested_model(annotation: Any) -> Tuple[Optional[Type["ApiModel"]], bool]:
    """``Optional[List[X]]`` -> ``(X, True)``; ``Optional[X]`` -> ``(X, False)`` for models X."""
    is_list = False
    while True:
        origin = typing.get_origin(annotation)
        if origin is typing.Union:
            annotation = next(a for a in typing.get_args(annotation) if a is not type(None))
        elif origin in (list, List):
            is_list = True
            annotation = typing.get_args(annotation)[0]
        else:
            break
    if isinstance(annotation, type) and issubclass(annotation, ApiModel):
        return annotation, is_list
    return None, is_list


class _StrictConstruction(_PydanticMeta):
    """Checks the keywords of ``Model(...)`` before pydantic sees them.

    Only the call syntax goes through here: pydantic's own validation of server data
    never calls the class, so decoding stays lenient and fast.
    """

    def __call__(cls, *args: Any, **kwargs: Any) -> Any:
        _check_keywords(cls, kwargs, [])  # type: ignore[arg-type]
        return super().__call__(*args, **kwargs)


def _check_keywords(cls: Type["ApiModel"], data: Dict[str, Any], path: Path) -> None:
    known = cls.__known_names__
    for key, value in data.items():
        plan = known.get(key)
        if plan is None:
            raise _unknown_name(cls, key, path)
        _check_nested(plan, value, path + [plan.name])


def _check_nested(plan: FieldPlan, value: Any, path: Path) -> None:
    """Check the keys of a dict (or list of dicts) given for a field that holds models."""
    if plan.model is None:
        return
    if isinstance(value, dict):
        _check_keywords(plan.model, value, path)
    elif plan.is_list and isinstance(value, (list, tuple)):
        for i, item in enumerate(value):
            if isinstance(item, dict):
                _check_keywords(plan.model, item, path + [i])


def _unknown_name(cls: Type["ApiModel"], key: str, path: Path) -> ApiTypeError:
    names = [p.name for p in cls.__wire_plan__] + [p.alias for p in cls.__wire_plan__]
    hint = difflib.get_close_matches(key, names, 1)
    did_you_mean = f" (did you mean {hint[0]!r}?)" if hint else ""
    where = f" at {render_path(path)}" if path else ""
    return ApiTypeError(
        f"{cls.__name__}() got an unexpected keyword argument {key!r}{where}{did_you_mean}"
    )


class ApiModel(BaseModel, metaclass=_StrictConstruction):
    """Common behaviour of the generated models."""

    model_config = ConfigDict(
        extra="allow",
        validate_by_name=True,
        validate_by_alias=True,
        validate_assignment=True,
        # Error text never quotes a value: it may be a password or a key.
        hide_input_in_errors=True,
    )

    __wire_plan__: ClassVar[Tuple[FieldPlan, ...]] = ()
    __known_names__: ClassVar[Dict[str, FieldPlan]] = {}
    # Worked out once per class for encode_body, which runs for every model of a bulk
    # body: the fields that must be set, those checked when set, and those never sent.
    __wire_rules__: ClassVar[
        Tuple[Tuple[str, ...], Tuple[FieldPlan, ...], frozenset]  # type: ignore[type-arg]
    ] = ((), (), frozenset())

    @classmethod
    def __pydantic_init_subclass__(cls, **kwargs: Any) -> None:
        super().__pydantic_init_subclass__(**kwargs)
        plans = []
        for name, info in cls.model_fields.items():
            extra = info.json_schema_extra if isinstance(info.json_schema_extra, dict) else {}
            plans.append(FieldPlan(name, info.serialization_alias or name, info.annotation, extra))
        cls.__wire_plan__ = tuple(plans)
        known: Dict[str, FieldPlan] = {}
        for plan in plans:
            known[plan.name] = plan
            known[plan.alias] = plan
        cls.__known_names__ = known
        writable = [p for p in plans if not p.read_only]
        cls.__wire_rules__ = (
            tuple(p.name for p in writable if p.required),
            tuple(p for p in writable
                  if p.min_items or p.enum or p.int64 or p.model is not None),
            frozenset(p.name for p in plans if p.read_only),
        )

    # -- attribute access ------------------------------------------------------------

    def __setattr__(self, name: str, value: Any) -> None:
        if not name.startswith("_"):
            plan = self.__known_names__.get(name)
            if plan is None:
                if not (self.__pydantic_extra__ and name in self.__pydantic_extra__):
                    raise ApiAttributeError(
                        f"{type(self).__name__} has no field {name!r}{self._hint(name)}"
                    )
            else:
                _check_nested(plan, value, [plan.name])
                name = plan.name
        super().__setattr__(name, value)

    def __getattr__(self, name: str) -> Any:
        try:
            return super().__getattr__(name)  # type: ignore[misc]
        except AttributeError:
            raise ApiAttributeError(
                f"{type(self).__name__} has no field {name!r}{self._hint(name)}"
            ) from None

    @classmethod
    def _hint(cls, name: str) -> str:
        hint = difflib.get_close_matches(name, list(cls.model_fields), 1)
        return f" (did you mean {hint[0]!r}?)" if hint else ""

    # -- conversions -------------------------------------------------------------------

    @classmethod
    def from_dict(cls: Type[M], obj: Dict[str, Any]) -> M:
        """Build from a dict of JSON keys (or attribute names); unknown keys are kept."""
        return cls.model_validate(obj)

    @classmethod
    def from_json(cls: Type[M], json_str: "str | bytes") -> M:
        """Build from a JSON document; unknown keys are kept."""
        return cls.model_validate_json(json_str)

    def to_dict(self) -> Dict[str, Any]:
        """The fields that were set, by their JSON keys, nested models as dicts."""
        return self.model_dump(by_alias=True, exclude_unset=True)

    def to_json(self) -> str:
        """``to_dict()`` as a JSON document."""
        return self.model_dump_json(by_alias=True, exclude_unset=True)

    def to_str(self) -> str:
        """A pretty-printed ``to_dict()`` with secrets masked, for reading."""
        return pprint.pformat(_redacted(self))

    def to_wire(self, path: Optional[Path] = None) -> Dict[str, Any]:
        """The JSON object to send, after checking what the spec requires of a request.

        Unset fields and ``None`` in fields that are not nullable are left out,
        read-only fields are never sent, and neither are keys the spec does not
        declare. Raises ``ApiValueError`` naming the field that breaks a rule.
        """
        return _to_wire(self, path if path is not None else [type(self).__name__])

    # -- display -----------------------------------------------------------------------

    def __repr_args__(self) -> Any:
        values = self.__dict__
        fields_set = self.__pydantic_fields_set__
        for plan in self.__wire_plan__:
            if plan.name in fields_set:
                value = values.get(plan.name)
                yield plan.name, REDACTED if plan.secret and value is not None else value
        if self.__pydantic_extra__:
            yield from self.__pydantic_extra__.items()


def _to_wire(model: ApiModel, path: Path) -> Dict[str, Any]:
    out: Dict[str, Any] = {}
    values = model.__dict__
    fields_set = model.__pydantic_fields_set__
    for plan in model.__wire_plan__:
        if plan.read_only:
            continue
        value = values.get(plan.name)
        if value is None:
            if plan.required:
                raise ApiValueError("is required", path + [plan.name])
            if plan.nullable and plan.name in fields_set:
                out[plan.alias] = None
            continue
        if plan.is_list:
            if len(value) < plan.min_items:
                raise ApiValueError(
                    f"must have at least {plan.min_items} item(s)", path + [plan.name]
                )
            if plan.model is not None:
                value = [
                    _to_wire(item, path + [plan.name, i]) for i, item in enumerate(value)
                ]
            else:
                if plan.int64:
                    for i, item in enumerate(value):
                        _check_int64(item, path + [plan.name, i])
                value = list(value)
        elif plan.model is not None:
            value = _to_wire(value, path + [plan.name])
        elif plan.enum is not None and value not in plan.enum:
            raise ApiValueError(
                f"{value!r} is not one of {sorted(plan.enum)}", path + [plan.name]
            )
        elif plan.int64:
            _check_int64(value, path + [plan.name])
        out[plan.alias] = value
    return out


def _check_int64(value: int, path: Path) -> None:
    if not INT64_MIN <= value <= INT64_MAX:
        raise ApiValueError(f"{value} is out of the int64 range", path)


def encode_body(
    model: Type[ApiModel], value: Union[ApiModel, List[ApiModel]], path: Path
) -> bytes:
    """The request body for ``value`` (a model, or a list of them when ``value`` is a list).

    The rules are ``to_wire``'s. When nothing in the body needs the field-by-field
    treatment (no undeclared keys, no read-only field set, no field set to ``None``: the
    usual case for models built by users), pydantic serialises it in one pass, several
    times faster for bulk calls.
    """
    if isinstance(value, list):
        simple = True
        for i, item in enumerate(value):
            simple = _check_for_wire(item, (path, i)) and simple
        if not simple:
            return dump_json([_to_wire(item, path + [i]) for i, item in enumerate(value)])
        return _list_adapter(model).dump_json(value, by_alias=True, exclude_none=True)
    if not _check_for_wire(value, path):
        return dump_json(_to_wire(value, path))
    return value.model_dump_json(by_alias=True, exclude_none=True).encode("utf-8")


# Where a model sits in a body: the path as a list, or ``(where_of_parent, key)``. The
# list of keys is only put together for an error message; this runs for every model
# of a bulk body, and a pair costs less than a list.
Where = Union[Path, Tuple[Any, Any]]


def _path(where: Where, *more: Any) -> Path:
    keys: List[Any] = []
    while isinstance(where, tuple):
        where, key = where
        keys.append(key)
    return list(where) + keys[::-1] + list(more)


def _check_for_wire(model: ApiModel, where: Where) -> bool:
    """Raise for what a request may not carry; False when pydantic cannot serialise it as is."""
    required, value_checks, read_only = model.__wire_rules__
    fields_set = model.__pydantic_fields_set__
    values = model.__dict__  # every declared field is there, set or not
    # Simple: what is set is declared, writable and not None, so that leaving out the
    # None fields (exclude_none, cheaper in pydantic than exclude_unset) sends exactly
    # the fields that were set.
    simple = not model.__pydantic_extra__ and read_only.isdisjoint(fields_set)
    if simple:
        for name in fields_set:
            if values[name] is None:
                simple = False
                break
    for name in required:
        if values[name] is None:
            raise ApiValueError("is required", _path(where, name))
    for plan in value_checks:
        value = values[plan.name]
        if value is None:
            continue
        if plan.is_list:
            if len(value) < plan.min_items:
                raise ApiValueError(
                    f"must have at least {plan.min_items} item(s)", _path(where, plan.name)
                )
            if plan.model is not None:
                inner = (where, plan.name)
                for i, item in enumerate(value):
                    simple = _check_for_wire(item, (inner, i)) and simple
            elif plan.int64:
                for i, item in enumerate(value):
                    if not INT64_MIN <= item <= INT64_MAX:
                        _check_int64(item, _path(where, plan.name, i))
        elif plan.model is not None:
            simple = _check_for_wire(value, (where, plan.name)) and simple
        elif plan.enum is not None and value not in plan.enum:
            raise ApiValueError(
                f"{value!r} is not one of {sorted(plan.enum)}", _path(where, plan.name)
            )
        elif plan.int64 and not INT64_MIN <= value <= INT64_MAX:
            _check_int64(value, _path(where, plan.name))
    return simple


@functools.lru_cache(maxsize=None)
def _list_adapter(model: Type[ApiModel]) -> TypeAdapter[List[Any]]:
    return TypeAdapter(List[model])  # type: ignore[valid-type]


def _redacted(value: Any) -> Any:
    if isinstance(value, ApiModel):
        out: Dict[str, Any] = {}
        fields_set = value.__pydantic_fields_set__
        for plan in value.__wire_plan__:
            if plan.name in fields_set:
                item = value.__dict__.get(plan.name)
                out[plan.alias] = REDACTED if plan.secret and item is not None else _redacted(item)
        if value.__pydantic_extra__:
            out.update(value.__pydantic_extra__)
        return out
    if isinstance(value, list):
        return [_redacted(v) for v in value]
    return value


def dump_json(value: Any) -> bytes:
    """Compact UTF-8 JSON, as the request body."""
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
