"""Stateful property test: any sequence of operations keeps the ticket's invariants."""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING

from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule

from callcore.channels import Channel
from callcore.errors import CallcoreError
from callcore.serialization import to_dict
from callcore.tickets import (
    DEFAULT_WORKFLOW,
    Actor,
    Change,
    EscalationRule,
    EscalationTrigger,
    Priority,
    SlaBreached,
    SlaMetric,
    SlaPolicy,
    SlaTarget,
    StateCategory,
    Ticket,
    TicketEngine,
    TicketSettings,
)
from tests.tickets.calendars import office_calendar, office_hours
from tests.tickets.strategies import AGENT, START, SUPERVISOR

if TYPE_CHECKING:
    from callcore.events import Event

CALENDAR = office_calendar("Europe/Bucharest")  # the engine's
REFERENCE = office_hours("Europe/Bucharest")  # the oracle's
POLICY = SlaPolicy(
    "office",
    (
        SlaTarget(SlaMetric.FIRST_RESPONSE, timedelta(hours=2)),
        SlaTarget(SlaMetric.NEXT_RESPONSE, timedelta(hours=4)),
        SlaTarget(SlaMetric.RESOLUTION, timedelta(hours=16)),
    ),
    calendar="office",
    pause_states=("on_hold",),
    warn_at=(0.5, 0.75),
)
RULES = (
    EscalationRule("risk", EscalationTrigger.SLA_AT_RISK, "specialists", fraction=0.6),
    EscalationRule("late", EscalationTrigger.SLA_BREACH, "supervisors"),
    EscalationRule("reopened", EscalationTrigger.REOPEN_COUNT, "specialists", reopen_count=2),
)
ACTORS = st.sampled_from([AGENT, SUPERVISOR, Actor("bob", frozenset({"agent"}))])
TRANSITIONS = st.sampled_from([move.name for move in DEFAULT_WORKFLOW.transitions] + ["nope"])


class TicketLife(RuleBasedStateMachine):
    """Drive one ticket with random operations and check it after each."""

    def __init__(self) -> None:
        """Start with an engine with SLA policy and escalation rules, and no ticket yet."""
        super().__init__()
        self.engine = TicketEngine(
            TicketSettings(escalation_rules=RULES, sla_policies=(POLICY,)),
            calendars={"office": CALENDAR},
        )
        self.now = START
        self.ticket: Ticket
        self.seen: list[Change] = []
        self.events: list[Event] = []
        self.counted = timedelta(0)  # the oracle's resolution time
        self.last_elapsed: dict[tuple[str, int], timedelta] = {}

    @initialize(priority=st.sampled_from(Priority))
    def create(self, priority: Priority) -> None:
        """Open the ticket."""
        update = self.engine.create(
            id="T-1", subject="Broken", channel=Channel.VOICE, customer="c", now=self.now,
            priority=priority, assignee=AGENT.id,
        )  # fmt: skip
        self.ticket = update.ticket
        self.events.extend(update.events)

    def counting(self) -> bool:
        """Whether the resolution clock should run in the ticket's current state."""
        state = DEFAULT_WORKFLOW.state(self.ticket.state)
        done = state.category in (StateCategory.RESOLVED, StateCategory.CLOSED)
        return not (done or state.pauses_sla or state.name in POLICY.pause_states)

    def attempt(self, operation: str, **kwargs: object) -> None:
        """Run an engine operation; a refusal must leave the ticket unchanged."""
        before = to_dict(self.ticket)
        try:
            update = getattr(self.engine, operation)(self.ticket, now=self.now, **kwargs)
        except CallcoreError:
            assert to_dict(self.ticket) == before
        else:
            self.events.extend(update.events)

    @rule(minutes=st.integers(0, 60 * 30))
    def wait(self, minutes: int) -> None:
        """Let time pass (and count what the oracle expects)."""
        later = self.now + timedelta(minutes=minutes)
        if self.counting():
            self.counted += REFERENCE.business_time_between(self.now, later)
        self.now = later

    @rule(name=TRANSITIONS, by=ACTORS, note=st.sampled_from(["", "done"]))
    def transition(self, name: str, by: Actor, note: str) -> None:
        """Try a workflow transition."""
        self.attempt("apply", transition=name, by=by, note=note)

    @rule(by=ACTORS)
    def agent_reply(self, by: Actor) -> None:
        """An agent answers."""
        self.attempt("reply", by=by, text="answer")

    @rule()
    def customer_reply(self) -> None:
        """The customer writes."""
        self.attempt("customer_reply", text="question")

    @rule(up=st.booleans(), by=ACTORS)
    def move_tier(self, up: bool, by: Actor) -> None:
        """Escalate or de-escalate by hand."""
        self.attempt("escalate" if up else "de_escalate", by=by, reason="because")

    @rule(priority=st.sampled_from(Priority))
    def reprioritise(self, priority: Priority) -> None:
        """Change the priority."""
        self.attempt("update", by=SUPERVISOR, priority=priority)

    @rule()
    def tick(self) -> None:
        """Let the engine react to time."""
        self.attempt("tick")

    @invariant()
    def history_is_append_only_and_complete(self) -> None:
        """Earlier entries never change, and the last entries explain the fields."""
        history = self.ticket.history
        assert history[: len(self.seen)] == self.seen
        self.seen = list(history)
        last: dict[str, object] = {}
        for change in history:
            if change.field:
                last[change.field] = change.new
        assert last["state"] == self.ticket.state
        assert last.get("tier", "front_line") == self.ticket.tier
        assert last.get("priority", self.ticket.priority.value) == self.ticket.priority.value
        assert all(c.at <= self.now for c in history)

    @invariant()
    def next_due_is_current(self) -> None:
        """The ticket always says when it next needs a tick."""
        assert self.ticket.next_due == self.engine.next_deadline(self.ticket)

    @invariant()
    def state_is_in_the_workflow(self) -> None:
        """The ticket is always in a state of its workflow."""
        assert DEFAULT_WORKFLOW.has_state(self.ticket.state)

    @invariant()
    def resolution_time_matches_the_oracle(self) -> None:
        """Resolution time counts open business hours only, outside pauses and closure."""
        elapsed = self.engine.sla_elapsed(self.ticket, SlaMetric.RESOLUTION, self.now)
        assert elapsed == self.counted

    @invariant()
    def elapsed_time_never_decreases(self) -> None:
        """No clock's elapsed time goes down within a cycle."""
        for name, clock in self.ticket.sla.items():
            elapsed = self.engine.sla_elapsed(self.ticket, SlaMetric(name), self.now)
            assert elapsed is not None
            key = (name, clock.cycle)
            assert elapsed >= self.last_elapsed.get(key, timedelta(0))
            self.last_elapsed[key] = elapsed

    @invariant()
    def each_breach_is_reported_once(self) -> None:
        """At most one breach per target and cycle."""
        keys = [(e.metric, e.cycle) for e in self.events if isinstance(e, SlaBreached)]
        assert len(keys) == len(set(keys))


TestTicketLife = TicketLife.TestCase
