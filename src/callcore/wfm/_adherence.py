"""Schedule adherence and conformance: what agents did against what was planned.

*Adherence* asks "was the agent doing the scheduled thing at the scheduled
time?": the share of scheduled time in which the agent's state fitted the
scheduled activity. *Conformance* asks "did the agent work as long as
scheduled, whenever?": worked time over scheduled work time. Both are read
from agent-state spans (the states of :class:`~callcore.contacts.AgentState`)
against the schedule, by one sweep over the times where anything changes.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime, timedelta
from itertools import pairwise

import attrs

from callcore.checks import check_enum, check_instant, check_text, validator
from callcore.contacts import AgentState
from callcore.errors import InvalidInputError
from callcore.wfm._checks import check_items

MAX_SCHEDULE_ITEMS = 100_000
"""The most scheduled activities, and the most state spans, one adherence report reads."""

WORK = "work"
"""The scheduled activity of taking contacts."""
WORKING_STATES = frozenset(
    {AgentState.AVAILABLE, AgentState.RESERVED, AgentState.BUSY, AgentState.WRAP_UP}
)
"""The states that count as working (and as adhering to ``work``)."""


def _check_span(start: datetime, end: datetime) -> None:
    check_instant(start, "start")
    check_instant(end, "end")
    if end <= start:
        raise InvalidInputError("end must be after start", field="end")


@attrs.frozen
class ScheduledActivity:
    """One piece of an agent's schedule.

    Attributes:
        start: When it starts (aware).
        end: When it ends, after ``start``.
        activity: What is planned: :data:`WORK` or anything else (``"break"``,
            ``"lunch"``, ``"training"``), 1 to 100,000 characters.
    """

    start: datetime
    end: datetime
    activity: str = attrs.field(default=WORK, validator=validator(check_text))

    def __attrs_post_init__(self) -> None:
        """Refuse naive or out-of-range times, and an end not after the start."""
        _check_span(self.start, self.end)


@attrs.frozen
class StateSpan:
    """A span of time an agent spent in one state (logged-out time is left out).

    Attributes:
        start: When it started (aware).
        end: When it ended, after ``start``.
        state: The agent's state, any but ``logged_out``.
    """

    start: datetime
    end: datetime
    state: AgentState

    def __attrs_post_init__(self) -> None:
        """Refuse naive times, an end not after the start, and ``logged_out``."""
        _check_span(self.start, self.end)
        if check_enum(self.state, AgentState, "state") is AgentState.LOGGED_OUT:
            raise InvalidInputError(
                "state must not be 'logged_out': leave logged-out time out", field="state"
            )


@attrs.frozen
class AdherenceGap:
    """Time out of adherence, by what was scheduled and what the agent did.

    Attributes:
        activity: The scheduled activity.
        state: The agent's state then, or ``None`` when logged out.
        duration: How long.
    """

    activity: str
    state: AgentState | None
    duration: timedelta


@attrs.frozen
class Adherence:
    """How an agent kept to a schedule.

    Attributes:
        scheduled: All scheduled time.
        in_adherence: Scheduled time in which the state fitted the activity.
        out_of_adherence: The rest, by activity and state, longest first.
        scheduled_work: Scheduled :data:`WORK` time.
        worked: Time in :data:`WORKING_STATES`, scheduled or not.
        unscheduled: Logged-in time outside the schedule.
    """

    scheduled: timedelta
    in_adherence: timedelta
    out_of_adherence: tuple[AdherenceGap, ...]
    scheduled_work: timedelta
    worked: timedelta
    unscheduled: timedelta

    @property
    def adherence(self) -> float:
        """``in_adherence / scheduled``, a fraction from 0 to 1."""
        return self.in_adherence / self.scheduled

    @property
    def conformance(self) -> float | None:
        """``worked / scheduled_work`` (may exceed 1), or ``None`` with no work scheduled."""
        if not self.scheduled_work:
            return None
        return self.worked / self.scheduled_work


def _no_overlap(items: list[ScheduledActivity] | list[StateSpan], what: str) -> None:
    ordered = sorted(range(len(items)), key=lambda i: items[i].start)
    for before, after in pairwise(ordered):
        if items[after].start < items[before].end:
            where = f"{what}[{after}]"
            raise InvalidInputError(f"{where} overlaps {what}[{before}]", field=where)


def _fits(activity: str, state: AgentState, rules: Mapping[str, frozenset[AgentState]]) -> bool:
    if activity in rules:
        return state in rules[activity]
    return state in WORKING_STATES if activity == WORK else state is AgentState.NOT_READY


def schedule_adherence(
    schedule: Iterable[ScheduledActivity],
    states: Iterable[StateSpan],
    *,
    rules: Mapping[str, frozenset[AgentState]] | None = None,
) -> Adherence:
    """Measure one agent's adherence and conformance to a schedule.

    A state fits :data:`WORK` when it is one of :data:`WORKING_STATES`, and
    any other activity (a break, lunch, training) when it is ``not_ready``;
    ``rules`` overrides this per activity (``{"training": frozenset({...})}``).
    Time scheduled while the agent is logged out (no span) is out of
    adherence with state ``None``. This is the usual definition of NICE,
    Verint and Amazon Connect (adherence over scheduled time; conformance as
    worked over scheduled work, whenever worked).

    Args:
        schedule: The agent's scheduled activities, not overlapping, at least
            one, at most :data:`MAX_SCHEDULE_ITEMS`.
        states: The agent's state spans, not overlapping, at most
            :data:`MAX_SCHEDULE_ITEMS`.
        rules: Activity names mapped to the states that adhere to them.

    Returns:
        The adherence report.

    Raises:
        InvalidInputError: a wrong type, overlapping activities or spans, an
            empty schedule, or too many items; ``field`` names the item.
    """
    planned, spans, table = _checked(schedule, states, rules)
    return _sweep(planned, spans, table)


def _checked(
    schedule: object, states: object, rules: object
) -> tuple[list[ScheduledActivity], list[StateSpan], dict[str, frozenset[AgentState]]]:
    """The inputs of :func:`schedule_adherence`, checked."""
    planned = check_items(schedule, ScheduledActivity, "schedule")
    spans = check_items(states, StateSpan, "states")
    if not planned:
        raise InvalidInputError("schedule must hold at least one activity", field="schedule")
    for items, what in ((planned, "schedule"), (spans, "states")):
        if len(items) > MAX_SCHEDULE_ITEMS:
            raise InvalidInputError(
                f"{what} holds {len(items)} items; the limit is {MAX_SCHEDULE_ITEMS:,}", field=what
            )
    _no_overlap(planned, "schedule")
    _no_overlap(spans, "states")
    table: dict[str, frozenset[AgentState]] = {}
    if rules is not None:
        if not isinstance(rules, Mapping):
            raise InvalidInputError("rules must be a mapping of activity to states", field="rules")
        for name, allowed in rules.items():
            check_text(name, "rules")
            table[name] = frozenset(check_items(allowed, AgentState, f"rules[{name!r}]"))
    return planned, spans, table


def _sweep(
    planned: list[ScheduledActivity],
    spans: list[StateSpan],
    table: dict[str, frozenset[AgentState]],
) -> Adherence:
    """Sweep the instants where the activity or the state changes, adding up the time."""
    events: list[tuple[datetime, int, object]] = []
    for item in planned:
        events += [(item.start, 0, item.activity), (item.end, 0, None)]
    for span in spans:
        events += [(span.start, 1, span.state), (span.end, 1, None)]
    # at one instant, ends (None) before starts, so back-to-back items hand over cleanly
    events.sort(key=lambda event: (event[0], event[2] is not None))
    # time by (scheduled activity or None, state or None), then the figures from it
    pieces: dict[tuple[str | None, AgentState | None], timedelta] = {}
    activity: str | None = None
    state: AgentState | None = None
    previous = events[0][0]
    for moment, kind, value in events:
        if moment > previous:
            key = (activity, state)
            pieces[key] = pieces.get(key, timedelta(0)) + (moment - previous)
        previous = moment
        if kind == 0:
            activity = value if isinstance(value, str) else None
        else:
            state = value if isinstance(value, AgentState) else None
    zero = timedelta(0)
    gaps = [
        AdherenceGap(name, what, length)
        for (name, what), length in pieces.items()
        if name is not None and (what is None or not _fits(name, what, table))
    ]
    gaps.sort(key=lambda gap: (-gap.duration, gap.activity, gap.state.value if gap.state else ""))
    scheduled = sum((length for (name, _), length in pieces.items() if name is not None), zero)
    return Adherence(
        scheduled=scheduled,
        in_adherence=scheduled - sum((gap.duration for gap in gaps), zero),
        out_of_adherence=tuple(gaps),
        scheduled_work=sum((length for (name, _), length in pieces.items() if name == WORK), zero),
        worked=sum(
            (length for (_, what), length in pieces.items() if what in WORKING_STATES), zero
        ),
        unscheduled=sum(
            (length for (name, what), length in pieces.items() if name is None and what), zero
        ),
    )
