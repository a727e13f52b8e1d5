"""Workforce maths: Erlang B/C/A, staffing plans, forecasting and dialer pacing.

Everything here is pure arithmetic on the standard library's :mod:`math`: no
I/O and no clock. Durations are :class:`~datetime.timedelta` and times are
timezone-aware datetimes.
"""

from callcore.wfm._dialer import (
    DEFAULT_ABANDON_TARGET,
    AdaptiveDialLevel,
    DialerSnapshot,
    budget_ceiling,
    expected_abandons,
    model_pacing,
)
from callcore.wfm._erlang import (
    QueuePerformance,
    Workload,
    erlang_a_performance,
    erlang_b,
    erlang_c,
    erlang_c_performance,
)
from callcore.wfm._forecast import (
    DailyGrid,
    Forecast,
    ForecastAccuracy,
    ForecastMethod,
    History,
    HoltWinters,
    SeasonalAverage,
    backtest,
    forecast,
    forecast_staffing_plan,
    mape,
    wape,
)
from callcore.wfm._plan import (
    INTERVAL_LENGTHS,
    IntervalDemand,
    PlanRow,
    StaffingPlan,
    staffing_plan,
)
from callcore.wfm._staffing import Staffing, StaffingTarget, required_staff

__all__ = [
    "DEFAULT_ABANDON_TARGET",
    "INTERVAL_LENGTHS",
    "AdaptiveDialLevel",
    "DailyGrid",
    "DialerSnapshot",
    "Forecast",
    "ForecastAccuracy",
    "ForecastMethod",
    "History",
    "HoltWinters",
    "IntervalDemand",
    "PlanRow",
    "QueuePerformance",
    "SeasonalAverage",
    "Staffing",
    "StaffingPlan",
    "StaffingTarget",
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
    "mape",
    "model_pacing",
    "required_staff",
    "staffing_plan",
    "wape",
]
