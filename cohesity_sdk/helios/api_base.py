"""What every generated API class shares: one way from a method to the engine.

Each operation is generated once, as a method whose body hands its operation, its
arguments in order and its keyword options to ``BaseApi._call``. Its two variants are
made from it, not generated again:

    get_users = endpoint(get_users)                                   # -> UsersList
    get_users_with_http_info = with_http_info(get_users)              # -> ApiResponse[...]
    get_users_without_preload_content = without_preload_content(get_users)  # -> urllib3's

They take the same arguments and build the same request; only the result differs, so
they cannot disagree about what goes on the wire. Type checkers, ``inspect.signature``
and ``help()`` see each one's parameters and its own return type.

The wrapper says which keyword a parameter given by position would have been (the
optional ones are keyword-only), and leaves no option behind in a frame: a traceback
recorded with its locals shows no ``_request_auth`` key.
"""

from __future__ import annotations

import functools
import inspect
from typing import TYPE_CHECKING, Any, Callable, Dict, Optional, Tuple, TypeVar, cast

from typing_extensions import Concatenate, ParamSpec

from cohesity_sdk.helios.api_client import ApiClient
from cohesity_sdk.helios.constants import DATA, HTTP_INFO, RAW
from cohesity_sdk.helios.exceptions import ApiTypeError
from cohesity_sdk.helios.options import NO_SETTINGS, call_settings

if TYPE_CHECKING:
    from urllib3 import BaseHTTPResponse

    from cohesity_sdk.helios.api_response import ApiResponse
    from cohesity_sdk.helios.operation import Operation
    from cohesity_sdk.helios.options import OptionKeywords

R = TypeVar("R")
P = ParamSpec("P")
A = TypeVar("A", bound="BaseApi")
F = TypeVar("F", bound=Callable[..., Any])

#: The settings of a call given no option (the name of earlier releases).
NO_OPTIONS = NO_SETTINGS


class BaseApi:
    """Base of the generated API classes."""

    __slots__ = ("api_client",)

    def __init__(self, api_client: Optional[ApiClient] = None) -> None:
        self.api_client = api_client if api_client is not None else ApiClient()

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.api_client!r})"

    def _call(self, op: Operation[R], args: Tuple[Any, ...], options: OptionKeywords,
              result: str = DATA) -> R:
        """The result of calling ``op`` with ``args`` and the method's keyword options:
        what ``result`` asks for, its decoded model by default."""
        if not options:  # most calls: no option at all
            return self.api_client.call_api(  # type: ignore[no-any-return]
                op, args, NO_SETTINGS, result)
        given: Dict[str, Any] = options  # type: ignore[assignment]
        try:
            return self.api_client.call_api(  # type: ignore[no-any-return]
                op, args, call_settings(op, given), result)
        finally:
            given.clear()  # the method's own dict: its credentials stay in no frame


class _Returning:
    """An API object as a variant method hands it to the generated function it wraps:
    the function calls ``self._call(op, args, options)``, and this passes the result
    the variant returns along."""

    __slots__ = ("api", "result")

    def __init__(self, api: BaseApi, result: str) -> None:
        self.api = api
        self.result = result

    def _call(self, op: Operation[Any], args: Tuple[Any, ...],
              options: OptionKeywords) -> Any:
        return self.api._call(op, args, options, self.result)


def endpoint(function: F) -> F:
    """The method a generated function stands for: ``function`` as it is, but a
    parameter given by position where only keywords are taken is refused with the
    keyword it would have been."""
    return cast(F, _wrap(function, DATA, function.__name__))


def with_http_info(
    method: Callable[Concatenate[A, P], R],
) -> Callable[Concatenate[A, P], ApiResponse[R]]:
    """The variant of ``method`` that returns an ``ApiResponse`` (status, headers, the
    decoded data and the raw body)."""
    return cast("Callable[Concatenate[A, P], ApiResponse[R]]", _variant(
        method, HTTP_INFO, "_with_http_info",
        "an ``ApiResponse``: ``data`` (the result) with ``status_code``, ``headers`` and "
        "``raw_data`` (the body's bytes)", "ApiResponse[{}]"))


def without_preload_content(
    method: Callable[Concatenate[A, P], Any],
) -> Callable[Concatenate[A, P], BaseHTTPResponse]:
    """The variant of ``method`` that returns urllib3's response, its body unread."""
    return cast("Callable[Concatenate[A, P], BaseHTTPResponse]", _variant(
        method, RAW, "_without_preload_content",
        "urllib3's response, unread and undecoded, whatever its status (the request is "
        "checked, retried and authenticated all the same; with a transport of your own, "
        "what it gave as ``TransportResponse.raw``)", "BaseHTTPResponse"))


def _variant(method: Callable[..., Any], result: str, suffix: str, returns: str,
             annotation: str) -> Callable[..., Any]:
    function = getattr(method, "__wrapped__", method)  # the generated function itself
    name = function.__name__ + suffix
    variant = _wrap(function, result, name)
    signature = inspect.signature(function)
    variant.__signature__ = signature.replace(  # type: ignore[attr-defined]
        return_annotation=annotation.format(signature.return_annotation))
    del variant.__wrapped__  # type: ignore[attr-defined]  # its own signature, not this one's
    summary = (function.__doc__ or "").strip().split("\n", 1)[0]
    variant.__doc__ = (f"{summary}\n\nLike ``{function.__name__}`` (the same arguments, the "
                       f"same request), but returns {returns}.")
    return variant


def _wrap(function: Callable[..., Any], result: str, name: str) -> Callable[..., Any]:
    code = function.__code__
    required = code.co_argcount - 1  # self
    keywords = code.co_varnames[code.co_argcount:code.co_argcount + code.co_kwonlyargcount]

    @functools.wraps(function)
    def call(self: Any, *args: Any, **kwargs: Any) -> Any:
        if len(args) > required:
            raise _by_position(f"{type(self).__name__}.{name}", required, len(args),
                               keywords)
        try:
            return function(self if result is DATA else _Returning(self, result), *args,
                            **kwargs)
        finally:
            kwargs.clear()  # a dict of this call's own: no option stays in this frame

    call.__name__ = name
    call.__qualname__ = function.__qualname__.rsplit(".", 1)[0] + "." + name
    return call


def _by_position(name: str, required: int, given: int, keywords: Tuple[str, ...]) -> ApiTypeError:
    # As Python words it ("UserApi.get_users() takes 1 positional argument but 2 were
    # given", self counted), and then which keywords the extra ones would have been.
    takes = required + 1
    meant = ", ".join(f"{keyword}=..." for keyword in keywords[:given - required])
    return ApiTypeError(
        f"{name}() takes {takes} positional argument{'s' if takes > 1 else ''} but "
        f"{given + 1} were given: optional parameters are keywords, so write {meant}")
