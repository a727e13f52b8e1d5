"""Every engine call returns one frozen TicketUpdate: an ActionUpdate[TicketAction]."""

from __future__ import annotations

import re
from datetime import timedelta

import attrs
import pytest

import callcore.tickets
from callcore.contacts import Channel
from callcore.events import ActionUpdate, Event, Update
from callcore.tickets import (
    Change,
    FollowUpDue,
    ScheduleFollowUp,
    SlaMetric,
    SlaPolicy,
    SlaTarget,
    TicketAction,
    TicketEngine,
    TicketSettings,
    TicketUpdate,
)
from tests.tickets.strategies import AGENT, START, SUPERVISOR

DAY = timedelta(days=1)


def updates() -> list[TicketUpdate]:
    """An update of each kind of call, on an engine with an SLA policy."""
    policy = SlaPolicy("p", (SlaTarget(SlaMetric.FIRST_RESPONSE, timedelta(hours=1)),))
    engine = TicketEngine(TicketSettings(sla_policies=(policy,)))
    created = engine.create(
        id="T-1", subject="s", channel=Channel.VOICE, customer="c", now=START, assignee="ana"
    )
    ticket = created.ticket
    return [
        created,
        engine.apply(ticket, "need_follow_up", by=AGENT, now=START),
        engine.tick(ticket, now=START + 2 * DAY),
        engine.reply(ticket, by=AGENT, now=START + 2 * DAY, text="hi"),
        engine.escalate(ticket, by=SUPERVISOR, now=START + 2 * DAY, reason="r"),
        engine.apply(ticket, "close", by=SUPERVISOR, now=START + 2 * DAY),
    ]


def test_an_update_has_the_shape_of_every_engines_update() -> None:
    """TicketUpdate satisfies callcore.events.ActionUpdate[TicketAction] (mypy checks it)."""
    for update in updates():
        shaped: ActionUpdate[TicketAction] = update
        plain: Update = update
        assert isinstance(shaped.actions, tuple)
        assert all(isinstance(event, Event) for event in plain.events)
    follow_up, due = updates()[1:3]
    assert follow_up.actions == (ScheduleFollowUp("T-1", START + DAY),)
    assert [type(a) for a in due.actions] == [FollowUpDue]


def test_an_update_is_frozen_and_equal_to_its_constructor() -> None:
    """Updates are frozen attrs values; the engine's fast way to build one makes the same."""
    assert [field.name for field in attrs.fields(TicketUpdate)] == ["ticket", "actions", "_span"]
    for update in updates():
        with pytest.raises(attrs.exceptions.FrozenInstanceError):
            update.actions = ()  # type: ignore[misc]
        span = attrs.astuple(update, recurse=False)[2]
        assert update == TicketUpdate(update.ticket, update.actions, span)


def test_the_events_are_the_calls_changes_in_order() -> None:
    """events: the SLA events reached, then this call's history entries (and no others)."""
    made = updates()
    ticket = made[0].ticket
    changes = [change for update in made for change in update.changes]
    assert changes == list(ticket.history)
    for update in made:
        assert [e for e in update.events if isinstance(e, Change)] == list(update.changes)
    late = made[2].events  # two days on: the first response was breached (no warning then)
    assert [e.kind for e in late] == ["ticket.sla_breached", "ticket.changed"]


def test_every_ticket_event_has_a_dotted_kind() -> None:
    """Each event type of the engine is named ticket.<what_happened>."""
    kinds = {
        obj.kind
        for name in callcore.tickets.__all__
        if isinstance(obj := getattr(callcore.tickets, name), type) and issubclass(obj, Event)
    }
    assert kinds == {"ticket.changed", "ticket.sla_warning", "ticket.sla_breached"}
    assert all(re.fullmatch(r"ticket\.[a-z_]+", kind) for kind in kinds)
    for update in updates():
        assert all(event.kind in kinds for event in update.events)
