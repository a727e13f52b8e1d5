"""Stateful test: every gated action, tried by every role, against the role table.

The expected answers come from ROLE_TABLE below, written out by hand from the
roles table in the docs (docs/access/index.md), not read from the code. After a
refusal the ticket's serialised form is byte-identical and the only trace is
the refusal's audit event; after an allowed call, one allowed audit event.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta, timezone
from typing import Any

import pytest
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule

from callcore.access import (
    AccessChecked,
    AccessDeniedError,
    AccessPolicy,
    AuditTrail,
    Gate,
    Principal,
    Role,
)
from callcore.contacts import Channel
from callcore.errors import InvalidInputError, PermissionDeniedError
from callcore.serialization import dumps
from callcore.tickets import Actor, Ticket, TicketEngine

START = datetime(2026, 3, 2, 9, 0, tzinfo=timezone.utc)

REP, SPEC, SUP, MAN = "representative", "specialist", "supervisor", "manager"
ROLE_TABLE: dict[str, set[str]] = {
    "recordings.listen": {SUP, MAN, "quality_analyst"},
    "calls.monitor": {SUP, MAN},
    "calls.whisper": {SUP, MAN},
    "calls.barge": {SUP, MAN},
    "customers.export": {MAN},
    "customers.erase": {MAN},
    "config.flows": {MAN},
    "config.queues": {MAN},
    "config.workflows": {MAN},
    "config.sla_policies": {MAN},
    "tickets.reassign": {SUP, MAN},
    "tickets.escalate": {REP, SPEC, SUP, MAN},
    "tickets.de_escalate": {SPEC, SUP, MAN},
    "agents.override_state": {SUP, MAN},
}
"""Which roles may do what: the docs' roles table, plus the host's quality analyst."""

ANALYST = Role("quality_analyst", frozenset({"recordings.listen"}), "Scores recorded calls.")
POLICY = AccessPolicy().with_roles(ANALYST)
PRINCIPALS = [
    POLICY.principal(f"user_{role}", [role]) for role in (REP, SPEC, SUP, MAN, ANALYST.name)
]
PRINCIPALS.append(POLICY.principal("nobody", []))
PRINCIPALS.append(POLICY.principal("dual", [REP, ANALYST.name]))
CALLERS: list[Any] = [
    *PRINCIPALS,
    Actor("user_manager", frozenset({MAN})),  # claims a role: not authenticated
    "user_manager",
]
AGENTS = ["ana", "bob", None]
QUEUES = ["support", "billing", None]


def expected(caller: Any, permission: str) -> bool:
    """The role table's answer: only a principal, and only through one of its roles."""
    return isinstance(caller, Principal) and bool(caller.roles & ROLE_TABLE[permission])


def test_the_table_names_every_builtin_permission() -> None:
    """The hand-written table covers the built-in permissions, no more, no fewer."""
    from callcore.access import PERMISSIONS  # noqa: PLC0415 - next to the check

    assert set(ROLE_TABLE) == set(PERMISSIONS)


class GatedDesk(RuleBasedStateMachine):
    """A gated ticket engine with a few tickets; random callers try gated actions."""

    def __init__(self) -> None:
        """An engine with a gate, two tickets at different tiers."""
        super().__init__()
        self.trail = AuditTrail()
        self.gate = Gate(POLICY, self.trail)
        self.engine = TicketEngine(access=self.gate)
        self.now = START
        self.tickets: list[Ticket] = []
        owner = Actor("ana", frozenset({"agent"}))
        for index in range(2):
            ticket = self.engine.create(
                customer=f"c{index}",
                subject="help",
                channel=Channel.EMAIL,
                by=owner,
                now=self.now,
            ).ticket
            self.tickets.append(ticket)
        # the second ticket one tier up, so both escalating and de-escalating can succeed
        self.engine.escalate(self.tickets[1], by=PRINCIPALS[0], now=self.now, reason="setup")
        self.trail.drain()

    def _try(self, caller: Any, permission: str, ticket: Ticket, call: Callable[[], Any]) -> None:
        """Run ``call``; check the answer, the ticket and the audit against the table."""
        before = dumps(ticket)
        if isinstance(caller, str):  # a mistyped argument, before any gate: not audited
            with pytest.raises(InvalidInputError, match="by must be a Principal or an Actor"):
                call()
            assert dumps(ticket) == before
            assert self.trail.events == []
            return
        if not expected(caller, permission):
            with pytest.raises(AccessDeniedError) as info:
                call()
            error = info.value
            assert isinstance(error, PermissionDeniedError)
            assert isinstance(error, PermissionError)
            assert (error.permission, error.target) == (permission, f"ticket:{ticket.id}")
            assert error.actor in str(error)
            assert permission in str(error)
            assert dumps(ticket) == before
            assert self.trail.drain() == (error.event,)
            assert not error.event.allowed
            return
        update = call()
        assert dumps(ticket) != before
        (event,) = self.trail.drain()
        assert event.allowed
        assert event.permission == permission
        assert event.actor == caller.id
        assert event in update.events

    def _step(self) -> None:
        self.now += timedelta(minutes=1)

    @rule(caller=st.sampled_from(CALLERS), which=st.integers(0, 1), to=st.sampled_from(AGENTS))
    def reassign(self, caller: Any, which: int, to: str | None) -> None:
        """Give a ticket to another agent (or nobody)."""
        self._step()
        ticket = self.tickets[which]
        if to == ticket.assignee:
            return
        self._try(
            caller,
            "tickets.reassign",
            ticket,
            lambda: self.engine.update(
                ticket, by=caller, now=self.now, assignee=to, reason="rebalance"
            ),
        )

    @rule(caller=st.sampled_from(CALLERS), which=st.integers(0, 1), to=st.sampled_from(QUEUES))
    def move_queue(self, caller: Any, which: int, to: str | None) -> None:
        """Move a ticket to another queue: a reassignment too."""
        self._step()
        ticket = self.tickets[which]
        if to == ticket.queue:
            return
        self._try(
            caller,
            "tickets.reassign",
            ticket,
            lambda: self.engine.update(ticket, by=caller, now=self.now, queue=to),
        )

    @rule(caller=st.sampled_from(CALLERS), which=st.integers(0, 1), up=st.booleans())
    def change_tier(self, caller: Any, which: int, *, up: bool) -> None:
        """Escalate or de-escalate, where the tiers leave room to."""
        self._step()
        ticket = self.tickets[which]
        rank = self.engine.tier_rank(ticket.tier)
        top = len(self.engine.settings.tiers) - 1
        if (up and rank == top) or (not up and rank == 0):
            return
        method = self.engine.escalate if up else self.engine.de_escalate
        permission = "tickets.escalate" if up else "tickets.de_escalate"
        self._try(
            caller,
            permission,
            ticket,
            lambda: method(ticket, by=caller, now=self.now, reason="needs it"),
        )

    @rule(which=st.integers(0, 1))
    def ungated_update(self, which: int) -> None:
        """A change that is no reassignment needs no principal and is not audited."""
        self._step()
        ticket = self.tickets[which]
        self.engine.update(ticket, by=Actor("bob"), now=self.now, add_tags=["seen"])
        assert self.trail.events == []

    @rule(
        caller=st.sampled_from(CALLERS),
        permission=st.sampled_from(sorted(ROLE_TABLE)),
        obj=st.sampled_from(["recording:r1", "customer:c1", "flow:main", "agent:bob"]),
    )
    def any_gate(self, caller: Any, permission: str, obj: str) -> None:
        """The gate alone, for every permission: the table's answer, audited either way."""
        self._step()
        if expected(caller, permission):
            event = self.gate.check(caller, permission, obj, now=self.now)
            assert event.allowed
        else:
            with pytest.raises(AccessDeniedError) as info:
                self.gate.check(caller, permission, obj, now=self.now)
            event = info.value.event
            assert (info.value.permission, info.value.target) == (permission, obj)
        assert self.trail.drain() == (event,)
        assert isinstance(event, AccessChecked)
        assert event.target == obj

    @invariant()
    def nothing_left_unaudited(self) -> None:
        """Every check was taken and compared by the rule that made it."""
        assert self.trail.events == []


TestGatedDesk = GatedDesk.TestCase
