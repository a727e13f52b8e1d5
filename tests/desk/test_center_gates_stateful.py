"""Stateful test: every gated action of the desk, tried by every role, against the role table.

One centre with a connected call, a second agent, a spare customer and a
ticket; random callers (a principal of each built-in role, a host's quality
analyst, a principal with no role, a ticket Actor claiming to be a manager)
try the gated actions in random order. The expected answer is the role
table written out by hand in ``test_gates_stateful.ROLE_TABLE``. After a
refusal, everything the centre, its store and its telephony show is as it
was, and the refusal's audit event reached ``callcore_domain_event``; every
check, allowed or refused, is one audit event.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta, timezone
from typing import Any

import pytest
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule

from callcore.access import AccessDeniedError, AuditTrail, Gate
from callcore.center import MonitorMode, RecordingPolicy, load_center
from callcore.clock import ManualClock
from callcore.contacts import AgentState, Channel
from callcore.customers import Customer
from callcore.ivr import Digits
from callcore.privacy import erase_customer, export_customer
from callcore.serialization import dumps
from callcore.storage import MemoryStorage
from callcore.testing.fakes import EventLog, FakeTelephony
from callcore.testing.pytest_plugin import DEFAULT_CENTER
from callcore.tickets import DEFAULT_WORKFLOW, Actor
from tests.access.test_gates_stateful import POLICY, PRINCIPALS, ROLE_TABLE, expected

START = datetime(2026, 1, 5, 9, 0, tzinfo=timezone.utc)
CALLERS: list[Any] = [*PRINCIPALS, Actor("meg", frozenset({"manager"}))]
CONFIG = {
    **DEFAULT_CENTER,
    "agents": [
        {"agent_id": "a1", "memberships": [{"queue": "support"}]},
        {"agent_id": "a2", "memberships": [{"queue": "support"}]},
    ],
}
MODES = {
    "calls.monitor": MonitorMode.LISTEN,
    "calls.whisper": MonitorMode.WHISPER,
    "calls.barge": MonitorMode.BARGE,
}


class GatedCenter(RuleBasedStateMachine):
    """A centre with a gate; each rule is one gated action by one caller."""

    def __init__(self) -> None:
        """a1 on a call, a2 available, a spare customer, a ticket at the first tier."""
        super().__init__()
        self.clock = ManualClock(START)
        self.store = MemoryStorage()
        self.telephony = FakeTelephony()
        self.log = EventLog()
        self.center = load_center(
            CONFIG, clock=self.clock, store=self.store, plugins=[self.telephony, self.log]
        )
        self.telephony.attach(self.center)
        self.trail = AuditTrail()
        self.center.access = Gate(POLICY, self.trail)
        self.center.tickets.access = self.center.access
        self.center.agent_logged_in("a1")
        self.center.agent_logged_in("a2", ready=False)
        self.center.inbound_call(caller="+40721234567", dialled="+1", contact_id="k1")
        self.center.caller_input("k1", Digits("1"))
        self.center.agent_accepted("k1", "a1")
        self.store.add_customer(Customer(id="spare", created_at=START, name="Spare Person"))
        ticket = self.center.tickets.create(
            id="T-9", subject="s", channel=Channel.EMAIL, customer="spare", now=START
        ).ticket
        self.store.add_ticket(ticket)
        self.trail.drain()
        self.toggle = False

    def _now(self) -> datetime:
        return self.clock.advance(timedelta(seconds=1))

    def _seen(self) -> tuple[object, ...]:
        """Everything a refusal must leave as it was."""
        center = self.center
        ticket = self.store.get_ticket("T-9")
        spare = self.store.get_customer("spare")
        return (
            center.monitors_of("k1"),
            center.recording_policy("support"),
            center.router.agent("a2").state,
            dict(center._flows),
            center.tickets,
            dumps(ticket),
            None if spare is None else dumps(spare),
            len(self.telephony.actions),
        )

    def _try(
        self, caller: Any, permission: str, call: Callable[[], object], *, centre: bool = True
    ) -> None:
        """Run ``call``: allowed or refused as the table says; a refusal changes nothing."""
        before = self._seen()
        if expected(caller, permission):
            call()
            (event,) = self.trail.drain()
            assert (event.allowed, event.permission, event.actor) == (True, permission, caller.id)
            return
        with pytest.raises(AccessDeniedError) as info:
            call()
        assert info.value.permission == permission
        assert self._seen() == before
        (event,) = self.trail.drain()
        assert event == info.value.event
        assert not event.allowed
        if centre:  # the centre broadcasts a refusal to callcore_domain_event
            assert self.log.events[-1] == event

    @rule(caller=st.sampled_from(CALLERS), permission=st.sampled_from(sorted(MODES)))
    def monitor(self, caller: Any, permission: str) -> None:
        """Listen, whisper or barge into the live call."""
        self._try(
            caller,
            permission,
            lambda: self.center.monitor_call("k1", MODES[permission], by=caller, now=self._now()),
        )

    @rule(caller=st.sampled_from(CALLERS))
    def override(self, caller: Any) -> None:
        """Set a2 ready or not ready."""
        state = AgentState.NOT_READY
        if self.center.router.agent("a2").state is AgentState.NOT_READY:
            state = AgentState.AVAILABLE
        self._try(
            caller,
            "agents.override_state",
            lambda: self.center.override_agent_state("a2", state, by=caller, now=self._now()),
        )

    @rule(caller=st.sampled_from(CALLERS))
    def recording_policy(self, caller: Any) -> None:
        """Change the support queue's recording policy."""
        policy = RecordingPolicy.ALWAYS
        if self.center.recording_policy("support") is RecordingPolicy.ALWAYS:
            policy = RecordingPolicy.ON_DEMAND
        self._try(
            caller,
            "config.queues",
            lambda: self.center.set_recording_policy("support", policy, by=caller, now=self._now()),
        )

    @rule(caller=st.sampled_from(CALLERS))
    def listen(self, caller: Any) -> None:
        """Listen to a recording."""
        self._try(
            caller,
            "recordings.listen",
            lambda: self.center.listen_to_recording("r1", by=caller, now=self._now()),
        )

    @rule(caller=st.sampled_from(CALLERS), which=st.sampled_from(["flows", "workflows", "sla"]))
    def configure(self, caller: Any, which: str) -> None:
        """Change the flow of every number, the default workflow, or the SLA policies."""
        center = self.center
        flow = center._flows["*"]
        calls: dict[str, tuple[str, Callable[[], object]]] = {
            "flows": (
                "config.flows",
                lambda: center.change_flow("*", flow, by=caller, now=self._now()),
            ),
            "workflows": (
                "config.workflows",
                lambda: center.change_workflow(DEFAULT_WORKFLOW, by=caller, now=self._now()),
            ),
            "sla": (
                "config.sla_policies",
                lambda: center.change_sla_policies([], by=caller, now=self._now()),
            ),
        }
        permission, call = calls[which]
        self._try(caller, permission, call)

    @rule(caller=st.sampled_from(CALLERS), erase=st.booleans())
    def customer_data(self, caller: Any, *, erase: bool) -> None:
        """Export or erase the spare customer (added back after an erasure)."""
        gate, now = self.center.access, self._now()
        if erase:
            self._try(
                caller,
                "customers.erase",
                lambda: erase_customer(self.store, "spare", by=caller, gate=gate, now=now),
                centre=False,
            )
            if self.store.get_customer("spare") is None:
                self.store.add_customer(Customer(id="spare", created_at=START))
                self.store.add_ticket(
                    self.center.tickets.create(
                        id="T-9", subject="s", channel=Channel.EMAIL, customer="spare", now=START
                    ).ticket
                )
        else:
            self._try(
                caller,
                "customers.export",
                lambda: export_customer(self.store, "spare", by=caller, gate=gate, now=now),
                centre=False,
            )

    @rule(caller=st.sampled_from(CALLERS), move=st.sampled_from(["up", "down", "reassign"]))
    def ticket(self, caller: Any, move: str) -> None:
        """Escalate, de-escalate or reassign the spare customer's ticket (saved when allowed)."""
        ticket = self.store.get_ticket("T-9")
        assert ticket is not None
        engine, now = self.center.tickets, self._now()
        rank = engine.tier_rank(ticket.tier)
        if move == "up" and rank == len(engine.settings.tiers) - 1:
            move = "down"
        if move == "down" and rank == 0:
            move = "up"
        moves: dict[str, tuple[str, Callable[[], object]]] = {
            "up": (
                "tickets.escalate",
                lambda: engine.escalate(ticket, by=caller, now=now, reason="hard"),
            ),
            "down": (
                "tickets.de_escalate",
                lambda: engine.de_escalate(ticket, by=caller, now=now, reason="easy"),
            ),
            "reassign": (
                "tickets.reassign",
                lambda: engine.update(
                    ticket, by=caller, now=now, assignee="bob" if ticket.assignee != "bob" else "a1"
                ),
            ),
        }
        permission, call = moves[move]

        def act() -> None:
            call()
            self.store.save_ticket(ticket)

        self._try(caller, permission, act, centre=False)

    @invariant()
    def every_check_was_taken(self) -> None:
        """No audit event is left unexamined."""
        assert self.trail.events == []


def test_the_actions_cover_every_permission() -> None:
    """The rules above exercise every permission of the role table."""
    covered = {
        *MODES,
        "agents.override_state",
        "config.queues",
        "recordings.listen",
        "config.flows",
        "config.workflows",
        "config.sla_policies",
        "customers.erase",
        "customers.export",
        "tickets.escalate",
        "tickets.de_escalate",
        "tickets.reassign",
    }
    assert covered == set(ROLE_TABLE)


TestGatedCenter = GatedCenter.TestCase
