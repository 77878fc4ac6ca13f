"""Between the API's epoch-millisecond fields (``*TimeMsecs``) and ``datetime``.

The wire carries plain integers; these helpers convert them for people::

    to_epoch_msecs("2027-01-31T00:00:00Z")   # -> 1801353600000
    from_epoch_msecs(user.expiry_time_msecs)  # -> aware datetime in UTC
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Optional, Union, overload

from cohesity_sdk.helios.exceptions import ApiTypeError, ApiValueError

_EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)
_TAKES = "to_epoch_msecs() takes a datetime, an ISO-8601 string or a number"


def to_epoch_msecs(value: Union[datetime, str, int, float]) -> int:
    """Milliseconds since the Unix epoch for a ``datetime``, an ISO-8601 string or a number.

    A naive ``datetime`` (or a string without an offset) is taken as UTC; numbers are
    taken as milliseconds already and returned as ``int``.
    """
    if isinstance(value, bool):
        raise ApiTypeError(_TAKES)
    if isinstance(value, (int, float)):
        if value != value or value in (float("inf"), float("-inf")):
            raise ApiValueError(f"to_epoch_msecs(): {value!r} is not a time")
        return int(value)
    if isinstance(value, str):
        from dateutil import parser

        try:
            value = parser.isoparse(value)
        except (ValueError, OverflowError):
            raise ApiValueError(
                f"to_epoch_msecs(): not an ISO-8601 date and time such as "
                f"'2027-01-31T00:00:00Z': {value!r}"
            ) from None
    if not isinstance(value, datetime):
        raise ApiTypeError(_TAKES + f", got {type(value).__name__}")
    if value.tzinfo is None:
        value = value.replace(tzinfo=timezone.utc)
    delta = value - _EPOCH
    return (delta.days * 86_400 + delta.seconds) * 1000 + delta.microseconds // 1000


@overload
def from_epoch_msecs(msecs: int) -> datetime: ...
@overload
def from_epoch_msecs(msecs: None) -> None: ...
def from_epoch_msecs(msecs: Optional[int]) -> Optional[datetime]:
    """An aware UTC ``datetime`` for milliseconds since the epoch; ``None`` stays ``None``."""
    if msecs is None:
        return None
    if isinstance(msecs, bool) or not isinstance(msecs, int):
        raise ApiTypeError(f"from_epoch_msecs() takes an int, got {type(msecs).__name__}")
    try:
        return _EPOCH + timedelta(milliseconds=msecs)
    except OverflowError:
        raise ApiValueError(f"from_epoch_msecs(): {msecs} is beyond the dates Python "
                            f"can hold") from None


@overload
def to_iso8601(msecs: int) -> str: ...
@overload
def to_iso8601(msecs: None) -> None: ...
def to_iso8601(msecs: Optional[int]) -> Optional[str]:
    """ISO-8601 text (UTC, millisecond precision) for epoch milliseconds."""
    moment = from_epoch_msecs(msecs)
    if moment is None:
        return None
    return moment.isoformat(timespec="milliseconds").replace("+00:00", "Z")
