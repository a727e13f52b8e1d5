"""End to end without the centre: IVR bot node, bot session over pluggy, IVR queue, articles.

This is the joining the centre is to do (see docs/bots/index.md): on StartBot
run a BotSession, answer its AskBot actions with the callcore_bot hook, and
feed how it ended back to the IVR as BotFinished; on the IVR's EnqueueContact
ask callcore_knowledge_search with the bot's intent and summary for the offer.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pluggy

from callcore import hookspecs
from callcore.bots import AskBot, BotReply, BotSession, BotSessionEnded, HandOff
from callcore.ivr import BotFinished, EnqueueContact, IvrSession, StartBot, load_flow
from callcore.knowledge import Article, KnowledgeQuery, build_index
from callcore.testing.bots import IndexKnowledgeBase, ScriptedBot
from tests.ivr.flows import document

T0 = datetime(2026, 1, 12, 9, 0, tzinfo=timezone.utc)


def test_the_agents_offer_carries_the_bots_variables_and_suggested_articles() -> None:
    """A caller tells the bot about a lost card; the queued contact carries it all."""
    flow = load_flow(
        document(
            {
                "menu": {
                    "type": "bot",
                    "bot": "faq",
                    "resolved": "bye",
                    "handoff": "agents",
                    "on_error": "agents",
                },
                "bye": {"type": "hangup"},
                "agents": {"type": "queue", "queue": "cards", "skills": ["cards"]},
            }
        )
    )
    bot = ScriptedBot(
        "faq",
        [
            BotReply(say="How can I help?"),
            BotReply(
                say="Connecting you to an adviser.",
                handoff=True,
                variables={"card_last4": "4411"},
                intent="lost_card",
                summary="Lost debit card ending 4411",
            ),
        ],
    )
    kb = IndexKnowledgeBase(
        build_index(
            [
                Article(id="kb-pw", title="Reset your password"),
                Article(id="kb-card", title="Block a lost or stolen card", tags=("lost_card",)),
            ]
        )
    )
    pm = pluggy.PluginManager(hookspecs.PROJECT_NAME)
    pm.add_hookspecs(hookspecs)
    pm.register(bot)
    pm.register(kb)

    ivr = IvrSession(flow)
    start = ivr.start(now=T0, caller={"ani": "+441"}).actions[-1]
    assert isinstance(start, StartBot)

    # the centre's part: run the bot session for the StartBot
    session = BotSession("call-1", start.bot, queue="cards", language=start.language)
    update = session.start(now=T0, variables=start.variables, intent=start.intent)
    now = T0
    customer = ["I lost my card"]
    while True:
        ask = next((a for a in update.actions if isinstance(a, AskBot)), None)
        if ask is not None:
            now += timedelta(seconds=1)
            update = session.bot_replied(pm.hook.callcore_bot(request=ask.request), now=now)
            continue
        if session.outcome is not None:
            break
        now += timedelta(seconds=3)
        update = session.customer_said(customer.pop(0), now=now)
    ended = next(e for e in update.events if isinstance(e, BotSessionEnded))
    handoff = next(a for a in update.actions if isinstance(a, HandOff))
    finished = BotFinished(
        outcome=ended.outcome.value,
        variables=ended.variables,
        intent=ended.intent,
        summary=ended.summary,
        queue=handoff.queue,
    )
    enqueue = ivr.handle(finished, now=now).actions[-1]
    assert isinstance(enqueue, EnqueueContact)
    assert enqueue.queue == "cards"
    assert enqueue.variables["card_last4"] == "4411"
    assert enqueue.variables["bot"] == {
        "intent": "lost_card",
        "summary": "Lost debit card ending 4411",
        "queue": "cards",
    }
    bot_info = enqueue.variables["bot"]
    articles = pm.hook.callcore_knowledge_search(
        query=KnowledgeQuery(text=bot_info["summary"], intent=bot_info["intent"], limit=1)
    )
    assert [a.article_id for a in articles] == ["kb-card"]
    assert [r.turn for r in bot.requests] == [0, 1]
