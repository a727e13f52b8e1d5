"""Refusals in workforce maths: finite, bounded numbers and one error class per situation."""

from __future__ import annotations

import math
from datetime import date, datetime, time, timedelta, timezone
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from callcore.errors import DocumentError, InvalidInputError
from callcore.wfm import (
    MAX_LOAD,
    AdaptiveDialLevel,
    DailyGrid,
    DialerState,
    IntervalDemand,
    SeasonalAverage,
    StaffingTarget,
    Workload,
    budget_ceiling,
    erlang_a_performance,
    erlang_b,
    erlang_c,
    erlang_c_performance,
    expected_abandons,
    forecast,
    forecast_staffing_plan,
    mape,
    required_staff,
    wape,
)

UTC = timezone.utc
MONDAY = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
AHT = timedelta(seconds=180)


def _weeks_of_history(value_at_last_monday: float) -> dict[datetime, float]:
    """Two weeks of 09:00 intervals with 100 calls each; the last Monday has ``value``."""
    history = {MONDAY + timedelta(days=day): 100.0 for day in range(14)}
    history[MONDAY + timedelta(days=7)] = value_at_last_monday
    return history


# --- point 6: inf in a forecast history ------------------------------------------


@pytest.mark.parametrize("value", [math.inf, -math.inf, math.nan, 1e300, -1.0, "100", None])
def test_non_finite_or_negative_history_is_refused(value: object) -> None:
    """Infinity forecast 0 calls (and so staffed 0 agents); now it is a problem at its path."""
    history = _weeks_of_history(value)  # type: ignore[arg-type]
    with pytest.raises(DocumentError) as caught:
        forecast(history, SeasonalAverage(), 7, aht=AHT)
    assert [problem.path for problem in caught.value.problems] == ["history[7]"]
    with pytest.raises(DocumentError):
        forecast_staffing_plan(history, SeasonalAverage(), 7, StaffingTarget(), aht=AHT)


def test_a_finite_history_still_staffs_its_mondays() -> None:
    """The same history with 100 calls every day forecasts 100 on Monday: 14 agents at 80/20."""
    history = _weeks_of_history(100.0)
    monday = forecast(history, SeasonalAverage(trend=False), 1, aht=AHT).intervals[0]
    assert monday.calls == 100.0
    plan = forecast_staffing_plan(
        history, SeasonalAverage(trend=False), 1, StaffingTarget(), aht=AHT
    )
    assert plan.rows[0].required == 14


def test_a_grid_refuses_what_a_history_refuses() -> None:
    """A hand-built DailyGrid (what a forecast method reads) checks its volumes too."""
    slots = (time(9), time(10))
    with pytest.raises(InvalidInputError) as caught:
        DailyGrid(date(2026, 1, 5), slots, ((1.0, math.inf),))
    assert caught.value.field == "volumes[0][1]"
    with pytest.raises(InvalidInputError) as caught:
        DailyGrid(date(2026, 1, 5), slots, ((1.0,),))
    assert caught.value.field == "volumes[0]"


# --- point 6: required_staff(Workload(1e300, ...)) never returned ------------------


@pytest.mark.parametrize("calls", [1e300, 1e15, 2e7 + 1])
def test_a_load_beyond_the_limit_is_refused(calls: float) -> None:
    """1e300 calls never returned and 1e15 took 9 s; above MAX_LOAD Erlangs is now refused."""
    with pytest.raises(InvalidInputError, match="the limit is 1,000,000") as caught:
        required_staff(Workload(calls, timedelta(seconds=90)), StaffingTarget())
    assert caught.value.field == "calls"


def test_the_largest_load_is_staffed_exactly() -> None:
    """At MAX_LOAD Erlangs the search finds N meeting 80/20 where N - 1 does not."""
    work = Workload(calls=MAX_LOAD, aht=timedelta(minutes=30))
    assert work.load == MAX_LOAD
    staffing = required_staff(work, StaffingTarget())
    agents = staffing.required
    assert erlang_c_performance(work, agents).service_level >= 0.8
    assert erlang_c_performance(work, agents - 1).service_level < 0.8


def test_erlang_a_with_too_many_calls_per_patience_is_refused() -> None:
    """10^4 Erlangs with a mean patience of 100 years summed ~10^13 states; now refused."""
    work = Workload(calls=20_000, aht=timedelta(minutes=15), interval=timedelta(minutes=30))
    with pytest.raises(InvalidInputError, match="during one mean patience") as caught:
        erlang_a_performance(work, 1, timedelta(days=36_500))
    assert caught.value.field == "patience"


def test_a_mean_wait_beyond_any_duration_is_refused() -> None:
    """Ten agents for 9.99999999 Erlangs at AHT 100 years: OverflowError before, now refused."""
    work = Workload(9.99999999, timedelta(days=36_525), timedelta(days=36_525))
    with pytest.raises(InvalidInputError, match="wait") as caught:
        erlang_c_performance(work, 10)
    assert caught.value.field == "agents"
    # the search skips staffings whose wait cannot be told: one more agent
    assert (
        required_staff(work, StaffingTarget(service_level=None, max_occupancy=1.0)).required == 11
    )


# --- point 6: expected_abandons leaked ValueError ----------------------------------


def test_expected_abandons_at_the_ends_of_the_answer_rate() -> None:
    """A rate of 0 (ValueError before) answers nothing; a rate of 1 answers every line."""
    assert expected_abandons(10, 0.0, 1) == (0.0, 0.0)
    assert expected_abandons(10, 1.0, 4) == (10.0, 6.0)


@pytest.mark.parametrize(
    ("lines", "rate", "agents", "field"),
    [
        (10, 1.5, 1, "answer_rate"),
        (10, -0.1, 1, "answer_rate"),
        (10, math.nan, 1, "answer_rate"),
        (-1, 0.5, 0, "lines"),
        (10**7, 0.5, 0, "lines"),
        (10, 0.5, -2, "agents"),
        (10.0, 0.5, 1, "lines"),
    ],
)
def test_expected_abandons_refuses_bad_arguments(
    lines: object, rate: object, agents: object, field: str
) -> None:
    """Rates outside [0, 1], negative or fractional counts: InvalidInputError, not ValueError."""
    with pytest.raises(InvalidInputError) as caught:
        expected_abandons(lines, rate, agents)  # type: ignore[arg-type]
    assert caught.value.field == field


@pytest.mark.parametrize(
    ("lines", "rate", "agents"), [(10**6, 0.5, 499_000), (10**6, 0.01, 10_100), (999_999, 0.9, 0)]
)
def test_expected_abandons_of_a_million_lines(lines: int, rate: float, agents: int) -> None:
    """A million lines in milliseconds, equal to a term-by-term sum of lgamma probabilities.

    lgamma near 10^6 is good to about 1e-9 relative, so that is the tolerance; with no
    agents the abandons are all the answers, n p, to rounding.
    """
    answers, abandons = expected_abandons(lines, rate, agents)
    sigma = math.sqrt(lines * rate * (1 - rate))
    top = min(lines, math.ceil(lines * rate + 50 * sigma))
    exact = math.fsum(
        math.exp(
            math.lgamma(lines + 1)
            - math.lgamma(k + 1)
            - math.lgamma(lines - k + 1)
            + k * math.log(rate)
            + (lines - k) * math.log1p(-rate)
        )
        * (k - agents)
        for k in range(agents + 1, top + 1)
    )
    assert answers == pytest.approx(lines * rate)
    assert abandons == pytest.approx(exact, rel=1e-8)
    if agents == 0:
        assert abandons == pytest.approx(lines * rate, rel=1e-12)


# --- point 6: mape / wape returned nan or negative values --------------------------


@pytest.mark.parametrize(
    ("actual", "guess", "field"),
    [
        ([-10.0, 20.0], [5.0, 20.0], "actual[0]"),  # MAPE was -1.5 / 2
        ([10.0, math.nan], [5.0, 20.0], "actual[1]"),  # nan
        ([math.inf], [5.0], "actual[0]"),  # nan
        ([10.0], [math.nan], "forecast[0]"),  # nan
        ([10.0], [-5.0], "forecast[0]"),
        ([], [], "actual"),
        ([0.0, 0.0], [1.0, 1.0], "actual"),
        ("10", "12", "actual"),
        ([10.0], [1.0, 2.0], "forecast"),
    ],
)
def test_accuracy_measures_refuse_what_they_cannot_score(
    actual: object, guess: object, field: str
) -> None:
    """Negative, non-finite, empty, all-zero or mismatched inputs raise InvalidInputError."""
    for measure in (mape, wape):
        with pytest.raises(InvalidInputError) as caught:
            measure(actual, guess)  # type: ignore[arg-type]
        assert caught.value.field == field


def test_accuracy_that_overflows_a_float_is_refused() -> None:
    """An actual of 1e-320 with a forecast of 1e9 has a percentage error beyond any float."""
    with pytest.raises(InvalidInputError, match="too large"):
        mape([1e-320], [1e9])
    with pytest.raises(InvalidInputError, match="too large"):
        wape([1e-320], [1e9])


# no actual between 0 and 1e-6, so no error overflows a float (that case is tested above)
volumes = st.one_of(st.just(0.0), st.floats(min_value=1e-6, max_value=1e9))


@given(pairs=st.lists(st.tuples(volumes, volumes), min_size=1, max_size=30))
def test_accuracy_is_finite_and_never_negative(pairs: list[tuple[float, float]]) -> None:
    """MAPE and WAPE of volumes are finite, >= 0, and equal their definitions where defined."""
    actual = [a for a, _ in pairs]
    guess = [f for _, f in pairs]
    for measure, expected in (
        (mape, _mape_by_definition(actual, guess)),
        (wape, _wape_by_definition(actual, guess)),
    ):
        if expected is None:
            with pytest.raises(InvalidInputError):
                measure(actual, guess)
            continue
        value = measure(actual, guess)
        assert math.isfinite(value)
        assert value >= 0
        assert value == pytest.approx(expected, rel=1e-9)


def _mape_by_definition(actual: list[float], guess: list[float]) -> float | None:
    """MAPE in exact arithmetic; None where it is undefined."""
    pairs = zip(actual, guess, strict=True)
    terms = [abs(Fraction(a) - Fraction(f)) / Fraction(a) for a, f in pairs if a]
    return float(sum(terms, Fraction(0)) / len(terms)) if terms else None


def _wape_by_definition(actual: list[float], guess: list[float]) -> float | None:
    """WAPE in exact arithmetic; None where it is undefined."""
    total = sum((Fraction(a) for a in actual), Fraction(0))
    if not total:
        return None
    pairs = zip(actual, guess, strict=True)
    return float(sum((abs(Fraction(a) - Fraction(f)) for a, f in pairs), Fraction(0)) / total)


# --- point 6: DialerState accepted more abandons than live answers --------------


def test_more_abandons_than_live_answers_is_refused() -> None:
    """Every abandoned call was answered by a person first: abandoned <= live_answers."""
    with pytest.raises(InvalidInputError, match="cannot exceed live_answers") as caught:
        DialerState(10, 0, 0, 0.3, AHT, timedelta(seconds=15), live_answers=1, abandoned=5)
    assert caught.value.field == "abandoned"
    DialerState(10, 0, 0, 0.3, AHT, timedelta(seconds=15), live_answers=5, abandoned=5)


# --- point 9: one error per situation -----------------------------------------------


def test_one_error_class_for_a_bad_argument_or_field() -> None:
    """The same mistake raises the same class, naming the field.

    Workload raised DocumentError, the Erlang functions InvalidInputError (with no
    field) and AdaptiveDialLevel.update InvalidTransitionError.
    """
    cases: list[tuple[object, str]] = [
        (lambda: Workload(calls=-1, aht=AHT), "calls"),
        (lambda: Workload(calls=1, aht=timedelta(0)), "aht"),
        (lambda: StaffingTarget(service_level=1.5), "service_level"),
        (lambda: erlang_b(-1, 1.0), "agents"),
        (lambda: erlang_c(5, -1.0), "load"),
        (lambda: erlang_c(5, 10.0), "agents"),
        (lambda: IntervalDemand(MONDAY, -1, AHT), "calls"),
        (lambda: DialerState(-1, 0, 0, 0.3, AHT, timedelta(0), 0, 0), "agents_ready"),
        (lambda: AdaptiveDialLevel(max_level=50), "max_level"),
        (
            lambda: AdaptiveDialLevel().update(
                live_answers=-1, abandoned=0, idle_agents=0, waiting_calls=0
            ),
            "live_answers",
        ),
        (
            lambda: AdaptiveDialLevel().update(
                live_answers=1, abandoned=2, idle_agents=0, waiting_calls=0
            ),
            "abandoned",
        ),
    ]
    for call, field in cases:
        assert callable(call)
        with pytest.raises(InvalidInputError) as caught:
            call()
        assert type(caught.value) is InvalidInputError
        assert caught.value.field == field


def test_shrinkage_and_target_of_a_float_subclass_are_read_as_written() -> None:
    """A float subclass with its own repr (numpy's float64 prints as np.float64(0.3))."""

    class Fancy(float):
        def __repr__(self) -> str:
            return f"Fancy({float(self)!r})"

    target = StaffingTarget(shrinkage=Fancy(0.3))
    assert target.scheduled(14) == 20
    state = DialerState(10, 0, 0, 0.3, AHT, timedelta(0), 1000, 20, target=Fancy(0.03))
    assert state.target == 0.03
    assert budget_ceiling(state) == 20
