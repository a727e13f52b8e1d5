"""Opening the built-in stores through the plugin manager."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import TYPE_CHECKING

import pytest

from callcore.customers import CallerIdentifier
from callcore.errors import ConfigError
from callcore.plugins import make_plugin_manager, open_storage
from callcore.storage import MemoryStorage, SQLiteStorage

if TYPE_CHECKING:
    from pathlib import Path

NOW = datetime(2026, 3, 2, 9, 30, tzinfo=timezone.utc)


def test_memory_url_opens_a_memory_store() -> None:
    """'memory:' and 'memory://' open a new, empty MemoryStorage each time."""
    manager = make_plugin_manager(load_entrypoints=False)
    first = open_storage(manager, "memory:")
    second = open_storage(manager, "memory://")
    assert isinstance(first, MemoryStorage)
    assert isinstance(second, MemoryStorage)
    assert first is not second
    assert isinstance(open_storage(manager), MemoryStorage)


def test_sqlite_url_opens_the_file(tmp_path: Path) -> None:
    """A sqlite:/// URL with an absolute path opens (and keeps) that file."""
    manager = make_plugin_manager(load_entrypoints=False)
    url = f"sqlite:///{tmp_path}/callcore.db"
    store = open_storage(manager, url)
    assert isinstance(store, SQLiteStorage)
    customer = CallerIdentifier(store).identify("+40721234567", now=NOW).customer
    store.close()
    reopened = open_storage(manager, url)
    assert reopened.get_customer(customer.id) == customer
    reopened.close()
    assert (tmp_path / "callcore.db").exists()


def test_unknown_scheme_and_bad_sqlite_url() -> None:
    """An unhandled scheme or a malformed sqlite URL is a ConfigError that says the form."""
    manager = make_plugin_manager(load_entrypoints=False)
    with pytest.raises(ConfigError, match="no storage plugin"):
        open_storage(manager, "redis://localhost")
    with pytest.raises(ConfigError, match="sqlite:///relative"):
        open_storage(manager, "sqlite:callcore.db")
