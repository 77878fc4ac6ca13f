"""The checks that keep a header from splitting a request, and a header looked up
whatever the case of its name. Imports only ``exceptions``."""

from __future__ import annotations

import re
from typing import Any, Mapping, Optional

from cohesity_sdk.helios.exceptions import ApiTypeError, ApiValueError

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
