"""Benchmark: the simulator against SimPy 4.1 on the bare M/M/c+M model, in one run.

Run ``python benchmarks/sim.py`` (``--quick`` for a smoke run, ``--day`` to
add a simulated day of a 200-agent centre, about 60,000 calls). The baseline
is SimPy (bench-only dependency ``simpy``) running the bare model: 50 agents,
90 % load, 3-minute exponential handle times, exponential patience of 120 s.
Measured against it, in the same process and interleaved (best of the
repeats):

- the simulator's fast path on the same model, every call routed through the
  real :class:`~callcore.acd.Router` (:func:`callcore.sim.run_queue`);
- the whole centre (:func:`callcore.sim.simulate_day`): identification, IVR
  menu, queue, answer, ticket, wrap-up and KPI record per call.

Each figure is calls per second and its ratio to SimPy's; the service level
and abandonment of both models are printed beside Erlang A's, to show they
simulate the same thing.
"""

from __future__ import annotations

import argparse
import random
import time
from collections.abc import Callable, Generator
from datetime import timedelta
from typing import Any

import simpy

from callcore.sim import Exponential, QueueModel, read_scenario, run_queue, simulate_day
from callcore.wfm import Workload, erlang_a_performance

AGENTS = 50
AHT = 180.0
PATIENCE = 120.0
LOAD = 0.9 * AGENTS
RATE = LOAD / AHT  # calls per second
THRESHOLD = 20.0


def simpy_model(calls: int, seed: int) -> tuple[float, float]:
    """The bare M/M/c+M model in SimPy; returns (service level, abandonment)."""
    rng = random.Random(seed)
    env = simpy.Environment()
    agents = simpy.Resource(env, capacity=AGENTS)
    counts = {"within": 0, "abandoned": 0}

    def caller(env: simpy.Environment) -> Generator[simpy.Event, Any, None]:
        arrived = env.now
        with agents.request() as request:
            outcome: Any = yield request | env.timeout(rng.expovariate(1 / PATIENCE))
            if request not in outcome:
                counts["abandoned"] += 1
                return
            if env.now - arrived <= THRESHOLD:
                counts["within"] += 1
            yield env.timeout(rng.expovariate(1 / AHT))

    def arrivals(env: simpy.Environment) -> Generator[simpy.Event, Any, None]:
        for _ in range(calls):
            yield env.timeout(rng.expovariate(RATE))
            env.process(caller(env))

    env.process(arrivals(env))
    env.run()
    return counts["within"] / calls, counts["abandoned"] / calls


def callcore_model(calls: int, seed: int) -> tuple[float, float]:
    """The same model through the real router (the simulator's fast path)."""
    model = QueueModel(AGENTS, RATE, Exponential(AHT), Exponential(PATIENCE), THRESHOLD)
    result = run_queue(model, calls=calls, seed=seed)
    return result.service_level, result.abandonment_rate


def centre_scenario(agents: int, intervals: int, calls_per_interval: float) -> dict[str, Any]:
    """A centre as a scenario: an IVR menu to two queues, ``agents`` agents all day."""
    return {
        "start": "2026-12-07T08:00:00",
        "interval": 30,
        "intervals": intervals,
        "queues": [{"name": "billing"}, {"name": "support"}],
        "streams": [
            {
                "name": "call",
                "volumes": [calls_per_interval] * intervals,
                "handle": {"distribution": "exponential", "mean": AHT},
                "patience": {"distribution": "exponential", "mean": PATIENCE},
                "menu_seconds": 8,
                "choices": [
                    {"key": "1", "queue": "billing", "probability": 0.4},
                    {"key": "2", "queue": "support", "probability": 0.6},
                ],
            }
        ],
        "agents": [{"name": "a", "count": agents, "queues": ["billing", "support"]}],
    }


def timed(run: Callable[[], Any]) -> tuple[float, Any]:
    began = time.perf_counter()
    result = run()
    return time.perf_counter() - began, result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a smoke run")
    parser.add_argument("--day", action="store_true", help="also a day of a 200-agent centre")
    options = parser.parse_args()
    calls = 5_000 if options.quick else 100_000
    centre_calls = 500 if options.quick else 5_000
    repeats = 1 if options.quick else 3
    # the whole centre on the same load: 50 agents at 90 % (and the IVR's 8 s before the queue)
    per_interval = RATE * 1800
    scenario = read_scenario(
        centre_scenario(AGENTS, max(1, round(centre_calls / per_interval)), per_interval)
    )
    best: dict[str, float] = {}
    answers: dict[str, Any] = {}
    for repeat in range(repeats):
        for name, run, count in (
            ("simpy", lambda seed=repeat: simpy_model(calls, seed), calls),
            ("callcore fast path", lambda seed=repeat: callcore_model(calls, seed), calls),
            ("whole centre", lambda seed=repeat: simulate_day(scenario, seed=seed), None),
        ):
            seconds, answer = timed(run)
            done = count if count is not None else answer.arrivals
            best[name] = max(best.get(name, 0.0), done / seconds)
            answers[name] = answer
    workload = Workload(calls=per_interval, aht=timedelta(seconds=AHT))
    theory = erlang_a_performance(workload, AGENTS, timedelta(seconds=PATIENCE))
    print(f"M/M/{AGENTS}+M at 90 % load, AHT {AHT:g} s, patience {PATIENCE:g} s")
    print(f"Erlang A: service level {theory.service_level:.4f}, abandonment "
          f"{theory.probability_of_abandoning:.4f}")  # fmt: skip
    for name in ("simpy", "callcore fast path"):
        level, abandoned = answers[name]
        print(f"{name:>20}: service level {level:.4f}, abandonment {abandoned:.4f}")
    day = answers["whole centre"].aggregator.total()
    print(f"{'whole centre':>20}: service level {day.answered_within / day.contacts:.4f}, "
          f"abandonment {day.abandoned / day.contacts:.4f} ({day.contacts} calls)")  # fmt: skip
    base = best["simpy"]
    print(f"\ncalls per second, best of {repeats} (ratio to SimPy's bare model):")
    for name, rate in best.items():
        print(f"{name:>20}: {rate:>10,.0f}  {rate / base:6.3f}x")
    if options.day:
        big = read_scenario(centre_scenario(200, 20, 3_000))
        seconds, day_run = timed(lambda: simulate_day(big, seed=1))
        arrivals = day_run.arrivals
        rate = arrivals / seconds
        print(f"\na day of a 200-agent centre: {arrivals:,} calls in {seconds:.1f} s")
        print(f"({rate:,.0f} calls/s, {rate / base:.3f}x SimPy's bare model)")


if __name__ == "__main__":
    main()
