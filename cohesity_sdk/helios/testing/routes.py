"""The 27 operations as the wire sees them: method, path, status, parameters, body.

Matching a request to an operation, and reading its query string, live here too; what
an operation does is ``state``'s business.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Dict, List, Mapping, Optional, Tuple
from urllib.parse import unquote, unquote_plus

from cohesity_sdk.helios.testing import schema
from cohesity_sdk.helios.testing.errors import ApiError, bad_request, not_found
from cohesity_sdk.helios.testing.schema import Field, array, boolean, obj, string

#: Every path starts with it, as ``Configuration.host`` ends with it.
BASE_PATH = "/v2"


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

    @property
    def segments(self) -> List[str]:
        return self.template.strip("/").split("/")


_SIDS = {"sids": array(string())}
_KEY_FILTERS = {"ids": array(string()), "isActive": boolean(), "isExpired": boolean()}
_TENANT_FILTERS = {"tenantIds": array(string()), "includeTenants": boolean()}
_NAME_FILTERS = {"roles": array(string()), "domain": string(), **_SIDS,
                 "matchPartialNames": boolean(), **_TENANT_FILTERS}

ROUTES: Tuple[Route, ...] = (
    # Users
    Route("create_users", "POST", "/users", 201,
          body=array(obj(schema.CREATE_USER), min_items=1)),
    Route("get_users", "GET", "/users", 200, query={
        "usernames": array(string()), "emailAddresses": array(string()), **_NAME_FILTERS,
    }),
    Route("delete_users", "POST", "/users/delete", 204, body=obj(schema.DELETE_USERS)),
    Route("get_user_by_sid", "GET", "/users/{sid}", 200),
    Route("update_user", "PUT", "/users/{sid}", 200, body=obj(schema.UPDATE_USER)),
    Route("delete_user", "DELETE", "/users/{sid}", 204),
    Route("regenerate_s3_key", "POST", "/users/{sid}/s3-secret-key", 201),
    # Sessions
    Route("create_session", "POST", "/users/sessions", 201, body=obj(schema.SESSION_REQUEST),
          login=True),
    Route("get_active_sessions_count", "GET", "/users/sessions", 200, query=_SIDS),
    Route("delete_session", "DELETE", "/users/sessions", 204, query={"sid": string()}),
    # API keys
    Route("create_user_api_key", "POST", "/users/{userSid}/api-keys", 201,
          body=obj(schema.API_KEY_REQUEST)),
    Route("get_user_api_keys", "GET", "/users/{userSid}/api-keys", 200, query=_KEY_FILTERS),
    Route("get_user_api_key_by_id", "GET", "/users/{userSid}/api-keys/{id}", 200),
    Route("update_user_api_key_by_id", "PUT", "/users/{userSid}/api-keys/{id}", 200,
          body=obj(schema.API_KEY_REQUEST)),
    Route("delete_user_api_key_by_id", "DELETE", "/users/{userSid}/api-keys/{id}", 204),
    Route("rotate_user_api_key", "POST", "/users/{userSid}/api-keys/{id}/rotate", 200),
    Route("get_all_api_keys", "GET", "/api-keys", 200,
          query={**_KEY_FILTERS, "ownerSids": array(string())}),
    # Groups
    Route("create_group", "POST", "/groups", 201,
          body=array(obj(schema.CREATE_GROUP), min_items=1)),
    Route("get_groups", "GET", "/groups", 200, query={"names": array(string()), **_NAME_FILTERS}),
    Route("delete_groups", "POST", "/groups/delete", 204, body=obj(schema.DELETE_GROUPS)),
    Route("get_group_by_sid", "GET", "/groups/{sid}", 200),
    Route("update_group", "PUT", "/groups/{sid}", 200, body=obj(schema.UPDATE_GROUP)),
    Route("delete_group", "DELETE", "/groups/{sid}", 204),
    # Security principals
    Route("get_security_principals", "GET", "/security-principals", 200,
          query=_SIDS, required_query=("sids",)),
    Route("get_principal_sources", "GET", "/security-principals/{sid}/sources", 200),
    Route("update_principal_sources", "PUT", "/security-principals/{sid}/sources", 200,
          body=obj(schema.ASSIGNED_SOURCES)),
    # Tenant access
    Route("get_tenant_access", "GET", "/mcm/users/tenant-access", 200, query={
        "tenantIds": array(string(min_length=2)), "includeInactive": boolean(),
    }, routed=False),
)

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


def parse_query(route: Route, raw_query: str) -> Dict[str, Any]:
    """The route's query parameters, typed: lists for arrays (``a,b`` is two items, an
    escaped ``%2C`` stays inside one), booleans for ``true``/``false``.

    Parameters the route does not take are ignored; a parameter given twice keeps the
    last value.
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
            value = [unquote_plus(item) for item in text.split(",") if item]
            if not value:
                if name in route.required_query:
                    raise bad_request(f"{name}: must not be empty")
                continue
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
