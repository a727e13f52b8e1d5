"""Bisection over whole numbers, checked against a linear scan."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from callcore.wfm._bisection import boundary


@given(st.integers(-50, 50), st.integers(1, 60), st.integers(0, 60))
def test_boundary_finds_the_largest_that_holds_going_up(low: int, width: int, cut: int) -> None:
    """Searching upwards returns the last n of [low, low + width) below the threshold."""
    high = low + width
    threshold = low + 1 + cut % width  # holds(low) is true, holds(high) false
    calls: list[int] = []

    def holds(n: int) -> bool:
        calls.append(n)
        return n < threshold

    expected = max(n for n in range(low, high + 1) if n < threshold)
    assert boundary(holds, good=low, bad=high) == expected
    assert all(low < n < high for n in calls)


@given(st.integers(-50, 50), st.integers(1, 60), st.integers(0, 60))
def test_boundary_finds_the_smallest_that_holds_going_down(low: int, width: int, cut: int) -> None:
    """Searching downwards returns the first n of (low, low + width] at the threshold."""
    high = low + width
    threshold = low + 1 + cut % width  # holds(high) is true, holds(low) false
    calls: list[int] = []

    def holds(n: int) -> bool:
        calls.append(n)
        return n >= threshold

    expected = min(n for n in range(low, high + 1) if n >= threshold)
    assert boundary(holds, good=high, bad=low) == expected
    assert all(low < n < high for n in calls)
