"""The other paths of a contact: abandons, timers, callbacks, follow-ups, refusals."""

from __future__ import annotations

from datetime import timedelta

import attrs
import pytest

from callcore.acd import Membership
from callcore.center import (
    Consult,
    ContactCompleted,
    Disposition,
    HoldCaller,
    Phase,
    ScreenPop,
    StopRinging,
    TransferToQueue,
)
from callcore.contacts import ContactOutcome
from callcore.errors import (
    CallcoreError,
    InvalidInputError,
    InvalidTransitionError,
    NotFoundError,
)
from callcore.ivr import Digits
from callcore.serialization import to_dict
from callcore.tickets import FollowUpDue
from tests.center.kit import example

S = timedelta(seconds=1)


def _queued(kit: example.Kit, contact_id: str = "CA-1") -> None:  # type: ignore[name-defined]
    kit.center.inbound_call(caller=example.ANA, dialled=example.DIALLED, contact_id=contact_id)
    kit.clock.advance(5 * S)
    kit.telephony.press(contact_id, "2")


def test_a_hang_up_while_waiting_is_an_abandon() -> None:
    """No agent: the caller waits 40 s and hangs up; one abandoned record, waited 40 s."""
    kit = example.build()
    _queued(kit)
    kit.clock.advance(40 * S)
    update = kit.telephony.hang_up("CA-1")
    assert update.kinds()[0] == "acd.contact_abandoned"
    (completed,) = update.of_type(ContactCompleted)
    record = completed.record
    assert record.outcome is ContactOutcome.ABANDONED
    assert record.ended_at - (record.queued_at or record.arrived_at) == 40 * S
    assert record.answered_at is None
    history = kit.center.store.recent_interactions(record.customer_id or "", 5)
    assert [i.outcome for i in history] == [ContactOutcome.ABANDONED]


def test_a_hang_up_in_the_ivr_is_an_abandon_with_the_path() -> None:
    """The caller hangs up at the menu: abandoned, the IVR path kept, never queued."""
    kit = example.build()
    kit.center.inbound_call(caller=example.ANA, dialled=example.DIALLED, contact_id="CA-1")
    kit.clock.advance(3 * S)
    update = kit.telephony.hang_up("CA-1")
    assert update.kinds()[0] == "ivr.session_ended"
    (completed,) = update.of_type(ContactCompleted)
    assert completed.record.outcome is ContactOutcome.ABANDONED
    assert completed.record.ivr_path == ("welcome",)
    assert completed.record.queued_at is None
    assert kit.center.contact_ids() == ()


def test_run_due_times_out_an_offer_and_rings_again() -> None:
    """next_deadline is the offer's expiry (15 s); run_due stops the ring and offers anew.

    The only agent is rung again once the queue's default no-answer delay (5 s) is over.
    """
    kit = example.build()
    center = kit.center
    center.agent_logged_in(example.A1)
    _queued(kit)
    (offer,) = kit.telephony.ringing()
    assert offer.expires_at - offer.offered_at == 15 * S  # the queue's default offer_timeout
    assert center.next_deadline() == offer.expires_at
    assert center.run_due(now=offer.expires_at - S).events == ()
    update = center.run_due(now=offer.expires_at)
    assert [a.offer for a in update.of_type(StopRinging)] == [offer]
    assert kit.telephony.ringing() == []
    assert center.next_deadline() == offer.expires_at + 5 * S
    center.run_due(now=offer.expires_at + 5 * S)
    (again,) = kit.telephony.ringing()
    assert again.offered_at == offer.expires_at + 5 * S
    assert center.contact("CA-1").offered_at == offer.offered_at  # the first offer counts


def test_a_callback_request_keeps_its_place_after_the_caller_hangs_up() -> None:
    """The caller asks for a callback and hangs up: the request still waits, then is offered."""
    kit = example.build()
    center = kit.center
    _queued(kit)
    center.caller_requested_callback("CA-1")
    kit.clock.advance(S)
    assert center.caller_hung_up("CA-1").events == ()
    assert center.contact("CA-1").phase is Phase.QUEUED
    update = center.agent_logged_in(example.A1)
    (offer,) = (a.offer for a in update.actions)
    assert (offer.contact_id, offer.callback) == ("CA-1", True)


def test_a_follow_up_falls_due_through_run_due() -> None:
    """needs_follow_up schedules the follow-up; next_deadline names it; run_due hands it over."""
    kit = example.build()
    center = kit.center
    center.agent_logged_in(example.A1)
    _queued(kit)
    kit.telephony.answer("CA-1", "a1")
    center.agent_ended("CA-1")
    due = kit.clock.now() + timedelta(hours=3)
    wrapped = center.agent_wrapped_up(
        "CA-1", disposition=Disposition.NEEDS_FOLLOW_UP, notes="call back", follow_up_due=due
    )
    (completed,) = wrapped.of_type(ContactCompleted)
    assert completed.record.first_contact_resolved is False
    assert center.next_deadline() == due
    update = center.run_due(now=due)
    (follow_up,) = update.of_type(FollowUpDue)
    assert (follow_up.ticket_id, follow_up.assignee) == (completed.record.ticket_id, "a1")


def _contact_state(kit: example.Kit, contact_id: str) -> object:  # type: ignore[name-defined]
    live = kit.center.contact(contact_id)
    fields = attrs.asdict(live, recurse=False)
    session = fields.pop("session")
    fields["session"] = None if session is None else to_dict(session.snapshot())
    return repr(fields)


def _state(kit: example.Kit) -> object:  # type: ignore[name-defined]
    center = kit.center
    return (
        to_dict(center.router.snapshot()),
        {cid: _contact_state(kit, cid) for cid in center.contact_ids()},
        [
            to_dict(t)
            for state in ("new", "open", "closed")
            for t in center.store.tickets_in_state(state)
        ],
        repr(center.aggregator.total()),
        center.next_deadline(),
        len(kit.telephony.actions),
        len(kit.log.events),
        repr(kit.store),
    )


@pytest.mark.parametrize(
    ("call", "error", "field"),
    [
        (
            lambda c: c.inbound_call(caller="not a number", dialled=example.DIALLED),
            InvalidInputError,
            "caller",
        ),
        (lambda c: c.inbound_call(caller=example.ANA, dialled="+1 555 0100"), NotFoundError, None),
        (
            lambda c: c.inbound_call(caller=example.ANA, dialled=example.DIALLED, contact_id="Q-1"),
            InvalidTransitionError,
            None,
        ),
        (
            lambda c: c.inbound_call(
                caller=example.ANA, dialled=example.DIALLED, now=example.START
            ),
            InvalidInputError,
            "now",
        ),
        (lambda c: c.caller_input("Q-1", Digits("1")), InvalidTransitionError, None),
        (lambda c: c.caller_input("nobody", Digits("1")), NotFoundError, None),
        (lambda c: c.agent_accepted("Q-1", "ghost"), NotFoundError, None),
        (lambda c: c.agent_ended("Q-1"), InvalidTransitionError, None),
        (lambda c: c.agent_held("Q-1"), InvalidTransitionError, None),
        (
            lambda c: c.agent_wrapped_up("Q-1", disposition="closed"),
            InvalidInputError,
            "disposition",
        ),
        (
            lambda c: c.agent_wrapped_up("Q-1", disposition=Disposition.CLOSED),
            InvalidTransitionError,
            None,
        ),
        (
            lambda c: c.inbound_message(channel=example.Channel.VOICE, sender=example.ANA_EMAIL),
            InvalidInputError,
            "channel",
        ),
        (
            lambda c: c.inbound_message(channel=example.Channel.SMS, sender=example.ANA_EMAIL),
            InvalidInputError,
            "queue",
        ),
        (
            lambda c: c.inbound_message(channel=example.Channel.EMAIL, sender="@"),
            InvalidInputError,
            "sender",
        ),
        (
            lambda c: c.inbound_message(
                channel=example.Channel.EMAIL, sender=example.ANA_EMAIL, priority=1.5
            ),
            InvalidInputError,
            "priority",
        ),
        (
            lambda c: c.inbound_message(
                channel=example.Channel.EMAIL, sender=example.ANA_EMAIL, ticket_id="T-none"
            ),
            NotFoundError,
            None,
        ),
        (lambda c: c.survey_answered("T-none", score=5), NotFoundError, None),
        (lambda c: c.run_due(now=example.START), InvalidInputError, "now"),
    ],
)
def test_a_refused_input_changes_nothing(
    call: object, error: type[CallcoreError], field: str | None
) -> None:
    """Each refusal raises the error naming the field, and the centre is as it was."""
    kit = example.build()
    kit.center.agent_logged_in(example.A1)
    _queued(kit, "Q-1")
    kit.clock.advance(S)
    before = _state(kit)
    with pytest.raises(error) as raised:
        call(kit.center)  # type: ignore[operator]
    if field is not None:
        assert getattr(raised.value, "field", None) == field
    assert _state(kit) == before


def test_a_resolution_without_a_note_is_refused_and_changes_nothing() -> None:
    """The default workflow's resolve needs a note: refused, the contact still in wrap-up."""
    kit = example.build()
    center = kit.center
    center.agent_logged_in(example.A1)
    _queued(kit)
    kit.telephony.answer("CA-1", "a1")
    center.agent_ended("CA-1")
    before = _state(kit)
    with pytest.raises(InvalidTransitionError, match="note"):
        center.agent_wrapped_up("CA-1", disposition=Disposition.RESOLVED)
    assert _state(kit) == before
    assert center.contact("CA-1").phase is Phase.WRAP_UP


def test_consult_then_blind_transfer_to_another_queue() -> None:
    """a1 consults a supervisor (caller held), transfers to support; a2 answers; one record."""
    kit = example.build()
    center, clock, telephony = kit.center, kit.clock, kit.telephony
    center.agent_logged_in(example.A1)
    a2 = type(example.A1)(agent_id="a2", memberships=(Membership(queue="support"),))
    _queued(kit)  # pressed 2 at +5 s: support; a1 is offered it
    clock.advance(2 * S)
    telephony.answer("CA-1", "a1")
    clock.advance(10 * S)
    consulted = center.agent_consulted("CA-1", "sup1")
    assert consulted.kinds() == ("center.contact_held", "center.contact_consulted")
    assert [type(a) for a in consulted.actions] == [HoldCaller, Consult]
    clock.advance(30 * S)
    transferred = center.agent_transferred("CA-1", queue="billing")
    assert transferred.kinds()[0] == "acd.contact_transferred"
    assert transferred.kinds()[-1] == "center.contact_transferred"
    assert transferred.of_type(TransferToQueue) == (TransferToQueue("CA-1", "a1", "billing"),)
    assert center.contact("CA-1").phase is Phase.QUEUED
    center.agent_logged_in(attrs.evolve(a2, memberships=(Membership(queue="billing"),)))
    clock.advance(4 * S)
    second = telephony.answer("CA-1", "a2")
    (pop,) = second.of_type(ScreenPop)
    ticket = center.store.get_ticket(pop.ticket_id or "")
    assert ticket is not None
    assert ticket.assignee == "a2"
    clock.advance(60 * S)
    center.agent_ended("CA-1")
    wrapped = center.agent_wrapped_up("CA-1", disposition=Disposition.RESOLVED, notes="moved")
    (completed,) = wrapped.of_type(ContactCompleted)
    first, consult, last = completed.legs
    assert completed.record == first
    assert [leg.id for leg in completed.legs] == ["CA-1", "CA-1.2", "CA-1.3"]
    assert {leg.contact_id for leg in completed.legs} == {"CA-1"}
    assert (first.transfers, first.consults, first.holds) == (1, 1, 1)
    assert first.hold_time == 30 * S  # held from the consult to the transfer
    assert (first.queue, first.agent, first.first_contact_resolved) == ("support", "a1", True)
    assert first.answered_at == first.arrived_at + 7 * S
    assert (first.ended_at, first.wrap_up_ended_at) == (first.arrived_at + 47 * S, None)
    assert (consult.agent, consult.arrived_at, consult.ended_at) == (
        "sup1",
        first.arrived_at + 17 * S,
        first.arrived_at + 47 * S,
    )
    assert (last.queue, last.agent, last.transfers) == ("billing", "a2", 0)
    assert (last.arrived_at, last.queued_at) == (first.arrived_at + 47 * S,) * 2
    assert last.answered_at == first.arrived_at + 51 * S
    assert last.first_contact_resolved is None
    steps = completed.steps
    assert steps is not None
    assert (steps.answered_at, steps.held_at) == (
        first.arrived_at + 7 * S,
        first.arrived_at + 17 * S,
    )
    total = center.aggregator.total()
    assert (total.contacts, total.answered, total.fcr_resolved) == (1, 3, 1)
    assert len(center.store.tickets_in_state("resolved")) == 1


def test_a_hang_up_after_a_transfer_counts_as_answered() -> None:
    """Transferred, then the caller hangs up in the second queue: answered, not abandoned."""
    kit = example.build()
    center = kit.center
    center.agent_logged_in(example.A1)
    _queued(kit)
    kit.telephony.answer("CA-1", "a1")
    kit.clock.advance(20 * S)
    center.agent_transferred("CA-1", queue="billing")
    center.agent_logged_out("a1")
    kit.clock.advance(20 * S)
    (completed,) = kit.telephony.hang_up("CA-1").of_type(ContactCompleted)
    assert completed.outcome is ContactOutcome.ANSWERED
    first, second = completed.legs
    assert (first.outcome, first.agent, first.transfers) == (ContactOutcome.ANSWERED, "a1", 1)
    assert (second.id, second.outcome, second.queue) == (
        "CA-1.2",
        ContactOutcome.ABANDONED,
        "billing",
    )
    assert second.ended_at - second.queued_at == 20 * S
    total = kit.center.aggregator.total()
    assert (total.contacts, total.answered, total.abandoned) == (1, 1, 1)


def test_a_look_up_no_plugin_answers_is_left_to_the_host() -> None:
    """The CRM lacks the look-up: the request is a caller action; the host's answer goes on."""
    kit = example.build()
    kit.crm.answers.clear()
    kit.center.inbound_call(caller=example.ANA, dialled=example.DIALLED, contact_id="CA-1")
    pressed = kit.telephony.press("CA-1", "1")
    assert kit.telephony.caller_actions("CA-1")[-1] == "lookup_request"
    assert pressed.kinds() == ()
    answered = kit.telephony.answer_lookup("CA-1", {"plan": "basic"})
    assert answered.kinds()[:2] == ("ivr.session_ended", "acd.contact_queued")
    assert kit.center.contact("CA-1").variables["plan"] == "basic"


def test_a_failing_look_up_takes_the_error_branch() -> None:
    """The CRM fails the look-up: the flow goes on by its on_error branch, to billing."""
    kit = example.build()
    kit.crm.answers["plan"] = None
    kit.center.inbound_call(caller=example.ANA, dialled=example.DIALLED, contact_id="CA-1")
    pressed = kit.telephony.press("CA-1", "1")
    assert pressed.kinds()[:2] == ("ivr.session_ended", "acd.contact_queued")
    assert "plan" not in kit.center.contact("CA-1").variables
