"""Prediction intervals for a forecast, from its own rolling-origin backtest errors.

Interval volumes are counts: their noise grows with the volume (a Poisson
count's spread is its square root). So each backtest error is scaled by the
square root of what was forecast, the scaled errors' quantiles are taken,
and each forecast interval gets ``forecast + q sqrt(forecast)`` at both
ends (never below zero). The method's bias and its misses of the pattern are
in those errors, not only the noise; the level is honest as far as the last
``origins`` weeks are like the next one (Hyndman & Athanasopoulos, *FPP3*,
section 5.5, "prediction intervals from bootstrapped residuals", here from
multi-step backtest errors rather than one-step residuals).
"""

from __future__ import annotations

import math
from datetime import datetime, timedelta, tzinfo

import attrs

from callcore.checks import check_count, check_number
from callcore.errors import InvalidInputError
from callcore.wfm._forecast import (
    ForecastMethod,
    VolumeHistory,
    _arrange,
    _check_method,
    _check_zone,
    forecast,
    rolling_errors,
)

_HORIZON_DAYS = 7


@attrs.frozen
class PredictionInterval:
    """The range an interval's calls are expected to fall in, with the point forecast.

    Attributes:
        start: When the interval starts.
        calls: The point forecast.
        lower: The lower bound, never below zero.
        upper: The upper bound.
    """

    start: datetime
    calls: float
    lower: float
    upper: float


def _quantile(ordered: list[float], share: float) -> float:
    """The ``share`` quantile of sorted values, interpolated linearly (numpy's default)."""
    position = share * (len(ordered) - 1)
    below = math.floor(position)
    above = min(below + 1, len(ordered) - 1)
    return ordered[below] + (ordered[above] - ordered[below]) * (position - below)


def prediction_intervals(
    history: VolumeHistory,
    method: ForecastMethod,
    days: int,
    *,
    level: float = 0.8,
    origins: int = 4,
    interval: timedelta = timedelta(minutes=30),
    aht: timedelta | None = None,
    zone: tzinfo | None = None,
) -> tuple[PredictionInterval, ...]:
    """Forecast the next days with a central prediction interval at ``level``.

    Args:
        history: As for :func:`~callcore.wfm.forecast`.
        method: As for :func:`~callcore.wfm.forecast`.
        days: As for :func:`~callcore.wfm.forecast`.
        level: The share of outcomes the interval should hold, in (0, 1).
        origins: Rolling origins (weeks) whose errors calibrate it, 1 to 52.
        interval: As for :func:`~callcore.wfm.forecast`.
        aht: As for :func:`~callcore.wfm.forecast`.
        zone: As for :func:`~callcore.wfm.forecast`.

    Returns:
        One interval per forecast interval, in time order.

    Raises:
        InvalidInputError: as for :func:`~callcore.wfm.forecast`, a level or
            origins out of range, or too little history to backtest one week.
        DocumentError: bad history, as for :func:`~callcore.wfm.forecast`.
    """
    method = _check_method(method)
    share = check_number(level, "level", low=0, high=1, low_open=True, high_open=True)
    check_count(origins, "origins", low=1, high=52)
    _check_zone(zone)
    point = forecast(history, method, days, interval=interval, aht=aht, zone=zone)
    arranged = _arrange(history, interval, zone)
    try:
        actual, guessed = rolling_errors(
            method, arranged.grid, _HORIZON_DAYS, origins, arranged.absent
        )
    except InvalidInputError as exc:
        raise InvalidInputError(
            f"too little history to calibrate prediction intervals: {exc}", field="history"
        ) from None
    scaled = sorted((a - f) / math.sqrt(max(f, 1.0)) for a, f in zip(actual, guessed, strict=True))
    low = _quantile(scaled, (1 - share) / 2)
    high = _quantile(scaled, (1 + share) / 2)
    return tuple(
        PredictionInterval(
            item.start,
            item.calls,
            max(0.0, item.calls + low * math.sqrt(max(item.calls, 1.0))),
            max(0.0, item.calls + high * math.sqrt(max(item.calls, 1.0))),
        )
        for item in point.intervals
    )
