"""Descriptions of API operations, as the generated API classes hand them to the engine.

An ``Operation`` says everything the wire needs: the method, the path template, each
parameter's location, wire name, type and limits, the body's model and the response
model. Models are named, not imported, so that importing an API class stays
cheap; they are imported on the first call that needs them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Generic, Optional, Tuple, Type, TypeVar

from cohesity_sdk.helios.constants import INT64_MAX as INT64_MAX, INT64_MIN as INT64_MIN

if TYPE_CHECKING:
    from pydantic import BaseModel

PATH = "path"
QUERY = "query"
HEADER = "header"
BODY = "body"
#: Not sent: the caller's "yes, all of them" for an operation called without its filter.
CONFIRM = "confirm"

#: Parameter types, as the spec names them.
STRING = "string"
INTEGER = "integer"
BOOLEAN = "boolean"
ARRAY = "array"  # of strings, sent as one comma-separated value

#: What a successful call of an operation returns: its response model, or None.
R = TypeVar("R")


def load_model(class_name: str) -> Type[BaseModel]:
    """Import a model class by name (through the generated name -> module map)."""
    from cohesity_sdk.helios import models

    return getattr(models, class_name)  # type: ignore[no-any-return]


class Param:
    """One parameter of an operation."""

    __slots__ = ("name", "wire_name", "location", "kind", "required", "model_name",
                 "is_list", "min_items", "min_length", "guards")

    def __init__(
        self,
        name: str,
        wire_name: str,
        location: str,
        kind: str = STRING,
        *,
        required: bool = False,
        model: Optional[str] = None,
        is_list: bool = False,
        min_items: int = 0,
        min_length: int = 0,
        guards: Optional[str] = None,
    ) -> None:
        self.name = name
        self.wire_name = wire_name
        self.location = location
        self.kind = kind
        self.required = required
        self.model_name = model
        self.is_list = is_list
        self.min_items = min_items
        self.min_length = min_length  # of a string, or of each item of a list
        self.guards = guards  # a CONFIRM: the filter without which the call needs it

    def __repr__(self) -> str:
        return f"Param({self.name!r}, {self.wire_name!r}, {self.location!r}, {self.kind!r})"


class Operation(Generic[R]):
    """One API operation; ``params`` are in the Python signature's order.

    ``Operation[UsersList]`` is an operation whose success decodes to ``UsersList``: the
    type lets ``BaseApi`` give each generated method its exact result type.

    ``idempotent`` (the spec's ``x-idempotent``) says whether a try that reached the
    server and lost its answer may be sent again: doing it twice does no harm.
    ``deletes`` (``x-deletes``) marks an operation that removes what it names, so that
    a 404 to a repeat of a try that lost its answer means that try did it.
    """

    __slots__ = ("id", "method", "path", "params", "response_name", "idempotent",
                 "deletes", "response_model", "_body_model", "header_names")

    #: The model the success body decodes to, or ``None`` when there is no body;
    #: imported when it is first read.
    response_model: Optional[Type[BaseModel]]

    def __init__(
        self,
        id: str,
        method: str,
        path: str,
        params: Tuple[Param, ...],
        *,
        response: Optional[str] = None,
        idempotent: bool = False,
        deletes: bool = False,
    ) -> None:
        self.id = id
        self.method = method
        self.path = path
        self.params = params
        self.response_name = response
        self.idempotent = idempotent
        self.deletes = deletes
        self._body_model: Optional[Type[BaseModel]] = None
        self.header_names = frozenset(p.wire_name for p in params if p.location == HEADER)

    if not TYPE_CHECKING:  # hidden from type checkers: it answers for one name only
        def __getattr__(self, name: str) -> Any:
            # Called only while ``response_model`` is unset: reading it then imports it
            # once, and from then on it is a plain attribute.
            if name != "response_model":
                raise AttributeError(
                    f"{type(self).__name__!r} object has no attribute {name!r}")
            model = load_model(self.response_name) if self.response_name else None
            self.response_model = model
            return model

    def body_model(self, param: Param) -> Type[BaseModel]:
        """The model of the request body."""
        if self._body_model is None:
            assert param.model_name is not None
            self._body_model = load_model(param.model_name)
        return self._body_model

    def __repr__(self) -> str:
        return f"Operation({self.id!r}, {self.method} {self.path})"

