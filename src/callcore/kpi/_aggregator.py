"""Streaming aggregation: feed records one at a time, read totals per group.

Memory grows with the number of groups, never with the number of records, and
aggregators built on separate shards merge into exactly the result of one
aggregator fed every record.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import attrs

from callcore.errors import InvalidInputError
from callcore.kpi._aggregate import Aggregate, Thresholds, add_record, epoch_micros
from callcore.kpi._grouping import Dimension, GroupKey, IntervalCache, IntervalGrid
from callcore.kpi._records import AgentStateRecord, InteractionRecord

__all__ = ["Aggregator"]

_UTC = ZoneInfo("UTC")
_US = timedelta(microseconds=1)
_EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)

_RawKey = tuple[datetime | None, str | None, str | None, object]


def _dimensions(value: Iterable[Dimension | str]) -> tuple[Dimension, ...]:
    if isinstance(value, str | Dimension):
        value = (value,)
    try:
        dimensions = tuple(Dimension(item) for item in value)
    except (TypeError, ValueError):
        names = ", ".join(repr(item.value) for item in Dimension)
        raise InvalidInputError(f"group_by takes dimensions among {names}, got {value!r}") from None
    if len(set(dimensions)) != len(dimensions):
        raise InvalidInputError(f"group_by names a dimension twice: {value!r}")
    return dimensions


@attrs.define
class Aggregator:
    """Totals per group of interaction records, built one record at a time.

    Records are attributed to the interval in which they *arrived*, as
    interval reports of ACDs do. Agent state spans are cut at interval
    boundaries and each piece is counted in its own interval.

    >>> from datetime import timedelta
    >>> from zoneinfo import ZoneInfo
    >>> from callcore.kpi import Aggregator
    >>> aggregator = Aggregator(group_by=("interval", "queue"),
    ...                         interval=timedelta(minutes=30),
    ...                         timezone=ZoneInfo("Europe/London"))
    >>> aggregator.group_by
    (<Dimension.INTERVAL: 'interval'>, <Dimension.QUEUE: 'queue'>)

    Attributes:
        group_by: The dimensions to group by; empty for one grand total.
        interval: The interval length when grouping by interval: whole
            minutes that divide a day (15, 30, 60...).
        timezone: The time zone whose wall clock cuts the intervals (take a
            business calendar's ``timezone``).
        thresholds: The service-level and short-abandon thresholds.
    """

    group_by: tuple[Dimension, ...] = attrs.field(default=(), converter=_dimensions)
    interval: timedelta = timedelta(minutes=15)
    timezone: ZoneInfo = _UTC
    thresholds: Thresholds = attrs.Factory(Thresholds)
    _groups: dict[_RawKey, Aggregate] = attrs.field(init=False, factory=dict, repr=False)
    _grid: IntervalGrid = attrs.field(init=False, repr=False)
    _intervals: IntervalCache = attrs.field(init=False, repr=False)
    _by: tuple[bool, bool, bool, bool] = attrs.field(init=False, repr=False)
    _service_level: timedelta = attrs.field(init=False, repr=False)
    _short_abandon: timedelta = attrs.field(init=False, repr=False)

    def __attrs_post_init__(self) -> None:
        """Check the configuration."""
        if not isinstance(self.thresholds, Thresholds):
            raise InvalidInputError(f"thresholds must be Thresholds, got {self.thresholds!r}")
        self._grid = IntervalGrid(self.interval, self.timezone)
        self._intervals = IntervalCache(self._grid)
        self._service_level = self.thresholds.service_level
        self._short_abandon = self.thresholds.short_abandon
        self._by = (
            Dimension.INTERVAL in self.group_by,
            Dimension.QUEUE in self.group_by,
            Dimension.AGENT in self.group_by,
            Dimension.CHANNEL in self.group_by,
        )

    # --- feeding ------------------------------------------------------------

    def add(self, record: InteractionRecord) -> None:
        """Count one interaction record."""
        if not isinstance(record, InteractionRecord):
            raise InvalidInputError(f"expected an InteractionRecord, got {type(record).__name__}")
        by_interval, by_queue, by_agent, by_channel = self._by
        key = (
            self._intervals.start_of(record.arrived_at) if by_interval else None,
            record.queue if by_queue else None,
            record.agent if by_agent else None,
            record.channel if by_channel else None,
        )
        totals = self._groups.get(key)
        if totals is None:
            totals = self._groups[key] = Aggregate()
        add_record(totals, record, self._service_level, self._short_abandon)

    def add_many(self, records: Iterable[InteractionRecord]) -> None:
        """Count every record of an iterable (a generator is fine: nothing is kept)."""
        for record in records:
            self.add(record)

    def add_agent_state(self, span: AgentStateRecord) -> None:
        """Count an agent state span (for occupancy and utilisation).

        Spans have no queue or channel: grouped by those, they land in the
        group whose queue or channel is ``None``.
        """
        if not isinstance(span, AgentStateRecord):
            raise InvalidInputError(f"expected an AgentStateRecord, got {type(span).__name__}")
        agent = span.agent if Dimension.AGENT in self.group_by else None
        for interval, length in self._pieces(span):
            key = (interval, None, agent, None)
            totals = self._groups.get(key)
            if totals is None:
                totals = self._groups[key] = Aggregate()
            totals.add_agent_time(span.state, length)

    def _pieces(self, span: AgentStateRecord) -> Iterator[tuple[datetime | None, int]]:
        start, end = epoch_micros(span.started_at), epoch_micros(span.ended_at)
        if Dimension.INTERVAL not in self.group_by:
            yield None, end - start
            return
        while True:
            interval, _, high = self._grid.locate(start)
            yield interval, min(end, high) - start
            if end <= high:
                return
            start = high

    def merge(self, other: Aggregator) -> None:
        """Add another aggregator's totals to this one's, exactly.

        Raises:
            InvalidInputError: ``other`` groups differently or uses other
                thresholds, interval or time zone; nothing was changed.
        """
        if (other.group_by, other.interval, other.timezone, other.thresholds) != (
            self.group_by,
            self.interval,
            self.timezone,
            self.thresholds,
        ):
            raise InvalidInputError(
                "cannot merge aggregators with different group_by, interval, timezone "
                f"or thresholds: {self.describe()} and {other.describe()}"
            )
        for key, totals in other._groups.items():
            mine = self._groups.get(key)
            if mine is None:
                self._groups[key] = totals.copy()
            else:
                mine.merge(totals)

    def describe(self) -> str:
        """Say how this aggregator groups, for messages."""
        dims = ", ".join(dimension.value for dimension in self.group_by) or "nothing"
        return (
            f"(by {dims}; interval {self.interval}, zone {self.timezone.key}, "
            f"service level {self.thresholds.service_level}, "
            f"short abandon {self.thresholds.short_abandon})"
        )

    # --- reading ------------------------------------------------------------

    def groups(self) -> dict[GroupKey, Aggregate]:
        """Return a copy of the totals of each group, ordered by key."""
        found = {
            GroupKey(interval=interval, queue=queue, agent=agent, channel=channel): totals.copy()  # type: ignore[arg-type]
            for (interval, queue, agent, channel), totals in self._groups.items()
        }
        return dict(sorted(found.items(), key=lambda item: item[0].sort_key()))

    def total(self) -> Aggregate:
        """Return the totals of every group together."""
        overall = Aggregate()
        for totals in self._groups.values():
            overall.merge(totals)
        return overall

    def __len__(self) -> int:
        """Return the number of groups."""
        return len(self._groups)

    def _restore(self, key: GroupKey, totals: Aggregate) -> None:
        interval = None if key.interval is None else self._grid.label(epoch_micros(key.interval))
        self._groups[(interval, key.queue, key.agent, key.channel)] = totals
