"""Streaming aggregation: feed records one at a time, read totals per group.

Memory grows with the number of groups, never with the number of records, and
aggregators built on separate shards merge into exactly the result of one
aggregator fed every record.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import attrs

from callcore.checks import check_instant
from callcore.errors import InvalidInputError
from callcore.kpi._aggregate import Aggregate, Thresholds, over_limit
from callcore.kpi._distributions import Distributions, check_read_threshold
from callcore.kpi._events import (
    NOTHING,
    AgentStateAdded,
    AggregatorUpdate,
    TotalsMerged,
    records_added,
)
from callcore.kpi._grouping import (
    Dimension,
    GroupKey,
    IntervalGrid,
    check_interval,
    dimensions,
    epoch_micros,
    from_epoch_micros,
)
from callcore.kpi._limits import MAX_TOTAL, described
from callcore.kpi._records import AgentStateRecord, InteractionRecord
from callcore.kpi._service_level import ServiceLevelVariant
from callcore.kpi._tally import (
    Counter,
    RawKey,
    Span,
    Tally,
    cell_size,
    find_span,
    make_counter,
    not_a_record,
)

__all__ = ["Aggregator"]

_UTC = ZoneInfo("UTC")
_EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)


def _locate(grid: IntervalGrid, moment: datetime) -> tuple[datetime, datetime, datetime]:
    """Return the interval of ``moment``: its label and its range in UTC."""
    label, low, high = grid._locate(epoch_micros(moment))  # noqa: SLF001 - a valid record's time
    return label, from_epoch_micros(low), from_epoch_micros(high)


def _group_key(raw: RawKey) -> GroupKey:
    interval, queue, agent, channel = raw
    return GroupKey(interval=interval, queue=queue, agent=agent, channel=channel)  # type: ignore[arg-type]


def _group_by(value: object) -> tuple[Dimension, ...]:
    return dimensions(value, "group_by")


def _too_large(error: OverflowError) -> InvalidInputError:
    return InvalidInputError(
        "the totals of a group would exceed the longest duration a timedelta holds "
        f"(2.7 million years); nothing was counted ({error})",
        field="record",
    )


@attrs.define
class Aggregator:
    """Totals per group of interaction records, built one record at a time.

    Records are attributed to the interval in which they *arrived*, as
    interval reports of ACDs do. Agent state spans are cut at interval
    boundaries and each piece is counted in its own interval.

    Every method that feeds it returns one :class:`AggregatorUpdate` whose
    one event says what was counted (none when nothing was), or, when it
    raises, changes nothing and reports nothing: a refused record, batch,
    span or merge leaves the totals (and their serialised form) exactly as
    they were.

    >>> from datetime import timedelta
    >>> from zoneinfo import ZoneInfo
    >>> from callcore.kpi import Aggregator
    >>> aggregator = Aggregator(group_by=("interval", "queue"),
    ...                         interval=timedelta(minutes=30),
    ...                         timezone=ZoneInfo("Europe/London"))
    >>> aggregator.group_by
    (<Dimension.INTERVAL: 'interval'>, <Dimension.QUEUE: 'queue'>)

    Attributes:
        group_by: The dimensions to group by (one, or a list or tuple of
            them, by member or value); empty for one grand total.
        interval: The interval length when grouping by interval: whole
            minutes that divide a day (15, 30, 60...).
        timezone: The time zone whose wall clock cuts the intervals (take a
            business calendar's ``timezone``).
        thresholds: The service-level and short-abandon thresholds.
        keep_distributions: Whether to keep, per group, the distributions of
            waits and handle times (:meth:`distributions`), for percentiles
            and the service level at any threshold (:meth:`service_levels`).
            They cost memory (up to a few tens of KiB per group) and time
            (counting takes about 2.5 times as long); they are saved and
            loaded with the totals by :mod:`callcore.serialization`.
    """

    group_by: tuple[Dimension, ...] = attrs.field(default=(), converter=_group_by)
    interval: timedelta = timedelta(minutes=15)
    timezone: ZoneInfo = _UTC
    thresholds: Thresholds = attrs.Factory(Thresholds)
    keep_distributions: bool = False
    # Records are counted into ``_tallies`` (the fast shape); totals merged in,
    # restored or from agent state go to ``_groups``. Reading adds the two.
    _groups: dict[RawKey, Aggregate] = attrs.field(init=False, factory=dict, repr=False)
    _tallies: dict[RawKey, Tally] = attrs.field(init=False, factory=dict, repr=False)
    _grid: IntervalGrid = attrs.field(init=False, repr=False)
    # The intervals found so far by UTC cell: a cache, so that records in any
    # order find each interval once (about one entry per 15 minutes of time).
    _cells: dict[int, Span] = attrs.field(init=False, factory=dict, repr=False, eq=False)
    _distributions: dict[RawKey, Distributions] = attrs.field(
        init=False, factory=dict, repr=False, eq=False
    )
    _count: Counter = attrs.field(init=False, repr=False, eq=False)

    def __attrs_post_init__(self) -> None:
        """Check the configuration."""
        if not isinstance(self.thresholds, Thresholds):
            raise InvalidInputError(
                f"thresholds must be Thresholds, got {type(self.thresholds).__name__}",
                field="thresholds",
            )
        check_interval(self.interval, "interval")
        if type(self.keep_distributions) is not bool:
            raise InvalidInputError(
                "keep_distributions must be true or false, got "
                f"{described(self.keep_distributions)}",
                field="keep_distributions",
            )
        if not isinstance(self.timezone, ZoneInfo):
            raise InvalidInputError(
                f"timezone must be a zoneinfo.ZoneInfo, got {described(self.timezone)}",
                field="timezone",
            )
        self._grid = IntervalGrid(self.interval, self.timezone)
        self._count = self._counter(self._tallies)

    def _counter(self, tallies: dict[RawKey, Tally]) -> Counter:
        return make_counter(
            tallies,
            by=(
                Dimension.INTERVAL in self.group_by,
                Dimension.QUEUE in self.group_by,
                Dimension.AGENT in self.group_by,
                Dimension.CHANNEL in self.group_by,
            ),
            locate=functools.partial(_locate, self._grid),
            cells=self._cells,
            cell=cell_size(self.interval),
            service_level=self.thresholds.service_level,
            short_abandon=self.thresholds.short_abandon,
        )

    # --- feeding ------------------------------------------------------------

    def add(self, record: InteractionRecord) -> AggregatorUpdate:
        """Count one interaction record.

        Returns:
            The update: one :class:`RecordsAdded` of one record, at the
            record's end of after-call work (or its end, without one).

        Raises:
            InvalidInputError: ``record`` is not an ``InteractionRecord``, or
                its group's sums of durations would overflow; nothing changed.
        """
        try:
            latest = self._count((record,))  # checks that it is a record first
        except OverflowError as exc:  # the counter changes nothing before it can fail
            raise _too_large(exc) from None
        if self.keep_distributions:
            self._distribute((record,))
        return records_added(latest, 1)

    def add_many(self, records: Iterable[InteractionRecord]) -> AggregatorUpdate:
        """Count every record of an iterable (a generator is fine: nothing is kept).

        An aggregator that keeps distributions holds the batch in a list
        while it counts it (two passes), and keeps nothing after.

        The records are counted apart first and added to the totals at the
        end, so a batch is counted whole or not at all.

        Returns:
            The update: one :class:`RecordsAdded` for the whole batch, at the
            latest instant among its records; no event for an empty batch.

        Raises:
            InvalidInputError: ``records`` is not an iterable (or is a string or
                mapping), an item is not an ``InteractionRecord``, or a group's
                sums of durations would overflow; nothing was counted.
        """
        if isinstance(records, str | bytes | dict) or not isinstance(records, Iterable):
            raise InvalidInputError(
                f"records must be an iterable of InteractionRecord, got {type(records).__name__}",
                field="records",
            )
        if self.keep_distributions:  # two passes over the records: keep them for the second
            records = list(records)
        batch: dict[RawKey, Tally] = {}
        try:
            latest = self._counter(batch)(records)  # checks each item is a record
            combined = {
                key: tally if key not in self._tallies else self._tallies[key].plus(tally)
                for key, tally in batch.items()
            }
        except OverflowError as exc:
            raise _too_large(exc) from None
        if not combined:
            return NOTHING
        self._tallies.update(combined)
        # The counter caches tallies by group: start it afresh over the new ones.
        self._count = self._counter(self._tallies)
        if self.keep_distributions:
            self._distribute(records)
        added = sum(tally.records() for tally in batch.values())
        return records_added(latest, added)

    def _distribute(self, records: Iterable[InteractionRecord]) -> None:
        """Count records (valid, already counted in the totals) into their groups' distributions."""
        by_interval, by_queue, by_agent, by_channel = (
            dimension in self.group_by for dimension in Dimension
        )
        locate = functools.partial(_locate, self._grid)
        cell = cell_size(self.interval)
        for record in records:
            interval = None
            if by_interval:
                arrived = record.arrived_at
                number = (arrived - _EPOCH) // cell
                interval = find_span(self._cells, cell, locate, arrived, number)[0]
            key = (
                interval,
                record.queue if by_queue else None,
                record.agent if by_agent else None,
                record.channel if by_channel else None,
            )
            found = self._distributions.get(key)
            if found is None:
                found = self._distributions[key] = Distributions()
            found.add(record)

    def add_agent_state(self, span: AgentStateRecord) -> AggregatorUpdate:
        """Count an agent state span (for occupancy and utilisation).

        Spans have no queue or channel: grouped by those, they land in the
        group whose queue or channel is ``None``. A span lasts at most
        :data:`~callcore.kpi.MAX_AGENT_STATE_SPAN`, so it makes at most
        44,640 pieces (one-minute intervals).

        Returns:
            The update: one :class:`AgentStateAdded`, at the span's end.

        Raises:
            InvalidInputError: ``span`` is not an ``AgentStateRecord``; nothing changed.
        """
        if not isinstance(span, AgentStateRecord):
            raise not_a_record(span, AgentStateRecord)
        agent = span.agent if Dimension.AGENT in self.group_by else None
        for interval, length in self._pieces(span):
            key = (interval, None, agent, None)
            totals = self._groups.get(key)
            if totals is None:
                totals = self._groups[key] = Aggregate()
            totals.add_agent_time(span.state, length)
        return AggregatorUpdate((AgentStateAdded(at=span.ended_at, span=span),))

    def _pieces(self, span: AgentStateRecord) -> list[tuple[datetime | None, int]]:
        start, end = epoch_micros(span.started_at), epoch_micros(span.ended_at)
        if Dimension.INTERVAL not in self.group_by:
            return [(None, end - start)]
        pieces: list[tuple[datetime | None, int]] = []
        while True:
            interval, _, high = self._grid._locate(start)  # noqa: SLF001 - a valid span
            pieces.append((interval, min(end, high) - start))
            if end <= high:
                return pieces
            start = high

    def merge(self, other: Aggregator, *, now: datetime) -> AggregatorUpdate:
        """Add another aggregator's totals to this one's, exactly.

        Args:
            other: The aggregator whose totals to add (it is not changed).
            now: The current time (timezone-aware): the time of the event,
                since totals carry no time of their own.

        Returns:
            The update: one :class:`TotalsMerged` at ``now``; no event when
            ``other`` has no groups.

        Raises:
            InvalidInputError: ``other`` is not an aggregator, groups
                differently, uses other thresholds, interval or time zone, or
                a total would exceed ``10**30``, or ``now`` is not an aware
                datetime within the limits of :mod:`callcore.checks`
                (:class:`~callcore.errors.NaiveDatetimeError` for a naive
                one); nothing was changed.
        """
        check_instant(now, "now")
        if not isinstance(other, Aggregator):
            raise InvalidInputError(
                f"other must be an Aggregator, got {type(other).__name__}", field="other"
            )
        mine_settings = (self.group_by, self.interval, self.timezone, self.thresholds)
        if (other.group_by, other.interval, other.timezone, other.thresholds) != mine_settings or (
            other.keep_distributions != self.keep_distributions
        ):
            raise InvalidInputError(
                "cannot merge aggregators with different group_by, interval, timezone, "
                f"thresholds or keep_distributions: {self.describe()} and {other.describe()}",
                field="other",
            )
        incoming = other._totals()
        mine = self._totals()
        for key, totals in incoming.items():
            combined = mine.get(key)
            if combined is None:
                continue
            combined.merge(totals)
            name = over_limit(combined)
            if name is not None:
                raise InvalidInputError(
                    f"merging would make the total {name} of a group exceed {MAX_TOTAL:.0e}; "
                    "nothing was changed",
                    field="other",
                )
        for key, totals in incoming.items():
            kept = self._groups.get(key)
            if kept is None:
                self._groups[key] = totals
            else:
                kept.merge(totals)
        self._merge_distributions(other)
        if not incoming:
            return NOTHING
        return AggregatorUpdate((TotalsMerged(at=now, groups=len(incoming)),))

    def _merge_distributions(self, other: Aggregator) -> None:
        for key, distributions in list(other._distributions.items()):  # a copy: other may be self
            mine = self._distributions.get(key)
            if mine is None:
                self._distributions[key] = distributions.copy()
            else:
                mine.merge(distributions.copy())

    def describe(self) -> str:
        """Say how this aggregator groups, for messages."""
        dims = ", ".join(dimension.value for dimension in self.group_by) or "nothing"
        return (
            f"(by {dims}; interval {self.interval}, zone {self.timezone.key}, "
            f"service level {self.thresholds.service_level}, "
            f"short abandon {self.thresholds.short_abandon}"
            f"{', with distributions' if self.keep_distributions else ''})"
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

    def distributions(self) -> dict[GroupKey, Distributions]:
        """Return a copy of each group's distributions, ordered by key.

        Groups that only agent state or merged-in totals reached have none.

        Raises:
            InvalidInputError: The aggregator does not keep distributions.
        """
        self._check_keeps_distributions()
        found = {_group_key(raw): kept.copy() for raw, kept in self._distributions.items()}
        return dict(sorted(found.items(), key=lambda item: item[0].sort_key()))

    def total_distributions(self) -> Distributions:
        """Return the distributions of every group together.

        Raises:
            InvalidInputError: The aggregator does not keep distributions.
        """
        self._check_keeps_distributions()
        overall = Distributions()
        for kept in self._distributions.values():
            overall.merge(kept)
        return overall

    def service_levels(
        self, threshold: timedelta
    ) -> dict[GroupKey, dict[ServiceLevelVariant, float | None]]:
        """Return each group's service level at ``threshold``, in the five variants.

        The threshold is chosen now, not when counting: any whole number of
        seconds up to :data:`~callcore.kpi.MAX_READ_THRESHOLD`. Short
        abandons count with the aggregator's ``thresholds.short_abandon``.
        At ``thresholds.service_level`` the values are those of the
        ``service_level.*`` metrics.

        Raises:
            InvalidInputError: The aggregator does not keep distributions, or
                ``threshold`` is not whole seconds from 0 to one hour.
        """
        self._check_keeps_distributions()
        check_read_threshold(threshold)
        totals = self._totals()
        found = {
            _group_key(raw): kept.service_levels(
                threshold, short_abandoned=totals[raw].short_abandoned
            )
            for raw, kept in self._distributions.items()
        }
        return dict(sorted(found.items(), key=lambda item: item[0].sort_key()))

    def _check_keeps_distributions(self) -> None:
        if not self.keep_distributions:
            raise InvalidInputError(
                "this aggregator keeps no distributions: build it with keep_distributions=True",
                field="keep_distributions",
            )

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

    def _restore(
        self, key: GroupKey, totals: Aggregate, distributions: Distributions | None = None
    ) -> None:
        interval = (
            None if key.interval is None else self._grid._label(epoch_micros(key.interval))  # noqa: SLF001
        )
        raw = (interval, key.queue, key.agent, key.channel)
        self._groups[raw] = totals
        if distributions is not None:
            self._distributions[raw] = distributions
