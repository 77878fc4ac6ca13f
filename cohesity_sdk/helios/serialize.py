"""Operation + arguments + options -> the HTTP request to send. Pure: no sockets, no clock.

Arguments are checked and encoded here, so that a refused argument raises before
anything is sent. Credentials are not part of the request value: the pipeline adds them
to each try, because a session may be renewed between tries.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any, Dict, List, Mapping, Sequence, Type, cast
from urllib.parse import quote

from cohesity_sdk.helios.constants import (
    ACCESS_CLUSTER_HEADER,
    INT64_MAX,
    INT64_MIN,
    JSON,
    REGION_HEADER,
)
from cohesity_sdk.helios.exceptions import ApiTypeError, ApiValueError
from cohesity_sdk.helios.header_checks import check_header
from cohesity_sdk.helios.operation import (
    ARRAY,
    BODY,
    BOOLEAN,
    CONFIRM,
    HEADER,
    INTEGER,
    PATH,
    QUERY,
    STRING,
    Operation,
    Param,
)
from cohesity_sdk.helios.options import CallSettings
from cohesity_sdk.helios.request import HttpRequest
from cohesity_sdk.helios.secret import Headers

if TYPE_CHECKING:
    from pydantic import BaseModel

    from cohesity_sdk.helios.configuration import Configuration

__all__ = ["Endpoint", "HttpRequest", "build_request", "check_header", "fixed_request"]

#: The routing headers a ``Configuration`` may give defaults for.
ACCESS_CLUSTER = Param("access_cluster_id", ACCESS_CLUSTER_HEADER, HEADER, INTEGER)
REGION = Param("region_id", REGION_HEADER, HEADER)


def build_request(
    op: Operation[Any],
    args: Sequence[Any],
    options: CallSettings,
    config: Configuration,
    base_headers: Mapping[str, str],
) -> HttpRequest:
    """The request for calling ``op`` with ``args``; raises before anything is sent."""
    return Endpoint(config, base_headers).build(op, args, options)


def fixed_request(operation: str, method: str, path: str, config: Configuration,
                  base_headers: Mapping[str, str]) -> HttpRequest:
    """A request the SDK makes itself (a login): to ``path`` under the host, with the
    configuration's routing headers and no body yet."""
    return Endpoint(config, base_headers).request(operation, method, path)


class Endpoint:
    """Where a client's requests go: the configuration's host (read when the endpoint
    is made), with the client's headers, and the configuration's routing headers (read
    for each request)."""

    __slots__ = ("config", "base_headers", "base_url")

    def __init__(self, config: Configuration, base_headers: Mapping[str, str]) -> None:
        self.config = config
        self.base_headers = base_headers
        self.base_url = config.base_url()

    def build(self, op: Operation[Any], args: Sequence[Any],
              options: CallSettings) -> HttpRequest:
        """The request for calling ``op`` with ``args``; raises before anything is sent."""
        config = self.config
        path_values: Dict[str, str] = {}
        query: List[str] = []
        headers = Headers(self.base_headers)
        # The body is set on the request as soon as it is encoded, and never held in a
        # local: an error raised later here must not show the passwords it may carry.
        request = HttpRequest(op.id, op.method, "", headers, None, options.headers)

        # Routing defaults from the configuration (checked when set), for the operations
        # that take them; a value passed to the call replaces them below.
        if op.header_names:
            for param, default in ((ACCESS_CLUSTER, config.access_cluster_id),
                                   (REGION, config.region_id)):
                if default is not None and param.wire_name in op.header_names:
                    headers[param.wire_name] = str(default)

        for param, value in zip(op.params, args):
            location = param.location
            if location == CONFIRM:  # None too: it must not pass for a yes
                _confirm(op, param, value, args)
                continue
            if value is None:
                if param.required:
                    raise ApiValueError(f"{op.id}(): missing required argument {param.name!r}")
                continue
            if location == BODY:
                request.body = _encode_body(op, param, value)
            elif location == PATH:
                path_values[param.wire_name] = _path_segment(op, param, value)
            elif location == QUERY:
                query.append(f"{quote(param.wire_name, safe='')}="
                             f"{_query_value(op, param, value)}")
            else:
                header_value = _scalar(op, param, value)
                check_header(param.wire_name, header_value, f"{op.id}(): {param.name}")
                headers[param.wire_name] = header_value

        if request.body is not None:
            headers["Content-Type"] = options.content_type or JSON

        url = self.base_url + op.path.format_map(path_values)
        if query:
            url += "?" + "&".join(query)
        request.url = url
        return request

    def request(self, operation: str, method: str, path: str) -> HttpRequest:
        """A request to ``path`` under the host, with no body yet."""
        config = self.config
        headers = Headers(self.base_headers)
        if config.access_cluster_id is not None:
            headers[ACCESS_CLUSTER_HEADER] = str(config.access_cluster_id)
        if config.region_id is not None:
            headers[REGION_HEADER] = config.region_id
        return HttpRequest(operation, method, self.base_url + path, headers)


def _confirm(op: Operation[Any], param: Param, value: Any, args: Sequence[Any]) -> None:
    """Refuse a call that would act on everything unless the caller said so, and a
    "yes, all" given together with the filter that would narrow it."""
    if value is not None and not isinstance(value, bool):
        raise _wrong_type(op, param, value)
    guarded = next(i for i, p in enumerate(op.params) if p.name == param.guards)
    given = args[guarded] is not None
    if not given and not value:
        raise ApiValueError(
            f"{op.id}(): without {param.guards} it acts on everything; pass "
            f"{param.guards}=..., or {param.name}=True if that is what you mean"
        )
    if given and value:
        raise ApiValueError(
            f"{op.id}(): {param.name}=True contradicts {param.guards}; give one of them"
        )


_TYPE_NAMES = {INTEGER: "int", BOOLEAN: "bool", ARRAY: "list of str"}


def _wrong_type(op: Operation[Any], param: Param, value: Any) -> ApiTypeError:
    expected = _TYPE_NAMES.get(param.kind, "str")
    return ApiTypeError(
        f"{op.id}(): {param.name} must be {expected}, got {type(value).__name__}"
    )


def _scalar(op: Operation[Any], param: Param, value: Any) -> str:
    """The text of a string, integer or boolean argument, after checking its type."""
    kind = param.kind
    if kind == INTEGER:
        if isinstance(value, bool) or not isinstance(value, int):
            raise _wrong_type(op, param, value)
        if not INT64_MIN <= value <= INT64_MAX:
            raise ApiValueError(f"{op.id}(): {param.name}={value} is out of the int64 range")
        return str(value)
    if kind == BOOLEAN:
        if not isinstance(value, bool):
            raise _wrong_type(op, param, value)
        return "true" if value else "false"
    if not isinstance(value, str):
        raise _wrong_type(op, param, value)
    return str(value)


_UNRESERVED = re.compile(r"[A-Za-z0-9_~-][A-Za-z0-9_.~-]*")


def _path_segment(op: Operation[Any], param: Param, value: Any) -> str:
    text = value if type(value) is str and param.kind == STRING else _scalar(op, param, value)
    if text == "":
        raise ApiValueError(f"{op.id}(): {param.name} must not be empty")
    if _UNRESERVED.fullmatch(text):
        return text  # a SID or an id: nothing to escape, and not a dot segment
    # Every reserved character is escaped, "/" included, and a dot segment is
    # escaped too, so that no value can move the request to another path.
    segment = quote(text, safe="")
    if segment in (".", ".."):
        segment = segment.replace(".", "%2E")
    return segment


def _query_value(op: Operation[Any], param: Param, value: Any) -> str:
    if param.kind != ARRAY:
        return quote(_scalar(op, param, value), safe="")
    if isinstance(value, (str, bytes)) or not isinstance(value, (list, tuple)):
        raise _wrong_type(op, param, value)
    if not value:
        raise ApiValueError(
            f"{op.id}(): {param.name} is an empty list; pass None to not filter by it"
        )
    items = []
    for i, item in enumerate(value):
        if not isinstance(item, str):
            raise ApiTypeError(
                f"{op.id}(): {param.name}[{i}] must be str, got {type(item).__name__}"
            )
        if len(item) < param.min_length:
            raise ApiValueError(
                f"{op.id}(): {param.name}[{i}] must be at least {param.min_length} characters"
            )
        # Commas inside an item are escaped so that the server splits only ours.
        items.append(quote(item, safe=""))
    return ",".join(items)


def _encode_body(op: Operation[Any], param: Param, value: Any) -> bytes:
    from cohesity_sdk.helios.encoder import encode_body

    model = op.body_model(param)
    try:
        if param.is_list:
            if isinstance(value, (str, bytes, dict)) or not isinstance(value, (list, tuple)):
                raise ApiTypeError(
                    f"{param.name} must be a list of {model.__name__}, "
                    f"got {type(value).__name__}"
                )
            if len(value) < param.min_items:
                raise ApiValueError(f"{param.name} must have at least {param.min_items} item(s)")
            items = list(value)
            for i, item in enumerate(items):
                if type(item) is not model:  # dicts (and anything else) are checked here
                    items[i] = _as_model(model, item, f"{param.name}[{i}]")
            return encode_body(model, items, [param.name])
        return encode_body(model, _as_model(model, value, param.name), [param.name])
    except (ApiTypeError, ApiValueError) as exc:
        exc.args = (f"{op.id}(): {exc.args[0]}",)
        raise


def _as_model(model: Type[BaseModel], value: Any, where: str) -> BaseModel:
    """A body item as ``model`` (an ``ApiModel``); a dict is built into one, with the
    same checks."""
    if isinstance(value, model):
        return value
    if isinstance(value, dict):
        from cohesity_sdk.helios.model_base import ApiModel, build_model

        return build_model(cast(Type[ApiModel], model), value, where)
    raise ApiTypeError(f"{where} must be {model.__name__} or dict, got {type(value).__name__}")
