"""CallerIdentifier: identify on a hit and a miss, history, races and safe updates."""

from __future__ import annotations

import itertools
from datetime import datetime, timedelta, timezone
from typing import TYPE_CHECKING

import attrs
import pytest

from callcore.contacts import Channel, Direction
from callcore.customers import (
    CallerIdentifier,
    ContactOutcome,
    Customer,
    Identity,
    InvalidIdentityError,
)
from callcore.errors import ConflictError, InvalidInputError, NaiveDatetimeError, NotFoundError
from callcore.storage import MemoryStorage, SQLiteStorage, Storage

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator
    from pathlib import Path

NOW = datetime(2026, 3, 2, 9, 30, tzinfo=timezone.utc)


@pytest.fixture(params=["memory", "sqlite"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Storage]:
    """Each test runs against both built-in stores."""
    made: Storage = (
        MemoryStorage() if request.param == "memory" else SQLiteStorage(tmp_path / "callcore.db")
    )
    yield made
    made.close()


def counting_ids() -> Callable[[], str]:
    """An id factory giving id-0, id-1, ..."""
    counter = itertools.count()
    return lambda: f"id-{next(counter)}"


def identifier_for(store: Storage, **options: int) -> CallerIdentifier:
    """An identifier with UK defaults and deterministic ids."""
    return CallerIdentifier(store, default_country_code="44", id_factory=counting_ids(), **options)


def record_call(identifier: CallerIdentifier, customer_id: str, at: datetime) -> str:
    """Record an inbound voice call and return its id."""
    return identifier.record_interaction(
        customer_id,
        channel=Channel.VOICE,
        direction=Direction.INBOUND,
        now=at,
        outcome=ContactOutcome.ANSWERED,
        agent="agent-1",
        queue="support",
    ).interaction.id


def test_miss_creates_a_customer(store: Storage) -> None:
    """An unknown caller becomes a new customer with that identity, created now."""
    result = identifier_for(store).identify("020 7946 0018", now=NOW)
    assert result.created
    assert result.history == ()
    expected = Customer(
        id="id-0",
        created_at=NOW,
        identities=(Identity.phone("+442079460018"),),
        version=1,
    )
    assert result.customer == expected
    assert store.get_customer("id-0") == expected


def test_hit_in_any_form_finds_the_same_customer(store: Storage) -> None:
    """The same number written differently identifies the same customer."""
    identifier = identifier_for(store)
    first = identifier.identify("020 7946 0018", now=NOW)
    for form in ["+44 20 7946 0018", "0044 (0)20 7946 0018", "020-7946-0018"]:
        again = identifier.identify(form, now=NOW + timedelta(minutes=1))
        assert not again.created
        assert again.customer == first.customer


def test_identity_objects_and_emails(store: Storage) -> None:
    """An Identity passes through; an email identifies its own customer."""
    identifier = identifier_for(store)
    by_phone = identifier.identify(Identity.phone("+442079460018"), now=NOW)
    by_email = identifier.identify("Ana@Example.co.uk", now=NOW)
    assert by_email.created
    assert by_email.customer.id != by_phone.customer.id
    assert identifier.identify("ana@example.co.uk", now=NOW).customer == by_email.customer


def test_history_is_newest_first_and_limited(store: Storage) -> None:
    """Identify returns the last history_limit interactions, newest first."""
    identifier = identifier_for(store, history_limit=3)
    customer_id = identifier.identify("020 7946 0018", now=NOW).customer.id
    minutes = [7, 2, 9, 4, 1]
    recorded = {
        m: record_call(identifier, customer_id, NOW + timedelta(minutes=m)) for m in minutes
    }
    result = identifier.identify("020 7946 0018", now=NOW + timedelta(hours=1))
    assert [i.id for i in result.history] == [recorded[9], recorded[7], recorded[4]]
    assert all(i.customer_id == customer_id for i in result.history)


def test_default_history_limit_is_ten(store: Storage) -> None:
    """Without a limit, the ten newest interactions come back."""
    identifier = identifier_for(store)
    customer_id = identifier.identify("020 7946 0018", now=NOW).customer.id
    for minute in range(12):
        record_call(identifier, customer_id, NOW + timedelta(minutes=minute))
    history = identifier.identify("020 7946 0018", now=NOW).history
    assert [i.at for i in history] == [NOW + timedelta(minutes=m) for m in range(11, 1, -1)]


def test_bad_input_creates_nothing(store: Storage) -> None:
    """A malformed number or a naive time raises, and no customer is created."""
    identifier = identifier_for(store)
    with pytest.raises(InvalidIdentityError):
        identifier.identify("0207 CALL ME", now=NOW)
    with pytest.raises(NaiveDatetimeError):
        identifier.identify("020 7946 0018", now=datetime(2026, 3, 2, 9, 30))  # noqa: DTZ001
    assert store.find_customer(Identity.phone("+442079460018")) is None
    assert store.get_customer("id-0") is None


def test_record_interaction_for_unknown_customer(store: Storage) -> None:
    """Recording for a customer that does not exist raises NotFoundError."""
    with pytest.raises(NotFoundError):
        record_call(identifier_for(store), "ghost", NOW)


class RacingStore:
    """A store where another writer adds the caller between our find and our add."""

    def __init__(self, inner: Storage, rival: Customer) -> None:
        """Wrap ``inner``; ``rival`` is added just before our first add."""
        self.inner = inner
        self.rival: Customer | None = rival
        self.finds = 0

    def __getattr__(self, name: str) -> object:
        """Everything else goes to the inner store."""
        return getattr(self.inner, name)

    def find_customer(self, identity: Identity) -> Customer | None:
        """Count lookups."""
        self.finds += 1
        return self.inner.find_customer(identity)

    def add_customer(self, customer: Customer) -> Customer:
        """Let the rival win the race first."""
        if self.rival is not None:
            self.inner.add_customer(self.rival)
            self.rival = None
        return self.inner.add_customer(customer)


def test_lost_race_returns_the_winner(store: Storage) -> None:
    """When another writer adds the caller first, identify returns that customer."""
    phone = Identity.phone("+442079460018")
    rival = Customer(id="rival", created_at=NOW, identities=(phone,))
    racing = RacingStore(store, rival)
    result = identifier_for(racing).identify(phone, now=NOW)  # type: ignore[arg-type]
    assert not result.created
    assert result.customer.id == "rival"
    assert racing.finds == 2
    assert store.get_customer("id-0") is None


def test_repeating_id_factory_gives_up(store: Storage) -> None:
    """An id factory that repeats ids cannot loop forever: a clear conflict is raised."""
    identifier = CallerIdentifier(store, id_factory=lambda: "same")
    identifier.identify("+442079460018", now=NOW)
    with pytest.raises(ConflictError, match="id factory"):
        identifier.identify("+40721234567", now=NOW)


def increment(customer: Customer) -> Customer:
    """Add one to the 'calls' attribute."""
    calls = customer.attributes.get("calls", 0)
    assert isinstance(calls, int)
    return attrs.evolve(customer, attributes={**customer.attributes, "calls": calls + 1})


def test_update_customer_applies_the_change(store: Storage) -> None:
    """update_customer saves the changed customer at the next version."""
    identifier = identifier_for(store)
    customer_id = identifier.identify("020 7946 0018", now=NOW).customer.id
    identifier.update_customer(customer_id, increment, now=NOW)
    updated = identifier.update_customer(customer_id, increment, now=NOW).customer
    assert updated.attributes["calls"] == 2
    assert updated.version == 3
    assert store.get_customer(customer_id) == updated


def test_update_customer_gives_up_after_attempts(store: Storage) -> None:
    """A change that always loses the race raises the last ConflictError."""
    identifier = identifier_for(store)
    customer_id = identifier.identify("020 7946 0018", now=NOW).customer.id
    calls = 0

    def always_beaten(customer: Customer) -> Customer:
        nonlocal calls
        calls += 1
        store.save_customer(increment(customer))  # a rival saves every time
        return increment(customer)

    with pytest.raises(ConflictError) as raised:
        identifier.update_customer(customer_id, always_beaten, attempts=3, now=NOW)
    assert calls == 3
    assert (raised.value.expected_version, raised.value.actual_version) == (3, 4)
    final = store.get_customer(customer_id)
    assert final is not None
    assert final.attributes["calls"] == 3


def test_update_customer_does_not_retry_identity_clash(store: Storage) -> None:
    """Taking another customer's identity fails at once: retrying cannot help."""
    identifier = identifier_for(store)
    ana = identifier.identify("020 7946 0018", now=NOW).customer
    bob = identifier.identify("07700 900123", now=NOW).customer
    calls = 0

    def steal(customer: Customer) -> Customer:
        nonlocal calls
        calls += 1
        return attrs.evolve(customer, identities=customer.identities + ana.identities)

    with pytest.raises(ConflictError):
        identifier.update_customer(bob.id, steal, now=NOW)
    assert calls == 1
    assert store.get_customer(bob.id) == bob


def test_update_customer_refuses_bad_requests(store: Storage) -> None:
    """Unknown customers, id changes and bad attempt counts are refused."""
    identifier = identifier_for(store)
    customer_id = identifier.identify("020 7946 0018", now=NOW).customer.id
    with pytest.raises(NotFoundError):
        identifier.update_customer("ghost", increment, now=NOW)
    with pytest.raises(InvalidInputError, match="id"):
        identifier.update_customer(customer_id, lambda c: attrs.evolve(c, id="other"), now=NOW)
    with pytest.raises(InvalidInputError, match="attempts"):
        identifier.update_customer(customer_id, increment, attempts=0, now=NOW)
    stored = store.get_customer(customer_id)
    assert stored is not None
    assert stored.version == 1


@pytest.mark.parametrize(
    "options",
    [{"history_limit": 0}, {"default_country_code": "0"}, {"default_country_code": "1234"}],
)
def test_identifier_refuses_bad_options(options: dict[str, object]) -> None:
    """A history limit below 1 or a bad country code is refused."""
    with pytest.raises(InvalidInputError):
        CallerIdentifier(MemoryStorage(), **options)  # type: ignore[arg-type]
