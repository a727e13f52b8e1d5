"""Bots and knowledge through the centre: the IVR's bot node, suggested articles, wrap-up."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from callcore.acd import AgentProfile, Membership, QueueConfig
from callcore.bots import AwaitCustomer, BotReply, BotSessionEnded, SayToCustomer
from callcore.center import (
    SUGGESTED_ARTICLES,
    BotToCustomer,
    ContactCenter,
    ContactCompleted,
    Disposition,
    Phase,
    RingAgent,
    ScreenPop,
)
from callcore.contacts import Channel, ContactOutcome
from callcore.errors import InvalidInputError, InvalidTransitionError
from callcore.ivr import load_flow
from callcore.knowledge import Article, build_index
from callcore.testing.bots import IndexKnowledgeBase, ScriptedBot
from tests.ivr.flows import document

T0 = datetime(2026, 1, 12, 9, 0, tzinfo=timezone.utc)
S = timedelta(seconds=1)
DIALLED = "+442079460000"
CALLER = "+447700900123"

FLOW = load_flow(
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
            "agents": {"type": "queue", "queue": "cards"},
        }
    )
)
ARTICLES = [
    Article(id="kb-pw", title="Reset your password"),
    Article(id="kb-card", title="Block a lost or stolen card", tags=("lost_card",)),
    Article(id="kb-fees", title="Card fees abroad"),
]
HANDOFF = [
    BotReply(say="How can I help?"),
    BotReply(
        say="Connecting you to an adviser.",
        handoff=True,
        variables={"card_last4": "4411"},
        intent="lost_card",
        summary="Lost debit card ending 4411",
    ),
]
RESOLVE = [BotReply(say="How can I help?"), BotReply(say="Your balance is 10 GBP.", resolved=True)]


def _centre(script: list[BotReply], *, store: str = "memory:") -> ContactCenter:
    return ContactCenter(
        queues=[QueueConfig(name="cards")],
        flows={DIALLED: FLOW},
        agents=[AgentProfile(agent_id="a1", memberships=(Membership(queue="cards"),))],
        plugins=[ScriptedBot("faq", script), IndexKnowledgeBase(build_index(ARTICLES))],
        store=store,
        default_country_code="44",
    )


def _bot_actions(actions: tuple[object, ...]) -> list[object]:
    return [a.action for a in actions if isinstance(a, BotToCustomer)]


def test_a_hand_off_reaches_the_agent_with_the_bots_variables_and_articles() -> None:
    """Greeting, one customer turn, hand-off: the offer's screen pop carries it all."""
    center = _centre(HANDOFF)
    center.agent_logged_in("a1", now=T0)
    started = center.inbound_call(caller=CALLER, dialled=DIALLED, contact_id="CA-1", now=T0)
    assert "bot.session_started" in started.kinds()
    said = _bot_actions(started.actions)
    assert said[0] == SayToCustomer("How can I help?")
    assert isinstance(said[1], AwaitCustomer)
    assert said[1].deadline == T0 + 30 * S  # the session's customer_timeout
    assert center.next_deadline() == T0 + 30 * S
    assert center.contact("CA-1").phase is Phase.IVR

    turned = center.customer_said("CA-1", "I lost my card", now=T0 + 4 * S)
    (ended,) = turned.of_type(BotSessionEnded)
    assert ended.outcome.value == "handed_off"
    (ring,) = [a for a in turned.actions if isinstance(a, RingAgent)]
    # the ringing offer shows the bot's findings and the articles before the agent accepts
    assert ring.variables["card_last4"] == "4411"
    assert ring.variables["bot"]["intent"] == "lost_card"
    assert [a["id"] for a in ring.variables[SUGGESTED_ARTICLES]] == ["kb-card", "kb-fees"]
    live = center.contact("CA-1")
    assert live.phase is Phase.QUEUED
    assert live.bot is None
    assert live.variables["card_last4"] == "4411"
    assert live.variables["bot"] == {
        "intent": "lost_card",
        "summary": "Lost debit card ending 4411",
        "queue": "",
    }
    # 'lost_card' is kb-card's tag and the summary's words 'card' twice: the card articles first
    assert [a["id"] for a in live.variables[SUGGESTED_ARTICLES]] == ["kb-card", "kb-fees"]

    accepted = center.agent_accepted("CA-1", "a1", now=T0 + 6 * S)
    (pop,) = [a for a in accepted.actions if isinstance(a, ScreenPop)]
    assert pop.variables["card_last4"] == "4411"
    assert pop.variables["bot"]["intent"] == "lost_card"
    assert pop.variables[SUGGESTED_ARTICLES][0]["title"] == "Block a lost or stolen card"

    center.caller_hung_up("CA-1", now=T0 + 60 * S)
    wrapped = center.agent_wrapped_up(
        "CA-1",
        disposition=Disposition.RESOLVED,
        notes="card blocked",
        article="kb-card",
        now=T0 + 70 * S,
    )
    (completed,) = wrapped.of_type(ContactCompleted)
    ticket = center.store.get_ticket(completed.record.ticket_id or "")
    assert ticket is not None
    assert ticket.fields["article"] == "kb-card"
    totals = center.self_service
    assert (totals.bot_sessions, totals.bot_handed_off, totals.bot_resolved) == (1, 1, 0)
    assert totals.containment_rate == 0.0
    assert totals.articles == {"kb-card": 1}
    assert totals.article_resolution_rate == 1.0


def test_a_resolved_bot_session_is_self_service_and_counts_in_containment() -> None:
    """The bot answers the question: the flow says goodbye, the record is self_served."""
    center = _centre(RESOLVE)
    center.inbound_call(caller=CALLER, dialled=DIALLED, contact_id="CA-1", now=T0)
    update = center.customer_said("CA-1", "what is my balance", now=T0 + 3 * S)
    assert _bot_actions(update.actions) == [SayToCustomer("Your balance is 10 GBP.")]
    (completed,) = update.of_type(ContactCompleted)
    assert completed.record.outcome is ContactOutcome.SELF_SERVED
    assert center.contact_ids() == ()
    assert center.self_service.containment_rate == 1.0
    assert center.aggregator.total().self_served == 1


def test_a_silent_customer_is_handed_off_at_the_bots_time_out() -> None:
    """No answer within customer_timeout (30 s): run_due hands the contact to the queue."""
    center = _centre(HANDOFF)
    center.inbound_call(caller=CALLER, dialled=DIALLED, contact_id="CA-1", now=T0)
    assert center.run_due(now=T0 + 29 * S).events == ()
    update = center.run_due(now=T0 + 30 * S)
    (ended,) = update.of_type(BotSessionEnded)
    assert (ended.outcome.value, ended.reason) == ("handed_off", "no_input")
    assert center.contact("CA-1").phase is Phase.QUEUED


def test_a_hang_up_during_the_bot_ends_the_session_abandoned() -> None:
    """The caller leaves mid-conversation: bot session abandoned, contact abandoned."""
    center = _centre(HANDOFF)
    center.inbound_call(caller=CALLER, dialled=DIALLED, contact_id="CA-1", now=T0)
    update = center.caller_hung_up("CA-1", now=T0 + 5 * S)
    (ended,) = update.of_type(BotSessionEnded)
    assert ended.outcome.value == "abandoned"
    (completed,) = update.of_type(ContactCompleted)
    assert completed.record.outcome is ContactOutcome.ABANDONED
    assert center.self_service.bot_abandoned == 1
    assert center.next_deadline() is None


def test_refused_turns_change_nothing() -> None:
    """A turn too long, or for a contact no bot has, leaves the checkpoint byte-identical."""
    center = _centre(HANDOFF)
    center.inbound_call(caller=CALLER, dialled=DIALLED, contact_id="CA-1", now=T0)
    center.checkpoint()
    before = center.store.load_checkpoint("center")
    with pytest.raises(InvalidInputError):
        center.customer_said("CA-1", "x" * 100_000, now=T0 + S)
    with pytest.raises(InvalidInputError):
        center.customer_said("CA-1", "hello", now=T0 - S)
    with pytest.raises(InvalidInputError, match="article"):
        center.agent_wrapped_up("CA-1", disposition=Disposition.RESOLVED, article=3)  # type: ignore[arg-type]
    center.checkpoint()
    assert center.store.load_checkpoint("center") == before
    center.customer_said("CA-1", "I lost my card", now=T0 + S)
    with pytest.raises(InvalidTransitionError):
        center.customer_said("CA-1", "hello?", now=T0 + 2 * S)  # queued: no bot


def test_a_restart_resumes_the_bot_conversation(tmp_path: object) -> None:
    """A durable centre restarted mid-conversation carries on at the same turn."""
    url = f"sqlite:///{tmp_path}/centre.db"
    first = ContactCenter(
        queues=[QueueConfig(name="cards")],
        flows={DIALLED: FLOW},
        plugins=[ScriptedBot("faq", HANDOFF)],
        store=url,
        durable=True,
        default_country_code="44",
    )
    first.inbound_call(caller=CALLER, dialled=DIALLED, contact_id="CA-1", now=T0)
    second = ContactCenter(
        queues=[QueueConfig(name="cards")],
        flows={DIALLED: FLOW},
        plugins=[ScriptedBot("faq", HANDOFF)],
        store=url,
        durable=True,
        default_country_code="44",
    )
    assert second.next_deadline() == T0 + 30 * S
    update = second.customer_said("CA-1", "I lost my card", now=T0 + 3 * S)
    assert update.of_type(BotSessionEnded)[0].outcome.value == "handed_off"
    assert second.contact("CA-1").variables["card_last4"] == "4411"
    assert second.self_service.bot_handed_off == 1


def _chat_centre(script: list[BotReply]) -> ContactCenter:
    return ContactCenter(
        queues=[QueueConfig(name="cards"), QueueConfig(name="chat", channel=Channel.CHAT)],
        flows={DIALLED: FLOW},
        message_queues={Channel.CHAT: "chat"},
        message_bots={Channel.CHAT: "faq"},
        agents=[
            AgentProfile(
                agent_id="a1",
                memberships=(Membership(queue="chat"),),
                capacity={Channel.CHAT: 2},
            )
        ],
        plugins=[ScriptedBot("faq", script), IndexKnowledgeBase(build_index(ARTICLES))],
    )


def test_a_chat_message_meets_the_bot_before_the_queue() -> None:
    """The first message is the bot's first turn; its hand-off queues the chat with the context."""
    center = _chat_centre(HANDOFF)
    center.agent_logged_in("a1", now=T0)
    update = center.inbound_message(
        channel=Channel.CHAT, sender="ana@example.com", text="I lost my card", now=T0
    )
    said = _bot_actions(update.actions)
    assert said == [
        SayToCustomer("How can I help?"),
        SayToCustomer("Connecting you to an adviser."),
    ]
    (ended,) = update.of_type(BotSessionEnded)
    assert (ended.outcome.value, ended.turns) == ("handed_off", 1)
    (ring,) = [a for a in update.actions if isinstance(a, RingAgent)]
    assert ring.offer.queue == "chat"
    assert ring.variables["bot"]["intent"] == "lost_card"
    assert ring.variables[SUGGESTED_ARTICLES][0]["id"] == "kb-card"
    live = center.contact(ring.offer.contact_id)
    assert live.phase is Phase.QUEUED
    assert live.variables["card_last4"] == "4411"
    assert live.variables["bot"]["intent"] == "lost_card"
    assert live.variables[SUGGESTED_ARTICLES][0]["id"] == "kb-card"


def test_a_chat_the_bot_resolves_is_self_served() -> None:
    """Resolved on the first message: no queue, a self_served record; a chat left is abandoned."""
    center = _chat_centre(RESOLVE)
    update = center.inbound_message(
        channel=Channel.CHAT, sender="ana@example.com", text="balance?", contact_id="CH-1", now=T0
    )
    (completed,) = update.of_type(ContactCompleted)
    assert completed.record.outcome is ContactOutcome.SELF_SERVED
    assert completed.record.ivr_path == ("bot:faq",)
    left = _chat_centre(HANDOFF)
    left.inbound_message(channel=Channel.CHAT, sender=None, contact_id="CH-2", now=T0)
    assert left.contact("CH-2").phase is Phase.BOT  # no text: the bot waits for the customer
    gone = left.caller_hung_up("CH-2", now=T0 + 5 * S)
    assert gone.of_type(ContactCompleted)[0].record.outcome is ContactOutcome.ABANDONED
    assert left.self_service.bot_abandoned == 1


def test_message_bots_refuse_the_voice_channel() -> None:
    """A call meets its bot in the IVR: message_bots names message channels only."""
    with pytest.raises(InvalidInputError, match="message_bots"):
        ContactCenter(
            queues=[QueueConfig(name="cards")],
            flows={DIALLED: FLOW},
            message_bots={Channel.VOICE: "faq"},
        )
