"""Workforce maths: Erlang B/C/A, staffing plans, forecasting and dialer pacing.

Everything here is pure arithmetic on the standard library's :mod:`math`:
no I/O, no clock, no randomness except a seedable generator passed in.
Durations are :class:`~datetime.timedelta` and times are aware datetimes.
"""

from callcore.wfm._erlang import (
    QueuePerformance,
    Workload,
    erlang_a_performance,
    erlang_b,
    erlang_c,
    erlang_c_performance,
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
    "INTERVAL_LENGTHS",
    "IntervalDemand",
    "PlanRow",
    "QueuePerformance",
    "Staffing",
    "StaffingPlan",
    "StaffingTarget",
    "Workload",
    "erlang_a_performance",
    "erlang_b",
    "erlang_c",
    "erlang_c_performance",
    "required_staff",
    "staffing_plan",
]
