"""The PostgreSQL store for asyncio hosts: every call runs in a worker thread.

:class:`~callcore.storage.postgres.PostgresStorage` is synchronous and safe for
threads (its pool gives each thread its own connection), so an asyncio host
runs it off the event loop, as :class:`~callcore.center.AsyncContactCenter`
does for the whole centre. :class:`AsyncPostgresStorage` does the same for a
host that calls the store itself: each method awaits the synchronous one in
:func:`asyncio.to_thread`, so the loop keeps serving while PostgreSQL answers,
and several calls from several tasks run at once, up to the pool's size.
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from datetime import datetime

    from callcore.customers import Customer, Identity, Interaction
    from callcore.kpi import Aggregator
    from callcore.storage import Erasure
    from callcore.storage.postgres import PostgresStorage
    from callcore.tickets import Ticket

__all__ = ["AsyncPostgresStorage"]


class AsyncPostgresStorage:
    """Awaitable methods over a :class:`~callcore.storage.postgres.PostgresStorage`.

    Each method has the same arguments, result and errors as the store's.

    Args:
        store: The store to serve (it stays usable directly, from threads).
    """

    def __init__(self, store: PostgresStorage) -> None:
        """Serve ``store``."""
        self.store = store

    async def get_customer(self, customer_id: str) -> Customer | None:
        """Await :meth:`PostgresStorage.get_customer`."""
        return await asyncio.to_thread(self.store.get_customer, customer_id)

    async def find_customer(self, identity: Identity) -> Customer | None:
        """Await :meth:`PostgresStorage.find_customer`."""
        return await asyncio.to_thread(self.store.find_customer, identity)

    async def add_customer(self, customer: Customer) -> Customer:
        """Await :meth:`PostgresStorage.add_customer`."""
        return await asyncio.to_thread(self.store.add_customer, customer)

    async def save_customer(self, customer: Customer) -> Customer:
        """Await :meth:`PostgresStorage.save_customer`."""
        return await asyncio.to_thread(self.store.save_customer, customer)

    async def add_interaction(self, interaction: Interaction) -> None:
        """Await :meth:`PostgresStorage.add_interaction`."""
        await asyncio.to_thread(self.store.add_interaction, interaction)

    async def recent_interactions(self, customer_id: str, limit: int) -> list[Interaction]:
        """Await :meth:`PostgresStorage.recent_interactions`."""
        return await asyncio.to_thread(self.store.recent_interactions, customer_id, limit)

    async def customer_interactions(self, customer_id: str) -> list[Interaction]:
        """Await :meth:`PostgresStorage.customer_interactions`."""
        return await asyncio.to_thread(self.store.customer_interactions, customer_id)

    async def customer_tickets(self, customer_id: str) -> list[Ticket]:
        """Await :meth:`PostgresStorage.customer_tickets`."""
        return await asyncio.to_thread(self.store.customer_tickets, customer_id)

    async def erase_customer(self, customer_id: str, *, anonymise: bool = False) -> Erasure:
        """Await :meth:`PostgresStorage.erase_customer`."""
        return await asyncio.to_thread(
            lambda: self.store.erase_customer(customer_id, anonymise=anonymise)
        )

    async def rewrite_customer_tables(self) -> None:
        """Await :meth:`PostgresStorage.rewrite_customer_tables`."""
        await asyncio.to_thread(self.store.rewrite_customer_tables)

    async def get_ticket(self, ticket_id: str) -> Ticket | None:
        """Await :meth:`PostgresStorage.get_ticket`."""
        return await asyncio.to_thread(self.store.get_ticket, ticket_id)

    async def add_ticket(self, ticket: Ticket) -> Ticket:
        """Await :meth:`PostgresStorage.add_ticket`."""
        return await asyncio.to_thread(self.store.add_ticket, ticket)

    async def save_ticket(self, ticket: Ticket) -> Ticket:
        """Await :meth:`PostgresStorage.save_ticket`."""
        return await asyncio.to_thread(self.store.save_ticket, ticket)

    async def tickets_in_state(self, state: str) -> list[Ticket]:
        """Await :meth:`PostgresStorage.tickets_in_state`."""
        return await asyncio.to_thread(self.store.tickets_in_state, state)

    async def tickets_assigned_to(self, assignee: str) -> list[Ticket]:
        """Await :meth:`PostgresStorage.tickets_assigned_to`."""
        return await asyncio.to_thread(self.store.tickets_assigned_to, assignee)

    async def due_follow_ups(self, *, now: datetime) -> list[Ticket]:
        """Await :meth:`PostgresStorage.due_follow_ups`."""
        return await asyncio.to_thread(lambda: self.store.due_follow_ups(now=now))

    async def tickets_due(self, *, now: datetime) -> list[Ticket]:
        """Await :meth:`PostgresStorage.tickets_due`."""
        return await asyncio.to_thread(lambda: self.store.tickets_due(now=now))

    async def save_checkpoint(self, name: str, document: str) -> None:
        """Await :meth:`PostgresStorage.save_checkpoint`."""
        await asyncio.to_thread(self.store.save_checkpoint, name, document)

    async def load_checkpoint(self, name: str) -> str | None:
        """Await :meth:`PostgresStorage.load_checkpoint`."""
        return await asyncio.to_thread(self.store.load_checkpoint, name)

    async def save_aggregate(self, report: str, host: str, aggregator: Aggregator) -> None:
        """Await :meth:`PostgresStorage.save_aggregate`."""
        await asyncio.to_thread(self.store.save_aggregate, report, host, aggregator)

    async def merged_aggregate(self, report: str, *, now: datetime) -> Aggregator | None:
        """Await :meth:`PostgresStorage.merged_aggregate`."""
        return await asyncio.to_thread(lambda: self.store.merged_aggregate(report, now=now))

    async def close(self) -> None:
        """Await :meth:`PostgresStorage.close`."""
        await asyncio.to_thread(self.store.close)
