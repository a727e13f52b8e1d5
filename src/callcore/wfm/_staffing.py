"""The fewest agents that meet a service target, found by a search over N.

Every criterion (service level, ASA, occupancy, abandonment) gets no worse
when an agent is added, so the agents that meet a target form an interval
``[n*, infinity)``. The search starts from the square-root staffing estimate
(Halfin & Whitt, 1981), gallops away from it by doubling steps until the
answer is bracketed, then bisects: a handful of Erlang evaluations at any
load, instead of one per agent from the load upward. Loads are at most
:data:`~callcore.wfm.MAX_LOAD` Erlangs and no search looks beyond
:data:`~callcore.wfm.MAX_AGENTS` agents, so every search ends quickly.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from datetime import timedelta
from fractions import Fraction
from types import MemberDescriptorType
from typing import Any

import attrs

from callcore.checks import check_duration, check_instance, check_number, validator
from callcore.errors import InvalidInputError
from callcore.wfm._bisection import boundary
from callcore.wfm._erlang import (
    _LONGEST_WAIT,
    MAX_AGENTS,
    QueuePerformance,
    Workload,
    _erlang_b,
    _erlang_c,
    _erlang_c_result,
    erlang_a_performance,
    erlang_c_performance,
)


def _optional(check: Callable[..., object], **options: object) -> Callable[[Any, Any, Any], None]:
    """An attrs validator that lets ``None`` through and checks anything else."""
    optional: Callable[[Any, Any, Any], None] = attrs.validators.optional(
        validator(check, **options)
    )
    return optional


@attrs.frozen
class StaffingTarget:
    """What a queue must achieve, and how agents are lost to shrinkage.

    Give any combination of criteria; the staffing meets all of them.

    Attributes:
        service_level: Share of calls to answer within ``threshold`` (0-1,
            exclusive), or ``None`` for no service-level target.
        threshold: The service-level threshold (the "20" in "80/20").
        max_asa: Longest acceptable average speed of answer, or ``None``.
        max_occupancy: Highest acceptable occupancy (0-1], or ``None``.
        max_abandonment: Highest acceptable share of abandoned calls, or
            ``None``; needs ``patience``.
        patience: Callers' mean patience. ``None`` staffs with Erlang C
            (nobody hangs up); a duration staffs with Erlang A.
        shrinkage: Share of paid time agents are unavailable (breaks,
            training, absence), [0, 1): ``scheduled = required / (1 - shrinkage)``.
    """

    service_level: float | None = attrs.field(
        default=0.8,
        validator=_optional(check_number, low=0, high=1, low_open=True, high_open=True),
    )
    threshold: timedelta = attrs.field(
        default=timedelta(seconds=20), validator=validator(check_duration)
    )
    max_asa: timedelta | None = attrs.field(
        default=None, validator=_optional(check_duration, positive=True)
    )
    max_occupancy: float | None = attrs.field(
        default=None, validator=_optional(check_number, low=0, high=1, low_open=True)
    )
    max_abandonment: float | None = attrs.field(
        default=None,
        validator=_optional(check_number, low=0, high=1, low_open=True, high_open=True),
    )
    patience: timedelta | None = attrs.field(
        default=None, validator=_optional(check_duration, positive=True)
    )
    shrinkage: float = attrs.field(
        default=0.0, validator=validator(check_number, low=0, high=1, high_open=True)
    )

    def __attrs_post_init__(self) -> None:
        """Refuse a target that asks for nothing, or abandonment without a patience."""
        if self.max_abandonment is not None and self.patience is None:
            raise InvalidInputError(
                "max_abandonment needs a patience (Erlang A) to be predicted",
                field="max_abandonment",
            )
        criteria = (self.service_level, self.max_asa, self.max_occupancy, self.max_abandonment)
        if all(criterion is None for criterion in criteria):
            raise InvalidInputError(
                "give at least one of service_level, max_asa, max_occupancy, max_abandonment",
                field="service_level",
            )

    def scheduled(self, required: int) -> int:
        """Agents to schedule so that ``required`` remain after shrinkage.

        The shrinkage is read as the decimal it was written as (0.3, not
        0.29999999999999998890), so 14 agents at 30 % give exactly 20.
        """
        if not self.shrinkage:
            return required
        shrinkage = float(self.shrinkage)  # a float subclass may print itself otherwise
        quotient = required / (1.0 - shrinkage)
        if abs(quotient - round(quotient)) > 1e-9 * quotient:
            return math.ceil(quotient)  # far from a whole number: float rounding cannot matter
        return math.ceil(required / (1 - Fraction(repr(shrinkage))))


@attrs.frozen
class Staffing:
    """The agents a workload needs, and how the queue performs with them.

    Attributes:
        required: Agents that must be taking calls: the fewest meeting the target.
        scheduled: Agents to schedule so that ``required`` remain after shrinkage.
        performance: The predicted performance with ``required`` agents. A
            staffing search works it out on first read (most planners read
            only ``required`` and ``scheduled``); the value is the same.
    """

    required: int
    scheduled: int
    performance: QueuePerformance


# What _erlang_c_result needs, held in the performance slot until first read:
# ``(load, aht seconds, agents, threshold, waiting)``, a plain tuple (cheap to make;
# a QueuePerformance is never one).
_ErlangCRecipe = tuple[float, float, int, timedelta, float]


class _BuiltOnFirstRead:
    """The ``performance`` slot of :class:`Staffing`, which may hold a recipe until first read.

    Everything reads the attribute (``==``, ``hash``, ``repr``, ``attrs.asdict``,
    pickling, cattrs), so a recipe is never seen outside; the built value
    replaces it in the slot.
    """

    def __init__(self, slot: MemberDescriptorType) -> None:
        self._slot = slot

    def __get__(
        self, instance: object, owner: type | None = None
    ) -> QueuePerformance | _BuiltOnFirstRead:
        if instance is None:
            return self
        value = self._slot.__get__(instance, owner)
        if type(value) is tuple:  # a recipe (a QueuePerformance is never a tuple)
            value = _erlang_c_result(*value)
            self._slot.__set__(instance, value)
        return value  # type: ignore[no-any-return]  # the slot holds a QueuePerformance

    def __set__(self, instance: object, value: object) -> None:
        self._slot.__set__(instance, value)


Staffing.performance = _BuiltOnFirstRead(Staffing.__dict__["performance"])  # type: ignore[assignment]
_new_staffing = Staffing.__new__
_set_required = Staffing.__dict__["required"].__set__
_set_scheduled = Staffing.__dict__["scheduled"].__set__
_set_performance = Staffing.__dict__["performance"].__set__


def _lazy_staffing(required: int, scheduled: int, recipe: _ErlangCRecipe) -> Staffing:
    """A :class:`Staffing` whose performance ``recipe`` is built on first read.

    Equal to ``Staffing(required, scheduled, _erlang_c_result(*recipe))`` (a test keeps
    it so). The recipe must hold values the search computed, whose build
    cannot be refused (a mean wait within the longest duration).
    """
    staffing = _new_staffing(Staffing)
    _set_required(staffing, required)
    _set_scheduled(staffing, scheduled)
    _set_performance(staffing, recipe)
    return staffing


_SQRT_2PI = math.sqrt(2.0 * math.pi)
_SQRT_HALF = math.sqrt(0.5)
_BETA_RESOLUTION = 0.05  # agents: finer than this cannot move the estimate's floor much


def _square_root_estimate(load: float, aht: float, target: StaffingTarget) -> int:
    """Estimate N = A + beta sqrt(A) from the Halfin-Whitt approximation of Erlang C.

    ``P(wait) ~ 1 / (1 + beta Phi(beta) / phi(beta))``; beta is bisected until
    the approximate service level and ASA meet the target, to within a
    twentieth of an agent. Only a start for the exact search, which corrects
    it; rounded down from the side that misses the target, so it errs low.
    """
    root = math.sqrt(load)
    level = target.service_level
    decay = root * target.threshold.total_seconds() / aht  # SL: 1 - P(wait) exp(-beta decay)
    # ASA = P(wait) aht / (beta root) <= max_asa, rearranged so beta need not be > 0.
    asa_scale = None if target.max_asa is None else target.max_asa.total_seconds() * root / aht

    def good_enough(beta: float) -> bool:
        ratio = beta * 0.5 * math.erfc(-beta * _SQRT_HALF) * _SQRT_2PI * math.exp(beta * beta / 2)
        waiting = 1.0 / (1.0 + ratio)
        if level is not None and 1.0 - waiting * math.exp(-beta * decay) < level:
            return False
        return asa_scale is None or waiting <= beta * asa_scale

    low, high = 0.0, 12.0
    while (high - low) * root > _BETA_RESOLUTION:
        middle = (low + high) / 2
        if good_enough(middle):
            high = middle
        else:
            low = middle
    return math.floor(load + low * root)


def _fewest(meets: Callable[[int], bool], lowest: int, guess: int) -> int:
    """Return the smallest ``n >= lowest`` with ``meets(n)``; ``meets`` is monotone.

    Gallops from ``guess`` by doubling steps until the answer is bracketed,
    then bisects the bracket.
    """
    start = max(lowest, guess)
    if meets(start):
        good, step = start, 1
        while True:
            probe = good - step
            if probe < lowest:
                bad = lowest - 1
                break
            if not meets(probe):
                bad = probe
                break
            good, step = probe, step * 2
    else:
        bad, step = start, 1
        while True:
            probe = bad + step
            if probe > MAX_AGENTS:
                raise InvalidInputError(
                    f"no staffing up to {MAX_AGENTS:,} agents meets the target", field="target"
                )
            if meets(probe):
                good = probe
                break
            bad, step = probe, step * 2
    return boundary(meets, good=good, bad=bad)


def _occupancy_floor(load: float, max_occupancy: float) -> int:
    """The fewest agents whose occupancy ``load / n`` is at most the cap."""
    if load > max_occupancy * MAX_AGENTS:
        raise InvalidInputError(
            f"an occupancy of at most {max_occupancy:g} at {load:g} Erlangs needs more than "
            f"{MAX_AGENTS:,} agents",
            field="target",
        )
    agents = max(1, math.ceil(load / max_occupancy))
    while load / agents > max_occupancy:  # float rounding can leave one short
        agents += 1
    while agents > 1 and load / (agents - 1) <= max_occupancy:
        agents -= 1
    return agents


_SMALL_LOAD = 192.0  # below this a plain scan with the recursion is the cheapest search
_MAX_STEPS = 32  # steps up from the estimate before handing over to the galloping search

# The cheap test rejects only what misses by this factor and this much more: the
# exact test's 1 - x >= level rounds by ~1e-16, the carried decay by ~1e-13 at most.
_REJECT_MARGIN = 1.0 + 1e-9
_REJECT_FLOOR = 1e-15

_Good = Callable[[int, float], bool]  # does (agents, probability of waiting) meet the target?


# 1.0, 2.0, ...: the bare recursion adds floats to floats (Python's fast path for
# float arithmetic; an int operand takes the generic one), the same values exactly.
_COUNTS = tuple(float(n) for n in range(2 * int(_SMALL_LOAD) + 2))


def _blocking_below(load: float, lowest: int) -> float:
    """Erlang B of ``lowest - 1`` agents by the recursion from one agent (``lowest <= 385``)."""
    blocking = 1.0
    for agents in _COUNTS[1:lowest]:
        carried = load * blocking  # B(n) = A B(n-1) / (n + A B(n-1)), A B(n-1) once
        blocking = carried / (agents + carried)
    return blocking


def _scan_from_one(load: float, lowest: int, good: _Good) -> tuple[int, float]:
    """Scan N = 1, 2, ... with the Erlang B recursion: cheapest for a few hundred agents.

    Below ``lowest`` nothing can meet the target, so the recursion runs there
    in a bare loop with no test per agent.
    """
    blocking = _blocking_below(load, lowest)
    agents = lowest
    while True:
        carried = load * blocking
        blocking = carried / (agents + carried)
        waiting = agents * blocking / (agents - load * (1.0 - blocking))
        if good(agents, waiting):
            return agents, waiting
        agents += 1


def _scan_for_service_level(
    load: float, lowest: int, level: float, threshold: float, aht: float
) -> tuple[int, float]:
    """:func:`_scan_from_one` for the usual target, a service level alone, with the test inline.

    The service level of N agents is ``1 - C exp(-(N - A) threshold / aht)``,
    computed in the same order as ``good`` does, so the answers are the same.
    Most agents tested miss the target by far, so a cheaper test comes
    first and rejects them without the ``exp`` call: ``C >= B``, and the
    decay factor is carried along N by one multiplication. It rejects only
    with a margin (a relative ``_REJECT_MARGIN`` and an absolute
    ``_REJECT_FLOOR``, far above the rounding by which its values can
    differ from the exact test's), so whatever it rejects the exact test
    would reject too, and the answer and its ``C`` are the same, bit for
    bit (a test keeps them so).
    """
    blocking = _blocking_below(load, lowest)
    agents = lowest
    exp = math.exp
    decay = exp(-(agents - load) * threshold / aht)
    step = exp(-threshold / aht)
    slack = (1.0 - level) * _REJECT_MARGIN + _REJECT_FLOOR  # C decay above this: missed
    while True:
        carried = load * blocking
        blocking = carried / (agents + carried)
        if blocking * decay <= slack:  # else C decay >= B decay > slack: missed
            waiting = agents * blocking / (agents - load * (1.0 - blocking))
            if waiting * decay <= slack and (
                1.0 - waiting * exp(-(agents - load) * threshold / aht) >= level
            ):
                return agents, waiting
        agents += 1
        decay *= step


def _walk_up(load: float, start: int, lowest: int, good: _Good) -> tuple[int, float]:
    """Evaluate Erlang B once at ``start``, then step up with the recursion.

    ``B(N+1) = A B / (N + 1 + A B)`` is stable upward and costs O(1) per
    agent, so a start a few agents below the answer costs about one
    O(sqrt(A)) evaluation in all.
    """
    agents = start
    blocking = _erlang_b(agents, load)
    waiting = agents * blocking / (agents - load * (1.0 - blocking))
    if good(agents, waiting) and agents > lowest:
        # The start overshot (rare): bisect below it with exact evaluations.
        agents = _fewest(lambda n: good(n, _erlang_c(n, load)), lowest, agents - 1)
        return agents, _erlang_c(agents, load)
    for _ in range(_MAX_STEPS):
        if good(agents, waiting):
            return agents, waiting
        agents += 1
        blocking = load * blocking / (agents + load * blocking)
        waiting = agents * blocking / (agents - load * (1.0 - blocking))
    # The start was far too low (an unusual target): gallop from here.
    agents = _fewest(lambda n: good(n, _erlang_c(n, load)), agents, agents)
    return agents, _erlang_c(agents, load)


def _erlang_c_required(load: float, aht: float, target: StaffingTarget) -> tuple[int, float]:
    """Return the fewest agents meeting ``target`` and their probability of waiting.

    The walk starts at the square-root estimate, which errs low by one to
    three agents for service-level and ASA targets. ``aht`` is in seconds.
    A mean wait beyond the longest duration callcore accepts never meets a
    target (it could not be reported).
    """
    threshold = target.threshold.total_seconds()
    level = target.service_level
    lowest = int(load) + 1  # floor: load >= 0
    if target.max_occupancy is not None:
        lowest = max(lowest, _occupancy_floor(load, target.max_occupancy))
    max_asa = None if target.max_asa is None else target.max_asa.total_seconds()
    if max_asa is None and aht > _LONGEST_WAIT * (lowest - load):  # ASA < aht / spare
        max_asa = _LONGEST_WAIT
    small = load < _SMALL_LOAD and lowest <= 2 * _SMALL_LOAD
    if small and max_asa is None and level is not None:  # the usual case, without a closure
        return _scan_for_service_level(load, lowest, level, threshold, aht)

    def good(agents: int, waiting: float) -> bool:
        spare = agents - load
        if level is not None and 1.0 - waiting * math.exp(-spare * threshold / aht) < level:
            return False
        return max_asa is None or waiting * aht / spare <= max_asa

    if level is None and max_asa is None:
        return lowest, _erlang_c(lowest, load)
    if small:
        return _scan_from_one(load, lowest, good)
    return _walk_up(load, max(lowest, _square_root_estimate(load, aht, target)), lowest, good)


def _erlang_a_required(workload: Workload, target: StaffingTarget, patience: timedelta) -> int:
    def meets(agents: int) -> bool:
        result = erlang_a_performance(workload, agents, patience, target.threshold)
        checks = (
            target.service_level is None or result.service_level >= target.service_level,
            target.max_asa is None or result.average_speed_of_answer <= target.max_asa,
            target.max_occupancy is None or result.occupancy <= target.max_occupancy,
            target.max_abandonment is None
            or result.probability_of_abandoning <= target.max_abandonment,
        )
        return all(checks)

    # Erlang C's answer is an upper bound (patience only helps), so start there;
    # with neither a service level nor an ASA the estimate is the load itself.
    guess = _square_root_estimate(workload.load, workload.aht.total_seconds(), target)
    return _fewest(meets, 1, guess)


def required_staff(workload: Workload, target: StaffingTarget) -> Staffing:
    """Find the fewest agents that meet ``target`` for ``workload``.

    With ``target.patience`` unset the queue is modelled with Erlang C,
    otherwise with Erlang A. A workload of no calls needs no agents.

    >>> from datetime import timedelta
    >>> work = Workload(calls=100, aht=timedelta(seconds=180))
    >>> staffing = required_staff(work, StaffingTarget(service_level=0.8, shrinkage=0.3))
    >>> staffing.required, staffing.scheduled
    (14, 20)

    Args:
        workload: The calls offered in the interval and their handle time.
        target: The service target, occupancy cap and shrinkage.

    Returns:
        The required and scheduled agents and the predicted performance.

    Raises:
        InvalidInputError: an argument of the wrong type, no staffing of at
            most :data:`~callcore.wfm.MAX_AGENTS` agents meets the target, or
            (Erlang A) too many calls arrive during one patience.
    """
    if type(workload) is not Workload or type(target) is not StaffingTarget:  # rare: subclasses
        check_instance(workload, Workload, "workload")
        check_instance(target, StaffingTarget, "target")
    if workload.calls == 0:
        idle = erlang_c_performance(workload, 0, target.threshold)
        if target.patience is not None:
            idle = erlang_a_performance(workload, 0, target.patience, target.threshold)
        return Staffing(0, 0, idle)
    if target.patience is None:
        aht = workload.aht.total_seconds()
        load = workload.calls * aht / workload.interval.total_seconds()  # as Workload.load
        level = target.service_level
        lowest = int(load) + 1
        if (  # the usual target on a small load: _erlang_c_required's first branch, inlined
            level is not None
            and load < _SMALL_LOAD
            and target.max_asa is None
            and target.max_occupancy is None
            and aht <= _LONGEST_WAIT * (lowest - load)  # so every mean wait is within range
        ):
            threshold = target.threshold
            agents, waiting = _scan_for_service_level(
                load, lowest, level, threshold.total_seconds(), aht
            )
            staffing = _new_staffing(Staffing)  # _lazy_staffing inlined
            _set_required(staffing, agents)
            _set_scheduled(staffing, target.scheduled(agents) if target.shrinkage else agents)
            _set_performance(staffing, (load, aht, agents, threshold, waiting))
            return staffing
        agents, waiting = _erlang_c_required(load, aht, target)
        scheduled = target.scheduled(agents) if target.shrinkage else agents
        recipe = (load, aht, agents, target.threshold, waiting)
        if waiting * aht / (agents - load) > _LONGEST_WAIT:  # never picked by the search
            return Staffing(agents, scheduled, _erlang_c_result(*recipe))  # refuses as before
        return _lazy_staffing(agents, scheduled, recipe)
    agents = _erlang_a_required(workload, target, target.patience)
    result = erlang_a_performance(workload, agents, target.patience, target.threshold)
    return Staffing(agents, target.scheduled(agents), result)
