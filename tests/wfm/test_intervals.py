"""Prediction intervals: calibrated on backtest errors, checked on a series with known truth."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from callcore.errors import InvalidInputError
from callcore.wfm import AutoForecast, SeasonalAverage, prediction_intervals
from tests.wfm.test_forecast_accuracy import SLOTS, WEEKS, _observed, _truth

START = datetime(2026, 1, 5, tzinfo=timezone.utc)  # a Monday


def _history(rows: list[list[float]]) -> dict[datetime, float]:
    return {
        datetime.combine((START + timedelta(days=day)).date(), slot, tzinfo=timezone.utc): value
        for day, row in enumerate(rows)
        for slot, value in zip(SLOTS, row, strict=True)
    }


@pytest.mark.parametrize("seed", [0, 1])
def test_eighty_percent_intervals_hold_about_eighty_percent(seed: int) -> None:
    """On the seasonal series, an 80 % interval holds 70-90 % of next week's intervals."""
    observed = _observed(_truth(WEEKS * 7 + 7), seed)
    history, future = observed[: WEEKS * 7], [v for row in observed[WEEKS * 7 :] for v in row]
    bounds = prediction_intervals(
        _history(history), AutoForecast(), 7, aht=timedelta(minutes=3), level=0.8
    )
    assert len(bounds) == len(future)
    inside = sum(b.lower <= a <= b.upper for a, b in zip(future, bounds, strict=True))
    assert 0.70 <= inside / len(future) <= 0.90
    assert all(0 <= b.lower <= b.calls <= b.upper for b in bounds)


def test_wider_level_wider_interval_and_refusals() -> None:
    """A 95 % interval contains the 50 % one; level 1 and a week of history are refused."""
    observed = _observed(_truth(21), 3)
    history = _history(observed)
    narrow = prediction_intervals(
        history, SeasonalAverage(), 1, aht=timedelta(minutes=3), level=0.5
    )
    wide = prediction_intervals(history, SeasonalAverage(), 1, aht=timedelta(minutes=3), level=0.95)
    assert all(w.lower <= n.lower and n.upper <= w.upper for n, w in zip(narrow, wide, strict=True))
    with pytest.raises(InvalidInputError) as caught:
        prediction_intervals(history, SeasonalAverage(), 1, aht=timedelta(minutes=3), level=1.0)
    assert caught.value.field == "level"
    week = _history(observed[:7])
    with pytest.raises(InvalidInputError) as caught:
        prediction_intervals(week, SeasonalAverage(), 1, aht=timedelta(minutes=3))
    assert caught.value.field == "history"
