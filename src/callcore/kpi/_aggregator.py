"""Streaming aggregation: feed records one at a time, read totals per group.

Memory grows with the number of groups, never with the number of records, and
aggregators built on separate shards merge into exactly the result of one
aggregator fed every record.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable, Iterator
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import attrs

from callcore.errors import InvalidInputError
from callcore.kpi._aggregate import Aggregate, Thresholds
from callcore.kpi._grouping import (
    Dimension,
    GroupKey,
    IntervalGrid,
    epoch_micros,
    from_epoch_micros,
)
from callcore.kpi._records import AgentStateRecord, InteractionRecord
from callcore.kpi._tally import RawKey, Tally, make_counter

__all__ = ["Aggregator"]

_UTC = ZoneInfo("UTC")


def _locate(grid: IntervalGrid, moment: datetime) -> tuple[datetime, datetime, datetime]:
    """Return the interval of ``moment``: its label and its range in UTC."""
    label, low, high = grid.locate(epoch_micros(moment))
    return label, from_epoch_micros(low), from_epoch_micros(high)


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
    # Records are counted into ``_tallies`` (the fast shape); totals merged in,
    # restored or from agent state go to ``_groups``. Reading adds the two.
    _groups: dict[RawKey, Aggregate] = attrs.field(init=False, factory=dict, repr=False)
    _tallies: dict[RawKey, Tally] = attrs.field(init=False, factory=dict, repr=False)
    _grid: IntervalGrid = attrs.field(init=False, repr=False)
    _count: Callable[[InteractionRecord], None] = attrs.field(init=False, repr=False, eq=False)

    def __attrs_post_init__(self) -> None:
        """Check the configuration."""
        if not isinstance(self.thresholds, Thresholds):
            raise InvalidInputError(f"thresholds must be Thresholds, got {self.thresholds!r}")
        self._grid = IntervalGrid(self.interval, self.timezone)
        self._count = make_counter(
            self._tallies,
            by=(
                Dimension.INTERVAL in self.group_by,
                Dimension.QUEUE in self.group_by,
                Dimension.AGENT in self.group_by,
                Dimension.CHANNEL in self.group_by,
            ),
            locate=functools.partial(_locate, self._grid),
            service_level=self.thresholds.service_level,
            short_abandon=self.thresholds.short_abandon,
        )

    # --- feeding ------------------------------------------------------------

    def add(self, record: InteractionRecord) -> None:
        """Count one interaction record."""
        if not isinstance(record, InteractionRecord):
            raise InvalidInputError(f"expected an InteractionRecord, got {type(record).__name__}")
        self._count(record)

    def add_many(self, records: Iterable[InteractionRecord]) -> None:
        """Count every record of an iterable (a generator is fine: nothing is kept).

        Raises:
            InvalidInputError: An item is not an ``InteractionRecord``; the
                records before it were counted, it and those after it were not.
        """
        count = self._count
        for record in records:
            if not isinstance(record, InteractionRecord):
                raise InvalidInputError(
                    f"expected an InteractionRecord, got {type(record).__name__}"
                )
            count(record)

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
        for key, totals in other._totals().items():
            mine = self._groups.get(key)
            if mine is None:
                self._groups[key] = totals
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
            GroupKey(interval=interval, queue=queue, agent=agent, channel=channel): totals  # type: ignore[arg-type]
            for (interval, queue, agent, channel), totals in self._totals().items()
        }
        return dict(sorted(found.items(), key=lambda item: item[0].sort_key()))

    def total(self) -> Aggregate:
        """Return the totals of every group together."""
        overall = Aggregate()
        for totals in self._totals().values():
            overall.merge(totals)
        return overall

    def __len__(self) -> int:
        """Return the number of groups."""
        return len(self._groups.keys() | self._tallies.keys())

    def _totals(self) -> dict[RawKey, Aggregate]:
        """Return new totals of each group: merged-in totals plus counted records."""
        found = {key: totals.copy() for key, totals in self._groups.items()}
        for key, tally in self._tallies.items():
            counted = tally.to_aggregate()
            mine = found.get(key)
            if mine is None:
                found[key] = counted
            else:
                mine.merge(counted)
        return found

    def _restore(self, key: GroupKey, totals: Aggregate) -> None:
        interval = None if key.interval is None else self._grid.label(epoch_micros(key.interval))
        self._groups[(interval, key.queue, key.agent, key.channel)] = totals
