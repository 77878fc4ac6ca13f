"""Between the API's epoch-millisecond fields (``*TimeMsecs``) and ``datetime``.

The wire carries plain integers; these helpers convert them for people::

    to_epoch_msecs("2027-01-31T00:00:00Z")   # -> 1801353600000
    from_epoch_msecs(user.expiry_time_msecs)  # -> aware datetime in UTC
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Optional, Union, overload

_EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)


def to_epoch_msecs(value: Union[datetime, str, int, float]) -> int:
    """Milliseconds since the Unix epoch for a ``datetime``, an ISO-8601 string or a number.

    A naive ``datetime`` (or a string without an offset) is taken as UTC; numbers are
    taken as milliseconds already and returned as ``int``.
    """
    if isinstance(value, bool):
        raise TypeError("to_epoch_msecs() takes a datetime, an ISO-8601 string or a number")
    if isinstance(value, (int, float)):
        return int(value)
    if isinstance(value, str):
        from dateutil import parser

        try:
            value = parser.isoparse(value)
        except ValueError as exc:
            raise ValueError(f"not an ISO-8601 date and time: {value!r}") from exc
    if not isinstance(value, datetime):
        raise TypeError("to_epoch_msecs() takes a datetime, an ISO-8601 string or a number")
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
        raise TypeError(f"from_epoch_msecs() takes an int, got {type(msecs).__name__}")
    return _EPOCH + timedelta(milliseconds=msecs)


def to_iso8601(msecs: Optional[int]) -> Optional[str]:
    """ISO-8601 text (UTC, millisecond precision) for epoch milliseconds."""
    moment = from_epoch_msecs(msecs)
    if moment is None:
        return None
    return moment.isoformat(timespec="milliseconds").replace("+00:00", "Z")
