"""Models -> the bytes of a request body, after the request rules (``request_rules``).

``encode_body`` and ``ApiModel.to_wire`` go the same way: the rules are checked over all
the models of the body, then pydantic writes the fields that were set, less what
``request_rules.check`` says a request leaves out. So the body is
``dump_json(to_wire())``'s bytes.
"""

from __future__ import annotations

import functools
import json
from typing import TYPE_CHECKING, Any, Dict, List, Optional, Type, Union

from pydantic import BaseModel

from cohesity_sdk.helios.request_rules import Path, check

if TYPE_CHECKING:
    from pydantic import TypeAdapter

# The models are ApiModels (model_base imports this module, so it is not imported here).
ApiModel = BaseModel

# Models checked and written per call to pydantic in a long list body.
_CHUNK = 512


def encode_body(
    model: Type[ApiModel], value: Union[ApiModel, List[ApiModel]], path: Path
) -> bytes:
    """The request body for ``value`` (a model, or a list of them when ``value`` is a list).

    Raises ``ApiValueError`` naming the first value (under ``path``) that breaks a rule.
    """
    if not isinstance(value, list):
        options = dump_options(model, [value], path, None)
        return model.__pydantic_serializer__.to_json(value, **options)
    adapter = _list_adapter(model)
    if len(value) <= _CHUNK:
        return adapter.dump_json(value, **dump_options(model, value, path, 0))
    # A chunk at a time, so that its models are checked and written while they are
    # still in the CPU cache: for 100,000 models, a fifth less time than in one go.
    parts = []
    for start in range(0, len(value), _CHUNK):
        chunk = value[start:start + _CHUNK]
        parts.append(adapter.dump_json(chunk, **dump_options(model, chunk, path, start))[1:-1])
    return b"[" + b",".join(parts) + b"]"


def dump_options(
    cls: Type[ApiModel], items: List[ApiModel], path: Path, first: Optional[int]
) -> Dict[str, Any]:
    """Check ``items`` (models of ``cls``) against the request rules, and say how pydantic
    is to write them: as items ``first``, ``first + 1``... of a list, or as a lone model
    when ``first`` is None (``items`` is then that one model)."""
    exclude, nulls = check(cls, items, path, first)
    # The set fields are sent. When none of them holds None they are exactly the fields
    # that are not None, and pydantic writes those with exclude_none for about 60% of
    # what the same body costs with exclude_unset.
    options: Dict[str, Any] = {"by_alias": True, "exclude_unset" if nulls else "exclude_none": True}
    if exclude:
        options["exclude"] = exclude[0] if first is None else exclude
    return options


@functools.lru_cache(maxsize=None)
def _list_adapter(model: Type[ApiModel]) -> TypeAdapter[List[Any]]:
    # Imported here: only a list body needs it, and a script's first result does not.
    from pydantic import TypeAdapter

    return TypeAdapter(List[model])  # type: ignore[valid-type]


def dump_json(value: Any) -> bytes:
    """Compact UTF-8 JSON, as the request body."""
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
