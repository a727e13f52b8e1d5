"""The SQLite store: embedded, persistent, shared safely by several processes.

Built on the standard library's :mod:`sqlite3`:

- WAL journal mode, so readers never block the writer, and a busy timeout, so
  a writer waits for another process's transaction instead of failing;
- a ``schema_version`` table and a list of forward migrations, each applied in
  its own transaction; the file is marked as callcore's with
  ``PRAGMA application_id``;
- every write in one ``BEGIN IMMEDIATE`` transaction that checks, then writes,
  then commits, so a failure leaves nothing half-written and two processes
  never interleave a read-check-write;
- optimistic concurrency on customers and tickets with a version column;
- models stored as JSON made by :mod:`callcore.serialization`, beside the few
  indexed columns that lookups need;
- ``PRAGMA secure_delete``, so that deleted and overwritten rows are zeroed
  in the file rather than left in free space: erasing a customer
  (:meth:`SQLiteStorage.erase_customer`) then checkpoints and truncates the
  write-ahead log, and no copy of the erased values remains in the files.

URLs for :func:`callcore.plugins.open_storage` follow SQLAlchemy's form:
``sqlite:///relative/path.db`` (three slashes), ``sqlite:////absolute/path.db``
(four), and ``sqlite://`` or ``sqlite:///:memory:`` for a private in-memory
database; a query string sets ``timeout`` and ``synchronous``
(``sqlite:///app.db?synchronous=normal&timeout=5``, see :func:`read_url`).
"""

from __future__ import annotations

import logging
import os
import sqlite3
import threading
from contextlib import contextmanager
from datetime import datetime
from typing import TYPE_CHECKING, TypedDict, TypeVar
from urllib.parse import parse_qsl, unquote

import attrs

from callcore.checks import check_bool, check_instant, check_number, check_text
from callcore.customers import Customer, Identity, Interaction
from callcore.errors import (
    ConfigError,
    ConflictError,
    InvalidInputError,
    NotFoundError,
    StorageError,
)
from callcore.storage._common import (
    ClosedByWith,
    Erasure,
    anonymised_customer,
    anonymised_interaction,
    check_customer,
    check_document,
    check_identity,
    check_interaction,
    check_key,
    check_limit,
    check_ticket,
    document_text,
    existing_id,
    existing_ticket,
    identity_clash,
    identity_key,
    instant_key,
    load_row,
    stale_ticket,
    stale_write,
)
from callcore.tickets import Ticket

if TYPE_CHECKING:
    from collections.abc import Iterator

__all__ = [
    "APPLICATION_ID",
    "SCHEMA_VERSION",
    "SQLiteStorage",
    "UrlSettings",
    "path_from_url",
    "read_url",
]

T = TypeVar("T")

_log = logging.getLogger(__name__)

APPLICATION_ID = 0x43434F52
"""The file's ``PRAGMA application_id``: ``CCOR`` in ASCII, callcore's mark."""

_MIGRATIONS: tuple[tuple[str, ...], ...] = (
    # 0 -> 1: customers, their identities and their interactions
    (
        """CREATE TABLE customers (
            id TEXT PRIMARY KEY,
            version INTEGER NOT NULL,
            document TEXT NOT NULL
        )""",
        """CREATE TABLE customer_identities (
            identity TEXT PRIMARY KEY,
            customer_id TEXT NOT NULL REFERENCES customers (id)
        )""",
        "CREATE INDEX customer_identities_by_customer ON customer_identities (customer_id)",
        """CREATE TABLE interactions (
            seq INTEGER PRIMARY KEY,
            id TEXT NOT NULL UNIQUE,
            customer_id TEXT NOT NULL REFERENCES customers (id),
            at_us INTEGER NOT NULL,
            document TEXT NOT NULL
        )""",
        "CREATE INDEX interactions_by_customer ON interactions (customer_id, at_us, seq)",
    ),
    # 1 -> 2: tickets, with the columns that their queries need
    (
        """CREATE TABLE tickets (
            id TEXT PRIMARY KEY,
            version INTEGER NOT NULL,
            state TEXT NOT NULL,
            assignee TEXT,
            created_us INTEGER NOT NULL,
            follow_up_us INTEGER,
            next_due_us INTEGER,
            document TEXT NOT NULL
        )""",
        "CREATE INDEX tickets_by_state ON tickets (state, created_us, id)",
        "CREATE INDEX tickets_by_assignee ON tickets (assignee, created_us, id)",
        "CREATE INDEX tickets_by_follow_up ON tickets (follow_up_us, id)",
        "CREATE INDEX tickets_by_next_due ON tickets (next_due_us, id)",
    ),
    # 2 -> 3: checkpoints, the contact centre's state across a restart
    (
        """CREATE TABLE checkpoints (
            name TEXT PRIMARY KEY,
            document TEXT NOT NULL
        )""",
    ),
)
"""Forward migrations: entry ``n`` takes the schema from version ``n`` to ``n + 1``."""

SCHEMA_VERSION = len(_MIGRATIONS)
"""The schema version this code writes."""

_TICKETS_OF_CUSTOMER = "json_extract(document, '$.customer') = ?"
"""The tickets of one customer: read from the document (rare requests need no index)."""

_BUSY_TIMEOUT_SECONDS = 30.0
_MAX_TIMEOUT_SECONDS = 86_400.0
SYNCHRONOUS_LEVELS = ("full", "normal")
"""The ``synchronous`` settings a store may open with (SQLite's ``PRAGMA synchronous``)."""


class SQLiteStorage(ClosedByWith):
    """A store in an SQLite database file.

    Args:
        path: The database file, created if missing; ``":memory:"`` for a
            private in-memory database.
        timeout: How long, in seconds, to wait for another process's write
            transaction before giving up (at most a day).
        synchronous: ``"full"`` (the default): every commit waits for the
            disk, so a committed write survives a power cut. ``"normal"``:
            with the WAL journal, commits wait for the disk only at WAL
            checkpoints; a power cut (or an operating-system crash) may lose
            the last commits, but never corrupts the file, and an application
            crash loses nothing. Much faster on a slow disk.

    Raises:
        StorageError: The file is not an SQLite database, is corrupt, belongs to
            another application, or was written by a newer callcore; the
            message and ``location`` name the file.
        InvalidInputError: ``path`` is not a string or path, ``timeout``
            is not a number from 0 to 86,400, or ``synchronous`` is neither
            ``"full"`` nor ``"normal"``.

    >>> from datetime import datetime, timezone
    >>> from callcore.customers import Customer
    >>> from callcore.storage import SQLiteStorage
    >>> with SQLiteStorage(":memory:") as store:
    ...     stored = store.add_customer(
    ...         Customer(id="c1", created_at=datetime(2026, 1, 5, tzinfo=timezone.utc)))
    ...     store.save_customer(stored).version
    2
    """

    def __init__(
        self,
        path: str | os.PathLike[str],
        *,
        timeout: float = _BUSY_TIMEOUT_SECONDS,
        synchronous: str = "full",
    ) -> None:
        """Open (or create) the database and bring its schema up to date."""
        given: object = path
        if not isinstance(given, str | os.PathLike) or not isinstance(os.fspath(given), str):
            raise InvalidInputError(
                f"path must be a string or a path, got {type(given).__name__}", field="path"
            )
        self.path = check_text(os.fspath(path), "path")
        if "\x00" in self.path:
            raise InvalidInputError("path must not hold a NUL character", field="path")
        timeout = check_number(timeout, "timeout", low=0, high=_MAX_TIMEOUT_SECONDS)
        if synchronous not in SYNCHRONOUS_LEVELS:
            raise InvalidInputError(
                f"synchronous must be one of {', '.join(SYNCHRONOUS_LEVELS)}, got {synchronous!r}",
                field="synchronous",
            )
        self.synchronous = synchronous
        self._lock = threading.Lock()
        self._closed = False
        try:
            self._connection = sqlite3.connect(
                self.path, timeout=timeout, isolation_level=None, check_same_thread=False
            )
        except sqlite3.Error as exc:
            raise StorageError(f"cannot open the database: {exc}", self.path) from exc
        try:
            with self._translated_errors():
                self._refuse_foreign_file()
                self._connection.execute("PRAGMA journal_mode = WAL")
                self._connection.execute(f"PRAGMA synchronous = {synchronous.upper()}")
                self._connection.execute("PRAGMA foreign_keys = ON")
                # zero what is deleted or overwritten: a customer's erased data leaves no copy
                self._connection.execute("PRAGMA secure_delete = ON")
                self._migrate()
        except BaseException:
            self._connection.close()
            raise

    def __repr__(self) -> str:
        """Show the file."""
        return f"SQLiteStorage({self.path!r})"

    # --- opening -----------------------------------------------------------------

    @contextmanager
    def _translated_errors(self) -> Iterator[None]:
        """Turn sqlite3's errors into StorageError naming the file."""
        try:
            yield
        except sqlite3.DatabaseError as exc:
            text = str(exc)
            if "not a database" in text or "malformed" in text:
                text = f"not an SQLite database, or a corrupt one ({exc})"
            raise StorageError(text, self.path) from exc
        except sqlite3.Error as exc:
            raise StorageError(f"{type(exc).__name__}: {exc}", self.path) from exc

    def _schema_version(self) -> int | None:
        """Read the schema version; ``None`` for an empty file; refuse a foreign one."""
        tables = {
            name
            for (name,) in self._connection.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
            )
        }
        (application_id,) = self._connection.execute("PRAGMA application_id").fetchone()
        if not tables and application_id == 0:
            return None
        if "schema_version" not in tables or application_id != APPLICATION_ID:
            raise StorageError(
                "is an SQLite database of another application (it has tables but no "
                "callcore schema_version); point callcore at a new or a callcore file",
                self.path,
            )
        rows = self._connection.execute("SELECT version FROM schema_version").fetchall()
        if len(rows) != 1 or not isinstance(rows[0][0], int):
            raise StorageError(f"the schema_version table is damaged (rows: {rows!r})", self.path)
        version: int = rows[0][0]
        if version > SCHEMA_VERSION:
            raise StorageError(
                f"was written by a newer callcore (schema version {version}; this "
                f"callcore knows up to {SCHEMA_VERSION}); upgrade callcore to open it",
                self.path,
            )
        return version

    def _refuse_foreign_file(self) -> None:
        """Check the file before changing anything in it (even its journal mode)."""
        self._schema_version()

    def _migrate(self) -> None:
        """Apply the missing migrations, each in its own transaction."""
        while True:
            with self._transaction():
                version = self._schema_version()
                if version is None:
                    self._connection.execute(f"PRAGMA application_id = {APPLICATION_ID}")
                    self._connection.execute("CREATE TABLE schema_version (version INTEGER)")
                    self._connection.execute("INSERT INTO schema_version VALUES (0)")
                    version = 0
                if version == SCHEMA_VERSION:
                    return
                _log.info("migrating %s to schema version %d", self.path, version + 1)
                for statement in _MIGRATIONS[version]:
                    self._connection.execute(statement)
                self._connection.execute("UPDATE schema_version SET version = ?", (version + 1,))

    @contextmanager
    def _transaction(self) -> Iterator[None]:
        """A write transaction: all of it commits, or none of it."""
        self._connection.execute("BEGIN IMMEDIATE")
        try:
            yield
        except BaseException:
            self._connection.execute("ROLLBACK")
            raise
        self._connection.execute("COMMIT")

    @contextmanager
    def _operation(self, *, write: bool = False) -> Iterator[None]:
        """One store operation: serialised between threads, errors translated."""
        with self._lock:
            if self._closed:
                raise StorageError("the store is closed", self.path)
            with self._translated_errors():
                if write:
                    with self._transaction():
                        yield
                else:
                    yield

    # --- reading -----------------------------------------------------------------

    def _load(self, cls: type[T], document: object, what: str) -> T:
        """Read one row's document; a row that cannot be read is named in the error."""
        return load_row(cls, document, what, self.path)

    def _customer_row(self, customer_id: str) -> tuple[int, str] | None:
        row: tuple[int, str] | None = self._connection.execute(
            "SELECT version, document FROM customers WHERE id = ?", (customer_id,)
        ).fetchone()
        return row

    def _owner(self, identity: Identity) -> str | None:
        row = self._connection.execute(
            "SELECT customer_id FROM customer_identities WHERE identity = ?",
            (identity_key(identity),),
        ).fetchone()
        return None if row is None else str(row[0])

    def get_customer(self, customer_id: str) -> Customer | None:
        """Return the customer with ``customer_id``, or ``None``."""
        check_key(customer_id, "customer_id")
        with self._operation():
            row = self._customer_row(customer_id)
            return None if row is None else self._load(Customer, row[1], f"customer {customer_id}")

    def find_customer(self, identity: Identity) -> Customer | None:
        """Return the customer that ``identity`` belongs to, or ``None``."""
        check_identity(identity)
        with self._operation():
            row = self._connection.execute(
                "SELECT c.id, c.document FROM customer_identities AS i "
                "JOIN customers AS c ON c.id = i.customer_id WHERE i.identity = ?",
                (identity_key(identity),),
            ).fetchone()
            return None if row is None else self._load(Customer, row[1], f"customer {row[0]}")

    def recent_interactions(self, customer_id: str, limit: int) -> list[Interaction]:
        """Return up to ``limit`` interactions of the customer, newest first.

        Raises:
            InvalidInputError: ``limit`` is not a whole number from 0 to 10,000.
        """
        check_key(customer_id, "customer_id")
        check_limit(limit)
        with self._operation():
            rows = self._connection.execute(
                "SELECT id, document FROM interactions WHERE customer_id = ? "
                "ORDER BY at_us DESC, seq DESC LIMIT ?",
                (customer_id, limit),
            ).fetchall()
            return [self._load(Interaction, doc, f"interaction {id_}") for id_, doc in rows]

    # --- writing -----------------------------------------------------------------

    def add_customer(self, customer: Customer) -> Customer:
        """Store a new customer at version 1 and return it as stored.

        Raises:
            ConflictError: The id exists, or an identity belongs to another customer.
        """
        stored = attrs.evolve(check_customer(customer), version=1)
        document = document_text(stored, "customer")
        with self._operation(write=True):
            if self._customer_row(customer.id) is not None:
                raise existing_id(customer.id)
            for identity in customer.identities:
                owner = self._owner(identity)
                if owner is not None:
                    raise identity_clash(identity, owner)
            self._connection.execute(
                "INSERT INTO customers (id, version, document) VALUES (?, ?, ?)",
                (stored.id, stored.version, document),
            )
            self._insert_identities(stored)
        return stored

    def _insert_identities(self, customer: Customer) -> None:
        self._connection.executemany(
            "INSERT INTO customer_identities (identity, customer_id) VALUES (?, ?)",
            [(identity_key(identity), customer.id) for identity in customer.identities],
        )

    def save_customer(self, customer: Customer) -> Customer:
        """Replace a stored customer if its version is current; return it as stored.

        Raises:
            NotFoundError: No customer has this id.
            ConflictError: A stale version, or an identity of another customer.
        """
        check_customer(customer)
        with self._operation(write=True):
            row = self._customer_row(customer.id)
            if row is None:
                raise NotFoundError("customer", customer.id)
            if customer.version != row[0]:
                raise stale_write(customer, row[0])
            for identity in customer.identities:
                owner = self._owner(identity)
                if owner not in (None, customer.id):
                    raise identity_clash(identity, owner)
            stored = attrs.evolve(customer, version=row[0] + 1)
            self._connection.execute(
                "UPDATE customers SET version = ?, document = ? WHERE id = ?",
                (stored.version, document_text(stored, "customer"), stored.id),
            )
            self._connection.execute(
                "DELETE FROM customer_identities WHERE customer_id = ?", (stored.id,)
            )
            self._insert_identities(stored)
        return stored

    def add_interaction(self, interaction: Interaction) -> None:
        """Store an interaction in its customer's history.

        Raises:
            NotFoundError: The customer does not exist.
            ConflictError: An interaction with this id exists.
        """
        document = document_text(check_interaction(interaction), "interaction")
        with self._operation(write=True):
            if self._customer_row(interaction.customer_id) is None:
                raise NotFoundError("customer", interaction.customer_id)
            taken = self._connection.execute(
                "SELECT 1 FROM interactions WHERE id = ?", (interaction.id,)
            ).fetchone()
            if taken is not None:
                raise ConflictError(
                    "interaction", interaction.id, reason="an interaction with this id exists"
                )
            self._connection.execute(
                "INSERT INTO interactions (id, customer_id, at_us, document) VALUES (?, ?, ?, ?)",
                (
                    interaction.id,
                    interaction.customer_id,
                    instant_key(interaction.at),
                    document,
                ),
            )

    # --- a customer's data on request (export, erasure) -------------------------

    def customer_interactions(self, customer_id: str) -> list[Interaction]:
        """Return every interaction of the customer, oldest first (as recorded)."""
        check_key(customer_id, "customer_id")
        with self._operation():
            rows = self._connection.execute(
                "SELECT id, document FROM interactions WHERE customer_id = ? ORDER BY at_us, seq",
                (customer_id,),
            ).fetchall()
            return [self._load(Interaction, doc, f"interaction {id_}") for id_, doc in rows]

    def customer_tickets(self, customer_id: str) -> list[Ticket]:
        """Return every ticket of the customer, oldest first (by creation, then id)."""
        check_key(customer_id, "customer_id")
        return self._tickets(_TICKETS_OF_CUSTOMER, (customer_id,), "created_us, id")

    def erase_customer(self, customer_id: str, *, anonymise: bool = False) -> Erasure:
        """Remove a customer's data: all of it, or all but an anonymous tombstone.

        Erasing removes the customer, their identities, interactions and
        tickets. Anonymising keeps a tombstone customer (id, creation time,
        tier) and the interactions' facts (channel, times, outcome, agent,
        queue) without their notes, and removes the identities and tickets.
        Deleted and overwritten rows are zeroed in the file (``secure_delete``)
        and the write-ahead log is checkpointed and truncated, so no copy of
        the erased values remains in the database files.

        Raises:
            NotFoundError: No customer has this id.
        """
        check_key(customer_id, "customer_id")
        check_bool(anonymise, "anonymise")
        with self._operation(write=True):
            row = self._customer_row(customer_id)
            if row is None:
                raise NotFoundError("customer", customer_id)
            customer = self._load(Customer, row[1], f"customer {customer_id}")
            execute = self._connection.execute
            tickets = execute(
                f"DELETE FROM tickets WHERE {_TICKETS_OF_CUSTOMER}",  # noqa: S608 - a fixed clause
                (customer_id,),
            ).rowcount
            execute("DELETE FROM customer_identities WHERE customer_id = ?", (customer_id,))
            if anonymise:
                interactions = self._anonymise_interactions(customer_id)
                tombstone = attrs.evolve(anonymised_customer(customer), version=row[0] + 1)
                execute(
                    "UPDATE customers SET version = ?, document = ? WHERE id = ?",
                    (tombstone.version, document_text(tombstone, "customer"), customer_id),
                )
            else:
                interactions = execute(
                    "DELETE FROM interactions WHERE customer_id = ?", (customer_id,)
                ).rowcount
                execute("DELETE FROM customers WHERE id = ?", (customer_id,))
        return Erasure(
            customer_id,
            anonymised=anonymise,
            identities=len(customer.identities),
            interactions=interactions,
            tickets=tickets,
            files_clean=self._truncate_log(),
        )

    def _anonymise_interactions(self, customer_id: str) -> int:
        rows = self._connection.execute(
            "SELECT seq, id, document FROM interactions WHERE customer_id = ?", (customer_id,)
        ).fetchall()
        for seq, id_, document in rows:
            kept = anonymised_interaction(self._load(Interaction, document, f"interaction {id_}"))
            self._connection.execute(
                "UPDATE interactions SET document = ? WHERE seq = ?",
                (document_text(kept, "interaction"), seq),
            )
        return len(rows)

    def _truncate_log(self) -> bool:
        """Copy the write-ahead log into the file and empty it; ``False`` if a reader kept it."""
        with self._operation():
            busy, _, _ = self._connection.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
        if busy:
            _log.warning(
                "%s: the write-ahead log could not be truncated after an erasure "
                "(another connection is reading); erased values may remain in it until the "
                "next checkpoint",
                self.path,
            )
        return not busy

    # --- tickets -----------------------------------------------------------------

    @staticmethod
    def _ticket_row(ticket: Ticket) -> tuple[object, ...]:
        due = ticket.follow_up_due
        return (
            ticket.version,
            ticket.state,
            ticket.assignee,
            instant_key(ticket.created_at),
            None if due is None else instant_key(due),
            None if ticket.next_due is None else instant_key(ticket.next_due),
            document_text(ticket, "ticket"),
            ticket.id,
        )

    def _stored_ticket_version(self, ticket_id: str) -> int | None:
        row = self._connection.execute(
            "SELECT version FROM tickets WHERE id = ?", (ticket_id,)
        ).fetchone()
        return None if row is None else int(row[0])

    def _tickets(self, where: str, parameters: tuple[object, ...], order: str) -> list[Ticket]:
        with self._operation():
            rows = self._connection.execute(
                f"SELECT id, document FROM tickets WHERE {where} ORDER BY {order}",  # noqa: S608 - fixed clauses
                parameters,
            ).fetchall()
            return [self._load(Ticket, document, f"ticket {id_}") for id_, document in rows]

    def get_ticket(self, ticket_id: str) -> Ticket | None:
        """Return the stored ticket with ``ticket_id``, or ``None``."""
        check_key(ticket_id, "ticket_id")
        found = self._tickets("id = ?", (ticket_id,), "id")
        return found[0] if found else None

    def add_ticket(self, ticket: Ticket) -> Ticket:
        """Store a new ticket at version 1 and return it as stored.

        Raises:
            ConflictError: A ticket with this id exists.
            InvalidInputError: A field of the ticket cannot be stored.
        """
        stored = attrs.evolve(check_ticket(ticket).copy(), version=1)
        row = self._ticket_row(stored)
        with self._operation(write=True):
            if self._stored_ticket_version(ticket.id) is not None:
                raise existing_ticket(ticket.id)
            self._connection.execute(
                "INSERT INTO tickets (version, state, assignee, created_us, follow_up_us, "
                "next_due_us, document, id) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                row,
            )
        return stored

    def save_ticket(self, ticket: Ticket) -> Ticket:
        """Replace a stored ticket if its version is current; return it as stored.

        Raises:
            NotFoundError: No ticket has this id.
            ConflictError: A stale version; the stored ticket is unchanged.
            InvalidInputError: A field of the ticket cannot be stored.
        """
        check_ticket(ticket)
        with self._operation(write=True):
            version = self._stored_ticket_version(ticket.id)
            if version is None:
                raise NotFoundError("ticket", ticket.id)
            if ticket.version != version:
                raise stale_ticket(ticket, version)
            stored = attrs.evolve(ticket.copy(), version=version + 1)
            self._connection.execute(
                "UPDATE tickets SET version = ?, state = ?, assignee = ?, created_us = ?, "
                "follow_up_us = ?, next_due_us = ?, document = ? WHERE id = ?",
                self._ticket_row(stored),
            )
        return stored

    def tickets_in_state(self, state: str) -> list[Ticket]:
        """Return the tickets in ``state``, oldest first."""
        check_key(state, "state")
        return self._tickets("state = ?", (state,), "created_us, id")

    def tickets_assigned_to(self, assignee: str) -> list[Ticket]:
        """Return the tickets assigned to ``assignee``, oldest first."""
        check_key(assignee, "assignee")
        return self._tickets("assignee = ?", (assignee,), "created_us, id")

    def due_follow_ups(self, *, now: datetime) -> list[Ticket]:
        """Return the tickets whose follow-up is due at or before ``now``, soonest first."""
        check_instant(now, "now")
        return self._tickets("follow_up_us <= ?", (instant_key(now),), "follow_up_us, id")

    def tickets_due(self, *, now: datetime) -> list[Ticket]:
        """Return the tickets whose ``next_due`` is at or before ``now``, soonest first."""
        check_instant(now, "now")
        return self._tickets("next_due_us <= ?", (instant_key(now),), "next_due_us, id")

    # --- closing -----------------------------------------------------------------

    # --- checkpoints -------------------------------------------------------------

    def save_checkpoint(self, name: str, document: str) -> None:
        """Keep ``document`` (JSON text) under ``name``, replacing what was there, atomically."""
        check_key(name, "name")
        check_document(document)
        with self._operation(write=True):
            self._connection.execute(
                "INSERT INTO checkpoints (name, document) VALUES (?, ?) "
                "ON CONFLICT (name) DO UPDATE SET document = excluded.document",
                (name, document),
            )

    def load_checkpoint(self, name: str) -> str | None:
        """Return the document kept under ``name``, or ``None``."""
        check_key(name, "name")
        with self._operation():
            row = self._connection.execute(
                "SELECT document FROM checkpoints WHERE name = ?", (name,)
            ).fetchone()
        return None if row is None else str(row[0])

    def close(self) -> None:
        """Close the database; later calls raise :class:`~callcore.errors.StorageError`."""
        with self._lock:
            if not self._closed:
                self._closed = True
                self._connection.close()


_MEMORY_URLS = ("sqlite://", "sqlite://:memory:", "sqlite:///:memory:")


def path_from_url(url: str) -> str | None:
    """Return the database path a ``sqlite:`` URL names, or ``None`` for another scheme.

    Raises:
        ConfigError: The URL starts with ``sqlite:`` but has the wrong form.
    """
    read = read_url(url)
    return None if read is None else read[0]


def read_url(url: str) -> tuple[str, UrlSettings] | None:
    """The database path and the settings a ``sqlite:`` URL names (``None``: another scheme).

    As in SQLAlchemy's URLs, a query string after ``?`` carries the store's
    settings: ``timeout`` (seconds) and ``synchronous`` (``full`` or
    ``normal``), as :class:`SQLiteStorage` takes them, for a host configured
    by URL alone (``sqlite:///app.db?synchronous=normal``). A ``?`` in a file
    name is written ``%3F``.

    Raises:
        ConfigError: The URL starts with ``sqlite:`` but has the wrong form, or
            its query names an unknown setting, one twice, or a timeout that
            is not a number.
    """
    given: object = url
    if not isinstance(given, str) or not url.startswith("sqlite:"):
        return None
    base, _, query = url.partition("?")
    settings = _url_settings(url, query)
    if base in _MEMORY_URLS:
        return ":memory:", settings
    if not base.startswith("sqlite:///") or base == "sqlite:///":
        raise ConfigError(
            f"cannot read the SQLite URL {url!r}: write sqlite:///relative/path.db or "
            "sqlite:////absolute/path.db"
        )
    return unquote(base.removeprefix("sqlite:///")), settings


class UrlSettings(TypedDict, total=False):
    """The settings a ``sqlite:`` URL may give (the keywords of :class:`SQLiteStorage`)."""

    timeout: float
    synchronous: str


def _url_settings(url: str, query: str) -> UrlSettings:
    """The settings of a ``sqlite:`` URL's query string."""
    settings: UrlSettings = {}
    try:
        pairs = parse_qsl(query, keep_blank_values=True, strict_parsing=bool(query))
    except ValueError:
        raise ConfigError(f"cannot read the query of the SQLite URL {url!r}") from None
    for name, value in pairs:
        if name in settings:
            raise ConfigError(f"the SQLite URL {url!r} gives {name!r} twice")
        if name == "synchronous":
            settings["synchronous"] = value
        elif name == "timeout":
            try:
                settings["timeout"] = float(value)
            except ValueError:
                raise ConfigError(
                    f"the SQLite URL's timeout must be a number of seconds, got {value!r}"
                ) from None
        else:
            raise ConfigError(
                f"the SQLite URL {url!r} has an unknown setting {name!r}; "
                "known: synchronous, timeout"
            )
    return settings
