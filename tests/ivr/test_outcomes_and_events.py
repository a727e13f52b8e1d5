"""How sessions end (ContactOutcome), the events they emit, and the queue hand-over."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any

import pytest

from callcore.contacts import MIN_SKILL_LEVEL, ContactOutcome, QueueRequest
from callcore.errors import DocumentError, InvalidInputError
from callcore.events import ActionUpdate, Event, Update
from callcore.ivr import (
    Action,
    CallerHangup,
    Digits,
    EnqueueContact,
    FlowFailed,
    Hangup,
    IvrSession,
    IvrUpdate,
    QueueNode,
    SessionEnded,
    SessionStarted,
    Transfer,
    flow_from_dict,
    flow_to_dict,
    load_flow,
)
from callcore.serialization import converter, from_dict, to_dict
from tests.ivr.flows import document, endings, menu

NOW = datetime(2026, 1, 5, 10, 0, tzinfo=timezone.utc)


def run(nodes: dict[str, Any], *digits: str, **start: Any) -> tuple[IvrSession, list[IvrUpdate]]:
    """Start a session on ``nodes`` (starting at 'menu') and press ``digits``."""
    session = IvrSession(load_flow(document(nodes)))
    updates = [session.start(now=NOW, **start)]
    updates += [session.handle(Digits(keys), now=NOW) for keys in digits]
    return session, updates


def ended(updates: list[IvrUpdate]) -> SessionEnded:
    """The one SessionEnded event among ``updates``; it is in the last update."""
    found = [event for update in updates for event in update.events]
    assert [event.kind for event in found].count("ivr.session_ended") == 1
    last = updates[-1].events[-1]
    assert isinstance(last, SessionEnded)
    return last


# --- outcomes --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("node", "outcome", "last_action"),
    [
        (
            {"type": "queue", "queue": "q"},
            ContactOutcome.QUEUED,
            EnqueueContact("q", language="en"),
        ),
        ({"type": "transfer", "destination": "+40215550100"}, ContactOutcome.TRANSFERRED, None),
        ({"type": "hangup"}, ContactOutcome.SELF_SERVED, Hangup("completed")),
        (
            {"type": "hangup", "reason": "closed", "outcome": "out_of_hours"},
            ContactOutcome.OUT_OF_HOURS,
            Hangup("closed"),
        ),
        ({"type": "hangup", "outcome": "voicemail"}, ContactOutcome.VOICEMAIL, Hangup()),
        ({"type": "hangup", "outcome": "callback"}, ContactOutcome.CALLBACK, Hangup()),
        ({"type": "hangup", "outcome": "rejected"}, ContactOutcome.REJECTED, Hangup()),
        ({"type": "hangup", "outcome": "failed"}, ContactOutcome.FAILED, Hangup()),
        ({"type": "return"}, ContactOutcome.SELF_SERVED, Hangup("completed")),
    ],
)
def test_each_ending_has_its_outcome(
    node: dict[str, Any], outcome: ContactOutcome, last_action: Action | None
) -> None:
    """Queue, transfer, hangup (with its outcome) and a top-level return end as they say."""
    session, updates = run({"menu": menu(), **endings(), "one": node}, "1")
    assert session.outcome is outcome
    event = ended(updates)
    assert (event.outcome, event.node, event.at) == (outcome, "one", NOW)
    if last_action is not None:
        assert updates[-1].actions[-1] == last_action
    else:
        assert isinstance(updates[-1].actions[-1], Transfer)
    assert session.trace[-1].next == f"end:{outcome.value}"


def test_the_reason_of_a_hangup_is_free_text() -> None:
    """A hangup's reason travels in the Hangup action and leaves the outcome alone."""
    session, updates = run({"menu": {"type": "hangup", "reason": "thanks, bye"}})
    assert updates[0].actions == (Hangup("thanks, bye"),)
    assert session.outcome is ContactOutcome.SELF_SERVED


def test_caller_hangup_abandons_and_a_loop_fails() -> None:
    """The caller's hang-up is abandoned; a runaway flow is failed."""
    session, _ = run({"menu": menu(), **endings()})
    update = session.handle(CallerHangup(), now=NOW + timedelta(seconds=3))
    assert ended([update]).outcome is ContactOutcome.ABANDONED
    loop = flow_from_dict(
        document(
            {
                "menu": {"type": "say", "prompts": ["p0"], "next": "again"},
                "again": {"type": "say", "prompts": ["p1"], "next": "menu"},
            }
        )
    )
    looping = IvrSession(loop)
    update = looping.start(now=NOW)
    assert isinstance(update.actions[-1], FlowFailed)
    assert ended([update]).outcome is ContactOutcome.FAILED


@pytest.mark.parametrize("outcome", ["queued", "transferred", "abandoned", "answered", "missed"])
def test_a_hangup_cannot_claim_another_ending(outcome: str) -> None:
    """Outcomes that belong to other endings are a validation problem at the node's path."""
    with pytest.raises(DocumentError) as error:
        load_flow(document({"menu": {"type": "hangup", "outcome": outcome}}))
    (problem,) = error.value.problems
    assert problem.path == "nodes.menu.outcome"
    assert f"cannot end a call as {outcome!r}" in problem.message


def test_an_unknown_hangup_outcome_is_a_problem() -> None:
    """A value that is no ContactOutcome (such as the old 'completed') is refused."""
    with pytest.raises(DocumentError) as error:
        load_flow(document({"menu": {"type": "hangup", "outcome": "completed"}}))
    assert [problem.path for problem in error.value.problems] == ["nodes.menu.outcome"]


def test_a_hangup_outcome_round_trips_through_the_document() -> None:
    """flow_to_dict writes the outcome as its value, and the document reads back equal."""
    flow = load_flow(document({"menu": {"type": "hangup", "outcome": "out_of_hours"}}))
    data = flow_to_dict(flow)
    assert data["nodes"]["menu"]["outcome"] == "out_of_hours"
    assert load_flow(data) == flow


# --- events ----------------------------------------------------------------------------


def test_start_emits_session_started_with_the_call_data() -> None:
    """The start's update says which flow, version, language and call began."""
    session = IvrSession(load_flow(document({"menu": menu(), **endings()}, version=4)))
    update = session.start(now=NOW, call={"ani": "+40700000000", "sid": "CA1"})
    assert update.events == (
        SessionStarted(
            at=NOW,
            flow="test",
            version=4,
            language="en",
            call={"ani": "+40700000000", "sid": "CA1"},
        ),
    )
    assert [action.type for action in update.actions] == ["gather"]
    later = session.handle(Digits("7"), now=NOW + timedelta(seconds=5))
    assert later.events == ()
    final = session.handle(Digits("2"), now=NOW + timedelta(seconds=9))
    assert final.events == (
        SessionEnded(
            at=NOW + timedelta(seconds=9),
            flow="test",
            version=4,
            outcome=ContactOutcome.SELF_SERVED,
            node="two",
            language="en",
            started_at=NOW,
            call={"ani": "+40700000000", "sid": "CA1"},
        ),
    )


def test_a_flow_that_ends_at_once_emits_both_events_in_order() -> None:
    """A start that ends the call returns started, then ended, in one update."""
    _, updates = run({"menu": {"type": "queue", "queue": "q"}})
    assert [event.kind for event in updates[0].events] == [
        "ivr.session_started",
        "ivr.session_ended",
    ]


def test_the_end_names_the_subflow_node_and_the_language() -> None:
    """Inside a subflow the last node is flow:node; the language is the one at the end."""
    sub = load_flow(
        {
            "id": "sub",
            "start": "bye",
            "languages": ["en", "ro"],
            "nodes": {"bye": {"type": "hangup", "outcome": "callback"}},
        }
    )
    top = load_flow(
        {
            "id": "top",
            "start": "ro",
            "languages": ["en", "ro"],
            "nodes": {
                "ro": {"type": "language", "language": "ro", "next": "call"},
                "call": {"type": "subflow", "flow": "sub", "next": "done"},
                "done": {"type": "hangup"},
            },
        },
        flows=[sub],
    )
    update = IvrSession(top, subflows=[sub]).start(now=NOW)
    started, end = update.events
    assert isinstance(started, SessionStarted)
    assert isinstance(end, SessionEnded)
    assert started.language == "en"
    assert (end.flow, end.node, end.language, end.outcome) == (
        "top",
        "sub:bye",
        "ro",
        ContactOutcome.CALLBACK,
    )


def test_events_are_domain_events_with_dotted_kinds() -> None:
    """Both events are callcore Events, frozen, with stable dotted kinds."""
    assert issubclass(SessionStarted, Event)
    assert issubclass(SessionEnded, Event)
    assert (SessionStarted.kind, SessionEnded.kind) == ("ivr.session_started", "ivr.session_ended")
    _, updates = run({"menu": {"type": "queue", "queue": "q"}}, call={"ani": "1"})
    event = updates[0].events[0]
    assert isinstance(event, SessionStarted)
    with pytest.raises(TypeError):
        event.call["ani"] = "2"  # type: ignore[index]
    assert to_dict(event)["call"] == {"ani": "1"}


def test_the_update_has_the_shared_shape() -> None:
    """IvrUpdate is frozen and satisfies the ground floor's update protocols."""
    _, updates = run({"menu": {"type": "queue", "queue": "q"}})
    update: ActionUpdate[Action] = updates[0]
    shared: Update = update
    assert isinstance(shared.events, tuple)
    assert isinstance(update.actions, tuple)
    assert not hasattr(updates[0], "__dict__")  # slots
    with pytest.raises(AttributeError):
        updates[0].actions = ()  # type: ignore[misc]


def test_a_refused_call_emits_nothing() -> None:
    """A refused event raises; the next accepted one still reports the one end."""
    session, _ = run({"menu": menu(), **endings()})
    with pytest.raises(InvalidInputError):
        session.handle(Digits("1"), now=NOW - timedelta(seconds=1))
    update = session.handle(Digits("1"), now=NOW)
    assert [event.kind for event in update.events] == ["ivr.session_ended"]


# --- the queue hand-over ---------------------------------------------------------------


def test_enqueue_contact_is_a_queue_request() -> None:
    """The action has the queue request's shape: queue, priority, skills, language."""
    _, updates = run(
        {
            "menu": {
                "type": "queue",
                "queue": "billing",
                "priority": 7,
                "skills": {"billing": 4, "ro": 2},
            }
        },
        language="en",
    )
    (action,) = updates[0].actions
    assert isinstance(action, EnqueueContact)
    request: QueueRequest = action  # checked by mypy: no translation needed
    assert (request.queue, request.priority, request.language) == ("billing", 7, "en")
    assert dict(request.skills) == {"billing": 4, "ro": 2}
    with pytest.raises(TypeError):
        action.skills["billing"] = 10  # type: ignore[index]


def test_bare_skill_names_mean_the_lowest_level() -> None:
    """A list of names in the document is a mapping of each name to level 1."""
    node = load_flow(
        document({"menu": {"type": "queue", "queue": "q", "skills": ["billing", "ro"]}})
    ).nodes["menu"]
    assert isinstance(node, QueueNode)
    assert dict(node.skills) == {"billing": MIN_SKILL_LEVEL, "ro": MIN_SKILL_LEVEL}
    assert flow_to_dict(load_flow(document({"menu": node_data(node)})))["nodes"]["menu"][
        "skills"
    ] == {"billing": 1, "ro": 1}


def node_data(node: QueueNode) -> dict[str, Any]:
    """A queue node as document data."""
    return {"type": "queue", "queue": node.queue, "skills": dict(node.skills)}


@pytest.mark.parametrize(
    ("skills", "field"),
    [({"a": 0}, "skills.a"), ({"a": 11}, "skills.a"), (["a"], "skills"), ("a", "skills")],
)
def test_enqueue_contact_checks_its_skills(skills: object, field: str) -> None:
    """Skills must map names to levels 1..10, in code and on the wire."""
    with pytest.raises(InvalidInputError) as error:
        EnqueueContact("q", skills=skills)
    assert error.value.field == field
    with pytest.raises(DocumentError) as wire:
        from_dict(Action, {"type": "enqueue_contact", "queue": "q", "skills": skills})  # type: ignore[arg-type]
    assert [problem.path for problem in wire.value.problems] == [field]


def test_enqueue_contact_wire_format_round_trips() -> None:
    """Skills go on the wire as a mapping of names to levels and read back equal."""
    action = EnqueueContact("q", priority=3, skills={"billing": 2}, language="ro")
    data = converter.unstructure(action, Action)
    assert data == {
        "type": "enqueue_contact",
        "queue": "q",
        "priority": 3,
        "skills": {"billing": 2},
        "language": "ro",
        "variables": {},
        "caller": {},
    }
    assert from_dict(Action, data) == action  # type: ignore[arg-type]
