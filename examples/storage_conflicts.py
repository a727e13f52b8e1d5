"""Two agents edit the same customer: optimistic concurrency in the SQLite store.

Each agent's desktop has its own connection to the same file. Both open Ana's
record; the first saves; the second's save, based on what it read before, is
refused with a ConflictError instead of silently overwriting the first. Then
the same edits go through update_customer, which rereads and retries, so
neither is lost. Last, the store refuses a file that belongs to another
application. Run it with::

    python examples/storage_conflicts.py
"""

from __future__ import annotations

import sqlite3
import tempfile
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING

import attrs

from callcore.customers import CallerIdentifier, Customer
from callcore.errors import ConflictError, NotFoundError, StorageError
from callcore.storage import SQLiteStorage

if TYPE_CHECKING:
    from collections.abc import Callable

NOW = datetime(2026, 3, 2, 9, 30, tzinfo=timezone.utc)


def with_tag(tag: str) -> Callable[[Customer], Customer]:
    """A change that adds ``tag`` to the customer's tags."""

    def change(customer: Customer) -> Customer:
        tags = customer.attributes.get("tags")
        tags = tags if isinstance(tags, list) else []
        return attrs.evolve(customer, attributes={**customer.attributes, "tags": [*tags, tag]})

    return change


def read(store: SQLiteStorage, customer_id: str) -> Customer:
    """Read a customer that must exist."""
    customer = store.get_customer(customer_id)
    if customer is None:
        raise NotFoundError("customer", customer_id)
    return customer


def main() -> None:
    """Show a refused stale write, a retried update, and a refused foreign file."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "callcore.db"
        ioana_desk, mark_desk = SQLiteStorage(path), SQLiteStorage(path)
        ioana = CallerIdentifier(ioana_desk, default_country_code="44", id_factory=lambda: "C0001")
        mark = CallerIdentifier(mark_desk, default_country_code="44")
        ana_id = ioana.identify("020 7946 0018", now=NOW).customer.id

        seen_by_ioana = read(ioana_desk, ana_id)
        seen_by_mark = read(mark_desk, ana_id)
        print(f"Both agents open the record at version {seen_by_ioana.version}.")
        saved = ioana_desk.save_customer(attrs.evolve(seen_by_ioana, name="Ana Popescu"))
        print(f"Ioana sets the name and saves: version {saved.version}.")
        try:
            mark_desk.save_customer(attrs.evolve(seen_by_mark, language="ro"))
        except ConflictError as conflict:
            print(f"Mark's save is refused: {conflict}")

        ioana.update_customer(ana_id, with_tag("billing"), now=NOW)
        final = mark.update_customer(ana_id, with_tag("vip-candidate"), now=NOW).customer
        print(
            f"With update_customer both tags stay: {final.attributes['tags']} "
            f"(name {final.name!r}, version {final.version})."
        )
        ioana_desk.close()
        mark_desk.close()

        other = Path(folder) / "shop.db"
        connection = sqlite3.connect(other)
        connection.execute("CREATE TABLE orders (id INTEGER PRIMARY KEY)")
        connection.commit()
        connection.close()
        try:
            SQLiteStorage(other)
        except StorageError as error:
            print(f"Opening another application's database: {str(error).replace(folder, '...')}")


if __name__ == "__main__":
    main()
