from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone

import pytest

from callcore.contacts import ContactOutcome
from callcore.errors import (
    ConfigError,
    InvalidInputError,
    InvalidTransitionError,
    NaiveDatetimeError,
)
from callcore.ivr import (
    CallerHangup,
    Digits,
    FlowFailed,
    IvrSession,
    LookupResult,
    NoInput,
    SessionEnded,
    SessionLimits,
    SessionState,
    SessionStatus,
    TraceEntry,
    flow_from_dict,
    load_flow,
)
from callcore.serialization import from_dict, to_dict
from tests.ivr.flows import bank_flow, document, endings, menu, office_calendar

NOW = datetime(2026, 1, 5, 10, 0, tzinfo=timezone.utc)


def menu_session() -> IvrSession:
    """A started session waiting at a simple menu."""
    session = IvrSession(load_flow(document({"menu": menu(), **endings()})))
    session.start(now=NOW)
    return session


def test_refused_events_change_nothing() -> None:
    """An event the node does not wait for raises and leaves the state as it was."""
    session = menu_session()
    before = to_dict(session.snapshot())
    with pytest.raises(InvalidTransitionError, match="accepts only digits, speech, no_input"):
        session.handle(LookupResult({"x": 1}), now=NOW)
    with pytest.raises(InvalidInputError, match="earlier than a time already seen"):
        session.handle(Digits("1"), now=NOW - timedelta(seconds=1))
    with pytest.raises(NaiveDatetimeError):
        session.handle(Digits("1"), now=datetime(2026, 1, 5, 10))  # noqa: DTZ001
    with pytest.raises(InvalidInputError, match="event must be an IVR event"):
        session.handle("1", now=NOW)  # type: ignore[arg-type]
    assert to_dict(session.snapshot()) == before


def test_lifecycle_errors() -> None:
    """Events before start, a second start and events after the end are refused."""
    session = IvrSession(load_flow(document({"menu": menu(), **endings()})))
    with pytest.raises(InvalidTransitionError, match="call start"):
        session.handle(NoInput(), now=NOW)
    with pytest.raises(InvalidInputError, match="language 'fr'"):
        session.start(now=NOW, language="fr")
    assert session.status is SessionStatus.NEW
    session.start(now=NOW)
    with pytest.raises(InvalidTransitionError, match="starts only once"):
        session.start(now=NOW)
    assert session.handle(Digits("1"), now=NOW).actions[-1].type == "hangup"
    with pytest.raises(InvalidTransitionError, match="has ended"):
        session.handle(Digits("1"), now=NOW)


def test_caller_hangup_abandons() -> None:
    """A caller hang-up ends the session as abandoned with no action, and says so."""
    session = menu_session()
    later = NOW + timedelta(seconds=42)
    update = session.handle(CallerHangup(), now=later)
    assert update.actions == ()
    assert update.events == (
        SessionEnded(
            at=later,
            flow="test",
            version=1,
            outcome=ContactOutcome.ABANDONED,
            node="menu",
            language="en",
            started_at=NOW,
        ),
    )
    assert (session.ended, session.outcome) == (True, ContactOutcome.ABANDONED)


def test_step_cap_turns_a_loop_into_a_failure() -> None:
    """An unvalidated loop without input ends in FlowFailed after the step cap."""
    flow = flow_from_dict(
        document(
            {
                "menu": {"type": "say", "prompts": ["p0"], "next": "again"},
                "again": {"type": "say", "prompts": ["p1"], "next": "menu"},
            }
        )
    )
    session = IvrSession(flow, limits=SessionLimits(max_steps_per_event=10))
    update = session.start(now=NOW)
    actions = update.actions
    assert len(actions) == 11  # ten plays, then the failure
    assert isinstance(actions[-1], FlowFailed)
    assert "more than 10 nodes" in actions[-1].reason
    assert session.outcome is ContactOutcome.FAILED
    assert [event.kind for event in update.events] == ["ivr.session_started", "ivr.session_ended"]


def test_call_time_cap() -> None:
    """An event at or after the maximum call time fails the call cleanly."""
    limits = SessionLimits(max_call_time=timedelta(minutes=30))
    flow = load_flow(document({"menu": menu(), **endings()}))
    session = IvrSession(flow, limits=limits)
    session.start(now=NOW)
    just_before = NOW + timedelta(minutes=30) - timedelta(microseconds=1)
    assert session.handle(Digits("9"), now=just_before).actions[0].type == "gather"
    update = session.handle(Digits("1"), now=NOW + timedelta(minutes=30))
    assert update.actions == (FlowFailed("the call reached the maximum call time of 0:30:00"),)
    assert session.outcome is ContactOutcome.FAILED
    (ended,) = update.events
    assert isinstance(ended, SessionEnded)
    assert (ended.outcome, ended.node) == (ContactOutcome.FAILED, "menu")


def test_trace_records_every_transition() -> None:
    """The trace lists node, event (with retry counters), actions and where the call went."""
    session = menu_session()
    session.handle(Digits("7"), now=NOW)
    session.handle(Digits("2"), now=NOW)
    assert session.trace == (
        TraceEntry(
            at=NOW, flow="test", node="menu", event="enter", actions=("gather",), next="wait"
        ),
        TraceEntry(  # the retry shows the no-match counted so far
            at=NOW,
            flow="test",
            node="menu",
            event="digits 7 (nomatch 1)",
            actions=("gather",),
            next="wait",
        ),
        TraceEntry(at=NOW, flow="test", node="menu", event="digits 2", next="two"),
        TraceEntry(
            at=NOW,
            flow="test",
            node="two",
            event="enter",
            actions=("hangup",),
            next="end:self_served",
        ),
    )
    assert session.path == ("menu", "two")


def test_the_trace_counts_no_inputs_and_no_matches_apart() -> None:
    """Each wait after a retry names both counters so far."""
    session = menu_session()
    session.handle(NoInput(), now=NOW)
    session.handle(Digits("7"), now=NOW)
    assert [entry.event for entry in session.trace] == [
        "enter",
        "no_input (noinput 1)",
        "digits 7 (noinput 1, nomatch 1)",
    ]


def test_snapshot_round_trips_through_json_and_restores() -> None:
    """A saved state restores in a new session object and finishes the same way."""
    flow = bank_flow()
    calendars = {"advisers": office_calendar()}
    session = IvrSession(flow, calendars=calendars)
    session.start(now=NOW, caller={"language": "en"}, call={"ani": "+40700000000"})
    session.handle(Digits("1"), now=NOW)
    text = json.dumps(to_dict(session.snapshot()))
    state = from_dict(SessionState, json.loads(text))
    restored = IvrSession.restore(state, flows=[flow], calendars=calendars)
    assert to_dict(restored.snapshot()) == to_dict(session.snapshot())
    for target in (session, restored):
        target.handle(Digits("1"), now=NOW)
        target.handle(Digits("4111111111111111#"), now=NOW)
        target.handle(LookupResult({"balance": 12, "currency": "RON"}), now=NOW)
    assert restored.trace == session.trace
    assert restored.variables == session.variables


def test_sessions_pin_their_flow_version() -> None:
    """A session keeps its version; restoring without that version is refused."""
    v1 = load_flow(document({"menu": menu(), **endings()}, version=1))
    v2 = load_flow(
        document(
            {
                "menu": menu(options=[{"key": "1", "goto": "two"}, {"key": "2", "goto": "one"}]),
                **endings(),
            },
            version=2,
        )
    )
    session = IvrSession(v1)
    session.start(now=NOW)
    state = session.snapshot()
    with pytest.raises(ConfigError, match="version 1, which was not given"):
        IvrSession.restore(state, flows=[v2])
    restored = IvrSession.restore(state, flows=[v1, v2])
    restored.handle(Digits("1"), now=NOW)
    assert restored.path == ("menu", "one")
    assert restored.outcome is ContactOutcome.SELF_SERVED
