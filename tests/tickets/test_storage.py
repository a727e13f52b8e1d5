"""Tickets in the built-in stores: migration of old SQLite files and equal behaviour."""

from __future__ import annotations

import sqlite3
from datetime import timedelta
from typing import TYPE_CHECKING

import pytest
from hypothesis import HealthCheck, given, settings

from callcore.contacts import Channel
from callcore.customers import Customer
from callcore.serialization import to_dict
from callcore.storage import MemoryStorage, SQLiteStorage, sqlite
from callcore.tickets import TicketEngine
from tests.tickets.strategies import AGENT, START, tickets

if TYPE_CHECKING:
    from pathlib import Path

    from callcore.tickets import Ticket


def test_a_version_one_file_gains_tickets_and_keeps_customers(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A file written before tickets existed migrates one step and keeps its data."""
    path = tmp_path / "old.db"
    with monkeypatch.context() as patch:
        patch.setattr(sqlite, "_MIGRATIONS", sqlite._MIGRATIONS[:1])
        patch.setattr(sqlite, "SCHEMA_VERSION", 1)
        with SQLiteStorage(path) as old:
            old.add_customer(Customer(id="ana", created_at=START))
    with sqlite3.connect(path) as connection:
        assert connection.execute("SELECT version FROM schema_version").fetchall() == [(1,)]
    with SQLiteStorage(path) as store:
        customer = store.get_customer("ana")
        assert customer is not None
        assert customer.version == 1
        engine = TicketEngine()
        ticket = engine.create(
            id="T-1", subject="s", channel=Channel.SMS, customer="ana", now=START
        ).ticket
        store.add_ticket(ticket)
        assert store.tickets_in_state("new")[0].id == "T-1"
    with sqlite3.connect(path) as connection:
        version = connection.execute("SELECT version FROM schema_version").fetchall()
    assert version == [(sqlite.SCHEMA_VERSION,)] == [(3,)]


@settings(suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(ticket=tickets())
def test_both_stores_keep_any_ticket_alike(ticket: Ticket) -> None:
    """Whatever the ticket, memory and SQLite store and return the same thing."""
    with MemoryStorage() as memory, SQLiteStorage(":memory:") as on_disk:
        assert to_dict(memory.add_ticket(ticket)) == to_dict(on_disk.add_ticket(ticket))
        from_memory, from_disk = memory.get_ticket(ticket.id), on_disk.get_ticket(ticket.id)
        assert from_memory is not None
        assert from_disk is not None
        assert from_memory == from_disk


def test_engine_and_store_together() -> None:
    """Read, change with the engine, save: the store sees the new state and due time."""
    engine = TicketEngine()
    with SQLiteStorage(":memory:") as store:
        created = engine.create(
            id="T-1", subject="s", channel=Channel.CHAT, customer="c", now=START,
            assignee=AGENT.id,
        ).ticket  # fmt: skip
        store.add_ticket(created)
        ticket = store.get_ticket("T-1")
        assert ticket is not None
        engine.apply(ticket, "resolve", by=AGENT, now=START, note="done")
        store.save_ticket(ticket)
        closing = START + timedelta(days=4)
        assert [t.id for t in store.tickets_due(now=closing)] == ["T-1"]
        due = store.tickets_due(now=closing)[0]
        engine.tick(due, now=closing)
        saved = store.save_ticket(due)
        assert (saved.state, saved.version) == ("closed", 3)
        assert store.tickets_due(now=closing + timedelta(days=365)) == []
