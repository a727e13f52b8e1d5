"""The bot-session protocol: turns, resolution, hand-offs with context, limits, refusals."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import datetime, timedelta, timezone
from typing import Any

import pluggy
import pytest

from callcore import hookspecs
from callcore.bots import (
    AskBot,
    AwaitCustomer,
    BotOutcome,
    BotReply,
    BotSession,
    BotSessionEnded,
    BotUpdate,
    HandOff,
    SayToCustomer,
    containment_rate,
)
from callcore.errors import DocumentError, InvalidInputError, InvalidTransitionError
from callcore.knowledge import Article, KnowledgeQuery, build_index
from callcore.testing.bots import IndexKnowledgeBase, ScriptedBot

T0 = datetime(2026, 1, 12, 9, 0, tzinfo=timezone.utc)


def manager(*plugins: object) -> pluggy.PluginManager:
    """A plugin manager with the self-service hook specs and ``plugins``."""
    pm = pluggy.PluginManager(hookspecs.PROJECT_NAME)
    pm.add_hookspecs(hookspecs)
    for plugin in plugins:
        pm.register(plugin)
    return pm


def converse(
    session: BotSession, pm: pluggy.PluginManager, lines: list[str], step: timedelta
) -> list[BotUpdate]:
    """Drive a session like a host: ask the hook for each AskBot, answer each AwaitCustomer."""
    now = T0
    updates = [session.start(now=now, variables={"ani": "+441"}, intent="")]
    pending = list(lines)
    while updates[-1].actions:
        action = updates[-1].actions[-1]
        now += step
        if isinstance(action, AskBot):
            reply = pm.hook.callcore_bot(request=action.request)
            updates.append(session.bot_replied(reply, now=now))
        elif isinstance(action, AwaitCustomer) and pending:
            updates.append(session.customer_said(pending.pop(0), now=now))
        else:
            break
    return updates


def test_a_bot_that_resolves_ends_contained() -> None:
    """Greeting, one customer turn, resolved: self-service, no hand-off."""
    bot = ScriptedBot(
        "faq",
        [
            BotReply(say="Hello, how can I help?"),
            BotReply(say="Your balance is 12 GBP.", resolved=True, intent="balance"),
        ],
    )
    session = BotSession("s1", "faq", "support")
    updates = converse(session, manager(bot), ["what is my balance"], timedelta(seconds=1))
    ended = [e for u in updates for e in u.events if isinstance(e, BotSessionEnded)]
    assert [(e.outcome, e.turns, e.intent) for e in ended] == [(BotOutcome.RESOLVED, 1, "balance")]
    said = [a.text for u in updates for a in u.actions if isinstance(a, SayToCustomer)]
    assert said == ["Hello, how can I help?", "Your balance is 12 GBP."]
    assert [r.turn for r in bot.requests] == [0, 1]
    assert bot.requests[1].text == "what is my balance"
    assert bot.requests[1].variables == {"ani": "+441"}
    assert not any(isinstance(a, HandOff) for u in updates for a in u.actions)


def test_hand_off_carries_variables_intent_summary_and_suggested_articles() -> None:
    """A hand-off carries what the bot collected; the knowledge hook suggests articles."""
    bot = ScriptedBot(
        "faq",
        [
            BotReply(say="Hi"),
            BotReply(say="Which card?", variables={"account": "991"}, intent="lost_card"),
            BotReply(
                say="Connecting you.", handoff=True, queue="cards", summary="Lost debit card 4411"
            ),
        ],
    )
    kb = IndexKnowledgeBase(
        build_index(
            [
                Article(id="kb1", title="Reset a password"),
                Article(id="kb2", title="Block a lost card", tags=("lost_card",)),
            ]
        )
    )
    pm = manager(bot, kb)
    session = BotSession("s2", "faq", "support", priority=5, skills={"cards": 2}, language="en")
    updates = converse(session, pm, ["I lost my card", "the debit one"], timedelta(seconds=2))
    handoff = updates[-1].actions[-1]
    assert isinstance(handoff, HandOff)
    assert (handoff.queue, handoff.priority, dict(handoff.skills), handoff.language) == (
        "cards",
        5,
        {"cards": 2},
        "en",
    )
    assert dict(handoff.variables) == {"ani": "+441", "account": "991"}
    assert (handoff.intent, handoff.summary, handoff.reason) == (
        "lost_card",
        "Lost debit card 4411",
        "bot",
    )
    # what the centre puts on the agent's offer: the articles for the bot's intent and summary
    found = pm.hook.callcore_knowledge_search(
        query=KnowledgeQuery(text=handoff.summary, intent=handoff.intent)
    )
    assert [s.article_id for s in found] == ["kb2"]


def test_limits_hand_off_with_a_reason() -> None:
    """Too many turns, a silent bot, a silent customer: each hands off, saying why."""
    chatty = ScriptedBot("b", [BotReply(say="?")] * 10)
    session = BotSession("m", "b", "q", max_turns=2)
    updates = converse(session, manager(chatty), ["a", "b", "c"], timedelta(seconds=1))
    assert updates[-1].actions[-1].reason == "max_turns"  # type: ignore[union-attr]
    assert updates[-1].actions[-1].summary == "a / b"  # type: ignore[union-attr]

    slow = BotSession("t", "b", "q", bot_timeout=timedelta(seconds=5))
    slow.start(now=T0)
    assert slow.next_deadline() == T0 + timedelta(seconds=5)
    assert slow.advance(now=T0 + timedelta(seconds=4)) == BotUpdate()
    assert slow.advance(now=T0 + timedelta(seconds=5)).actions[-1].reason == "bot_timeout"  # type: ignore[union-attr]
    assert slow.next_deadline() is None

    quiet = BotSession("n", "b", "q", customer_timeout=timedelta(seconds=30))
    quiet.start(now=T0)
    await_ = quiet.bot_replied(BotReply(say="Hi"), now=T0).actions[-1]
    assert await_ == AwaitCustomer(T0 + timedelta(seconds=30))
    assert quiet.advance(now=T0 + timedelta(seconds=30)).actions[-1].reason == "no_input"  # type: ignore[union-attr]


def test_a_customer_who_leaves_abandons_and_containment_counts_only_resolved() -> None:
    """Abandoned sessions are not contained; the rate is resolved over ended sessions."""
    session = BotSession("a", "b", "q")
    session.start(now=T0)
    ended = session.customer_left(now=T0).events[0]
    assert isinstance(ended, BotSessionEnded)
    assert ended.outcome is BotOutcome.ABANDONED
    resolved = BotSessionEnded(
        at=T0,
        session_id="r",
        bot="b",
        outcome=BotOutcome.RESOLVED,
        turns=1,
        intent="",
        variables={},
        summary="",
    )
    assert containment_rate([ended, resolved, resolved]) == pytest.approx(2 / 3)
    assert containment_rate([]) == 0.0


def test_refused_calls_change_nothing() -> None:
    """Wrong state, bad values, time going back: refused, the snapshot unchanged."""
    session = BotSession("x", "b", "q")
    session.start(now=T0 + timedelta(seconds=10))
    before = json.dumps(session.snapshot())
    not_a_reply: Any = "hi"
    calls: list[tuple[Callable[[], object], type[Exception]]] = [
        (
            lambda: session.customer_said("hi", now=T0 + timedelta(seconds=11)),
            InvalidTransitionError,
        ),
        (lambda: session.start(now=T0 + timedelta(seconds=11)), InvalidTransitionError),
        (
            lambda: session.bot_replied(not_a_reply, now=T0 + timedelta(seconds=11)),
            InvalidInputError,
        ),
        (lambda: session.bot_replied(BotReply(), now=T0), InvalidInputError),
    ]
    for call, error in calls:
        with pytest.raises(error):
            call()
        assert json.dumps(session.snapshot()) == before
    with pytest.raises(InvalidInputError) as raised:
        BotReply(resolved=True, handoff=True)
    assert raised.value.field == "handoff"
    with pytest.raises(InvalidInputError):
        BotReply(variables={"x": object()})


def test_a_restored_session_goes_on_as_the_original() -> None:
    """Snapshot through JSON mid-conversation; the same inputs give the same updates."""
    original = BotSession("s", "b", "q", skills={"x": 1})
    original.start(now=T0, variables={"k": [1, 2]}, intent="i")
    original.bot_replied(BotReply(say="hi", summary="sum"), now=T0)
    restored = BotSession.restore(json.loads(json.dumps(original.snapshot())))
    assert restored.snapshot() == original.snapshot()
    for session in (original, restored):
        session.customer_said("yes", now=T0 + timedelta(seconds=1))
    assert restored.bot_replied(BotReply(handoff=True), now=T0 + timedelta(seconds=2)) == (
        original.bot_replied(BotReply(handoff=True), now=T0 + timedelta(seconds=2))
    )
    with pytest.raises(DocumentError):
        BotSession.restore({"version": 1})
