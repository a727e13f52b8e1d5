"""Where callcore keeps what must outlive a process: the built-in stores.

A host opens a store through the ``callcore_storage`` hook
(:func:`callcore.plugins.open_storage`) or builds one directly:

- :class:`MemoryStorage` (``"memory:"``), the default: embedded, no set-up,
  gone when the process ends;
- :class:`SQLiteStorage` (``"sqlite:///path/to/file.db"``): embedded and
  persistent, safe for several processes sharing one file.

Both implement the :class:`Storage` protocol and pass the same contract suite,
:mod:`callcore.testing.storage_contract`, which authors of other storage plugins
run against theirs.
"""

from __future__ import annotations

from typing import Protocol

from callcore.customers import CustomerStore, Interaction
from callcore.storage._common import Erasure
from callcore.storage.memory import MemoryStorage
from callcore.storage.sqlite import SQLiteStorage
from callcore.tickets import Ticket, TicketStore

__all__ = [
    "CheckpointStore",
    "CustomerDataStore",
    "Erasure",
    "MemoryStorage",
    "SQLiteStorage",
    "Storage",
]


class CheckpointStore(Protocol):
    """Where the contact centre keeps its state across a restart (typing only).

    One JSON document per name, replaced whole and atomically: the centre
    writes the router's snapshot, the IVR sessions, the contacts' progress and
    the ticket timers as one document (:mod:`callcore.center`).
    """

    def save_checkpoint(self, name: str, document: str) -> None:
        """Keep ``document`` under ``name``, replacing what was there, atomically."""
        ...

    def load_checkpoint(self, name: str) -> str | None:
        """Return the document kept under ``name``, or ``None`` when there is none."""
        ...


class CustomerDataStore(Protocol):
    """What a store offers for a customer's data on request (typing only).

    The export and erasure of :mod:`callcore.privacy` read and remove a
    customer's data through these; they are not gated themselves (the store
    trusts its host): the functions of :mod:`callcore.privacy` are.
    """

    def customer_interactions(self, customer_id: str) -> list[Interaction]:
        """Return every interaction of the customer, oldest first (as recorded)."""
        ...

    def customer_tickets(self, customer_id: str) -> list[Ticket]:
        """Return every ticket whose ``customer`` is ``customer_id``, oldest first."""
        ...

    def erase_customer(self, customer_id: str, *, anonymise: bool = False) -> Erasure:
        """Remove the customer's data, and its copies from the store's files where it can.

        Erasing removes the customer, their identities, interactions and
        tickets. Anonymising keeps a tombstone customer (id, creation time,
        tier, a new version) and the interactions without their notes, and
        removes the identities and tickets. ``Erasure.files_clean`` says
        whether the store made sure that no copy remains in its files.

        Raises:
            NotFoundError: No customer has this id; nothing changed.
        """
        ...


class Storage(CustomerStore, TicketStore, CheckpointStore, CustomerDataStore, Protocol):
    """Everything a store keeps for callcore (typing only).

    The customers and their interactions (:class:`CustomerStore`), the
    tickets (:class:`~callcore.tickets.TicketStore`), the contact centre's
    checkpoints (:class:`CheckpointStore`) and a customer's data on request
    (:class:`CustomerDataStore`).
    """

    def close(self) -> None:
        """Release the store's resources; later calls raise ``StorageError``."""
        ...
