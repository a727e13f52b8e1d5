"""Small builders shared by the hand-worked ACD scenario tests."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING, TypeVar

from callcore.acd import (
    AgentProfile,
    Membership,
    NotReadyReason,
    Overflow,
    OverflowAction,
    QueueConfig,
    QueueEscalation,
    Router,
)
from callcore.contacts import Channel
from tests.acd.strategies import T0

if TYPE_CHECKING:
    from callcore.acd import RouterUpdate
    from callcore.events import Event

E = TypeVar("E", bound="Event")


def member(agent_id: str, queue: str, *, tier: int = 1, **skills: int) -> AgentProfile:
    """An agent in one queue at ``tier`` with ``skills``."""
    return AgentProfile(
        agent_id=agent_id, skills=skills, memberships=(Membership(queue=queue, tier=tier),)
    )


def of_type(update: RouterUpdate, kind: type[E]) -> list[E]:
    """The events of ``update`` of one type, in order."""
    return [event for event in update.events if isinstance(event, kind)]


def busy_router(strategy: str = "round_robin") -> Router:
    """A router caught mid-day: contacts waiting, ringing and connected, agents in every state.

    Two queues use ``strategy`` (a round-robin one keeps a place); a third
    takes chats with a random strategy, so the snapshot holds draws too; one
    queue has never been staffed and has an empty clock.
    """
    second = timedelta(seconds=1)
    router = Router(
        [
            QueueConfig(
                name="sales",
                strategy=strategy,
                wrap_up=30 * second,
                max_wait=300 * second,
                max_no_answer=2,
                no_answer_delay=5 * second,
                escalation=(QueueEscalation(after=60 * second, max_tier=3),),
            ),
            QueueConfig(
                name="support",
                channel=Channel.CHAT,
                strategy="random",
                reject_delay=20 * second,
                no_answer_delay=0 * second,  # rings again at once after a miss, never paused
                max_no_answer=0,
                overflow=Overflow(action=OverflowAction.QUEUE, queue="sales"),
            ),
            QueueConfig(
                name="spare",
                strategy=strategy,
                max_wait_empty=600 * second,
                no_answer_delay=0 * second,
                max_no_answer=0,
            ),
        ],
        seed=1,  # the seed whose draws give the shape the restore checks name (c1..c5)
    )
    chat = {Channel.VOICE: 1, Channel.CHAT: 2}
    profiles = [
        AgentProfile(agent_id="a0", skills={"en": 5}, memberships=(Membership(queue="sales"),)),
        AgentProfile(
            agent_id="a1",
            skills={"en": 2, "fr": 7},
            memberships=(Membership(queue="sales", position=1), Membership(queue="support")),
            capacity=chat,
            voice_exclusive=False,
        ),
        AgentProfile(agent_id="a2", memberships=(Membership(queue="support"),), capacity=chat),
        AgentProfile(agent_id="a3", memberships=(Membership(queue="sales", tier=2),)),
    ]
    for profile in profiles:
        router.log_in(profile, now=T0)

    def at(seconds: int) -> datetime:
        return T0 + seconds * second

    router.log_out("a3", now=at(1))
    router.enqueue("c1", "sales", now=at(2), skills={"en": 1})
    for offer in router.enqueue("c2", "support", now=at(3)).offers:
        router.accept(offer.contact_id, offer.agent_id, now=at(4))
    router.enqueue("c3", "spare", now=at(5), priority=2)
    for offer in router.enqueue("c4", "support", now=at(6)).offers:
        router.decline(offer.contact_id, offer.agent_id, now=at(7))
    router.set_not_ready("a0", NotReadyReason.BREAK, now=at(8))
    router.enqueue("c5", "sales", now=at(9))
    contact = router.contact("c1")
    if contact.offered_to:
        router.accept("c1", contact.offered_to[0], now=at(10))
        router.end("c1", now=at(12))
    router.tick(now=at(13))
    router.set_ready("a0", now=at(14))  # takes the first waiting voice call: an offer rings
    return router
