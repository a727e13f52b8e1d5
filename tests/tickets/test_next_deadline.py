"""next_deadline(ticket) against a brute-force reference.

The rule: ``next_deadline(ticket)`` is the earliest instant at which
``tick(ticket, now=...)`` has something to do, or ``None``. The reference
ticks a copy of the ticket minute by minute from its last change: nothing
happens before the deadline (nor a microsecond before it); at the deadline
something happens (an event, an action, or an escalation rule used up), or
the deadline moves later. Without a deadline nothing happens for a day.

The tickets are driven into every kind of state first: SLA clocks on a
calendar with short closures and nights, two policies (a change of priority
swaps the goals of running or paused clocks), escalation rules on SLA risk
and breach, follow-ups and auto-close.
"""

from __future__ import annotations

import contextlib
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import attrs
import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from callcore.calendar import BusinessCalendar, OpeningRange, WeeklyHours
from callcore.contacts import Channel
from callcore.errors import CallcoreError
from callcore.tickets import (
    DEFAULT_WORKFLOW,
    ActionKind,
    ActionSpec,
    EscalationRule,
    EscalationTrigger,
    Guard,
    GuardKind,
    Priority,
    SlaConditions,
    SlaMetric,
    SlaPolicy,
    SlaTarget,
    Ticket,
    TicketEngine,
    TicketSettings,
    Workflow,
)
from tests.tickets.strategies import AGENT, SUPERVISOR

ZONE = ZoneInfo("Europe/Bucharest")
START = datetime(2026, 1, 5, 8, 30, tzinfo=ZONE)  # a Monday, open
MINUTE = timedelta(minutes=1)
MICRO = timedelta(microseconds=1)
HORIZON = timedelta(hours=26)  # without a deadline, nothing may happen for a day and a night

CALENDAR = BusinessCalendar(
    name="short",
    timezone=ZONE,
    hours=WeeklyHours.every_day(
        OpeningRange(time(7), time(9)),
        OpeningRange(time(9, 20), time(12)),
        OpeningRange(time(13), time(17)),
    ),
)
FLOW = attrs.evolve(
    DEFAULT_WORKFLOW,
    transitions=tuple(
        attrs.evolve(
            move, actions=(ActionSpec(ActionKind.SCHEDULE_FOLLOW_UP, after=3 * 60 * MINUTE),)
        )
        if move.name == "need_follow_up"
        else move
        for move in DEFAULT_WORKFLOW.transitions
    ),
    auto_close_after=timedelta(hours=6),
)
URGENT = SlaPolicy(
    "urgent",
    (
        SlaTarget(SlaMetric.FIRST_RESPONSE, timedelta(minutes=20)),
        SlaTarget(SlaMetric.NEXT_RESPONSE, timedelta(minutes=40)),
        SlaTarget(SlaMetric.RESOLUTION, timedelta(hours=2)),
    ),
    conditions=SlaConditions(priorities=frozenset({Priority.HIGH, Priority.URGENT})),
    calendar="short",
    pause_states=("on_hold",),
    warn_at=(0.5, 0.75),
)
NORMAL = SlaPolicy(
    "normal",
    (
        SlaTarget(SlaMetric.FIRST_RESPONSE, timedelta(minutes=45)),
        SlaTarget(SlaMetric.NEXT_RESPONSE, timedelta(minutes=90)),
        SlaTarget(SlaMetric.RESOLUTION, timedelta(hours=5)),
    ),
    calendar="short",
    warn_at=(0.75,),
    warn_before=(timedelta(minutes=10), timedelta(hours=1)),  # the hour: not for first response
)
RULES = (
    EscalationRule("at risk", EscalationTrigger.SLA_AT_RISK, "specialists", fraction=0.6),
    EscalationRule(
        "late", EscalationTrigger.SLA_BREACH, "supervisors", metric=SlaMetric.RESOLUTION
    ),
)
ENGINES = {
    "sla and rules": TicketEngine(
        TicketSettings(escalation_rules=RULES, sla_policies=(URGENT, NORMAL)),
        workflows={FLOW.name: FLOW},
        calendars={"short": CALENDAR},
    ),
    "sla only": TicketEngine(
        TicketSettings(sla_policies=(URGENT, NORMAL)),
        workflows={FLOW.name: FLOW},
        calendars={"short": CALENDAR},
    ),
    "no sla": TicketEngine(workflows={FLOW.name: FLOW}),
}

TRANSITIONS = st.sampled_from([move.name for move in FLOW.transitions])
operations = st.one_of(
    st.tuples(st.just("wait"), st.integers(0, 8 * 60)),
    st.tuples(st.just("apply"), TRANSITIONS),
    st.tuples(st.just("apply"), TRANSITIONS),
    st.tuples(st.just("reply"), st.just(0)),
    st.tuples(st.just("customer_reply"), st.just(0)),
    st.tuples(st.just("priority"), st.sampled_from(Priority)),
    st.tuples(st.just("escalate"), st.booleans()),
    st.tuples(st.just("tick"), st.just(0)),
)


def last_change(ticket: Ticket) -> datetime:
    """The earliest time the engine accepts a call: its latest entry or clock update."""
    times = [ticket.history[-1].at]
    times.extend(clock.since for clock in ticket.sla.values() if clock.since is not None)
    return max(times)


def run(engine: TicketEngine, ticket: Ticket, name: str, value: object, now: datetime) -> None:
    """Run one operation on ``ticket`` at ``now``; a refused one changes nothing."""
    with contextlib.suppress(CallcoreError):
        if name == "apply":
            engine.apply(ticket, value, by=SUPERVISOR, now=now, note="n")  # type: ignore[arg-type]
        elif name == "reply":
            engine.reply(ticket, by=AGENT, now=now, text="answer")
        elif name == "customer_reply":
            engine.customer_reply(ticket, now=now, text="more")
        elif name == "priority":
            engine.update(ticket, by=AGENT, now=now, priority=value)  # type: ignore[arg-type]
        elif name == "escalate":
            move = engine.escalate if value else engine.de_escalate
            move(ticket, by=SUPERVISOR, now=now, reason="r")
        else:
            engine.tick(ticket, now=now)


def drive(engine: TicketEngine, steps: list[tuple[str, object]]) -> Ticket:
    """Create a ticket and run ``steps`` on it, waiting where told."""
    now = START
    ticket = engine.create(
        id="T-1", subject="Broken", channel=Channel.EMAIL, customer="c", now=now,
        assignee=AGENT.id,
    ).ticket  # fmt: skip
    for name, value in steps:
        if name == "wait":
            now += value * MINUTE  # type: ignore[operator]
        else:
            run(engine, ticket, name, value, now)
    return ticket


def tick_does_something(engine: TicketEngine, ticket: Ticket, now: datetime) -> bool:
    """Tick ``ticket`` at ``now``: did anything happen (events, actions, a rule used up)?"""
    rules = ticket.fired_rules
    update = engine.tick(ticket, now=now)
    return bool(update.events or update.actions) or ticket.fired_rules != rules


def check_against_brute_force(engine: TicketEngine, ticket: Ticket) -> Ticket:
    """Check next_deadline(ticket) minute by minute on a copy; return the copy, ticked."""
    deadline = engine.next_deadline(ticket)
    assert deadline == ticket.next_due  # what stores index is what the engine says
    copy = ticket.copy()
    start = last_change(copy)
    end = start + HORIZON if deadline is None else deadline
    now = start
    while now < end:
        assert not tick_does_something(engine, copy, now), (
            f"something happened at {now}, before the deadline {deadline}"
        )
        now += MINUTE
    if deadline is None:
        return copy
    if deadline - MICRO >= last_change(copy):
        assert not tick_does_something(engine, copy, deadline - MICRO)
    if not tick_does_something(engine, copy, deadline):
        later = engine.next_deadline(copy)
        assert later is not None, f"nothing happened at the deadline {deadline}"
        assert later > deadline, f"nothing happened at the deadline {deadline}"
    return copy


@given(
    st.sampled_from(sorted(ENGINES)),
    st.lists(operations, max_size=12),
)
# an at-risk rule (at 0.6 of the goal) comes before the clock's next warning (at 0.75)
@example("sla and rules", [])
# a paused clock is already past its new, shorter goal: the next tick reports the breach
@example("sla only", [("wait", 30), ("apply", "wait_on_customer"), ("priority", Priority.HIGH)])
# an overdue follow-up, then another change: due at that change (a tick cannot be earlier)
@example("no sla", [("apply", "need_follow_up"), ("wait", 200), ("escalate", True)])
@example("sla only", [("apply", "need_follow_up"), ("wait", 200), ("reply", 0)])
def test_next_deadline_is_when_tick_next_has_something_to_do(
    setup: str, steps: list[tuple[str, object]]
) -> None:
    """Nothing happens before next_deadline; at it something does (or it moves later)."""
    engine = ENGINES[setup]
    ticket = drive(engine, steps)
    for _ in range(2):  # the deadline after it too
        ticket = check_against_brute_force(engine, ticket)


def _closing_with(guards: tuple[Guard, ...], *, from_resolved: bool = True) -> Workflow:
    """FLOW whose close transition has ``guards`` (and may not leave "resolved")."""
    moves = []
    for move in FLOW.transitions:
        if move.name == "close":
            sources = (
                move.sources if from_resolved else tuple(s for s in move.sources if s != "resolved")
            )
            move = attrs.evolve(move, sources=sources, guards=guards)  # noqa: PLW2901
        moves.append(move)
    return attrs.evolve(FLOW, transitions=tuple(moves))


@pytest.mark.parametrize(
    ("flow", "closes"),
    [
        (_closing_with(()), True),
        (
            _closing_with(
                (Guard(GuardKind.NOTE_REQUIRED), Guard(GuardKind.ASSIGNEE_OR_SUPERVISOR))
            ),
            True,
        ),
        (_closing_with((Guard(GuardKind.ROLE, roles=("supervisor", "system")),)), True),
        (_closing_with((Guard(GuardKind.ROLE, roles=("supervisor",)),)), False),
        (_closing_with((Guard(GuardKind.ASSIGNED),)), "assigned"),
        (_closing_with((Guard(GuardKind.FIELD_SET, field="order"),)), "field"),
        (_closing_with((), from_resolved=False), False),
    ],
)
@pytest.mark.parametrize("assigned", [True, False])
@pytest.mark.parametrize("order", [None, "A-1"])
def test_the_auto_close_is_due_only_if_tick_can_close(
    flow: Workflow, closes: bool | str, assigned: bool, order: str | None
) -> None:
    """A close transition the system cannot apply (a guard, not from resolved) is no deadline."""
    engine = TicketEngine(workflows={flow.name: flow})
    ticket = engine.create(
        id="T-1", subject="s", channel=Channel.CHAT, customer="c", now=START,
        assignee=AGENT.id if assigned else None, fields={"order": order},
    ).ticket  # fmt: skip
    engine.apply(ticket, "resolve", by=SUPERVISOR, now=START, note="fixed")
    # resolving assigns the supervisor to an unassigned ticket (a solved ticket has an assignee)
    assert ticket.assignee == (AGENT.id if assigned else SUPERVISOR.id)
    expected = {True: True, False: False, "assigned": True, "field": order is not None}
    closing = START + timedelta(hours=6)
    assert engine.next_deadline(ticket) == (closing if expected[closes] else None)
    check_against_brute_force(engine, ticket)
    engine.tick(ticket, now=closing)
    assert (ticket.state == "closed") is expected[closes]
