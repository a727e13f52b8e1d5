"""Opening, migrating and the errors of the PostgreSQL store."""

from __future__ import annotations

import threading

import psycopg
import pytest

from callcore.errors import ConfigError, InvalidInputError, StorageError
from callcore.plugins import make_plugin_manager, open_storage
from callcore.storage.postgres import (
    SCHEMA_VERSION,
    PostgresStorage,
    is_postgres_url,
    main,
    migrate,
    schema_version,
)


def test_open_before_migrate_says_to_migrate(postgres_url: str) -> None:
    """A store refuses an empty database and names the command that sets it up."""
    with pytest.raises(StorageError, match=r"callcore\.storage\.postgres migrate") as raised:
        PostgresStorage(postgres_url)
    assert "schema is at version 0" in str(raised.value)
    assert schema_version(postgres_url) == 0


def test_migrate_is_explicit_idempotent_and_versioned(postgres_url: str) -> None:
    """Migrate brings the schema to SCHEMA_VERSION once; a second call changes nothing."""
    assert migrate(postgres_url) == SCHEMA_VERSION
    assert migrate(postgres_url) == SCHEMA_VERSION
    with psycopg.connect(postgres_url) as connection:
        rows = connection.execute("SELECT version FROM callcore_schema").fetchall()
    assert rows == [(SCHEMA_VERSION,)]
    with PostgresStorage(postgres_url) as store:
        assert store.load_checkpoint("x") is None


def test_hosts_migrating_at_once_apply_each_step_once(postgres_url: str) -> None:
    """Four threads migrating one database at once all end at the current version."""
    results: list[object] = []

    def run() -> None:
        try:
            results.append(migrate(postgres_url))
        except Exception as exc:  # noqa: BLE001 - the test reports it
            results.append(exc)

    threads = [threading.Thread(target=run) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert results == [SCHEMA_VERSION] * 4


def test_migrates_from_an_older_schema(postgres_url: str) -> None:
    """A database at an older version gets the missing steps and keeps its data."""
    migrate(postgres_url)
    with PostgresStorage(postgres_url) as store:
        store.save_checkpoint("center", "{}")
    with psycopg.connect(postgres_url) as connection:  # back to version 1
        connection.execute("DROP TABLE callcore_kpi_aggregates, callcore_leases, callcore_commands")
        connection.execute("UPDATE callcore_schema SET version = 1")
    with pytest.raises(StorageError, match="version 1, this callcore needs"):
        PostgresStorage(postgres_url)
    assert main(["migrate", postgres_url]) == 0
    with PostgresStorage(postgres_url) as store:
        assert store.load_checkpoint("center") == "{}"


def test_newer_schema_is_refused(postgres_url: str) -> None:
    """A database written by a newer callcore is refused by the store and by migrate."""
    migrate(postgres_url)
    with psycopg.connect(postgres_url) as connection:
        connection.execute("UPDATE callcore_schema SET version = %s", (SCHEMA_VERSION + 1,))
    for attempt in (lambda: PostgresStorage(postgres_url), lambda: migrate(postgres_url)):
        with pytest.raises(StorageError, match="newer callcore"):
            attempt()


def test_unreachable_server_is_a_storage_error(capsys: pytest.CaptureFixture[str]) -> None:
    """No server at the URL: StorageError saying to check it; no password in the message."""
    url = "postgresql://app:secret@127.0.0.1:1/callcore"
    with pytest.raises(StorageError, match="check that the server runs") as raised:
        PostgresStorage(url, timeout=2)
    assert "secret" not in str(raised.value)
    assert raised.value.location == "postgresql://app@127.0.0.1:1/callcore"
    assert main(["version", url]) == 1
    assert "check that the server runs" in capsys.readouterr().err


def test_missing_table_says_to_migrate(postgres_url: str) -> None:
    """A table dropped under a running store: StorageError naming the migrate command."""
    migrate(postgres_url)
    with PostgresStorage(postgres_url) as store:
        with psycopg.connect(postgres_url) as connection:
            connection.execute("DROP TABLE callcore_checkpoints")
        with pytest.raises(StorageError, match="migrate URL"):
            store.load_checkpoint("center")


def test_storage_hook_opens_postgres_urls(postgres_url: str) -> None:
    """open_storage with a postgresql:// URL gives the PostgreSQL store."""
    migrate(postgres_url)
    store = open_storage(make_plugin_manager(load_entrypoints=False), postgres_url)
    try:
        assert isinstance(store, PostgresStorage)
        store.save_checkpoint("a", "{}")
        assert store.load_checkpoint("a") == "{}"
        assert "options" in repr(store)
    finally:
        store.close()
    assert is_postgres_url("postgres://h/db")
    assert not is_postgres_url("sqlite:///x.db")


def test_bad_arguments_are_refused(postgres_url: str) -> None:
    """A URL of another scheme, a pool size or a timeout out of range are refused."""
    with pytest.raises(ConfigError, match="postgresql://"):
        PostgresStorage("mysql://h/db")
    with pytest.raises(InvalidInputError) as raised:
        PostgresStorage(postgres_url, pool_size=0)
    assert raised.value.field == "pool_size"
    with pytest.raises(InvalidInputError) as raised:
        PostgresStorage(postgres_url, timeout=-1)
    assert raised.value.field == "timeout"


def test_text_postgres_cannot_keep_is_refused(postgres_url: str) -> None:
    """A NUL character or a lone surrogate in a checkpoint is refused, naming the field."""
    migrate(postgres_url)
    with PostgresStorage(postgres_url) as store:
        for name, document in (("c", "{\x00}"), ("c", "\ud800"), ("\x00", "{}")):
            with pytest.raises(InvalidInputError):
                store.save_checkpoint(name, document)
        assert store.load_checkpoint("c") is None
