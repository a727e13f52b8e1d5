"""Delays after missed, rejected and busy offers: the longest pending one wins (issue 12)."""

from __future__ import annotations

from datetime import timedelta

from callcore.acd import (
    AgentProfile,
    DeclineReason,
    Membership,
    QueueConfig,
    Router,
)
from callcore.contacts import Channel
from tests.acd.strategies import T0

S = timedelta(seconds=1)


def chat_router() -> Router:
    """A chat queue: busy delay 30 s, no-answer delay 5 s; one agent taking two chats."""
    router = Router(
        [
            QueueConfig(
                name="chat",
                channel=Channel.CHAT,
                offer_timeout=10 * S,
                busy_delay=30 * S,
                no_answer_delay=5 * S,
            )
        ]
    )
    router.log_in(
        AgentProfile(
            agent_id="ana",
            memberships=(Membership(queue="chat"),),
            capacity={Channel.CHAT: 2},
        ),
        now=T0,
    )
    return router


def test_a_later_shorter_delay_does_not_cut_a_longer_one() -> None:
    """Busy (30 s) at 0 s, then a miss (5 s) at 10 s: no offer before 30 s, one at 30 s."""
    router = chat_router()
    router.enqueue("c1", "chat", now=T0)
    router.enqueue("c2", "chat", now=T0)
    router.decline("c1", "ana", now=T0, reason=DeclineReason.BUSY)  # delayed until 30 s
    router.tick(now=T0 + 10 * S)  # c2's offer times out: a 5 s delay, until 15 s only
    assert router.agent("ana").offered == ()
    assert router.tick(now=T0 + 15 * S).offers == ()
    assert router.tick(now=T0 + 29 * S).offers == ()
    offered = router.tick(now=T0 + 30 * S).offers
    assert sorted(offer.contact_id for offer in offered) == ["c1", "c2"]


def test_a_later_longer_delay_extends_a_shorter_one() -> None:
    """A miss (5 s) then, before it ends, a busy (30 s) from the other chat: 30 s counts."""
    router = chat_router()
    router.enqueue("c1", "chat", now=T0)
    router.tick(now=T0 + 2 * S)
    router.enqueue("c2", "chat", now=T0 + 2 * S)
    router.tick(now=T0 + 10 * S)  # c1 missed: delayed until 15 s
    router.decline("c2", "ana", now=T0 + 11 * S, reason=DeclineReason.BUSY)  # until 41 s
    assert router.tick(now=T0 + 40 * S).offers == ()
    assert len(router.tick(now=T0 + 41 * S).offers) == 2
