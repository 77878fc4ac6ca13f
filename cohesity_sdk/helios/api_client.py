"""The request engine: turns an ``Operation`` and its arguments into an HTTP exchange.

Every generated method ends here. Arguments are checked and encoded before anything is
sent; the answer is decoded into the operation's model or raised as an ``ApiException``.
"""

from __future__ import annotations

import gc
import logging
import platform
import re
import threading
import time
from typing import TYPE_CHECKING, Any, Dict, List, Mapping, Optional, Sequence, Tuple
from urllib.parse import quote

from cohesity_sdk import __version__
from cohesity_sdk.helios.configuration import API_KEY_HEADER, Configuration, Timeout
from cohesity_sdk.helios.exceptions import (
    ApiException,
    ApiTypeError,
    ApiValueError,
    OpenApiException,
    ResponseDecodeException,
    exception_class_for,
)
from cohesity_sdk.helios.operation import (
    ARRAY,
    BODY,
    BOOLEAN,
    HEADER,
    INT64_MAX,
    INT64_MIN,
    INTEGER,
    PATH,
    QUERY,
    Operation,
    Param,
)

if TYPE_CHECKING:
    from types import TracebackType

    from urllib3 import BaseHTTPResponse

    from cohesity_sdk.helios.model_base import ApiModel
    from cohesity_sdk.helios.models.error import Error
    from cohesity_sdk.helios.rest import RESTClientObject

logger = logging.getLogger("cohesity_sdk.helios")

#: What a call returns: the decoded model, an ``ApiResponse``, or urllib3's response.
DATA = "data"
HTTP_INFO = "http_info"
RAW = "raw"

_JSON = "application/json"


class ApiClient:
    """Holds the configuration and the connection pool; use one per process or thread pool.

    Use it as a context manager, or call ``close()``, to release its connections.
    """

    def __init__(
        self,
        configuration: Optional[Configuration] = None,
        header_name: Optional[str] = None,
        header_value: Optional[str] = None,
        cookie: Optional[str] = None,
    ) -> None:
        self.configuration = configuration if configuration is not None else Configuration()
        self.default_headers: Dict[str, str] = {}
        if header_name is not None:
            self.set_default_header(header_name, header_value or "")
        self.cookie = cookie
        self.user_agent = (
            f"cohesity-sdk-python/{__version__} (Python {platform.python_version()})"
        )
        self._rest_client: Optional[RESTClientObject] = None
        self._rest_client_lock = threading.Lock()

    @property
    def rest_client(self) -> RESTClientObject:
        """The transport, made on first use so that building a client costs nothing."""
        if self._rest_client is None:
            with self._rest_client_lock:  # threads sharing a new client share one pool
                if self._rest_client is None:
                    from cohesity_sdk.helios.rest import RESTClientObject

                    self._rest_client = RESTClientObject(self.configuration)
        return self._rest_client

    def set_default_header(self, header_name: str, header_value: str) -> None:
        """Send this header with every call of this client."""
        _check_header(header_name, header_value, "default header")
        self.default_headers[header_name] = header_value

    def close(self) -> None:
        """Release the pooled connections."""
        if self._rest_client is not None:
            self._rest_client.close()

    def __enter__(self) -> "ApiClient":
        return self

    def __exit__(
        self,
        exc_type: Optional[type],
        exc: Optional[BaseException],
        tb: Optional["TracebackType"],
    ) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"ApiClient({self.configuration!r})"

    # -- the engine --------------------------------------------------------------------

    def call_api(
        self,
        op: Operation,
        args: Sequence[Any],
        request_timeout: Timeout = None,
        headers: Optional[Mapping[str, str]] = None,
        request_auth: Optional[Mapping[str, str]] = None,
        content_type: Optional[str] = None,
        mode: str = DATA,
    ) -> Any:
        """Check and encode ``args`` for ``op``, send it, and decode the answer."""
        method, url, all_headers, body = self.build_request(
            op, args, headers, request_auth, content_type
        )
        timeout = request_timeout if request_timeout is not None else self.configuration.timeout
        started = time.monotonic()
        try:
            response = self.rest_client.request(
                method, url, all_headers, body, timeout, preload_content=mode != RAW,
                operation=op.id,
            )
        except OpenApiException as exc:
            if logger.isEnabledFor(logging.DEBUG):
                logger.debug("%s %s failed after %.1f ms: %s", method, url,
                             (time.monotonic() - started) * 1000, exc)
            raise
        if logger.isEnabledFor(logging.DEBUG):
            logger.debug(
                "%s %s -> %s (%.1f ms)",
                method, url, response.status, (time.monotonic() - started) * 1000,
            )
        if mode == RAW:
            return response
        return self.decode_response(op, method, url, response, mode)

    def build_request(
        self,
        op: Operation,
        args: Sequence[Any],
        extra_headers: Optional[Mapping[str, str]] = None,
        request_auth: Optional[Mapping[str, str]] = None,
        content_type: Optional[str] = None,
    ) -> Tuple[str, str, Dict[str, str], Optional[bytes]]:
        """The method, URL, headers and body for a call; raises before anything is sent."""
        config = self.configuration
        path_values: Dict[str, str] = {}
        query: List[str] = []
        headers: Dict[str, str] = dict(self.default_headers)
        headers["Accept"] = _JSON
        headers["User-Agent"] = self.user_agent
        if self.cookie:
            headers["Cookie"] = self.cookie
        body: Optional[bytes] = None

        auth = config.auth_header_value()
        if request_auth is not None:
            auth = _request_auth_value(op, request_auth)
        if auth is not None:
            _check_header(API_KEY_HEADER, auth, "API key")
            headers[API_KEY_HEADER] = auth

        # Routing defaults from the configuration, for the operations that take them.
        for param, default in ((_ACCESS_CLUSTER, config.access_cluster_id),
                               (_REGION, config.region_id)):
            if default is not None and param.wire_name in op.header_names:
                value = _scalar(op, param, default)
                _check_header(param.wire_name, value, f"Configuration.{param.name}")
                headers[param.wire_name] = value

        for param, value in zip(op.params, args):
            if value is None:
                if param.required:
                    raise ApiValueError(f"{op.id}(): missing required argument {param.name!r}")
                continue
            location = param.location
            if location == BODY:
                body = _encode_body(op, param, value)
            elif location == PATH:
                path_values[param.wire_name] = _path_segment(op, param, value)
            elif location == QUERY:
                query.append(f"{quote(param.wire_name, safe='')}={_query_value(op, param, value)}")
            else:
                header_value = _scalar(op, param, value)
                _check_header(param.wire_name, header_value, f"{op.id}(): {param.name}")
                headers[param.wire_name] = header_value

        if body is not None:
            if content_type is not None and not _is_json(content_type):
                raise ApiValueError(
                    f"{op.id}(): _content_type {content_type!r} is not supported; "
                    f"the API takes {_JSON}"
                )
            headers["Content-Type"] = content_type or _JSON

        if extra_headers:
            for name, value in extra_headers.items():
                _check_header(name, value, f"{op.id}(): _headers")
                # Header names are case-insensitive: an override replaces, never doubles.
                for existing in [k for k in headers if k.lower() == name.lower()]:
                    del headers[existing]
                headers[name] = value

        url = config.base_url() + op.path.format_map(path_values)
        if query:
            url += "?" + "&".join(query)
        return op.method, url, headers, body

    def decode_response(
        self, op: Operation, method: str, url: str, response: BaseHTTPResponse, mode: str
    ) -> Any:
        """The call's result for a 2xx answer; the matching ``ApiException`` otherwise."""
        status = response.status
        raw = response.data or b""
        if not 200 <= status <= 299:
            raise exception_class_for(status)(
                status, response.reason, raw, _error_model(raw), response.headers,
                operation=op.id, method=method, url=url,
            )
        data: Optional[ApiModel] = None
        model = op.response_model
        if model is not None and status != 204:
            try:
                data = _decode(model, raw)
            except ValueError as exc:  # pydantic's ValidationError is one
                from pydantic import ValidationError

                if not isinstance(exc, ValidationError):
                    raise
                raise ResponseDecodeException(
                    status, response.reason, raw, None, response.headers,
                    operation=op.id, method=method, url=url, cause=_describe_errors(exc),
                ) from None
        if mode == HTTP_INFO:
            from cohesity_sdk.helios.api_response import ApiResponse

            return ApiResponse(status, response.headers, data, raw)
        return data


#: From this size on, the garbage collector is paused while a body is decoded.
GC_PAUSE_BYTES = 256 * 1024


def _decode(model: type[ApiModel], raw: bytes) -> ApiModel:
    # Decoding a large list makes tens of thousands of objects at once, all of them
    # alive; the collections that this triggers find nothing to free and can double the
    # time. So the collector waits until the body is decoded (unless it was off anyway).
    if len(raw) < GC_PAUSE_BYTES or not gc.isenabled():
        return model.model_validate_json(raw)
    gc.disable()
    try:
        return model.model_validate_json(raw)
    finally:
        gc.enable()


_ACCESS_CLUSTER = Param("access_cluster_id", "accessClusterId", HEADER, INTEGER)
_REGION = Param("region_id", "regionId", HEADER)

_TYPE_NAMES = {INTEGER: "int", BOOLEAN: "bool", ARRAY: "list of str"}


def _wrong_type(op: Operation, param: Param, value: Any) -> ApiTypeError:
    expected = _TYPE_NAMES.get(param.kind, "str")
    return ApiTypeError(
        f"{op.id}(): {param.name} must be {expected}, got {type(value).__name__}"
    )


def _scalar(op: Operation, param: Param, value: Any) -> str:
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


def _path_segment(op: Operation, param: Param, value: Any) -> str:
    text = _scalar(op, param, value)
    if text == "":
        raise ApiValueError(f"{op.id}(): {param.name} must not be empty")
    # Every reserved character is escaped, "/" included, and a dot segment is
    # escaped too, so that no value can move the request to another path.
    segment = quote(text, safe="")
    if segment in (".", ".."):
        segment = segment.replace(".", "%2E")
    return segment


def _query_value(op: Operation, param: Param, value: Any) -> str:
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


def _encode_body(op: Operation, param: Param, value: Any) -> bytes:
    from cohesity_sdk.helios.model_base import encode_body

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


def _as_model(model: type[ApiModel], value: Any, where: str) -> ApiModel:
    """A body item as ``model``; a dict is built into one, with the same checks."""
    if isinstance(value, model):
        return value
    if isinstance(value, dict):
        from pydantic import ValidationError

        try:
            return model(**value)
        except ValidationError as exc:
            raise ApiValueError(f"{where}: {_describe_errors(exc)}") from None
        except ApiTypeError as exc:
            raise ApiTypeError(f"{where}: {exc}") from None
    raise ApiTypeError(f"{where} must be {model.__name__} or dict, got {type(value).__name__}")


def _describe_errors(exc: Any) -> str:
    # Built from locations and messages only: pydantic's own text quotes the input,
    # which may be a secret.
    parts = []
    for error in exc.errors(include_input=False, include_url=False):
        loc = ".".join(str(p) for p in error["loc"])
        parts.append(f"{loc}: {error['msg']}" if loc else error["msg"])
    return "; ".join(parts[:5]) + (f" (+{len(parts) - 5} more)" if len(parts) > 5 else "")


def _error_model(raw: bytes) -> Optional[Error]:
    if not raw:
        return None
    from pydantic import ValidationError

    from cohesity_sdk.helios.models.error import Error

    try:
        return Error.model_validate_json(raw)
    except ValidationError:
        return None


_LINE_BREAK_OR_NUL = re.compile("[\r\n\0]")
_NOT_IN_A_NAME = re.compile("[\r\n\0:]")


def _check_header(name: str, value: Any, what: str) -> None:
    if not isinstance(value, str):
        raise ApiTypeError(f"{what}: header {name!r} must be str, got {type(value).__name__}")
    if _LINE_BREAK_OR_NUL.search(value) or _NOT_IN_A_NAME.search(name):
        # Never echo the value: it may be the API key.
        raise ApiValueError(f"{what}: header {name!r} contains a line break or NUL")
    try:
        value.encode("latin-1")
    except UnicodeEncodeError:
        raise ApiValueError(
            f"{what}: header {name!r} has characters HTTP headers cannot carry"
        ) from None


def _request_auth_value(op: Operation, auth: Mapping[str, str]) -> str:
    if auth.get("in", "header") != "header" or auth.get("key", API_KEY_HEADER) != API_KEY_HEADER:
        raise ApiValueError(
            f"{op.id}(): _request_auth must be {{'in': 'header', 'key': 'apiKey', 'value': ...}}"
        )
    value = auth.get("value")
    if not isinstance(value, str):
        raise ApiTypeError(f"{op.id}(): _request_auth['value'] must be str")
    return value


def _is_json(content_type: str) -> bool:
    return content_type.split(";", 1)[0].strip().lower() == _JSON


__all__ = ["ApiClient", "ApiException", "OpenApiException"]
