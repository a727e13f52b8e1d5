"""What caller identification reports: each state-changing call returns its events."""

from __future__ import annotations

import itertools
from datetime import datetime, timedelta, timezone
from typing import TYPE_CHECKING

import attrs
import pytest

from callcore.contacts import VIP_TIER, Channel, ContactOutcome, Direction
from callcore.customers import (
    CallerIdentifier,
    Customer,
    CustomerCreated,
    CustomerIdentified,
    CustomerUpdate,
    CustomerUpdated,
    Identification,
    Identity,
    InteractionRecorded,
    InteractionUpdate,
)
from callcore.errors import CallcoreError, NaiveDatetimeError, NotFoundError
from callcore.events import Event, Update, new_id
from callcore.serialization import dumps
from callcore.storage import MemoryStorage

if TYPE_CHECKING:
    from collections.abc import Callable

NOW = datetime(2026, 3, 2, 9, 30, tzinfo=timezone.utc)
LATER = NOW + timedelta(minutes=20)
PHONE = Identity.phone("+442079460018")


def _identifier(store: MemoryStorage) -> CallerIdentifier:
    counter = itertools.count()
    return CallerIdentifier(
        store, default_country_code="44", id_factory=lambda: f"id-{next(counter)}"
    )


def _vip(customer: Customer) -> Customer:
    return attrs.evolve(customer, tier=VIP_TIER, name="Ana")


def test_a_new_caller_makes_customer_created() -> None:
    """Identifying an unknown caller reports customer.created with the stored customer."""
    store = MemoryStorage()
    result = _identifier(store).identify("020 7946 0018", now=NOW)
    assert result.created
    (event,) = result.events
    assert event == CustomerCreated(at=NOW, customer=result.customer)
    assert event.kind == "customer.created"
    assert result.customer.version == 1
    assert result.customer == store.find_customer(PHONE)


def test_a_known_caller_makes_customer_identified() -> None:
    """Identifying a known caller reports customer.identified, with the identity it matched."""
    store = MemoryStorage()
    identifier = _identifier(store)
    first = identifier.identify("020 7946 0018", now=NOW)
    again = identifier.identify("+44 20 7946 0018", now=LATER)
    assert not again.created
    (event,) = again.events
    assert event == CustomerIdentified(at=LATER, customer=first.customer, identity=PHONE)
    assert event.kind == "customer.identified"


def test_update_customer_makes_customer_updated() -> None:
    """A saved change reports customer.updated with the customer at its new version."""
    store = MemoryStorage()
    identifier = _identifier(store)
    customer_id = identifier.identify("020 7946 0018", now=NOW).customer.id
    update = identifier.update_customer(customer_id, _vip, now=LATER)
    assert isinstance(update, CustomerUpdate)
    assert update.customer.version == 2
    assert update.customer.tier == VIP_TIER
    assert update.customer == store.get_customer(customer_id)
    (event,) = update.events
    assert event == CustomerUpdated(at=LATER, customer=update.customer)
    assert event.kind == "customer.updated"


def test_record_interaction_makes_interaction_recorded() -> None:
    """A recorded interaction reports customer.interaction_recorded; its ``at`` is ``now``."""
    store = MemoryStorage()
    identifier = _identifier(store)
    customer_id = identifier.identify("020 7946 0018", now=NOW).customer.id
    update = identifier.record_interaction(
        customer_id,
        channel=Channel.VOICE,
        direction=Direction.INBOUND,
        outcome=ContactOutcome.ANSWERED,
        resolved=False,
        ticket_id="T-1",
        now=LATER,
    )
    assert isinstance(update, InteractionUpdate)
    assert update.interaction.at == LATER
    assert update.interaction.resolved is False
    assert update.interaction.id == "id-1"
    assert store.recent_interactions(customer_id, 5) == [update.interaction]
    (event,) = update.events
    assert event == InteractionRecorded(at=LATER, interaction=update.interaction)
    assert event.kind == "customer.interaction_recorded"


def test_every_result_has_the_shape_of_an_update() -> None:
    """Identification, CustomerUpdate and InteractionUpdate each hold a tuple of events."""
    store = MemoryStorage()
    identifier = _identifier(store)
    found = identifier.identify("020 7946 0018", now=NOW)
    results: list[Update] = [
        found,
        identifier.update_customer(found.customer.id, _vip, now=NOW),
        identifier.record_interaction(
            found.customer.id,
            channel=Channel.CHAT,
            direction=Direction.INBOUND,
            outcome=ContactOutcome.SELF_SERVED,
            now=NOW,
        ),
    ]
    for result in results:
        (event,) = result.events
        assert isinstance(event, Event)
        assert event.kind.startswith("customer.")


def test_the_default_id_factory_is_the_shared_one() -> None:
    """Without an id factory, ids come from callcore.events.new_id."""
    assert CallerIdentifier(MemoryStorage()).id_factory is new_id


def _refusals(identifier: CallerIdentifier, customer_id: str) -> list[Callable[[], object]]:
    naive = datetime(2026, 3, 2, 9, 30)  # noqa: DTZ001 - naive on purpose
    return [
        lambda: identifier.identify("07700 900123", now=naive),
        lambda: identifier.identify("not a number", now=NOW),
        lambda: identifier.update_customer(customer_id, _vip, now=naive),
        lambda: identifier.update_customer("ghost", _vip, now=NOW),
        lambda: identifier.record_interaction(
            customer_id,
            channel=Channel.VOICE,
            direction=Direction.INBOUND,
            outcome=ContactOutcome.ANSWERED,
            now=naive,
        ),
        lambda: identifier.record_interaction(
            customer_id,
            channel=Channel.VOICE,
            direction=Direction.INBOUND,
            outcome=ContactOutcome.QUEUED,
            now=NOW,
        ),
        lambda: identifier.record_interaction(
            "ghost",
            channel=Channel.VOICE,
            direction=Direction.INBOUND,
            outcome=ContactOutcome.ANSWERED,
            now=NOW,
        ),
    ]


@pytest.mark.parametrize("number", range(7))
def test_a_refused_call_raises_and_changes_nothing(number: int) -> None:
    """A refused call raises (so it reports no event) and the store is as it was."""
    store = MemoryStorage()
    identifier = _identifier(store)
    customer = identifier.identify("020 7946 0018", now=NOW).customer
    before = (dumps(store.get_customer(customer.id)), store.recent_interactions(customer.id, 9))
    with pytest.raises(CallcoreError) as raised:
        _refusals(identifier, customer.id)[number]()
    assert (dumps(store.get_customer(customer.id)), store.recent_interactions(customer.id, 9)) == (
        before
    )
    assert store.find_customer(Identity.phone("+447700900123")) is None
    if isinstance(raised.value, NaiveDatetimeError):
        assert raised.value.field == "now"
    elif number in {3, 6}:
        assert isinstance(raised.value, NotFoundError)


def test_an_identification_document_holds_no_events() -> None:
    """Events travel through the event hooks: a saved identification loads without them."""
    from callcore.serialization import from_dict, to_dict  # noqa: PLC0415

    result = _identifier(MemoryStorage()).identify("020 7946 0018", now=NOW)
    document = to_dict(result)
    assert "events" not in document
    assert from_dict(Identification, document) == attrs.evolve(result, events=())
