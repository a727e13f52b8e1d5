"""Repeat-contact marking for first-contact resolution by window."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st

from callcore.contacts import Channel, Direction
from callcore.errors import InvalidInputError
from callcore.kpi import (
    Aggregator,
    ContactOutcome,
    InteractionRecord,
    RepeatContactMarker,
    evaluate,
)

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=timezone.utc)


def _contact(number: int, customer: str | None, hours: float) -> InteractionRecord:
    at = T0 + timedelta(hours=hours)
    return InteractionRecord(
        id=str(number),
        channel=Channel.VOICE,
        direction=Direction.INBOUND,
        outcome=ContactOutcome.ANSWERED,
        arrived_at=at,
        answered_at=at,
        ended_at=at + timedelta(minutes=3),
        customer_id=customer,
    )


def test_a_contact_within_the_window_is_a_repeat() -> None:
    """A second contact within 24 h is a repeat; one after 24 h is not."""
    marker = RepeatContactMarker(window=timedelta(hours=24))
    marked = [
        marker.mark(_contact(1, "c1", 0)),
        marker.mark(_contact(2, "c1", 24)),  # exactly at the window's edge: a repeat
        marker.mark(_contact(3, "c2", 30)),
        marker.mark(_contact(4, "c1", 48.5)),  # 24.5 h after the last one
        marker.mark(_contact(5, None, 49)),
    ]
    assert [record.repeat_contact for record in marked] == [False, True, False, False, None]
    aggregator = Aggregator()
    aggregator.add_many(marked)
    assert evaluate(aggregator.total(), ["fcr.repeat_window"]) == {"fcr.repeat_window": 0.75}


@given(st.lists(st.tuples(st.sampled_from(["a", "b", "c"]), st.integers(0, 200)), max_size=30))
def test_repeats_match_a_pairwise_check(contacts: list[tuple[str, int]]) -> None:
    """A contact is a repeat iff the same customer's previous contact is within the window."""
    ordered = sorted(contacts, key=lambda item: item[1])
    marker = RepeatContactMarker(window=timedelta(hours=48))
    for index, (customer, hour) in enumerate(ordered):
        marked = marker.mark(_contact(index, customer, hour))
        earlier = [h for c, h in ordered[:index] if c == customer]
        assert marked.repeat_contact == bool(earlier and hour - max(earlier) <= 48)


def test_records_out_of_order_are_refused() -> None:
    """Feeding an earlier arrival after a later one raises and keeps the state."""
    marker = RepeatContactMarker()
    marker.mark(_contact(1, "c1", 5))
    with pytest.raises(InvalidInputError, match="in order of arrival"):
        marker.mark(_contact(2, "c1", 1))
    assert marker.mark(_contact(3, "c1", 6)).repeat_contact is True


def test_the_window_must_be_positive() -> None:
    """A zero window is refused."""
    with pytest.raises(InvalidInputError, match="window must be longer than zero"):
        RepeatContactMarker(window=timedelta(0))
