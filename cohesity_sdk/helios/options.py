"""Per-call options: what a caller may change for one call, given as keywords
(``OptionKeywords``) and checked once into the settings of that call (``CallSettings``),
carried from the method to the transport.

Every API method takes them as keyword arguments, next to the operation's own
parameters::

    api.get_users(domain="LOCAL", _request_timeout=5, _deadline=30, _retries=0)

A new option is a new key of ``OptionKeywords``, a field of ``CallSettings`` and a line
in ``call_settings``; the generated methods pass the keywords through unchanged.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Dict, Mapping, NamedTuple, Optional, TypedDict, Union

from cohesity_sdk.helios.checks import check_deadline, check_timeout
from cohesity_sdk.helios.constants import DATA, HTTP_INFO, JSON, RAW, Timeout
from cohesity_sdk.helios.exceptions import ApiTypeError, ApiValueError, did_you_mean
from cohesity_sdk.helios.header_checks import check_header
from cohesity_sdk.helios.retry import RetryPolicy, as_policy
from cohesity_sdk.helios.secret import Headers

if TYPE_CHECKING:
    from cohesity_sdk.helios.auth import Auth
    from cohesity_sdk.helios.operation import Operation

__all__ = ["DATA", "HTTP_INFO", "RAW", "CallOptions", "CallSettings", "OptionKeywords",
           "RequestOptions", "Timeout", "call_settings", "check_deadline",
           "check_timeout", "request_options"]


class OptionKeywords(TypedDict, total=False):
    """The keyword-only options every API method takes; each defaults to the
    ``Configuration``'s setting.

    - ``_request_timeout``: seconds for one try, a number or ``(connect, read)``.
    - ``_deadline``: seconds for the whole call, retries and their waits included.
    - ``_retries``: an int or a ``RetryPolicy``; ``0`` means one try.
    - ``_headers``: extra headers; they replace any of the same name.
    - ``_request_auth``: another ``Auth`` for this call, or
      ``{"in": "header", "key": "apiKey", "value": "..."}`` for another API key.
    - ``_content_type``: the body's media type; only JSON is taken.
    """

    _request_timeout: Timeout
    _deadline: Optional[float]
    _retries: Union[int, RetryPolicy, None]
    _headers: Optional[Mapping[str, str]]
    _request_auth: Union[Auth, Mapping[str, str], None]
    _content_type: Optional[str]


#: The name of earlier releases.
CallOptions = OptionKeywords


class CallSettings(NamedTuple):
    """The options of one call, checked; immutable. ``None`` means "the
    configuration's"."""

    timeout: Timeout = None
    deadline: Optional[float] = None
    retries: Optional[RetryPolicy] = None
    headers: Headers = Headers()  # never changed: the engine only reads it
    auth: Optional[Auth] = None
    content_type: Optional[str] = None


#: The name of earlier releases.
RequestOptions = CallSettings

#: A call given no option: most of them.
NO_SETTINGS = CallSettings()

_NAMES = tuple(OptionKeywords.__annotations__)


def call_settings(op: Operation[Any], given: Mapping[str, Any]) -> CallSettings:
    """``given`` (a method's keyword options) as ``CallSettings``; raises ``ApiTypeError``
    for a keyword the method does not take and ``ApiValueError`` for a bad value."""
    if not given:
        return NO_SETTINGS
    where = f"{op.id}()"
    values: Dict[str, Any] = {}
    for name, value in given.items():
        if name not in _NAMES:
            # A misspelt parameter lands here too, as **options takes any keyword.
            hint = did_you_mean(name, [*_NAMES, *(p.name for p in op.params)])
            raise ApiTypeError(f"{where} got an unexpected keyword argument {name!r}{hint}")
        if value is None:
            continue
        if name == "_request_timeout":
            values["timeout"] = check_timeout(value, f"{where}: _request_timeout")
        elif name == "_deadline":
            values["deadline"] = check_deadline(value, f"{where}: _deadline")
        elif name == "_retries":
            values["retries"] = as_policy(value, f"{where}: _retries")
        elif name == "_headers":
            values["headers"] = check_headers(value, f"{where}: _headers")
        elif name == "_request_auth":
            from cohesity_sdk.helios.auth import request_auth

            values["auth"] = request_auth(value, where)
        else:
            values["content_type"] = check_content_type(value, where)
    return CallSettings(**values)


def request_options(op: Operation[Any], given: Mapping[str, Any],
                    result: str = DATA) -> CallSettings:
    """``call_settings``, under the name of earlier releases (the result a call returns
    is no longer one of its settings: ``result`` is not used)."""
    return call_settings(op, given)


def check_headers(value: Any, where: str) -> Headers:
    if not isinstance(value, Mapping):
        raise ApiTypeError(f"{where} must be a mapping of header names to values, "
                           f"got {type(value).__name__}")
    for name, text in value.items():
        if not isinstance(name, str):
            raise ApiTypeError(f"{where}: header names must be str, "
                               f"got {type(name).__name__}")
        check_header(name, text, where)
    # All of them shown as "***": a caller's own headers may carry a credential.
    headers = Headers()
    headers.update_secret(value)
    return headers


def check_content_type(value: Any, where: str) -> str:
    if not isinstance(value, str):
        raise ApiTypeError(f"{where}: _content_type must be str, got {type(value).__name__}")
    if value.split(";", 1)[0].strip().lower() != JSON:
        raise ApiValueError(
            f"{where}: _content_type {value!r} is not supported; the API takes {JSON}"
        )
    return value
