"""A customer's data on request: export and erasure on both built-in stores.

The erased values are looked for, byte by byte, in the SQLite database files
afterwards (the file, its write-ahead log and shared-memory file); another
customer's values, stored the same way, must still be found there, so the
search itself is shown to work.
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import TYPE_CHECKING

import attrs
import pytest

from callcore.access import AccessDeniedError, AuditTrail, Gate
from callcore.contacts import Channel, ContactOutcome, Direction
from callcore.customers import Customer, Identity, Interaction
from callcore.errors import InvalidInputError, NotFoundError
from callcore.privacy import EXPORT_FORMAT, erase_customer, export_customer
from callcore.storage import MemoryStorage, SQLiteStorage
from callcore.tickets import Actor, Link, TicketEngine

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


@pytest.fixture(params=["memory", "sqlite"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Storage]:
    """A filled store of each built-in kind."""
    made: Storage = (
        MemoryStorage() if request.param == "memory" else SQLiteStorage(tmp_path / "cc.db")
    )
    _fill(made)
    yield made
    made.close()


def _files(store: Storage) -> bytes:
    """Every byte of the store's files (nothing for the in-memory store)."""
    if not isinstance(store, SQLiteStorage):
        return b""
    path = Path(store.path)
    return b"".join(
        candidate.read_bytes()
        for candidate in (path, Path(f"{path}-wal"), Path(f"{path}-shm"))
        if candidate.exists()
    )


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
    if isinstance(store, SQLiteStorage):  # the search finds what is there
        assert SECRETS["notes"].encode() in _files(store)
    erasure = erase_customer(store, "c1", by=MANAGER, gate=Gate(), now=START)
    assert (erasure.identities, erasure.interactions, erasure.tickets) == (2, 2, 2)
    assert erasure.files_clean
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
    files = _files(store)
    for key, value in SECRETS.items():
        assert value.encode() not in files, key
    if isinstance(store, SQLiteStorage):
        assert OTHER["name"].encode() in files
        assert OTHER["notes"].encode() in files
    # the identity is free again, and an erased interaction's id may be used again
    store.add_customer(
        Customer(id="c9", created_at=START, identities=(Identity.phone(SECRETS["phone"]),))
    )


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
    files = _files(store)
    for key, value in SECRETS.items():
        assert value.encode() not in files, key
    with pytest.raises(Exception, match="version"):  # a stale copy cannot bring the name back
        store.save_customer(stored)
