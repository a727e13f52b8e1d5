"""Bisection over whole numbers, checked against a linear scan."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from callcore.wfm._bisection import boundary


@given(st.integers(-50, 50), st.integers(1, 60), st.integers(0, 60), st.booleans())
def test_boundary_matches_a_linear_scan(low: int, width: int, cut: int, upwards: bool) -> None:
    """The result is the scan's n nearest to the bad end; only inner numbers are tried."""
    high = low + width
    threshold = low + 1 + cut % width  # in (low, high]: below it is one side, from it the other
    calls: list[int] = []

    def holds(n: int) -> bool:
        calls.append(n)
        return (n < threshold) is upwards

    if upwards:  # holds on [low, threshold): the largest such n
        expected = max(n for n in range(low, high + 1) if n < threshold)
        found = boundary(holds, good=low, bad=high)
    else:  # holds on [threshold, high]: the smallest such n
        expected = min(n for n in range(low, high + 1) if n >= threshold)
        found = boundary(holds, good=high, bad=low)
    assert found == expected
    assert all(low < n < high for n in calls)
