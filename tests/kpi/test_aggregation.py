"""Streaming aggregation: exact merges, agreement with a brute-force reference."""

from __future__ import annotations

import itertools
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from callcore.channels import Channel, Direction
from callcore.errors import InvalidInputError
from callcore.kpi import (
    AgentState,
    AgentStateRecord,
    Aggregate,
    Aggregator,
    Dimension,
    InteractionRecord,
    Outcome,
    Thresholds,
)
from tests.kpi.reference import as_reference, reference_totals
from tests.kpi.strategies import agent_state_records, interaction_records

LONDON = ZoneInfo("Europe/London")
ALL_DIMS = ("interval", "queue", "agent", "channel")


@given(
    st.lists(interaction_records(), max_size=40),
    st.sets(st.sampled_from(ALL_DIMS)),
    st.sampled_from([15, 30, 60]),
    st.sampled_from([LONDON, ZoneInfo("Asia/Kolkata"), ZoneInfo("UTC")]),
)
def test_totals_match_brute_force(
    records: list[InteractionRecord], dims: set[str], minutes: int, zone: ZoneInfo
) -> None:
    """Every group's totals equal those of an independent record-by-record count."""
    aggregator = Aggregator(
        group_by=tuple(dims), interval=timedelta(minutes=minutes), timezone=zone
    )
    aggregator.add_many(records)
    expected = reference_totals(records, zone=zone, minutes=minutes, dims=tuple(dims))
    assert as_reference(aggregator) == expected


@given(
    st.lists(interaction_records(), max_size=40),
    st.lists(agent_state_records(), max_size=6),
    st.lists(st.integers(0, 40), max_size=4),
    st.sets(st.sampled_from(ALL_DIMS)),
)
def test_any_split_into_shards_merges_to_the_whole(
    records: list[InteractionRecord],
    spans: list[AgentStateRecord],
    cuts: list[int],
    dims: set[str],
) -> None:
    """Shards aggregated apart and merged equal one aggregator fed every record."""

    def make() -> Aggregator:
        return Aggregator(group_by=tuple(dims), interval=timedelta(minutes=15), timezone=LONDON)

    whole = make()
    whole.add_many(records)
    for span in spans:
        whole.add_agent_state(span)
    bounds = [0, *sorted(min(cut, len(records)) for cut in cuts), len(records)]
    shards = []
    for index, (low, high) in enumerate(itertools.pairwise(bounds)):
        shard = make()
        shard.add_many(records[low:high])
        if index == 0:
            for span in spans:
                shard.add_agent_state(span)
        shards.append(shard)
    merged = make()
    for shard in reversed(shards):
        merged.merge(shard)
    assert merged.groups() == whole.groups()


@given(st.lists(agent_state_records(), max_size=8))
def test_agent_time_is_cut_at_interval_boundaries_without_loss(
    spans: list[AgentStateRecord],
) -> None:
    """Agent spans split across intervals keep every microsecond, in the right state."""
    aggregator = Aggregator(group_by=("interval", "agent"), interval=timedelta(minutes=15))
    for span in spans:
        aggregator.add_agent_state(span)
    for state, field in [
        (AgentState.IDLE, "idle_us"),
        (AgentState.BUSY, "busy_us"),
        (AgentState.WRAP_UP, "wrap_up_us"),
        (AgentState.AWAY, "away_us"),
    ]:
        expected = sum(
            ((s.ended_at - s.started_at) for s in spans if s.state is state), timedelta(0)
        ) // timedelta(microseconds=1)
        assert getattr(aggregator.total(), field) == expected
    for key, totals in aggregator.groups().items():
        assert key.interval is not None
        spent = totals.idle_us + totals.busy_us + totals.wrap_up_us + totals.away_us
        assert spent <= 15 * 60 * 1_000_000 * len(spans)


def _answered(number: int, arrived: datetime, queue: str) -> InteractionRecord:
    return InteractionRecord(
        id=str(number),
        channel=Channel.VOICE,
        direction=Direction.INBOUND,
        outcome=Outcome.ANSWERED,
        arrived_at=arrived,
        answered_at=arrived + timedelta(seconds=10),
        ended_at=arrived + timedelta(seconds=100),
        queue=queue,
    )


def test_memory_grows_with_groups_not_records() -> None:
    """Ten thousand records in four groups keep four sets of totals."""
    start = datetime(2026, 3, 2, 9, 0, tzinfo=timezone.utc)
    aggregator = Aggregator(group_by=("interval", "queue"), interval=timedelta(minutes=30))
    for number in range(10_000):
        arrived = start + timedelta(seconds=number * 0.36)  # one hour in all
        aggregator.add(_answered(number, arrived, "sales" if number % 2 else "support"))
    assert len(aggregator) == 4
    assert [key.interval for key in aggregator.groups()] == [
        start,
        start,
        start + timedelta(minutes=30),
        start + timedelta(minutes=30),
    ]


def test_a_merge_with_other_settings_is_refused_and_changes_nothing() -> None:
    """Aggregators with different thresholds do not merge; the target is untouched."""
    arrived = datetime(2026, 3, 2, 9, 0, tzinfo=timezone.utc)
    mine = Aggregator(group_by=("queue",))
    mine.add(_answered(1, arrived, "sales"))
    before = mine.groups()
    other = Aggregator(
        group_by=("queue",), thresholds=Thresholds(service_level=timedelta(seconds=30))
    )
    other.add(_answered(2, arrived, "sales"))
    with pytest.raises(InvalidInputError, match="different group_by"):
        mine.merge(other)
    assert mine.groups() == before


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"group_by": ("interval", "skill")}, "group_by takes dimensions"),
        ({"group_by": ("queue", "queue")}, "names a dimension twice"),
        ({"interval": timedelta(minutes=7)}, "divides a day"),
        ({"interval": timedelta(seconds=90)}, "whole number of minutes"),
        ({"thresholds": Thresholds(), "interval": timedelta(0)}, "interval must be"),
    ],
)
def test_bad_settings_are_refused(kwargs: dict[str, object], message: str) -> None:
    """Unknown dimensions and intervals that do not divide a day are refused."""
    with pytest.raises(InvalidInputError, match=message):
        Aggregator(**kwargs)  # type: ignore[arg-type]


def test_a_non_record_is_refused() -> None:
    """Feeding something other than a record raises and counts nothing."""
    aggregator = Aggregator()
    with pytest.raises(InvalidInputError, match="expected an InteractionRecord"):
        aggregator.add({"id": "1"})  # type: ignore[arg-type]
    assert len(aggregator) == 0


def test_negative_thresholds_are_refused() -> None:
    """A negative service-level threshold is a mistake."""
    with pytest.raises(InvalidInputError, match="service_level must be at least 0:00:00"):
        Thresholds(service_level=timedelta(seconds=-1))


def test_group_by_accepts_a_single_dimension() -> None:
    """A single dimension, by name or member, is a one-element grouping."""
    assert Aggregator(group_by="queue").group_by == (Dimension.QUEUE,)
    assert Aggregator(group_by=Dimension.AGENT).group_by == (Dimension.AGENT,)  # type: ignore[arg-type]


def test_empty_aggregator_totals_are_zero() -> None:
    """An aggregator fed nothing has no groups and zero totals."""
    aggregator = Aggregator(group_by=("queue",))
    assert aggregator.groups() == {}
    assert aggregator.total() == Aggregate()


def test_the_repeated_hour_is_counted_in_two_groups() -> None:
    """Contacts at 01:05 BST and 01:05 GMT land in two groups labelled 01:00."""
    aggregator = Aggregator(group_by=("interval",), interval=timedelta(minutes=15), timezone=LONDON)
    for number, moment in enumerate(
        [
            datetime(2026, 10, 25, 0, 5, tzinfo=timezone.utc),
            datetime(2026, 10, 25, 1, 5, tzinfo=timezone.utc),
            datetime(2026, 10, 25, 1, 6, tzinfo=timezone.utc),
        ]
    ):
        aggregator.add(_answered(number, moment, "sales"))
    counts = {
        key.interval.isoformat(): totals.contacts
        for key, totals in aggregator.groups().items()
        if key.interval is not None
    }
    assert counts == {"2026-10-25T01:00:00+01:00": 1, "2026-10-25T01:00:00+00:00": 2}
