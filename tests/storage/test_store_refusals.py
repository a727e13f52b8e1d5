"""Issue 10: a store refuses a malformed argument before it reads or writes anything.

Only CallcoreError leaves a store; a refused call leaves the store's content
byte-identical; and what a store accepts, it reads back.
"""

from __future__ import annotations

import json
import math
from datetime import datetime, timezone
from typing import TYPE_CHECKING

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

from callcore.contacts import Channel, Direction
from callcore.customers import (
    MAX_HISTORY,
    ContactOutcome,
    Customer,
    Identity,
    Interaction,
)
from callcore.errors import CallcoreError, InvalidInputError, StorageError
from callcore.plugins import make_plugin_manager, open_storage
from callcore.serialization import dumps, to_dict
from callcore.storage import MemoryStorage, SQLiteStorage
from callcore.tickets import Link, Priority, SurveyAnswer, Ticket, TicketEngine

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator
    from pathlib import Path

    from callcore.storage import Storage

NOW = datetime(2026, 3, 2, 9, 30, tzinfo=timezone.utc)
ANA = Identity.phone("+40721234567")
KINDS = ("memory", "sqlite")


def open_store(kind: str) -> Storage:
    """A new, empty store of ``kind``."""
    return MemoryStorage() if kind == "memory" else SQLiteStorage(":memory:")


@pytest.fixture(params=KINDS)
def store(request: pytest.FixtureRequest) -> Iterator[Storage]:
    """Each test runs against both built-in stores."""
    made = open_store(request.param)
    yield made
    made.close()


def engine_ticket(ticket_id: str = "T-1", **changes: object) -> Ticket:
    """A ticket as the engine makes it, then with ``changes`` set on it."""
    ticket = (
        TicketEngine()
        .create(id=ticket_id, subject="Router", channel=Channel.VOICE, customer="ana", now=NOW)
        .ticket
    )
    for name, value in changes.items():
        setattr(ticket, name, value)
    return ticket


def fill(store: Storage) -> None:
    """Give a store one customer, one interaction and one ticket."""
    store.add_customer(Customer(id="ana", created_at=NOW, identities=(ANA,)))
    store.add_interaction(
        Interaction(
            id="i1",
            customer_id="ana",
            channel=Channel.VOICE,
            direction=Direction.INBOUND,
            at=NOW,
            outcome=ContactOutcome.ANSWERED,
        )
    )
    store.add_ticket(engine_ticket())


def content(store: Storage) -> object:
    """Everything a store holds, as plain data, to compare before and after a call."""
    if isinstance(store, SQLiteStorage):
        tables = ("customers", "customer_identities", "interactions", "tickets", "schema_version")
        return {
            table: store._connection.execute(f"SELECT * FROM {table} ORDER BY 1").fetchall()  # noqa: S608
            for table in tables
        }
    assert isinstance(store, MemoryStorage)
    return {
        "customers": {key: dumps(value) for key, value in store._customers.items()},
        "owners": {str(key): value for key, value in store._owners.items()},
        "histories": {
            key: [(seq, dumps(item)) for _, seq, item in history]
            for key, history in store._histories.items()
        },
        "interaction_ids": sorted(store._interaction_ids),
        "sequence": store._sequence,
        "tickets": {key: dumps(value) for key, value in store._tickets.items()},
    }


# --- the examples of the issue -------------------------------------------------------------


@pytest.mark.parametrize("kind", KINDS)
def test_lone_surrogate_argument_is_refused(kind: str) -> None:
    """Issue 10, point 2: a lone surrogate raised UnicodeEncodeError in the SQLite store."""
    store = open_store(kind)
    calls: list[tuple[Callable[[], object], str]] = [
        (lambda: store.get_customer("\ud800"), "customer_id"),
        (lambda: store.recent_interactions("\ud800", 5), "customer_id"),
        (lambda: store.get_ticket("T-\ud800"), "ticket_id"),
        (lambda: store.tickets_in_state("\ud800"), "state"),
        (lambda: store.tickets_assigned_to("\udfff"), "assignee"),
    ]
    for call, field in calls:
        with pytest.raises(InvalidInputError) as raised:
            call()
        assert raised.value.field == field


def test_lone_surrogate_never_reaches_a_store() -> None:
    """A customer or interaction holding a lone surrogate cannot even be built."""
    with pytest.raises(InvalidInputError) as raised:
        Customer(id="c1", created_at=NOW, name="Ana \ud800")
    assert raised.value.field == "name"
    with pytest.raises(InvalidInputError) as raised:
        Customer(id="c1", created_at=NOW, attributes={"note": "\ud800"})
    assert raised.value.field == "attributes.note"


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("limit", [2**70, MAX_HISTORY + 1, -1, 1.5, True, "5", None])
def test_history_limit_is_bounded(kind: str, limit: object) -> None:
    """Issue 10, point 2: recent_interactions(id, 2**70) raised OverflowError."""
    store = open_store(kind)
    fill(store)
    with pytest.raises(InvalidInputError) as raised:
        store.recent_interactions("ana", limit)  # type: ignore[arg-type]
    assert raised.value.field == "limit"
    assert len(store.recent_interactions("ana", MAX_HISTORY)) == 1


def _survey_scored(score: object) -> SurveyAnswer:
    """A survey answer with a score its constructor refuses (a buggy host's object)."""
    answer = SurveyAnswer(score=3, at=NOW)
    object.__setattr__(answer, "score", score)  # frozen: bypass its check on purpose
    return answer


UNREADABLE = [
    ("customer_tier", 5),
    ("customer_tier", "Gold"),  # no tier name (callcore.contacts.check_tier)
    ("assignee", 5),
    ("survey", _survey_scored(3.5)),
    ("fields", {"sizes": [1, 2]}),
    ("fields", {"n": float("nan")}),
    ("fields", {"n": 10**5000}),
    ("tags", "vip"),
    ("subject", "Router \ud800"),
    ("priority", "high"),
    ("created_at", datetime(2026, 3, 2)),  # noqa: DTZ001 - naive on purpose
    ("next_due", datetime(9999, 12, 31, tzinfo=timezone.utc)),
    ("links", [Link("contact", "c-1")]),
    ("version", 2**70),
]


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize(("name", "value"), UNREADABLE)
def test_ticket_the_store_could_not_read_is_refused(kind: str, name: str, value: object) -> None:
    """Issue 10, point 3: a ticket the store could not read back is refused.

    A ticket with customer_tier=5, assignee=5, a CSAT of 3.5 or a list-valued
    custom field was stored and then broke tickets_in_state for every ticket.
    Now it is refused, naming the field, and nothing changes.
    """
    store = open_store(kind)
    fill(store)
    before = content(store)
    with pytest.raises(InvalidInputError) as raised:
        store.add_ticket(engine_ticket("T-2", **{name: value}))
    assert raised.value.field is not None
    assert raised.value.field.startswith(f"ticket.{name}")
    stored = store.get_ticket("T-1")
    assert stored is not None
    setattr(stored, name, value)
    with pytest.raises(InvalidInputError):
        store.save_ticket(stored)
    assert content(store) == before
    assert [ticket.id for ticket in store.tickets_in_state("new")] == ["T-1"]


def test_one_unreadable_row_is_named(tmp_path: Path) -> None:
    """A row the store cannot read (written behind its back) raises StorageError naming it."""
    store = SQLiteStorage(tmp_path / "callcore.db")
    fill(store)
    document = json.loads(dumps(engine_ticket("T-bad")))
    document["customer_tier"] = 5
    store._connection.execute(
        "INSERT INTO tickets (id, version, state, assignee, created_us, document) "
        "VALUES ('T-bad', 1, 'new', NULL, 0, ?)",
        (json.dumps(document),),
    )
    with pytest.raises(StorageError, match="T-bad") as raised:
        store.tickets_in_state("new")
    assert raised.value.location == str(tmp_path / "callcore.db")
    assert store.get_ticket("T-1") is not None  # the other rows still read
    store.close()


@pytest.mark.parametrize(
    ("path", "timeout"),
    [(5, 1.0), (b"x.db", 1.0), ("a\x00b", 1.0), (":memory:", -1), (":memory:", math.nan)],
)
def test_sqlite_store_checks_its_arguments(path: object, timeout: object) -> None:
    """A path that is not text, or a timeout that is not a sane number, is refused."""
    with pytest.raises(InvalidInputError):
        SQLiteStorage(path, timeout=timeout)  # type: ignore[arg-type]


@pytest.mark.parametrize("url", [5, None, b"memory:", "memory:\ud800"])
def test_open_storage_checks_the_url(url: object) -> None:
    """open_storage refuses a URL that is not text, naming it (not a plugin crash)."""
    manager = make_plugin_manager(load_entrypoints=False)
    with pytest.raises(InvalidInputError) as raised:
        open_storage(manager, url)  # type: ignore[arg-type]
    assert raised.value.field == "url"


# --- what the ticket engine accepts, a store reads back ---------------------------------------

texts = st.text(st.characters(codec="utf-8"), max_size=20)  # no lone surrogates
field_values = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**63) + 1, max_value=2**63 - 1),
    st.floats(allow_nan=False, allow_infinity=False),
    texts,
)


names = texts.filter(bool)  # tags, links and assignees are names: "" is refused
tiers = st.from_regex(r"[a-z0-9][a-z0-9_-]{0,63}", fullmatch=True)  # contacts.check_tier


@given(
    st.sampled_from(KINDS),
    texts,
    tiers,
    st.sampled_from(Priority),
    st.frozensets(names, max_size=3),
    st.dictionaries(names, field_values, max_size=4),
    st.lists(st.builds(Link, names, names), max_size=2),
    st.none() | names,
)
def test_engine_tickets_round_trip(
    kind: str,
    subject: str,
    tier: str,
    priority: Priority,
    tags: frozenset[str],
    fields: dict[str, object],
    links: list[Link],
    assignee: str | None,
) -> None:
    """A ticket the engine makes from valid values is stored and read back unchanged."""
    ticket = (
        TicketEngine()
        .create(
            id="T-1",
            subject=subject,
            channel=Channel.EMAIL,
            customer="ana",
            now=NOW,
            customer_tier=tier,
            priority=priority,
            tags=tags,
            fields=fields,  # type: ignore[arg-type]
            links=links,
            assignee=assignee,
        )
        .ticket
    )
    store = open_store(kind)
    stored = store.add_ticket(ticket)
    (read,) = store.tickets_in_state(ticket.state)
    assert to_dict(read) == to_dict(stored) == to_dict(attrs.evolve(ticket, version=1))
    store.close()


# --- fuzz: any malformed argument to any public method -----------------------------------------

surrogates = st.sampled_from(["\ud800", "ana\udfff", "\udbff"])
bad_keys: st.SearchStrategy[object] = st.one_of(
    st.none(),
    st.integers(min_value=-(2**80), max_value=2**80),
    st.floats(),
    st.binary(max_size=4),
    surrogates,
    st.text(max_size=5),
    st.lists(st.text(max_size=2), max_size=2),
    st.dictionaries(st.text(max_size=2), st.integers(), max_size=2),
    st.just(ANA),
)
bad_times: st.SearchStrategy[object] = st.one_of(
    st.datetimes(),  # naive
    st.datetimes(timezones=st.just(timezone.utc)),  # far past and future included
    st.dates(),
    st.sampled_from(["2026-03-02T09:30:00+00:00", 1_700_000_000, None]),
)
bad_limits: st.SearchStrategy[object] = st.one_of(
    st.integers(min_value=-(2**80), max_value=2**80), st.floats(), st.booleans(), bad_keys
)
bad_values: st.SearchStrategy[object] = st.one_of(
    bad_keys, bad_times, st.timedeltas(), st.sampled_from([math.inf, 10**400, [1], {"a": 1}])
)


@st.composite
def bad_records(draw: st.DrawFn) -> object:
    """Something that is not a store record, or an engine ticket with one field spoiled."""
    choice = draw(st.integers(0, 2))
    if choice == 0:
        return draw(bad_values)
    if choice == 1:
        return to_dict(Customer(id="ana", created_at=NOW, identities=(ANA,)))
    field = draw(st.sampled_from([f.name for f in attrs.fields(Ticket)]))
    return engine_ticket(draw(st.sampled_from(["T-1", "T-2"])), **{field: draw(bad_values)})


STORE_METHODS = [
    *("get_customer", "find_customer", "add_customer", "save_customer"),
    *("add_interaction", "recent_interactions", "get_ticket", "add_ticket", "save_ticket"),
    *("tickets_in_state", "tickets_assigned_to", "due_follow_ups", "tickets_due"),
]


@st.composite
def bad_calls(draw: st.DrawFn) -> tuple[str, Callable[[Storage], object]]:
    """A call of a store method with at least one malformed argument."""
    method = draw(st.sampled_from(STORE_METHODS))
    args: tuple[object, ...]
    if method == "recent_interactions":
        args = (draw(bad_keys), 5) if draw(st.booleans()) else ("ana", draw(bad_limits))
    elif method in {"due_follow_ups", "tickets_due"}:
        when = draw(bad_times)
        return method, lambda store: getattr(store, method)(now=when)
    elif method in {
        "add_customer",
        "save_customer",
        "add_interaction",
        "add_ticket",
        "save_ticket",
    }:
        args = (draw(bad_records()),)
    else:
        args = (draw(bad_keys),)
    return method, lambda store: getattr(store, method)(*args)


def test_a_ticket_with_an_empty_id_is_refused_by_every_store() -> None:
    """Found by the dev profile: an empty id was stored, then no ticket in its state read back."""
    for kind in KINDS:
        store = open_store(kind)
        fill(store)
        before = content(store)
        with pytest.raises(InvalidInputError, match=r"ticket\.id"):
            store.add_ticket(engine_ticket("T-2", id=""))
        assert content(store) == before
        assert [ticket.id for ticket in store.tickets_in_state("new")] == ["T-1"]
        store.close()


@given(st.sampled_from(KINDS), bad_calls())
def test_fuzz_store_methods(kind: str, call: tuple[str, Callable[[Storage], object]]) -> None:
    """Any malformed call: a CallcoreError and an unchanged store, or a result.

    Whatever the store then holds, it reads back.
    """
    store = open_store(kind)
    fill(store)
    before = content(store)
    method, run = call
    try:
        run(store)
    except CallcoreError:
        assert content(store) == before, method
    for state in ("new", "open"):
        for ticket in store.tickets_in_state(state):
            assert store.get_ticket(ticket.id) is not None
    assert store.get_customer("ana") is not None
    store.close()


@pytest.mark.parametrize("kind", KINDS)
def test_fuzz_found_nothing_missing(kind: str) -> None:
    """The content snapshot sees a change (so the fuzz test can fail)."""
    store = open_store(kind)
    fill(store)
    before = content(store)
    store.add_ticket(engine_ticket("T-9"))
    assert content(store) != before
    store.close()
