"""What every generated API class shares: handing an operation to the request engine.

A generated method checks nothing itself: it passes its operation, its arguments in
order and its keyword options to one of the three calls below, which differ only in
the result they ask for. So the method and its ``_with_http_info`` and
``_without_preload_content`` variants cannot disagree about what goes on the wire.
"""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING, Any, Callable, Mapping, Optional, Tuple, TypeVar, cast

from cohesity_sdk.helios.api_client import ApiClient
from cohesity_sdk.helios.exceptions import ApiTypeError
from cohesity_sdk.helios.options import DATA, HTTP_INFO, RAW, request_options

if TYPE_CHECKING:
    from urllib3 import BaseHTTPResponse

    from cohesity_sdk.helios.api_response import ApiResponse
    from cohesity_sdk.helios.operation import Operation

R = TypeVar("R")
F = TypeVar("F", bound=Callable[..., Any])


def optional_keywords(method: F) -> F:
    """Make a method whose optional parameters are keyword-only say, when one is given by
    position, which parameter it would have been (its keyword-only ones, in order).

    Python's own error ("takes 2 positional arguments but 3 were given") names none, and
    code written for positional filters needs to know which keyword to use.
    """
    code = method.__code__
    required = code.co_argcount - 1  # self
    names = code.co_varnames[code.co_argcount:code.co_argcount + code.co_kwonlyargcount]

    @functools.wraps(method)
    def call(self: Any, *args: Any, **kwargs: Any) -> Any:
        if len(args) > required:
            keywords = ", ".join(f"{name}=..." for name in names[:len(args) - required])
            raise ApiTypeError(
                f"{method.__name__}() takes {required} positional argument(s) but "
                f"{len(args)} were given: optional parameters are keywords, so write "
                f"{keywords}"
            )
        return method(self, *args, **kwargs)

    return cast(F, call)


class BaseApi:
    """Base of the generated API classes."""

    __slots__ = ("api_client",)

    def __init__(self, api_client: Optional[ApiClient] = None) -> None:
        self.api_client = api_client if api_client is not None else ApiClient()

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.api_client!r})"

    def _call(self, op: Operation[R], args: Tuple[Any, ...], options: Mapping[str, Any]) -> R:
        """The decoded result of ``op``."""
        return cast(R, self.api_client.call_api(op, args, request_options(op, options, DATA)))

    def _call_with_http_info(
        self, op: Operation[R], args: Tuple[Any, ...], options: Mapping[str, Any]
    ) -> ApiResponse[R]:
        """The result of ``op`` with its status and headers."""
        return cast("ApiResponse[R]", self.api_client.call_api(
            op, args, request_options(op, options, HTTP_INFO)))

    def _call_without_preload_content(
        self, op: Operation[Any], args: Tuple[Any, ...], options: Mapping[str, Any]
    ) -> BaseHTTPResponse:
        """urllib3's response to ``op``, unread."""
        return cast("BaseHTTPResponse", self.api_client.call_api(
            op, args, request_options(op, options, RAW)))
