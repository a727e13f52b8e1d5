"""Random sequences of inputs: each is applied or refused whole, and the centre stays consistent."""

from __future__ import annotations

import threading
from datetime import timedelta
from typing import Any

import attrs
from hypothesis import example as case
from hypothesis import given
from hypothesis import strategies as st

from callcore.center import ContactCompleted, Disposition, Phase
from callcore.errors import CallcoreError
from callcore.ivr import Digits, NoInput
from callcore.serialization import to_dict
from tests.center.kit import example

CONTACTS = ("C1", "C2", "C3")
AGENTS = ("a1", "a2")


def _profile(agent: str) -> Any:
    return attrs.evolve(example.A1, agent_id=agent)


_OPERATIONS = st.one_of(
    st.tuples(st.just("call"), st.sampled_from(CONTACTS)),
    st.tuples(st.just("press"), st.sampled_from(CONTACTS), st.sampled_from(["1", "2", "9"])),
    st.tuples(st.just("silence"), st.sampled_from(CONTACTS)),
    st.tuples(st.just("email"), st.sampled_from(CONTACTS)),
    st.tuples(st.just("login"), st.sampled_from(AGENTS)),
    st.tuples(st.just("logout"), st.sampled_from(AGENTS)),
    st.tuples(st.just("ready"), st.sampled_from(AGENTS)),
    st.tuples(st.just("accept"), st.sampled_from(CONTACTS), st.sampled_from(AGENTS)),
    st.tuples(st.just("decline"), st.sampled_from(CONTACTS), st.sampled_from(AGENTS)),
    st.tuples(st.just("hold"), st.sampled_from(CONTACTS)),
    st.tuples(st.just("resume"), st.sampled_from(CONTACTS)),
    st.tuples(st.just("consult"), st.sampled_from(CONTACTS), st.sampled_from(["sup1", *AGENTS])),
    st.tuples(st.just("conference"), st.sampled_from(CONTACTS), st.sampled_from(["sup1", "a2"])),
    st.tuples(st.just("transfer"), st.sampled_from(CONTACTS), st.sampled_from(["billing", "x"])),
    st.tuples(st.just("transfer_to"), st.sampled_from(CONTACTS), st.sampled_from([*AGENTS, "x"])),
    st.tuples(st.just("anonymous"), st.sampled_from(CONTACTS)),
    st.tuples(st.just("end"), st.sampled_from(CONTACTS)),
    st.tuples(st.just("hang_up"), st.sampled_from(CONTACTS)),
    st.tuples(st.just("callback"), st.sampled_from(CONTACTS)),
    st.tuples(st.just("wrap"), st.sampled_from(CONTACTS), st.sampled_from(list(Disposition))),
    st.tuples(st.just("wait"), st.integers(0, 40)),
)


_INPUTS: dict[str, Any] = {
    "call": lambda c, a: c.inbound_call(
        caller=example.ANA, dialled=example.DIALLED, contact_id=a[0]
    ),
    "press": lambda c, a: c.caller_input(a[0], Digits(a[1])),
    "silence": lambda c, a: c.caller_input(a[0], NoInput()),
    "email": lambda c, a: c.inbound_message(
        channel=example.Channel.EMAIL, sender=example.ANA_EMAIL, contact_id=a[0]
    ),
    "login": lambda c, a: c.agent_logged_in(_profile(a[0])),
    "logout": lambda c, a: c.agent_logged_out(a[0]),
    "ready": lambda c, a: c.agent_ready(a[0]),
    "accept": lambda c, a: c.agent_accepted(a[0], a[1]),
    "decline": lambda c, a: c.agent_declined(a[0], a[1]),
    "hold": lambda c, a: c.agent_held(a[0]),
    "resume": lambda c, a: c.agent_resumed(a[0]),
    "consult": lambda c, a: c.agent_consulted(a[0], a[1]),
    "conference": lambda c, a: c.agent_conferenced(a[0], a[1]),
    "transfer": lambda c, a: c.agent_transferred(a[0], queue=a[1]),
    "transfer_to": lambda c, a: c.agent_transferred(a[0], agent=a[1]),
    "anonymous": lambda c, a: c.inbound_call(
        caller="anonymous", dialled=example.DIALLED, contact_id=a[0]
    ),
    "end": lambda c, a: c.agent_ended(a[0]),
    "hang_up": lambda c, a: c.caller_hung_up(a[0]),
    "callback": lambda c, a: c.caller_requested_callback(a[0]),
    "wrap": lambda c, a: c.agent_wrapped_up(a[0], disposition=a[1], notes="n"),
}


def _apply(kit: Any, operation: tuple[Any, ...]) -> Any:
    name, args = operation[0], operation[1:]
    if name == "wait":
        kit.clock.advance(timedelta(seconds=args[0]))
        return kit.center.run_due()
    return _INPUTS[name](kit.center, args)


def _state(kit: Any) -> object:
    center = kit.center
    contacts = {}
    for contact_id in center.contact_ids():
        fields = attrs.asdict(center.contact(contact_id), recurse=False)
        session = fields.pop("session")
        fields["session"] = None if session is None else to_dict(session.snapshot())
        contacts[contact_id] = repr(fields)
    return (
        to_dict(center.router.snapshot()),
        contacts,
        repr(center.aggregator.total()),
        repr(kit.store),
        len(kit.log.events),
        len(kit.telephony.actions),
    )


def _check_deadline(center: Any) -> None:
    """The centre's next deadline is the earliest of a scan of every engine's timers."""
    times = [center.router.next_deadline(), center._ticket_due.earliest()]
    for contact_id in center.contact_ids():
        live = center.contact(contact_id)
        if live.phase is Phase.IVR and live.session is not None:
            times.append(live.session.next_deadline())
    assert center.next_deadline() == min((t for t in times if t is not None), default=None)


def _check_consistent(kit: Any, completed: int) -> None:
    center = kit.center
    _check_deadline(center)
    routed = set(center.router.contact_ids())
    for contact_id in center.contact_ids():
        phase = center.contact(contact_id).phase
        in_router = phase in {Phase.QUEUED, Phase.CONNECTED}
        assert (contact_id in routed) == in_router, (contact_id, phase)
    assert routed <= set(center.contact_ids())
    assert center.aggregator.total().contacts == completed


@given(st.lists(_OPERATIONS, max_size=30))
def test_inputs_apply_whole_or_not_at_all(operations: list[tuple[Any, ...]]) -> None:
    """Any sequence: each input succeeds or raises a CallcoreError and changes nothing."""
    kit = example.build()
    completed = 0
    for operation in operations:
        before = _state(kit)
        try:
            update = _apply(kit, operation)
        except CallcoreError:
            assert _state(kit) == before, operation
            continue
        for done in update.of_type(ContactCompleted):
            completed += 1
            assert done.record == done.legs[0]
            assert done.record.id == done.contact_id
            assert {leg.contact_id for leg in done.legs} == {done.contact_id}
            assert len({leg.id for leg in done.legs}) == len(done.legs)
        _check_consistent(kit, completed)


def test_inputs_from_several_threads_are_serialised() -> None:
    """Four threads log agents in and out and take calls: no input is lost or torn."""
    kit = example.build()
    center = kit.center
    errors: list[BaseException] = []

    def work(worker: int) -> None:
        try:
            for number in range(25):
                contact = f"T{worker}-{number}"
                center.inbound_call(caller=example.ANA, dialled=example.DIALLED, contact_id=contact)
                center.caller_input(contact, Digits("2"))
                center.caller_hung_up(contact)
        except BaseException as error:  # noqa: BLE001 - reported below
            errors.append(error)

    threads = [threading.Thread(target=work, args=(worker,)) for worker in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert center.aggregator.total().abandoned == 100
    assert center.contact_ids() == ()


def _next_step(kit: Any, contact_id: str, disposition: Disposition) -> Any:
    """The input that takes a contact one step further in its life (so that the fuzz gets deep)."""
    center = kit.center
    if contact_id not in center.contact_ids():
        return center.inbound_call(
            caller=example.ANA, dialled=example.DIALLED, contact_id=contact_id
        )
    live = center.contact(contact_id)
    if live.phase is Phase.IVR:
        return center.caller_input(contact_id, Digits("2"))
    if live.phase is Phase.QUEUED:
        return center.agent_accepted(contact_id, live.agent or "a1")
    if live.phase is Phase.CONNECTED:
        return center.agent_ended(contact_id)
    return center.agent_wrapped_up(contact_id, disposition=disposition, notes="n")


_SKIPS = st.sampled_from([0, 1, 30, 59, 60, 61])
_STEP = st.tuples(
    st.just("step"), st.sampled_from(CONTACTS[:2]), st.sampled_from(list(Disposition)), _SKIPS
)
_UNTICKED = st.sampled_from(
    (_STEP, _STEP, st.tuples(st.just("skip"), _SKIPS), _OPERATIONS)
).flatmap(
    lambda kind: kind  # half of them steps: one_of would give each of the inputs a branch
)
"""The inputs, ``step`` (a contact's next natural input, after a pause) and ``skip``: time
passes without ``run_due``, so that the next input finds timers due (a wrap-up's end, an offer's
time-out)."""


def _serialised(kit: Any) -> object:
    """Everything a refusal must leave alone: the checkpoint, the store, the output so far."""
    return (
        kit.center._serialised(),  # the checkpoint's text, not written
        repr(kit.store),
        len(kit.log.events),
        len(kit.telephony.actions),
    )


@given(st.lists(_UNTICKED, max_size=40))
@case([("step", "C1", Disposition.OPEN, 0)] * 4 + [("step", "C1", Disposition.OPEN, 60)])
def test_refused_inputs_with_timers_due_change_nothing(
    operations: list[tuple[Any, ...]],
) -> None:
    """Inputs at instants when timers are due (no ``run_due`` first): a refusal changes nothing."""
    kit = example.build()
    kit.center.agent_logged_in(_profile("a1"))
    for operation in operations:
        _check_deadline(kit.center)
        if operation[0] == "skip":
            kit.clock.advance(timedelta(seconds=operation[1]))
            continue
        if operation[0] == "step":
            kit.clock.advance(timedelta(seconds=operation[3]))
        before = _serialised(kit)
        try:
            if operation[0] == "step":
                _next_step(kit, operation[1], operation[2])
            else:
                _apply(kit, operation)
        except CallcoreError:
            assert _serialised(kit) == before, operation
