"""Benchmark the PostgreSQL store and the shared router, with 4 processes.

Figures measured in one run on one server, so the ratio travels between machines:

- ticket updates per second: 4 processes each saving its own ticket over and
  over through :meth:`PostgresStorage.save_ticket` (check, copy, JSON, one
  versioned ``UPDATE`` on a pooled autocommit connection), against 4 processes
  doing the same versioned ``UPDATE`` with raw psycopg on an autocommit
  connection (its JSON made once, up front),
  rounds interleaved, the best round of each kept (goal: at least 0.5x);
- the latency of a forwarded router command: an owner host in another process,
  a sender here doing enqueue then abandon; median and p99 of each round trip.

The server is ``CALLCORE_TEST_POSTGRES_URL`` if set, else a throw-away one
started as the tests start theirs (the ``pgserver`` package, or initdb/pg_ctl).

Run: python benchmarks/postgres.py [--quick]
"""

from __future__ import annotations

import argparse
import multiprocessing
import statistics
import sys
import time
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING

import attrs
import psycopg

from callcore.contacts import Channel
from callcore.serialization import dumps
from callcore.storage.postgres import PostgresStorage, migrate
from callcore.storage.postgres_router import SharedRouter
from callcore.tickets import Ticket

if TYPE_CHECKING:
    from collections.abc import Callable
    from multiprocessing.synchronize import Barrier

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # the tests' throw-away server and router factory

from tests.postgres.routers import QUEUE, agent, build_router  # noqa: E402
from tests.postgres.server import postgres_server  # noqa: E402

PROCESSES = 4
NOW = datetime(2026, 3, 2, 9, 30, tzinfo=timezone.utc)
UPDATE = (
    "UPDATE callcore_tickets SET version = version + 1, state = %s, assignee = %s, "
    "created_us = %s, follow_up_us = %s, next_due_us = %s, document = %s "
    "WHERE id = %s AND version = %s"
)


def _ticket(ticket_id: str) -> Ticket:
    return Ticket(
        id=ticket_id,
        subject="Refund for order 4711",
        customer="ana",
        channel=Channel.EMAIL,
        workflow="support",
        state="open",
        created_at=NOW,
        tags=frozenset({"billing", "refund"}),
        fields={"order": "4711", "amount": 129.5},
    )


def through_store(url: str, name: str, count: int, barrier: Barrier) -> None:
    """Save one ticket ``count`` times through the store."""
    with PostgresStorage(url, pool_size=1) as store:
        ticket = store.get_ticket(name)
        assert ticket is not None
        barrier.wait()
        for _ in range(count):
            ticket = store.save_ticket(ticket)


def through_psycopg(url: str, name: str, count: int, barrier: Barrier) -> None:
    """Do the same versioned UPDATE ``count`` times with raw psycopg."""
    ticket = _ticket(name)
    document = dumps(ticket)
    with psycopg.connect(url, autocommit=True) as connection:  # as the store's pool
        row = connection.execute(
            "SELECT version FROM callcore_tickets WHERE id = %s", (name,)
        ).fetchone()
        assert row is not None
        version = int(row[0])
        barrier.wait()
        for _ in range(count):
            cursor = connection.execute(
                UPDATE, ("open", None, 0, None, None, document, name, version)
            )
            assert cursor.rowcount == 1
            version += 1
        # leave the stored document at the column's version, as the store keeps it
        final = dumps(attrs.evolve(ticket, version=version))
        connection.execute("UPDATE callcore_tickets SET document = %s WHERE id = %s", (final, name))


def updates_per_second(url: str, worker: Callable[..., None], count: int) -> float:
    """Run PROCESSES workers at once; return their updates per second in all."""
    context = multiprocessing.get_context("spawn")
    barrier = context.Barrier(PROCESSES + 1)
    processes = [
        context.Process(target=worker, args=(url, f"T-{number}", count, barrier))
        for number in range(PROCESSES)
    ]
    for process in processes:
        process.start()
    barrier.wait()
    started = time.perf_counter()
    for process in processes:
        process.join()
    elapsed = time.perf_counter() - started
    assert all(process.exitcode == 0 for process in processes)
    return PROCESSES * count / elapsed


def owner_host(url: str, ready: object, done: object) -> None:
    """Own the router until told to stop."""
    host = SharedRouter(url, "bench", factory=build_router, host_id="owner", lease_seconds=5)
    host.start()
    while not host.is_owner:
        time.sleep(0.01)
    ready.set()  # type: ignore[attr-defined]
    done.wait()  # type: ignore[attr-defined]
    host.stop()


def forwarded_latencies(url: str, count: int) -> list[float]:
    """Round trips (seconds) of forwarded commands, sent from this process."""
    context = multiprocessing.get_context("spawn")
    ready, done = context.Event(), context.Event()
    owner = context.Process(target=owner_host, args=(url, ready, done))
    owner.start()
    ready.wait()
    sender = SharedRouter(url, "bench", factory=build_router, host_id="sender")
    sender.log_in(agent("a1"), now=datetime.now(timezone.utc))
    sender.log_out("a1", now=datetime.now(timezone.utc))  # contacts wait: no offers
    latencies = []
    try:
        for number in range(count):
            for command in ("enqueue", "abandon"):
                started = time.perf_counter()
                if command == "enqueue":
                    sender.enqueue(f"c{number}", QUEUE, now=datetime.now(timezone.utc))
                else:
                    sender.abandon(f"c{number}", now=datetime.now(timezone.utc))
                latencies.append(time.perf_counter() - started)
    finally:
        sender.stop()
        done.set()
        owner.join()
    return latencies


def main() -> None:
    """Run both benchmarks and print the figures."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true", help="fewer updates and rounds")
    arguments = parser.parse_args()
    count, rounds, commands = (300, 2, 200) if arguments.quick else (2_000, 5, 1_000)
    with postgres_server() as url:
        migrate(url)
        with PostgresStorage(url) as store:
            for number in range(PROCESSES):
                store.add_ticket(_ticket(f"T-{number}"))
        store_rates, raw_rates = [], []
        for _ in range(rounds):  # interleaved, so both see the same machine load
            store_rates.append(updates_per_second(url, through_store, count))
            raw_rates.append(updates_per_second(url, through_psycopg, count))
        best_store, best_raw = max(store_rates), max(raw_rates)
        print(f"ticket updates/s, {PROCESSES} processes x {count} (best of {rounds} rounds):")
        print(f"  store (save_ticket):          {best_store:10,.0f}/s")
        print(f"  raw psycopg versioned UPDATE: {best_raw:10,.0f}/s")
        print(f"  ratio store/raw:              {best_store / best_raw:10.2f}x (goal >= 0.5x)")
        latencies = sorted(forwarded_latencies(url, commands))
        p99 = latencies[min(len(latencies) - 1, round(0.99 * len(latencies)))]
        print(f"forwarded router command round trip ({len(latencies)} commands):")
        print(f"  median {statistics.median(latencies) * 1e3:7.2f} ms")
        print(f"  p99    {p99 * 1e3:7.2f} ms")


if __name__ == "__main__":
    main()
