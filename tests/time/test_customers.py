"""Customer histories order interactions by instant.

``CallerIdentifier`` keeps a ``now`` given in a zone as is (the zone is kept
in the stored interaction); every store orders a history by instant, so two
times of one zone in a repeated hour come back in the order they happened.
"""

from __future__ import annotations

from datetime import datetime

from callcore.contacts import Channel, ContactOutcome, Direction
from callcore.customers import CallerIdentifier, Identity
from callcore.storage.memory import MemoryStorage
from callcore.storage.sqlite import SQLiteStorage
from tests.time.instants import BUCHAREST

FIRST = datetime(2026, 10, 25, 3, 50, tzinfo=BUCHAREST)  # 00:50 UTC
SECOND = datetime(2026, 10, 25, 3, 10, fold=1, tzinfo=BUCHAREST)  # 01:10 UTC, the repeated hour


def _history(store: MemoryStorage | SQLiteStorage) -> list[str]:
    identifier = CallerIdentifier(store, default_country_code="40")
    customer = identifier.identify(Identity.phone("0721234567", "40"), now=FIRST).customer
    for now, notes in ((FIRST, "first"), (SECOND, "second")):
        identifier.record_interaction(
            customer.id, channel=Channel.VOICE, direction=Direction.INBOUND,
            outcome=ContactOutcome.ANSWERED, now=now, notes=notes,
        )  # fmt: skip
    return [interaction.notes for interaction in store.recent_interactions(customer.id, 5)]


def test_sqlite_lists_the_later_instant_first() -> None:
    """01:10 UTC (03:10 EET, second pass) is more recent than 00:50 UTC (03:50 EEST)."""
    assert _history(SQLiteStorage(":memory:")) == ["second", "first"]


def test_the_memory_store_lists_the_later_instant_first() -> None:
    """The same history in memory: ordered by instant, as in SQLite."""
    assert _history(MemoryStorage()) == ["second", "first"]
