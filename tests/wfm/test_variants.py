"""Staffing variants: trunks by Erlang B, concurrent chats, full-time equivalents."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st

from callcore.errors import InvalidInputError
from callcore.wfm import (
    IntervalDemand,
    StaffingTarget,
    Workload,
    erlang_c_performance,
    full_time_equivalents,
    required_chat_staff,
    required_staff,
    staffing_plan,
    trunks_required,
)


def _blocking(lines: int, load: float) -> float:
    """Erlang B by the textbook recursion from B(0) = 1 (the reference)."""
    value = 1.0
    for n in range(1, lines + 1):
        value = load * value / (n + load * value)
    return value


@pytest.mark.parametrize(
    ("load", "blocking", "lines"),
    [(5.0, 0.01, 11), (10.0, 0.01, 18), (10.0, 0.02, 17), (20.0, 0.01, 30), (100.0, 0.01, 117)],
)
def test_trunks_match_the_published_erlang_b_table(
    load: float, blocking: float, lines: int
) -> None:
    """Lines for a grade of service, as in the classic Erlang B tables."""
    assert trunks_required(load, blocking) == lines


@given(load=st.floats(0.01, 300), blocking=st.floats(0.001, 0.5))
def test_trunks_are_the_fewest_by_brute_force(load: float, blocking: float) -> None:
    """The answer meets the target and one line fewer does not."""
    lines = trunks_required(load, blocking)
    assert _blocking(lines, load) <= blocking * (1 + 1e-12)
    assert _blocking(lines - 1, load) > blocking * (1 - 1e-12)


def test_trunk_refusals_name_the_field() -> None:
    """Blocking of 0 or 1, a negative load: refused by name; no load needs no line."""
    assert trunks_required(0.0, 0.01) == 0
    calls: list[tuple[Callable[[], object], str]] = [
        (lambda: trunks_required(10.0, 0.0), "blocking"),
        (lambda: trunks_required(10.0, 1.0), "blocking"),
        (lambda: trunks_required(-1.0, 0.1), "load"),
    ]
    for call, field in calls:
        with pytest.raises(InvalidInputError) as caught:
            call()
        assert caught.value.field == field


@given(calls=st.integers(1, 400), concurrency=st.integers(1, 5))
def test_chat_agents_are_the_fewest_whose_servers_meet_the_target(
    calls: int, concurrency: int
) -> None:
    """With k chats per agent, N agents are kN servers; one agent fewer misses the target."""
    work = Workload(calls, timedelta(minutes=8))
    target = StaffingTarget(service_level=0.8, shrinkage=0.2)
    staff = required_chat_staff(work, target, concurrency)
    assert staff.performance.agents == staff.required * concurrency
    assert staff.performance.service_level >= 0.8
    fewer = (staff.required - 1) * concurrency
    if fewer > work.load:
        assert erlang_c_performance(work, fewer).service_level < 0.8
    assert staff.scheduled == target.scheduled(staff.required)
    if concurrency == 1:
        alone = required_staff(work, target)
        assert (staff.required, staff.scheduled) == (alone.required, alone.scheduled)
        assert staff.performance.service_level == pytest.approx(alone.performance.service_level)


def test_chat_concurrency_out_of_range_is_refused() -> None:
    """Zero or 101 chats at once are refused by name."""
    work = Workload(10, timedelta(minutes=8))
    for bad in (0, 101, 2.0):
        with pytest.raises(InvalidInputError) as caught:
            required_chat_staff(work, StaffingTarget(), bad)  # type: ignore[arg-type]
        assert caught.value.field == "concurrency"


def test_full_time_equivalents_by_hand() -> None:
    """Quarter-hours count as quarter hours: 20 + 32 scheduled over 15 min is 13 agent-hours."""
    start = datetime(2026, 3, 2, 9, tzinfo=timezone.utc)
    quarter = timedelta(minutes=15)
    demand = [
        IntervalDemand(start, 50, timedelta(seconds=180)),
        IntervalDemand(start + quarter, 90, timedelta(seconds=180)),
    ]
    plan = staffing_plan(demand, StaffingTarget(service_level=0.8, shrinkage=0.3), quarter)
    scheduled = [row.scheduled for row in plan.rows]
    result = full_time_equivalents(plan, timedelta(hours=7.5))
    assert result.agent_hours == pytest.approx(sum(scheduled) / 4)
    assert result.fte == pytest.approx(sum(scheduled) / 4 / 7.5)
    with pytest.raises(InvalidInputError) as caught:
        full_time_equivalents(plan, timedelta(0))
    assert caught.value.field == "paid_hours"
