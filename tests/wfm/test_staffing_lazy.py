"""The fast staffing path: a performance built on first read, the same as the eager one."""

from __future__ import annotations

import math
import pickle
from datetime import timedelta

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

from callcore.serialization import to_dict
from callcore.wfm import (
    QueuePerformance,
    Staffing,
    StaffingTarget,
    Workload,
    erlang_c_performance,
    required_staff,
)
from callcore.wfm._erlang import _erlang_c_result
from callcore.wfm._staffing import _erlang_c_required, _scan_for_service_level, _scan_from_one
from tests.wfm.strategies import erlang_c_table, erlang_c_targets, workloads


def _eager(work: Workload, target: StaffingTarget) -> Staffing:
    """The staffing built as before the fast path: every value computed, public constructor."""
    aht = work.aht.total_seconds()
    agents, waiting = _erlang_c_required(work.load, aht, target)
    result = _erlang_c_result(work.load, aht, agents, target.threshold, waiting)
    return Staffing(agents, target.scheduled(agents), result)


@given(work=workloads, target=erlang_c_targets())
def test_lazy_staffing_equals_the_eager_one(work: Workload, target: StaffingTarget) -> None:
    """Equal, same hash, repr, dicts and pickle; the performance is a real QueuePerformance."""
    lazy, eager = required_staff(work, target), _eager(work, target)
    assert hash(lazy) == hash(eager)
    assert lazy == eager
    assert repr(lazy) == repr(eager)
    assert type(lazy.performance) is QueuePerformance
    assert attrs.asdict(lazy) == attrs.asdict(eager)
    assert to_dict(required_staff(work, target)) == to_dict(eager)  # unread before to_dict
    assert pickle.loads(pickle.dumps(required_staff(work, target)))  # noqa: S301 - our own bytes == eager
    assert lazy.performance is lazy.performance  # built once, then kept


@given(work=workloads, target=erlang_c_targets())
def test_lazy_performance_matches_the_public_evaluation(
    work: Workload, target: StaffingTarget
) -> None:
    """Independently: the performance equals erlang_c_performance for the same agents."""
    staffing = required_staff(work, target)
    reference = erlang_c_performance(work, staffing.required, target.threshold)
    got = staffing.performance
    assert (got.model, got.agents, got.load, got.threshold) == (
        reference.model,
        reference.agents,
        reference.load,
        reference.threshold,
    )
    for name in ("probability_of_waiting", "service_level", "occupancy"):
        assert getattr(got, name) == pytest.approx(getattr(reference, name), rel=1e-9, abs=1e-12)
    assert got.average_speed_of_answer.total_seconds() == pytest.approx(
        reference.average_speed_of_answer.total_seconds(), rel=1e-9, abs=2e-6
    )


def test_staffing_is_still_frozen() -> None:
    """The lazy slot does not open a way to change a result."""
    staffing = required_staff(Workload(100, timedelta(seconds=180)), StaffingTarget())
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        staffing.performance = staffing.performance  # type: ignore[misc]


@given(
    load=st.floats(min_value=0.01, max_value=191.0),
    level=st.floats(min_value=0.3, max_value=0.99),
    threshold=st.integers(min_value=0, max_value=120),
    aht=st.integers(min_value=30, max_value=600),
)
def test_scan_gives_the_textbook_recursion_bit_for_bit(
    load: float, level: float, threshold: int, aht: int
) -> None:
    """The inline scan and the general one agree, and their P(wait) is the textbook value."""
    lowest = math.floor(load) + 1

    def good(agents: int, waiting: float) -> bool:
        return 1.0 - waiting * math.exp(-(agents - load) * threshold / aht) >= level

    agents, waiting = _scan_for_service_level(load, lowest, level, float(threshold), float(aht))
    assert (agents, waiting) == _scan_from_one(load, lowest, good)
    table = erlang_c_table(load, agents)
    assert waiting == table[agents]
    assert good(agents, waiting)
    assert agents == lowest or not good(agents - 1, table[agents - 1])


@given(
    load=st.floats(min_value=0.01, max_value=191.0),
    miss=st.floats(min_value=1e-15, max_value=0.7),
    threshold=st.integers(min_value=0, max_value=600),
    aht=st.integers(min_value=1, max_value=600),
)
def test_cheap_rejection_never_rejects_what_the_exact_test_accepts(
    load: float, miss: float, threshold: int, aht: int
) -> None:
    """Levels up to a hair below 1, long thresholds: the cheap first test changes nothing.

    The scan with it gives the general scan's answer and P(wait), bit for bit.
    """
    lowest = math.floor(load) + 1
    level = 1.0 - miss

    def good(agents: int, waiting: float) -> bool:
        return 1.0 - waiting * math.exp(-(agents - load) * threshold / aht) >= level

    found = _scan_for_service_level(load, lowest, level, float(threshold), float(aht))
    assert found == _scan_from_one(load, lowest, good)
