"""What a store must offer to keep tickets (typing only)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from datetime import datetime

    from callcore.tickets._ticket import Ticket

__all__ = ["TicketStore"]


class TicketStore(Protocol):
    """Where tickets are kept, with optimistic concurrency (typing only).

    Implementations: :class:`callcore.storage.MemoryStorage`,
    :class:`callcore.storage.SQLiteStorage`, or a storage plugin; the contract
    suite :mod:`callcore.testing.storage_contract` pins the behaviour. Every
    method is atomic. Tickets are engine state that changes in place, so a
    store keeps its own copies: changing a ticket you read or saved never
    changes what is stored until you save it.
    """

    def get_ticket(self, ticket_id: str) -> Ticket | None:
        """Return a copy of the stored ticket with ``ticket_id``, or ``None``."""
        ...

    def add_ticket(self, ticket: Ticket) -> Ticket:
        """Store a new ticket at version 1 and return it as stored.

        Raises:
            ConflictError: A ticket with this id exists; nothing was written.
        """
        ...

    def save_ticket(self, ticket: Ticket) -> Ticket:
        """Replace a stored ticket, if nobody saved it since it was read.

        Returns:
            The ticket as stored, with its version one higher: carry on with it.

        Raises:
            NotFoundError: No ticket has this id.
            ConflictError: ``ticket.version`` is not the stored version (a stale
                write); nothing was written and the stored ticket is unchanged.
        """
        ...

    def tickets_in_state(self, state: str) -> list[Ticket]:
        """Return the tickets in ``state``, oldest first (by creation, then id)."""
        ...

    def tickets_assigned_to(self, assignee: str) -> list[Ticket]:
        """Return the tickets assigned to ``assignee``, oldest first."""
        ...

    def due_follow_ups(self, *, now: datetime) -> list[Ticket]:
        """Return the tickets whose follow-up is due at or before ``now``, soonest first."""
        ...

    def tickets_due(self, *, now: datetime) -> list[Ticket]:
        """Return the tickets that need a tick at or before ``now``, soonest first.

        That is, whose ``next_due`` (next SLA warning or breach, follow-up or
        auto-close, as kept by the engine) is at or before ``now``: the
        scheduler's and the at-risk view's query.
        """
        ...
