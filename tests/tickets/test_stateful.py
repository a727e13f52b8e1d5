"""Stateful property test: any sequence of operations keeps the ticket's invariants.

Valid commands are mixed with invalid ones (unknown names, wrong types,
backwards, naive and far-future times); after every refusal the ticket's
serialised form is byte-identical and nothing was emitted (issue 10).
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule

from callcore.contacts import Channel
from callcore.errors import CallcoreError
from callcore.serialization import dumps, from_dict
from callcore.tickets import (
    DEFAULT_WORKFLOW,
    Actor,
    Change,
    EscalationRule,
    EscalationTrigger,
    Link,
    Macro,
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
    from collections.abc import Callable

    from callcore.events import Event

CALENDAR = office_calendar("Europe/Bucharest")  # the engine's
REFERENCE = office_hours("Europe/Bucharest")  # the oracle's
POLICY = SlaPolicy(
    "office",
    (
        SlaTarget(SlaMetric.FIRST_RESPONSE, timedelta(hours=2)),
        SlaTarget(SlaMetric.NEXT_RESPONSE, timedelta(hours=4)),
        SlaTarget(SlaMetric.RESOLUTION, timedelta(hours=16)),
        SlaTarget(SlaMetric.TIME_TO_OWN, timedelta(hours=1)),
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
MACRO = Macro("tag_vip", add_tags=frozenset({"vip"}), priority=Priority.HIGH)
ACTORS = st.sampled_from([AGENT, SUPERVISOR, Actor("bob", frozenset({"agent"}))])
TRANSITIONS = st.sampled_from([move.name for move in DEFAULT_WORKFLOW.transitions] + ["nope"])


class TicketLife(RuleBasedStateMachine):
    """Drive one ticket with random operations and check it after each."""

    def __init__(self) -> None:
        """Start with an engine with SLA policy and escalation rules, and no ticket yet."""
        super().__init__()
        self.engine = TicketEngine(
            TicketSettings(escalation_rules=RULES, sla_policies=(POLICY,), macros=(MACRO,)),
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
        """Run an engine operation; a refusal must leave the ticket byte-identical."""
        self.run(lambda: getattr(self.engine, operation)(self.ticket, now=self.now, **kwargs))

    def run(self, call: Callable[[], Any], *, refused: bool = False) -> None:
        """Run a call: it is accepted (and its events kept), or refused with nothing changed.

        With ``refused``, the call must be refused with a CallcoreError. Either
        way the ticket must read back from its serialised form.
        """
        before = dumps(self.ticket)
        try:
            update = call()
        except CallcoreError:
            assert dumps(self.ticket) == before  # byte-identical, and nothing was returned
        else:
            assert not refused, "a malformed command was accepted"
            self.events.extend(update.events)
        assert from_dict(Ticket, json.loads(dumps(self.ticket))) == self.ticket

    def last_change(self) -> datetime:
        """The latest time the ticket has seen: its history, or its running clocks."""
        times = [self.ticket.history[-1].at]
        times.extend(c.since for c in self.ticket.sla.values() if c.since is not None)
        return max(times)

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

    @rule(
        operation=st.sampled_from(["apply", "update", "reply", "escalate", "tick", "macro"]),
        when=st.sampled_from(["backwards", "naive", "far", "text", "epoch"]),
        step=st.integers(1, 60 * 24 * 30),
    )
    def at_a_wrong_time(self, operation: str, when: str, step: int) -> None:
        """Any command at a time before the last change, naive, too far or no time: refused."""
        last = self.last_change()
        now: object = {
            "backwards": last - timedelta(seconds=step),
            "naive": self.now.replace(tzinfo=None),
            "far": last + timedelta(days=36_526),
            "text": self.now.isoformat(),
            "epoch": datetime(1, 1, 1, tzinfo=self.now.tzinfo),
        }[when]
        engine, ticket = self.engine, self.ticket
        calls: dict[str, Callable[[], Any]] = {
            "apply": lambda: engine.apply(ticket, "open", by=SUPERVISOR, now=now),  # type: ignore[arg-type]
            "update": lambda: engine.update(ticket, by=SUPERVISOR, now=now, add_tags=["x"]),  # type: ignore[arg-type]
            "reply": lambda: engine.reply(ticket, by=AGENT, now=now, text="hi"),  # type: ignore[arg-type]
            "escalate": lambda: engine.escalate(ticket, by=SUPERVISOR, now=now, reason="r"),  # type: ignore[arg-type]
            "tick": lambda: engine.tick(ticket, now=now),  # type: ignore[arg-type]
            "macro": lambda: engine.apply_macro(ticket, "tag_vip", by=AGENT, now=now),  # type: ignore[arg-type]
        }
        self.run(calls[operation], refused=True)

    @rule(
        mistake=st.sampled_from([
            "add_tags string", "remove_tags string", "assignee int", "tier int", "list field",
            "nested field", "nan field", "by string", "note int", "csat 3.5", "priority text",
            "unknown tier", "unknown macro", "unknown transition", "links string",
            "reason none", "text list",
        ])
    )  # fmt: skip
    def with_a_malformed_argument(self, mistake: str) -> None:
        """A command with a wrong type, a wrong shape or an unknown name: refused."""
        engine, ticket, now = self.engine, self.ticket, self.now
        update: Callable[..., Any] = engine.update
        odd: dict[str, Callable[[], Any]] = {
            "add_tags string": lambda: update(ticket, by=AGENT, now=now, add_tags="vip"),
            "remove_tags string": lambda: update(ticket, by=AGENT, now=now, remove_tags="vip"),
            "assignee int": lambda: update(ticket, by=AGENT, now=now, assignee=5),
            "tier int": lambda: update(ticket, by=AGENT, now=now, customer_tier=5),
            "list field": lambda: update(ticket, by=AGENT, now=now, fields={"s": ["A1"]}),
            "nested field": lambda: update(ticket, by=AGENT, now=now, fields={"s": {"a": 1}}),
            "nan field": lambda: update(ticket, by=AGENT, now=now, fields={"s": float("nan")}),
            "links string": lambda: update(ticket, by=AGENT, now=now, links="contact:c"),
            "priority text": lambda: update(ticket, by=AGENT, now=now, priority="high"),
            "by string": lambda: engine.apply(ticket, "open", by="ana", now=now),  # type: ignore[arg-type]
            "note int": lambda: engine.apply(ticket, "open", by=AGENT, now=now, note=5),  # type: ignore[arg-type]
            "csat 3.5": lambda: engine.record_survey(ticket, now=now, score=3.5),  # type: ignore[arg-type]
            "unknown tier": lambda: engine.escalate(
                ticket, by=SUPERVISOR, now=now, reason="r", to_tier="gods"
            ),
            "unknown macro": lambda: engine.apply_macro(ticket, "nope", by=AGENT, now=now),
            "unknown transition": lambda: engine.apply(ticket, "explode", by=AGENT, now=now),
            "reason none": lambda: engine.consult(ticket, by=AGENT, now=now, reason=None),  # type: ignore[arg-type]
            "text list": lambda: engine.reply(ticket, by=AGENT, now=now, text=["hi"]),  # type: ignore[arg-type]
        }
        self.run(odd[mistake], refused=True)

    @rule(by=ACTORS, tags=st.lists(st.sampled_from(["vip", "x", "y"]), max_size=2))
    def retag(self, by: Actor, tags: list[str]) -> None:
        """A valid update of tags, custom fields and links (changes the SLA policy's match)."""
        self.attempt(
            "update", by=by, add_tags=tags, fields={"n": len(tags), "ok": True},
            links=[Link("contact", "c-1")],
        )  # fmt: skip

    @rule(by=ACTORS)
    def macro(self, by: Actor) -> None:
        """Apply the macro (all or nothing)."""
        self.run(lambda: self.engine.apply_macro(self.ticket, "tag_vip", by=by, now=self.now))

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
        elapsed = self.engine.sla_elapsed(self.ticket, SlaMetric.RESOLUTION, now=self.now)
        assert elapsed == self.counted

    @invariant()
    def elapsed_time_never_decreases(self) -> None:
        """No clock's elapsed time goes down within a cycle."""
        for name, clock in self.ticket.sla.items():
            elapsed = self.engine.sla_elapsed(self.ticket, SlaMetric(name), now=self.now)
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
