from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from callcore.storage import MemoryStorage
from callcore.testing.storage_contract import StorageContract

if TYPE_CHECKING:
    from collections.abc import Iterator


class TestMemoryStorage(StorageContract):
    """The in-memory store keeps the storage contract."""

    @pytest.fixture
    def storage(self) -> Iterator[MemoryStorage]:
        """Make a new in-memory store."""
        store = MemoryStorage()
        yield store
        store.close()
