"""Secrets masked wherever a model is shown: its ``repr`` and ``to_str()`` here.

A field the spec marks ``format: password`` (``Wire(secret=True)``) that holds a value
reads as ``***``; the value itself stays on the model for the program to use. ``str()``
and the notebook display (``display``) mask them the same way.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Dict, Iterator, Tuple, cast

from pydantic import BaseModel

if TYPE_CHECKING:
    from cohesity_sdk.helios.model_base import ApiModel

REDACTED = "***"


def repr_args(model: ApiModel) -> Iterator[Tuple[str, Any]]:
    """``(name, value)`` of the fields set on ``model``, then its undeclared keys, for its
    ``repr``."""
    values = model.__dict__
    fields_set = model.__pydantic_fields_set__
    for plan in model.__wire_plan__:
        if plan.name in fields_set:
            value = values.get(plan.name)
            yield plan.name, REDACTED if plan.secret and value is not None else value
    if model.__pydantic_extra__:
        yield from model.__pydantic_extra__.items()


def redacted_text(model: ApiModel) -> str:
    """``model.to_dict()`` pretty-printed, secrets masked at any depth."""
    import pprint  # for to_str() only: not on the way of a script's first call

    return pprint.pformat(_redacted(model))


def _redacted(value: Any) -> Any:
    if isinstance(value, BaseModel):  # every model here is an ApiModel
        model = cast("ApiModel", value)
        out: Dict[str, Any] = {}
        fields_set = model.__pydantic_fields_set__
        for plan in model.__wire_plan__:
            if plan.name in fields_set:
                item = model.__dict__.get(plan.name)
                out[plan.alias] = REDACTED if plan.secret and item is not None else _redacted(item)
        if model.__pydantic_extra__:
            out.update(model.__pydantic_extra__)
        return out
    if isinstance(value, list):
        return [_redacted(v) for v in value]
    return value
