"""Shift scheduling: covering a plan, checked against a brute-force optimum."""

from __future__ import annotations

import itertools
import random
from collections.abc import Callable
from datetime import datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from callcore.errors import InvalidInputError
from callcore.wfm import Break, ShiftType, schedule_shifts

UTC = timezone.utc
EIGHT = datetime(2026, 3, 2, 8, tzinfo=UTC)
HOUR = timedelta(hours=1)


def _plan(required: list[int]) -> dict[datetime, int]:
    return {EIGHT + i * HOUR: agents for i, agents in enumerate(required)}


def _brute_force(required: list[int], lengths: list[int], most: int) -> tuple[int, int]:
    """Least (shortage, over-staffing) over every count 0..most of every (length, start)."""
    patterns = [
        (start, start + length) for length in lengths for start in range(len(required) - length + 1)
    ]
    best = (sum(required), 10**9)
    for counts in itertools.product(range(most + 1), repeat=len(patterns)):
        scheduled = [0] * len(required)
        for (first, stop), n in zip(patterns, counts, strict=True):
            for t in range(first, stop):
                scheduled[t] += n
        cost = (
            sum(max(0, r - s) for r, s in zip(required, scheduled, strict=True)),
            sum(max(0, s - r) for r, s in zip(required, scheduled, strict=True)),
        )
        best = min(best, cost)
    return best


def _types(lengths: list[int]) -> list[ShiftType]:
    starts = tuple(time(hour) for hour in range(24))
    return [ShiftType(f"{n}h", n * HOUR, starts) for n in lengths]


def test_a_day_by_hand() -> None:
    """Needs 1,2,2,1 with 2-hour shifts: shifts at 08:00 and 10:00, plus one at 09:00."""
    result = schedule_shifts(_plan([1, 2, 2, 1]), _types([2]))
    assert (result.shortage, result.over_staffing) == (0, 0)
    assert [(shift.start.hour, shift.agents) for shift in result.shifts] == [
        (8, 1),
        (9, 1),
        (10, 1),
    ]
    assert [row.scheduled for row in result.coverage] == [1, 2, 2, 1]


def test_small_plans_against_the_brute_force_optimum() -> None:
    """On 80 random small plans the cover is never short and is optimal in nearly all.

    Over-staffing equals the brute-force optimum in at least 95 % of the plans
    and is never more than two agent-hours above it.
    """
    rng = random.Random(16)
    optimal = 0
    for _ in range(80):
        required = [rng.randint(0, 2) for _ in range(rng.randint(3, 5))]
        lengths = rng.sample([2, 3], 1) if rng.random() < 0.5 else [1, 3]
        best = _brute_force(required, lengths, 2)
        result = schedule_shifts(_plan(required), _types(lengths))
        assert result.shortage == best[0]
        assert result.over_staffing <= best[1] + 2
        optimal += (result.shortage, result.over_staffing) == best
    assert optimal >= 0.95 * 80


def test_maximum_and_minimum_agents_per_type() -> None:
    """A capped type leaves a shortage; a minimum is met even where it over-staffs."""
    capped = [ShiftType("4h", 4 * HOUR, (time(8),), max_agents=1)]
    result = schedule_shifts(_plan([2, 2, 2, 2]), capped)
    assert (result.shortage, result.over_staffing) == (4, 0)
    floor = [ShiftType("2h", 2 * HOUR, (time(8), time(10)), min_agents=3)]
    result = schedule_shifts(_plan([1, 1, 1, 1]), floor)
    assert sum(shift.agents for shift in result.shifts) == 3
    assert result.shortage == 0


def test_agents_in_another_zone_start_at_their_local_times() -> None:
    """A New York 04:00 start covers the plan's 09:00 UTC interval (EST, UTC-5)."""
    new_york = ShiftType("ny", 2 * HOUR, (time(4),), zone=ZoneInfo("America/New_York"))
    result = schedule_shifts(_plan([0, 1, 1, 0]), [new_york])
    assert [shift.start.astimezone(UTC).hour for shift in result.shifts] == [9]
    assert result.over_staffing == 0


def test_bad_input_is_refused_by_name() -> None:
    """A gapped plan, a shift length off the grid, an empty list of types are refused."""
    gapped = {EIGHT: 1, EIGHT + 2 * HOUR: 1}
    bad: list[tuple[Callable[[], object], str]] = [
        (lambda: schedule_shifts(gapped, _types([1])), "plan"),
        (
            lambda: schedule_shifts(
                _plan([1, 1]), [ShiftType("x", 90 * timedelta(minutes=1), (time(8),))]
            ),
            "shift_types[0].length",
        ),
        (lambda: schedule_shifts(_plan([1]), []), "shift_types"),
        (lambda: schedule_shifts({}, _types([1])), "plan"),
        (lambda: ShiftType("x", HOUR, ()), "starts"),
        (lambda: ShiftType("x", HOUR, (time(8),), min_agents=2, max_agents=1), "max_agents"),
    ]
    for call, field in bad:
        with pytest.raises(InvalidInputError) as caught:
            call()
        assert caught.value.field == field


def test_breaks_are_placed_where_they_waste_least() -> None:
    """Needs 2,1,1,2 with a 4-hour shift whose 1-hour break starts 1 or 2 hours in.

    Two agents, one on break at 09:00 and one at 10:00, cover it exactly.
    """
    lunch = Break(HOUR, HOUR, 2 * HOUR)
    shift = ShiftType("4h", 4 * HOUR, (time(8),), breaks=(lunch,))
    result = schedule_shifts(_plan([2, 1, 1, 2]), [shift])
    assert (result.shortage, result.over_staffing) == (0, 0)
    assert sorted(s.breaks[0].hour for s in result.shifts) == [9, 10]


def test_small_plans_with_breaks_against_the_brute_force_optimum() -> None:
    """A 4-hour shift with a 1-hour break 1-2 hours in, on 30 random 6-hour plans."""
    lunch = Break(HOUR, HOUR, 2 * HOUR)
    shift = ShiftType("4h", 4 * HOUR, tuple(time(h) for h in range(24)), breaks=(lunch,))
    covers = [
        tuple(start + k for k in range(4) if k != pause) for start in range(3) for pause in (1, 2)
    ]
    rng = random.Random(5)
    for _ in range(30):
        required = [rng.randint(0, 2) for _ in range(6)]
        best = (sum(required), 10**9)
        for counts in itertools.product(range(3), repeat=len(covers)):
            scheduled = [0] * 6
            for cover, n in zip(covers, counts, strict=True):
                for t in cover:
                    scheduled[t] += n
            cost = (
                sum(max(0, r - s) for r, s in zip(required, scheduled, strict=True)),
                sum(max(0, s - r) for r, s in zip(required, scheduled, strict=True)),
            )
            best = min(best, cost)
        result = schedule_shifts(_plan(required), [shift])
        assert (result.shortage, result.over_staffing) == best
