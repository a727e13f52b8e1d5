"""Per-interval staffing plans."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from callcore.errors import DocumentError, InvalidInputError, NaiveDatetimeError
from callcore.serialization import from_dict, to_dict
from callcore.wfm import (
    IntervalDemand,
    StaffingPlan,
    StaffingTarget,
    Workload,
    required_staff,
    staffing_plan,
)

MONDAY = datetime(2026, 3, 2, 8, 0, tzinfo=timezone.utc)
AHT = timedelta(seconds=180)


def _demand(volumes: list[float]) -> list[IntervalDemand]:
    return [
        IntervalDemand(MONDAY + timedelta(minutes=30 * i), calls, AHT)
        for i, calls in enumerate(volumes)
    ]


def test_rows_follow_time_and_staff_each_interval() -> None:
    """Rows come out in time order, each staffed as a single interval would be."""
    demand = _demand([100, 0, 250, 40])
    target = StaffingTarget(service_level=0.8, shrinkage=0.3)
    plan = staffing_plan(reversed(demand), target)
    assert [row.start for row in plan.rows] == [item.start for item in demand]
    for row, item in zip(plan.rows, demand, strict=True):
        alone = required_staff(Workload(item.calls, item.aht), target)
        assert (row.required, row.scheduled) == (alone.required, alone.scheduled)
    assert plan.rows[0].required == 14
    assert plan.rows[0].scheduled == 20
    assert plan.rows[1].required == 0


def test_agent_hours_add_up() -> None:
    """Agent-hours are scheduled agents times the interval in hours."""
    plan = staffing_plan(_demand([100, 100]), StaffingTarget(), timedelta(minutes=30))
    assert plan.agent_hours == pytest.approx(14.0)


def test_bad_plan_names_the_field() -> None:
    """A 20-minute interval, a repeated start or too heavy an interval is refused by name."""
    demand = _demand([10, 20])
    with pytest.raises(InvalidInputError) as caught:
        staffing_plan(demand, StaffingTarget(), timedelta(minutes=20))
    assert caught.value.field == "interval"
    with pytest.raises(InvalidInputError) as caught:
        staffing_plan([*demand, demand[0]], StaffingTarget())
    assert caught.value.field == "intervals[2].start"
    with pytest.raises(InvalidInputError) as caught:
        staffing_plan([*demand, "09:00"], StaffingTarget())  # type: ignore[list-item]
    assert caught.value.field == "intervals[2]"
    with pytest.raises(InvalidInputError) as caught:
        staffing_plan("demand", StaffingTarget())  # type: ignore[arg-type]
    assert caught.value.field == "intervals"
    heavy = IntervalDemand(MONDAY + timedelta(hours=3), 1e8, timedelta(hours=1))  # 2e8 Erlangs
    with pytest.raises(InvalidInputError, match="the limit is 1,000,000") as caught:
        staffing_plan([*demand, heavy], StaffingTarget())
    assert caught.value.field == "intervals[2].calls"


def test_interval_demand_checks_its_fields() -> None:
    """A naive start, a start in year 3000, NaN, inf, too many calls or a zero AHT are refused."""
    with pytest.raises(NaiveDatetimeError, match="timezone-aware"):
        IntervalDemand(datetime(2026, 3, 2, 8, 0), 10, AHT)  # noqa: DTZ001
    bad: list[tuple[dict[str, object], str]] = [
        ({"start": datetime(3000, 1, 1, tzinfo=timezone.utc)}, "start"),
        ({"calls": float("nan")}, "calls"),
        ({"calls": float("inf")}, "calls"),
        ({"calls": 2e9}, "calls"),
        ({"calls": -1}, "calls"),
        ({"aht": timedelta(0)}, "aht"),
        ({"aht": 180}, "aht"),
    ]
    for changes, field in bad:
        values: dict[str, object] = {"start": MONDAY, "calls": 10, "aht": AHT, **changes}
        with pytest.raises(InvalidInputError) as caught:
            IntervalDemand(**values)  # type: ignore[arg-type]
        assert caught.value.field == field


def test_plan_round_trips_and_prints() -> None:
    """A plan survives serialisation; its table and plain rows carry every interval."""
    plan = staffing_plan(_demand([100, 60, 30]), StaffingTarget(patience=timedelta(minutes=5)))
    assert from_dict(StaffingPlan, to_dict(plan)) == plan
    table = plan.format_table().splitlines()
    assert len(table) == 2 + 3
    assert "2026-03-02 08:00" in table[2]
    rows = plan.as_rows()
    assert rows[0]["start"] == "2026-03-02T08:00:00+00:00"
    assert rows[0]["required"] == plan.rows[0].required


def test_interval_demand_document_paths() -> None:
    """Loading demand reports bad fields with their paths."""
    with pytest.raises(DocumentError) as caught:
        from_dict(list[IntervalDemand], [{"start": "2026-03-02T08:00:00", "calls": -3, "aht": 0}])
    assert all(problem.path.startswith("[0]") for problem in caught.value.problems)
