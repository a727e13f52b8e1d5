"""Two processes writing one SQLite file at once: no lost update, no duplicate customer."""

from __future__ import annotations

import multiprocessing
import sqlite3
from datetime import datetime, timezone
from typing import TYPE_CHECKING

import attrs

from callcore.customers import CallerIdentifier, Customer, Identity
from callcore.storage import SQLiteStorage

if TYPE_CHECKING:
    from multiprocessing.synchronize import Barrier
    from pathlib import Path

CALLER = "+44 20 7946 0018"
ROUNDS = 40
NOW = datetime(2026, 3, 2, 9, 30, tzinfo=timezone.utc)


def add_one(customer: Customer) -> Customer:
    """Increment the 'counter' attribute."""
    counter = customer.attributes.get("counter", 0)
    assert isinstance(counter, int)
    return attrs.evolve(customer, attributes={**customer.attributes, "counter": counter + 1})


def worker(path: str, name: str, barrier: Barrier) -> None:
    """Identify the caller and increment its counter, ROUNDS times each."""
    serial = iter(range(10**6))
    store = SQLiteStorage(path)
    identifier = CallerIdentifier(
        store, default_country_code="44", id_factory=lambda: f"{name}-{next(serial)}"
    )
    barrier.wait()  # start together, so that the first identify races
    for _ in range(ROUNDS):
        customer = identifier.identify(CALLER, now=NOW).customer
        identifier.update_customer(customer.id, add_one, attempts=10_000, now=NOW)
    store.close()


def test_two_processes_lose_no_update_and_duplicate_no_customer(tmp_path: Path) -> None:
    """After two processes race on one new caller, one customer holds every increment."""
    path = str(tmp_path / "shared.db")
    SQLiteStorage(path).close()  # create the schema before the race
    context = multiprocessing.get_context("spawn")
    barrier = context.Barrier(2)
    processes = [
        context.Process(target=worker, args=(path, name, barrier)) for name in ("left", "right")
    ]
    for process in processes:
        process.start()
    for process in processes:
        process.join(timeout=60)
    assert [process.exitcode for process in processes] == [0, 0]

    connection = sqlite3.connect(path)
    try:
        (count,) = connection.execute("SELECT count(*) FROM customers").fetchone()
    finally:
        connection.close()
    assert count == 1
    with SQLiteStorage(path) as store:
        customer = store.find_customer(Identity.phone(CALLER, "44"))
    assert customer is not None
    assert customer.attributes["counter"] == 2 * ROUNDS
    assert customer.version == 2 * ROUNDS + 1
