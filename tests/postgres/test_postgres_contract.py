from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from callcore.storage.postgres import PostgresStorage, migrate
from callcore.testing.storage_contract import StorageContract

if TYPE_CHECKING:
    from collections.abc import Iterator


class TestPostgresStorage(StorageContract):
    """The PostgreSQL store, on a real server, keeps the storage contract."""

    @pytest.fixture
    def storage(self, postgres_url: str) -> Iterator[PostgresStorage]:
        """Make a new PostgreSQL store in a new, empty schema."""
        migrate(postgres_url)
        store = PostgresStorage(postgres_url, pool_size=2)
        yield store
        store.close()
