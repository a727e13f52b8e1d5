"""Staffing search: issue oracles, and agreement with a brute-force linear scan."""

from __future__ import annotations

import math
from datetime import timedelta
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from callcore.errors import DocumentError, InvalidInputError
from callcore.serialization import from_dict, to_dict
from callcore.wfm import StaffingTarget, Workload, erlang_a_performance, required_staff
from callcore.wfm._staffing import _walk_up
from tests.wfm.strategies import brute_force_erlang_c_staff, erlang_c_targets, workloads

ISSUE_LOAD = Workload(calls=100, aht=timedelta(seconds=180))


def test_issue_oracle_service_level() -> None:
    """80 % in 20 s for 10 Erlangs needs 14 agents (13 give only 79.56 %)."""
    staffing = required_staff(ISSUE_LOAD, StaffingTarget(service_level=0.8))
    assert staffing.required == 14
    assert staffing.performance.service_level == pytest.approx(0.8884, abs=5e-5)


def test_issue_oracle_shrinkage() -> None:
    """With 30 % shrinkage, 14 required agents mean 20 scheduled (14 / 0.7 exactly)."""
    staffing = required_staff(ISSUE_LOAD, StaffingTarget(service_level=0.8, shrinkage=0.3))
    assert (staffing.required, staffing.scheduled) == (14, 20)


def test_issue_oracle_occupancy_cap() -> None:
    """An occupancy cap of 70 % lifts 14 agents (71.4 %) to 15 (66.7 %)."""
    staffing = required_staff(ISSUE_LOAD, StaffingTarget(service_level=0.8, max_occupancy=0.7))
    assert staffing.required == 15


def test_issue_oracle_large_load_matches_linear_scan() -> None:
    """20,000 calls / 30 min, AHT 300 s, 90 % in 30 s: the search equals the slow scan."""
    work = Workload(calls=20_000, aht=timedelta(seconds=300))
    target = StaffingTarget(service_level=0.9, threshold=timedelta(seconds=30))
    staffing = required_staff(work, target)
    assert staffing.required == brute_force_erlang_c_staff(work, target)
    assert staffing.required == 3353
    assert staffing.performance.service_level >= 0.9


@given(work=workloads, target=erlang_c_targets())
def test_search_matches_linear_scan(work: Workload, target: StaffingTarget) -> None:
    """For any load and target the search finds what a one-by-one scan finds."""
    staffing = required_staff(work, target)
    assert staffing.required == brute_force_erlang_c_staff(work, target)


@given(
    load=st.floats(min_value=64.0, max_value=5000.0),
    level=st.floats(min_value=0.3, max_value=0.99),
    offset=st.integers(min_value=-300, max_value=300),
)
def test_walk_finds_the_answer_from_any_start(load: float, level: float, offset: int) -> None:
    """Started far above or below the answer, the walk still finds the linear scan's N."""
    work = Workload(calls=load, aht=timedelta(seconds=1800))  # 1800 s per 30 min: calls = load
    target = StaffingTarget(service_level=level)
    expected = brute_force_erlang_c_staff(work, target)

    def good(agents: int, waiting: float) -> bool:
        return 1 - waiting * math.exp(-(agents - work.load) * 20 / 1800) >= level

    lowest = math.floor(work.load) + 1
    agents, waiting = _walk_up(work.load, max(lowest, expected + offset), lowest, good)
    assert agents == expected
    assert good(agents, waiting)


@given(work=workloads, target=erlang_c_targets())
def test_scheduled_is_required_over_availability(work: Workload, target: StaffingTarget) -> None:
    """Scheduled = ceil(required / (1 - shrinkage)), with the shrinkage as written."""
    staffing = required_staff(work, target)
    availability = 1 - Fraction(str(target.shrinkage))
    assert staffing.scheduled == math.ceil(Fraction(staffing.required) / availability)


@given(
    calls=st.floats(min_value=1, max_value=300),
    patience=st.integers(min_value=30, max_value=900),
    level=st.floats(min_value=0.5, max_value=0.95),
    abandonment=st.one_of(st.none(), st.floats(min_value=0.01, max_value=0.2)),
)
def test_erlang_a_search_matches_linear_scan(
    calls: float, patience: int, level: float, abandonment: float | None
) -> None:
    """With patience the fewest agents equal a scan from one agent upward."""
    work = Workload(calls=calls, aht=timedelta(seconds=240))
    target = StaffingTarget(
        service_level=level,
        patience=timedelta(seconds=patience),
        max_abandonment=abandonment,
    )
    agents = 1
    while True:
        result = erlang_a_performance(work, agents, target.patience or timedelta(1))
        good = result.service_level >= level and (
            abandonment is None or result.probability_of_abandoning <= abandonment
        )
        if good:
            break
        agents += 1
    assert required_staff(work, target).required == agents


def test_asa_target() -> None:
    """An ASA target of 10 s for 10 Erlangs at AHT 180 s: 14 agents give 7.84 s, 13 do not."""
    staffing = required_staff(
        ISSUE_LOAD, StaffingTarget(service_level=None, max_asa=timedelta(seconds=10))
    )
    assert staffing.required == 14
    assert staffing.performance.average_speed_of_answer <= timedelta(seconds=10)


def test_no_calls_need_no_agents() -> None:
    """An interval with no calls needs nobody."""
    staffing = required_staff(Workload(0, timedelta(seconds=60)), StaffingTarget())
    assert (staffing.required, staffing.scheduled) == (0, 0)


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"service_level": 1.5}, "service_level"),
        ({"service_level": float("nan")}, "service_level"),
        ({"threshold": timedelta(seconds=-1)}, "threshold"),
        ({"max_asa": timedelta(0)}, "max_asa"),
        ({"max_occupancy": 0.0}, "max_occupancy"),
        ({"max_abandonment": 0.05}, "max_abandonment"),  # without a patience
        ({"patience": 300}, "patience"),
        ({"shrinkage": 1.0}, "shrinkage"),
        ({"shrinkage": "30%"}, "shrinkage"),
        ({"service_level": None}, "service_level"),  # no criterion left at all
    ],
)
def test_target_names_the_field_at_fault(changes: dict[str, object], field: str) -> None:
    """Each mistake in a target raises InvalidInputError naming its field."""
    with pytest.raises(InvalidInputError) as caught:
        StaffingTarget(**changes)  # type: ignore[arg-type]
    assert caught.value.field == field


def test_target_document_round_trips_and_reports_paths() -> None:
    """A target survives to_dict/from_dict; a bad document names every bad field."""
    target = StaffingTarget(
        service_level=0.9,
        threshold=timedelta(seconds=15),
        max_asa=timedelta(seconds=30),
        patience=timedelta(minutes=4),
        max_abandonment=0.05,
        shrinkage=0.35,
    )
    assert from_dict(StaffingTarget, to_dict(target)) == target
    with pytest.raises(DocumentError) as caught:
        from_dict(StaffingTarget, {"service_level": "high", "threshold": -5, "shrink": 0.3})
    messages = [str(problem) for problem in caught.value.problems]
    assert any("service_level" in message for message in messages)
    assert any("shrink" in message for message in messages)
