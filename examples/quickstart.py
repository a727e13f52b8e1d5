"""Quickstart: identify two callers against an SQLite store and show the agent's screen.

One caller has called before (she is on file with two past interactions); the
other calls for the first time and becomes a new customer. Run it with::

    python examples/quickstart.py
"""

from __future__ import annotations

import itertools
import tempfile
from datetime import datetime, timedelta, timezone
from pathlib import Path

import attrs

from callcore import ManualClock
from callcore.contacts import VIP_TIER, Channel, ContactOutcome, Direction
from callcore.customers import CallerIdentifier, Identification, Identity
from callcore.plugins import make_plugin_manager, open_storage

LONDON_OFFICE = timezone(timedelta(hours=0), "GMT")


_RESOLVED = {True: "resolved", False: "unresolved", None: "-"}


def agent_screen(caller: str, result: Identification) -> str:
    """Render what an agent's desktop shows when the call is offered."""
    customer = result.customer
    lines = [f"=== Incoming call from {caller} ==="]
    if result.created:
        lines.append("New caller: no record until now, a customer was created.")
    name = customer.name or "(name not known yet)"
    tier = " [VIP]" if customer.tier == VIP_TIER else ""
    lines.append(f"Customer    {name}{tier}")
    lines.append(f"Since       {customer.created_at:%d %b %Y}")
    lines.append(f"Language    {customer.language or '-'}")
    lines.append(f"Identities  {', '.join(str(identity) for identity in customer.identities)}")
    for key, value in customer.attributes.items():
        lines.append(f"{key.replace('_', ' ').capitalize():<11} {value}")
    if not result.history:
        lines.append("History     none")
    else:
        lines.append("History     newest first:")
        for item in result.history:
            took = (
                f"{int(item.duration.total_seconds() // 60):>2} min" if item.duration else "     -"
            )
            lines.append(
                f"  {item.at:%d %b %H:%M}  {item.channel.value:<5} {item.direction.value:<8} "
                f"{item.queue or '-':<8} {item.outcome.value:<9} {_RESOLVED[item.resolved]:<10} "
                f"{took}  "
                f"{item.ticket_id or '':<7} {item.notes}"
            )
    return "\n".join(lines)


def main() -> None:
    """Set up a store with one known customer, then take two calls."""
    clock = ManualClock(datetime(2026, 2, 10, 9, 0, tzinfo=LONDON_OFFICE))
    serial = itertools.count(1)

    def next_id() -> str:  # readable, repeatable ids for the demo (the default is uuid4)
        return f"C{next(serial):04d}"

    with tempfile.TemporaryDirectory() as folder:
        manager = make_plugin_manager()
        store = open_storage(manager, f"sqlite:///{Path(folder) / 'callcore.db'}")
        desk = CallerIdentifier(store, default_country_code="44", id_factory=next_id)

        # Ana called before: she is on file, with her email and two past contacts.
        ana = desk.identify("020 7946 0018", now=clock.now()).customer
        desk.update_customer(
            ana.id,
            lambda customer: attrs.evolve(
                customer,
                name="Ana Popescu",
                tier=VIP_TIER,
                language="ro",
                identities=(*customer.identities, Identity.email("Ana.Popescu@Example.com")),
                attributes={"account": "ACME-0042", "plan": "Business 50 seats"},
            ),
            now=clock.now(),
        )
        desk.record_interaction(
            ana.id,
            channel=Channel.VOICE,
            direction=Direction.INBOUND,
            now=clock.advance(timedelta(days=7, hours=2)),
            outcome=ContactOutcome.ANSWERED,
            resolved=False,  # escalated: the ticket goes on
            agent="ioana",
            queue="billing",
            ticket_id="T-1001",
            notes="Double charge on the February invoice.",
            duration=timedelta(minutes=12),
        )
        desk.record_interaction(
            ana.id,
            channel=Channel.EMAIL,
            direction=Direction.OUTBOUND,
            now=clock.advance(timedelta(days=2, hours=5)),
            outcome=ContactOutcome.ANSWERED,
            resolved=True,
            agent="mark",
            queue="billing",
            ticket_id="T-1001",
            notes="Refund of GBP 240 confirmed.",
        )

        # Two weeks later, two calls come in.
        clock.advance(timedelta(days=14))
        for caller in ["+44 20 7946 0018", "07700 900123"]:
            identification = desk.identify(caller, now=clock.now())
            print(agent_screen(caller, identification))
            print("Events     ", ", ".join(event.kind for event in identification.events))
            print()
        store.close()


if __name__ == "__main__":
    main()
