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

from callcore.customers import CustomerStore
from callcore.storage.memory import MemoryStorage
from callcore.storage.sqlite import SQLiteStorage
from callcore.tickets import TicketStore

__all__ = ["CheckpointStore", "MemoryStorage", "SQLiteStorage", "Storage"]


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


class Storage(CustomerStore, TicketStore, CheckpointStore, Protocol):
    """Everything a store keeps for callcore (typing only).

    The customers and their interactions (:class:`CustomerStore`), the
    tickets (:class:`~callcore.tickets.TicketStore`) and the contact centre's
    checkpoints (:class:`CheckpointStore`).
    """

    def close(self) -> None:
        """Release the store's resources; later calls raise ``StorageError``."""
        ...
