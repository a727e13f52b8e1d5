"""SLA policies and the clocks that measure a ticket against them.

A clock accrues business time (on a calendar) or calendar time while it runs;
it pauses while the ticket waits on the customer (or in a state the policy
names), and stops when its target is met. Warnings and breaches are reported
once per fraction and once per target (per reply cycle for next response).
"""

from __future__ import annotations

import enum
from datetime import datetime, timedelta, timezone
from typing import TYPE_CHECKING, ClassVar, Protocol

import attrs

from callcore.calendar import BusinessCalendar
from callcore.checks import MAX_DURATION
from callcore.contacts import Channel, CustomerTier
from callcore.errors import InvalidInputError, Problem
from callcore.events import Event
from callcore.tickets._checks import (
    MAX_SLA_TARGET,
    duration_field,
    durations_field,
    enum_field,
    enum_set_field,
    fractions_field,
    instance_field,
    items_field,
    names_field,
    optional_text_field,
    optional_texts_field,
    text_field,
    texts_field,
    tiers_field,
)
from callcore.tickets._ticket import Priority

if TYPE_CHECKING:
    from collections.abc import Iterable, Iterator, Mapping, Sequence

    from callcore.tickets._ticket import SlaClock, Ticket

__all__ = [
    "BusinessHours",
    "SlaBreached",
    "SlaConditions",
    "SlaCycle",
    "SlaMetric",
    "SlaPolicy",
    "SlaStatus",
    "SlaTarget",
    "SlaWarning",
    "validate_sla_policies",
]


class BusinessHours(Protocol):
    """What an SLA clock needs from a calendar.

    :class:`callcore.calendar.BusinessCalendar` provides it; so can any object
    with these two methods.
    """

    def business_time_between(self, a: datetime, b: datetime) -> timedelta:
        """Return the open time in ``[a, b)``; zero when ``b <= a``."""
        ...

    def add_business_time(self, t: datetime, delta: timedelta) -> datetime:
        """Return the instant when ``delta`` of open time after ``t`` has passed."""
        ...


@attrs.frozen
class CalendarTime:
    """Round-the-clock time: what a policy without a calendar counts.

    Arithmetic is done in UTC, so a day with a DST change counts its real
    23 or 25 hours (Python adds wall-clock time to datetimes in one zone).
    """

    def business_time_between(self, a: datetime, b: datetime) -> timedelta:
        """Return the real time from ``a`` to ``b``, or zero when ``b <= a``."""
        return max(b.astimezone(timezone.utc) - a.astimezone(timezone.utc), timedelta(0))

    def add_business_time(self, t: datetime, delta: timedelta) -> datetime:
        """Return the instant ``delta`` of real time after ``t``, in UTC."""
        return t.astimezone(timezone.utc) + delta


class SlaMetric(enum.Enum):
    """What an SLA target measures."""

    FIRST_RESPONSE = "first_response"
    """From creation to the first agent reply."""
    NEXT_RESPONSE = "next_response"
    """From a customer reply to the agent's next reply, once per reply cycle."""
    RESOLUTION = "resolution"
    """From creation to resolution; it resumes if the ticket is reopened."""
    TIME_TO_OWN = "time_to_own"
    """While the ticket waits for an owner: from its creation unassigned, or from
    when it lost its assignee (an escalation to another tier unassigns it), to the
    next assignment; one cycle per wait (GLPI's time to own, per tier as Zendesk's
    group SLAs measure each group)."""


@attrs.frozen
class SlaConditions:
    """Which tickets a policy applies to; an empty set matches anything.

    Attributes:
        priorities: The ticket's priority is one of these.
        customer_tiers: The customer's tier is one of these (tier names, such as
            ``"vip"`` or a host's own ``"gold"``).
        channels: The ticket's channel is one of these.
        tags: The ticket has at least one of these tags.
    """

    priorities: frozenset[Priority] = attrs.field(
        default=frozenset(), validator=enum_set_field(Priority)
    )
    customer_tiers: frozenset[CustomerTier] = attrs.field(
        default=frozenset(), validator=tiers_field
    )
    channels: frozenset[Channel] = attrs.field(
        default=frozenset(), validator=enum_set_field(Channel)
    )
    tags: frozenset[str] = attrs.field(default=frozenset(), validator=names_field)

    def matches(self, ticket: Ticket) -> bool:
        """Tell whether ``ticket`` meets every condition."""
        return (
            (not self.priorities or ticket.priority in self.priorities)
            and (not self.customer_tiers or ticket.customer_tier in self.customer_tiers)
            and (not self.channels or ticket.channel in self.channels)
            and (not self.tags or not self.tags.isdisjoint(ticket.tags))
        )


@attrs.frozen
class SlaTarget:
    """A goal for one metric.

    Attributes:
        metric: What is measured.
        within: The goal, in business time on the policy's calendar (or in
            calendar time without one); at most a year (366 days), so that
            finding a deadline never walks the calendar for long.
        pause_states: The states where this target's clock waits, instead of
            the policy's rule (the workflow's SLA-pausing states and the
            policy's ``pause_states``); ``()`` never waits. ``None``: the
            policy's rule. Resolved and closed states always stop it.
    """

    metric: SlaMetric = attrs.field(validator=enum_field(SlaMetric))
    within: timedelta = attrs.field(validator=duration_field(maximum=MAX_SLA_TARGET))
    pause_states: tuple[str, ...] | None = attrs.field(default=None, validator=optional_texts_field)


@attrs.frozen
class SlaPolicy:
    """Targets for the tickets that meet some conditions.

    Policies are tried in order; the first whose conditions match applies,
    and is chosen again when the ticket's priority, tags or tier change.

    Attributes:
        name: Its unique name.
        targets: At most one target per metric.
        conditions: Which tickets it applies to.
        calendar: The name of the business calendar to count on; ``None``
            counts calendar time, round the clock.
        pause_states: States, besides those that pause every SLA (waiting on
            the customer), where this policy's clocks stop counting.
        warn_at: Fractions of a target at which a warning is reported.
        warn_before: Times before a breach at which a warning is reported
            ("1 h before"), as well; one longer than a target is left out
            for that target.
    """

    name: str = attrs.field(validator=text_field())
    targets: tuple[SlaTarget, ...] = attrs.field(validator=items_field(SlaTarget))
    conditions: SlaConditions = attrs.field(
        default=SlaConditions(), validator=instance_field(SlaConditions)
    )
    calendar: str | None = attrs.field(default=None, validator=optional_text_field)
    pause_states: tuple[str, ...] = attrs.field(default=(), validator=texts_field)
    warn_at: tuple[float, ...] = attrs.field(default=(0.75,), validator=fractions_field)
    warn_before: tuple[timedelta, ...] = attrs.field(default=(), validator=durations_field)

    def target(self, metric: SlaMetric) -> SlaTarget | None:
        """Return the target for ``metric``, if the policy has one."""
        return next((t for t in self.targets if t.metric is metric), None)


@attrs.frozen(kw_only=True)
class SlaWarning(Event):
    """A running SLA clock passed a warning fraction of its target.

    Attributes:
        ticket_id: The ticket.
        metric: The target's metric.
        fraction: The warning fraction passed (``0.75``); for a warning at a
            time before the breach, the fraction of the target that leaves.
        due: When the fraction was passed.
        deadline: When the target will be breached if the clock keeps running.
        before: For a warning at a time before the breach, that time.
    """

    kind: ClassVar[str] = "ticket.sla_warning"

    ticket_id: str
    metric: SlaMetric
    fraction: float
    due: datetime
    deadline: datetime
    before: timedelta | None = None


@attrs.frozen(kw_only=True)
class SlaBreached(Event):
    """An SLA target was missed; reported once per target (and reply cycle).

    Attributes:
        ticket_id: The ticket.
        metric: The target's metric.
        deadline: When the target was breached.
        cycle: The reply cycle, for next-response targets (1 otherwise).
    """

    kind: ClassVar[str] = "ticket.sla_breached"

    ticket_id: str
    metric: SlaMetric
    deadline: datetime
    cycle: int = 1


@attrs.frozen
class SlaCycle:
    """One finished cycle of a target (Jira Service Management's ``completedCycles``).

    Attributes:
        started: When the cycle began (creation; a customer reply for next response).
        ended: When it ended (the agent's reply, or the resolve).
        elapsed: The time it counted, on the policy's calendar.
        goal: The target.
        breached: Whether it counted the whole target or more.
    """

    started: datetime
    ended: datetime
    elapsed: timedelta
    goal: timedelta
    breached: bool


@attrs.frozen
class SlaStatus:
    """Where one target of a ticket stands at some instant (its ``ongoingCycle``).

    Attributes:
        metric: The target's metric.
        goal: The target.
        elapsed: The time counted in the current cycle.
        remaining: ``goal - elapsed``: negative once breached (Zammad's
            ``close_diff_in_min`` is the same difference, in minutes).
        breached: The current cycle counted the whole target or more.
        running: The clock counts now.
        paused: The clock waits (a pausing state) and will count again.
        stopped: The cycle is over (met, or the ticket resolved or closed) and
            no new one has begun.
        breach_at: When the current cycle breaches if the clock keeps
            running; ``None`` when breached, paused, stopped, or when the
            calendar never opens long enough.
        cycle: The cycle's number (from 1; next response counts customer replies).
        completed: The cycles over, oldest first.
    """

    metric: SlaMetric
    goal: timedelta
    elapsed: timedelta
    remaining: timedelta
    breached: bool
    running: bool
    paused: bool
    stopped: bool
    breach_at: datetime | None
    cycle: int
    completed: tuple[SlaCycle, ...]


def validate_sla_policies(
    policies: Sequence[object], calendars: Mapping[str, object]
) -> Iterator[Problem]:
    """Find problems in a list of SLA policies.

    Args:
        policies: The policies, in the order they are tried; an item that is
            not a policy (a part of a document that could not be read) is skipped.
        calendars: The calendars known by name.

    Yields:
        Problems with paths such as ``sla_policies[1].calendar``.
    """
    seen: set[str] = set()
    for index, policy in enumerate(policies):
        if not isinstance(policy, SlaPolicy):
            continue
        path = f"sla_policies[{index}]"
        if policy.name in seen:
            yield Problem(f"{path}.name", f"duplicate policy name {policy.name!r}")
        seen.add(policy.name)
        if policy.calendar is not None and policy.calendar not in calendars:
            yield Problem(f"{path}.calendar", f"unknown calendar {policy.calendar!r}")
        metrics: set[SlaMetric] = set()
        for position, target in enumerate(policy.targets):
            if target.metric in metrics:
                yield Problem(
                    f"{path}.targets[{position}]", f"a second {target.metric.value} target"
                )
            metrics.add(target.metric)
            if target.within <= timedelta(0):
                yield Problem(f"{path}.targets[{position}].within", "must be positive")
        yield from _warning_problems(path, policy)


def _warning_problems(path: str, policy: SlaPolicy) -> Iterator[Problem]:
    for position, fraction in enumerate(policy.warn_at):
        if not 0 < fraction < 1:
            yield Problem(f"{path}.warn_at[{position}]", "must be between 0 and 1")
    for position, lead in enumerate(policy.warn_before):
        if lead <= timedelta(0):
            yield Problem(f"{path}.warn_before[{position}]", "must be positive")


_CHUNK = MAX_DURATION - timedelta(days=1)  # leaves room for a day's DST shifts
_ZERO = timedelta(0)
_REMEMBERED = 64
_DUE_LIMIT = 256  # deadlines kept per meter: a call needs one or two; a bound all the same
_NEVER = datetime.max.replace(tzinfo=timezone.utc)  # an empty span: nothing lies in it
ALL_STOPPED = timedelta.max  # settle's answer when no clock runs: none is due while so


@attrs.frozen
class SlaMeter:
    """Reads and moves one policy's clocks on one calendar (engine-internal)."""

    policy: SlaPolicy
    hours: BusinessHours
    _warnings: dict[timedelta, list[tuple[float, timedelta, timedelta | None]]] = attrs.field(
        init=False, factory=dict, eq=False, repr=False
    )
    """The warnings of each goal, worked out once."""
    own_pauses: dict[str, tuple[str, ...]] = attrs.field(init=False, eq=False, repr=False)
    """The pause states of the targets with their own rule, by metric name."""
    _due: dict[timedelta, tuple[datetime, datetime]] = attrs.field(
        init=False, factory=dict, eq=False, repr=False
    )
    """Known answers of :meth:`_after`: ``left -> (t, instant)``, one start per
    amount left (a pure function of ``(t, left)`` on this meter's calendar,
    keyed by the amount alone, whose hash is cheap, and checked against
    ``t``). :meth:`settle` carries an answer along when it brings clocks up to
    date (the same instant, from later on), so a running clock's deadline is
    found once, not at every call. Answers of ``None`` (never, within the
    calendar's horizon) are not kept: from later on the horizon reaches
    further."""

    _calendar: BusinessCalendar | None = attrs.field(init=False, eq=False, repr=False)
    """:attr:`hours` when it is a :class:`BusinessCalendar` (whose checks can be skipped)."""
    _open: tuple[datetime, datetime] = attrs.field(
        init=False, eq=False, repr=False, default=(_NEVER, _NEVER)
    )
    """The calendar's open span last seen (``[start, end)`` in UTC; none at first):
    within it open time is real time, so most questions of a busy day need no
    look-up (a cache of the calendar's facts, kept by :meth:`_between_on`)."""
    _far: tuple[datetime, timedelta, datetime, datetime, datetime] = attrs.field(
        init=False, eq=False, repr=False, default=(_NEVER, _ZERO, _NEVER, _NEVER, _NEVER)
    )
    """The last deadline :meth:`_walk` found past the open span it started in:
    ``(end, rest, found, start2, end2)``: ``found`` is ``rest`` of open time
    after ``end`` (the end of that span), and lies inside the open span
    ``(start2, end2]``. A clock resumed in the same span after a pause has a
    deadline a little later: while it stays inside that span, the deadline
    moves by the difference of open time, without a look-up (a cache of the
    calendar's facts, as :attr:`_open`)."""

    def __attrs_post_init__(self) -> None:
        """Index the targets' own pause rules."""
        calendar = self.hours if type(self.hours) is BusinessCalendar else None
        object.__setattr__(self, "_calendar", calendar)
        own = {
            target.metric.value: target.pause_states
            for target in self.policy.targets
            if target.pause_states is not None
        }
        object.__setattr__(self, "own_pauses", own)

    def warnings(self, goal: timedelta) -> list[tuple[float, timedelta, timedelta | None]]:
        """The warnings of a target of ``goal``: (fraction, time elapsed, time before), in order.

        A warning at a time before the breach is kept as the fraction of the
        goal it leaves (so :attr:`SlaClock.warned` holds fractions only), but
        reached at exactly ``goal - before``.
        """
        known = self._warnings.get(goal)
        if known is not None:
            return known
        found: dict[float, tuple[float, timedelta, timedelta | None]] = {
            fraction: (fraction, goal * fraction, None) for fraction in self.policy.warn_at
        }
        for lead in self.policy.warn_before:
            if lead < goal:
                fraction = (goal - lead) / goal
                found.setdefault(fraction, (fraction, goal - lead, lead))
        made = sorted(found.values(), key=lambda warning: warning[1])
        if len(self._warnings) < _REMEMBERED:  # a policy has few goals; a bound all the same
            self._warnings[goal] = made
        return made

    def elapsed(self, clock: SlaClock, *, now: datetime) -> timedelta:
        """Return the clock's elapsed time at ``now``."""
        since = clock.since
        if since is None:
            return clock.elapsed
        return clock.elapsed + self.between(since, now)

    def between(self, a: datetime, b: datetime) -> timedelta:
        """Return the time this policy counts from ``a`` to ``b`` (zero when ``b <= a``)."""
        if b <= a:
            return _ZERO
        span = b - a
        if span < _CHUNK:
            calendar = self._calendar
            if calendar is not None:  # the engine's instants, checked: skip the calendar's checks
                start, end = self._open
                if start <= a and b <= end:  # both in one open span: open time is real time
                    return span
                return self._between_on(calendar, a, b)
            return self.hours.business_time_between(a, b)
        # A calendar answers for at most MAX_DURATION at a time: count in chunks.
        total = timedelta(0)
        start, end = a.astimezone(timezone.utc), b.astimezone(timezone.utc)
        while end - start > _CHUNK:
            total += self.hours.business_time_between(start, start + _CHUNK)
            start += _CHUNK
        return total + self.hours.business_time_between(start, end)

    def _between_on(self, calendar: BusinessCalendar, a: datetime, b: datetime) -> timedelta:
        """:meth:`between` on a calendar, keeping the open span at ``b`` for the next questions."""
        span = calendar.open_span_at(b)
        if span is not None:
            object.__setattr__(self, "_open", span)
            if span[0] <= a:
                return b - a
        return calendar.open_time_between_instants(a, b)

    def instant(self, clock: SlaClock, amount: timedelta) -> datetime | None:
        """Return when a running clock's elapsed time reaches ``amount``.

        ``None`` when the clock is not running, or when the calendar has not
        enough open time ahead for it ever to get there (it never opens again
        within its search horizon): the target then has no deadline.
        """
        if clock.since is None:
            return None
        if amount <= clock.elapsed:
            return clock.since
        return self._after(clock.since, amount - clock.elapsed)

    def pause(self, clock: SlaClock, *, now: datetime) -> None:
        """Stop counting, keeping the time accrued so far."""
        if clock.since is not None:
            clock.elapsed = self.elapsed(clock, now=now)
            clock.since = None

    @staticmethod
    def resume(clock: SlaClock, *, now: datetime) -> None:
        """Start counting again from ``now`` (unless the clock is done)."""
        if clock.since is None and not clock.stopped:
            clock.since = now

    def settle(  # noqa: C901, PLR0912 - apply's hot path, inlined on purpose
        self, ticket_id: str, clocks: dict[str, SlaClock], now: datetime
    ) -> tuple[list[Event], timedelta | None]:
        """:meth:`check` every clock of a ticket: the warnings and breaches reached by ``now``.

        The usual clock, running and reaching nothing new, is brought up to
        date here as :meth:`check` does it (its deadline carried along); a
        paused clock short of its next amount is left as it is (check would
        report nothing); any other goes through :meth:`check`.

        Returns:
            The events, and, when every clock not stopped was such a usual
            clock (the running ones all counting from one instant, and now
            from ``now``), the least any running one has left to its next
            amount (:data:`ALL_STOPPED` when none runs); else ``None``. With
            that, :meth:`earliest` is ``_after(now, left)`` as long as no
            clock changes (a paused clock short of its amount has no deadline).
        """
        usual = True
        events: list[Event] = []
        spans: dict[datetime, timedelta] = {}
        group: datetime | None = None  # the start shared by the clocks brought up to date here
        least = _ZERO  # the least any of them had left before
        known_warnings = self._warnings
        for clock in clocks.values():
            if clock.stopped:
                continue
            since = clock.since
            if since is None and not clock.breached:
                # paused: nothing new to report while short of its next amount (as check
                # says), and no deadline while it stays paused (as earliest says)
                amount = clock.goal
                warnings = known_warnings.get(amount)
                for fraction, reached, _ in (
                    self.warnings(amount) if warnings is None else warnings
                ):  # _next_amount, inlined
                    if fraction not in clock.warned:
                        amount = reached
                        break
                if clock.elapsed < amount:
                    continue
            elif since is not None and not clock.breached and now > since:
                found = spans.get(since)
                span = found if found is not None else self.between(since, now)
                spans[since] = span
                before = clock.elapsed
                elapsed = before + span
                amount = clock.goal
                warnings = known_warnings.get(amount)  # warnings(), its answer usually known
                for fraction, reached, _ in (
                    self.warnings(amount) if warnings is None else warnings
                ):  # _next_amount, inlined
                    if fraction not in clock.warned:
                        amount = reached
                        break
                if elapsed < amount:  # nothing new reached: check's first case, inlined
                    left = amount - before
                    if group is None:
                        group, least = since, left
                    elif since != group:  # clocks of two starts (a loaded ticket): ask earliest
                        usual = False
                    elif left < least:
                        least = left
                    clock.elapsed, clock.since = elapsed, now
                    continue
            usual = False
            events.extend(self.check(ticket_id, clock, now=now, spans=spans))
        if group is None:
            return events, ALL_STOPPED if usual else None
        left = least - spans[group]
        # the deadline of the group's nearest amount, from now on, is the one from its start
        due = self._due
        known = due.get(least)
        if known is not None and known[0] == group:
            if len(due) >= _DUE_LIMIT:  # _remember, inlined
                due.clear()
            due[left] = (now, known[1])
        return events, left if usual else None

    def check(
        self,
        ticket_id: str,
        clock: SlaClock,
        *,
        now: datetime,
        spans: dict[datetime, timedelta] | None = None,
    ) -> list[Event]:
        """Report the warnings and the breach this clock has reached by ``now``.

        A running clock is then brought up to date: the time it counted up to
        ``now`` joins :attr:`~SlaClock.elapsed` and it runs on from ``now``
        (business time adds up exactly over adjacent spans), so the next
        question walks the calendar from here, not from when the clock started.
        ``spans`` remembers the time counted from each ``since`` to ``now``
        for the next clock of the same call (they mostly share it).
        """
        if clock.stopped:
            return []
        since = clock.since
        if since is None:
            elapsed = clock.elapsed
        elif spans is None:
            elapsed = clock.elapsed + self.between(since, now)
        else:
            span = spans.get(since)
            if span is None:
                span = spans[since] = self.between(since, now)
            elapsed = clock.elapsed + span
        events = (
            []  # all reported, or nothing new reached (the next report is further on)
            if (clock.breached and len(clock.warned) == len(self.warnings(clock.goal)))
            or (not clock.breached and elapsed < self._next_amount(clock))
            else (self._reached(ticket_id, clock, now, elapsed))
        )
        if since is not None and now > since:
            clock.elapsed, clock.since = elapsed, now
        return events

    def _reached(
        self, ticket_id: str, clock: SlaClock, now: datetime, elapsed: timedelta
    ) -> list[Event]:
        """The warnings and the breach newly reached, marking them reported."""
        events: list[Event] = []
        metric = SlaMetric(clock.metric)
        deadline: datetime | None = None  # found only when something is reported (a walk)
        for fraction, amount, before in self.warnings(clock.goal):
            if fraction not in clock.warned and elapsed >= amount:
                clock.warned = (*clock.warned, fraction)
                if not clock.breached and elapsed < clock.goal:
                    due = self.instant(clock, amount) or now
                    deadline = deadline or self.instant(clock, clock.goal) or now
                    events.append(
                        SlaWarning(
                            at=now,
                            ticket_id=ticket_id,
                            metric=metric,
                            fraction=fraction,
                            due=due,
                            deadline=deadline,
                            before=before,
                        )
                    )
        if not clock.breached and elapsed >= clock.goal:
            clock.breached = True
            deadline = deadline or self.instant(clock, clock.goal) or now
            events.append(
                SlaBreached(
                    at=now, ticket_id=ticket_id, metric=metric, deadline=deadline, cycle=clock.cycle
                )
            )
        return events

    def earliest(  # noqa: C901, PLR0912 - apply's hot path, inlined on purpose
        self, clocks: Iterable[SlaClock], *, last: datetime
    ) -> datetime | None:
        """Return the first of the clocks' :meth:`next_deadline` instants, if any.

        Running clocks that started counting at the same instant on the same
        calendar reach their amounts in the order of what they have left, so
        one walk of the calendar per such group finds the first (the engine
        brings every running clock up to date at once: usually one group).
        """
        first: datetime | None = None  # the earliest instant found so far
        group: datetime | None = None  # the start shared by the running clocks seen so far
        least = _ZERO  # the least any of them has left
        others: dict[datetime, timedelta] | None = None  # further groups (rare)
        for clock in clocks:
            if clock.stopped or clock.breached:
                continue
            amount = clock.goal
            for fraction, reached, _ in self.warnings(amount):  # _next_amount, inlined
                if fraction not in clock.warned:
                    amount = reached
                    break
            since = clock.since
            if since is None or amount <= clock.elapsed:
                if since is None and amount > clock.elapsed:
                    continue
                at = last if since is None else since  # as instant() says
                first = at if first is None or at < first else first
            elif group is None or since == group:
                left = amount - clock.elapsed
                if group is None or left < least:
                    least = left
                group = since
            else:
                others = {} if others is None else others
                left = amount - clock.elapsed
                known = others.get(since)
                others[since] = left if known is None else min(known, left)
        if group is not None:
            due_at = self._after(group, least)
            if due_at is not None and (first is None or due_at < first):
                first = due_at
        for since, left in (others or {}).items():
            due_at = self._after(since, left)
            if due_at is not None and (first is None or due_at < first):
                first = due_at
        return first

    def _after(self, t: datetime, left: timedelta) -> datetime | None:
        """The instant ``left`` of counted time after ``t``, in UTC (``None``: never)."""
        known = self._due.get(left)
        if known is not None and known[0] == t:
            return known[1]
        found = self._walk(t, left)
        if found is not None:
            self._remember(left, t, found)
        return found

    after = _after  # for the engine's fast path, which knows the running clocks' least left

    def _remember(self, left: timedelta, t: datetime, found: datetime) -> None:
        """Keep an answer of :meth:`_after` (a bounded memo: cleared when full)."""
        due = self._due
        if len(due) >= _DUE_LIMIT:
            due.clear()
        due[left] = (t, found)

    def _walk(self, t: datetime, left: timedelta) -> datetime | None:
        """:meth:`_after` without the memo: ask the calendar."""
        # an instant in UTC: two times in the calendar's zone compare by wall clock
        try:
            calendar = self._calendar
            if calendar is not None:  # the engine's instants, checked: skip the checks
                start, end = self._open
                if not start <= t < end:  # another span (or closed): look it up
                    span = calendar.open_span_at(t)
                    if span is not None:
                        object.__setattr__(self, "_open", span)
                        start, end = span
                reached = t + left
                if start <= t and reached <= end:  # open all the way: real time
                    return reached if t.tzinfo is timezone.utc else reached.astimezone(timezone.utc)
                if start <= t < end:  # open at t: the deadline lies past this span
                    return self._past_span(calendar, t, left, end)
                return calendar.instant_after_open_time(t, left)
            if isinstance(self.hours, BusinessCalendar):  # the same instant, without converting
                return self.hours.add_business_time_utc(t, left)
            return self.hours.add_business_time(t, left).astimezone(timezone.utc)
        except InvalidInputError:
            return None  # the calendar never opens long enough

    def _past_span(
        self, calendar: BusinessCalendar, t: datetime, left: timedelta, end: datetime
    ) -> datetime:
        """:meth:`_walk` from ``t`` inside an open span ending at ``end``, before ``t + left``."""
        rest = left - (end - t)  # the open time still needed after the span's end
        known_end, known_rest, found, start2, end2 = self._far
        if known_end == end:
            # open time from `end` to an instant of (start2, end2] grows as real time
            shifted = found + (rest - known_rest)
            if start2 < shifted <= end2 and shifted - t <= MAX_DURATION:
                return shifted
        found = calendar.instant_after_open_time(t, left)
        span = calendar.open_span_at(found)
        if span is not None and span[0] < found:  # inside a span, not at its start
            object.__setattr__(self, "_far", (end, rest, found, span[0], span[1]))
        return found

    def _next_amount(self, clock: SlaClock) -> timedelta:
        """The elapsed time at which the clock next reports: its next warning, or its goal."""
        for fraction, amount, _ in self.warnings(clock.goal):
            if fraction not in clock.warned:
                return amount
        return clock.goal

    def next_deadline(self, clock: SlaClock, *, last: datetime) -> datetime | None:
        """Return when this clock next has something to report, if ever.

        That is when a running clock reaches its next warning or its goal; a
        paused clock that is already past one (its policy changed to a shorter
        goal while it was paused) reports it at the next call, so at ``last``,
        the ticket's last change.
        """
        if clock.stopped or clock.breached:
            return None
        amount = self._next_amount(clock)
        if clock.since is None:
            return last if amount <= clock.elapsed else None
        return self.instant(clock, amount)
