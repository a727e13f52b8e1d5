"""Host processes' centres on one shared router: the queues, the flow, the agents."""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING

import attrs

from callcore.acd import AgentProfile, Membership, QueueConfig, Router
from callcore.center import ContactCenter
from callcore.ivr import load_flow
from callcore.storage.postgres_router import SharedRouter
from callcore.testing.fakes import FakeTelephony

if TYPE_CHECKING:
    from callcore.clock import Clock

QUEUE = "support"
DIALLED = "+40 21 300 4000"
OFFER_TIMEOUT = timedelta(minutes=10)  # no offer expires during a test
FLOW = {
    "id": "main",
    "start": "queue",
    "languages": ["en"],
    "prompts": {"hold": {"en": "Please hold."}},
    "nodes": {"queue": {"type": "queue", "queue": QUEUE, "prompt": "hold"}},
}


def build_router() -> Router:
    """The shared group: one voice queue."""
    return Router([QueueConfig(name=QUEUE, offer_timeout=OFFER_TIMEOUT)])


def agent(agent_id: str) -> AgentProfile:
    """An agent of the queue."""
    return AgentProfile(agent_id=agent_id, memberships=(Membership(queue=QUEUE),))


@attrs.define
class Host:
    """One host: its share of the router, its centre, its telephony."""

    router: SharedRouter
    center: ContactCenter
    telephony: FakeTelephony

    def stop(self) -> None:
        """Stop following and owning."""
        self.router.stop()


def host(
    url: str,
    name: str,
    host_id: str,
    *,
    clock: Clock | None = None,
    lease_seconds: float = 2.0,
    store: str = "memory:",
    durable: bool = False,
) -> Host:
    """A host's centre on the shared router ``name``, following its news (not owning yet)."""
    router = SharedRouter(
        url,
        name,
        factory=build_router,
        host_id=host_id,
        lease_seconds=lease_seconds,
        checkpoint_every=3,  # so that a new owner replays the last commands from the log
        clock=clock,
        timeout=20,
    )
    telephony = FakeTelephony()
    center = ContactCenter(
        router=router,
        flows={DIALLED: load_flow(FLOW)},
        store=store,
        clock=clock,
        durable=durable,
        plugins=[telephony],
        default_country_code="40",
    )
    telephony.attach(center)
    router.follow(on_news=center.run_due)
    return Host(router, center, telephony)
