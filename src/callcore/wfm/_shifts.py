"""Covering an interval staffing plan with shifts: greedy, then local search.

A shift *pattern* is a shift type starting at one allowed time: it covers
the plan's intervals from its start for its length. A schedule is a count of
agents per pattern. Its cost is compared first by *shortage* (agent-intervals
below the requirement), then by *over-staffing* (agent-intervals above it):
cover the plan, then waste as little as possible.

The core has no solver dependency: a greedy pass adds, one agent at a time,
the pattern that covers the most still-short intervals per interval it
covers; then a local search removes agents and swaps one pattern for
another while either lowers the cost, until neither does. Covering with
shifts is an integer programme (NP-hard in general), so this is a heuristic:
the tests compare it with a brute-force optimum on small plans, and the
benchmark with pyworkforce's OR-Tools model on a realistic day.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, datetime, time, timedelta, timezone, tzinfo

import attrs

from callcore.checks import check_count, check_duration, check_instance, check_text, validator
from callcore.errors import InvalidInputError
from callcore.wfm._checks import check_items
from callcore.wfm._plan import StaffingPlan, check_interval_length

MAX_PATTERNS = 10_000
"""The most shift patterns (type x allowed start) one schedule may weigh."""
MAX_PLAN_INTERVALS = 4 * 24 * 31
"""The most intervals a plan given to :func:`schedule_shifts` may hold (a month of 15 min)."""
_MAX_MOVES = 100_000  # local-search moves: each lowers the cost, so this is a safety net only


def _check_starts(value: object) -> tuple[time, ...]:
    starts = check_items(value, time, "starts")
    if not starts:
        raise InvalidInputError("starts must hold at least one time of day", field="starts")
    return tuple(starts)


@attrs.frozen
class ShiftType:
    """A kind of shift agents may work.

    Attributes:
        name: A name for reports, 1 to 100,000 characters.
        length: How long it lasts, a whole number of the plan's intervals.
        starts: The local times of day it may start (at least one).
        zone: The time zone of ``starts`` (the agents' zone), or ``None``
            for the zone of the plan's first interval; agents in several zones
            are several shift types.
        min_agents: The fewest agents to schedule on it over the plan.
        max_agents: The most, or ``None`` for no limit.
    """

    name: str = attrs.field(validator=validator(check_text))
    length: timedelta = attrs.field(validator=validator(check_duration, positive=True))
    starts: tuple[time, ...] = attrs.field(converter=_check_starts)
    zone: tzinfo | None = None
    min_agents: int = attrs.field(default=0, validator=validator(check_count))
    max_agents: int | None = attrs.field(
        default=None, validator=attrs.validators.optional(validator(check_count))
    )

    def __attrs_post_init__(self) -> None:
        """Refuse a zone that is not a tzinfo and a maximum below the minimum."""
        if self.zone is not None and not isinstance(self.zone, tzinfo):
            raise InvalidInputError("zone must be a tzinfo or None", field="zone")
        if self.max_agents is not None and self.max_agents < self.min_agents:
            raise InvalidInputError(
                f"max_agents ({self.max_agents}) is below min_agents ({self.min_agents})",
                field="max_agents",
            )


@attrs.frozen
class Shift:
    """Agents scheduled on one shift type at one start.

    Attributes:
        shift_type: The shift type's name.
        start: When the shift starts.
        end: When it ends.
        agents: How many agents work it.
    """

    shift_type: str
    start: datetime
    end: datetime
    agents: int


@attrs.frozen
class Coverage:
    """One interval of the plan: required and scheduled agents.

    Attributes:
        start: When the interval starts.
        required: Agents the plan requires.
        scheduled: Agents the shifts put there.
    """

    start: datetime
    required: int
    scheduled: int


@attrs.frozen
class ShiftSchedule:
    """Shifts covering a plan, with the coverage they give.

    Attributes:
        shifts: Agents per shift type and start, in start order.
        coverage: Required and scheduled agents per interval, in time order.
        shortage: Agent-intervals below the requirement (0 when covered).
        over_staffing: Agent-intervals above the requirement.
    """

    shifts: tuple[Shift, ...]
    coverage: tuple[Coverage, ...]
    shortage: int
    over_staffing: int


@attrs.frozen
class _Pattern:
    kind: int  # index of the shift type
    start: datetime
    first: int  # first plan interval covered
    stop: int  # one past the last


def _requirements(plan: object) -> tuple[list[datetime], list[int], timedelta]:
    """(starts in UTC, required agents, interval) from a plan or a mapping of start to agents."""
    if isinstance(plan, StaffingPlan):
        rows = [(row.start, row.scheduled) for row in plan.rows]
        interval = plan.interval
    elif isinstance(plan, Mapping):
        rows = []
        for index, (start, agents) in enumerate(plan.items()):
            check_instance(start, datetime, f"plan[{index}]")
            if start.tzinfo is None:
                raise InvalidInputError(
                    f"plan[{index}] is a naive datetime", field=f"plan[{index}]"
                )
            rows.append((start, check_count(agents, f"plan[{index}]")))
        interval = timedelta(0)
    else:
        raise InvalidInputError(
            f"plan must be a StaffingPlan or a mapping of interval start to agents, "
            f"got {type(plan).__name__}",
            field="plan",
        )
    if not rows or len(rows) > MAX_PLAN_INTERVALS:
        raise InvalidInputError(
            f"plan must hold 1 to {MAX_PLAN_INTERVALS:,} intervals, got {len(rows)}", field="plan"
        )
    rows.sort(key=lambda row: row[0].astimezone(timezone.utc))
    starts = [start.astimezone(timezone.utc) for start, _ in rows]
    if not interval:
        interval = starts[1] - starts[0] if len(starts) > 1 else timedelta(minutes=30)
    check_interval_length(interval, "plan")
    for index in range(1, len(starts)):
        if starts[index] - starts[index - 1] != interval:
            raise InvalidInputError(
                f"plan must be contiguous intervals of {interval}; a gap or repeat before "
                f"{starts[index].isoformat()}",
                field="plan",
            )
    return starts, [agents for _, agents in rows], interval


def _patterns(
    types: list[ShiftType], starts: list[datetime], interval: timedelta, plan_zone: tzinfo
) -> list[_Pattern]:
    """Every shift type at every allowed start that fits inside the plan."""
    first, end = starts[0], starts[-1] + interval
    position = {start: index for index, start in enumerate(starts)}
    patterns: list[_Pattern] = []
    for kind, shift in enumerate(types):
        steps, rest = divmod(shift.length, interval)
        if rest or not steps:
            raise InvalidInputError(
                f"shift_types[{kind}].length ({shift.length}) is not a whole number of "
                f"{interval} intervals",
                field=f"shift_types[{kind}].length",
            )
        zone = shift.zone or plan_zone
        day: date = first.astimezone(zone).date() - timedelta(days=1)
        last_day = end.astimezone(zone).date()
        while day <= last_day:
            for clock in shift.starts:
                begin = datetime.combine(day, clock, tzinfo=zone)  # fold 0 if repeated
                if begin.astimezone(timezone.utc).astimezone(zone).replace(tzinfo=None) != (
                    begin.replace(tzinfo=None)
                ):
                    continue  # the clocks skip this time that day
                index = position.get(begin.astimezone(timezone.utc))
                if index is None or begin + shift.length > end:
                    continue
                patterns.append(_Pattern(kind, begin, index, index + steps))
                if len(patterns) > MAX_PATTERNS:
                    raise InvalidInputError(
                        f"more than {MAX_PATTERNS:,} shift patterns: allow fewer starts",
                        field="shift_types",
                    )
            day += timedelta(days=1)
    return patterns


class _Cover:
    """Coverage under construction, with its cost kept up to date."""

    def __init__(
        self, required: list[int], patterns: list[_Pattern], types: list[ShiftType]
    ) -> None:
        self.required = required
        self.patterns = patterns
        self.types = types
        self.scheduled = [0] * len(required)
        self.counts = [0] * len(patterns)
        self.per_type = [0] * len(types)

    def add(self, p: int, agents: int = 1) -> None:
        pattern = self.patterns[p]
        for t in range(pattern.first, pattern.stop):
            self.scheduled[t] += agents
        self.counts[p] += agents
        self.per_type[pattern.kind] += agents

    def gain(self, p: int) -> int:
        """Still-short intervals one more agent on ``p`` would cover."""
        pattern, required, scheduled = self.patterns[p], self.required, self.scheduled
        return sum(1 for t in range(pattern.first, pattern.stop) if scheduled[t] < required[t])

    def change(self, p: int, agents: int) -> tuple[int, int]:
        """(shortage, over) change if ``agents`` (+1 or -1) are put on ``p``."""
        pattern, required, scheduled = self.patterns[p], self.required, self.scheduled
        short = over = 0
        for t in range(pattern.first, pattern.stop):
            if agents > 0:
                if scheduled[t] < required[t]:
                    short -= 1
                else:
                    over += 1
            elif scheduled[t] <= required[t]:
                short += 1
            else:
                over -= 1
        return short, over

    def room(self, p: int) -> bool:
        shift = self.types[self.patterns[p].kind]
        return shift.max_agents is None or self.per_type[self.patterns[p].kind] < shift.max_agents

    def removable(self, p: int) -> bool:
        kind = self.patterns[p].kind
        return self.counts[p] > 0 and self.per_type[kind] > self.types[kind].min_agents


def _greedy(cover: _Cover) -> None:
    """Add the best pattern one agent at a time while some interval is short."""
    patterns = cover.patterns
    for kind, shift in enumerate(cover.types):  # minimums first, each where it wastes least
        for _ in range(shift.min_agents):
            options = [p for p, pattern in enumerate(patterns) if pattern.kind == kind]
            if not options:
                raise InvalidInputError(
                    f"shift_types[{kind}] has no start inside the plan for its minimum",
                    field=f"shift_types[{kind}].min_agents",
                )
            cover.add(min(options, key=lambda p: cover.change(p, 1)))
    while True:
        best, best_key = -1, (0.0, 0)
        for p, pattern in enumerate(patterns):
            if not cover.room(p):
                continue
            gain = cover.gain(p)
            key = (gain / (pattern.stop - pattern.first), gain)
            if gain and key > best_key:
                best, best_key = p, key
        if best < 0:
            return
        cover.add(best)


def _improve(cover: _Cover) -> None:
    """Remove an agent, or move one to another pattern, while that lowers the cost."""
    for _ in range(_MAX_MOVES):
        improved = False
        for p in range(len(cover.patterns)):
            if not cover.removable(p):
                continue
            short, over = cover.change(p, -1)
            if (short, over) < (0, 0):
                cover.add(p, -1)
                improved = True
                continue
            cover.add(p, -1)
            best, best_delta = -1, (0, 0)
            for q in range(len(cover.patterns)):
                if q == p or not cover.room(q):
                    continue
                add_short, add_over = cover.change(q, 1)
                delta = (short + add_short, over + add_over)
                if delta < best_delta:
                    best, best_delta = q, delta
            cover.add(best if best >= 0 else p)
            improved |= best >= 0
        if not improved:
            return


def schedule_shifts(
    plan: StaffingPlan | Mapping[datetime, int], shift_types: Sequence[ShiftType]
) -> ShiftSchedule:
    """Cover a staffing plan with shifts, short of nothing if possible, wasting little.

    Args:
        plan: A :class:`~callcore.wfm.StaffingPlan` (its scheduled agents are
            the requirement) or a mapping of interval start to agents;
            contiguous intervals of 15, 30 or 60 minutes, at most
            :data:`MAX_PLAN_INTERVALS`.
        shift_types: The kinds of shift allowed (at least one); at most
            :data:`MAX_PATTERNS` type-and-start patterns inside the plan.

    Returns:
        The shifts and the coverage they give. If the shift types cannot
        cover some interval (no start reaches it, or a maximum is reached),
        ``shortage`` says by how much.

    Raises:
        InvalidInputError: a wrong type, an empty or gapped plan, a shift
            length that is not a whole number of intervals, too many
            patterns, or a minimum that no start can meet.
    """
    starts, required, interval = _requirements(plan)
    types = check_items(shift_types, ShiftType, "shift_types")
    if not types:
        raise InvalidInputError("shift_types must hold at least one", field="shift_types")
    plan_zone = (
        plan.rows[0].start.tzinfo if isinstance(plan, StaffingPlan) else next(iter(plan)).tzinfo
    )
    assert plan_zone is not None  # checked aware above  # noqa: S101
    patterns = _patterns(types, starts, interval, plan_zone)
    cover = _Cover(required, patterns, types)
    _greedy(cover)
    _improve(cover)
    shifts = [
        Shift(
            types[pattern.kind].name, pattern.start, pattern.start + types[pattern.kind].length, n
        )
        for pattern, n in zip(patterns, cover.counts, strict=True)
        if n
    ]
    shifts.sort(key=lambda shift: (shift.start.astimezone(timezone.utc), shift.shift_type))
    coverage = tuple(
        Coverage(start, need, have)
        for start, need, have in zip(starts, required, cover.scheduled, strict=True)
    )
    shortage = sum(
        max(0, need - have) for need, have in zip(required, cover.scheduled, strict=True)
    )
    over = sum(max(0, have - need) for need, have in zip(required, cover.scheduled, strict=True))
    return ShiftSchedule(tuple(shifts), coverage, shortage, over)
