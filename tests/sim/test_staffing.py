"""Staffing by simulation against Erlang C and Erlang A, where they apply."""

from __future__ import annotations

from datetime import timedelta

import pytest

from callcore.sim import Exponential, LogNormal, simulated_staffing
from callcore.wfm import StaffingTarget, Workload, erlang_c_performance, required_staff


def test_equals_erlang_c_within_one_agent() -> None:
    """100 calls of 3 minutes per half hour, 80/20: the simulation staffs as Erlang C (14), +-1."""
    workload = Workload(calls=100, aht=timedelta(seconds=180))
    # Erlang C by the published formula: 13 agents give 79.6 %, 14 give 88.8 %
    assert erlang_c_performance(workload, 13).service_level < 0.8
    assert erlang_c_performance(workload, 14).service_level > 0.8
    result = simulated_staffing(workload, service_level=0.8, replications=4, calls=3_000, seed=3)
    assert result.erlang_c == 14
    assert abs(result.required - result.erlang_c) <= 1
    assert result.service_level.mean >= 0.8
    assert result.erlang_a is None


def test_with_patience_agrees_with_erlang_a_within_one_agent() -> None:
    """Callers who hang up after 2 minutes on average: the simulation staffs as Erlang A, +-1."""
    workload = Workload(calls=100, aht=timedelta(seconds=180))
    result = simulated_staffing(
        workload, patience=Exponential(120), replications=4, calls=3_000, seed=3
    )
    target = StaffingTarget(service_level=0.8, patience=timedelta(seconds=120))
    assert result.erlang_a == required_staff(workload, target).required == 12
    assert abs(result.required - result.erlang_a) <= 1
    assert result.abandonment_rate.mean > 0


def test_skewed_handle_times_are_reported_beside_erlang_c() -> None:
    """Log-normal handle times (same mean): reported beside Erlang C's answer, above the load."""
    workload = Workload(calls=100, aht=timedelta(seconds=180))
    result = simulated_staffing(
        workload, handle=LogNormal(180, 360), replications=3, calls=2_000, seed=3
    )
    assert result.erlang_c == 14
    assert result.required > workload.load
    assert result.service_level.mean >= 0.8


def test_no_calls_need_no_agents() -> None:
    """An interval without calls needs nobody."""
    result = simulated_staffing(Workload(calls=0, aht=timedelta(seconds=180)))
    assert result.required == 0


def test_refuses_a_target_out_of_range() -> None:
    """A service-level target must lie strictly between 0 and 1."""
    with pytest.raises(ValueError, match="between 0 and 1"):
        simulated_staffing(Workload(calls=10, aht=timedelta(seconds=60)), service_level=1.0)
