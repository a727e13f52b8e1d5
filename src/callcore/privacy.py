"""A customer's data on request: export it all as JSON, or erase (or anonymise) it.

The two requests of a data subject under the GDPR (articles 15 and 17): *access*
(a copy of everything held about them) and *erasure*. Both are gated
(:data:`~callcore.access.Permission.EXPORT_CUSTOMER`,
:data:`~callcore.access.Permission.ERASE_CUSTOMER`) and audited by the
:class:`~callcore.access.Gate` the host passes: there is no unauthenticated
export. The gate is asked first, before the store is read, so that a refused
caller does not even learn whether the customer exists.

What is held about a customer in callcore's store: the customer record (name,
identities, tier, language, custom attributes), every interaction of their
history, every ticket whose ``customer`` they are (with its history: the
conversation itself), and the references of call recordings linked to those
tickets (``Link("recording", ...)``; the audio is the telephony provider's,
erased through the provider's own API). The contact centre's checkpoint holds
only contacts in progress; erase a customer when none of theirs is.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import TYPE_CHECKING, Any

import attrs

from callcore.access import Gate, Permission
from callcore.checks import check_bool, check_instance, check_instant, check_text
from callcore.customers import Customer, Interaction
from callcore.errors import NotFoundError
from callcore.serialization import to_dict
from callcore.tickets import Ticket

if TYPE_CHECKING:
    from callcore.access import Principal
    from callcore.storage import Erasure, Storage

__all__ = ["EXPORT_FORMAT", "CustomerExport", "erase_customer", "export_customer"]

EXPORT_FORMAT = "callcore.customer-export/1"
"""The ``format`` field of an export document; a later layout gets a new number."""


@attrs.frozen
class CustomerExport:
    """Everything a store holds about one customer, at one time.

    Attributes:
        customer: The customer record (with their identities).
        interactions: Every interaction of their history, oldest first.
        tickets: Every ticket of theirs, oldest first, with its history.
        recordings: The references of call recordings linked to their
            tickets, as ``(ticket id, recording reference)``.
        exported_at: When the export was made.
    """

    customer: Customer
    interactions: tuple[Interaction, ...]
    tickets: tuple[Ticket, ...]
    recordings: tuple[tuple[str, str], ...]
    exported_at: datetime

    def to_dict(self) -> dict[str, Any]:
        """Return the export as plain JSON-able data (the layout :data:`EXPORT_FORMAT` names)."""
        return {
            "format": EXPORT_FORMAT,
            "exported_at": to_dict(self.exported_at),
            "customer": to_dict(self.customer),
            "identities": [str(identity) for identity in self.customer.identities],
            "interactions": [to_dict(interaction) for interaction in self.interactions],
            "tickets": [to_dict(ticket) for ticket in self.tickets],
            "recordings": [
                {"ticket": ticket, "reference": reference} for ticket, reference in self.recordings
            ],
        }

    def to_json(self, *, indent: int | None = 2) -> str:
        """Return the export as a JSON document (UTF-8 text, keys in a fixed order)."""
        return json.dumps(self.to_dict(), indent=indent, ensure_ascii=False)


def _checked(customer_id: object, gate: object, now: object) -> tuple[str, Gate]:
    check_text(customer_id, "customer_id")
    check_instant(now, "now")
    return str(customer_id), check_instance(gate, Gate, "gate")


def export_customer(
    store: Storage, customer_id: str, *, by: Principal, gate: Gate, now: datetime
) -> CustomerExport:
    """Export everything ``store`` holds about a customer (a data subject's access request).

    Args:
        store: The store.
        customer_id: Whose data.
        by: Who asks: a principal whose roles grant ``customers.export``.
        gate: The gate that checks and audits it.
        now: When.

    Raises:
        AccessDeniedError: ``by`` may not export (audited; nothing read).
        NotFoundError: No such customer (asked after the gate allowed it).
        InvalidInputError: An argument has the wrong type.
    """
    customer_id, gate = _checked(customer_id, gate, now)
    gate.check(by, Permission.EXPORT_CUSTOMER, f"customer:{customer_id}", now=now)
    customer = store.get_customer(customer_id)
    if customer is None:
        raise NotFoundError("customer", customer_id)
    tickets = tuple(store.customer_tickets(customer_id))
    recordings = tuple(
        (ticket.id, link.id)
        for ticket in tickets
        for link in ticket.links
        if link.kind == "recording"
    )
    return CustomerExport(
        customer=customer,
        interactions=tuple(store.customer_interactions(customer_id)),
        tickets=tickets,
        recordings=recordings,
        exported_at=now,
    )


def erase_customer(
    store: Storage,
    customer_id: str,
    *,
    by: Principal,
    gate: Gate,
    now: datetime,
    anonymise: bool = False,
) -> Erasure:
    """Erase (or anonymise) a customer's data across the store (a data subject's erasure request).

    Erasing removes the customer, their identities, interactions and tickets;
    anonymising keeps an anonymous tombstone and the interactions' facts
    (for the statistics) without their notes. See
    :meth:`callcore.storage.CustomerDataStore.erase_customer`.

    Raises:
        AccessDeniedError: ``by`` may not erase (audited; nothing changed).
        NotFoundError: No such customer; nothing changed.
        InvalidInputError: An argument has the wrong type.
    """
    customer_id, gate = _checked(customer_id, gate, now)
    check_bool(anonymise, "anonymise")
    gate.check(by, Permission.ERASE_CUSTOMER, f"customer:{customer_id}", now=now)
    return store.erase_customer(customer_id, anonymise=anonymise)
