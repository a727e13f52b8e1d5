"""Every public model of customers round-trips through callcore.serialization."""

from __future__ import annotations

import pytest
from hypothesis import given

from callcore.customers import Customer, Identification, Identity, Interaction
from callcore.errors import DocumentError
from callcore.serialization import dumps, from_dict, loads, to_dict
from tests.storage.strategies import customers, identifications, identities, interactions


@given(identities)
def test_identity_round_trips(identity: Identity) -> None:
    """An identity survives to_dict/from_dict and JSON."""
    assert from_dict(Identity, to_dict(identity)) == identity
    assert loads(Identity, dumps(identity)) == identity


@given(customers())
def test_customer_round_trips(customer: Customer) -> None:
    """A customer survives to_dict/from_dict and JSON, offsets included."""
    assert from_dict(Customer, to_dict(customer)) == customer
    again = loads(Customer, dumps(customer))
    assert again == customer
    assert to_dict(again) == to_dict(customer)


@given(interactions())
def test_interaction_round_trips(interaction: Interaction) -> None:
    """An interaction survives to_dict/from_dict and JSON."""
    assert from_dict(Interaction, to_dict(interaction)) == interaction
    assert to_dict(loads(Interaction, dumps(interaction))) == to_dict(interaction)


@given(identifications())
def test_identification_round_trips(identification: Identification) -> None:
    """An identification survives to_dict/from_dict and JSON."""
    assert from_dict(Identification, to_dict(identification)) == identification
    assert loads(Identification, dumps(identification)) == identification


def test_customer_document_shape() -> None:
    """A customer is plain JSON data with enums by value and times in ISO 8601."""
    data = {
        "id": "c1",
        "created_at": "2026-03-02T09:30:00+02:00",
        "name": "Ana",
        "identities": [{"kind": "phone", "value": "+40721234567"}],
        "tier": "vip",
        "language": "ro",
        "attributes": {"plan": "gold", "seats": [1, 2]},
        "version": 3,
    }
    customer = from_dict(Customer, data)
    assert customer.identities == (Identity.phone("0721234567", "40"),)
    assert to_dict(customer) == data


def test_bad_customer_document_lists_every_problem() -> None:
    """A bad document is refused with one problem per bad field, each with its path."""
    data = {
        "id": "c1",
        "created_at": "2026-03-02T09:30:00",
        "identities": [{"kind": "phone", "value": "0721 234 567"}],
        "tier": "Gold",  # tier names are lower case: "gold" is a tier
        "attributes": {"x": 1},
        "colour": "red",
    }
    with pytest.raises(DocumentError) as raised:
        from_dict(Customer, data)
    paths = {problem.path for problem in raised.value.problems}
    assert {"created_at", "identities[0].value", "tier"} <= paths
    assert any("colour" in problem.message for problem in raised.value.problems)


def test_unnormalised_identity_in_document_is_refused() -> None:
    """A document cannot smuggle in an identity that is not in normal form."""
    with pytest.raises(DocumentError) as raised:
        from_dict(Identity, {"kind": "email", "value": "Ana@Example.RO"})
    assert "ana@example.ro" in str(raised.value)
