"""The calendar against a minute-by-minute scan of random calendars around DST changes."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from hypothesis import given
from hypothesis import strategies as st

from callcore.calendar import BusinessCalendar
from tests.calendar.reference import OpenMinutes
from tests.calendar.strategies import calendars_with_window_start

WINDOW = 3 * 1440  # minutes: three days around a transition
indices = st.integers(0, WINDOW - 1)


def _utc(value: datetime | None) -> datetime | None:
    """Compare instants in UTC: Python never finds an ambiguous local time equal across zones."""
    return None if value is None else value.astimezone(timezone.utc)


def _window(calendar: BusinessCalendar, start: datetime) -> OpenMinutes:
    return OpenMinutes(calendar, start, WINDOW)


@given(calendars_with_window_start(), st.lists(indices, min_size=1, max_size=40))
def test_is_open_matches_the_scan(
    case: tuple[BusinessCalendar, datetime], picks: list[int]
) -> None:
    """is_open agrees with the scan at whole minutes and in the middle of minutes."""
    calendar, start = case
    scan = _window(calendar, start)
    for index in picks:
        assert calendar.is_open(scan.at(index)) is scan.flags[index]
        middle = scan.at(index) + timedelta(seconds=29, microseconds=7)
        assert calendar.is_open(middle) is scan.flags[index]


@given(calendars_with_window_start(), indices, indices)
def test_business_time_between_matches_the_scan(
    case: tuple[BusinessCalendar, datetime], first: int, second: int
) -> None:
    """business_time_between counts exactly the open minutes of the scan."""
    calendar, start = case
    scan = _window(calendar, start)
    low, high = sorted((first, second))
    expected = timedelta(minutes=sum(scan.flags[low:high]))
    assert calendar.business_time_between(scan.at(low), scan.at(high)) == expected
    assert calendar.business_time_between(scan.at(high), scan.at(low)) == timedelta(0)


@given(calendars_with_window_start(), indices)
def test_next_open_and_next_close_match_the_scan(
    case: tuple[BusinessCalendar, datetime], index: int
) -> None:
    """next_open is the first open minute; next_close the first closed minute after it."""
    calendar, start = case
    scan = _window(calendar, start)
    window_end = scan.at(WINDOW)
    opens = scan.first(value=True, from_index=index)
    next_open = calendar.next_open(scan.at(index))
    next_close = calendar.next_close(scan.at(index))
    if opens is None:
        assert next_open is None or next_open >= window_end
        return
    assert _utc(next_open) == scan.at(opens)
    closes = scan.first(value=False, from_index=opens)
    if closes is None:
        assert next_close is None or next_close >= window_end
    else:
        assert _utc(next_close) == scan.at(closes)


@given(calendars_with_window_start(), indices, st.integers(0, 24 * 60))
def test_add_business_time_matches_the_scan(
    case: tuple[BusinessCalendar, datetime], index: int, minutes: int
) -> None:
    """add_business_time lands on the first minute by which `minutes` open minutes passed."""
    calendar, start = case
    scan = _window(calendar, start)
    reached = scan.after_open_minutes(index, minutes)
    if reached is not None:
        result = calendar.add_business_time(scan.at(index), timedelta(minutes=minutes))
        assert _utc(result) == scan.at(reached)


@given(calendars_with_window_start(), indices, indices)
def test_open_spans_are_the_runs_of_open_minutes(
    case: tuple[BusinessCalendar, datetime], first: int, second: int
) -> None:
    """open_spans gives exactly the runs of open minutes of the scan, clipped to [a, b)."""
    calendar, start = case
    scan = _window(calendar, start)
    low, high = sorted((first, second))
    expected = []
    for index in range(low, high):
        if scan.flags[index] and (index == low or not scan.flags[index - 1]):
            expected.append([scan.at(index), scan.at(index + 1)])
        elif scan.flags[index]:
            expected[-1][1] = scan.at(index + 1)
    spans = calendar.open_spans(scan.at(low), scan.at(high))
    assert [[_utc(opens), _utc(closes)] for opens, closes in spans] == expected
