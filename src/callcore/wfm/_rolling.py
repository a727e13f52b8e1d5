"""Abandoned-call counts over a rolling window, and the counts a dialer must pace against.

Under a fixed period (the FTC's 30 days, a campaign) the live answers only
grow, so a pacing decision that keeps the period's rate within the target
stays right. Under a rolling window (Ofcom's 24 hours) old answers leave the
window while the abandons of a decision made now stay for the whole window:
the rate of a window ending later can rise above the target with no new
abandon at all. So a decision must be checked against every future window it
will belong to, each holding only the recorded calls that are still inside
it. :meth:`RollingAbandonWindow.pacing_counts` finds, among those future
windows, the one with the least room (``target * live_answers - abandoned``)
and returns its counts, for :class:`~callcore.wfm.DialerState`; then
:func:`~callcore.wfm.budget_ceiling` keeps that window, and every other
one, within the target whatever the answers do. One of those windows may
hold only this decision's calls, so the hard promise leaves no room to
over-dial; see :meth:`~RollingAbandonWindow.pacing_counts`.
"""

from __future__ import annotations

from collections import deque
from datetime import datetime, timedelta, timezone
from fractions import Fraction

import attrs

from callcore.checks import check_count, check_duration, check_instant, check_number, validator
from callcore.errors import InvalidInputError
from callcore.wfm._dialer import DEFAULT_ABANDON_TARGET, MAX_PERIOD_CALLS, check_abandons

_DAY = timedelta(hours=24)


@attrs.define
class RollingAbandonWindow:
    """Live answers and abandons over a rolling window, recorded as they happen.

    Keeps one entry per distinct recording instant within the window, so a
    query costs O(entries); record at a coarser clock (a second) to bound it.

    Attributes:
        window: The rolling window's length (Ofcom: 24 hours), longer than zero.
        target: The highest allowed ``abandoned / live_answers``, [0, 1).
    """

    window: timedelta = attrs.field(
        default=_DAY, validator=validator(check_duration, positive=True)
    )
    target: float = attrs.field(
        default=DEFAULT_ABANDON_TARGET,
        validator=validator(check_number, low=0, high=1, high_open=True),
    )
    # (instant in UTC, live answers, abandons), oldest first
    _entries: deque[tuple[datetime, int, int]] = attrs.field(init=False, factory=deque)
    _answers: int = attrs.field(init=False, default=0)
    _abandons: int = attrs.field(init=False, default=0)
    _last: datetime | None = attrs.field(init=False, default=None)

    def _evict(self, now: datetime) -> None:
        """Drop what left the window ``(now - window, now]``."""
        edge = now - self.window
        while self._entries and self._entries[0][0] <= edge:
            _, answers, abandons = self._entries.popleft()
            self._answers -= answers
            self._abandons -= abandons

    def _instant(self, now: object) -> datetime:
        instant = check_instant(now, "now").astimezone(timezone.utc)
        if self._last is not None and instant < self._last:
            raise InvalidInputError(
                f"now ({instant.isoformat()}) is before an earlier call's now "
                f"({self._last.isoformat()}): the window only moves forward",
                field="now",
            )
        return instant

    def record(self, *, now: datetime, live_answers: int, abandoned: int = 0) -> None:
        """Count calls answered by a person at ``now``, of which ``abandoned`` were abandoned.

        Args:
            now: When they were answered (aware; not before the last record).
            live_answers: Calls answered by a person, abandoned ones included.
            abandoned: Of those, calls no agent took, at most ``live_answers``.

        Raises:
            InvalidInputError: a value of the wrong type or out of range, ``now``
                before the last record, more abandons than answers, or the
                window's counts beyond :data:`~callcore.wfm.MAX_PERIOD_CALLS`;
                nothing is recorded.
        """
        instant = self._instant(now)
        check_count(live_answers, "live_answers", high=MAX_PERIOD_CALLS)
        check_count(abandoned, "abandoned", high=MAX_PERIOD_CALLS)
        check_abandons(live_answers, abandoned)
        self._evict(instant)  # not observable: every query evicts up to its own now
        if self._answers + live_answers > MAX_PERIOD_CALLS:
            raise InvalidInputError(
                f"the window would hold more than {MAX_PERIOD_CALLS:,} live answers",
                field="live_answers",
            )
        self._last = instant
        if not live_answers:
            return
        if self._entries and self._entries[-1][0] == instant:
            _, answers, abandons = self._entries.pop()
            live_answers, abandoned = live_answers + answers, abandoned + abandons
            self._answers -= answers
            self._abandons -= abandons
        self._entries.append((instant, live_answers, abandoned))
        self._answers += live_answers
        self._abandons += abandoned

    def counts(self, *, now: datetime) -> tuple[int, int]:
        """``(live_answers, abandoned)`` in the window ending at ``now``.

        Raises:
            InvalidInputError: ``now`` is not an aware datetime, or is before
                the last record.
        """
        self._last = self._instant(now)
        self._evict(self._last)
        return self._answers, self._abandons

    def pacing_counts(self, *, now: datetime, horizon: timedelta | None = None) -> tuple[int, int]:
        """The counts of the future window a decision at ``now`` must fit.

        Every window ending from ``now`` to ``now + horizon`` is looked at,
        holding the calls recorded so far that are still inside it (later
        calls are not counted on); the one with the least room
        ``target * live_answers - abandoned`` is returned as
        ``(live_answers, abandoned)``, ready for a
        :class:`~callcore.wfm.DialerState`.

        ``horizon`` defaults to the whole window, and only then is the promise
        hard: every future window stays within the target whatever the
        answers do, including the windows that will hold little more than
        this decision's calls (the dialler stops, or yesterday's answers have
        left and today's have not come yet). The price is that a decision may
        then risk no more abandons than its own answers allow: at most about
        ``ready / (1 - target)`` lines, no over-dialling beyond the room the
        window has. A shorter horizon checks only the windows ending within
        it, counting on later calls to dilute the rest: it lets the dialler
        over-dial, but later decisions can stop dialling, not undo abandons,
        so it is a risk the host takes knowingly, not a promise.

        Args:
            now: The decision's time (aware; not before the last record).
            horizon: How far ahead to protect, longer than zero and at most
                the window, or ``None`` for the whole window.

        Raises:
            InvalidInputError: a value of the wrong type or out of range.
        """
        instant = self._instant(now)
        if horizon is None:
            horizon = self.window
        check_duration(horizon, "horizon", positive=True, maximum=self.window)
        self._last = instant
        self._evict(instant)
        # room in whole numbers: target = num / den, read as the decimal it was written as
        target = Fraction(repr(float(self.target)))
        num, den = target.numerator, target.denominator
        answers, abandons = self._answers, self._abandons
        best = (num * answers - den * abandons, answers, abandons)
        last = instant + horizon - self.window  # entries at or before this expire in time
        for when, expiring_answers, expiring_abandons in self._entries:
            if when > last:
                break
            answers -= expiring_answers
            abandons -= expiring_abandons
            room = num * answers - den * abandons
            if room < best[0]:
                best = (room, answers, abandons)
        return best[1], best[2]
