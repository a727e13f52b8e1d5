"""The KPI report of a scenario: per interval, per queue and for the day, over replications.

Each replication's centre counts its KPI records by interval and queue
(:class:`~callcore.kpi.Aggregator`); the report merges those totals per
interval (all queues), per queue (the whole day) and for the day, evaluates
the metrics (:data:`REPORT_METRICS`) and, over the replications, gives each
value's mean and 95 % confidence interval (:class:`~callcore.sim.Estimate`).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import attrs

from callcore.kpi import Aggregate, GroupKey, Row, rows
from callcore.sim._center_sim import DayRun, simulate_day
from callcore.sim._scenario import Scenario
from callcore.sim._stats import Estimate
from callcore.storage import Storage

__all__ = ["REPORT_METRICS", "DayReport", "ReportLine", "run_scenario"]

REPORT_METRICS = (
    "contacts",
    "answered",
    "abandoned",
    "service_level",
    "abandonment_rate",
    "asa",
    "aht",
)
"""The KPI metrics of a report, by their :data:`~callcore.kpi.BUILTIN_METRICS` names."""


@attrs.frozen
class ReportLine:
    """One line of a report: an interval, a queue, or the day.

    Attributes:
        interval: The interval's start (ISO 8601, the scenario's zone), or ``None``.
        queue: The queue, or ``None`` (all queues).
        agents: Agents scheduled (on shift, not on a break) at the interval's
            start; ``None`` for a queue's or the day's line.
        values: Each metric's estimate (``None`` where it is undefined in
            every replication, such as an ASA with no answered contact).
    """

    interval: str | None
    queue: str | None
    agents: int | None
    values: dict[str, Estimate | None]

    def row(self) -> Row:
        """The line as plain values: each metric's mean, and ``<metric>_ci`` its half-width."""
        row: Row = {"interval": self.interval, "queue": self.queue, "agents": self.agents}
        for name, estimate in self.values.items():
            row[name] = None if estimate is None else estimate.mean
            row[f"{name}_ci"] = None if estimate is None else estimate.half_width
        return row


@attrs.frozen
class DayReport:
    """A scenario's report over its replications.

    Attributes:
        runs: Each replication.
        intervals: One line per interval, all queues together.
        queues: One line per queue, the whole day.
        day: The whole day, all queues.
    """

    runs: tuple[DayRun, ...]
    intervals: tuple[ReportLine, ...]
    queues: tuple[ReportLine, ...]
    day: ReportLine

    def rows(self) -> list[Row]:
        """Every line as plain values (intervals, then queues, then the day): CSV-ready."""
        return [line.row() for line in (*self.intervals, *self.queues, self.day)]


def _merged(
    groups: dict[GroupKey, Aggregate], key: Callable[[GroupKey], GroupKey]
) -> dict[GroupKey, Aggregate]:
    merged: dict[GroupKey, Aggregate] = {}
    for group, totals in groups.items():
        target = key(group)
        if target in merged:
            merged[target].merge(totals)
        else:
            merged[target] = totals.copy()
    return merged


def _values(run_rows: Sequence[dict[str, Row]], label: str) -> dict[str, Estimate | None]:
    values: dict[str, Estimate | None] = {}
    for name in REPORT_METRICS:
        seen = [row[label][name] for row in run_rows if label in row]
        numbers = [float(value) for value in seen if isinstance(value, int | float)]
        if name in {"contacts", "answered", "abandoned"}:
            numbers += [0.0] * (len(run_rows) - len(seen))  # a replication without a contact there
        values[name] = Estimate.of(numbers) if numbers else None
    return values


def run_scenario(
    scenario: Scenario,
    *,
    replications: int | None = None,
    store: Storage | str | None = None,
    progress: Callable[[float], None] | None = None,
) -> DayReport:
    """Run ``scenario``'s replications (seeds ``seed``, ``seed + 1``...) and report.

    Args:
        scenario: The scenario.
        replications: How many (default: the scenario's).
        store: The first replication's store (default: in memory); the
            others always run in memory.
        progress: Called with the share of the whole work done (0 to 1).
    """
    count = scenario.replications if replications is None else replications
    if count < 1:
        msg = "replications must be at least 1"
        raise ValueError(msg)
    runs = []
    for index in range(count):
        tick = None if progress is None else (lambda share, i=index: progress((i + share) / count))
        chosen = store if index == 0 and store is not None else "memory:"
        runs.append(simulate_day(scenario, seed=scenario.seed + index, store=chosen, progress=tick))
    by_interval: list[dict[str, Row]] = []
    by_queue: list[dict[str, Row]] = []
    whole: list[dict[str, Row]] = []
    for run in runs:
        groups = run.aggregator.groups()
        intervals = _merged(groups, lambda key: GroupKey(interval=key.interval))
        queues = _merged(groups, lambda key: GroupKey(queue=key.queue))
        day = _merged(groups, lambda _key: GroupKey())
        by_interval.append(
            {str(r["interval"]): r for r in rows(intervals, ["interval"], REPORT_METRICS)}
        )
        by_queue.append({str(r["queue"]): r for r in rows(queues, ["queue"], REPORT_METRICS)})
        day_rows = rows(day, [], REPORT_METRICS)
        whole.append({"day": day_rows[0]} if day_rows else {})
    interval_lines = []
    for index in range(scenario.intervals):
        moment = scenario.start + scenario.interval * index
        label = moment.astimezone(scenario.timezone).isoformat()
        agents = scenario.agents_at(scenario.interval * index)
        interval_lines.append(ReportLine(label, None, agents, _values(by_interval, label)))
    queue_lines = [
        ReportLine(None, queue.name, None, _values(by_queue, queue.name))
        for queue in scenario.queues
    ]
    return DayReport(
        runs=tuple(runs),
        intervals=tuple(interval_lines),
        queues=tuple(queue_lines),
        day=ReportLine(None, None, None, _values(whole, "day")),
    )
