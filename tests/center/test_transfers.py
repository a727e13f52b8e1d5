"""Consultations, conferences and transfers (to a queue or a named agent, blind or warm), by leg.

Each contact's legs are checked against hand-worked times: the call rings at
0, the caller presses 2 at +5 s (support), a1 answers at +7 s.
"""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest

from callcore.acd import AgentProfile, Membership
from callcore.center import (
    Conference,
    Connect,
    ContactCompleted,
    ContactTransferred,
    Disposition,
    Phase,
    ResumeCaller,
    RingAgent,
    ScreenPop,
    TransferToAgent,
)
from callcore.contacts import Channel, ContactOutcome
from callcore.errors import InvalidInputError, InvalidTransitionError, NotFoundError
from callcore.serialization import to_dict
from callcore.storage import MemoryStorage
from tests.center.kit import example

S = timedelta(seconds=1)
A2 = AgentProfile(
    agent_id="a2",
    memberships=(Membership(queue="support"),),
    capacity={Channel.VOICE: 1},
)


def _answered(kit: example.Kit) -> None:  # type: ignore[name-defined]
    """CA-1 rings at 0, queues for support at +5 s, a1 answers at +7 s (now +7 s)."""
    kit.center.agent_logged_in(example.A1)
    kit.center.inbound_call(caller=example.ANA, dialled=example.DIALLED, contact_id="CA-1")
    kit.clock.advance(5 * S)
    kit.telephony.press("CA-1", "2")
    kit.clock.advance(2 * S)
    kit.telephony.answer("CA-1", "a1")


def _wrapped(kit: example.Kit) -> ContactCompleted:  # type: ignore[name-defined]
    update = kit.center.agent_wrapped_up("CA-1", disposition=Disposition.RESOLVED, notes="ok")
    (completed,) = update.of_type(ContactCompleted)
    assert isinstance(completed, ContactCompleted)
    return completed


def test_a_warm_transfer_to_the_consulted_agent() -> None:
    """a1 consults a2 (caller held), then transfers: a2 has the caller at once; two legs."""
    kit = example.build()
    center, clock = kit.center, kit.clock
    start = clock.now()
    _answered(kit)
    center.agent_logged_in(A2)  # after a1 answered, so the call went to a1
    clock.advance(10 * S)
    center.agent_consulted("CA-1", "a2")
    clock.advance(30 * S)
    moved = center.agent_transferred("CA-1", agent="a2")
    assert moved.kinds()[0] == "acd.contact_transferred"
    assert "acd.contact_answered" in moved.kinds()
    assert moved.of_type(RingAgent) == ()  # a2 is on the line already
    assert moved.of_type(TransferToAgent) == (TransferToAgent("CA-1", "a1", "a2", warm=True),)
    (pop,) = moved.of_type(ScreenPop)
    assert (pop.agent_id, dict(pop.variables)) == ("a2", {})
    (event,) = moved.of_type(ContactTransferred)
    assert (event.agent_id, event.to_agent, event.warm, event.queue) == ("a1", "a2", True, None)
    live = center.contact("CA-1")
    assert (live.phase, live.agent, live.consult) == (Phase.CONNECTED, "a2", None)
    ticket = center.store.get_ticket(live.ticket_id or "")
    assert ticket is not None
    assert ticket.assignee == "a2"
    clock.advance(60 * S)
    center.agent_ended("CA-1")
    clock.advance(10 * S)
    completed = _wrapped(kit)
    first, second = completed.legs
    assert (first.id, second.id) == ("CA-1", "CA-1.2")
    assert (first.agent, first.answered_at, first.ended_at) == ("a1", start + 7 * S, start + 47 * S)
    assert (first.hold_time, first.holds, first.consults, first.transfers) == (30 * S, 1, 1, 1)
    assert (first.wrap_up_ended_at, first.first_contact_resolved) == (None, True)
    assert (second.agent, second.queue, second.contact_id) == ("a2", "support", "CA-1")
    assert (second.arrived_at, second.answered_at) == (start + 17 * S, start + 17 * S)
    assert (second.queued_at, second.offered_at) == (None, None)
    assert (second.ended_at, second.wrap_up_ended_at) == (start + 107 * S, start + 117 * S)
    assert second.first_contact_resolved is None
    steps = completed.steps
    assert steps is not None
    assert (steps.ivr_ended_at, steps.queued_at, steps.offered_at) == (start + 5 * S,) * 3
    assert (steps.answered_at, steps.held_at) == (start + 7 * S, start + 17 * S)
    assert (steps.ended_at, steps.wrap_up_ended_at) == (start + 107 * S, start + 117 * S)
    assert steps.outcome is ContactOutcome.ANSWERED
    total = center.aggregator.total()
    assert (total.contacts, total.answered, total.handled) == (1, 2, 2)
    assert center.router.agent("a2").answered == 1


def test_a_blind_transfer_to_a_named_agent() -> None:
    """a1 transfers to a2 without consulting: a2 rings alone, accepts; the second leg waited 5 s."""
    kit = example.build()
    center, clock = kit.center, kit.clock
    start = clock.now()
    _answered(kit)
    center.agent_logged_in(A2)
    clock.advance(13 * S)
    moved = center.agent_transferred("CA-1", agent="a2")
    (ring,) = moved.of_type(RingAgent)
    assert (ring.offer.agent_id, ring.offer.queue) == ("a2", "support")
    assert moved.of_type(TransferToAgent) == (TransferToAgent("CA-1", "a1", "a2", warm=False),)
    assert center.contact("CA-1").phase is Phase.QUEUED
    clock.advance(5 * S)
    taken = kit.telephony.answer("CA-1", "a2")
    assert [type(action) for action in taken.actions] == [Connect, ScreenPop]
    clock.advance(60 * S)
    center.agent_ended("CA-1")
    completed = _wrapped(kit)
    first, second = completed.legs
    assert (first.agent, first.ended_at, first.transfers) == ("a1", start + 20 * S, 1)
    assert (second.agent, second.arrived_at, second.queued_at, second.offered_at) == (
        "a2",
        start + 20 * S,
        start + 20 * S,
        start + 20 * S,
    )
    assert second.answered_at == start + 25 * S
    assert (second.ended_at, second.wrap_up_ended_at) == (start + 85 * S,) * 2
    assert completed.record == first
    assert center.aggregator.total().contacts == 1


def test_a_transfer_to_a_queue_keeps_the_place_by_arrival() -> None:
    """Transferred back to support behind a later caller: it is offered first (arrived first)."""
    kit = example.build()
    center, clock = kit.center, kit.clock
    _answered(kit)
    center.inbound_call(caller="+40720000001", dialled=example.DIALLED, contact_id="CA-2")
    clock.advance(1 * S)
    kit.telephony.press("CA-2", "2")  # waits: a1 is busy
    clock.advance(10 * S)
    center.agent_transferred("CA-1", queue="support")
    center.agent_logged_in(A2)
    assert [offer.contact_id for offer in kit.telephony.ringing("a2")] == ["CA-1"]


def test_a_conference_then_the_end() -> None:
    """a1 consults a supervisor, conferences them in; both legs end with the call."""
    kit = example.build()
    center, clock = kit.center, kit.clock
    start = clock.now()
    _answered(kit)
    clock.advance(10 * S)
    center.agent_consulted("CA-1", "sup1")
    clock.advance(10 * S)
    joined = center.agent_conferenced("CA-1", "sup1")
    assert joined.kinds() == ("center.contact_resumed", "center.contact_conferenced")
    assert joined.actions == (Conference("CA-1", "a1", "sup1"),)
    with pytest.raises(InvalidTransitionError):
        center.agent_conferenced("CA-1", "sup2")  # one colleague at a time
    clock.advance(60 * S)
    center.agent_ended("CA-1")
    clock.advance(10 * S)
    completed = _wrapped(kit)
    first, second = completed.legs
    assert (first.agent, first.hold_time, first.consults, first.transfers) == ("a1", 10 * S, 1, 0)
    assert (first.ended_at, first.wrap_up_ended_at) == (start + 87 * S, start + 97 * S)
    assert (second.id, second.agent, second.arrived_at, second.ended_at) == (
        "CA-1.2",
        "sup1",
        start + 17 * S,
        start + 87 * S,
    )


def test_a_conference_without_a_consultation() -> None:
    """Conferencing a colleague directly: a leg from now to the end."""
    kit = example.build()
    _answered(kit)
    kit.center.agent_conferenced("CA-1", "sup1")
    kit.center.agent_ended("CA-1")
    legs = _wrapped(kit).legs
    assert [(leg.id, leg.agent) for leg in legs] == [("CA-1", "a1"), ("CA-1.2", "sup1")]


def test_a_consultation_then_back_to_the_caller() -> None:
    """Resuming after a consultation ends the colleague's leg there; a second one may follow."""
    kit = example.build()
    center, clock = kit.center, kit.clock
    start = clock.now()
    _answered(kit)
    center.agent_consulted("CA-1", "sup1")
    clock.advance(20 * S)
    back = center.agent_resumed("CA-1")
    assert back.actions == (ResumeCaller("CA-1"),)
    assert center.contact("CA-1").consult is None
    clock.advance(5 * S)
    center.agent_consulted("CA-1", "sup2")
    clock.advance(5 * S)
    center.agent_resumed("CA-1")
    center.agent_ended("CA-1")
    first, one, two = _wrapped(kit).legs
    assert (first.consults, first.holds, first.hold_time) == (2, 2, 25 * S)
    assert (one.agent, one.ended_at - one.arrived_at) == ("sup1", 20 * S)
    assert (two.id, two.agent, two.arrived_at) == ("CA-1.3", "sup2", start + 32 * S)


def _state(kit: example.Kit) -> object:  # type: ignore[name-defined]
    center = kit.center
    return (
        to_dict(center.router.snapshot()),
        repr(center.contact("CA-1")),
        len(kit.telephony.actions),
        len(kit.log.events),
        repr(kit.store),
    )


@pytest.mark.parametrize(
    ("kwargs", "error"),
    [
        ({}, InvalidInputError),
        ({"agent": "a1"}, InvalidInputError),
        ({"agent": "nobody"}, NotFoundError),
        ({"queue": "nowhere"}, NotFoundError),
        ({"queue": "support", "agent_wait": 5 * S}, InvalidInputError),
        ({"agent": "a2", "agent_wait": -S}, InvalidInputError),
    ],
    ids=["nowhere", "to itself", "unknown agent", "unknown queue", "wait alone", "negative wait"],
)
def test_a_refused_transfer_changes_nothing(kwargs: dict[str, Any], error: type) -> None:
    """Refused before anything moves: router, contact, telephony, events and store as before."""
    kit = example.build()
    _answered(kit)
    kit.center.agent_logged_in(A2)
    kit.center.agent_consulted("CA-1", "a2")
    before = _state(kit)
    with pytest.raises(error):
        kit.center.agent_transferred("CA-1", **kwargs)
    assert _state(kit) == before


def test_a_second_consultation_while_one_is_open_is_refused() -> None:
    """One consultation at a time: resume, conference or transfer first."""
    kit = example.build()
    _answered(kit)
    kit.center.agent_consulted("CA-1", "sup1")
    before = _state(kit)
    with pytest.raises(InvalidTransitionError, match="consulting"):
        kit.center.agent_consulted("CA-1", "sup2")
    with pytest.raises(InvalidInputError):
        kit.center.agent_consulted("CA-1", "a1")
    assert _state(kit) == before


def test_legs_and_an_open_consultation_survive_a_restart() -> None:
    """A durable centre mid-consultation after a transfer: restarted, the legs come out whole."""
    store = MemoryStorage()
    kit = example.build(store, durable=True)
    center, clock = kit.center, kit.clock
    start = clock.now()
    _answered(kit)
    clock.advance(3 * S)
    center.agent_transferred("CA-1", queue="billing")  # a1 is in wrap-up: nobody rings
    center.agent_logged_in(AgentProfile(agent_id="a3", memberships=(Membership(queue="billing"),)))
    clock.advance(2 * S)
    kit.telephony.answer("CA-1", "a3")
    center.agent_consulted("CA-1", "sup1")
    again = example.build(store, durable=True)
    again.clock.set(start + 30 * S)
    live = again.center.contact("CA-1")
    assert (live.leg, live.consult is not None, len(live.legs)) == (2, True, 1)
    again.center.agent_ended("CA-1")
    legs = _wrapped(again).legs
    assert [(leg.id, leg.agent) for leg in legs] == [
        ("CA-1", "a1"),
        ("CA-1.2", "a3"),
        ("CA-1.3", "sup1"),
    ]
    assert legs[1].answered_at == start + 12 * S
    assert legs[2].ended_at == start + 30 * S


def test_a_checkpoint_from_before_legs_still_loads() -> None:
    """A contact saved without the leg fields (an older checkpoint) gets their defaults."""
    store = MemoryStorage()
    kit = example.build(store, durable=True)
    kit.center.inbound_call(caller=example.ANA, dialled=example.DIALLED, contact_id="CA-1")
    saved = json.loads(store.load_checkpoint("center") or "")
    for name in ("anonymous", "legs", "consult", "leg", "legs_started", "held_at"):
        del saved["contacts"][0][name]
    store.save_checkpoint("center", json.dumps(saved))
    live = example.build(store, durable=True).center.contact("CA-1")
    assert (live.leg, live.legs, live.consult, live.anonymous) == (1, (), None, False)


def test_a_warm_transfer_to_a_colleague_who_cannot_take_it_waits_for_them() -> None:
    """The consulted a2 is not ready in the router: the caller waits for a2 (blind), up to 60 s."""
    kit = example.build()
    center, clock = kit.center, kit.clock
    start = clock.now()
    _answered(kit)
    center.agent_logged_in(A2, ready=False)
    center.agent_consulted("CA-1", "a2")
    clock.advance(10 * S)
    moved = center.agent_transferred("CA-1", agent="a2", agent_wait=60 * S)
    assert moved.of_type(TransferToAgent) == (TransferToAgent("CA-1", "a1", "a2", warm=False),)
    assert moved.of_type(RingAgent) == ()
    live = center.contact("CA-1")
    assert (live.phase, live.consult, live.leg) == (Phase.QUEUED, None, 3)
    assert center.router.contact("CA-1").waits_for == "a2"
    clock.advance(20 * S)
    ready = center.agent_ready("a2")
    (ring,) = ready.of_type(RingAgent)
    assert ring.offer.agent_id == "a2"
    kit.telephony.answer("CA-1", "a2")
    center.agent_ended("CA-1")
    first, consult, third = _wrapped(kit).legs
    assert (first.agent, first.ended_at, first.transfers) == ("a1", start + 17 * S, 1)
    assert (consult.agent, consult.ended_at) == ("a2", start + 17 * S)
    assert (third.id, third.agent, third.queued_at, third.answered_at) == (
        "CA-1.3",
        "a2",
        start + 17 * S,
        start + 37 * S,
    )
