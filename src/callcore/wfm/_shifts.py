"""Covering an interval staffing plan with shifts: greedy, then local search.

A shift *pattern* is a shift type starting at one allowed time: it covers
the plan's intervals from its start for its length. A schedule is a count of
agents per pattern. Its cost is compared first by *shortage* (agent-intervals
below the requirement), then by *over-staffing* (agent-intervals above it):
cover the plan, then waste as little as possible.

The core has no solver dependency: a greedy pass adds, one agent at a time,
the pattern that covers the most still-short intervals per interval it
covers; then a local search removes agents and swaps one pattern for an
overlapping one while either lowers the cost, until neither does; last, a
ruin-and-recreate step takes two overlapping agents off, covers again and
keeps the result when it is cheaper, within a fixed work budget. Breaks are
placed by treating every placement within its window as its own pattern. Covering with
shifts is an integer programme (NP-hard in general), so this is a heuristic:
the tests compare it with a brute-force optimum on small plans, and the
benchmark with pyworkforce's OR-Tools model on a realistic day.
"""

from __future__ import annotations

import itertools
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
# pattern-intervals the ruin-and-recreate step may look at (well under a second)
_REBUILD_WORK = 5_000_000


def _check_starts(value: object) -> tuple[time, ...]:
    starts = check_items(value, time, "starts")
    if not starts:
        raise InvalidInputError("starts must hold at least one time of day", field="starts")
    return tuple(starts)


@attrs.frozen
class Break:
    """A break or lunch inside a shift, placed by the scheduler within its window.

    Attributes:
        length: How long it lasts, longer than zero (whole plan intervals).
        earliest: Its earliest start, counted from the shift's start.
        latest: Its latest start, counted from the shift's start; not before
            ``earliest``.
    """

    length: timedelta = attrs.field(validator=validator(check_duration, positive=True))
    earliest: timedelta = attrs.field(validator=validator(check_duration))
    latest: timedelta = attrs.field(validator=validator(check_duration))

    def __attrs_post_init__(self) -> None:
        """Refuse a window that ends before it starts."""
        if self.latest < self.earliest:
            raise InvalidInputError("latest must not be before earliest", field="latest")


def _check_breaks(value: object) -> tuple[Break, ...]:
    return tuple(check_items(value, Break, "breaks"))


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
        breaks: Breaks and lunches, each placed within its window so that the
            cover wastes least (they must not overlap).
    """

    name: str = attrs.field(validator=validator(check_text))
    length: timedelta = attrs.field(validator=validator(check_duration, positive=True))
    starts: tuple[time, ...] = attrs.field(converter=_check_starts)
    zone: tzinfo | None = None
    min_agents: int = attrs.field(default=0, validator=validator(check_count))
    max_agents: int | None = attrs.field(
        default=None, validator=attrs.validators.optional(validator(check_count))
    )
    breaks: tuple[Break, ...] = attrs.field(default=(), converter=_check_breaks)

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
        breaks: When its breaks start, in order.
    """

    shift_type: str
    start: datetime
    end: datetime
    agents: int
    breaks: tuple[datetime, ...] = ()


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
    covered: tuple[int, ...]  # plan intervals worked (breaks left out)
    breaks: tuple[int, ...]  # break starts, in intervals from the shift's start


def _requirements(plan: object) -> tuple[list[datetime], list[int], timedelta]:
    """(starts in UTC, required agents, interval) from a plan or a mapping of start to agents."""
    if isinstance(plan, StaffingPlan):
        rows = [(row.start, row.scheduled) for row in plan.rows]
        interval = plan.interval
        if any(row.length not in {None, interval} for row in plan.rows):
            raise InvalidInputError(
                f"plan mixes interval lengths; shifts cover a plan of one length ({interval})",
                field="plan",
            )
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


def _placements(
    shift: ShiftType, kind: int, steps: int, interval: timedelta
) -> list[tuple[tuple[int, ...], frozenset[int]]]:
    """Every way to place the shift's breaks: (break starts, intervals off), in steps."""
    options: list[list[tuple[int, int]]] = []
    for number, pause in enumerate(shift.breaks):
        where = f"shift_types[{kind}].breaks[{number}]"
        parts = [pause.length, pause.earliest, pause.latest]
        if any(part % interval for part in parts):
            raise InvalidInputError(f"{where} is not on the {interval} grid", field=where)
        length, first, last = (part // interval for part in parts)
        if first + length > steps:
            raise InvalidInputError(f"{where} cannot fit inside the shift", field=where)
        options.append([(at, length) for at in range(first, min(last, steps - length) + 1)])
    placements: list[tuple[tuple[int, ...], frozenset[int]]] = []
    for chosen in itertools.product(*options):
        off = [at + k for at, length in chosen for k in range(length)]
        if len(off) == len(set(off)):  # breaks do not overlap
            placements.append((tuple(at for at, _ in chosen), frozenset(off)))
        if len(placements) > MAX_PATTERNS:
            break
    if not placements:
        raise InvalidInputError(
            f"shift_types[{kind}].breaks cannot all be placed without overlapping",
            field=f"shift_types[{kind}].breaks",
        )
    return placements


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
        placements = _placements(shift, kind, steps, interval)
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
                for placed, off in placements:
                    covered = tuple(index + k for k in range(steps) if k not in off)
                    patterns.append(_Pattern(kind, begin, covered, placed))
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
        self.work = 0  # pattern-intervals looked at: bounds the optional search
        by_interval: list[list[int]] = [[] for _ in required]
        for p, pattern in enumerate(patterns):
            for t in pattern.covered:
                by_interval[t].append(p)
        # patterns sharing an interval with each pattern: the only useful moves
        self.neighbours = [
            sorted({q for t in pattern.covered for q in by_interval[t]}) for pattern in patterns
        ]

    def add(self, p: int, agents: int = 1) -> None:
        pattern = self.patterns[p]
        for t in pattern.covered:
            self.scheduled[t] += agents
        self.counts[p] += agents
        self.per_type[pattern.kind] += agents

    def gain(self, p: int) -> int:
        """Still-short intervals one more agent on ``p`` would cover."""
        pattern, required, scheduled = self.patterns[p], self.required, self.scheduled
        self.work += len(pattern.covered)
        return sum(1 for t in pattern.covered if scheduled[t] < required[t])

    def change(self, p: int, agents: int) -> tuple[int, int]:
        """(shortage, over) change if ``agents`` (+1 or -1) are put on ``p``."""
        pattern, required, scheduled = self.patterns[p], self.required, self.scheduled
        self.work += len(pattern.covered)
        short = over = 0
        for t in pattern.covered:
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


def _greedy(cover: _Cover, *, minimums: bool = True) -> None:
    """Add the best pattern one agent at a time while some interval is short."""
    patterns = cover.patterns
    for kind, shift in enumerate(cover.types):  # minimums first, each where it wastes least
        for _ in range(shift.min_agents if minimums else 0):
            options = [p for p, pattern in enumerate(patterns) if pattern.kind == kind]
            if not options:
                raise InvalidInputError(
                    f"shift_types[{kind}] has no start inside the plan for its minimum",
                    field=f"shift_types[{kind}].min_agents",
                )
            cover.add(min(options, key=lambda p: cover.change(p, 1)))

    def key(p: int) -> tuple[float, int]:
        gain = cover.gain(p)
        return (gain / len(patterns[p].covered), gain)

    # Adding a pattern changes the gains of its neighbours only: keep the rest.
    keys = [key(p) for p in range(len(patterns))]
    while True:
        best, best_key = -1, (0.0, 0)
        for p, candidate in enumerate(keys):
            if candidate > best_key and cover.room(p):
                best, best_key = p, candidate
        if best < 0:
            return
        cover.add(best)
        for p in cover.neighbours[best]:
            keys[p] = key(p)


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
            for q in cover.neighbours[p]:
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


def _cost(cover: _Cover) -> tuple[int, int]:
    pairs = zip(cover.required, cover.scheduled, strict=True)
    short = over = 0
    for need, have in pairs:
        short += max(0, need - have)
        over += max(0, have - need)
    return short, over


def _rebuild(cover: _Cover) -> None:
    """Ruin and recreate: take two agents off, cover again greedily, keep it if cheaper.

    Single removals and moves stop at local optima where two shifts must change
    together (a break placed badly on both); this larger step gets out of most.
    """
    budget = cover.work + _REBUILD_WORK
    improved = True
    while improved and cover.work < budget:
        improved = False
        cost = _cost(cover)
        used = [p for p, n in enumerate(cover.counts) if n]
        pairs = [(p, q) for p in used for q in cover.neighbours[p] if q >= p and cover.counts[q]]
        for p, q in pairs:
            if cover.work >= budget:
                return
            if not cover.removable(p):
                continue
            cover.add(p, -1)
            if not cover.removable(q):
                cover.add(p)
                continue
            cover.add(q, -1)
            saved = (list(cover.scheduled), list(cover.counts), list(cover.per_type))
            _greedy(cover, minimums=False)
            _improve(cover)
            if _cost(cover) < cost:
                improved = True
                break
            cover.scheduled, cover.counts, cover.per_type = saved
            cover.add(q)
            cover.add(p)


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
    _rebuild(cover)
    shifts = [
        Shift(
            types[pattern.kind].name,
            pattern.start,
            pattern.start + types[pattern.kind].length,
            n,
            tuple(pattern.start + at * interval for at in pattern.breaks),
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
