"""Issue 10: malformed phone numbers, addresses and arguments to CallerIdentifier.

Whatever a telephony system or a web hook sends, only CallcoreError leaves,
and a refused identification creates nothing; with the built-in rules and with
libphonenumber alike.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st

from callcore.contacts import Channel, Direction
from callcore.customers import (
    CallerIdentifier,
    ContactOutcome,
    Customer,
    Identity,
    InvalidIdentityError,
    normalize_email,
    normalize_phone,
)
from callcore.errors import CallcoreError, InvalidInputError, NaiveDatetimeError
from callcore.storage import MemoryStorage
from tests.storage.phones import RULES, phone_rules

NOW = datetime(2026, 3, 2, 9, 30, tzinfo=timezone.utc)

surrogates = st.sampled_from(["\ud800", "+40 \udfff", "ana\udbff@example.ro"])
phone_texts = st.text(alphabet="0123456789+ -.()/~", max_size=24)
raw_identities: st.SearchStrategy[object] = st.one_of(
    phone_texts,
    st.text(max_size=24),
    st.emails(),
    surrogates,
    st.text(alphabet="0123456789", min_size=16, max_size=400),  # far too many digits
    st.sampled_from(["@", "a@b", "+", "00", "0011 0", "8~10", "(0)", "+44 (0)", " " * 3]),
    st.none(),
    st.integers(min_value=-(2**80), max_value=2**80),
    st.floats(),
    st.binary(max_size=8),
    st.lists(st.text(max_size=3), max_size=2),
)
country_codes: st.SearchStrategy[object] = st.one_of(
    st.sampled_from(["1", "7", "39", "36", "44", "61", "91", "250", "999", "800"]),
    st.text(max_size=4),
    st.integers(),
    st.none(),
)
nows: st.SearchStrategy[object] = st.one_of(
    st.just(NOW),
    st.datetimes(),  # naive
    st.datetimes(timezones=st.just(timezone.utc)),  # far past and future included
    st.sampled_from(["2026-03-02T09:30:00+00:00", 1_700_000_000, None]),
)


@given(st.sampled_from(RULES), raw_identities, country_codes)
def test_fuzz_normalisers(rules: str, raw: object, country: object) -> None:
    """normalize_phone, normalize_email and Identity.parse: a value or a CallcoreError."""
    with phone_rules(rules):
        for read in (
            lambda: normalize_phone(raw, country),  # type: ignore[arg-type]
            lambda: normalize_email(raw),  # type: ignore[arg-type]
            lambda: Identity.parse(raw, country),  # type: ignore[arg-type]
        ):
            try:
                value = read()
            except CallcoreError:
                continue
            text = value.value if isinstance(value, Identity) else value
            assert isinstance(text, str)
            text.encode("utf-8")  # what is accepted can be stored


@given(st.sampled_from(RULES), raw_identities, country_codes, nows)
def test_fuzz_identify(rules: str, raw: object, country: object, now: object) -> None:
    """identify() with any identity, country code and time.

    The result is a customer, or a CallcoreError and no customer created.
    """
    store = MemoryStorage()
    if not (isinstance(country, str) and re.fullmatch(r"[1-9][0-9]{0,2}", country)):
        with pytest.raises(InvalidInputError, match="default_country_code"):
            CallerIdentifier(store, default_country_code=country)  # type: ignore[arg-type]
        return
    identifier = CallerIdentifier(store, default_country_code=country)
    with phone_rules(rules):
        try:
            found = identifier.identify(raw, now=now)  # type: ignore[arg-type]
        except CallcoreError:
            assert store._customers == {}
        else:
            assert store.find_customer(found.customer.identities[0]) == found.customer


@given(
    st.one_of(st.just("ana"), raw_identities),
    st.sampled_from([Channel.VOICE, "voice", 1, None]),
    st.sampled_from([Direction.INBOUND, "inbound"]),
    nows,
    st.sampled_from([ContactOutcome.ANSWERED, "resolved"]),
    st.one_of(st.none(), st.timedeltas(), st.integers()),
    st.one_of(st.just(""), st.text(max_size=5), surrogates, st.integers()),
)
def test_fuzz_record_interaction(
    customer_id: object,
    channel: object,
    direction: object,
    at: object,
    outcome: object,
    duration: object,
    notes: object,
) -> None:
    """record_interaction with any arguments: an interaction, or a CallcoreError and none."""
    store = MemoryStorage()
    identifier = CallerIdentifier(store, id_factory=lambda: "ana")
    identifier.identify("+40721234567", now=NOW)
    try:
        identifier.record_interaction(
            customer_id,  # type: ignore[arg-type]
            channel=channel,  # type: ignore[arg-type]
            direction=direction,  # type: ignore[arg-type]
            now=at,  # type: ignore[arg-type]
            outcome=outcome,  # type: ignore[arg-type]
            duration=duration,  # type: ignore[arg-type]
            notes=notes,  # type: ignore[arg-type]
        )
    except CallcoreError:
        assert store.recent_interactions("ana", 10) == []
    else:
        assert len(store.recent_interactions("ana", 10)) == 1


@given(
    st.one_of(st.just("ana"), raw_identities),
    st.sampled_from(["id", "not callable", "returns a string", "returns None"]),
    st.one_of(st.integers(min_value=-5, max_value=2**70), st.floats(), st.none()),
)
def test_fuzz_update_customer(customer_id: object, change: str, attempts: object) -> None:
    """update_customer with any arguments: a customer, or a CallcoreError and no change."""
    store = MemoryStorage()
    identifier = CallerIdentifier(store, id_factory=lambda: "ana")
    before = identifier.identify("+40721234567", now=NOW).customer
    changes = {
        "id": lambda customer: customer,
        "not callable": "x",
        "returns a string": lambda _: "ana",
        "returns None": lambda _: None,
    }
    try:
        identifier.update_customer(customer_id, changes[change], attempts=attempts, now=NOW)  # type: ignore[arg-type]
    except CallcoreError:
        assert store.get_customer("ana") == before


@pytest.mark.parametrize("rules", RULES)
def test_identify_refuses_wrong_types_by_name(rules: str) -> None:
    """A wrong type is named: the identity, or now."""
    identifier = CallerIdentifier(MemoryStorage())
    with phone_rules(rules):
        with pytest.raises(InvalidIdentityError) as bad_identity:
            identifier.identify(40721234567, now=NOW)  # type: ignore[arg-type]
        assert bad_identity.value.field == "identity"
        with pytest.raises(InvalidInputError) as raised:
            identifier.identify("+40721234567", now="2026-03-02")  # type: ignore[arg-type]
        assert raised.value.field == "now"
        with pytest.raises(NaiveDatetimeError):
            identifier.identify("+40721234567", now=NOW.replace(tzinfo=None))
        with pytest.raises(InvalidInputError) as raised:
            identifier.identify("+40721234567", now=NOW + timedelta(days=1000 * 366))
        assert raised.value.field == "now"


@pytest.mark.parametrize(
    ("options", "field"),
    [
        ({"store": object()}, "store"),
        ({"history_limit": 2**70}, "history_limit"),
        ({"history_limit": 0}, "history_limit"),
        ({"id_factory": "uuid"}, "id_factory"),
        ({"default_country_code": 44}, "default_country_code"),
    ],
)
def test_identifier_options_are_checked(options: dict[str, object], field: str) -> None:
    """CallerIdentifier refuses a non-store, an unbounded history and a bad id factory."""
    arguments: dict[str, object] = {"store": MemoryStorage(), **options}
    with pytest.raises(InvalidInputError) as raised:
        CallerIdentifier(**arguments)  # type: ignore[arg-type]
    assert raised.value.field == field


def test_update_customer_refuses_a_change_that_returns_no_customer() -> None:
    """A change must return a Customer; anything else is refused and nothing is saved."""
    store = MemoryStorage()
    identifier = CallerIdentifier(store, id_factory=lambda: "ana")
    before = identifier.identify("+40721234567", now=NOW).customer
    with pytest.raises(InvalidInputError) as raised:
        identifier.update_customer("ana", lambda _: {"id": "ana"}, now=NOW)  # type: ignore[arg-type,return-value]
    assert raised.value.field == "change"
    assert store.get_customer("ana") == before
    assert isinstance(before, Customer)
