"""The centre for asyncio hosts: inputs run in a worker thread, timers in a task.

The centre is synchronous and its store may block (SQLite writes a file);
an asyncio host must not run it on the event loop. :class:`AsyncContactCenter`
runs each input in the default executor (:func:`asyncio.to_thread`), where the
centre's lock serialises them, and :meth:`~AsyncContactCenter.run_timers`
runs the timers from a task.
"""

from __future__ import annotations

import asyncio
import contextlib
from typing import TYPE_CHECKING, Concatenate, ParamSpec, TypeVar

from callcore.center._center import CenterUpdate, ContactCenter

if TYPE_CHECKING:
    from collections.abc import Callable

__all__ = ["AsyncContactCenter"]

P = ParamSpec("P")
R = TypeVar("R")


class AsyncContactCenter:
    """A :class:`ContactCenter` for asyncio hosts.

    >>> # centre = AsyncContactCenter(ContactCenter(...))
    >>> # update = await centre.run(ContactCenter.inbound_call, caller=..., dialled=...)

    Args:
        center: The centre to serve (its inputs run in worker threads).
    """

    def __init__(self, center: ContactCenter) -> None:
        """Serve ``center``."""
        self.center = center

    async def run(
        self,
        method: Callable[Concatenate[ContactCenter, P], R],
        /,
        *args: P.args,
        **kwargs: P.kwargs,
    ) -> R:
        """Run one of the centre's methods in a worker thread and return its result.

        Args:
            method: The method, taken from the class
                (``ContactCenter.agent_accepted``), so that its arguments are
                type-checked.
            *args: Its positional arguments (after the centre).
            **kwargs: Its keyword arguments.
        """
        return await asyncio.to_thread(method, self.center, *args, **kwargs)

    async def run_timers(self, stop: asyncio.Event, *, poll: float = 1.0) -> list[CenterUpdate]:
        """Run the centre's timers until ``stop`` is set: sleep until the next deadline, run it.

        New inputs may set an earlier deadline while this task sleeps, so it
        sleeps at most ``poll`` seconds at a time.

        Returns:
            The updates of the timers that ran (for a host that also wants them
            here; the hooks have heard them already).
        """
        updates: list[CenterUpdate] = []
        while not stop.is_set():
            due = self.center.next_deadline()
            now = self.center.clock.now()
            if due is not None and due <= now:
                update = await self.run(ContactCenter.run_due)
                if update.events or update.actions:
                    updates.append(update)
                continue
            wait = poll if due is None else min(poll, (due - now).total_seconds())
            with contextlib.suppress(TimeoutError, asyncio.TimeoutError):
                await asyncio.wait_for(stop.wait(), timeout=max(wait, 0.0))
        return updates
