"""An asyncio host in front of the contact centre: inputs off the loop, timers in a task.

Three calls ring in at once; an agent takes them one by one while a timer
task moves unanswered offers on. The store is SQLite in a temporary folder,
whose writes would block the loop if the centre ran on it.

Run it: ``python examples/center_asyncio.py``.
"""

from __future__ import annotations

import asyncio
import tempfile
from datetime import timedelta
from pathlib import Path

from callcore import SystemClock
from callcore.acd import AgentProfile, Membership, QueueConfig
from callcore.center import (
    AsyncContactCenter,
    CenterUpdate,
    ContactCenter,
    Disposition,
    RingAgent,
)
from callcore.ivr import Digits, load_flow

FLOW = {
    "id": "main",
    "start": "menu",
    "languages": ["en"],
    "prompts": {"hello": {"en": "Press 1 for support."}},
    "nodes": {
        "menu": {
            "type": "menu",
            "prompt": "hello",
            "options": [{"key": "1", "goto": "queue"}],
            "on_noinput": "queue",
            "on_nomatch": "queue",
        },
        "queue": {"type": "queue", "queue": "support"},
    },
}


async def caller(centre: AsyncContactCenter, number: int) -> CenterUpdate:
    """One caller: rings in and presses 1."""
    contact = f"call-{number}"
    await centre.run(
        ContactCenter.inbound_call, caller=f"+4072100000{number}", dialled="+40213004000",
        contact_id=contact,
    )  # fmt: skip
    return await centre.run(ContactCenter.caller_input, contact, Digits("1"))


def ringing(*updates: CenterUpdate) -> str | None:
    """The contact an update rings the agent for, if any."""
    offers = [action.offer.contact_id for u in updates for action in u.of_type(RingAgent)]
    return offers[-1] if offers else None


async def main() -> None:
    """Three calls at once, one agent, the timers in a task."""
    with tempfile.TemporaryDirectory() as folder:
        centre = AsyncContactCenter(
            ContactCenter(
                queues=[QueueConfig(name="support", offer_timeout=timedelta(seconds=30))],
                flows={"*": load_flow(FLOW)},
                store=f"sqlite:///{Path(folder) / 'centre.db'}",
                clock=SystemClock(),
                default_country_code="40",
            )
        )
        stop = asyncio.Event()
        timers = asyncio.create_task(centre.run_timers(stop, poll=0.05))
        agent = AgentProfile(agent_id="a1", memberships=(Membership(queue="support"),))
        await centre.run(ContactCenter.agent_logged_in, agent)
        arrivals = await asyncio.gather(*(caller(centre, n) for n in (1, 2, 3)))
        print("waiting:", len(centre.center.router.line("support")), "calls")
        contact = ringing(*arrivals)  # the calls arrived together: any of them may be first
        while contact is not None:
            await centre.run(ContactCenter.agent_accepted, contact, "a1")
            ended = await centre.run(ContactCenter.agent_ended, contact)
            update = await centre.run(
                ContactCenter.agent_wrapped_up, contact, disposition=Disposition.CLOSED
            )
            print("a call completed:", "center.contact_completed" in update.kinds())
            contact = ringing(ended, update)
        stop.set()
        await timers
        print("answered:", centre.center.aggregator.total().answered)
        centre.center.store.close()


if __name__ == "__main__":
    asyncio.run(main())
