"""The time seam: where "now" comes from, and the rule that every time is aware.

Engines never read the clock; they take ``now`` as an argument. The shell (or
a test) gets it from a :class:`Clock`: :class:`SystemClock` in production,
:class:`ManualClock` in tests and simulations.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Protocol, runtime_checkable

import attrs

from callcore.checks import check_instant
from callcore.errors import InvalidInputError

__all__ = ["Clock", "ManualClock", "SystemClock", "as_instant", "aware", "ensure_aware"]


def ensure_aware(value: datetime, what: str = "time") -> datetime:
    """Return ``value`` unchanged if it is a timezone-aware instant in range.

    The same check as :func:`callcore.checks.check_instant`: aware, and between
    :data:`~callcore.checks.EARLIEST` and :data:`~callcore.checks.LATEST`.

    Args:
        value: The datetime to check.
        what: The name of the argument or field, used in the error message.

    Returns:
        ``value`` itself.

    Raises:
        NaiveDatetimeError: ``value`` has no time zone (or one that gives no offset).
        InvalidInputError: ``value`` is not a datetime at all, or out of range.
    """
    return check_instant(value, what)


def as_instant(value: datetime) -> datetime:
    """Return an aware ``value`` as a time that compares and adds as the instant it is.

    Two datetimes in one IANA zone compare and subtract by their wall clocks
    (``fold`` ignored), and adding a duration to one adds wall-clock time: an
    hour off across a clock change. A time at a fixed offset (UTC included) is
    exact and comes back as is, at no cost; any other comes back in UTC.

    >>> from datetime import datetime
    >>> from zoneinfo import ZoneInfo
    >>> from callcore.clock import as_instant
    >>> as_instant(datetime(2026, 10, 25, 3, 10, fold=1, tzinfo=ZoneInfo("Europe/Bucharest")))
    datetime.datetime(2026, 10, 25, 1, 10, tzinfo=datetime.timezone.utc)
    """
    return value if value.tzinfo.__class__ is timezone else value.astimezone(timezone.utc)


def aware(_: object, attribute: attrs.Attribute[datetime], value: datetime) -> None:
    """An attrs validator: the field must hold a timezone-aware datetime in range.

    Raises:
        NaiveDatetimeError: the value is naive; the message names the field.
        InvalidInputError: the value is not a datetime or out of range.
    """
    check_instant(value, attribute.name)


@runtime_checkable
class Clock(Protocol):
    """Anything that can tell the current time as an aware datetime."""

    def now(self) -> datetime:
        """Return the current time, timezone-aware."""
        ...


class SystemClock:
    """The real clock: the current UTC time of this machine."""

    def now(self) -> datetime:
        """Return the current time in UTC."""
        return datetime.now(timezone.utc)


def _aware_start(value: datetime) -> datetime:
    return ensure_aware(value, "ManualClock start")


@attrs.define
class ManualClock:
    """A clock that moves only when told to: for tests and simulations.

    Time never goes backwards: :meth:`advance` takes a non-negative step and
    :meth:`set` refuses an earlier time. A clock started in a zone tells the
    time in that zone, but moves by elapsed time: ``advance`` adds in UTC (a
    zone's own arithmetic is wall-clock time, an hour off across a change) and
    ``set`` compares instants (a ``fold=1`` time comes after the first pass).

    >>> from datetime import datetime, timedelta, timezone
    >>> from callcore.clock import ManualClock
    >>> clock = ManualClock(datetime(2026, 1, 5, 9, 0, tzinfo=timezone.utc))
    >>> clock.advance(timedelta(minutes=5)).isoformat()
    '2026-01-05T09:05:00+00:00'
    """

    _now: datetime = attrs.field(converter=_aware_start)

    def now(self) -> datetime:
        """Return the clock's current time."""
        return self._now

    def advance(self, delta: timedelta) -> datetime:
        """Move the clock forward by ``delta`` and return the new time.

        Raises:
            InvalidInputError: ``delta`` is negative.
        """
        if delta < timedelta(0):
            raise InvalidInputError(f"a clock cannot go backwards (advance by {delta})")
        now = self._now
        if now.tzinfo.__class__ is timezone:  # a fixed offset adds exactly
            self._now = now + delta
        else:  # a zone adds wall-clock time: add in UTC, show in the zone
            self._now = (now.astimezone(timezone.utc) + delta).astimezone(now.tzinfo)
        return self._now

    def set(self, value: datetime) -> datetime:
        """Move the clock to ``value`` (not earlier than now) and return it.

        Raises:
            NaiveDatetimeError: ``value`` is naive.
            InvalidInputError: ``value`` is earlier than the current time.
        """
        ensure_aware(value, "value")
        if value.astimezone(timezone.utc) < self._now.astimezone(timezone.utc):  # fold counts
            raise InvalidInputError(
                f"a clock cannot go backwards (from {self._now.isoformat()} to {value.isoformat()})"
            )
        self._now = value
        return self._now
