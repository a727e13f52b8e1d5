"""Rolling real-time windows for wallboards: the totals of the last N minutes.

Records are placed in time slots by the moment they *ended* (a wallboard shows
what was completed recently); the window keeps one set of totals per slot and
group, and forgets slots that have left the window.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import attrs

from callcore.checks import check_duration, check_instant
from callcore.errors import InvalidInputError
from callcore.kpi._aggregate import Aggregate, Thresholds, add_record
from callcore.kpi._grouping import Dimension, GroupKey, dimensions, epoch_micros
from callcore.kpi._limits import MAX_WINDOW_SLOTS
from callcore.kpi._records import InteractionRecord

__all__ = ["RollingWindow"]

_US = timedelta(microseconds=1)
_GROUPINGS = (Dimension.QUEUE, Dimension.AGENT, Dimension.CHANNEL)


def _group_by(value: object) -> tuple[Dimension, ...]:
    return dimensions(value, "group_by", _GROUPINGS)


@attrs.define
class RollingWindow:
    """Totals of the records that ended in the last ``length``, per group.

    The window moves in steps of ``resolution``: at ``now`` it covers the
    slots of ``resolution`` that end after ``now - length``, up to the slot
    holding ``now``. Memory holds one set of totals per slot and group.

    A window has at most 100,000 slots (``length / resolution``): a day in
    slots of a second fits.

    Attributes:
        length: How far back the window reaches (a multiple of ``resolution``).
        resolution: The slot length; a wallboard's refresh step.
        group_by: Queue, agent and/or channel (never interval).
        thresholds: The service-level and short-abandon thresholds.
        late: Records ignored because they ended before the window.
    """

    length: timedelta = timedelta(minutes=15)
    resolution: timedelta = timedelta(minutes=1)
    group_by: tuple[Dimension, ...] = attrs.field(default=(), converter=_group_by)
    thresholds: Thresholds = attrs.Factory(Thresholds)
    late: int = attrs.field(default=0, init=False)
    _slots: dict[int, dict[GroupKey, Aggregate]] = attrs.field(init=False, factory=dict)
    _now_slot: int | None = attrs.field(init=False, default=None)

    def __attrs_post_init__(self) -> None:
        """Check that the length is a positive multiple of the resolution, in few slots."""
        check_duration(self.resolution, "resolution", positive=True)
        check_duration(self.length, "length", positive=True)
        if (self.length // _US) % (self.resolution // _US):
            raise InvalidInputError(
                f"length ({self.length}) must be a whole number of resolution steps "
                f"({self.resolution})",
                field="length",
            )
        if self.length // self.resolution > MAX_WINDOW_SLOTS:
            raise InvalidInputError(
                f"length / resolution must be at most {MAX_WINDOW_SLOTS:,} slots, got "
                f"{self.length // self.resolution:,}; take a coarser resolution",
                field="resolution",
            )
        if not isinstance(self.thresholds, Thresholds):
            raise InvalidInputError(
                f"thresholds must be Thresholds, got {type(self.thresholds).__name__}",
                field="thresholds",
            )

    @property
    def _slot_count(self) -> int:
        return self.length // self.resolution

    def _slot_of(self, moment: datetime) -> int:
        return epoch_micros(moment) // (self.resolution // _US)

    def add(self, record: InteractionRecord) -> None:
        """Count a record in the slot of its end; ignore it (count it late) if too old."""
        if not isinstance(record, InteractionRecord):
            raise InvalidInputError(
                f"expected an InteractionRecord, got {type(record).__name__}", field="record"
            )
        slot = self._slot_of(record.ended_at)
        if self._now_slot is not None and slot <= self._now_slot - self._slot_count:
            self.late += 1
            return
        key = GroupKey(
            queue=record.queue if Dimension.QUEUE in self.group_by else None,
            agent=record.agent if Dimension.AGENT in self.group_by else None,
            channel=record.channel if Dimension.CHANNEL in self.group_by else None,
        )
        groups = self._slots.setdefault(slot, {})
        totals = groups.get(key)
        if totals is None:
            totals = groups[key] = Aggregate()
        add_record(totals, record, self.thresholds.service_level, self.thresholds.short_abandon)

    def advance(self, *, now: datetime) -> None:
        """Move the window to ``now`` and forget the slots that left it.

        Raises:
            NaiveDatetimeError: ``now`` is naive.
            InvalidInputError: ``now`` is not a datetime within the limits of
                :mod:`callcore.checks`, or in a slot before that of a previous
                ``now``; nothing changed.
        """
        slot = self._slot_of(check_instant(now, "now"))
        if self._now_slot is not None and slot < self._now_slot:
            raise InvalidInputError(
                f"now ({now.isoformat()}) is earlier than a time already seen; "
                "a rolling window cannot go back in time",
                field="now",
            )
        self._now_slot = slot
        oldest = slot - self._slot_count
        for old in [index for index in self._slots if index <= oldest]:
            del self._slots[old]

    def totals(self, *, now: datetime) -> dict[GroupKey, Aggregate]:
        """Advance to ``now`` and return each group's totals over the window.

        Records that ended after ``now`` (in a later slot) are not counted yet.
        """
        self.advance(now=now)
        assert self._now_slot is not None  # noqa: S101 - advance() has just set it
        result: dict[GroupKey, Aggregate] = {}
        for index in sorted(self._slots):
            if index > self._now_slot:
                continue
            for key, totals in self._slots[index].items():
                mine = result.get(key)
                if mine is None:
                    result[key] = totals.copy()
                else:
                    mine.merge(totals)
        return dict(sorted(result.items(), key=lambda item: item[0].sort_key()))
