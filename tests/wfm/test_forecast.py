"""Forecasting: seasonal averages, Holt-Winters, accuracy and forecast-to-plan."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from callcore.errors import DocumentError, InvalidInputError
from callcore.serialization import from_dict, to_dict
from callcore.wfm import (
    DailyGrid,
    Forecast,
    HoltWinters,
    IntervalDemand,
    SeasonalAverage,
    StaffingTarget,
    backtest,
    forecast,
    forecast_staffing_plan,
    mape,
    smape,
    staffing_plan,
    wape,
)

UTC = timezone.utc
MONDAY = date(2026, 1, 5)  # a Monday


def _grid(rows: list[list[float]], slots: int = 2) -> DailyGrid:
    times = tuple(time(9 + i) for i in range(slots))
    return DailyGrid(MONDAY, times, tuple(tuple(row) for row in rows))


def _weeks_of(per_week: list[list[float]]) -> list[list[float]]:
    """Build whole weeks in which Monday has the given values and other days 1, 1."""
    rows = []
    for monday in per_week:
        rows.append(monday)
        rows.extend([[1.0, 1.0]] * 6)
    return rows


def test_seasonal_average_without_trend_averages_the_same_weekday() -> None:
    """Mondays of 10/30, 20/40, 30/50 forecast the next Monday as 20/40."""
    grid = _grid(_weeks_of([[10, 30], [20, 40], [30, 50]]))
    monday = SeasonalAverage(weeks=4, trend=False).predict(grid, 1)
    assert monday == [pytest.approx([20.0, 40.0])]


def test_seasonal_average_follows_a_linear_trend() -> None:
    """Monday totals 40, 60, 80 project to 100: the 20/40 profile scales by 100/60."""
    grid = _grid(_weeks_of([[10, 30], [20, 40], [30, 50]]))
    monday = SeasonalAverage(weeks=3, trend=True).predict(grid, 1)[0]
    assert monday == pytest.approx([20 * 100 / 60, 40 * 100 / 60])


def test_seasonal_average_uses_only_recent_weeks() -> None:
    """With weeks=2 only the last two Mondays count."""
    grid = _grid(_weeks_of([[10, 30], [20, 40], [30, 50]]))
    assert SeasonalAverage(weeks=2, trend=False).predict(grid, 1)[0] == pytest.approx([25, 45])


def test_seasonal_average_needs_a_week() -> None:
    """Three days of history cannot give a same-weekday average for every day."""
    with pytest.raises(InvalidInputError, match="full week"):
        SeasonalAverage().predict(_grid([[1, 1]] * 3), 7)


def test_holt_winters_worked_by_hand() -> None:
    """A two-slot daily season with alpha = beta = gamma = 0.5, Hyndman's form, on paper.

    Start: level 15, trend 1, season (-5, 5). Then level, trend, season[pos]:
    16.5, 1.25, -4.5; 17.375, 1.0625, 4.625; 18.46875, 1.078125, -4.46875;
    19.4609375, 1.03515625, 4.5390625; forecasts 19.4609375 + 1.03515625 - 4.46875
    and 19.4609375 + 2.0703125 + 4.5390625.
    """
    grid = _grid([[10, 20], [12, 22], [14, 24]])
    method = HoltWinters(alpha=0.5, beta=0.5, gamma=0.5, season_days=1)
    assert method.predict(grid, 1) == [pytest.approx([16.02734375, 26.0703125])]


def test_holt_winters_from_winters_constants() -> None:
    """Winters' gamma* = 0.5 at alpha 0.5 is Hyndman's gamma 0.25: the 1960 form, on paper.

    Winters' seasonal equation smooths x - level (the new level); worked by
    hand it forecasts 15.79296875 and 26.14453125 for this grid.
    """
    grid = _grid([[10, 20], [12, 22], [14, 24]])
    method = HoltWinters.from_winters(0.5, 0.5, 0.5, season_days=1)
    assert method == HoltWinters(0.5, 0.5, 0.25, season_days=1)
    assert method.predict(grid, 1) == [pytest.approx([15.79296875, 26.14453125])]


@given(
    rows=st.lists(st.lists(st.floats(0, 500), min_size=2, max_size=2), min_size=3, max_size=6),
    alpha=st.floats(0, 1),
    beta=st.floats(0, 1),
    gamma_star=st.floats(0, 1),
)
def test_winters_and_hyndman_forms_agree(
    rows: list[list[float]], alpha: float, beta: float, gamma_star: float
) -> None:
    """Winters' recursion (written out here) equals from_winters(...) on any history."""
    grid = _grid(rows)
    series = [value for row in rows for value in row]
    m = 2
    level = sum(series[:m]) / m
    trend = (sum(series[m : 2 * m]) / m - level) / m
    season = [value - level for value in series[:m]]
    for t in range(m, len(series)):
        previous = level
        level = alpha * (series[t] - season[t % m]) + (1 - alpha) * (level + trend)
        trend = beta * (level - previous) + (1 - beta) * trend
        season[t % m] = gamma_star * (series[t] - level) + (1 - gamma_star) * season[t % m]
    expected = [max(0.0, level + h * trend + season[(len(series) + h - 1) % m]) for h in (1, 2)]
    method = HoltWinters.from_winters(alpha, beta, gamma_star, season_days=1)
    assert method.predict(grid, 1) == [pytest.approx(expected, rel=1e-9, abs=1e-6)]


@given(
    pattern=st.lists(st.floats(min_value=0, max_value=500), min_size=2, max_size=4),
    seasons=st.integers(min_value=2, max_value=5),
    alpha=st.floats(0, 1),
    gamma=st.floats(0, 1),
)
def test_holt_winters_repeats_a_pure_season(
    pattern: list[float], seasons: int, alpha: float, gamma: float
) -> None:
    """A series that repeats one day exactly is forecast as that day again."""
    grid = _grid([pattern] * seasons, slots=len(pattern))
    method = HoltWinters(alpha=alpha, beta=0.3, gamma=gamma, season_days=1)
    assert method.predict(grid, 2) == [pytest.approx(pattern, abs=1e-9)] * 2


def test_accuracy_measures_by_hand() -> None:
    """MAPE skips zero actuals; WAPE weighs errors by volume; sMAPE is bounded."""
    assert mape([100, 50, 0], [90, 60, 5]) == pytest.approx((0.1 + 0.2) / 2)
    assert wape([100, 50, 0], [90, 60, 5]) == pytest.approx(25 / 150)
    assert smape([100, 50, 0], [90, 60, 5]) == pytest.approx((20 / 190 + 20 / 110 + 2) / 3)
    assert smape([0, 10], [0, 10]) == 0.0
    with pytest.raises(InvalidInputError, match="undefined"):
        smape([0, 0], [0, 0])
    with pytest.raises(InvalidInputError, match="differ in length"):
        mape([1, 2], [1])
    with pytest.raises(InvalidInputError, match="undefined"):
        mape([0, 0], [1, 1])


def _history(weeks: int, zone: timezone | ZoneInfo = UTC) -> list[IntervalDemand]:
    """Weeks of 09:00-11:00 half-hours; volume depends on weekday and slot only."""
    records = []
    for day in range(weeks * 7):
        current = MONDAY + timedelta(days=day)
        for slot in range(4):
            start = datetime.combine(current, time(9 + slot // 2, 30 * (slot % 2)), tzinfo=zone)
            calls = 10.0 * (current.weekday() + 1) + slot
            aht = timedelta(seconds=200 + 20 * slot)
            records.append(IntervalDemand(start, calls, aht))
    return records


def test_backtest_of_a_periodic_history_is_perfect() -> None:
    """A history that repeats every week is predicted exactly by the same-weekday average."""
    accuracy = backtest(_history(4), SeasonalAverage(trend=False), holdout_days=7)
    assert (accuracy.mape, accuracy.wape, accuracy.smape, accuracy.intervals) == (0, 0, 0, 28)


def test_rolling_origin_backtest_pools_the_origins() -> None:
    """Three one-day origins of a naive (last-week) average, scored by hand."""
    rows = [[float(10 + day), 20.0] for day in range(10)]
    history = {
        datetime.combine(MONDAY + timedelta(days=day), time(9 + slot), tzinfo=UTC): value
        for day, row in enumerate(rows)
        for slot, value in enumerate(row)
    }
    method = SeasonalAverage(weeks=1, trend=False)
    pooled = backtest(history, method, 1, interval=timedelta(hours=1), origins=3)
    # days 7, 8, 9 forecast from days 0, 1, 2: first slot off by 7 each, second exact
    assert pooled.intervals == 6
    assert pooled.wape == pytest.approx(21 / (17 + 18 + 19 + 60))
    assert pooled.mape == pytest.approx((7 / 17 + 7 / 18 + 7 / 19) / 6)
    assert pooled.smape == pytest.approx((14 / 27 + 14 / 29 + 14 / 31) / 6)
    single = backtest(history, method, 1, interval=timedelta(hours=1))
    assert single.wape == pytest.approx(7 / 39)


def test_forecast_keeps_local_times_across_a_dst_change() -> None:
    """A London history forecast into summer time keeps 09:00 local intervals."""
    london = ZoneInfo("Europe/London")
    history = {
        datetime(2026, 3, 2, 9, tzinfo=london) + timedelta(days=d): 10.0 + d for d in range(28)
    }
    hourly = timedelta(hours=1)
    result = forecast(history, SeasonalAverage(), 7, interval=hourly, aht=timedelta(minutes=4))
    starts = [item.start for item in result.intervals]
    assert starts[0] == datetime(2026, 3, 30, 9, tzinfo=london)  # after the change on 29 March
    assert all(start.hour == 9 for start in starts)
    assert starts[0].utcoffset() == timedelta(hours=1)


def test_forecast_handle_times_are_call_weighted() -> None:
    """A slot's forecast AHT is the call-weighted mean of the same weekday and slot."""
    start = datetime(2026, 1, 5, 9, tzinfo=UTC)
    history = [
        IntervalDemand(start, 10, timedelta(seconds=100)),
        IntervalDemand(start + timedelta(days=7), 30, timedelta(seconds=200)),
    ]
    result = forecast(history, SeasonalAverage(trend=False), 8)
    mondays = [item for item in result.intervals if item.start.weekday() == 0]
    assert mondays[0].aht == timedelta(seconds=(10 * 100 + 30 * 200) / 40)
    assert mondays[0].calls == pytest.approx(20)


def test_forecast_to_plan_in_one_call() -> None:
    """forecast_staffing_plan staffs exactly the intervals that forecast predicts."""
    target = StaffingTarget(service_level=0.8, shrinkage=0.25)
    plan = forecast_staffing_plan(_history(3), HoltWinters(), 2, target)
    predicted = forecast(_history(3), HoltWinters(), 2)
    assert plan == staffing_plan(predicted.intervals, target)
    assert len(plan.rows) == 2 * 4


def test_bad_history_lists_every_problem() -> None:
    """Naive, misaligned and repeated intervals and a missing AHT are all reported."""
    aware = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
    history = {
        datetime(2026, 1, 5, 9, 0): 3.0,  # noqa: DTZ001
        aware + timedelta(minutes=10): 4.0,
        aware: -1.0,
    }
    with pytest.raises(DocumentError) as caught:
        forecast(history, SeasonalAverage(), 1)
    assert [problem.path for problem in caught.value.problems] == ["history[0]", "history[2]"]
    with pytest.raises(DocumentError, match="minute grid") as caught:
        forecast({aware + timedelta(minutes=10): 4.0}, SeasonalAverage(), 1)
    with pytest.raises(DocumentError, match="empty"):
        forecast({}, SeasonalAverage(), 1, aht=timedelta(minutes=3))


def test_bad_arguments_name_their_field() -> None:
    """Arguments other than the history, and method settings, raise InvalidInputError."""
    aware = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
    calls: list[tuple[object, str]] = [
        (lambda: forecast({aware: 4.0}, SeasonalAverage(), 1), "aht"),
        (lambda: forecast({aware: 4.0}, SeasonalAverage(), 0, aht=timedelta(1)), "days"),
        (lambda: forecast({aware: 4.0}, SeasonalAverage(), 400, aht=timedelta(1)), "days"),
        (lambda: forecast({aware: 4.0}, "seasonal", 1, aht=timedelta(1)), "method"),  # type: ignore[arg-type]
        (lambda: forecast({aware: 4.0}, SeasonalAverage(), 1, aht=timedelta(0)), "aht"),
        (lambda: backtest(_history(1), SeasonalAverage(), 7), "holdout_days"),
        (lambda: backtest(_history(2), SeasonalAverage(), 7, interval=timedelta(1)), "interval"),
        (lambda: HoltWinters(alpha=2, season_days=3), "alpha"),
        (lambda: HoltWinters(season_days=3), "season_days"),
        (lambda: SeasonalAverage(weeks=0), "weeks"),
        (lambda: SeasonalAverage(trend="yes"), "trend"),  # type: ignore[arg-type]
    ]
    for call, field in calls:
        assert callable(call)
        with pytest.raises(InvalidInputError) as caught:
            call()
        assert caught.value.field == field


def test_forecast_models_round_trip() -> None:
    """Methods, forecasts and accuracies survive to_dict/from_dict."""
    result = forecast(_history(2), SeasonalAverage(weeks=2), 1)
    assert from_dict(Forecast, to_dict(result)) == result
    assert from_dict(HoltWinters, to_dict(HoltWinters(0.1))) == HoltWinters(0.1)
    assert from_dict(SeasonalAverage, to_dict(SeasonalAverage(3, trend=False))) == SeasonalAverage(
        3, trend=False
    )


@given(weeks=st.integers(min_value=2, max_value=4), days=st.integers(min_value=1, max_value=9))
def test_forecast_has_one_interval_per_slot_and_day(weeks: int, days: int) -> None:
    """A forecast covers every slot of every day asked for, in time order, never negative."""
    for method in (SeasonalAverage(), HoltWinters(alpha=0.9, beta=0.9, gamma=0.9)):
        result = forecast(_history(weeks), method, days)
        starts = [item.start for item in result.intervals]
        assert len(starts) == days * 4
        assert starts == sorted(starts)
        assert starts[0].date() == MONDAY + timedelta(days=weeks * 7)
        assert all(item.calls >= 0 for item in result.intervals)
