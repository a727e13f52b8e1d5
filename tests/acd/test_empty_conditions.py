"""Empty-queue conditions (Asterisk's ``joinempty``/``leavewhenempty`` factors) at the door.

Which logged-in members staff a queue is computed here from the public agent
views, by the definition in docs/acd/queues.md, and compared with what the
router does with a new contact.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from callcore.acd import (
    AgentProfile,
    ContactOverflowed,
    ContactQueued,
    ContactRejected,
    EmptyCondition,
    Membership,
    NotReadyReason,
    Overflow,
    OverflowAction,
    QueueConfig,
    RejectReason,
    Router,
    RouterSnapshot,
)
from callcore.contacts import Channel
from callcore.errors import DocumentError
from callcore.serialization import from_dict, to_dict
from tests.acd.scenarios import member, of_type
from tests.acd.strategies import T0, at

STATES = ("available", "paused", "ringing", "in_use", "wrap_up", "logged_out")


def door_router(
    conditions: frozenset[EmptyCondition],
    *,
    leave: bool,
    tiers: tuple[int, ...],
    states: tuple[str, ...],
) -> Router:
    """Queue ``q`` (``max_tier`` 1, the door under test) and ``work`` (wrap-up 1 h).

    Agent ``a<n>`` is a member of both, at ``tiers[n]`` in ``q``, and is put in
    ``states[n]`` through ``work`` contacts.
    """
    router = Router(
        [
            QueueConfig(
                name="q",
                max_tier=1,
                join_when_empty=leave,
                leave_when_empty=leave,
                empty_when=conditions,
            ),
            QueueConfig(name="work", wrap_up=timedelta(hours=1), offer_timeout=timedelta(hours=1)),
        ]
    )
    for number, tier in enumerate(tiers):
        profile = AgentProfile(
            agent_id=f"a{number}",
            memberships=(Membership(queue="q", tier=tier), Membership(queue="work")),
        )
        router.log_in(profile, now=T0, ready=False)
    for number, state in enumerate(states):
        agent_id, contact_id = f"a{number}", f"w{number}"
        if state in {"ringing", "in_use", "wrap_up"}:
            start = 10 * number
            router.set_ready(agent_id, now=at(start))  # the only ready agent: the offer is its
            router.enqueue(contact_id, "work", now=at(start))
            if state != "ringing":
                router.accept(contact_id, agent_id, now=at(start + 1))
            if state == "wrap_up":
                router.end(contact_id, now=at(start + 2))
    for number, state in enumerate(states):
        if state == "available":
            router.set_ready(f"a{number}", now=at(50))
        elif state == "logged_out":
            router.log_out(f"a{number}", now=at(50))
    return router


def staffed_by_definition(router: Router, conditions: frozenset[EmptyCondition]) -> bool:
    """Whether some logged-in member of ``q`` has none of the conditions (from the views)."""
    for agent_id in router.agent_ids():
        view = router.agent(agent_id)
        if view.state.value == "logged_out":
            continue
        tier = next(m.tier for m in view.profile.memberships if m.queue == "q")
        holds = {
            EmptyCondition.PAUSED: view.not_ready_reason is not None,
            EmptyCondition.RINGING: bool(view.offered),
            EmptyCondition.IN_USE: bool(view.connected),
            EmptyCondition.WRAP_UP: view.wrap_up_until is not None,
            EmptyCondition.PENALTY: tier > 1,
        }
        if not any(holds[condition] for condition in conditions):
            return True
    return False


def door_answer(router: Router, *, leave: bool) -> bool:
    """Whether a new contact of ``q`` stays (not rejected, not sent on at once)."""
    events = router.enqueue("c", "q", now=at(60)).events
    if leave:
        return not any(isinstance(event, ContactOverflowed) for event in events)
    return not isinstance(events[0], ContactRejected)


@given(
    conditions=st.frozensets(st.sampled_from(EmptyCondition)),
    leave=st.booleans(),
    agents=st.lists(st.tuples(st.sampled_from((1, 2)), st.sampled_from(STATES)), max_size=4),
    restored=st.booleans(),
)
def test_the_door_counts_only_members_free_of_every_condition(
    conditions: frozenset[EmptyCondition],
    leave: bool,
    agents: list[tuple[int, str]],
    restored: bool,
) -> None:
    """Rejected (join) or sent on (leave) exactly when no member is free of the conditions."""
    tiers = tuple(tier for tier, _ in agents)
    states = tuple(state for _, state in agents)
    router = door_router(conditions, leave=leave, tiers=tiers, states=states)
    expected = staffed_by_definition(router, conditions)
    if restored:  # the conditions travel in the snapshot's queue configuration
        router = Router.restore(from_dict(RouterSnapshot, to_dict(router.snapshot())))
    assert door_answer(router, leave=leave) == expected


@pytest.mark.parametrize(
    ("condition", "state", "tier"),
    [
        (EmptyCondition.PAUSED, "paused", 1),
        (EmptyCondition.RINGING, "ringing", 1),
        (EmptyCondition.IN_USE, "in_use", 1),
        (EmptyCondition.WRAP_UP, "wrap_up", 1),
        (EmptyCondition.PENALTY, "available", 2),
    ],
)
def test_each_condition_alone_empties_the_queue_for_its_state(
    condition: EmptyCondition, state: str, tier: int
) -> None:
    """One member in the state: rejected with the condition listed, taken without it."""
    listed = door_router(frozenset({condition}), leave=False, tiers=(tier,), states=(state,))
    assert listed.enqueue("c", "q", now=at(60)).events == (
        ContactRejected(at=at(60), contact_id="c", queue="q", reason=RejectReason.NO_AGENTS),
    )
    others = frozenset(EmptyCondition) - {condition}
    unlisted = door_router(others, leave=False, tiers=(tier,), states=(state,))
    assert isinstance(unlisted.enqueue("c", "q", now=at(60)).events[0], ContactQueued)


def test_default_conditions_count_every_logged_in_member() -> None:
    """No conditions (the default): a paused member staffs the queue, as before."""
    assert QueueConfig(name="q").empty_when == frozenset()
    router = door_router(frozenset(), leave=False, tiers=(2,), states=("paused",))
    assert isinstance(router.enqueue("c", "q", now=at(60)).events[0], ContactQueued)


def test_a_moved_contact_goes_on_from_a_queue_whose_members_are_all_paused() -> None:
    """c1 overflows (max_wait 30 s) into q2, whose only member is on break: on to voicemail."""
    router = Router(
        [
            QueueConfig(
                name="q",
                max_wait=timedelta(seconds=30),
                overflow=Overflow(action=OverflowAction.QUEUE, queue="q2"),
            ),
            QueueConfig(name="q2", leave_when_empty=True, empty_when={EmptyCondition.PAUSED}),
        ]
    )
    router.log_in(member("a", "q"), now=T0, ready=False)
    router.log_in(member("b", "q2"), now=T0)
    router.enqueue("c1", "q", now=at(0))
    router.set_not_ready("b", NotReadyReason.BREAK, now=at(1))
    assert router.tick(now=at(30)).events == (
        ContactOverflowed(
            at=at(30), contact_id="c1", queue="q", action=OverflowAction.QUEUE, to_queue="q2"
        ),
        ContactQueued(at=at(30), contact_id="c1", queue="q2", priority=0),
        ContactOverflowed(
            at=at(30), contact_id="c1", queue="q2", action=OverflowAction.VOICEMAIL, to_queue=None
        ),
    )
    assert router.contact_ids() == ()


def test_a_moved_contact_is_refused_by_a_closed_queue_whose_members_all_ring() -> None:
    """join_when_empty false, ringing listed: the moved contact goes on; a free member keeps it."""

    def moved(ringing: bool) -> tuple[str, ...]:
        router = Router(
            [
                QueueConfig(
                    name="q",
                    max_wait=timedelta(seconds=30),
                    overflow=Overflow(action=OverflowAction.QUEUE, queue="q2"),
                ),
                QueueConfig(
                    name="q2",
                    join_when_empty=False,
                    empty_when={EmptyCondition.RINGING},
                    offer_timeout=timedelta(hours=1),
                ),
            ]
        )
        router.log_in(member("a", "q"), now=T0, ready=False)
        router.log_in(member("b", "q2"), now=T0)
        router.enqueue("c1", "q", now=at(0))
        if ringing:
            router.enqueue("c0", "q2", now=at(1))  # rings b
        update = router.tick(now=at(30))
        return tuple(type(event).__name__ for event in update.events)

    assert moved(ringing=True) == ("ContactOverflowed", "ContactQueued", "ContactOverflowed")
    assert moved(ringing=False)[:2] == ("ContactOverflowed", "ContactQueued")
    assert "ContactOverflowed" not in moved(ringing=False)[2:]


# --- re-checked for waiting contacts (Asterisk's leavewhenempty in its wait loop) ---

PAUSED = frozenset({EmptyCondition.PAUSED})


def busy_queue(**options: object) -> Router:
    """Queue q, members a and b each on a call, contact k waiting for one of them."""
    router = Router([QueueConfig(name="q", empty_when=PAUSED, **options)])  # type: ignore[arg-type]
    for agent_id, contact_id in (("a", "x1"), ("b", "x2")):
        router.log_in(member(agent_id, "q"), now=T0)
        (offer,) = router.enqueue(contact_id, "q", now=T0).offers
        router.accept(contact_id, agent_id, now=T0)
        assert offer.agent_id == agent_id
    router.enqueue("k", "q", now=at(1))
    return router


def overflowed(update: object) -> list[str]:
    """The contacts an update sends on by overflow."""
    return [event.contact_id for event in of_type(update, ContactOverflowed)]  # type: ignore[arg-type]


def test_waiting_contacts_leave_as_the_last_member_pauses() -> None:
    """leave_when_empty, paused listed: both members go on break; k goes on at that instant.

    Before, only the last log-out sent waiting contacts on; k stayed for members on break.
    """
    router = busy_queue(leave_when_empty=True)
    assert overflowed(router.set_not_ready("a", NotReadyReason.BREAK, now=at(2))) == []
    update = router.set_not_ready("b", NotReadyReason.LUNCH, now=at(3))
    assert overflowed(update) == ["k"]
    assert "k" not in router.contact_ids()  # voicemail, the default overflow
    assert [(e.at, e.action) for e in of_type(update, ContactOverflowed)] == [
        (at(3), OverflowAction.VOICEMAIL)
    ]


def test_a_connected_contact_and_a_callback_stay_when_the_queue_empties() -> None:
    """Only callers waiting leave: connected contacts go on, a callback request stays."""
    router = busy_queue(leave_when_empty=True)
    router.request_callback("k", now=at(2))
    router.set_not_ready("a", NotReadyReason.BREAK, now=at(2))
    update = router.set_not_ready("b", NotReadyReason.BREAK, now=at(3))
    assert overflowed(update) == []
    assert sorted(router.contact_ids()) == ["k", "x1", "x2"]


def test_a_member_free_of_the_conditions_keeps_the_queue() -> None:
    """Wrap-up is not listed: a member in wrap-up staffs the queue, k stays while b pauses."""
    router = busy_queue(leave_when_empty=True, wrap_up=timedelta(seconds=30))
    router.end("x1", now=at(2))  # a wraps up
    assert overflowed(router.set_not_ready("b", NotReadyReason.BREAK, now=at(3))) == []
    assert "k" in router.contact_ids()


def test_max_wait_empty_counts_from_when_every_member_paused() -> None:
    """max_wait_empty 60 s, paused listed: both on break from 3 s; k goes on at 63 s."""
    router = busy_queue(max_wait_empty=timedelta(seconds=60))
    router.set_not_ready("a", NotReadyReason.BREAK, now=at(2))
    router.set_not_ready("b", NotReadyReason.BREAK, now=at(3))
    assert router.next_deadline() == at(63)
    restored = Router.restore(from_dict(RouterSnapshot, to_dict(router.snapshot())))
    assert restored.next_deadline() == at(63)
    for each in (router, restored):
        assert overflowed(each.tick(now=at(62))) == []
        assert overflowed(each.tick(now=at(63))) == ["k"]
        # the queue stays empty past its clock: a new contact goes on at once
        assert overflowed(each.enqueue("late", "q", now=at(64))) == ["late"]


def test_a_member_back_before_max_wait_empty_stops_the_clock() -> None:
    """Agent a is ready again at 30 s: no overflow at 63 s; a later break starts a new clock."""
    router = busy_queue(max_wait_empty=timedelta(seconds=60))
    router.set_not_ready("a", NotReadyReason.BREAK, now=at(2))
    router.set_not_ready("b", NotReadyReason.BREAK, now=at(3))
    router.set_ready("a", now=at(30))
    assert router.next_deadline() is None
    assert overflowed(router.tick(now=at(63))) == []
    router.set_not_ready("a", NotReadyReason.BREAK, now=at(70))
    assert router.next_deadline() == at(130)
    assert overflowed(router.tick(now=at(130))) == ["k"]


def test_a_snapshot_with_an_unstaffed_clock_of_a_queue_without_conditions_is_refused() -> None:
    """``unstaffed_since`` names only queues that re-check their conditions."""
    router = busy_queue(max_wait_empty=timedelta(seconds=60))
    router.set_not_ready("a", NotReadyReason.BREAK, now=at(2))
    router.set_not_ready("b", NotReadyReason.BREAK, now=at(3))
    data = to_dict(router.snapshot())
    assert isinstance(data, dict)
    assert data["unstaffed_since"] == {"q": at(3).isoformat()}
    data["queues"][0]["empty_when"] = []
    with pytest.raises(DocumentError, match=r"unstaffed_since\.q"):
        Router.restore(from_dict(RouterSnapshot, data))


def test_a_queue_emptied_by_a_ring_sends_its_contacts_on_behind_that_ring() -> None:
    """The ring that empties a queue stands; the contacts it sends on are first for the next agent.

    a0 (voice only) staffs the chat queue ``support``, which counts as empty
    while its members ring and then sends its contacts to ``sales``. A chat
    contact waits in support (a0 takes no chat); a sales call rings a0, support
    is empty, and its contact goes to sales, keeping its arrival: the ring of
    the later call is not taken back (no ACD withdraws a ringing offer for a
    contact that arrives after it), and the next agent free for sales takes the
    earlier contact. (Found by the ``dev`` profile of the stateful test, whose
    arrival-order check now judges an offer only against the contacts that were
    in the queue when it was made.)
    """
    router = Router(
        [
            QueueConfig(name="sales"),
            QueueConfig(
                name="support",
                channel=Channel.CHAT,
                leave_when_empty=True,
                empty_when=frozenset({EmptyCondition.RINGING}),
                overflow=Overflow(action=OverflowAction.QUEUE, queue="sales"),
            ),
        ]
    )
    voice_only = AgentProfile(
        agent_id="a0",
        memberships=(Membership(queue="sales"), Membership(queue="support")),
        capacity={Channel.VOICE: 1},
    )
    router.log_in(voice_only, now=T0)
    assert router.enqueue("chat", "support", now=T0).offers == ()
    update = router.enqueue("call", "sales", now=at(1))
    assert [(o.contact_id, o.agent_id) for o in update.offers] == [("call", "a0")]
    assert [e.contact_id for e in of_type(update, ContactOverflowed)] == ["chat"]
    assert router.contact("chat").queue == "sales"
    assert [
        (o.contact_id, o.agent_id) for o in router.log_in(member("a1", "sales"), now=at(2)).offers
    ] == [("chat", "a1")]
