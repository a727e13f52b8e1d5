"""Workflows as data: states, transitions, guards and actions, and their validation."""

from __future__ import annotations

import enum
from collections import deque
from collections.abc import Collection, Iterable, Iterator, Mapping, Sequence
from datetime import timedelta
from typing import Any

import attrs

from callcore.errors import DocumentError, Problem
from callcore.notifications import NotificationChannel
from callcore.tickets._checks import (
    bool_field,
    duration_field,
    enum_field,
    items_field,
    text_field,
    texts_field,
)
from callcore.tickets._documents import UNREADABLE, items, leaf, read_fields, readable, record

__all__ = [
    "ActionKind",
    "ActionSpec",
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

    kind: GuardKind = attrs.field(validator=enum_field(GuardKind))
    roles: tuple[str, ...] = attrs.field(default=(), validator=texts_field)
    field: str = attrs.field(default="", validator=text_field(allow_empty=True))

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


class ActionKind(enum.Enum):
    """What a transition asks the host to do."""

    SCHEDULE_FOLLOW_UP = "schedule_follow_up"
    SEND_SURVEY = "send_survey"
    NOTIFY = "notify"
    ASSIGN_ACTOR = "assign_actor"
    """Assign the ticket to whoever applies the transition, if it has no assignee and
    the actor is not the system (Zendesk assigns the agent who solves a ticket)."""


@attrs.frozen
class ActionSpec:
    """An action declared on a transition, produced each time it is applied.

    Attributes:
        kind: Which action.
        after: For a follow-up, how long after the transition it is due when
            the caller gives no due time.
        channel: For a survey or a notification, how it is sent.
        to: For a notification, the recipient: ``"assignee"``, ``"customer"``,
            ``"queue"`` or a literal address.
        template: For a notification or survey, the template name for the host.
    """

    kind: ActionKind = attrs.field(validator=enum_field(ActionKind))
    after: timedelta = attrs.field(default=timedelta(days=1), validator=duration_field())
    channel: NotificationChannel = attrs.field(
        default=NotificationChannel.EMAIL, validator=enum_field(NotificationChannel)
    )
    to: str = attrs.field(default="assignee", validator=text_field())
    template: str = attrs.field(default="", validator=text_field(allow_empty=True))


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

    name: str = attrs.field(validator=text_field(allow_empty=True))
    category: StateCategory = attrs.field(validator=enum_field(StateCategory))
    pauses_sla: bool = attrs.field(default=False, validator=bool_field)
    label: str = attrs.field(default="", validator=text_field(allow_empty=True))


@attrs.frozen
class Transition:
    """A named move from some states to one state.

    Attributes:
        name: Its unique name, which is what callers apply (``"resolve"``).
        sources: The states it may be applied in.
        target: The state it leads to.
        guards: Checks that must all pass.
        actions: What it asks the host to do.
        on_customer_reply: Applied automatically when the customer replies in
            one of its source states (reopening a resolved ticket, leaving
            pending); at most one per state.
    """

    name: str = attrs.field(validator=text_field(allow_empty=True))
    sources: tuple[str, ...] = attrs.field(validator=texts_field)
    target: str = attrs.field(validator=text_field(allow_empty=True))
    guards: tuple[Guard, ...] = attrs.field(default=(), validator=items_field(Guard))
    actions: tuple[ActionSpec, ...] = attrs.field(default=(), validator=items_field(ActionSpec))
    on_customer_reply: bool = attrs.field(default=False, validator=bool_field)


AUTO_CLOSE_DEFAULT = timedelta(days=4)
"""The default of :attr:`Workflow.auto_close_after`, when the workflow can close."""


def _follows_the_workflow(after: object, transition: object, names: Collection[object]) -> bool:
    """Tell whether an auto-close left at its default has no transition to apply.

    The default is this very object (``is``, not ``==``): an explicit 4 days
    with no such transition stays a mistake the validation reports.
    """
    return after is AUTO_CLOSE_DEFAULT and transition not in names


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
            :attr:`auto_close_transition` closes it (``None``: never), in
            elapsed time. Left out, it is 4 days (Zendesk's 96 hours) when the
            workflow has the :attr:`auto_close_transition`, and never otherwise.
        auto_close_transition: The transition that closes a resolved ticket.
    """

    name: str = attrs.field(validator=text_field())
    initial: str = attrs.field(validator=text_field(allow_empty=True))
    states: tuple[State, ...] = attrs.field(validator=items_field(State))
    transitions: tuple[Transition, ...] = attrs.field(validator=items_field(Transition))
    auto_close_after: timedelta | None = attrs.field(
        default=AUTO_CLOSE_DEFAULT, validator=duration_field(optional=True)
    )
    auto_close_transition: str = attrs.field(
        default="close", validator=text_field(allow_empty=True)
    )
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
        if _follows_the_workflow(self.auto_close_after, self.auto_close_transition, self._names):
            object.__setattr__(self, "auto_close_after", None)  # no close transition: never

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
# The checks run on a sketch of the workflow: its states and transitions as
# mappings of field values, where a value that could not be read from a
# document is UNREADABLE. A check that needs an unreadable value is skipped, and
# a check over the whole graph assumes the most of it (an unreadable target
# may lead anywhere), so every problem reported holds whatever the unreadable
# parts say, and none is hidden by them.

_Part = Mapping[str, Any]


def _parts(records: Iterable[State | Transition]) -> list[_Part | None]:
    return [attrs.asdict(item, recurse=False) for item in records]


def _known(value: object) -> bool:
    return value is not UNREADABLE


def _state_names(states: Sequence[_Part | None]) -> set[str]:
    return {s["name"] for s in states if s is not None and _known(s["name"])}


def _state_problems(initial: object, states: Sequence[_Part | None]) -> Iterator[Problem]:
    seen: set[str] = set()
    for index, state in enumerate(states):
        name = None if state is None else state["name"]
        if not isinstance(name, str):
            continue
        if not name:
            yield Problem(f"states[{index}].name", "a state needs a name")
        elif name in seen:
            yield Problem(f"states[{index}].name", f"duplicate state name {name!r}")
        seen.add(name)
    categories = [UNREADABLE if s is None else s["category"] for s in states]
    if not states:
        yield Problem("states", "a workflow needs at least one state")
    elif UNREADABLE not in categories and StateCategory.CLOSED not in categories:
        yield Problem("states", "no state has the category 'closed'")
    if _known(initial) and initial not in seen:
        yield Problem("initial", f"unknown state {initial!r}")


def _guard_problems(path: str, guard: Guard) -> Iterator[Problem]:
    if guard.kind is GuardKind.ROLE and not guard.roles:
        yield Problem(f"{path}.roles", "a 'role' guard needs at least one role")
    if guard.kind is GuardKind.FIELD_SET and not guard.field:
        yield Problem(f"{path}.field", "a 'field_set' guard needs the field's name")


def _parts_problems(path: str, move: _Part) -> Iterator[Problem]:
    """Check a transition's guards and actions (those that could be read)."""
    guards = move["guards"]
    for position, guard in enumerate(guards if _known(guards) else ()):
        if _known(guard):
            yield from _guard_problems(f"{path}.guards[{position}]", guard)
    actions = move["actions"]
    for position, action in enumerate(actions if _known(actions) else ()):
        if (
            _known(action)
            and action.kind is ActionKind.SCHEDULE_FOLLOW_UP
            and action.after <= timedelta(0)
        ):
            yield Problem(f"{path}.actions[{position}].after", "must be positive")


def _transition_problems(  # noqa: C901 - a flat list of independent checks
    transitions: Sequence[_Part | None], names: set[str] | None
) -> Iterator[Problem]:
    seen: set[str] = set()
    reply_sources: dict[str, str] = {}
    for index, move in enumerate(transitions):
        if move is None:
            continue
        path = f"transitions[{index}]"
        name, sources, target = move["name"], move["sources"], move["target"]
        if not _known(name):
            pass
        elif not name:
            yield Problem(f"{path}.name", "a transition needs a name")
        elif name in seen:
            yield Problem(f"{path}.name", f"duplicate transition name {name!r}")
        seen.add(name)
        if _known(sources) and not sources:
            yield Problem(f"{path}.sources", "a transition needs at least one source state")
        for position, source in enumerate(sources if _known(sources) else ()):
            if not _known(source):
                continue
            if names is not None and source not in names:
                yield Problem(f"{path}.sources[{position}]", f"unknown state {source!r}")
            if move["on_customer_reply"] is True:
                if source in reply_sources:
                    yield Problem(
                        f"{path}.on_customer_reply",
                        f"state {source!r} already reopens on a customer reply through "
                        f"{reply_sources[source]!r}",
                    )
                reply_sources[source] = name if _known(name) else path
        if names is not None and _known(target) and target not in names:
            yield Problem(f"{path}.target", f"unknown state {target!r}")
        yield from _parts_problems(path, move)


def _reachable(start: Iterable[str], edges: Mapping[str, set[str]]) -> set[str]:
    seen = set(start)
    queue = deque(seen)
    while queue:
        for nxt in edges.get(queue.popleft(), ()):
            if nxt not in seen:
                seen.add(nxt)
                queue.append(nxt)
    return seen


def _graph_problems(  # noqa: C901, PLR0912 - two searches, each with its unknowns
    initial: object, states: Sequence[_Part | None], transitions: Sequence[_Part | None]
) -> Iterator[Problem]:
    forward: dict[str, set[str]] = {}
    backward: dict[str, set[str]] = {}
    from_anywhere: set[str] = set()  # targets of transitions with an unreadable source
    to_anywhere: set[str] = set()  # sources of transitions with an unreadable target
    anywhere_to_anywhere = False
    for move in transitions:
        if move is None:
            return  # a transition that could lead from anywhere to anywhere: nothing is certain
        sources, target = move["sources"], move["target"]
        wild_source = not readable(sources)
        known_sources = [s for s in (sources if _known(sources) else ()) if _known(s)]
        if not _known(target):
            to_anywhere.update(known_sources)
            anywhere_to_anywhere |= wild_source
            continue
        if wild_source:
            from_anywhere.add(target)
        for source in known_sources:
            forward.setdefault(source, set()).add(target)
            backward.setdefault(target, set()).add(source)
    if anywhere_to_anywhere:
        return  # a transition that could lead from anywhere to anywhere: nothing is certain
    named = [(index, s["name"]) for index, s in enumerate(states) if s and _known(s["name"])]
    names = {name for _, name in named}
    if isinstance(initial, str) and initial in names:
        reachable = _reachable({initial, *from_anywhere}, forward)
        if not reachable.isdisjoint(to_anywhere):
            reachable = names  # an unreadable target may lead to any state
        for index, name in named:
            if name not in reachable:
                yield Problem(
                    f"states[{index}]", f"state {name!r} cannot be reached from {initial!r}"
                )
    closed = {
        s["name"]
        for s in states
        if s and _known(s["name"]) and s["category"] in (StateCategory.CLOSED, UNREADABLE)
    }
    if not closed:
        return  # reported as "no state has the category 'closed'" (or it may be unreadable)
    can_close = _reachable(closed | to_anywhere, backward)
    if not can_close.isdisjoint(from_anywhere):
        return  # a transition with an unreadable source may lead any state towards closure
    for index, name in named:
        if name not in can_close:
            yield Problem(f"states[{index}]", f"no path from {name!r} to a closed state")


def _auto_close_problems(
    after: object,
    transition: object,
    states: Sequence[_Part | None],
    transitions: Sequence[_Part | None],
) -> Iterator[Problem]:
    if after is None or not _known(after):
        return
    names = {move["name"] for move in transitions if move is not None}
    if _follows_the_workflow(after, transition, names):
        return  # left at its default, with no close transition: never closes by itself
    if after <= timedelta(0):  # type: ignore[operator]  # a timedelta, as read
        yield Problem("auto_close_after", "must be positive (or null for never)")
    if not _known(transition):
        return
    moves = [move for move in transitions if move is not None]
    close = next((move for move in moves if move["name"] == transition), None)
    if close is None:
        if all(_known(move["name"]) for move in moves) and len(moves) == len(transitions):
            yield Problem("auto_close_transition", f"unknown transition {transition!r}")
        return
    target = close["target"]
    state = next((s for s in states if s is not None and s["name"] == target), None)
    if (
        state is not None
        and _known(state["category"])
        and state["category"] is not StateCategory.CLOSED
    ):
        yield Problem(
            "auto_close_transition",
            f"{close['name']!r} leads to {target!r}, which is not a closed state",
        )


def _sketch_problems(
    top: Mapping[str, Any],
    states: Sequence[_Part | None] | None,
    transitions: Sequence[_Part | None] | None,
) -> list[Problem]:
    """Find every problem of a workflow sketch that holds whatever its unreadable parts hold."""
    initial = top["initial"]
    problems: list[Problem] = []
    if states is not None:
        problems.extend(_state_problems(initial, states))
    if transitions is not None:
        names = None if states is None else _state_names(states)
        problems.extend(_transition_problems(transitions, names))
        if states is not None:
            problems.extend(_graph_problems(initial, states, transitions))
            problems.extend(
                _auto_close_problems(
                    top["auto_close_after"], top["auto_close_transition"], states, transitions
                )
            )
    return problems


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
    top = {"initial": workflow.initial, "auto_close_after": workflow.auto_close_after,
           "auto_close_transition": workflow.auto_close_transition}  # fmt: skip
    return _sketch_problems(top, _parts(workflow.states), _parts(workflow.transitions))


# --- reading documents ------------------------------------------------------------

_read_guard = record(Guard)
_read_action = record(ActionSpec)
_TRANSITION_READERS = {
    "sources": items(leaf(str)),
    "guards": items(_read_guard),
    "actions": items(_read_action),
}


def _later(*_: object) -> object:
    """Leave a part to be read on its own (states and transitions are read item by item)."""
    return UNREADABLE


def _read_parts(
    data: object, path: str, cls: type, problems: list[Problem], readers: Mapping[str, Any]
) -> list[_Part | None] | None:
    """Read a list of records field by field (``None`` for what is not a list or mapping)."""
    if not isinstance(data, list | tuple):
        problems.append(Problem(path, f"expected a list, got {type(data).__name__}"))
        return None
    return [
        read_fields(item, cls, f"{path}[{index}]", problems, readers)
        for index, item in enumerate(data)
    ]


def _build_workflow(
    top: Mapping[str, Any], states: list[_Part | None], transitions: list[_Part | None]
) -> Workflow:
    built_states = tuple(State(**part) for part in states if part is not None)
    built_moves = tuple(Transition(**part) for part in transitions if part is not None)
    return Workflow(**{**top, "states": built_states, "transitions": built_moves})


def load_workflow(data: object) -> Workflow:
    """Read and validate a workflow document (a plain dict, as from JSON).

    The document is read in one pass that collects every problem it can: a
    part that cannot be read (a wrong type, an unknown field) is reported with
    its path, and the checks of the whole workflow still run on every other
    part, so a structural mistake never hides an unrelated one.

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
    problems: list[Problem] = []
    readers = {"states": _later, "transitions": _later}
    top = read_fields(data, Workflow, "", problems, readers)
    if top is None or not isinstance(data, Mapping):
        raise DocumentError(problems, what)
    states = transitions = None
    if "states" in data:
        states = _read_parts(data["states"], "states", State, problems, {})
    if "transitions" in data:
        transitions = _read_parts(
            data["transitions"], "transitions", Transition, problems, _TRANSITION_READERS
        )
    problems.extend(_sketch_problems(top, states, transitions))
    if problems:
        raise DocumentError(problems, what)
    assert states is not None  # noqa: S101 - no problems: all was read
    assert transitions is not None  # noqa: S101 - no problems: all was read
    return _build_workflow(
        {key: value for key, value in top.items() if key not in readers}, states, transitions
    )
