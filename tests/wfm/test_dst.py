"""Daylight-saving changes: plans and histories keyed by instant, wall-clock slots with fold."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from callcore.wfm import (
    IntervalDemand,
    SeasonalAverage,
    StaffingTarget,
    backtest,
    forecast,
    staffing_plan,
)

LONDON = ZoneInfo("Europe/London")
UTC = timezone.utc
HOUR = timedelta(hours=1)
AHT = timedelta(minutes=4)
AUTUMN = date(2026, 10, 25)  # clocks go back at 02:00 BST: 01:00 happens twice
SPRING = date(2026, 3, 29)  # clocks go forward at 01:00 GMT: 01:00 never happens


def _hourly(first: datetime, last: datetime, calls: float = 10.0) -> list[IntervalDemand]:
    """Every hour from ``first`` to ``last`` (UTC), as London local times with their fold."""
    records = []
    instant = first
    while instant < last:
        records.append(IntervalDemand(instant.astimezone(LONDON), calls, AHT))
        instant += HOUR
    return records


def test_local_occurrences_of_a_wall_clock_time() -> None:
    """01:00 happens twice on the autumn Sunday, never on the spring one, once otherwise."""
    from callcore.wfm._forecast import local_occurrences  # noqa: PLC0415 - new helper

    twice = local_occurrences(AUTUMN, time(1), LONDON)
    assert [moment.astimezone(UTC).hour for moment in twice] == [0, 1]
    assert local_occurrences(SPRING, time(1), LONDON) == []
    assert len(local_occurrences(SPRING, time(2), LONDON)) == 1


def test_plan_accepts_a_25_hour_day_in_local_times() -> None:
    """Both 01:00s of the autumn night are planned, in real order, whatever the input order."""
    day = _hourly(datetime(2026, 10, 24, 23, tzinfo=UTC), datetime(2026, 10, 26, 0, tzinfo=UTC))
    assert len(day) == 25
    plan = staffing_plan(reversed(day), StaffingTarget(), HOUR)
    assert len(plan.rows) == 25
    instants = [row.start.astimezone(UTC) for row in plan.rows]
    assert instants == sorted(instants)
    assert [row.start.fold for row in plan.rows[1:3]] == [0, 1]
    assert plan.rows[1].start.hour == plan.rows[2].start.hour == 1


def test_plan_still_refuses_one_instant_twice() -> None:
    """The same instant in two zones is one interval, and is refused when repeated."""
    start = datetime(2026, 10, 25, 1, fold=1, tzinfo=LONDON)
    demand = [IntervalDemand(start, 5, AHT), IntervalDemand(start.astimezone(UTC), 5, AHT)]
    with pytest.raises(ValueError, match="repeats intervals") as caught:
        staffing_plan(demand, StaffingTarget(), HOUR)
    assert getattr(caught.value, "field", None) == "intervals[1].start"


def test_forecast_reads_a_history_across_the_autumn_change_and_forecasts_169_hours() -> None:
    """Four weeks of 24/7 local history up to the autumn week give a 169-hour week."""
    history = _hourly(datetime(2026, 9, 20, 23, tzinfo=UTC), datetime(2026, 10, 18, 23, tzinfo=UTC))
    result = forecast(history, SeasonalAverage(trend=False), 7, interval=HOUR)
    assert len(result.intervals) == 169
    assert all(item.calls == pytest.approx(10.0) for item in result.intervals)
    instants = [item.start.astimezone(UTC) for item in result.intervals]
    assert instants == [instants[0] + i * HOUR for i in range(169)]  # every hour once
    again = _hourly(datetime(2026, 9, 27, 23, tzinfo=UTC), datetime(2026, 11, 1, 0, tzinfo=UTC))
    assert len(forecast(again, SeasonalAverage(trend=False), 1, interval=HOUR).intervals) == 24


def test_a_skipped_spring_hour_is_absent_not_zero() -> None:
    """A flat 10 calls an hour across the spring change forecasts 10, and 167 hours that week."""
    history = _hourly(datetime(2026, 3, 8, 0, tzinfo=UTC), datetime(2026, 4, 4, 23, tzinfo=UTC))
    after = forecast(history, SeasonalAverage(), 7, interval=HOUR)
    assert all(item.calls == pytest.approx(10.0) for item in after.intervals)
    before = _hourly(datetime(2026, 3, 2, 0, tzinfo=UTC), datetime(2026, 3, 23, 0, tzinfo=UTC))
    spring = forecast(before, SeasonalAverage(), 7, interval=HOUR)
    assert len(spring.intervals) == 167
    assert all(item.calls == pytest.approx(10.0) for item in spring.intervals)
    assert backtest(history, SeasonalAverage(), 7, interval=HOUR).wape == 0.0


def test_history_keyed_by_utc_instants_with_a_local_zone() -> None:
    """A mapping keyed in UTC keeps both autumn 01:00s; zone= sets the wall clock to follow."""
    records = _hourly(datetime(2026, 9, 27, 23, tzinfo=UTC), datetime(2026, 10, 25, 23, tzinfo=UTC))
    history = {item.start.astimezone(UTC): item.calls for item in records}
    assert len(history) == len(records)
    result = forecast(history, SeasonalAverage(), 1, interval=HOUR, aht=AHT, zone=LONDON)
    assert result.intervals[0].start == datetime(2026, 10, 26, 0, tzinfo=LONDON)
    assert result.intervals[0].start.utcoffset() == timedelta(0)
