"""How much work questions take: counted in wall-clock conversions, never timed."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

import callcore.calendar as calendar_module
from callcore.calendar import BusinessCalendar, OpeningRange, WeeklyHours

ZONE = ZoneInfo("Europe/Bucharest")
START = datetime(2026, 1, 5, 10, 0, tzinfo=ZONE)


def _count_conversions(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Count the calls that turn a local wall-clock time into an instant."""
    calls = [0]
    original = calendar_module._wall_to_micros

    def counting(*args: object) -> int:
        calls[0] += 1
        return original(*args)  # type: ignore[arg-type]

    monkeypatch.setattr(calendar_module, "_wall_to_micros", counting)
    return calls


def test_a_year_of_business_time_converts_each_range_once(monkeypatch: pytest.MonkeyPatch) -> None:
    """A year of a two-range weekday calendar: two ends per range per day, no minute steps."""
    calls = _count_conversions(monkeypatch)
    split = (OpeningRange(time(9), time(12)), OpeningRange(time(13), time(17)))
    office = BusinessCalendar("office", ZONE, WeeklyHours(split, split, split, split, split))
    total = office.business_time_between(START, START + timedelta(days=365))
    assert total == timedelta(hours=7 * 261)  # 2026-01-05 to 2027-01-05: 261 weekdays
    # 4 conversions per weekday, plus the whole weeks at both ends and a few days of margin
    assert calls[0] <= 4 * 261 + 4 * 2 * 5 + 16
    office.business_time_between(START, START + timedelta(days=365))
    assert calls[0] <= 4 * 261 + 4 * 2 * 5 + 16  # the second time, every week is kept


def test_a_24x7_calendar_skips_ordinary_days(monkeypatch: pytest.MonkeyPatch) -> None:
    """next_close on a 24x7 calendar does not walk ten years day by day."""
    calls = _count_conversions(monkeypatch)
    assert BusinessCalendar.always_open(timezone="Europe/Bucharest").next_close(START) is None
    assert calls[0] < 100


def test_a_second_question_about_the_same_weeks_converts_nothing(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Weeks of spans are kept: asking again, or adding business time there, walks no day."""
    office = BusinessCalendar(
        "office", ZONE, WeeklyHours.every_day(OpeningRange(time(9), time(17)))
    )
    office.business_time_between(START, START + timedelta(days=60))
    calls = _count_conversions(monkeypatch)
    assert office.business_time_between(START + timedelta(days=3), START + timedelta(days=50)) == (
        timedelta(hours=8 * 47)
    )
    office.add_business_time(START, timedelta(hours=8 * 40))
    assert calls[0] == 0
