"""Forecasting interval call volumes (and handle times) from history.

History is arranged as a grid of days by interval slots in the history's own
time zone (Monday 09:00 stays Monday 09:00 across a DST change). Methods
predict the next days of that grid; the result becomes interval demand that a
staffing plan takes directly.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from datetime import date, datetime, time, timedelta, timezone, tzinfo
from itertools import pairwise
from typing import Protocol, runtime_checkable

import attrs

from callcore.checks import (
    EARLIEST,
    LATEST,
    check_bool,
    check_count,
    check_duration,
    check_instance,
    check_instant,
    check_list,
    check_number,
    validator,
)
from callcore.errors import DocumentError, InvalidInputError, Problem
from callcore.wfm._checks import is_collection
from callcore.wfm._plan import (
    MAX_CALLS,
    IntervalDemand,
    StaffingPlan,
    check_calls,
    check_interval_length,
    staffing_plan,
)
from callcore.wfm._staffing import StaffingTarget

VolumeHistory = Mapping[datetime, float] | Iterable[IntervalDemand]
"""Interval volumes keyed by start time, or interval demand records with handle times."""

MAX_HISTORY_DAYS = 3_660
"""The most days (ten years) a history, and so a :class:`DailyGrid`, may span."""
MAX_FORECAST_DAYS = 366
"""The most days one forecast may cover."""


def _check_days(days: object, what: str) -> int:
    return check_count(days, what, low=1, high=MAX_FORECAST_DAYS)


def _check_first_day(first_day: object) -> None:
    check_instance(first_day, date, "first_day")
    if isinstance(first_day, datetime):
        raise InvalidInputError("first_day must be a date, not a datetime", field="first_day")
    if not EARLIEST.date() <= first_day < LATEST.date():  # type: ignore[operator]
        raise InvalidInputError(
            f"first_day must lie between {EARLIEST.year} and {LATEST.year - 1}, got {first_day}",
            field="first_day",
        )


def _check_slots(value: object) -> list[time]:
    slots = check_list(value, "slots")
    for index, slot in enumerate(slots):
        if check_instance(slot, time, f"slots[{index}]").tzinfo is not None:
            raise InvalidInputError(
                f"slots[{index}] must be a local time of day without a time zone",
                field=f"slots[{index}]",
            )
    if not slots or any(a >= b for a, b in pairwise(slots)):
        raise InvalidInputError(
            "slots must be at least one time of day, sorted, none twice", field="slots"
        )
    return slots


def _check_volumes(value: object, width: int) -> None:
    rows = check_list(value, "volumes", max_length=MAX_HISTORY_DAYS)
    if not rows:
        raise InvalidInputError("volumes must hold at least one day", field="volumes")
    for number, row in enumerate(rows):
        values = check_list(row, f"volumes[{number}]")
        if len(values) != width:
            raise InvalidInputError(
                f"volumes[{number}] has {len(values)} values for {width} slots",
                field=f"volumes[{number}]",
            )
        for column, volume in enumerate(values):
            if not (type(volume) is float and 0.0 <= volume <= MAX_CALLS):
                check_calls(volume, f"volumes[{number}][{column}]")


@attrs.frozen
class DailyGrid:
    """History as days by slots: what a forecast method reads.

    Attributes:
        first_day: The date of the first row (1900 to 2999).
        slots: The starts of the intervals within a day (local times), sorted,
            at least one.
        volumes: One row per day from ``first_day`` on (at least one, at most
            :data:`MAX_HISTORY_DAYS`), one value per slot, each a number of
            calls from 0 to :data:`~callcore.wfm.MAX_CALLS`; an interval
            missing from the history counts as no calls.
    """

    first_day: date
    slots: tuple[time, ...]
    volumes: tuple[tuple[float, ...], ...]

    def __attrs_post_init__(self) -> None:
        """Refuse wrong types, unsorted slots, ragged rows and bad volumes."""
        _check_first_day(self.first_day)
        _check_volumes(self.volumes, len(_check_slots(self.slots)))

    def weekday(self, row: int) -> int:
        """The weekday (Monday = 0) of row ``row``, which may lie past the history."""
        return (self.first_day + timedelta(days=row)).weekday()


@runtime_checkable
class ForecastMethod(Protocol):
    """A way to predict future days of a :class:`DailyGrid`.

    Plugins add methods through the ``callcore_wfm_forecast_methods`` hook.
    """

    @property
    def name(self) -> str:
        """A short name for reports (``"seasonal_average"``)."""
        ...

    def predict(self, grid: DailyGrid, days: int) -> list[list[float]]:
        """Return ``days`` rows of predicted volumes, one value per slot of ``grid``."""
        ...


def _least_squares_at(xs: Sequence[float], ys: Sequence[float], at: float) -> float:
    """The value at ``at`` of the least-squares line through ``(xs, ys)``."""
    mean_x = math.fsum(xs) / len(xs)
    mean_y = math.fsum(ys) / len(ys)
    spread = math.fsum((x - mean_x) ** 2 for x in xs)
    if spread == 0:
        return mean_y
    slope = math.fsum((x - mean_x) * (y - mean_y) for x, y in zip(xs, ys, strict=True)) / spread
    return mean_y + slope * (at - mean_x)


@attrs.frozen
class SeasonalAverage:
    """Same weekday and interval, averaged over recent weeks, scaled by a trend.

    For a future day, the same weekday in each of the last ``weeks`` weeks of
    history gives one profile; the slots are averaged. With ``trend``, the day
    totals of those weeks are fitted by a least-squares line, and the averaged
    profile is scaled to the line's value at the future week (never below 0).
    This is the "same day last weeks" method most contact-centre planners
    start with (Cleveland, *Call Center Management on Fast Forward*).

    Attributes:
        weeks: How many recent weeks to average (at least 1).
        trend: Whether to follow the trend of day totals.
    """

    weeks: int = attrs.field(default=4, validator=validator(check_count, low=1))
    trend: bool = attrs.field(default=True, validator=validator(check_bool))

    @property
    def name(self) -> str:
        """``"seasonal_average"``."""
        return "seasonal_average"

    def predict(self, grid: DailyGrid, days: int) -> list[list[float]]:
        """Predict ``days`` rows after the history; see the class description.

        Raises:
            InvalidInputError: an argument of the wrong type or out of range
                (``days`` at most :data:`MAX_FORECAST_DAYS`), or less than a
                week of history.
        """
        check_instance(grid, DailyGrid, "grid")
        _check_days(days, "days")
        known = len(grid.volumes)
        rows = []
        for ahead in range(days):
            target = known + ahead
            # the same weekday in past weeks, newest first, only rows we know
            past = [row for row in range(target - 7, -1, -7) if row < known][: self.weeks]
            if not past:
                raise InvalidInputError(
                    f"no history for weekday {grid.weekday(target)}: a seasonal average "
                    "needs at least one full week of history",
                    field="grid",
                )
            profile = [
                math.fsum(grid.volumes[row][slot] for row in past) / len(past)
                for slot in range(len(grid.slots))
            ]
            if self.trend and len(past) > 1:
                totals = [math.fsum(grid.volumes[row]) for row in past]
                mean_total = math.fsum(totals) / len(totals)
                projected = _least_squares_at(past, totals, target)
                factor = max(0.0, projected) / mean_total if mean_total > 0 else 1.0
                profile = [value * factor for value in profile]
            rows.append(profile)
        return rows


_fraction = attrs.validators.optional(validator(check_number, low=0, high=1))

# The grid a Holt-Winters fit searches; interval series are long and noisy, so
# the useful smoothing constants are small. Each combination costs one pass.
_ALPHAS = (0.01, 0.03, 0.1, 0.3)
_BETAS = (0.0, 0.001)
_GAMMAS = (0.02, 0.05, 0.1, 0.2, 0.4)
_FALLBACK = (0.1, 0.0, 0.1)  # alpha, beta, gamma when the history is too short to fit
_FIT_ORIGINS = 2  # rolling origins a fit scores (a week ahead each)


@attrs.frozen
class _Smoothed:
    """Holt-Winters state after a run of the series: level, trend, season by position."""

    level: float
    trend: float
    season: list[float]
    at: int  # the series length it has read

    def ahead(self, steps: int) -> list[float]:
        """Forecasts 1..``steps`` intervals ahead, never below zero."""
        m = len(self.season)
        return [
            max(0.0, self.level + h * self.trend + self.season[(self.at + h - 1) % m])
            for h in range(1, steps + 1)
        ]


def _smooth(
    series: Sequence[float], m: int, parameters: tuple[float, float, float], stops: Sequence[int]
) -> list[_Smoothed]:
    """Run additive Holt-Winters (Hyndman's form) and return its state at each stop.

    Initial level: the first season's mean; trend: the difference of the first
    two seasons' means per interval; season: the first season's deviations.
    The recursion reads the series from the second season on.
    """
    alpha, beta, gamma = parameters
    first = math.fsum(series[:m]) / m
    level, trend = first, (math.fsum(series[m : 2 * m]) / m - first) / m
    season = [value - first for value in series[:m]]
    states = []
    t = m
    for stop in stops:
        while t < stop:
            x, position = series[t], t % m
            previous, old_trend = level, trend
            level = alpha * (x - season[position]) + (1 - alpha) * (previous + old_trend)
            trend = beta * (level - previous) + (1 - beta) * old_trend
            season[position] = gamma * (x - previous - old_trend) + (1 - gamma) * season[position]
            t += 1
        states.append(_Smoothed(level, trend, list(season), stop))
    return states


@attrs.frozen
class HoltWinters:
    """Additive Holt-Winters (triple exponential smoothing) over the slot series.

    The grid is read as one series of intervals; a season is ``season_days``
    days of slots (a week by default, so Monday mornings follow Monday
    mornings). Initial level is the first season's mean, initial trend the
    difference of the first two seasons' means per interval, initial season
    the first season's deviations from its mean; then for each interval, in
    the error-correction form of Hyndman & Athanasopoulos, *Forecasting:
    Principles and Practice* (3rd ed., section 8.3), which statsmodels'
    ``ExponentialSmoothing`` and R's ``forecast::ets`` also use::

        level  = alpha (x - season[t-m]) + (1 - alpha) (level + trend)
        trend  = beta (level - previous level) + (1 - beta) trend
        season = gamma (x - previous level - previous trend) + (1 - gamma) season[t-m]

    and the forecast ``h`` intervals ahead is ``level + h trend + season``,
    never below zero. Winters' original (1960) seasonal equation smooths
    ``x - level`` with its own constant ``gamma*``; it is the same model with
    ``gamma = gamma* (1 - alpha)`` (see :meth:`from_winters`).

    A parameter left ``None`` (the default) is fitted to the history: every
    combination of a small grid is scored by a rolling-origin backtest (the
    last two weeks, each forecast a week ahead, from the history before it)
    and the lowest WAPE wins. With too little history to score (fewer than
    two seasons and a week), the fallbacks are alpha 0.1, beta 0, gamma 0.1.
    Needs at least two seasons of history.

    Attributes:
        alpha: Level smoothing, in [0, 1], or ``None`` to fit it.
        beta: Trend smoothing, in [0, 1], or ``None`` to fit it.
        gamma: Seasonal smoothing (Hyndman's form), in [0, 1], or ``None`` to
            fit it; ``1 - alpha`` at most keeps the model forecastable.
        season_days: Days in a season: 7 (weekly) or 1 (daily).
    """

    alpha: float | None = attrs.field(default=None, validator=_fraction)
    beta: float | None = attrs.field(default=None, validator=_fraction)
    gamma: float | None = attrs.field(default=None, validator=_fraction)
    season_days: int = attrs.field(default=7, validator=validator(check_count, low=1, high=7))

    def __attrs_post_init__(self) -> None:
        """Refuse seasons other than 1 or 7 days."""
        if self.season_days not in {1, 7}:
            raise InvalidInputError(
                f"season_days must be 1 or 7, got {self.season_days}", field="season_days"
            )

    @classmethod
    def from_winters(
        cls, alpha: float, beta: float, gamma_star: float, season_days: int = 7
    ) -> HoltWinters:
        """The same model from Winters' (1960) constants: ``gamma = gamma_star (1 - alpha)``.

        Args:
            alpha: Level smoothing, in [0, 1].
            beta: Trend smoothing, in [0, 1].
            gamma_star: Winters' seasonal smoothing of ``x - level``, in [0, 1].
            season_days: Days in a season: 7 or 1.

        Raises:
            InvalidInputError: a constant out of range.
        """
        a = check_number(alpha, "alpha", low=0, high=1)
        g = check_number(gamma_star, "gamma_star", low=0, high=1)
        return cls(a, beta, g * (1 - a), season_days)

    @property
    def name(self) -> str:
        """``"holt_winters"``."""
        return "holt_winters"

    def _series(self, grid: DailyGrid) -> tuple[list[float], int]:
        width = len(grid.slots)
        series = [value for row in grid.volumes for value in row]
        m = width * self.season_days
        if len(series) < 2 * m:
            raise InvalidInputError(
                f"Holt-Winters with a {self.season_days}-day season needs at least "
                f"{2 * self.season_days} days of history, got {len(grid.volumes)}",
                field="grid",
            )
        return series, m

    def fitted(self, grid: DailyGrid) -> HoltWinters:
        """This method with every parameter left ``None`` fitted to ``grid``.

        Raises:
            InvalidInputError: ``grid`` is not a :class:`DailyGrid` or has
                less than two seasons of history.
        """
        check_instance(grid, DailyGrid, "grid")
        series, m = self._series(grid)
        given = (self.alpha, self.beta, self.gamma)
        if None not in given:
            return self
        width = len(grid.slots)
        horizon = 7 * width
        origins = min(_FIT_ORIGINS, (len(series) - 2 * m) // horizon)
        if origins < 1:
            chosen = _FALLBACK
        else:
            stops = [len(series) - k * horizon for k in range(origins, 0, -1)]
            actual = [series[stop : stop + horizon] for stop in stops]
            volume = math.fsum(math.fsum(run) for run in actual) or 1.0

            def error(parameters: tuple[float, float, float]) -> float:
                states = _smooth(series, m, parameters, stops)
                return (
                    math.fsum(
                        abs(a - f)
                        for state, run in zip(states, actual, strict=True)
                        for a, f in zip(run, state.ahead(horizon), strict=True)
                    )
                    / volume
                )

            grids = [
                _ALPHAS if self.alpha is None else (self.alpha,),
                _BETAS if self.beta is None else (self.beta,),
                _GAMMAS if self.gamma is None else (self.gamma,),
            ]
            combinations = [(a, b, g) for a in grids[0] for b in grids[1] for g in grids[2]]
            chosen = min(combinations, key=error)  # ties: the first, the smoothest
        alpha, beta, gamma = (
            float(value) if value is not None else fallback
            for value, fallback in zip(given, chosen, strict=True)
        )
        return HoltWinters(alpha, beta, gamma, self.season_days)

    def predict(self, grid: DailyGrid, days: int) -> list[list[float]]:
        """Predict ``days`` rows after the history; see the class description.

        Raises:
            InvalidInputError: an argument of the wrong type or out of range
                (``days`` at most :data:`MAX_FORECAST_DAYS`), or less than two
                seasons of history.
        """
        check_instance(grid, DailyGrid, "grid")
        _check_days(days, "days")
        method = self.fitted(grid)
        series, m = self._series(grid)
        parameters = (float(method.alpha or 0), float(method.beta or 0), float(method.gamma or 0))
        state = _smooth(series, m, parameters, [len(series)])[0]
        width = len(grid.slots)
        values = state.ahead(days * width)
        return [values[row * width : (row + 1) * width] for row in range(days)]


_AUTO_HORIZON = 7  # days each rolling origin forecasts


@attrs.frozen
class AutoForecast:
    """Choose, for each history, the built-in method that backtests best.

    The candidates are :class:`SeasonalAverage` over 1, 2, 4 and 8 weeks,
    with and without trend, and a fitted :class:`HoltWinters`. Each is scored
    by a rolling-origin backtest: from each of the last ``origins`` week
    starts, forecast the following week from the history before it; the
    lowest pooled WAPE wins (ties: the first, the simplest). A candidate that
    cannot forecast from a shortened history is skipped; with too little
    history to score any (under two weeks), the four-week seasonal average is
    used. This is the default a planner should start from: on a seasonal
    series with noise and trend it beats "same interval last week" and stays
    near the noise floor (see the planning guide).

    Attributes:
        origins: How many rolling origins to score, 1 to 52.
    """

    origins: int = attrs.field(default=3, validator=validator(check_count, low=1, high=52))

    @property
    def name(self) -> str:
        """``"automatic"``."""
        return "automatic"

    @staticmethod
    def candidates() -> tuple[ForecastMethod, ...]:
        """The methods chosen among, simplest first."""
        averages = [
            SeasonalAverage(weeks, trend) for trend in (False, True) for weeks in (1, 2, 4, 8)
        ]
        return (*averages, HoltWinters())

    def choose(self, grid: DailyGrid) -> ForecastMethod:
        """The candidate with the lowest rolling-origin WAPE on ``grid``.

        Raises:
            InvalidInputError: ``grid`` is not a :class:`DailyGrid`.
        """
        check_instance(grid, DailyGrid, "grid")
        fallback: ForecastMethod = SeasonalAverage()
        best, lowest = fallback, math.inf
        for method in self.candidates():
            try:
                actual, guessed = rolling_errors(method, grid, _AUTO_HORIZON, self.origins)
            except InvalidInputError:
                continue  # too little history for this method
            total = math.fsum(actual)
            score = math.fsum(abs(a - f) for a, f in zip(actual, guessed, strict=True))
            score = score / total if total > 0 else score
            if score < lowest:
                best, lowest = method, score
        return best

    def predict(self, grid: DailyGrid, days: int) -> list[list[float]]:
        """Predict with the chosen candidate.

        Raises:
            InvalidInputError: an argument of the wrong type or out of range,
                or less than a week of history.
        """
        _check_days(days, "days")
        return _predict(self.choose(grid), grid, days)


def rolling_errors(
    method: ForecastMethod,
    grid: DailyGrid,
    horizon: int,
    origins: int,
    skip: frozenset[tuple[int, int]] = frozenset(),
) -> tuple[list[float], list[float]]:
    """Actual and forecast volumes of a rolling-origin backtest, pooled.

    From each of the last ``origins`` cuts, ``horizon`` days apart (as many
    as leave at least one day of history), ``method`` forecasts the next
    ``horizon`` days from the rows before the cut. Cells in ``skip``
    (row, column) are not compared.

    Raises:
        InvalidInputError: no cut leaves any history, or the method refuses
            (too short a history) or returns something other than volumes.
    """
    known = len(grid.volumes)
    cuts = [known - k * horizon for k in range(origins, 0, -1) if known - k * horizon >= 1]
    if not cuts:
        raise InvalidInputError(
            f"a {horizon}-day holdout leaves no history: only {known} days",
            field="holdout_days",
        )
    actual: list[float] = []
    guessed: list[float] = []
    for cut in cuts:
        training = DailyGrid(grid.first_day, grid.slots, grid.volumes[:cut])
        predicted = _predict(method, training, horizon)
        for row in range(cut, cut + horizon):
            for column in range(len(grid.slots)):
                if (row, column) not in skip:
                    actual.append(grid.volumes[row][column])
                    guessed.append(max(0.0, predicted[row - cut][column]))
    return actual, guessed


@attrs.frozen
class ForecastAccuracy:
    """How well a method predicted held-out history.

    Attributes:
        method: The method's name.
        mape: Mean absolute percentage error over intervals with calls
            (``mean(|actual - forecast| / actual)``), as a fraction.
        wape: Weighted absolute percentage error
            (``sum |actual - forecast| / sum actual``), as a fraction.
        intervals: How many intervals were compared.
        smape: Symmetric MAPE over intervals where actual or forecast is not
            zero (``mean(2 |actual - forecast| / (actual + forecast))``), 0 to 2.
    """

    method: str
    mape: float
    wape: float
    intervals: int
    smape: float


@attrs.frozen
class Forecast:
    """Predicted demand per interval.

    Attributes:
        method: The name of the method that made it.
        interval: The length of each interval.
        intervals: The predicted demand, in time order.
    """

    method: str
    interval: timedelta
    intervals: tuple[IntervalDemand, ...]


def mape(actual: Sequence[float], forecast: Sequence[float]) -> float:
    """Mean absolute percentage error, over the intervals whose actual is not zero.

    ``mean(|actual - forecast| / actual)`` over the intervals with calls, as a
    fraction; never negative.

    >>> round(mape([100, 50, 0], [90, 60, 5]), 3)
    0.15

    Args:
        actual: Calls that came, per interval: numbers from 0 to :data:`MAX_CALLS`.
        forecast: Calls forecast for the same intervals, the same way.

    Raises:
        InvalidInputError: a value of the wrong type or out of range, the
            lists differ in length or are empty, every actual is zero (MAPE
            is undefined; use WAPE), or an actual so close to zero that the
            error is too large for a float.
    """
    pairs = _pairs(actual, forecast)
    errors = [abs(a - f) / a for a, f in pairs if a > 0]
    if not errors:
        raise InvalidInputError(
            "MAPE is undefined when every actual value is zero; use WAPE", field="actual"
        )
    return _finite(errors, len(errors), "MAPE")


def wape(actual: Sequence[float], forecast: Sequence[float]) -> float:
    """Weighted absolute percentage error: total absolute error over total actual.

    ``sum |actual - forecast| / sum actual``, as a fraction; never negative.

    >>> round(wape([100, 50, 0], [90, 60, 5]), 3)
    0.167

    Args:
        actual: Calls that came, per interval: numbers from 0 to :data:`MAX_CALLS`.
        forecast: Calls forecast for the same intervals, the same way.

    Raises:
        InvalidInputError: a value of the wrong type or out of range, the
            lists differ in length or are empty, the actuals sum to zero (WAPE
            is undefined), or they sum to so little that the error is too
            large for a float.
    """
    pairs = _pairs(actual, forecast)
    total = math.fsum(a for a, _ in pairs)
    if total == 0:
        raise InvalidInputError(
            "WAPE is undefined when the actual values sum to zero", field="actual"
        )
    return _finite([abs(a - f) for a, f in pairs], total, "WAPE")


def smape(actual: Sequence[float], forecast: Sequence[float]) -> float:
    """Symmetric mean absolute percentage error, as a fraction from 0 to 2.

    ``mean(2 |actual - forecast| / (actual + forecast))`` over the intervals
    where either is not zero (both zero is a perfect forecast of nothing and
    is left out). Unlike MAPE it is bounded, and an over-forecast of a quiet
    interval cannot dominate it (Makridakis, 1993; the M3 and M4 competitions).

    >>> round(smape([100, 50, 0], [90, 60, 5]), 3)
    0.762

    Args:
        actual: Calls that came, per interval: numbers from 0 to :data:`MAX_CALLS`.
        forecast: Calls forecast for the same intervals, the same way.

    Raises:
        InvalidInputError: a value of the wrong type or out of range, the
            lists differ in length or are empty, or every actual and forecast
            is zero (sMAPE is undefined).
    """
    pairs = _pairs(actual, forecast)
    errors = [2 * abs(a - f) / (a + f) for a, f in pairs if a + f > 0]
    if not errors:
        raise InvalidInputError(
            "sMAPE is undefined when every actual and forecast value is zero", field="actual"
        )
    return math.fsum(errors) / len(errors)


def _finite(errors: list[float], divisor: float, name: str) -> float:
    """``sum(errors) / divisor``, refused when it does not fit a float."""
    try:
        result = math.fsum(errors) / divisor
    except OverflowError:  # fsum's intermediate sum left the range of a float
        result = math.inf
    if not math.isfinite(result):
        raise InvalidInputError(
            f"{name} is too large to represent: some actual values are too close to zero",
            field="actual",
        )
    return result


def _pairs(actual: object, forecast: object) -> list[tuple[float, float]]:
    """Check both runs of volumes and pair them up."""
    values = check_list(actual, "actual")
    guesses = check_list(forecast, "forecast")
    if len(values) != len(guesses):
        raise InvalidInputError(
            f"actual and forecast differ in length ({len(values)} and {len(guesses)})",
            field="forecast",
        )
    if not values:
        raise InvalidInputError("actual and forecast are empty: nothing to score", field="actual")
    return [
        (check_calls(a, f"actual[{index}]"), check_calls(f, f"forecast[{index}]"))
        for index, (a, f) in enumerate(zip(values, guesses, strict=True))
    ]


def local_occurrences(day: date, slot: time, zone: tzinfo) -> list[datetime]:
    """The instants at which the wall-clock time ``slot`` of ``day`` happens in ``zone``.

    Usually one; none when the clocks skip it (spring forward), two (``fold``
    0 then 1) when they repeat it (autumn).
    """
    first = datetime.combine(day, slot, tzinfo=zone)
    second = first.replace(fold=1)
    before, after = first.utcoffset(), second.utcoffset()
    if before is None or after is None or before == after:
        return [first]
    # PEP 495: in a gap fold=0 takes the offset from before the change (the smaller
    # one when clocks go forward); in a repeat fold=0 is the first (larger) offset.
    return [first, second] if before > after else []


@attrs.frozen
class _Arranged:
    """History on a grid, with what is needed to turn predictions back into demand."""

    grid: DailyGrid
    zone: tzinfo
    # per (weekday, slot): calls and calls x handle seconds, for call-weighted AHT
    handled: dict[tuple[int, int], tuple[float, float]]
    # (row, column) of cells whose wall-clock time did not happen (spring forward):
    # filled for the methods, never scored
    absent: frozenset[tuple[int, int]]


_Entry = tuple[datetime, float, "timedelta | None"]


def _entries(history: object, problems: list[Problem]) -> list[_Entry]:
    """Read history records or a mapping of volumes, recording what is wrong."""
    entries: list[_Entry] = []
    if isinstance(history, Mapping):
        for index, (start, calls) in enumerate(history.items()):
            where = f"history[{index}]"
            try:
                entries.append((check_instant(start, "start"), check_calls(calls, "calls"), None))
            except InvalidInputError as exc:
                problems.append(Problem(where, str(exc)))
    elif is_collection(history):
        for index, item in enumerate(history):
            if isinstance(item, IntervalDemand):
                entries.append((item.start, float(item.calls), item.aht))
            else:
                problems.append(
                    Problem(
                        f"history[{index}]",
                        f"expected an IntervalDemand, got {type(item).__name__}",
                    )
                )
    else:
        problems.append(
            Problem(
                "history",
                "expected a mapping of interval starts to calls or a list of IntervalDemand, "
                f"got {type(history).__name__}",
            )
        )
    if not entries and not problems:
        problems.append(Problem("history", "is empty"))
    return entries


_Cell = tuple[date, time]


def _cells(
    entries: list[_Entry], zone: tzinfo, interval: timedelta, problems: list[Problem]
) -> dict[_Cell, list[tuple[float, float]]]:
    """Place each entry on (local date, wall-clock slot), with its handle seconds (NaN if none).

    Entries are told apart by instant, so the two intervals of a repeated
    autumn hour (same wall-clock time, ``fold`` 0 and 1) land in one cell
    together; anything else repeated is a problem.
    """
    step = int(interval.total_seconds() // 60)
    cells: dict[_Cell, list[tuple[float, float]]] = {}
    seen: set[datetime] = set()
    for index, (start, calls, aht) in enumerate(entries):
        local = start.astimezone(zone)
        where = f"history[{index}]"
        if local.second or local.microsecond or (local.hour * 60 + local.minute) % step:
            problems.append(Problem(where, f"{local.isoformat()} is not on a {step}-minute grid"))
            continue
        instant = start.astimezone(timezone.utc)
        if instant in seen:
            problems.append(Problem(where, f"repeats the interval {local.isoformat()}"))
            continue
        seen.add(instant)
        key = (local.date(), local.time().replace(tzinfo=None, fold=0))
        cells.setdefault(key, []).append((calls, aht.total_seconds() if aht else math.nan))
    return cells


def _fill_absent(
    volumes: list[list[float]], absent: set[tuple[int, int]], present: set[tuple[int, int]]
) -> None:
    """Give each cell whose wall-clock time did not happen the same slot a week before or after.

    A skipped hour is not an hour without calls: counting it as zero would drag
    every forecast of that slot down. Failing a neighbouring week, the mean of
    the slot over the days that have it, failing that zero.
    """
    for row, column in sorted(absent):
        for other in (row - 7, row + 7, row - 14, row + 14):
            if (other, column) in present:
                volumes[row][column] = volumes[other][column]
                break
        else:
            known = [volumes[r][column] for r in range(len(volumes)) if (r, column) in present]
            volumes[row][column] = math.fsum(known) / len(known) if known else 0.0


def _arrange(history: VolumeHistory, interval: timedelta, zone: tzinfo | None) -> _Arranged:
    """Put a history on a grid of days by wall-clock slots in ``zone``.

    Raises:
        DocumentError: the history has problems; every one is listed.
    """
    problems: list[Problem] = []
    entries = _entries(history, problems)
    if problems:
        raise DocumentError(problems, "forecast history")
    if zone is None:
        zone = entries[0][0].tzinfo
        assert zone is not None  # every start was checked to be aware  # noqa: S101
    cells = _cells(entries, zone, interval, problems)
    if cells:
        first = min(day for day, _ in cells)
        span = (max(day for day, _ in cells) - first).days + 1
        if span > MAX_HISTORY_DAYS:
            problems.append(
                Problem("history", f"spans {span} days; the limit is {MAX_HISTORY_DAYS}")
            )
    if problems:
        raise DocumentError(problems, "forecast history")
    slots = tuple(sorted({slot for _, slot in cells}))
    column = {slot: i for i, slot in enumerate(slots)}
    volumes = [[0.0] * len(slots) for _ in range(span)]
    handled: dict[tuple[int, int], tuple[float, float]] = {}
    present: set[tuple[int, int]] = set()
    for (day, slot), values in cells.items():
        row, col = (day - first).days, column[slot]
        present.add((row, col))
        # a repeated autumn hour holds two intervals: the cell is their mean
        volumes[row][col] = math.fsum(calls for calls, _ in values) / len(values)
        for calls, seconds in values:
            if not math.isnan(seconds):
                where = (day.weekday(), col)
                done, work = handled.get(where, (0.0, 0.0))
                handled[where] = (done + calls, work + calls * seconds)
    absent = {
        (row, col)
        for row in range(span)
        for col, slot in enumerate(slots)
        if not local_occurrences(first + timedelta(days=row), slot, zone)
    }
    _fill_absent(volumes, absent, present - absent)
    grid = DailyGrid(first, slots, tuple(tuple(row) for row in volumes))
    return _Arranged(grid, zone, handled, frozenset(absent))


def _handle_time(arranged: _Arranged, weekday: int, slot: int) -> timedelta | None:
    """Call-weighted AHT of this weekday and slot, else of the slot, else of everything."""
    candidates = [
        [arranged.handled.get((weekday, slot), (0.0, 0.0))],
        [value for (_, s), value in arranged.handled.items() if s == slot],
        list(arranged.handled.values()),
    ]
    for values in candidates:
        calls = math.fsum(done for done, _ in values)
        if calls > 0:
            return timedelta(seconds=math.fsum(work for _, work in values) / calls)
    return None


def _predict(method: ForecastMethod, grid: DailyGrid, days: int) -> list[list[float]]:
    """Run ``method`` and check that it returned ``days`` rows of finite volumes per slot.

    Raises:
        InvalidInputError: the method returned something else (``field`` names it).
    """
    what = f"{method.name}.predict()"
    rows = check_list(method.predict(grid, days), what)
    if len(rows) != days:
        raise InvalidInputError(f"{what} returned {len(rows)} days for {days}", field=what)
    width = len(grid.slots)
    checked = []
    for number, row in enumerate(rows):
        values = check_list(row, f"{what}[{number}]")
        if len(values) != width:
            raise InvalidInputError(
                f"{what}[{number}] has {len(values)} values for {width} slots",
                field=f"{what}[{number}]",
            )
        checked.append(
            [check_number(value, f"{what}[{number}][{i}]") for i, value in enumerate(values)]
        )
    return checked


def _check_zone(zone: object) -> None:
    if zone is not None and not isinstance(zone, tzinfo):
        raise InvalidInputError(
            f"zone must be a time zone (tzinfo) or None, got {type(zone).__name__}", field="zone"
        )


def _check_method(method: object) -> ForecastMethod:
    if not isinstance(method, ForecastMethod):
        raise InvalidInputError(
            "method must be a forecast method (with a name and predict()), got "
            f"{type(method).__name__}",
            field="method",
        )
    check_instance(method.name, str, "method.name")
    return method


def forecast(
    history: VolumeHistory,
    method: ForecastMethod,
    days: int,
    *,
    interval: timedelta = timedelta(minutes=30),
    aht: timedelta | None = None,
    zone: tzinfo | None = None,
) -> Forecast:
    """Forecast the ``days`` days after the history, interval by interval.

    Handle times: ``aht`` if given, otherwise the call-weighted AHT of the
    same weekday and interval in the history (falling back to the interval
    over all days, then to the whole history). A forecast volume below zero
    counts as no calls.

    Args:
        history: Volumes keyed by interval start, or :class:`IntervalDemand`
            records (which carry handle times); at most
            :data:`MAX_HISTORY_DAYS` days, each volume a finite number of
            calls from 0 to :data:`~callcore.wfm.MAX_CALLS`.
        method: How to predict, such as :class:`SeasonalAverage` or
            :class:`HoltWinters`.
        days: How many days to forecast, 1 to :data:`MAX_FORECAST_DAYS`.
        interval: The history's interval length: 15, 30 or 60 minutes.
        aht: One handle time for every forecast interval; required when the
            history has no handle times.
        zone: The time zone whose wall clock the history follows (weekdays
            and times of day); by default the zone of the first start. Give
            it when the history is keyed by UTC instants.

    Returns:
        The forecast, with one interval per slot seen in the history, per
        day, in time order. A slot the clocks skip that day (spring forward)
        is left out; a slot they repeat (autumn) comes twice, ``fold`` 0 and 1,
        so an hourly forecast of a 25-hour day has 25 intervals.

    Raises:
        InvalidInputError: an argument other than the history of the wrong
            type or out of range, no ``aht`` for a history without handle
            times, a history too short for the method, or a method that
            returns something other than finite volumes.
        DocumentError: bad history (not a mapping or list of
            :class:`IntervalDemand`, naive, out-of-range or misaligned starts,
            repeated intervals, volumes negative, not finite or too large, too
            long a span); every problem listed with its path.
    """
    method = _check_method(method)
    _check_days(days, "days")
    check_interval_length(interval)
    if aht is not None:
        check_duration(aht, "aht", positive=True)
    _check_zone(zone)
    arranged = _arrange(history, interval, zone)
    if aht is None and not arranged.handled:
        raise InvalidInputError("the history has no handle times: give aht", field="aht")
    grid = arranged.grid
    predicted = _predict(method, grid, days)
    known = len(grid.volumes)
    demand: list[IntervalDemand] = []
    for ahead, row in enumerate(predicted):
        day = grid.first_day + timedelta(days=known + ahead)
        for column, (slot, calls) in enumerate(zip(grid.slots, row, strict=True)):
            handle = aht if aht is not None else _handle_time(arranged, day.weekday(), column)
            assert handle is not None  # some history has handle times  # noqa: S101
            demand.extend(
                IntervalDemand(start, max(0.0, calls), handle)
                for start in local_occurrences(day, slot, arranged.zone)
            )
    demand.sort(key=lambda item: item.start.astimezone(timezone.utc))
    return Forecast(method.name, interval, tuple(demand))


def backtest(
    history: VolumeHistory,
    method: ForecastMethod,
    holdout_days: int,
    *,
    interval: timedelta = timedelta(minutes=30),
    zone: tzinfo | None = None,
    origins: int = 1,
) -> ForecastAccuracy:
    """Hold out the last days of history, forecast them from the rest, and score.

    With ``origins`` above 1 this is a rolling-origin backtest (Tashman, 2000):
    the history is cut ``origins`` times, ``holdout_days`` apart, each cut's
    next ``holdout_days`` forecast from the history before it, and the
    errors pooled. One origin scores a single (possibly lucky) week.

    Args:
        history: As for :func:`forecast`.
        method: The method to score.
        holdout_days: How many days each origin holds out, 1 to
            :data:`MAX_FORECAST_DAYS`, fewer than the history has.
        interval: The history's interval length.
        zone: As for :func:`forecast`.
        origins: How many rolling origins, 1 to 52; those that would leave
            no history are dropped.

    Returns:
        MAPE, WAPE and sMAPE over the held-out intervals (a wall-clock time
        the clocks skipped is not scored).

    Raises:
        InvalidInputError: as for :func:`forecast`, or no calls at all in the
            held-out days (the measures are undefined then).
        DocumentError: bad history, as for :func:`forecast`.
    """
    method = _check_method(method)
    _check_days(holdout_days, "holdout_days")
    check_interval_length(interval)
    check_count(origins, "origins", low=1, high=52)
    _check_zone(zone)
    arranged = _arrange(history, interval, zone)
    actual, guessed = rolling_errors(method, arranged.grid, holdout_days, origins, arranged.absent)
    return ForecastAccuracy(
        method.name,
        mape(actual, guessed),
        wape(actual, guessed),
        len(actual),
        smape(actual, guessed),
    )


def forecast_staffing_plan(
    history: VolumeHistory,
    method: ForecastMethod,
    days: int,
    target: StaffingTarget,
    *,
    interval: timedelta = timedelta(minutes=30),
    aht: timedelta | None = None,
    zone: tzinfo | None = None,
) -> StaffingPlan:
    """Forecast the next days and staff every forecast interval, in one call.

    Args:
        history: As for :func:`forecast`.
        method: The forecasting method.
        days: How many days to plan.
        target: The service target, occupancy cap and shrinkage.
        interval: The interval length: 15, 30 or 60 minutes.
        aht: As for :func:`forecast`.
        zone: As for :func:`forecast`.

    Returns:
        The staffing plan of the forecast intervals.
    """
    predicted = forecast(history, method, days, interval=interval, aht=aht, zone=zone)
    return staffing_plan(predicted.intervals, target, interval)
