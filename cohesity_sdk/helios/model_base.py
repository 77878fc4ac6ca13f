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
import itertools
import json
import operator
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
        "name", "alias", "leaf", "model", "is_list", "required", "nullable", "read_only",
        "secret", "int64", "min_items", "enum", "value_of",
    )

    def __init__(self, name: str, alias: str, annotation: Any, extra: Dict[str, Any]) -> None:
        self.name = name
        self.alias = alias
        self.value_of = operator.itemgetter(name)  # of a model's __dict__
        self.leaf, self.is_list = _leaf_type(annotation)
        self.model: Optional[Type[ApiModel]] = (
            self.leaf if isinstance(self.leaf, type) and issubclass(self.leaf, ApiModel) else None
        )
        self.required = bool(extra.get("x-required"))
        self.nullable = bool(extra.get("nullable"))
        self.read_only = bool(extra.get("readOnly"))
        self.secret = extra.get("format") == "password"
        self.int64 = extra.get("format") == "int64"
        self.min_items = int(extra.get("minItems", 0))
        values = extra.get("enum")
        self.enum = frozenset(values) if values else None


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


class WireRules(typing.NamedTuple):
    """A class's request rules, worked out once for ``encode_body``."""

    required: Tuple[FieldPlan, ...]  # writable fields that must not be None
    checked: Tuple[FieldPlan, ...]  # writable fields with a rule on their value when set
    read_only: frozenset  # type: ignore[type-arg]
    # Every field holds a scalar, a model or a list of them, so that each field set
    # gives exactly one key in the JSON: what encode_body counts on.
    plain: bool


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
    __wire_rules__: ClassVar[WireRules] = WireRules((), (), frozenset(), True)

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
        cls.__wire_rules__ = WireRules(
            required=tuple(p for p in writable if p.required),
            checked=tuple(p for p in writable
                          if p.min_items or p.enum or p.int64 or p.model is not None),
            read_only=frozenset(p.name for p in plans if p.read_only),
            plain=all(p.model is not None or p.leaf in (str, int, float, bool) for p in plans),
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

    The rules and the bytes are ``to_wire``'s. The usual body (models built by users,
    nothing set to ``None``, no undeclared keys, no read-only field set) is checked a
    column at a time and serialised by pydantic in one pass, several times faster than
    field by field for bulk calls. Anything else, a broken rule included, takes the
    field-by-field path, which names the field at fault.
    """
    items = value if isinstance(value, list) else [value]
    parts = []
    # A chunk at a time, so that its models are checked and serialised while they are
    # still in the CPU cache.
    for start in range(0, len(items), _CHUNK):
        part = _one_pass(model, items[start:start + _CHUNK])
        if part is None:
            break
        parts.append(part[1:-1])
    else:
        joined = b",".join(parts)
        return b"[" + joined + b"]" if isinstance(value, list) else joined
    if isinstance(value, list):
        return dump_json([_to_wire(item, path + [i]) for i, item in enumerate(value)])
    return dump_json(_to_wire(value, path))


_CHUNK = 512


def _one_pass(model: Type[ApiModel], items: List[ApiModel]) -> Optional[bytes]:
    """``items`` as a JSON array by pydantic, or None when that is not their wire form."""
    expected = _count_fields_set(model, items)
    if expected is None:
        return None
    body = _list_adapter(model).dump_json(items, by_alias=True, exclude_none=True)
    # exclude_none leaves out a field set to None that is nullable, which must be sent
    # as null. Every field set and not None gives one key, so such a field shows as a
    # key short of the count.
    return body if _count_keys(body) == expected else None


_dict_of = operator.attrgetter("__dict__")
_fields_set_of = operator.attrgetter("__pydantic_fields_set__")
_extra_of = operator.attrgetter("__pydantic_extra__")
_is_not_none = functools.partial(operator.is_not, None)


def _count_fields_set(model: Type[ApiModel], items: List[ApiModel]) -> Optional[int]:
    """How many fields are set in ``items`` and the models inside them, or None when
    one of them breaks a rule or needs the field-by-field path for another reason.

    Each test runs over all the items at once (``map`` and friends loop in C): for a
    bulk body this costs about half a Python loop over every model.
    """
    rules = model.__wire_rules__
    if not rules.plain or any(map(_extra_of, items)):
        return None
    fields_sets = list(map(_fields_set_of, items))
    if rules.read_only and not all(map(rules.read_only.isdisjoint, fields_sets)):
        return None
    count = sum(map(len, fields_sets))
    if not (rules.required or rules.checked):
        return count
    values_of = list(map(_dict_of, items))  # every declared field is there, set or not
    for plan in rules.required:
        if None in map(plan.value_of, values_of):
            return None
    for plan in rules.checked:
        values = list(filter(_is_not_none, map(plan.value_of, values_of)))
        if values and plan.is_list:
            if min(map(len, values)) < plan.min_items:
                return None
            # The items: models to count and check, or int64s to check.
            values = list(itertools.chain.from_iterable(values))
        if not values:
            continue
        if plan.model is not None:
            inner = _count_fields_set(plan.model, values)
            if inner is None:
                return None
            count += inner
        elif plan.enum is not None:
            if not plan.enum.issuperset(values):
                return None
        elif plan.int64 and not INT64_MIN <= min(values) <= max(values) <= INT64_MAX:
            return None
    return count


def _count_keys(body: bytes) -> int:
    """The number of object keys in compact JSON whose keys need no escaping.

    A key ends in ``":``. Inside a string a quote is always escaped, so ``":`` there
    is ``\\":``, counted apart; a key itself never ends in a backslash.
    """
    return body.count(b'":') - body.count(b'\\":')


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
