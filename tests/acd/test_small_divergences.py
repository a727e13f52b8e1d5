"""Issue 12, defect 6: event order on overflow, one escalation event per rule, staffed agents."""

from __future__ import annotations

from datetime import timedelta

from callcore.acd import (
    AgentProfile,
    ContactEscalated,
    ContactOverflowed,
    Membership,
    NotReadyReason,
    OfferEnded,
    Overflow,
    OverflowAction,
    QueueConfig,
    QueueEscalation,
    Router,
)
from tests.acd.strategies import T0

S = timedelta(seconds=1)


def ana(*queues: str) -> AgentProfile:
    """Agent ana, in ``queues``."""
    return AgentProfile(
        agent_id="ana", memberships=tuple(Membership(queue=name) for name in queues)
    )


def test_a_ringing_contact_that_overflows_ends_its_offers_first() -> None:
    """max_wait reached while ringing: OfferEnded (withdrawn) comes before ContactOverflowed."""
    router = Router(
        [
            QueueConfig(
                name="q",
                offer_timeout=60 * S,
                max_wait=30 * S,
                overflow=Overflow(action=OverflowAction.VOICEMAIL),
            )
        ]
    )
    router.log_in(ana("q"), now=T0)
    router.enqueue("k", "q", now=T0)
    events = router.tick(now=T0 + 30 * S).events
    kinds = [type(event) for event in events if isinstance(event, OfferEnded | ContactOverflowed)]
    assert kinds == [OfferEnded, ContactOverflowed]


def test_two_rules_due_at_once_give_one_event_each() -> None:
    """Two rules with the same ``after``: stage 1 then stage 2, one event each, at 10 s."""
    router = Router(
        [
            QueueConfig(
                name="q",
                max_tier=1,
                escalation=(
                    QueueEscalation(after=10 * S, max_tier=2),
                    QueueEscalation(after=10 * S, max_tier=3),
                ),
            )
        ]
    )
    router.log_in(ana("q"), now=T0, ready=False)
    router.enqueue("k", "q", now=T0)
    escalated = [
        (event.stage, event.at)
        for event in router.tick(now=T0 + 10 * S).events
        if isinstance(event, ContactEscalated)
    ]
    assert escalated == [(1, T0 + 10 * S), (2, T0 + 10 * S)]


def test_the_estimated_wait_counts_only_agents_who_take_contacts() -> None:
    """Two members logged in, one on a break: the estimate divides by one agent, not two.

    One call of 60 s talk: mean handle time 60 s; the contact is first in line,
    so its estimated wait is 1 x 60 s / 1 = 60 s (it was 30 s, counting the
    agent on a break).
    """
    router = Router([QueueConfig(name="q")])
    router.log_in(ana("q"), now=T0)
    router.log_in(
        AgentProfile(agent_id="bo", memberships=(Membership(queue="q"),)), now=T0, ready=False
    )
    router.set_not_ready("bo", NotReadyReason.BREAK, now=T0)
    router.enqueue("x", "q", now=T0)
    router.accept("x", "ana", now=T0)
    router.end("x", now=T0 + 60 * S)
    router.enqueue("y", "q", now=T0 + 61 * S)
    router.accept("y", "ana", now=T0 + 61 * S)  # ana busy, bo on a break: k waits
    router.enqueue("k", "q", now=T0 + 62 * S)
    announcement = router.announcement("k")
    assert announcement.position == 1
    assert announcement.estimated_wait == 60 * S
