"""Staffing variants: trunk sizing with Erlang B, chat concurrency, full-time equivalents."""

from __future__ import annotations

import math
from datetime import timedelta

import attrs

from callcore.checks import check_count, check_duration, check_instance, check_number
from callcore.errors import InvalidInputError
from callcore.wfm._erlang import (
    MAX_AGENTS,
    MAX_LOAD,
    Workload,
    _erlang_b,
    erlang_a_performance,
    erlang_c_performance,
)
from callcore.wfm._plan import StaffingPlan
from callcore.wfm._staffing import Staffing, StaffingTarget, required_staff

MAX_CONCURRENCY = 100
"""The most contacts (chats) one agent may handle at once."""


def trunks_required(load: float, blocking: float) -> int:
    """The fewest lines (trunks) that keep Erlang B blocking at most ``blocking``.

    A loss system: a call that finds every line busy gets a busy tone. The
    recursion ``B(N) = A B(N-1) / (N + A B(N-1))`` is walked up from
    ``B(0) = 1``; blocking falls as lines are added, so the first ``N`` that
    meets the target is the answer (the classic Erlang B table: 10 Erlangs at
    1 % need 18 lines).

    >>> trunks_required(10.0, 0.01)
    18

    Args:
        load: Offered traffic in Erlangs, 0 to :data:`~callcore.wfm.MAX_LOAD`.
        blocking: The highest acceptable blocking probability, (0, 1).

    Raises:
        InvalidInputError: an argument of the wrong type or out of range, or
            more than :data:`~callcore.wfm.MAX_AGENTS` lines needed.
    """
    load = check_number(load, "load", low=0, high=MAX_LOAD)
    target = check_number(blocking, "blocking", low=0, high=1, low_open=True, high_open=True)
    if load == 0:
        return 0
    # Lines below the load block more than 1 - N/A; start the walk just there.
    start = max(0, math.floor(load * (1 - target)) - 1)
    value = 1.0 if start == 0 else _erlang_b(start, load)
    lines = start
    while value > target:
        lines += 1
        if lines > MAX_AGENTS:
            raise InvalidInputError(
                f"more than {MAX_AGENTS:,} lines are needed for {load:g} Erlangs",
                field="blocking",
            )
        value = load * value / (lines + load * value)
    return lines


def required_chat_staff(workload: Workload, target: StaffingTarget, concurrency: int) -> Staffing:
    """Agents for chats when each agent handles up to ``concurrency`` at once.

    Each agent is read as ``concurrency`` servers of the queue (the usual
    Erlang C reading of concurrent chat), so ``N`` agents give ``kN`` servers,
    and the fewest agents is ``ceil(n / k)`` with ``n`` the fewest servers
    that meet the target. ``workload.aht`` must be the handle time *of one
    chat at that concurrency* (chats run slower when agents juggle them).
    The performance reported is that of the ``kN`` servers.

    >>> from datetime import timedelta
    >>> work = Workload(calls=100, aht=timedelta(seconds=600))
    >>> staff = required_chat_staff(work, StaffingTarget(service_level=0.8), concurrency=3)
    >>> staff.required, staff.performance.agents
    (14, 42)

    Args:
        workload: The chats offered in the interval and their handle time.
        target: The service target and shrinkage (shrinkage applies to agents).
        concurrency: Chats one agent handles at once, 1 to :data:`MAX_CONCURRENCY`.

    Raises:
        InvalidInputError: as for :func:`~callcore.wfm.required_staff`, or a
            concurrency out of range.
    """
    k = check_count(concurrency, "concurrency", low=1, high=MAX_CONCURRENCY)
    check_instance(target, StaffingTarget, "target")
    servers = required_staff(workload, target).required
    agents = math.ceil(servers / k)
    if target.patience is None:
        performance = erlang_c_performance(workload, agents * k, target.threshold)
    else:
        performance = erlang_a_performance(workload, agents * k, target.patience, target.threshold)
    return Staffing(agents, target.scheduled(agents), performance)


@attrs.frozen
class FullTimeEquivalents:
    """A plan's staffing need in full-time equivalents.

    Attributes:
        agent_hours: Scheduled agent-hours over the plan (shrinkage included).
        paid_hours: The paid hours of one full-time agent over the same span.
        fte: ``agent_hours / paid_hours``, not rounded.
    """

    agent_hours: float
    paid_hours: float
    fte: float


def full_time_equivalents(plan: StaffingPlan, paid_hours: timedelta) -> FullTimeEquivalents:
    """Convert a plan's scheduled agent-hours into full-time equivalents.

    The plan's scheduled agents already carry the shrinkage and any
    occupancy cap of its target, so ``FTE = scheduled agent-hours / paid
    hours of one full-timer over the plan's span`` (37.5 hours for a week's
    plan, 7.5 for a day's). Every interval counts its own length, so a plan
    of 15-minute intervals counts quarter hours: no interval is rounded up to
    an hour.

    >>> from datetime import datetime, timedelta, timezone
    >>> from callcore.wfm import IntervalDemand, staffing_plan
    >>> start = datetime(2026, 3, 2, 9, tzinfo=timezone.utc)
    >>> demand = [IntervalDemand(start, 100, timedelta(seconds=180))]
    >>> plan = staffing_plan(demand, StaffingTarget(shrinkage=0.3))
    >>> full_time_equivalents(plan, timedelta(hours=7.5)).fte
    1.3333333333333333

    Args:
        plan: The staffing plan.
        paid_hours: Paid time of one full-time agent over the plan's span,
            longer than zero.

    Raises:
        InvalidInputError: an argument of the wrong type or out of range.
    """
    check_instance(plan, StaffingPlan, "plan")
    hours = check_duration(paid_hours, "paid_hours", positive=True).total_seconds() / 3600
    return FullTimeEquivalents(plan.agent_hours, hours, plan.agent_hours / hours)
