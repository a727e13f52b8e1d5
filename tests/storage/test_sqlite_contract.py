from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from callcore.storage import SQLiteStorage
from callcore.testing.storage_contract import StorageContract

if TYPE_CHECKING:
    from collections.abc import Iterator
    from pathlib import Path


class TestSQLiteStorage(StorageContract):
    """The SQLite store, on a file, keeps the storage contract."""

    @pytest.fixture
    def storage(self, tmp_path: Path) -> Iterator[SQLiteStorage]:
        """Make a new SQLite store in a fresh file."""
        store = SQLiteStorage(tmp_path / "callcore.db")
        yield store
        store.close()


class TestSQLiteInMemory(StorageContract):
    """The SQLite store, in memory, keeps the storage contract."""

    @pytest.fixture
    def storage(self) -> Iterator[SQLiteStorage]:
        """Make a new in-memory SQLite store."""
        store = SQLiteStorage(":memory:")
        yield store
        store.close()
