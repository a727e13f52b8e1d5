"""Benchmark of callcore.calendar: business time over days, months and a year.

Run ``python benchmarks/business_calendar.py`` (``--quick`` for a smoke run). Every
figure is printed as a ratio against a baseline timed in the same run:

- plain elapsed time (``b - a`` of two aware datetimes, the floor of any
  answer) for ``business_time_between``, ``add_business_time`` and ``next_close``;
- a minute-by-minute scan with ``is_open`` (the obvious implementation) for the
  business time of one week;
- pandas' ``CustomBusinessHour`` (``timestamp + n * offset``) for adding
  business hours, when pandas is installed (pyworkforce in the bench group
  brings it).
"""

from __future__ import annotations

import argparse
import importlib
import time as clock
from collections.abc import Callable
from datetime import date, datetime, time, timedelta, timezone
from functools import partial
from typing import Any
from zoneinfo import ZoneInfo

from callcore.calendar import BusinessCalendar, Holiday, OpeningRange, WeeklyHours

ZONE = ZoneInfo("Europe/Bucharest")
START = datetime(2026, 3, 2, 10, 0, tzinfo=ZONE)  # a Monday; a year from it spans both DST changes


def _office() -> BusinessCalendar:
    """Weekdays 09:00-12:00 and 13:00-17:00, Saturday mornings, ten holidays."""
    split = (OpeningRange(time(9), time(12)), OpeningRange(time(13), time(17)))
    days_off = ((1, 1), (1, 2), (4, 12), (5, 1), (6, 1), (8, 15), (11, 30), (12, 1))
    holidays = (
        *(Holiday(date(2026, month, day), f"holiday {month}-{day}") for month, day in days_off),
        Holiday(date(2026, 12, 24), "Christmas Eve", (OpeningRange(time(9), time(13)),)),
        Holiday(date(2026, 12, 25), "Christmas"),
    )
    weekly = WeeklyHours(split, split, split, split, split, (OpeningRange(time(9), time(13)),))
    return BusinessCalendar("office", ZONE, weekly, holidays)


def _best(run: Callable[[], object], repeat: int, number: int) -> float:
    """The best time per call, in seconds, over ``repeat`` batches of ``number`` calls."""
    best = float("inf")
    for _ in range(repeat):
        began = clock.perf_counter()
        for _ in range(number):
            run()
        best = min(best, (clock.perf_counter() - began) / number)
    return best


def _report(label: str, seconds: float, baseline: float, baseline_name: str) -> None:
    ratio = seconds / baseline
    print(f"  {label:<44} {seconds * 1e6:>10.1f} us = {ratio:>9.3g} x {baseline_name}")


def _elapsed(a: datetime, b: datetime) -> timedelta:
    return b - a


def _cold_business_time(a: datetime, b: datetime) -> timedelta:
    """Build the calendar and ask once: nothing is memoised yet."""
    return _office().business_time_between(a, b)


def _minute_scan(calendar: BusinessCalendar, a: datetime, b: datetime) -> timedelta:
    """The obvious way: ask is_open every minute."""
    minute = timedelta(minutes=1)
    at, total = a.astimezone(timezone.utc), timedelta(0)
    while at < b:
        total += minute * calendar.is_open(at)
        at += minute
    return total


def _pandas_add(stamp: Any, hours: int, offset: Any) -> Any:
    return stamp + hours * offset


def _compare_with_pandas(repeat: int, number: int) -> None:
    try:  # an optional peer, imported by name because it ships no type stubs
        pandas: Any = importlib.import_module("pandas")
    except ImportError:
        print("pandas is not installed: no CustomBusinessHour comparison")
        return
    nine_to_five = (OpeningRange(time(9), time(17)),)
    weekdays = BusinessCalendar(
        "9-17",
        ZONE,
        WeeklyHours(nine_to_five, nine_to_five, nine_to_five, nine_to_five, nine_to_five),
        (Holiday(date(2026, 12, 25), "Christmas"),),
    )
    offset = pandas.offsets.CustomBusinessHour(start="09:00", end="17:00", holidays=["2026-12-25"])
    stamp = pandas.Timestamp(START)
    for hours in (8, 40):
        delta = timedelta(hours=hours)
        # Both must give the same answer before their speed is compared.
        assert weekdays.add_business_time(START, delta) == _pandas_add(stamp, hours, offset)
        peer = _best(partial(_pandas_add, stamp, hours, offset), repeat, max(1, number // 5))
        ours = _best(partial(weekdays.add_business_time, START, delta), repeat, number)
        print(f"baseline: pandas Timestamp + {hours} x CustomBusinessHour: {peer * 1e6:.1f} us")
        _report(f"add_business_time, {hours} h of 09:00-17:00", ours, peer, "pandas")


def main() -> None:
    parser = argparse.ArgumentParser(description="Benchmark of callcore.calendar.")
    parser.add_argument("--quick", action="store_true", help="a short smoke run")
    quick = parser.parse_args().quick
    repeat, number = (2, 5) if quick else (7, 100)
    warm = _office()

    year_later = START + timedelta(days=365)
    elapsed = _best(partial(_elapsed, START, year_later), repeat, number * 100)
    print(f"baseline: plain elapsed time (b - a): {elapsed * 1e9:.0f} ns per call")
    print("business_time_between (memoised calendar / built and asked once):")
    for label, days in (("1 day", 1), ("1 week", 7), ("1 month", 31), ("1 year", 365)):
        end = START + timedelta(days=days)
        memoised = _best(partial(warm.business_time_between, START, end), repeat, number)
        _report(f"{label}, memoised", memoised, elapsed, "b - a")
        cold = _best(partial(_cold_business_time, START, end), repeat, max(1, number // 10))
        _report(f"{label}, built and asked once", cold, elapsed, "b - a")

    print("add_business_time and next_close (memoised):")
    for label, hours in (("add 8 h", 8), ("add 40 h (a week)", 40), ("add 2000 h (a year)", 2000)):
        adding = partial(warm.add_business_time, START, timedelta(hours=hours))
        _report(label, _best(adding, repeat, number), elapsed, "b - a")
    always = BusinessCalendar.always_open(timezone="Europe/Bucharest")
    never_closes = _best(partial(always.next_close, START), repeat, number)
    _report("24x7 next_close (never closes)", never_closes, elapsed, "b - a")

    week_end = START + timedelta(days=7)
    assert _minute_scan(warm, START, week_end) == warm.business_time_between(START, week_end)
    scan = _best(partial(_minute_scan, warm, START, week_end), 1 if quick else 3, 1)
    ours = _best(partial(warm.business_time_between, START, week_end), repeat, number)
    print(f"baseline: a minute-by-minute is_open scan of one week: {scan * 1e3:.1f} ms")
    _report("business_time_between, one week", ours, scan, "minute scan")

    _compare_with_pandas(repeat, number)


if __name__ == "__main__":
    main()
