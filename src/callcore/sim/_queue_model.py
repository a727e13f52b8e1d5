"""The benchmark model: one queue, N agents, Poisson arrivals, through the real router.

Theory of operation. The M/M/N (Erlang C) and M/M/N+M (Erlang A) models are
what the formulas of :mod:`callcore.wfm` answer exactly, so they are how the
simulator is validated and how simulated staffing is compared with Erlang's.
This fast path drives :class:`~callcore.acd.Router` alone (no IVR, tickets or
KPI records: nothing the model has), with the whole centre's kind of event
loop: a heap of (time, sequence, kind, contact), the next arrival kept beside
it and compared in the same order (one push and pop fewer per call). An
arrival is enqueued; each offer the router makes is accepted at once; the end
of a handle time ends the contact, which frees the agent for the router's next
offer; a patience that runs out while the contact still waits abandons it.

Counts start after a warm-up of calls (the queue starts empty, which the
stationary formulas do not assume). A call *waited* when the router had no
agent for it at its arrival; it met the service level when it was answered
within the threshold (abandoned calls count against it, as in Erlang A).
"""

from __future__ import annotations

import heapq
import math
import random
from datetime import datetime, timedelta, timezone

import attrs

from callcore.acd import AgentProfile, Membership, QueueConfig, Router
from callcore.sim._distributions import Distribution, Exponential
from callcore.sim._stats import Estimate
from callcore.wfm import Workload

__all__ = ["QueueModel", "QueueResult", "QueueStudy", "replicate_queue", "run_queue"]

_START = datetime(2026, 1, 5, tzinfo=timezone.utc)
_ARRIVE, _END, _ABANDON = 0, 1, 2
_QUEUE = "q"


@attrs.frozen
class QueueModel:
    """One queue served by identical agents, as Erlang C and A describe it.

    Attributes:
        agents: Agents logged in and ready (>= 1).
        arrival_rate: Calls per second (Poisson arrivals).
        handle: Handle-time distribution (exponential for M/M/N).
        patience: Patience distribution; ``None``: callers never hang up.
        threshold: The service-level threshold, in seconds.
    """

    agents: int
    arrival_rate: float
    handle: Distribution
    patience: Distribution | None = None
    threshold: float = 20.0

    @classmethod
    def from_workload(
        cls,
        workload: Workload,
        agents: int,
        *,
        patience: timedelta | None = None,
        threshold: timedelta = timedelta(seconds=20),
    ) -> QueueModel:
        """The M/M/N (or M/M/N+M, with ``patience``) model of a :class:`~callcore.wfm.Workload`."""
        return cls(
            agents=agents,
            arrival_rate=workload.calls / workload.interval.total_seconds(),
            handle=Exponential(workload.aht.total_seconds()),
            patience=None if patience is None else Exponential(patience.total_seconds()),
            threshold=threshold.total_seconds(),
        )


@attrs.frozen
class QueueResult:
    """What one run counted (after its warm-up).

    Attributes:
        calls: Calls counted.
        waited: Calls that found no free agent on arrival.
        within_threshold: Calls answered within the threshold.
        abandoned: Calls that hung up before an answer.
        total_wait: Sum of the waits of answered calls, in seconds.
    """

    calls: int
    waited: int
    within_threshold: int
    abandoned: int
    total_wait: float

    @property
    def service_level(self) -> float:
        """Share of calls answered within the threshold."""
        return self.within_threshold / self.calls

    @property
    def probability_of_waiting(self) -> float:
        """Share of calls that had to wait."""
        return self.waited / self.calls

    @property
    def abandonment_rate(self) -> float:
        """Share of calls that hung up before an answer."""
        return self.abandoned / self.calls

    @property
    def average_speed_of_answer(self) -> float:
        """Mean wait of answered calls, in seconds."""
        answered = self.calls - self.abandoned
        return self.total_wait / answered if answered else 0.0


@attrs.frozen
class QueueStudy:
    """Estimates over independent replications of a :class:`QueueModel`.

    Attributes:
        runs: Each replication's result.
        service_level: Share answered within the threshold.
        probability_of_waiting: Share that waited.
        abandonment_rate: Share that abandoned.
        average_speed_of_answer: Mean wait of answered calls, in seconds.
    """

    runs: tuple[QueueResult, ...]
    service_level: Estimate
    probability_of_waiting: Estimate
    abandonment_rate: Estimate
    average_speed_of_answer: Estimate


def _router(agents: int) -> Router:
    router = Router([QueueConfig(name=_QUEUE)])
    membership = (Membership(queue=_QUEUE),)
    for index in range(agents):
        router.log_in(AgentProfile(agent_id=f"a{index}", memberships=membership), now=_START)
    return router


def _rate(distribution: Distribution | None) -> float:
    """The rate the loop draws ``distribution`` at inline, if it is exponential (else 0).

    The loop then computes ``-log(1 - random()) / rate``, what
    :meth:`Exponential.sample` gets from ``random.Random.expovariate`` with
    this rate: the same numbers without two Python calls per draw
    (``tests/sim/test_validation.py::test_inline_exponential_draws_are_the_distributions``).
    """
    return 1.0 / distribution.mean if distribution.__class__ is Exponential else 0.0


def run_queue(model: QueueModel, *, calls: int, warmup: int = 0, seed: int = 0) -> QueueResult:  # noqa: C901, PLR0912, PLR0915 - one event loop reads best whole
    """Simulate ``warmup + calls`` arrivals through the real router; count the last ``calls``.

    Args:
        model: The queue.
        calls: Calls to count (>= 1).
        warmup: Calls to run first, uncounted.
        seed: The random seed (one seed, one result).
    """
    if model.agents < 1 or calls < 1 or warmup < 0 or not model.arrival_rate > 0:
        msg = "a queue model needs agents >= 1, calls >= 1, warmup >= 0 and a positive rate"
        raise ValueError(msg)
    rng = random.Random(seed)
    router = _router(model.agents)
    handle, patience, threshold = model.handle, model.patience, model.threshold
    handle_rate, patience_rate = _rate(handle), _rate(patience)
    gap = 1.0 / model.arrival_rate
    draw, log = rng.random, math.log  # -log(1 - draw()) / rate: random.expovariate, inline
    heap: list[tuple[float, int, int, str]] = []
    # the next arrival waits beside the heap (one push and pop fewer per call), as
    # (time, sequence): it goes first when it is before the heap's top in the heap's order
    coming: float | None = rng.expovariate(model.arrival_rate)
    coming_seq = 0
    # the waiting contacts' arrival times (an offer is accepted at once: none rings for long)
    arrived_at: dict[str, float] = {}
    warming: set[str] = set()  # contacts of the warm-up still held (the rest count)
    sequence = 0
    total = warmup + calls
    arrivals = waited = within = abandoned = 0
    total_wait = 0.0
    enqueue, accept, end, abandon = router.enqueue, router.accept, router.end, router.abandon
    push, pop = heapq.heappush, heapq.heappop
    # an instant from seconds since the start: cheaper here than adding a timedelta
    # (measured: _START + timedelta(0, at) made the loop 2-3 % slower)
    instant, epoch, utc = datetime.fromtimestamp, _START.timestamp(), timezone.utc
    while True:
        # heap[0] < (coming, coming_seq), without building a tuple (sequences are unique)
        if heap and (
            coming is None
            or heap[0][0] < coming
            or (heap[0][0] == coming and heap[0][1] < coming_seq)
        ):
            at, _, kind, contact = pop(heap)
        elif coming is not None:
            at, kind, contact = coming, _ARRIVE, str(arrivals)
            coming = None
        else:
            break
        if kind == _ABANDON:
            if contact in arrived_at:  # else it was answered: its patience no longer counts
                del arrived_at[contact]
                abandon(contact, now=instant(epoch + at, utc))
                if contact in warming:
                    warming.discard(contact)
                else:
                    abandoned += 1
            continue
        now = instant(epoch + at, utc)
        if kind == _ARRIVE:
            arrived_at[contact] = at
            if arrivals < warmup:
                warming.add(contact)
            arrivals += 1
            offers = enqueue(contact, _QUEUE, now=now).offers
            if not offers:
                waited += contact not in warming
                if patience is not None:
                    sequence += 1
                    wait = (
                        -log(1.0 - draw()) / patience_rate
                        if patience_rate
                        else patience.sample(rng)
                    )
                    push(heap, (at + wait, sequence, _ABANDON, contact))
        else:
            if warming:
                warming.discard(contact)
            offers = end(contact, now=now).offers
        # every offer is accepted at once; an accept never frees an agent, so no more follow
        for offer in offers:
            answered = offer.contact_id
            accept(answered, offer.agent_id, now=now)
            wait = at - arrived_at.pop(answered)
            if answered not in warming:
                within += wait <= threshold
                total_wait += wait
            sequence += 1
            talk = -log(1.0 - draw()) / handle_rate if handle_rate else handle.sample(rng)
            push(heap, (at + talk, sequence, _END, answered))
        if kind == _ARRIVE and arrivals < total:
            sequence += 1
            coming, coming_seq = at + -log(1.0 - draw()) * gap, sequence
    return QueueResult(calls, waited, within, abandoned, total_wait)


def replicate_queue(
    model: QueueModel, *, replications: int, calls: int, warmup: int = 0, seed: int = 0
) -> QueueStudy:
    """Run independent replications (seeds ``seed``, ``seed + 1``...) and estimate with 95 % CIs."""
    runs = tuple(
        run_queue(model, calls=calls, warmup=warmup, seed=seed + index)
        for index in range(replications)
    )
    return QueueStudy(
        runs=runs,
        service_level=Estimate.of([run.service_level for run in runs]),
        probability_of_waiting=Estimate.of([run.probability_of_waiting for run in runs]),
        abandonment_rate=Estimate.of([run.abandonment_rate for run in runs]),
        average_speed_of_answer=Estimate.of([run.average_speed_of_answer for run in runs]),
    )
