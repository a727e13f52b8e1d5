"""Streaming aggregation: exact merges, agreement with a brute-force reference."""

from __future__ import annotations

import itertools
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from callcore.contacts import Channel, Direction
from callcore.errors import InvalidInputError
from callcore.kpi import (
    MAX_AGENT_STATE_SPAN,
    MAX_TOTAL,
    AgentState,
    AgentStateRecord,
    Aggregate,
    Aggregator,
    ContactOutcome,
    Dimension,
    InteractionRecord,
    Thresholds,
)
from callcore.serialization import dumps, from_dict, to_dict
from tests.kpi.reference import as_reference, reference_totals
from tests.kpi.strategies import NOW, agent_state_records, interaction_records

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
        merged.merge(shard, now=NOW)
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
        (AgentState.AVAILABLE, "available_us"),
        (AgentState.RESERVED, "reserved_us"),
        (AgentState.BUSY, "busy_us"),
        (AgentState.WRAP_UP, "wrap_up_us"),
        (AgentState.NOT_READY, "not_ready_us"),
    ]:
        expected = sum(
            ((s.ended_at - s.started_at) for s in spans if s.state is state), timedelta(0)
        ) // timedelta(microseconds=1)
        assert getattr(aggregator.total(), field) == expected
    for key, totals in aggregator.groups().items():
        assert key.interval is not None
        spent = totals.available_us + totals.reserved_us + totals.busy_us
        spent += totals.wrap_up_us + totals.not_ready_us
        assert spent <= 15 * 60 * 1_000_000 * len(spans)


def _answered(number: int, arrived: datetime, queue: str) -> InteractionRecord:
    return InteractionRecord(
        id=str(number),
        channel=Channel.VOICE,
        direction=Direction.INBOUND,
        outcome=ContactOutcome.ANSWERED,
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
        mine.merge(other, now=NOW)
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
    assert Aggregator(group_by=Dimension.AGENT).group_by == (Dimension.AGENT,)


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


# --- issue 10: refused means unchanged -----------------------------------------

# London's clocks go back at 02:00 BST on 25 October 2026: 01:00-02:00 happens twice.
SECOND_ONE_THIRTY = datetime(2026, 10, 25, 1, 30, fold=1, tzinfo=LONDON)  # 01:30 GMT


@given(
    agent_state_records(
        starts=st.just(SECOND_ONE_THIRTY),
        lengths=st.sampled_from([timedelta(0), timedelta(minutes=20)]),
    )
)
def test_spans_drawn_in_the_repeated_hour_keep_their_length(span: AgentStateRecord) -> None:
    """The strategy adds lengths in UTC: a span at 01:30 GMT does not end at 01:30 BST."""
    assert span.started_at == datetime(2026, 10, 25, 1, 30, tzinfo=timezone.utc)
    assert span.ended_at - span.started_at in {timedelta(0), timedelta(minutes=20)}


def _century_wait(number: int) -> InteractionRecord:
    """An abandoned record that waited the longest a record may last (100 years)."""
    arrived = datetime(1901, 1, 1, tzinfo=timezone.utc)
    return InteractionRecord(
        id=str(number),
        channel=Channel.VOICE,
        direction=Direction.INBOUND,
        outcome=ContactOutcome.ABANDONED,
        arrived_at=arrived,
        ended_at=arrived + timedelta(days=36_525),
        queue="sales",
    )


def test_a_group_whose_sums_would_overflow_refuses_the_record_and_changes_nothing() -> None:
    """27,379 century-long waits overflow a timedelta sum: that record is refused whole."""
    record = _century_wait(1)
    aggregator = Aggregator(group_by=("queue",))
    fits = timedelta.max.days // 36_525  # 27,378 records' waits fit in a timedelta
    for _ in range(fits):
        aggregator.add(record)
    before = dumps(aggregator)
    with pytest.raises(InvalidInputError, match="would exceed the longest duration") as caught:
        aggregator.add(record)
    assert caught.value.field == "record"
    assert dumps(aggregator) == before
    with pytest.raises(InvalidInputError, match="would exceed the longest duration"):
        aggregator.add_many(
            [_answered(2, datetime(2026, 3, 2, tzinfo=timezone.utc), "sales"), record]
        )
    assert dumps(aggregator) == before
    assert aggregator.total().abandoned == fits


def test_a_batch_that_would_overflow_when_added_is_refused_whole() -> None:
    """A batch that fits alone but not with the totals already there changes nothing."""
    record = _century_wait(1)
    half = timedelta.max.days // 36_525 // 2 + 1
    aggregator = Aggregator(group_by=("queue",))
    aggregator.add_many([record] * half)
    before = dumps(aggregator)
    with pytest.raises(InvalidInputError, match="would exceed"):
        aggregator.add_many([record] * half)
    assert dumps(aggregator) == before
    aggregator.add(record)  # the counter still counts into the kept tallies
    assert aggregator.total().abandoned == half + 1


@pytest.mark.parametrize(
    "other",
    [
        Aggregator(group_by=("agent",)),
        Aggregator(group_by=("queue",), interval=timedelta(minutes=30)),
        "not an aggregator",
    ],
)
def test_a_refused_merge_changes_nothing(other: object) -> None:
    """A merge with other settings, or with something else, leaves the target as it was."""
    mine = Aggregator(group_by=("queue",))
    mine.add(_answered(1, datetime(2026, 3, 2, 9, tzinfo=timezone.utc), "sales"))
    before = dumps(mine)
    with pytest.raises(InvalidInputError) as caught:
        mine.merge(other, now=NOW)  # type: ignore[arg-type]
    assert caught.value.field == "other"
    assert dumps(mine) == before


def test_a_merge_past_the_largest_total_is_refused_whole() -> None:
    """Totals stay at most 10**30: a merge that would pass it changes nothing."""
    huge = Aggregate(contacts=MAX_TOTAL, inbound=MAX_TOTAL)
    data = to_dict(Aggregator(group_by=("queue",)))
    data["groups"] = [{"key": {"queue": "q"}, "totals": to_dict(huge)}]
    loaded = from_dict(Aggregator, data)
    mine = Aggregator(group_by=("queue",))
    mine.merge(loaded, now=NOW)
    before = dumps(mine)
    with pytest.raises(InvalidInputError, match="exceed 1e\\+30"):
        mine.merge(loaded, now=NOW)
    assert dumps(mine) == before


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"interval": 900}, "interval"),
        ({"interval": timedelta(days=-1)}, "interval"),
        ({"timezone": "Europe/London"}, "timezone"),
        ({"thresholds": {"service_level": 20}}, "thresholds"),
        ({"group_by": {"queue": 1}}, "group_by"),
        ({"group_by": {"queue", "agent"}}, "group_by"),
        ({"group_by": ("queue", 3)}, "group_by"),
    ],
)
def test_wrong_settings_are_refused_by_name(kwargs: dict[str, object], field: str) -> None:
    """Each setting of the wrong type raises InvalidInputError naming it (not a TypeError)."""
    with pytest.raises(InvalidInputError) as caught:
        Aggregator(**kwargs)  # type: ignore[arg-type]
    assert caught.value.field == field


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"service_level": 20}, "service_level"),
        ({"short_abandon": timedelta(days=40_000)}, "short_abandon"),
        ({"service_level": timedelta(seconds=-1)}, "service_level"),
    ],
)
def test_thresholds_are_durations_in_range(kwargs: dict[str, object], field: str) -> None:
    """A threshold of 20 (not a timedelta) used to raise TypeError; now it is named."""
    with pytest.raises(InvalidInputError) as caught:
        Thresholds(**kwargs)  # type: ignore[arg-type]
    assert caught.value.field == field


def test_the_longest_agent_span_makes_a_bounded_number_of_groups() -> None:
    """A 31-day span (the most a span may last) cut into 15-minute intervals: 2,976 groups."""
    start = datetime(2026, 3, 1, tzinfo=timezone.utc)
    aggregator = Aggregator(group_by=("interval",), interval=timedelta(minutes=15))
    aggregator.add_agent_state(
        AgentStateRecord(
            agent="ana",
            state=AgentState.AVAILABLE,
            started_at=start,
            ended_at=start + MAX_AGENT_STATE_SPAN,
        )
    )
    assert len(aggregator) == 31 * 96
    assert aggregator.total().available_us == 31 * 86_400 * 1_000_000


def test_logged_out_time_is_not_agent_time() -> None:
    """Totals refuse logged-out time, as records do: only logged-in time counts."""
    totals = Aggregate()
    with pytest.raises(InvalidInputError, match="logged_out") as caught:
        totals.add_agent_time(AgentState.LOGGED_OUT, 1_000_000)
    assert caught.value.field == "state"
    assert totals == Aggregate()
