"""Weekly opening hours: several ranges a day, ranges over midnight, and the searches."""

from __future__ import annotations

from datetime import datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

from callcore.calendar import BusinessCalendar, OpeningRange, WeeklyHours

UTC = timezone.utc
ZONE = ZoneInfo("Europe/Bucharest")  # June 2026: no DST change near, UTC+3


def _at(day: int, hour: int, minute: int = 0) -> datetime:
    """An instant in June 2026, Bucharest time (2026-06-01 is a Monday)."""
    return datetime(2026, 6, day, hour, minute, tzinfo=ZONE)


def _range(start: str, end: str) -> OpeningRange:
    return OpeningRange(time.fromisoformat(start), time.fromisoformat(end))


SPLIT = BusinessCalendar(
    "split",
    ZONE,
    WeeklyHours(monday=(_range("13:00", "17:00"), _range("09:00", "12:00"))),
)
NIGHTS = BusinessCalendar(
    "nights",
    ZONE,
    WeeklyHours(friday=(_range("22:00", "02:00"),), saturday=(_range("10:00", "14:00"),)),
)


def test_several_ranges_a_day_are_all_open() -> None:
    """Both ranges of a split day are open and the lunch break is closed."""
    assert SPLIT.is_open(_at(1, 9))
    assert SPLIT.is_open(_at(1, 11, 59))
    assert not SPLIT.is_open(_at(1, 12))
    assert SPLIT.is_open(_at(1, 13))
    assert not SPLIT.is_open(_at(1, 17))


def test_business_time_of_a_split_day_is_the_sum_of_its_ranges() -> None:
    """3 h in the morning plus 4 h in the afternoon: 7 h on Monday, none on Tuesday."""
    assert SPLIT.business_time_between(_at(1, 0), _at(2, 0)) == timedelta(hours=7)
    assert SPLIT.business_time_between(_at(2, 0), _at(3, 0)) == timedelta(0)
    assert SPLIT.business_time_between(_at(1, 10), _at(1, 14)) == timedelta(hours=3)


def test_next_open_and_close_around_a_lunch_break() -> None:
    """At 12:30 the next opening is 13:00; at 10:00 the next closing is 12:00."""
    assert SPLIT.next_open(_at(1, 12, 30)) == _at(1, 13)
    assert SPLIT.next_open(_at(1, 10)) == _at(1, 10)
    assert SPLIT.next_close(_at(1, 10)) == _at(1, 12)
    assert SPLIT.next_close(_at(1, 12, 30)) == _at(1, 17)
    assert SPLIT.next_open(_at(1, 17)) == _at(8, 9)  # the Monday after


def test_a_range_over_midnight_belongs_to_the_day_it_starts() -> None:
    """Friday 22:00-02:00 is open early on Saturday, not early on Friday."""
    assert NIGHTS.is_open(_at(5, 23))
    assert NIGHTS.is_open(_at(6, 1, 59))
    assert not NIGHTS.is_open(_at(6, 2))
    assert not NIGHTS.is_open(_at(5, 1))
    assert NIGHTS.next_close(_at(5, 23)) == _at(6, 2)
    assert NIGHTS.business_time_between(_at(5, 0), _at(7, 0)) == timedelta(hours=8)


def test_midnight_as_end_is_the_end_of_the_day() -> None:
    """18:00-00:00 is open at 23:59 and closed at midnight."""
    evenings = BusinessCalendar("evenings", ZONE, WeeklyHours.every_day(_range("18:00", "00:00")))
    assert evenings.is_open(_at(3, 23, 59))
    assert not evenings.is_open(_at(4, 0))
    assert evenings.next_close(_at(3, 19)) == _at(4, 0)
    assert evenings.business_time_between(_at(3, 0), _at(4, 0)) == timedelta(hours=6)


def test_touching_ranges_form_one_span_for_next_close() -> None:
    """Friday 20:00-00:00 and Saturday 00:00-03:00 close once, at 03:00 on Saturday."""
    late = BusinessCalendar(
        "late",
        ZONE,
        WeeklyHours(friday=(_range("20:00", "00:00"),), saturday=(_range("00:00", "03:00"),)),
    )
    assert late.next_close(_at(5, 21)) == _at(6, 3)
    assert late.add_business_time(_at(5, 20), timedelta(hours=5)) == _at(6, 1)


def test_an_overnight_range_overlapping_the_next_day_counts_once() -> None:
    """Friday 22:00-02:00 and Saturday 01:00-05:00 give 7 h of open time, not 8."""
    overlap = BusinessCalendar(
        "overlap",
        ZONE,
        WeeklyHours(friday=(_range("22:00", "02:00"),), saturday=(_range("01:00", "05:00"),)),
    )
    assert overlap.business_time_between(_at(5, 0), _at(7, 0)) == timedelta(hours=7)
    assert overlap.next_close(_at(5, 22)) == _at(6, 5)
    assert overlap.add_business_time(_at(5, 22), timedelta(hours=7)) == _at(6, 5)


def test_whole_day_range_is_24_hours() -> None:
    """00:00-00:00 is open all day long."""
    whole = BusinessCalendar("whole", ZONE, WeeklyHours(wednesday=(_range("00:00", "00:00"),)))
    assert whole.business_time_between(_at(1, 0), _at(8, 0)) == timedelta(hours=24)
    assert whole.next_close(_at(3, 5)) == _at(4, 0)


def test_add_business_time_skips_closed_time() -> None:
    """2 h before closing on Monday plus 3 h ends at 10:00 the next Monday."""
    assert SPLIT.add_business_time(_at(1, 15), timedelta(hours=3)) == _at(8, 10)
    assert SPLIT.add_business_time(_at(1, 11), timedelta(hours=1, minutes=30)) == (_at(1, 13, 30))
    assert SPLIT.add_business_time(_at(1, 11), timedelta(hours=1, seconds=1)) == _at(1, 13) + (
        timedelta(seconds=1)
    )


def test_add_business_time_ending_at_a_close_returns_the_close() -> None:
    """Exactly the open time left in a range ends at its closing time, the earliest instant."""
    assert SPLIT.add_business_time(_at(1, 9), timedelta(hours=3)) == _at(1, 12)


def test_add_zero_business_time_returns_the_start() -> None:
    """Adding nothing returns the starting instant, even when closed."""
    assert SPLIT.add_business_time(_at(1, 12, 30), timedelta(0)) == _at(1, 12, 30)


def test_results_are_in_the_calendar_zone() -> None:
    """A UTC argument gives answers on the calendar's wall clock."""
    result = SPLIT.next_open(datetime(2026, 6, 1, 3, 0, tzinfo=UTC))
    assert result is not None
    assert result.tzinfo is ZONE
    assert (result.hour, result.minute) == (9, 0)


def test_local_date_follows_the_calendar_zone() -> None:
    """22:30 UTC on 1 June is already 2 June in Bucharest."""
    assert SPLIT.local_date(datetime(2026, 6, 1, 22, 30, tzinfo=UTC)).isoformat() == "2026-06-02"


def test_always_open_measures_elapsed_time() -> None:
    """A 24x7 calendar is always open and never closes."""
    always = BusinessCalendar.always_open(timezone="Europe/Bucharest")
    assert always.is_open(_at(1, 3))
    assert always.next_open(_at(1, 3)) == _at(1, 3)
    assert always.next_close(_at(1, 3)) is None
    assert always.business_time_between(_at(1, 3), _at(20, 4)) == timedelta(days=19, hours=1)
    assert always.add_business_time(_at(1, 3), timedelta(days=400)) == _at(1, 3) + timedelta(
        days=400
    )


def test_hours_on_a_date_are_the_weekday_hours() -> None:
    """hours_on gives the ranges of the date's weekday."""
    assert SPLIT.hours_on(_at(8, 0).date()) == SPLIT.hours.monday
    assert SPLIT.hours_on(_at(9, 0).date()) == ()


def test_a_week_open_but_for_a_quarter_hour_closes_then() -> None:
    """Open all week except Sunday 23:45-00:00: it closes at Sunday 23:45, 15 min a week."""
    days = [(_range("00:00", "00:00"),)] * 6 + [(_range("00:00", "23:45"),)]
    almost = BusinessCalendar("almost", ZONE, WeeklyHours(*days))
    assert almost.next_close(_at(1, 9)) == _at(7, 23, 45)
    assert almost.next_open(_at(7, 23, 50)) == _at(8, 0)
    two_weeks = almost.business_time_between(_at(1, 0), _at(15, 0))
    assert two_weeks == timedelta(days=14, minutes=-30)
    assert almost.add_business_time(_at(1, 0), timedelta(days=7)) == _at(8, 0, 15)
