"""The fast SLA path of apply against the general one, and the calendar's look-ups it uses.

``TicketEngine.apply`` takes a written-out path for a ticket with SLA clocks
when the engine has no pending timeouts, automations or escalation rules
(:meth:`TicketEngine._apply_with_clocks`), and its SLA meters remember
deadlines and the calendar's open span (``SlaMeter._due``, ``SlaMeter._open``).
The reference is the general path (``_settle``, ``_move``, ``_result``) on an
engine with none of these: the fast path switched off, deadlines never
remembered, and the calendar behind a plain object, so that every question
goes through the calendar's public methods. Both engines run the same random
commands on random calendars in Europe/Bucharest and America/New_York around
their 2026 clock changes; after every command the updates and the tickets
(history, clocks, ``next_due``) are equal, and ``next_due`` is what
``next_deadline`` computes. The minute-by-minute reference
(``test_sla_reference.py``) checks the general path's values themselves.
"""

from __future__ import annotations

import contextlib
from datetime import datetime, time, timedelta, timezone
from typing import TYPE_CHECKING

import attrs
from hypothesis import given
from hypothesis import strategies as st

from callcore.contacts import Channel
from callcore.errors import CallcoreError
from callcore.tickets import (
    DEFAULT_WORKFLOW,
    Priority,
    SlaBreached,
    SlaConditions,
    SlaMetric,
    SlaPolicy,
    SlaTarget,
    SlaWarning,
    TicketEngine,
    TicketSettings,
)
from tests.calendar.strategies import ZONE_TRANSITIONS, calendars
from tests.tickets.calendars import office_calendar
from tests.tickets.strategies import AGENT

if TYPE_CHECKING:
    from callcore.calendar import BusinessCalendar
    from callcore.tickets import Ticket, TicketUpdate

MINUTE = timedelta(minutes=1)
MOVES = tuple(sorted({move.name for move in DEFAULT_WORKFLOW.transitions}))
COMMANDS = (*MOVES, "reply", "customer_reply", "urgent", "normal", "low", "tick")


class PlainHours:
    """A calendar behind a plain object: the meter cannot skip its public methods."""

    def __init__(self, calendar: BusinessCalendar) -> None:
        self.calendar = calendar

    def business_time_between(self, a: datetime, b: datetime) -> timedelta:
        return self.calendar.business_time_between(a, b)

    def add_business_time(self, t: datetime, delta: timedelta) -> datetime:
        return self.calendar.add_business_time(t, delta)


class Forgetful(dict):  # type: ignore[type-arg]
    """A memo that keeps nothing."""

    def __setitem__(self, key: object, value: object) -> None:
        pass


def _engines(calendar: BusinessCalendar, goals: list[int]) -> tuple[TicketEngine, TicketEngine]:
    policies = tuple(
        SlaPolicy(
            name,
            tuple(
                SlaTarget(metric, minutes * MINUTE)
                for metric, minutes in zip(SlaMetric, goals[index * 4 : index * 4 + 4], strict=True)
            ),
            conditions=SlaConditions(priorities=frozenset({priority})),
            calendar="cal",
            pause_states=("on_hold",) if name == "normal" else (),
            warn_at=(0.5, 0.75),
            warn_before=(timedelta(minutes=30),),
        )
        for index, (name, priority) in enumerate(
            (("urgent", Priority.URGENT), ("normal", Priority.NORMAL))
        )
    )
    settings = TicketSettings(sla_policies=policies)
    fast = TicketEngine(settings=settings, calendars={"cal": calendar})
    reference = TicketEngine(settings=settings, calendars={"cal": PlainHours(calendar)})
    object.__setattr__(reference, "_plain_sla", False)  # the general path
    for meter in reference._meters.values():  # switching the memo off
        object.__setattr__(meter, "_due", Forgetful())
    assert fast._plain_sla  # the path under test is taken
    return fast, reference


def _run(engine: TicketEngine, ticket: Ticket, command: str, now: datetime) -> TicketUpdate:
    if command == "reply":
        return engine.reply(ticket, by=AGENT, now=now, text="on it")
    if command == "customer_reply":
        return engine.customer_reply(ticket, now=now, text="and?")
    if command in {"urgent", "normal", "low"}:
        return engine.update(ticket, by=AGENT, now=now, priority=Priority(command))
    if command == "tick":
        return engine.tick(ticket, now=now)
    return engine.apply(ticket, command, by=AGENT, now=now, note="note")


def _seen(ticket: Ticket) -> tuple[object, ...]:
    return (
        ticket.state,
        ticket.sla_policy,
        {name: attrs.astuple(clock) for name, clock in ticket.sla.items()},
        ticket.next_due,
        ticket.follow_up_due,
        ticket.resolved_at,
        ticket.reopen_count,
        ticket.assignee,
        list(ticket.history),
    )


@given(
    calendar=calendars(zones=("Europe/Bucharest", "America/New_York")),
    change=st.integers(0, 1),
    offset=st.integers(-36 * 60, 12 * 60),
    goals=st.lists(st.integers(1, 6 * 60), min_size=8, max_size=8),
    priority=st.sampled_from([Priority.URGENT, Priority.NORMAL, Priority.LOW]),
    commands=st.lists(
        st.tuples(st.integers(0, 3 * 60), st.sampled_from(COMMANDS)), min_size=1, max_size=20
    ),
)
def test_fast_path_equals_the_general_path(
    calendar: BusinessCalendar,
    change: int,
    offset: int,
    goals: list[int],
    priority: Priority,
    commands: list[tuple[int, str]],
) -> None:
    """Same updates, same tickets, and next_due is next_deadline, on any calendar."""
    day = ZONE_TRANSITIONS[calendar.timezone.key][change]
    now = datetime.combine(day, time(), timezone.utc) + offset * MINUTE
    fast, reference = _engines(calendar, goals)
    tickets = [
        engine.create(
            id="T-1", subject="s", channel=Channel.EMAIL, customer="c", now=now,
            assignee=AGENT.id, priority=priority,
        ).ticket
        for engine in (fast, reference)
    ]  # fmt: skip
    assert _seen(tickets[0]) == _seen(tickets[1])
    for gap, command in commands:
        now += gap * MINUTE
        outcomes: list[tuple[object, ...]] = []
        for engine, ticket in zip((fast, reference), tickets, strict=True):
            try:
                update = _run(engine, ticket, command, now)
            except CallcoreError as error:  # noqa: PERF203 - a refusal is an outcome to compare
                outcomes.append(("refused", type(error), str(error)))
            else:
                outcomes.append(("done", update.events, update.actions))
        assert outcomes[0] == outcomes[1], command
        assert _seen(tickets[0]) == _seen(tickets[1]), command
        assert tickets[0].next_due == fast.next_deadline(tickets[0])


@given(
    calendar=calendars(zones=("Europe/Bucharest", "America/New_York", "UTC")),
    change=st.integers(0, 1),
    offsets=st.lists(st.integers(-3 * 24 * 60, 3 * 24 * 60), min_size=2, max_size=2),
    seconds=st.integers(0, 59),
    amount=st.integers(1, 9 * 24 * 60),
)
def test_calendar_look_ups_equal_the_public_methods(
    calendar: BusinessCalendar, change: int, offsets: list[int], seconds: int, amount: int
) -> None:
    """open_span_at, open_time_between_instants and instant_after_open_time, checked."""
    day = ZONE_TRANSITIONS[calendar.timezone.key][change]
    base = datetime.combine(day, time(), timezone.utc) + timedelta(seconds=seconds)
    a, b = sorted(base + offset * MINUTE for offset in offsets)
    assert calendar.open_time_between_instants(a, b) == calendar.business_time_between(a, b)
    delta = amount * MINUTE
    try:
        expected = calendar.add_business_time_utc(a, delta)
    except CallcoreError:
        expected = None
    try:
        found = calendar.instant_after_open_time(a, delta)
    except CallcoreError:
        found = None
    assert found == expected
    span = calendar.open_span_at(a)
    if span is None:
        assert not calendar.is_open(a)
    else:
        start, end = span
        assert start <= a < end
        assert calendar.business_time_between(start, end) == end - start  # open throughout
        assert calendar.is_open(start)
        assert calendar.is_open(end - timedelta(microseconds=1))


def test_fast_path_around_closing_and_opening_times() -> None:
    """Commands minutes apart across office closing and opening times, both clock changes.

    Where the remembered open span ends, and deadlines just past it: the cases
    where a look-up that trusted a span too far would count closed time.
    """
    commands = ("open", "hold", "wait_on_customer", "customer_replied", "hold", "open")
    for zone, days in ZONE_TRANSITIONS.items():
        if zone == "UTC":
            continue
        calendar = office_calendar(zone)
        # the Friday before each change (a Sunday) and the Monday after
        for day in (d + timedelta(days=shift) for d in days for shift in (-2, 1)):
            for start_minutes in range(15 * 60, 18 * 60, 20):  # 15:00 to 18:00 local
                local = datetime.combine(day, time(), calendar.timezone)
                now = (local + start_minutes * MINUTE).astimezone(timezone.utc)
                fast, reference = _engines(calendar, [20, 45, 70, 95, 30, 55, 80, 105])
                tickets = [
                    engine.create(
                        id="T-1", subject="s", channel=Channel.EMAIL, customer="c", now=now,
                        assignee=AGENT.id, priority=Priority.URGENT,
                    ).ticket
                    for engine in (fast, reference)
                ]  # fmt: skip
                for index, command in enumerate(commands * 3):
                    now += timedelta(minutes=7 + 13 * (index % 4))
                    for engine, ticket in zip((fast, reference), tickets, strict=True):
                        with contextlib.suppress(CallcoreError):
                            _run(engine, ticket, command, now)
                    assert _seen(tickets[0]) == _seen(tickets[1]), (zone, day, now, command)
                    assert tickets[0].next_due == fast.next_deadline(tickets[0])


def test_fast_path_deadline_moved_by_pauses_past_its_open_span() -> None:
    """Pauses within one open span push a deadline days away, across its span's end.

    The meter moves a deadline past the current open span by the open time a
    pause cost (``SlaMeter._far``) while it stays in the open span it lay in;
    here the clocks' first warning starts about an hour before closing time a
    day later, and pauses of 7 to 46 minutes push it to closing time and past
    it (to the next morning), from starts a few minutes apart.
    """
    commands = ("open", "wait_on_customer", "customer_replied", "hold", "wait_on_customer", "open")
    for zone, days in ZONE_TRANSITIONS.items():
        if zone == "UTC":
            continue
        calendar = office_calendar(zone)
        # the Monday after the spring change, the Wednesday before the autumn one
        for day in (days[0] + timedelta(days=1), days[1] - timedelta(days=4)):
            for start_minutes in range(9 * 60, 11 * 60, 3):  # from 9:00 local
                local = datetime.combine(day, time(), calendar.timezone)
                now = (local + start_minutes * MINUTE).astimezone(timezone.utc)
                # the first warnings (at half the goal): two office days less an hour
                fast, reference = _engines(calendar, [1800] * 8)
                tickets = [
                    engine.create(
                        id="T-1", subject="s", channel=Channel.EMAIL, customer="c", now=now,
                        assignee=AGENT.id, priority=Priority.URGENT,
                    ).ticket
                    for engine in (fast, reference)
                ]  # fmt: skip
                for index, command in enumerate(commands * 3):
                    now += timedelta(minutes=7 + 13 * (index % 4), seconds=start_minutes % 60)
                    for engine, ticket in zip((fast, reference), tickets, strict=True):
                        with contextlib.suppress(CallcoreError):
                            _run(engine, ticket, command, now)
                    assert _seen(tickets[0]) == _seen(tickets[1]), (zone, day, now, command)
                    assert tickets[0].next_due == fast.next_deadline(tickets[0])
                assert fast._meters["urgent"]._far[0] < datetime.max.replace(tzinfo=timezone.utc)


def test_fast_path_clocks_running_from_different_instants() -> None:
    """A ticket whose running clocks started at different instants (as a loaded one may).

    The engine starts and settles running clocks together, but a ticket read
    from storage may hold clocks that run from two instants. The fast path
    must not take the first clock's deadline for all: here the resolution
    clock, started a minute later, warns first (at half its goal, 08:31).
    """
    calendar = office_calendar("Europe/Bucharest")
    now = datetime(2026, 1, 5, 8, tzinfo=timezone.utc)  # 10:00 in Bucharest, a Monday
    fast, reference = _engines(calendar, [300, 300, 60, 150] * 2)
    tickets = [
        engine.create(
            id="T-1", subject="s", channel=Channel.EMAIL, customer="c", now=now,
            assignee=AGENT.id, priority=Priority.URGENT,
        ).ticket
        for engine in (fast, reference)
    ]  # fmt: skip
    for ticket in tickets:
        assert ticket.sla["first_response"].since == now
        ticket.sla["resolution"].since = now + MINUTE
    for command in ("open", "hold", "open"):
        now += 3 * MINUTE
        for engine, ticket in zip((fast, reference), tickets, strict=True):
            _run(engine, ticket, command, now)
        assert _seen(tickets[0]) == _seen(tickets[1]), command
        assert tickets[0].next_due == datetime(2026, 1, 5, 8, 31, tzinfo=timezone.utc)


def test_fast_path_paused_clock_past_a_shorter_goal() -> None:
    """A paused clock whose new policy's amounts it has passed reports them at the next call.

    Paused clocks short of their next amount keep the fast path (nothing to
    report, no deadline); one already past it (its policy changed to shorter
    goals while it was paused) must still report at the next transition.
    """
    calendar = office_calendar("Europe/Bucharest")
    start = datetime(2026, 1, 5, 8, tzinfo=timezone.utc)  # 10:00 in Bucharest, a Monday
    for paused_minutes in (20, 29, 30, 44, 50, 59, 70):  # before, at and past the urgent amounts
        now = start
        fast, reference = _engines(calendar, [60, 60, 60, 60, 600, 600, 600, 600])
        tickets = [
            engine.create(
                id="T-1", subject="s", channel=Channel.EMAIL, customer="c", now=now,
                assignee=AGENT.id, priority=Priority.NORMAL,
            ).ticket
            for engine in (fast, reference)
        ]  # fmt: skip
        steps = (
            (1, "open"), (paused_minutes, "wait_on_customer"), (1, "urgent"),
            (1, "customer_replied"), (1, "hold"), (1, "open"),
        )  # fmt: skip
        for gap, command in steps:
            now += gap * MINUTE
            updates = [
                _run(engine, ticket, command, now)
                for engine, ticket in zip((fast, reference), tickets, strict=True)
            ]
            assert updates[0].events == updates[1].events, (paused_minutes, command)
            assert _seen(tickets[0]) == _seen(tickets[1]), (paused_minutes, command)
            assert tickets[0].next_due == fast.next_deadline(tickets[0])
            if command == "customer_replied":
                # both engines settle clocks alike: the reports, worked out by hand
                reported = sorted(
                    (event.metric.value, getattr(event, "fraction", "breach"))
                    for event in updates[0].events
                    if isinstance(event, (SlaWarning, SlaBreached))
                )
                elapsed = paused_minutes + 1  # the urgent goals: 60 minutes, warnings at 30 and 45
                each = (
                    ["breach"] if elapsed >= 60 else [f for f in (0.5, 0.75) if elapsed >= 60 * f]
                )
                expected = [
                    (metric, f) for metric in ("first_response", "resolution") for f in each
                ]
                assert reported == expected, paused_minutes
