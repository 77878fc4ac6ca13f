"""The exceptions the SDK raises: one family rooted at ``OpenApiException``.

- Refused before anything was sent: ``ApiTypeError``, ``ApiValueError`` (and
  ``ApiAttributeError``, ``ApiKeyError`` for models), each also the matching builtin.
- No HTTP answer: ``ApiConnectionError``, and ``ApiTimeoutError`` when time ran out.
- An HTTP answer: ``ApiException`` and its subclasses by status.

An error raised by a call says which call failed (operation, method and path, never
the host or the query), how many times it was tried when that was more than once,
and the server's request id when there was one.
"""

from __future__ import annotations

import time
from typing import Any, Iterable, List, Mapping, Optional, Protocol, Sequence, Union
from urllib.parse import urlsplit

PathToItem = Optional[Sequence[Union[str, int]]]


class ServerError(Protocol):
    """What an error answer's body says, when it is the API's ``Error`` (the model
    ``cohesity_sdk.helios.models.Error``: this module, the ground floor, names no
    model)."""

    error_code: Optional[str]
    message: Optional[str]


#: The name the generated SDKs' signature gives the parsed body.
Error = ServerError

#: Response headers that carry the server's request id (looked up case-insensitively).
REQUEST_ID_HEADERS = ("X-Request-Id", "X-Correlation-Id", "Request-Id")


def render_path(path_to_item: Sequence[Union[str, int]]) -> str:
    """Render ``["body", 0, "username"]`` as ``body[0].username``."""
    out = ""
    for part in path_to_item:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out


def where(operation: Optional[str], method: Optional[str], url: Optional[str]) -> str:
    """``get_users [GET /v2/users]``: the path only, as the host is the user's and the
    query may hold their data."""
    target = " ".join(p for p in (method, urlsplit(url).path if url else None) if p)
    if operation:
        return f"{operation} [{target}]" if target else operation
    return f"[{target}]" if target else ""


def did_you_mean(name: str, choices: Iterable[str]) -> str:
    """`` (did you mean 'username'?)`` for the choice closest to a misspelt ``name``, or
    ``""`` when none is close."""
    import difflib

    close = difflib.get_close_matches(name, list(choices), 1)
    return f" (did you mean {close[0]!r}?)" if close else ""


def describe_errors(exc: Any) -> str:
    """pydantic's errors in one line, built from locations and messages only: its own
    text quotes the input, which may be a secret."""
    parts = []
    for error in exc.errors(include_input=False, include_url=False):
        loc = ".".join(str(p) for p in error["loc"])
        parts.append(f"{loc}: {error['msg']}" if loc else error["msg"])
    return "; ".join(parts[:5]) + (f" (+{len(parts) - 5} more)" if len(parts) > 5 else "")


def _quoted(text: str) -> str:
    """``text`` in quotes, on one line: line breaks escaped, but not backslashes, which
    a server's message holds as they are (``LOCAL\\jdoe``, not ``LOCAL\\\\jdoe``)."""
    return "'" + text.replace("\r", "\\r").replace("\n", "\\n") + "'"


class OpenApiException(Exception):
    """Root of every exception the SDK raises."""

    #: How many times the request was sent; 0 when it was refused before sending.
    attempts: int = 0
    #: Whether the server may have acted on the call, so that it must be checked before
    #: the call is made again: a try of a call that is not a read was sent, or may have
    #: been, and no final answer came (a read timeout, the deadline passing while it
    #: waited for the answer, a connection that broke after sending, TLS that failed
    #: after the handshake, 502 or 504), or the server answered 2xx and the answer
    #: could not be read. False when nothing was sent, and always for a read.
    may_have_acted: bool = False
    #: Whether the call was not tried again because of that: its operation is not safe
    #: to repeat (``update_user``: a password change cannot be made twice).
    not_repeated: bool = False
    # For the text only: the call (``"it"``, or the operation a login was for) that may
    # change state, got no final answer and was never sent; "" otherwise.
    _not_sent: str = ""

    def _attempts_note(self) -> str:
        """`` after 3 attempts``, and whether the server may have acted on the call: that
        it may have, that it did (a 2xx that could not be read), or, for a call that may
        change state and got no answer, that it was not sent."""
        attempts = self.attempts
        note = f" after {attempts} attempts" if attempts > 1 else ""
        if self.may_have_acted:
            if 200 <= (getattr(self, "status", None) or 0) <= 299:
                note += "; the server acted on it" if attempts <= 1 else (
                    "; the server acted on the last of them")
                return note
            note += "; the server may have acted on " + ("it" if attempts <= 1 else
                                                         "one of them")
            if self.not_repeated:
                operation = getattr(self, "operation", None) or "the call"
                note += f", and {operation} is not sent again after a lost answer"
        elif self._not_sent:
            note += f"; {self._not_sent} was not sent, so nothing was changed"
        return note

    def __repr__(self) -> str:
        # The message, as str() gives it (never a secret), not the constructor's arguments.
        return f"{type(self).__name__}({str(self)!r})"


# -- refused before anything was sent ----------------------------------------------------


class _ArgumentError(OpenApiException):
    """A refused value, with the path to it (``body[0].domain``) in front of the message."""

    def __init__(self, msg: str, path_to_item: PathToItem = None) -> None:
        self.path_to_item = list(path_to_item) if path_to_item else None
        if path_to_item:
            msg = f"{render_path(path_to_item)}: {msg}"
        super().__init__(msg)


class ApiTypeError(_ArgumentError, TypeError):
    """A value of the wrong type was given (before anything was sent)."""

    def __init__(
        self,
        msg: str,
        path_to_item: PathToItem = None,
        valid_classes: Optional[tuple[type, ...]] = None,
        key_type: Optional[bool] = None,
    ) -> None:
        self.valid_classes = valid_classes
        self.key_type = key_type
        super().__init__(msg, path_to_item)


class ApiValueError(_ArgumentError, ValueError):
    """A value was refused by the SDK's checks (before anything was sent)."""


class ApiAttributeError(_ArgumentError, AttributeError):
    """An attribute that the model does not have was read or set."""


class ApiKeyError(_ArgumentError, KeyError):
    """A key that is not there was looked up."""

    def __str__(self) -> str:  # KeyError would quote the message
        return str(self.args[0])


# -- no answer -------------------------------------------------------------------------


class ApiConnectionError(OpenApiException):
    """The server could not be reached: refused connection, DNS, TLS or a dropped connection.

    ``phase`` says how far the request got, which decides whether it may be sent again:
    ``"connect"`` (never sent), ``"read"`` (sent, or it may have been: the server may
    have acted on it; TLS that failed after the handshake is a dropped connection) or
    ``"other"`` (a TLS handshake, proxy or URL trouble that another try would not cure;
    nothing was sent).
    """

    CONNECT = "connect"
    READ = "read"
    OTHER = "other"

    def __init__(
        self,
        msg: str,
        *,
        phase: str = OTHER,
        operation: Optional[str] = None,
        method: Optional[str] = None,
        url: Optional[str] = None,
        attempts: int = 1,
        detail: Optional[str] = None,
    ) -> None:
        super().__init__(msg)
        #: What went wrong, without which call it was ("timed out waiting for host:443").
        self.detail = detail if detail is not None else msg
        self.phase = phase
        self.operation = operation
        self.method = method
        self.url = url
        self.attempts = attempts

    def __str__(self) -> str:
        return f"{self.args[0]}{self._attempts_note()}"


class ApiTimeoutError(ApiConnectionError):
    """The server did not connect or answer in time, or the call's deadline passed.

    ``deadline`` is the call's deadline in seconds when that is what ran out, else None;
    ``last_error`` is then what the last try got, if it got anything, and
    ``waiting_for`` what the call was waiting for when time ran out: ``"connect"``,
    ``"answer"`` (its status and headers), ``"body"``, ``"login"`` (the session's),
    ``"login-lock"`` (another thread's login), ``"retry"`` (the wait before a try) or
    ``"send"`` (the deadline passed before a try could start).
    """

    def __init__(
        self,
        msg: str,
        *,
        deadline: Optional[float] = None,
        last_error: Optional[OpenApiException] = None,
        waiting_for: Optional[str] = None,
        **kwargs: Any,
    ) -> None:
        kwargs.setdefault("phase", ApiConnectionError.READ)
        super().__init__(msg, **kwargs)
        self.deadline = deadline
        self.last_error = last_error
        self.waiting_for = waiting_for


# -- an HTTP answer --------------------------------------------------------------------


class ApiException(OpenApiException):
    """The server answered with an error status, or with a body the SDK cannot read.

    ``status``, ``reason``, ``headers`` and the raw ``body`` (bytes) come from the
    HTTP response; ``data`` is the parsed ``Error`` model when the body is JSON.
    ``operation``, ``method`` and ``url`` say which call failed, ``attempts`` how many
    times it was sent.
    """

    def __init__(
        self,
        status: Optional[int] = None,
        reason: Optional[str] = None,
        body: Optional[bytes] = None,
        data: Optional[Error] = None,
        headers: Optional[Mapping[str, str]] = None,
        *,
        operation: Optional[str] = None,
        method: Optional[str] = None,
        url: Optional[str] = None,
        attempts: int = 1,
    ) -> None:
        #: The HTTP status; 0 when the exception was made without one.
        self.status: int = status if status is not None else 0
        self.reason = reason
        self.body = body
        self.data = data
        self.headers = headers
        self.operation = operation
        self.method = method
        self.url = url
        self.attempts = attempts
        super().__init__(status, reason)

    @property
    def request_id(self) -> Optional[str]:
        """The server's id for the request, when it sent one: quote it to support."""
        if not self.headers:
            return None
        for name in REQUEST_ID_HEADERS:
            value = self.headers.get(name)
            if value:
                return value
        return None

    @property
    def error_code(self) -> Optional[str]:
        """The server's ``errorCode``, when the body was a JSON ``Error``."""
        return getattr(self.data, "error_code", None)

    @property
    def message(self) -> Optional[str]:
        """The server's ``message``, when the body was a JSON ``Error``."""
        return getattr(self.data, "message", None)

    def _summary(self) -> str:
        return ""

    def _status_line(self) -> str:
        return f"({self.status}) {self.reason or ''}".rstrip()

    def _details(self) -> List[str]:
        parts = []
        if self.error_code:
            parts.append(f"errorCode={self.error_code}")
        if self.message:
            parts.append(f"message={_quoted(self.message)}")
        if self.request_id:
            parts.append(f"request-id={self.request_id}")
        extra = self._summary()
        if extra:
            parts.append(extra)
        return parts

    def describe_answer(self) -> str:
        """The answer in one line: status, reason, error code, message and request id."""
        return " ".join([self._status_line(), *self._details()])

    def __str__(self) -> str:
        # "(404) Not Found in get_user_by_sid [GET /v2/users/S-1] errorCode=KNotFound ..."
        parts = [self._status_line()]
        call = where(self.operation, self.method, self.url)
        if call:
            parts.append(f"in {call}" if self.operation else call)
        return " ".join(parts + self._details()) + self._attempts_note()


class BadRequestException(ApiException):
    """HTTP 400."""


class UnauthorizedException(ApiException):
    """HTTP 401: the API key or session is missing, wrong, inactive or expired, or the
    login was refused."""


class ForbiddenException(ApiException):
    """HTTP 403."""


class NotFoundException(ApiException):
    """HTTP 404."""


class ConflictException(ApiException):
    """HTTP 409: the object exists already."""


class UnprocessableEntityException(ApiException):
    """HTTP 422."""


class RateLimitException(ApiException):
    """HTTP 429: too many requests. ``retry_after`` is the wait the server asked for, in
    seconds, when it said."""

    @property
    def retry_after(self) -> Optional[float]:
        return retry_after_seconds(self.headers)


class ServiceException(ApiException):
    """HTTP 5xx."""


class ResponseDecodeException(ApiException):
    """A 2xx answer whose body is not JSON, or not of the declared shape.

    ``body`` keeps the raw bytes; ``cause`` says what did not fit.
    """

    def __init__(self, *args: Any, cause: str = "", **kwargs: Any) -> None:
        self.cause = cause
        super().__init__(*args, **kwargs)

    def _summary(self) -> str:
        return f"undecodable response: {self.cause}" if self.cause else ""


class ResponseTooLargeException(ApiException):
    """An answer larger than ``Configuration.max_response_bytes``: refused without
    reading the rest. ``limit`` is that limit; ``declared`` the size the answer's
    ``Content-Length`` gave, when it gave one."""

    def __init__(self, *args: Any, limit: int = 0, declared: Optional[int] = None,
                 **kwargs: Any) -> None:
        self.limit = limit
        self.declared = declared
        super().__init__(*args, **kwargs)

    def _summary(self) -> str:
        size = f"of {self.declared} bytes " if self.declared is not None else ""
        return (f"the answer {size}is larger than the limit of {self.limit} bytes "
                f"(Configuration.max_response_bytes)")


_BY_STATUS: dict[int, type[ApiException]] = {
    400: BadRequestException,
    401: UnauthorizedException,
    403: ForbiddenException,
    404: NotFoundException,
    409: ConflictException,
    422: UnprocessableEntityException,
    429: RateLimitException,
}


def exception_class_for(status: int) -> type[ApiException]:
    """The ``ApiException`` subclass for an HTTP status."""
    if 500 <= status <= 599:
        return ServiceException
    return _BY_STATUS.get(status, ApiException)


def retry_after_seconds(headers: Optional[Mapping[str, str]]) -> Optional[float]:
    """``Retry-After`` (seconds, or an HTTP date) as seconds from now; None when absent
    or unreadable."""
    value = headers.get("Retry-After") if headers else None
    if not value:
        return None
    value = value.strip()
    try:
        seconds = float(value)
    except ValueError:
        import email.utils  # only for the date form, which is rare

        try:
            when = email.utils.parsedate_to_datetime(value)
        except (TypeError, ValueError, IndexError):
            return None
        if when is None:
            return None
        seconds = when.timestamp() - time.time()
    if seconds != seconds:  # NaN
        return None
    return max(0.0, seconds)
