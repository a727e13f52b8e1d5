"""SLA clocks and deadlines against a minute-by-minute reference.

Random calendars in Europe/Bucharest and America/New_York, a window around
one of their two 2026 clock changes, and a random sequence of commands:
agent and customer replies, waits, holds, resolves, reopens, closes, changes
of priority that move the ticket between two policies and none, and ticks.

The reference knows nothing of the engine's clocks. It reads the calendar's
open minutes from ``tests.calendar.reference`` (a scan of the wall clock) and
counts, minute by minute, what each policy's targets would have counted had
the policy applied from the start (the engine computes a policy that newly
applies from the ticket's history): a minute counts while the ticket is
neither resolved, closed, pending on the customer, nor (for the policy that
pauses there) on hold, except for two targets with their own rules (one
never waits, one waits on hold only); first response until the first agent reply or the
first resolve; next response from a customer reply to an answered ticket
until the agent's next reply. After each command it checks the elapsed time
of every target, the warnings and breaches the command reported, and
``next_deadline``: the first minute when a running target reaches its next
warning or its goal with nothing else happening.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta, timezone
from typing import TYPE_CHECKING

import attrs
from hypothesis import Phase, given, settings
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
from tests.calendar.reference import OpenMinutes
from tests.calendar.strategies import ZONE_TRANSITIONS, calendars
from tests.tickets.strategies import AGENT

if TYPE_CHECKING:
    from callcore.calendar import BusinessCalendar
    from callcore.tickets import Ticket, TicketUpdate

MINUTE = timedelta(minutes=1)
WINDOW = 4 * 24 * 60  # minutes scanned; commands come in the first half
COMMANDS = (
    "reply", "customer_reply", "wait_on_customer", "open", "hold", "resolve", "close",
    "urgent", "normal", "low", "tick",
)  # fmt: skip
FLOW = attrs.evolve(DEFAULT_WORKFLOW, auto_close_after=None)  # SLA deadlines only
DONE = ("resolved", "closed")
METRICS = (SlaMetric.FIRST_RESPONSE, SlaMetric.NEXT_RESPONSE, SlaMetric.RESOLUTION)
OWN_RULES = {  # targets with their own pause rule
    ("urgent", SlaMetric.FIRST_RESPONSE): (),
    ("normal", SlaMetric.NEXT_RESPONSE): ("on_hold",),
}
POLICY_OF = {Priority.URGENT: "urgent", Priority.NORMAL: "normal", Priority.LOW: None}


def goals() -> st.SearchStrategy[tuple[int, int, int]]:
    """First response, next response and resolution goals in even minutes (half is whole)."""
    even = st.integers(1, 8 * 60).map(lambda half: 2 * half)
    return st.tuples(even, even, even)


@attrs.define
class Reference:
    """What each policy's targets count, minute by minute, and what they reported."""

    open_minutes: OpenMinutes
    goals: dict[str, tuple[int, int, int]]
    state: str = "new"
    answered: bool = False
    first_running: bool = True
    cycle_open: bool = False
    counts: dict[str, list[int]] = attrs.Factory(lambda: {"urgent": [0, 0, 0], "normal": [0, 0, 0]})
    cycles_over: int = 0
    warned: list[bool] = attrs.Factory(lambda: [False] * 3)
    breached: list[bool] = attrs.Factory(lambda: [False] * 3)

    def counting(self, policy: str, position: int) -> bool:
        """Whether target ``position`` of ``policy`` counts in the current state."""
        if self.state in DONE:
            return False
        if (policy, position) == ("urgent", 0):  # its own rule: never waits
            return True
        if (policy, position) == ("normal", 1):  # its own rule: waits on hold only
            return self.state != "on_hold"
        if self.state == "pending":
            return False
        return not (policy == "normal" and self.state == "on_hold")

    def running(self) -> list[bool]:
        """Which targets have not stopped (first response, next response, resolution)."""
        return [self.first_running, self.cycle_open, self.state not in DONE]

    def advance(self, index: int) -> None:
        """Count the minute starting at ``index``."""
        if not self.open_minutes.flags[index]:
            return
        running = self.running()
        for policy, counts in self.counts.items():
            for position in range(3):
                counts[position] += running[position] and self.counting(policy, position)

    def settle(self, policy: str | None) -> set[tuple[str, SlaMetric]]:
        """The warnings and breaches a call reports before it changes anything."""
        reported: set[tuple[str, SlaMetric]] = set()
        if policy is None:
            return reported
        running = self.running()
        for position, metric in enumerate(METRICS):
            count, goal = self.counts[policy][position], self.goals[policy][position]
            if not running[position]:
                continue
            if not self.warned[position] and count >= goal // 2:
                self.warned[position] = True
                if not self.breached[position] and count < goal:
                    reported.add(("warning", metric))
            if not self.breached[position] and count >= goal:
                self.breached[position] = True
                reported.add(("breach", metric))
        return reported

    def after(self, command: str, ticket: Ticket, policy_before: str | None) -> None:
        """Take in an accepted command, given the state the engine moved the ticket to."""
        self.state = ticket.state
        was_open = self.cycle_open
        if self.state in DONE:
            self.first_running = self.cycle_open = False
        if command == "reply":
            self.answered = True
            self.first_running = self.cycle_open = False
        elif (
            command == "customer_reply"
            and self.answered
            and self.state not in DONE
            and not self.cycle_open
        ):
            self.cycle_open = True
            self.counts["urgent"][1] = self.counts["normal"][1] = 0
            self.warned[1] = self.breached[1] = False
        self.cycles_over += was_open and not self.cycle_open
        if POLICY_OF[ticket.priority] is None and policy_before is not None:
            self.warned, self.breached = [False] * 3, [False] * 3  # its clocks are gone

    def deadline(self, policy: str | None, index: int) -> int | str | None:
        """The minute of the next warning or breach with nothing else happening.

        ``None``: never; ``"beyond"``: after the window.
        """
        if policy is None:
            return None
        found: list[int | str | None] = []
        running = self.running()
        for position in range(3):
            if not running[position] or self.breached[position]:
                continue
            count, goal = self.counts[policy][position], self.goals[policy][position]
            amount = goal if self.warned[position] else goal // 2
            if count >= amount:
                found.append(index)
            elif self.counting(policy, position):
                at = self.open_minutes.after_open_minutes(index, amount - count)
                found.append("beyond" if at is None else at)
        known = [f for f in found if isinstance(f, int)]
        if known:
            return min(known)
        return "beyond" if found else None


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


def _reported(update: TicketUpdate) -> set[tuple[str, SlaMetric]]:
    return {
        ("warning" if isinstance(event, SlaWarning) else "breach", event.metric)
        for event in update.events
        if isinstance(event, SlaWarning | SlaBreached)
    }


# No shrinking: it takes minutes on these long examples; a failure prints the example as drawn.
@settings(max_examples=60, phases=[Phase.explicit, Phase.reuse, Phase.generate])
@given(
    calendar=calendars(zones=("Europe/Bucharest", "America/New_York")),
    change=st.integers(0, 1),
    offset=st.integers(-36 * 60, 12 * 60),
    urgent=goals(),
    normal=goals(),
    first_priority=st.sampled_from([Priority.URGENT, Priority.NORMAL, Priority.LOW]),
    commands=st.lists(st.tuples(st.integers(0, 6 * 60), st.sampled_from(COMMANDS)), max_size=14),
)
def test_sla_clocks_and_deadlines_match_a_minute_by_minute_count(
    calendar: BusinessCalendar,
    change: int,
    offset: int,
    urgent: tuple[int, int, int],
    normal: tuple[int, int, int],
    first_priority: Priority,
    commands: list[tuple[int, str]],
) -> None:
    """Elapsed times, reported warnings and breaches, and next_deadline agree with the count."""
    day = ZONE_TRANSITIONS[calendar.timezone.key][change]
    start = datetime.combine(day, time(), timezone.utc) + offset * MINUTE
    policies = tuple(
        SlaPolicy(
            name,
            tuple(
                SlaTarget(m, g * MINUTE, pause_states=OWN_RULES.get((name, m)))
                for m, g in zip(METRICS, minutes, strict=True)
            ),
            conditions=SlaConditions(priorities=frozenset({priority})),
            calendar="cal",
            pause_states=("on_hold",) if name == "normal" else (),
            warn_at=(0.5,),
        )
        for name, priority, minutes in (
            ("urgent", Priority.URGENT, urgent),
            ("normal", Priority.NORMAL, normal),
        )
    )
    engine = TicketEngine(
        settings=TicketSettings(sla_policies=policies),
        workflows={"default": FLOW},
        calendars={"cal": calendar},
    )
    scan = OpenMinutes(calendar, start, WINDOW)
    reference = Reference(scan, {"urgent": urgent, "normal": normal})
    ticket = engine.create(
        id="T-1", subject="s", channel=Channel.EMAIL, customer="c", now=start,
        assignee=AGENT.id, priority=first_priority,
    ).ticket  # fmt: skip
    index = 0
    for gap, command in commands:
        for minute in range(index, min(index + gap, WINDOW // 2)):
            reference.advance(minute)
        index = min(index + gap, WINDOW // 2)
        now = reference.open_minutes.at(index)
        policy = POLICY_OF[ticket.priority]
        before = [attrs.evolve(c) for c in ticket.sla.values()]
        try:
            update = _run(engine, ticket, command, now)
        except CallcoreError:
            assert [attrs.evolve(c) for c in ticket.sla.values()] == before
            continue
        assert _reported(update) == reference.settle(policy), command
        reference.after(command, ticket, policy)
        policy = POLICY_OF[ticket.priority]
        assert ticket.sla_policy == policy
        if policy is None:
            continue
        for position, metric in enumerate(METRICS):
            elapsed = engine.sla_elapsed(ticket, metric, now=now)
            assert elapsed == reference.counts[policy][position] * MINUTE, (command, metric)
        statuses = engine.sla_status(ticket, now=now)
        assert [s.elapsed for s in statuses] == [c * MINUTE for c in reference.counts[policy]]
        assert len(statuses[1].completed) == reference.cycles_over
        expected = reference.deadline(policy, index)
        deadline = engine.next_deadline(ticket)
        if expected == "beyond":  # or never, when the calendar has no open time ahead
            assert deadline is None or deadline >= reference.open_minutes.at(WINDOW)
        elif expected is None:
            assert deadline is None
        else:
            assert isinstance(expected, int)
            assert deadline == reference.open_minutes.at(expected), command
