"""Erlang B, Erlang C and Erlang A (M/M/n+M), evaluated stably in log space.

The classic closed forms (``A**N / N!``) overflow at N >= 171 and the Erlang B
recursion costs one step per agent. Here Erlang B is the ratio of a Poisson
probability to a Poisson cumulative probability, each summed outward from the
term that dominates, so one evaluation costs O(sqrt(A)) at worst and never
overflows; Erlang C and Erlang A are built on it.
"""

from __future__ import annotations

import math
from datetime import timedelta

import attrs

from callcore.checks import MAX_DURATION, check_count, check_duration, check_instance, check_number
from callcore.errors import InvalidInputError

MAX_LOAD = 1_000_000.0
"""The most offered load, in Erlangs, that the Erlang functions and staffing accept."""
MAX_AGENTS = 10_000_000
"""The most agents the Erlang functions take and a staffing search looks at."""
MAX_PATIENCE_CALLS = 20_000.0
"""The most calls Erlang A lets arrive during one mean patience (arrival rate x patience).

Erlang A sums the queue's states one by one, and with few agents there are
about that many states that count; this bound keeps one evaluation to a few
tens of milliseconds and a staffing search well under a second.
"""

# Terms smaller than this fraction of the running sum no longer change a double.
_NEGLIGIBLE = 1e-17
_LOG_NEGLIGIBLE = math.log(_NEGLIGIBLE)
_NO_TIME = timedelta(0)
_HALF_HOUR = timedelta(minutes=30)
_LONGEST_WAIT = MAX_DURATION.total_seconds()  # a mean wait beyond this is refused


def _check_agents(agents: object, *, low: int) -> int:
    return check_count(agents, "agents", low=low, high=MAX_AGENTS)


def _check_load(load: object) -> float:
    return check_number(load, "load", low=0, high=MAX_LOAD)


def _wait(seconds: float, agents: int, load: float) -> timedelta:
    """A mean wait as a duration, refused when it is beyond any duration callcore accepts."""
    if seconds <= _LONGEST_WAIT:
        return timedelta(0, seconds)  # positional: the same value as seconds=..., parsed faster
    raise InvalidInputError(
        f"{agents} agents for {load:g} Erlangs make callers wait {seconds:g} s on "
        f"average, longer than {MAX_DURATION.days} days: add agents",
        field="agents",
    )


def _log_erlang_b(agents: int, load: float) -> tuple[float, float]:
    """Return ``(log B, log(1/B - 1))`` for ``agents >= 1`` and ``load > 0``.

    ``1/B = sum_{k<=N} p(k) / p(N)`` with ``p`` the Poisson(A) probabilities.
    ``1/B - 1`` is what Erlang A needs; it is computed without subtracting.
    """
    n = agents
    if n <= load:
        # p(N-i)/p(N) = N(N-1)...(N-i+1) / A**i decreases with i: sum from i = 1.
        rest = 0.0
        term = 1.0
        for i in range(n):
            term *= (n - i) / load
            rest += term
            if term < rest * _NEGLIGIBLE:
                break
        return -math.log1p(rest), math.log(rest)
    # N > A: the cumulative probability is 1 minus the upper tail, and the tail
    # relative to p(N), sum_j prod_l A/(N+l), decreases with j from the start.
    log_pmf = n * math.log(load) - load - math.lgamma(n + 1)
    tail = 0.0
    term = 1.0
    k = n
    while True:
        k += 1
        term *= load / k
        tail += term
        if term <= tail * _NEGLIGIBLE:
            break
    pmf = math.exp(log_pmf)
    cdf = 1.0 - pmf * tail
    return log_pmf - math.log(cdf), math.log(cdf - pmf) - log_pmf


def erlang_b(agents: int, load: float) -> float:
    """Return the Erlang B blocking probability: a loss system with no queue.

    ``B(N, A) = (A**N / N!) / sum_{k=0..N} A**k / k!``, evaluated in log
    space, so it stays exact to about 1e-12 for any N up to millions.

    >>> round(erlang_b(14, 10.0), 4)
    0.0568

    Args:
        agents: Servers (agents, trunks), an integer from 0 to :data:`MAX_AGENTS`.
        load: Offered traffic in Erlangs, from 0 to :data:`MAX_LOAD`.

    Returns:
        The probability that an arriving call finds every server busy.

    Raises:
        InvalidInputError: ``agents`` is not a whole number in range, or
            ``load`` is not a finite number in range.
    """
    _check_agents(agents, low=0)
    load = _check_load(load)
    if agents == 0:
        return 1.0
    if load == 0:
        return 0.0
    return _erlang_b(agents, load)


def _check_stable(agents: int, load: float) -> None:
    if agents <= load:
        raise InvalidInputError(
            f"{agents} agents cannot carry {load:g} Erlangs in Erlang C: with no "
            "abandonment the queue grows without bound; use more than "
            f"{math.floor(load)} agents, or Erlang A with a patience",
            field="agents",
        )


def _erlang_b(agents: int, load: float) -> float:
    """Erlang B for ``agents >= 1`` and ``load > 0``, already checked."""
    return math.exp(_log_erlang_b(agents, load)[0])


def _erlang_c(agents: int, load: float) -> float:
    if load == 0:
        return 0.0
    blocking = _erlang_b(agents, load)
    return agents * blocking / (agents - load * (1.0 - blocking))


def erlang_c(agents: int, load: float) -> float:
    """Return the Erlang C probability that a call waits (M/M/N, no abandonment).

    ``C = N B / (N - A (1 - B))`` with ``B`` the Erlang B probability.

    >>> round(erlang_c(14, 10.0), 4)
    0.1741

    Args:
        agents: Agents, an integer greater than ``load``, at most :data:`MAX_AGENTS`.
        load: Offered traffic in Erlangs, from 0 to :data:`MAX_LOAD`.

    Returns:
        The probability that an arriving call has to queue.

    Raises:
        InvalidInputError: ``agents <= load`` (the queue would grow without
            bound), or an argument of the wrong type or out of range.
    """
    _check_agents(agents, low=1)
    load = _check_load(load)
    _check_stable(agents, load)
    return _erlang_c(agents, load)


@attrs.frozen(init=False)
class Workload:
    """Calls offered in one interval, and how long each takes to handle.

    The offered load, ``calls * aht / interval``, may be at most
    :data:`MAX_LOAD` Erlangs.

    Attributes:
        calls: Calls offered in the interval (a forecast may be fractional), >= 0.
        aht: Average handle time (talk + hold + after-call work), longer than zero.
        interval: The interval's length, longer than zero.
    """

    calls: float
    aht: timedelta
    interval: timedelta = timedelta(minutes=30)

    def __init__(self, calls: float, aht: timedelta, interval: timedelta = _HALF_HOUR) -> None:
        """Refuse wrong types, negative or non-finite calls, bad durations, too much load."""
        # Written by hand (attrs would set the fields, then call a check): a
        # staffing search builds one per interval. The usual case passes with a
        # few comparisons: plain numbers and timedeltas, a handle time within
        # the interval (so the load is at most the calls). Anything else
        # (subclasses included) is checked the slow way.
        if not (
            (type(calls) is float or type(calls) is int)
            and 0 <= calls <= MAX_LOAD
            and type(aht) is timedelta
            and type(interval) is timedelta
            and _NO_TIME < aht <= interval <= MAX_DURATION
        ):
            _check_workload_fields(calls, aht, interval)
        _set_calls(self, calls)
        _set_aht(self, aht)
        _set_interval(self, interval)

    @property
    def load(self) -> float:
        """The offered load in Erlangs: arrival rate times handle time."""
        return self.calls * self.aht.total_seconds() / self.interval.total_seconds()


_set_calls = Workload.__dict__["calls"].__set__
_set_aht = Workload.__dict__["aht"].__set__
_set_interval = Workload.__dict__["interval"].__set__


def _check_workload_fields(calls: object, aht: object, interval: object) -> None:
    """The slow checks of :class:`Workload`, naming the field at fault."""
    number = check_number(calls, "calls", low=0)
    check_duration(aht, "aht", positive=True)
    check_duration(interval, "interval", positive=True)
    load = number * aht.total_seconds() / interval.total_seconds()  # type: ignore[attr-defined]
    if not load <= MAX_LOAD:
        raise InvalidInputError(
            f"calls x aht / interval is {load:g} Erlangs; the limit is {MAX_LOAD:,.0f}",
            field="calls",
        )


@attrs.frozen
class QueuePerformance:
    """How a queue performs with a given number of agents, as a model predicts.

    Attributes:
        model: ``"erlang_c"`` (callers never hang up) or ``"erlang_a"``
            (callers abandon after an exponential patience).
        agents: Agents on the queue.
        load: Offered load in Erlangs.
        threshold: The service-level threshold (answered within this time).
        probability_of_waiting: Share of calls that queue at all.
        service_level: Share of all offered calls answered within
            ``threshold`` (for Erlang A, abandoned calls count against it).
        average_speed_of_answer: Mean wait of *answered* calls (those
            answered at once included): ``E[W | answered]``, what an ACD
            reports as ASA.
        occupancy: Share of agents' time spent handling calls.
        probability_of_abandoning: Share of calls that hang up before an
            answer (always 0 for Erlang C).
        average_wait: Mean wait of *all* calls offered, answered or abandoned
            (an abandoned call waited until it hung up): ``E[W] = E[queue] /
            lambda``. Erlang A references (Mandelbaum & Zeltyn) and
            pyworkforce call this the ASA; it is shorter than
            ``average_speed_of_answer`` when callers abandon, and equal to it
            under Erlang C, where every call is answered.
    """

    model: str
    agents: int
    load: float
    threshold: timedelta
    probability_of_waiting: float
    service_level: float
    average_speed_of_answer: timedelta
    occupancy: float
    probability_of_abandoning: float = 0.0
    average_wait: timedelta = timedelta(0)


def _idle(model: str, agents: int, threshold: timedelta, load: float = 0.0) -> QueuePerformance:
    """Performance of a queue that is offered no (measurable) calls at all."""
    return QueuePerformance(model, agents, load, threshold, 0.0, 1.0, timedelta(0), 0.0)


def _check_workload(workload: object, agents: object, threshold: object) -> Workload:
    check_instance(workload, Workload, "workload")
    _check_agents(agents, low=0)
    check_duration(threshold, "threshold")
    return workload  # type: ignore[return-value]  # checked just above


def erlang_c_performance(
    workload: Workload, agents: int, threshold: timedelta = timedelta(seconds=20)
) -> QueuePerformance:
    """Predict a queue's performance with Erlang C (M/M/N, callers never hang up).

    - service level ``SL(t) = 1 - C exp(-(N - A) t / AHT)``;
    - average speed of answer ``ASA = C AHT / (N - A)``;
    - occupancy ``A / N``.

    >>> from datetime import timedelta
    >>> day = Workload(calls=100, aht=timedelta(seconds=180))
    >>> result = erlang_c_performance(day, 14)
    >>> round(result.service_level, 4), round(result.average_speed_of_answer.total_seconds(), 2)
    (0.8884, 7.84)

    Args:
        workload: The calls offered and their handle time.
        agents: Agents on the queue; more than the load unless no calls come.
        threshold: Answered within this time counts towards the service level.

    Raises:
        InvalidInputError: too few agents for the load, a mean wait longer
            than :data:`~callcore.checks.MAX_DURATION`, or an argument of the
            wrong type or out of range (a negative threshold).
    """
    workload = _check_workload(workload, agents, threshold)
    if workload.calls:
        _check_stable(agents, workload.load)
    return _erlang_c_result(workload.load, workload.aht.total_seconds(), agents, threshold)


def _erlang_c_result(
    load: float, aht: float, agents: int, threshold: timedelta, waiting: float | None = None
) -> QueuePerformance:
    """Erlang C figures for inputs already checked (``aht`` in seconds).

    ``waiting`` is the probability of waiting when the caller already has it.
    """
    if load == 0:
        return _idle("erlang_c", agents, threshold)
    if waiting is None:
        waiting = _erlang_c(agents, load)
    spare = agents - load
    service_level = 1.0 - waiting * math.exp(-spare * threshold.total_seconds() / aht)
    seconds = waiting * aht / spare
    # positional timedelta: the same value as seconds=..., parsed faster
    asa = timedelta(0, seconds) if seconds <= _LONGEST_WAIT else _wait(seconds, agents, load)
    return QueuePerformance(
        "erlang_c", agents, load, threshold, waiting, service_level, asa, load / agents, 0.0, asa
    )


def _probability(value: float) -> float:
    """Clamp a probability that rounding pushed a hair outside [0, 1]."""
    return min(1.0, max(0.0, value))


def _log_add(a: float, b: float) -> float:
    """``log(exp(a) + exp(b))`` without overflow; either may be ``-inf``."""
    if a < b:
        a, b = b, a
    if b == -math.inf:
        return a
    return a + math.log1p(math.exp(b - a))


@attrs.frozen
class _QueueSums:
    """Sums over the queue states of M/M/n+M, all scaled by one common factor.

    With ``x = n mu / theta`` and ``y = lambda / theta``, the probability of
    ``n + j`` calls in the system is proportional to ``t_j = y**j / prod_{i<=j}
    (x + i)``; a call that finds ``j`` calls queued ahead is answered with
    probability ``x / (x + j + 1)``.
    """

    log_scale: float
    states: float  # sum t_j
    queued: float  # sum j t_j
    answered: float  # sum t_j x/(x+j+1)
    answered_late: float  # ... and answered after the threshold
    answered_wait: float  # ... times the mean wait before answer, in units of 1/theta


def _queue_sums(x: float, y: float, theta_t: float) -> _QueueSums:
    """Sum the M/M/n+M queue states outward from j = 0 until they stop counting.

    A call that finds ``j`` queued ahead is answered at the (j+1)-th of the
    events with rates ``theta (x + j), ..., theta x`` (one service or one
    abandonment ahead), which is the (j+1)-th smallest of ``x + j`` exponential
    lifetimes: a Beta(j + 1, x) variable in ``u = 1 - exp(-theta s)``. So the
    chance it is answered, and after ``t``, are incomplete beta functions whose
    complements ``J`` grow by a positive recurrence (no cancellation).
    """
    log_y = math.log(y)
    log_p = math.log(-math.expm1(-theta_t)) if theta_t > 0 else -math.inf
    b = x + 1.0  # second Beta parameter of the answered-by-t probability
    log_j = -b * theta_t  # log of 1 - I_p(1, b)
    log_d = log_p - b * theta_t + math.log(b)  # log of the first increment
    harmonic = 0.0  # sum_{i=1}^{j+1} 1/(x+i)
    log_t = 0.0
    scale = 0.0
    states = queued = answered = late = wait = 0.0
    j = 0
    while True:
        if log_t > scale:  # keep the largest term at 1 so nothing overflows
            shrink = math.exp(scale - log_t)
            states *= shrink
            queued *= shrink
            answered *= shrink
            late *= shrink
            wait *= shrink
            scale = log_t
        weight = math.exp(log_t - scale)
        harmonic += 1.0 / (x + j + 1)
        answer_share = weight * x / (x + j + 1)
        states += weight
        queued += j * weight
        answered += answer_share
        late += answer_share * math.exp(log_j)
        wait += answer_share * harmonic
        # Next state: t_{j+1} = t_j y / (x + j + 1); J and d advance with a = j + 1.
        a = j + 1
        log_j = _log_add(log_j, log_d)
        log_d += log_p + math.log(a + b) - math.log(a + 1)
        j += 1
        log_t += log_y - math.log(x + j)
        if y < x + j and log_t - scale < _LOG_NEGLIGIBLE:
            return _QueueSums(scale, states, queued, answered, late, wait)


def erlang_a_performance(
    workload: Workload,
    agents: int,
    patience: timedelta,
    threshold: timedelta = timedelta(seconds=20),
) -> QueuePerformance:
    """Predict a queue's performance with Erlang A (Palm's M/M/N+M model).

    Callers hang up after an exponentially distributed patience with mean
    ``patience``, as in Mandelbaum & Zeltyn (2005), "Service Engineering in
    Action: the Palm/Erlang-A Queue". Unlike Erlang C the queue is stable with
    any number of agents, so fewer agents than the load is allowed.

    - ``P(wait) = A(x, y) E / (1 + (A(x, y) - 1) E)`` with ``E`` Erlang B,
      ``x = N mu / theta``, ``y = lambda / theta`` and
      ``A(x, y) = sum_j y**j / prod_{i<=j} (x + i)``;
    - ``P(abandon) = theta E[queue] / lambda``;
    - service level: answered within the threshold, over all offered calls;
    - average speed of answer: mean wait of answered calls,
      ``E[W | answered]``;
    - average wait: mean wait of all calls, abandoned ones until they hang
      up, ``E[W] = E[queue] / lambda = P(abandon) patience`` (Little's law
      and ``theta E[queue] = lambda P(abandon)``): the quantity the Erlang A
      references and pyworkforce name ASA;
    - occupancy: answered load over agents.

    >>> from datetime import timedelta
    >>> work = Workload(calls=100, aht=timedelta(seconds=180))
    >>> result = erlang_a_performance(work, 14, patience=timedelta(minutes=5))
    >>> round(result.probability_of_abandoning, 5), round(result.service_level, 4)
    (0.01398, 0.9168)

    Args:
        workload: The calls offered and their handle time.
        agents: Agents on the queue, >= 1 unless no calls come.
        patience: Mean time a caller waits before hanging up; at most
            :data:`MAX_PATIENCE_CALLS` calls may arrive during it.
        threshold: Answered within this time counts towards the service level.

    Raises:
        InvalidInputError: no agents for a non-zero load, too many calls
            arriving during one patience, or an argument of the wrong type or
            out of range (a non-positive patience, a negative threshold).
    """
    workload = _check_workload(workload, agents, threshold)
    check_duration(patience, "patience", positive=True)
    load = workload.load
    arrival = workload.calls / workload.interval.total_seconds()
    y = arrival * patience.total_seconds()
    if y > MAX_PATIENCE_CALLS:
        raise InvalidInputError(
            f"{y:g} calls arrive during one mean patience; Erlang A takes at most "
            f"{MAX_PATIENCE_CALLS:,.0f}: shorten the patience, or staff with Erlang C "
            "(no patience)",
            field="patience",
        )
    if load == 0 or y == 0:  # y == 0: so few calls that a double cannot tell them from none
        return _idle("erlang_a", agents, threshold, load)
    if agents == 0:
        raise InvalidInputError(
            f"no agents cannot answer a load of {load:g} Erlangs", field="agents"
        )
    aht = workload.aht.total_seconds()
    theta = 1.0 / patience.total_seconds()
    x = agents / (aht * theta)
    sums = _queue_sums(x, y, theta * threshold.total_seconds())
    _, log_rest = _log_erlang_b(agents, load)
    # P(wait) = 1 / (1 + (1/E - 1) / A(x, y)), all in logs.
    z = log_rest - (sums.log_scale + math.log(sums.states))
    waiting = math.exp(-z - math.log1p(math.exp(-z))) if z > 0 else 1.0 / (1.0 + math.exp(z))
    per_state = waiting / sums.states
    abandoning = per_state * sums.queued / y
    answered_in_time = (1.0 - waiting) + per_state * (sums.answered - sums.answered_late)
    # Answered at once or from the queue: summed, not 1 - abandoning, which can cancel to 0.
    answered_share = (1.0 - waiting) + per_state * sums.answered
    asa = per_state * sums.answered_wait / theta / answered_share
    return QueuePerformance(
        "erlang_a",
        agents,
        load,
        threshold,
        _probability(waiting),
        _probability(answered_in_time),
        _wait(asa, agents, load),
        _probability(load * (1.0 - abandoning) / agents),
        _probability(abandoning),
        _wait(abandoning * patience.total_seconds(), agents, load),
    )
