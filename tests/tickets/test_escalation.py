"""Escalation tiers: manual moves, rules as data, consults, notifications."""

from __future__ import annotations

from datetime import timedelta

import pytest

from callcore.contacts import Channel
from callcore.errors import DocumentError, InvalidInputError, InvalidTransitionError, Problem
from callcore.notifications import NotificationChannel
from callcore.tickets import (
    EscalationRule,
    EscalationTrigger,
    Notify,
    Priority,
    SlaMetric,
    SlaPolicy,
    SlaTarget,
    Ticket,
    TicketEngine,
    TicketSettings,
)
from tests.tickets.strategies import AGENT, START, SUPERVISOR


def make(engine: TicketEngine, subject: str = "Help", **kwargs: object) -> Ticket:
    """Create a ticket assigned to Ana."""
    return engine.create(
        id="T-1", subject=subject, channel=Channel.CHAT, customer="c", now=START,
        assignee=AGENT.id, **kwargs,  # type: ignore[arg-type]
    ).ticket  # fmt: skip


def test_manual_escalation_moves_up_one_tier_and_notifies() -> None:
    """Escalating records tier, queue and unassignment, and notifies the new queue."""
    engine = TicketEngine()
    ticket = make(engine)
    update = engine.escalate(ticket, by=AGENT, now=START, reason="needs a network engineer")
    assert (ticket.tier, ticket.queue, ticket.assignee) == ("specialists", "specialists", None)
    assert [(c.field, c.old, c.new) for c in ticket.history[1:]] == [
        ("tier", "front_line", "specialists"),
        ("queue", "front_line", "specialists"),
        ("assignee", "ana", None),
    ]
    (action,) = update.actions
    assert isinstance(action, Notify)
    assert action.notification.channel is NotificationChannel.IN_APP
    assert action.notification.to == "queue:specialists"
    assert action.notification.data["reason"] == "needs a network engineer"


def test_escalation_needs_a_reason_and_a_higher_tier() -> None:
    """No reason, an unknown tier or the top tier are refused without change."""
    engine = TicketEngine()
    ticket = make(engine)
    with pytest.raises(InvalidInputError, match="reason"):
        engine.escalate(ticket, by=AGENT, now=START, reason=" ")
    with pytest.raises(InvalidInputError, match="unknown tier 'gods'"):
        engine.escalate(ticket, by=AGENT, now=START, reason="x", to_tier="gods")
    engine.escalate(ticket, by=AGENT, now=START, reason="x", to_tier="supervisors")
    with pytest.raises(InvalidTransitionError, match="no higher tier"):
        engine.escalate(ticket, by=AGENT, now=START, reason="more")
    assert ticket.tier == "supervisors"


def test_de_escalation_goes_back_down() -> None:
    """De-escalating from supervisors goes to specialists, then to front line."""
    engine = TicketEngine()
    ticket = make(engine)
    engine.escalate(ticket, by=AGENT, now=START, reason="x", to_tier="supervisors")
    engine.de_escalate(ticket, by=SUPERVISOR, now=START, reason="answered")
    assert ticket.tier == "specialists"
    engine.de_escalate(ticket, by=SUPERVISOR, now=START, reason="routine", to_tier="front_line")
    assert ticket.tier == "front_line"
    with pytest.raises(InvalidTransitionError, match="no lower tier"):
        engine.de_escalate(ticket, by=SUPERVISOR, now=START, reason="x")


def test_a_consult_is_recorded_without_moving_the_ticket() -> None:
    """Asking a supervisor for help keeps tier and assignee, records and notifies."""
    engine = TicketEngine()
    ticket = make(engine)
    update = engine.consult(ticket, by=AGENT, now=START, reason="refund over limit")
    assert (ticket.tier, ticket.assignee) == ("front_line", "ana")
    assert (ticket.history[-1].action, ticket.history[-1].reason) == (
        "consult", "refund over limit"
    )  # fmt: skip
    (action,) = update.actions
    assert isinstance(action, Notify)
    assert action.notification.to == "queue:supervisors"


def rules_engine(*rules: EscalationRule, policies: tuple[SlaPolicy, ...] = ()) -> TicketEngine:
    """An engine with escalation rules."""
    return TicketEngine(TicketSettings(escalation_rules=rules, sla_policies=policies))


def test_a_vip_starts_at_a_higher_tier() -> None:
    """A customer-tier rule places the new ticket at its tier."""
    engine = rules_engine(
        EscalationRule("vip", EscalationTrigger.CUSTOMER_TIER, "specialists",
                       customer_tiers=frozenset({"vip"})),
    )  # fmt: skip
    assert make(engine, customer_tier="vip").tier == "specialists"
    assert make(engine).tier == "front_line"


def test_keyword_and_priority_rules() -> None:
    """A keyword in the subject or a raised priority escalates, each rule once."""
    engine = rules_engine(
        EscalationRule("legal", EscalationTrigger.KEYWORD, "supervisors",
                       keywords=("lawyer", "GDPR")),
        EscalationRule("urgent", EscalationTrigger.PRIORITY, "specialists",
                       priorities=frozenset({Priority.URGENT})),
    )  # fmt: skip
    assert make(engine, subject="My lawyer will call").tier == "supervisors"
    assert make(engine, subject="lawyers are words too").tier == "front_line"
    ticket = make(engine, subject="gdpr request")
    assert ticket.tier == "supervisors"
    plain = make(engine)
    engine.update(plain, by=AGENT, now=START, priority=Priority.URGENT)
    assert plain.tier == "specialists"
    assert plain.history[-3].reason == "rule 'urgent'"
    engine.de_escalate(plain, by=SUPERVISOR, now=START, reason="not that urgent")
    engine.update(plain, by=AGENT, now=START, add_tags=["x"])
    assert plain.tier == "front_line"  # a rule fires once


def test_reopen_count_rule() -> None:
    """The second reopening moves the ticket to specialists."""
    engine = rules_engine(
        EscalationRule("reopened", EscalationTrigger.REOPEN_COUNT, "specialists", reopen_count=2)
    )
    ticket = make(engine)
    for _ in range(2):
        assert ticket.tier == "front_line"
        engine.apply(ticket, "resolve", by=SUPERVISOR, now=START, note="done")
        engine.customer_reply(ticket, now=START, text="still broken")
    assert ticket.reopen_count == 2
    assert ticket.tier == "specialists"


def test_sla_at_risk_and_breach_rules() -> None:
    """At 50% of the resolution target go to specialists; at breach to supervisors."""
    policy = SlaPolicy("p", (SlaTarget(SlaMetric.RESOLUTION, timedelta(hours=4)),), warn_at=())
    engine = rules_engine(
        EscalationRule("risk", EscalationTrigger.SLA_AT_RISK, "specialists", fraction=0.5),
        EscalationRule("breach", EscalationTrigger.SLA_BREACH, "supervisors",
                       metric=SlaMetric.RESOLUTION),
        policies=(policy,),
    )  # fmt: skip
    ticket = make(engine)
    assert engine.tick(ticket, now=START + timedelta(hours=2) - timedelta(seconds=1)).actions == ()
    assert len(engine.tick(ticket, now=START + timedelta(hours=2)).actions) == 1
    assert ticket.tier == "specialists"
    engine.tick(ticket, now=START + timedelta(hours=4))
    assert ticket.tier == "supervisors"


def test_rules_are_validated() -> None:
    """Unknown tiers and missing parameters are reported together."""
    with pytest.raises(DocumentError) as caught:
        rules_engine(
            EscalationRule("a", EscalationTrigger.KEYWORD, "nowhere"),
            EscalationRule("a", EscalationTrigger.SLA_AT_RISK, "specialists", fraction=1.5),
        )
    assert set(caught.value.problems) == {
        Problem("escalation_rules[0].to_tier", "unknown tier 'nowhere'"),
        Problem("escalation_rules[0].keywords", "a 'keyword' rule needs at least one keyword"),
        Problem("escalation_rules[1].name", "duplicate rule name 'a'"),
        Problem("escalation_rules[1].fraction", "must be between 0 and 1"),
    }
