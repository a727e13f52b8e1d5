"""Group keys and the interval grid: which group a record belongs to.

Intervals are cut on the wall clock of a time zone (09:00-09:15 local time),
so a report lines up with the business day. Interval starts carry the fixed UTC
offset in force: on the night clocks go back, the repeated hour yields two sets
of intervals with the same wall-clock labels and different offsets
(``01:00+01:00`` and ``01:00+00:00``), kept as separate groups.
"""

from __future__ import annotations

import enum
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import attrs

from callcore.channels import Channel
from callcore.errors import InvalidInputError

__all__ = ["Dimension", "GroupKey", "IntervalGrid"]

_US = timedelta(microseconds=1)
_EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)
_DAY_US = 86_400_000_000


def epoch_micros(moment: datetime) -> int:
    """Return an aware ``moment`` as microseconds since the Unix epoch."""
    return (moment - _EPOCH) // _US


def from_epoch_micros(micros: int) -> datetime:
    """Return the UTC instant ``micros`` microseconds after the Unix epoch."""
    return _EPOCH + timedelta(microseconds=micros)


class Dimension(enum.Enum):
    """What records can be grouped by."""

    INTERVAL = "interval"
    QUEUE = "queue"
    AGENT = "agent"
    CHANNEL = "channel"


@attrs.frozen(kw_only=True, order=False)
class GroupKey:
    """Which group a set of totals belongs to; ``None`` where not grouped.

    Attributes:
        interval: The start of the interval: the grid zone's wall clock, with
            the fixed UTC offset in force then.
        queue: The queue.
        agent: The agent.
        channel: The channel.
    """

    interval: datetime | None = None
    queue: str | None = None
    agent: str | None = None
    channel: Channel | None = None

    def sort_key(self) -> tuple[object, ...]:
        """A key that orders groups by interval, then queue, agent and channel."""
        return (
            self.interval is not None,
            self.interval or _EPOCH,
            self.queue or "",
            self.agent or "",
            self.channel.value if self.channel else "",
        )


def _offset_us(zone: ZoneInfo, epoch_us: int) -> int:
    offset = from_epoch_micros(epoch_us).astimezone(zone).utcoffset()
    return 0 if offset is None else offset // _US


def _check_size(size: timedelta) -> int:
    size_us = size // _US
    if size_us <= 0 or size_us % 60_000_000 or _DAY_US % size_us:
        raise InvalidInputError(
            f"interval must be a whole number of minutes that divides a day "
            f"(15, 30 or 60 minutes...), got {size!r}"
        )
    return size_us


@attrs.frozen
class IntervalGrid:
    """Cuts time into intervals of ``size`` on the wall clock of ``zone``.

    Attributes:
        size: The interval length: whole minutes that divide a day.
        zone: The time zone whose wall clock the intervals follow.
    """

    size: timedelta
    zone: ZoneInfo
    _size_us: int = attrs.field(init=False, repr=False, eq=False)

    def __attrs_post_init__(self) -> None:
        """Check the size and the zone."""
        size_us = _check_size(self.size)
        if not isinstance(self.zone, ZoneInfo):
            raise InvalidInputError(f"zone must be a zoneinfo.ZoneInfo, got {self.zone!r}")
        object.__setattr__(self, "_size_us", size_us)

    def locate(self, epoch_us: int) -> tuple[datetime, int, int]:
        """Find the interval holding an instant.

        Args:
            epoch_us: The instant, in microseconds since the Unix epoch.

        Returns:
            The interval's start (aware, in the zone) and the range of instants
            ``[low, high)`` in epoch microseconds that share it.
        """
        offset = _offset_us(self.zone, epoch_us)
        wall = epoch_us + offset
        floor = wall - wall % self._size_us
        low, high = floor - offset, floor + self._size_us - offset
        # A change of UTC offset inside the interval (rare: a transition that is
        # not on an interval boundary) cuts the range where the offset differs.
        if _offset_us(self.zone, low) != offset:
            low = self._first_with_offset(low, epoch_us, offset)
        if _offset_us(self.zone, high - 1) != offset:
            high = self._last_with_offset(epoch_us, high - 1, offset) + 1
        return self.label(low), low, high

    def label(self, epoch_us: int) -> datetime:
        """Return an instant on the zone's wall clock, with its fixed UTC offset.

        A fixed offset, not the zone, so that the two 01:00 of the night clocks
        go back stay different keys: Python compares datetimes of one zone by
        wall clock and would call them equal.
        """
        local = from_epoch_micros(epoch_us).astimezone(self.zone)
        offset = local.utcoffset() or timedelta(0)
        return local.replace(tzinfo=timezone(offset), fold=0)

    def _first_with_offset(self, low: int, high: int, offset: int) -> int:
        while low < high:  # the first instant in (low, high] with this offset
            middle = (low + high) // 2
            if _offset_us(self.zone, middle) == offset:
                high = middle
            else:
                low = middle + 1
        return low

    def _last_with_offset(self, low: int, high: int, offset: int) -> int:
        while low < high:  # the last instant in [low, high) with this offset
            middle = (low + high + 1) // 2
            if _offset_us(self.zone, middle) == offset:
                low = middle
            else:
                high = middle - 1
        return low

    def start_of(self, moment: datetime) -> datetime:
        """Return the start of the interval holding an aware ``moment``."""
        return self.locate(epoch_micros(moment))[0]
