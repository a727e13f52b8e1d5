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


def _run(steps: list[tuple[str, int]], times: list[datetime]) -> list[Any]:
    window = RollingAbandonWindow(window=timedelta(hours=1), target=0.1)
    outcomes: list[Any] = []
    for (name, calls), now in zip(steps, times, strict=True):
        try:
            if name == "record":
                outcomes.append(window.record(now=now, live_answers=calls, abandoned=calls // 3))
            elif name == "counts":
                outcomes.append(window.counts(now=now))
            else:
                outcomes.append(window.pacing_counts(now=now, horizon=timedelta(minutes=10 * calls + 1)))
        except CallcoreError as error:
            outcomes.append((name, type(error).__name__, getattr(error, "field", None)))
    return outcomes


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
