# The suite is made of pytest tests, which assert.
# ruff: noqa: S101
"""The storage contract: one test suite that every callcore store must pass.

The built-in stores run it, and so should every storage plugin. Subclass
:class:`StorageContract` in a test module whose name pytest collects, and
override the ``storage`` fixture to make a new, empty store of yours::

    import pytest
    from callcore.testing.storage_contract import StorageContract

    class TestRedisStorage(StorageContract):
        @pytest.fixture
        def storage(self, tmp_path):
            store = RedisStorage(...)
            yield store
            store.close()

Every test of the suite then runs against your store. This module needs
pytest, which is not a dependency of callcore: install it in your test
environment.

The suite is split into one mixin per protocol (:class:`CustomerStoreContract`,
:class:`TicketStoreContract`, :class:`CheckpointStoreContract`);
:class:`StorageContract` combines them all, so a store that implements the
whole :class:`callcore.storage.Storage` protocol subclasses that one.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

import attrs
import pytest

from callcore.contacts import VIP_TIER, Channel, ContactOutcome, Direction
from callcore.customers import (
    MAX_HISTORY,
    CallerIdentifier,
    Customer,
    Identity,
    Interaction,
)
from callcore.errors import ConflictError, InvalidInputError, NotFoundError, StorageError
from callcore.serialization import to_dict
from callcore.tickets import (
    Actor,
    Link,
    Priority,
    SlaMetric,
    SlaPolicy,
    SlaTarget,
    SurveyAnswer,
    Ticket,
    TicketEngine,
    TicketSettings,
)

if TYPE_CHECKING:
    from collections.abc import Callable

    from callcore.storage import Storage

__all__ = ["CustomerStoreContract", "StorageContract", "TicketStoreContract"]

NOW = datetime(2026, 3, 2, 9, 30, tzinfo=timezone.utc)
BUCHAREST = timezone(timedelta(hours=2))
EASTERN_EUROPE = ZoneInfo("Europe/Bucharest")
# 25 October 2026: Bucharest's clocks go back at 04:00 EEST, so 03:00-04:00 is read twice
BEFORE_FALL_BACK = datetime(2026, 10, 25, 3, 50, tzinfo=EASTERN_EUROPE)  # 00:50 UTC
REPEATED_HOUR = datetime(2026, 10, 25, 3, 10, fold=1, tzinfo=EASTERN_EUROPE)  # 01:10 UTC
ANA_PHONE = Identity.phone("0721 234 567", default_country_code="40")
ANA_EMAIL = Identity.email("Ana.Popescu@Example.ro")
BOB_PHONE = Identity.phone("020 7946 0018", default_country_code="44")
NEW_PHONE = Identity.phone("(212) 555-0100")


def _survey_scored(score: object) -> SurveyAnswer:
    """A survey answer with a score its constructor refuses (a buggy host's object)."""
    answer = SurveyAnswer(score=3, at=NOW)
    object.__setattr__(answer, "score", score)  # frozen: bypass its check on purpose
    return answer


def _customer(customer_id: str = "ana", *identities: Identity) -> Customer:
    return Customer(id=customer_id, created_at=NOW, identities=identities or (ANA_PHONE,))


def _full_customer() -> Customer:
    """A customer with every field set away from its default."""
    return Customer(
        id="cust-ăîș-1",
        created_at=datetime(2025, 12, 31, 23, 59, 59, 123456, tzinfo=BUCHAREST),
        name="Ana Popescu-Ţurcanu",
        identities=(ANA_PHONE, ANA_EMAIL),
        tier="gold",  # a tier the host named
        language="ro-RO",
        attributes={
            "account": "RO-0042",
            "lifetime_value": 1234.5,
            "calls": 17,
            "opted_in": True,
            "referrer": None,
            "tags": ["gold", "billing"],
            "address": {"city": "Cluj-Napoca", "zip": ["400", "001"]},
        },
    )


def _interaction(
    interaction_id: str, at: datetime, customer_id: str = "ana", notes: str = ""
) -> Interaction:
    return Interaction(
        id=interaction_id,
        customer_id=customer_id,
        channel=Channel.VOICE,
        direction=Direction.INBOUND,
        at=at,
        outcome=ContactOutcome.ANSWERED,
        resolved=True,
        notes=notes,
    )


class CustomerStoreContract:
    """The contract of :class:`callcore.customers.CustomerStore`.

    Subclasses override the ``storage`` fixture to return a new, empty store.
    """

    @pytest.fixture
    def storage(self) -> Storage:
        """Override: make a new, empty store (and close it after the test)."""
        raise NotImplementedError("override the 'storage' fixture to make the store under test")

    # --- adding and reading customers -----------------------------------------------

    def test_unknown_customer_is_none(self, storage: Storage) -> None:
        """Reading an id or an identity that was never stored gives None."""
        assert storage.get_customer("nobody") is None
        assert storage.find_customer(NEW_PHONE) is None

    def test_add_stores_version_one(self, storage: Storage) -> None:
        """A new customer is stored, and returned, at version 1."""
        stored = storage.add_customer(attrs.evolve(_customer(), version=7))
        assert stored.version == 1
        assert storage.get_customer("ana") == stored

    def test_every_customer_field_round_trips(self, storage: Storage) -> None:
        """A customer reads back exactly as written, field by field, offsets included."""
        original = _full_customer()
        stored = storage.add_customer(original)
        expected = to_dict(attrs.evolve(original, version=1))
        assert to_dict(stored) == expected
        read = storage.get_customer(original.id)
        assert read is not None
        assert to_dict(read) == expected
        assert read.created_at.utcoffset() == timedelta(hours=2)

    def test_find_by_every_identity(self, storage: Storage) -> None:
        """Each identity of a customer finds that customer."""
        stored = storage.add_customer(_full_customer())
        assert storage.find_customer(ANA_PHONE) == stored
        assert storage.find_customer(ANA_EMAIL) == stored
        assert storage.find_customer(BOB_PHONE) is None

    def test_identity_kinds_do_not_mix(self, storage: Storage) -> None:
        """Finding looks at the kind of identity as well as its value."""
        storage.add_customer(_customer("ana", ANA_PHONE))
        assert storage.find_customer(Identity.email("+40721234567@example.ro")) is None

    def test_add_existing_id_conflicts(self, storage: Storage) -> None:
        """Adding a second customer with a taken id is refused and changes nothing."""
        first = storage.add_customer(_customer("ana", ANA_PHONE))
        with pytest.raises(ConflictError) as raised:
            storage.add_customer(_customer("ana", BOB_PHONE))
        assert raised.value.key == "ana"
        assert storage.get_customer("ana") == first
        assert storage.find_customer(BOB_PHONE) is None

    def test_add_taken_identity_conflicts_and_writes_nothing(self, storage: Storage) -> None:
        """A new customer with one taken identity is refused whole: no partial write."""
        storage.add_customer(_customer("ana", ANA_PHONE))
        with pytest.raises(ConflictError) as raised:
            storage.add_customer(_customer("bob", BOB_PHONE, ANA_PHONE))
        assert raised.value.key == ANA_PHONE.value
        assert "ana" in str(raised.value)
        assert storage.get_customer("bob") is None
        assert storage.find_customer(BOB_PHONE) is None
        found = storage.find_customer(ANA_PHONE)
        assert found is not None
        assert found.id == "ana"

    # --- saving: optimistic concurrency ----------------------------------------------

    def test_save_increments_version(self, storage: Storage) -> None:
        """Each save stores the next version and returns the customer as stored."""
        stored = storage.add_customer(_customer())
        renamed = storage.save_customer(attrs.evolve(stored, name="Ana"))
        assert renamed.version == 2
        again = storage.save_customer(attrs.evolve(renamed, tier=VIP_TIER))
        assert again.version == 3
        assert storage.get_customer("ana") == again
        assert again.name == "Ana"

    def test_stale_save_conflicts_and_loses_nothing(self, storage: Storage) -> None:
        """A save based on an old read is refused with both versions; the newer data stays."""
        stored = storage.add_customer(_customer())
        winner = storage.save_customer(attrs.evolve(stored, name="First writer"))
        with pytest.raises(ConflictError) as raised:
            storage.save_customer(attrs.evolve(stored, name="Second writer"))
        assert (raised.value.expected_version, raised.value.actual_version) == (1, 2)
        assert storage.get_customer("ana") == winner

    def test_save_from_the_future_conflicts(self, storage: Storage) -> None:
        """A version newer than the stored one is refused too."""
        stored = storage.add_customer(_customer())
        with pytest.raises(ConflictError):
            storage.save_customer(attrs.evolve(stored, version=5, name="x"))
        assert storage.get_customer("ana") == stored

    def test_save_unknown_customer_not_found(self, storage: Storage) -> None:
        """Saving a customer that was never added raises NotFoundError."""
        with pytest.raises(NotFoundError):
            storage.save_customer(attrs.evolve(_customer(), version=1))
        assert storage.get_customer("ana") is None

    def test_save_changes_identities(self, storage: Storage) -> None:
        """Identities removed by a save are freed; identities added are found."""
        stored = storage.add_customer(_customer("ana", ANA_PHONE))
        storage.save_customer(attrs.evolve(stored, identities=(ANA_EMAIL,)))
        assert storage.find_customer(ANA_PHONE) is None
        found = storage.find_customer(ANA_EMAIL)
        assert found is not None
        assert found.version == 2
        bob = storage.add_customer(_customer("bob", ANA_PHONE))
        assert storage.find_customer(ANA_PHONE) == bob

    def test_save_taken_identity_conflicts_and_writes_nothing(self, storage: Storage) -> None:
        """Giving a customer another customer's identity is refused; nothing changes."""
        ana = storage.add_customer(_customer("ana", ANA_PHONE))
        bob = storage.add_customer(_customer("bob", BOB_PHONE))
        with pytest.raises(ConflictError) as raised:
            storage.save_customer(attrs.evolve(bob, identities=(NEW_PHONE, ANA_PHONE)))
        assert raised.value.actual_version is None
        assert storage.get_customer("bob") == bob
        assert storage.find_customer(ANA_PHONE) == ana
        assert storage.find_customer(NEW_PHONE) is None

    # --- interactions ----------------------------------------------------------------

    def test_every_interaction_field_round_trips(self, storage: Storage) -> None:
        """An interaction reads back exactly as written, field by field."""
        storage.add_customer(_customer())
        original = Interaction(
            id="int-1",
            customer_id="ana",
            channel=Channel.EMAIL,
            direction=Direction.OUTBOUND,
            at=datetime(2026, 3, 1, 17, 45, 3, 250000, tzinfo=BUCHAREST),
            outcome=ContactOutcome.CALLBACK,
            resolved=False,
            agent="agent-7",
            queue="billing",
            ticket_id="T-1001",
            notes="Promised a refund — call back Monday.\nSecond line.",
            duration=timedelta(minutes=4, seconds=30, microseconds=500000),
        )
        storage.add_interaction(original)
        (read,) = storage.recent_interactions("ana", 5)
        assert to_dict(read) == to_dict(original)
        assert read == original

    def test_interaction_of_unknown_customer_not_found(self, storage: Storage) -> None:
        """An interaction for a customer that does not exist is refused."""
        with pytest.raises(NotFoundError):
            storage.add_interaction(_interaction("i1", NOW, customer_id="ghost"))
        assert storage.recent_interactions("ghost", 5) == []

    def test_duplicate_interaction_id_conflicts(self, storage: Storage) -> None:
        """A second interaction with a taken id is refused; the first stays."""
        storage.add_customer(_customer())
        first = _interaction("i1", NOW)
        storage.add_interaction(first)
        with pytest.raises(ConflictError):
            storage.add_interaction(_interaction("i1", NOW + timedelta(hours=1), notes="dup"))
        assert storage.recent_interactions("ana", 5) == [first]

    def test_history_newest_first_and_limited(self, storage: Storage) -> None:
        """The history comes newest first, cut to the limit, whatever the recording order."""
        storage.add_customer(_customer())
        hours = [3, 1, 4, 0, 5, 2]  # recorded out of order
        for hour in hours:
            storage.add_interaction(_interaction(f"i{hour}", NOW + timedelta(hours=hour)))
        ids = [interaction.id for interaction in storage.recent_interactions("ana", 4)]
        assert ids == ["i5", "i4", "i3", "i2"]
        everything = storage.recent_interactions("ana", 100)
        assert [interaction.id for interaction in everything] == [
            "i5",
            "i4",
            "i3",
            "i2",
            "i1",
            "i0",
        ]

    def test_history_shorter_than_limit(self, storage: Storage) -> None:
        """A limit above the history's length gives the whole history."""
        storage.add_customer(_customer())
        for minute in range(1, 4):
            storage.add_interaction(_interaction(f"i{minute}", NOW + timedelta(minutes=minute)))
        for limit in (3, 4, 5, 7):
            ids = [interaction.id for interaction in storage.recent_interactions("ana", limit)]
            assert ids == ["i3", "i2", "i1"]

    def test_history_orders_by_instant_across_offsets(self, storage: Storage) -> None:
        """Times in different offsets are ordered by the instant they name."""
        storage.add_customer(_customer())
        # 10:00+02:00 is 08:00 UTC: earlier than 09:00 UTC although it reads later
        storage.add_interaction(
            _interaction("bucharest", datetime(2026, 3, 2, 10, 0, tzinfo=BUCHAREST))
        )
        storage.add_interaction(
            _interaction("utc", datetime(2026, 3, 2, 9, 0, tzinfo=timezone.utc))
        )
        ids = [interaction.id for interaction in storage.recent_interactions("ana", 2)]
        assert ids == ["utc", "bucharest"]

    def test_history_orders_by_instant_in_a_repeated_hour(self, storage: Storage) -> None:
        """Times of one zone are ordered by instant, not by their wall-clock reading.

        03:10 in the repeated hour (``fold=1``, 01:10 UTC) is later than 03:50
        before the clocks went back (00:50 UTC), although it reads earlier.
        """
        storage.add_customer(_customer())
        storage.add_interaction(_interaction("before", BEFORE_FALL_BACK))
        storage.add_interaction(_interaction("repeated", REPEATED_HOUR))
        ids = [interaction.id for interaction in storage.recent_interactions("ana", 2)]
        assert ids == ["repeated", "before"]
        ids = [interaction.id for interaction in storage.customer_interactions("ana")]
        assert ids == ["before", "repeated"]

    def test_history_ties_latest_recorded_first(self, storage: Storage) -> None:
        """Interactions at the same instant come in reverse order of recording."""
        storage.add_customer(_customer())
        for interaction_id in ["b", "a", "c"]:
            storage.add_interaction(_interaction(interaction_id, NOW))
        ids = [interaction.id for interaction in storage.recent_interactions("ana", 3)]
        assert ids == ["c", "a", "b"]

    def test_history_is_per_customer(self, storage: Storage) -> None:
        """A customer's history holds only that customer's interactions."""
        storage.add_customer(_customer("ana", ANA_PHONE))
        storage.add_customer(_customer("bob", BOB_PHONE))
        storage.add_interaction(_interaction("for-ana", NOW))
        storage.add_interaction(_interaction("for-bob", NOW, customer_id="bob"))
        assert [i.id for i in storage.recent_interactions("bob", 5)] == ["for-bob"]

    def test_history_limit_zero_and_negative(self, storage: Storage) -> None:
        """A limit of 0 gives nothing; a negative or huge limit is a caller's mistake."""
        storage.add_customer(_customer())
        storage.add_interaction(_interaction("i1", NOW))
        assert storage.recent_interactions("ana", 0) == []
        assert len(storage.recent_interactions("ana", MAX_HISTORY)) == 1
        for limit in (-1, MAX_HISTORY + 1, 2**70, 1.5, True):
            with pytest.raises(InvalidInputError) as raised:
                storage.recent_interactions("ana", limit)  # type: ignore[arg-type]
            assert raised.value.field == "limit"

    def test_malformed_arguments_are_refused(self, storage: Storage) -> None:
        """An argument of the wrong type, or text that is not valid Unicode, is refused.

        The error is InvalidInputError naming the argument, and nothing changes.
        """
        stored = storage.add_customer(_customer())
        storage.add_interaction(_interaction("i1", NOW))
        calls: list[tuple[Callable[[], object], str]] = [
            (lambda: storage.get_customer(5), "customer_id"),  # type: ignore[arg-type]
            (lambda: storage.get_customer("\ud800"), "customer_id"),
            (lambda: storage.find_customer("+40721234567"), "identity"),  # type: ignore[arg-type]
            (lambda: storage.add_customer(to_dict(_customer("bob"))), "customer"),
            (lambda: storage.save_customer(None), "customer"),  # type: ignore[arg-type]
            (lambda: storage.add_interaction("i2"), "interaction"),  # type: ignore[arg-type]
            (lambda: storage.recent_interactions(["ana"], 5), "customer_id"),  # type: ignore[arg-type]
        ]
        for call, field in calls:
            with pytest.raises(InvalidInputError) as raised:
                call()
            assert raised.value.field == field
        assert storage.get_customer("ana") == stored
        assert storage.get_customer("bob") is None
        assert [i.id for i in storage.recent_interactions("ana", 5)] == ["i1"]

    # --- the operation on top, and closing -------------------------------------------

    def test_caller_identifier_on_this_store(self, storage: Storage) -> None:
        """Identifying twice creates one customer; the history comes back newest first."""
        ids = iter(f"id-{number}" for number in range(100))
        identifier = CallerIdentifier(storage, default_country_code="40", id_factory=ids.__next__)
        first = identifier.identify("0721 234 567", now=NOW)
        assert first.created
        assert first.history == ()
        for minutes in (5, 10):
            identifier.record_interaction(
                first.customer.id,
                channel=Channel.VOICE,
                direction=Direction.INBOUND,
                now=NOW + timedelta(minutes=minutes),
                outcome=ContactOutcome.ANSWERED,
                resolved=True,
            )
        again = identifier.identify("+40 721 234 567", now=NOW + timedelta(hours=1))
        assert not again.created
        assert again.customer == first.customer
        assert [i.at for i in again.history] == [
            NOW + timedelta(minutes=10),
            NOW + timedelta(minutes=5),
        ]

    def test_update_customer_retries_a_stale_write(self, storage: Storage) -> None:
        """update_customer rereads and reapplies when another writer saved in between."""
        stored = storage.add_customer(attrs.evolve(_customer(), attributes={"calls": 0}))
        identifier = CallerIdentifier(storage)
        interfered = False

        def add_call(customer: Customer) -> Customer:
            nonlocal interfered
            if not interfered:  # another writer saves between our read and our write
                interfered = True
                storage.save_customer(attrs.evolve(stored, attributes={"calls": 10}))
            calls = customer.attributes["calls"]
            assert isinstance(calls, int)
            return attrs.evolve(customer, attributes={"calls": calls + 1})

        updated = identifier.update_customer("ana", add_call, now=NOW).customer
        assert updated.attributes["calls"] == 11
        assert updated.version == 3

    def test_closed_store_refuses_work(self, storage: Storage) -> None:
        """After close, every operation raises StorageError."""
        storage.close()
        with pytest.raises(StorageError):
            storage.get_customer("ana")
        with pytest.raises(StorageError):
            storage.add_customer(_customer())


def _ticket(ticket_id: str = "T-1", **changes: object) -> Ticket:
    """A ticket as the ticket engine makes it (created at NOW), with ``changes``."""
    engine = TicketEngine()
    ticket = engine.create(
        id=ticket_id, subject="Router keeps rebooting", channel=Channel.VOICE,
        customer="ana", now=NOW, assignee="bob",
    ).ticket  # fmt: skip
    for name, value in changes.items():
        setattr(ticket, name, value)
    return ticket


def _busy_ticket() -> Ticket:
    """A ticket with every kind of field set and running SLA clocks."""
    policy = SlaPolicy(
        "standard",
        (
            SlaTarget(SlaMetric.FIRST_RESPONSE, timedelta(hours=1)),
            SlaTarget(SlaMetric.RESOLUTION, timedelta(hours=8)),
        ),
    )
    engine = TicketEngine(TicketSettings(sla_policies=(policy,)))
    agent = Actor("bob", frozenset({"agent"}))
    ticket = engine.create(
        id="T-ăîș-1", subject="Facturǎ greșită", channel=Channel.EMAIL, customer="ana",
        now=datetime(2025, 12, 31, 23, 59, 59, 123456, tzinfo=BUCHAREST),
        priority=Priority.HIGH, customer_tier="vip", tags=["billing", "vip"],
        fields={"invoice": "F-77", "amount": 12.5, "count": 3, "paid": False, "note": None},
        links=[Link("contact", "call-1"), Link("interaction", "i-9")],
    ).ticket  # fmt: skip
    engine.update(ticket, by=agent, now=NOW, assignee="bob")
    engine.reply(ticket, by=agent, now=NOW, text="Looking into it")
    engine.apply(ticket, "need_follow_up", by=agent, now=NOW, follow_up_due=NOW + timedelta(days=1))
    return ticket


class TicketStoreContract:
    """The contract of :class:`callcore.tickets.TicketStore`.

    Subclasses override the ``storage`` fixture to return a new, empty store.
    """

    @pytest.fixture
    def storage(self) -> Storage:
        """Override: make a new, empty store (and close it after the test)."""
        raise NotImplementedError("override the 'storage' fixture to make the store under test")

    def test_unknown_ticket_is_none(self, storage: Storage) -> None:
        """Reading a ticket id that was never stored gives None."""
        assert storage.get_ticket("T-404") is None

    def test_add_ticket_stores_version_one(self, storage: Storage) -> None:
        """A new ticket is stored at version 1 and read back equal."""
        stored = storage.add_ticket(_ticket())
        assert stored.version == 1
        assert storage.get_ticket("T-1") == stored

    def test_every_ticket_field_round_trips(self, storage: Storage) -> None:
        """Fields, custom fields, links, SLA clocks and the history survive the store."""
        ticket = _busy_ticket()
        stored = storage.add_ticket(ticket)
        again = storage.get_ticket(ticket.id)
        assert again is not None
        assert to_dict(again) == to_dict(stored) == to_dict(attrs.evolve(ticket, version=1))
        assert list(again.history) == list(ticket.history)

    def test_add_existing_ticket_id_conflicts(self, storage: Storage) -> None:
        """A second ticket with the same id is refused; the first is kept."""
        storage.add_ticket(_ticket(subject="first"))
        with pytest.raises(ConflictError) as caught:
            storage.add_ticket(_ticket(subject="second"))
        assert caught.value.kind == "ticket"
        kept = storage.get_ticket("T-1")
        assert kept is not None
        assert kept.subject == "first"

    def test_save_ticket_increments_version(self, storage: Storage) -> None:
        """Each save moves the version up by one and stores the change."""
        stored = storage.add_ticket(_ticket())
        stored.state = "open"
        saved = storage.save_ticket(stored)
        assert saved.version == 2
        again = storage.get_ticket("T-1")
        assert again is not None
        assert (again.state, again.version) == ("open", 2)

    def test_stale_ticket_save_conflicts_and_loses_nothing(self, storage: Storage) -> None:
        """Two writers read version 1; the second save is refused, the first kept."""
        storage.add_ticket(_ticket())
        first, second = storage.get_ticket("T-1"), storage.get_ticket("T-1")
        assert first is not None
        assert second is not None
        first.assignee = "ana"
        storage.save_ticket(first)
        second.assignee = "carol"
        with pytest.raises(ConflictError) as caught:
            storage.save_ticket(second)
        assert (caught.value.expected_version, caught.value.actual_version) == (1, 2)
        kept = storage.get_ticket("T-1")
        assert kept is not None
        assert (kept.assignee, kept.version) == ("ana", 2)

    def test_save_unknown_ticket_not_found(self, storage: Storage) -> None:
        """Saving a ticket that was never added is refused."""
        with pytest.raises(NotFoundError):
            storage.save_ticket(_ticket())

    def test_stored_tickets_do_not_change_with_the_caller(self, storage: Storage) -> None:
        """Changing a ticket after adding, saving or reading it leaves the store alone."""
        ticket = _ticket()
        stored = storage.add_ticket(ticket)
        ticket.state = "closed"
        stored.history.record(NOW, "T-1", "x", "meddle")
        read = storage.get_ticket("T-1")
        assert read is not None
        read.fields["x"] = 1
        again = storage.get_ticket("T-1")
        assert again is not None
        assert (again.state, len(again.history), again.fields) == ("new", 1, {})

    def test_tickets_by_state_and_assignee_oldest_first(self, storage: Storage) -> None:
        """State and assignee queries return matching tickets by creation time, then id."""
        later = NOW + timedelta(hours=1)
        storage.add_ticket(_ticket("T-3", created_at=later, state="open"))
        storage.add_ticket(_ticket("T-2", state="open", assignee="ana"))
        storage.add_ticket(_ticket("T-1", state="open", assignee=None))
        storage.add_ticket(_ticket("T-4", state="pending", assignee="ana"))
        assert [t.id for t in storage.tickets_in_state("open")] == ["T-1", "T-2", "T-3"]
        assert [t.id for t in storage.tickets_assigned_to("ana")] == ["T-2", "T-4"]
        assert [t.id for t in storage.tickets_assigned_to("bob")] == ["T-3"]
        assert storage.tickets_in_state("closed") == []

    def test_due_follow_ups_soonest_first_and_inclusive(self, storage: Storage) -> None:
        """Follow-ups due at or before now come back, soonest first, across offsets."""
        storage.add_ticket(_ticket("T-1", follow_up_due=NOW + timedelta(minutes=1)))
        storage.add_ticket(_ticket("T-2", follow_up_due=NOW.astimezone(BUCHAREST)))
        storage.add_ticket(_ticket("T-3", follow_up_due=NOW - timedelta(days=1)))
        storage.add_ticket(_ticket("T-4"))
        assert [t.id for t in storage.due_follow_ups(now=NOW)] == ["T-3", "T-2"]

    def test_ticket_times_compare_as_instants_in_a_repeated_hour(self, storage: Storage) -> None:
        """Due times and creation times of one zone compare as instants.

        At 03:20 before the clocks went back (00:20 UTC) a follow-up or
        deadline due at 03:10 in the repeated hour (01:10 UTC) is not due yet.
        """
        now = BEFORE_FALL_BACK - timedelta(minutes=30)  # 03:20 EEST, 00:20 UTC
        storage.add_ticket(
            _ticket("T-1", created_at=REPEATED_HOUR, follow_up_due=REPEATED_HOUR,
                    next_due=REPEATED_HOUR)
        )  # fmt: skip
        storage.add_ticket(
            _ticket("T-2", created_at=BEFORE_FALL_BACK, follow_up_due=now, next_due=now)
        )
        assert [t.id for t in storage.due_follow_ups(now=now)] == ["T-2"]
        assert [t.id for t in storage.tickets_due(now=now)] == ["T-2"]
        later = REPEATED_HOUR.astimezone(timezone.utc) + timedelta(minutes=1)  # not wall clock
        assert [t.id for t in storage.due_follow_ups(now=later)] == ["T-2", "T-1"]
        assert [t.id for t in storage.tickets_due(now=later)] == ["T-2", "T-1"]
        assert [t.id for t in storage.tickets_assigned_to("bob")] == ["T-2", "T-1"]
        assert [t.id for t in storage.tickets_in_state("new")] == ["T-2", "T-1"]

    def test_tickets_due_by_next_deadline(self, storage: Storage) -> None:
        """Tickets whose next deadline has come are listed soonest first."""
        storage.add_ticket(_ticket("T-1", next_due=NOW + timedelta(hours=2)))
        storage.add_ticket(_ticket("T-2", next_due=NOW))
        storage.add_ticket(_ticket("T-3", next_due=NOW - timedelta(hours=1)))
        storage.add_ticket(_ticket("T-4"))
        assert [t.id for t in storage.tickets_due(now=NOW)] == ["T-3", "T-2"]
        assert [t.id for t in storage.tickets_due(now=NOW + timedelta(hours=3))] == [
            "T-3", "T-2", "T-1"
        ]  # fmt: skip

    def test_saved_ticket_moves_between_queries(self, storage: Storage) -> None:
        """After a save, the queries see the ticket's new state, assignee and due times."""
        stored = storage.add_ticket(_ticket(follow_up_due=NOW, next_due=NOW))
        stored.state, stored.assignee = "open", "ana"
        stored.follow_up_due = stored.next_due = None
        storage.save_ticket(stored)
        assert storage.tickets_in_state("new") == []
        assert [t.id for t in storage.tickets_assigned_to("ana")] == ["T-1"]
        assert storage.due_follow_ups(now=NOW) == []
        assert storage.tickets_due(now=NOW) == []

    def test_ticket_that_cannot_be_read_back_is_refused(self, storage: Storage) -> None:
        """A ticket with a field the store could not read back is refused, naming it.

        Nothing is written, and the other tickets read as before.
        """
        storage.add_ticket(_ticket())
        spoiled: list[tuple[str, object]] = [
            ("customer_tier", 5),
            ("assignee", 5),
            ("fields", {"sizes": [1, 2]}),
            ("survey", _survey_scored(3.5)),
            ("subject", "\ud800"),
            ("follow_up_due", datetime(2026, 3, 2)),  # noqa: DTZ001 - naive on purpose
        ]
        for name, value in spoiled:
            with pytest.raises(InvalidInputError) as raised:
                storage.add_ticket(_ticket("T-2", **{name: value}))
            assert str(raised.value.field).startswith(f"ticket.{name}")
        assert storage.get_ticket("T-2") is None
        assert [ticket.id for ticket in storage.tickets_in_state("new")] == ["T-1"]

    def test_malformed_ticket_queries_are_refused(self, storage: Storage) -> None:
        """Ticket queries refuse wrong types, lone surrogates, naive and far times."""
        calls: list[tuple[Callable[[], object], str]] = [
            (lambda: storage.get_ticket(5), "ticket_id"),  # type: ignore[arg-type]
            (lambda: storage.tickets_in_state("\ud800"), "state"),
            (lambda: storage.tickets_assigned_to(None), "assignee"),  # type: ignore[arg-type]
            (lambda: storage.due_follow_ups(now=datetime(2026, 3, 2)), "now"),  # noqa: DTZ001
            (lambda: storage.tickets_due(now="2026-03-02T09:30:00+00:00"), "now"),  # type: ignore[arg-type]
            (lambda: storage.tickets_due(now=datetime(9999, 1, 1, tzinfo=timezone.utc)), "now"),
        ]
        for call, field in calls:
            with pytest.raises(InvalidInputError) as raised:
                call()
            assert raised.value.field == field

    def test_closed_store_refuses_ticket_work(self, storage: Storage) -> None:
        """After close, ticket operations raise StorageError."""
        storage.close()
        with pytest.raises(StorageError):
            storage.get_ticket("T-1")
        with pytest.raises(StorageError):
            storage.add_ticket(_ticket())


class CheckpointStoreContract:
    """What every :class:`~callcore.storage.CheckpointStore` must do."""

    def test_checkpoint_round_trip_and_replace(self, storage: Storage) -> None:
        """A document reads back as written; a second save under the name replaces it."""
        assert storage.load_checkpoint("center") is None
        big = '{"contacts": ["' + "x" * 200_000 + '"]}'  # longer than a text field
        storage.save_checkpoint("center", big)
        assert storage.load_checkpoint("center") == big
        storage.save_checkpoint("center", "{}")
        assert storage.load_checkpoint("center") == "{}"
        assert storage.load_checkpoint("other") is None

    def test_malformed_checkpoints_are_refused(self, storage: Storage) -> None:
        """A name or a document that is not text is refused, naming it; nothing is kept."""
        with pytest.raises(InvalidInputError) as raised:
            storage.save_checkpoint("center", {"a": 1})  # type: ignore[arg-type]
        assert raised.value.field == "document"
        with pytest.raises(InvalidInputError) as raised:
            storage.save_checkpoint(7, "{}")  # type: ignore[arg-type]
        assert raised.value.field == "name"
        assert storage.load_checkpoint("center") is None

    def test_closed_store_refuses_checkpoints(self, storage: Storage) -> None:
        """After close, checkpoint operations raise StorageError."""
        storage.close()
        with pytest.raises(StorageError):
            storage.save_checkpoint("center", "{}")
        with pytest.raises(StorageError):
            storage.load_checkpoint("center")


class StorageContract(CustomerStoreContract, TicketStoreContract, CheckpointStoreContract):
    """The whole contract of :class:`callcore.storage.Storage`."""
