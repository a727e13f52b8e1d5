"""Rolling real-time windows for wallboards: the totals of the last N minutes.

Records are placed in time slots by the moment they *ended* (a wallboard shows
what was completed recently); the window keeps one set of totals per slot and
group, and forgets slots that have left the window.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta

import attrs

from callcore.clock import ensure_aware
from callcore.errors import InvalidInputError
from callcore.kpi._aggregate import Aggregate, Thresholds, add_record
from callcore.kpi._grouping import Dimension, GroupKey, epoch_micros
from callcore.kpi._records import InteractionRecord

__all__ = ["RollingWindow"]

_US = timedelta(microseconds=1)


def _dimensions(value: Iterable[Dimension | str]) -> tuple[Dimension, ...]:
    if isinstance(value, str | Dimension):
        value = (value,)
    try:
        dimensions = tuple(Dimension(item) for item in value)
    except (TypeError, ValueError):
        raise InvalidInputError(f"group_by takes queue, agent or channel, got {value!r}") from None
    if Dimension.INTERVAL in dimensions or len(set(dimensions)) != len(dimensions):
        raise InvalidInputError(
            f"a rolling window groups by queue, agent or channel, each once; got {value!r}"
        )
    return dimensions


@attrs.define
class RollingWindow:
    """Totals of the records that ended in the last ``length``, per group.

    The window moves in steps of ``resolution``: at ``now`` it covers the
    slots of ``resolution`` that end after ``now - length``, up to the slot
    holding ``now``. Memory holds one set of totals per slot and group.

    Attributes:
        length: How far back the window reaches (a multiple of ``resolution``).
        resolution: The slot length; a wallboard's refresh step.
        group_by: Queue, agent and/or channel (never interval).
        thresholds: The service-level and short-abandon thresholds.
        late: Records ignored because they ended before the window.
    """

    length: timedelta = timedelta(minutes=15)
    resolution: timedelta = timedelta(minutes=1)
    group_by: tuple[Dimension, ...] = attrs.field(default=(), converter=_dimensions)
    thresholds: Thresholds = attrs.Factory(Thresholds)
    late: int = attrs.field(default=0, init=False)
    _slots: dict[int, dict[GroupKey, Aggregate]] = attrs.field(init=False, factory=dict)
    _now_slot: int | None = attrs.field(init=False, default=None)

    def __attrs_post_init__(self) -> None:
        """Check that the length is a positive multiple of the resolution."""
        step = self.resolution // _US
        if step <= 0 or self.length <= timedelta(0):
            raise InvalidInputError(
                f"length and resolution must be positive timedeltas, got "
                f"{self.length!r} and {self.resolution!r}"
            )
        if (self.length // _US) % step:
            raise InvalidInputError(
                f"length ({self.length}) must be a whole number of resolution steps "
                f"({self.resolution})"
            )

    @property
    def _slot_count(self) -> int:
        return self.length // self.resolution

    def _slot_of(self, moment: datetime) -> int:
        return epoch_micros(moment) // (self.resolution // _US)

    def add(self, record: InteractionRecord) -> None:
        """Count a record in the slot of its end; ignore it (count it late) if too old."""
        if not isinstance(record, InteractionRecord):
            raise InvalidInputError(f"expected an InteractionRecord, got {type(record).__name__}")
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

    def advance(self, now: datetime) -> None:
        """Move the window to ``now`` and forget the slots that left it.

        Raises:
            NaiveDatetimeError: ``now`` is naive.
            InvalidInputError: ``now`` is earlier than a previous ``now``.
        """
        slot = self._slot_of(ensure_aware(now, "now"))
        if self._now_slot is not None and slot < self._now_slot:
            raise InvalidInputError(
                f"a rolling window cannot go back in time (to {now.isoformat()})"
            )
        self._now_slot = slot
        oldest = slot - self._slot_count
        for old in [index for index in self._slots if index <= oldest]:
            del self._slots[old]

    def totals(self, now: datetime) -> dict[GroupKey, Aggregate]:
        """Advance to ``now`` and return each group's totals over the window.

        Records that ended after ``now`` (in a later slot) are not counted yet.
        """
        self.advance(now)
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
