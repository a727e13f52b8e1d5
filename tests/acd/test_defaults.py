"""The defaults an operator expects: a missed agent is not rung again at once, nor forever.

Issue 12, defect 5. Before, ``no_answer_delay=0`` and ``max_no_answer=0``
re-rang an absent agent every ``offer_timeout``, forever. Now a miss keeps the
agent from offers for 5 s (Asterisk's ``retry``, 5 s by default) and three
misses in a row make it not ready (the agent of FreeSWITCH mod_callcenter's
shipped configuration: ``max-no-answer="3"``).
"""

from __future__ import annotations

from datetime import timedelta

from callcore.acd import (
    AgentProfile,
    AgentStateChanged,
    Membership,
    NotReadyReason,
    QueueConfig,
    Router,
)
from tests.acd.strategies import T0

S = timedelta(seconds=1)


def test_the_defaults_are_the_anchors() -> None:
    """Ring 15 s (Asterisk's ``timeout``), 5 s after a miss, not ready after 3 misses."""
    config = QueueConfig(name="q")
    assert config.offer_timeout == 15 * S
    assert config.no_answer_delay == 5 * S
    assert config.max_no_answer == 3
    assert (config.reject_delay, config.busy_delay, config.wrap_up) == (0 * S, 0 * S, 0 * S)


def test_an_absent_agent_is_rung_three_times_with_pauses_then_paused() -> None:
    """Offers at 0, 20 and 40 s (15 s ringing + 5 s delay); at 55 s the agent is auto-paused."""
    router = Router([QueueConfig(name="q")])
    router.log_in(AgentProfile(agent_id="ana", memberships=(Membership(queue="q"),)), now=T0)
    offered = [offer.offered_at for offer in router.enqueue("k", "q", now=T0).offers]
    paused = []
    now = T0
    while (due := router.next_deadline()) is not None and due <= T0 + 120 * S:
        now = due
        update = router.tick(now=now)
        offered += [offer.offered_at for offer in update.offers]
        paused += [
            event.at
            for event in update.events
            if isinstance(event, AgentStateChanged) and event.reason is NotReadyReason.AUTO_PAUSED
        ]
    assert offered == [T0, T0 + 20 * S, T0 + 40 * S]
    assert paused == [T0 + 55 * S]
    assert router.contact("k").offered_to == ()
