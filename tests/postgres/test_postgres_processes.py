"""Four processes racing on shared customers and tickets: nothing lost, nothing doubled."""

from __future__ import annotations

import multiprocessing
from datetime import datetime, timezone
from typing import TYPE_CHECKING

import attrs
import psycopg

from callcore.contacts import Channel
from callcore.customers import CallerIdentifier, Customer, Identity
from callcore.errors import ConflictError
from callcore.storage.postgres import PostgresStorage, migrate
from callcore.tickets import Ticket

if TYPE_CHECKING:
    from collections.abc import Mapping
    from multiprocessing.synchronize import Barrier

PROCESSES = 4
UPDATES = 1_000  # per process: half to customers, half to tickets
CALLERS = ("+44 20 7946 0018", "+44 20 7946 0019", "+44 20 7946 0020")
TICKETS = ("T-1", "T-2")
NOW = datetime(2026, 3, 2, 9, 30, tzinfo=timezone.utc)


def _count(attributes: Mapping[str, object], key: str) -> int:
    value = attributes.get(key, 0)
    assert isinstance(value, int)
    return value


def add_one(customer: Customer) -> Customer:
    """Increment the 'counter' attribute."""
    counter = _count(customer.attributes, "counter")
    return attrs.evolve(customer, attributes={**customer.attributes, "counter": counter + 1})


def bump_ticket(store: PostgresStorage, ticket_id: str, name: str) -> int:
    """Add one to the ticket's counter field, rereading on a conflict; return the retries."""
    retries = 0
    while True:
        ticket = store.get_ticket(ticket_id)
        assert ticket is not None
        ticket.fields["counter"] = _count(ticket.fields, "counter") + 1
        ticket.fields[name] = _count(ticket.fields, name) + 1
        try:
            store.save_ticket(ticket)
        except ConflictError:
            retries += 1
        else:
            return retries


def worker(url: str, name: str, barrier: Barrier, retries: multiprocessing.Queue[int]) -> None:
    """Identify the callers and bump counters, UPDATES times in all."""
    serial = iter(range(10**6))
    store = PostgresStorage(url, pool_size=1)
    identifier = CallerIdentifier(
        store, default_country_code="44", id_factory=lambda: f"{name}-{next(serial)}"
    )
    lost_races = 0
    barrier.wait()  # start together, so that the first identifications race
    for index in range(UPDATES):
        if index % 2 == 0:
            caller = CALLERS[(index // 2) % len(CALLERS)]
            customer = identifier.identify(caller, now=NOW).customer
            identifier.update_customer(customer.id, add_one, attempts=10_000, now=NOW)
        else:
            lost_races += bump_ticket(store, TICKETS[(index // 2) % len(TICKETS)], name)
    store.close()
    retries.put(lost_races)


def test_four_processes_lose_no_update_and_duplicate_no_customer(postgres_url: str) -> None:
    """After 4 x 1,000 racing updates every increment is there and each caller is one customer."""
    migrate(postgres_url)
    with PostgresStorage(postgres_url) as store:
        for ticket_id in TICKETS:
            store.add_ticket(
                Ticket(
                    id=ticket_id,
                    subject="shared",
                    customer="c",
                    channel=Channel.EMAIL,
                    workflow="w",
                    state="new",
                    created_at=NOW,
                )
            )
    context = multiprocessing.get_context("spawn")
    barrier = context.Barrier(PROCESSES)
    retries: multiprocessing.Queue[int] = context.Queue()
    names = [f"host{number}" for number in range(PROCESSES)]
    processes = [
        context.Process(target=worker, args=(postgres_url, name, barrier, retries))
        for name in names
    ]
    for process in processes:
        process.start()
    for process in processes:
        process.join(timeout=300)
    assert [process.exitcode for process in processes] == [0] * PROCESSES
    lost_races = sum(retries.get(timeout=5) for _ in processes)

    with psycopg.connect(postgres_url) as connection:
        (customers,) = connection.execute("SELECT count(*) FROM callcore_customers").fetchone() or (
            0,
        )
    assert customers == len(CALLERS)
    per_process = UPDATES // 2
    with PostgresStorage(postgres_url) as store:
        counters = []
        for caller in CALLERS:
            customer = store.find_customer(Identity.phone(caller, "44"))
            assert customer is not None
            counters.append(_count(customer.attributes, "counter"))
            assert customer.version == counters[-1] + 1
        assert sum(counters) == PROCESSES * per_process
        tickets = [store.get_ticket(ticket_id) for ticket_id in TICKETS]
    assert all(ticket is not None for ticket in tickets)
    assert sum(_count(t.fields, "counter") for t in tickets if t) == PROCESSES * per_process
    for name in names:
        assert sum(_count(t.fields, name) for t in tickets if t) == per_process
    for ticket in tickets:
        assert ticket is not None
        assert ticket.version == _count(ticket.fields, "counter") + 1
    assert lost_races > 0  # the updates did race (else this test proves nothing)
