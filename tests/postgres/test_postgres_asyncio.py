"""The PostgreSQL store from asyncio: never on the event loop's thread."""

from __future__ import annotations

import asyncio
import threading
from contextlib import contextmanager
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any

from callcore.center import AsyncContactCenter, ContactCenter
from callcore.contacts import Channel, ContactOutcome, Direction
from callcore.customers import Customer, Identity, Interaction
from callcore.ivr import Digits
from callcore.kpi import Aggregator
from callcore.storage.postgres import PostgresStorage, migrate
from callcore.storage.postgres_async import AsyncPostgresStorage
from callcore.tickets import Ticket
from tests.center.kit import example

if TYPE_CHECKING:
    from collections.abc import Iterator

    import psycopg

NOW = datetime(2026, 3, 2, 9, 30, tzinfo=timezone.utc)


class _WatchedStorage(PostgresStorage):
    """Records the thread of every database operation."""

    def __init__(self, url: str) -> None:
        super().__init__(url)
        self.threads: list[int] = []

    @contextmanager
    def cursor(self, *, transaction: bool = False) -> Iterator[psycopg.Cursor[Any]]:
        self.threads.append(threading.get_ident())
        with super().cursor(transaction=transaction) as cursor:
            yield cursor


def test_async_store_runs_every_call_off_the_loop(postgres_url: str) -> None:
    """Many awaited calls at once: all answered, none ran on the loop's thread."""
    migrate(postgres_url)
    store = _WatchedStorage(postgres_url)
    shared = AsyncPostgresStorage(store)

    async def host() -> tuple[int, list[Customer | None]]:
        for number in range(10):
            await shared.add_customer(
                Customer(
                    id=f"c{number}", created_at=NOW, identities=(Identity.email(f"u{number}@x.ro"),)
                )
            )
        found = await asyncio.gather(
            *(shared.find_customer(Identity.email(f"u{number}@x.ro")) for number in range(10))
        )
        await shared.save_checkpoint("center", "{}")
        assert await shared.load_checkpoint("center") == "{}"
        first = await shared.get_customer("c0")
        assert first is not None
        assert (await shared.save_customer(first)).version == 2
        await shared.add_interaction(
            Interaction(
                id="i1", customer_id="c0", channel=Channel.EMAIL,
                direction=Direction.INBOUND, at=NOW, outcome=ContactOutcome.ANSWERED,
            )
        )  # fmt: skip
        assert [item.id for item in await shared.recent_interactions("c0", 5)] == ["i1"]
        ticket = await shared.add_ticket(
            Ticket(
                id="T-1", subject="s", customer="c0", channel=Channel.EMAIL, workflow="w",
                state="new", created_at=NOW, assignee="a1", next_due=NOW, follow_up_due=NOW,
            )
        )  # fmt: skip
        assert (await shared.save_ticket(ticket)).version == 2
        assert [t.id for t in await shared.tickets_in_state("new")] == ["T-1"]
        assert [t.id for t in await shared.tickets_assigned_to("a1")] == ["T-1"]
        assert [t.id for t in await shared.due_follow_ups(now=NOW)] == ["T-1"]
        assert [t.id for t in await shared.tickets_due(now=NOW)] == ["T-1"]
        assert await shared.get_ticket("T-2") is None
        await shared.save_aggregate("daily", "web-1", Aggregator())
        assert await shared.merged_aggregate("daily", now=NOW) is not None
        assert [item.id for item in await shared.customer_interactions("c0")] == ["i1"]
        assert [t.id for t in await shared.customer_tickets("c0")] == ["T-1"]
        erasure = await shared.erase_customer("c0", anonymise=True)
        assert (erasure.anonymised, erasure.interactions, erasure.tickets) == (True, 1, 1)
        assert await shared.customer_tickets("c0") == []
        await shared.rewrite_customer_tables()
        return threading.get_ident(), list(found)

    loop_thread, found = asyncio.run(host())
    asyncio.run(shared.close())
    assert [customer.id if customer else None for customer in found] == [
        f"c{number}" for number in range(10)
    ]
    assert store.threads
    assert loop_thread not in store.threads


def test_asyncio_centre_on_postgres_keeps_the_loop_free(postgres_url: str) -> None:
    """The asyncio centre on the PostgreSQL store: a call is identified and queued off the loop."""
    migrate(postgres_url)
    store = _WatchedStorage(postgres_url)
    kit = example.build(store)
    centre = AsyncContactCenter(kit.center)

    async def host() -> int:
        await centre.run(ContactCenter.agent_logged_in, example.A1)
        await centre.run(
            ContactCenter.inbound_call, caller=example.ANA, dialled=example.DIALLED,
            contact_id="CA-1",
        )  # fmt: skip
        await centre.run(ContactCenter.caller_input, "CA-1", Digits("1"))
        return threading.get_ident()

    loop_thread = asyncio.run(host())
    try:
        assert store.threads
        assert loop_thread not in store.threads
        assert store.find_customer(Identity.phone(example.ANA, "40")) is not None
    finally:
        store.close()
