"""A staffing plan: required agents and predicted performance per interval."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta, timezone
from typing import Any

import attrs

from callcore.checks import check_duration, check_instance, check_instant, check_number, validator
from callcore.errors import InvalidInputError
from callcore.serialization import to_dict
from callcore.wfm._checks import check_items
from callcore.wfm._erlang import Workload
from callcore.wfm._staffing import StaffingTarget, required_staff

INTERVAL_LENGTHS = (timedelta(minutes=15), timedelta(minutes=30), timedelta(minutes=60))
"""The interval lengths plans and forecasts work with."""
MAX_CALLS = 1_000_000_000.0
"""The most calls one interval of demand or history may hold."""


def check_interval_length(interval: object, what: str = "interval") -> timedelta:
    """Return ``interval`` if it is 15, 30 or 60 minutes.

    Raises:
        InvalidInputError: ``interval`` is anything else.
    """
    if not isinstance(interval, timedelta) or interval not in INTERVAL_LENGTHS:
        shown = interval if isinstance(interval, timedelta) else type(interval).__name__
        raise InvalidInputError(f"{what} must be 15, 30 or 60 minutes, got {shown}", field=what)
    return interval


def check_calls(value: object, what: str) -> float:
    """Return ``value`` as a float if it is a finite number of calls from 0 to MAX_CALLS.

    Raises:
        InvalidInputError: ``value`` is anything else.
    """
    return check_number(value, what, low=0, high=MAX_CALLS)


@attrs.frozen
class IntervalDemand:
    """Calls offered in one interval that starts at ``start``.

    Used both for history (what came) and for forecasts (what will come).

    Attributes:
        start: When the interval starts (timezone-aware, 1900 to 2999).
        calls: Calls offered in the interval, from 0 to :data:`MAX_CALLS`.
        aht: Average handle time of those calls, longer than zero.
        length: The interval's length (15, 30 or 60 minutes), or ``None`` for
            the plan's ``interval``: a plan may mix lengths, and each interval
            is staffed for the load of its own length.
    """

    start: datetime = attrs.field(validator=validator(check_instant))
    calls: float = attrs.field(validator=validator(check_calls))
    aht: timedelta = attrs.field(validator=validator(check_duration, positive=True))
    length: timedelta | None = attrs.field(
        default=None,
        validator=attrs.validators.optional(validator(check_interval_length)),
    )


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
        length: The interval's length; ``None`` in rows saved before lengths
            were kept, read as the plan's ``interval``.
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
    length: timedelta | None = None


@attrs.frozen
class PeriodStaffing:
    """Average agents over one staffing period, from intervals that may be shorter.

    Attributes:
        start: When the period starts.
        length: The period's length.
        required: Required agents averaged over the period, not rounded
            (``sum(required x overlap) / length``): the agent-hours per hour.
        scheduled: Scheduled agents averaged the same way.
    """

    start: datetime
    length: timedelta
    required: float
    scheduled: float


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

    def length_of(self, row: PlanRow) -> timedelta:
        """The length of ``row``'s interval (the plan's ``interval`` unless it has its own)."""
        return self.interval if row.length is None else row.length

    @property
    def agent_hours(self) -> float:
        """Scheduled agent-hours over the whole plan, each row for its own length."""
        if all(row.length in {None, self.interval} for row in self.rows):
            hours = self.interval.total_seconds() / 3600
            return sum(row.scheduled for row in self.rows) * hours
        return sum(row.scheduled * self.length_of(row).total_seconds() for row in self.rows) / 3600

    def fractional_staff(
        self, period: timedelta = timedelta(hours=1)
    ) -> tuple[PeriodStaffing, ...]:
        """Average the agents of each staffing ``period``, without rounding (pyworkforce #41).

        Each row counts for the share of the period its interval covers: four
        15-minute intervals needing 10, 12, 14 and 13 agents make an hour of
        12.25 agents (12.25 agent-hours), where rounding each hour up to the
        busiest interval would say 14. Periods run back to back from the first
        row's start instant; a period no interval touches is left out.

        Args:
            period: The staffing period: 15, 30 or 60 minutes.

        Raises:
            InvalidInputError: ``period`` is not 15, 30 or 60 minutes.
        """
        check_interval_length(period, "period")
        if not self.rows:
            return ()
        origin = self.rows[0].start.astimezone(timezone.utc)
        sums: dict[int, list[float]] = {}
        for row in self.rows:
            begin = row.start.astimezone(timezone.utc) - origin
            end = begin + self.length_of(row)
            index = begin // period
            while index * period < end:
                overlap = min(end, (index + 1) * period) - max(begin, index * period)
                share = overlap / period
                totals = sums.setdefault(index, [0.0, 0.0])
                totals[0] += row.required * share
                totals[1] += row.scheduled * share
                index += 1
        zone = self.rows[0].start.tzinfo
        return tuple(
            PeriodStaffing((origin + index * period).astimezone(zone), period, *sums[index])
            for index in sorted(sums)
        )

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
        The plan, with rows sorted by start instant (a repeated local hour
        of an autumn night, told apart by ``fold``, comes in its real order).

    Raises:
        InvalidInputError: an argument of the wrong type, a wrong interval
            length, two intervals starting at the same instant, an interval
            starting inside the one before it, or an interval whose load is
            beyond :data:`~callcore.wfm.MAX_LOAD`.
    """
    demands = check_items(intervals, IntervalDemand, "intervals")
    check_instance(target, StaffingTarget, "target")
    check_interval_length(interval)
    # Keyed by instant: two local 01:00s of an autumn night (fold 0 and 1) compare
    # equal as datetimes of one zone, but they are two intervals.
    instants = [demand.start.astimezone(timezone.utc) for demand in demands]
    seen: dict[datetime, int] = {}
    for index, instant in enumerate(instants):
        if instant in seen:
            where = f"intervals[{index}].start"
            raise InvalidInputError(f"{where} repeats intervals[{seen[instant]}]", field=where)
        seen[instant] = index
    rows = []
    previous: tuple[int, datetime] | None = None  # index and end of the last interval
    for index in sorted(range(len(demands)), key=instants.__getitem__):
        demand = demands[index]
        length = interval if demand.length is None else demand.length
        if previous is not None and instants[index] < previous[1]:
            where = f"intervals[{index}].start"
            raise InvalidInputError(f"{where} falls inside intervals[{previous[0]}]", field=where)
        previous = (index, instants[index] + length)
        try:
            work = Workload(demand.calls, demand.aht, length)
        except InvalidInputError as exc:
            where = f"intervals[{index}].{exc.field}"
            raise InvalidInputError(f"intervals[{index}]: {exc}", field=where) from None
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
                None if demand.length is None else length,
            )
        )
    return StaffingPlan(interval, target, tuple(rows))
