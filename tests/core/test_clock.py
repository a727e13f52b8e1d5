"""Tests of the time seam: aware datetimes only, and the manual clock."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st

from callcore.clock import Clock, ManualClock, SystemClock, ensure_aware
from callcore.errors import CallcoreError, InvalidInputError, NaiveDatetimeError

START = datetime(2026, 1, 5, 9, 0, tzinfo=timezone.utc)


def test_ensure_aware_accepts_aware() -> None:
    """An aware datetime passes through unchanged."""
    assert ensure_aware(START) is START


def test_ensure_aware_rejects_naive_with_name() -> None:
    """A naive datetime raises an error that names the argument."""
    with pytest.raises(NaiveDatetimeError, match="arrived_at must be a timezone-aware"):
        ensure_aware(datetime(2026, 1, 5, 9, 0), "arrived_at")  # noqa: DTZ001


def test_ensure_aware_rejects_non_datetime() -> None:
    """A value that is not a datetime is refused as invalid input."""
    with pytest.raises(InvalidInputError, match="must be a datetime, got str"):
        ensure_aware("2026-01-05", "now")  # type: ignore[arg-type]


def test_naive_error_is_value_error_and_callcore_error() -> None:
    """Generic except clauses keep working for naive datetimes."""
    error = NaiveDatetimeError("now")
    assert isinstance(error, ValueError)
    assert isinstance(error, CallcoreError)


def test_system_clock_is_aware_utc() -> None:
    """The system clock tells UTC time."""
    now = SystemClock().now()
    assert now.utcoffset() == timedelta(0)
    assert isinstance(SystemClock(), Clock)


def test_manual_clock_refuses_naive_start() -> None:
    """A manual clock cannot start at a naive time."""
    with pytest.raises(NaiveDatetimeError):
        ManualClock(datetime(2026, 1, 5))  # noqa: DTZ001


@given(steps=st.lists(st.integers(min_value=0, max_value=10**6), max_size=20))
def test_manual_clock_advances_by_the_sum_of_steps(steps: list[int]) -> None:
    """Advancing by steps moves the clock by their sum, exactly."""
    clock = ManualClock(START)
    for step in steps:
        clock.advance(timedelta(seconds=step))
    assert clock.now() == START + timedelta(seconds=sum(steps))


def test_manual_clock_never_goes_backwards() -> None:
    """Negative steps and earlier times are refused and change nothing."""
    clock = ManualClock(START)
    with pytest.raises(InvalidInputError, match="cannot go backwards"):
        clock.advance(timedelta(seconds=-1))
    with pytest.raises(InvalidInputError, match="cannot go backwards"):
        clock.set(START - timedelta(microseconds=1))
    assert clock.now() == START


def test_manual_clock_set_moves_forward() -> None:
    """Setting a later time moves the clock there."""
    clock = ManualClock(START)
    later = START + timedelta(hours=3)
    assert clock.set(later) == later
    assert clock.now() == later
