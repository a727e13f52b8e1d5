"""Workforce maths: Erlang B/C/A, staffing plans, forecasting and dialer pacing.

Everything here is pure arithmetic on the standard library's :mod:`math`: no
I/O and no clock. Durations are :class:`~datetime.timedelta` and times are
timezone-aware datetimes. Inputs are checked where they enter: a wrong type or
a value out of range raises :class:`~callcore.errors.InvalidInputError` naming
the argument or field, and a bad forecast history
:class:`~callcore.errors.DocumentError` listing every problem. The ``MAX_*``
limits bound the work any one call can cause.
"""

from callcore.wfm._adherence import (
    MAX_SCHEDULE_ITEMS,
    WORK,
    WORKING_STATES,
    Adherence,
    AdherenceGap,
    ScheduledActivity,
    StateSpan,
    schedule_adherence,
)
from callcore.wfm._adjust import MAX_MULTIPLIER, reforecast_intraday, special_days
from callcore.wfm._dialer import (
    DEFAULT_ABANDON_TARGET,
    MAX_LINES,
    MAX_PERIOD_CALLS,
    AdaptiveDialLevel,
    DialerState,
    budget_ceiling,
    expected_abandons,
    model_pacing,
)
from callcore.wfm._erlang import (
    MAX_AGENTS,
    MAX_LOAD,
    MAX_PATIENCE_CALLS,
    QueuePerformance,
    Workload,
    erlang_a_performance,
    erlang_b,
    erlang_c,
    erlang_c_performance,
)
from callcore.wfm._forecast import (
    MAX_FORECAST_DAYS,
    MAX_HISTORY_DAYS,
    AutoForecast,
    DailyGrid,
    Forecast,
    ForecastAccuracy,
    ForecastMethod,
    HoltWinters,
    SeasonalAverage,
    VolumeHistory,
    backtest,
    forecast,
    forecast_staffing_plan,
    mape,
    smape,
    wape,
)
from callcore.wfm._intervals import PredictionInterval, prediction_intervals
from callcore.wfm._plan import (
    INTERVAL_LENGTHS,
    MAX_CALLS,
    IntervalDemand,
    PeriodStaffing,
    PlanRow,
    StaffingPlan,
    staffing_plan,
)
from callcore.wfm._rolling import RollingAbandonWindow
from callcore.wfm._shifts import (
    MAX_PATTERNS,
    MAX_PLAN_INTERVALS,
    Break,
    Coverage,
    Shift,
    ShiftSchedule,
    ShiftType,
    schedule_shifts,
)
from callcore.wfm._staffing import Staffing, StaffingTarget, required_staff
from callcore.wfm._variants import (
    MAX_CONCURRENCY,
    FullTimeEquivalents,
    full_time_equivalents,
    required_chat_staff,
    trunks_required,
)

__all__ = [
    "DEFAULT_ABANDON_TARGET",
    "INTERVAL_LENGTHS",
    "MAX_AGENTS",
    "MAX_CALLS",
    "MAX_CONCURRENCY",
    "MAX_FORECAST_DAYS",
    "MAX_HISTORY_DAYS",
    "MAX_LINES",
    "MAX_LOAD",
    "MAX_MULTIPLIER",
    "MAX_PATIENCE_CALLS",
    "MAX_PATTERNS",
    "MAX_PERIOD_CALLS",
    "MAX_PLAN_INTERVALS",
    "MAX_SCHEDULE_ITEMS",
    "WORK",
    "WORKING_STATES",
    "AdaptiveDialLevel",
    "Adherence",
    "AdherenceGap",
    "AutoForecast",
    "Break",
    "Coverage",
    "DailyGrid",
    "DialerState",
    "Forecast",
    "ForecastAccuracy",
    "ForecastMethod",
    "FullTimeEquivalents",
    "HoltWinters",
    "IntervalDemand",
    "PeriodStaffing",
    "PlanRow",
    "PredictionInterval",
    "QueuePerformance",
    "RollingAbandonWindow",
    "ScheduledActivity",
    "SeasonalAverage",
    "Shift",
    "ShiftSchedule",
    "ShiftType",
    "Staffing",
    "StaffingPlan",
    "StaffingTarget",
    "StateSpan",
    "VolumeHistory",
    "Workload",
    "backtest",
    "budget_ceiling",
    "erlang_a_performance",
    "erlang_b",
    "erlang_c",
    "erlang_c_performance",
    "expected_abandons",
    "forecast",
    "forecast_staffing_plan",
    "full_time_equivalents",
    "mape",
    "model_pacing",
    "prediction_intervals",
    "reforecast_intraday",
    "required_chat_staff",
    "required_staff",
    "schedule_adherence",
    "schedule_shifts",
    "smape",
    "special_days",
    "staffing_plan",
    "trunks_required",
    "wape",
]
