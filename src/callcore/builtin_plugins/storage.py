"""Built-in storage plugin: opens the stores that ship with callcore.storage.

``"memory:"`` (or ``"memory://"``) opens a new :class:`~callcore.storage.MemoryStorage`;
a ``sqlite:`` URL opens an :class:`~callcore.storage.SQLiteStorage`. Any other URL
is left to other storage plugins (the hook is first-result).
"""

from __future__ import annotations

from callcore.hookspecs import hookimpl
from callcore.storage import MemoryStorage, SQLiteStorage
from callcore.storage.memory import MEMORY_URLS
from callcore.storage.sqlite import path_from_url


@hookimpl
def callcore_storage(url: str) -> MemoryStorage | SQLiteStorage | None:
    """Open the built-in store that ``url`` names, or ``None`` for another plugin."""
    if url in MEMORY_URLS:
        return MemoryStorage()
    path = path_from_url(url)
    return None if path is None else SQLiteStorage(path)
