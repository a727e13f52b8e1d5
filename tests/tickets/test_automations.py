"""Time-based automations as data (Zendesk automations, Freshdesk supervisor rules)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from callcore.contacts import Channel
from callcore.errors import DocumentError
from callcore.tickets import (
    Automation,
    AutomationConditions,
    Notify,
    Ticket,
    TicketEngine,
    TicketSettings,
    load_ticket_settings,
)
from tests.tickets.strategies import AGENT, START
from tests.tickets.test_next_deadline import check_against_brute_force

HOUR = timedelta(hours=1)
STALE = Automation(
    "close stale pending",
    AutomationConditions(states=frozenset({"pending"}), in_state_for=48 * HOUR),
    transition="close",
    notify="customer",
    add_tags=frozenset({"auto_closed"}),
)
WATCH = Automation(
    "watch vips",
    AutomationConditions(tags=frozenset({"vip"}), age=HOUR),
    notify="queue",
)


def _new(engine: TicketEngine) -> Ticket:
    return engine.create(
        id="T-1", subject="s", channel=Channel.EMAIL, customer="c-1", now=START,
        assignee=AGENT.id,
    ).ticket  # fmt: skip


def test_a_ticket_pending_for_two_days_is_closed_tagged_and_its_customer_told() -> None:
    """Pending at START: nothing before START + 48 h; then close, tag and notify, once."""
    engine = TicketEngine(settings=TicketSettings(automations=(STALE,)))
    ticket = _new(engine)
    engine.apply(ticket, "wait_on_customer", by=AGENT, now=START)
    assert engine.next_deadline(ticket) == START + 48 * HOUR
    check_against_brute_force(engine, ticket)
    assert engine.tick(ticket, now=START + 48 * HOUR - timedelta(microseconds=1)).actions == ()
    update = engine.tick(ticket, now=START + 48 * HOUR)
    assert ticket.state == "closed"
    assert "auto_closed" in ticket.tags
    notices = [a for a in update.actions if isinstance(a, Notify)]
    assert [n.notification.to for n in notices] == ["c-1"]
    (closing,) = [c for c in update.changes if c.field == "state"]
    assert (closing.by, closing.reason) == ("system", "automation 'close stale pending'")


def test_an_automation_fires_once_per_condition_change() -> None:
    """Fires when a VIP ticket is an hour old; again only after the tag went and came back."""
    engine = TicketEngine(settings=TicketSettings(automations=(WATCH,)))
    ticket = _new(engine)
    assert engine.next_deadline(ticket) is None
    engine.update(ticket, by=AGENT, now=START, add_tags=["vip"])
    assert engine.next_deadline(ticket) == START + HOUR
    check_against_brute_force(engine, ticket)
    assert len(engine.tick(ticket, now=START + HOUR).actions) == 1
    assert engine.tick(ticket, now=START + 2 * HOUR).actions == ()
    assert engine.next_deadline(ticket) is None
    engine.update(ticket, by=AGENT, now=START + 3 * HOUR, remove_tags=["vip"])
    engine.update(ticket, by=AGENT, now=START + 4 * HOUR, add_tags=["vip"])
    assert engine.next_deadline(ticket) == START + 4 * HOUR
    check_against_brute_force(engine, ticket)
    assert len(engine.tick(ticket, now=START + 4 * HOUR).actions) == 1


def test_automations_naming_unknown_things_or_doing_nothing_are_refused() -> None:
    """Unknown state, tier and transition, and no action at all, each with its path."""
    document = {
        "automations": [
            {"name": "a", "conditions": {"states": ["limbo"], "tiers": ["gods"]},
             "transition": "teleport"},
            {"name": "b", "escalate_to": "gods"},
            {"name": "c"},
        ]
    }  # fmt: skip
    with pytest.raises(DocumentError) as caught:
        load_ticket_settings(document, workflows=TicketEngine().workflows)
    assert sorted(p.path for p in caught.value.problems) == [
        "automations[0].conditions.states",
        "automations[0].conditions.tiers",
        "automations[0].transition",
        "automations[1].escalate_to",
        "automations[2]",
    ]
