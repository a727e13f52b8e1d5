"""What the built-in stores share: argument checks, the errors they raise, closing.

Both stores raise the same errors with the same messages, so that equal
operations give equal results whichever store a host uses.
"""

from __future__ import annotations

import abc
from typing import TYPE_CHECKING

from callcore.errors import ConflictError, InvalidInputError

if TYPE_CHECKING:
    from datetime import datetime
    from types import TracebackType

    from typing_extensions import Self

    from callcore.customers import Customer, Identity
    from callcore.tickets import Ticket


class ClosedByWith(abc.ABC):
    """A store that a ``with`` block closes on the way out."""

    @abc.abstractmethod
    def close(self) -> None:
        """Close the store; later calls raise :class:`~callcore.errors.StorageError`."""

    def __enter__(self) -> Self:
        """Use the store in a ``with`` block that closes it."""
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        """Close the store."""
        self.close()


def check_limit(limit: object) -> None:
    """Refuse a history limit that is not an integer >= 0 (shared by the stores)."""
    if isinstance(limit, bool) or not isinstance(limit, int) or limit < 0:
        raise InvalidInputError(f"limit must be an integer >= 0, got {limit!r}")


def identity_clash(identity: Identity, owner: str) -> ConflictError:
    """The error for an identity that already belongs to customer ``owner``."""
    return ConflictError(
        "customer",
        identity.value,
        reason=f"the {identity.kind.value} {identity.value} belongs to customer {owner!r}",
    )


def existing_id(customer_id: str) -> ConflictError:
    """The error for adding a customer whose id is taken."""
    return ConflictError("customer", customer_id, reason="a customer with this id exists")


def stale_write(customer: Customer, stored_version: int) -> ConflictError:
    """The error for saving a customer read at an older version."""
    return ConflictError(
        "customer",
        customer.id,
        expected_version=customer.version,
        actual_version=stored_version,
    )


def existing_ticket(ticket_id: str) -> ConflictError:
    """The error for adding a ticket whose id is taken."""
    return ConflictError("ticket", ticket_id, reason="a ticket with this id exists")


def stale_ticket(ticket: Ticket, stored_version: int) -> ConflictError:
    """The error for saving a ticket read at an older version."""
    return ConflictError(
        "ticket", ticket.id, expected_version=ticket.version, actual_version=stored_version
    )


def ticket_order(ticket: Ticket) -> tuple[datetime, str]:
    """How ticket queries sort: oldest first, then by id."""
    return (ticket.created_at, ticket.id)
