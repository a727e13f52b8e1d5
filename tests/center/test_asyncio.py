"""The asyncio face: inputs run off the event loop, timers run from a task."""

from __future__ import annotations

import asyncio
import threading
from datetime import timedelta

from callcore.center import AsyncContactCenter, CenterUpdate, ContactCenter, StopRinging
from callcore.hookspecs import hookimpl
from callcore.ivr import Digits
from tests.center.kit import example


class _Threads:
    """Records the thread each domain event was broadcast from."""

    def __init__(self) -> None:
        self.seen: set[int] = set()

    @hookimpl
    def callcore_domain_event(self, event: object) -> None:
        self.seen.add(threading.get_ident())


def test_inputs_run_off_the_loop_and_timers_run_from_a_task() -> None:
    """The loop's thread never runs an input; run_timers times out a ringing offer."""
    kit = example.build()
    threads = _Threads()
    kit.center.plugins.register(threads)
    centre = AsyncContactCenter(kit.center)

    async def host() -> list[CenterUpdate]:
        loop_thread = threading.get_ident()
        await centre.run(ContactCenter.agent_logged_in, example.A1)
        await centre.run(
            ContactCenter.inbound_call, caller=example.ANA, dialled=example.DIALLED,
            contact_id="CA-1",
        )  # fmt: skip
        await centre.run(ContactCenter.caller_input, "CA-1", Digits("1"))
        assert loop_thread not in threads.seen
        stop = asyncio.Event()
        timers = asyncio.create_task(centre.run_timers(stop, poll=0.01))
        kit.clock.advance(timedelta(seconds=20))  # past the offer's 15 s
        for _ in range(500):  # until the task has run the timer (no time is asserted)
            if any(isinstance(action, StopRinging) for action in kit.telephony.actions):
                break
            await asyncio.sleep(0.01)
        stop.set()
        return list(await timers)

    updates = asyncio.run(host())
    assert any(update.of_type(StopRinging) for update in updates)
