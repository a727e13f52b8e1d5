"""A staffing plan: required agents and predicted performance per interval."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any

import attrs

from callcore.clock import ensure_aware
from callcore.errors import CallcoreError, Problem
from callcore.serialization import to_dict
from callcore.wfm._checks import number_at_least, positive_duration, refuse
from callcore.wfm._erlang import Workload
from callcore.wfm._staffing import StaffingTarget, required_staff

INTERVAL_LENGTHS = (timedelta(minutes=15), timedelta(minutes=30), timedelta(minutes=60))
"""The interval lengths plans and forecasts work with."""


def check_interval_length(problems: list[Problem], path: str, interval: timedelta) -> None:
    """Record a problem unless ``interval`` is 15, 30 or 60 minutes."""
    if interval not in INTERVAL_LENGTHS:
        problems.append(Problem(path, f"must be 15, 30 or 60 minutes, got {interval}"))


@attrs.frozen
class IntervalDemand:
    """Calls offered in one interval that starts at ``start``.

    Used both for history (what came) and for forecasts (what will come).

    Attributes:
        start: When the interval starts (timezone-aware).
        calls: Calls offered in the interval.
        aht: Average handle time of those calls.
    """

    start: datetime
    calls: float
    aht: timedelta

    def __attrs_post_init__(self) -> None:
        """Refuse a naive start, negative calls or a non-positive handle time."""
        problems: list[Problem] = []
        try:
            ensure_aware(self.start, "start")
        except CallcoreError as exc:
            problems.append(Problem("start", str(exc)))
        number_at_least(problems, "calls", self.calls, 0)
        positive_duration(problems, "aht", self.aht)
        refuse(problems, "interval demand")


@attrs.frozen
class PlanRow:
    """One interval of a staffing plan.

    Attributes:
        start: When the interval starts.
        calls: Calls offered.
        aht: Average handle time.
        load: Offered load in Erlangs.
        required: Agents that must be taking calls.
        scheduled: Agents to schedule, after shrinkage.
        service_level: Predicted share answered within the threshold.
        asa: Predicted average speed of answer.
        occupancy: Predicted occupancy.
        abandonment: Predicted share of calls abandoned (0 with Erlang C).
    """

    start: datetime
    calls: float
    aht: timedelta
    load: float
    required: int
    scheduled: int
    service_level: float
    asa: timedelta
    occupancy: float
    abandonment: float


@attrs.frozen
class StaffingPlan:
    """Required agents and predicted performance for a run of intervals.

    Attributes:
        interval: The length of every interval.
        target: The target the plan meets.
        rows: One row per interval, in time order.
    """

    interval: timedelta
    target: StaffingTarget
    rows: tuple[PlanRow, ...]

    def as_rows(self) -> list[dict[str, Any]]:
        """Return the rows as plain JSON-able dicts (times as ISO 8601, durations in s)."""
        rows: list[dict[str, Any]] = to_dict(list(self.rows))
        return rows

    @property
    def agent_hours(self) -> float:
        """Scheduled agent-hours over the whole plan."""
        hours = self.interval.total_seconds() / 3600
        return sum(row.scheduled for row in self.rows) * hours

    def format_table(self) -> str:
        """Render the plan as a fixed-width text table, one line per interval."""
        header = (
            f"{'start':<16} {'calls':>7} {'AHT s':>6} {'Erl':>8} {'req':>5} {'sched':>5} "
            f"{'SL':>6} {'ASA s':>6} {'occ':>6} {'aband':>6}"
        )
        lines = [header, "-" * len(header)]
        lines.extend(
            (
                f"{row.start:%Y-%m-%d %H:%M} {row.calls:>7.1f} "
                f"{row.aht.total_seconds():>6.0f} {row.load:>8.2f} {row.required:>5} "
                f"{row.scheduled:>5} {row.service_level:>6.1%} "
                f"{row.asa.total_seconds():>6.1f} {row.occupancy:>6.1%} {row.abandonment:>6.1%}"
            )
            for row in self.rows
        )
        return "\n".join(lines)


def staffing_plan(
    intervals: Iterable[IntervalDemand],
    target: StaffingTarget,
    interval: timedelta = timedelta(minutes=30),
) -> StaffingPlan:
    """Staff every interval of a day or a week to ``target``.

    >>> from datetime import datetime, timedelta, timezone
    >>> start = datetime(2026, 3, 2, 9, 0, tzinfo=timezone.utc)
    >>> demand = [IntervalDemand(start, 100, timedelta(seconds=180))]
    >>> plan = staffing_plan(demand, StaffingTarget(service_level=0.8))
    >>> plan.rows[0].required, round(plan.rows[0].service_level, 4)
    (14, 0.8884)

    Args:
        intervals: The demand per interval, in any order.
        target: The service target, occupancy cap and shrinkage.
        interval: The length of each interval: 15, 30 or 60 minutes.

    Returns:
        The plan, with rows sorted by start time.

    Raises:
        DocumentError: a wrong interval length, or two intervals with the
            same start; every problem is listed.
    """
    demands = list(intervals)
    problems: list[Problem] = []
    check_interval_length(problems, "interval", interval)
    seen: dict[datetime, int] = {}
    for index, demand in enumerate(demands):
        if demand.start in seen:
            problems.append(
                Problem(f"intervals[{index}].start", f"repeats intervals[{seen[demand.start]}]")
            )
        seen.setdefault(demand.start, index)
    refuse(problems, "staffing plan")
    rows = []
    for demand in sorted(demands, key=lambda item: item.start):
        work = Workload(demand.calls, demand.aht, interval)
        staffing = required_staff(work, target)
        result = staffing.performance
        rows.append(
            PlanRow(
                demand.start,
                demand.calls,
                demand.aht,
                work.load,
                staffing.required,
                staffing.scheduled,
                result.service_level,
                result.average_speed_of_answer,
                result.occupancy,
                result.probability_of_abandoning,
            )
        )
    return StaffingPlan(interval, target, tuple(rows))
