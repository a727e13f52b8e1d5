"""Issue 10: customer value types check every field where it enters, naming it.

Constructors raise InvalidInputError whose ``field`` is the path to the bad
value; loading a document reports every bad field at once, each at its path;
and no malformed input lets anything but a CallcoreError out.
"""

from __future__ import annotations

import contextlib
import json
import math
from datetime import datetime, timedelta, timezone
from typing import TYPE_CHECKING, Any

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

from callcore.contacts import STANDARD_TIER, VIP_TIER, Channel, ContactOutcome, Direction
from callcore.customers import (
    Customer,
    Identification,
    Identity,
    IdentityKind,
    Interaction,
)
from callcore.errors import CallcoreError, DocumentError, InvalidInputError
from callcore.serialization import dumps, from_dict, loads, to_dict
from tests.storage.strategies import customers, interactions

if TYPE_CHECKING:
    from collections.abc import Callable

NOW = datetime(2026, 3, 2, 9, 30, tzinfo=timezone.utc)
ANA = Identity(IdentityKind.PHONE, "+40721234567")


def _deep(levels: int) -> object:
    value: object = "leaf"
    for _ in range(levels):
        value = [value]
    return value


CUSTOMER = Customer(id="c1", created_at=NOW, identities=(ANA,))
INTERACTION = Interaction(
    id="i1",
    customer_id="c1",
    channel=Channel.VOICE,
    direction=Direction.INBOUND,
    at=NOW,
    outcome=ContactOutcome.ANSWERED,
)

BAD_CUSTOMER_FIELDS = [
    ({"id": 5}, "id"),
    ({"id": "\ud800"}, "id"),
    ({"id": " "}, "id"),
    ({"created_at": "2026-03-02T09:30:00+00:00"}, "created_at"),
    ({"created_at": datetime(2026, 3, 2)}, "created_at"),  # noqa: DTZ001 - naive on purpose
    ({"created_at": datetime(9999, 1, 1, tzinfo=timezone.utc)}, "created_at"),
    ({"name": 5}, "name"),
    ({"name": "Ana \ud800"}, "name"),
    ({"identities": "+40721234567"}, "identities"),  # a string is not split into characters
    ({"identities": {ANA: 1}}, "identities"),  # nor a mapping into its keys
    ({"identities": ["+40721234567"]}, "identities[0]"),
    ({"identities": (ANA, ANA)}, "identities"),
    ({"tier": "VIP"}, "tier"),  # tier names are lower case
    ({"tier": ""}, "tier"),
    ({"tier": "gold tier"}, "tier"),
    ({"tier": "g" * 65}, "tier"),
    ({"tier": 1}, "tier"),
    ({"language": 5}, "language"),
    ({"language": "en-" + "a" * 40}, "language"),
    ({"attributes": ["a"]}, "attributes"),
    ({"attributes": {"x": "\ud800"}}, "attributes.x"),
    ({"attributes": {"x": {"\ud800": 1}}}, "attributes.x"),
    ({"attributes": {"n": 2**70}}, "attributes.n"),
    ({"attributes": {"f": math.inf}}, "attributes.f"),
    ({"attributes": {"deep": _deep(100)}}, "attributes.deep" + "[0]" * 31),
    ({"attributes": {"deep": _deep(40)}}, "attributes.deep" + "[0]" * 31),  # stays readable
    ({"version": 2**70}, "version"),
    ({"version": 1.5}, "version"),
    ({"version": -1}, "version"),
]


@pytest.mark.parametrize(("changes", "field"), BAD_CUSTOMER_FIELDS)
def test_customer_fields_are_checked_and_named(changes: dict[str, Any], field: str) -> None:
    """A bad field raises InvalidInputError whose field is the path to the bad value."""
    with pytest.raises(InvalidInputError) as raised:
        attrs.evolve(CUSTOMER, **changes)
    assert raised.value.field == field


BAD_INTERACTION_FIELDS = [
    ({"id": ""}, "id"),
    ({"customer_id": 7}, "customer_id"),
    ({"channel": "voice"}, "channel"),
    ({"direction": "inbound"}, "direction"),
    ({"outcome": "resolved"}, "outcome"),
    ({"outcome": "answered"}, "outcome"),
    ({"outcome": ContactOutcome.QUEUED}, "outcome"),  # how an IVR leg ends, not a contact
    ({"resolved": 1}, "resolved"),
    ({"resolved": "yes"}, "resolved"),
    ({"at": datetime(1, 1, 1, tzinfo=timezone.utc)}, "at"),
    ({"at": 1_700_000_000}, "at"),
    ({"agent": 5}, "agent"),
    ({"queue": b"billing"}, "queue"),
    ({"ticket_id": "\udfff"}, "ticket_id"),
    ({"notes": None}, "notes"),
    ({"notes": "x" * 100_001}, "notes"),
    ({"duration": timedelta(days=999_999_999)}, "duration"),
    ({"duration": timedelta(seconds=-1)}, "duration"),
    ({"duration": 30}, "duration"),
]


@pytest.mark.parametrize(("changes", "field"), BAD_INTERACTION_FIELDS)
def test_interaction_fields_are_checked_and_named(changes: dict[str, Any], field: str) -> None:
    """A bad field raises InvalidInputError naming it."""
    with pytest.raises(InvalidInputError) as raised:
        attrs.evolve(INTERACTION, **changes)
    assert raised.value.field == field


@pytest.mark.parametrize(
    ("build", "field"),
    [
        (lambda: Identity("phone", "+40721234567"), "kind"),  # type: ignore[arg-type]
        (lambda: Identity(IdentityKind.PHONE, 40721234567), "value"),  # type: ignore[arg-type]
        (lambda: Identity(IdentityKind.EMAIL, "\ud800@example.ro"), "value"),
        (lambda: Identification(customer="c1", history=(), created=True), "customer"),  # type: ignore[arg-type]
        (lambda: Identification(customer=CUSTOMER, history="ab", created=True), "history"),
        (lambda: Identification(customer=CUSTOMER, history=[5], created=True), "history[0]"),
        (
            lambda: Identification(customer=CUSTOMER, history=(), created=True, events=[5]),
            "events[0]",
        ),
        (lambda: Identification(customer=CUSTOMER, history=(), created=1), "created"),  # type: ignore[arg-type]
    ],
)
def test_identity_and_identification_fields_are_checked(build: Any, field: str) -> None:
    """Identities and identifications refuse wrong types with the field named."""
    with pytest.raises(InvalidInputError) as raised:
        build()
    assert raised.value.field == field


def test_customer_document_files_each_problem_at_its_path() -> None:
    """Issue 10, point 8: every bad field of a customer document at its own path, not ''."""
    data = {
        "id": " ",
        "created_at": "1850-01-01T00:00:00+00:00",
        "name": "Ana",
        "identities": [],
        "tier": "vip",
        "language": "not a tag!",
        "attributes": {"a": {"b": "\ud800"}},
        "version": -1,
    }
    with pytest.raises(DocumentError) as raised:
        from_dict(Customer, data)
    paths = {problem.path for problem in raised.value.problems}
    assert paths == {"id", "created_at", "language", "attributes.a.b", "version"}


def test_interaction_document_files_each_problem_at_its_path() -> None:
    """Issue 10, point 8: the same for an interaction, also through JSON text."""
    data = to_dict(INTERACTION) | {"id": "", "duration": 10**12, "notes": "\ud800"}
    text = json.dumps(data)  # escapes the surrogate as \\ud800, as a web hook would
    with pytest.raises(DocumentError) as raised:
        loads(Interaction, text)
    assert {problem.path for problem in raised.value.problems} == {"id", "duration", "notes"}


def test_nested_identity_problem_has_its_path() -> None:
    """An identity not in normal form inside a customer is reported at its own path."""
    data = to_dict(CUSTOMER) | {"identities": [{"kind": "phone", "value": "0721 234 567"}]}
    with pytest.raises(DocumentError) as raised:
        from_dict(Customer, data)
    assert [problem.path for problem in raised.value.problems] == ["identities[0].value"]


# --- fuzz: malformed values and documents let only CallcoreError out ---------------------

surrogates = st.sampled_from(["\ud800", "a\udfffb", "\udbff\udc00\ud800"])
malformed_values: st.SearchStrategy[object] = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**80), max_value=2**80),
    st.sampled_from([2**70, -(2**70), 10**400]),
    st.floats(),
    st.text(max_size=20),
    surrogates,
    st.binary(max_size=5),
    st.datetimes(),  # naive
    st.datetimes(timezones=st.just(timezone.utc)),  # far past and future included
    st.timedeltas(),
    st.lists(st.integers(), max_size=3),
    st.dictionaries(st.text(max_size=3), st.integers(), max_size=3),
    st.just(_deep(80)),
    st.sampled_from([*Channel, *Direction, *ContactOutcome, "vip", "Gold", ANA]),
)


@given(st.sampled_from(attrs.fields(Customer)), malformed_values)
def test_fuzz_customer_constructor(field: attrs.Attribute[Any], value: object) -> None:
    """Any value in any field of a Customer: a customer, or a CallcoreError."""
    with contextlib.suppress(CallcoreError):
        changes: dict[str, Any] = {field.name: value}
        attrs.evolve(CUSTOMER, **changes)


@given(st.sampled_from(attrs.fields(Interaction)), malformed_values)
def test_fuzz_interaction_constructor(field: attrs.Attribute[Any], value: object) -> None:
    """Any value in any field of an Interaction: an interaction, or a CallcoreError."""
    with contextlib.suppress(CallcoreError):
        changes: dict[str, Any] = {field.name: value}
        attrs.evolve(INTERACTION, **changes)


json_garbage: st.SearchStrategy[object] = st.recursive(
    st.one_of(
        st.none(),
        st.booleans(),
        st.integers(min_value=-(2**80), max_value=2**80),
        st.floats(allow_nan=False, allow_infinity=False),
        st.text(max_size=12),
        surrogates,
        st.sampled_from(["1850-01-01T00:00:00+00:00", "2026-03-02T09:30:00", "9999-12-31T00:00Z"]),
    ),
    lambda children: (
        st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=5), children)
    ),
    max_leaves=10,
)


@st.composite
def broken_documents(draw: st.DrawFn, valid: st.SearchStrategy[Any]) -> object:
    """A valid document with fields replaced, removed or added, or not a document at all."""
    data = to_dict(draw(valid))
    if draw(st.integers(0, 9)) == 0:
        return draw(json_garbage)
    for _ in range(draw(st.integers(1, 3))):
        key = draw(st.sampled_from([*data, "extra"]))
        if draw(st.booleans()):
            data[key] = draw(json_garbage)
        else:
            data.pop(key, None)
    return data


@given(st.data())
def test_fuzz_customer_documents(data: st.DataObject) -> None:
    """from_dict and loads on a broken customer or interaction document: DocumentError only."""
    cls = data.draw(st.sampled_from([Customer, Interaction, Identification]))
    valid = {Customer: customers(), Interaction: interactions()}.get(
        cls,
        st.builds(Identification, customer=customers(), history=st.just(()), created=st.booleans()),
    )
    document = data.draw(broken_documents(valid))
    reads: list[Callable[[], object]] = [
        lambda: from_dict(cls, document),
        lambda: loads(cls, json.dumps(document)),
    ]
    for read in reads:
        error = _error_of(read)
        assert not isinstance(error, DocumentError) or error.problems


def _error_of(read: Callable[[], object]) -> CallcoreError | None:
    """The CallcoreError ``read`` raises, if any (any other exception fails the test)."""
    try:
        read()
    except CallcoreError as error:
        return error
    return None


@given(customers(), interactions())
def test_valid_records_still_round_trip(customer: Customer, interaction: Interaction) -> None:
    """The checks refuse nothing that the strategies of valid records make."""
    assert loads(Customer, dumps(customer)) == customer
    assert to_dict(loads(Interaction, dumps(interaction))) == to_dict(interaction)


def test_hosts_name_their_own_tiers() -> None:
    """Any lower-case tier name is a tier: the two every host has, and its own."""
    assert CUSTOMER.tier == STANDARD_TIER
    for tier in (VIP_TIER, "gold", "platinum-plus", "tier_2"):
        assert attrs.evolve(CUSTOMER, tier=tier).tier == tier


def test_an_interaction_keeps_whether_the_issue_was_resolved() -> None:
    """``resolved`` is unknown by default, and true or false when recorded."""
    assert INTERACTION.resolved is None
    escalated = attrs.evolve(INTERACTION, resolved=False, ticket_id="T-1")
    assert escalated.resolved is False
    assert loads(Interaction, dumps(escalated)) == escalated
