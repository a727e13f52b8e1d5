"""ManualClock moves by elapsed time, also when started in a zone (issue 12)."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from hypothesis import given

from callcore.clock import ManualClock
from callcore.errors import InvalidInputError
from tests.time.instants import BUCHAREST, UTC, timelines


def test_two_hours_from_half_past_two_on_the_spring_night_is_half_past_five() -> None:
    """02:30 EET (00:30 UTC) + 2 h is 02:30 UTC, 05:30 EEST; wall-clock time said 04:30."""
    clock = ManualClock(datetime(2026, 3, 29, 2, 30, tzinfo=BUCHAREST))
    later = clock.advance(timedelta(hours=2))
    assert later.astimezone(UTC) == datetime(2026, 3, 29, 2, 30, tzinfo=UTC)
    assert (later.hour, later.tzinfo) == (5, BUCHAREST)  # still told in the zone


def test_the_repeated_hour_is_passed_twice() -> None:
    """03:50 EEST + 20 min on 25 October 2026 is 03:10 EET (fold=1), and set() may go there."""
    clock = ManualClock(datetime(2026, 10, 25, 3, 50, tzinfo=BUCHAREST))
    second = datetime(2026, 10, 25, 3, 10, fold=1, tzinfo=BUCHAREST)
    assert clock.advance(timedelta(minutes=20)) == second
    assert clock.now().fold == 1
    other = ManualClock(datetime(2026, 10, 25, 3, 50, tzinfo=BUCHAREST))
    assert other.set(second) == second  # 01:10 UTC comes after 00:50 UTC
    with pytest.raises(InvalidInputError):
        other.set(datetime(2026, 10, 25, 3, 55, tzinfo=BUCHAREST))  # 00:55 UTC: back


@given(timelines(8))
def test_a_zoned_clock_tells_the_same_instants_as_a_utc_one(
    case: tuple[list[datetime], list[datetime]],
) -> None:
    """Advancing (and setting) a clock in a zone or in UTC gives the same instants."""
    times, zoned = case
    plain, local = ManualClock(times[0]), ManualClock(zoned[0])
    for index in range(1, len(times)):
        step = times[index] - times[index - 1]
        # (compared in UTC: == across zones is always False for a time in a repeated hour)
        if index % 2:
            assert local.advance(step).astimezone(UTC) == plain.advance(step)
        else:
            assert local.set(zoned[index]).astimezone(UTC) == plain.set(times[index])
        assert local.now().astimezone(UTC) == times[index]
