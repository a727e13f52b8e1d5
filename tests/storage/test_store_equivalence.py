"""Both built-in stores give equal results for equal operations (stateful, hypothesis)."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any

import attrs
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule

from callcore.contacts import Channel, Direction
from callcore.customers import ContactOutcome, Customer, Identity, Interaction
from callcore.errors import CallcoreError
from callcore.serialization import to_dict
from callcore.storage import MemoryStorage, SQLiteStorage

NOW = datetime(2026, 3, 2, 9, 30, tzinfo=timezone.utc)
CUSTOMER_IDS = ["ana", "bob", "cai"]
IDENTITIES = [
    Identity.phone("+40721234567"),
    Identity.phone("+442079460018"),
    Identity.email("ana@example.ro"),
    Identity.email("bob@example.co.uk"),
]
identity_sets = st.lists(st.sampled_from(IDENTITIES), max_size=2, unique=True).map(tuple)


def outcome(call: Any) -> tuple[str, object]:
    """Run ``call`` and describe what happened: a value as plain data, or the error type."""
    try:
        result = call()
    except CallcoreError as error:
        return ("error", type(error).__name__)
    return ("value", to_dict(result))


class StoresAgree(RuleBasedStateMachine):
    """Apply the same operations to a MemoryStorage and an SQLiteStorage."""

    def __init__(self) -> None:
        """Open one store of each kind."""
        super().__init__()
        self.memory = MemoryStorage()
        self.sqlite = SQLiteStorage(":memory:")
        self.interaction_number = 0

    def both(self, operation: Any) -> tuple[str, object]:
        """Apply ``operation`` to both stores and check they agree."""
        on_memory = outcome(lambda: operation(self.memory))
        on_sqlite = outcome(lambda: operation(self.sqlite))
        assert on_memory == on_sqlite
        return on_memory

    @rule(customer_id=st.sampled_from(CUSTOMER_IDS), identities=identity_sets)
    def add_customer(self, customer_id: str, identities: tuple[Identity, ...]) -> None:
        """Add a customer (which may clash on its id or an identity)."""
        customer = Customer(id=customer_id, created_at=NOW, identities=identities)
        self.both(lambda store: store.add_customer(customer))

    @rule(
        customer_id=st.sampled_from(CUSTOMER_IDS),
        identities=identity_sets,
        name=st.text(max_size=5),
        version_shift=st.sampled_from([0, 0, 0, -1, 1]),
    )
    def save_customer(
        self, customer_id: str, identities: tuple[Identity, ...], name: str, version_shift: int
    ) -> None:
        """Save a changed customer, sometimes with a stale or future version."""
        current = self.memory.get_customer(customer_id)
        if current is None:
            return
        version = max(current.version + version_shift, 0)
        changed = attrs.evolve(current, identities=identities, name=name, version=version)
        self.both(lambda store: store.save_customer(changed))

    @precondition(lambda self: self.interaction_number < 40)
    @rule(
        customer_id=st.sampled_from([*CUSTOMER_IDS, "ghost"]),
        minutes=st.integers(min_value=0, max_value=5),
        reuse_id=st.booleans(),
    )
    def add_interaction(self, customer_id: str, minutes: int, reuse_id: bool) -> None:
        """Record an interaction, sometimes at an equal time or with a taken id."""
        if not reuse_id or self.interaction_number == 0:
            self.interaction_number += 1
        interaction = Interaction(
            id=f"i{self.interaction_number}",
            customer_id=customer_id,
            channel=Channel.VOICE,
            direction=Direction.INBOUND,
            at=NOW + timedelta(minutes=minutes),
            outcome=ContactOutcome.ANSWERED,
        )
        self.both(lambda store: store.add_interaction(interaction))

    @invariant()
    def reads_agree(self) -> None:
        """Every read gives the same answer on both stores."""
        for customer_id in CUSTOMER_IDS:
            self.both(lambda store, key=customer_id: store.get_customer(key))
            self.both(lambda store, key=customer_id: store.recent_interactions(key, 3))
        for identity in IDENTITIES:
            self.both(lambda store, key=identity: store.find_customer(key))

    def teardown(self) -> None:
        """Close both stores."""
        self.memory.close()
        self.sqlite.close()


TestStoresAgree = StoresAgree.TestCase
