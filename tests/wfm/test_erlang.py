"""Erlang B, C and A against published figures and independent computations."""

from __future__ import annotations

import math
from datetime import timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from callcore.errors import InvalidInputError
from callcore.wfm import (
    MAX_PATIENCE_CALLS,
    Workload,
    erlang_a_performance,
    erlang_b,
    erlang_c,
    erlang_c_performance,
)
from tests.wfm.strategies import (
    erlang_a_chain,
    erlang_b_by_recursion,
    loads,
    survival_by_uniformisation,
)

ISSUE_LOAD = Workload(calls=100, aht=timedelta(seconds=180), interval=timedelta(minutes=30))


def test_erlang_b_small_cases_worked_by_hand() -> None:
    """B(1, 1) = 1/2 and B(2, 1) = (1/2) / (1 + 1 + 1/2) = 1/5."""
    assert erlang_b(1, 1.0) == pytest.approx(0.5, rel=1e-15)
    assert erlang_b(2, 1.0) == pytest.approx(0.2, rel=1e-15)
    assert erlang_b(0, 3.0) == 1.0
    assert erlang_b(5, 0.0) == 0.0


@given(agents=st.integers(min_value=1, max_value=1500), load=loads)
def test_erlang_b_matches_the_recursion(agents: int, load: float) -> None:
    """The log-space evaluation equals the textbook recursion wherever both are normal."""
    expected = erlang_b_by_recursion(agents, load)
    if expected > 1e-250:
        assert erlang_b(agents, load) == pytest.approx(expected, rel=1e-9)
    else:
        assert erlang_b(agents, load) < 1e-240


@pytest.mark.parametrize(
    ("agents", "load"), [(100_000, 99_000.0), (100_000, 100_500.0), (60_000, 59_800.5)]
)
def test_erlang_b_at_a_hundred_thousand_agents(agents: int, load: float) -> None:
    """At 100,000 agents the result still matches the (slow) recursion."""
    assert erlang_b(agents, load) == pytest.approx(erlang_b_by_recursion(agents, load), rel=1e-8)


def test_erlang_c_issue_oracle() -> None:
    """100 calls / 30 min, AHT 180 s: A = 10, 14 agents: P(wait) 0.1741, SL 0.8884, ASA 7.84 s."""
    assert ISSUE_LOAD.load == pytest.approx(10.0)
    result = erlang_c_performance(ISSUE_LOAD, 14, timedelta(seconds=20))
    assert result.probability_of_waiting == pytest.approx(0.1741, abs=5e-5)
    assert result.service_level == pytest.approx(0.8884, abs=5e-5)
    assert result.average_speed_of_answer.total_seconds() == pytest.approx(7.84, abs=5e-3)
    assert result.occupancy == pytest.approx(0.7143, abs=5e-5)
    assert erlang_c_performance(ISSUE_LOAD, 13).service_level == pytest.approx(0.7956, abs=5e-5)


@given(agents=st.integers(min_value=1, max_value=1500), load=loads)
def test_erlang_c_matches_the_recursion(agents: int, load: float) -> None:
    """C = N B / (N - A (1 - B)) with B from the recursion, for every stable N."""
    if agents <= load:
        with pytest.raises(InvalidInputError, match="cannot carry"):
            erlang_c(agents, load)
        return
    blocking = erlang_b_by_recursion(agents, load)
    expected = agents * blocking / (agents - load * (1 - blocking))
    assert erlang_c(agents, load) == pytest.approx(expected, rel=1e-9, abs=1e-300)


def test_erlang_c_large_load_computes() -> None:
    """20,000 calls / 30 min at AHT 300 s: no overflow, and the recursion agrees."""
    work = Workload(calls=20_000, aht=timedelta(seconds=300))
    result = erlang_c_performance(work, 3353, timedelta(seconds=30))
    blocking = erlang_b_by_recursion(3353, work.load)
    waiting = 3353 * blocking / (3353 - work.load * (1 - blocking))
    assert result.probability_of_waiting == pytest.approx(waiting, rel=1e-9)
    assert 0.9 < result.service_level < 0.92


@pytest.mark.parametrize(
    ("call", "field", "message"),
    [
        (lambda: erlang_c(10, 10.0), "agents", "cannot carry"),
        (lambda: erlang_c(9, 10.0), "agents", "cannot carry"),
        (lambda: erlang_b(3, -1.0), "load", "load must be at least 0"),
        (lambda: erlang_b(-1, 1.0), "agents", "at least 0"),
        (lambda: erlang_b(2, math.inf), "load", "load must be a finite number"),
        (lambda: erlang_b(2, 1e7), "load", "at most 1000000"),
        (lambda: erlang_b(10**8, 1.0), "agents", "at most 10000000"),
        (lambda: erlang_b(2.0, 1.0), "agents", "whole number"),  # type: ignore[arg-type]
        (lambda: erlang_c(3, "1"), "load", "must be a number"),  # type: ignore[arg-type]
        (
            lambda: erlang_c_performance(ISSUE_LOAD, 14, timedelta(seconds=-1)),
            "threshold",
            "threshold",
        ),
        (lambda: erlang_c_performance(10.0, 14), "workload", "must be a Workload"),  # type: ignore[arg-type]
        (lambda: erlang_a_performance(ISSUE_LOAD, 14, timedelta(0)), "patience", "patience"),
        (lambda: erlang_a_performance(ISSUE_LOAD, 14, 300), "patience", "timedelta"),  # type: ignore[arg-type]
        (
            lambda: erlang_a_performance(ISSUE_LOAD, 0, timedelta(minutes=1)),
            "agents",
            "no agents",
        ),
    ],
)
def test_impossible_inputs_are_refused(call: object, field: str, message: str) -> None:
    """Wrong types, values out of range and too few agents raise InvalidInputError naming them."""
    assert callable(call)
    with pytest.raises(InvalidInputError, match=message) as caught:
        call()
    assert caught.value.field == field


@pytest.mark.parametrize(
    ("calls", "aht", "interval", "field"),
    [
        (-1, timedelta(0), timedelta(minutes=30), "calls"),
        (math.nan, timedelta(seconds=60), timedelta(minutes=30), "calls"),
        (math.inf, timedelta(seconds=60), timedelta(minutes=30), "calls"),
        (10**400, timedelta(seconds=60), timedelta(minutes=30), "calls"),
        (True, timedelta(seconds=60), timedelta(minutes=30), "calls"),
        ("5", timedelta(seconds=60), timedelta(minutes=30), "calls"),
        (5.0, 60, timedelta(minutes=30), "aht"),
        (5.0, timedelta(0), timedelta(minutes=30), "aht"),
        (5.0, timedelta(days=40_000), timedelta(days=40_000), "aht"),
        (5.0, timedelta(seconds=60), -timedelta(minutes=30), "interval"),
    ],
)
def test_workload_refuses_odd_values(
    calls: object, aht: object, interval: object, field: str
) -> None:
    """NaN, infinity, huge numbers, booleans, strings and wrong durations never slip through."""
    with pytest.raises(InvalidInputError) as caught:
        Workload(calls=calls, aht=aht, interval=interval)  # type: ignore[arg-type]
    assert caught.value.field == field


def test_workload_accepts_number_and_duration_subclasses() -> None:
    """Subclasses of float and timedelta are checked the slow way and still accepted."""

    class Calls(float):
        pass

    class Span(timedelta):
        pass

    work = Workload(calls=Calls(10.0), aht=Span(seconds=180), interval=Span(minutes=30))
    assert work.load == pytest.approx(1.0)


def test_erlang_a_issue_oracle() -> None:
    """Same load, mean patience 5 min, 14 agents: P(abandon) ~ 0.01398, SL(20 s) ~ 0.9168."""
    result = erlang_a_performance(ISSUE_LOAD, 14, timedelta(minutes=5), timedelta(seconds=20))
    assert result.probability_of_abandoning == pytest.approx(0.01398, abs=5e-6)
    assert result.service_level == pytest.approx(0.9168, abs=5e-5)


@given(
    agents=st.integers(min_value=1, max_value=30),
    calls=st.floats(min_value=1, max_value=400),
    aht=st.integers(min_value=60, max_value=600),
    patience=st.integers(min_value=20, max_value=900),
)
def test_erlang_a_matches_the_birth_death_chain(
    agents: int, calls: float, aht: int, patience: int
) -> None:
    """P(wait), P(abandon) and occupancy equal sums over the truncated chain's states."""
    work = Workload(calls, timedelta(seconds=aht))
    arrival, service, abandon = calls / 1800, 1 / aht, 1 / patience
    chain = erlang_a_chain(agents, arrival, service, abandon)
    waiting = math.fsum(chain[agents:])
    queued = math.fsum((k - agents) * p for k, p in enumerate(chain) if k > agents)
    busy = math.fsum(min(k, agents) * p for k, p in enumerate(chain))
    result = erlang_a_performance(work, agents, timedelta(seconds=patience))
    assert result.probability_of_waiting == pytest.approx(waiting, rel=1e-9, abs=1e-12)
    assert result.probability_of_abandoning == pytest.approx(
        abandon * queued / arrival, rel=1e-9, abs=1e-12
    )
    assert result.occupancy == pytest.approx(busy / agents, rel=1e-9, abs=1e-12)


@pytest.mark.parametrize(
    ("agents", "calls", "aht", "patience", "threshold"),
    [(14, 100, 180, 300, 20), (8, 100, 180, 120, 30), (3, 40, 240, 60, 10), (20, 100, 180, 600, 0)],
)
def test_erlang_a_service_level_by_uniformisation(
    agents: int, calls: int, aht: int, patience: int, threshold: int
) -> None:
    """SL(t) equals, state by state, the chance of reaching an agent by t before hanging up."""
    arrival, service, abandon = calls / 1800, 1 / aht, 1 / patience
    chain = erlang_a_chain(agents, arrival, service, abandon, states=agents + 400)
    level = math.fsum(chain[:agents])
    answered = level
    for ahead, probability in enumerate(chain[agents:]):
        if probability < 1e-16:
            break
        rates = [agents * service + i * abandon for i in range(ahead + 1)]
        by_t, eventually = survival_by_uniformisation(rates, threshold, abandon)
        level += probability * by_t
        answered += probability * eventually
    work = Workload(calls, timedelta(seconds=aht))
    result = erlang_a_performance(
        work, agents, timedelta(seconds=patience), timedelta(seconds=threshold)
    )
    assert result.service_level == pytest.approx(level, abs=1e-9)
    assert 1 - result.probability_of_abandoning == pytest.approx(answered, abs=1e-9)


def test_erlang_a_asa_by_the_laplace_transform() -> None:
    """ASA = E[T exp(-theta T)] / P(answered), E[...] by differentiating the transform."""
    agents, arrival, service, abandon = 12, 100 / 1800, 1 / 180, 1 / 200
    chain = erlang_a_chain(agents, arrival, service, abandon, states=agents + 400)
    waited = 0.0
    for ahead, probability in enumerate(chain[agents:]):
        rates = [agents * service + i * abandon for i in range(ahead + 1)]

        def transform(s: float, rates: list[float] = rates) -> float:
            return math.prod(rate / (rate + s) for rate in rates)

        h = 1e-7
        waited -= probability * (transform(abandon + h) - transform(abandon - h)) / (2 * h)
    result = erlang_a_performance(
        Workload(100, timedelta(seconds=180)), agents, timedelta(seconds=200)
    )
    expected = waited / (1 - result.probability_of_abandoning)
    assert result.average_speed_of_answer.total_seconds() == pytest.approx(expected, rel=1e-5)


@given(
    agents=st.integers(min_value=2, max_value=200),
    fill=st.floats(min_value=0.2, max_value=0.95),
    threshold=st.integers(min_value=0, max_value=60),
)
def test_erlang_a_with_endless_patience_is_erlang_c(
    agents: int, fill: float, threshold: int
) -> None:
    """As patience grows, Erlang A's figures converge to Erlang C's.

    At the longest patience Erlang A takes (MAX_PATIENCE_CALLS arrivals, over a
    hundred handle times here) the figures are within a few per cent; and ten
    times the patience cuts the abandonment and the gap in P(wait), both monotone
    in the patience, to about a tenth (first order in 1/patience).
    """
    work = Workload(calls=agents * fill * 10, aht=timedelta(seconds=180))
    t = timedelta(seconds=threshold)
    c = erlang_c_performance(work, agents, t)
    longest = timedelta(seconds=MAX_PATIENCE_CALLS * 1800 / work.calls) * 0.999
    far = erlang_a_performance(work, agents, longest, t)
    near = erlang_a_performance(work, agents, longest / 10, t)
    assert far.probability_of_waiting == pytest.approx(c.probability_of_waiting, rel=0.03)
    assert far.service_level == pytest.approx(c.service_level, rel=0.03)
    assert far.average_speed_of_answer.total_seconds() == pytest.approx(
        c.average_speed_of_answer.total_seconds(), rel=0.1, abs=1e-3
    )
    assert far.probability_of_abandoning < 1e-3
    assert far.probability_of_abandoning <= 0.15 * near.probability_of_abandoning
    waiting_gap = c.probability_of_waiting - far.probability_of_waiting
    assert 0 <= waiting_gap <= 0.15 * (c.probability_of_waiting - near.probability_of_waiting)


def test_erlang_a_large_overload_stays_finite() -> None:
    """Half the agents a huge load needs: every figure is a finite probability."""
    work = Workload(calls=200_000, aht=timedelta(seconds=300))
    result = erlang_a_performance(work, 16_000, timedelta(minutes=2))
    assert 0.5 < result.probability_of_abandoning < 1
    assert result.probability_of_waiting == pytest.approx(1.0)
    assert 0 <= result.service_level < 0.01
    assert result.occupancy == pytest.approx(1.0, abs=1e-6)


def test_no_calls_means_an_idle_queue() -> None:
    """With no calls offered every call (of none) is answered at once and nobody is busy."""
    idle = Workload(calls=0, aht=timedelta(seconds=200))
    result = erlang_c_performance(idle, 0)
    assert (result.service_level, result.occupancy, result.probability_of_waiting) == (1.0, 0, 0)
