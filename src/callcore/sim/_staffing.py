"""Staffing by simulation: the fewest agents whose simulated service level meets a target.

Erlang C assumes exponential handle times and callers who never hang up;
Erlang A adds exponential patience. When handle times are skewed (log-normal,
or taken from records) or patience is not exponential, the formulas are
wrong by an unknown amount; a simulation through the real router is not.
:func:`simulated_staffing` starts from the formula's answer and walks down
while fewer agents still meet the target (the mean service level over the
replications), or up until enough do, and reports Erlang C's and Erlang A's
answers beside its own.
"""

from __future__ import annotations

import math
from datetime import timedelta

import attrs

from callcore.sim._distributions import Distribution, Exponential
from callcore.sim._queue_model import QueueModel, QueueStudy, replicate_queue
from callcore.sim._stats import Estimate
from callcore.wfm import StaffingTarget, Workload, required_staff

__all__ = ["SimulatedStaffing", "simulated_staffing"]

_MAX_STEPS = 200  # agents tried above the first guess, at most


@attrs.frozen
class SimulatedStaffing:
    """The simulated staffing of one interval, with the formulas' answers beside it.

    Attributes:
        required: The fewest agents whose simulated service level meets the target.
        service_level: The simulated service level with ``required`` agents.
        abandonment_rate: The simulated abandonment with ``required`` agents.
        erlang_c: Erlang C's answer (callers never hang up, exponential handle times).
        erlang_a: Erlang A's answer when callers have a patience, else ``None``.
    """

    required: int
    service_level: Estimate
    abandonment_rate: Estimate
    erlang_c: int
    erlang_a: int | None


def simulated_staffing(  # noqa: C901 - the checks, then a walk down or up
    workload: Workload,
    *,
    service_level: float = 0.8,
    threshold: timedelta = timedelta(seconds=20),
    handle: Distribution | None = None,
    patience: Distribution | None = None,
    replications: int = 4,
    calls: int = 5_000,
    seed: int = 0,
) -> SimulatedStaffing:
    """The fewest agents meeting ``service_level`` within ``threshold``, by simulation.

    Args:
        workload: Calls per interval and their mean handle time.
        service_level: The target share answered within ``threshold`` (0-1).
        threshold: The service-level threshold.
        handle: The handle-time distribution (default: exponential with the
            workload's AHT, Erlang's assumption).
        patience: The callers' patience (default: they never hang up).
        replications: Replications per number of agents tried.
        calls: Calls counted per replication (after a tenth as many uncounted).
        seed: The first replication's seed (the same for every number tried:
            common random numbers make the comparison between sizes sharper).
    """
    if not 0 < service_level < 1:
        msg = "service_level must be between 0 and 1"
        raise ValueError(msg)
    aht = workload.aht.total_seconds()
    handle = handle if handle is not None else Exponential(aht)
    target = StaffingTarget(service_level=service_level, threshold=threshold)
    erlang_c = required_staff(workload, target).required
    erlang_a = None
    if isinstance(patience, Exponential):
        with_patience = attrs.evolve(target, patience=timedelta(seconds=patience.mean))
        erlang_a = required_staff(workload, with_patience).required
    rate = workload.calls / workload.interval.total_seconds()
    load = rate * handle.mean
    if rate == 0:
        nothing = Estimate(1.0, None, 1)
        return SimulatedStaffing(0, nothing, Estimate(0.0, None, 1), erlang_c, erlang_a)
    lowest = max(1, math.floor(load) + (patience is None))  # fewer cannot keep up
    guess = max(lowest, erlang_a if erlang_a is not None else erlang_c)

    def study(agents: int) -> QueueStudy:
        model = QueueModel(agents, rate, handle, patience, threshold.total_seconds())
        return replicate_queue(
            model, replications=replications, calls=calls, warmup=calls // 10, seed=seed
        )

    def found(agents: int, result: QueueStudy) -> SimulatedStaffing:
        return SimulatedStaffing(
            agents, result.service_level, result.abandonment_rate, erlang_c, erlang_a
        )

    # Start at the formula's answer (a guess only: the simulation decides), then
    # walk down while fewer still meet the target, or up until enough do.
    agents, result = guess, study(guess)
    if result.service_level.mean >= service_level:
        while agents > lowest:
            fewer = study(agents - 1)
            if fewer.service_level.mean < service_level:
                break
            agents, result = agents - 1, fewer
        return found(agents, result)
    for _ in range(_MAX_STEPS):
        agents += 1
        result = study(agents)
        if result.service_level.mean >= service_level:
            return found(agents, result)
    msg = f"no staffing up to {agents} agents meets the target"
    raise ValueError(msg)
