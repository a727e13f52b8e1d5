"""Mistakes of callers, calendars that never open, and the bounded search."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from callcore.calendar import (
    SEARCH_HORIZON_DAYS,
    BusinessCalendar,
    Holiday,
    OpeningRange,
    SpecialDay,
    WeeklyHours,
)
from callcore.errors import DocumentError, InvalidInputError, NaiveDatetimeError

ZONE = ZoneInfo("Europe/Bucharest")
OFFICE = BusinessCalendar("office", ZONE, WeeklyHours(*([(OpeningRange(time(9), time(17)),)] * 5)))
NEVER = BusinessCalendar("never", ZONE, WeeklyHours())
NAIVE = datetime(2026, 6, 1, 12, 0)  # noqa: DTZ001 - the mistake under test
AWARE = datetime(2026, 6, 1, 12, 0, tzinfo=timezone.utc)


@pytest.mark.parametrize(
    "call",
    [
        lambda: OFFICE.is_open(NAIVE),
        lambda: OFFICE.next_open(NAIVE),
        lambda: OFFICE.next_close(NAIVE),
        lambda: OFFICE.holiday(NAIVE),
        lambda: OFFICE.local_date(NAIVE),
        lambda: OFFICE.business_time_between(NAIVE, AWARE),
        lambda: OFFICE.business_time_between(AWARE, NAIVE),
        lambda: OFFICE.add_business_time(NAIVE, timedelta(hours=1)),
    ],
)
def test_naive_datetimes_are_refused(call: Any) -> None:
    """Every method refuses a datetime without a time zone."""
    with pytest.raises(NaiveDatetimeError, match="timezone-aware"):
        call()


def test_the_argument_is_named_in_the_error() -> None:
    """The message says which argument was naive."""
    with pytest.raises(NaiveDatetimeError, match=r"^b must be"):
        OFFICE.business_time_between(AWARE, NAIVE)


def test_negative_business_time_is_refused() -> None:
    """add_business_time refuses a negative delta and nothing changes."""
    before = OFFICE.add_business_time(AWARE, timedelta(hours=1))
    with pytest.raises(InvalidInputError, match="delta must be at least 0"):
        OFFICE.add_business_time(AWARE, timedelta(seconds=-1))
    assert OFFICE.add_business_time(AWARE, timedelta(hours=1)) == before


def test_a_calendar_that_never_opens_answers_without_looping() -> None:
    """No hours at all: next_open and next_close are None, business time is zero."""
    assert not NEVER.is_open(AWARE)
    assert NEVER.next_open(AWARE) is None
    assert NEVER.next_close(AWARE) is None
    assert NEVER.business_time_between(AWARE, AWARE + timedelta(days=3650)) == timedelta(0)
    assert NEVER.add_business_time(AWARE, timedelta(0)) == AWARE


def test_adding_time_to_a_calendar_that_never_opens_is_an_error() -> None:
    """add_business_time with delta > 0 says the calendar has no open time ahead."""
    with pytest.raises(InvalidInputError, match="'never' has no open time within 3653 days"):
        NEVER.add_business_time(AWARE, timedelta(minutes=1))


def test_adding_more_than_the_remaining_open_time_is_an_error() -> None:
    """A calendar whose only opening is one special day cannot give 2 h after 1 h of it."""
    once = BusinessCalendar(
        "once",
        ZONE,
        WeeklyHours(),
        special_days=(SpecialDay(date(2026, 6, 2), (OpeningRange(time(9), time(10)),)),),
    )
    assert once.add_business_time(AWARE, timedelta(hours=1)).isoformat() == (
        "2026-06-02T10:00:00+03:00"
    )
    with pytest.raises(InvalidInputError, match="no open time"):
        once.add_business_time(AWARE, timedelta(hours=2))


def test_the_search_looks_ten_years_ahead() -> None:
    """An opening 9 years ahead is found; one 11 years ahead is past the horizon."""
    assert SEARCH_HORIZON_DAYS == 3653

    def opening_on(day: date) -> BusinessCalendar:
        hours = (OpeningRange(time(9), time(10)),)
        return BusinessCalendar("rare", ZONE, WeeklyHours(), special_days=(SpecialDay(day, hours),))

    soon = opening_on(date(2035, 6, 1))
    assert soon.next_open(AWARE) == datetime(2035, 6, 1, 9, 0, tzinfo=ZONE)
    assert opening_on(date(2037, 6, 1)).next_open(AWARE) is None


def test_a_calendar_open_for_ever_never_closes() -> None:
    """A 24x7 calendar has no next closing time."""
    assert BusinessCalendar.always_open().next_close(AWARE) is None


def test_always_open_refuses_an_unknown_zone() -> None:
    """An unknown IANA name is a clear InvalidInputError."""
    with pytest.raises(InvalidInputError, match="unknown time zone 'Mars/Olympus'"):
        BusinessCalendar.always_open(timezone="Mars/Olympus")


def test_building_an_invalid_calendar_reports_every_problem() -> None:
    """The constructor checks ranges and dates and lists all problems in one InvalidInputError."""
    with pytest.raises(InvalidInputError) as caught:
        BusinessCalendar(
            "bad",
            ZONE,
            WeeklyHours(
                monday=(OpeningRange(time(9), time(9)),),
                sunday=(OpeningRange(time(8), time(12)), OpeningRange(time(11), time(14))),
            ),
            holidays=(Holiday(date(2026, 1, 1), "New Year"), Holiday(date(2026, 1, 1), "Again")),
        )
    message = str(caught.value)
    assert message.startswith("business calendar 'bad' has 3 problems:")
    assert [line.split(":")[0] for line in message.splitlines()[1:]] == [
        "  - holidays[1].date",
        "  - hours.monday[0]",
        "  - hours.sunday[1]",
    ]
    assert caught.value.field == "holidays[1].date"
    assert not isinstance(caught.value, DocumentError)


def test_a_time_of_day_with_a_zone_is_refused() -> None:
    """Range times are wall-clock times of the calendar's zone, so they carry no tzinfo."""
    aware = time(9, tzinfo=timezone.utc)
    with pytest.raises(InvalidInputError, match="start must be a plain time of day") as caught:
        OpeningRange(aware, time(17))
    assert caught.value.field == "start"


def test_a_timezone_that_is_not_a_zoneinfo_is_refused() -> None:
    """A fixed offset is not a zone with DST rules: the constructor says so."""
    with pytest.raises(
        InvalidInputError, match=r"timezone: expected a zoneinfo\.ZoneInfo"
    ) as caught:
        BusinessCalendar("bad", timezone.utc, WeeklyHours())  # type: ignore[arg-type]
    assert caught.value.field == "timezone"


# --- issue 10: instants and spans are bounded, so every question's work is bounded ----------

LAST = datetime(2999, 12, 31, 23, tzinfo=timezone.utc)


@pytest.mark.parametrize(
    "t",
    [datetime(9999, 12, 31, 23, tzinfo=timezone.utc), datetime(1, 1, 1, tzinfo=timezone.utc)],
)
def test_instants_beyond_the_limits_are_refused(t: datetime) -> None:
    """Near year 9999 the questions raised OverflowError; now every one names ``t``."""
    for question in (OFFICE.is_open, OFFICE.next_open, OFFICE.next_close, OFFICE.local_date):
        with pytest.raises(InvalidInputError) as caught:
            question(t)
        assert caught.value.field == "t"


def test_a_span_of_more_than_100_years_is_refused() -> None:
    """business_time_between(1900, 2999) walked 400,000 days; it is refused at once."""
    start = datetime(1900, 1, 1, tzinfo=timezone.utc)
    with pytest.raises(InvalidInputError) as caught:
        OFFICE.business_time_between(start, LAST)
    assert caught.value.field == "b"
    assert OFFICE.open_spans(start, start + timedelta(days=7)) != []


def test_adding_more_open_time_than_100_years_hold_is_refused() -> None:
    """40 years of office time need 168 years of calendar: refused, not walked."""
    with pytest.raises(InvalidInputError) as caught:
        OFFICE.add_business_time(AWARE, timedelta(days=365 * 40))
    assert caught.value.field == "delta"
    with pytest.raises(InvalidInputError) as caught:
        BusinessCalendar.always_open().add_business_time(AWARE, timedelta(days=36_526))
    assert caught.value.field == "delta"
    ten_years = OFFICE.add_business_time(AWARE, timedelta(days=365 * 10))
    assert ten_years.year == 2068  # 87,600 h at 40 h a week: about 42 years later


def test_value_types_name_the_field_they_refuse() -> None:
    """A string where a tuple of ranges belongs, a datetime for a date: refused, named."""
    cases: list[tuple[Any, str]] = [
        (lambda: OpeningRange("09:00", time(17)), "start"),  # type: ignore[arg-type]
        (lambda: WeeklyHours(monday="09:00-17:00"), "monday"),  # type: ignore[arg-type]
        (lambda: WeeklyHours(monday=[OpeningRange(time(9), time(17))]), "monday"),  # type: ignore[arg-type]
        (lambda: Holiday(AWARE, "New Year"), "date"),
        (lambda: Holiday(date(2026, 1, 1), "\ud800"), "name"),
        (lambda: SpecialDay(date(2026, 1, 1), "09:00-12:00"), "hours"),  # type: ignore[arg-type]
        (lambda: BusinessCalendar(5, ZONE, WeeklyHours()), "name"),  # type: ignore[arg-type]
        (lambda: OFFICE.hours_on(AWARE), "day"),
    ]
    for build, field in cases:
        with pytest.raises(InvalidInputError) as caught:
            build()
        assert caught.value.field == field
