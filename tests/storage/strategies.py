"""Hypothesis strategies for customers, identities and interactions."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from hypothesis import strategies as st

from callcore.contacts import STANDARD_TIER, VIP_TIER, Channel, ContactOutcome, Direction
from callcore.customers import (
    Customer,
    Identification,
    Identity,
    IdentityKind,
    Interaction,
    JSONValue,
)

ids = st.text(alphabet="abcdefghijklmnopqrstuvwxyz0123456789-_", min_size=1, max_size=12)
"""Ids such as hosts and id factories make."""

# fixed offsets, so that a datetime's offset survives JSON exactly
offsets = st.integers(min_value=-12 * 60, max_value=14 * 60).map(
    lambda minutes: timezone(timedelta(minutes=minutes))
)
aware_datetimes = st.datetimes(
    min_value=datetime(1990, 1, 1),  # noqa: DTZ001 - hypothesis bounds are naive
    max_value=datetime(2100, 1, 1),  # noqa: DTZ001
    timezones=offsets,
)


@st.composite
def e164_numbers(draw: st.DrawFn) -> str:
    """A phone number in E.164 form: '+', no leading 0, 8 to 15 digits."""
    first = draw(st.sampled_from("123456789"))
    rest = draw(st.text(alphabet="0123456789", min_size=7, max_size=14))
    return f"+{first}{rest}"


@st.composite
def email_addresses(draw: st.DrawFn) -> str:
    """A normalised email address."""
    label = st.text(alphabet="abcdefghijklmnopqrstuvwxyz0123456789-", min_size=1, max_size=10)
    local = draw(
        st.text(alphabet="abcdefghijklmnopqrstuvwxyz0123456789.+_", min_size=1, max_size=16)
    )
    names = draw(st.lists(label, min_size=2, max_size=3))
    return f"{local}@{'.'.join(names)}"


identities = st.one_of(
    e164_numbers().map(lambda value: Identity(IdentityKind.PHONE, value)),
    email_addresses().map(lambda value: Identity(IdentityKind.EMAIL, value)),
)

json_values: st.SearchStrategy[JSONValue] = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**53), max_value=2**53)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=10),
    lambda children: (
        st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=6), children, max_size=3)
    ),
    max_leaves=8,
)

languages = st.sampled_from(["en", "en-GB", "ro", "ro-RO", "fr-CA", "zh-Hant-TW"])
tiers = st.sampled_from([STANDARD_TIER, VIP_TIER, "gold", "platinum", "tier-2", "b2b_enterprise"])
"""Tier names: the two every host has and some a host chose."""
HISTORY_OUTCOMES = [outcome for outcome in ContactOutcome if outcome is not ContactOutcome.QUEUED]
"""How a contact in a customer's history may end: 'queued' is how an IVR leg ends."""


@st.composite
def customers(draw: st.DrawFn, customer_id: str | None = None) -> Customer:
    """A customer with any field values."""
    return Customer(
        id=customer_id or draw(ids),
        created_at=draw(aware_datetimes),
        name=draw(st.none() | st.text(max_size=20)),
        identities=tuple(draw(st.lists(identities, max_size=3, unique=True))),
        tier=draw(tiers),
        language=draw(st.none() | languages),
        attributes=draw(st.dictionaries(st.text(max_size=8), json_values, max_size=4)),
        version=draw(st.integers(min_value=0, max_value=1000)),
    )


@st.composite
def interactions(draw: st.DrawFn, customer_id: str | None = None) -> Interaction:
    """An interaction with any field values."""
    return Interaction(
        id=draw(ids),
        customer_id=customer_id or draw(ids),
        channel=draw(st.sampled_from(Channel)),
        direction=draw(st.sampled_from(Direction)),
        at=draw(aware_datetimes),
        outcome=draw(st.sampled_from(HISTORY_OUTCOMES)),
        resolved=draw(st.sampled_from([True, False, None])),
        agent=draw(st.none() | ids),
        queue=draw(st.none() | ids),
        ticket_id=draw(st.none() | ids),
        notes=draw(st.text(max_size=30)),
        duration=draw(
            st.none() | st.timedeltas(min_value=timedelta(0), max_value=timedelta(hours=10))
        ),
    )


@st.composite
def identifications(draw: st.DrawFn) -> Identification:
    """An identification result."""
    customer = draw(customers())
    history = draw(st.lists(interactions(customer.id), max_size=3))
    return Identification(customer=customer, history=tuple(history), created=draw(st.booleans()))
