"""The in-memory store: the default, embedded, nothing to set up.

Everything lives in dictionaries of the process and is gone when it ends: for
tests, demos, simulations and hosts that keep their own records. A lock makes
each operation atomic between threads.
"""

from __future__ import annotations

import bisect
import threading
from typing import TYPE_CHECKING

import attrs

from callcore.checks import check_bool, check_instant
from callcore.errors import ConflictError, NotFoundError, StorageError
from callcore.storage._common import (
    ClosedByWith,
    Erasure,
    anonymised_customer,
    anonymised_interaction,
    check_customer,
    check_document,
    check_identity,
    check_interaction,
    check_key,
    check_limit,
    check_ticket,
    existing_id,
    existing_ticket,
    identity_clash,
    instant_key,
    stale_ticket,
    stale_write,
    ticket_order,
)

if TYPE_CHECKING:
    from collections.abc import Callable
    from datetime import datetime

    from callcore.customers import Customer, Identity, Interaction
    from callcore.tickets import Ticket

__all__ = ["MEMORY_URLS", "MemoryStorage"]

MEMORY_URLS = ("memory:", "memory://")
"""The URLs that open a new :class:`MemoryStorage`."""


class MemoryStorage(ClosedByWith):
    """A store in the memory of this process.

    >>> from datetime import datetime, timezone
    >>> from callcore.customers import Customer, Identity
    >>> from callcore.storage import MemoryStorage
    >>> store = MemoryStorage()
    >>> ana = Identity.phone("0721 234 567", default_country_code="40")
    >>> added = store.add_customer(Customer(id="c1", created_at=datetime(2026, 1, 5,
    ...     tzinfo=timezone.utc), identities=(ana,)))
    >>> (added.version, store.find_customer(ana) == added)
    (1, True)
    """

    def __init__(self) -> None:
        """Make an empty store."""
        self._lock = threading.Lock()
        self._closed = False
        self._customers: dict[str, Customer] = {}
        self._owners: dict[Identity, str] = {}
        # per customer: (at, recording sequence, interaction), kept sorted
        self._histories: dict[str, list[tuple[int, int, Interaction]]] = {}  # (instant, order)
        self._interaction_ids: set[str] = set()
        self._sequence = 0
        self._tickets: dict[str, Ticket] = {}
        self._checkpoints: dict[str, str] = {}

    def __repr__(self) -> str:
        """Show how many customers the store holds."""
        return f"MemoryStorage(customers={len(self._customers)}, tickets={len(self._tickets)})"

    def _check_open(self) -> None:
        if self._closed:
            raise StorageError("the in-memory store is closed")

    def get_customer(self, customer_id: str) -> Customer | None:
        """Return the customer with ``customer_id``, or ``None``."""
        check_key(customer_id, "customer_id")
        with self._lock:
            self._check_open()
            return self._customers.get(customer_id)

    def find_customer(self, identity: Identity) -> Customer | None:
        """Return the customer that ``identity`` belongs to, or ``None``."""
        check_identity(identity)
        with self._lock:
            self._check_open()
            owner = self._owners.get(identity)
            return None if owner is None else self._customers[owner]

    def add_customer(self, customer: Customer) -> Customer:
        """Store a new customer at version 1 and return it as stored.

        Raises:
            ConflictError: The id exists, or an identity belongs to another customer.
        """
        check_customer(customer)
        with self._lock:
            self._check_open()
            if customer.id in self._customers:
                raise existing_id(customer.id)
            for identity in customer.identities:
                if identity in self._owners:
                    raise identity_clash(identity, self._owners[identity])
            stored = attrs.evolve(customer, version=1)
            self._customers[stored.id] = stored
            for identity in stored.identities:
                self._owners[identity] = stored.id
            return stored

    def save_customer(self, customer: Customer) -> Customer:
        """Replace a stored customer if its version is current; return it as stored.

        Raises:
            NotFoundError: No customer has this id.
            ConflictError: A stale version, or an identity of another customer.
        """
        check_customer(customer)
        with self._lock:
            self._check_open()
            current = self._customers.get(customer.id)
            if current is None:
                raise NotFoundError("customer", customer.id)
            if customer.version != current.version:
                raise stale_write(customer, current.version)
            for identity in customer.identities:
                owner = self._owners.get(identity, customer.id)
                if owner != customer.id:
                    raise identity_clash(identity, owner)
            stored = attrs.evolve(customer, version=current.version + 1)
            for identity in current.identities:
                del self._owners[identity]
            for identity in stored.identities:
                self._owners[identity] = stored.id
            self._customers[stored.id] = stored
            return stored

    def add_interaction(self, interaction: Interaction) -> None:
        """Store an interaction in its customer's history.

        Raises:
            NotFoundError: The customer does not exist.
            ConflictError: An interaction with this id exists.
        """
        check_interaction(interaction)
        with self._lock:
            self._check_open()
            if interaction.customer_id not in self._customers:
                raise NotFoundError("customer", interaction.customer_id)
            if interaction.id in self._interaction_ids:
                raise ConflictError(
                    "interaction", interaction.id, reason="an interaction with this id exists"
                )
            self._sequence += 1
            history = self._histories.setdefault(interaction.customer_id, [])
            # by instant: two times of one zone compare by their wall clock (fold ignored)
            entry = (instant_key(interaction.at), self._sequence, interaction)
            bisect.insort(history, entry, key=lambda item: (item[0], item[1]))
            self._interaction_ids.add(interaction.id)

    def recent_interactions(self, customer_id: str, limit: int) -> list[Interaction]:
        """Return up to ``limit`` interactions of the customer, newest first.

        Raises:
            InvalidInputError: ``limit`` is not a whole number from 0 to 10,000.
        """
        check_key(customer_id, "customer_id")
        check_limit(limit)
        with self._lock:
            self._check_open()
            history = self._histories.get(customer_id, [])
            newest = history[max(len(history) - limit, 0) :] if limit else []
            return [interaction for _, _, interaction in reversed(newest)]

    # --- a customer's data on request (export, erasure) -----------------------------

    def customer_interactions(self, customer_id: str) -> list[Interaction]:
        """Return every interaction of the customer, oldest first (as recorded)."""
        check_key(customer_id, "customer_id")
        with self._lock:
            self._check_open()
            return [interaction for _, _, interaction in self._histories.get(customer_id, [])]

    def customer_tickets(self, customer_id: str) -> list[Ticket]:
        """Return every ticket of the customer, oldest first (by creation, then id)."""
        check_key(customer_id, "customer_id")
        found = self._tickets_where(lambda ticket: ticket.customer == customer_id)
        return sorted(found, key=ticket_order)

    def erase_customer(self, customer_id: str, *, anonymise: bool = False) -> Erasure:
        """Remove a customer's data: all of it, or all but an anonymous tombstone.

        Erasing removes the customer, their identities, interactions and
        tickets. Anonymising keeps a tombstone customer (id, creation time,
        tier) and the interactions' facts (channel, times, outcome, agent,
        queue) without their notes, and removes the identities and tickets.

        Raises:
            NotFoundError: No customer has this id.
        """
        check_key(customer_id, "customer_id")
        check_bool(anonymise, "anonymise")
        with self._lock:
            self._check_open()
            customer = self._customers.get(customer_id)
            if customer is None:
                raise NotFoundError("customer", customer_id)
            history = self._histories.get(customer_id, [])
            tickets = [
                id_ for id_, ticket in self._tickets.items() if ticket.customer == customer_id
            ]
            for identity in customer.identities:
                del self._owners[identity]
            for id_ in tickets:
                del self._tickets[id_]
            if anonymise:
                tombstone = anonymised_customer(customer)
                self._customers[customer_id] = attrs.evolve(tombstone, version=customer.version + 1)
                self._histories[customer_id] = [
                    (at, seq, anonymised_interaction(interaction))
                    for at, seq, interaction in history
                ]
            else:
                del self._customers[customer_id]
                self._histories.pop(customer_id, None)
                self._interaction_ids.difference_update(item[2].id for item in history)
            return Erasure(
                customer_id,
                anonymised=anonymise,
                identities=len(customer.identities),
                interactions=len(history),
                tickets=len(tickets),
            )

    # --- tickets --------------------------------------------------------------------
    # Tickets change in place, so the store keeps copies and hands out copies.

    def get_ticket(self, ticket_id: str) -> Ticket | None:
        """Return a copy of the stored ticket with ``ticket_id``, or ``None``."""
        check_key(ticket_id, "ticket_id")
        with self._lock:
            self._check_open()
            stored = self._tickets.get(ticket_id)
            return None if stored is None else stored.copy()

    def add_ticket(self, ticket: Ticket) -> Ticket:
        """Store a new ticket at version 1 and return it as stored.

        Raises:
            ConflictError: A ticket with this id exists.
            InvalidInputError: A field of the ticket cannot be stored.
        """
        check_ticket(ticket)
        with self._lock:
            self._check_open()
            if ticket.id in self._tickets:
                raise existing_ticket(ticket.id)
            stored = attrs.evolve(ticket.copy(), version=1)
            self._tickets[stored.id] = stored
            return stored.copy()

    def save_ticket(self, ticket: Ticket) -> Ticket:
        """Replace a stored ticket if its version is current; return it as stored.

        Raises:
            NotFoundError: No ticket has this id.
            ConflictError: A stale version; the stored ticket is unchanged.
            InvalidInputError: A field of the ticket cannot be stored.
        """
        check_ticket(ticket)
        with self._lock:
            self._check_open()
            current = self._tickets.get(ticket.id)
            if current is None:
                raise NotFoundError("ticket", ticket.id)
            if ticket.version != current.version:
                raise stale_ticket(ticket, current.version)
            stored = attrs.evolve(ticket.copy(), version=current.version + 1)
            self._tickets[stored.id] = stored
            return stored.copy()

    def _tickets_where(self, keep: Callable[[Ticket], bool]) -> list[Ticket]:
        with self._lock:
            self._check_open()
            return [ticket.copy() for ticket in self._tickets.values() if keep(ticket)]

    def tickets_in_state(self, state: str) -> list[Ticket]:
        """Return the tickets in ``state``, oldest first."""
        check_key(state, "state")
        found = self._tickets_where(lambda ticket: ticket.state == state)
        return sorted(found, key=ticket_order)

    def tickets_assigned_to(self, assignee: str) -> list[Ticket]:
        """Return the tickets assigned to ``assignee``, oldest first."""
        check_key(assignee, "assignee")
        found = self._tickets_where(lambda ticket: ticket.assignee == assignee)
        return sorted(found, key=ticket_order)

    def due_follow_ups(self, *, now: datetime) -> list[Ticket]:
        """Return the tickets whose follow-up is due at or before ``now``, soonest first."""
        check_instant(now, "now")
        return self._due(lambda ticket: ticket.follow_up_due, instant_key(now))

    def tickets_due(self, *, now: datetime) -> list[Ticket]:
        """Return the tickets whose ``next_due`` is at or before ``now``, soonest first."""
        check_instant(now, "now")
        return self._due(lambda ticket: ticket.next_due, instant_key(now))

    def _due(self, due: Callable[[Ticket], datetime | None], moment: int) -> list[Ticket]:
        """The tickets whose ``due`` time is at or before ``moment``, soonest first, then by id.

        Compared as instants (microseconds since the epoch, as the SQL stores
        keep them): two times of one zone compare by their wall clock.
        """

        def key(ticket: Ticket) -> int | None:
            when = due(ticket)
            return None if when is None else instant_key(when)

        found = self._tickets_where(lambda ticket: (at := key(ticket)) is not None and at <= moment)
        return sorted(found, key=lambda ticket: (key(ticket), ticket.id))

    def save_checkpoint(self, name: str, document: str) -> None:
        """Keep ``document`` (JSON text) under ``name``, replacing what was there."""
        check_key(name, "name")
        check_document(document)
        with self._lock:
            self._check_open()
            self._checkpoints[name] = document

    def load_checkpoint(self, name: str) -> str | None:
        """Return the document kept under ``name``, or ``None``."""
        check_key(name, "name")
        with self._lock:
            self._check_open()
            return self._checkpoints.get(name)

    def close(self) -> None:
        """Forget everything; later calls raise :class:`~callcore.errors.StorageError`."""
        with self._lock:
            self._closed = True
            self._customers.clear()
            self._owners.clear()
            self._histories.clear()
            self._interaction_ids.clear()
            self._tickets.clear()
            self._checkpoints.clear()
