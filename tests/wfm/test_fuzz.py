"""Malformed input to every workforce entry point: only CallcoreError subclasses escape.

Each test draws valid values for every argument or field (often at the ends of
their ranges, so the maths runs on extreme but accepted input), then half the
time spoils one of them with something wrong: a wrong type, NaN or an
infinity, a huge integer, a huge or negative duration, a naive or far-off
datetime, text with a lone surrogate, a container where a number belongs.
The deadline catches any call that stops being quick. Outcomes are recorded
as hypothesis events (``--hypothesis-show-statistics``) to show how often the
fuzzing gets past the checks into the maths.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from datetime import datetime, time, timedelta, timezone
from typing import Any

import attrs
from hypothesis import event, given, settings
from hypothesis import strategies as st

from callcore.errors import CallcoreError
from callcore.serialization import from_dict
from callcore.wfm import (
    AdaptiveDialLevel,
    DailyGrid,
    DialerState,
    Forecast,
    HoltWinters,
    IntervalDemand,
    RollingAbandonWindow,
    ScheduledActivity,
    SeasonalAverage,
    StaffingTarget,
    Workload,
    backtest,
    budget_ceiling,
    erlang_a_performance,
    erlang_b,
    erlang_c,
    erlang_c_performance,
    expected_abandons,
    forecast,
    forecast_staffing_plan,
    mape,
    model_pacing,
    reforecast_intraday,
    required_chat_staff,
    required_staff,
    schedule_adherence,
    schedule_shifts,
    special_days,
    staffing_plan,
    trunks_required,
    wape,
)

QUICK = settings(deadline=timedelta(seconds=10))
UTC = timezone.utc
MONDAY = datetime(2026, 1, 5, tzinfo=UTC)
S = st.SearchStrategy

# --- what can go wrong ----------------------------------------------------------

huge_ints = st.sampled_from([2**53 + 1, 2**63, 10**30, -(10**30), 10**400, 10**4000])
odd_floats = st.sampled_from([math.nan, math.inf, -math.inf, -0.0, 5e-324, 1e-300, 1.7e308])
numbers_any = st.one_of(st.floats(), st.integers(), huge_ints, odd_floats)
durations_any = st.one_of(
    st.timedeltas(),
    st.sampled_from(
        [
            timedelta.max,
            timedelta.min,
            timedelta(0),
            timedelta(microseconds=1),
            timedelta(days=36_525),
            timedelta(days=36_526),
            -timedelta(seconds=1),
        ]
    ),
)
datetimes_any = st.one_of(
    st.datetimes(),  # naive
    st.datetimes(timezones=st.timezones()),
    st.sampled_from(
        [
            datetime.max.replace(tzinfo=UTC),
            datetime.min.replace(tzinfo=UTC),
            datetime(3000, 1, 1, tzinfo=UTC),
            datetime(1899, 12, 31, 23, 30, tzinfo=UTC),
        ]
    ),
)
hashable_wild = st.one_of(numbers_any, durations_any, datetimes_any, st.none(), st.text(max_size=5))
junk = st.one_of(
    st.none(),
    st.booleans(),
    st.text(max_size=5),
    st.binary(max_size=5),
    st.sampled_from(["\ud800", "[" * 1000, "inf", "1e9", "30", object(), 1j]),
    st.lists(st.integers(), max_size=3),
    st.dictionaries(st.text(max_size=3), st.integers(), max_size=3),
)
wild = st.one_of(numbers_any, durations_any, datetimes_any, junk)


@st.composite
def spoil(draw: st.DrawFn, fields: dict[str, S[Any]]) -> dict[str, Any]:
    """Valid values for every field; half the time one of them replaced by ``wild``."""
    values = {name: draw(strategy) for name, strategy in fields.items()}
    if draw(st.booleans()):
        values[draw(st.sampled_from(sorted(values)))] = draw(wild)
    return values


def built(cls: Callable[..., object], fields: dict[str, S[Any]]) -> S[Any]:
    """``cls`` built from spoilt fields, or (when it refuses them) something wrong instead."""

    @st.composite
    def build(draw: st.DrawFn) -> object:
        try:
            return cls(**draw(spoil(fields)))
        except CallcoreError:
            return draw(wild)

    return build()


def only_callcore_errors(*calls: Callable[[], object]) -> None:
    """Run each call; a CallcoreError is a fine answer, anything else fails the test."""
    for number, call in enumerate(calls):
        outcome = "answered"
        try:
            call()
        except CallcoreError as exc:
            outcome = type(exc).__name__
        event(f"call {number}: {outcome}")


# --- valid values, plain and extreme -----------------------------------------------

calls_ok = st.one_of(st.floats(0, 2000), st.integers(0, 5000), st.floats(0, 1e9))
durations_ok = st.one_of(
    st.integers(1, 3600).map(lambda s: timedelta(seconds=s)),
    st.timedeltas(min_value=timedelta(microseconds=1), max_value=timedelta(days=36_525)),
)
intervals_ok = st.sampled_from([15, 30, 60]).map(lambda m: timedelta(minutes=m))
open_fractions = st.floats(0, 1, exclude_min=True, exclude_max=True)
fractions_ok = st.floats(0, 1)
agents_ok = st.one_of(st.integers(0, 300), st.integers(0, 10**7))


def maybe(strategy: S[Any]) -> S[Any]:
    """``None`` or a value."""
    return st.one_of(st.none(), strategy)


workloads = built(
    Workload,
    {"calls": calls_ok, "aht": durations_ok, "interval": st.one_of(intervals_ok, durations_ok)},
)
targets = built(
    StaffingTarget,
    {
        "service_level": open_fractions,
        "threshold": st.one_of(st.just(timedelta(0)), durations_ok),
        "max_asa": maybe(durations_ok),
        "max_occupancy": maybe(st.floats(0, 1, exclude_min=True)),
        "max_abandonment": maybe(open_fractions),
        "patience": maybe(durations_ok),
        "shrinkage": st.floats(0, 1, exclude_max=True),
    },
)
starts_ok = st.integers(0, 47).map(lambda i: MONDAY + timedelta(minutes=30 * i))
demands = built(IntervalDemand, {"start": starts_ok, "calls": calls_ok, "aht": durations_ok})


# --- staffing: Workload, the Erlang functions, targets, required_staff, plans -------


@QUICK
@given(
    work=workloads,
    arguments=spoil(
        {
            "agents": agents_ok,
            "load": st.floats(0, 2e6),
            "threshold": durations_ok,
            "patience": durations_ok,
        }
    ),
)
def test_fuzz_erlang_functions(work: object, arguments: dict[str, Any]) -> None:
    """Erlang B, C and A take any arguments and answer or refuse with a CallcoreError."""
    agents, load = arguments["agents"], arguments["load"]
    threshold, patience = arguments["threshold"], arguments["patience"]
    only_callcore_errors(
        lambda: erlang_b(agents, load),
        lambda: erlang_c(agents, load),
        lambda: erlang_c_performance(work, agents, threshold),  # type: ignore[arg-type]
        lambda: erlang_a_performance(work, agents, patience, threshold),  # type: ignore[arg-type]
    )


@QUICK
@given(work=workloads, target=targets)
def test_fuzz_required_staff(work: object, target: object) -> None:
    """Any workload and target: a staffing or a CallcoreError, never a hang or a builtin."""
    only_callcore_errors(lambda: required_staff(work, target))  # type: ignore[arg-type]


@QUICK
@given(
    arguments=spoil(
        {
            "intervals": st.lists(demands, max_size=4),
            "target": targets,
            "interval": intervals_ok,
        }
    )
)
def test_fuzz_staffing_plan(arguments: dict[str, Any]) -> None:
    """Lists of demand (or anything else), any target and interval length."""
    only_callcore_errors(lambda: staffing_plan(**arguments))


# --- forecast histories -------------------------------------------------------------


@st.composite
def nearly_valid_histories(draw: st.DrawFn) -> object:
    """Two to four whole weeks of 09:00-10:30 volumes, as a mapping or as records.

    Half the time an entry is spoilt: its volume, its start or the record replaced.
    """
    zone = draw(st.sampled_from([UTC, timezone(timedelta(hours=-5)), timezone(timedelta(0))]))
    starts = [
        (MONDAY + timedelta(days=day, hours=9, minutes=30 * slot)).astimezone(zone)
        for day in range(7 * draw(st.integers(2, 4)))
        for slot in range(3)
    ]
    volumes = [draw(st.one_of(st.floats(0, 500), calls_ok)) for _ in starts]
    spoilt = draw(st.integers(0, len(starts) - 1)) if draw(st.booleans()) else None
    if draw(st.booleans()):
        mapping: dict[object, object] = dict(zip(starts, volumes, strict=True))
        if spoilt is not None:
            if draw(st.booleans()):
                mapping[starts[spoilt]] = draw(wild)
            else:
                mapping[draw(hashable_wild)] = mapping.pop(starts[spoilt])
        return mapping
    aht = draw(durations_ok)
    records: list[object] = [
        IntervalDemand(start, calls, aht) for start, calls in zip(starts, volumes, strict=True)
    ]
    if spoilt is not None:
        records[spoilt] = draw(st.one_of(demands, wild))
    return records


methods = st.one_of(
    st.builds(SeasonalAverage, st.integers(1, 6), st.booleans()),
    st.builds(HoltWinters, fractions_ok, fractions_ok, fractions_ok, st.sampled_from([1, 7])),
)
histories = st.one_of(
    nearly_valid_histories(),
    nearly_valid_histories(),
    st.dictionaries(hashable_wild, wild, max_size=5),
    st.lists(st.one_of(demands, wild), max_size=5),
)


@QUICK
@given(
    history=histories,
    arguments=spoil(
        {
            "method": methods,
            "days": st.integers(1, 9),
            "interval": st.sampled_from([15, 30]).map(lambda m: timedelta(minutes=m)),
            "aht": durations_ok,
            "target": targets,
        }
    ),
)
def test_fuzz_forecast_history(history: object, arguments: dict[str, Any]) -> None:
    """Forecast, backtest and forecast-to-plan on malformed histories and arguments."""
    method, days, interval = arguments["method"], arguments["days"], arguments["interval"]
    aht, target = arguments["aht"], arguments["target"]
    only_callcore_errors(
        lambda: forecast(history, method, days, interval=interval, aht=aht),  # type: ignore[arg-type]
        lambda: backtest(history, method, days, interval=interval),  # type: ignore[arg-type]
        lambda: forecast_staffing_plan(history, method, days, target, interval=interval, aht=aht),  # type: ignore[arg-type]
    )


@st.composite
def grid_fields(draw: st.DrawFn) -> dict[str, Any]:
    """Fields of a DailyGrid, valid, before any spoiling."""
    width = draw(st.integers(1, 4))
    slots = tuple(time(9 + i) for i in range(width))
    rows = draw(
        st.lists(st.tuples(*[st.floats(0, 1e9)] * width), min_size=draw(st.sampled_from([1, 14])))
    )
    first_day = draw(st.dates(MONDAY.date().replace(1900), MONDAY.date().replace(2999)))
    return {"first_day": first_day, "slots": slots, "volumes": tuple(rows)}


@QUICK
@given(
    fields=grid_fields(),
    row=st.integers(0, 29),
    spoilt=st.one_of(st.none(), st.sampled_from(["first_day", "slots", "volumes", "cell"])),
    bad=wild,
    method=methods,
    days=st.one_of(st.integers(1, 9), wild),
)
def test_fuzz_daily_grid_and_methods(
    fields: dict[str, Any], row: int, spoilt: str | None, bad: object, method: Any, days: object
) -> None:
    """A hand-built grid is checked; the built-in methods predict from any grid they take."""
    if spoilt == "cell":
        rows = [list(values) for values in fields["volumes"]]
        rows[row % len(rows)][0] = bad
        fields["volumes"] = rows
    elif spoilt is not None:
        fields[spoilt] = bad
    only_callcore_errors(lambda: method.predict(DailyGrid(**fields), days))


@st.composite
def volume_runs(draw: st.DrawFn, length: int) -> object:
    """``length`` volumes; sometimes one spoilt, or one too many, or not a list at all."""
    values: list[object] = draw(st.lists(calls_ok, min_size=length, max_size=length))
    spoilt = draw(st.sampled_from(["none", "none", "value", "longer", "all"]))
    if spoilt == "value" and values:
        values[draw(st.integers(0, length - 1))] = draw(wild)
    if spoilt == "longer":
        values.append(draw(calls_ok))
    return draw(wild) if spoilt == "all" else values


@st.composite
def accuracy_arguments(draw: st.DrawFn) -> tuple[object, object]:
    """Actual and forecast volumes of (mostly) the same length."""
    length = draw(st.integers(0, 6))
    return draw(volume_runs(length)), draw(volume_runs(length))


@QUICK
@given(arguments=accuracy_arguments())
def test_fuzz_accuracy(arguments: tuple[object, object]) -> None:
    """MAPE and WAPE: a finite, non-negative number or a CallcoreError."""
    actual, guess = arguments
    for measure in (mape, wape):
        try:
            value = measure(actual, guess)  # type: ignore[arg-type]
        except CallcoreError as exc:
            event(type(exc).__name__)
            continue
        event("answered")
        assert math.isfinite(value)
        assert value >= 0


# --- dialer: DialerState, pacing, AdaptiveDialLevel -------------------------------

counts_ok = st.one_of(st.integers(0, 50), st.integers(0, 10**6))
period_ok = st.one_of(st.integers(0, 5000), st.integers(0, 10**12))


@st.composite
def dialer_states(draw: st.DrawFn) -> object:
    """A DialerState from spoilt fields (abandoned at most live_answers unless spoilt)."""
    live = draw(period_ok)
    fields = {
        "agents_ready": counts_ok,
        "agents_busy": counts_ok,
        "lines_in_flight": counts_ok,
        "answer_rate": st.floats(0, 1, exclude_min=True),
        "aht": durations_ok,
        "connect_delay": st.one_of(st.just(timedelta(0)), durations_ok),
        "live_answers": st.just(live),
        "abandoned": st.integers(0, live),
        "target": st.floats(0, 1, exclude_max=True),
        "max_lines": maybe(counts_ok),
    }
    return draw(built(DialerState, fields))


@st.composite
def dial_levels(draw: st.DrawFn) -> object:
    """An AdaptiveDialLevel from spoilt fields."""
    top = draw(st.floats(1, 20))
    fields = {
        "level": st.floats(1, top),
        "max_level": st.just(top),
        "target": st.floats(0, 1, exclude_max=True),
        "intensity": st.integers(-40, 40),
        "step": st.floats(0, 1, exclude_min=True),
    }
    return draw(built(AdaptiveDialLevel, fields))


@QUICK
@given(
    state=dialer_states(),
    level=dial_levels(),
    arguments=spoil({"lines": counts_ok, "rate": fractions_ok, "agents": counts_ok}),
)
def test_fuzz_dialer_pacing(state: object, level: object, arguments: dict[str, Any]) -> None:
    """Pacing from any dialer state, and expected abandons from any arguments."""
    only_callcore_errors(
        lambda: budget_ceiling(state),  # type: ignore[arg-type]
        lambda: model_pacing(state),  # type: ignore[arg-type]
        lambda: expected_abandons(arguments["lines"], arguments["rate"], arguments["agents"]),
    )
    if isinstance(level, AdaptiveDialLevel):
        only_callcore_errors(lambda: level.lines_to_dial(state))  # type: ignore[arg-type]


@st.composite
def update_counts(draw: st.DrawFn) -> dict[str, Any]:
    """Arguments of AdaptiveDialLevel.update, abandoned at most live_answers unless spoilt."""
    live = draw(period_ok)
    fields = {
        "live_answers": st.just(live),
        "abandoned": st.integers(0, live),
        "idle_agents": counts_ok,
        "waiting_calls": counts_ok,
    }
    return draw(spoil(fields))


@QUICK
@given(level=dial_levels(), updates=st.lists(update_counts(), max_size=8))
def test_fuzz_dial_level_updates(level: object, updates: list[dict[str, Any]]) -> None:
    """Any run of updates; a refused update leaves the level exactly as it was."""
    if not isinstance(level, AdaptiveDialLevel):
        return
    for counts in updates:
        before = attrs.asdict(level)
        try:
            new = level.update(**counts)
        except CallcoreError:
            event("update refused")
            assert attrs.asdict(level) == before
            continue
        event("update answered")
        assert 1.0 <= new == level.level <= level.max_level


# --- documents: the same values read from plain data ---------------------------------

plain = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(), huge_ints, st.floats(), st.text(max_size=5)),
    lambda inner: st.one_of(
        st.lists(inner, max_size=3), st.dictionaries(st.text(max_size=3), inner, max_size=3)
    ),
    max_leaves=8,
)
plain_values = st.one_of(
    plain,
    st.sampled_from(
        [
            "2026-01-05T09:00:00",
            "2026-01-05T09:00:00+00:00",
            "9999-12-31T23:59:59+00:00",
            "09:00:00",
            "2026-01-05",
            1e308,
            -1,
            0,
            0.5,
            1,
            180,
            10**12,
        ]
    ),
)
fields_of = {
    Workload: ["calls", "aht", "interval"],
    StaffingTarget: ["service_level", "threshold", "max_asa", "patience", "shrinkage"],
    IntervalDemand: ["start", "calls", "aht"],
    DialerState: [
        "agents_ready",
        "agents_busy",
        "lines_in_flight",
        "answer_rate",
        "aht",
        "connect_delay",
        "live_answers",
        "abandoned",
        "target",
    ],
    AdaptiveDialLevel: ["level", "max_level", "target", "intensity", "step"],
    HoltWinters: ["alpha", "beta", "gamma", "season_days"],
    SeasonalAverage: ["weeks", "trend"],
    DailyGrid: ["first_day", "slots", "volumes"],
}


@st.composite
def documents(draw: st.DrawFn) -> tuple[type, object]:
    """A wfm model class and plain data that may or may not describe one."""
    cls = draw(st.sampled_from(sorted(fields_of, key=lambda c: c.__name__)))
    names = [*fields_of[cls], "extra"]
    data = draw(
        st.one_of(
            st.dictionaries(st.sampled_from(names), plain_values, max_size=len(names)),
            plain,
        )
    )
    return cls, data


@QUICK
@given(document=documents())
def test_fuzz_documents(document: tuple[type, object]) -> None:
    """Plain data read into wfm models: a model, or a CallcoreError listing the problems."""
    cls, data = document
    only_callcore_errors(lambda: from_dict(cls, data))


@QUICK
@given(load=wild, blocking=wild, concurrency=wild, calls=calls_ok)
def test_staffing_variants_refuse_wild_input_cleanly(
    load: object, blocking: object, concurrency: object, calls: float
) -> None:
    """Trunk sizing and chat staffing answer or refuse with a CallcoreError."""
    only_callcore_errors(
        lambda: trunks_required(load, blocking),  # type: ignore[arg-type]
        lambda: required_chat_staff(
            Workload(calls, timedelta(minutes=3)),
            StaffingTarget(),
            concurrency,  # type: ignore[arg-type]
        ),
    )


@QUICK
@given(
    schedule=st.lists(wild, max_size=3),
    states=st.lists(wild, max_size=3),
    plan=st.one_of(wild, st.dictionaries(hashable_wild, wild, max_size=3)),
    types=st.lists(wild, max_size=2),
)
def test_schedules_refuse_wild_input_cleanly(
    schedule: list[object], states: list[object], plan: object, types: list[object]
) -> None:
    """Adherence and shift scheduling answer or refuse with a CallcoreError."""
    only_callcore_errors(
        lambda: schedule_adherence(schedule, states),  # type: ignore[arg-type]
        lambda: schedule_shifts(plan, types),  # type: ignore[arg-type]
        lambda: ScheduledActivity(plan, types, plan),  # type: ignore[arg-type]
    )


@QUICK
@given(
    now=wild,
    answers=wild,
    abandoned=wild,
    horizon=wild,
    arrived=st.dictionaries(hashable_wild, wild, max_size=3),
)
def test_rolling_window_and_adjustments_refuse_wild_input_cleanly(
    now: object, answers: object, abandoned: object, horizon: object, arrived: dict[object, object]
) -> None:
    """The rolling window, special days and the intraday re-forecast refuse cleanly."""
    window = RollingAbandonWindow()
    start = datetime(2026, 3, 2, 9, tzinfo=timezone.utc)
    predicted = Forecast(
        "x", timedelta(minutes=30), (IntervalDemand(start, 10, timedelta(minutes=3)),)
    )
    only_callcore_errors(
        lambda: window.record(now=now, live_answers=answers, abandoned=abandoned),  # type: ignore[arg-type]
        lambda: window.pacing_counts(now=now, horizon=horizon),  # type: ignore[arg-type]
        lambda: special_days(predicted, multipliers=arrived, overrides=arrived),  # type: ignore[arg-type]
        lambda: reforecast_intraday(predicted, arrived, now=now),  # type: ignore[arg-type]
    )
