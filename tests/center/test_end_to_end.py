"""The users' call flow, end to end, through the public API and the testing kit.

Each step asserts its events; times are chosen so that every KPI duration is
a hand-worked number.
"""

from __future__ import annotations

import logging
from datetime import timedelta

import pytest

from callcore.acd import ContactOffered
from callcore.center import (
    Conference,
    Connect,
    Consult,
    ContactCompleted,
    Disconnect,
    Disposition,
    HoldCaller,
    Phase,
    ResumeCaller,
    RingAgent,
    ScreenPop,
    TransferToAgent,
)
from callcore.contacts import Channel, ContactOutcome
from callcore.customers import Identity
from callcore.notifications import NotificationChannel
from tests.center.kit import example

S = timedelta(seconds=1)


def test_a_call_from_the_first_ring_to_the_survey() -> None:  # noqa: PLR0915 - the whole flow
    """Steps 1-7: identify, IVR with a CRM look-up, queue, answer, hold, end, close, survey, KPI."""
    kit = example.build()
    center, clock, telephony = kit.center, kit.clock, kit.telephony
    start = clock.now()
    assert center.agent_logged_in(example.A1).kinds() == ("acd.agent_state_changed",)

    # 1. the call arrives; Ana is new, so a customer is created; the IVR greets her
    arrived = center.inbound_call(caller=example.ANA, dialled=example.DIALLED, contact_id="CA-1")
    assert arrived.kinds() == ("customer.created", "center.contact_arrived", "ivr.session_started")
    assert telephony.caller_actions("CA-1") == ["gather"]
    customer_id = arrived.events[0].customer.id

    # 2. she presses 1: the CRM look-up runs through the hook, the flow queues her
    clock.advance(8 * S)
    pressed = telephony.press("CA-1", "1")
    assert pressed.kinds() == ("ivr.session_ended", "acd.contact_queued", "acd.contact_offered")
    assert kit.crm.asked == [("plan", {"customer": customer_id}, customer_id)]
    assert center.contact("CA-1").queue == "billing"
    routed = center.router.contact("CA-1")  # the queue node's priority, the session's language
    assert (routed.queue, routed.priority, routed.language) == ("billing", 5, "en")

    # 3. the agent of the queue is offered it
    (offer,) = telephony.ringing()
    assert (offer.contact_id, offer.agent_id, offer.queue) == ("CA-1", "a1", "billing")
    assert pressed.of_type(RingAgent)[0].offer == offer

    # 4. a1 accepts: connected, screen pop with customer, history and IVR variables
    clock.advance(6 * S)
    answered = telephony.answer("CA-1", "a1")
    assert answered.kinds()[0] == "acd.contact_answered"
    assert set(answered.kinds()[1:]) == {"ticket.changed"}
    assert [type(a) for a in answered.actions] == [Connect, ScreenPop]
    pop = answered.actions[1]
    assert isinstance(pop, ScreenPop)
    assert pop.customer.id == customer_id
    assert pop.history == ()
    assert dict(pop.variables) == {"plan": "unlimited", "balance_due": 42}
    ticket = center.store.get_ticket(pop.ticket_id or "")
    assert ticket is not None
    assert (ticket.state, ticket.assignee, ticket.customer) == ("open", "a1", customer_id)

    clock.advance(30 * S)
    assert center.agent_held("CA-1").kinds() == ("center.contact_held",)
    clock.advance(20 * S)
    assert center.agent_resumed("CA-1").kinds() == ("center.contact_resumed",)
    assert [type(a) for a in telephony.actions_for("CA-1")[-2:]] == [HoldCaller, ResumeCaller]

    # 5. the contact ends; wrap-up closes the ticket; the interaction goes into the history
    clock.advance(100 * S)
    ended = center.agent_ended("CA-1")
    assert ended.kinds() == ("acd.contact_ended", "acd.agent_state_changed")
    assert ended.actions == (Disconnect("CA-1", "agent_ended"),)
    clock.advance(40 * S)
    wrapped = center.agent_wrapped_up(
        "CA-1", disposition=Disposition.CLOSED, notes="explained the March invoice"
    )
    assert wrapped.kinds() == (
        "ticket.changed",
        "center.survey_sent",
        "kpi.records_added",
        "customer.interaction_recorded",
        "center.contact_completed",
        "acd.agent_state_changed",
    )
    ticket = center.store.get_ticket(ticket.id)
    assert ticket is not None
    assert ticket.state == "closed"
    (interaction,) = center.store.recent_interactions(customer_id, 10)
    assert (interaction.outcome, interaction.agent, interaction.resolved) == (
        ContactOutcome.ANSWERED,
        "a1",
        True,
    )
    assert (interaction.ticket_id, interaction.notes) == (ticket.id, "explained the March invoice")
    assert interaction.duration == (8 + 6 + 30 + 20 + 100) * S

    # 6. the survey goes out by automated call (Ana is known by phone only); she answers 5
    (survey,) = kit.notifier.sent
    assert (survey.channel, survey.to) == (NotificationChannel.CALL, "+40721234567")
    assert survey.data["ticket_id"] == ticket.id
    clock.advance(timedelta(hours=2))
    assert center.survey_answered(ticket.id, score=5).kinds() == ("ticket.changed",)
    ticket = center.store.get_ticket(ticket.id)
    assert ticket is not None
    assert ticket.survey is not None
    assert ticket.survey.score == 5

    # 7. one KPI record with every timestamp; every event was broadcast
    (completed,) = wrapped.of_type(ContactCompleted)
    record = completed.record
    assert record.id == "CA-1"
    assert record.outcome is ContactOutcome.ANSWERED
    assert record.arrived_at == start
    assert record.queued_at == start + 8 * S
    assert record.offered_at == start + 8 * S
    assert record.answered_at == start + 14 * S
    assert record.ended_at == start + 164 * S
    assert record.wrap_up_ended_at == start + 204 * S
    assert (record.hold_time, record.holds) == (20 * S, 1)
    assert record.ivr_path == ("welcome", "plan", "billing")
    assert (record.queue, record.agent, record.customer_id) == ("billing", "a1", customer_id)
    assert (record.ticket_id, record.first_contact_resolved) == (ticket.id, True)
    total = center.aggregator.total()
    assert (total.contacts, total.answered) == (1, 1)
    assert "ivr.session_started" in kit.log.kinds()
    assert kit.log.kinds().count("center.contact_completed") == 1
    assert center.contact_ids() == ()

    # a second call: Ana is known now, and her history comes with the screen pop
    clock.advance(timedelta(days=1))
    again = center.inbound_call(caller="+40721234567", dialled=example.DIALLED, contact_id="CA-2")
    assert again.kinds()[0] == "customer.identified"
    telephony.press("CA-2", "2")
    pop2 = telephony.answer("CA-2", "a1").actions[-1]
    assert isinstance(pop2, ScreenPop)
    assert [i.id for i in pop2.history] == [interaction.id]


def test_step_4_hold_consult_conference_and_a_warm_transfer() -> None:  # noqa: PLR0915
    """Step 4 in full: hold and resume, consult a senior agent, conference, warm transfer."""
    kit = example.build()
    center, clock, telephony = kit.center, kit.clock, kit.telephony
    start = clock.now()
    center.agent_logged_in(example.A1)
    center.inbound_call(caller=example.BOGDAN, dialled=example.DIALLED, contact_id="CA-2")
    clock.advance(6 * S)
    assert telephony.press("CA-2", "2").kinds()[1:] == ("acd.contact_queued", "acd.contact_offered")
    telephony.answer("CA-2", "a1")
    center.agent_logged_in(example.S1)  # the senior agent, free for consultations

    clock.advance(20 * S)
    held = center.agent_held("CA-2")
    assert (held.kinds(), held.actions) == (("center.contact_held",), (HoldCaller("CA-2"),))
    clock.advance(20 * S)
    resumed = center.agent_resumed("CA-2")
    assert (resumed.kinds(), resumed.actions) == (
        ("center.contact_resumed",),
        (ResumeCaller("CA-2"),),
    )
    clock.advance(20 * S)
    consulted = center.agent_consulted("CA-2", "s1")
    assert consulted.kinds() == ("center.contact_held", "center.contact_consulted")
    assert consulted.actions == (HoldCaller("CA-2"), Consult("CA-2", "a1", "s1"))
    clock.advance(20 * S)
    joined = center.agent_conferenced("CA-2", "s1")
    assert joined.kinds() == ("center.contact_resumed", "center.contact_conferenced")
    assert joined.actions == (Conference("CA-2", "a1", "s1"),)
    clock.advance(20 * S)
    moved = center.agent_transferred("CA-2", agent="s1")
    assert moved.kinds()[0] == "acd.contact_transferred"
    assert moved.kinds()[-2:] == ("ticket.changed", "center.contact_transferred")
    assert [type(action) for action in moved.actions] == [TransferToAgent, ScreenPop]
    assert moved.actions[0] == TransferToAgent("CA-2", "a1", "s1", warm=True)
    assert center.router.agent("s1").connected == ("CA-2",)
    assert center.router.agent("a1").connected == ()
    clock.advance(20 * S)
    center.agent_ended("CA-2")
    clock.advance(30 * S)
    wrapped = center.agent_wrapped_up(
        "CA-2", disposition=Disposition.RESOLVED, notes="s1 fixed the tariff"
    )

    (completed,) = wrapped.of_type(ContactCompleted)
    first, second = completed.legs
    assert (first.id, first.contact_id, second.id, second.contact_id) == (
        "CA-2",
        "CA-2",
        "CA-2.2",
        "CA-2",
    )
    assert (first.agent, first.holds, first.hold_time, first.consults, first.transfers) == (
        "a1",
        2,
        40 * S,
        1,
        1,
    )
    assert (first.answered_at, first.ended_at) == (start + 6 * S, start + 106 * S)
    assert (second.agent, second.answered_at, second.ended_at) == (
        "s1",
        start + 66 * S,
        start + 126 * S,
    )
    assert second.wrap_up_ended_at == start + 156 * S
    steps = completed.steps
    assert steps is not None
    assert (steps.arrived_at, steps.ivr_ended_at, steps.queued_at, steps.offered_at) == (
        start,
        start + 6 * S,
        start + 6 * S,
        start + 6 * S,
    )
    assert (steps.answered_at, steps.held_at, steps.ended_at, steps.wrap_up_ended_at) == (
        start + 6 * S,
        start + 26 * S,
        start + 126 * S,
        start + 156 * S,
    )
    ticket = center.store.get_ticket(first.ticket_id or "")
    assert ticket is not None
    assert (ticket.state, ticket.assignee) == ("resolved", "s1")
    customer = center.store.find_customer(Identity.parse(example.BOGDAN, "40"))
    assert customer is not None
    (interaction,) = center.store.recent_interactions(customer.id, 5)
    assert (interaction.agent, interaction.resolved, interaction.duration) == ("s1", True, 126 * S)
    total = center.aggregator.total()
    assert (total.contacts, total.answered, total.fcr_resolved) == (1, 2, 1)


def _message(channel: Channel, sender: str, contact_id: str) -> None:
    """Step 8: a message is identified, ticketed, queued by channel, answered and resolved."""
    kit = example.build()
    center, clock, telephony = kit.center, kit.clock, kit.telephony
    center.agent_logged_in(example.A1)
    arrived = center.inbound_message(
        channel=channel,
        sender=sender,
        subject="Invoice",
        text="Why is it 42?",
        contact_id=contact_id,
    )
    kinds = arrived.kinds()
    assert kinds[:2] == ("customer.created", "center.contact_arrived")
    assert kinds[2:-2] == ("ticket.changed",) * (len(kinds) - 4)
    assert kinds[-2:] == ("acd.contact_queued", "acd.contact_offered")
    (offered,) = arrived.of_type(ContactOffered)
    assert (offered.offer.queue, offered.offer.channel) == (channel.value, channel)
    assert telephony.caller_actions(contact_id) == []  # no IVR
    clock.advance(10 * S)
    answered = telephony.answer(contact_id, "a1")
    assert [type(a) for a in answered.actions] == [Connect, ScreenPop]
    clock.advance(300 * S)
    center.agent_ended(contact_id)
    wrapped = center.agent_wrapped_up(
        contact_id, disposition=Disposition.RESOLVED, code="billing.explained"
    )
    (completed,) = wrapped.of_type(ContactCompleted)
    record = completed.record
    assert (record.channel, record.outcome, record.ivr_path) == (
        channel,
        ContactOutcome.ANSWERED,
        (),
    )
    assert record.answered_at - record.queued_at == 10 * S
    ticket = center.store.get_ticket(record.ticket_id or "")
    assert ticket is not None
    assert (ticket.state, ticket.assignee, ticket.fields["disposition"]) == (
        "resolved",
        "a1",
        "billing.explained",
    )
    assert kit.notifier.sent == []  # resolved, not closed: no survey yet
    customer = center.store.find_customer(Identity.parse(sender, "40"))
    assert customer is not None
    (interaction,) = center.store.recent_interactions(customer.id, 5)
    assert (interaction.channel, interaction.resolved) == (channel, True)


def test_an_email_flows_through_the_same_path() -> None:
    """An email: identified by address, a ticket opened, queued in the email queue, resolved."""
    _message(Channel.EMAIL, "Ana@Example.ro", "EM-1")


def test_a_chat_flows_through_the_same_path() -> None:
    """A chat: identified, ticketed, queued in the chat queue, resolved."""
    _message(Channel.CHAT, "+40 721 234 567", "CH-1")


def test_a_reply_updates_the_open_ticket() -> None:
    """A message naming its ticket records the customer's reply instead of opening another."""
    kit = example.build()
    center = kit.center
    first = center.inbound_message(channel=Channel.EMAIL, sender=example.ANA_EMAIL, subject="Hi")
    ticket_id = center.contact(center.contact_ids()[0]).ticket_id
    assert ticket_id is not None
    kit.clock.advance(60 * S)
    reply = center.inbound_message(
        channel=Channel.EMAIL, sender=example.ANA_EMAIL, text="more", ticket_id=ticket_id
    )
    assert "ticket.changed" in reply.kinds()
    assert len(center.store.tickets_in_state("new")) == 1
    assert first.kinds()[0] == "customer.created"
    assert reply.kinds()[0] == "customer.identified"


def test_the_example_runs_the_whole_flow(capsys: pytest.CaptureFixture[str]) -> None:
    """The runnable example drives the same flow and prints each step."""
    example.main()
    printed = capsys.readouterr().out
    assert "survey sent: [('call', '+40721234567')]" in printed
    assert "KPI record: answered waited 0:00:06 held 0:00:20 handled 0:03:10" in printed
    assert "4. warm transfer to s1: center.contact_transferred" in printed
    assert "leg CA-2 a1 answered 11:08:30 ended 11:10:10 transfers 1" in printed
    assert "leg CA-2.2 s1 answered 11:09:30 ended 11:10:30 transfers 0" in printed


def test_every_event_is_a_log_line(caplog: pytest.LogCaptureFixture) -> None:
    """Step 7: each event the centre returns is one INFO line of callcore.center, in order."""
    kit = example.build()
    center = kit.center
    with caplog.at_level(logging.INFO, logger="callcore.center"):
        center.agent_logged_in(example.A1)
        arrived = center.inbound_call(caller=example.ANA, dialled=example.DIALLED, contact_id="C")
        pressed = kit.telephony.press("C", "1")
    kinds = [*arrived.kinds(), *pressed.kinds()]
    lines = [r.getMessage() for r in caplog.records if r.name == "callcore.center"]
    assert [line.split()[0] for line in lines][-len(kinds) :] == kinds
    offered = next(line for line in lines if line.startswith("acd.contact_offered"))
    assert "contact_id=C" in offered
    assert "agent_id=a1" in offered


def test_messages_are_offered_within_the_agents_capacity_per_channel() -> None:
    """Step 8: a1 takes two chats at once (its chat capacity is 2); the third chat waits."""
    kit = example.build()
    center, telephony = kit.center, kit.telephony
    center.agent_logged_in(example.A1)
    for number in (1, 2, 3):
        center.inbound_message(
            channel=Channel.CHAT, sender=f"+4072100000{number}", contact_id=f"CH-{number}"
        )
    assert sorted(offer.contact_id for offer in telephony.ringing("a1")) == ["CH-1", "CH-2"]
    telephony.answer("CH-1", "a1")
    telephony.answer("CH-2", "a1")
    assert telephony.ringing("a1") == []
    assert center.contact("CH-3").phase is Phase.QUEUED
    center.agent_ended("CH-1")
    center.agent_wrapped_up("CH-1", disposition=Disposition.OPEN)
    assert "CH-3" in [offer.contact_id for offer in telephony.ringing("a1")]
