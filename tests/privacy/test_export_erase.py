"""A customer's data on request: export and erasure on the built-in stores and PostgreSQL.

The erased values are looked for, byte by byte, in the database files
afterwards: SQLite's file, its write-ahead log and shared-memory file; the
PostgreSQL tables' files (heap, TOAST, indexes, free-space and visibility maps)
after :meth:`~callcore.storage.postgres.PostgresStorage.rewrite_customer_tables`
and a ``CHECKPOINT``, when the test can read the server's data directory.
The values that stay are looked for the same way and must be found, so the
search itself is shown to work.
"""

from __future__ import annotations

import json
import logging
import os
import re
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlsplit, urlunsplit

import attrs
import pytest

from callcore.access import AccessDeniedError, AuditTrail, Gate
from callcore.contacts import Channel, ContactOutcome, Direction
from callcore.customers import Customer, Identity, Interaction
from callcore.errors import ConflictError, InvalidInputError, NotFoundError, StorageError
from callcore.privacy import EXPORT_FORMAT, erase_customer, export_customer
from callcore.storage import MemoryStorage, SQLiteStorage
from callcore.tickets import Actor, Link, TicketEngine

try:
    import psycopg

    from callcore.storage.postgres import PostgresStorage, migrate
except ImportError:  # pragma: no cover - the extra is in the test group
    psycopg = None  # type: ignore[assignment]
    PostgresStorage = type("PostgresStorage", (), {})  # type: ignore[assignment,misc]  # no store is one

if TYPE_CHECKING:
    from collections.abc import Iterator

    from callcore.storage import Storage

START = datetime(2026, 3, 2, 9, 0, tzinfo=timezone.utc)
GATE_POLICY = Gate().policy
MANAGER = GATE_POLICY.principal("meg", ["manager"])
SUPERVISOR = GATE_POLICY.principal("sam", ["supervisor"])

# ASCII on purpose: the search is for the bytes as stored (JSON escapes non-ASCII)
SECRETS = {
    "name": "Zelda Quixotemarmaduke",
    "old_name": "Zelda Oldnamevexworth",
    "phone": "+40721234567",
    "email": "zelda.qx@example.org",
    "attribute": "ACC-99817-ZQ",
    "notes": "pin hint xylophone-4471",
    "subject": "refund for order Q-77313",
    "reply": "call me at home secret-8812",
    "recording": "REC-5521-ZQ",
}
OTHER = {"name": "Yorick Untouchedperson", "notes": "keeps-these-notes-3391"}


def _fill(store: Storage) -> None:
    """Customer c1 (the one to erase), saved several times, and c2, who stays."""
    old = Customer(
        id="c1",
        created_at=START,
        name=SECRETS["old_name"],
        identities=(Identity.phone(SECRETS["phone"]), Identity.email(SECRETS["email"])),
        attributes={"account": SECRETS["attribute"]},
    )
    stored = store.add_customer(old)
    for _ in range(3):
        stored = store.save_customer(attrs.evolve(stored, name=SECRETS["name"]))
    store.add_customer(Customer(id="c2", created_at=START, name=OTHER["name"]))
    for index, (customer, notes) in enumerate(
        [("c1", SECRETS["notes"]), ("c1", "second call"), ("c2", OTHER["notes"])]
    ):
        store.add_interaction(
            Interaction(
                id=f"i{index}",
                customer_id=customer,
                channel=Channel.VOICE,
                direction=Direction.INBOUND,
                at=START + timedelta(minutes=index),
                outcome=ContactOutcome.ANSWERED,
                agent="ana",
                queue="support",
                notes=notes,
                duration=timedelta(minutes=3),
            )
        )
    engine = TicketEngine()
    ana = Actor("ana", frozenset({"agent"}))
    for number, customer in enumerate(["c1", "c1", "c2"]):
        ticket = engine.create(
            id=f"T-{number}",
            subject=SECRETS["subject"] if customer == "c1" else "printer",
            channel=Channel.VOICE,
            customer=customer,
            by=ana,
            now=START,
        ).ticket
        ticket = store.add_ticket(ticket)
        engine.reply(
            ticket,
            by=ana,
            now=START + timedelta(hours=1),
            text=SECRETS["reply"] if customer == "c1" else "fixed it",
        )
        engine.update(
            ticket,
            by=ana,
            now=START + timedelta(hours=1),
            links=[Link("recording", SECRETS["recording"] if customer == "c1" else "REC-other")],
        )
        store.save_ticket(ticket)


def _postgres_store(url: str) -> PostgresStorage:
    """A PostgreSQL store whose documents are kept uncompressed (so a byte search sees them)."""
    migrate(url)
    with psycopg.connect(url, autocommit=True) as connection:
        for table in ("callcore_customers", "callcore_interactions", "callcore_tickets"):
            connection.execute(f"ALTER TABLE {table} ALTER COLUMN document SET STORAGE EXTERNAL")
    return PostgresStorage(url, pool_size=2)


@pytest.fixture(params=["memory", "sqlite", "postgres"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Storage]:
    """A filled store of each kind (PostgreSQL: in a new schema of the session's server)."""
    made: Storage
    if request.param == "memory":
        made = MemoryStorage()
    elif request.param == "sqlite":
        made = SQLiteStorage(tmp_path / "cc.db")
    else:
        if psycopg is None:
            pytest.skip("psycopg is not installed (extra 'postgres')")
        made = _postgres_store(request.getfixturevalue("postgres_url"))
    _fill(made)
    yield made
    made.close()


def _files(store: Storage) -> bytes | None:
    """Every byte of the store's files; ``None`` when this test cannot read them.

    Nothing for the in-memory store. For PostgreSQL the tables are rewritten
    first (``VACUUM FULL``: a plain ``VACUUM`` leaves reclaimed bytes in the
    pages), then a ``CHECKPOINT`` writes every page to its file.
    """
    if isinstance(store, SQLiteStorage):
        path = Path(store.path)
        return b"".join(
            candidate.read_bytes()
            for candidate in (path, Path(f"{path}-wal"), Path(f"{path}-shm"))
            if candidate.exists()
        )
    if isinstance(store, PostgresStorage):
        store.rewrite_customer_tables()
        return _table_files(store.url)
    return b""


# The relations of the test's schema, with their TOAST tables and TOAST indexes.
_RELATIONS = """
SELECT pg_relation_filepath(c.oid) FROM pg_class AS c
WHERE c.relnamespace = current_schema()::regnamespace
   OR c.oid IN (SELECT t.reltoastrelid FROM pg_class AS t
                WHERE t.relnamespace = current_schema()::regnamespace)
   OR c.oid IN (SELECT i.indexrelid FROM pg_index AS i JOIN pg_class AS t
                ON i.indrelid = t.reltoastrelid
                WHERE t.relnamespace = current_schema()::regnamespace)
"""


def _table_files(url: str) -> bytes | None:
    """The files of the schema's tables on a server whose data directory is readable here."""
    try:
        with psycopg.connect(url, autocommit=True) as connection:
            connection.execute("CHECKPOINT")
            (data,) = connection.execute("SHOW data_directory").fetchone() or ("",)
            paths = [row[0] for row in connection.execute(_RELATIONS) if row[0] is not None]
    except psycopg.errors.InsufficientPrivilege:
        return None  # not a superuser: neither CHECKPOINT nor the data directory
    if not paths or not os.access(Path(data, paths[0]), os.R_OK):
        return None  # a server elsewhere, or its files are another user's
    found = b""
    for relative in paths:
        path = Path(data, relative)
        segments = re.compile(rf"{re.escape(path.name)}(\.\d+|_fsm|_vm|_init)?")
        for candidate in path.parent.iterdir():
            if segments.fullmatch(candidate.name):
                found += candidate.read_bytes()
    return found


def _readable_files(store: Storage) -> bytes:
    """The store's files, or skip what is left of the test when they cannot be read."""
    files = _files(store)
    if files is None:
        pytest.skip("cannot read the PostgreSQL server's data directory from this test")
    return files


_VACUUMED = (
    "callcore_customer_identities",
    "callcore_customers",
    "callcore_interactions",
    "callcore_tickets",
)
"""The tables an erasure touches (written out here, not taken from the store's code)."""


def _vacuum_counts(store: PostgresStorage) -> dict[str, int]:
    """How many times each of the schema's tables was vacuumed by a command."""
    with psycopg.connect(store.url, autocommit=True) as connection:
        rows = connection.execute(
            "SELECT relname, vacuum_count FROM pg_stat_user_tables "
            "WHERE schemaname = current_schema() AND relname = ANY(%s)",
            (list(_VACUUMED),),
        ).fetchall()
    return {str(name): int(count) for name, count in rows}


def test_export_holds_everything_about_the_customer(store: Storage) -> None:
    """The JSON has the customer, identities, all interactions, tickets and recordings."""
    trail = AuditTrail()
    export = export_customer(store, "c1", by=MANAGER, gate=Gate(audit=trail), now=START)
    document = json.loads(export.to_json())
    assert document["format"] == EXPORT_FORMAT
    assert document["customer"]["name"] == SECRETS["name"]
    assert sorted(document["identities"]) == sorted([SECRETS["phone"], SECRETS["email"]])
    assert [i["id"] for i in document["interactions"]] == ["i0", "i1"]  # oldest first
    assert [t["id"] for t in document["tickets"]] == ["T-0", "T-1"]
    assert document["recordings"] == [
        {"ticket": "T-0", "reference": SECRETS["recording"]},
        {"ticket": "T-1", "reference": SECRETS["recording"]},
    ]
    text = export.to_json()
    for key in ("name", "phone", "email", "attribute", "notes", "subject", "reply", "recording"):
        assert SECRETS[key] in text, key
    assert OTHER["name"] not in text
    assert OTHER["notes"] not in text
    (event,) = trail.events
    assert (event.permission, event.target, event.allowed) == (
        "customers.export",
        "customer:c1",
        True,
    )


def test_a_supervisor_may_not_export_and_learns_nothing(store: Storage) -> None:
    """Refused before the store is read: the same error whether the customer exists or not."""
    trail = AuditTrail()
    gate = Gate(audit=trail)
    for customer in ("c1", "nobody"):
        with pytest.raises(AccessDeniedError) as info:
            export_customer(store, customer, by=SUPERVISOR, gate=gate, now=START)
        assert (info.value.actor, info.value.permission) == ("sam", "customers.export")
        assert info.value.target == f"customer:{customer}"
    assert [event.allowed for event in trail.events] == [False, False]


def test_an_unknown_customer_is_not_found(store: Storage) -> None:
    """Export and erase of a customer the store lacks raise NotFoundError."""
    with pytest.raises(NotFoundError):
        export_customer(store, "nobody", by=MANAGER, gate=Gate(), now=START)
    with pytest.raises(NotFoundError):
        erase_customer(store, "nobody", by=MANAGER, gate=Gate(), now=START)


def test_a_refused_erasure_changes_nothing(store: Storage) -> None:
    """A supervisor's erasure is refused, audited, and the store holds what it held."""
    before = export_customer(store, "c1", by=MANAGER, gate=Gate(), now=START).to_json()
    trail = AuditTrail()
    with pytest.raises(AccessDeniedError, match=r"customers\.erase"):
        erase_customer(store, "c1", by=SUPERVISOR, gate=Gate(audit=trail), now=START)
    with pytest.raises(AccessDeniedError, match="not an authenticated Principal"):
        erase_customer(store, "c1", by="meg", gate=Gate(audit=trail), now=START)  # type: ignore[arg-type]
    with pytest.raises(InvalidInputError, match="anonymise"):
        erase_customer(store, "c1", by=MANAGER, gate=Gate(audit=trail), now=START, anonymise=1)  # type: ignore[arg-type]
    assert export_customer(store, "c1", by=MANAGER, gate=Gate(), now=START).to_json() == before
    assert [event.allowed for event in trail.events] == [False, False]


def test_erasure_removes_everything_and_leaves_no_copy_in_the_files(store: Storage) -> None:
    """Customer, identities, interactions and tickets go; the files no longer hold the values."""
    other_before = export_customer(store, "c2", by=MANAGER, gate=Gate(), now=START).to_json()
    files = _files(store)
    if files:  # the search finds what is there (an old version's name may be gone already)
        for key, value in SECRETS.items():
            assert key == "old_name" or value.encode() in files, key
    erasure = erase_customer(store, "c1", by=MANAGER, gate=Gate(), now=START)
    assert (erasure.identities, erasure.interactions, erasure.tickets) == (2, 2, 2)
    on_postgres = isinstance(store, PostgresStorage)
    # PostgreSQL cannot make sure: VACUUM leaves the reclaimed bytes in the pages
    assert erasure.files_clean is not on_postgres
    assert not erasure.anonymised
    assert store.get_customer("c1") is None
    assert store.find_customer(Identity.phone(SECRETS["phone"])) is None
    assert store.find_customer(Identity.email(SECRETS["email"])) is None
    assert store.customer_interactions("c1") == []
    assert store.customer_tickets("c1") == []
    assert store.get_ticket("T-0") is None
    assert store.recent_interactions("c1", 10) == []
    other_after = export_customer(store, "c2", by=MANAGER, gate=Gate(), now=START).to_json()
    assert other_after == other_before
    # the identity is free again
    store.add_customer(
        Customer(id="c9", created_at=START, identities=(Identity.phone(SECRETS["phone"]),))
    )
    files = _readable_files(store)
    for key, value in SECRETS.items():
        if key != "phone":  # c9 holds the phone number now
            assert value.encode() not in files, key
    if not isinstance(store, MemoryStorage):
        assert OTHER["name"].encode() in files
        assert OTHER["notes"].encode() in files


def test_anonymising_keeps_the_facts_and_drops_the_person(store: Storage) -> None:
    """A tombstone customer and note-less interactions stay; nothing personal remains."""
    stored = store.get_customer("c1")
    assert stored is not None
    erasure = erase_customer(store, "c1", by=MANAGER, gate=Gate(), now=START, anonymise=True)
    assert (erasure.anonymised, erasure.interactions, erasure.tickets) == (True, 2, 2)
    tombstone = store.get_customer("c1")
    assert tombstone is not None
    assert (tombstone.name, tombstone.identities, dict(tombstone.attributes)) == (None, (), {})
    assert tombstone.version == stored.version + 1
    kept = store.customer_interactions("c1")
    assert [(i.id, i.outcome, i.agent, i.duration, i.notes) for i in kept] == [
        ("i0", ContactOutcome.ANSWERED, "ana", timedelta(minutes=3), ""),
        ("i1", ContactOutcome.ANSWERED, "ana", timedelta(minutes=3), ""),
    ]
    assert store.customer_tickets("c1") == []
    with pytest.raises(ConflictError, match="version"):  # a stale copy cannot bring the name back
        store.save_customer(stored)
    assert store.get_customer("c1") == tombstone
    files = _readable_files(store)
    for key, value in SECRETS.items():
        assert value.encode() not in files, key
    if not isinstance(store, MemoryStorage):
        assert OTHER["notes"].encode() in files


@pytest.mark.parametrize("anonymise", [False, True])
def test_postgres_erasure_vacuums_the_tables_it_touched(
    postgres_url: str, *, anonymise: bool
) -> None:
    """One VACUUM of each customer table per erasure, after its transaction (never in one)."""
    if psycopg is None:
        pytest.skip("psycopg is not installed (extra 'postgres')")
    store = _postgres_store(postgres_url)
    try:
        _fill(store)
        tables = dict.fromkeys(_VACUUMED, 0)
        assert _vacuum_counts(store) == tables
        store.erase_customer("c1", anonymise=anonymise)
        assert _vacuum_counts(store) == dict.fromkeys(tables, 1)
        with pytest.raises(NotFoundError):  # nothing to erase: no vacuum either
            store.erase_customer("nobody")
        assert _vacuum_counts(store) == dict.fromkeys(tables, 1)
    finally:
        store.close()


def _statistics(url: str) -> str:
    """The planner's statistics of the schema's tables (what pg_stats shows), as text."""
    with psycopg.connect(url, autocommit=True) as connection:
        rows = connection.execute(
            "SELECT most_common_vals::text, histogram_bounds::text FROM pg_stats "
            "WHERE schemaname = current_schema()"
        ).fetchall()
    return repr(rows)


def test_postgres_erasure_takes_the_statistics_again(postgres_url: str) -> None:
    """ANALYZE samples whole rows into pg_stats; the erasure's ANALYZE drops the erased ones.

    A third customer keeps a row in every table: ANALYZE of a table left
    empty keeps its old statistics (see the deployment guide).
    """
    if psycopg is None:
        pytest.skip("psycopg is not installed (extra 'postgres')")
    store = _postgres_store(postgres_url)
    with store:
        _fill(store)
        store.add_customer(
            Customer(id="c3", created_at=START, identities=(Identity.phone("+40799000111"),))
        )
        with psycopg.connect(postgres_url, autocommit=True) as connection:
            connection.execute("ANALYZE")  # as autovacuum would, some time before
        before = _statistics(postgres_url)
        for key in ("name", "phone", "email", "notes"):  # the statistics hold them
            assert SECRETS[key] in before, key
        store.erase_customer("c1", anonymise=True)
        after = _statistics(postgres_url)
        for key, value in SECRETS.items():
            assert value not in after, key
        assert "+40799000111" in after


def _as_role(url: str, role: str) -> str:
    """The URL with another user (the test servers trust local users)."""
    parts = urlsplit(url)
    host = parts.netloc.rpartition("@")[2]
    return urlunsplit(parts._replace(netloc=f"{role}@{host}"))


def test_postgres_erasure_by_a_user_who_does_not_own_the_tables(
    postgres_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    """PostgreSQL skips the VACUUM with a warning: the erasure stands, the warning is logged.

    Rewriting the tables, which only their owner may do, raises instead.
    """
    if psycopg is None:
        pytest.skip("psycopg is not installed (extra 'postgres')")
    owner = _postgres_store(postgres_url)
    _fill(owner)
    owner.close()
    role = f"callcore_clerk_{os.getpid()}"
    with psycopg.connect(postgres_url, autocommit=True) as connection:
        (schema,) = connection.execute("SELECT current_schema()").fetchone() or ("",)
        connection.execute(f"CREATE ROLE {role} LOGIN")
        connection.execute(f"GRANT USAGE ON SCHEMA {schema} TO {role}")
        connection.execute(
            f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA {schema} TO {role}"
        )
    try:
        try:
            clerk = PostgresStorage(_as_role(postgres_url, role), pool_size=1)
        except StorageError as exc:  # a server of the caller's that does not trust the role
            pytest.skip(f"cannot log in as a second user: {exc}")
        with clerk, caplog.at_level(logging.WARNING, logger="callcore.storage.postgres"):
            erasure = clerk.erase_customer("c1")
            assert (erasure.interactions, erasure.tickets, erasure.files_clean) == (2, 2, False)
            assert clerk.get_customer("c1") is None
            skipped = [r.getMessage() for r in caplog.records if "VACUUM" in r.getMessage()]
            assert len(skipped) == len(_VACUUMED)
            for table in _VACUUMED:
                assert any(table in message for message in skipped), table
            with pytest.raises(StorageError, match="VACUUM FULL skipped tables"):
                clerk.rewrite_customer_tables()
    finally:
        with psycopg.connect(postgres_url, autocommit=True) as connection:
            connection.execute(f"DROP OWNED BY {role}")
            connection.execute(f"DROP ROLE {role}")


def test_a_failed_vacuum_does_not_hide_a_committed_erasure(
    postgres_url: str, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    """The erasure is committed before the VACUUM: its failure is logged, the Erasure returned."""
    if psycopg is None:
        pytest.skip("psycopg is not installed (extra 'postgres')")
    store = _postgres_store(postgres_url)
    with store:
        _fill(store)

        def broken(command: str) -> list[str]:
            raise StorageError(f"{command}: the connection broke")

        monkeypatch.setattr(store, "_vacuum", broken)
        with caplog.at_level(logging.WARNING, logger="callcore.storage.postgres"):
            erasure = store.erase_customer("c1")
        assert (erasure.identities, erasure.files_clean) == (2, False)
        assert store.get_customer("c1") is None
        (record,) = caplog.records
        assert "VACUUM after erasing a customer failed" in record.getMessage()


def test_postgres_erasure_is_one_transaction(
    postgres_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A failure after the tickets and identities were deleted rolls every change back."""
    if psycopg is None:
        pytest.skip("psycopg is not installed (extra 'postgres')")
    store = _postgres_store(postgres_url)
    with store:
        _fill(store)
        before = export_customer(store, "c1", by=MANAGER, gate=Gate(), now=START).to_json()
        real = store._anonymise_interactions  # the step to break

        def half_done(cursor: psycopg.Cursor[object], customer_id: str) -> int:
            real(cursor, customer_id)
            raise StorageError("the connection broke")

        monkeypatch.setattr(store, "_anonymise_interactions", half_done)
        with pytest.raises(StorageError, match="broke"):
            store.erase_customer("c1", anonymise=True)
        after = export_customer(store, "c1", by=MANAGER, gate=Gate(), now=START).to_json()
        assert after == before
        assert store.find_customer(Identity.phone(SECRETS["phone"])) is not None
