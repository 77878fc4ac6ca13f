"""What the API's protocol fixes: header names, the media type, integer bounds, and the
checks that keep a header from splitting a request. The ground floor, with
``exceptions`` (its only import from the SDK), ``secret`` and ``forks``.
"""

from __future__ import annotations

import re
from typing import Any, Mapping, Optional

from cohesity_sdk.helios.exceptions import ApiTypeError, ApiValueError

#: The header an API key travels in, and the name of its scheme in the spec (the key
#: ``Configuration.api_key`` files it under).
API_KEY_HEADER = "apiKey"
API_KEY_SCHEME = "APIKeyHeader"
#: The header a session id travels in.
SESSION_HEADER = "session-id"
#: The routing headers: a cluster behind Helios, and a Helios region.
ACCESS_CLUSTER_HEADER = "accessClusterId"
REGION_HEADER = "regionId"

JSON = "application/json"

INT64_MIN = -(2**63)
INT64_MAX = 2**63 - 1

#: Headers whose values are credentials: never shown in a repr, a log or an error.
CREDENTIAL_HEADERS = frozenset(
    name.lower() for name in (API_KEY_HEADER, SESSION_HEADER, "Authorization",
                              "Proxy-Authorization", "Cookie", "Set-Cookie", "X-Api-Key")
)

_LINE_BREAK_OR_NUL = re.compile("[\r\n\0]")
_NOT_IN_A_NAME = re.compile("[\r\n\0:]")


def check_header(name: str, value: Any, what: str) -> None:
    """Refuse a header that is not text, or that could split or end the header block.

    ``what`` says where it came from (``"get_users(): _headers"``). The value is never
    quoted: it may be a key.
    """
    if not isinstance(value, str):
        raise ApiTypeError(f"{what}: header {name!r} must be str, got {type(value).__name__}")
    if _LINE_BREAK_OR_NUL.search(value) or _NOT_IN_A_NAME.search(name):
        raise ApiValueError(f"{what}: header {name!r} contains a line break or NUL")
    try:
        value.encode("latin-1")
    except UnicodeEncodeError:
        raise ApiValueError(
            f"{what}: header {name!r} has characters HTTP headers cannot carry"
        ) from None


def header(headers: Mapping[str, str], name: str) -> Optional[str]:
    """The value of header ``name`` in ``headers``, whatever the case of its name."""
    value = headers.get(name)
    if value is not None:
        return value
    lowered = name.lower()
    for key, value in headers.items():
        if key.lower() == lowered:
            return value
    return None
