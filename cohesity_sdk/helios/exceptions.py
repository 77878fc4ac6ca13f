"""The exceptions the SDK raises: one family rooted at ``OpenApiException``."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Mapping, Optional, Sequence, Union
from urllib.parse import urlsplit

if TYPE_CHECKING:
    from cohesity_sdk.helios.models.error import Error

PathToItem = Optional[Sequence[Union[str, int]]]

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


class OpenApiException(Exception):
    """Root of every exception the SDK raises."""


class ApiTypeError(OpenApiException, TypeError):
    """A value of the wrong type was given (before anything was sent)."""

    def __init__(
        self,
        msg: str,
        path_to_item: PathToItem = None,
        valid_classes: Optional[tuple[type, ...]] = None,
        key_type: Optional[bool] = None,
    ) -> None:
        self.path_to_item = list(path_to_item) if path_to_item else None
        self.valid_classes = valid_classes
        self.key_type = key_type
        if path_to_item:
            msg = f"{render_path(path_to_item)}: {msg}"
        super().__init__(msg)


class ApiValueError(OpenApiException, ValueError):
    """A value was refused by the SDK's checks (before anything was sent)."""

    def __init__(self, msg: str, path_to_item: PathToItem = None) -> None:
        self.path_to_item = list(path_to_item) if path_to_item else None
        if path_to_item:
            msg = f"{render_path(path_to_item)}: {msg}"
        super().__init__(msg)


class ApiAttributeError(OpenApiException, AttributeError):
    """An attribute that the model does not have was read or set."""

    def __init__(self, msg: str, path_to_item: PathToItem = None) -> None:
        self.path_to_item = list(path_to_item) if path_to_item else None
        if path_to_item:
            msg = f"{render_path(path_to_item)}: {msg}"
        super().__init__(msg)


class ApiKeyError(OpenApiException, KeyError):
    """A key that is not there was looked up."""

    def __init__(self, msg: str, path_to_item: PathToItem = None) -> None:
        self.path_to_item = list(path_to_item) if path_to_item else None
        if path_to_item:
            msg = f"{render_path(path_to_item)}: {msg}"
        super().__init__(msg)

    def __str__(self) -> str:  # KeyError would quote the message
        return str(self.args[0])


class ApiConnectionError(OpenApiException):
    """The server could not be reached: refused connection, DNS, TLS or a dropped connection."""


class ApiTimeoutError(ApiConnectionError):
    """The server did not connect or answer within the timeout."""


class ApiException(OpenApiException):
    """The server answered with an error status, or with a body the SDK cannot read.

    ``status``, ``reason``, ``headers`` and the raw ``body`` (bytes) come from the
    HTTP response; ``data`` is the parsed ``Error`` model when the body is JSON.
    ``operation``, ``method`` and ``url`` say which call failed.
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
    ) -> None:
        self.status = status
        self.reason = reason
        self.body = body
        self.data = data
        self.headers = headers
        self.operation = operation
        self.method = method
        self.url = url
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

    def __str__(self) -> str:
        parts = [f"({self.status}) {self.reason or ''}".rstrip()]
        if self.operation or self.method:
            where = " ".join(p for p in (self.method, _path_of(self.url)) if p)
            parts.append(f"in {self.operation} [{where}]" if self.operation else f"[{where}]")
        if self.error_code:
            parts.append(f"errorCode={self.error_code}")
        if self.message:
            parts.append(f"message={self.message!r}")
        if self.request_id:
            parts.append(f"request-id={self.request_id}")
        extra = self._summary()
        if extra:
            parts.append(extra)
        return " ".join(parts)


def _path_of(url: Optional[str]) -> Optional[str]:
    # Name the path only: the host is the user's, and the query may hold filters.
    return urlsplit(url).path if url else None


class BadRequestException(ApiException):
    """HTTP 400."""


class UnauthorizedException(ApiException):
    """HTTP 401: the API key is missing, wrong, inactive or expired."""


class ForbiddenException(ApiException):
    """HTTP 403."""


class NotFoundException(ApiException):
    """HTTP 404."""


class ConflictException(ApiException):
    """HTTP 409: the object exists already."""


class UnprocessableEntityException(ApiException):
    """HTTP 422."""


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


_BY_STATUS: dict[int, type[ApiException]] = {
    400: BadRequestException,
    401: UnauthorizedException,
    403: ForbiddenException,
    404: NotFoundException,
    409: ConflictException,
    422: UnprocessableEntityException,
}


def exception_class_for(status: int) -> type[ApiException]:
    """The ``ApiException`` subclass for an HTTP status."""
    if 500 <= status <= 599:
        return ServiceException
    return _BY_STATUS.get(status, ApiException)
