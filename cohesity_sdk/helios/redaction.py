"""Secrets masked wherever a model is shown: its ``repr`` and ``to_str()`` here.

A field the spec marks ``format: password`` (``Wire(secret=True)``) that holds a value
reads as ``***``; the value itself stays on the model for the program to use. ``str()``
and the notebook display (``display``) mask them the same way.
"""

from __future__ import annotations

from typing import Any, Dict, Iterator, Tuple

from pydantic import BaseModel

REDACTED = "***"


# The models are ApiModels (model_base, which imports this module): what is read of
# them beyond BaseModel is their __wire_plan__, the FieldPlans of their fields.


def repr_args(model: BaseModel) -> Iterator[Tuple[str, Any]]:
    """``(name, value)`` of the fields set on ``model``, then its undeclared keys, for its
    ``repr``."""
    values = model.__dict__
    fields_set = model.__pydantic_fields_set__
    for plan in type(model).__wire_plan__:  # type: ignore[attr-defined]
        if plan.name in fields_set:
            value = values.get(plan.name)
            yield plan.name, REDACTED if plan.secret and value is not None else value
    if model.__pydantic_extra__:
        yield from model.__pydantic_extra__.items()


def redacted_text(model: BaseModel) -> str:
    """``model.to_dict()`` pretty-printed, secrets masked at any depth."""
    import pprint  # for to_str() only: not on the way of a script's first call

    return pprint.pformat(_redacted(model))


def _redacted(value: Any) -> Any:
    if isinstance(value, BaseModel):  # every model here is an ApiModel
        model = value
        out: Dict[str, Any] = {}
        fields_set = model.__pydantic_fields_set__
        for plan in type(model).__wire_plan__:  # type: ignore[attr-defined]
            if plan.name in fields_set:
                item = model.__dict__.get(plan.name)
                out[plan.alias] = REDACTED if plan.secret and item is not None else _redacted(item)
        if model.__pydantic_extra__:
            out.update(model.__pydantic_extra__)
        return out
    if isinstance(value, list):
        return [_redacted(v) for v in value]
    return value
