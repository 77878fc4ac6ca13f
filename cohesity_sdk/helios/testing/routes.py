"""The operations as the wire sees them, from the generated ``operations`` module: matching
a request to one, and turning its path and query into the keyword arguments of the
method of that operation (on its resource, see ``backend``). What an operation does is
the resources' business.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Dict, List, Mapping, Optional, Tuple
from urllib.parse import unquote, unquote_plus

from cohesity_sdk.helios.testing import schema
from cohesity_sdk.helios.testing.errors import ApiError, bad_request, not_found
from cohesity_sdk.helios.testing.operations import OPERATIONS
from cohesity_sdk.helios.testing.schema import Field

#: Every path starts with it, as ``Configuration.host`` ends with it.
BASE_PATH = "/v2"

#: The header that names the cluster; an operation without it is Helios-level.
ACCESS_CLUSTER_HEADER = "accessClusterId"


@dataclass(frozen=True)
class Route:
    operation_id: str
    method: str
    template: str  # below BASE_PATH, as the spec writes it
    status: int  # on success
    query: Mapping[str, Field] = field(default_factory=dict)
    required_query: Tuple[str, ...] = ()
    body: Optional[Field] = None
    routed: bool = True  # takes the accessClusterId header; False: Helios-level
    login: bool = False  # needs no credentials: it is how a caller gets some
    keywords: Mapping[str, str] = field(default_factory=dict)  # path and query: wire -> Python

    @property
    def segments(self) -> List[str]:
        return self.template.strip("/").split("/")


def _route(operation_id: str, op: Mapping[str, Any]) -> Route:
    query: Mapping[str, Any] = op["query"]
    body: Optional[Mapping[str, Any]] = op["body"]
    return Route(
        operation_id, op["method"], op["path"], op["status"],
        query={name: schema.field(param["schema"]) for name, param in query.items()},
        required_query=tuple(name for name, param in query.items() if param["required"]),
        body=None if body is None else schema.field(body["schema"]),
        routed=ACCESS_CLUSTER_HEADER in op["headers"],
        login=op["login"],
        keywords={name: param["python_name"]
                  for params in (op["path_params"], query) for name, param in params.items()},
    )


ROUTES: Tuple[Route, ...] = tuple(_route(op_id, op) for op_id, op in OPERATIONS.items())

OPERATION_IDS = frozenset(route.operation_id for route in ROUTES)


def match(method: str, path: str) -> Tuple[Route, Dict[str, str]]:
    """The route for ``method`` and the raw (still percent-encoded) ``path``, and its
    path parameters, decoded.

    A literal segment beats a parameter (``/users/sessions`` is not a user), and a path
    that exists for other methods is a 405 whose ``Allow`` lists them.
    """
    if path != BASE_PATH and not path.startswith(BASE_PATH + "/"):
        raise not_found(f"no such path: {path}")
    # Split before decoding: an encoded "/" inside a SID must stay inside its segment.
    segments = path[len(BASE_PATH):].strip("/").split("/")
    candidates: List[Tuple[int, Route, Dict[str, str]]] = []
    for route in ROUTES:
        params = _match_segments(route.segments, segments)
        if params is not None:
            literal = sum(1 for s in route.segments if not s.startswith("{"))
            candidates.append((literal, route, params))
    if not candidates:
        raise not_found(f"no such path: {path}")
    allowed = [c for c in candidates if c[1].method == method]
    if not allowed:
        methods = sorted({c[1].method for c in candidates})
        allow = ", ".join(methods)
        raise ApiError(405, f"{method} is not allowed on {path}; allowed: {allow}",
                       headers={"Allow": allow})
    _, route, params = max(allowed, key=lambda c: c[0])
    return route, params


def _match_segments(template: List[str], segments: List[str]) -> Optional[Dict[str, str]]:
    if len(template) != len(segments):
        return None
    params: Dict[str, str] = {}
    for pattern, segment in zip(template, segments):
        if pattern.startswith("{"):
            if not segment:
                return None
            params[pattern[1:-1]] = unquote(segment)
        elif pattern != segment:
            return None
    return params


def arguments(route: Route, path_params: Mapping[str, str], raw_query: str) -> Dict[str, Any]:
    """The path and query parameters of a request, checked, as keyword arguments."""
    given = {**path_params, **parse_query(route, raw_query)}
    return {route.keywords[name]: value for name, value in given.items()}


def parse_query(route: Route, raw_query: str) -> Dict[str, Any]:
    """The route's query parameters by wire name, typed and checked against the spec:
    lists for arrays (``a,b`` is two items, ``a,`` is ``a`` and an empty one, an escaped
    ``%2C`` stays inside one), booleans for ``true``/``false``.

    Parameters the route does not take are ignored; a parameter given twice keeps the
    last value; an array given empty (``?ids=``) counts as not given, unless it is
    required.
    """
    raw: Dict[str, str] = {}
    for part in raw_query.split("&"):
        if part:
            name, _, text = part.partition("=")
            raw[unquote_plus(name)] = text
    out: Dict[str, Any] = {}
    for name, spec in route.query.items():
        if name not in raw:
            if name in route.required_query:
                raise bad_request(f"{name}: is required")
            continue
        text = raw[name]
        value: Any
        if spec.kind == schema.ARRAY:
            if not text:
                if name in route.required_query:
                    raise bad_request(f"{name}: must not be empty")
                continue
            # Empty items are kept, so that the item rules (minLength) see them.
            value = [unquote_plus(item) for item in text.split(",")]
        elif spec.kind == schema.BOOLEAN:
            lowered = unquote_plus(text).lower()
            if lowered not in ("true", "false"):
                raise bad_request(f"{name}: must be true or false")
            value = lowered == "true"
        else:
            value = unquote_plus(text)
        schema.check(value, spec, name)
        out[name] = value
    return out
