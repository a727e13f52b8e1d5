"""The bot node: the IVR hands the call to a bot and goes on by how the bot finished."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any

import pytest

from callcore.contacts import ContactOutcome
from callcore.errors import DocumentError, InvalidInputError
from callcore.ivr import (
    BotFinished,
    EnqueueContact,
    Hangup,
    IvrSession,
    NoInput,
    StartBot,
    load_flow,
)
from tests.ivr.flows import document

T0 = datetime(2026, 1, 12, 9, 0, tzinfo=timezone.utc)


def bot_flow(**fields: Any) -> dict[str, Any]:
    """Set intent -> bot -> (resolved: bye, handed off: queue, error: operator)."""
    node: dict[str, Any] = {
        "type": "bot",
        "bot": "faq",
        "resolved": "bye",
        "handoff": "agents",
        "on_error": "operator",
        "intent_from": "vars.intent",
        "timeout": 60,
    }
    node.update(fields)
    return document(
        {
            "menu": {"type": "set", "values": {"intent": "billing"}, "next": "assistant"},
            "assistant": node,
            "bye": {"type": "hangup", "reason": "served"},
            "agents": {"type": "queue", "queue": "support"},
            "operator": {"type": "queue", "queue": "operator"},
        }
    )


def started() -> tuple[IvrSession, StartBot]:
    """A session waiting on the bot node, and the StartBot it emitted."""
    session = IvrSession(load_flow(bot_flow()))
    update = session.start(now=T0, caller={"ani": "+441"})
    start = update.actions[-1]
    assert isinstance(start, StartBot)
    return session, start


def test_the_node_hands_the_call_to_the_bot_with_what_is_known() -> None:
    """StartBot names the bot, carries the variables, the intent and the timeout."""
    _, start = started()
    assert (start.node, start.bot, start.intent, start.language) == (
        "assistant",
        "faq",
        "billing",
        "en",
    )
    assert dict(start.variables) == {"intent": "billing"}
    assert start.timeout == timedelta(seconds=60)


def test_a_hand_off_reaches_the_queue_with_the_bots_variables() -> None:
    """handed_off: the queue request carries the collected variables, intent and summary."""
    session, _ = started()
    finished = BotFinished(
        outcome="handed_off",
        variables={"account": "991"},
        intent="lost_card",
        summary="Lost card",
        queue="cards",
    )
    update = session.handle(finished, now=T0 + timedelta(seconds=30))
    enqueue = update.actions[-1]
    assert isinstance(enqueue, EnqueueContact)
    assert enqueue.queue == "support"
    assert dict(enqueue.variables) == {
        "intent": "billing",
        "account": "991",
        "bot": {"intent": "lost_card", "summary": "Lost card", "queue": "cards"},
    }


def test_resolved_goes_to_its_branch_and_abandoned_ends_the_call() -> None:
    """resolved: the goodbye branch (self-served); abandoned: the session ends abandoned."""
    session, _ = started()
    update = session.handle(BotFinished(outcome="resolved"), now=T0 + timedelta(seconds=5))
    assert isinstance(update.actions[-1], Hangup)
    assert session.outcome is ContactOutcome.SELF_SERVED
    session, _ = started()
    session.handle(BotFinished(outcome="abandoned"), now=T0 + timedelta(seconds=5))
    assert session.outcome is ContactOutcome.ABANDONED


def test_a_bot_that_does_not_finish_in_time_takes_the_error_branch() -> None:
    """At the timeout the session resumes the node with no input: the operator queue."""
    session, _ = started()
    assert session.next_deadline() == T0 + timedelta(seconds=60)
    update = session.tick(now=T0 + timedelta(seconds=60))
    enqueue = update.actions[-1]
    assert isinstance(enqueue, EnqueueContact)
    assert enqueue.queue == "operator"
    session, _ = started()
    late = session.handle(NoInput(), now=T0 + timedelta(seconds=10))
    assert late.actions[-1].queue == "operator"  # type: ignore[union-attr]


def test_validation_and_refusals() -> None:
    """A bot node without on_error is a document problem; a bad outcome is refused."""
    with pytest.raises(DocumentError) as caught:
        load_flow(bot_flow(on_error=None))
    assert any(p.path.endswith("on_error") for p in caught.value.problems)
    with pytest.raises(InvalidInputError) as raised:
        BotFinished(outcome="done")
    assert raised.value.field == "outcome"
