"""What every generated API class shares: the call into the engine and the method variants."""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING, Any, Callable, Dict, Mapping, Optional, Sequence, TypeVar

from typing_extensions import Concatenate, ParamSpec

from cohesity_sdk.helios.api_client import DATA, HTTP_INFO, RAW, ApiClient
from cohesity_sdk.helios.configuration import Timeout
from cohesity_sdk.helios.operation import Operation

if TYPE_CHECKING:
    from urllib3 import BaseHTTPResponse

    from cohesity_sdk.helios.api_response import ApiResponse

P = ParamSpec("P")
R = TypeVar("R")
A = TypeVar("A", bound="BaseApi")


class _Caller:
    """Sends an operation through a client and returns one kind of result."""

    __slots__ = ("api_client", "mode")

    def __init__(self, api_client: ApiClient, mode: str) -> None:
        self.api_client = api_client
        self.mode = mode

    def _call(
        self,
        op: Operation,
        args: Sequence[Any],
        request_timeout: Timeout,
        headers: Optional[Mapping[str, str]],
        request_auth: Optional[Mapping[str, str]],
        content_type: Optional[str],
    ) -> Any:
        return self.api_client.call_api(
            op, args, request_timeout, headers, request_auth, content_type, self.mode
        )


class BaseApi(_Caller):
    """Base of the generated API classes.

    Each generated method checks nothing itself: it passes its operation and arguments
    to ``self._call``. The ``_with_http_info`` and ``_without_preload_content``
    variants run the very same method against a caller that returns the other kind of
    result, so the three can never disagree about what goes on the wire.
    """

    __slots__ = ("_variants",)

    def __init__(self, api_client: Optional[ApiClient] = None) -> None:
        super().__init__(api_client if api_client is not None else ApiClient(), DATA)
        self._variants: Dict[str, _Caller] = {
            HTTP_INFO: _Caller(self.api_client, HTTP_INFO),
            RAW: _Caller(self.api_client, RAW),
        }


def _variant(method: Callable[..., Any], mode: str, suffix: str, returns: str) -> Any:
    @functools.wraps(method)
    def variant(self: BaseApi, *args: Any, **kwargs: Any) -> Any:
        return method(self._variants[mode], *args, **kwargs)

    variant.__name__ = variant.__qualname__ = method.__name__ + suffix
    variant.__doc__ = f"Like ``{method.__name__}``, but returns {returns}."
    return variant


def with_http_info(
    method: Callable[Concatenate[A, P], R],
) -> Callable[Concatenate[A, P], ApiResponse[R]]:
    """Derive ``<name>_with_http_info``: the same call, returning an ``ApiResponse``."""
    return _variant(  # type: ignore[no-any-return]
        method, HTTP_INFO, "_with_http_info",
        "an ``ApiResponse`` with ``status_code``, ``headers``, ``data`` and ``raw_data``",
    )


def without_preload_content(
    method: Callable[Concatenate[A, P], Any],
) -> Callable[Concatenate[A, P], BaseHTTPResponse]:
    """Derive ``<name>_without_preload_content``: the same call, returning urllib3's response."""
    return _variant(  # type: ignore[no-any-return]
        method, RAW, "_without_preload_content",
        "urllib3's response unread and undecoded, whatever its status",
    )
