"""Hypothesis strategies and independent reference computations for the wfm tests."""

from __future__ import annotations

import math
from datetime import timedelta

from hypothesis import strategies as st

from callcore.wfm import StaffingTarget, Workload


def erlang_b_by_recursion(agents: int, load: float) -> float:
    """Erlang B by the textbook recursion B(n) = A B(n-1) / (n + A B(n-1))."""
    blocking = 1.0
    for n in range(1, agents + 1):
        blocking = load * blocking / (n + load * blocking)
    return blocking


def erlang_c_table(load: float, top: int) -> dict[int, float]:
    """P(wait) for every N from floor(A) + 1 to ``top``, by one pass of the recursion."""
    table: dict[int, float] = {}
    blocking = 1.0
    for n in range(1, top + 1):
        blocking = load * blocking / (n + load * blocking)
        if n > load:
            table[n] = n * blocking / (n - load * (1 - blocking))
    return table


def brute_force_erlang_c_staff(work: Workload, target: StaffingTarget) -> int:
    """Scan N upward one by one from the load with the recursion: the slow reference."""
    load = work.load
    aht = work.aht.total_seconds()
    threshold = target.threshold.total_seconds()
    top = math.floor(load) + 1
    while True:
        top = top * 2 + 10
        for agents, waiting in erlang_c_table(load, top).items():
            spare = agents - load
            level = 1 - waiting * math.exp(-spare * threshold / aht)
            asa = waiting * aht / spare
            if target.service_level is not None and level < target.service_level:
                continue
            if target.max_asa is not None and asa > target.max_asa.total_seconds():
                continue
            if target.max_occupancy is not None and load / agents > target.max_occupancy:
                continue
            return agents


def erlang_a_chain(
    agents: int, arrival: float, service: float, abandon: float, states: int = 4000
) -> list[float]:
    """Stationary probabilities of the M/M/n+M birth-death chain, truncated at ``states``."""
    weights = [1.0]
    for k in range(1, states):
        death = min(k, agents) * service + max(k - agents, 0) * abandon
        weights.append(weights[-1] * arrival / death)
    total = math.fsum(weights)
    return [weight / total for weight in weights]


def survival_by_uniformisation(rates: list[float], t: float, killing: float) -> tuple[float, float]:
    """Pass a chain of exponential phases with ``rates`` while a clock of rate ``killing`` runs.

    Returns ``(P(all phases done by t before the kill), P(all phases done before the kill))``
    computed by uniformisation of the small Markov chain (phase 0 ... phase m, done, killed).
    """
    top = max(rates) + killing
    phases = len(rates)
    # the probability distribution over phases, done; killed is the rest
    dist = [0.0] * (phases + 1)
    dist[0] = 1.0
    poisson = math.exp(-top * t)
    done_by_t = 0.0
    step = 0
    accumulated = poisson
    done_by_t += poisson * dist[phases]
    while accumulated < 1 - 1e-15 and step < 100_000:
        new = [0.0] * (phases + 1)
        for i in range(phases):
            stay = 1 - (rates[i] + killing) / top
            new[i] += dist[i] * stay
            new[i + 1] += dist[i] * rates[i] / top
        new[phases] += dist[phases]
        dist = new
        step += 1
        poisson *= top * t / step
        accumulated += poisson
        done_by_t += poisson * dist[phases]
    eventually = math.prod(rate / (rate + killing) for rate in rates)
    return done_by_t, eventually


loads = st.floats(min_value=0.01, max_value=600.0, allow_nan=False)

workloads = st.builds(
    Workload,
    calls=st.floats(min_value=0.5, max_value=2000.0),
    aht=st.integers(min_value=30, max_value=600).map(lambda s: timedelta(seconds=s)),
    interval=st.sampled_from([15, 30, 60]).map(lambda m: timedelta(minutes=m)),
)


@st.composite
def erlang_c_targets(draw: st.DrawFn) -> StaffingTarget:
    """A service-level and/or ASA target, maybe with an occupancy cap and shrinkage."""
    level = draw(st.one_of(st.none(), st.floats(min_value=0.3, max_value=0.99)))
    asa = st.integers(1, 120).map(lambda s: timedelta(seconds=s))
    max_asa = draw(asa if level is None else st.one_of(st.none(), asa))
    return StaffingTarget(
        service_level=level,
        threshold=timedelta(seconds=draw(st.integers(min_value=0, max_value=120))),
        max_asa=max_asa,
        max_occupancy=draw(st.one_of(st.none(), st.floats(min_value=0.5, max_value=1.0))),
        shrinkage=draw(st.floats(min_value=0.0, max_value=0.6)),
    )
