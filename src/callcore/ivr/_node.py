"""What every node type is: its document fields, its edges and its runtime steps.

A node type is a frozen attrs class derived from :class:`Node`. The validator
reads its edges (:meth:`Node.targets`), prompts and own problems; the session
calls :meth:`Node.enter` when the call reaches the node and, for nodes that
wait, :meth:`Node.resume` with the event that ended the wait. Nodes never keep
state of their own: counters, variables and the language live in the session
and are reached through a :class:`NodeContext`.
"""

from __future__ import annotations

import enum
import functools
from collections.abc import Hashable
from typing import TYPE_CHECKING, Any, ClassVar, Protocol

import attrs

from callcore.contacts import ContactOutcome
from callcore.ivr._protocol import Action, Digits, FlowFailed, IvrEvent, Play, Speech

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator, Mapping
    from datetime import datetime, timedelta

    from callcore.errors import Problem

__all__ = [
    "Calendar",
    "Edge",
    "Node",
    "NodeContext",
    "Shape",
    "Step",
    "step_to",
]

_MEMO_LIMIT = 256
"""Steps a node remembers before it starts afresh (bounds prompts rendered per call)."""


class Shape(enum.Enum):
    """How a node type is drawn in diagrams."""

    RECT = "rect"
    ROUND = "round"
    STADIUM = "stadium"
    DIAMOND = "diamond"
    HEXAGON = "hexagon"
    PARALLELOGRAM = "parallelogram"
    TRAPEZOID = "trapezoid"
    SUBROUTINE = "subroutine"
    CYLINDER = "cylinder"
    CIRCLE = "circle"
    DOUBLE_CIRCLE = "double_circle"
    ASYMMETRIC = "asymmetric"


class Calendar(Protocol):
    """What an ``hours`` node needs from a business calendar.

    :class:`callcore.calendar.BusinessCalendar` has this shape.
    """

    def is_open(self, t: datetime) -> bool:
        """Whether the business is open at ``t``."""
        ...

    def holiday(self, t: datetime) -> object | None:
        """The holiday on ``t``'s local date, if any."""
        ...


class NodeContext(Protocol):
    """The session as a node sees it while it runs."""

    @property
    def now(self) -> datetime:
        """The time of the event being handled."""
        ...

    @property
    def node(self) -> str:
        """The name of the running node."""
        ...

    @property
    def language(self) -> str:
        """The caller's current language."""
        ...

    @property
    def languages(self) -> tuple[str, ...]:
        """The flow's languages, the default first."""
        ...

    @property
    def variables(self) -> dict[str, Any]:
        """The flow's variables (writable)."""
        ...

    @property
    def caller(self) -> Mapping[str, Any]:
        """The caller attributes given at start."""
        ...

    @property
    def call(self) -> Mapping[str, Any]:
        """The call data given at start."""
        ...

    @property
    def visits(self) -> int:
        """How many times the call has entered this node (this one included)."""
        ...

    @property
    def waiting_since(self) -> datetime | None:
        """When the node started waiting, while it waits."""
        ...

    def count(self, name: str) -> int:
        """The node's counter ``name`` (``noinput``, ``nomatch``), reset on entry."""
        ...

    def bump(self, name: str) -> int:
        """Add one to the counter ``name`` and return its new value."""
        ...

    def reset(self, name: str) -> None:
        """Set the counter ``name`` back to zero."""
        ...

    def play(self, prompt: str) -> Play:
        """The :class:`Play` action for a prompt id in the current language."""
        ...

    def scope(self) -> Mapping[str, Any]:
        """The data conditions and placeholders see: vars, caller, call, language."""
        ...

    def calendar(self, name: str) -> Calendar | None:
        """The session's calendar called ``name``, if it has one."""
        ...

    def set_language(self, language: str) -> None:
        """Change the caller's language."""
        ...

    @property
    def voices(self) -> Mapping[str, str]:
        """The flow's text-to-speech voice of each language."""
        ...

    @property
    def hot_hints(self) -> tuple[str, ...]:
        """The keywords of the flow's hot keys, for the speech recogniser."""
        ...

    def hot_key(self, event: Digits | Speech) -> str | None:
        """The target of the flow's hot key that ``event`` chooses, if any.

        ``event``'s digits have their finish key dropped; speech is matched
        by whole words, and the node checks its confidence first.
        """
        ...

    def hold_secret(self, variable: str, value: object) -> None:
        """Keep a sensitive entry in memory only, for the first lookup that reads it."""
        ...

    def reveal(self, subject: str) -> Any:  # noqa: ANN401 - any JSON value
        """The value of ``subject``; a held secret's value itself, once (then it is dropped)."""
        ...


@attrs.frozen
class Edge:
    """A way out of a node.

    Attributes:
        label: What takes this edge (a key, ``noinput``, a condition).
        target: The node it leads to.
        path: The field that names the target, relative to the node
            (``options[2].goto``), for error messages.
    """

    label: str
    target: str
    path: str


@attrs.frozen
class Step:
    """What a node decided: actions to emit, then where the call goes.

    Exactly one of ``goto``, ``wait``, ``outcome``, ``subflow`` or ``returns``
    says what happens next (``subflow`` uses ``goto`` as its return point).

    Attributes:
        actions: Actions for the host, in order.
        goto: The next node.
        wait: Stay on this node until the host sends an event.
        outcome: End the session with this outcome (a
            :class:`~callcore.contacts.ContactOutcome`).
        subflow: Enter this flow; come back to ``goto`` when it returns.
        returns: Return from the current subflow.
    """

    actions: tuple[Action, ...] = ()
    goto: str | None = None
    wait: bool = False
    outcome: ContactOutcome | None = None
    subflow: str | None = None
    returns: bool = False

    @classmethod
    def fail(cls, reason: str, actions: tuple[Action, ...] = ()) -> Step:
        """End the session as failed, with a :class:`FlowFailed` action."""
        return cls((*actions, FlowFailed(reason)), outcome=ContactOutcome.FAILED)


@functools.lru_cache(maxsize=4096)
def step_to(target: str) -> Step:
    """``Step(goto=target)``, shared: steps are immutable and this one is the commonest."""
    return Step(goto=target)


@attrs.frozen(kw_only=True)
class Node:
    """The base of every node type.

    Subclasses set the class variables and override the methods that apply.

    Attributes:
        type_name: The node type's name in documents (its ``type``, such as ``"menu"``).
        shape: How diagrams draw it.
        asks_caller: Whether the node asks the caller for input (a cycle
            through such a node is not an infinite loop).
        terminal: Whether the session (or subflow) can end at this node.
        accepts: The events the node waits for; empty if it never waits.
        bounds_cycles: Whether a cycle through the node ends by itself (a
            loop node counts its turns), so it is no infinite loop.
    """

    type_name: ClassVar[str] = ""
    shape: ClassVar[Shape] = Shape.RECT
    asks_caller: ClassVar[bool] = False
    terminal: ClassVar[bool] = False
    accepts: ClassVar[tuple[type, ...]] = ()
    bounds_cycles: ClassVar[bool] = False

    # Steps already built by this node, by what they were built from: a node is
    # immutable, so the same inputs give an equal step, and sessions share it.
    _memo: dict[Hashable, Step] = attrs.field(
        init=False, factory=dict, eq=False, hash=False, repr=False
    )

    def remembered(self, key: Hashable, build: Callable[[], Step]) -> Step:
        """The step for ``key``, built by ``build`` on first use and reused after.

        For node types whose step depends only on the node's fields and on
        ``key`` (such as the prompts played); saves rebuilding the actions.
        """
        step = self._memo.get(key)
        if step is None:
            if len(self._memo) >= _MEMO_LIMIT:
                self._memo.clear()
            step = self._memo[key] = build()
        return step

    def targets(self) -> list[Edge]:
        """The node's edges, in a stable order."""
        return []

    def target_names(self) -> list[str]:
        """The targets of :meth:`targets`, in the same order.

        The validator's graph passes need only these; node types override it
        to skip building :class:`Edge` objects (and their labels).
        """
        return [edge.target for edge in self.targets()]

    def prompt_ids(self) -> list[str]:
        """Every prompt id the node may play."""
        return []

    def subflows(self) -> list[str]:
        """The ids of the flows the node calls."""
        return []

    def calendars(self) -> list[str]:
        """The names of the calendars the node reads."""
        return []

    def problems(self) -> Iterator[Problem]:
        """The node's own problems, with paths relative to the node."""
        return iter(())

    def silent_targets(self) -> list[str]:
        """Where the call may go when the caller never answers (all targets, by default).

        The validator follows these to find loops a silent line goes round
        forever; an asking node answers its no-input branch only.
        """
        return self.target_names()

    def warnings(self) -> Iterator[tuple[str, str, str]]:
        """What loads but is probably a mistake: (code, path relative to the node, message)."""
        return iter(())

    def wait_limit(self) -> timedelta | None:
        """How long the node waits for an event before the session gives up (``None``: no limit).

        At the end the session resumes the node with a
        :class:`~callcore.ivr.NoInput` (:meth:`IvrSession.tick`), so a node
        type that gives a limit must accept it; a limit of zero or less is none.
        """
        return None

    def hears_hot_keys(self) -> bool:
        """Whether the flow's hot keys can take the call away from this node."""
        return False

    def masks_input(self) -> bool:
        """Whether what the caller enters here is sensitive (masked in the trace)."""
        return False

    def enter(self, ctx: NodeContext) -> Step:
        """Run the node when the call reaches it."""
        raise NotImplementedError

    def resume(self, ctx: NodeContext, event: IvrEvent) -> Step:
        """Go on after a wait, with the event that ended it (one of ``accepts``)."""
        raise NotImplementedError
