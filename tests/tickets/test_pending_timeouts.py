"""Pending timeouts: a reminder, then the system resolves a ticket the customer left waiting.

Times are worked by hand on office hours (Monday to Friday, 09:00-17:00 UTC).
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from callcore.contacts import Channel
from callcore.errors import DocumentError
from callcore.tickets import (
    Notify,
    PendingTimeout,
    Ticket,
    TicketEngine,
    TicketSettings,
    load_ticket_settings,
)
from tests.tickets.calendars import office_calendar
from tests.tickets.strategies import AGENT

UTC = timezone.utc
MONDAY = datetime(2026, 1, 5, 9, tzinfo=UTC)
HOUR = timedelta(hours=1)
TIMEOUT = PendingTimeout(
    "pending", after=16 * HOUR, transition="resolve", remind_after=8 * HOUR, calendar="office"
)


@pytest.fixture
def engine() -> TicketEngine:
    """Two business days to answer, a reminder after one."""
    return TicketEngine(
        settings=TicketSettings(pending_timeouts=(TIMEOUT,)),
        calendars={"office": office_calendar()},
    )


def _waiting(engine: TicketEngine) -> Ticket:
    ticket = engine.create(
        id="T-1", subject="Router", channel=Channel.EMAIL, customer="c-1", now=MONDAY,
        assignee=AGENT.id,
    ).ticket  # fmt: skip
    engine.apply(ticket, "wait_on_customer", by=AGENT, now=MONDAY + 6 * HOUR)  # Mon 15:00
    return ticket


def test_a_silent_customer_is_reminded_then_the_ticket_is_resolved(engine: TicketEngine) -> None:
    """Pending from Mon 15:00: reminded Tue 15:00 (8 business hours), resolved Wed 15:00 (16)."""
    ticket = _waiting(engine)
    tuesday, wednesday = MONDAY + timedelta(days=1, hours=6), MONDAY + timedelta(days=2, hours=6)
    assert engine.next_deadline(ticket) == tuesday
    assert engine.tick(ticket, now=tuesday - timedelta(microseconds=1)).actions == ()
    (reminder,) = engine.tick(ticket, now=tuesday).actions
    assert isinstance(reminder, Notify)
    assert (reminder.notification.to, reminder.notification.template) == ("c-1", "pending_reminder")
    assert engine.next_deadline(ticket) == wednesday
    assert engine.tick(ticket, now=wednesday - timedelta(microseconds=1)).actions == ()
    assert ticket.state == "pending"
    engine.tick(ticket, now=wednesday)
    assert ticket.state == "resolved"
    assert (ticket.history[-1].by, ticket.history[-1].action) == ("system", "resolve")


def test_a_reply_stops_the_timeout_and_a_new_wait_starts_it_again(engine: TicketEngine) -> None:
    """The customer answers Tuesday 10:00; waiting again at 11:00 counts from 11:00."""
    ticket = _waiting(engine)
    engine.customer_reply(ticket, now=MONDAY + timedelta(days=1, hours=1), text="here")
    assert ticket.state == "open"
    assert engine.next_deadline(ticket) is None
    engine.apply(ticket, "wait_on_customer", by=AGENT, now=MONDAY + timedelta(days=1, hours=2))
    # 8 business hours from Tue 11:00: Tue 6 h, Wed 2 h -> Wed 11:00
    assert engine.next_deadline(ticket) == MONDAY + timedelta(days=2, hours=2)


def test_pending_timeouts_naming_unknown_things_are_refused() -> None:
    """Unknown state, a transition not out of it, a late reminder, an unknown calendar."""
    document = {
        "pending_timeouts": [
            {"state": "limbo", "after": 3600, "transition": "resolve"},
            {"state": "pending", "after": 3600, "transition": "reopen", "remind_after": 7200,
             "calendar": "nowhere"},
        ]
    }  # fmt: skip
    with pytest.raises(DocumentError) as caught:
        load_ticket_settings(document, workflows=TicketEngine().workflows)
    assert sorted(p.path for p in caught.value.problems) == [
        "pending_timeouts[0].state",
        "pending_timeouts[0].transition",
        "pending_timeouts[1].calendar",
        "pending_timeouts[1].remind_after",
        "pending_timeouts[1].transition",
    ]
