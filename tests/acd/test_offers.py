"""Hand-worked offer scenarios: ring time-outs, max no answer, ring all."""

from __future__ import annotations

from datetime import timedelta

import pytest

from callcore.acd import (
    AgentProfile,
    AgentState,
    AgentStateChanged,
    ContactAbandoned,
    ContactAnswered,
    ContactOffered,
    Membership,
    NotReadyReason,
    Offer,
    OfferEnded,
    OfferEndReason,
    QueueConfig,
    Router,
    RouterUpdate,
)
from callcore.contacts import Channel
from callcore.errors import InvalidTransitionError
from callcore.serialization import dumps
from tests.acd.scenarios import member, of_type
from tests.acd.strategies import T0, at


def offer(contact_id: str, agent_id: str, start: float, ring: float, number: int) -> Offer:
    """The router's ``number``-th offer: voice, of ``q``, made at ``start``, ringing ``ring`` s."""
    return Offer(
        contact_id=contact_id,
        agent_id=agent_id,
        queue="q",
        channel=Channel.VOICE,
        offered_at=at(start),
        expires_at=at(start + ring),
        offer_id=f"offer-{number}",
    )


def test_offer_times_out_at_expiry_and_moves_to_the_next_agent() -> None:
    """Ring 20 s, no-answer delay 10 s: a's offer from t=5 ends at 25 and b is offered at 25."""
    router = Router(
        [
            QueueConfig(
                name="q", offer_timeout=timedelta(seconds=20), no_answer_delay=timedelta(seconds=10)
            )
        ]
    )
    router.log_in(member("a", "q"), now=T0)
    router.log_in(member("b", "q"), now=at(1))
    assert router.enqueue("c", "q", now=at(5)).offers == (offer("c", "a", 5, 20, 1),)
    assert router.tick(now=at(24)) == RouterUpdate()
    update = router.tick(now=at(25))
    assert update.events == (
        OfferEnded(at=at(25), offer=offer("c", "a", 5, 20, 1), reason=OfferEndReason.TIMED_OUT),
        ContactOffered(at=at(25), offer=offer("c", "b", 25, 20, 2)),
    )
    assert update.ended_offers == (offer("c", "a", 5, 20, 1),)


def test_host_reported_time_out_and_delay_before_the_retry() -> None:
    """The miss of b reported at t=30 ends its offer; a's delay ends at 35 and a is offered then."""
    router = Router(
        [
            QueueConfig(
                name="q", offer_timeout=timedelta(seconds=20), no_answer_delay=timedelta(seconds=10)
            )
        ]
    )
    router.log_in(member("a", "q"), now=T0)
    router.log_in(member("b", "q"), now=at(1))
    router.enqueue("c", "q", now=at(5))
    router.tick(now=at(25))
    assert router.time_out("c", "b", now=at(30)).events == (
        OfferEnded(at=at(30), offer=offer("c", "b", 25, 20, 2), reason=OfferEndReason.TIMED_OUT),
    )
    assert router.tick(now=at(34)) == RouterUpdate()
    assert router.tick(now=at(35)).offers == (offer("c", "a", 35, 20, 3),)


def test_accepting_an_expired_offer_is_refused_without_change() -> None:
    """The offer expired at t=15; accepting at t=16 raises and the state stays."""
    router = Router([QueueConfig(name="q", no_answer_delay=timedelta(seconds=60))])
    router.log_in(member("a", "q"), now=T0)
    router.enqueue("c", "q", now=at(0))
    router.tick(now=at(16))
    before = dumps(router.snapshot())
    with pytest.raises(InvalidTransitionError):
        router.accept("c", "a", now=at(16))
    assert dumps(router.snapshot()) == before


def test_max_no_answer_counts_misses_in_a_row_only() -> None:
    """Ring 10 s, delay 5 s, max 2: an answer resets the count; the 2nd miss in a row pauses."""
    router = Router(
        [
            QueueConfig(
                name="q",
                offer_timeout=timedelta(seconds=10),
                no_answer_delay=timedelta(seconds=5),
                max_no_answer=2,
            )
        ]
    )
    router.log_in(member("a", "q"), now=T0)
    router.enqueue("c1", "q", now=at(0))
    router.tick(now=at(15))  # missed at 10, offered again at 15
    router.accept("c1", "a", now=at(20))
    router.end("c1", now=at(30))
    router.enqueue("c2", "q", now=at(31))
    update = router.tick(now=at(60))
    assert update.events == (
        OfferEnded(at=at(41), offer=offer("c2", "a", 31, 10, 3), reason=OfferEndReason.TIMED_OUT),
        ContactOffered(at=at(46), offer=offer("c2", "a", 46, 10, 4)),
        OfferEnded(at=at(56), offer=offer("c2", "a", 46, 10, 4), reason=OfferEndReason.TIMED_OUT),
        AgentStateChanged(
            at=at(56),
            agent_id="a",
            state=AgentState.NOT_READY,
            reason=NotReadyReason.AUTO_PAUSED,
        ),
    )
    view = router.agent("a")
    assert (view.state, view.not_ready_reason) == (AgentState.NOT_READY, NotReadyReason.AUTO_PAUSED)
    assert router.tick(now=at(300)) == RouterUpdate()
    update = router.set_ready("a", now=at(300))
    assert update.offers == (offer("c2", "a", 300, 10, 5),)


def test_max_no_answer_counts_host_reported_time_outs() -> None:
    """Two misses reported by the host (max 2) auto-pause the agent at the second."""
    router = Router([QueueConfig(name="q", max_no_answer=2, no_answer_delay=timedelta(0))])
    router.log_in(member("a", "q"), now=T0)
    router.enqueue("c", "q", now=at(0))
    router.time_out("c", "a", now=at(3))
    update = router.time_out("c", "a", now=at(4))
    assert of_type(update, AgentStateChanged) == [
        AgentStateChanged(
            at=at(4), agent_id="a", state=AgentState.NOT_READY, reason=NotReadyReason.AUTO_PAUSED
        )
    ]
    assert router.contact("c").offered_to == ()


def ring_all_router() -> Router:
    """Ring all over a and b (tier 1) and t2 (tier 2), ringing 30 s."""
    router = Router(
        [QueueConfig(name="q", strategy="ring_all", offer_timeout=timedelta(seconds=30))]
    )
    router.log_in(member("b", "q"), now=T0)
    router.log_in(member("a", "q"), now=T0)
    router.log_in(member("t2", "q", tier=2), now=T0)
    return router


def test_ring_all_rings_the_first_tier_and_first_accept_withdraws_the_rest() -> None:
    """Both tier-1 agents ring; a answers at t=3, b's offer is withdrawn, t2 never rings."""
    router = ring_all_router()
    update = router.enqueue("c", "q", now=at(1))
    assert update.offers == (offer("c", "a", 1, 30, 1), offer("c", "b", 1, 30, 2))
    update = router.accept("c", "a", now=at(3))
    assert update.events == (
        OfferEnded(at=at(3), offer=offer("c", "b", 1, 30, 2), reason=OfferEndReason.WITHDRAWN),
        ContactAnswered(
            at=at(3), contact_id="c", agent_id="a", queue="q", waited=timedelta(seconds=2)
        ),
    )
    assert update.ended_offers == (offer("c", "b", 1, 30, 2),)
    assert [router.agent(x).state for x in ("a", "b", "t2")] == [
        AgentState.BUSY,
        AgentState.AVAILABLE,
        AgentState.AVAILABLE,
    ]


def test_ring_all_one_decline_keeps_the_others_ringing() -> None:
    """Agent b rejects at t=2; a still rings and answers at t=4."""
    router = ring_all_router()
    router.enqueue("c", "q", now=at(1))
    update = router.decline("c", "b", now=at(2))
    assert update.offers == ()
    assert router.contact("c").offered_to == ("a",)
    assert of_type(router.accept("c", "a", now=at(4)), ContactAnswered)[0].waited == timedelta(
        seconds=3
    )


def test_ring_all_withdraws_every_offer_when_the_caller_hangs_up() -> None:
    """The caller hangs up at t=5: both ringing offers are withdrawn, then the abandon."""
    router = ring_all_router()
    router.enqueue("c", "q", now=at(1))
    update = router.abandon("c", now=at(5))
    assert update.events == (
        OfferEnded(at=at(5), offer=offer("c", "a", 1, 30, 1), reason=OfferEndReason.WITHDRAWN),
        OfferEnded(at=at(5), offer=offer("c", "b", 1, 30, 2), reason=OfferEndReason.WITHDRAWN),
        ContactAbandoned(at=at(5), contact_id="c", queue="q", waited=timedelta(seconds=4)),
    )


def test_wrap_up_withdraws_an_offer_ringing_on_another_channel() -> None:
    """a0 ends voice call v at t=30 with chat ch ringing: wrap-up withdraws ch until t=40."""
    router = Router(
        [
            QueueConfig(name="voice", wrap_up=timedelta(seconds=10)),
            QueueConfig(name="chat", channel=Channel.CHAT, offer_timeout=timedelta(seconds=60)),
        ]
    )
    profile = AgentProfile(
        agent_id="a0",
        memberships=(Membership(queue="voice"), Membership(queue="chat")),
        capacity={Channel.VOICE: 1, Channel.CHAT: 1},
        voice_exclusive=False,
    )
    router.log_in(profile, now=T0)
    router.enqueue("v", "voice", now=at(0))
    router.accept("v", "a0", now=at(0))
    (ringing,) = router.enqueue("ch", "chat", now=at(20)).offers
    update = router.end("v", now=at(30))
    assert update.ended_offers == (ringing,)
    assert of_type(update, OfferEnded) == [
        OfferEnded(at=at(30), offer=ringing, reason=OfferEndReason.WITHDRAWN)
    ]
    assert router.agent("a0").state is AgentState.WRAP_UP
    assert router.contact("ch").status.value == "waiting"
    assert [offer.contact_id for offer in router.tick(now=at(40)).offers] == ["ch"]
