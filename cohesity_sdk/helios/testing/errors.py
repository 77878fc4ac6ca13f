"""The errors the fake answers with, in the API's ``Error`` shape."""

from __future__ import annotations

import re
from typing import Dict, Mapping, Optional

#: Longest run of non-blank characters (a SID, a path, a value) a message repeats whole.
MAX_VALUE_CHARS = 64
#: Longest message: an error body never grows with the request that caused it.
MAX_MESSAGE_CHARS = 512

_LONG_WORD = re.compile(r"\S{%d,}" % (MAX_VALUE_CHARS + 1))

#: The ``errorCode`` the fake uses for each status it answers with.
ERROR_CODES: Dict[int, str] = {
    400: "KInvalidRequest",
    401: "KUnauthorized",
    403: "KPermissionDenied",
    404: "KNotFound",
    405: "KMethodNotAllowed",
    409: "KAlreadyExists",
    408: "KRequestTimeout",
    413: "KRequestTooLarge",
    429: "KTooManyRequests",
    500: "KInternalError",
    501: "KNotImplemented",
    502: "KBadGateway",
    503: "KServiceUnavailable",
    504: "KGatewayTimeout",
}


def error_code_for(status: int) -> str:
    """The ``errorCode`` for ``status``; statuses without a name get ``KError<status>``."""
    return ERROR_CODES.get(status, f"KError{status}")


def clip(text: str) -> str:
    """``text`` with each long word cut to ``MAX_VALUE_CHARS`` and the whole to
    ``MAX_MESSAGE_CHARS``, each cut marked with "…"."""
    text = _LONG_WORD.sub(lambda m: m.group()[:MAX_VALUE_CHARS] + "…", text)
    return text if len(text) <= MAX_MESSAGE_CHARS else text[:MAX_MESSAGE_CHARS] + "…"


class ApiError(Exception):
    """An answer other than success: a status and an ``Error`` body.

    Messages name fields and objects, never a secret that was sent, and are clipped
    (``clip``): what a request sent is repeated only in part.
    """

    def __init__(
        self,
        status: int,
        message: str,
        error_code: str = "",
        headers: Optional[Mapping[str, str]] = None,
    ) -> None:
        message = clip(message)
        super().__init__(message)
        self.status = status
        self.message = message
        self.error_code = error_code or error_code_for(status)
        self.headers: Dict[str, str] = dict(headers or {})  # e.g. Allow on a 405

    def body(self) -> Dict[str, str]:
        return {"errorCode": self.error_code, "message": self.message}


def bad_request(message: str) -> ApiError:
    return ApiError(400, message)


def unauthorized(message: str) -> ApiError:
    return ApiError(401, message)


def forbidden(message: str) -> ApiError:
    return ApiError(403, message)


def not_found(message: str) -> ApiError:
    return ApiError(404, message)


def conflict(message: str) -> ApiError:
    return ApiError(409, message)
