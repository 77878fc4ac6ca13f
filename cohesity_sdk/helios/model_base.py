"""The base of every generated model: strict when a user builds it, lenient from the server.

A model built by a user (``CreateUserParameters(username=...)``) refuses keywords it does
not know, at any depth. A model decoded from the server (``from_dict``, ``from_json``, a
response) keeps unknown fields, accepts enum values it has not heard of and fields that
are missing. What the spec requires of a request (required fields, ``minItems``, known
enum values, the int64 range) is checked when the model is turned into a request body
(``encode_body``, ``to_wire``), by one checker that reads each class's ``WireRules``;
pydantic then writes the fields that were set, less what a request never carries.
"""

from __future__ import annotations

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
    Callable,
    ClassVar,
    Dict,
    FrozenSet,
    Iterable,
    Iterator,
    List,
    Optional,
    Tuple,
    Type,
    TypeVar,
    Union,
)

from pydantic import BaseModel, ConfigDict, TypeAdapter, ValidationError

from cohesity_sdk.helios.exceptions import (
    ApiAttributeError,
    ApiTypeError,
    ApiValueError,
    describe_errors,
    did_you_mean,
    render_path,
)
from cohesity_sdk.helios.operation import INT64_MAX, INT64_MIN

if TYPE_CHECKING:
    from pydantic._internal._model_construction import ModelMetaclass as _PydanticMeta
else:
    _PydanticMeta = type(BaseModel)

M = TypeVar("M", bound="ApiModel")

#: pydantic's names kept for v1 code, and those it deprecates on instances.
_DEPRECATED = frozenset({
    "dict", "json", "parse_obj", "parse_raw", "parse_file", "from_orm", "construct", "copy",
    "schema", "schema_json", "validate", "update_forward_refs", "_iter",
    "_copy_and_set_values", "_get_value", "_calculate_keys", "__fields__",
    "__fields_set__", "model_fields", "model_computed_fields",
})
Path = List[Any]

REDACTED = "***"


class WireEnum(str, enum.Enum):
    """Base of the enums of known values; members compare equal to their strings."""

    # Python 3.11 made mixed-in enums print as ``Class.MEMBER``; keep the value.
    def __str__(self) -> str:
        return str.__str__(self)

    def __format__(self, format_spec: str) -> str:
        return str.__format__(self, format_spec)


class Wire(typing.NamedTuple):
    """What the spec says of a field beyond its type, as the generated models declare it:
    ``Annotated[Optional[str], Wire(required=True)]``.

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
    enum: Optional[Type["WireEnum"]] = None


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


class FieldPlan:
    """What the wire needs to know about one field, worked out once per class."""

    __slots__ = (
        "name", "alias", "leaf", "model", "is_list", "required", "nullable", "read_only",
        "secret", "int64", "min_items", "enum", "value_of",
    )

    def __init__(self, name: str, alias: str, annotation: Any, wire: Wire) -> None:
        self.name = name
        self.alias = alias
        self.value_of = operator.itemgetter(name)  # of a model's __dict__
        self.leaf, self.is_list = _leaf_type(annotation)
        self.model: Optional[Type[ApiModel]] = (
            self.leaf if isinstance(self.leaf, type) and issubclass(self.leaf, ApiModel) else None
        )
        self.required = wire.required
        self.nullable = wire.nullable
        self.read_only = wire.read_only
        self.secret = wire.secret
        self.int64 = wire.int64
        self.min_items = wire.min_items
        self.enum = frozenset(e.value for e in wire.enum) if wire.enum else None


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


class Check(typing.NamedTuple):
    """One request rule, as a test over a column of values.

    ``test`` is given a non-empty list of values (of one field across many models) and
    says whether every one of them keeps the rule; given a list of one value it says
    whether that value does. ``message`` says what is wrong with a value that does not.
    """

    test: Callable[[List[Any]], bool]
    message: Callable[[Any], str]


class FieldRules(typing.NamedTuple):
    """The rules of one writable field, in the order they are applied."""

    plan: FieldPlan
    required: Optional[Check]  # over every value, None included
    on_values: Tuple[Check, ...]  # over the values that are not None
    on_items: Tuple[Check, ...]  # over the items of those values (list fields)
    # Then, if plan.model is set, its own rules over those values (or their items).


class WireRules(typing.NamedTuple):
    """A class's request rules, worked out once: what the checker needs to know."""

    fields: Tuple[FieldRules, ...]  # writable fields with a rule, in declaration order
    read_only: FrozenSet[str]  # names a request may not set
    drop_none: FrozenSet[str]  # writable names where None means "not sent"
    sends_null: FrozenSet[str]  # writable names where None is sent as null
    size: int  # how many fields the class declares
    # Whether every field defaults to None, so that the unset ones are the Nones: the
    # cheap tests of _scan count on it. Only the lists of list results default to [].
    none_defaults: bool = True
    # Each field's rules, in declaration order: a name alone for a read-only field.
    in_order: Tuple[Union[str, FieldRules], ...] = ()


def _has_no_none(values: List[Any]) -> bool:
    return None not in values


def _in_int64(values: List[Any]) -> bool:
    return bool(INT64_MIN <= min(values) and max(values) <= INT64_MAX)


_REQUIRED = Check(_has_no_none, lambda value: "is required")
_INT64 = Check(_in_int64, lambda value: f"{value} is out of the int64 range")


def _min_items(count: int) -> Check:
    return Check(lambda values: min(map(len, values)) >= count,
                 lambda value: f"must have at least {count} item(s)")


def _known_values(allowed: FrozenSet[Any]) -> Check:
    return Check(allowed.issuperset,
                 lambda value: f"{value!r} is not one of {sorted(allowed)}")


def _field_rules(plan: FieldPlan) -> FieldRules:
    on_values: List[Check] = []
    on_items: List[Check] = []
    if plan.is_list:
        if plan.min_items:
            on_values.append(_min_items(plan.min_items))
        if plan.int64 and plan.model is None:
            on_items.append(_INT64)
    elif plan.model is None:
        # A value has one rule at most: its known values, or else its range.
        if plan.enum is not None:
            on_values.append(_known_values(plan.enum))
        elif plan.int64:
            on_values.append(_INT64)
    return FieldRules(plan, _REQUIRED if plan.required else None, tuple(on_values),
                      tuple(on_items))


def _wire_rules(plans: Tuple[FieldPlan, ...], none_defaults: bool) -> WireRules:
    fields = tuple(
        rules for rules in (_field_rules(p) for p in plans if not p.read_only)
        if rules.required or rules.on_values or rules.on_items or rules.plan.model is not None
    )
    by_name = {rules.plan.name: rules for rules in fields}
    return WireRules(
        fields=fields,
        read_only=frozenset(p.name for p in plans if p.read_only),
        drop_none=frozenset(p.name for p in plans if not (p.nullable or p.read_only)),
        sends_null=frozenset(p.name for p in plans if p.nullable and not p.read_only),
        size=len(plans),
        none_defaults=none_defaults,
        in_order=tuple(p.name if p.read_only else by_name[p.name] for p in plans
                       if p.read_only or p.name in by_name),
    )


class _StrictConstruction(_PydanticMeta):
    """Checks the keywords of ``Model(...)`` before pydantic sees them, and makes what
    pydantic refuses an ``ApiValueError`` naming the field.

    Only the call syntax goes through here: pydantic's own validation of server data
    never calls the class, so decoding stays lenient and fast. Type checkers do not see
    it, so that they read each model's own typed ``__init__``.
    """

    if not TYPE_CHECKING:

        def __call__(cls, *args: Any, **kwargs: Any) -> Any:
            _check_keywords(cls, kwargs, [])
            try:
                return super().__call__(*args, **kwargs)
            except ValidationError as exc:
                raise _refused(cls.__name__ + "()", exc) from None


def build_model(cls: Type[M], data: Dict[str, Any], where: str) -> M:
    """``cls(**data)``, each refusal saying ``where`` it was (``body[0]``)."""
    try:
        _check_keywords(cls, data, [])
    except ApiTypeError as exc:
        raise ApiTypeError(f"{where}: {exc}") from None
    try:
        return cls.model_validate(data)
    except ValidationError as exc:
        raise _refused(where, exc) from None


def _refused(where: str, exc: ValidationError) -> ApiValueError:
    # A ValueError, as pydantic's error is: code that catches that keeps working.
    return ApiValueError(f"{where}: {describe_errors(exc)}")


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
    where = f" at {render_path(path)}" if path else ""
    return ApiTypeError(f"{cls.__name__}() got an unexpected keyword argument {key!r}"
                        f"{where}{did_you_mean(key, names)}")


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
    # Attribute paths (``local_user_params.email``) a table shows first: the x-columns.
    __columns__: ClassVar[Tuple[str, ...]] = ()
    __known_names__: ClassVar[Dict[str, FieldPlan]] = {}
    __wire_rules__: ClassVar[WireRules] = WireRules((), frozenset(), frozenset(), frozenset(), 0)

    @classmethod
    def __pydantic_init_subclass__(cls, **kwargs: Any) -> None:
        super().__pydantic_init_subclass__(**kwargs)
        plans = []
        for name, info in cls.model_fields.items():
            wire = next((m for m in info.metadata if isinstance(m, Wire)), _NO_WIRE)
            plans.append(FieldPlan(name, info.serialization_alias or name, info.annotation, wire))
        cls.__wire_plan__ = tuple(plans)
        known: Dict[str, FieldPlan] = {}
        for plan in plans:
            known[plan.name] = plan
            known[plan.alias] = plan
        cls.__known_names__ = known
        cls.__wire_rules__ = _wire_rules(cls.__wire_plan__, all(
            info.default is None and info.default_factory is None
            for info in cls.model_fields.values()))

    # -- attribute access ------------------------------------------------------------

    # Hidden from type checkers: for them a model has its declared fields and no others,
    # so that a misspelt name is an error in the editor.
    if not TYPE_CHECKING:

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
            try:
                super().__setattr__(name, value)
            except ValidationError as exc:
                raise _refused(type(self).__name__, exc) from None

        def __getattr__(self, name: str) -> Any:
            try:
                return super().__getattr__(name)
            except AttributeError:
                raise ApiAttributeError(
                    f"{type(self).__name__} has no field {name!r}{self._hint(name)}"
                ) from None

    def __dir__(self) -> Iterable[str]:
        # What there is to use: fields, not the names pydantic keeps for v1 code.
        return sorted(set(super().__dir__()) - _DEPRECATED)

    @classmethod
    def _hint(cls, name: str) -> str:
        return did_you_mean(name, cls.model_fields)

    # -- conversions -------------------------------------------------------------------

    @classmethod
    def from_dict(cls: Type[M], obj: Dict[str, Any]) -> M:
        """Build from a dict of JSON keys (or attribute names); unknown keys are kept."""
        try:
            return cls.model_validate(obj)
        except ValidationError as exc:
            raise _refused(f"{cls.__name__}.from_dict()", exc) from None

    @classmethod
    def from_json(cls: Type[M], json_str: Union[str, bytes]) -> M:
        """Build from a JSON document; unknown keys are kept."""
        try:
            return cls.model_validate_json(json_str)
        except ValidationError as exc:
            raise _refused(f"{cls.__name__}.from_json()", exc) from None

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
        declare. Raises ``ApiValueError`` naming the field that breaks a rule. Checked
        and written as ``encode_body`` does a request body.
        """
        cls = type(self)
        path = path if path is not None else [cls.__name__]
        return self.model_dump(**_dump_options(cls, [self], path, None))

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

    # For notebooks (see display.py, loaded on first display): a table of the fields that
    # hold a value, times as dates, secrets masked.
    def _repr_html_(self) -> str:
        from cohesity_sdk.helios import display

        return display.to_html(self)

    def _repr_pretty_(self, p: Any, cycle: bool) -> None:
        from cohesity_sdk.helios import display

        display.pretty(self, p, cycle)


class ListResult(ApiModel):
    """Base of the list results (``UsersList``...): a model that holds one list of models,
    the field ``__items__`` names. Shown as a table of the items; ``to_records()`` and
    ``to_pandas()`` make tables of them."""

    __items__: ClassVar[str] = ""

    def to_records(self) -> List[Dict[str, Any]]:
        """One flat dict per item, every one with the same keys in the same order: the
        preferred columns first, nested fields dotted (``local_user_params.email``),
        ``*_time_msecs`` as aware UTC ``datetime`` objects, secrets left out. See
        ``cohesity_sdk.helios.display``."""
        from cohesity_sdk.helios import display

        return display.list_records(self)

    # Any rather than pandas.DataFrame: code that calls it must type-check where pandas
    # is not installed too. ``frame: pandas.DataFrame = result.to_pandas()`` gives the type.
    def to_pandas(self) -> Any:
        """``to_records()`` as a ``pandas.DataFrame``, ``*_time_msecs`` columns as
        ``datetime64[ns, UTC]``. Needs pandas: ``pip install cohesity-sdk[pandas]``;
        without it, raises ``ImportError``."""
        from cohesity_sdk.helios import display

        return display.to_pandas(self)


def encode_body(
    model: Type[ApiModel], value: Union[ApiModel, List[ApiModel]], path: Path
) -> bytes:
    """The request body for ``value`` (a model, or a list of them when ``value`` is a list).

    The rules are checked a column at a time over all the models of the body, then
    pydantic writes it: the same checker and the same options as ``to_wire``, so the
    bytes are ``dump_json(to_wire())``'s.
    """
    if not isinstance(value, list):
        options = _dump_options(model, [value], path, None)
        return model.__pydantic_serializer__.to_json(value, **options)
    adapter = _list_adapter(model)
    if len(value) <= _CHUNK:
        return adapter.dump_json(value, **_dump_options(model, value, path, 0))
    # A chunk at a time, so that its models are checked and written while they are
    # still in the CPU cache: for 100,000 models, a fifth less time than in one go.
    parts = []
    for start in range(0, len(value), _CHUNK):
        chunk = value[start:start + _CHUNK]
        parts.append(adapter.dump_json(chunk, **_dump_options(model, chunk, path, start))[1:-1])
    return b"[" + b",".join(parts) + b"]"


_CHUNK = 512


# What pydantic must leave out of a list of models: {position: {field name: True, or
# the same again for the model(s) in that field}}. Empty in the usual case.
Exclude = Dict[int, Dict[str, Any]]


_READ_ONLY = "is read-only: the server sets it, so a request cannot; leave it out"


class _Broken(Exception):
    """A rule is broken somewhere in the body; ``_locate`` finds the first place."""


def _dump_options(
    cls: Type[ApiModel], items: List[ApiModel], path: Path, first: Optional[int]
) -> Dict[str, Any]:
    """Check ``items`` (models of ``cls``) against the request rules, and say how pydantic
    is to write them: as items ``first``, ``first + 1``... of a list, or as a lone model
    when ``first`` is None (``items`` is then that one model).

    Raises ``ApiValueError`` naming the first value in document order (items in order,
    fields in declaration order, depth first) that breaks a rule.
    """
    try:
        exclude, nulls = _scan(cls, items)
    except _Broken:
        # The same tests again, one value at a time, to find which value it is.
        for i, item in enumerate(items):
            _locate(cls, item, path if first is None else path + [first + i])
        raise AssertionError("a rule failed over a column but for none of its values") from None
    # The set fields are sent. When none of them holds None they are exactly the fields
    # that are not None, and pydantic writes those with exclude_none for about 60% of
    # what the same body costs with exclude_unset.
    options: Dict[str, Any] = {"by_alias": True, "exclude_unset" if nulls else "exclude_none": True}
    if exclude:
        options["exclude"] = exclude[0] if first is None else exclude
    return options


_dict_of = operator.attrgetter("__dict__")
_fields_set_of = operator.attrgetter("__pydantic_fields_set__")
_extra_of = operator.attrgetter("__pydantic_extra__")
_is_not_none = functools.partial(operator.is_not, None)


def _all_values(dicts: List[Dict[str, Any]]) -> Iterator[Any]:
    return itertools.chain.from_iterable(map(dict.values, dicts))


def _scan(cls: Type[ApiModel], items: List[ApiModel]) -> Tuple[Exclude, bool]:
    """The column-wise pass over ``items`` and, in turn, the models nested in them.

    Each rule is tested once over a whole column (the loops are ``map`` and friends, in
    C). Raises ``_Broken`` when a test fails. Returns what must not be sent, by position
    in ``items``, and whether only the set fields may be written (a set field sends
    ``null``, or an unset one holds something other than None).
    """
    if not items:
        return {}, False
    rules = cls.__wire_rules__
    dicts = list(map(_dict_of, items))  # every declared field is there, set or not
    exclude: Exclude = {}
    # A field left at a default other than None must be left out as unset.
    nulls = not rules.none_defaults
    for field in rules.fields:
        model = field.plan.model
        column = list(map(field.plan.value_of, dicts))
        if field.required is not None and not field.required.test(column):
            raise _Broken
        if not (field.on_values or field.on_items or model is not None):
            continue
        values = list(filter(_is_not_none, column))
        if not values:
            continue
        for check in field.on_values:
            if not check.test(values):
                raise _Broken
        inner = values
        if field.plan.is_list and (field.on_items or model is not None):
            inner = list(itertools.chain.from_iterable(values))
            if not inner:
                continue
            for check in field.on_items:
                if not check.test(inner):
                    raise _Broken
        if model is not None:
            nested, nested_nulls = _scan(model, inner)
            nulls = nulls or nested_nulls
            if nested:
                _file_nested(exclude, field.plan, column, nested)

    # What is set but must not be sent. A model built by a user has none of it, and each
    # test below is a pass in C that shows so; only a positive one looks model by model.
    extras = list(map(_extra_of, items))
    if any(extras):  # keys the spec does not declare, kept from a decoded body
        for i, extra in enumerate(extras):
            if extra:
                exclude.setdefault(i, {}).update(dict.fromkeys(extra, True))
    fields_sets = list(map(_fields_set_of, items))
    read_only = rules.read_only
    if read_only and not all(map(read_only.isdisjoint, fields_sets)):
        for i, fields_set in enumerate(fields_sets):
            for name in read_only & fields_set:
                if dicts[i][name] is not None:
                    raise _Broken  # the server sets it: a request that does is refused
                exclude.setdefault(i, {})[name] = True  # None: "not given"
    # Does a set field hold None? Where every field defaults to None, only set fields
    # hold anything else. If as many values are truthy as fields are set, none does (the
    # cheapest test: no comparisons). If not (False, 0, "" or [] were set, say), none
    # does if the Nones are exactly the unset fields. Only if not is it worth finding
    # which. A class with another default (a list result's []) is looked at item by item.
    set_count = sum(map(len, fields_sets))
    if not rules.none_defaults or (
        len(list(filter(None, _all_values(dicts)))) != set_count
        and operator.countOf(_all_values(dicts), None) != rules.size * len(items) - set_count
    ):
        drop_none, sends_null = rules.drop_none, rules.sends_null
        for i, (values_of, fields_set) in enumerate(zip(dicts, fields_sets)):
            for name in fields_set:  # an undeclared key is there too, but not in values_of
                if name in values_of and values_of[name] is None:
                    if name in drop_none:  # None there means "not sent"
                        exclude.setdefault(i, {})[name] = True
                    elif name in sends_null:
                        nulls = True
    return exclude, nulls


def _file_nested(exclude: Exclude, plan: FieldPlan, column: List[Any], nested: Exclude) -> None:
    """File the exclusions of the models of one field (by their position among all of
    them, as ``_scan`` saw them) under the items that hold them."""
    owners: List[Tuple[int, Optional[int]]]
    if plan.is_list:
        owners = [(i, k) for i, value in enumerate(column) if value is not None
                  for k in range(len(value))]
    else:
        owners = [(i, None) for i, value in enumerate(column) if value is not None]
    for position, inner in nested.items():
        i, k = owners[position]
        if k is None:
            exclude.setdefault(i, {})[plan.name] = inner
        else:
            exclude.setdefault(i, {}).setdefault(plan.name, {})[k] = inner


def _locate(cls: Type[ApiModel], model: ApiModel, path: Path) -> None:
    """Raise ``ApiValueError`` for the first value of ``model`` that breaks a rule of
    ``cls``, if any: the tests ``_scan`` applies to columns, applied to one value at a time.
    """
    values_of = model.__dict__
    for field in cls.__wire_rules__.in_order:
        if isinstance(field, str):
            if field in model.__pydantic_fields_set__ and values_of[field] is not None:
                raise ApiValueError(_READ_ONLY, path + [field])
            continue
        name = field.plan.name
        value = values_of[name]
        if field.required is not None and not field.required.test([value]):
            raise ApiValueError(field.required.message(value), path + [name])
        if value is None:
            continue
        for check in field.on_values:
            if not check.test([value]):
                raise ApiValueError(check.message(value), path + [name])
        for check in field.on_items:
            for k, item in enumerate(value):
                if not check.test([item]):
                    raise ApiValueError(check.message(item), path + [name, k])
        nested = field.plan.model
        if nested is not None:
            if field.plan.is_list:
                for k, item in enumerate(value):
                    _locate(nested, item, path + [name, k])
            else:
                _locate(nested, value, path + [name])


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
