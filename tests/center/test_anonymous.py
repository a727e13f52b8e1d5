"""A caller who withholds the number (and a chat visitor who gives no address).

What an experienced user expects, as Zendesk Talk does with blocked numbers:
each such contact gets a new customer of its own, so that strangers' histories
never merge; the IVR knows the caller is anonymous; no survey goes out (there
is no address to send it to).
"""

from __future__ import annotations

from datetime import timedelta

import pytest

from callcore.center import ANONYMOUS, ContactArrived, ContactCompleted, Disposition
from callcore.contacts import Channel, ContactOutcome
from callcore.customers import CustomerCreated
from callcore.errors import InvalidInputError
from tests.center.kit import example

S = timedelta(seconds=1)


@pytest.mark.parametrize(
    "caller",
    [None, "", "anonymous", "Anonymous", "RESTRICTED", "private", "+266696687", " unknown "],
)
def test_a_withheld_caller_id_is_a_new_anonymous_customer_every_time(caller: str | None) -> None:
    """Two withheld calls: two customers, no identity, no history; neither merged."""
    kit = example.build()
    center = kit.center
    customers = []
    for contact_id in ("CA-1", "CA-2"):
        arrived = center.inbound_call(caller=caller, dialled=example.DIALLED, contact_id=contact_id)
        assert arrived.kinds()[:3] == (
            "customer.created",
            "center.contact_arrived",
            "ivr.session_started",
        )
        (created,) = arrived.of_type(CustomerCreated)
        (came,) = arrived.of_type(ContactArrived)
        assert (came.address, came.customer_id) == (ANONYMOUS, created.customer.id)
        assert created.customer.identities == ()
        assert created.customer.attributes == {"anonymous": True}
        live = center.contact(contact_id)
        assert (live.anonymous, live.history) == (True, ())
        assert live.session is not None
        state = live.session.snapshot()
        assert state.caller["anonymous"] is True
        assert state.call["ani"] == ""
        customers.append(created.customer.id)
    assert customers[0] != customers[1]


def test_a_known_caller_is_not_mixed_with_anonymous_ones() -> None:
    """Ana calls, then a withheld call: the anonymous one does not get Ana's customer."""
    kit = example.build()
    center = kit.center
    ana = center.inbound_call(caller=example.ANA, dialled=example.DIALLED, contact_id="CA-1")
    hidden = center.inbound_call(caller="anonymous", dialled=example.DIALLED, contact_id="CA-2")
    (ana_created,) = ana.of_type(CustomerCreated)
    (hidden_created,) = hidden.of_type(CustomerCreated)
    assert ana_created.customer.id != hidden_created.customer.id
    assert ana.of_type(CustomerCreated)[0].customer.identities[0].value == "+40721234567"
    again = center.inbound_call(caller=example.ANA, dialled=example.DIALLED, contact_id="CA-3")
    assert again.kinds()[0] == "customer.identified"


def test_an_anonymous_call_is_served_and_closed_without_a_survey() -> None:
    """The whole flow for a withheld number: queued, answered, closed; history kept; no survey."""
    kit = example.build()
    center, clock, telephony = kit.center, kit.clock, kit.telephony
    center.agent_logged_in(example.A1)
    arrived = center.inbound_call(caller="anonymous", dialled=example.DIALLED, contact_id="CA-1")
    customer_id = arrived.of_type(CustomerCreated)[0].customer.id
    clock.advance(5 * S)
    telephony.press("CA-1", "2")
    clock.advance(3 * S)
    telephony.answer("CA-1", "a1")
    clock.advance(60 * S)
    center.agent_ended("CA-1")
    wrapped = center.agent_wrapped_up("CA-1", disposition=Disposition.CLOSED, notes="helped")
    assert "center.survey_sent" not in wrapped.kinds()
    assert kit.notifier.sent == []
    (completed,) = wrapped.of_type(ContactCompleted)
    assert (completed.outcome, completed.record.customer_id) == (
        ContactOutcome.ANSWERED,
        customer_id,
    )
    (interaction,) = center.store.recent_interactions(customer_id, 5)
    assert interaction.notes == "helped"
    ticket = center.store.get_ticket(completed.record.ticket_id or "")
    assert ticket is not None
    assert (ticket.state, ticket.customer) == ("closed", customer_id)


def test_an_anonymous_chat_visitor() -> None:
    """A chat with no sender: an anonymous customer, a ticket, the chat queue."""
    kit = example.build()
    center = kit.center
    first = center.inbound_message(channel=Channel.CHAT, sender=None, text="hi", contact_id="C1")
    second = center.inbound_message(channel=Channel.CHAT, sender=None, text="hi", contact_id="C2")
    assert first.kinds()[:2] == ("customer.created", "center.contact_arrived")
    assert "acd.contact_queued" in first.kinds()
    ids = {update.of_type(CustomerCreated)[0].customer.id for update in (first, second)}
    assert len(ids) == 2
    assert center.contact("C1").subject == "chat from anonymous"


def test_a_malformed_caller_is_still_refused() -> None:
    """Only the withheld markers are anonymous; a malformed number is refused, naming caller."""
    kit = example.build()
    with pytest.raises(InvalidInputError) as raised:
        kit.center.inbound_call(caller="call me", dialled=example.DIALLED)
    assert raised.value.field == "caller"
    assert kit.center.contact_ids() == ()
