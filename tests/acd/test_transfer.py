"""Transfers of connected contacts (to a queue, or to a named agent) and offer ids."""

from __future__ import annotations

from datetime import timedelta

import attrs
import pytest

from callcore.acd import (
    AgentProfile,
    AgentState,
    AgentStateChanged,
    ContactAnswered,
    ContactEnded,
    ContactOffered,
    ContactOverflowed,
    ContactQueued,
    ContactStatus,
    ContactTransferred,
    DeclineReason,
    Membership,
    NotReadyReason,
    OfferEnded,
    OfferEndReason,
    Overflow,
    OverflowAction,
    QueueConfig,
    Router,
    RouterSnapshot,
)
from callcore.contacts import Channel
from callcore.errors import (
    CallcoreError,
    DocumentError,
    InvalidInputError,
    InvalidTransitionError,
    NotFoundError,
)
from callcore.serialization import dumps, from_dict, loads, to_dict
from tests.acd.scenarios import member, of_type
from tests.acd.strategies import T0, at

SECOND = timedelta(seconds=1)


def two_queues(*, wrap_up: int = 0, max_wait: int | None = None) -> Router:
    """Queues ``sales`` (wrap-up, ring 15 s) and ``support``; agents s1, s2 (sales), t1 (support).

    s1 answers contact ``k`` (priority 3, skills, language, arrived at 0) at t=2.
    """
    router = Router(
        [
            QueueConfig(name="sales", wrap_up=wrap_up * SECOND),
            QueueConfig(
                name="support",
                offer_timeout=20 * SECOND,
                no_answer_delay=0 * SECOND,
                max_no_answer=0,
                max_wait=None if max_wait is None else max_wait * SECOND,
                overflow=Overflow(action=OverflowAction.VOICEMAIL),
            ),
        ]
    )
    router.log_in(member("s1", "sales", en=3), now=T0)
    router.log_in(member("s2", "sales", en=3), now=T0)
    router.log_in(member("t1", "support", en=3), now=T0)
    router.enqueue("k", "sales", now=at(0), priority=3, skills={"en": 2}, language="fr")
    router.accept("k", "s1", now=at(2))
    return router


def test_transfer_to_a_queue_frees_the_agent_and_keeps_the_contacts_history() -> None:
    """s1 transfers k to support at t=10: wrap-up 30 s, k offered to t1, same id and options."""
    router = two_queues(wrap_up=30)
    update = router.transfer("k", now=at(10), to_queue="support")
    offered = of_type(update, ContactOffered)
    assert [type(event) for event in update.events] == [
        ContactTransferred,
        ContactQueued,
        ContactOffered,
        AgentStateChanged,
    ]
    assert update.events[0] == ContactTransferred(
        at=at(10),
        contact_id="k",
        agent_id="s1",
        queue="sales",
        to_queue="support",
        talk_time=8 * SECOND,
    )
    assert update.events[1] == ContactQueued(at=at(10), contact_id="k", queue="support", priority=3)
    assert [(offer.agent_id, offer.queue, offer.expires_at) for offer in update.offers] == [
        ("t1", "support", at(30))
    ]
    assert offered[0].offer == update.offers[0]
    assert update.events[3] == AgentStateChanged(at=at(10), agent_id="s1", state=AgentState.WRAP_UP)
    view = router.contact("k")
    assert (view.queue, view.priority, view.arrived, view.language, view.stage) == (
        "support",
        3,
        at(0),
        "fr",
        0,
    )
    assert router.agent("s1").talk_time == 8 * SECOND
    answered = of_type(router.accept("k", "t1", now=at(12)), ContactAnswered)
    assert answered[0].waited == 12 * SECOND  # counted from its first arrival
    assert of_type(router.end("k", now=at(20)), ContactEnded)[0].agent_id == "t1"


def test_a_requeued_contact_goes_to_another_free_agent_before_its_last_one() -> None:
    """Re-queued into its own queue with s1 and s2 free (no wrap-up): s2 gets it, not s1."""
    router = two_queues()
    update = router.transfer("k", now=at(10))
    assert [offer.agent_id for offer in update.offers] == ["s2"]
    assert router.agent("s1").state is AgentState.AVAILABLE


@pytest.mark.parametrize("strategy", ["linear", "random"])
@pytest.mark.parametrize("wrap_up", [0, 30])
def test_a_multi_chat_holder_never_gets_its_transferred_contact_back_at_once(
    wrap_up: int, strategy: str
) -> None:
    """A linear (or random) queue, two chats each: ``a`` transfers ``c1`` and ``b`` gets it.

    ``a`` still has a free chat when it transfers, and is first by position:
    the contact must go to ``b`` (TaskRouter's transfer filters the
    transferring worker out), and ``a``'s other ring is kept unless its
    wrap-up withdraws it. A dev-profile failure: ``a`` was offered its own
    contact back, then its wrap-up withdrew that ring.
    """
    chat = QueueConfig(
        name="chat", channel=Channel.CHAT, strategy=strategy, wrap_up=wrap_up * SECOND
    )
    router = Router([chat])
    for position, name in enumerate("ab"):
        router.log_in(
            AgentProfile(
                agent_id=name,
                memberships=(Membership(queue="chat", position=position),),
                capacity={Channel.CHAT: 2},
            ),
            now=T0,
        )
    (first,) = router.enqueue("c1", "chat", now=at(1)).offers  # random: either agent
    holder, other = (first.agent_id, "b") if first.agent_id == "a" else ("b", "a")
    router.accept("c1", holder, now=at(2))
    update = router.transfer("c1", now=at(10))
    assert [offer.agent_id for offer in update.offers] == [other]
    assert of_type(update, OfferEnded) == []
    held = router.agent(holder).state
    assert held is (AgentState.WRAP_UP if wrap_up else AgentState.AVAILABLE)


def test_the_holders_other_rings_withdrawn_by_its_wrap_up_compete_in_the_global_order() -> None:
    """``a`` (two chats) holds ``k`` and rings ``w`` (higher priority); it transfers ``k``.

    Its wrap-up withdraws ``w``'s ring: ``w`` and ``k`` come back at one
    instant and are matched together, so the free agent ``b`` gets ``w``
    (priority 1) and ``k`` waits. A dev-profile failure: ``k`` was routed
    first and took ``b``, then ``w``'s ring was withdrawn.
    """
    chat = QueueConfig(name="chat", channel=Channel.CHAT, wrap_up=30 * SECOND)
    router = Router([chat])
    for name, room in (("a", 2), ("b", 1)):
        profile = AgentProfile(
            agent_id=name, memberships=(Membership(queue="chat"),), capacity={Channel.CHAT: room}
        )
        router.log_in(profile, now=T0, ready=name == "a")
    assert [o.agent_id for o in router.enqueue("k", "chat", now=at(0)).offers] == ["a"]
    assert [o.agent_id for o in router.enqueue("w", "chat", now=at(0), priority=1).offers] == ["a"]
    router.accept("k", "a", now=at(1))
    router.set_ready("b", now=at(2))
    update = router.transfer("k", now=at(3))
    assert [(o.contact_id, o.agent_id) for o in update.offers] == [("w", "b")]
    assert [(e.offer.contact_id, e.reason) for e in of_type(update, OfferEnded)] == [
        ("w", OfferEndReason.WITHDRAWN)
    ]
    assert router.contact("k").status is ContactStatus.WAITING
    assert router.agent("a").state is AgentState.WRAP_UP


def test_a_transferred_contact_keeps_its_place_in_the_global_order() -> None:
    """Contact k (arrived 0, priority 3) goes ahead of w (arrived 5, priority 3) in support."""
    router = two_queues()
    router.set_not_ready("t1", NotReadyReason.BREAK, now=at(3))
    router.enqueue("w", "support", now=at(5), priority=3)
    router.transfer("k", now=at(10), to_queue="support")
    assert router.line("support") == ("k", "w")
    update = router.set_ready("t1", now=at(11))
    assert [offer.contact_id for offer in update.offers] == ["k"]
    router.decline("k", "t1", now=at(12))
    assert router.line("support") == ("k", "w")


def test_a_transfer_may_set_a_new_priority() -> None:
    """With priority=0, k waits behind w (priority 3) although it arrived first."""
    router = two_queues()
    router.set_not_ready("t1", NotReadyReason.BREAK, now=at(3))
    router.enqueue("w", "support", now=at(5), priority=3)
    update = router.transfer("k", now=at(10), to_queue="support", priority=0)
    assert of_type(update, ContactQueued)[0].priority == 0
    assert router.line("support") == ("w", "k")


def test_transfer_to_a_free_agent_rings_that_agent_only_whatever_its_queue() -> None:
    """Sent to t1 (in support, not sales) within sales: only t1 rings, though s2 is free."""
    router = two_queues()
    update = router.transfer("k", now=at(10), to_agent="t1")
    assert [(offer.agent_id, offer.queue) for offer in update.offers] == [("t1", "sales")]
    assert of_type(update, ContactTransferred)[0].to_agent == "t1"
    assert router.contact("k").waits_for == "t1"
    router.accept("k", "t1", now=at(11))
    assert router.contact("k").waits_for is None
    assert router.agent("t1").state is AgentState.BUSY


def test_transfer_to_a_busy_agent_waits_for_it_then_rings_it() -> None:
    """t1 busy until 40, wait 60 s: s2 free meanwhile gets nothing; t1 rings when free."""
    router = two_queues()
    router.enqueue("x", "support", now=at(3))
    router.accept("x", "t1", now=at(4))
    update = router.transfer("k", now=at(10), to_agent="t1", agent_wait=60 * SECOND)
    assert update.offers == ()
    assert router.contact("k").status is ContactStatus.WAITING
    assert router.tick(now=at(39)).offers == ()
    update = router.end("x", now=at(40))
    assert [(offer.contact_id, offer.agent_id) for offer in update.offers] == [("k", "t1")]


def test_the_wait_for_an_agent_ends_and_the_queues_strategy_takes_over() -> None:
    """t1 stays busy; the 30 s wait ends at t=40 and s2 (sales, free) is offered k then."""
    router = two_queues()
    router.enqueue("x", "support", now=at(3))
    router.accept("x", "t1", now=at(4))
    router.transfer("k", now=at(10), to_agent="t1", agent_wait=30 * SECOND)
    assert router.next_deadline() == at(40)
    assert router.tick(now=at(39)).offers == ()
    update = router.tick(now=at(40))
    assert [(offer.contact_id, offer.agent_id) for offer in update.offers] == [("k", "s2")]
    assert router.contact("k").waits_for is None


@pytest.mark.parametrize("answer", ["decline", "busy", "time_out", "expire"])
def test_the_agent_saying_no_sends_the_contact_to_the_queue_at_once(answer: str) -> None:
    """t1 rejects, is busy, or misses the ring (reported or expired): s2 gets k at that instant."""
    router = two_queues()
    (offer,) = router.transfer("k", now=at(10), to_agent="t1", agent_wait=600 * SECOND).offers
    if answer == "decline":
        update = router.decline("k", "t1", now=at(12))
    elif answer == "busy":
        update = router.decline("k", "t1", now=at(12), reason=DeclineReason.BUSY)
    elif answer == "time_out":
        update = router.time_out("k", "t1", now=at(12))
    else:
        update = router.tick(now=offer.expires_at)
    assert [(offer.contact_id, offer.agent_id) for offer in update.offers] == [("k", "s2")]
    assert router.contact("k").waits_for is None


def test_an_agent_on_break_is_waited_for_and_its_withdrawn_ring_does_not_end_the_wait() -> None:
    """t1 rings, goes on break (withdrawn): k keeps waiting for t1 and rings again when ready."""
    router = two_queues()
    router.transfer("k", now=at(10), to_agent="t1", agent_wait=120 * SECOND)
    update = router.set_not_ready("t1", NotReadyReason.BREAK, now=at(11))
    assert of_type(update, OfferEnded)[0].reason is OfferEndReason.WITHDRAWN
    assert update.offers == ()
    assert router.contact("k").waits_for == "t1"
    update = router.set_ready("t1", now=at(50))
    assert [(offer.contact_id, offer.agent_id) for offer in update.offers] == [("k", "t1")]


def test_the_agent_logging_out_sends_its_waiting_contacts_to_the_queue() -> None:
    """t1 on break, k waits for it; t1 logs out at 20: s2 gets k at 20."""
    router = two_queues()
    router.set_not_ready("t1", NotReadyReason.BREAK, now=at(3))
    router.transfer("k", now=at(10), to_agent="t1", agent_wait=120 * SECOND)
    update = router.log_out("t1", now=at(20))
    assert [(offer.contact_id, offer.agent_id) for offer in update.offers] == [("k", "s2")]


def test_no_wait_or_a_logged_out_agent_goes_to_the_queue_at_once() -> None:
    """agent_wait 0 and t1 busy, or t1 logged out: the queue's agents get k in the same call."""
    router = two_queues()
    router.set_not_ready("t1", NotReadyReason.BREAK, now=at(3))
    update = router.transfer("k", now=at(10), to_agent="t1")
    assert [offer.agent_id for offer in update.offers] == ["s2"]
    assert router.contact("k").waits_for is None
    router = two_queues()
    router.log_out("t1", now=at(3))
    update = router.transfer("k", now=at(10), to_agent="t1", agent_wait=60 * SECOND)
    assert [offer.agent_id for offer in update.offers] == ["s2"]


def test_a_contact_waiting_for_an_agent_still_overflows_on_max_wait() -> None:
    """Support's max_wait 50 s: k waits for busy s2 (wait 600 s) and goes to voicemail at 60."""
    router = two_queues(max_wait=50)
    router.enqueue("x", "sales", now=at(3))
    router.accept("x", "s2", now=at(4))
    router.transfer("k", now=at(10), to_queue="support", to_agent="s2", agent_wait=600 * SECOND)
    update = router.tick(now=at(60))
    assert of_type(update, ContactOverflowed)[0].action is OverflowAction.VOICEMAIL
    assert router.contact_ids() == ("x",)
    router.end("x", now=at(61))
    router.log_out("s2", now=at(62))  # nothing left waiting for it


def test_abandoning_while_waiting_for_an_agent_forgets_the_wait() -> None:
    """Contact k hangs up while waiting for busy t1; t1's freeing offers nothing."""
    router = two_queues()
    router.enqueue("x", "support", now=at(3))
    router.accept("x", "t1", now=at(4))
    router.transfer("k", now=at(10), to_agent="t1", agent_wait=60 * SECOND)
    router.abandon("k", now=at(12))
    assert router.end("x", now=at(13)).offers == ()


def test_every_offer_has_its_own_id_and_a_late_answer_to_an_earlier_one_is_refused() -> None:
    """Ring-again after a miss: the first offer's id no longer accepts; the current one does."""
    router = Router([QueueConfig(name="q", offer_timeout=10 * SECOND, no_answer_delay=0 * SECOND)])
    router.log_in(member("a", "q"), now=T0)
    (first,) = router.enqueue("c", "q", now=at(0)).offers
    (second,) = router.tick(now=at(10)).offers
    assert (first.agent_id, second.agent_id) == ("a", "a")
    assert first.offer_id != second.offer_id
    before = dumps(router.snapshot())
    for name in ("accept", "decline", "time_out"):
        with pytest.raises(InvalidTransitionError, match="no longer pending"):
            getattr(router, name)("c", "a", now=at(11), offer_id=first.offer_id)
        assert dumps(router.snapshot()) == before
    with pytest.raises(InvalidInputError):
        router.accept("c", "a", now=at(11), offer_id=7)  # type: ignore[arg-type]
    assert dumps(router.snapshot()) == before
    update = router.accept("c", "a", now=at(11), offer_id=second.offer_id)
    assert of_type(update, ContactAnswered)[0].agent_id == "a"


def test_offer_ids_are_unique_across_a_restart() -> None:
    """Ids count on from the snapshot: a restored router never gives an id twice."""
    router = two_queues()
    made = {router.transfer("k", now=at(10), to_agent="t1").offers[0].offer_id}
    restored = Router.restore(loads(RouterSnapshot, dumps(router.snapshot())))
    for number in range(3):
        update = restored.enqueue(f"n{number}", "sales", now=at(11 + number))
        made.update(offer.offer_id for offer in update.offers)
    assert len(made) == 3
    assert "offer-1" not in made  # k's first offer, to s1


def test_a_snapshot_without_offer_ids_is_restored_with_fresh_ones() -> None:
    """An offer saved before offers had ids gets the next id, after the saved count."""
    router = two_queues()
    router.transfer("k", now=at(10), to_agent="t1")
    snapshot = router.snapshot()
    old = attrs.evolve(
        snapshot,
        offers_made=0,
        contacts=tuple(
            attrs.evolve(
                record, offers=tuple(attrs.evolve(offer, offer_id="") for offer in record.offers)
            )
            for record in snapshot.contacts
        ),
    )
    restored = Router.restore(old)
    (offer,) = restored.snapshot().contacts[0].offers
    assert offer.offer_id == "offer-1"
    (new,) = restored.enqueue("n", "sales", now=at(11)).offers
    assert new.offer_id == "offer-2"
    restored.accept("k", "t1", now=at(12), offer_id="offer-1")


def test_a_restored_router_carries_on_a_wait_for_an_agent() -> None:
    """Mid-wait snapshot through JSON: the original and the restored router do the same."""
    router = two_queues()
    router.enqueue("x", "support", now=at(3))
    router.accept("x", "t1", now=at(4))
    router.transfer("k", now=at(10), to_agent="t1", agent_wait=30 * SECOND)
    data = to_dict(router.snapshot())
    assert [record["target"] for record in data["contacts"]] == ["t1", None]
    restored = Router.restore(from_dict(RouterSnapshot, data))
    assert dumps(restored.snapshot()) == dumps(router.snapshot())
    for live in (router, restored):
        assert live.end("x", now=at(20)).offers[0].agent_id == "t1"
    router2 = two_queues()
    router2.enqueue("x", "support", now=at(3))
    router2.accept("x", "t1", now=at(4))
    router2.transfer("k", now=at(10), to_agent="t1", agent_wait=30 * SECOND)
    again = Router.restore(router2.snapshot())
    assert again.next_deadline() == at(40)
    assert again.tick(now=at(40)) == router2.tick(now=at(40))


def test_a_snapshot_whose_wait_names_a_logged_out_agent_is_refused() -> None:
    """A contact waiting for an agent who is not logged in, or without its end, is refused."""
    router = two_queues()
    router.set_not_ready("t1", NotReadyReason.BREAK, now=at(3))
    router.transfer("k", now=at(10), to_agent="t1", agent_wait=30 * SECOND)
    snapshot = router.snapshot()
    records = {record.contact_id: record for record in snapshot.contacts}
    bad = [
        attrs.evolve(records["k"], target="s9"),
        attrs.evolve(records["k"], target_until=None),  # it may not wait, yet nothing rings
        attrs.evolve(records["k"], target=None),
        attrs.evolve(records["k"], target_until=at(5)),
    ]
    for record in bad:
        with pytest.raises(DocumentError, match="contacts"):
            Router.restore(attrs.evolve(snapshot, contacts=(record,)))


def test_a_snapshot_with_a_repeated_or_foreign_offer_id_is_refused() -> None:
    """Ids are the router's own (offer-N, N up to offers_made), each once."""
    router = Router([QueueConfig(name="q", strategy="ring_all")])
    router.log_in(member("a", "q"), now=T0)
    router.log_in(member("b", "q"), now=T0)
    router.enqueue("c", "q", now=at(1))
    snapshot = router.snapshot()
    (record,) = snapshot.contacts
    first, second = record.offers
    for offers, made in (
        ((first, attrs.evolve(second, offer_id=first.offer_id)), 2),
        ((first, attrs.evolve(second, offer_id="offer-9")), 2),
        ((first, attrs.evolve(second, offer_id="mine")), 2),
        ((first, second), 1),
    ):
        changed = attrs.evolve(snapshot, contacts=(attrs.evolve(record, offers=offers),))
        with pytest.raises(DocumentError, match=r"offer_id|offers_made"):
            Router.restore(attrs.evolve(changed, offers_made=made))


REFUSED = [
    ("not connected", lambda r: r.transfer("w", now=at(10)), InvalidTransitionError),
    ("unknown contact", lambda r: r.transfer("nobody", now=at(10)), NotFoundError),
    ("unknown queue", lambda r: r.transfer("k", now=at(10), to_queue="nope"), NotFoundError),
    ("unknown agent", lambda r: r.transfer("k", now=at(10), to_agent="nope"), NotFoundError),
    ("to its own agent", lambda r: r.transfer("k", now=at(10), to_agent="s1"), InvalidInputError),
    (
        "wait without agent",
        lambda r: r.transfer("k", now=at(10), agent_wait=SECOND),
        InvalidInputError,
    ),
    (
        "negative wait",
        lambda r: r.transfer("k", now=at(10), to_agent="t1", agent_wait=-SECOND),
        InvalidInputError,
    ),
    (
        "wait as a number",
        lambda r: r.transfer("k", now=at(10), to_agent="t1", agent_wait=5),
        InvalidInputError,
    ),
    (
        "priority too high",
        lambda r: r.transfer("k", now=at(10), priority=10**10),
        InvalidInputError,
    ),
    ("priority text", lambda r: r.transfer("k", now=at(10), priority="1"), InvalidInputError),
    ("queue not text", lambda r: r.transfer("k", now=at(10), to_queue=3), InvalidInputError),
    ("agent not text", lambda r: r.transfer("k", now=at(10), to_agent=3), InvalidInputError),
    ("contact not text", lambda r: r.transfer(3, now=at(10)), InvalidInputError),
    ("time backwards", lambda r: r.transfer("k", now=at(1)), InvalidInputError),
]


@pytest.mark.parametrize(("name", "call", "error"), REFUSED, ids=[row[0] for row in REFUSED])
def test_a_refused_transfer_changes_nothing(name: str, call: object, error: type) -> None:
    """Each refusal raises its error and leaves the snapshot byte-identical, with no timer run."""
    router = two_queues(max_wait=5)
    router.set_not_ready("t1", NotReadyReason.BREAK, now=at(2))
    router.enqueue("w", "support", now=at(3))  # overflows at 8: a timer due by the call
    before = dumps(router.snapshot())
    with pytest.raises(error) as caught:
        call(router)  # type: ignore[operator]
    assert isinstance(caught.value, CallcoreError), name
    assert dumps(router.snapshot()) == before
    assert router.tick(now=at(10)).events  # the overflow still happens, reported now


def test_a_transfer_to_an_agent_leaves_a_round_robin_place_alone() -> None:
    """The offer to the named agent is no strategy's choice: round robin goes on from its place."""
    router = Router([QueueConfig(name="q", strategy="round_robin")])
    for number in range(3):
        router.log_in(
            AgentProfile(agent_id=f"a{number}", memberships=(Membership(queue="q"),)), now=T0
        )
    router.accept("c", router.enqueue("c", "q", now=at(1)).offers[0].agent_id, now=at(2))
    holder = router.contact("c").agent_id
    router.transfer("c", now=at(3), to_agent="a2")
    router.accept("c", "a2", now=at(4))
    (offer,) = router.enqueue("d", "q", now=at(5)).offers
    assert (holder, offer.agent_id) == ("a0", "a1")
