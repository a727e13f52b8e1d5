"""Built-in storage plugin: opens the stores that ship with callcore.storage.

``"memory:"`` (or ``"memory://"``) opens a new :class:`~callcore.storage.MemoryStorage`;
a ``sqlite:`` URL opens an :class:`~callcore.storage.SQLiteStorage`; a
``postgresql://`` URL opens a :class:`~callcore.storage.postgres.PostgresStorage`
(the extra ``postgres``). Any other URL is left to other storage plugins (the
hook is first-result).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from callcore.hookspecs import hookimpl
from callcore.storage import MemoryStorage, SQLiteStorage
from callcore.storage.memory import MEMORY_URLS
from callcore.storage.sqlite import read_url

if TYPE_CHECKING:
    from callcore.storage import Storage

_POSTGRES_SCHEMES = ("postgresql://", "postgres://")


@hookimpl
def callcore_storage(url: str) -> Storage | None:
    """Open the built-in store that ``url`` names, or ``None`` for another plugin."""
    if url in MEMORY_URLS:
        return MemoryStorage()
    given: object = url  # a plugin may be handed anything
    if isinstance(given, str) and given.startswith(_POSTGRES_SCHEMES):
        # imported here: psycopg is needed only by hosts that use PostgreSQL
        from callcore.storage.postgres import PostgresStorage  # noqa: PLC0415

        return PostgresStorage(url)
    read = read_url(url)
    if read is None:
        return None
    path, settings = read
    return SQLiteStorage(path, **settings)
