"""The SQLite file: WAL, schema versions and migrations, foreign and corrupt files."""

from __future__ import annotations

import sqlite3
from datetime import datetime, timezone
from typing import TYPE_CHECKING

import attrs
import pytest

from callcore.customers import Customer, Identity
from callcore.errors import ConfigError, InvalidInputError, StorageError
from callcore.plugins import make_plugin_manager, open_storage
from callcore.storage import SQLiteStorage
from callcore.storage import sqlite as sqlite_module

if TYPE_CHECKING:
    from pathlib import Path

NOW = datetime(2026, 3, 2, 9, 30, tzinfo=timezone.utc)
ANA = Identity.phone("+40721234567")


def ana() -> Customer:
    """A customer to store."""
    return Customer(id="ana", created_at=NOW, name="Ana", identities=(ANA,))


def query(path: Path, sql: str) -> list[tuple[object, ...]]:
    """Run one statement on the file with a plain sqlite3 connection."""
    connection = sqlite3.connect(path)
    try:
        return connection.execute(sql).fetchall()
    finally:
        connection.close()


def make_store_file(path: Path) -> None:
    """Create a callcore database holding one customer."""
    with SQLiteStorage(path) as store:
        store.add_customer(ana())


def assert_names_file(error: StorageError, path: Path) -> None:
    """The error's message and location both name the file."""
    assert error.location == str(path)
    assert str(path) in str(error)


def test_new_file_is_set_up(tmp_path: Path) -> None:
    """A new file is in WAL mode, marked as callcore's, at the current schema version."""
    path = tmp_path / "new.db"
    SQLiteStorage(path).close()
    assert query(path, "PRAGMA journal_mode") == [("wal",)]
    assert query(path, "PRAGMA application_id") == [(sqlite_module.APPLICATION_ID,)]
    assert query(path, "SELECT version FROM schema_version") == [(sqlite_module.SCHEMA_VERSION,)]


def test_data_survives_reopening(tmp_path: Path) -> None:
    """What one store object wrote, another reads after reopening the file."""
    path = tmp_path / "kept.db"
    make_store_file(path)
    with SQLiteStorage(path) as store:
        assert store.find_customer(ANA) == attrs.evolve(ana(), version=1)


def test_text_file_is_refused(tmp_path: Path) -> None:
    """A file that is not SQLite gives a StorageError naming it, and is left alone."""
    path = tmp_path / "notes.txt"
    path.write_text("these are not the tables you are looking for\n" * 100)
    before = path.read_bytes()
    with pytest.raises(StorageError, match="not an SQLite database") as raised:
        SQLiteStorage(path)
    assert_names_file(raised.value, path)
    assert path.read_bytes() == before


def test_corrupt_header_is_refused(tmp_path: Path) -> None:
    """A callcore file whose header was overwritten is reported as corrupt."""
    path = tmp_path / "broken.db"
    make_store_file(path)
    data = bytearray(path.read_bytes())
    data[0:16] = b"garbage garbage!"
    path.write_bytes(bytes(data))
    with pytest.raises(StorageError, match="corrupt") as raised:
        SQLiteStorage(path)
    assert_names_file(raised.value, path)


def test_corrupt_schema_page_is_refused(tmp_path: Path) -> None:
    """A callcore file whose schema page was scribbled over is reported as corrupt."""
    path = tmp_path / "scribbled.db"
    make_store_file(path)
    data = bytearray(path.read_bytes())
    data[100:4096] = b"\xff" * (4096 - 100)  # the rest of page 1: the schema table
    path.write_bytes(bytes(data))
    with pytest.raises(StorageError, match="corrupt") as raised:
        SQLiteStorage(path)
    assert_names_file(raised.value, path)


def test_database_of_another_application_is_refused(tmp_path: Path) -> None:
    """An SQLite file with other tables and no callcore schema is refused, untouched."""
    path = tmp_path / "shop.db"
    connection = sqlite3.connect(path)
    connection.execute("CREATE TABLE orders (id INTEGER PRIMARY KEY, total REAL)")
    connection.commit()
    connection.close()
    before = path.read_bytes()
    with pytest.raises(StorageError, match="another application") as raised:
        SQLiteStorage(path)
    assert_names_file(raised.value, path)
    assert path.read_bytes() == before
    assert query(path, "PRAGMA journal_mode") == [("delete",)]


def test_foreign_schema_version_table_is_refused(tmp_path: Path) -> None:
    """A schema_version table alone does not make a file callcore's: the mark is needed."""
    path = tmp_path / "other.db"
    connection = sqlite3.connect(path)
    connection.execute("CREATE TABLE schema_version (version INTEGER)")
    connection.execute("INSERT INTO schema_version VALUES (1)")
    connection.commit()
    connection.close()
    with pytest.raises(StorageError, match="another application"):
        SQLiteStorage(path)


def test_newer_schema_is_refused(tmp_path: Path) -> None:
    """A file written by a newer callcore is refused with both versions named."""
    path = tmp_path / "future.db"
    make_store_file(path)
    newer = sqlite_module.SCHEMA_VERSION + 1
    connection = sqlite3.connect(path)
    connection.execute("UPDATE schema_version SET version = ?", (newer,))
    connection.commit()
    connection.close()
    with pytest.raises(StorageError, match="newer callcore") as raised:
        SQLiteStorage(path)
    assert f"schema version {newer}" in str(raised.value)
    assert_names_file(raised.value, path)


def test_damaged_schema_version_is_refused(tmp_path: Path) -> None:
    """A schema_version table with two rows is reported, not guessed at."""
    path = tmp_path / "twice.db"
    make_store_file(path)
    connection = sqlite3.connect(path)
    connection.execute("INSERT INTO schema_version VALUES (1)")
    connection.commit()
    connection.close()
    with pytest.raises(StorageError, match="damaged"):
        SQLiteStorage(path)


def test_directory_is_refused(tmp_path: Path) -> None:
    """A path that cannot be opened as a file gives a StorageError naming it."""
    with pytest.raises(StorageError) as raised:
        SQLiteStorage(tmp_path)
    assert_names_file(raised.value, tmp_path)


def test_unreadable_stored_document_is_reported(tmp_path: Path) -> None:
    """A stored customer that no longer reads as one is a StorageError naming the file."""
    path = tmp_path / "tampered.db"
    make_store_file(path)
    connection = sqlite3.connect(path)
    connection.execute("UPDATE customers SET document = '{\"id\": 5}'")
    connection.commit()
    connection.close()
    with SQLiteStorage(path) as store, pytest.raises(StorageError, match="customer ana") as raised:
        store.get_customer("ana")
    assert_names_file(raised.value, path)


EXTRA_STEP = ("CREATE TABLE notes (id TEXT PRIMARY KEY, body TEXT NOT NULL)",)


def test_upgrade_applies_missing_migrations(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A file at version 1 is upgraded step by step when the code knows a newer schema."""
    path = tmp_path / "old.db"
    make_store_file(path)
    migrations = (*sqlite_module._MIGRATIONS, EXTRA_STEP)
    monkeypatch.setattr(sqlite_module, "_MIGRATIONS", migrations)
    monkeypatch.setattr(sqlite_module, "SCHEMA_VERSION", len(migrations))
    with SQLiteStorage(path) as store:
        assert store.get_customer("ana") == attrs.evolve(ana(), version=1)
    assert query(path, "SELECT version FROM schema_version") == [(len(migrations),)]
    assert query(path, "SELECT count(*) FROM notes") == [(0,)]


def test_failed_migration_changes_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A migration step that fails halfway is rolled back whole; the version stays."""
    path = tmp_path / "old.db"
    make_store_file(path)
    broken = (*EXTRA_STEP, "CREATE TABLE oops (")
    migrations = (*sqlite_module._MIGRATIONS, broken)
    monkeypatch.setattr(sqlite_module, "_MIGRATIONS", migrations)
    monkeypatch.setattr(sqlite_module, "SCHEMA_VERSION", len(migrations))
    with pytest.raises(StorageError) as raised:
        SQLiteStorage(path)
    assert_names_file(raised.value, path)
    assert query(path, "SELECT version FROM schema_version") == [(len(migrations) - 1,)]
    assert query(path, "SELECT name FROM sqlite_master WHERE name = 'notes'") == []


def test_failed_write_leaves_nothing_half_written(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A save that fails after updating the customer row is rolled back whole."""
    path = tmp_path / "atomic.db"
    with SQLiteStorage(path) as store:
        stored = store.add_customer(ana())

        def explode(customer: Customer) -> None:
            raise RuntimeError("disk on fire")

        monkeypatch.setattr(store, "_insert_identities", explode)
        with pytest.raises(RuntimeError):
            store.save_customer(attrs.evolve(stored, name="Ana Maria"))
        monkeypatch.undo()
        assert store.get_customer("ana") == stored
        assert store.find_customer(ANA) == stored


@pytest.mark.parametrize(
    ("url", "path"),
    [
        ("sqlite:///callcore.db", "callcore.db"),
        ("sqlite:///data/callcore.db", "data/callcore.db"),
        ("sqlite:////var/lib/app/callcore.db", "/var/lib/app/callcore.db"),
        ("sqlite:////srv/my%20folder/x.db", "/srv/my folder/x.db"),
        ("sqlite://", ":memory:"),
        ("sqlite:///:memory:", ":memory:"),
        ("sqlite:///app.db?synchronous=normal", "app.db"),
        ("sqlite:///a%3Fb.db", "a?b.db"),
        ("sqlite://?timeout=5", ":memory:"),
        ("memory:", None),
        ("postgresql://localhost/db", None),
    ],
)
def test_url_forms(url: str, path: str | None) -> None:
    """SQLite URLs follow SQLAlchemy's form: three slashes relative, four absolute."""
    assert sqlite_module.path_from_url(url) == path


@pytest.mark.parametrize(("synchronous", "level"), [(None, 2), ("full", 2), ("normal", 1)])
def test_the_synchronous_setting(tmp_path: Path, synchronous: str | None, level: int) -> None:
    """FULL (2) unless asked for NORMAL (1), SQLite's numbers for them."""
    path = tmp_path / "s.db"
    opened = (
        SQLiteStorage(path) if synchronous is None else SQLiteStorage(path, synchronous=synchronous)
    )
    with opened as store:
        (found,) = store._connection.execute("PRAGMA synchronous").fetchone()
        assert found == level
        assert store.synchronous == (synchronous or "full")


@pytest.mark.parametrize("synchronous", ["off", "NORMAL", "", 1])
def test_other_synchronous_settings_are_refused(tmp_path: Path, synchronous: object) -> None:
    """Only the two settings callcore documents; refused before the file is made."""
    with pytest.raises(InvalidInputError, match="synchronous") as caught:
        SQLiteStorage(tmp_path / "s.db", synchronous=synchronous)  # type: ignore[arg-type]
    assert caught.value.field == "synchronous"
    assert not (tmp_path / "s.db").exists()


def test_a_url_carries_the_settings(tmp_path: Path) -> None:
    """``?synchronous=normal&timeout=2.5``: SQLite's NORMAL (1) and a 2,500 ms busy timeout."""
    url = f"sqlite:///{tmp_path}/s.db?synchronous=normal&timeout=2.5"
    assert sqlite_module.read_url(url) == (
        f"{tmp_path}/s.db",
        {"synchronous": "normal", "timeout": 2.5},
    )
    for opened, levels in ((url, (1, 2500)), (f"sqlite:///{tmp_path}/s.db", (2, 30_000))):
        store = open_storage(make_plugin_manager(), opened)
        assert isinstance(store, SQLiteStorage)
        with store:  # NORMAL and 2.5 s, then the defaults: FULL and 30 s
            (synchronous,) = store._connection.execute("PRAGMA synchronous").fetchone()
            (busy,) = store._connection.execute("PRAGMA busy_timeout").fetchone()
            assert (synchronous, busy) == levels


@pytest.mark.parametrize(
    ("query", "error", "match"),
    [
        ("colour=blue", ConfigError, "unknown setting 'colour'"),
        ("timeout=1&timeout=2", ConfigError, "'timeout' twice"),
        ("timeout=soon", ConfigError, "number of seconds"),
        ("timeout", ConfigError, "cannot read the query"),
        ("synchronous=fast", InvalidInputError, "synchronous"),
        ("timeout=-1", InvalidInputError, "timeout"),
        ("timeout=1e9", InvalidInputError, "timeout"),
    ],
)
def test_a_urls_bad_settings_are_refused(
    tmp_path: Path, query: str, error: type[Exception], match: str
) -> None:
    """Each bad setting is refused, naming it, before any file is made."""
    with pytest.raises(error, match=match):
        open_storage(make_plugin_manager(), f"sqlite:///{tmp_path}/s.db?{query}")
    assert not (tmp_path / "s.db").exists()
