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

__all__ = ["MemoryStorage", "SQLiteStorage", "Storage"]


class Storage(CustomerStore, TicketStore, Protocol):
    """Everything a store keeps for callcore (typing only).

    The customers and their interactions (:class:`CustomerStore`) and the
    tickets (:class:`~callcore.tickets.TicketStore`); interaction records join
    as the engines that need them land.
    """

    def close(self) -> None:
        """Release the store's resources; later calls raise ``StorageError``."""
        ...
