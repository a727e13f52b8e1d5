"""Predictive dialer pacing under an abandonment budget.

A predictive dialer dials more numbers than it has free agents, betting that
some will not answer. A call answered by a person with no agent free is
*abandoned*; regulators cap abandoned calls at 3 % of live-answered calls (US:
the FTC's Telemarketing Sales Rule, 16 CFR 310.4(b)(4)(i), per campaign over
30 days; UK: Ofcom's persistent-misuse policy, per call centre over 24 hours).

Two strategies decide how many lines to dial now, and both pass through the
same :func:`budget_ceiling`, which guarantees the cap even if every dialled
number answers: the rate over the period can never rise above the target.
"""

from __future__ import annotations

import math
from datetime import timedelta
from fractions import Fraction

import attrs

from callcore.errors import InvalidTransitionError, Problem
from callcore.wfm._bisection import boundary
from callcore.wfm._checks import (
    fraction_between,
    non_negative_duration,
    positive_duration,
    refuse,
    whole_number_at_least,
)

DEFAULT_ABANDON_TARGET = 0.03
"""The regulatory cap: abandoned calls at most 3 % of live-answered calls."""


@attrs.frozen
class DialerSnapshot:
    """What the dialer knows when it decides how many numbers to dial.

    Attributes:
        agents_ready: Agents idle now, waiting for a call.
        agents_busy: Agents on a call or in wrap-up now.
        lines_in_flight: Numbers dialled whose outcome is not known yet.
        answer_rate: Recent share of dialled numbers answered by a person (0-1].
        aht: Average handle time of connected calls.
        connect_delay: Time from dialling a number to a person answering.
        live_answers: Calls answered by a person in the rolling period so far
            (abandoned ones included, as the regulations count them).
        abandoned: Calls abandoned in the rolling period so far.
        target: Highest allowed ``abandoned / live_answers``.
        max_lines: Most numbers to dial at once (trunk or list limit), or ``None``.
    """

    agents_ready: int
    agents_busy: int
    lines_in_flight: int
    answer_rate: float
    aht: timedelta
    connect_delay: timedelta
    live_answers: int
    abandoned: int
    target: float = DEFAULT_ABANDON_TARGET
    max_lines: int | None = None

    def __attrs_post_init__(self) -> None:
        """Refuse counts below zero, rates outside (0, 1] and bad durations."""
        problems: list[Problem] = []
        for name in ("agents_ready", "agents_busy", "lines_in_flight", "live_answers", "abandoned"):
            whole_number_at_least(problems, name, getattr(self, name), 0)
        fraction_between(problems, "answer_rate", self.answer_rate, low_open=True, high_open=False)
        fraction_between(problems, "target", self.target, low_open=False, high_open=True)
        positive_duration(problems, "aht", self.aht)
        non_negative_duration(problems, "connect_delay", self.connect_delay)
        if self.max_lines is not None:
            whole_number_at_least(problems, "max_lines", self.max_lines, 0)
        refuse(problems, "dialer snapshot")

    @property
    def agents_soon(self) -> float:
        """Busy agents expected to be free when the dialled calls connect.

        With exponential handle times, a busy agent finishes within the
        connect delay with probability ``1 - exp(-delay / AHT)``.
        """
        share = -math.expm1(-self.connect_delay / self.aht)
        return self.agents_busy * share


def budget_ceiling(snapshot: DialerSnapshot) -> int:
    """Most lines that can be dialled without any risk of breaking the cap.

    If all ``k`` lines in play (new and in flight) answer and only the ready
    agents take them, ``k - ready`` calls are abandoned; the period's rate
    stays within ``target`` when ``abandoned + k - ready <= target
    (live_answers + k)``. Fewer answers only lower the rate, so this holds
    whatever the answer stream does. The target is read as the decimal it
    was written as, so the bound is exact.

    Returns:
        The most new lines to dial (never below zero).
    """
    target = Fraction(repr(snapshot.target))
    room = target * snapshot.live_answers - snapshot.abandoned + snapshot.agents_ready
    in_play = math.floor(room / (1 - target))
    return max(0, in_play - snapshot.lines_in_flight)


def _binomial_pmf(trials: int, p: float) -> list[float]:
    """P(X = k) for k = 0..trials, X ~ Binomial(trials, p), by the ratio recurrence."""
    if p >= 1:
        return [0.0] * trials + [1.0]
    log_first = trials * math.log1p(-p)
    odds = p / (1 - p)
    # start from the mode in log space so that long tails cannot underflow to 0 early
    mode = min(trials, math.floor((trials + 1) * p))
    log_mode = (
        math.lgamma(trials + 1)
        - math.lgamma(mode + 1)
        - math.lgamma(trials - mode + 1)
        + mode * math.log(odds)
        + log_first
    )
    pmf = [0.0] * (trials + 1)
    pmf[mode] = math.exp(log_mode)
    for k in range(mode, trials):
        pmf[k + 1] = pmf[k] * (trials - k) / (k + 1) * odds
    for k in range(mode, 0, -1):
        pmf[k - 1] = pmf[k] * k / (trials - k + 1) / odds
    return pmf


def expected_abandons(lines: int, answer_rate: float, agents: int) -> tuple[float, float]:
    """Expected answers and abandons when ``lines`` are dialled for ``agents`` free agents.

    Answers are Binomial(lines, answer_rate); each answer beyond the free
    agents is abandoned: ``E[max(X - agents, 0)]``.

    Returns:
        ``(expected answers, expected abandons)``.
    """
    pmf = _binomial_pmf(lines, answer_rate)
    abandons = math.fsum(pmf[k] * (k - agents) for k in range(agents + 1, lines + 1))
    return lines * answer_rate, abandons


def model_pacing(snapshot: DialerSnapshot) -> int:
    """Lines to dial now: the largest ``n`` whose expected abandons fit the target.

    ``n + lines_in_flight`` lines will meet ``ready + soon`` agents
    (``soon`` rounded down); the largest ``n`` with ``E[abandons] <= target
    E[answers]`` (answers binomial) is chosen, then capped by
    :func:`budget_ceiling` and ``max_lines``. The expected-abandon ratio
    grows with ``n``, so ``n`` is found by bisection.

    Returns:
        How many numbers to dial now.
    """
    agents = snapshot.agents_ready + math.floor(snapshot.agents_soon)
    ceiling = budget_ceiling(snapshot)
    if snapshot.max_lines is not None:
        ceiling = min(ceiling, snapshot.max_lines)
    in_flight = snapshot.lines_in_flight

    def fits(new: int) -> bool:
        answers, abandons = expected_abandons(new + in_flight, snapshot.answer_rate, agents)
        return abandons <= snapshot.target * answers

    if ceiling <= 0 or not fits(0):
        return 0
    if fits(ceiling):
        return ceiling
    return boundary(fits, good=0, bad=ceiling)  # the largest that fits


@attrs.define
class AdaptiveDialLevel:
    """A dial level (lines per ready agent) that adapts to the abandon rate.

    In the spirit of VICIdial's adaptive predictive methods (``ADAPT_HARD_LIMIT``,
    settings ``adaptive_dropped_percentage``, ``adaptive_maximum_level`` and
    ``adaptive_intensity``): at every update the level drops straight to 1.0
    when the period's abandon rate has reached the target; otherwise it moves
    up when agents sit idle and down when callers wait, by a step that the
    intensity (-40 to 40) makes larger or smaller. The rule is our own
    reading of that behaviour, not VICIdial's code.

    Attributes:
        level: Lines dialled per ready agent, between 1.0 and ``max_level``.
        max_level: The highest level (VICIdial's default is 3.0).
        target: The abandon cap.
        intensity: How hard to push, -40 (gentle) to 40 (aggressive).
        step: The base change of level per update.
    """

    level: float = 1.0
    max_level: float = 3.0
    target: float = DEFAULT_ABANDON_TARGET
    intensity: int = 0
    step: float = 0.1

    def __attrs_post_init__(self) -> None:
        """Refuse settings that make no sense."""
        problems: list[Problem] = []
        if not 1.0 <= self.max_level <= 20.0:
            problems.append(Problem("max_level", f"must be in [1, 20], got {self.max_level}"))
        if not 1.0 <= self.level <= self.max_level:
            problems.append(Problem("level", f"must be in [1, max_level], got {self.level}"))
        fraction_between(problems, "target", self.target, low_open=False, high_open=True)
        if not -40 <= self.intensity <= 40:
            problems.append(Problem("intensity", f"must be in [-40, 40], got {self.intensity}"))
        if not 0 < self.step <= 1:
            problems.append(Problem("step", f"must be in (0, 1], got {self.step}"))
        refuse(problems, "adaptive dial level")

    def update(
        self, *, live_answers: int, abandoned: int, idle_agents: int, waiting_calls: int
    ) -> float:
        """Adjust the level from the period's figures and return the new level.

        Args:
            live_answers: Calls answered by a person in the period so far.
            abandoned: Calls abandoned in the period so far.
            idle_agents: Agents waiting for a call now.
            waiting_calls: Answered calls waiting for an agent now.

        Raises:
            InvalidTransitionError: a negative count, or more abandons than
                answers; the level is unchanged.
        """
        counts = (live_answers, abandoned, idle_agents, waiting_calls)
        if any(count < 0 for count in counts) or abandoned > live_answers:
            raise InvalidTransitionError(
                f"level {self.level:.2f}",
                "update the dial level",
                f"counts must be >= 0 with abandoned <= live_answers, got {counts}",
            )
        if live_answers and abandoned >= self.target * live_answers:
            self.level = 1.0
            return self.level
        push = self.step * (1 + self.intensity / 40)
        if idle_agents > waiting_calls:
            self.level = min(self.max_level, self.level + push)
        elif waiting_calls > idle_agents:
            self.level = max(1.0, self.level - push)
        return self.level

    def lines_to_dial(self, snapshot: DialerSnapshot) -> int:
        """Lines to dial now: ``level`` per ready agent, less those in flight, within budget."""
        wanted = math.floor(self.level * snapshot.agents_ready) - snapshot.lines_in_flight
        ceiling = budget_ceiling(snapshot)
        if snapshot.max_lines is not None:
            ceiling = min(ceiling, snapshot.max_lines)
        return max(0, min(wanted, ceiling))
