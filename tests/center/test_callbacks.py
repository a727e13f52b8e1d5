"""Scheduled callbacks through the centre, end to end with the testing kit's fakes.

The example centre (``examples/center_call_flow.py``): queue ``support`` has a
60 s wrap-up; Ana's number is +40 721 234 567.
"""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

from callcore.acd import CallbackResult, CancelledBy
from callcore.center import (
    CALLBACKS_CHECKPOINT,
    CallCustomer,
    CenterUpdate,
    Connect,
    ContactCompleted,
    Disposition,
    Phase,
    RingAgent,
)
from callcore.center._core import CHECKPOINT_NAME
from callcore.contacts import ContactOutcome, Direction
from callcore.customers import InteractionRecorded
from callcore.errors import (
    CallcoreError,
    InvalidInputError,
    InvalidTransitionError,
    NaiveDatetimeError,
    NotFoundError,
)
from callcore.storage import MemoryStorage
from tests.center.kit import example
from tests.center.test_fuzz import _OPERATIONS, _apply, _check_consistent
from tests.center.test_fuzz import AGENTS as FUZZ_AGENTS
from tests.center.test_fuzz import _state as _fuzz_state

START = example.START
NUMBER = "+40721234567"
MINUTE = timedelta(minutes=1)


def interactions(update: CenterUpdate) -> list[tuple[ContactOutcome, Direction, str]]:
    """The interactions an update recorded: (outcome, direction, notes)."""
    return [
        (event.interaction.outcome, event.interaction.direction, event.interaction.notes)
        for event in update.of_type(InteractionRecorded)
    ]


def test_no_answer_then_reached_recorded_as_the_centre_records_calls() -> None:
    """Booked for 10:00; no answer (recorded); again at 10:06 after wrap-up; reached, wrapped up."""
    kit = example.build()
    center, clock, telephony = kit.center, kit.clock, kit.telephony
    center.agent_logged_in(example.A1)
    booked = center.schedule_callback(
        example.ANA,
        queue="support",
        at=START + 60 * MINUTE,
        contact_id="CB-1",
        retry_spacing=5 * MINUTE,
    )
    assert booked.kinds() == ("acd.callback_scheduled",)
    assert "CB-1" not in center.contact_ids()
    assert center.next_deadline() == START + 60 * MINUTE

    clock.set(START + 60 * MINUTE)
    due = center.run_due()
    assert due.kinds()[:4] == (
        "customer.created",  # Ana's first contact: identified by the number, new
        "center.contact_arrived",
        "acd.callback_due",
        "acd.contact_queued",
    )
    (ring,) = due.of_type(RingAgent)
    assert (ring.offer.contact_id, ring.offer.agent_id, ring.offer.callback) == ("CB-1", "a1", True)
    assert dict(ring.variables) == {"callback": True, "attempt": 1, "number": NUMBER}
    live = center.contact("CB-1")
    assert (live.direction, live.address, live.phase) == (Direction.OUTBOUND, NUMBER, Phase.QUEUED)

    clock.advance(timedelta(seconds=5))
    answered = telephony.answer("CB-1", "a1")
    dial = [a for a in answered.actions if isinstance(a, CallCustomer | Connect)]
    assert dial == [CallCustomer("CB-1", "a1", NUMBER, 1), Connect("CB-1", "a1", live.channel)]
    ticket_id = center.contact("CB-1").ticket_id
    assert ticket_id is not None

    clock.advance(timedelta(seconds=25))
    failed = center.callback_result("CB-1", CallbackResult.NO_ANSWER)
    assert interactions(failed) == [(ContactOutcome.NO_ANSWER, Direction.OUTBOUND, "no_answer")]
    (completed,) = failed.of_type(ContactCompleted)
    assert completed.outcome is ContactOutcome.NO_ANSWER
    assert completed.record.answered_at is None
    assert "acd.callback_scheduled" in failed.kinds()
    assert "CB-1" not in center.contact_ids()
    assert (
        center.router.callback("CB-1").due
        == START + 60 * MINUTE + 30 * timedelta(seconds=1) + 5 * MINUTE
    )

    clock.set(START + 61 * MINUTE + 30 * timedelta(seconds=1))
    assert center.run_due().kinds() == ("acd.agent_state_changed",)  # the wrap-up ended
    clock.set(START + 65 * MINUTE + 30 * timedelta(seconds=1))  # the retry is due
    again = center.run_due()
    (ring,) = again.of_type(RingAgent)
    assert (ring.offer.contact_id, ring.variables["attempt"]) == ("CB-1", 2)
    assert center.contact("CB-1").variables["attempt"] == 2
    assert center.contact("CB-1").ticket_id == ticket_id  # the same ticket, between attempts

    telephony.answer("CB-1", "a1")
    reached = center.callback_result("CB-1", CallbackResult.REACHED)
    assert reached.kinds() == ("acd.callback_attempt_ended", "acd.callback_ended")
    assert center.contact("CB-1").phase is Phase.CONNECTED
    clock.advance(2 * MINUTE)
    center.agent_ended("CB-1")
    wrapped = center.agent_wrapped_up("CB-1", disposition=Disposition.RESOLVED, notes="sorted")
    assert interactions(wrapped) == [(ContactOutcome.ANSWERED, Direction.OUTBOUND, "sorted")]
    assert center.router.callback_ids() == ()


def test_the_last_attempt_failed_ends_not_reached() -> None:
    """One attempt allowed: busy; the callback ends, the no-answer is in the history."""
    kit = example.build()
    center, telephony = kit.center, kit.telephony
    center.agent_logged_in(example.A1)
    center.schedule_callback(
        example.ANA, queue="support", at=START, contact_id="CB-1", max_attempts=1
    )
    telephony.answer("CB-1", "a1")
    busy = center.callback_result("CB-1", CallbackResult.BUSY)
    assert "acd.callback_ended" in busy.kinds()
    assert interactions(busy) == [(ContactOutcome.NO_ANSWER, Direction.OUTBOUND, "busy")]
    with pytest.raises(NotFoundError):
        center.callback_result("CB-1", CallbackResult.REACHED)


def test_zero_spacing_rings_the_next_attempt_in_the_same_update() -> None:
    """No answer with a zero spacing: the attempt completes, and attempt 2 rings at once."""
    kit = example.build()
    center, telephony = kit.center, kit.telephony
    center.agent_logged_in(example.A1)
    center.agent_logged_in(example.S1)
    center.schedule_callback(
        example.ANA, queue="support", at=START, contact_id="CB-1", retry_spacing=timedelta(0)
    )
    (first,) = [o for o in telephony.ringing() if o.contact_id == "CB-1"]
    telephony.answer("CB-1", first.agent_id)
    failed = center.callback_result("CB-1", CallbackResult.NO_ANSWER)
    (completed,) = failed.of_type(ContactCompleted)
    assert completed.outcome is ContactOutcome.NO_ANSWER
    (ring,) = failed.of_type(RingAgent)
    assert ring.offer.contact_id == "CB-1"
    assert ring.offer.agent_id != first.agent_id  # the other one: the first is in wrap-up
    assert ring.variables["attempt"] == 2
    assert center.contact("CB-1").phase is Phase.QUEUED


def test_cancelled_before_its_time_is_recorded_in_the_history() -> None:
    """Cancelled by the customer while booked: an abandoned outbound interaction, no contact."""
    kit = example.build()
    center = kit.center
    center.schedule_callback(
        example.ANA, queue="support", at=START + 30 * MINUTE, contact_id="CB-1"
    )
    kit.clock.advance(MINUTE)
    cancelled = center.cancel_callback("CB-1")
    assert interactions(cancelled) == [
        (ContactOutcome.ABANDONED, Direction.OUTBOUND, "callback cancelled by the customer")
    ]
    assert center.next_deadline() is None


def test_cancelled_while_ringing_stops_the_ring_and_completes_the_contact() -> None:
    """Ringing a1; an agent cancels: StopRinging, the contact completes abandoned."""
    kit = example.build()
    center = kit.center
    center.agent_logged_in(example.A1)
    center.schedule_callback(example.ANA, queue="support", at=START, contact_id="CB-1")
    assert [o.contact_id for o in kit.telephony.ringing("a1")] == ["CB-1"]
    cancelled = center.cancel_callback("CB-1", by=CancelledBy.AGENT)
    assert kit.telephony.ringing("a1") == []
    (completed,) = cancelled.of_type(ContactCompleted)
    assert completed.outcome is ContactOutcome.ABANDONED
    assert "CB-1" not in center.contact_ids()


def test_a_restart_between_the_request_and_its_time_loses_nothing() -> None:
    """A durable centre restarted on its store: the callback rings at its time, the right number."""
    store = MemoryStorage()
    first = example.build(store, durable=True)
    first.center.schedule_callback(
        example.ANA, queue="support", at=START + 10 * MINUTE, contact_id="CB-1"
    )
    saved = json.loads(store.load_checkpoint(CHECKPOINT_NAME) or "{}")
    assert saved["sections"]["callbacks"]["numbers"] == {"CB-1": NUMBER}  # in the one document
    assert store.load_checkpoint(CALLBACKS_CHECKPOINT) is None
    second = example.build(store, durable=True, ids="restarted-")
    center = second.center
    assert center.router.callback("CB-1").due == START + 10 * MINUTE
    second.clock.set(START + 10 * MINUTE)
    center.agent_logged_in(example.A1)
    center.run_due()
    answered = second.telephony.answer("CB-1", "a1")
    assert CallCustomer("CB-1", "a1", NUMBER, 1) in answered.actions


def test_a_restart_during_a_retry_spacing_keeps_the_ticket() -> None:
    """Failed once, restarted in the spacing: the second attempt's contact has the ticket."""
    store = MemoryStorage()
    first = example.build(store, durable=True)
    first.center.agent_logged_in(example.A1)
    first.center.schedule_callback(
        example.ANA, queue="support", at=START, contact_id="CB-1", retry_spacing=10 * MINUTE
    )
    first.telephony.answer("CB-1", "a1")
    ticket_id = first.center.contact("CB-1").ticket_id
    first.center.callback_result("CB-1", CallbackResult.NO_ANSWER)
    second = example.build(store, durable=True, ids="restarted-")
    second.clock.set(START + 10 * MINUTE)
    second.center.run_due()
    assert second.center.contact("CB-1").ticket_id == ticket_id
    assert second.center.contact("CB-1").variables["attempt"] == 2


def test_refused_inputs_change_nothing() -> None:
    """Withheld or bad number, naive or stale time, unknown queue, ids in use, wrong states."""
    kit = example.build()
    center = kit.center
    center.agent_logged_in(example.A1)
    center.schedule_callback(example.ANA, queue="support", at=START, contact_id="CB-1")
    kit.telephony.answer("CB-1", "a1")

    def refused(call: object, error: type[CallcoreError], field: str | None = None) -> None:
        before = center._serialised()
        with pytest.raises(error) as raised:
            call()  # type: ignore[operator]
        if field is not None:
            assert getattr(raised.value, "field", None) == field
        assert center._serialised() == before

    def schedule(**options: object) -> object:
        arguments: dict[str, object] = {"queue": "support", "at": START + MINUTE, **options}
        number = arguments.pop("number", example.ANA)
        return lambda: center.schedule_callback(number, **arguments)

    refused(schedule(number=None), InvalidInputError, "number")
    refused(schedule(number="anonymous"), InvalidInputError, "number")
    refused(schedule(number="not a number"), InvalidInputError, "number")
    refused(schedule(at=START.replace(tzinfo=None)), NaiveDatetimeError)
    refused(schedule(at=START - 10 * MINUTE), InvalidInputError, "at")
    refused(schedule(max_attempts=0), InvalidInputError, "max_attempts")
    refused(schedule(skills={"fr": 11}), InvalidInputError, "skills.fr")
    refused(schedule(priority=2**40), InvalidInputError, "priority")
    refused(schedule(queue="nowhere"), NotFoundError)
    refused(schedule(contact_id="CB-1"), InvalidTransitionError)
    refused(lambda: center.cancel_callback("CB-1"), InvalidTransitionError)  # being dialled
    refused(lambda: center.cancel_callback("nope"), NotFoundError)
    refused(lambda: center.callback_result("CB-1", "reached"), InvalidInputError, "result")
    center.schedule_callback(example.ANA, queue="support", at=START + MINUTE, contact_id="CB-2")
    refused(lambda: center.callback_result("CB-2", CallbackResult.REACHED), NotFoundError)
    refused(
        lambda: center.inbound_call(caller=None, dialled=example.DIALLED, contact_id="CB-2"),
        InvalidTransitionError,
    )
    kit.clock.advance(2 * MINUTE)  # CB-2's time came: a refusal now must not run its timer
    refused(schedule(skills={"fr": 0}, at=kit.clock.now()), InvalidInputError, "skills.fr")
    assert "CB-2" not in center.contact_ids()


# --- random sequences: the centre's fuzz, with callbacks mixed in -----------------------------

CALLBACKS = ("B1", "B2")

_MINE = st.one_of(
    st.tuples(
        st.just("schedule"),
        st.sampled_from(CALLBACKS),
        st.sampled_from([0, 30, 0, -60, -600]),
        st.integers(1, 2),
        st.sampled_from([0, 20]),
    ),
    st.tuples(
        st.just("take"),
        st.sampled_from(CALLBACKS),
        st.sampled_from([CallbackResult.NO_ANSWER, *CallbackResult, None]),
    ),
    st.tuples(st.just("result"), st.sampled_from(CALLBACKS), st.sampled_from(CallbackResult)),
    st.tuples(st.just("cancel"), st.sampled_from(CALLBACKS), st.sampled_from(CancelledBy)),
)
_CALLBACK_OPERATIONS = st.one_of(_OPERATIONS, _MINE, _MINE, _MINE, _MINE)
"""The centre's fuzz operations, and the callbacks' (about as often as all the others)."""

_CALLBACK_INPUTS: dict[str, Any] = {
    "schedule": lambda kit, a: kit.center.schedule_callback(
        example.ANA,
        queue="support",
        at=kit.clock.now() + timedelta(seconds=a[1]),
        contact_id=a[0],
        max_attempts=a[2],
        retry_spacing=timedelta(seconds=a[3]),
    ),
    "take": lambda kit, a: _take(kit, a[0], a[1]),
    "result": lambda kit, a: kit.center.callback_result(a[0], a[1]),
    "cancel": lambda kit, a: kit.center.cancel_callback(a[0], by=a[1]),
}


def _take(kit: Any, callback_id: str, result: CallbackResult | None) -> CenterUpdate:
    """The agent a callback rings accepts it (refused if it rings nobody); a result may follow."""
    ringing = [o.agent_id for o in kit.telephony.ringing() if o.contact_id == callback_id]
    update: CenterUpdate = kit.center.agent_accepted(callback_id, (ringing or ["a1"])[0])
    if result is not None:
        update = kit.center.callback_result(callback_id, result)
    return update


@given(st.lists(_CALLBACK_OPERATIONS, max_size=30))
def test_callbacks_mixed_with_every_input_apply_whole_or_not_at_all(
    operations: list[tuple[Any, ...]],
) -> None:
    """Any sequence: each input succeeds or changes nothing; callbacks stay accounted for."""
    kit = example.build()
    center = kit.center
    for agent in FUZZ_AGENTS:  # staffed from the start, so that callbacks ring and are dialled
        center.agent_logged_in(attrs.evolve(example.A1, agent_id=agent))
    completed = 0
    for operation in operations:
        before = (_fuzz_state(kit), dict(center._callback_numbers))
        try:
            call = _CALLBACK_INPUTS.get(operation[0])
            update = _apply(kit, operation) if call is None else call(kit, operation[1:])
        except CallcoreError:
            assert (_fuzz_state(kit), dict(center._callback_numbers)) == before, operation
            continue
        completed += len(update.of_type(ContactCompleted))
        _check_consistent(kit, completed)
        assert set(center._callback_numbers) == set(center.router.callback_ids())
        for callback_id in center.router.callback_ids():
            in_centre = callback_id in center.contact_ids()
            assert in_centre == (center.router.callback(callback_id).due is None)
