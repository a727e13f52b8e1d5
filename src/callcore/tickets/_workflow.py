"""Workflows as data: states, transitions, guards and effects, and their validation."""

from __future__ import annotations

import enum
from collections import deque
from collections.abc import Iterator, Mapping
from datetime import timedelta

import attrs

from callcore.errors import DocumentError, Problem
from callcore.notifications import NotificationChannel
from callcore.serialization import from_dict

__all__ = [
    "EffectKind",
    "EffectSpec",
    "Guard",
    "GuardKind",
    "State",
    "StateCategory",
    "Transition",
    "Workflow",
    "load_workflow",
    "validate_workflow",
]


class StateCategory(enum.Enum):
    """What a state means for reporting, SLAs and automation, whatever its name."""

    NEW = "new"
    OPEN = "open"
    WAITING = "waiting"
    RESOLVED = "resolved"
    CLOSED = "closed"


class GuardKind(enum.Enum):
    """The declarative checks a transition may require."""

    NOTE_REQUIRED = "note_required"
    """A note (the resolution, the reason) must be given with the transition."""
    ASSIGNEE_OR_SUPERVISOR = "assignee_or_supervisor"
    """Only the ticket's assignee, a supervisor or the system may apply it."""
    ASSIGNED = "assigned"
    """The ticket must have an assignee."""
    ROLE = "role"
    """The actor must hold one of the guard's ``roles``."""
    FIELD_SET = "field_set"
    """The custom field named by the guard's ``field`` must have a value."""


@attrs.frozen
class Guard:
    """A condition that must hold for a transition to be applied.

    Attributes:
        kind: Which check.
        roles: For :attr:`GuardKind.ROLE`, the roles that may apply the transition.
        field: For :attr:`GuardKind.FIELD_SET`, the custom field that must be set.
    """

    kind: GuardKind
    roles: tuple[str, ...] = ()
    field: str = ""

    def describe(self) -> str:
        """Say in words what the guard requires (used in error messages)."""
        if self.kind is GuardKind.ROLE:
            return f"the actor must have one of the roles {', '.join(self.roles)}"
        if self.kind is GuardKind.FIELD_SET:
            return f"the field {self.field!r} must be set"
        return {
            GuardKind.NOTE_REQUIRED: "a note is required",
            GuardKind.ASSIGNEE_OR_SUPERVISOR: "only the assignee or a supervisor may do this",
            GuardKind.ASSIGNED: "the ticket must be assigned",
        }[self.kind]


class EffectKind(enum.Enum):
    """What a transition asks the outside world to do."""

    SCHEDULE_FOLLOW_UP = "schedule_follow_up"
    SEND_SURVEY = "send_survey"
    NOTIFY = "notify"


@attrs.frozen
class EffectSpec:
    """An effect declared on a transition, produced each time it is applied.

    Attributes:
        kind: Which effect.
        after: For a follow-up, how long after the transition it is due when
            the caller gives no due time.
        channel: For a survey or a notification, how it is sent.
        to: For a notification, the recipient: ``"assignee"``, ``"customer"``,
            ``"queue"`` or a literal address.
        template: For a notification or survey, the template name for the host.
    """

    kind: EffectKind
    after: timedelta = timedelta(days=1)
    channel: NotificationChannel = NotificationChannel.EMAIL
    to: str = "assignee"
    template: str = ""


@attrs.frozen
class State:
    """A state of a workflow.

    Attributes:
        name: Its unique name (``"pending"``).
        category: What it means (new, open, waiting, resolved, closed).
        pauses_sla: SLA clocks stop counting while a ticket is here (waiting on
            the customer); a policy may name more such states.
        label: A human name for displays; defaults to the name.
    """

    name: str
    category: StateCategory
    pauses_sla: bool = False
    label: str = ""


@attrs.frozen
class Transition:
    """A named move from some states to one state.

    Attributes:
        name: Its unique name, which is what callers apply (``"resolve"``).
        sources: The states it may be applied in.
        target: The state it leads to.
        guards: Checks that must all pass.
        effects: What it asks the outside world to do.
        on_customer_reply: Applied automatically when the customer replies in
            one of its source states (reopening a resolved ticket, leaving
            pending); at most one per state.
    """

    name: str
    sources: tuple[str, ...]
    target: str
    guards: tuple[Guard, ...] = ()
    effects: tuple[EffectSpec, ...] = ()
    on_customer_reply: bool = False


@attrs.frozen
class Workflow:
    """A ticket workflow: a state machine written as data.

    Build one in code or load it from a document with :func:`load_workflow`,
    which validates it.

    Attributes:
        name: Its unique name, under which it is registered.
        initial: The state of a new ticket.
        states: Every state.
        transitions: Every transition.
        auto_close_after: How long a ticket may stay resolved before the
            :attr:`auto_close_transition` closes it (``None``: never).
        auto_close_transition: The transition that closes a resolved ticket.
    """

    name: str
    initial: str
    states: tuple[State, ...]
    transitions: tuple[Transition, ...]
    auto_close_after: timedelta | None = timedelta(days=4)
    auto_close_transition: str = "close"
    _states: Mapping[str, State] = attrs.field(init=False, repr=False, eq=False)
    _moves: Mapping[tuple[str, str], Transition] = attrs.field(init=False, repr=False, eq=False)
    _names: frozenset[str] = attrs.field(init=False, repr=False, eq=False)
    _reply_moves: Mapping[str, Transition] = attrs.field(init=False, repr=False, eq=False)
    _categories: Mapping[str, StateCategory] = attrs.field(init=False, repr=False, eq=False)

    def __attrs_post_init__(self) -> None:
        """Index states and transitions for fast lookups."""
        moves = {(source, t.name): t for t in self.transitions for source in t.sources}
        replies = {s: t for t in self.transitions if t.on_customer_reply for s in t.sources}
        object.__setattr__(self, "_states", {state.name: state for state in self.states})
        object.__setattr__(self, "_moves", moves)
        object.__setattr__(self, "_names", frozenset(t.name for t in self.transitions))
        object.__setattr__(self, "_reply_moves", replies)
        object.__setattr__(self, "_categories", {s.name: s.category for s in self.states})

    def state(self, name: str) -> State:
        """Return the state called ``name``.

        Raises:
            KeyError: no such state.
        """
        return self._states[name]

    def category(self, name: str) -> StateCategory:
        """Return the category of the state called ``name``.

        Raises:
            KeyError: no such state.
        """
        return self._categories[name]

    def has_state(self, name: str) -> bool:
        """Tell whether the workflow has a state called ``name``."""
        return name in self._states

    def has_transition(self, name: str) -> bool:
        """Tell whether the workflow has a transition called ``name``."""
        return name in self._names

    def transition(self, state: str, name: str) -> Transition | None:
        """Return the transition ``name`` if it may be applied in ``state``."""
        return self._moves.get((state, name))

    def reply_transition(self, state: str) -> Transition | None:
        """Return the transition a customer reply triggers in ``state``, if any."""
        return self._reply_moves.get(state)

    def available(self, state: str) -> tuple[str, ...]:
        """Return the names of the transitions that may be applied in ``state``."""
        return tuple(t.name for t in self.transitions if state in t.sources)


# --- validation ---------------------------------------------------------------


def _reachable(start: str, edges: Mapping[str, set[str]]) -> set[str]:
    seen = {start}
    queue = deque([start])
    while queue:
        for nxt in edges.get(queue.popleft(), ()):
            if nxt not in seen:
                seen.add(nxt)
                queue.append(nxt)
    return seen


def _state_problems(workflow: Workflow) -> Iterator[Problem]:
    seen: set[str] = set()
    for index, state in enumerate(workflow.states):
        if not state.name:
            yield Problem(f"states[{index}].name", "a state needs a name")
        elif state.name in seen:
            yield Problem(f"states[{index}].name", f"duplicate state name {state.name!r}")
        seen.add(state.name)
    if not workflow.states:
        yield Problem("states", "a workflow needs at least one state")
    elif not any(s.category is StateCategory.CLOSED for s in workflow.states):
        yield Problem("states", "no state has the category 'closed'")
    if workflow.initial not in seen:
        yield Problem("initial", f"unknown state {workflow.initial!r}")


def _guard_problems(path: str, guard: Guard) -> Iterator[Problem]:
    if guard.kind is GuardKind.ROLE and not guard.roles:
        yield Problem(f"{path}.roles", "a 'role' guard needs at least one role")
    if guard.kind is GuardKind.FIELD_SET and not guard.field:
        yield Problem(f"{path}.field", "a 'field_set' guard needs the field's name")


def _transition_problems(  # noqa: C901 - a flat list of independent checks
    workflow: Workflow, names: set[str]
) -> Iterator[Problem]:
    seen: set[str] = set()
    reply_sources: dict[str, str] = {}
    for index, move in enumerate(workflow.transitions):
        path = f"transitions[{index}]"
        if not move.name:
            yield Problem(f"{path}.name", "a transition needs a name")
        elif move.name in seen:
            yield Problem(f"{path}.name", f"duplicate transition name {move.name!r}")
        seen.add(move.name)
        if not move.sources:
            yield Problem(f"{path}.sources", "a transition needs at least one source state")
        for position, source in enumerate(move.sources):
            if source not in names:
                yield Problem(f"{path}.sources[{position}]", f"unknown state {source!r}")
            if move.on_customer_reply:
                if source in reply_sources:
                    yield Problem(
                        f"{path}.on_customer_reply",
                        f"state {source!r} already reopens on a customer reply through "
                        f"{reply_sources[source]!r}",
                    )
                reply_sources[source] = move.name
        if move.target not in names:
            yield Problem(f"{path}.target", f"unknown state {move.target!r}")
        for position, guard in enumerate(move.guards):
            yield from _guard_problems(f"{path}.guards[{position}]", guard)
        for position, effect in enumerate(move.effects):
            if effect.kind is EffectKind.SCHEDULE_FOLLOW_UP and effect.after <= timedelta(0):
                yield Problem(f"{path}.effects[{position}].after", "must be positive")


def _graph_problems(workflow: Workflow, names: set[str]) -> Iterator[Problem]:
    forward: dict[str, set[str]] = {}
    backward: dict[str, set[str]] = {}
    for move in workflow.transitions:
        for source in move.sources:
            forward.setdefault(source, set()).add(move.target)
            backward.setdefault(move.target, set()).add(source)
    if workflow.initial in names:
        reachable = _reachable(workflow.initial, forward)
        for index, state in enumerate(workflow.states):
            if state.name not in reachable:
                yield Problem(
                    f"states[{index}]",
                    f"state {state.name!r} cannot be reached from {workflow.initial!r}",
                )
    closed = [s.name for s in workflow.states if s.category is StateCategory.CLOSED]
    can_close: set[str] = set()
    for name in closed:
        can_close |= _reachable(name, backward)
    if closed:
        for index, state in enumerate(workflow.states):
            if state.name not in can_close:
                yield Problem(f"states[{index}]", f"no path from {state.name!r} to a closed state")


def _auto_close_problems(workflow: Workflow, names: set[str]) -> Iterator[Problem]:
    if workflow.auto_close_after is None:
        return
    if workflow.auto_close_after <= timedelta(0):
        yield Problem("auto_close_after", "must be positive (or null for never)")
    close = next(
        (t for t in workflow.transitions if t.name == workflow.auto_close_transition), None
    )
    if close is None:
        yield Problem(
            "auto_close_transition", f"unknown transition {workflow.auto_close_transition!r}"
        )
    elif close.target in names:
        target = next(s for s in workflow.states if s.name == close.target)
        if target.category is not StateCategory.CLOSED:
            yield Problem(
                "auto_close_transition",
                f"{close.name!r} leads to {close.target!r}, which is not a closed state",
            )


def validate_workflow(workflow: Workflow) -> list[Problem]:
    """Find everything wrong with a workflow.

    Checks: duplicate or unknown state names, duplicate transition names,
    states that cannot be reached from the initial state, states with no path to
    a closed state, guards missing their parameters, several customer-reply
    transitions out of one state and an auto-close transition that does not close.

    Args:
        workflow: The workflow to check.

    Returns:
        The problems, each with its path; empty when the workflow is sound.
    """
    names = {state.name for state in workflow.states}
    return [
        *_state_problems(workflow),
        *_transition_problems(workflow, names),
        *_graph_problems(workflow, names),
        *_auto_close_problems(workflow, names),
    ]


def load_workflow(data: object) -> Workflow:
    """Read and validate a workflow document (a plain dict, as from JSON).

    Args:
        data: The document.

    Returns:
        The workflow.

    Raises:
        DocumentError: The document is malformed or the workflow is unsound;
            every problem is listed with its path.
    """
    name = data.get("name") if isinstance(data, Mapping) else None
    what = f"ticket workflow {name!r}" if isinstance(name, str) else "ticket workflow"
    workflow = from_dict(Workflow, data, what=what)
    problems = validate_workflow(workflow)
    if problems:
        raise DocumentError(problems, what)
    return workflow
