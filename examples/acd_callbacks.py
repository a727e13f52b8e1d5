"""A scheduled callback: booked for 10:00, no answer, tried again at 10:11, reached.

Run it: ``python examples/acd_callbacks.py``. It drives the router alone, as a
host with its own loop would: it sleeps until ``next_deadline()`` and ticks.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from callcore.acd import (
    AgentProfile,
    CallbackResult,
    Membership,
    QueueConfig,
    Router,
    RouterUpdate,
)

NINE = datetime(2026, 3, 2, 9, 0, tzinfo=timezone.utc)
MINUTE = timedelta(minutes=1)
SECOND = timedelta(seconds=1)


def kinds(update: RouterUpdate) -> list[str]:
    """What happened, by kind."""
    return [event.kind for event in update.events]


def main() -> None:
    """Book Ana's callback, let the time come, dial twice."""
    router = Router([QueueConfig(name="support", wrap_up=timedelta(seconds=30))])
    bob = AgentProfile(agent_id="bob", memberships=(Membership(queue="support"),))
    router.log_in(bob, now=NINE)

    booked = router.schedule_callback(
        "cb-ana", "support", now=NINE, at=NINE + 60 * MINUTE, retry_spacing=10 * MINUTE
    )
    print("09:00 booked:", kinds(booked))
    print("next deadline:", router.next_deadline())

    due = router.tick(now=router.next_deadline() or NINE)
    offer = due.offers[0]
    print("10:00 due:", kinds(due), "-> rings", offer.agent_id, "callback:", offer.callback)

    router.accept("cb-ana", "bob", now=NINE + 60 * MINUTE + SECOND * 5)  # bob dials Ana
    failed = router.callback_result("cb-ana", CallbackResult.NO_ANSWER, now=NINE + 61 * MINUTE)
    print("10:01 no answer:", kinds(failed))
    print("booked again for:", router.callback("cb-ana").due)

    while (deadline := router.next_deadline()) is not None and "cb-ana" not in router.contact_ids():
        router.tick(now=deadline)  # the wrap-up's end, then the callback's time
    router.accept("cb-ana", "bob", now=NINE + 71 * MINUTE + SECOND * 5)
    reached = router.callback_result("cb-ana", CallbackResult.REACHED, now=NINE + 72 * MINUTE)
    print("10:12 reached:", [(e.kind, getattr(e, "attempts", None)) for e in reached.events])
    router.end("cb-ana", now=NINE + 80 * MINUTE)
    print("callbacks left:", router.callback_ids())


if __name__ == "__main__":
    main()
