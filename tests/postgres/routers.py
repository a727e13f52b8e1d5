"""The router of the shared-router tests, built the same way in every host process."""

from __future__ import annotations

from datetime import timedelta

from callcore.acd import AgentProfile, Membership, QueueConfig, Router

QUEUE = "support"
OFFER_TIMEOUT = timedelta(seconds=3)


def build_router() -> Router:
    """One voice queue; offers ring for OFFER_TIMEOUT."""
    return Router(
        [QueueConfig(name=QUEUE, offer_timeout=OFFER_TIMEOUT, no_answer_delay=timedelta(0))]
    )


def agent(agent_id: str) -> AgentProfile:
    """An agent of the queue."""
    return AgentProfile(agent_id=agent_id, memberships=(Membership(queue=QUEUE),))
