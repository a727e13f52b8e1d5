"""Hand-worked scenarios of the router: offers, states, overflow, callbacks, errors."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from callcore.acd import (
    AgentProfile,
    AgentState,
    ContactEscalated,
    ContactOverflowed,
    ContactRejected,
    DeclineReason,
    Membership,
    NotReadyReason,
    OfferEnded,
    OfferEndReason,
    Overflow,
    OverflowAction,
    QueueConfig,
    QueueEscalation,
    RejectReason,
    Router,
)
from callcore.errors import DocumentError, InvalidInputError, InvalidTransitionError, NotFoundError
from callcore.serialization import dumps
from tests.acd.strategies import T0, at


def agent(agent_id: str, *queues: str, **skills: int) -> AgentProfile:
    """An agent in ``queues`` with ``skills``."""
    members = tuple(Membership(queue=name) for name in queues)
    return AgentProfile(agent_id=agent_id, skills=skills, memberships=members)


def test_ring_all_first_accept_wins() -> None:
    """Ring all offers both agents; the first accept withdraws the other offer."""
    router = Router([QueueConfig(name="q", strategy="ring_all")])
    router.log_in(agent("a", "q"), now=T0)
    router.log_in(agent("b", "q"), now=T0)
    update = router.enqueue("c", "q", now=at(1))
    assert sorted(o.agent_id for o in update.offers) == ["a", "b"]
    update = router.accept("c", "b", now=at(2))
    assert [
        (o.agent_id, e.reason)
        for e in update.events
        if isinstance(e, OfferEnded)
        for o in [e.offer]
    ] == [("a", OfferEndReason.WITHDRAWN)]
    assert router.agent("a").state is AgentState.AVAILABLE
    with pytest.raises(InvalidTransitionError):
        router.accept("c", "a", now=at(3))


def test_timeouts_auto_pause_after_max_no_answer() -> None:
    """Two missed offers in a row make the agent not ready (auto-paused)."""
    router = Router([QueueConfig(name="q", max_no_answer=2, offer_timeout=timedelta(seconds=10))])
    router.log_in(agent("a", "q"), now=T0)
    router.enqueue("c", "q", now=at(0))
    update = router.tick(now=at(25))
    assert [e.reason for e in update.events if isinstance(e, OfferEnded)] == [
        OfferEndReason.TIMED_OUT,
        OfferEndReason.TIMED_OUT,
    ]
    view = router.agent("a")
    assert view.state is AgentState.NOT_READY
    assert view.not_ready_reason is NotReadyReason.AUTO_PAUSED
    assert router.contact("c").status.value == "waiting"


def test_wrap_up_blocks_offers_until_it_ends() -> None:
    """A call ending at t=10 with 30 s of wrap-up offers the next contact at t=40."""
    router = Router([QueueConfig(name="q", wrap_up=timedelta(seconds=30))])
    router.log_in(agent("a", "q"), now=T0)
    router.enqueue("c1", "q", now=at(0))
    router.accept("c1", "a", now=at(1))
    router.enqueue("c2", "q", now=at(2))
    router.end("c1", now=at(10))
    assert router.agent("a").state is AgentState.WRAP_UP
    offer = router.tick(now=at(50)).offers[0]
    assert (offer.contact_id, offer.offered_at) == ("c2", at(40))


def test_reject_delay_and_busy_delay() -> None:
    """A rejecting agent waits reject_delay, a busy one busy_delay, before the next offer."""
    config = QueueConfig(
        name="q", reject_delay=timedelta(seconds=5), busy_delay=timedelta(seconds=9)
    )
    router = Router([config])
    router.log_in(agent("a", "q"), now=T0)
    router.enqueue("c", "q", now=at(0))
    assert router.decline("c", "a", now=at(1)).offers == ()
    (offer,) = router.tick(now=at(6)).offers
    assert offer.offered_at == at(6)
    router.decline("c", "a", now=at(7), reason=DeclineReason.BUSY)
    (offer,) = router.tick(now=at(30)).offers
    assert offer.offered_at == at(16)


def test_priority_then_arrival_across_queues() -> None:
    """An agent in two queues gets the higher priority first, then the longest waiting."""
    router = Router([QueueConfig(name="x"), QueueConfig(name="y")])
    router.enqueue("x1", "x", now=at(1))
    router.enqueue("y1", "y", now=at(2))
    router.enqueue("y2", "y", now=at(3), priority=1)
    router.log_in(agent("a", "x", "y"), now=at(4))
    order = []
    for second in range(5, 8):
        contact_id = router.agent("a").offered[0]
        order.append(contact_id)
        router.accept(contact_id, "a", now=at(second))
        router.end(contact_id, now=at(second))
    assert order == ["y2", "x1", "y1"]


def test_set_priority_takes_effect_at_once() -> None:
    """Raising a waiting contact's priority puts it first in line."""
    router = Router([QueueConfig(name="q")])
    for number in range(3):
        router.enqueue(f"c{number}", "q", now=at(number))
    router.set_priority("c2", 3, now=at(5))
    assert router.line("q") == ("c2", "c0", "c1")
    assert router.announcement("c1").position == 3


def test_max_length_and_join_when_empty_reject() -> None:
    """A full queue and an empty queue that refuses joins reject with a reason."""
    router = Router([QueueConfig(name="q", max_length=1, join_when_empty=False)])
    update = router.enqueue("c0", "q", now=at(0))
    assert [e.reason for e in update.events if isinstance(e, ContactRejected)] == [
        RejectReason.NO_AGENTS
    ]
    router.log_in(AgentProfile(agent_id="a", memberships=(Membership(queue="q"),)), now=at(1))
    router.set_not_ready("a", NotReadyReason.BREAK, now=at(1))
    router.enqueue("c1", "q", now=at(2))
    update = router.enqueue("c2", "q", now=at(3))
    assert [e.reason for e in update.events if isinstance(e, ContactRejected)] == [
        RejectReason.QUEUE_FULL
    ]


def test_max_wait_overflows_to_another_queue_keeping_arrival() -> None:
    """After max_wait a contact moves queues and keeps its place by arrival time."""
    router = Router(
        [
            QueueConfig(
                name="a",
                max_wait=timedelta(seconds=60),
                overflow=Overflow(action=OverflowAction.QUEUE, queue="b"),
            ),
            QueueConfig(name="b"),
        ]
    )
    router.enqueue("early", "a", now=at(0))
    router.enqueue("late", "b", now=at(30))
    update = router.tick(now=at(61))
    assert [e.to_queue for e in update.events if isinstance(e, ContactOverflowed)] == ["b"]
    assert router.line("b") == ("early", "late")


def test_callback_keeps_its_place_and_is_offered_as_callback() -> None:
    """A callback request keeps its place, skips max_wait, and its offer says callback."""
    router = Router([QueueConfig(name="q", max_wait=timedelta(seconds=10))])
    router.enqueue("c0", "q", now=at(0))
    router.enqueue("c1", "q", now=at(1))
    router.request_callback("c0", now=at(2))
    update = router.tick(now=at(20))
    assert [e.contact_id for e in update.events if isinstance(e, ContactOverflowed)] == ["c1"]
    (offer,) = router.log_in(agent("a", "q"), now=at(21)).offers
    assert (offer.contact_id, offer.callback) == ("c0", True)


def test_escalation_lowers_skill_minimum_and_stops_once_connected() -> None:
    """After 30 s the French minimum drops from 5 to 2; a connected contact never escalates."""
    rule = QueueEscalation(after=timedelta(seconds=30), skill_minimums={"fr": 2})
    router = Router([QueueConfig(name="q", required_skills={"fr": 5}, escalation=(rule,))])
    router.log_in(agent("weak", "q", fr=3), now=T0)
    router.log_in(agent("strong", "q", fr=6), now=T0)
    router.enqueue("c0", "q", now=at(0))
    router.accept("c0", "strong", now=at(1))
    router.enqueue("c1", "q", now=at(2))
    update = router.tick(now=at(40))
    assert [e.contact_id for e in update.events if isinstance(e, ContactEscalated)] == ["c1"]
    assert [(o.contact_id, o.agent_id, o.offered_at) for o in update.offers] == [
        ("c1", "weak", at(32))
    ]


def test_leave_when_empty_overflows_to_voicemail() -> None:
    """When the last agent logs out, waiting contacts go to voicemail."""
    router = Router([QueueConfig(name="q", leave_when_empty=True)])
    router.log_in(agent("a", "q"), now=T0)
    router.set_not_ready("a", NotReadyReason.LUNCH, now=at(1))
    router.enqueue("c", "q", now=at(2))
    update = router.log_out("a", now=at(3))
    assert [e.action for e in update.events if isinstance(e, ContactOverflowed)] == [
        OverflowAction.VOICEMAIL
    ]
    assert router.contact_ids() == ()


def test_announcement_estimated_wait() -> None:
    """EWT = position x mean handle time / staffed agents: 2 x (60 + 0) / 1 = 120 s."""
    router = Router([QueueConfig(name="q")])
    router.log_in(agent("a", "q"), now=T0)
    router.enqueue("c0", "q", now=at(0))
    router.accept("c0", "a", now=at(0))
    router.enqueue("c1", "q", now=at(1))
    router.enqueue("c2", "q", now=at(2))
    router.end("c0", now=at(60))  # a takes c1 (ringing, still ahead of c2)
    announcement = router.announcement("c2")
    assert announcement.position == 2
    assert announcement.estimated_wait == timedelta(seconds=120)


@pytest.mark.parametrize(
    ("call", "error"),
    [
        (lambda r: r.log_in(agent("a", "q"), now=at(5)), InvalidTransitionError),
        (lambda r: r.end("nobody", now=at(5)), NotFoundError),
        (lambda r: r.end("c1", now=at(5)), InvalidTransitionError),
        (lambda r: r.accept("c1", "a", now=at(5)), InvalidTransitionError),
        (lambda r: r.abandon("c0", now=at(5)), InvalidTransitionError),
        (lambda r: r.enqueue("c1", "q", now=at(5)), InvalidTransitionError),
        (lambda r: r.enqueue("c9", "nowhere", now=at(5)), NotFoundError),
        (lambda r: r.enqueue("c9", "q", now=at(5), skills={"fr": 11}), InvalidInputError),
        (lambda r: r.tick(now=at(1)), InvalidInputError),
        (lambda r: r.log_in(agent("b", "nowhere"), now=at(5)), DocumentError),
        (lambda r: r.set_ready("a", now=at(5)), InvalidTransitionError),
        (lambda r: r.log_out("a", now=at(5)), InvalidTransitionError),
    ],
)
def test_rejected_inputs_change_nothing(call: object, error: type[Exception]) -> None:
    """A request that does not fit raises and leaves the whole state unchanged."""
    router = Router([QueueConfig(name="q")])
    router.log_in(agent("a", "q"), now=T0)
    router.enqueue("c0", "q", now=at(1))
    router.accept("c0", "a", now=at(2))
    router.enqueue("c1", "q", now=at(3))
    router.tick(now=at(5))
    before = dumps(router.snapshot())
    with pytest.raises(error):
        call(router)  # type: ignore[operator]
    assert dumps(router.snapshot()) == before


def test_bad_queue_configuration_lists_every_problem() -> None:
    """Unknown strategy, bad overflow target and unordered rules are reported together."""
    with pytest.raises(DocumentError) as caught:
        Router(
            [
                QueueConfig(
                    name="q",
                    strategy="fastest",
                    overflow=Overflow(action=OverflowAction.QUEUE, queue="q"),
                    escalation=(
                        QueueEscalation(after=timedelta(seconds=60)),
                        QueueEscalation(after=timedelta(seconds=30)),
                    ),
                )
            ]
        )
    assert [p.path for p in caught.value.problems] == [
        "[0].escalation[1].after",
        "[0].overflow.queue",
        "[0].strategy",
    ]


def test_a_time_given_in_a_zone_is_kept_as_an_instant_across_a_clock_change() -> None:
    """``now`` in Europe/Bucharest just before the spring change: offers last 20 s of real time.

    At 02:59:50 local (00:59:50 UTC) on 29 March 2026 the clocks jump to 04:00;
    a zone's wall-clock arithmetic would make the ring expire at 03:00:10, a
    time that does not exist, an hour after the real 01:00:10 UTC.
    """
    from zoneinfo import ZoneInfo  # noqa: PLC0415 - only this test needs a zone

    zone = ZoneInfo("Europe/Bucharest")
    router = Router([QueueConfig(name="q", offer_timeout=timedelta(seconds=20))])
    router.log_in(AgentProfile(agent_id="a", memberships=(Membership(queue="q"),)), now=T0)
    start = datetime(2026, 3, 29, 2, 59, 50, tzinfo=zone)
    update = router.enqueue("k", "q", now=start)
    (offer,) = update.offers
    assert offer.offered_at == datetime(2026, 3, 29, 0, 59, 50, tzinfo=timezone.utc)
    assert offer.expires_at == datetime(2026, 3, 29, 1, 0, 10, tzinfo=timezone.utc)
    assert router.next_deadline() == offer.expires_at
    after = datetime(2026, 3, 29, 4, 0, 10, tzinfo=zone)  # the same instant, local
    ended = router.tick(now=after)
    first = ended.events[0]
    assert isinstance(first, OfferEnded)
    assert first.offer == offer
    assert router.snapshot().now == offer.expires_at
