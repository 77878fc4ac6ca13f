"""The epoch-millisecond helpers, checked against values worked out by hand.

2027-01-31 is 20849 days after 1970-01-01 (57 years of 365 days, 14 leap days, 30 days of
January): 20849 * 86400 = 1801353600 seconds, i.e. 1801353600000 ms.
"""

from __future__ import annotations

import time
from datetime import date, datetime, timedelta, timezone
from typing import Any, Iterator, Union

import pytest

import cohesity_sdk.helios
from cohesity_sdk.helios.timestamps import from_epoch_msecs, to_epoch_msecs, to_iso8601

JAN_31_2027_MS = 1801353600000
UTC = timezone.utc


@pytest.fixture
def local_zone_not_utc(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Local time 5.5 hours ahead of UTC (a POSIX TZ rule, no tz database needed), so that
    "naive means UTC" cannot pass by the machine happening to run in UTC."""
    monkeypatch.setenv("TZ", "IST-05:30")
    time.tzset()
    assert datetime(2027, 1, 31).astimezone().utcoffset() == timedelta(hours=5, minutes=30)
    yield
    monkeypatch.undo()
    time.tzset()


def test_hand_computed_constant() -> None:
    # Keeps the worked example of the module docstring honest.
    assert (57 * 365 + 14 + 30) * 86_400 * 1000 == JAN_31_2027_MS


@pytest.mark.parametrize(
    "value, expected",
    [
        ("2027-01-31T00:00:00Z", JAN_31_2027_MS),
        ("2027-01-31T00:00:00+00:00", JAN_31_2027_MS),
        ("2027-01-31T02:00:00+02:00", JAN_31_2027_MS),  # offsets are honoured
        ("2027-01-30T19:00:00-05:00", JAN_31_2027_MS),
        ("2027-01-31T05:30:00+05:30", JAN_31_2027_MS),
        ("2027-01-31T00:00:00", JAN_31_2027_MS),  # no offset: UTC
        ("2027-01-31", JAN_31_2027_MS),  # a date alone is its midnight, UTC
        ("2027-01-31T00:00:01.250Z", JAN_31_2027_MS + 1250),
        ("2027-01-31T00:00:00.123999Z", JAN_31_2027_MS + 123),  # sub-ms dropped
        ("1970-01-01T00:00:00Z", 0),
        ("1969-12-31T23:59:59Z", -1000),
        ("2000-02-29T12:00:00Z", 951825600000),  # a leap day
    ],
)
@pytest.mark.usefixtures("local_zone_not_utc")
def test_iso_string_to_epoch_msecs(value: str, expected: int) -> None:
    result = to_epoch_msecs(value)
    assert result == expected and type(result) is int


@pytest.mark.parametrize(
    "value, expected",
    [
        (datetime(2027, 1, 31, tzinfo=UTC), JAN_31_2027_MS),
        (datetime(2027, 1, 31), JAN_31_2027_MS),  # naive: taken as UTC, not local time
        (datetime(2027, 1, 31, 2, tzinfo=timezone(timedelta(hours=2))), JAN_31_2027_MS),
        (datetime(2027, 1, 30, 16, tzinfo=timezone(timedelta(hours=-8))), JAN_31_2027_MS),
        (datetime(2027, 1, 31, 0, 0, 0, 999_999, tzinfo=UTC), JAN_31_2027_MS + 999),
        (datetime(1970, 1, 1, 0, 0, 0, 1000), 1),
    ],
)
@pytest.mark.usefixtures("local_zone_not_utc")
def test_datetime_to_epoch_msecs(value: datetime, expected: int) -> None:
    assert to_epoch_msecs(value) == expected


@pytest.mark.parametrize(
    "value, expected",
    [(JAN_31_2027_MS, JAN_31_2027_MS), (0, 0), (1801353600000.0, JAN_31_2027_MS), (-1, -1)],
)
def test_numbers_are_milliseconds_already(value: Union[int, float], expected: int) -> None:
    result = to_epoch_msecs(value)
    assert result == expected and type(result) is int


@pytest.mark.parametrize(
    "value",
    ["yesterday", "", "2027-13-01T00:00:00Z", "2027-02-30T00:00:00Z", "31/01/2027"],
)
def test_bad_string_raises_value_error(value: str) -> None:
    with pytest.raises(ValueError, match="not an ISO-8601 date and time"):
        to_epoch_msecs(value)


@pytest.mark.parametrize("value", [True, False])
def test_bool_is_refused(value: bool) -> None:
    # bool is an int in Python, but True is never meant as "1 ms after the epoch".
    with pytest.raises(TypeError):
        to_epoch_msecs(value)


@pytest.mark.parametrize("value", [date(2027, 1, 31), [JAN_31_2027_MS], b"2027-01-31"])
def test_other_types_are_refused(value: Any) -> None:
    with pytest.raises(TypeError):
        to_epoch_msecs(value)


@pytest.mark.parametrize(
    "msecs, expected",
    [
        (JAN_31_2027_MS, datetime(2027, 1, 31, tzinfo=UTC)),
        (0, datetime(1970, 1, 1, tzinfo=UTC)),
        (JAN_31_2027_MS + 123, datetime(2027, 1, 31, 0, 0, 0, 123_000, tzinfo=UTC)),
        (-1, datetime(1969, 12, 31, 23, 59, 59, 999_000, tzinfo=UTC)),
        (951825600000, datetime(2000, 2, 29, 12, tzinfo=UTC)),
    ],
)
@pytest.mark.usefixtures("local_zone_not_utc")
def test_from_epoch_msecs(msecs: int, expected: datetime) -> None:
    result = from_epoch_msecs(msecs)
    assert result == expected
    # Aware and in UTC, so that it compares and prints unambiguously.
    assert result.tzinfo is not None and result.utcoffset() == timedelta(0)


@pytest.mark.parametrize(
    "msecs, expected",
    [
        (JAN_31_2027_MS, "2027-01-31T00:00:00.000Z"),
        (JAN_31_2027_MS + 1250, "2027-01-31T00:00:01.250Z"),
        (0, "1970-01-01T00:00:00.000Z"),
        (-1, "1969-12-31T23:59:59.999Z"),
    ],
)
def test_to_iso8601(msecs: int, expected: str) -> None:
    assert to_iso8601(msecs) == expected


def test_none_passes_through() -> None:
    # An unset *TimeMsecs field is None; converting it must not need a guard.
    assert from_epoch_msecs(None) is None
    assert to_iso8601(None) is None


@pytest.mark.parametrize(
    "msecs", [0, 1, -1, 999, JAN_31_2027_MS, JAN_31_2027_MS + 123, 4102444800000]
)
def test_round_trip_from_msecs(msecs: int) -> None:
    assert to_epoch_msecs(from_epoch_msecs(msecs)) == msecs
    assert to_epoch_msecs(to_iso8601(msecs)) == msecs  # type: ignore[arg-type]


def test_round_trip_from_datetime() -> None:
    moment = datetime(2031, 7, 4, 13, 45, 6, 789_000, tzinfo=timezone(timedelta(hours=2)))
    back = from_epoch_msecs(to_epoch_msecs(moment))
    assert back == moment  # the same instant...
    assert back.hour == 11  # ...expressed in UTC
    assert to_iso8601(to_epoch_msecs(moment)) == "2031-07-04T11:45:06.789Z"


def test_helpers_are_exported_from_the_package() -> None:
    assert cohesity_sdk.helios.to_epoch_msecs is to_epoch_msecs
    assert cohesity_sdk.helios.from_epoch_msecs is from_epoch_msecs
    assert cohesity_sdk.helios.to_iso8601 is to_iso8601
    assert cohesity_sdk.helios.to_epoch_msecs("2027-01-31T00:00:00Z") == JAN_31_2027_MS
