"""Benchmark caller identification and the built-in stores.

Each figure is a ratio against a baseline measured in the same run on the same
machine, so the numbers travel between machines:

- normalising a phone number, against stripping separators with str.translate,
  with the built-in rules and (when it is installed) with libphonenumber;
- identifying a known caller in memory, against a bare dict lookup, both ways;
- identifying a known caller in SQLite, against a raw sqlite3 indexed SELECT
  plus json.loads of the same document, both ways;
- identifying a new caller in SQLite (find, add, history), against a raw
  sqlite3 INSERT transaction (BEGIN IMMEDIATE, WAL, same durability);
- a read-modify-write through update_customer, against a raw
  SELECT-then-UPDATE transaction;
- reading the ten newest of 1,000 interactions, against the raw indexed query.

The other SQLite figures read numbers the default way: with libphonenumber
when the ``phonenumbers`` package is installed, with the built-in rules
otherwise.

Run: python benchmarks/storage.py [--quick]
"""

from __future__ import annotations

import argparse
import itertools
import json
import sqlite3
import sys
import tempfile
import timeit
from contextlib import contextmanager
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import TYPE_CHECKING

import attrs

from callcore.contacts import Channel, Direction
from callcore.customers import (
    CallerIdentifier,
    ContactOutcome,
    Customer,
    Interaction,
    _phone_library,
    normalize_phone,
)
from callcore.serialization import dumps
from callcore.storage import MemoryStorage, SQLiteStorage

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator

NOW = datetime(2026, 3, 2, 9, 30, tzinfo=timezone.utc)
SEPARATORS = str.maketrans("", "", " -.()/")


def per_call(function: Callable[[], object], number: int, repeat: int) -> float:
    """The best time of one call, in seconds, over ``repeat`` runs of ``number`` calls."""
    return min(timeit.repeat(function, number=number, repeat=repeat)) / number


def report(name: str, subject: float, baseline: float, baseline_name: str) -> None:
    """Print one figure as a ratio to its baseline."""
    print(
        f"{name:<44} {subject * 1e6:9.1f} us  = {subject / baseline:6.1f} x "
        f"{baseline_name} ({baseline * 1e6:.1f} us)"
    )


def phone_numbers(count: int) -> list[str]:
    """UK numbers in national form, with spaces."""
    return [f"020 79{n // 10000 % 100:02d} {n % 10000:04d}" for n in range(count)]


RULES = {"built-in": True, "phonenumbers": False}
"""The ways to read phone numbers: name -> whether phonenumbers is hidden."""


def installed_rules() -> list[str]:
    """The rule sets this machine can run: the built-in rules, and libphonenumber if installed."""
    return ["built-in"] if _phone_library() is None else ["built-in", "phonenumbers"]


@contextmanager
def phone_rules(name: str) -> Iterator[None]:
    """Read phone numbers with the built-in rules (phonenumbers hidden) or libphonenumber."""
    saved = sys.modules.get("phonenumbers")
    if RULES[name]:
        sys.modules["phonenumbers"] = None  # type: ignore[assignment]  # import fails
    _phone_library.cache_clear()
    try:
        yield
    finally:
        if saved is None:
            sys.modules.pop("phonenumbers", None)
        else:
            sys.modules["phonenumbers"] = saved
        _phone_library.cache_clear()


def bench_normalise(number: int, repeat: int, rules: str) -> None:
    """Phone normalisation against the simplest string clean-up."""
    raw = "+44 (0)20 7946 0018"
    with phone_rules(rules):
        subject = per_call(lambda: normalize_phone(raw, "44"), number, repeat)
    baseline = per_call(lambda: "+" + raw.translate(SEPARATORS), number, repeat)
    report(f"normalise a phone number ({rules})", subject, baseline, "str.translate")


def bench_memory_hit(number: int, repeat: int, customers: int, rules: str) -> None:
    """identify on a known caller in memory against a dict lookup."""
    store = MemoryStorage()
    identifier = CallerIdentifier(store, default_country_code="44")
    numbers = phone_numbers(customers)
    for raw in numbers:
        identifier.identify(raw, now=NOW)
    index = {normalize_phone(raw, "44"): raw for raw in numbers}
    cycle = itertools.cycle(numbers)
    with phone_rules(rules):
        subject = per_call(lambda: identifier.identify(next(cycle), now=NOW), number, repeat)
    keys = itertools.cycle(index)
    baseline = per_call(lambda: index[next(keys)], number, repeat)
    report(f"identify known caller (memory, {rules})", subject, baseline, "dict lookup")
    store.close()


def raw_database(path: Path) -> sqlite3.Connection:
    """A plain sqlite3 database with the same pragmas and one keyed table."""
    connection = sqlite3.connect(path, isolation_level=None)
    connection.execute("PRAGMA journal_mode = WAL")
    connection.execute(
        "CREATE TABLE customers (identity TEXT PRIMARY KEY, version INTEGER, document TEXT)"
    )
    return connection


def bench_sqlite(folder: Path, number: int, repeat: int, customers: int) -> None:
    """The SQLite store against raw sqlite3 doing the least the same job needs."""
    store = SQLiteStorage(folder / "bench.db")
    serial = itertools.count()
    identifier = CallerIdentifier(
        store, default_country_code="44", id_factory=lambda: f"c{next(serial)}"
    )
    raw = raw_database(folder / "raw.db")
    numbers = phone_numbers(customers)
    for text in numbers:
        customer = identifier.identify(text, now=NOW).customer
        raw.execute(
            "INSERT INTO customers VALUES (?, 1, ?)",
            (customer.identities[0].value, dumps(customer)),
        )

    cycle = itertools.cycle(numbers)
    keys = itertools.cycle([normalize_phone(text, "44") for text in numbers])

    def raw_hit() -> object:
        row = raw.execute(
            "SELECT document FROM customers WHERE identity = ?", (next(keys),)
        ).fetchone()
        return json.loads(row[0])

    for rules in installed_rules():
        with phone_rules(rules):
            hit = per_call(lambda: identifier.identify(next(cycle), now=NOW), number, repeat)
        baseline = per_call(raw_hit, number, repeat)
        report(f"identify known caller (SQLite, {rules})", hit, baseline, "raw SELECT")

    fresh = (f"+1212555{n:04d}" for n in itertools.count())
    writes = max(number // 10, 20)
    miss = per_call(lambda: identifier.identify(next(fresh), now=NOW), writes, repeat)
    raw_keys = (f"+1646555{n:04d}" for n in itertools.count())

    def raw_insert() -> None:
        raw.execute("BEGIN IMMEDIATE")
        raw.execute("INSERT INTO customers VALUES (?, 1, '{}')", (next(raw_keys),))
        raw.execute("COMMIT")

    report("identify new caller (SQLite)", miss, per_call(raw_insert, writes, repeat), "raw INSERT")

    target = identifier.identify(numbers[0], now=NOW).customer.id
    target_key = normalize_phone(numbers[0], "44")

    def rename(customer: Customer) -> Customer:
        return attrs.evolve(customer, name=f"n{customer.version}")

    update = per_call(lambda: identifier.update_customer(target, rename, now=NOW), writes, repeat)

    def raw_update() -> None:
        raw.execute("BEGIN IMMEDIATE")
        (version,) = raw.execute(
            "SELECT version FROM customers WHERE identity = ?", (target_key,)
        ).fetchone()
        raw.execute(
            "UPDATE customers SET version = ? WHERE identity = ? AND version = ?",
            (version + 1, target_key, version),
        )
        raw.execute("COMMIT")

    report("update_customer (SQLite)", update, per_call(raw_update, writes, repeat), "raw UPDATE")

    raw.execute("CREATE TABLE interactions (customer TEXT, at_us INTEGER, document TEXT)")
    raw.execute("CREATE INDEX by_customer ON interactions (customer, at_us)")
    for minute in range(1000):
        interaction = Interaction(
            id=f"i{minute}",
            customer_id=target,
            channel=Channel.VOICE,
            direction=Direction.INBOUND,
            at=NOW + timedelta(minutes=minute),
            outcome=ContactOutcome.ANSWERED,
            notes="Called about the invoice.",
        )
        store.add_interaction(interaction)
        raw.execute(
            "INSERT INTO interactions VALUES (?, ?, ?)", (target, minute, dumps(interaction))
        )
    history = per_call(lambda: store.recent_interactions(target, 10), number, repeat)

    def raw_history() -> object:
        rows = raw.execute(
            "SELECT document FROM interactions WHERE customer = ? ORDER BY at_us DESC LIMIT 10",
            (target,),
        ).fetchall()
        return [json.loads(row[0]) for row in rows]

    report(
        "10 newest of 1,000 interactions",
        history,
        per_call(raw_history, number, repeat),
        "raw query",
    )
    store.close()
    raw.close()


def main() -> None:
    """Run every figure."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a short smoke run")
    quick = parser.parse_args().quick
    number, repeat, customers = (200, 2, 200) if quick else (5000, 5, 5000)
    rules = installed_rules()
    print(f"callcore storage benchmark ({'quick' if quick else 'full'} run; SQLite: {rules[-1]})")
    for name in rules:
        bench_normalise(number * 4 if name == "built-in" else number, repeat, name)
    for name in rules:
        bench_memory_hit(number, repeat, customers, name)
    with tempfile.TemporaryDirectory() as folder:
        bench_sqlite(Path(folder), number, repeat, customers)


if __name__ == "__main__":
    main()
