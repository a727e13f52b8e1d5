"""Mergeable percentiles: exact for small counts, a sketch of bounded error beyond.

Every percentile is checked against the nearest-rank value of the sorted
durations: equal while exact, within the stated relative error beyond, on
heavy-tailed data (Pareto, log-normal) and adversarial data (values at the
sketch's bucket boundaries, a spread over fifteen orders of magnitude, ties).
Merging shards gives the very sketch of the whole.
"""

from __future__ import annotations

import math
import random
from datetime import timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from callcore.errors import InvalidInputError
from callcore.kpi import EXACT_LIMIT, RELATIVE_ERROR, Percentiles

US = timedelta(microseconds=1)
FRACTIONS = (0.0, 0.01, 0.5, 0.8, 0.9, 0.95, 0.99, 1.0)
GAMMA = (1 + RELATIVE_ERROR) / (1 - RELATIVE_ERROR)


def nearest_rank(values: list[int], fraction: float) -> int:
    """The smallest value with at least ceil(fraction * n) values at or below it."""
    ordered = sorted(values)
    rank = max(1, math.ceil(round(fraction * len(ordered), 9)))
    return ordered[rank - 1]


def _filled(values: list[int]) -> Percentiles:
    found = Percentiles()
    for value in values:
        found.add(value * US)
    return found


def _assert_within_bound(found: Percentiles, values: list[int]) -> None:
    for fraction in FRACTIONS:
        exact = nearest_rank(values, fraction)
        estimate = found.percentile(fraction)
        assert estimate is not None
        # The relative error, plus rounding to the microsecond (and a hair for floats).
        assert abs(estimate / US - exact) <= RELATIVE_ERROR * exact * (1 + 1e-9) + 0.5, (
            fraction,
            exact,
            estimate,
        )


@given(st.lists(st.integers(0, 10**12), min_size=1, max_size=EXACT_LIMIT))
def test_small_counts_are_exact(values: list[int]) -> None:
    """Up to EXACT_LIMIT durations, every percentile is the nearest-rank value."""
    found = _filled(values)
    assert found.exact
    assert found.count == len(values)
    for fraction in FRACTIONS:
        assert found.percentile(fraction) == nearest_rank(values, fraction) * US


def _pareto(rng: random.Random, count: int) -> list[int]:
    return [int(1_000_000 * rng.paretovariate(1.1)) for _ in range(count)]


def _lognormal(rng: random.Random, count: int) -> list[int]:
    return [int(rng.lognormvariate(16, 2.5)) for _ in range(count)]


def _boundaries(rng: random.Random, count: int) -> list[int]:
    """Values on and next to bucket boundaries, where rounding errs most."""
    found = []
    for _ in range(count):
        edge = GAMMA ** rng.randint(0, 1700)
        found.append(max(0, min(10**15, math.floor(edge) + rng.choice((-1, 0, 1)))))
    return found


def _spread(rng: random.Random, count: int) -> list[int]:
    """From 0 and 1 us to 10**15 us (31 years), each order of magnitude alike."""
    return [int(10 ** rng.uniform(0, 15)) if rng.random() > 0.05 else 0 for _ in range(count)]


def _ties(rng: random.Random, count: int) -> list[int]:
    return [rng.choice((0, 1, 20_000_000, 20_000_001, 86_400_000_000)) for _ in range(count)]


@pytest.mark.parametrize("shape", [_pareto, _lognormal, _boundaries, _spread, _ties])
@pytest.mark.parametrize("count", [EXACT_LIMIT + 1, 5_000])
def test_beyond_the_limit_the_error_is_bounded(shape: object, count: int) -> None:
    """Heavy tails and adversarial values: every percentile within RELATIVE_ERROR."""
    rng = random.Random(count)
    values = shape(rng, count)  # type: ignore[operator]
    found = _filled(values)
    assert not found.exact
    _assert_within_bound(found, values)


@given(
    st.lists(st.integers(0, 10**13), min_size=1, max_size=700),
    st.lists(st.integers(0, 5), max_size=700),
)
def test_shards_merge_into_the_whole(values: list[int], shard_of: list[int]) -> None:
    """Durations split over shards in any way, merged: the whole's answer, exactly."""
    shards = [Percentiles() for _ in range(6)]
    for index, value in enumerate(values):
        shards[shard_of[index] if index < len(shard_of) else 0].add(value * US)
    merged = Percentiles()
    for shard in shards:
        merged.merge(shard)
    whole = _filled(values)
    assert merged.count == whole.count == len(values)
    assert merged.exact == whole.exact
    for fraction in FRACTIONS:
        assert merged.percentile(fraction) == whole.percentile(fraction)
    _assert_within_bound(merged, values)


def test_merging_into_itself_doubles_it() -> None:
    """A distribution merged with itself counts each duration twice."""
    found = _filled([1, 2, 3])
    found.merge(found)
    assert found.count == 6
    assert found.percentile(0.5) == 2 * US


def test_no_durations_no_percentile() -> None:
    """An empty distribution has no percentile (None, never 0)."""
    assert Percentiles().percentile(0.5) is None
    assert Percentiles().percentiles() == {0.5: None, 0.8: None, 0.9: None, 0.95: None}


@pytest.mark.parametrize("fraction", [-0.1, 1.5, math.nan, True, "0.5", None])
def test_fractions_outside_zero_to_one_are_refused(fraction: object) -> None:
    """A fraction must be a number from 0 to 1."""
    with pytest.raises(InvalidInputError) as caught:
        _filled([1]).percentile(fraction)  # type: ignore[arg-type]
    assert caught.value.field == "fraction"


@pytest.mark.parametrize("duration", [timedelta(seconds=-1), 5, None])
def test_durations_are_checked(duration: object) -> None:
    """A negative duration, or something else, is refused and nothing is counted."""
    found = Percentiles()
    with pytest.raises(InvalidInputError):
        found.add(duration)  # type: ignore[arg-type]
    assert found.count == 0


def test_merging_something_else_is_refused() -> None:
    """Only Percentiles merge."""
    with pytest.raises(InvalidInputError, match="Percentiles"):
        Percentiles().merge([1, 2])  # type: ignore[arg-type]


@given(st.lists(st.integers(0, 10**12), min_size=0, max_size=600))
def test_saved_and_rebuilt_it_is_the_same(values: list[int]) -> None:
    """Exact or a sketch, a distribution's saved data rebuilds it exactly."""
    found = _filled(values)
    again = Percentiles.from_saved(found.saved())
    assert again.saved() == found.saved()
    assert again.count == found.count
    assert again.percentiles() == found.percentiles()


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"values": list(range(EXACT_LIMIT + 1))}, "distribution.values"),
        ({"values": [1.5]}, "distribution.values[0]"),
        ({"zeros": 1, "buckets": [[3, 1]]}, "distribution"),  # too few for a sketch
        ({"zeros": 0, "buckets": [[3, 0]]}, "distribution.buckets[0]"),
        ({"zeros": -1, "buckets": []}, "distribution.zeros"),
        ({"values": [], "zeros": 0}, "distribution"),
    ],
)
def test_wrong_saved_data_is_refused(data: object, field: str) -> None:
    """Each part is checked, and the error names it."""
    with pytest.raises(InvalidInputError) as caught:
        Percentiles.from_saved(data)
    assert caught.value.field == field
