"""Percentiles per group, and the service level at a threshold chosen when reading.

The service level read at a threshold ``T`` is checked against an independent
aggregator whose counting threshold is ``T`` (its ``service_level.*``
metrics), in all five variants; percentiles against sorting each group's
durations by brute force.
"""

from __future__ import annotations

import math
import random
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from callcore import serialization
from callcore.contacts import Channel, Direction
from callcore.errors import DocumentError, InvalidInputError
from callcore.kpi import (
    Aggregator,
    ContactOutcome,
    InteractionRecord,
    ServiceLevelVariant,
    Thresholds,
    evaluate,
)
from tests.kpi.strategies import interaction_records

US = timedelta(microseconds=1)
LONDON = ZoneInfo("Europe/London")
NOW = datetime(2030, 1, 1, tzinfo=timezone.utc)


def _aggregator(**settings: object) -> Aggregator:
    return Aggregator(
        group_by=("interval", "queue"),
        interval=timedelta(hours=1),
        timezone=LONDON,
        **settings,  # type: ignore[arg-type]
    )


@given(st.lists(interaction_records(), max_size=25), st.sampled_from([0, 1, 10, 20, 45, 3600]))
def test_any_threshold_matches_an_aggregator_built_for_it(
    records: list[InteractionRecord], seconds: int
) -> None:
    """Read at T, every variant equals the metric of totals counted with T."""
    threshold = timedelta(seconds=seconds)
    keeping = _aggregator(keep_distributions=True)
    keeping.add_many(records)
    counted = _aggregator(thresholds=Thresholds(service_level=threshold))
    counted.add_many(records)
    expected_groups = counted.groups()
    read = keeping.service_levels(threshold)
    for key, levels in read.items():
        totals = expected_groups[key]
        for variant in ServiceLevelVariant:
            name = f"service_level.{variant.value}"
            assert levels[variant] == evaluate(totals, [name])[name]
    inbound_waiting = {
        key for key, totals in expected_groups.items() if totals.answered + totals.abandoned
    }
    assert inbound_waiting <= read.keys()


def _waits(records: list[InteractionRecord]) -> dict[tuple[object, ...], dict[str, list[int]]]:
    """Per (interval start in UTC, queue): the waits, answer times and handle times, in us."""
    found: dict[tuple[object, ...], dict[str, list[int]]] = {}
    for record in records:
        local = record.arrived_at.astimezone(LONDON)
        start = local.replace(minute=0, second=0, microsecond=0).astimezone(timezone.utc)
        group = found.setdefault((start, record.queue), {"wait": [], "answer": [], "handle": []})
        began = record.queued_at or record.arrived_at
        inbound = record.direction is Direction.INBOUND
        if record.outcome is ContactOutcome.ANSWERED:
            assert record.answered_at is not None
            last = record.wrap_up_ended_at or record.ended_at
            group["handle"].append((last - record.answered_at) // US)
            if inbound:
                group["wait"].append((record.answered_at - began) // US)
                group["answer"].append((record.answered_at - began) // US)
        elif record.outcome is ContactOutcome.ABANDONED and inbound:
            group["wait"].append((record.ended_at - began) // US)
    return found


def _nearest_rank(values: list[int], fraction: float) -> int | None:
    if not values:
        return None
    ordered = sorted(values)
    return ordered[max(1, math.ceil(round(fraction * len(ordered), 9))) - 1]


@given(st.lists(interaction_records(), max_size=25))
def test_group_percentiles_are_those_of_sorting(records: list[InteractionRecord]) -> None:
    """Small groups: p50, p80, p90 and p95 of waits, answers and handle times, exactly."""
    aggregator = _aggregator(keep_distributions=True)
    aggregator.add_many(records)
    expected = _waits(records)
    for key, kept in aggregator.distributions().items():
        assert key.interval is not None
        group = expected[(key.interval.astimezone(timezone.utc), key.queue)]
        for name in ("wait", "answer", "handle"):
            for fraction in (0.5, 0.8, 0.9, 0.95):
                found = getattr(kept, name).percentile(fraction)
                wanted = _nearest_rank(group[name], fraction)
                assert found == (None if wanted is None else wanted * US)


@given(st.lists(interaction_records(), max_size=25), st.randoms(use_true_random=False))
def test_shards_in_any_order_merge_into_the_whole(
    records: list[InteractionRecord], rng: random.Random
) -> None:
    """Records shuffled over three shards, merged: the whole's distributions and levels."""
    whole = _aggregator(keep_distributions=True)
    whole.add_many(records)
    shards = [_aggregator(keep_distributions=True) for _ in range(3)]
    for record in rng.sample(records, len(records)):
        rng.choice(shards).add(record)
    merged = _aggregator(keep_distributions=True)
    for shard in shards:
        merged.merge(shard, now=NOW)
    threshold = timedelta(seconds=20)
    assert merged.service_levels(threshold) == whole.service_levels(threshold)
    mine, theirs = merged.distributions(), whole.distributions()
    assert mine.keys() == theirs.keys()
    for key, kept in mine.items():
        for name in ("wait", "answer", "handle"):
            assert getattr(kept, name).percentiles() == getattr(theirs[key], name).percentiles()
    assert merged.total() == whole.total()


def test_totals_and_distributions_read_together() -> None:
    """The overall distribution merges every group's; p90 of answer times of a known set."""
    aggregator = Aggregator(keep_distributions=True)
    start = datetime(2026, 3, 2, 9, tzinfo=timezone.utc)
    for seconds in range(1, 11):  # answered after 1..10 s
        at = start + timedelta(minutes=seconds)
        aggregator.add(
            InteractionRecord(
                id=str(seconds),
                channel=Channel.VOICE,
                direction=Direction.INBOUND,
                outcome=ContactOutcome.ANSWERED,
                arrived_at=at,
                answered_at=at + timedelta(seconds=seconds),
                ended_at=at + timedelta(seconds=seconds + 60),
            )
        )
    overall = aggregator.total_distributions()
    assert overall.answer.percentile(0.9) == timedelta(seconds=9)
    assert overall.handle.percentile(0.5) == timedelta(seconds=60)
    ((_, levels),) = aggregator.service_levels(timedelta(seconds=4)).items()
    assert levels[ServiceLevelVariant.ANSWERED_ONLY] == 0.4


@pytest.mark.parametrize(
    "threshold", [timedelta(seconds=1.5), timedelta(hours=1, seconds=1), timedelta(-1), 20]
)
def test_read_thresholds_are_whole_seconds_up_to_an_hour(threshold: object) -> None:
    """Other thresholds are refused, naming the field."""
    aggregator = Aggregator(keep_distributions=True)
    with pytest.raises(InvalidInputError) as caught:
        aggregator.service_levels(threshold)  # type: ignore[arg-type]
    assert caught.value.field == "threshold"


def test_an_aggregator_without_distributions_says_so() -> None:
    """Reading distributions needs keep_distributions=True; the setting must be a bool."""
    with pytest.raises(InvalidInputError, match="keep_distributions=True"):
        Aggregator().distributions()
    with pytest.raises(InvalidInputError, match="keep_distributions=True"):
        Aggregator().service_levels(timedelta(seconds=20))
    with pytest.raises(InvalidInputError) as caught:
        Aggregator(keep_distributions=1)  # type: ignore[arg-type]
    assert caught.value.field == "keep_distributions"


def test_aggregators_with_and_without_distributions_do_not_merge() -> None:
    """Merging would lose the distributions of one side: refused."""
    with pytest.raises(InvalidInputError, match="keep_distributions"):
        Aggregator(keep_distributions=True).merge(Aggregator(), now=NOW)


@given(
    st.lists(interaction_records(), max_size=20),
    st.integers(0, 400),
    st.randoms(use_true_random=False),
)
def test_shards_saved_loaded_and_merged_give_the_whole(
    records: list[InteractionRecord], sketched: int, rng: random.Random
) -> None:
    """Through JSON, as shards from other processes: the whole's figures, sketches included."""
    answered_at_once = [
        InteractionRecord(
            id=f"s{number}",
            channel=Channel.VOICE,
            direction=Direction.INBOUND,
            outcome=ContactOutcome.ANSWERED,
            arrived_at=START,
            answered_at=START + timedelta(milliseconds=number * 37),
            ended_at=START + timedelta(seconds=60 + number),
            queue="sketched",
        )
        for number in range(sketched)  # more than EXACT_LIMIT in one group: a sketch
    ]
    everything = records + answered_at_once
    whole = _aggregator(keep_distributions=True)
    whole.add_many(everything)
    shards = [_aggregator(keep_distributions=True) for _ in range(2)]
    for record in everything:
        rng.choice(shards).add(record)
    merged = serialization.loads(Aggregator, serialization.dumps(shards[0]))
    merged.merge(serialization.loads(Aggregator, serialization.dumps(shards[1])), now=NOW)
    again = serialization.loads(Aggregator, serialization.dumps(whole))
    threshold = timedelta(seconds=20)
    for found in (merged, again):
        assert found.total() == whole.total()
        assert found.service_levels(threshold) == whole.service_levels(threshold)
        mine, theirs = found.distributions(), whole.distributions()
        assert mine.keys() == theirs.keys()
        for key, kept in mine.items():
            assert kept.saved() == theirs[key].saved()
    assert serialization.dumps(again) == serialization.dumps(whole)


START = datetime(2026, 3, 2, 9, 0, tzinfo=timezone.utc)


def _saved_with_one_group() -> dict[str, object]:
    aggregator = Aggregator(keep_distributions=True)
    aggregator.add(
        InteractionRecord(
            id="c1",
            channel=Channel.VOICE,
            direction=Direction.INBOUND,
            outcome=ContactOutcome.ANSWERED,
            arrived_at=START,
            answered_at=START + timedelta(seconds=4),
            ended_at=START + timedelta(seconds=64),
        )
    )
    data = serialization.to_dict(aggregator)
    assert isinstance(data, dict)
    return data


@pytest.mark.parametrize(
    ("change", "path"),
    [
        (lambda d: d["answer"].update(values=[1, 2]), "groups[0].distributions"),
        (lambda d: d["wait"].update(values=[-1]), "groups[0].distributions.wait.values[0]"),
        (
            lambda d: d.update(answered_by_second=[[3, 1], [2, 1]]),
            "groups[0].distributions.answered_by_second[1]",
        ),
        (lambda d: d.update(answered_by_second=[[3, 2]]), "groups[0].distributions"),
        (lambda d: d.pop("handle"), "groups[0].distributions"),
        (
            lambda d: d.update(handle={"zeros": 1, "buckets": [[5, 2], [4, 1]]}),
            "groups[0].distributions.handle.buckets[1]",
        ),
    ],
)
def test_a_saved_document_with_wrong_distributions_is_refused(change: object, path: str) -> None:
    """Every part is checked, and the parts against the totals; the problem names its path."""
    data = _saved_with_one_group()
    groups = data["groups"]
    assert isinstance(groups, list)
    change(groups[0]["distributions"])  # type: ignore[operator]
    with pytest.raises(DocumentError) as caught:
        serialization.from_dict(Aggregator, data)
    assert path in [problem.path for problem in caught.value.problems]


def test_distributions_must_match_the_setting() -> None:
    """Distributions in a document whose aggregator keeps none, or missing where it does."""
    data = _saved_with_one_group()
    data["keep_distributions"] = False
    with pytest.raises(DocumentError, match="keeps no distributions"):
        serialization.from_dict(Aggregator, data)
    data = _saved_with_one_group()
    groups = data["groups"]
    assert isinstance(groups, list)
    groups[0]["distributions"] = None
    with pytest.raises(DocumentError, match="is required"):
        serialization.from_dict(Aggregator, data)
