"""The centre answers the IVR's ``queue_status`` look-up from the router.

This is Amazon Connect's *Check queue status* block.

A flow asks how the billing queue stands and branches on it: callers go to the
queue while an agent is available, to an overflow queue otherwise. The answer's figures
are the router's wallboard at that instant, worked out by hand below.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any

from callcore import ManualClock
from callcore.acd import AgentProfile, Membership, QueueConfig
from callcore.center import QUEUE_STATUS, ContactCenter
from callcore.ivr import LookupRequest, load_flow
from callcore.storage import MemoryStorage
from callcore.testing.fakes import FakeTelephony

START = datetime(2026, 3, 2, 9, 0, tzinfo=timezone.utc)
S = timedelta(seconds=1)
DIALLED = "+40 21 300 4000"

FLOW: dict[str, Any] = {
    "id": "check",
    "start": "which",
    "languages": ["en"],
    "prompts": {"sorry": {"en": "Everyone is busy; please hold for the next adviser."}},
    "nodes": {
        "which": {"type": "set", "values": {"queue": "billing"}, "next": "status"},
        "status": {
            "type": "lookup",
            "name": QUEUE_STATUS,
            "params": {"queue": "vars.queue"},
            "store_as": "status",
            "next": "decide",
            "on_error": "elsewhere",
        },
        "decide": {
            "type": "branch",
            "cases": [
                {"when": {"var": "vars.status.available", "op": "gt", "value": 0}, "goto": "q"}
            ],
            "default": "elsewhere",
        },
        "q": {"type": "queue", "queue": "billing"},
        "elsewhere": {"type": "queue", "queue": "overflow", "prompt": "sorry"},
    },
}


def _center(flow: dict[str, Any] = FLOW) -> tuple[ContactCenter, ManualClock, FakeTelephony]:
    clock, telephony = ManualClock(START), FakeTelephony()
    center = ContactCenter(
        queues=(QueueConfig(name="billing"), QueueConfig(name="overflow")),
        flows={DIALLED: load_flow(flow)},
        store=MemoryStorage(),
        clock=clock,
        plugins=[telephony],
        default_country_code="40",
    )
    telephony.attach(center)
    return center, clock, telephony


def _agent(agent_id: str) -> AgentProfile:
    return AgentProfile(agent_id=agent_id, memberships=(Membership(queue="billing"),))


def _status_of(center: ContactCenter, contact_id: str) -> dict[str, Any]:
    status: dict[str, Any] = center.contact(contact_id).variables["status"]
    return status


def test_an_available_agent_sends_the_caller_to_the_queue() -> None:
    """One agent free, nobody waiting: the caller is queued (and rung at once)."""
    center, _, telephony = _center()
    center.agent_logged_in(_agent("a1"))
    center.inbound_call(caller="0721 234 567", dialled=DIALLED, contact_id="CA-1")
    assert _status_of(center, "CA-1") == {
        "queue": "billing",
        "waiting": 0,
        "ringing": 0,
        "longest_wait": 0.0,
        "available": 1,
        "reserved": 0,
        "busy": 0,
        "wrap_up": 0,
        "not_ready": 0,
        "staffed": 1,
    }
    assert [offer.contact_id for offer in telephony.ringing()] == ["CA-1"]


def test_with_every_agent_taken_the_caller_goes_elsewhere() -> None:
    """The only agent rings for the first caller; the second is told the queue's state 5 s later."""
    center, clock, _ = _center()
    center.agent_logged_in(_agent("a1"))
    center.inbound_call(caller="0721 234 567", dialled=DIALLED, contact_id="CA-1")
    clock.advance(5 * S)
    center.inbound_call(caller="0721 234 568", dialled=DIALLED, contact_id="CA-2")
    status = _status_of(center, "CA-2")
    # CA-1 rings a1 (reserved); nobody waits unserved; the ringing contact has waited 5 s
    assert (status["waiting"], status["ringing"], status["longest_wait"]) == (0, 1, 5.0)
    assert (status["available"], status["reserved"], status["staffed"]) == (0, 1, 1)
    assert center.contact("CA-2").queue == "overflow"


def test_an_unknown_queue_takes_the_error_branch() -> None:
    """The look-up names a queue the centre does not have: the flow's on_error runs."""
    flow = {**FLOW, "nodes": {**FLOW["nodes"]}}
    flow["nodes"]["which"] = {"type": "set", "values": {"queue": "nope"}, "next": "status"}
    center, _, _ = _center(flow)
    center.agent_logged_in(_agent("a1"))
    update = center.inbound_call(caller="0721 234 567", dialled=DIALLED, contact_id="CA-1")
    assert "status" not in center.contact("CA-1").variables
    assert center.contact("CA-1").queue == "overflow"
    assert not [a for a in update.actions if isinstance(getattr(a, "action", None), LookupRequest)]
