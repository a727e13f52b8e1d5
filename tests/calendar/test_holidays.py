"""Holidays (closed or short days) and special days, and which one wins."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from callcore.calendar import BusinessCalendar, Holiday, OpeningRange, SpecialDay, WeeklyHours

ZONE = ZoneInfo("Europe/Bucharest")
NINE_TO_FIVE = OpeningRange(time(9), time(17))
WEEKDAYS_9_17 = WeeklyHours(*([(NINE_TO_FIVE,)] * 5))


def _at(month: int, day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=ZONE)


CHRISTMAS = Holiday(date(2026, 12, 25), "Christmas")
CHRISTMAS_EVE = Holiday(date(2026, 12, 24), "Christmas Eve", (OpeningRange(time(9), time(13)),))
SUNDAY_SALE = SpecialDay(date(2026, 12, 20), (OpeningRange(time(10), time(16)),), "sale")
SUPPORT = BusinessCalendar(
    "support",
    ZONE,
    WEEKDAYS_9_17,
    holidays=(CHRISTMAS, CHRISTMAS_EVE),
    special_days=(SUNDAY_SALE,),
)


def test_a_holiday_is_closed_all_day() -> None:
    """Friday 25 December is closed although Fridays are open."""
    assert not SUPPORT.is_open(_at(12, 25, 10))
    assert SUPPORT.business_time_between(_at(12, 25, 0), _at(12, 26, 0)) == timedelta(0)
    assert SUPPORT.next_open(_at(12, 25, 10)) == _at(12, 28, 9)  # the Monday after


def test_a_partial_holiday_replaces_the_weekly_hours() -> None:
    """Christmas Eve is open 09:00-13:00 only: 4 h instead of 8."""
    assert SUPPORT.is_open(_at(12, 24, 12, 59))
    assert not SUPPORT.is_open(_at(12, 24, 14))
    assert SUPPORT.next_close(_at(12, 24, 10)) == _at(12, 24, 13)
    assert SUPPORT.business_time_between(_at(12, 24, 0), _at(12, 25, 0)) == timedelta(hours=4)


def test_business_time_over_the_christmas_week() -> None:
    """Mon 21-Wed 23 (3 x 8 h) + Thu 24 (4 h) + Fri 25 (closed) + the Sunday sale before (6 h)."""
    week = SUPPORT.business_time_between(_at(12, 20, 0), _at(12, 26, 0))
    assert week == timedelta(hours=6 + 3 * 8 + 4)


def test_add_business_time_skips_holidays() -> None:
    """Wednesday 16:00 plus 6 h: 1 h on Wed, 4 h on Christmas Eve, Christmas off, 1 h on Monday."""
    assert SUPPORT.add_business_time(_at(12, 23, 16), timedelta(hours=6)) == _at(12, 28, 10)


def test_a_special_day_replaces_the_weekly_hours() -> None:
    """Sunday 20 December opens 10:00-16:00 although Sundays are closed."""
    assert SUPPORT.is_open(_at(12, 20, 11))
    assert not SUPPORT.is_open(_at(12, 20, 9))
    assert SUPPORT.next_open(_at(12, 20, 8)) == _at(12, 20, 10)
    assert SUPPORT.holiday(_at(12, 20, 11)) is None


def test_the_holiday_wins_over_a_special_day_on_the_same_date() -> None:
    """A holiday and a special day on the same date: the holiday's hours apply."""
    both = BusinessCalendar(
        "both",
        ZONE,
        WEEKDAYS_9_17,
        holidays=(CHRISTMAS,),
        special_days=(SpecialDay(date(2026, 12, 25), (OpeningRange(time(8), time(20)),)),),
    )
    assert not both.is_open(_at(12, 25, 10))
    assert both.hours_on(date(2026, 12, 25)) == ()


def test_holiday_lookup_by_instant() -> None:
    """holiday() names the holiday on the instant's local date, in the calendar's zone."""
    assert SUPPORT.holiday(_at(12, 25, 23, 30)) == CHRISTMAS
    assert SUPPORT.holiday(_at(12, 26, 0, 30)) is None
    utc_late_on_the_24th = datetime.fromisoformat("2026-12-24T22:30:00+00:00")
    assert SUPPORT.holiday(utc_late_on_the_24th) == CHRISTMAS  # 00:30 on the 25th locally


def test_a_holiday_does_not_cut_short_the_night_before() -> None:
    """Friday 22:00-02:00 stays open until 02:00 on a Saturday holiday."""
    nights = BusinessCalendar(
        "nights",
        ZONE,
        WeeklyHours(friday=(OpeningRange(time(22), time(2)),)),
        holidays=(Holiday(date(2026, 12, 26), "Second day of Christmas"),),
    )
    assert nights.is_open(_at(12, 26, 1))
    assert nights.next_close(_at(12, 25, 23)) == _at(12, 26, 2)


def test_a_holiday_overnight_range_runs_into_the_next_day() -> None:
    """New Year's Eve 20:00-02:00 is open at 01:00 on 1 January, itself a holiday."""
    party = BusinessCalendar(
        "party",
        ZONE,
        WEEKDAYS_9_17,
        holidays=(
            Holiday(date(2026, 12, 31), "New Year's Eve", (OpeningRange(time(20), time(2)),)),
            Holiday(date(2027, 1, 1), "New Year"),
        ),
    )
    assert party.is_open(datetime(2027, 1, 1, 1, 0, tzinfo=ZONE))
    assert not party.is_open(_at(12, 31, 10))
    assert party.business_time_between(_at(12, 31, 0), datetime(2027, 1, 2, tzinfo=ZONE)) == (
        timedelta(hours=6)
    )
