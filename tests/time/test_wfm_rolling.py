"""The rolling abandon window keeps instants whatever zone its times come in (issue 12)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from callcore.errors import CallcoreError
from callcore.wfm import RollingAbandonWindow
from tests.time.instants import timelines

STEPS = st.tuples(st.sampled_from(("record", "counts", "pacing")), st.integers(0, 5))


def _step(window: RollingAbandonWindow, name: str, calls: int, now: datetime) -> Any:
    try:
        if name == "record":
            return window.record(now=now, live_answers=calls, abandoned=calls // 3)
        if name == "counts":
            return window.counts(now=now)
        return window.pacing_counts(now=now, horizon=timedelta(minutes=10 * calls + 1))
    except CallcoreError as error:
        return (name, type(error).__name__, getattr(error, "field", None))


def _run(steps: list[tuple[str, int]], times: list[datetime]) -> list[Any]:
    window = RollingAbandonWindow(window=timedelta(hours=1), target=0.1)
    return [
        _step(window, name, calls, now) for (name, calls), now in zip(steps, times, strict=True)
    ]


@given(
    st.lists(STEPS, min_size=1, max_size=25).flatmap(
        lambda steps: st.tuples(st.just(steps), timelines([1200] * (len(steps) - 1)))
    )
)
def test_a_window_fed_in_zones_counts_as_in_utc(
    case: tuple[list[tuple[str, int]], tuple[list[datetime], list[datetime]]],
) -> None:
    """Records and queries at zoned times: the same counts (an hour's window spans the change)."""
    steps, (times, zoned) = case
    assert _run(steps, zoned) == _run(steps, times)
