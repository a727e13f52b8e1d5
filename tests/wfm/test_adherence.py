"""Schedule adherence and conformance from agent-state spans."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta, timezone
from itertools import pairwise

import pytest
from hypothesis import given
from hypothesis import strategies as st

from callcore.contacts import AgentState
from callcore.errors import InvalidInputError
from callcore.wfm import (
    WORK,
    WORKING_STATES,
    AdherenceGap,
    ScheduledActivity,
    StateSpan,
    schedule_adherence,
)

NINE = datetime(2026, 3, 2, 9, tzinfo=timezone.utc)
MIN = timedelta(minutes=1)


def _at(minutes: int) -> datetime:
    return NINE + minutes * MIN


def test_a_morning_by_hand() -> None:
    """Work 09:00-10:00, break 10:00-10:15, work 10:15-11:00; late in, long break.

    Logged in at 09:10 (10 min logged out), available/busy until 10:00, on
    break until 10:25 (10 min of break during work), working until 11:30
    (30 min unscheduled). Adherence 100 / 120; conformance 115 / 105.
    """
    schedule = [
        ScheduledActivity(_at(0), _at(60)),
        ScheduledActivity(_at(60), _at(75), "break"),
        ScheduledActivity(_at(75), _at(120)),
    ]
    states = [
        StateSpan(_at(10), _at(30), AgentState.AVAILABLE),
        StateSpan(_at(30), _at(60), AgentState.BUSY),
        StateSpan(_at(60), _at(85), AgentState.NOT_READY),
        StateSpan(_at(85), _at(150), AgentState.BUSY),
    ]
    report = schedule_adherence(schedule, states)
    assert report.scheduled == 120 * MIN
    assert report.in_adherence == 100 * MIN
    assert report.out_of_adherence == (
        AdherenceGap(WORK, None, 10 * MIN),
        AdherenceGap(WORK, AgentState.NOT_READY, 10 * MIN),
    )
    assert report.adherence == pytest.approx(100 / 120)
    assert report.scheduled_work == 105 * MIN
    assert report.worked == (50 + 65) * MIN
    assert report.conformance == pytest.approx(115 / 105)
    assert report.unscheduled == 30 * MIN


def test_rules_override_what_fits_an_activity() -> None:
    """Training may be done while available when the rules say so."""
    schedule = [ScheduledActivity(_at(0), _at(30), "training")]
    states = [StateSpan(_at(0), _at(30), AgentState.AVAILABLE)]
    assert schedule_adherence(schedule, states).adherence == 0.0
    allowed = {"training": frozenset({AgentState.AVAILABLE})}
    assert schedule_adherence(schedule, states, rules=allowed).adherence == 1.0
    assert schedule_adherence(schedule, states).conformance is None


def test_bad_input_is_refused_by_name() -> None:
    """Overlaps, an empty schedule, a backwards span and logged_out are refused."""
    one = ScheduledActivity(_at(0), _at(30))
    bad: list[tuple[Callable[[], object], str]] = [
        (lambda: schedule_adherence([], []), "schedule"),
        (lambda: schedule_adherence([one, ScheduledActivity(_at(20), _at(40))], []), "schedule[1]"),
        (lambda: ScheduledActivity(_at(10), _at(10)), "end"),
        (lambda: StateSpan(_at(0), _at(10), AgentState.LOGGED_OUT), "state"),
        (lambda: ScheduledActivity(_at(0), _at(10), ""), "activity"),
        (lambda: schedule_adherence([one], ["busy"]), "states[0]"),  # type: ignore[list-item]
    ]
    for call, field in bad:
        with pytest.raises(InvalidInputError) as caught:
            call()
        assert caught.value.field == field


_STATES = [state for state in AgentState if state is not AgentState.LOGGED_OUT]


@st.composite
def _runs(draw: st.DrawFn, labels: st.SearchStrategy[object]) -> list[tuple[int, int, object]]:
    """Non-overlapping (start, end, label) minute runs within two hours; label None is a gap."""
    cuts = sorted(draw(st.sets(st.integers(0, 120), min_size=2, max_size=9)))
    runs = []
    for start, end in pairwise(cuts):
        label = draw(st.one_of(st.none(), labels))
        if label is not None:
            runs.append((start, end, label))
    return runs


@given(
    plan=_runs(st.sampled_from([WORK, "break", "lunch"])),
    did=_runs(st.sampled_from(_STATES)),
)
def test_adherence_equals_a_minute_by_minute_count(
    plan: list[tuple[int, int, object]], did: list[tuple[int, int, object]]
) -> None:
    """Every figure equals counting minute by minute."""
    if not plan:
        return
    schedule = [ScheduledActivity(_at(a), _at(b), str(label)) for a, b, label in plan]
    states = [StateSpan(_at(a), _at(b), label) for a, b, label in did]  # type: ignore[arg-type]
    report = schedule_adherence(schedule, states)
    activity = {m: label for a, b, label in plan for m in range(a, b)}
    state = {m: label for a, b, label in did for m in range(a, b)}
    fits = {
        m
        for m, name in activity.items()
        if (
            state.get(m) in WORKING_STATES if name == WORK else state.get(m) is AgentState.NOT_READY
        )
    }
    assert report.scheduled == len(activity) * MIN
    assert report.in_adherence == len(fits) * MIN
    assert report.scheduled_work == sum(name == WORK for name in activity.values()) * MIN
    assert report.worked == sum(value in WORKING_STATES for value in state.values()) * MIN
    assert report.unscheduled == len(set(state) - set(activity)) * MIN
    assert (
        sum((gap.duration for gap in report.out_of_adherence), timedelta(0))
        == (len(activity) - len(fits)) * MIN
    )
