"""Group keys and the interval grid: which group a record belongs to.

Intervals are local-calendar intervals computed on instants: one starts
wherever the zone's clock shows a multiple of the interval's size (09:00,
09:15...), or jumps forward onto or over one, so a report lines up with the
business day and a day runs from local midnight to local midnight however
long it is (23 or 25 hours on the days clocks change). Interval starts carry
the fixed UTC offset in force: on the night clocks go back, 15-minute and
hourly intervals of the repeated hour come twice, with the same wall-clock
labels and different offsets (``01:00+01:00`` and ``01:00+00:00``), kept as
separate groups; a 2-hour interval holding the repeated hour lasts 3 hours.
"""

from __future__ import annotations

import enum
from collections.abc import Collection
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import attrs

from callcore.checks import (
    EARLIEST,
    LATEST,
    check_count,
    check_duration,
    check_enum,
    check_instant,
    check_list,
    check_text,
    validator,
)
from callcore.contacts import Channel
from callcore.errors import InvalidInputError, NaiveDatetimeError
from callcore.kpi._limits import described

__all__ = ["Dimension", "GroupKey", "IntervalGrid", "check_interval", "dimensions"]

_US = timedelta(microseconds=1)
_EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)
_DAY_US = 86_400_000_000
_EARLIEST_START = EARLIEST - timedelta(days=1)  # an interval may start before its instants


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


def dimensions(
    value: object, what: str, allowed: Collection[Dimension] = tuple(Dimension)
) -> tuple[Dimension, ...]:
    """Read a grouping: one dimension, or a list or tuple of them, by member or value.

    Raises:
        InvalidInputError: ``value`` is not such a grouping (a set, a mapping,
            an unknown or repeated dimension, one not in ``allowed``).
    """
    items = check_list((value,) if isinstance(value, str | Dimension) else value, what)
    names = ", ".join(repr(dimension.value) for dimension in allowed)
    found: list[Dimension] = []
    for item in items:
        dimension = item if isinstance(item, Dimension) else None
        if isinstance(item, str):
            dimension = next((d for d in Dimension if d.value == item), None)
        if dimension not in allowed:
            raise InvalidInputError(
                f"{what} takes dimensions among {names}, got {described(item)}", field=what
            )
        if dimension in found:
            raise InvalidInputError(
                f"{what} names a dimension twice: {described(item)}", field=what
            )
        found.append(dimension)  # type: ignore[arg-type]  # checked against allowed above
    return tuple(found)


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

    interval: datetime | None = attrs.field(default=None)
    queue: str | None = attrs.field(
        default=None, validator=attrs.validators.optional(validator(check_text))
    )
    agent: str | None = attrs.field(
        default=None, validator=attrs.validators.optional(validator(check_text))
    )
    channel: Channel | None = attrs.field(default=None)

    @interval.validator
    def _check_interval(self, _: attrs.Attribute[datetime | None], value: object) -> None:
        if value is None:
            return
        if not isinstance(value, datetime):
            raise InvalidInputError(
                f"interval must be a datetime, got {type(value).__name__} {described(value)}",
                field="interval",
            )
        if value.utcoffset() is None:
            raise NaiveDatetimeError("interval")
        if not _EARLIEST_START <= value < LATEST:
            raise InvalidInputError(
                f"interval must start between {_EARLIEST_START.date()} and {LATEST.year - 1}, "
                f"got {value.isoformat()}",
                field="interval",
            )

    @channel.validator
    def _check_channel(self, _: attrs.Attribute[Channel | None], value: object) -> None:
        if value is not None:
            check_enum(value, Channel, "channel")

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


def check_interval(size: object, what: str = "interval") -> int:
    """Return an interval length in microseconds if it divides a day into whole minutes.

    Raises:
        InvalidInputError: ``size`` is not such a timedelta; ``field`` is ``what``.
    """
    size_us = check_duration(size, what) // _US
    if size_us <= 0 or size_us % 60_000_000 or _DAY_US % size_us:
        raise InvalidInputError(
            f"{what} must be a whole number of minutes that divides a day "
            f"(15, 30 or 60 minutes...), got {size!r}",
            field=what,
        )
    return size_us


_EARLIEST_US = epoch_micros(EARLIEST)
_LATEST_US = epoch_micros(LATEST)


def _check_epoch(epoch_us: object) -> int:
    return check_count(epoch_us, "epoch_us", low=_EARLIEST_US, high=_LATEST_US - 1)


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
        size_us = check_interval(self.size, "size")
        if not isinstance(self.zone, ZoneInfo):
            raise InvalidInputError(
                f"zone must be a zoneinfo.ZoneInfo, got {described(self.zone)}", field="zone"
            )
        object.__setattr__(self, "_size_us", size_us)

    def locate(self, epoch_us: int) -> tuple[datetime, int, int]:
        """Find the interval holding an instant.

        Args:
            epoch_us: The instant, in microseconds since the Unix epoch.

        Returns:
            The interval's start (aware, in the zone) and the range of instants
            ``[low, high)`` in epoch microseconds that share it.

        Raises:
            InvalidInputError: ``epoch_us`` is not a whole number within the
                instants of :mod:`callcore.checks`.
        """
        return self._locate(_check_epoch(epoch_us))

    def _locate(self, epoch_us: int) -> tuple[datetime, int, int]:
        low = self._start_at_or_before(epoch_us)
        return self._label(low), low, self._start_after(epoch_us)

    # An interval starts wherever the local clock shows a multiple of the size
    # (00:00, 00:15...), or jumps forward onto or over one. A clock that jumps
    # back starts an interval only if it lands on a multiple, so an interval is
    # as long as the local calendar makes it: London's day of 25 October 2026
    # lasts 25 hours, its 01:00-01:15 happens twice (two intervals), and its
    # 00:00-02:00 lasts 3 hours. Each loop crosses one change of UTC offset;
    # an interval (at most a day) holds at most a few.

    def _start_at_or_before(self, epoch_us: int) -> int:
        size = self._size_us
        while True:
            offset = _offset_us(self.zone, epoch_us)
            wall = epoch_us + offset
            candidate = wall - wall % size - offset
            if _offset_us(self.zone, candidate) == offset:
                return candidate  # the clock showed the multiple at candidate
            # The offset changed at some instant in (candidate, epoch_us].
            change = self._first_with_offset(candidate, epoch_us, offset)
            before = _offset_us(self.zone, change - 1)
            if before < offset:  # forward: from change + before onto or over a multiple?
                jumped_from = change + before
                multiple = jumped_from + (-jumped_from) % size  # the first at or after
                if multiple <= change + offset:
                    return change
            epoch_us = change - 1

    def _start_after(self, epoch_us: int) -> int:
        size = self._size_us
        while True:
            offset = _offset_us(self.zone, epoch_us)
            wall = epoch_us + offset
            candidate = wall - wall % size + size - offset
            if _offset_us(self.zone, candidate) == offset:
                return candidate
            # The offset changes at some instant in (epoch_us, candidate].
            change = self._last_with_offset(epoch_us, candidate, offset) + 1
            after = _offset_us(self.zone, change)
            landing = change + after
            if after > offset:  # forward: onto or over the next multiple?
                if wall - wall % size + size <= landing:
                    return change
            elif landing % size == 0:  # back, landing on a multiple
                return change
            epoch_us = change

    def label(self, epoch_us: int) -> datetime:
        """Return an instant on the zone's wall clock, with its fixed UTC offset.

        A fixed offset, not the zone, so that the two 01:00 of the night clocks
        go back stay different keys: Python compares datetimes of one zone by
        wall clock and would call them equal.

        Raises:
            InvalidInputError: ``epoch_us`` is not a whole number within the
                instants of :mod:`callcore.checks`.
        """
        return self._label(_check_epoch(epoch_us))

    def _label(self, epoch_us: int) -> datetime:
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
        """Return the start of the interval holding an aware ``moment``.

        Raises:
            InvalidInputError: ``moment`` is not an aware datetime within the
                limits of :mod:`callcore.checks`.
        """
        return self.locate(epoch_micros(check_instant(moment, "moment")))[0]
