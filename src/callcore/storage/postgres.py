"""The PostgreSQL store: one database shared by many processes and machines.

Built on psycopg 3 and psycopg-pool (the extra ``postgres``:
``pip install 'callcore[postgres]'``):

- a connection pool per store, safe for the threads of one process; each
  operation runs in one transaction on one pooled connection;
- versioned schema migrations shipped here (:data:`SCHEMA_VERSION`), applied
  only by an explicit call, :func:`migrate` or
  ``python -m callcore.storage.postgres migrate URL``; a store refuses to open a
  database whose schema is older or newer than this code's, saying which;
- optimistic concurrency on customers and tickets with a version column, as in
  the SQLite store: a save names the version it read and the ``UPDATE`` only
  matches that version, so a lost race raises
  :class:`~callcore.errors.ConflictError` and writes nothing;
- uniqueness (a customer's id, an identity, an interaction's id) kept by the
  database's unique keys, so two hosts identifying one new caller at once make
  one customer;
- a customer's data on request (:meth:`PostgresStorage.erase_customer`): one
  transaction, then ``VACUUM (ANALYZE)`` of the tables it touched; the erased
  bytes may stay in the pages and the write-ahead log until overwritten, and
  :meth:`PostgresStorage.rewrite_customer_tables` (``VACUUM FULL``) rewrites
  the tables;
- every database error becomes a :class:`~callcore.errors.StorageError` (the
  server is unreachable, the schema is missing, the pool is exhausted...) or a
  :class:`~callcore.errors.ConflictError` (a serialization failure or a
  deadlock: try again), each saying what to do.

The tables carry a ``callcore_`` prefix, so they can share a database (or a
schema chosen with ``options=-csearch_path=...`` in the URL) with the host's own.
"""

from __future__ import annotations

import argparse
import logging
import sys
import warnings
from contextlib import contextmanager
from datetime import datetime
from typing import TYPE_CHECKING, Any, TypeVar
from urllib.parse import urlsplit

import attrs

from callcore.checks import check_bool, check_instant, check_number
from callcore.customers import Customer, Identity, Interaction
from callcore.errors import (
    ConfigError,
    ConflictError,
    InvalidInputError,
    NotFoundError,
    StorageError,
)
from callcore.kpi import Aggregator
from callcore.storage._common import (
    ClosedByWith,
    Erasure,
    anonymised_customer,
    anonymised_interaction,
    check_customer,
    check_document,
    check_identity,
    check_instance,
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

try:
    import psycopg
    import psycopg_pool
    from psycopg import errors as pg_errors
except ImportError as missing:  # pragma: no cover - the extra is installed in the tests
    raise ConfigError(
        "the PostgreSQL store needs psycopg 3 and psycopg-pool: pip install 'callcore[postgres]'"
    ) from missing

if TYPE_CHECKING:
    from collections.abc import Iterator, Sequence

__all__ = [
    "POSTGRES_SCHEMES",
    "SCHEMA_VERSION",
    "PostgresStorage",
    "is_postgres_url",
    "main",
    "migrate",
    "schema_version",
]

T = TypeVar("T")

_log = logging.getLogger(__name__)

POSTGRES_SCHEMES = ("postgresql://", "postgres://")
"""The URL prefixes that name a PostgreSQL store (libpq's two spellings)."""

_MIGRATION_LOCK = 0x43434F52_0000  # "CCOR": one migration at a time per database

_MIGRATIONS: tuple[tuple[str, ...], ...] = (
    # 0 -> 1: customers, identities, interactions, tickets, checkpoints
    (
        """CREATE TABLE callcore_customers (
            id TEXT PRIMARY KEY,
            version BIGINT NOT NULL,
            document TEXT NOT NULL
        )""",
        """CREATE TABLE callcore_customer_identities (
            identity TEXT PRIMARY KEY,
            customer_id TEXT NOT NULL REFERENCES callcore_customers (id)
        )""",
        """CREATE INDEX callcore_identities_by_customer
            ON callcore_customer_identities (customer_id)""",
        """CREATE TABLE callcore_interactions (
            seq BIGSERIAL PRIMARY KEY,
            id TEXT NOT NULL UNIQUE,
            customer_id TEXT NOT NULL REFERENCES callcore_customers (id),
            at_us BIGINT NOT NULL,
            document TEXT NOT NULL
        )""",
        """CREATE INDEX callcore_interactions_by_customer
            ON callcore_interactions (customer_id, at_us, seq)""",
        """CREATE TABLE callcore_tickets (
            id TEXT PRIMARY KEY,
            version BIGINT NOT NULL,
            state TEXT NOT NULL,
            assignee TEXT,
            created_us BIGINT NOT NULL,
            follow_up_us BIGINT,
            next_due_us BIGINT,
            document TEXT NOT NULL
        )""",
        "CREATE INDEX callcore_tickets_by_state ON callcore_tickets (state, created_us, id)",
        "CREATE INDEX callcore_tickets_by_assignee ON callcore_tickets (assignee, created_us, id)",
        "CREATE INDEX callcore_tickets_by_follow_up ON callcore_tickets (follow_up_us, id)",
        "CREATE INDEX callcore_tickets_by_next_due ON callcore_tickets (next_due_us, id)",
        """CREATE TABLE callcore_checkpoints (
            name TEXT PRIMARY KEY,
            document TEXT NOT NULL
        )""",
    ),
    # 1 -> 2: router ownership: leases, and the log of forwarded commands
    (
        """CREATE TABLE callcore_leases (
            name TEXT PRIMARY KEY,
            owner TEXT NOT NULL,
            epoch BIGINT NOT NULL,
            acquired_at TIMESTAMPTZ NOT NULL,
            expires_at TIMESTAMPTZ NOT NULL
        )""",
        """CREATE TABLE callcore_commands (
            seq BIGSERIAL PRIMARY KEY,
            router TEXT NOT NULL,
            sender TEXT NOT NULL,
            command TEXT NOT NULL,
            position BIGINT,
            result TEXT,
            UNIQUE (router, position)
        )""",
        """CREATE INDEX callcore_commands_pending
            ON callcore_commands (router, seq) WHERE result IS NULL""",
    ),
    # 2 -> 3: KPI aggregates, one row per host and report
    (
        """CREATE TABLE callcore_kpi_aggregates (
            report TEXT NOT NULL,
            host TEXT NOT NULL,
            document TEXT NOT NULL,
            PRIMARY KEY (report, host)
        )""",
    ),
)
"""Forward migrations: entry ``n`` takes the schema from version ``n`` to ``n + 1``."""

SCHEMA_VERSION = len(_MIGRATIONS)
"""The schema version this code reads and writes."""

_CUSTOMER_TABLES = (
    "callcore_customers",
    "callcore_customer_identities",
    "callcore_interactions",
    "callcore_tickets",
)
"""The tables that hold a customer's data: what an erasure touches and vacuums."""

_TICKETS_OF_CUSTOMER = "(document::json ->> 'customer') = %s"
"""The tickets of one customer: read from the document (rare requests need no index)."""

_MAX_POOL = 1_000
_MAX_TIMEOUT_SECONDS = 86_400.0


def is_postgres_url(url: object) -> bool:
    """Tell whether ``url`` names a PostgreSQL store (``postgresql://...``)."""
    return isinstance(url, str) and url.startswith(POSTGRES_SCHEMES)


def _location(url: str) -> str:
    """The URL without its password, to name the database in errors."""
    try:
        parts = urlsplit(url)
        netloc = parts.netloc.rpartition("@")[2]
        user = parts.username
    except ValueError:
        return "postgresql://?"
    shown = f"{parts.scheme}://{user + '@' if user else ''}{netloc}{parts.path}"
    return shown if not parts.query else f"{shown}?{parts.query}"


def _check_url(url: object) -> str:
    if not is_postgres_url(url):
        raise ConfigError(
            f"a PostgreSQL URL starts with postgresql:// (got {url!r}); "
            "write postgresql://user:password@host:5432/database"
        )
    assert isinstance(url, str)  # noqa: S101 - for the type checker
    return url


def _storable_text(value: str, what: str) -> str:
    """Refuse text PostgreSQL cannot keep: a NUL character or a lone surrogate."""
    if "\x00" in value:
        raise InvalidInputError(f"{what} must not hold a NUL character", field=what)
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise InvalidInputError(f"{what} is not valid Unicode text", field=what) from None
    return value


def translate(exc: psycopg.Error, location: str) -> StorageError | ConflictError:
    """The callcore error for a database error, saying what to do about it."""
    if isinstance(exc, pg_errors.SerializationFailure | pg_errors.DeadlockDetected):
        return ConflictError(
            "transaction",
            location,
            reason=f"PostgreSQL aborted it to keep concurrent writers apart ({exc}); "
            "nothing was written: read again and retry",
        )
    if isinstance(exc, pg_errors.UndefinedTable):
        return StorageError(
            f"a callcore table is missing ({exc}); apply the schema with "
            "`python -m callcore.storage.postgres migrate URL`",
            location,
        )
    if isinstance(exc, psycopg.OperationalError):
        return StorageError(
            f"cannot reach PostgreSQL or the connection broke ({exc}); check that the "
            "server runs and the URL, user and password are right, then retry",
            location,
        )
    if isinstance(exc, pg_errors.InsufficientPrivilege):
        return StorageError(
            f"the database user may not do this ({exc}); grant it the callcore_ tables",
            location,
        )
    sqlstate = exc.sqlstate or "?"
    return StorageError(f"PostgreSQL refused the operation (SQLSTATE {sqlstate}): {exc}", location)


def _connect(url: str, location: str, *, timeout: float) -> psycopg.Connection[Any]:
    try:
        return psycopg.connect(url, autocommit=True, connect_timeout=max(1, round(timeout)))
    except psycopg.Error as exc:
        raise translate(exc, location) from exc


def _read_version(cursor: psycopg.Cursor[Any]) -> int | None:
    """The schema version, or ``None`` when callcore's schema is not there."""
    cursor.execute("SELECT to_regclass('callcore_schema') IS NOT NULL")
    row = cursor.fetchone()
    if row is None or not row[0]:
        return None
    cursor.execute("SELECT version FROM callcore_schema")
    rows = cursor.fetchall()
    if len(rows) != 1:
        raise StorageError(f"the callcore_schema table is damaged (rows: {rows!r})")
    return int(rows[0][0])


def schema_version(url: str, *, timeout: float = 30.0) -> int:
    """Return the schema version of the database at ``url`` (0 when there is none).

    Raises:
        StorageError: The server cannot be reached.
        ConfigError: ``url`` is not a PostgreSQL URL.
    """
    url = _check_url(url)
    location = _location(url)
    with _connect(url, location, timeout=timeout) as connection:
        try:
            return _read_version(connection.cursor()) or 0
        except psycopg.Error as exc:
            raise translate(exc, location) from exc


def migrate(url: str, *, timeout: float = 30.0) -> int:
    """Bring the database at ``url`` up to :data:`SCHEMA_VERSION`; return the version.

    Each migration runs in its own transaction under an advisory lock, so
    several hosts may call this at once: one applies each step, the others
    wait and then find nothing left to do. An up-to-date database is left alone.

    Raises:
        StorageError: The server cannot be reached, the user may not create
            tables, or the database was written by a newer callcore.
        ConfigError: ``url`` is not a PostgreSQL URL.
    """
    url = _check_url(url)
    location = _location(url)
    with _connect(url, location, timeout=timeout) as connection:
        try:
            while True:
                with connection.transaction():
                    cursor = connection.cursor()
                    cursor.execute("SELECT pg_advisory_xact_lock(%s)", (_MIGRATION_LOCK,))
                    version = _read_version(cursor)
                    if version is None:
                        cursor.execute("CREATE TABLE callcore_schema (version INTEGER NOT NULL)")
                        cursor.execute("INSERT INTO callcore_schema VALUES (0)")
                        version = 0
                    _refuse_newer(version, location)
                    if version == SCHEMA_VERSION:
                        return version
                    _log.info("migrating %s to schema version %d", location, version + 1)
                    for statement in _MIGRATIONS[version]:
                        cursor.execute(statement)
                    cursor.execute("UPDATE callcore_schema SET version = %s", (version + 1,))
        except psycopg.Error as exc:
            raise translate(exc, location) from exc


def _refuse_newer(version: int, location: str) -> None:
    if version > SCHEMA_VERSION:
        raise StorageError(
            f"was written by a newer callcore (schema version {version}; this callcore "
            f"knows up to {SCHEMA_VERSION}); upgrade callcore to open it",
            location,
        )


class PostgresStorage(ClosedByWith):
    """A store in a PostgreSQL database, shared by every host that opens it.

    The schema must be in place: run :func:`migrate` (or
    ``python -m callcore.storage.postgres migrate URL``) once per deployment
    and release, before the hosts open their stores.

    Args:
        url: The database, as a libpq URL:
            ``postgresql://user:password@host:5432/database``.
        pool_size: The most connections this store opens (1 to 1,000); each
            thread doing a store operation holds one for that operation.
        timeout: Seconds to wait for the server and for a free pooled
            connection before failing (at most a day).

    Raises:
        StorageError: The server cannot be reached, or the schema is missing,
            older or newer than this callcore's; the message says what to run.
        ConfigError: ``url`` is not a PostgreSQL URL.
        InvalidInputError: ``pool_size`` or ``timeout`` is out of range.
    """

    def __init__(self, url: str, *, pool_size: int = 4, timeout: float = 30.0) -> None:
        """Connect, and check that the schema is this callcore's."""
        self.url = _check_url(url)
        self.location = _location(self.url)
        pool_size = int(check_number(pool_size, "pool_size", low=1, high=_MAX_POOL))
        self.timeout = check_number(timeout, "timeout", low=0, high=_MAX_TIMEOUT_SECONDS)
        self._closed = False
        with _connect(self.url, self.location, timeout=self.timeout) as probe:
            try:
                version = _read_version(probe.cursor())
            except psycopg.Error as exc:
                raise translate(exc, self.location) from exc
        if version is None or version < SCHEMA_VERSION:
            raise StorageError(
                f"the callcore schema is at version {version or 0}, this callcore needs "
                f"{SCHEMA_VERSION}: run `python -m callcore.storage.postgres migrate URL` "
                "(or callcore.storage.postgres.migrate(url)) first",
                self.location,
            )
        _refuse_newer(version, self.location)
        with warnings.catch_warnings():  # the pool warns that opening in __init__ will change
            warnings.simplefilter("ignore", DeprecationWarning)
            self._pool: psycopg_pool.ConnectionPool[Any] = psycopg_pool.ConnectionPool(
                self.url,
                min_size=1,
                max_size=pool_size,
                timeout=self.timeout,
                kwargs={"autocommit": True},
                open=False,
                name=f"callcore {self.location}",
            )
        try:
            self._pool.open(wait=True, timeout=self.timeout)
        except psycopg_pool.PoolTimeout as exc:
            self._pool.close()
            raise StorageError(
                f"no connection to PostgreSQL within {self.timeout} s ({exc}); "
                "check that the server runs and accepts this user",
                self.location,
            ) from exc

    def __repr__(self) -> str:
        """Show the database (without a password)."""
        return f"PostgresStorage({self.location!r})"

    # --- plumbing --------------------------------------------------------------------

    @contextmanager
    def cursor(self, *, transaction: bool = False) -> Iterator[psycopg.Cursor[Any]]:
        """One operation on a pooled connection, its errors translated.

        The pooled connections are in autocommit mode: one statement is its
        own transaction, with no ``BEGIN`` and ``COMMIT`` round trips. With
        ``transaction``, the block's statements form one transaction that
        commits when the block ends and rolls back when it raises. A callcore
        error raised inside passes through unchanged.
        """
        if self._closed:
            raise StorageError("the store is closed", self.location)
        try:
            connection = self._pool.getconn()
            try:
                if transaction:
                    with connection.transaction(), connection.cursor() as cursor:
                        yield cursor
                else:
                    with connection.cursor() as cursor:
                        yield cursor
            finally:
                self._pool.putconn(connection)
        except psycopg_pool.PoolTimeout as exc:
            raise StorageError(
                f"no pooled connection came free within {self.timeout} s ({exc}); "
                "give the store a larger pool_size or hold connections for less time",
                self.location,
            ) from exc
        except psycopg_pool.PoolClosed as exc:
            raise StorageError("the store is closed", self.location) from exc
        except psycopg.Error as exc:
            raise translate(exc, self.location) from exc

    def _load(self, cls: type[T], document: object, what: str) -> T:
        """Read one row's document; a row that cannot be read is named in the error."""
        return load_row(cls, document, what, self.location)

    @staticmethod
    def _owner(cursor: psycopg.Cursor[Any], identity: Identity) -> str | None:
        cursor.execute(
            "SELECT customer_id FROM callcore_customer_identities WHERE identity = %s",
            (identity_key(identity),),
        )
        row = cursor.fetchone()
        return None if row is None else str(row[0])

    def _clash(self, customer: Customer) -> ConflictError:
        """After a unique-key violation: which identity belongs to whom."""
        with self.cursor() as cursor:
            for identity in customer.identities:
                owner = self._owner(cursor, identity)
                if owner not in (None, customer.id):
                    return identity_clash(identity, owner)
        return ConflictError(
            "customer", customer.id, reason="another writer changed it at once; retry"
        )

    # --- customers -------------------------------------------------------------------

    def get_customer(self, customer_id: str) -> Customer | None:
        """Return the customer with ``customer_id``, or ``None``."""
        check_key(customer_id, "customer_id")
        with self.cursor() as cursor:
            cursor.execute("SELECT document FROM callcore_customers WHERE id = %s", (customer_id,))
            row = cursor.fetchone()
        return None if row is None else self._load(Customer, row[0], f"customer {customer_id}")

    def find_customer(self, identity: Identity) -> Customer | None:
        """Return the customer that ``identity`` belongs to, or ``None``."""
        check_identity(identity)
        with self.cursor() as cursor:
            cursor.execute(
                "SELECT c.id, c.document FROM callcore_customer_identities AS i "
                "JOIN callcore_customers AS c ON c.id = i.customer_id WHERE i.identity = %s",
                (identity_key(identity),),
            )
            row = cursor.fetchone()
        return None if row is None else self._load(Customer, row[1], f"customer {row[0]}")

    def recent_interactions(self, customer_id: str, limit: int) -> list[Interaction]:
        """Return up to ``limit`` interactions of the customer, newest first.

        Raises:
            InvalidInputError: ``limit`` is not a whole number from 0 to 10,000.
        """
        check_key(customer_id, "customer_id")
        check_limit(limit)
        with self.cursor() as cursor:
            cursor.execute(
                "SELECT id, document FROM callcore_interactions WHERE customer_id = %s "
                "ORDER BY at_us DESC, seq DESC LIMIT %s",
                (customer_id, limit),
            )
            rows = cursor.fetchall()
        return [self._load(Interaction, doc, f"interaction {id_}") for id_, doc in rows]

    def add_customer(self, customer: Customer) -> Customer:
        """Store a new customer at version 1 and return it as stored.

        Raises:
            ConflictError: The id exists, or an identity belongs to another customer.
        """
        stored = attrs.evolve(check_customer(customer), version=1)
        document = _storable_text(document_text(stored, "customer"), "customer")
        try:
            with self.cursor(transaction=True) as cursor:
                cursor.execute(
                    "INSERT INTO callcore_customers (id, version, document) VALUES (%s, %s, %s) "
                    "ON CONFLICT (id) DO NOTHING",
                    (stored.id, stored.version, document),
                )
                if cursor.rowcount == 0:
                    raise existing_id(customer.id)
                self._insert_identities(cursor, stored)
        except _TakenIdentityError:
            raise self._clash(stored) from None
        return stored

    @staticmethod
    def _insert_identities(cursor: psycopg.Cursor[Any], customer: Customer) -> None:
        """Insert the identities; one taken by another customer rolls the transaction back."""
        for identity in customer.identities:
            cursor.execute(
                "INSERT INTO callcore_customer_identities (identity, customer_id) "
                "VALUES (%s, %s) ON CONFLICT (identity) DO NOTHING",
                (identity_key(identity), customer.id),
            )
            if cursor.rowcount == 0:
                raise _TakenIdentityError

    def save_customer(self, customer: Customer) -> Customer:
        """Replace a stored customer if its version is current; return it as stored.

        Raises:
            NotFoundError: No customer has this id.
            ConflictError: A stale version, or an identity of another customer.
        """
        check_customer(customer)
        stored = attrs.evolve(customer, version=customer.version + 1)
        document = _storable_text(document_text(stored, "customer"), "customer")
        try:
            with self.cursor(transaction=True) as cursor:
                cursor.execute(
                    "UPDATE callcore_customers SET version = %s, document = %s "
                    "WHERE id = %s AND version = %s",
                    (stored.version, document, customer.id, customer.version),
                )
                if cursor.rowcount == 0:
                    cursor.execute(
                        "SELECT version FROM callcore_customers WHERE id = %s", (customer.id,)
                    )
                    row = cursor.fetchone()
                    if row is None:
                        raise NotFoundError("customer", customer.id)
                    raise stale_write(customer, int(row[0]))
                cursor.execute(
                    "DELETE FROM callcore_customer_identities WHERE customer_id = %s",
                    (customer.id,),
                )
                self._insert_identities(cursor, stored)
        except _TakenIdentityError:
            raise self._clash(stored) from None
        return stored

    def add_interaction(self, interaction: Interaction) -> None:
        """Store an interaction in its customer's history.

        Raises:
            NotFoundError: The customer does not exist.
            ConflictError: An interaction with this id exists.
        """
        document = document_text(check_interaction(interaction), "interaction")
        _storable_text(document, "interaction")
        with self.cursor() as cursor:
            cursor.execute(
                "INSERT INTO callcore_interactions (id, customer_id, at_us, document) "
                "SELECT %s, id, %s, %s FROM callcore_customers WHERE id = %s "
                "ON CONFLICT (id) DO NOTHING RETURNING seq",
                (interaction.id, instant_key(interaction.at), document, interaction.customer_id),
            )
            if cursor.fetchone() is not None:
                return
            cursor.execute(
                "SELECT 1 FROM callcore_customers WHERE id = %s", (interaction.customer_id,)
            )
            if cursor.fetchone() is None:
                raise NotFoundError("customer", interaction.customer_id)
        raise ConflictError(
            "interaction", interaction.id, reason="an interaction with this id exists"
        )

    # --- a customer's data on request ------------------------------------------------

    def customer_interactions(self, customer_id: str) -> list[Interaction]:
        """Return every interaction of the customer, oldest first (as recorded)."""
        check_key(customer_id, "customer_id")
        with self.cursor() as cursor:
            cursor.execute(
                "SELECT id, document FROM callcore_interactions WHERE customer_id = %s "
                "ORDER BY at_us, seq",
                (customer_id,),
            )
            rows = cursor.fetchall()
        return [self._load(Interaction, doc, f"interaction {id_}") for id_, doc in rows]

    def customer_tickets(self, customer_id: str) -> list[Ticket]:
        """Return every ticket of the customer, oldest first (by creation, then id)."""
        check_key(customer_id, "customer_id")
        return self._tickets(_TICKETS_OF_CUSTOMER, (customer_id,), "created_us, id")

    def erase_customer(self, customer_id: str, *, anonymise: bool = False) -> Erasure:
        """Remove a customer's data: all of it, or all but an anonymous tombstone.

        Erasing removes the customer, their identities, interactions and
        tickets. Anonymising keeps a tombstone customer (id, creation time,
        tier, a new version, so that a copy read before cannot be saved over
        it) and the interactions' facts (channel, times, outcome, agent,
        queue) without their notes, and removes the identities and tickets.
        All in one transaction, which locks the customer's row first.

        After the commit the touched tables are vacuumed and analysed
        (``VACUUM (ANALYZE)``, outside a transaction): the dead row versions
        are reclaimed and the planner's statistics, which sample whole rows,
        are taken again without the erased ones. PostgreSQL does not zero what
        it reclaims: the erased bytes may stay in the pages' free space until
        overwritten, and in the write-ahead log until its segments are
        recycled, so ``files_clean`` is ``False``;
        :meth:`rewrite_customer_tables` (``VACUUM FULL``) rewrites the tables.
        A failed ``VACUUM`` is logged as a warning (the erasure stands).

        Raises:
            NotFoundError: No customer has this id; nothing changed.
        """
        check_key(customer_id, "customer_id")
        check_bool(anonymise, "anonymise")
        with self.cursor(transaction=True) as cursor:
            cursor.execute(
                "SELECT version, document FROM callcore_customers WHERE id = %s FOR UPDATE",
                (customer_id,),
            )
            row = cursor.fetchone()
            if row is None:
                raise NotFoundError("customer", customer_id)
            customer = self._load(Customer, row[1], f"customer {customer_id}")
            cursor.execute(
                f"DELETE FROM callcore_tickets WHERE {_TICKETS_OF_CUSTOMER}",  # noqa: S608 - a fixed clause
                (customer_id,),
            )
            tickets = cursor.rowcount
            cursor.execute(
                "DELETE FROM callcore_customer_identities WHERE customer_id = %s", (customer_id,)
            )
            if anonymise:
                interactions = self._anonymise_interactions(cursor, customer_id)
                tombstone = attrs.evolve(anonymised_customer(customer), version=int(row[0]) + 1)
                cursor.execute(
                    "UPDATE callcore_customers SET version = %s, document = %s WHERE id = %s",
                    (tombstone.version, document_text(tombstone, "customer"), customer_id),
                )
            else:
                cursor.execute(
                    "DELETE FROM callcore_interactions WHERE customer_id = %s", (customer_id,)
                )
                interactions = cursor.rowcount
                cursor.execute("DELETE FROM callcore_customers WHERE id = %s", (customer_id,))
        try:  # ANALYZE too: the planner's statistics sample whole rows (pg_stats shows them)
            self._vacuum("VACUUM (ANALYZE)")
        except StorageError as exc:  # the erasure is committed: say so rather than fail
            _log.warning("%s: VACUUM after erasing a customer failed: %s", self.location, exc)
        return Erasure(
            customer_id,
            anonymised=anonymise,
            identities=len(customer.identities),
            interactions=interactions,
            tickets=tickets,
            files_clean=False,
        )

    def _anonymise_interactions(self, cursor: psycopg.Cursor[Any], customer_id: str) -> int:
        cursor.execute(
            "SELECT seq, id, document FROM callcore_interactions WHERE customer_id = %s FOR UPDATE",
            (customer_id,),
        )
        rows = cursor.fetchall()
        for seq, id_, document in rows:
            kept = anonymised_interaction(self._load(Interaction, document, f"interaction {id_}"))
            cursor.execute(
                "UPDATE callcore_interactions SET document = %s WHERE seq = %s",
                (document_text(kept, "interaction"), seq),
            )
        return len(rows)

    def rewrite_customer_tables(self) -> None:
        """Rewrite the tables of customers' data (``VACUUM FULL``), leaving no erased bytes.

        Each table is copied into new files holding only its live rows, and
        the old files are emptied, so the values of erased customers no longer
        appear in the tables' files (the write-ahead log and backups are
        another matter: see the deployment guide). It locks each table
        against every reader and writer while it is copied: run it in a
        maintenance window, after erasures.

        Raises:
            StorageError: The database user does not own the tables (PostgreSQL
                skips them then, with a warning), or the server failed.
        """
        skipped = self._vacuum("VACUUM FULL")
        if skipped:
            raise StorageError(
                f"VACUUM FULL skipped tables: {'; '.join(skipped)}; run it as their owner",
                self.location,
            )

    def _vacuum(self, command: str) -> list[str]:
        """Vacuum the customer tables; return PostgreSQL's warnings (a table it skipped)."""
        warned: list[str] = []

        def keep_warning(notice: psycopg.errors.Diagnostic) -> None:
            if notice.severity_nonlocalized == "WARNING":
                warned.append(str(notice.message_primary))

        with self.cursor() as cursor:  # autocommit: VACUUM cannot run in a transaction
            cursor.connection.add_notice_handler(keep_warning)
            try:
                cursor.execute(f"{command} {', '.join(_CUSTOMER_TABLES)}")
            finally:
                cursor.connection.remove_notice_handler(keep_warning)
        for warning in warned:
            _log.warning("%s: %s: %s", self.location, command, warning)
        return warned

    # --- tickets ---------------------------------------------------------------------

    @staticmethod
    def _ticket_row(ticket: Ticket) -> tuple[object, ...]:
        due = ticket.follow_up_due
        return (
            ticket.state,
            ticket.assignee,
            instant_key(ticket.created_at),
            None if due is None else instant_key(due),
            None if ticket.next_due is None else instant_key(ticket.next_due),
            _storable_text(document_text(ticket, "ticket"), "ticket"),
            ticket.id,
        )

    def _tickets(self, where: str, parameters: Sequence[object], order: str) -> list[Ticket]:
        with self.cursor() as cursor:
            cursor.execute(
                f"SELECT id, document FROM callcore_tickets WHERE {where} ORDER BY {order}",  # noqa: S608 - fixed clauses
                parameters,
            )
            rows = cursor.fetchall()
        return [self._load(Ticket, document, f"ticket {id_}") for id_, document in rows]

    def get_ticket(self, ticket_id: str) -> Ticket | None:
        """Return the stored ticket with ``ticket_id``, or ``None``."""
        check_key(ticket_id, "ticket_id")
        found = self._tickets("id = %s", (ticket_id,), "id")
        return found[0] if found else None

    def add_ticket(self, ticket: Ticket) -> Ticket:
        """Store a new ticket at version 1 and return it as stored.

        Raises:
            ConflictError: A ticket with this id exists.
            InvalidInputError: A field of the ticket cannot be stored.
        """
        stored = attrs.evolve(check_ticket(ticket).copy(), version=1)
        row = self._ticket_row(stored)
        with self.cursor() as cursor:
            cursor.execute(
                "INSERT INTO callcore_tickets (version, state, assignee, created_us, "
                "follow_up_us, next_due_us, document, id) "
                "VALUES (1, %s, %s, %s, %s, %s, %s, %s) ON CONFLICT (id) DO NOTHING",
                row,
            )
            if cursor.rowcount == 0:
                raise existing_ticket(ticket.id)
        return stored

    def save_ticket(self, ticket: Ticket) -> Ticket:
        """Replace a stored ticket if its version is current; return it as stored.

        One versioned ``UPDATE``: it matches only the version that was read.

        Raises:
            NotFoundError: No ticket has this id.
            ConflictError: A stale version; the stored ticket is unchanged.
            InvalidInputError: A field of the ticket cannot be stored.
        """
        check_ticket(ticket)
        stored = ticket.copy()  # a new, unshared ticket: set its version in place
        stored.version = ticket.version + 1
        row = self._ticket_row(stored)
        with self.cursor() as cursor:
            cursor.execute(
                "UPDATE callcore_tickets SET version = version + 1, state = %s, assignee = %s, "
                "created_us = %s, follow_up_us = %s, next_due_us = %s, document = %s "
                "WHERE id = %s AND version = %s",
                (*row, ticket.version),
            )
            if cursor.rowcount == 1:
                return stored
            cursor.execute("SELECT version FROM callcore_tickets WHERE id = %s", (ticket.id,))
            found = cursor.fetchone()
        if found is None:
            raise NotFoundError("ticket", ticket.id)
        raise stale_ticket(ticket, int(found[0]))

    def tickets_in_state(self, state: str) -> list[Ticket]:
        """Return the tickets in ``state``, oldest first."""
        check_key(state, "state")
        _storable_text(state, "state")
        return self._tickets("state = %s", (state,), "created_us, id")

    def tickets_assigned_to(self, assignee: str) -> list[Ticket]:
        """Return the tickets assigned to ``assignee``, oldest first."""
        check_key(assignee, "assignee")
        _storable_text(assignee, "assignee")
        return self._tickets("assignee = %s", (assignee,), "created_us, id")

    def due_follow_ups(self, *, now: datetime) -> list[Ticket]:
        """Return the tickets whose follow-up is due at or before ``now``, soonest first."""
        check_instant(now, "now")
        return self._tickets("follow_up_us <= %s", (instant_key(now),), "follow_up_us, id")

    def tickets_due(self, *, now: datetime) -> list[Ticket]:
        """Return the tickets whose ``next_due`` is at or before ``now``, soonest first."""
        check_instant(now, "now")
        return self._tickets("next_due_us <= %s", (instant_key(now),), "next_due_us, id")

    # --- checkpoints -----------------------------------------------------------------

    def save_checkpoint(self, name: str, document: str) -> None:
        """Keep ``document`` (JSON text) under ``name``, replacing what was there, atomically."""
        check_key(name, "name")
        _storable_text(check_document(document), "document")
        _storable_text(name, "name")
        with self.cursor() as cursor:
            cursor.execute(
                "INSERT INTO callcore_checkpoints (name, document) VALUES (%s, %s) "
                "ON CONFLICT (name) DO UPDATE SET document = excluded.document",
                (name, document),
            )

    def load_checkpoint(self, name: str) -> str | None:
        """Return the document kept under ``name``, or ``None``."""
        check_key(name, "name")
        _storable_text(name, "name")
        with self.cursor() as cursor:
            cursor.execute("SELECT document FROM callcore_checkpoints WHERE name = %s", (name,))
            row = cursor.fetchone()
        return None if row is None else str(row[0])

    # --- KPI aggregates from several hosts -------------------------------------------

    def save_aggregate(self, report: str, host: str, aggregator: Aggregator) -> None:
        """Keep ``host``'s aggregator for ``report``, replacing the host's last one.

        Each host keeps its own running totals (mergeable: counts, sums and
        distributions, never averages) and saves them now and then;
        :meth:`merged_aggregate` adds them up.

        Raises:
            InvalidInputError: ``report`` or ``host`` is not text, or
                ``aggregator`` is not an :class:`~callcore.kpi.Aggregator`.
        """
        check_key(report, "report")
        check_key(host, "host")
        check_instance(aggregator, Aggregator, "aggregator")
        document = _storable_text(document_text(aggregator, "aggregator"), "aggregator")
        with self.cursor() as cursor:
            cursor.execute(
                "INSERT INTO callcore_kpi_aggregates (report, host, document) VALUES (%s, %s, %s) "
                "ON CONFLICT (report, host) DO UPDATE SET document = excluded.document",
                (_storable_text(report, "report"), _storable_text(host, "host"), document),
            )

    def aggregates(self, report: str) -> dict[str, Aggregator]:
        """Return every host's saved aggregator for ``report``, by host."""
        check_key(report, "report")
        with self.cursor() as cursor:
            cursor.execute(
                "SELECT host, document FROM callcore_kpi_aggregates WHERE report = %s "
                "ORDER BY host",
                (_storable_text(report, "report"),),
            )
            rows = cursor.fetchall()
        return {
            host: self._load(Aggregator, document, f"aggregator {report}/{host}")
            for host, document in rows
        }

    def merged_aggregate(self, report: str, *, now: datetime) -> Aggregator | None:
        """Merge every host's aggregator for ``report``: what one host fed all would hold.

        Returns ``None`` when no host saved one.

        Raises:
            InvalidInputError: The hosts' aggregators group or count differently
                (other dimensions, interval, time zone or thresholds): configure
                every host alike.
        """
        check_instant(now, "now")
        saved = list(self.aggregates(report).values())
        if not saved:
            return None
        first = saved[0]
        merged = Aggregator(
            group_by=first.group_by,
            interval=first.interval,
            timezone=first.timezone,
            thresholds=first.thresholds,
            keep_distributions=first.keep_distributions,
        )
        for aggregator in saved:
            merged.merge(aggregator, now=now)
        return merged

    # --- closing ---------------------------------------------------------------------

    def close(self) -> None:
        """Close the pool; later calls raise :class:`~callcore.errors.StorageError`."""
        if not self._closed:
            self._closed = True
            self._pool.close()


class _TakenIdentityError(Exception):
    """Inside a transaction: an identity is taken; the caller finds by whom."""


def main(argv: Sequence[str] | None = None) -> int:
    """The command line: ``python -m callcore.storage.postgres migrate URL``.

    ``migrate URL`` applies the missing migrations; ``version URL`` prints the
    database's schema version and this callcore's.
    """
    parser = argparse.ArgumentParser(
        prog="python -m callcore.storage.postgres",
        description="Manage callcore's PostgreSQL schema.",
    )
    parser.add_argument("command", choices=("migrate", "version"))
    parser.add_argument("url", help="postgresql://user:password@host:5432/database")
    arguments = parser.parse_args(argv)
    try:
        if arguments.command == "migrate":
            version = migrate(arguments.url)
            sys.stdout.write(f"{_location(arguments.url)}: schema version {version}\n")
        else:
            version = schema_version(arguments.url)
            sys.stdout.write(
                f"{_location(arguments.url)}: schema version {version} "
                f"(this callcore: {SCHEMA_VERSION})\n"
            )
    except (StorageError, ConfigError) as exc:
        sys.stderr.write(f"error: {exc}\n")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
