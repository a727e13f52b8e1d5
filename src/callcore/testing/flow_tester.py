"""Run an IVR flow from a script of caller inputs, and assert on what happened.

No phone needed::

    from callcore.testing.flow_tester import FlowTester, lookup_ok, silence

    tester = FlowTester(flow, caller={"tier": "gold"})
    run = tester.run("2", silence(), "4111111111111111#", lookup_ok(balance=120))
    run.assert_path("welcome", "main_menu", "account", "balance")
    run.assert_outcome(ContactOutcome.QUEUED)
    run.assert_action("enqueue_contact", queue="billing")
    run.assert_event("ivr.session_ended", node="balance")

A script is a sequence of steps: a string is the keys pressed; :func:`press`,
:func:`silence`, :func:`say`, :func:`hang_up`, :func:`lookup_ok`,
:func:`lookup_error`, :func:`completed`, :func:`failed` make the other events;
:func:`wait` moves the test clock; like a host that sleeps until
:meth:`~callcore.ivr.IvrSession.next_deadline`, the tester ticks the session
at its deadline whenever the clock passes it. Failures raise
:class:`FlowAssertionError` with the script and the trace, so the message alone
tells what went wrong.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import TYPE_CHECKING, Any, TypeAlias

import attrs

from callcore.checks import (
    LATEST,
    MAX_DURATION,
    check_duration,
    check_enum,
    check_number,
    check_text,
    validator,
)
from callcore.contacts import ContactOutcome
from callcore.errors import CallcoreError, InvalidInputError
from callcore.events import Event
from callcore.ivr import (
    Action,
    ActionCompleted,
    ActionFailed,
    Calendar,
    CallerHangup,
    Digits,
    Flow,
    Gather,
    IvrEvent,
    IvrSession,
    IvrUpdate,
    LookupResult,
    NoInput,
    Play,
    SessionEnded,
    SessionLimits,
    Speech,
    TraceEntry,
    load_flow,
)

if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping, Sequence

__all__ = [
    "FlowAssertionError",
    "FlowRun",
    "FlowTester",
    "ScriptStep",
    "completed",
    "failed",
    "hang_up",
    "lookup_error",
    "lookup_ok",
    "press",
    "run_flow",
    "say",
    "silence",
    "wait",
]

DEFAULT_START = datetime(2026, 1, 5, 10, 0, tzinfo=timezone.utc)
"""A Monday at 10:00 UTC: inside ordinary business hours."""


class FlowAssertionError(AssertionError):
    """A flow did not do what the test expected (or the script did not fit it)."""


@attrs.frozen
class ScriptStep:
    """One step of a script: an event to send and/or time to let pass.

    Attributes:
        event: The event, or ``None`` for a pure wait.
        advance: How far the test clock moves before the event.
        label: How the step is shown in messages.
    """

    event: IvrEvent | None = attrs.field(validator=lambda _, __, value: _check_event(value))
    advance: timedelta = attrs.field(default=timedelta(0), validator=validator(check_duration))
    label: str = attrs.field(default="", validator=validator(check_text, allow_empty=True))


_EVENTS = (Digits, Speech, NoInput, ActionCompleted, ActionFailed, LookupResult, CallerHangup)


def _check_event(value: object) -> None:
    if value is not None and not isinstance(value, _EVENTS):
        raise InvalidInputError(
            f"event must be an IVR event or None, got {type(value).__name__}", field="event"
        )


Step: TypeAlias = ScriptStep | str


def press(keys: str) -> ScriptStep:
    """The caller presses ``keys`` (the host's gather sends them together)."""
    return ScriptStep(Digits(keys), label=f"press {keys!r}")


def silence() -> ScriptStep:
    """The caller says nothing until the gather times out."""
    return ScriptStep(NoInput(), label="silence")


def say(text: str, confidence: float = 0.9) -> ScriptStep:
    """The recogniser hears ``text`` with ``confidence``."""
    return ScriptStep(Speech(text, confidence), label=f"say {text!r}")


def hang_up() -> ScriptStep:
    """The caller hangs up."""
    return ScriptStep(CallerHangup(), label="hang up")


def lookup_ok(data: Mapping[str, Any] | None = None, **values: Any) -> ScriptStep:  # noqa: ANN401
    """The host answers the pending lookup with ``data`` (or keyword values)."""
    merged = {**(data or {}), **values}
    return ScriptStep(LookupResult(merged), label=f"lookup ok {merged}")


def lookup_error(error: str = "unavailable") -> ScriptStep:
    """The host's lookup fails."""
    return ScriptStep(LookupResult(error=error), label=f"lookup error {error!r}")


def completed(**data: Any) -> ScriptStep:  # noqa: ANN401
    """The host finished the pending action (a recording) with ``data``."""
    return ScriptStep(ActionCompleted(data), label="action completed")


def failed(reason: str = "failed") -> ScriptStep:
    """The host could not carry out the pending action."""
    return ScriptStep(ActionFailed(reason), label=f"action failed {reason!r}")


def wait(seconds: float) -> ScriptStep:
    """Let ``seconds`` pass on the test clock (no event).

    Raises:
        InvalidInputError: ``seconds`` is not a number from 0 to 100 years.
    """
    check_number(seconds, "seconds", low=0, high=MAX_DURATION.total_seconds())
    return ScriptStep(None, timedelta(seconds=seconds), label=f"wait {seconds}s")


def _as_step(step: object, number: int) -> ScriptStep:
    if isinstance(step, str):
        return press(step)
    if not isinstance(step, ScriptStep):
        raise InvalidInputError(
            f"script step {number} must be keys (a str) or a ScriptStep, got {type(step).__name__}",
            field=f"script[{number - 1}]",
        )
    return step


def format_trace(trace: Iterable[TraceEntry], top: str = "") -> str:
    """Render a trace as an aligned table, one transition per line.

    Args:
        trace: The entries.
        top: The top flow's id; nodes of other flows show as ``flow:node``.
    """
    rows = [("node", "event", "actions", "next")]
    rows += [
        (
            entry.node if entry.flow == top else f"{entry.flow}:{entry.node}",
            entry.event,
            ",".join(entry.actions) or "-",
            entry.next,
        )
        for entry in trace
    ]
    widths = [max(len(row[i]) for row in rows) for i in range(4)]
    return "\n".join(
        "  " + "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True))
        for row in rows
    )


@attrs.define
class FlowRun:
    """What happened when a script ran: path, actions, events, variables, outcome.

    Attributes:
        session: The session (for anything not wrapped here).
        script: The steps that ran, as labels.
        actions: Every action, in order.
        events: Every domain event (``ivr.session_started``,
            ``ivr.session_ended``), in order.
        replies: The updates returned for start, for each step, and for each
            tick at the session's deadline, in order.
    """

    session: IvrSession
    script: list[str] = attrs.Factory(list)
    actions: list[Action] = attrs.Factory(list)
    events: list[Event] = attrs.Factory(list)
    replies: list[IvrUpdate] = attrs.Factory(list)

    def _take(self, update: IvrUpdate) -> None:
        self.replies.append(update)
        self.actions.extend(update.actions)
        self.events.extend(update.events)

    @property
    def path(self) -> tuple[str, ...]:
        """The nodes entered, in order."""
        return self.session.path

    @property
    def outcome(self) -> ContactOutcome | None:
        """How the call ended, or ``None`` if it still waits."""
        return self.session.outcome

    @property
    def variables(self) -> Mapping[str, Any]:
        """The flow's variables at the end."""
        return self.session.variables

    @property
    def played(self) -> list[str]:
        """The prompt ids played, including those inside gathers, in order."""
        prompts: list[str] = []
        for action in self.actions:
            if isinstance(action, Play):
                prompts.append(action.prompt)
            elif isinstance(action, Gather):
                prompts.extend(play.prompt for play in action.prompts)
        return prompts

    def describe(self) -> str:
        """The script, the path and the trace, for failure messages."""
        script = ", ".join(self.script) or "(none)"
        return (
            f"script: {script}\n"
            f"path: {' → '.join(self.path)}\n"
            f"outcome: {_shown_outcome(self.outcome, self.session.current_node)}\n"
            f"trace:\n{format_trace(self.session.trace, self.session.flow.id)}"
        )

    def _fail(self, message: str) -> FlowAssertionError:
        return FlowAssertionError(f"{message}\n{self.describe()}")

    def assert_path(self, *nodes: str) -> FlowRun:
        """The nodes entered are exactly ``nodes``, in order."""
        if self.path != nodes:
            raise self._fail(f"expected path {' → '.join(nodes)}")
        return self

    def assert_visited(self, *nodes: str) -> FlowRun:
        """The path contains ``nodes`` in this order (other nodes may come between)."""
        remaining = iter(self.path)
        missing = [node for node in nodes if not any(step == node for step in remaining)]
        if missing:
            raise self._fail(f"expected to visit {' → '.join(nodes)} in order; missing {missing}")
        return self

    def assert_not_visited(self, *nodes: str) -> FlowRun:
        """None of ``nodes`` was entered."""
        seen = [node for node in nodes if node in self.path]
        if seen:
            raise self._fail(f"expected never to visit {seen}")
        return self

    def assert_outcome(self, outcome: ContactOutcome | str | None) -> FlowRun:
        """The call ended with ``outcome`` (``None``: still waiting).

        Args:
            outcome: A :class:`~callcore.contacts.ContactOutcome`, or its value
                (``"queued"``), or ``None``.

        Raises:
            FlowAssertionError: The call ended otherwise, or still waits.
            InvalidInputError: ``outcome`` is not one of the above.
        """
        expected = _outcome(outcome)
        if self.outcome is not expected:
            wanted = "still waiting" if expected is None else expected.value
            raise self._fail(f"expected outcome {wanted}, got {_shown_outcome(self.outcome)}")
        return self

    def assert_ended_at(self, node: str) -> FlowRun:
        """The call ended at ``node`` (as in :attr:`path`: ``flow:node`` inside a subflow).

        The node is the one named by the run's ``ivr.session_ended`` event: the
        hangup, queue or transfer node, or the node that waited when the caller
        hung up or a limit was reached.
        """
        ended = [event for event in self.events if isinstance(event, SessionEnded)]
        if not ended:
            raise self._fail(f"expected the call to end at {node}; it has not ended")
        if ended[-1].node != node:
            raise self._fail(f"expected the call to end at {node}, not at {ended[-1].node}")
        return self

    def assert_variables(self, **expected: Any) -> FlowRun:  # noqa: ANN401
        """The variables include these values."""
        wrong = {
            key: self.variables.get(key, "<missing>")
            for key, value in expected.items()
            if self.variables.get(key, object()) != value
        }
        if wrong:
            raise self._fail(f"expected variables {expected}; differing: {wrong}")
        return self

    def assert_action(self, action_type: str | type, **fields: Any) -> Action:  # noqa: ANN401
        """Some action of this type has these field values; return the first such.

        Args:
            action_type: An action class or its ``type`` name (``"enqueue_contact"``).
            **fields: Field values the action must have.
        """
        name = action_type if isinstance(action_type, str) else str(getattr(action_type, "type"))  # noqa: B009
        candidates = [action for action in self.actions if action.type == name]
        for action in candidates:
            if all(getattr(action, key, object()) == value for key, value in fields.items()):
                return action
        got = [attrs.asdict(action, recurse=False) for action in candidates]
        raise self._fail(f"expected a {name} action with {fields}; {name} actions: {got or 'none'}")

    def assert_event(self, kind: str, **fields: Any) -> Event:  # noqa: ANN401
        """Some event of this kind has these field values; return the first such.

        Args:
            kind: The event's dotted kind (``"ivr.session_ended"``).
            **fields: Field values the event must have (``outcome=ContactOutcome.QUEUED``).
        """
        candidates = [event for event in self.events if event.kind == kind]
        for event in candidates:
            if all(getattr(event, key, object()) == value for key, value in fields.items()):
                return event
        got = [attrs.asdict(event, recurse=False) for event in candidates]
        raise self._fail(f"expected a {kind} event with {fields}; {kind} events: {got or 'none'}")

    def assert_played(self, *prompts: str) -> FlowRun:
        """These prompts were played, in this order (others may come between)."""
        remaining = iter(self.played)
        missing = [p for p in prompts if not any(step == p for step in remaining)]
        if missing:
            raise self._fail(
                f"expected prompts {list(prompts)} in order; missing {missing}; "
                f"played {self.played}"
            )
        return self

    def assert_last_action(self, action_type: str) -> FlowRun:
        """The last action has this type (a terminal action when the call ended)."""
        last = self.actions[-1].type if self.actions else None
        if last != action_type:
            raise self._fail(f"expected the last action to be {action_type}, got {last}")
        return self


_OVERRIDES = {"caller", "call", "variables", "start_at", "language"}


@attrs.define
class FlowTester:
    """Runs scripts against a flow, each in a fresh session.

    Attributes:
        flow: The flow (or a document, loaded and validated with the calendars
            and subflows given).
        subflows: Flows that subflow nodes call.
        calendars: Business calendars by name.
        caller: Caller attributes passed to ``start``.
        call: Call data passed to ``start`` (``ani``...).
        variables: Initial variables.
        start_at: The test clock's start (default Monday 2026-01-05 10:00 UTC).
        limits: Session caps.
        language: The starting language (``None``: the flow's first).
    """

    flow: Flow | Mapping[str, Any]
    subflows: Sequence[Flow] = ()
    calendars: Mapping[str, Calendar] = attrs.Factory(dict)
    caller: Mapping[str, Any] = attrs.Factory(dict)
    call: Mapping[str, Any] = attrs.Factory(dict)
    variables: Mapping[str, Any] = attrs.Factory(dict)
    start_at: datetime = DEFAULT_START
    limits: SessionLimits = attrs.Factory(SessionLimits)
    language: str | None = None

    def __attrs_post_init__(self) -> None:
        """Load the flow if a document was given."""
        if not isinstance(self.flow, Flow):
            self.flow = load_flow(
                self.flow, calendars=list(self.calendars), flows=list(self.subflows)
            )

    def session(self) -> IvrSession:
        """A fresh, unstarted session on the flow."""
        assert isinstance(self.flow, Flow)  # noqa: S101 - loaded in __attrs_post_init__
        return IvrSession(
            self.flow, subflows=self.subflows, calendars=self.calendars, limits=self.limits
        )

    def run(self, *script: Step, **overrides: Any) -> FlowRun:  # noqa: ANN401
        """Start a call and play the script.

        Args:
            *script: The steps (a string is keys pressed).
            **overrides: Replace ``caller``, ``call``, ``variables``,
                ``start_at`` or ``language`` for this run.

        Returns:
            The run, to assert on.

        Raises:
            FlowAssertionError: A step does not fit the session (it has ended,
                or waits for another kind of event).
            InvalidInputError: A step or an override is not one of the above,
                or the steps' waits take the clock past the year 2999.
        """
        unknown = sorted(set(overrides) - _OVERRIDES)
        if unknown:
            raise InvalidInputError(
                f"unknown override {unknown[0]!r:.60}: use {', '.join(sorted(_OVERRIDES))}",
                field=unknown[0],
            )
        steps = [_as_step(raw, number) for number, raw in enumerate(script, start=1)]
        now: datetime = overrides.get("start_at", self.start_at)
        session = self.session()
        run = FlowRun(session)
        run._take(  # noqa: SLF001 - the run's own helper
            session.start(
                now=now,
                caller=overrides.get("caller", self.caller),
                call=overrides.get("call", self.call),
                variables=overrides.get("variables", self.variables),
                language=overrides.get("language", self.language),
            )
        )
        for number, step in enumerate(steps, start=1):
            if step.advance > LATEST - now:
                raise InvalidInputError(
                    f"step {number} ({step.label}) takes the clock past {LATEST.year - 1}",
                    field=f"script[{number - 1}]",
                )
            now += step.advance
            deadline = session.next_deadline()
            while deadline is not None and deadline <= now:  # the host wakes at each deadline
                run._take(session.tick(now=deadline))  # noqa: SLF001 - the run's own helper
                deadline = session.next_deadline()
            if step.event is None:
                run.script.append(step.label)
                continue
            if session.ended:
                raise run._fail(  # noqa: SLF001 - the run's own helper
                    f"step {number} ({step.label}): the call already ended; "
                    "remove the steps after it or fix the flow"
                )
            try:
                reply = session.handle(step.event, now=now)
            except CallcoreError as exc:
                waiting = ", ".join(session.waiting_for)
                raise run._fail(  # noqa: SLF001 - the run's own helper
                    f"step {number} ({step.label}) does not fit: the call waits at node "
                    f"{session.current_node!r} for {waiting} ({exc})"
                ) from exc
            run.script.append(step.label)
            run._take(reply)  # noqa: SLF001 - the run's own helper
        return run


def _outcome(outcome: object) -> ContactOutcome | None:
    """``outcome`` as a ContactOutcome: given as one, as its value, or ``None``."""
    if outcome is None or isinstance(outcome, ContactOutcome):
        return outcome
    values = {member.value: member for member in ContactOutcome}
    if isinstance(outcome, str) and outcome in values:
        return values[outcome]
    return check_enum(outcome, ContactOutcome, "outcome")  # refuses it, naming the members


def _shown_outcome(outcome: ContactOutcome | None, node: str | None = None) -> str:
    if outcome is not None:
        return outcome.value
    return "still waiting" if node is None else f"still waiting at {node}"


def run_flow(flow: Flow | Mapping[str, Any], *script: Step, **options: Any) -> FlowRun:  # noqa: ANN401
    """Run one script against a flow: ``FlowTester(flow, **options).run(*script)``."""
    return FlowTester(flow, **options).run(*script)
