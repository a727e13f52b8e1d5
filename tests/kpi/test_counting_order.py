"""The fast counting path: any order, any interleaving, the same totals."""

from __future__ import annotations

import gc
import weakref
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from callcore.contacts import Channel, Direction
from callcore.errors import InvalidInputError
from callcore.kpi import Aggregate, Aggregator, ContactOutcome, InteractionRecord, Thresholds
from callcore.kpi._aggregate import add_record
from callcore.serialization import dumps, loads
from tests.kpi.reference import as_reference, reference_totals
from tests.kpi.strategies import NOW, interaction_records

LONDON = ZoneInfo("Europe/London")
ALL_DIMS = ("interval", "queue", "agent", "channel")

# One step of a feeding session: add one record, add a batch, merge a shard
# built from a batch, or save to JSON and carry on with the loaded copy.
_STEPS = st.sampled_from(["add", "add_many", "merge_shard", "reload"])


@given(
    st.lists(st.tuples(_STEPS, st.lists(interaction_records(), min_size=1, max_size=6))),
    st.sets(st.sampled_from(ALL_DIMS)),
    st.booleans(),
)
def test_interleaved_adds_merges_and_reloads_match_brute_force(
    steps: list[tuple[str, list[InteractionRecord]]], dims: set[str], in_time_order: bool
) -> None:
    """Adds, merges and JSON reloads in any order give the brute-force totals."""

    def make() -> Aggregator:
        return Aggregator(group_by=tuple(dims), interval=timedelta(minutes=15), timezone=LONDON)

    if in_time_order:  # the interval cache's fast path: arrivals never go back
        everything = sorted(
            (record for _, batch in steps for record in batch), key=lambda r: r.arrived_at
        )
        cut, ordered = 0, []
        for step, batch in steps:
            ordered.append((step, everything[cut : cut + len(batch)]))
            cut += len(batch)
        steps = ordered
    aggregator = make()
    fed: list[InteractionRecord] = []
    for step, batch in steps:
        if step == "add":
            for record in batch:
                aggregator.add(record)
        elif step == "add_many":
            aggregator.add_many(iter(batch))
        elif step == "merge_shard":
            shard = make()
            shard.add_many(batch)
            aggregator.merge(shard, now=NOW)
        else:
            aggregator = loads(Aggregator, dumps(aggregator))
            aggregator.add_many(batch)
        fed.extend(batch)
    expected = reference_totals(fed, zone=LONDON, minutes=15, dims=tuple(dims))
    assert as_reference(aggregator) == expected
    assert len(aggregator) == len(expected)


@given(st.lists(interaction_records(), max_size=30))
def test_an_aggregator_merged_into_itself_doubles(records: list[InteractionRecord]) -> None:
    """Merging an aggregator into itself counts every record twice, like feeding it twice."""
    doubled, twice = Aggregator(group_by=("queue",)), Aggregator(group_by=("queue",))
    doubled.add_many(records)
    doubled.merge(doubled, now=NOW)
    twice.add_many(records + records)
    assert doubled.groups() == twice.groups()


@given(
    st.lists(interaction_records(), max_size=30),
    st.integers(0, 60),
    st.integers(0, 60),
)
def test_fast_counting_agrees_with_the_plain_per_record_count(
    records: list[InteractionRecord], service_level: int, short_abandon: int
) -> None:
    """The grand total equals counting each record into one Aggregate, any thresholds."""
    thresholds = Thresholds(
        service_level=timedelta(seconds=service_level),
        short_abandon=timedelta(seconds=short_abandon),
    )
    aggregator = Aggregator(thresholds=thresholds)
    aggregator.add_many(records)
    plain = Aggregate()
    for record in records:
        add_record(plain, record, thresholds.service_level, thresholds.short_abandon)
    assert aggregator.total() == plain


def test_add_many_counts_a_batch_with_a_non_record_not_at_all() -> None:
    """A batch with a bad item is refused whole: not even the records before it count."""
    good = InteractionRecord(
        id="1",
        channel=Channel.VOICE,
        direction=Direction.INBOUND,
        outcome=ContactOutcome.ABANDONED,
        arrived_at=datetime(2026, 3, 2, 9, tzinfo=timezone.utc),
        ended_at=datetime(2026, 3, 2, 9, 1, tzinfo=timezone.utc),
    )
    aggregator = Aggregator()
    with pytest.raises(InvalidInputError, match="expected an InteractionRecord, got dict"):
        aggregator.add_many([good, {"id": "2"}, good])  # type: ignore[list-item]
    assert aggregator.total().contacts == 0
    assert len(aggregator) == 0


def test_a_dropped_aggregator_is_freed_without_the_cycle_collector() -> None:
    """The counter holds no reference back to its aggregator, so dropping it frees it."""
    aggregator = Aggregator(group_by=("interval", "queue"))
    aggregator.add_many(
        [
            InteractionRecord(
                id="1",
                channel=Channel.VOICE,
                direction=Direction.INBOUND,
                outcome=ContactOutcome.VOICEMAIL,
                arrived_at=datetime(2026, 3, 2, 9, tzinfo=timezone.utc),
                ended_at=datetime(2026, 3, 2, 9, 1, tzinfo=timezone.utc),
                queue="sales",
            )
        ]
    )
    gc.disable()
    try:
        alive = weakref.ref(aggregator)
        del aggregator
        assert alive() is None
    finally:
        gc.enable()
