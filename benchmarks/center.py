"""Contact centre benchmark: whole contacts per second, and each engine's share.

A contact is the users' call flow through :class:`callcore.center.ContactCenter`
on the in-memory store: the call arrives (the caller is identified), the IVR
greets, the caller presses 1, the CRM look-up answers (a plugin), the flow
queues the call, the agent is offered it and accepts (a ticket opens), holds
and resumes, ends, and wraps up closing the ticket (the survey goes through
``callcore_notify``); the KPI record is counted and the interaction recorded.
Half of the callers call again (identified, with a history).

Each engine's share is the time spent inside its public methods (the
identifier and the store, the IVR sessions, the router, the ticket engine,
the KPI aggregator), measured by wrapping those methods with a timer in a
second run; the rest is the centre's own work (checks, bookkeeping, hooks,
events). The wrapping adds its own cost, so the shares come from the timed
run and the contacts per second from the untimed one.

Every figure is printed with the baseline it is compared with in the same
process: the engines' sum against the whole, and the whole against the same
flow driven through the engines directly by hand (no centre), which is what a
host wrote before the centre existed.

Usage: ``python benchmarks/center.py`` (about 20 seconds) or ``--quick``.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections import defaultdict
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "examples"))

import center_call_flow as example

from callcore.acd import Router
from callcore.center import ContactCenter, Disposition
from callcore.contacts import Channel, ContactOutcome, Direction
from callcore.customers import CallerIdentifier
from callcore.ivr import Digits, IvrSession, LookupResult
from callcore.kpi import Aggregator, InteractionRecord
from callcore.storage import MemoryStorage
from callcore.tickets import TicketEngine

S = timedelta(seconds=1)


def run_centre(
    contacts: int, *, disposition: Disposition = Disposition.CLOSED, loop: bool = False
) -> float:
    """Seconds to run ``contacts`` whole contacts through a new centre.

    With ``loop``, the host also asks :meth:`~ContactCenter.next_deadline` and
    calls :meth:`~ContactCenter.run_due` after every input, as a timer loop
    does; with ``disposition`` resolved, every ticket keeps a timer (its
    auto-close), so the centre holds one deadline per contact so far.
    """
    kit = example.build()
    center, clock = kit.center, kit.clock
    kit.telephony.actions.clear()
    center.agent_logged_in(example.A1)

    def timers() -> None:
        if loop:
            center.next_deadline()
            center.run_due()

    started = time.perf_counter()
    for number in range(contacts):
        contact = f"C{number}"
        center.inbound_call(
            caller=f"+4072{number // 2:07d}", dialled=example.DIALLED, contact_id=contact
        )
        timers()
        clock.advance(S)
        center.caller_input(contact, Digits("1"))
        timers()
        center.agent_accepted(contact, "a1")
        timers()
        clock.advance(S)
        center.agent_held(contact)
        center.agent_resumed(contact)
        clock.advance(S)
        center.agent_ended(contact)
        timers()
        center.agent_wrapped_up(contact, disposition=disposition, notes="done")
        timers()
        if number % 200 == 0:  # the fakes keep every action: keep them short
            kit.telephony.actions.clear()
            kit.notifier.sent.clear()
            kit.log.events.clear()
    return time.perf_counter() - started


def run_by_hand(contacts: int) -> float:
    """Seconds to drive the same flow through the engines directly, as a host did before."""
    kit = example.build()
    store = MemoryStorage()
    identifier = CallerIdentifier(store, default_country_code="40")
    router = Router(example.QUEUES)
    tickets = TicketEngine()
    aggregator = Aggregator()
    flow = kit.center._flows["+40213004000"]  # noqa: SLF001 - the same loaded flow
    clock = kit.clock
    from callcore.tickets import Actor  # noqa: PLC0415

    agent = Actor("a1", frozenset({"agent"}))
    router.log_in(example.A1, now=clock.now())
    started = time.perf_counter()
    for number in range(contacts):
        contact = f"C{number}"
        arrived = clock.now()
        found = identifier.identify(f"+4072{number // 2:07d}", now=arrived)
        session = IvrSession(flow)
        session.start(now=arrived, caller={"customer_id": found.customer.id})
        clock.advance(S)
        now = clock.now()
        update = session.handle(Digits("1"), now=now)
        update = session.handle(LookupResult(data={"plan": "unlimited"}), now=now)
        router.enqueue(contact, update.actions[-1], now=now)  # type: ignore[arg-type]
        router.accept(contact, "a1", now=now)
        created = tickets.create(
            subject="call", channel=Channel.VOICE, customer=found.customer.id,
            assignee="a1", by=agent, now=now,
        )  # fmt: skip
        ticket = store.add_ticket(created.ticket)
        tickets.apply(ticket, "open", by=agent, now=now)
        ticket = store.save_ticket(ticket)
        clock.advance(2 * S)
        ended = clock.now()
        router.end(contact, now=ended)
        tickets.apply(ticket, "close", by=agent, now=ended, note="done")
        store.save_ticket(ticket)
        aggregator.add(
            InteractionRecord(
                id=contact, channel=Channel.VOICE, direction=Direction.INBOUND,
                outcome=ContactOutcome.ANSWERED, arrived_at=arrived, ended_at=ended,
                queue="billing", agent="a1", queued_at=now, offered_at=now, answered_at=now,
                wrap_up_ended_at=ended, ivr_path=session.path,
            )
        )  # fmt: skip
        identifier.record_interaction(
            found.customer.id, channel=Channel.VOICE,
            direction=Direction.INBOUND, outcome=ContactOutcome.ANSWERED,
            now=ended, agent="a1", queue="billing",
        )  # fmt: skip
        router.set_ready("a1", now=ended)
    return time.perf_counter() - started


_SPENT: dict[str, float] = defaultdict(float)


def _timed(name: str, method: Callable[..., Any]) -> Callable[..., Any]:
    def timed(*args: Any, **kwargs: Any) -> Any:
        started = time.perf_counter()
        try:
            return method(*args, **kwargs)
        finally:
            _SPENT[name] += time.perf_counter() - started

    return timed


_ENGINES: dict[str, tuple[type, tuple[str, ...]]] = {
    "identification + store": (
        CallerIdentifier,
        ("identify", "record_interaction"),
    ),
    "store (tickets)": (MemoryStorage, ("add_ticket", "save_ticket", "get_ticket")),
    "IVR": (IvrSession, ("__init__", "start", "handle", "tick")),
    "router": (
        Router,
        ("enqueue", "accept", "end", "set_ready", "log_in", "tick", "next_deadline", "contact"),
    ),
    "tickets": (TicketEngine, ("create", "apply", "update", "can_apply", "category", "tick")),
    "KPI": (Aggregator, ("add", "add_many")),
    "plugins (hooks)": (ContactCenter, ("_broadcast", "_quietly", "_lookup")),
}


def _defining(cls: type, name: str) -> type:
    """The class of ``cls``'s MRO that defines ``name`` (the centre's are split by concept)."""
    return next(klass for klass in cls.__mro__ if name in klass.__dict__)


def shares(contacts: int, **options: Any) -> tuple[float, dict[str, float]]:
    """The timed run: the whole, and each engine's seconds."""
    originals = []
    for name, (cls, methods) in _ENGINES.items():
        for method in methods:
            owner = _defining(cls, method)
            original = owner.__dict__[method]
            originals.append((owner, method, original))
            setattr(owner, method, _timed(name, original))
    try:
        _SPENT.clear()
        total = run_centre(contacts, **options)
    finally:
        for cls, method, original in originals:
            setattr(cls, method, original)
    return total, dict(_SPENT)


def main() -> None:
    """Run the benchmark and print contacts per second and the engines' shares."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer contacts and rounds")
    options = parser.parse_args()
    contacts, rounds = (300, 3) if options.quick else (2_000, 5)
    centre, by_hand = [], []
    for _ in range(rounds):  # interleaved, so that a busy spell hits both alike
        centre.append(run_centre(contacts))
        by_hand.append(run_by_hand(contacts))
    best_centre, best_hand = min(centre), min(by_hand)
    print(f"{contacts:,} contacts per run, best of {rounds} rounds (median in brackets)")
    print(
        f"through the centre: {contacts / best_centre:10,.0f} contacts/s "
        f"({contacts / statistics.median(centre):,.0f})"
    )
    print(
        f"engines by hand:    {contacts / best_hand:10,.0f} contacts/s "
        f"({contacts / statistics.median(by_hand):,.0f})"
    )
    print(f"the centre costs {best_centre / best_hand:.2f}x the hand-written glue\n")
    _print_shares(*shares(contacts))
    # A host's timer loop: next_deadline and run_due after every input, while
    # every resolved ticket keeps its auto-close timer (one more per contact).
    looped = min(
        run_centre(contacts, disposition=Disposition.RESOLVED, loop=True) for _ in range(rounds)
    )
    print(
        f"\nwith a timer loop and a ticket timer per contact: {contacts / looped:10,.0f} "
        f"contacts/s ({looped / best_centre:.2f}x the time without)"
    )
    _print_shares(*shares(contacts, disposition=Disposition.RESOLVED, loop=True))


def _print_shares(total: float, spent: dict[str, float]) -> None:
    print(f"shares of a timed run ({total:.2f} s, timers included):")
    for name, seconds in sorted(spent.items(), key=lambda item: -item[1]):
        print(f"  {name:24} {seconds / total:6.1%}")
    print(f"  {'the centre itself':24} {1 - sum(spent.values()) / total:6.1%}")


if __name__ == "__main__":
    main()
