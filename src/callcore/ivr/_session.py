"""The runtime: a sans-I/O session that walks one call through a flow.

The host calls :meth:`IvrSession.start`, carries out the actions of the
:class:`~callcore.ivr.IvrUpdate` it returns, and feeds every caller or host
event to :meth:`IvrSession.handle` with the current time; it calls
:meth:`IvrSession.tick` at :meth:`IvrSession.next_deadline`. The session never
reads a clock, sleeps or does I/O; its state is plain data that serialises, so
a web-hook host can keep no process per call.
"""

from __future__ import annotations

import copy
import enum
import operator
from collections.abc import Iterable, Mapping
from datetime import datetime, timedelta, timezone
from types import MappingProxyType
from typing import Any, NoReturn

import attrs

from callcore.checks import (
    EARLIEST,
    LATEST,
    check_count,
    check_duration,
    check_instant,
    check_plain_data,
    shown,
    validator,
)
from callcore.contacts import ContactOutcome
from callcore.errors import (
    ConfigError,
    DocumentError,
    InvalidInputError,
    InvalidTransitionError,
    Problem,
)
from callcore.events import Event
from callcore.ivr._compiled import CompiledFlow, compiled
from callcore.ivr._conditions import lookup
from callcore.ivr._events import (
    IvrUpdate,
    SessionEnded,
    make_ended,
    make_started,
    make_update,
)
from callcore.ivr._flow import AUDIO_PREFIX, Flow, check_flow, flow_list, render
from callcore.ivr._node import Calendar, Node, Step
from callcore.ivr._nodes import has_words, lookup_language, mask, words
from callcore.ivr._protocol import (
    Action,
    ActionCompleted,
    ActionFailed,
    BotFinished,
    CallerHangup,
    Digits,
    FlowFailed,
    Hangup,
    IvrEvent,
    LookupResult,
    NoInput,
    Play,
    Speech,
    plain_mapping,
)

__all__ = ["Frame", "IvrSession", "SessionLimits", "SessionState", "SessionStatus", "TraceEntry"]

_EVENT_TYPES = (
    Digits,
    Speech,
    NoInput,
    ActionCompleted,
    ActionFailed,
    LookupResult,
    BotFinished,
    CallerHangup,
)
_EVENT_NAMES = tuple(cls.__name__ for cls in _EVENT_TYPES)


MAX_STEPS_PER_EVENT = 100_000
"""The highest :attr:`SessionLimits.max_steps_per_event` (bounds the work of one event)."""
MAX_SUBFLOW_DEPTH = 100
"""The highest :attr:`SessionLimits.max_subflow_depth`."""


@attrs.frozen(kw_only=True)
class SessionLimits:
    """Caps that turn a runaway flow into a clean :class:`FlowFailed`.

    Each cap is checked when the limits are built: a bad one raises
    :class:`~callcore.errors.InvalidInputError` naming it.

    Attributes:
        max_steps_per_event: Nodes run for one event before giving up (a
            loop); 1 to :data:`MAX_STEPS_PER_EVENT`.
        max_call_time: Time from the start at which the call fails (at
            :meth:`IvrSession.next_deadline`: ``tick`` then, or the next event
            at or after it, ends it); longer than zero, at most 100 years.
        max_subflow_depth: How deep subflows may nest; 0 to :data:`MAX_SUBFLOW_DEPTH`.
        prompt_allowance: Time allowed for a gather's prompts to play before
            its own timers start; the session's backstop for a host that
            never sends :class:`~callcore.ivr.NoInput` (:meth:`IvrSession.next_deadline`).
    """

    max_steps_per_event: int = attrs.field(
        default=100, validator=validator(check_count, low=1, high=MAX_STEPS_PER_EVENT)
    )
    max_call_time: timedelta = attrs.field(
        default=timedelta(hours=1), validator=validator(check_duration, positive=True)
    )
    max_subflow_depth: int = attrs.field(
        default=5, validator=validator(check_count, low=0, high=MAX_SUBFLOW_DEPTH)
    )
    prompt_allowance: timedelta = attrs.field(
        default=timedelta(minutes=2), validator=validator(check_duration, positive=True)
    )


_DEFAULT_LIMITS = SessionLimits()  # immutable, so every session can share it
_NOTHING = IvrUpdate()  # the update of a call that changed nothing


class SessionStatus(enum.Enum):
    """Where a session is in its life."""

    NEW = "new"
    WAITING = "waiting"
    ENDED = "ended"


@attrs.frozen(kw_only=True)
class TraceEntry:
    """One transition, for audit, KPIs and debugging.

    Attributes:
        at: When it happened.
        flow: The flow's id.
        node: The node that ran.
        event: What made it run: ``"enter"`` or the event (``"digits 1"``);
            when the node asks again after a retry, with its no-input and
            no-match counters (``"digits 7 (nomatch 1)"``, VoiceXML's counters).
        actions: The types of the actions it produced.
        next: Where the call went: a node name, ``"wait"``, or ``"end:OUTCOME"``.
    """

    at: datetime
    flow: str
    node: str
    event: str
    actions: tuple[str, ...] = ()
    next: str = ""


@attrs.define(kw_only=True)
class Frame:
    """One flow on the call's stack (more than one inside subflows).

    Attributes:
        flow: The flow's id.
        version: The flow's pinned version.
        node: The current node in this flow.
        return_to: Where this flow goes on when the subflow it called returns.
    """

    flow: str
    version: int
    node: str
    return_to: str | None = None


@attrs.define(kw_only=True)
class SessionState:
    """Everything a session remembers: plain data that serialises and restores.

    Attributes:
        status: New, waiting for an event, or ended.
        stack: The flows being run, the current one last.
        language: The caller's language.
        variables: The flow's variables.
        caller: Caller attributes given at start (tier, language, known...).
        call: Call data given at start (ani, dnis...).
        counters: The current node's no-input / no-match counters.
        visits: How often each ``flow:node`` was entered.
        started_at: When the call started.
        last_event_at: The time of the latest start or event.
        waiting_since: When the current wait began.
        outcome: How the session ended (self-served, queued, transferred,
            abandoned, failed, or a hangup node's ``outcome``); ``None`` until
            it ends.
        trace: Every transition.
    """

    status: SessionStatus = SessionStatus.NEW
    stack: list[Frame] = attrs.Factory(list)
    language: str = ""
    variables: dict[str, Any] = attrs.Factory(dict)
    caller: dict[str, Any] = attrs.Factory(dict)
    call: dict[str, Any] = attrs.Factory(dict)
    counters: dict[str, int] = attrs.Factory(dict)
    visits: dict[str, int] = attrs.Factory(dict)
    started_at: datetime | None = None
    last_event_at: datetime | None = None
    waiting_since: datetime | None = None
    outcome: ContactOutcome | None = None
    trace: list[TraceEntry] = attrs.Factory(list)


@attrs.define
class _Context:
    """The session as a running node sees it (implements ``NodeContext``).

    A session keeps one and moves it from node to node (``flow``, ``tables``,
    ``name`` and ``at`` are updated before each node runs): nodes use it only
    while they run, so there is no need for a new one per step.
    """

    session: IvrSession
    flow: Flow
    tables: CompiledFlow
    name: str
    at: datetime
    hot_hints: tuple[str, ...] = ()  # the tables' own, kept here for a plain attribute read

    @property
    def language(self) -> str:
        return self.session.state.language

    @property
    def now(self) -> datetime:
        return self.at

    @property
    def node(self) -> str:
        return self.name

    @property
    def languages(self) -> tuple[str, ...]:
        return self.flow.languages

    @property
    def variables(self) -> dict[str, Any]:
        return self.session.state.variables

    @property
    def caller(self) -> Mapping[str, Any]:
        return self.session.state.caller

    @property
    def call(self) -> Mapping[str, Any]:
        return self.session.state.call

    @property
    def visits(self) -> int:
        return self.session.state.visits.get(self.tables.visit_keys[self.name], 0)

    @property
    def waiting_since(self) -> datetime | None:
        return self.session.state.waiting_since

    def count(self, name: str) -> int:
        return self.session.state.counters.get(name, 0)

    def bump(self, name: str) -> int:
        counters = self.session.state.counters
        counters[name] = counters.get(name, 0) + 1
        return counters[name]

    def reset(self, name: str) -> None:
        self.session.state.counters.pop(name, None)

    def scope(self) -> Mapping[str, Any]:
        state = self.session.state
        return {
            "vars": state.variables,
            "caller": state.caller,
            "call": state.call,
            "language": state.language,
        }

    def play(self, prompt: str) -> Play:
        language = self.session.state.language
        ready = self.tables.plays.get(language)
        if ready is not None and prompt in ready:  # no placeholders: built once per flow
            return ready[prompt]
        texts = self.flow.prompts.get(prompt, {})
        text = texts.get(language)
        if text is None:  # validation reports it; at run time a less specific tag, or the default
            nearest = lookup_language(language, tuple(texts))
            language = nearest if nearest is not None else self.flow.default_language
            text = texts.get(language, "")
        barge_in = prompt not in self.flow.no_barge_in
        voice = self.flow.voices.get(language)
        if text.startswith(AUDIO_PREFIX):
            audio = text[len(AUDIO_PREFIX) :]
            return Play(prompt, language, audio=audio, barge_in=barge_in, voice=voice)
        text = render(text, self.scope())
        return Play(prompt, language, text=text, barge_in=barge_in, voice=voice)

    def calendar(self, name: str) -> Calendar | None:
        return self.session.calendars.get(name)

    def set_language(self, language: str) -> None:
        self.session.state.language = language

    @property
    def voices(self) -> Mapping[str, str]:
        return self.flow.voices

    def hot_key(self, event: Digits | Speech) -> str | None:
        tables = self.tables
        if isinstance(event, Digits):
            return tables.hot_digits.get(event.digits)
        if tables.hot_phrases:
            heard = words(event.text)
            for phrase, target in tables.hot_phrases:
                if has_words(heard, phrase):
                    return target
        return None

    def hold_secret(self, variable: str, value: object) -> None:
        self.session.secrets[variable] = value

    def reveal(self, subject: str) -> Any:  # noqa: ANN401 - any JSON value
        sensitive = self.tables.sensitive
        if sensitive and subject.startswith("vars.") and subject[5:] in sensitive:
            # once: after that (or after a restore, which drops it) nothing, never the mask
            return self.session.secrets.pop(subject[5:], None)
        return lookup(self.scope(), subject, None)


def _calendars(calendars: object) -> dict[str, Calendar]:
    """A copy of ``calendars``, if it maps names to calendars."""
    if calendars is None:
        return {}
    if type(calendars) is not dict and not isinstance(calendars, Mapping):
        raise InvalidInputError(
            f"calendars must be a mapping of names to calendars, got {type(calendars).__name__}",
            field="calendars",
        )
    for name, calendar in calendars.items():
        if not isinstance(name, str) or not callable(getattr(calendar, "is_open", None)):
            raise InvalidInputError(
                f"calendars must map names to calendars (with is_open and holiday); "
                f"got {type(name).__name__} → {type(calendar).__name__}",
                field="calendars",
            )
    return dict(calendars)


def _limits(limits: object) -> SessionLimits:
    if limits is None:
        return _DEFAULT_LIMITS
    if not isinstance(limits, SessionLimits):
        raise InvalidInputError(
            f"limits must be SessionLimits, got {type(limits).__name__}", field="limits"
        )
    return limits


def _plain(value: object, what: str) -> dict[str, Any]:
    """A copy of ``value`` if it is a mapping of plain data (``None`` is empty).

    Raises:
        InvalidInputError: ``value`` is not a mapping, or holds what a
            snapshot could not serialise and read back
            (:func:`callcore.checks.check_plain_data`).
    """
    return {} if value is None else plain_mapping(value, what)


_UTC = timezone.utc
_NO_TIME = timedelta(0)


def _refuse_going_back(now: datetime, last: datetime) -> NoReturn:
    raise InvalidInputError(
        f"now ({now.isoformat()}) is earlier than a time already seen "
        f"({last.isoformat()}, the previous event); time cannot go backwards",
        field="now",
    )


def _shown_outcome(outcome: ContactOutcome | None) -> str:
    return outcome.value if isinstance(outcome, ContactOutcome) else shown(outcome)


def _earlier(instant: datetime, than: datetime) -> bool:
    """Whether ``instant`` comes before ``than`` in absolute time (see :func:`_absolute`)."""
    return _absolute(instant) < _absolute(than)


def _absolute(instant: datetime) -> datetime:
    """``instant`` in UTC, so that comparisons and differences are of absolute time.

    Two times in one zone compare and subtract as wall-clock times in Python,
    which is off by the shift across a daylight-saving change.
    """
    return instant if instant.tzinfo is _UTC else instant.astimezone(_UTC)


_NEVER = datetime.min.replace(tzinfo=timezone.utc)
"""The context's time before the first node runs (never seen by a node)."""

_new_entry = object.__new__
_action_type = operator.attrgetter("type")  # an action's type, read in C (no comprehension frame)
# The slot setters, one global each: read directly, with no tuple to unpack per entry.
_set_at = TraceEntry.__dict__["at"].__set__
_set_flow = TraceEntry.__dict__["flow"].__set__
_set_node = TraceEntry.__dict__["node"].__set__
_set_event = TraceEntry.__dict__["event"].__set__
_set_actions = TraceEntry.__dict__["actions"].__set__
_set_next = TraceEntry.__dict__["next"].__set__


def _trace_entry(  # noqa: PLR0917 - one argument per field
    at: datetime, flow: str, node: str, event: str, actions: tuple[str, ...], where: str
) -> TraceEntry:
    """``TraceEntry(...)`` at half the cost: fills the slots without the frozen-setattr calls.

    A session writes one entry per node it runs, so this is on the hottest path;
    the result is an ordinary, equal ``TraceEntry`` (the class has no validators
    or converters to skip).
    """
    entry: TraceEntry = _new_entry(TraceEntry)
    _set_at(entry, at)
    _set_flow(entry, flow)
    _set_node(entry, node)
    _set_event(entry, event)
    _set_actions(entry, actions)
    _set_next(entry, where)
    return entry


class _Checkpoint:
    """What :meth:`IvrSession.handle` needs to undo a run that raised."""

    __slots__ = ("frames", "scalars", "tables", "trace_length")

    def __init__(self, state: SessionState) -> None:
        self.scalars = (
            state.status,
            state.language,
            state.started_at,
            state.last_event_at,
            state.waiting_since,
            state.outcome,
        )
        self.frames = [(f, f.node, f.return_to) for f in state.stack]
        self.tables = (dict(state.variables), dict(state.counters), dict(state.visits))
        self.trace_length = len(state.trace)

    def restore(self, state: SessionState) -> None:
        """Put ``state`` back as it was when the checkpoint was taken."""
        (
            state.status,
            state.language,
            state.started_at,
            state.last_event_at,
            state.waiting_since,
            state.outcome,
        ) = self.scalars
        for frame, node, return_to in self.frames:
            frame.node, frame.return_to = node, return_to
        state.stack[:] = [frame for frame, _, _ in self.frames]
        for table, saved in zip(
            (state.variables, state.counters, state.visits), self.tables, strict=True
        ):
            table.clear()
            table.update(saved)
        del state.trace[self.trace_length :]


def _instant_problems(state: SessionState) -> list[Problem]:
    """Times that are not aware instants in range, or out of order."""
    problems: list[Problem] = []
    times = {
        "started_at": state.started_at,
        "last_event_at": state.last_event_at,
        "waiting_since": state.waiting_since,
    }
    for name, value in times.items():
        if value is None:
            if name != "waiting_since":
                problems.append(Problem(name, "required once the session has started"))
            continue
        try:
            check_instant(value, name)
        except InvalidInputError as exc:
            problems.append(Problem(name, str(exc)))
    first, last, since = state.started_at, state.last_event_at, state.waiting_since
    if problems or first is None or last is None:
        return problems
    first, last = _absolute(first), _absolute(last)
    if last < first:
        problems.append(Problem("last_event_at", "is earlier than started_at"))
    if since is not None and not first <= _absolute(since) <= last:
        problems.append(Problem("waiting_since", "must lie between started_at and last_event_at"))
    return problems


def _is_frame(frame: object) -> bool:
    if not isinstance(frame, Frame):
        return False
    flow: object = frame.flow  # a state built in code may hold anything
    version: object = frame.version
    # a version beyond 64 bits is no flow's (and could not even be printed in a message)
    return isinstance(flow, str) and type(version) is int and version.bit_length() <= 64


def _frame_problems(state: SessionState, flows: Mapping[tuple[str, int], Flow]) -> list[Problem]:
    """Frames that are not frames, or name nodes their flows do not have."""
    problems: list[Problem] = []
    for index, frame in enumerate(state.stack):
        path = f"stack[{index}]"
        if not _is_frame(frame):
            problems.append(Problem(path, "expected a Frame of a flow id, version and node"))
            continue
        nodes = flows[frame.flow, frame.version].nodes
        node: object = frame.node
        if not isinstance(node, str) or node not in nodes:
            problems.append(
                Problem(f"{path}.node", f"flow {frame.flow!r} has no node {frame.node!r:.80}")
            )
        return_to: object = frame.return_to
        if return_to is not None and (not isinstance(return_to, str) or return_to not in nodes):
            problems.append(
                Problem(
                    f"{path}.return_to", f"flow {frame.flow!r} has no node {frame.return_to!r:.80}"
                )
            )
    if problems or state.status is not SessionStatus.WAITING:
        return problems
    frame = state.stack[-1]
    if not flows[frame.flow, frame.version].nodes[frame.node].accepts:
        problems.append(
            Problem(f"stack[{len(state.stack) - 1}].node", "waits at a node that never waits")
        )
    if state.waiting_since is None:
        problems.append(Problem("waiting_since", "required while the session waits"))
    return problems


def _data_problems(value: object, what: str) -> list[Problem]:
    """A problem if ``value`` is not a dict of plain data."""
    if not isinstance(value, dict):
        return [Problem(what, f"expected a mapping, got {type(value).__name__}")]
    try:
        check_plain_data(value, what)
    except InvalidInputError as exc:
        return [Problem(exc.field or what, str(exc))]
    return []


def _state_problems(state: SessionState, flows: Mapping[tuple[str, int], Flow]) -> list[Problem]:
    """Everything that makes ``state`` one no session could have reached.

    ``flows`` holds every (id, version) of the state's frames.
    """
    problems: list[Problem] = []
    status: object = state.status
    if not isinstance(status, SessionStatus) or status is SessionStatus.NEW:
        problems.append(Problem("status", f"must be waiting or ended, got {shown(state.status)}"))
    language: object = state.language
    if not isinstance(language, str):
        problems.append(Problem("language", f"expected text, got {type(language).__name__}"))
    problems += _outcome_problems(state)
    for name in ("variables", "caller", "call", "counters", "visits"):
        problems += _data_problems(getattr(state, name), name)
    for name in ("counters", "visits"):
        table = getattr(state, name)
        if isinstance(table, dict):
            problems += [
                Problem(f"{name}.{key}", f"must be a whole number, 0 or more, got {shown(count)}")
                for key, count in table.items()
                if type(count) is not int or count < 0
            ]
    trace: object = state.trace
    if not isinstance(trace, list) or not all(isinstance(entry, TraceEntry) for entry in trace):
        problems.append(Problem("trace", "expected a list of trace entries"))
    return problems + _instant_problems(state) + _frame_problems(state, flows)


def _outcome_problems(state: SessionState) -> list[Problem]:
    """An outcome that is not a ContactOutcome, or does not fit the status."""
    outcome: object = state.outcome
    if outcome is not None and not isinstance(outcome, ContactOutcome):
        return [Problem("outcome", f"expected a ContactOutcome or None, got {shown(outcome)}")]
    if state.status is SessionStatus.ENDED and outcome is None:
        return [Problem("outcome", "required once the session has ended")]
    if state.status is SessionStatus.WAITING and outcome is not None:
        return [Problem("outcome", "must be None while the session waits")]
    return []


def _with_counters(event: str, counters: Mapping[str, int]) -> str:
    """``event`` with the node's no-input and no-match counters: ``no_input (noinput 2)``."""
    if not counters:  # the usual wait: the node was just entered
        return event
    counted = [f"{name} {counters[name]}" for name in ("noinput", "nomatch") if counters.get(name)]
    return f"{event} ({', '.join(counted)})" if counted else event


def _describe_event(event: IvrEvent, *, masked: bool = False) -> str:
    """The trace's words for ``event``; ``masked`` hides what the caller entered."""
    if type(event) is Digits or isinstance(event, Digits):
        return f"digits {mask(event.digits) if masked else event.digits}"
    if isinstance(event, Speech):
        text = mask(event.text) if masked else event.text
        return f"speech {text!r} ({event.confidence:.2f})"
    if isinstance(event, LookupResult) and event.error is not None:
        return f"lookup_result error {event.error!r}"
    if isinstance(event, ActionFailed) and event.reason:
        return f"action_failed {event.reason!r}"
    return event.type


class IvrSession:
    """One call walking through a flow: events in, actions out.

    >>> from datetime import datetime, timezone
    >>> from callcore.ivr import Digits, IvrSession, load_flow
    >>> flow = load_flow({
    ...     "id": "tiny", "start": "menu", "languages": ["en"],
    ...     "prompts": {"hello": {"en": "Press 1 for sales."}},
    ...     "nodes": {
    ...         "menu": {"type": "menu", "prompt": "hello",
    ...                  "options": [{"key": "1", "goto": "sales"}],
    ...                  "on_noinput": "bye", "on_nomatch": "bye"},
    ...         "sales": {"type": "queue", "queue": "sales"},
    ...         "bye": {"type": "hangup"},
    ...     },
    ... })
    >>> now = datetime(2026, 1, 5, 9, 0, tzinfo=timezone.utc)
    >>> session = IvrSession(flow)
    >>> update = session.start(now=now)
    >>> [action.type for action in update.actions], [event.kind for event in update.events]
    (['gather'], ['ivr.session_started'])
    >>> update = session.handle(Digits("1"), now=now)
    >>> [action.type for action in update.actions], [event.kind for event in update.events]
    (['enqueue_contact'], ['ivr.session_ended'])
    >>> session.outcome, session.path
    (<ContactOutcome.QUEUED: 'queued'>, ('menu', 'sales'))
    """

    def __init__(
        self,
        flow: Flow,
        *,
        subflows: Iterable[Flow] = (),
        calendars: Mapping[str, Calendar] | None = None,
        limits: SessionLimits | None = None,
    ) -> None:
        """Prepare a session on ``flow`` (pinned: later edits do not affect it).

        Args:
            flow: The flow to run.
            subflows: Flows that subflow nodes may call (the highest version of each id).
            calendars: Business calendars by name, for hours nodes.
            limits: Caps on steps, call time and subflow depth.

        Raises:
            InvalidInputError: An argument has the wrong type.
            ConfigError: A node of the flow or of a subflow reads a calendar
                that ``calendars`` does not hold (the names given to
                :func:`load_flow`'s ``calendars`` must all come as objects here).
        """
        check_flow(flow)
        subflows = flow_list(subflows, "subflows")
        self.calendars: Mapping[str, Calendar] = _calendars(calendars)
        self.limits = _limits(limits)
        self.flow = flow
        self.state = SessionState()
        # Sensitive entries (card numbers) until a lookup takes them: memory only,
        # never in the state, its snapshots, the trace or the events.
        self.secrets: dict[str, Any] = {}
        tables = compiled(flow)
        self._context = _Context(self, flow, tables, flow.start, _NEVER, tables.hot_hints)
        self._context_frame: Frame | None = None  # the frame whose flow the context holds
        self._pinned: dict[tuple[str, int], Flow] = {(flow.id, flow.version): flow}
        self._library: dict[str, Flow] = {}
        for sub in subflows:
            known = self._library.get(sub.id)
            if known is None or sub.version > known.version:
                self._library[sub.id] = sub
            self._pinned[sub.id, sub.version] = sub
        needed = tables.calendars  # worked out once per flow
        if subflows:
            needed = needed.union(*(compiled(sub).calendars for sub in subflows))
        if needed and not needed.issubset(self.calendars):  # now, not at the hours node
            missing = sorted(needed.difference(self.calendars))
            given = ", ".join(sorted(self.calendars)) or "none"
            raise ConfigError(
                f"the flow reads the calendars {missing}, which were not given "
                f"(given: {given}); pass them as IvrSession(calendars=...)"
            )

    # --- reading -------------------------------------------------------------

    @property
    def status(self) -> SessionStatus:
        """New, waiting or ended."""
        return self.state.status

    @property
    def ended(self) -> bool:
        """Whether the session has ended."""
        return self.state.status is SessionStatus.ENDED

    @property
    def pinned_flows(self) -> tuple[Flow, ...]:
        """The flow versions the session runs: its flow and the subflows it took or may take.

        Fixed when it starts (a later version given to the host does not
        change a session under way); :meth:`restore` needs every one of them
        that is on the state's stack, so a host that keeps sessions across a
        restart keeps these versions until the sessions end.
        """
        return tuple(self._pinned.values())

    @property
    def outcome(self) -> ContactOutcome | None:
        """How the session ended, or ``None`` while it runs."""
        return self.state.outcome

    @property
    def language(self) -> str:
        """The caller's current language."""
        return self.state.language

    @property
    def variables(self) -> Mapping[str, Any]:
        """The flow's variables (read-only view)."""
        return MappingProxyType(self.state.variables)

    @property
    def current_node(self) -> str | None:
        """The node the call is at (waiting or last run), or ``None`` before start."""
        return self.state.stack[-1].node if self.state.stack else None

    @property
    def trace(self) -> tuple[TraceEntry, ...]:
        """Every transition so far."""
        return tuple(self.state.trace)

    @property
    def path(self) -> tuple[str, ...]:
        """The nodes entered, in order (subflow nodes as ``flow:node``)."""
        top = self.flow.id
        return tuple(
            entry.node if entry.flow == top else f"{entry.flow}:{entry.node}"
            for entry in self.state.trace
            if entry.event == "enter"
        )

    @property
    def waiting_for(self) -> tuple[str, ...]:
        """The event types the session accepts now (always ``caller_hangup`` while waiting)."""
        if self.state.status is not SessionStatus.WAITING:
            return ()
        node = self._node()
        names = [str(getattr(cls, "type", cls.__name__)) for cls in node.accepts] if node else []
        return (*names, CallerHangup.type)

    def next_deadline(self) -> datetime | None:
        """When the session next needs :meth:`tick`: a wait's end or the maximum call time.

        Returns:
            While the session waits, the earlier (an aware instant in UTC) of
            the end of its maximum call time (:attr:`SessionLimits.max_call_time`
            after the start) and the end of the current wait: a lookup's
            ``timeout``, or for a gather its ``timeout``, ``inter_digit_timeout``
            for each digit and :attr:`SessionLimits.prompt_allowance` for the
            prompts. Also when that instant has passed and nobody ticked yet.
            ``None`` before the start, once the session has ended, and when
            the instant lies beyond the year 2999 (no ``now`` can reach it).
        """
        if self.state.status is not SessionStatus.WAITING:
            return None
        deadline = self._deadline()
        waited = self._wait_deadline()
        if waited is not None and (deadline is None or waited < deadline):
            deadline = waited
        return deadline if deadline is not None and deadline < LATEST else None

    def snapshot(self) -> SessionState:
        """A copy of the state, to serialise with :func:`callcore.serialization.to_dict`."""
        return copy.deepcopy(self.state)

    @classmethod
    def restore(
        cls,
        state: SessionState,
        *,
        flows: Iterable[Flow],
        calendars: Mapping[str, Calendar] | None = None,
        limits: SessionLimits | None = None,
    ) -> IvrSession:
        """Rebuild a session from a saved state; it goes on as the saved one would.

        Args:
            state: What :meth:`snapshot` returned (possibly via a dict).
            flows: The flows the host keeps; they must include every version
                on the state's stack (a session never jumps to a newer version).
            calendars: Business calendars by name.
            limits: Caps on steps, call time and subflow depth.

        Raises:
            ConfigError: A pinned flow version is missing, or the state is empty.
            DocumentError: The state is not one a session could have reached
                (a node its flow does not have, times out of range or out of
                order, data that is not plain JSON); every problem is listed.
            InvalidInputError: An argument has the wrong type.
        """
        if not isinstance(state, SessionState):
            raise InvalidInputError(
                f"state must be a SessionState, got {type(state).__name__}", field="state"
            )
        available = flow_list(flows, "flows")
        calendars, limits = _calendars(calendars), _limits(limits)
        by_version = {(flow.id, flow.version): flow for flow in available}
        stack: object = state.stack
        if not isinstance(stack, list) or not stack:
            raise ConfigError("cannot restore a session that was never started")
        for frame in state.stack:
            if _is_frame(frame) and (frame.flow, frame.version) not in by_version:
                have = sorted(v for (i, v) in by_version if i == frame.flow)
                raise ConfigError(
                    f"the session is pinned to flow {frame.flow!r:.80} version {frame.version}, "
                    f"which was not given (given versions: {have or 'none'}); keep old "
                    "versions until their calls end"
                )
        problems = _state_problems(state, by_version)
        if problems:
            raise DocumentError(problems, "IVR session state")
        top = state.stack[0]
        session = cls(
            by_version[top.flow, top.version],
            subflows=[f for f in available if (f.id, f.version) != (top.flow, top.version)],
            calendars=calendars,
            limits=limits,
        )
        session._pinned.update(by_version)
        session.state = copy.deepcopy(state)
        return session

    # --- driving -------------------------------------------------------------

    def start(
        self,
        *,
        now: datetime,
        caller: Mapping[str, Any] | None = None,
        call: Mapping[str, Any] | None = None,
        variables: Mapping[str, Any] | None = None,
        language: str | None = None,
    ) -> IvrUpdate:
        """Start the call at the flow's start node.

        Args:
            now: The current time (timezone-aware).
            caller: Caller attributes: ``tier``, ``language``, ``known``... as plain data.
            call: Call data: ``ani`` (the caller's number), ``dnis``, the
                host's call id... (it is repeated in the session's events).
            variables: Initial flow variables.
            language: The starting language (default: the flow's first).

        Returns:
            The actions for the host, in order, and the events: a
            :class:`~callcore.ivr.SessionStarted`, and a
            :class:`~callcore.ivr.SessionEnded` if the flow ended at once.

        Raises:
            InvalidTransitionError: The session was already started.
            NaiveDatetimeError: ``now`` is naive.
            InvalidInputError: ``now`` is not a datetime between 1900 and 2999,
                ``language`` is not one of the flow's, or ``caller``, ``call``
                or ``variables`` is not a mapping of plain JSON data. Nothing
                was changed.
        """
        if type(now) is not datetime or now.tzinfo is not _UTC or not EARLIEST <= now < LATEST:
            check_instant(now, "now")  # not the commonest case (in range, in UTC): check it all
        chosen: object = language
        if chosen is not None and (
            not isinstance(chosen, str) or chosen not in self.flow.languages
        ):
            raise InvalidInputError(
                f"language {language!r:.60} is not one of flow {self.flow.id!r}'s "
                f"languages {list(self.flow.languages)}",
                field="language",
            )
        fresh = SessionState(
            language=language or self.flow.default_language,
            caller=_plain(caller, "caller"),
            call=_plain(call, "call"),
            variables=_plain(variables, "variables"),
            started_at=now,
            last_event_at=now,
            stack=[Frame(flow=self.flow.id, version=self.flow.version, node=self.flow.start)],
        )
        if self.state.status is not SessionStatus.NEW:
            raise InvalidTransitionError(
                self.state.status.value, "start", "a session starts only once"
            )
        unstarted, self.state = self.state, fresh
        try:
            flow = self.flow
            started = make_started(now, flow.id, flow.version, fresh.language, fresh.call)
            actions = self._run(self._begin(flow.start, now), "enter", now, [])
            return self._update(actions, now, started)
        except BaseException:
            self.state = unstarted
            raise

    def handle(self, event: IvrEvent, *, now: datetime) -> IvrUpdate:
        """Feed one event; return what the host must do.

        Args:
            event: What happened (digits, speech, no input, a result, a hang-up).
            now: The current time (timezone-aware, not before the previous one).

        Returns:
            The actions, in order (the last is terminal when the session ended,
            except after a caller hang-up, which needs no action), and a
            :class:`~callcore.ivr.SessionEnded` event if the session ended.
            An event at or after :meth:`next_deadline` ends the session as
            failed instead, as :meth:`tick` would have.

        Raises:
            InvalidTransitionError: The session is not started or has ended, or
                the current node does not wait for this kind of event.
            InvalidInputError: ``event`` is not an IVR event, or ``now`` is not
                a datetime between 1900 and 2999, or is earlier than the
                previous event.
            NaiveDatetimeError: ``now`` is naive.

        Whatever is raised, nothing was changed.
        """
        if not isinstance(event, _EVENT_TYPES):
            raise InvalidInputError(
                f"event must be an IVR event (one of {', '.join(_EVENT_NAMES)}), "
                f"got {type(event).__name__}",
                field="event",
            )
        if type(now) is not datetime or now.tzinfo is not _UTC or not EARLIEST <= now < LATEST:
            check_instant(now, "now")  # not the commonest case (in range, in UTC): check it all
        state = self.state
        if state.status is not SessionStatus.WAITING:
            reason = (
                "call start() first"
                if state.status is SessionStatus.NEW
                else f"the session has ended ({_shown_outcome(state.outcome)})"
            )
            raise InvalidTransitionError(state.status.value, event.type, reason)
        last = state.last_event_at
        if last is not None and (now < last if now.tzinfo is _UTC else _earlier(now, last)):
            _refuse_going_back(now, last)
        frame = state.stack[-1]
        if type(event) is CallerHangup:
            state.last_event_at = now
            self._end(ContactOutcome.ABANDONED, now, frame, _describe_event(event), ())
            return make_update((), (self._ended(now),))
        ctx = self._context_for(frame)
        node = ctx.tables.nodes.get(frame.node)
        if node is None or not isinstance(event, node.accepts):
            accepted = ", ".join(self.waiting_for)
            raise InvalidTransitionError(
                f"waiting at node {frame.node!r}",
                event.type,
                f"this node accepts only {accepted}",
            )
        checkpoint = _Checkpoint(state)
        held = dict(self.secrets) if self.secrets else None
        state.last_event_at = now
        started = state.started_at or now
        if started.tzinfo is not _UTC:  # _absolute, written inline on this hot path
            started = started.astimezone(_UTC)
        try:
            if now >= started + self.limits.max_call_time:
                return self._time_out(now)
            ctx.name, ctx.at = frame.node, now
            masked = ctx.tables.masked
            label = (
                _describe_event(event, masked=True)
                if masked and frame.node in masked
                else f"digits {event.digits}"
                if type(event) is Digits
                else _describe_event(event)
            )
            return self._update(self._run(node.resume(ctx, event), label, now, []), now)
        except BaseException:
            checkpoint.restore(state)
            self.secrets = held if held is not None else {}
            raise

    def tick(self, *, now: datetime) -> IvrUpdate:
        """Let time pass: end the call at its maximum call time, or end a wait that ran out.

        Call it at :meth:`next_deadline` (or later): a host sleeps until then
        instead of waiting for the caller's next event. Before the deadline,
        and for a session that is not waiting (not started, or ended), it
        does nothing and returns an empty update.

        Args:
            now: The current time (timezone-aware, not before the latest start
                or event).

        Returns:
            Nothing before the deadline. At or after the maximum call time, a
            :class:`~callcore.ivr.FlowFailed` action and a
            :class:`~callcore.ivr.SessionEnded` event (outcome failed), the
            same end as an event arriving that late. At or after the end of
            a wait, what a :class:`~callcore.ivr.NoInput` would have done (a
            retry, or a lookup's error branch); the trace says ``timeout``.

        Raises:
            InvalidInputError: ``now`` is not a datetime between 1900 and 2999,
                or is earlier than the latest start or event.
            NaiveDatetimeError: ``now`` is naive.

        Whatever is raised, nothing was changed.
        """
        if type(now) is not datetime or now.tzinfo is not _UTC or not EARLIEST <= now < LATEST:
            check_instant(now, "now")
        state = self.state
        last = state.last_event_at
        if last is not None and (now < last if now.tzinfo is _UTC else _earlier(now, last)):
            _refuse_going_back(now, last)
        if state.status is not SessionStatus.WAITING:
            return _NOTHING
        deadline = self._deadline()
        if deadline is not None and now >= deadline:
            checkpoint = _Checkpoint(state)
            state.last_event_at = now
            try:
                return self._time_out(now)
            except BaseException:  # pragma: no cover - ending a session raises nothing
                checkpoint.restore(state)
                raise
        waited = self._wait_deadline()
        if waited is None or now < waited:
            return _NOTHING
        return self._expire_wait(now)

    def _wait_deadline(self) -> datetime | None:
        """When the current wait runs out (in UTC), if its node has a time limit."""
        state = self.state
        since = state.waiting_since
        node = self._node()
        limit = node.wait_limit() if node is not None and since is not None else None
        if limit is None or since is None or limit <= _NO_TIME:  # a plugin's 0: no timer
            return None
        if node is not None and node.asks_caller:
            limit += self.limits.prompt_allowance  # the prompts play before the gather's timer
        return _absolute(since) + limit if limit < LATEST - _absolute(since) else None

    def _expire_wait(self, now: datetime) -> IvrUpdate:
        """The wait ran out with no event: the node goes on as after a :class:`NoInput`."""
        state = self.state
        frame = state.stack[-1]
        ctx = self._context_for(frame)
        node = ctx.tables.nodes[frame.node]
        checkpoint = _Checkpoint(state)
        held = dict(self.secrets) if self.secrets else None
        state.last_event_at = now
        try:
            ctx.name, ctx.at = frame.node, now
            return self._update(self._run(node.resume(ctx, NoInput()), "timeout", now, []), now)
        except BaseException:
            checkpoint.restore(state)
            self.secrets = held if held is not None else {}
            raise

    # --- internals -----------------------------------------------------------

    def _flow(self, frame: Frame) -> Flow:
        return self._pinned[frame.flow, frame.version]

    def _node(self) -> Node | None:
        frame = self.state.stack[-1]
        return self._flow(frame).nodes.get(frame.node)

    def _record(
        self, now: datetime, frame: Frame, event: str, step_actions: tuple[Action, ...], where: str
    ) -> None:
        kinds = tuple(map(_action_type, step_actions)) if step_actions else ()
        self.state.trace.append(_trace_entry(now, frame.flow, frame.node, event, kinds, where))

    def _end(
        self,
        outcome: ContactOutcome,
        now: datetime,
        frame: Frame,
        event: str,
        step_actions: tuple[Action, ...],
    ) -> None:
        self._record(now, frame, event, step_actions, f"end:{outcome.value}")
        self.state.status = SessionStatus.ENDED
        self.state.outcome = outcome
        self.state.waiting_since = None
        self.secrets.clear()  # a value never used leaves with the call

    def _fail(self, reason: str, now: datetime, actions: list[Action]) -> list[Action]:
        failure = FlowFailed(reason)
        actions.append(failure)
        self._end(ContactOutcome.FAILED, now, self.state.stack[-1], "limit", (failure,))
        return actions

    def _update(self, actions: list[Action], now: datetime, *events: Event) -> IvrUpdate:
        """The update of a call: ``actions``, ``events``, and the end if the session ended."""
        if self.state.status is SessionStatus.ENDED:
            return make_update(tuple(actions), (*events, self._ended(now)))
        return make_update(tuple(actions), events)

    def _deadline(self) -> datetime | None:
        """When the maximum call time runs out (in UTC), once started."""
        started = self.state.started_at
        if started is None:
            return None
        return _absolute(started) + self.limits.max_call_time  # absolute, not wall-clock, time

    def _time_out(self, now: datetime) -> IvrUpdate:
        """End the call as failed: its maximum call time has run out."""
        reason = f"the call reached the maximum call time of {self.limits.max_call_time}"
        return make_update(tuple(self._fail(reason, now, [])), (self._ended(now),))

    def _ended(self, now: datetime) -> SessionEnded:
        """The event of the session's end, from the ended state."""
        state = self.state
        frame = state.stack[-1]
        top = self.flow
        outcome = state.outcome
        started = state.started_at
        assert outcome is not None  # noqa: S101 - the session has ended
        assert started is not None  # noqa: S101 - and so it had started
        node = frame.node if frame.flow == top.id else f"{frame.flow}:{frame.node}"
        return make_ended(
            now, top.id, top.version, outcome, node, state.language, started, state.call
        )

    def _begin(self, name: str, now: datetime) -> Step:
        """Enter node ``name`` of the current flow and run it."""
        state = self.state
        frame = state.stack[-1]
        ctx = self._context if frame is self._context_frame else self._context_for(frame)
        tables = ctx.tables
        node = tables.nodes.get(name)
        if node is None:
            return Step.fail(f"flow {ctx.flow.id!r} has no node {name!r}")
        frame.node = name
        state.counters.clear()  # VoiceXML: counters reset on entry to a node
        visits = state.visits
        key = tables.visit_keys[name]
        visits[key] = visits.get(key, 0) + 1
        ctx.name, ctx.at = name, now
        return node.enter(ctx)

    def _context_for(self, frame: Frame) -> _Context:
        """The node context, holding ``frame``'s flow and its tables.

        A frame's flow and version never change, so they are looked up only
        when the call moves to another frame (a subflow, a return, a restore).
        """
        ctx = self._context
        if frame is not self._context_frame:
            flow = self._pinned[frame.flow, frame.version]
            ctx.flow, ctx.tables = flow, compiled(flow)
            ctx.hot_hints = ctx.tables.hot_hints
            self._context_frame = frame
        return ctx

    def _run(self, step: Step, event: str, now: datetime, actions: list[Action]) -> list[Action]:
        state = self.state
        trace = state.trace
        max_steps = self.limits.max_steps_per_event
        steps = 1
        while True:
            step_actions = step.actions
            frame = state.stack[-1]
            if (
                step.goto is not None
                and step.outcome is None
                and not step.wait
                and step.subflow is None
                and not step.returns
            ):
                # the commonest step, a plain transition: record it and go on
                target: str = step.goto
                if step_actions:
                    actions.extend(step_actions)
                    kinds = tuple(map(_action_type, step_actions))
                else:
                    kinds = ()
                trace.append(_trace_entry(now, frame.flow, frame.node, event, kinds, target))
            else:
                actions.extend(step_actions)
                outcome = step.outcome
                if outcome is not None:
                    if outcome.__class__ is not ContactOutcome:
                        self._record(now, frame, event, step_actions, "fail")
                        return self._fail(
                            f"node {frame.node!r} ended the call with {shown(outcome)}, "
                            "which is not a ContactOutcome",
                            now,
                            actions,
                        )
                    self._end(outcome, now, frame, event, step_actions)
                    return actions
                if step.wait:
                    kinds = tuple(map(_action_type, step_actions)) if step_actions else ()
                    counters = state.counters  # after a retry the wait names them
                    event = _with_counters(event, counters) if counters else event
                    trace.append(_trace_entry(now, frame.flow, frame.node, event, kinds, "wait"))
                    state.status = SessionStatus.WAITING
                    state.waiting_since = now
                    return actions
                found, failure = self._next_node(step, frame)
                if failure is not None:
                    self._record(now, frame, event, step_actions, "fail")
                    return self._fail(failure, now, actions)
                if found is None:  # a return from the top level: the flow is done
                    hangup = Hangup("completed")
                    actions.append(hangup)
                    self._end(
                        ContactOutcome.SELF_SERVED, now, frame, event, (*step_actions, hangup)
                    )
                    return actions
                target = found
                self._record(now, frame, event, step_actions, target)
            steps += 1
            if steps > max_steps:
                return self._fail(
                    f"more than {max_steps} nodes ran without waiting "
                    f"for an event (a loop through {target!r}?)",
                    now,
                    actions,
                )
            step = self._begin(target, now)
            event = "enter"

    def _next_node(self, step: Step, frame: Frame) -> tuple[str | None, str | None]:
        """Where the call goes after ``step``: (node, None) or (None, failure reason)."""
        if step.returns:
            return self._return()
        if step.subflow is not None:
            return self._call(step.subflow, step.goto, frame)
        if step.goto is None:
            return None, f"node {frame.node!r} did not say where to go"
        return step.goto, None

    def _return(self) -> tuple[str | None, str | None]:
        stack = self.state.stack
        if len(stack) == 1:
            return None, None
        stack.pop()
        parent = stack[-1]
        target, parent.return_to = parent.return_to, None
        return target, None if target else "a subflow returned to nowhere"

    def _call(
        self, flow_id: str, return_to: str | None, frame: Frame
    ) -> tuple[str | None, str | None]:
        if len(self.state.stack) > self.limits.max_subflow_depth:
            return None, f"subflows nested deeper than {self.limits.max_subflow_depth}"
        sub = self._library.get(flow_id)
        if sub is None:
            return None, f"no subflow {flow_id!r} was given to the session"
        self._pinned[sub.id, sub.version] = sub
        frame.return_to = return_to
        self.state.stack.append(Frame(flow=sub.id, version=sub.version, node=sub.start))
        return sub.start, None
