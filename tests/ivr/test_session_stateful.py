"""A stateful test of IvrSession: valid events mixed with every kind of refusal.

The bank flow is driven through its menus, inputs, lookups, hours and
voicemail by good events, while bad calls are thrown in between: events the
waiting node does not take, things that are not events, times that go
backwards, naive times, times out of range or of the wrong type, a second
start, bad start arguments, saved states no session could reach, ticks in the
past. After every refusal the serialised session is byte-identical: a refusal
changes nothing and, raising, returns no actions. A tick before the deadline
does nothing either; at it, the call fails.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import datetime, timedelta, timezone
from typing import Any

from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule

from callcore.contacts import ContactOutcome
from callcore.errors import (
    CallcoreError,
    ConfigError,
    InvalidInputError,
    InvalidTransitionError,
)
from callcore.ivr import (
    ActionCompleted,
    ActionFailed,
    CallerHangup,
    Digits,
    IvrEvent,
    IvrSession,
    IvrUpdate,
    LookupResult,
    NoInput,
    SessionState,
    SessionStatus,
    Speech,
)
from callcore.serialization import dumps, from_dict, loads
from tests.ivr.flows import bank_flow, office_calendar

START = datetime(2026, 1, 5, 10, 0, tzinfo=timezone.utc)  # a Monday, the advisers are in
BANK = bank_flow()
CALENDARS = {"advisers": office_calendar()}

KEYS = st.sampled_from(["1", "2", "0", "9", "", "*", "12#", "4111111111111111#", "4111#"])
EVENTS_BY_TYPE: dict[str, st.SearchStrategy[IvrEvent]] = {
    "digits": st.builds(Digits, KEYS),
    "speech": st.builds(
        Speech,
        st.sampled_from(["account", "card", "adviser", "blah", "4111 1111 1111 1111"]),
        st.floats(min_value=0, max_value=1),
    ),
    "no_input": st.just(NoInput()),
    "lookup_result": st.one_of(
        st.just(LookupResult({"balance": 10, "currency": "RON"})),
        st.just(LookupResult(error="down")),
    ),
    "action_completed": st.just(ActionCompleted({"recording": "r1", "seconds": 12})),
    "action_failed": st.just(ActionFailed("busy")),
    "caller_hangup": st.just(CallerHangup()),
}

NOT_EVENTS = st.sampled_from(
    ["1", None, 5, {"type": "digits", "digits": "1"}, Digits, [Digits("1")], object()]
)
BAD_NOWS = st.sampled_from(
    [
        datetime(2026, 1, 5, 11, 0),  # noqa: DTZ001 - naive on purpose
        "2026-01-05T11:00:00+00:00",
        None,
        1_767_607_200,
        datetime(3000, 1, 1, tzinfo=timezone.utc),
        datetime(9999, 12, 31, tzinfo=timezone.utc),
    ]
)
BAD_STARTS: list[dict[str, Any]] = [
    {"caller": "abc"},
    {"caller": {"tier": float("nan")}},
    {"call": {"ani": object()}},
    {"variables": {"deep": json.loads("[" * 70 + "]" * 70)}},
    {"variables": {"x": "\ud800"}},
    {"variables": {"n": 2**64}},
    {"language": "xx"},
    {"language": 5},
]
BAD_STATES: list[Callable[[dict[str, Any]], None]] = [
    lambda d: d["stack"][-1].update(node="nowhere"),
    lambda d: d["stack"][-1].update(version=99),
    lambda d: d.update(started_at="2999-12-31T00:00:00+00:00"),
    lambda d: d.update(last_event_at="1800-01-01T00:00:00+00:00"),
    lambda d: d.update(status="new"),
    lambda d: d["counters"].update(noinput=-3),
    lambda d: d.update(variables={"x": [[[[[[]]]]]] * 3, "y": float("inf")}),
]


class SessionMachine(RuleBasedStateMachine):
    """One bank call, driven by good and bad calls alike."""

    def __init__(self) -> None:
        super().__init__()
        self.session = IvrSession(BANK, calendars=CALENDARS)
        self.now = START

    def saved(self) -> str:
        """The session's state as the host would store it."""
        return dumps(self.session.snapshot())

    def refused(self, call: Callable[[], object], kind: type[CallcoreError]) -> None:
        """``call`` raises ``kind`` and leaves the serialised session byte-identical."""
        before = self.saved()
        try:
            result = call()
        except kind:
            pass
        else:
            raise AssertionError(f"accepted, returning {result!r}")
        assert self.saved() == before

    # --- good calls ---------------------------------------------------------------------

    @precondition(lambda self: self.session.status is SessionStatus.NEW)
    @rule(
        caller=st.sampled_from([{}, {"language": "ro"}, {"known": True, "tier": "gold"}]),
        language=st.sampled_from([None, "en", "ro"]),
    )
    def start(self, caller: dict[str, Any], language: str | None) -> None:
        """Start the call (once)."""
        update = self.session.start(
            now=self.now, caller=caller, call={"ani": "+40700000000"}, language=language
        )
        assert update.actions
        assert update.events[0].kind == "ivr.session_started"
        assert len(update.events) == 1 + self.session.ended
        assert self.session.status is not SessionStatus.NEW

    @precondition(lambda self: self.session.status is SessionStatus.WAITING)
    @rule(data=st.data(), seconds=st.integers(min_value=0, max_value=900))
    def good_event(self, data: st.DataObject, seconds: int) -> None:
        """An event of a kind the waiting node takes."""
        kind = data.draw(st.sampled_from(self.session.waiting_for))
        self.now += timedelta(seconds=seconds)
        update = self.session.handle(data.draw(EVENTS_BY_TYPE[kind]), now=self.now)
        if self.session.ended and kind != "caller_hangup":
            assert update.actions[-1].terminal
        elif not self.session.ended:
            assert self.session.waiting_for
        assert [event.kind for event in update.events] == (
            ["ivr.session_ended"] if self.session.ended else []
        )

    @precondition(lambda self: self.session.status is not SessionStatus.NEW)
    @rule(minutes=st.integers(min_value=0, max_value=90))
    def tick(self, minutes: int) -> None:
        """Time passes: nothing before the deadline; at it, the wait or the call ends."""
        deadline = self.session.next_deadline()
        self.now += timedelta(minutes=minutes)
        if deadline is None or self.now < deadline:
            self.refused_nothing(lambda: self.session.tick(now=self.now))
            return
        started = self.session.state.started_at
        assert started is not None
        call_time_up = self.now >= started + self.session.limits.max_call_time
        trace_length = len(self.session.trace)
        update = self.session.tick(now=self.now)
        if call_time_up:
            assert self.session.outcome is ContactOutcome.FAILED
            assert [action.type for action in update.actions] == ["flow_failed"]
            assert [event.kind for event in update.events] == ["ivr.session_ended"]
        else:  # the wait ran out: the node went on as after a NoInput
            assert self.session.trace[trace_length].event.startswith("timeout")
            assert [event.kind for event in update.events] == (
                ["ivr.session_ended"] if self.session.ended else []
            )

    @precondition(lambda self: self.session.status is not SessionStatus.NEW)
    @rule()
    def save_and_restore(self) -> None:
        """The saved state reads back and restores to the same session."""
        text = self.saved()
        state = loads(SessionState, text)
        self.session = IvrSession.restore(state, flows=[BANK], calendars=CALENDARS)
        assert self.saved() == text

    # --- refusals -----------------------------------------------------------------------

    def refused_nothing(self, call: Callable[[], IvrUpdate]) -> None:
        """``call`` returns an empty update and leaves the serialised session byte-identical."""
        before = self.saved()
        assert call() == IvrUpdate()
        assert self.saved() == before

    @precondition(lambda self: self.session.status is not SessionStatus.NEW)
    @rule()
    def second_start(self) -> None:
        """A session starts only once."""
        self.refused(lambda: self.session.start(now=self.now), InvalidTransitionError)

    @rule(bad=st.sampled_from(BAD_STARTS))
    def bad_start(self, bad: dict[str, Any]) -> None:
        """Start arguments that are not plain data or not the flow's languages."""
        self.refused(lambda: self.session.start(now=self.now, **bad), InvalidInputError)

    @rule(now=BAD_NOWS)
    def bad_start_time(self, now: object) -> None:
        """A start time that is naive, not a datetime, or out of range."""
        self.refused(lambda: self.session.start(now=now), InvalidInputError)  # type: ignore[arg-type]

    @precondition(lambda self: self.session.status is SessionStatus.WAITING)
    @rule(data=st.data())
    def wrong_kind_of_event(self, data: st.DataObject) -> None:
        """An event of a kind the waiting node does not take."""
        others = sorted(set(EVENTS_BY_TYPE) - set(self.session.waiting_for))
        event = data.draw(EVENTS_BY_TYPE[data.draw(st.sampled_from(others))])
        self.refused(lambda: self.session.handle(event, now=self.now), InvalidTransitionError)

    @precondition(lambda self: self.session.status is not SessionStatus.WAITING)
    @rule(event=st.sampled_from(list(EVENTS_BY_TYPE)).flatmap(EVENTS_BY_TYPE.__getitem__))
    def event_when_not_waiting(self, event: IvrEvent) -> None:
        """Before the start and after the end, every event is refused."""
        self.refused(lambda: self.session.handle(event, now=self.now), InvalidTransitionError)

    @rule(thing=NOT_EVENTS)
    def not_an_event(self, thing: object) -> None:
        """Something that is not an IVR event at all."""
        self.refused(lambda: self.session.handle(thing, now=self.now), InvalidInputError)  # type: ignore[arg-type]

    @rule(now=BAD_NOWS)
    def bad_tick_time(self, now: object) -> None:
        """A tick at a time that is naive, not a datetime, or out of range."""
        self.refused(lambda: self.session.tick(now=now), InvalidInputError)  # type: ignore[arg-type]

    @precondition(lambda self: self.session.status is not SessionStatus.NEW)
    @rule(seconds=st.integers(min_value=1, max_value=3600))
    def tick_in_the_past(self, seconds: int) -> None:
        """A tick earlier than the latest start or event."""
        last = self.session.state.last_event_at
        assert last is not None
        earlier = last - timedelta(seconds=seconds)
        self.refused(lambda: self.session.tick(now=earlier), InvalidInputError)

    @rule(now=BAD_NOWS, event=st.sampled_from([NoInput(), Digits("1"), CallerHangup()]))
    def bad_time(self, now: object, event: IvrEvent) -> None:
        """A time that is naive, not a datetime, or out of range."""
        self.refused(lambda: self.session.handle(event, now=now), InvalidInputError)  # type: ignore[arg-type]

    @precondition(lambda self: self.session.status is SessionStatus.WAITING)
    @rule(
        seconds=st.integers(min_value=1, max_value=10**6),
        event=st.sampled_from([NoInput(), Digits("1"), CallerHangup()]),
    )
    def backwards(self, seconds: int, event: IvrEvent) -> None:
        """A time earlier than the last one seen."""
        last = self.session.state.last_event_at
        assert last is not None
        earlier = last - timedelta(seconds=seconds)
        self.refused(lambda: self.session.handle(event, now=earlier), InvalidInputError)

    @precondition(lambda self: self.session.status is not SessionStatus.NEW)
    @rule(change=st.sampled_from(BAD_STATES))
    def bad_saved_state(self, change: Callable[[dict[str, Any]], None]) -> None:
        """A saved state no session could reach is refused; the live session is untouched."""
        data = json.loads(self.saved())
        change(data)

        def restore() -> IvrSession:
            state = from_dict(SessionState, data)
            return IvrSession.restore(state, flows=[BANK], calendars=CALENDARS)

        self.refused(restore, ConfigError)  # a DocumentError, or a version not given

    @precondition(lambda self: self.session.status is not SessionStatus.NEW)
    @rule()
    def restore_without_its_flow(self) -> None:
        """A saved state whose pinned flow version is not given."""
        state = self.session.snapshot()
        self.refused(lambda: IvrSession.restore(state, flows=[]), ConfigError)

    @invariant()
    def consistent(self) -> None:
        """Waiting means a node that waits; ended means an outcome."""
        status = self.session.status
        assert (status is SessionStatus.ENDED) == (self.session.outcome is not None)
        assert (status is SessionStatus.WAITING) == bool(self.session.waiting_for)
        assert (status is SessionStatus.WAITING) == (self.session.next_deadline() is not None)


TestSession = SessionMachine.TestCase
