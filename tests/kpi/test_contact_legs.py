"""One contact across its legs (issue 15, defect 2).

A call that rings agent A, who does not answer, and is then answered by agent
B makes two records of one contact. It is one inbound contact and not a
repeat of itself; per agent it is one miss for A and one answer for B.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from hypothesis import given
from hypothesis import strategies as st

from callcore.contacts import Channel, Direction
from callcore.kpi import (
    Aggregator,
    ContactOutcome,
    InteractionRecord,
    RepeatContactMarker,
    RollingWindow,
    evaluate,
)

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=timezone.utc)
SECOND = timedelta(seconds=1)


def _legs(contact: str, customer: str, at: datetime) -> list[InteractionRecord]:
    """A missed leg at agent A, then the answered leg at agent B."""
    missed = InteractionRecord(
        id=contact,
        contact_id=contact,
        channel=Channel.VOICE,
        direction=Direction.INBOUND,
        outcome=ContactOutcome.MISSED,
        arrived_at=at,
        queued_at=at,
        offered_at=at + 5 * SECOND,
        ended_at=at + 25 * SECOND,
        queue="sales",
        agent="A",
        customer_id=customer,
    )
    answered = InteractionRecord(
        id=f"{contact}-2",
        contact_id=contact,
        channel=Channel.VOICE,
        direction=Direction.INBOUND,
        outcome=ContactOutcome.ANSWERED,
        arrived_at=at + 25 * SECOND,
        queued_at=at + 25 * SECOND,
        offered_at=at + 26 * SECOND,
        answered_at=at + 30 * SECOND,
        ended_at=at + 200 * SECOND,
        queue="sales",
        agent="B",
        customer_id=customer,
    )
    return [missed, answered]


def test_the_issues_call_is_one_contact_resolved_first_time() -> None:
    """FCR by repeat window is 100 % (not 50 %), and inbound volume is 1 (not 2)."""
    marker = RepeatContactMarker(window=timedelta(days=1))
    marked = [marker.mark(record) for record in _legs("c1", "customer-1", T0)]
    assert [record.repeat_contact for record in marked] == [False, False]
    aggregator = Aggregator()
    aggregator.add_many(marked)
    values = evaluate(
        aggregator.total(), ["fcr.repeat_window", "volume_in", "contacts", "missed", "answered"]
    )
    assert values == {
        "fcr.repeat_window": 1.0,
        "volume_in": 1,
        "contacts": 1,
        "missed": 1,
        "answered": 1,
    }


def test_per_agent_figures_count_each_leg() -> None:
    """Grouped by agent, A has the miss and B the answer; the contact counts once overall."""
    aggregator = Aggregator(group_by="agent")
    aggregator.add_many(_legs("c1", "customer-1", T0))
    by_agent = {key.agent: totals for key, totals in aggregator.groups().items()}
    assert (by_agent["A"].missed, by_agent["A"].answered) == (1, 0)
    assert (by_agent["B"].missed, by_agent["B"].answered, by_agent["B"].handled) == (0, 1, 1)
    assert sum(totals.inbound for totals in by_agent.values()) == 1
    offered = {
        agent: evaluate(totals, ["offered"])["offered"] for agent, totals in by_agent.items()
    }
    assert offered == {"A": 1, "B": 1}  # each leg rang one agent


def test_a_second_contact_is_still_a_repeat() -> None:
    """Two two-leg contacts of one customer an hour apart: one contact in two is a repeat."""
    marker = RepeatContactMarker(window=timedelta(days=1))
    records = _legs("c1", "customer-1", T0) + _legs("c2", "customer-1", T0 + timedelta(hours=1))
    marked = [marker.mark(record) for record in records]
    assert [record.repeat_contact for record in marked] == [False, False, True, True]
    aggregator = Aggregator()
    aggregator.add_many(marked)
    assert evaluate(aggregator.total(), ["fcr.repeat_window", "volume_in"]) == {
        "fcr.repeat_window": 0.5,
        "volume_in": 2,
    }


def test_the_rolling_window_counts_a_contact_once() -> None:
    """The wallboard's totals follow the same rule as the aggregator's."""
    window = RollingWindow(length=timedelta(hours=1), resolution=timedelta(minutes=1))
    for record in _legs("c1", "customer-1", T0):
        window.add(record)
    ((_, totals),) = window.totals(now=T0 + timedelta(minutes=10)).items()
    assert (totals.contacts, totals.inbound, totals.missed, totals.answered) == (1, 1, 1, 1)


@given(st.lists(st.tuples(st.integers(0, 3), st.integers(1, 4)), min_size=1, max_size=12))
def test_volumes_count_distinct_contacts(contacts: list[tuple[int, int]]) -> None:
    """Any number of legs per contact: volume is the number of distinct contact ids."""
    records = [
        InteractionRecord(
            id=f"c{number}" if leg == 0 else f"c{number}-{leg}",
            contact_id=f"c{number}" if legs > 1 else None,
            channel=Channel.VOICE,
            direction=Direction.INBOUND,
            outcome=ContactOutcome.VOICEMAIL,
            arrived_at=T0 + timedelta(minutes=10 * number) + leg * SECOND,
            ended_at=T0 + timedelta(minutes=10 * number) + leg * SECOND,
            customer_id=f"customer-{customer}",
        )
        for number, (customer, legs) in enumerate(contacts)
        for leg in range(legs)
    ]
    marker = RepeatContactMarker(window=timedelta(minutes=25))
    marked = [marker.mark(record) for record in records]
    aggregator = Aggregator()
    aggregator.add_many(reversed(marked))  # any order
    total = aggregator.total()
    assert total.contacts == total.inbound == len(contacts)
    assert total.voicemail == len(records)
    # Repeats by brute force over contacts: the same customer's previous contact within 25 min.
    expected_repeats = 0
    for number, (customer, _) in enumerate(contacts):
        earlier = [n for n, (c, _) in enumerate(contacts[:number]) if c == customer]
        expected_repeats += bool(earlier and 10 * (number - max(earlier)) <= 25)
    assert (total.repeat_known, total.repeats) == (len(contacts), expected_repeats)
