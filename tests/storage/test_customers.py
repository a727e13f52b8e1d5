"""The Customer and Interaction models refuse bad values and stay immutable."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import attrs
import pytest

from callcore.contacts import Channel, Direction
from callcore.customers import ContactOutcome, Customer, Identity, Interaction
from callcore.errors import InvalidInputError, NaiveDatetimeError

NOW = datetime(2026, 3, 2, 9, 30, tzinfo=timezone.utc)
ANA = Identity.phone("0721 234 567", "40")


def test_attributes_are_copied_and_read_only() -> None:
    """A customer's attributes are a deep copy that cannot be changed in place."""
    tags = ["gold"]
    customer = Customer(id="c1", created_at=NOW, attributes={"tags": tags, "n": (1, 2)})
    tags.append("changed later")
    assert customer.attributes == {"tags": ["gold"], "n": [1, 2]}
    with pytest.raises(TypeError):
        customer.attributes["x"] = 1  # type: ignore[index]


@pytest.mark.parametrize(
    ("attributes", "where"),
    [
        ({"seen": {1, 2}}, "attributes.seen"),
        ({"score": float("nan")}, "attributes.score"),
        ({"deep": {"when": NOW}}, "attributes.deep.when"),
        ({"list": [1, {2: "x"}]}, "attributes.list[1]"),
    ],
)
def test_attributes_must_be_json(attributes: dict[str, object], where: str) -> None:
    """A value JSON cannot hold is refused with the path to it."""
    with pytest.raises(InvalidInputError, match=where.replace("[", r"\[").replace("]", r"\]")):
        Customer(id="c1", created_at=NOW, attributes=attributes)


@pytest.mark.parametrize(
    "changes",
    [
        {"id": ""},
        {"id": "   "},
        {"identities": (ANA, ANA)},
        {"identities": ("+40721234567",)},
        {"language": "not a tag!"},
        {"language": "e"},
        {"version": -1},
        {"version": True},
    ],
)
def test_bad_customer_fields_are_refused(changes: dict[str, object]) -> None:
    """Each bad field value raises InvalidInputError."""
    with pytest.raises(InvalidInputError):
        attrs.evolve(Customer(id="c1", created_at=NOW), **changes)  # type: ignore[arg-type]


def test_naive_times_are_refused() -> None:
    """Customers and interactions take timezone-aware times only."""
    with pytest.raises(NaiveDatetimeError, match="created_at"):
        Customer(id="c1", created_at=datetime(2026, 3, 2, 9, 30))  # noqa: DTZ001
    with pytest.raises(NaiveDatetimeError, match="at"):
        _interaction(at=datetime(2026, 3, 2, 9, 30))  # noqa: DTZ001


def test_negative_duration_is_refused() -> None:
    """An interaction cannot last less than nothing."""
    with pytest.raises(InvalidInputError, match="duration"):
        _interaction(duration=timedelta(seconds=-1))


def test_has_identity() -> None:
    """has_identity tells whether an identity is the customer's."""
    customer = Customer(id="c1", created_at=NOW, identities=(ANA,))
    assert customer.has_identity(ANA)
    assert not customer.has_identity(Identity.email("ana@example.ro"))


def _interaction(at: datetime = NOW, duration: timedelta | None = None) -> Interaction:
    return Interaction(
        id="i1",
        customer_id="c1",
        channel=Channel.CHAT,
        direction=Direction.INBOUND,
        at=at,
        outcome=ContactOutcome.ANSWERED,
        duration=duration,
    )
