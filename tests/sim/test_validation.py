"""The simulator against theory: Erlang C (M/M/N) and Erlang A (M/M/N+M), through the real router.

Each test runs independent replications (different seeds) of a stationary
queue, after a warm-up, and asserts for every measure that the 95 % confidence
interval of the mean (Student's t over the replications) is narrower than
+-0.5 percentage points *and* contains the formula's value: the simulation
and the formula agree within 0.5 pp, with 95 % confidence. The seeds are
fixed, so the tests are deterministic; the model sizes (two agents, half a
minute to a minute of handle time) keep the queue's memory short, so that a
few hundred thousand calls (a few seconds) suffice.
"""

from __future__ import annotations

import math
import random
from datetime import timedelta

import pytest

from callcore.sim import Estimate, Exponential, QueueModel, _queue_model, replicate_queue, run_queue
from callcore.wfm import Workload, erlang_a_performance, erlang_c_performance

TOLERANCE = 0.005  # half a percentage point


def agrees(estimate: Estimate, theory: float) -> bool:
    """The 95 % CI is narrower than +-0.5 pp and holds the theory's value."""
    assert estimate.half_width is not None
    return estimate.half_width < TOLERANCE and estimate.low <= theory <= estimate.high


@pytest.mark.parametrize(
    ("agents", "calls", "by_hand"),
    [
        (1, 9, 0.3),  # M/M/1 at 30 %: P(wait) = rho
        (2, 18, (0.18 * 2 / 1.4) / (1 + 0.6 + 0.18 * 2 / 1.4)),  # A^N/N! N/(N-A) over the sum
    ],
)
def test_erlang_c_service_level_and_probability_of_waiting(
    agents: int, calls: int, by_hand: float
) -> None:
    """M/M/N at 30 % load: service level (20 s) and P(wait) agree with Erlang C within 0.5 pp."""
    # 10 replications x 10,000 calls (after 500 uncounted): 100,000 calls
    workload = Workload(calls=calls, aht=timedelta(seconds=60))  # per half hour
    theory = erlang_c_performance(workload, agents, threshold=timedelta(seconds=20))
    assert abs(theory.probability_of_waiting - by_hand) < 1e-12
    study = replicate_queue(
        QueueModel.from_workload(workload, agents),
        replications=10,
        calls=10_000,
        warmup=500,
        seed=1,
    )
    assert agrees(study.service_level, theory.service_level), (study, theory)
    assert agrees(study.probability_of_waiting, theory.probability_of_waiting), (study, theory)
    assert all(run.abandoned == 0 for run in study.runs)


def test_erlang_a_service_level_waiting_and_abandonment() -> None:
    """M/M/2+M at 70 % load, patience 60 s: SL, P(wait) and abandonment agree with Erlang A."""
    # 12 replications x 15,000 calls (after 500 uncounted): 180,000 calls
    workload = Workload(calls=42, aht=timedelta(seconds=60))  # 1.4 Erlangs on 2 agents
    patience = timedelta(seconds=60)
    theory = erlang_a_performance(workload, 2, patience, threshold=timedelta(seconds=20))
    study = replicate_queue(
        QueueModel.from_workload(workload, 2, patience=patience),
        replications=12,
        calls=15_000,
        warmup=500,
        seed=1,
    )
    assert agrees(study.service_level, theory.service_level), (study, theory)
    assert agrees(study.probability_of_waiting, theory.probability_of_waiting), (study, theory)
    assert agrees(study.abandonment_rate, theory.probability_of_abandoning), (study, theory)


def test_inline_exponential_draws_are_the_distributions() -> None:
    """The loop's inline draw -log(1 - random()) / rate gives random.expovariate's numbers."""
    inline, library = random.Random(7), random.Random(7)
    for rate in (1.0, 1 / 180, 1 / 120, 3.5):
        for _ in range(200):
            assert -math.log(1.0 - inline.random()) / rate == library.expovariate(rate)


def test_run_queue_inline_draws_equal_the_distributions_samples(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A seeded M/M/N+M run is identical with the inline exponential draws and without them."""
    model = QueueModel(
        agents=5,
        arrival_rate=4.5 / 180,
        handle=Exponential(180.0),
        patience=Exponential(60.0),
    )
    fast = run_queue(model, calls=3_000, warmup=100, seed=11)
    # _rate 0: every handle time and patience is drawn by the distribution's own sample()
    monkeypatch.setattr(_queue_model, "_rate", lambda _distribution: 0.0)
    reference = run_queue(model, calls=3_000, warmup=100, seed=11)
    assert fast == reference
    assert fast.waited > 0  # both kinds of draw were used
    assert fast.abandoned > 0
