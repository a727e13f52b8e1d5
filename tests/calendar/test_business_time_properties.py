"""Algebraic properties of business time on random calendars and instants."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from hypothesis import assume, given

from callcore.calendar import BusinessCalendar
from callcore.errors import InvalidInputError
from tests.calendar.strategies import (
    ZONES,
    business_deltas,
    calendars,
    instants_near_transitions,
)


def _utc(value: datetime) -> datetime:
    # Arithmetic on datetimes sharing a ZoneInfo is wall-clock arithmetic: do it in UTC.
    return value.astimezone(timezone.utc)


def _opens_every_week(calendar: BusinessCalendar) -> bool:
    return any(calendar.hours.on(weekday) for weekday in range(7))


@given(calendars(), instants_near_transitions(), business_deltas())
def test_business_time_between_undoes_add_business_time(
    calendar: BusinessCalendar, start: datetime, delta: timedelta
) -> None:
    """business_time_between(a, add_business_time(a, d)) == d."""
    assume(_opens_every_week(calendar))
    end = calendar.add_business_time(start, delta)
    assert _utc(end) >= _utc(start)
    assert end.tzinfo is calendar.timezone
    assert calendar.business_time_between(start, end) == delta


@given(calendars(), instants_near_transitions(), business_deltas())
def test_add_business_time_utc_is_add_business_time_in_utc(
    calendar: BusinessCalendar, start: datetime, delta: timedelta
) -> None:
    """The quick UTC answer (SLA clocks use it) equals its reference, errors included."""
    try:
        expected: datetime | str = _utc(calendar.add_business_time(start, delta))
    except InvalidInputError as error:
        expected = f"{type(error).__name__}:{error.field}"
    try:
        found: datetime | str = calendar.add_business_time_utc(start, delta)
    except InvalidInputError as error:
        found = f"{type(error).__name__}:{error.field}"
    assert found == expected
    if isinstance(found, datetime):
        assert found.tzinfo is timezone.utc


@given(calendars(), instants_near_transitions(), business_deltas())
def test_add_business_time_is_the_earliest_instant(
    calendar: BusinessCalendar, start: datetime, delta: timedelta
) -> None:
    """One microsecond before the result, less than delta has passed."""
    assume(_opens_every_week(calendar))
    assume(delta > timedelta(0))
    end = calendar.add_business_time(start, delta)
    earlier = _utc(end) - timedelta(microseconds=1)
    assert calendar.business_time_between(start, earlier) < delta


@given(
    calendars(),
    instants_near_transitions(),
    instants_near_transitions(),
    instants_near_transitions(),
)
def test_business_time_is_additive(
    calendar: BusinessCalendar, first: datetime, second: datetime, third: datetime
) -> None:
    """btb(a, c) == btb(a, b) + btb(b, c) for a <= b <= c."""
    a, b, c = sorted((first, second, third), key=_utc)
    total = calendar.business_time_between(a, c)
    assert total == calendar.business_time_between(a, b) + calendar.business_time_between(b, c)
    assert timedelta(0) <= total <= _utc(c) - _utc(a)


@given(calendars(), instants_near_transitions(), business_deltas(), business_deltas())
def test_adding_in_two_steps_equals_adding_once(
    calendar: BusinessCalendar, start: datetime, first: timedelta, second: timedelta
) -> None:
    """add(add(t, d1), d2) == add(t, d1 + d2), as an SLA clock paused and resumed would."""
    assume(_opens_every_week(calendar))
    in_steps = calendar.add_business_time(calendar.add_business_time(start, first), second)
    at_once = calendar.add_business_time(start, first + second)
    assert in_steps.astimezone(timezone.utc) == at_once.astimezone(timezone.utc)


@given(calendars(), instants_near_transitions())
def test_next_open_and_next_close_agree_with_is_open(
    calendar: BusinessCalendar, t: datetime
) -> None:
    """next_open(t) is t exactly when open; next_close(t) is later, and closed if any."""
    next_open = calendar.next_open(t)
    assert (next_open is not None and _utc(next_open) == _utc(t)) is calendar.is_open(t)
    next_close = calendar.next_close(t)
    if next_open is None:
        assert next_close is None
        return
    opens = _utc(next_open)
    assert calendar.is_open(opens)
    if next_close is None:  # never closes: open for (at least) the next month
        month = timedelta(days=30)
        assert calendar.business_time_between(opens, opens + month) == month
        return
    closes = _utc(next_close)
    assert closes > opens
    assert not calendar.is_open(closes)
    assert calendar.is_open(closes - timedelta(microseconds=1))
    assert calendar.business_time_between(opens, closes) == closes - opens


@given(instants_near_transitions(), instants_near_transitions(), business_deltas())
def test_always_open_measures_plain_elapsed_time(
    first: datetime, second: datetime, delta: timedelta
) -> None:
    """On a 24x7 calendar business time is real time, in every zone."""
    for zone in ZONES:
        calendar = BusinessCalendar.always_open(timezone=zone)
        elapsed = max(_utc(second) - _utc(first), timedelta(0))
        assert calendar.business_time_between(first, second) == elapsed
        assert _utc(calendar.add_business_time(first, delta)) == _utc(first) + delta
        assert calendar.is_open(first)
        assert calendar.next_close(first) is None
