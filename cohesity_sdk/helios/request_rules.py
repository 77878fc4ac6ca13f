"""What the spec requires of a request body, each rule written once, and what a request
leaves out.

The rules, from each field's ``Wire``:

- ``Required``: the field must hold a value (None, or never set, is refused);
- ``MinItems``: a list must have at least so many items;
- ``KnownValues``: a field with an enum must hold one of the values this SDK knows;
- ``Int64``: an integer (or each integer of a list) must fit in 64 bits;
- ``ReadOnly``: the server sets the field, so a request that gives it a value is refused;
  None given to it means "not given".

And what is sent: the fields that were set, ``None`` as ``null`` where the field is
nullable and left out where it is not; never a read-only field, nor a key the spec does
not declare (kept from a decoded answer).

A body is checked a column at a time: each rule is given the values of one field across
all the models of the body and says where the first value that breaks it is. Its test
over the whole column runs in C (``min``, ``in``, set operations); only when that test
fails does the rule look value by value, for the index of that first value. So a body
that keeps every rule costs one pass per rule, and a refusal names the first value at
fault in document order (models in order, fields in declaration order, depth first)
without a second walk.
"""

from __future__ import annotations

import functools
import itertools
import operator
import typing
from typing import (
    Any,
    Dict,
    FrozenSet,
    Iterator,
    List,
    Optional,
    Tuple,
    Type,
)

from pydantic import BaseModel

from cohesity_sdk.helios.constants import INT64_MAX, INT64_MIN
from cohesity_sdk.helios.exceptions import ApiValueError
from cohesity_sdk.helios.wire import FieldPlan

# The models are ApiModels (model_base imports this module, so it is not imported here).
ApiModel = BaseModel

Path = List[Any]

# What pydantic must leave out of a list of models: {position: {field name: True, or
# the same again for the model(s) in that field}}. Empty in the usual case.
Exclude = Dict[int, Dict[str, Any]]

READ_ONLY = "is read-only: the server sets it, so a request cannot; leave it out"


# -- the rules ----------------------------------------------------------------------------


class Rule:
    """One rule over the values of one field (of many models, or the items of their lists)."""

    __slots__ = ()

    def first_bad(self, values: List[Any]) -> int:
        """The index of the first of ``values`` (never empty) that breaks the rule, or -1."""
        raise NotImplementedError

    def message(self, value: Any) -> str:
        """What is wrong with ``value``, which breaks the rule."""
        raise NotImplementedError


class Required(Rule):
    """Given every value of the field, None included: None is refused."""

    __slots__ = ()

    def first_bad(self, values: List[Any]) -> int:
        return values.index(None) if None in values else -1

    def message(self, value: Any) -> str:
        return "is required"


class MinItems(Rule):
    """A list must have at least ``count`` items."""

    __slots__ = ("count",)

    def __init__(self, count: int) -> None:
        self.count = count

    def first_bad(self, values: List[Any]) -> int:
        count = self.count
        if min(map(len, values)) >= count:
            return -1
        return next((i for i, value in enumerate(values) if len(value) < count), -1)

    def message(self, value: Any) -> str:
        return f"must have at least {self.count} item(s)"


class KnownValues(Rule):
    """A value must be one of ``allowed``, the enum's values."""

    __slots__ = ("allowed",)

    def __init__(self, allowed: FrozenSet[Any]) -> None:
        self.allowed = allowed

    def first_bad(self, values: List[Any]) -> int:
        allowed = self.allowed
        if allowed.issuperset(values):
            return -1
        return next((i for i, value in enumerate(values) if value not in allowed), -1)

    def message(self, value: Any) -> str:
        return f"{value!r} is not one of {sorted(self.allowed)}"


class Int64(Rule):
    """An integer must fit in 64 bits."""

    __slots__ = ()

    def first_bad(self, values: List[Any]) -> int:
        if INT64_MIN <= min(values) and max(values) <= INT64_MAX:
            return -1
        return next((i for i, value in enumerate(values)
                     if not INT64_MIN <= value <= INT64_MAX), -1)

    def message(self, value: Any) -> str:
        return f"{value} is out of the int64 range"


_REQUIRED = Required()
_INT64 = Int64()


class ReadOnly:
    """The read-only fields of a class: the server sets them. A request that gives one a
    value (any value but None: ``""``, ``0`` and ``[]`` too) is refused; None given to one
    means "not given", and is left out."""

    __slots__ = ("names", "plans")

    def __init__(self, plans: Tuple[FieldPlan, ...]) -> None:
        self.plans = {plan.name: plan for plan in plans if plan.read_only}
        self.names = frozenset(self.plans)

    def first_bad(
        self, dicts: List[Dict[str, Any]], fields_sets: List[FrozenSet[str]], exclude: Exclude
    ) -> Optional[Tuple[int, FieldPlan]]:
        """The model (its index) and the field of the first read-only value, in document
        order, or None; files the read-only fields set to None in ``exclude``."""
        names = self.names
        # A model built by a user sets none of them: one pass in C shows so.
        if not names or all(map(names.isdisjoint, fields_sets)):
            return None
        for i, fields_set in enumerate(fields_sets):
            given = names & fields_set
            if not given:
                continue
            values_of = dicts[i]
            refused = [self.plans[name] for name in given if values_of[name] is not None]
            if refused:
                return i, min(refused, key=operator.attrgetter("position"))
            exclude.setdefault(i, {}).update(dict.fromkeys(given, True))
        return None


class FieldRules(typing.NamedTuple):
    """The rules of one writable field, in the order they are applied."""

    plan: FieldPlan
    required: Optional[Rule]  # over every value, None included
    on_values: Tuple[Rule, ...]  # over the values that are not None
    on_items: Tuple[Rule, ...]  # over the items of those values (list fields)
    # Then, if plan.model is set, its own rules over those values (or their items).


class WireRules(typing.NamedTuple):
    """A class's request rules, worked out once: what the checker needs to know."""

    fields: Tuple[FieldRules, ...]  # writable fields with a rule, in declaration order
    read_only: ReadOnly
    drop_none: FrozenSet[str]  # writable names where None means "not sent"
    sends_null: FrozenSet[str]  # writable names where None is sent as null
    size: int  # how many fields the class declares
    # Whether every field defaults to None, so that the unset ones are the Nones: the
    # cheap tests of _check count on it. Only the lists of list results default to [].
    none_defaults: bool = True


NO_RULES = WireRules((), ReadOnly(()), frozenset(), frozenset(), 0)


def _field_rules(plan: FieldPlan) -> FieldRules:
    on_values: List[Rule] = []
    on_items: List[Rule] = []
    if plan.is_list:
        if plan.min_items:
            on_values.append(MinItems(plan.min_items))
        if plan.int64 and plan.model is None:
            on_items.append(_INT64)
    elif plan.model is None:
        # A value has one rule at most: its known values, or else its range.
        if plan.enum is not None:
            on_values.append(KnownValues(plan.enum))
        elif plan.int64:
            on_values.append(_INT64)
    return FieldRules(plan, _REQUIRED if plan.required else None, tuple(on_values),
                      tuple(on_items))


def wire_rules(plans: Tuple[FieldPlan, ...], none_defaults: bool) -> WireRules:
    """The rules of a class whose fields are ``plans``."""
    fields = tuple(
        rules for rules in (_field_rules(p) for p in plans if not p.read_only)
        if rules.required or rules.on_values or rules.on_items or rules.plan.model is not None
    )
    return WireRules(
        fields=fields,
        read_only=ReadOnly(plans),
        drop_none=frozenset(p.name for p in plans if not (p.nullable or p.read_only)),
        sends_null=frozenset(p.name for p in plans if p.nullable and not p.read_only),
        size=len(plans),
        none_defaults=none_defaults,
    )


# -- the check ----------------------------------------------------------------------------


def check(cls: Type[ApiModel], items: List[ApiModel], path: Path,
          first: Optional[int]) -> Tuple[Exclude, bool]:
    """Check ``items`` (models of ``cls``) against the request rules, as items ``first``,
    ``first + 1``... of a list at ``path``, or as the lone model at ``path`` when
    ``first`` is None.

    Returns what pydantic must leave out (by position in ``items``), and whether only the
    set fields may be written (a set field sends ``null``, or an unset one holds
    something other than None). Raises ``ApiValueError`` naming the first value at fault.
    """
    exclude, nulls, refusal = _check(cls, items)
    if refusal is not None:
        where = path if first is None else path + [first + refusal.item]
        raise ApiValueError(refusal.message, where + refusal.path)
    return exclude, nulls


class Refusal(typing.NamedTuple):
    """A value that breaks a rule, in one of the models checked together."""

    item: int  # the index of that model among them
    order: Tuple[int, ...]  # where in that model, for document order
    path: Path  # the same as attribute names and list indexes
    message: str


def _earlier(found: Optional[Refusal], other: Refusal) -> Refusal:
    """Whichever of the two comes first in the document; ``found`` on a tie (it was
    found by an earlier rule of the same value)."""
    if found is None or (other.item, other.order) < (found.item, found.order):
        return other
    return found


_dict_of = operator.attrgetter("__dict__")
_fields_set_of = operator.attrgetter("__pydantic_fields_set__")
_extra_of = operator.attrgetter("__pydantic_extra__")
_is_not_none = functools.partial(operator.is_not, None)


def _all_values(dicts: List[Dict[str, Any]]) -> Iterator[Any]:
    return itertools.chain.from_iterable(map(dict.values, dicts))


def _check(
    cls: Type[ApiModel], items: List[ApiModel]
) -> Tuple[Exclude, bool, Optional[Refusal]]:
    """The column-wise pass over ``items`` and, in turn, the models nested in them: what
    ``check`` returns, and the first refusal (in which case the rest does not matter)."""
    if not items:
        return {}, False, None
    rules: WireRules = cls.__wire_rules__  # type: ignore[attr-defined]
    dicts = list(map(_dict_of, items))  # every declared field is there, set or not
    exclude: Exclude = {}
    refusal: Optional[Refusal] = None
    # A field left at a default other than None must be left out as unset.
    nulls = not rules.none_defaults
    for field in rules.fields:
        plan = field.plan
        model = plan.model
        here = (plan.position, -1)
        column = list(map(plan.value_of, dicts))
        if field.required is not None:
            i = field.required.first_bad(column)
            if i >= 0:
                refusal = _earlier(refusal, Refusal(i, here, [plan.name],
                                                    field.required.message(None)))
        if not (field.on_values or field.on_items or model is not None):
            continue
        values = list(filter(_is_not_none, column))
        if not values:
            continue
        for rule in field.on_values:
            p = rule.first_bad(values)
            if p >= 0:
                refusal = _earlier(refusal, Refusal(_holder(column, p), here, [plan.name],
                                                    rule.message(values[p])))
        inner = values
        if plan.is_list and (field.on_items or model is not None):
            inner = list(itertools.chain.from_iterable(values))
            if not inner:
                continue
            for rule in field.on_items:
                q = rule.first_bad(inner)
                if q >= 0:
                    p, k = _list_position(values, q)
                    refusal = _earlier(refusal, Refusal(
                        _holder(column, p), (plan.position, k), [plan.name, k],
                        rule.message(inner[q])))
        if model is None:
            continue
        nested, nested_nulls, nested_refusal = _check(model, inner)
        nulls = nulls or nested_nulls
        if nested_refusal is not None:
            if plan.is_list:
                p, k = _list_position(values, nested_refusal.item)
                step: Path = [plan.name, k]
            else:
                p, k, step = nested_refusal.item, 0, [plan.name]
            refusal = _earlier(refusal, Refusal(
                _holder(column, p), (plan.position, k) + nested_refusal.order,
                step + nested_refusal.path, nested_refusal.message))
        elif nested:
            _file_nested(exclude, plan, column, nested)

    # What is set but must not be sent. A model built by a user has none of it, and each
    # test below is a pass in C that shows so; only a positive one looks model by model.
    fields_sets = list(map(_fields_set_of, items))
    read_only = rules.read_only.first_bad(dicts, fields_sets, exclude)
    if read_only is not None:
        i, plan = read_only
        refusal = _earlier(refusal, Refusal(i, (plan.position, -1), [plan.name], READ_ONLY))
    if refusal is not None:
        return exclude, nulls, refusal
    extras = list(map(_extra_of, items))
    if any(extras):  # keys the spec does not declare, kept from a decoded body
        for i, extra in enumerate(extras):
            if extra:
                exclude.setdefault(i, {}).update(dict.fromkeys(extra, True))
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
    return exclude, nulls, None


def _holder(column: List[Any], p: int) -> int:
    """The index in ``column`` of its ``p``-th value that is not None."""
    if None not in column:
        return p
    return [i for i, value in enumerate(column) if value is not None][p]


def _list_position(lists: List[List[Any]], q: int) -> Tuple[int, int]:
    """``(p, k)``: the ``q``-th item of all of ``lists`` together is ``lists[p][k]``."""
    for p, items in enumerate(lists):
        if q < len(items):
            return p, q
        q -= len(items)
    raise IndexError(q)


def _file_nested(exclude: Exclude, plan: FieldPlan, column: List[Any], nested: Exclude) -> None:
    """File the exclusions of the models of one field (by their position among all of
    them, as ``_check`` saw them) under the items that hold them."""
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
