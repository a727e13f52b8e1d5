"""Forecasting interval call volumes (and handle times) from history.

History is arranged as a grid of days by interval slots in the history's own
time zone (Monday 09:00 stays Monday 09:00 across a DST change). Methods
predict the next days of that grid; the result becomes interval demand that a
staffing plan takes directly.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from datetime import date, datetime, time, timedelta, tzinfo
from typing import Protocol, runtime_checkable

import attrs

from callcore.clock import ensure_aware
from callcore.errors import CallcoreError, InvalidInputError, Problem
from callcore.wfm._checks import fraction_between, refuse, whole_number_at_least
from callcore.wfm._plan import (
    IntervalDemand,
    StaffingPlan,
    check_interval_length,
    staffing_plan,
)
from callcore.wfm._staffing import StaffingTarget

History = Mapping[datetime, float] | Iterable[IntervalDemand]
"""Interval volumes keyed by start time, or interval demand records with handle times."""


@attrs.frozen
class DailyGrid:
    """History as days by slots: what a forecast method reads.

    Attributes:
        first_day: The date of the first row.
        slots: The starts of the intervals within a day (local times), sorted.
        volumes: One row per day from ``first_day`` on, one value per slot;
            an interval missing from the history counts as no calls.
    """

    first_day: date
    slots: tuple[time, ...]
    volumes: tuple[tuple[float, ...], ...]

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

    weeks: int = 4
    trend: bool = True

    def __attrs_post_init__(self) -> None:
        """Refuse fewer than one week."""
        problems: list[Problem] = []
        whole_number_at_least(problems, "weeks", self.weeks, 1)
        refuse(problems, "seasonal average")

    @property
    def name(self) -> str:
        """``"seasonal_average"``."""
        return "seasonal_average"

    def predict(self, grid: DailyGrid, days: int) -> list[list[float]]:
        """Predict ``days`` rows after the history; see the class description."""
        known = len(grid.volumes)
        rows = []
        for ahead in range(days):
            target = known + ahead
            # the same weekday in past weeks, newest first, only rows we know
            past = [row for row in range(target - 7, -1, -7) if row < known][: self.weeks]
            if not past:
                raise InvalidInputError(
                    f"no history for weekday {grid.weekday(target)}: a seasonal average "
                    "needs at least one full week of history"
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


@attrs.frozen
class HoltWinters:
    """Additive Holt-Winters (triple exponential smoothing) over the slot series.

    The grid is read as one series of intervals; a season is ``season_days``
    days of slots (a week by default, so Monday mornings follow Monday
    mornings). Initial level is the first season's mean, initial trend the
    difference of the first two seasons' means per interval, initial season
    the first season's deviations from its mean; then for each interval
    (Winters 1960; Hyndman & Athanasopoulos, *Forecasting: Principles and
    Practice*, section 8.3)::

        level  = alpha (x - season[t-m]) + (1 - alpha) (level + trend)
        trend  = beta (level - previous level) + (1 - beta) trend
        season = gamma (x - level) + (1 - gamma) season[t-m]

    and the forecast ``h`` intervals ahead is ``level + h trend + season``,
    never below zero. Needs at least two seasons of history.

    Attributes:
        alpha: Level smoothing, in [0, 1].
        beta: Trend smoothing, in [0, 1].
        gamma: Seasonal smoothing, in [0, 1].
        season_days: Days in a season: 7 (weekly) or 1 (daily).
    """

    alpha: float = 0.2
    beta: float = 0.01
    gamma: float = 0.3
    season_days: int = 7

    def __attrs_post_init__(self) -> None:
        """Refuse smoothing constants outside [0, 1] and seasons other than 1 or 7 days."""
        problems: list[Problem] = []
        for name in ("alpha", "beta", "gamma"):
            fraction_between(problems, name, getattr(self, name), low_open=False, high_open=False)
        if self.season_days not in {1, 7}:
            problems.append(Problem("season_days", f"must be 1 or 7, got {self.season_days}"))
        refuse(problems, "Holt-Winters")

    @property
    def name(self) -> str:
        """``"holt_winters"``."""
        return "holt_winters"

    def predict(self, grid: DailyGrid, days: int) -> list[list[float]]:
        """Predict ``days`` rows after the history; see the class description."""
        width = len(grid.slots)
        series = [value for row in grid.volumes for value in row]
        m = width * self.season_days
        if len(series) < 2 * m:
            raise InvalidInputError(
                f"Holt-Winters with a {self.season_days}-day season needs at least "
                f"{2 * self.season_days} days of history, got {len(grid.volumes)}"
            )
        first = math.fsum(series[:m]) / m
        second = math.fsum(series[m : 2 * m]) / m
        level, trend = first, (second - first) / m
        season = [value - first for value in series[:m]]
        for t in range(m, len(series)):
            previous = level
            level = self.alpha * (series[t] - season[t % m]) + (1 - self.alpha) * (level + trend)
            trend = self.beta * (level - previous) + (1 - self.beta) * trend
            season[t % m] = self.gamma * (series[t] - level) + (1 - self.gamma) * season[t % m]
        start = len(series)
        values = [
            max(0.0, level + h * trend + season[(start + h - 1) % m])
            for h in range(1, days * width + 1)
        ]
        return [values[row * width : (row + 1) * width] for row in range(days)]


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
    """

    method: str
    mape: float
    wape: float
    intervals: int


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

    >>> round(mape([100, 50, 0], [90, 60, 5]), 3)
    0.15

    Raises:
        InvalidInputError: the sequences differ in length, or every actual is zero.
    """
    pairs = _pairs(actual, forecast)
    errors = [abs(a - f) / a for a, f in pairs if a != 0]
    if not errors:
        raise InvalidInputError("MAPE is undefined when every actual value is zero; use WAPE")
    return math.fsum(errors) / len(errors)


def wape(actual: Sequence[float], forecast: Sequence[float]) -> float:
    """Weighted absolute percentage error: total absolute error over total actual.

    >>> round(wape([100, 50, 0], [90, 60, 5]), 3)
    0.167

    Raises:
        InvalidInputError: the sequences differ in length, or the actuals sum to zero.
    """
    pairs = _pairs(actual, forecast)
    total = math.fsum(a for a, _ in pairs)
    if total == 0:
        raise InvalidInputError("WAPE is undefined when the actual values sum to zero")
    return math.fsum(abs(a - f) for a, f in pairs) / total


def _pairs(actual: Sequence[float], forecast: Sequence[float]) -> list[tuple[float, float]]:
    if len(actual) != len(forecast):
        raise InvalidInputError(
            f"actual and forecast differ in length ({len(actual)} and {len(forecast)})"
        )
    return list(zip(actual, forecast, strict=True))


@attrs.frozen
class _Arranged:
    """History on a grid, with what is needed to turn predictions back into demand."""

    grid: DailyGrid
    zone: tzinfo
    # per (weekday, slot): calls and calls x handle seconds, for call-weighted AHT
    handled: dict[tuple[int, int], tuple[float, float]]


_Entry = tuple[datetime, float, "timedelta | None"]


def _entries(history: History, problems: list[Problem]) -> list[_Entry]:
    """Read history records or a mapping of volumes, recording what is wrong."""
    if not isinstance(history, Mapping):
        return [(item.start, item.calls, item.aht) for item in history]
    entries: list[_Entry] = []
    for index, (start, calls) in enumerate(history.items()):
        try:
            ensure_aware(start, f"history[{index}] start")
        except CallcoreError as exc:
            problems.append(Problem(f"history[{index}]", str(exc)))
            continue
        if isinstance(calls, bool) or not isinstance(calls, int | float) or not calls >= 0:
            problems.append(Problem(f"history[{index}]", f"calls must be >= 0, got {calls!r}"))
            continue
        entries.append((start, float(calls), None))
    return entries


def _cells(
    entries: list[_Entry], zone: tzinfo, interval: timedelta, problems: list[Problem]
) -> dict[tuple[date, time], tuple[float, float]]:
    """Place each entry on (local date, local slot), with its handle seconds (NaN if none)."""
    step = int(interval.total_seconds() // 60)
    cells: dict[tuple[date, time], tuple[float, float]] = {}
    for index, (start, calls, aht) in enumerate(entries):
        local = start.astimezone(zone)
        where = f"history[{index}]"
        if local.second or local.microsecond or (local.hour * 60 + local.minute) % step:
            problems.append(Problem(where, f"{local.isoformat()} is not on a {step}-minute grid"))
            continue
        key = (local.date(), local.time().replace(tzinfo=None, fold=0))
        if key in cells:
            problems.append(Problem(where, f"repeats the interval {local.isoformat()}"))
            continue
        cells[key] = (calls, aht.total_seconds() if aht is not None else math.nan)
    return cells


def _arrange(history: History, interval: timedelta, problems: list[Problem]) -> _Arranged | None:
    entries = _entries(history, problems)
    if not entries and not problems:
        problems.append(Problem("history", "is empty"))
    if problems:
        return None
    zone = entries[0][0].tzinfo
    assert zone is not None  # every start was checked to be aware  # noqa: S101
    cells = _cells(entries, zone, interval, problems)
    if problems:
        return None
    slots = tuple(sorted({slot for _, slot in cells}))
    first = min(day for day, _ in cells)
    last = max(day for day, _ in cells)
    column = {slot: i for i, slot in enumerate(slots)}
    volumes = [[0.0] * len(slots) for _ in range((last - first).days + 1)]
    handled: dict[tuple[int, int], tuple[float, float]] = {}
    for (day, slot), (calls, seconds) in cells.items():
        volumes[(day - first).days][column[slot]] = calls
        if not math.isnan(seconds):
            where = (day.weekday(), column[slot])
            done, work = handled.get(where, (0.0, 0.0))
            handled[where] = (done + calls, work + calls * seconds)
    grid = DailyGrid(first, slots, tuple(tuple(row) for row in volumes))
    return _Arranged(grid, zone, handled)


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


def forecast(
    history: History,
    method: ForecastMethod,
    days: int,
    *,
    interval: timedelta = timedelta(minutes=30),
    aht: timedelta | None = None,
) -> Forecast:
    """Forecast the ``days`` days after the history, interval by interval.

    Handle times: ``aht`` if given, otherwise the call-weighted AHT of the
    same weekday and interval in the history (falling back to the interval
    over all days, then to the whole history).

    Args:
        history: Volumes keyed by interval start, or :class:`IntervalDemand`
            records (which carry handle times).
        method: How to predict, such as :class:`SeasonalAverage` or
            :class:`HoltWinters`.
        days: How many days to forecast, at least 1.
        interval: The history's interval length: 15, 30 or 60 minutes.
        aht: One handle time for every forecast interval; required when the
            history has no handle times.

    Returns:
        The forecast, with one interval per slot seen in the history, per day.

    Raises:
        DocumentError: bad history (naive or misaligned starts, repeated
            intervals, negative calls) or arguments; every problem listed.
        InvalidInputError: the history is too short for the method.
    """
    problems: list[Problem] = []
    whole_number_at_least(problems, "days", days, 1)
    check_interval_length(problems, "interval", interval)
    if aht is not None and aht <= timedelta(0):
        problems.append(Problem("aht", f"must be longer than zero, got {aht}"))
    arranged = _arrange(history, interval, problems) if not problems else None
    if arranged is not None and aht is None and not arranged.handled:
        problems.append(Problem("aht", "the history has no handle times: give aht"))
    refuse(problems, "forecast")
    assert arranged is not None  # refuse() raised otherwise  # noqa: S101
    grid = arranged.grid
    predicted = method.predict(grid, days)
    known = len(grid.volumes)
    demand = []
    for ahead, row in enumerate(predicted):
        day = grid.first_day + timedelta(days=known + ahead)
        for column, (slot, calls) in enumerate(zip(grid.slots, row, strict=True)):
            handle = aht if aht is not None else _handle_time(arranged, day.weekday(), column)
            assert handle is not None  # some history has handle times  # noqa: S101
            start = datetime.combine(day, slot, tzinfo=arranged.zone)
            demand.append(IntervalDemand(start, max(0.0, calls), handle))
    return Forecast(method.name, interval, tuple(demand))


def backtest(
    history: History,
    method: ForecastMethod,
    holdout_days: int,
    *,
    interval: timedelta = timedelta(minutes=30),
) -> ForecastAccuracy:
    """Hold out the last days of history, forecast them from the rest, and score.

    Args:
        history: As for :func:`forecast`.
        method: The method to score.
        holdout_days: How many of the last days to hold out, at least 1.
        interval: The history's interval length.

    Returns:
        MAPE and WAPE over the held-out intervals.
    """
    problems: list[Problem] = []
    whole_number_at_least(problems, "holdout_days", holdout_days, 1)
    check_interval_length(problems, "interval", interval)
    arranged = _arrange(history, interval, problems) if not problems else None
    if arranged is not None and len(arranged.grid.volumes) <= holdout_days:
        problems.append(
            Problem("holdout_days", f"leaves no history: only {len(arranged.grid.volumes)} days")
        )
    refuse(problems, "backtest")
    assert arranged is not None  # noqa: S101
    grid = arranged.grid
    cut = len(grid.volumes) - holdout_days
    training = DailyGrid(grid.first_day, grid.slots, grid.volumes[:cut])
    predicted = method.predict(training, holdout_days)
    actual = [value for row in grid.volumes[cut:] for value in row]
    guessed = [value for row in predicted for value in row]
    return ForecastAccuracy(method.name, mape(actual, guessed), wape(actual, guessed), len(actual))


def forecast_staffing_plan(
    history: History,
    method: ForecastMethod,
    days: int,
    target: StaffingTarget,
    *,
    interval: timedelta = timedelta(minutes=30),
    aht: timedelta | None = None,
) -> StaffingPlan:
    """Forecast the next days and staff every forecast interval, in one call.

    Args:
        history: As for :func:`forecast`.
        method: The forecasting method.
        days: How many days to plan.
        target: The service target, occupancy cap and shrinkage.
        interval: The interval length: 15, 30 or 60 minutes.
        aht: As for :func:`forecast`.

    Returns:
        The staffing plan of the forecast intervals.
    """
    predicted = forecast(history, method, days, interval=interval, aht=aht)
    return staffing_plan(predicted.intervals, target, interval)
