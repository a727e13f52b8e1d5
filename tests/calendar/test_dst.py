"""Daylight saving time: the 2026 changes of Europe/Bucharest and America/New_York.

Bucharest: 2026-03-29 03:00 EET (+2) -> 04:00 EEST (+3) at 01:00 UTC, and
2026-10-25 04:00 EEST -> 03:00 EET at 01:00 UTC. New York: 2026-03-08 02:00 EST
(-5) -> 03:00 EDT (-4) at 07:00 UTC, and 2026-11-01 02:00 EDT -> 01:00 EST at
06:00 UTC. Every expected value below was worked out by hand from these facts
and is written in UTC, so that no time-zone code of the calendar is reused.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from callcore.calendar import BusinessCalendar, OpeningRange, WeeklyHours

BUCHAREST = ZoneInfo("Europe/Bucharest")
NEW_YORK = ZoneInfo("America/New_York")
ZONES = {"Europe/Bucharest": BUCHAREST, "America/New_York": NEW_YORK}


def _utc(text: str) -> datetime:
    """An instant written as 'YYYY-MM-DD HH:MM' in UTC."""
    return datetime.fromisoformat(text).replace(tzinfo=timezone.utc)


def _as_utc(value: datetime | None) -> datetime | None:
    # Python never finds an ambiguous local time equal to an instant in another zone.
    return None if value is None else value.astimezone(timezone.utc)


def _every_day(zone: ZoneInfo, start: str, end: str) -> BusinessCalendar:
    opening = OpeningRange(time.fromisoformat(start), time.fromisoformat(end))
    return BusinessCalendar("test", zone, WeeklyHours.every_day(opening))


def _midnight(zone: ZoneInfo, day: date) -> datetime:
    return datetime.combine(day, time(), zone)


# zone, day of the change, hours of a whole day, local midnight in UTC
DAY_LENGTHS = [
    ("Europe/Bucharest", date(2026, 3, 29), 23, "2026-03-28 22:00"),
    ("Europe/Bucharest", date(2026, 10, 25), 25, "2026-10-24 21:00"),
    ("America/New_York", date(2026, 3, 8), 23, "2026-03-08 05:00"),
    ("America/New_York", date(2026, 11, 1), 25, "2026-11-01 04:00"),
]


@pytest.mark.parametrize(("zone", "day", "hours", "start_utc"), DAY_LENGTHS)
def test_a_whole_day_lasts_23_or_25_hours(zone: str, day: date, hours: int, start_utc: str) -> None:
    """A 00:00-00:00 range lasts 23 h on a spring-forward day and 25 h on a fall-back day."""
    calendar = _every_day(ZONES[zone], "00:00", "00:00")
    start = _midnight(ZONES[zone], day)
    end = _midnight(ZONES[zone], day + timedelta(days=1))
    assert start == _utc(start_utc)
    assert calendar.business_time_between(start, end) == timedelta(hours=hours)
    assert _as_utc(calendar.add_business_time(start, timedelta(hours=hours))) == end
    assert calendar.is_open(_utc(start_utc) + timedelta(hours=hours - 1))


@pytest.mark.parametrize(("zone", "day", "hours", "start_utc"), DAY_LENGTHS)
def test_always_open_measures_elapsed_time_across_the_change(
    zone: str, day: date, hours: int, start_utc: str
) -> None:
    """A 24x7 calendar counts real time: 23 h or 25 h between two local midnights."""
    calendar = BusinessCalendar.always_open(timezone=zone)
    start = _midnight(ZONES[zone], day)
    end = _midnight(ZONES[zone], day + timedelta(days=1))
    assert calendar.business_time_between(start, end) == timedelta(hours=hours)
    assert _as_utc(calendar.add_business_time(start, timedelta(hours=hours))) == end


# zone, night (22:00 start), its start and end in UTC, hours
NIGHT_SHIFTS = [
    ("Europe/Bucharest", date(2026, 3, 28), "2026-03-28 20:00", "2026-03-29 03:00", 7),
    ("Europe/Bucharest", date(2026, 10, 24), "2026-10-24 19:00", "2026-10-25 04:00", 9),
    ("America/New_York", date(2026, 3, 7), "2026-03-08 03:00", "2026-03-08 10:00", 7),
    ("America/New_York", date(2026, 10, 31), "2026-11-01 02:00", "2026-11-01 11:00", 9),
]


@pytest.mark.parametrize(("zone", "night", "start_utc", "end_utc", "hours"), NIGHT_SHIFTS)
def test_a_night_shift_over_the_change(
    zone: str, night: date, start_utc: str, end_utc: str, hours: int
) -> None:
    """22:00-06:00 lasts 7 h over a spring-forward night and 9 h over a fall-back night."""
    calendar = _every_day(ZONES[zone], "22:00", "06:00")
    evening = datetime.combine(night, time(21), ZONES[zone])
    assert _as_utc(calendar.next_open(evening)) == _utc(start_utc)
    assert _as_utc(calendar.next_close(evening)) == _utc(end_utc)
    assert calendar.business_time_between(_utc(start_utc), _utc(end_utc)) == timedelta(hours=hours)
    assert calendar.is_open(_utc(end_utc) - timedelta(seconds=1))
    assert not calendar.is_open(_utc(end_utc))
    halfway = calendar.add_business_time(evening, timedelta(hours=hours) / 2)
    assert _as_utc(halfway) == _utc(start_utc) + timedelta(hours=hours) / 2


def test_bucharest_spring_gap_moves_a_start_forward() -> None:
    """03:00-05:00 on 29 March starts at 04:00 EEST, the first real instant: 1 h of open time."""
    calendar = _every_day(BUCHAREST, "03:00", "05:00")
    midnight = _midnight(BUCHAREST, date(2026, 3, 29))
    assert not calendar.is_open(_utc("2026-03-29 00:59"))  # 02:59 EET
    assert calendar.is_open(_utc("2026-03-29 01:00"))  # 04:00 EEST
    assert _as_utc(calendar.next_open(midnight)) == _utc("2026-03-29 01:00")
    assert _as_utc(calendar.next_close(midnight)) == _utc("2026-03-29 02:00")
    assert calendar.business_time_between(midnight, midnight + timedelta(days=1)) == timedelta(
        hours=1
    )
    later = calendar.add_business_time(midnight, timedelta(minutes=30))
    assert later.isoformat() == "2026-03-29T04:30:00+03:00"
    # The day before is an ordinary day of 2 h.
    before = _midnight(BUCHAREST, date(2026, 3, 28))
    assert calendar.business_time_between(before, midnight) == timedelta(hours=2)


def test_bucharest_range_inside_the_gap_has_no_open_time() -> None:
    """03:15-03:45 does not exist on 29 March: closed that day, open the next."""
    calendar = _every_day(BUCHAREST, "03:15", "03:45")
    midnight = _midnight(BUCHAREST, date(2026, 3, 29))
    assert calendar.business_time_between(midnight, midnight + timedelta(days=1)) == timedelta(0)
    assert _as_utc(calendar.next_open(midnight)) == _utc("2026-03-30 00:15")


def test_new_york_spring_gap_02_to_04_lasts_one_hour() -> None:
    """02:00-04:00 on 8 March is open from 03:00 EDT to 04:00 EDT."""
    calendar = _every_day(NEW_YORK, "02:00", "04:00")
    midnight = _midnight(NEW_YORK, date(2026, 3, 8))
    assert not calendar.is_open(_utc("2026-03-08 06:59"))  # 01:59 EST
    assert calendar.is_open(_utc("2026-03-08 07:00"))  # 03:00 EDT
    assert _as_utc(calendar.next_open(midnight)) == _utc("2026-03-08 07:00")
    assert _as_utc(calendar.next_close(midnight)) == _utc("2026-03-08 08:00")
    assert calendar.business_time_between(midnight, midnight + timedelta(days=1)) == timedelta(
        hours=1
    )
    later = calendar.add_business_time(midnight, timedelta(minutes=30))
    assert later.isoformat() == "2026-03-08T03:30:00-04:00"


def test_bucharest_fall_back_start_uses_the_first_occurrence() -> None:
    """03:30-05:00 on 25 October opens at the first 03:30 (EEST) and lasts 2 h 30."""
    calendar = _every_day(BUCHAREST, "03:30", "05:00")
    midnight = _midnight(BUCHAREST, date(2026, 10, 25))
    assert not calendar.is_open(_utc("2026-10-25 00:15"))  # the first 03:15 (EEST)
    assert calendar.is_open(_utc("2026-10-25 01:15"))  # the second 03:15 (EET)
    assert _as_utc(calendar.next_open(midnight)) == _utc("2026-10-25 00:30")
    assert _as_utc(calendar.next_close(midnight)) == _utc("2026-10-25 03:00")
    assert calendar.business_time_between(midnight, midnight + timedelta(days=1)) == timedelta(
        hours=2, minutes=30
    )
    later = calendar.add_business_time(midnight, timedelta(hours=2))
    assert later.isoformat() == "2026-10-25T04:30:00+02:00"


def test_bucharest_fall_back_end_uses_the_first_occurrence() -> None:
    """02:00-03:30 on 25 October closes at the first 03:30: 1 h 30, closed at the second 03:15."""
    calendar = _every_day(BUCHAREST, "02:00", "03:30")
    midnight = _midnight(BUCHAREST, date(2026, 10, 25))
    assert calendar.is_open(_utc("2026-10-25 00:15"))  # the first 03:15
    assert not calendar.is_open(_utc("2026-10-25 01:15"))  # the second 03:15
    assert _as_utc(calendar.next_close(midnight)) == _utc("2026-10-25 00:30")
    assert calendar.business_time_between(midnight, midnight + timedelta(days=1)) == timedelta(
        hours=1, minutes=30
    )


def test_new_york_fall_back_ranges_in_the_repeated_hour() -> None:
    """01:30-03:00 on 1 November opens at 01:30 EDT; 00:00-01:30 closes at 01:30 EDT."""
    late = _every_day(NEW_YORK, "01:30", "03:00")
    early = _every_day(NEW_YORK, "00:00", "01:30")
    midnight = _midnight(NEW_YORK, date(2026, 11, 1))
    day = (midnight, midnight + timedelta(days=1))
    assert late.business_time_between(*day) == timedelta(hours=2, minutes=30)
    assert early.business_time_between(*day) == timedelta(hours=1, minutes=30)
    second_quarter_past_one = _utc("2026-11-01 06:15")  # 01:15 EST
    assert late.is_open(second_quarter_past_one)
    assert not early.is_open(second_quarter_past_one)
    assert not late.is_open(_utc("2026-11-01 05:15"))  # 01:15 EDT
    assert _as_utc(late.next_open(midnight)) == _utc("2026-11-01 05:30")
    assert _as_utc(late.next_close(midnight)) == _utc("2026-11-01 08:00")
    assert _as_utc(early.next_open(second_quarter_past_one)) == _utc("2026-11-02 05:00")
    # One hour after the first 01:30 is the second 01:30.
    result = late.add_business_time(midnight, timedelta(hours=1))
    assert result.isoformat() == "2026-11-01T01:30:00-05:00"
    assert result.fold == 1


# zone, Friday 16:00 local in UTC, Monday 10:00 local in UTC
WEEKENDS = [
    ("Europe/Bucharest", "2026-03-27 14:00", "2026-03-30 07:00"),
    ("Europe/Bucharest", "2026-10-23 13:00", "2026-10-26 08:00"),
    ("America/New_York", "2026-03-06 21:00", "2026-03-09 14:00"),
    ("America/New_York", "2026-10-30 20:00", "2026-11-02 15:00"),
]


@pytest.mark.parametrize(("zone", "friday_utc", "monday_utc"), WEEKENDS)
def test_office_hours_over_a_weekend_with_a_change(
    zone: str, friday_utc: str, monday_utc: str
) -> None:
    """Friday 16:00 plus 2 h of 09:00-17:00 weekdays is Monday 10:00 in the new offset."""
    weekdays = WeeklyHours(*([(OpeningRange(time(9), time(17)),)] * 5))
    calendar = BusinessCalendar("office", ZONES[zone], weekdays)
    friday, monday = _utc(friday_utc), _utc(monday_utc)
    result = calendar.add_business_time(friday, timedelta(hours=2))
    assert _as_utc(result) == monday
    assert (result.hour, result.minute, result.weekday()) == (10, 0, 0)
    assert calendar.business_time_between(friday, monday) == timedelta(hours=2)
    assert _as_utc(calendar.next_close(friday)) == friday + timedelta(hours=1)
    assert _as_utc(calendar.next_open(friday + timedelta(hours=1))) == monday - timedelta(hours=1)
