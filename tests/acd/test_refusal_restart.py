"""A refused call runs no timer, so nothing due is lost across a restart (issue 12, defect 2).

The timers due by a refused call's ``now`` are not run (or are undone with the
state), so their output is not held anywhere outside the snapshot: a router
restored from a snapshot taken after the refusal tells the host what fell due,
exactly as the original router does.
"""

from __future__ import annotations

from datetime import timedelta

import pytest

from callcore.acd import (
    AgentProfile,
    ContactOverflowed,
    Membership,
    Overflow,
    OverflowAction,
    QueueConfig,
    Router,
    RouterSnapshot,
)
from callcore.errors import NotFoundError
from callcore.serialization import dumps, loads
from tests.acd.strategies import T0

S = timedelta(seconds=1)


def waiting_caller() -> Router:
    """A caller waits in a queue whose ``max_wait`` (30 s) sends it to voicemail."""
    router = Router(
        [
            QueueConfig(
                name="q",
                max_wait=30 * S,
                overflow=Overflow(action=OverflowAction.VOICEMAIL),
            )
        ]
    )
    router.log_in(
        AgentProfile(agent_id="ana", memberships=(Membership(queue="q"),)), now=T0, ready=False
    )
    router.enqueue("k", "q", now=T0)
    return router


def test_a_restored_router_reports_the_overflow_a_refused_call_did_not() -> None:
    """Abandoning at 31 s is refused (k left for voicemail at 30 s); after a restart, tick tells."""
    router = waiting_caller()
    with pytest.raises(NotFoundError):
        router.abandon("k", now=T0 + 31 * S)
    restored = Router.restore(loads(RouterSnapshot, dumps(router.snapshot())))
    for copy in (restored, router):
        events = copy.tick(now=T0 + 31 * S).events
        overflowed = [event for event in events if isinstance(event, ContactOverflowed)]
        assert [(e.contact_id, e.action, e.at) for e in overflowed] == [
            ("k", OverflowAction.VOICEMAIL, T0 + 30 * S)
        ]
        assert copy.contact_ids() == ()
