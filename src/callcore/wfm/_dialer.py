"""Predictive dialer pacing under an abandonment budget.

A predictive dialer dials more numbers than it has free agents, betting that
some will not answer. A call answered by a person with no agent free is
*abandoned*; regulators cap abandoned calls at 3 % of live-answered calls (US:
the FTC's Telemarketing Sales Rule, 16 CFR 310.4(b)(4)(i), and the FCC's
47 CFR 64.1200(a)(7), per campaign over 30 days; UK: Ofcom's persistent-misuse
statement, per campaign over 24 hours, a rolling window: see
:class:`~callcore.wfm.RollingAbandonWindow`).

Two strategies decide how many lines to dial now, and both pass through the
same :func:`budget_ceiling`, which guarantees the cap even if every dialled
number answers: the rate over the period can never rise above the target.

Counts are bounded so that every decision ends quickly: at most
:data:`MAX_LINES` agents or lines in a dialer state and lines in play after a
decision, at most :data:`MAX_PERIOD_CALLS` answers in a period.
"""

from __future__ import annotations

import math
from datetime import timedelta
from fractions import Fraction

import attrs

from callcore.checks import check_count, check_duration, check_instance, check_number, validator
from callcore.errors import InvalidInputError
from callcore.wfm._bisection import boundary

DEFAULT_ABANDON_TARGET = 0.03
"""The regulatory cap: abandoned calls at most 3 % of live-answered calls."""
MAX_LINES = 1_000_000
"""The most agents or lines a dialer state counts, and the most lines in play
(dialled now and in flight) that one pacing decision considers."""
MAX_PERIOD_CALLS = 10**12
"""The most live answers (and abandons) a dialer's rolling period may count."""
# Binomial terms smaller than this fraction of the largest no longer change a double.
_NEGLIGIBLE = 1e-17

_line_count = validator(check_count, low=0, high=MAX_LINES)
_period_count = validator(check_count, low=0, high=MAX_PERIOD_CALLS)
_abandon_target = validator(check_number, low=0, high=1, high_open=True)


@attrs.frozen
class DialerState:
    """What the dialer knows when it decides how many numbers to dial.

    Attributes:
        agents_ready: Agents idle now, waiting for a call (0 to :data:`MAX_LINES`).
        agents_busy: Agents on a call or in wrap-up now (0 to :data:`MAX_LINES`).
        lines_in_flight: Numbers dialled whose outcome is not known yet (0 to
            :data:`MAX_LINES`).
        answer_rate: Recent share of dialled numbers answered by a person (0-1].
        aht: Average handle time of connected calls, longer than zero.
        connect_delay: Time from dialling a number to a person answering.
        live_answers: Calls answered by a person in the period so far
            (abandoned ones included, as the regulations count them), at most
            :data:`MAX_PERIOD_CALLS`. Under a rolling window, give the counts
            of :meth:`~callcore.wfm.RollingAbandonWindow.pacing_counts`, not
            those of the window ending now.
        abandoned: Calls abandoned in the rolling period so far; at most
            ``live_answers``, since every abandoned call was answered first.
        target: Highest allowed ``abandoned / live_answers``, [0, 1).
        max_lines: Most numbers to dial at once (trunk or list limit, 0 to
            :data:`MAX_LINES`), or ``None``.
    """

    agents_ready: int = attrs.field(validator=_line_count)
    agents_busy: int = attrs.field(validator=_line_count)
    lines_in_flight: int = attrs.field(validator=_line_count)
    answer_rate: float = attrs.field(
        validator=validator(check_number, low=0, high=1, low_open=True)
    )
    aht: timedelta = attrs.field(validator=validator(check_duration, positive=True))
    connect_delay: timedelta = attrs.field(validator=validator(check_duration))
    live_answers: int = attrs.field(validator=_period_count)
    abandoned: int = attrs.field(validator=_period_count)
    target: float = attrs.field(default=DEFAULT_ABANDON_TARGET, validator=_abandon_target)
    max_lines: int | None = attrs.field(
        default=None, validator=attrs.validators.optional(_line_count)
    )

    def __attrs_post_init__(self) -> None:
        """Refuse more abandons than live answers."""
        check_abandons(self.live_answers, self.abandoned)

    @property
    def agents_soon(self) -> float:
        """Busy agents expected to be free when the dialled calls connect.

        With exponential handle times, a busy agent finishes within the
        connect delay with probability ``1 - exp(-delay / AHT)``.
        """
        share = -math.expm1(-self.connect_delay / self.aht)
        return self.agents_busy * share


def budget_ceiling(state: DialerState) -> int:
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
    check_instance(state, DialerState, "state")
    target = Fraction(repr(float(state.target)))
    room = target * state.live_answers - state.abandoned + state.agents_ready
    in_play = math.floor(room / (1 - target))
    return max(0, in_play - state.lines_in_flight)


def check_abandons(live_answers: int, abandoned: int) -> None:
    """Refuse more abandons than live answers (``field='abandoned'``)."""
    if abandoned > live_answers:
        raise InvalidInputError(
            f"abandoned ({abandoned}) cannot exceed live_answers ({live_answers}): "
            "an abandoned call was answered by a person first",
            field="abandoned",
        )


def _excess(trials: int, p: float, agents: int) -> float:
    """``E[max(X - agents, 0)]`` for ``X ~ Binomial(trials, p)``, ``0 < p < 1``.

    The probabilities, relative to the one at the mode, are walked outward from
    the mode by the ratio recurrence until they no longer count (O(sqrt(trials))
    terms), then normalised by their sum.
    """
    odds = p / (1 - p)
    mode = min(trials, math.floor((trials + 1) * p))
    mass = [1.0]
    excess = [float(mode - agents)] if mode > agents else []
    weight, k = 1.0, mode
    while k < trials:  # above the mode
        weight *= (trials - k) / (k + 1) * odds
        k += 1
        if weight < _NEGLIGIBLE:
            break
        mass.append(weight)
        if k > agents:
            excess.append(weight * (k - agents))
    weight, k = 1.0, mode
    while k > 0:  # below the mode
        weight *= k / (trials - k + 1) / odds
        k -= 1
        if weight < _NEGLIGIBLE:
            break
        mass.append(weight)
        if k > agents:
            excess.append(weight * (k - agents))
    return math.fsum(excess) / math.fsum(mass)


def expected_abandons(lines: int, answer_rate: float, agents: int) -> tuple[float, float]:
    """Expected answers and abandons when ``lines`` are dialled for ``agents`` free agents.

    Answers are Binomial(lines, answer_rate); each answer beyond the free
    agents is abandoned: ``E[max(X - agents, 0)]``.

    Args:
        lines: Numbers dialled, 0 to :data:`MAX_LINES`.
        answer_rate: The chance a number is answered by a person, [0, 1].
        agents: Agents free to take the answered calls, >= 0.

    Returns:
        ``(expected answers, expected abandons)``.

    Raises:
        InvalidInputError: an argument of the wrong type or out of range.
    """
    check_count(lines, "lines", high=MAX_LINES)
    p = check_number(answer_rate, "answer_rate", low=0, high=1)
    check_count(agents, "agents")
    answers = lines * p
    if agents >= lines or p == 0:
        return answers, 0.0
    if p == 1:
        return answers, float(lines - agents)
    return answers, _excess(lines, p, agents)


def model_pacing(state: DialerState) -> int:
    """Lines to dial now: the largest ``n`` whose expected abandons fit the target.

    ``n + lines_in_flight`` lines will meet ``ready + soon`` agents
    (``soon`` rounded down); the largest ``n`` with ``E[abandons] <= target
    E[answers]`` (answers binomial) is chosen, then capped by
    :func:`budget_ceiling`, ``max_lines`` and :data:`MAX_LINES` lines in play.
    The expected-abandon ratio grows with ``n``, so ``n`` is found by
    bisection: O(log n) evaluations of O(sqrt(n)) terms each.

    Returns:
        How many numbers to dial now.

    Raises:
        InvalidInputError: ``state`` is not a :class:`DialerState`.
    """
    ceiling = budget_ceiling(state)
    agents = state.agents_ready + math.floor(state.agents_soon)
    in_flight = state.lines_in_flight
    ceiling = min(ceiling, MAX_LINES - in_flight)
    if state.max_lines is not None:
        ceiling = min(ceiling, state.max_lines)
    rate, target = float(state.answer_rate), float(state.target)

    def fits(new: int) -> bool:
        answers, abandons = expected_abandons(new + in_flight, rate, agents)
        return abandons <= target * answers

    if ceiling <= 0 or not fits(0):
        return 0
    if fits(ceiling):
        return ceiling
    return boundary(fits, good=0, bad=ceiling)  # the largest that fits


_HIGHEST_LEVEL = 20.0


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

    level: float = attrs.field(
        default=1.0, validator=validator(check_number, low=1, high=_HIGHEST_LEVEL)
    )
    max_level: float = attrs.field(
        default=3.0, validator=validator(check_number, low=1, high=_HIGHEST_LEVEL)
    )
    target: float = attrs.field(default=DEFAULT_ABANDON_TARGET, validator=_abandon_target)
    intensity: int = attrs.field(default=0, validator=validator(check_count, low=-40, high=40))
    step: float = attrs.field(
        default=0.1, validator=validator(check_number, low=0, high=1, low_open=True)
    )

    def __attrs_post_init__(self) -> None:
        """Refuse a level above ``max_level``."""
        if self.level > self.max_level:
            raise InvalidInputError(
                f"level ({self.level}) must not exceed max_level ({self.max_level})",
                field="level",
            )

    def update(
        self, *, live_answers: int, abandoned: int, idle_agents: int, waiting_calls: int
    ) -> float:
        """Adjust the level from the period's figures and return the new level.

        Args:
            live_answers: Calls answered by a person in the period so far (0
                to :data:`MAX_PERIOD_CALLS`).
            abandoned: Calls abandoned in the period so far, at most ``live_answers``.
            idle_agents: Agents waiting for a call now (0 to :data:`MAX_LINES`).
            waiting_calls: Answered calls waiting for an agent now (0 to
                :data:`MAX_LINES`).

        Raises:
            InvalidInputError: a count of the wrong type or out of range, or
                more abandons than answers; the level is unchanged.
        """
        check_count(live_answers, "live_answers", high=MAX_PERIOD_CALLS)
        check_count(abandoned, "abandoned", high=MAX_PERIOD_CALLS)
        check_count(idle_agents, "idle_agents", high=MAX_LINES)
        check_count(waiting_calls, "waiting_calls", high=MAX_LINES)
        check_abandons(live_answers, abandoned)
        if live_answers and abandoned >= self.target * live_answers:
            self.level = 1.0
            return self.level
        push = self.step * (1 + self.intensity / 40)
        if idle_agents > waiting_calls:
            self.level = min(self.max_level, self.level + push)
        elif waiting_calls > idle_agents:
            self.level = max(1.0, self.level - push)
        return self.level

    def lines_to_dial(self, state: DialerState) -> int:
        """Lines to dial now: ``level`` per ready agent, less those in flight, within budget.

        Raises:
            InvalidInputError: ``state`` is not a :class:`DialerState`.
        """
        ceiling = budget_ceiling(state)
        wanted = math.floor(self.level * state.agents_ready) - state.lines_in_flight
        if state.max_lines is not None:
            ceiling = min(ceiling, state.max_lines)
        return max(0, min(wanted, ceiling))
