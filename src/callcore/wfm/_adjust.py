"""Adjusting a forecast: special days, and an intraday re-forecast from what has arrived."""

from __future__ import annotations

import math
from collections.abc import Mapping
from datetime import date, datetime, timezone

import attrs

from callcore.checks import check_instance, check_instant, check_number
from callcore.errors import InvalidInputError
from callcore.wfm._forecast import Forecast
from callcore.wfm._plan import MAX_CALLS, check_calls

MAX_MULTIPLIER = 1_000.0
"""The largest special-day multiplier."""


def special_days(
    forecast: Forecast,
    *,
    multipliers: Mapping[date, float] | None = None,
    overrides: Mapping[datetime, float] | None = None,
) -> Forecast:
    """Apply holidays and special days to a forecast, as explicit business knowledge.

    History cannot know that next Monday is a bank holiday or that a
    billing run lands on Thursday: a planner says so. ``multipliers`` scale
    every interval of a local date (0 closes it, 1.4 is 40 % busier);
    ``overrides`` then set single intervals (keyed by start instant) to a
    number of calls. Handle times are kept.

    Args:
        forecast: The forecast to adjust.
        multipliers: Local dates (in each interval's own zone) to their
            multipliers, 0 to :data:`MAX_MULTIPLIER`.
        overrides: Interval starts to calls, 0 to
            :data:`~callcore.wfm.MAX_CALLS`; each must be an interval of
            the forecast.

    Returns:
        The adjusted forecast; the method name gains ``"+special_days"``.

    Raises:
        InvalidInputError: a wrong type or value, or an override for an
            interval the forecast does not have.
    """
    check_instance(forecast, Forecast, "forecast")
    scale: dict[date, float] = {}
    for day, factor in (multipliers or {}).items():
        check_instance(day, date, "multipliers")
        scale[day] = check_number(factor, f"multipliers[{day}]", low=0, high=MAX_MULTIPLIER)
    fixed: dict[datetime, float] = {}
    for start, calls in (overrides or {}).items():
        instant = check_instant(start, "overrides").astimezone(timezone.utc)
        fixed[instant] = check_calls(calls, f"overrides[{start.isoformat()}]")
    known = {item.start.astimezone(timezone.utc) for item in forecast.intervals}
    for instant in fixed:
        if instant not in known:
            raise InvalidInputError(
                f"overrides names {instant.isoformat()}, which is not an interval of the forecast",
                field="overrides",
            )
    adjusted = []
    for item in forecast.intervals:
        calls = min(MAX_CALLS, item.calls * scale.get(item.start.date(), 1.0))
        calls = fixed.get(item.start.astimezone(timezone.utc), calls)
        adjusted.append(attrs.evolve(item, calls=calls))
    return Forecast(f"{forecast.method}+special_days", forecast.interval, tuple(adjusted))


def reforecast_intraday(
    forecast: Forecast, arrived: Mapping[datetime, float], *, now: datetime
) -> Forecast:
    """Scale the rest of today by how today's calls have run against the forecast.

    The intervals of ``now``'s local day that have ended are compared with
    what arrived in them; their ratio (arrived over forecast) scales every
    interval of the same day that has not ended, and the ended ones take the
    arrived calls. Other days are unchanged. This is the planner's intraday
    re-forecast (the "running total" method): a morning 20 % busier than
    forecast makes the afternoon 20 % busier too.

    Args:
        forecast: The forecast for (at least) today.
        arrived: Calls per ended interval of today, keyed by start instant;
            an ended interval missing here counts as no calls.
        now: The current instant.

    Returns:
        The re-forecast; the method name gains ``"+intraday"``.

    Raises:
        InvalidInputError: a wrong type or value, or arrivals for an interval
            the forecast does not have or that has not ended.
    """
    check_instance(forecast, Forecast, "forecast")
    moment = check_instant(now, "now").astimezone(timezone.utc)
    if not isinstance(arrived, Mapping):
        raise InvalidInputError(
            "arrived must be a mapping of interval start to calls", field="arrived"
        )
    counts: dict[datetime, float] = {}
    for start, calls in arrived.items():
        instant = check_instant(start, "arrived").astimezone(timezone.utc)
        counts[instant] = check_calls(calls, f"arrived[{start.isoformat()}]")
    step = forecast.interval
    today = [
        item
        for item in forecast.intervals
        if item.start.date() == moment.astimezone(item.start.tzinfo).date()
    ]
    ended = {item.start.astimezone(timezone.utc) for item in today if item.start + step <= moment}
    for instant in counts:
        if instant not in ended:
            raise InvalidInputError(
                f"arrived names {instant.isoformat()}, not an ended interval of today's forecast",
                field="arrived",
            )
    expected = math.fsum(
        item.calls for item in today if item.start.astimezone(timezone.utc) in ended
    )
    came = math.fsum(counts.values())
    ratio = came / expected if expected > 0 else 1.0
    in_today = {item.start.astimezone(timezone.utc) for item in today}
    adjusted = []
    for item in forecast.intervals:
        instant = item.start.astimezone(timezone.utc)
        if instant in ended:
            item = attrs.evolve(item, calls=counts.get(instant, 0.0))  # noqa: PLW2901
        elif instant in in_today:
            item = attrs.evolve(item, calls=min(MAX_CALLS, item.calls * ratio))  # noqa: PLW2901
        adjusted.append(item)
    return Forecast(f"{forecast.method}+intraday", forecast.interval, tuple(adjusted))
