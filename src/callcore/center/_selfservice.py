"""Self-service in the centre: the IVR's bots, suggested articles, the articles that helped.

On the IVR's :class:`~callcore.ivr.StartBot` the centre runs a
:class:`~callcore.bots.BotSession`, answers each of its
:class:`~callcore.bots.AskBot` turns with the ``callcore_bot`` hook, and plays
the rest to the customer (:class:`~callcore.center.BotToCustomer`); the
customer's turns come in through :meth:`_SelfService.customer_said`. When the
session ends, how it ended goes back to the IVR as a
:class:`~callcore.ivr.BotFinished`: a resolved contact ends ``self_served``
(the flow's goodbye), a hand-off queues it with the bot's variables, intent and
summary. When a contact is queued, ``callcore_knowledge_search`` is asked for
articles from its intent and its bot summary (or subject); they travel in the
contact's variables to the agent's screen pop (``suggested_articles``). At
wrap-up the agent may name the article that helped (``article=``): it goes on
the ticket (field ``article``) and into :class:`SelfServiceTotals`.

The bot session's state lives on the contact (:attr:`LiveContact.bot
<callcore.center.LiveContact.bot>`, its snapshot) so the centre's checkpoint
keeps it; the totals are the ``self_service`` section of the checkpoint.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

import attrs

from callcore.bots import (
    MAX_TURN_TEXT,
    AskBot,
    AwaitCustomer,
    BotOutcome,
    BotReply,
    BotRequest,
    BotSession,
    BotSessionEnded,
    BotUpdate,
    HandOff,
    SayToCustomer,
)
from callcore.center._actions import BotToCustomer, CallerAction
from callcore.center._contact import LiveContact, Phase
from callcore.center._core import CenterUpdate, _Out
from callcore.center._disposition import Disposition
from callcore.center._handling import _Handling
from callcore.center._records import _agent
from callcore.center._voice import _Voice
from callcore.checks import check_enum, check_text
from callcore.contacts import Channel, ContactOutcome
from callcore.errors import (
    CallcoreError,
    DocumentError,
    InvalidInputError,
    InvalidTransitionError,
    Problem,
)
from callcore.ivr import BotFinished, EnqueueContact, StartBot
from callcore.knowledge import KnowledgeQuery, Suggestion
from callcore.plugins import call_hook
from callcore.tickets import SYSTEM

if TYPE_CHECKING:
    from collections.abc import Mapping

    from callcore.ivr import IvrUpdate

__all__ = ["SELF_SERVICE_CHECKPOINT", "SUGGESTED_ARTICLES", "SelfServiceTotals"]

SELF_SERVICE_CHECKPOINT = "center.self_service"
"""The name under which the self-service totals were saved beside the centre's
checkpoint before they became a section of it (still read from such a store)."""
SUGGESTED_ARTICLES = "suggested_articles"
"""The contact variable that carries the suggested articles to the agent's screen."""
SUGGESTIONS = 3
"""How many articles the agent's screen gets."""
_RESOLVED = frozenset({Disposition.RESOLVED, Disposition.CLOSED})
"""The dispositions that count as resolved (as the KPI record's first-contact resolution)."""
_NO_QUEUE = "-"
"""The bot session's own queue: the flow's hand-off node chooses, unless the bot names one."""


@attrs.define
class SelfServiceTotals:
    """Counts behind the self-service KPIs (``ContactCenter.self_service``).

    Attributes:
        bot_sessions: Bot sessions ended.
        bot_resolved: ... that the bot resolved (self-service).
        bot_handed_off: ... that the bot handed to an agent.
        bot_abandoned: ... that the customer left.
        resolved: Contacts an agent wrapped up as resolved.
        resolved_with_article: ... naming the article that helped.
        articles: How many times each article was named at wrap-up.
    """

    bot_sessions: int = 0
    bot_resolved: int = 0
    bot_handed_off: int = 0
    bot_abandoned: int = 0
    resolved: int = 0
    resolved_with_article: int = 0
    articles: dict[str, int] = attrs.Factory(dict)

    @property
    def containment_rate(self) -> float | None:
        """Bot sessions resolved without an agent / bot sessions ended (``None`` before any)."""
        return self.bot_resolved / self.bot_sessions if self.bot_sessions else None

    @property
    def article_resolution_rate(self) -> float | None:
        """Resolved contacts naming a helpful article / resolved contacts (``None`` before any)."""
        return self.resolved_with_article / self.resolved if self.resolved else None

    def as_dict(self) -> dict[str, Any]:
        """The totals as plain data."""
        return attrs.asdict(self)


class _SelfService(_Voice, _Handling):
    """Bots on the IVR's bot node, knowledge suggestions at queueing, articles at wrap-up."""

    def __init__(
        self,
        *,
        message_bots: Mapping[Channel, str] | None = None,
        **kwargs: Any,  # noqa: ANN401 - the centre's other arguments, as they are
    ) -> None:
        """Build the centre with empty self-service totals (a restart reads them back).

        ``message_bots`` names the bot that answers each message channel before
        the queue (``{Channel.CHAT: "faq"}``).
        """
        bots = dict(message_bots or {})
        for channel, bot in bots.items():
            check_enum(channel, Channel, "message_bots key")
            if channel is Channel.VOICE:
                raise InvalidInputError(
                    "a call meets its bot in the IVR (a bot node), not through message_bots",
                    field="message_bots",
                )
            check_text(bot, f"message_bots.{channel.value}", max_length=256)
        self._message_bots = bots
        self._with_bot: set[str] = set()  # contacts a bot has: the timers look at these only
        self.self_service = SelfServiceTotals()
        super().__init__(**kwargs)

    # --- checkpoint ------------------------------------------------------------------------

    def _restore(self, saved: str) -> None:
        super()._restore(saved)
        self._with_bot = {key for key, live in self._contacts.items() if live.bot is not None}
        data = self._saved_section("self_service", SELF_SERVICE_CHECKPOINT)
        if data is None:
            return
        try:
            self.self_service = SelfServiceTotals(**data)
        except (TypeError, ValueError) as error:
            raise DocumentError(
                [Problem("", f"not self-service totals: {error}")], "self-service checkpoint"
            ) from None

    def _sections(self) -> dict[str, Any]:
        sections = super()._sections()
        sections["self_service"] = self.self_service.as_dict()
        return sections

    # --- the customer's turn ---------------------------------------------------------------

    def customer_said(
        self, contact_id: str, text: str, *, now: datetime | None = None
    ) -> CenterUpdate:
        """The customer answered the bot (speech recognised, a chat message).

        Args:
            contact_id: The contact.
            text: What the customer said.
            now: When (default: the clock's time).

        Raises:
            NotFoundError: No such contact.
            InvalidTransitionError: No bot is waiting for this customer.
            InvalidInputError: ``text`` is not text or too long.
        """
        with self._lock:
            now = self._time(now)
            live = self._live(contact_id)
            if live.bot is None or live.phase not in {Phase.IVR, Phase.BOT}:
                raise InvalidTransitionError(
                    live.phase.value, "talk to the bot", "no bot has the contact"
                )
            session = BotSession.restore(live.bot)  # a copy: a refusal leaves the contact as it was
            update = session.customer_said(text, now=now)
            out = _Out()
            self._drive_bot(live, session, update, now, out)
            return self._finish(now, out)

    # --- the IVR's bot node ------------------------------------------------------------------

    def _absorb_ivr(self, live: LiveContact, update: IvrUpdate, now: datetime, out: _Out) -> None:
        """The IVR's actions; a :class:`StartBot` of this contact is the centre's to run."""
        first = len(out.actions)
        had_bot = live.bot is not None
        super()._absorb_ivr(live, update, now, out)
        starts = [
            action
            for action in out.actions[first:]
            if isinstance(action, CallerAction)
            and action.contact_id == live.contact_id
            and type(action.action) is StartBot
        ]
        if had_bot and live.bot is not None and not starts:
            # the IVR went on without the bot: a hang-up, or the bot node's own time-out
            session = BotSession.restore(live.bot)
            live.bot = None
            if session.outcome is None and (live.session is None or live.session.ended):
                self._end_bot(session.customer_left(now=now), out)
        for action in starts:
            out.actions.remove(action)
        if starts and live.phase is Phase.IVR:
            start = starts[-1].action
            assert isinstance(start, StartBot)  # noqa: S101 - filtered above
            session = BotSession(
                live.contact_id,
                start.bot,
                _NO_QUEUE,
                language=start.language,
                channel=live.channel,
            )
            begun = session.start(now=now, variables=start.variables, intent=start.intent)
            self._drive_bot(live, session, begun, now, out)

    def _drive_bot(
        self, live: LiveContact, session: BotSession, update: BotUpdate, now: datetime, out: _Out
    ) -> None:
        """Ask the bot hook for each turn; play the rest; when the session ends, tell the IVR."""
        handoff: HandOff | None = None
        ended: BotSessionEnded | None = None
        while True:
            out.events.extend(update.events)
            ended = next((e for e in update.events if isinstance(e, BotSessionEnded)), ended)
            ask: AskBot | None = None
            for action in update.actions:
                if isinstance(action, AskBot):
                    ask = action
                elif isinstance(action, HandOff):
                    handoff = action
                elif isinstance(action, SayToCustomer | AwaitCustomer):
                    out.actions.append(BotToCustomer(live.contact_id, action))
            reply = None if ask is None else self._ask_bot(ask.request)
            if reply is None:  # waiting for the customer, or no bot answered (bot_timeout)
                break
            update = session.bot_replied(reply, now=now)
        if ended is None:
            live.bot = session.snapshot()
            self._with_bot.add(live.contact_id)
            return
        live.bot = None
        self._count_bot(ended)
        if live.phase is Phase.BOT:
            self._message_bot_ended(live, ended, handoff, session.queue, now, out)
            return
        queue = handoff.queue if handoff is not None and handoff.queue != _NO_QUEUE else ""
        finished = BotFinished(
            outcome=ended.outcome.value,
            variables=ended.variables,
            intent=ended.intent,
            summary=ended.summary,
            queue=queue,
        )
        assert live.session is not None  # noqa: S101 - a contact in the IVR has a session
        self._absorb_ivr(live, live.session.handle(finished, now=now), now, out)

    def _ask_bot(self, request: BotRequest) -> BotReply | None:
        """The bot's reply from the ``callcore_bot`` hook; ``None`` if none (or a crash)."""
        try:
            reply = call_hook(self.plugins, "callcore_bot", request=request)
        except CallcoreError:
            return None  # logged by call_hook; the session's bot_timeout hands the contact off
        return reply if isinstance(reply, BotReply) else None

    def _end_bot(self, update: BotUpdate, out: _Out) -> None:
        out.events.extend(update.events)
        for event in update.events:
            if isinstance(event, BotSessionEnded):
                self._count_bot(event)

    def _count_bot(self, ended: BotSessionEnded) -> None:
        totals = self.self_service
        totals.bot_sessions += 1
        if ended.outcome is BotOutcome.RESOLVED:
            totals.bot_resolved += 1
        elif ended.outcome is BotOutcome.HANDED_OFF:
            totals.bot_handed_off += 1
        else:
            totals.bot_abandoned += 1

    # --- a message channel's bot -----------------------------------------------------------

    def _start_message_bot(
        self,
        live: LiveContact,
        bot: str,
        queue: str,
        now: datetime,
        out: _Out,
        *,
        priority: int = 0,
        skills: Mapping[str, int] | None = None,
        language: str = "",
    ) -> None:
        """The channel's bot takes the message: the greeting, then the message as the first turn."""
        live.phase = Phase.BOT
        session = BotSession(
            live.contact_id,
            bot,
            queue,
            priority=priority,
            skills=dict(skills or {}),
            language=language,
            channel=live.channel,
        )
        variables = {k: v for k, v in live.variables.items() if k != "text"}
        update = session.start(now=now, variables=variables)
        text = str(live.variables.get("text", ""))[:MAX_TURN_TEXT]
        first = len(out.actions)
        self._drive_bot(live, session, update, now, out)
        if live.bot is not None and text and session.state == "waiting_customer":
            waits = [
                action
                for action in out.actions[first:]
                if isinstance(action, BotToCustomer) and isinstance(action.action, AwaitCustomer)
            ]
            for action in waits:  # the customer has answered already: the message
                out.actions.remove(action)
            self._drive_bot(live, session, session.customer_said(text, now=now), now, out)

    def _message_bot_ended(  # noqa: PLR0917 - private, one caller
        self,
        live: LiveContact,
        ended: BotSessionEnded,
        handoff: HandOff | None,
        queue: str,
        now: datetime,
        out: _Out,
    ) -> None:
        """Resolved: a self-served contact; handed off: the queue, with what the bot collected."""
        live.ivr_path = (f"bot:{ended.bot}",)  # the self-service steps the record names
        live.ivr_ended_at = now
        live.variables.update(ended.variables)
        live.variables["bot"] = {"intent": ended.intent, "summary": ended.summary, "queue": ""}
        if handoff is None:
            outcome = (
                ContactOutcome.SELF_SERVED
                if ended.outcome is BotOutcome.RESOLVED
                else ContactOutcome.ABANDONED
            )
            self._complete(live, outcome, now, out)
            return
        live.phase = Phase.QUEUED
        live.variables["bot"]["queue"] = handoff.queue
        self._enqueue(
            live,
            handoff.queue if handoff.queue in self._queue_names else queue,
            now,
            out,
            priority=handoff.priority,
            skills=dict(handoff.skills),
            language=handoff.language,
        )

    def _message_bot_left(self, live: LiveContact, now: datetime, out: _Out) -> None:
        """The customer left the chat while the bot had it: the session and the contact end."""
        assert live.bot is not None  # noqa: S101 - a contact in the bot phase has a session
        session = BotSession.restore(live.bot)
        self._drive_bot(live, session, session.customer_left(now=now), now, out)

    # --- the bots' timers ------------------------------------------------------------------

    def _bots_next_deadline(self) -> datetime | None:
        """The earliest bot time-out (a customer who does not answer, a bot that does not)."""
        times = []
        for contact_id in self._with_bot:
            live = self._contacts.get(contact_id)
            if live is not None and live.bot is not None and live.bot.get("deadline"):
                times.append(datetime.fromisoformat(live.bot["deadline"]))
        return min(times) if times else None

    def _run_bots_due(self, now: datetime, out: _Out) -> None:
        """Hand off each bot session whose time-out has come."""
        for contact_id in sorted(self._with_bot):  # a stable order: by contact id
            live = self._contacts.get(contact_id)
            if live is None or live.bot is None:
                self._with_bot.discard(contact_id)  # ended meanwhile
                continue
            if live.phase not in {Phase.IVR, Phase.BOT}:
                continue
            deadline = live.bot.get("deadline")
            if deadline and datetime.fromisoformat(deadline) <= now:
                session = BotSession.restore(live.bot)
                self._drive_bot(live, session, session.advance(now=now), now, out)

    # --- knowledge at queueing -------------------------------------------------------------

    def _enqueue(
        self,
        live: LiveContact,
        request: EnqueueContact | str,
        now: datetime,
        out: _Out,
        **options: Any,  # noqa: ANN401 - priority, skills, language, as _Queueing takes them
    ) -> None:
        """Suggest articles for the agent's screen, then queue the contact.

        A new message on a channel with a bot (``message_bots``) goes to the
        bot first; its hand-off comes back here.
        """
        bot = self._message_bots.get(live.channel)
        first = bot is not None and live.queued_at is None and not live.ivr_path
        if first and bot is not None and isinstance(request, str):
            self._start_message_bot(live, bot, request, now, out, **options)
            return
        suggestions = self._suggest(live)
        if suggestions is not None:
            live.variables[SUGGESTED_ARTICLES] = suggestions
        super()._enqueue(live, request, now, out, **options)

    def _suggest(self, live: LiveContact) -> list[dict[str, Any]] | None:
        """Articles for the intent and the bot's summary (or the subject); ``None``: no plugin."""
        if not self.plugins.hook.callcore_knowledge_search.get_hookimpls():
            return None
        bot = live.variables.get("bot")
        bot_info: Mapping[str, Any] = bot if isinstance(bot, dict) else {}
        intent = bot_info.get("intent") or live.variables.get("intent") or ""
        text = bot_info.get("summary") or live.subject
        try:
            query = KnowledgeQuery(
                text=str(text),
                intent=str(intent)[:256],
                language=live.customer.language or "",
                limit=SUGGESTIONS,
            )
            found = call_hook(self.plugins, "callcore_knowledge_search", query=query)
        except CallcoreError:
            return None  # a bad query or a crashed plugin: no suggestions, the contact goes on
        if not isinstance(found, list):
            return None
        return [
            {"id": item.article_id, "title": item.title, "url": item.url, "score": item.score}
            for item in found[:SUGGESTIONS]
            if isinstance(item, Suggestion)
        ]

    # --- the article that helped -----------------------------------------------------------

    def agent_wrapped_up(
        self,
        contact_id: str,
        *,
        disposition: Disposition,
        notes: str = "",
        code: str = "",
        follow_up_due: datetime | None = None,
        article: str = "",
        now: datetime | None = None,
    ) -> CenterUpdate:
        """The agent finished after-contact work; ``article`` names the article that helped.

        As :meth:`_Handling.agent_wrapped_up <callcore.center.ContactCenter.agent_wrapped_up>`;
        besides, a named article goes on the ticket (field ``article``) and
        counts in :attr:`self_service` (``article_resolution_rate``).

        Raises:
            InvalidInputError: A field is wrong (naming it).
            InvalidTransitionError: As the plain wrap-up.
        """
        with self._lock:
            check_text(article, "article", allow_empty=True, max_length=256)
            check_text(contact_id, "contact_id")
            live = self._contacts.get(contact_id)
            ticket_id = None if live is None else live.ticket_id
            agent = None if live is None else live.agent
            update = super().agent_wrapped_up(
                contact_id,
                disposition=disposition,
                notes=notes,
                code=code,
                follow_up_due=follow_up_due,
                now=now,
            )
            # wrapped up: the input was accepted; the article is the rest of it
            totals = self.self_service
            if disposition in _RESOLVED:
                totals.resolved += 1
                totals.resolved_with_article += bool(article)
            if not article:
                if disposition in _RESOLVED and self.durable:
                    self.checkpoint()
                return update
            totals.articles[article] = totals.articles.get(article, 0) + 1
            out = _Out()
            done = self._last or self._time(now)  # the wrap-up's time
            ticket = None if ticket_id is None else self.store.get_ticket(ticket_id)
            if ticket is not None:
                by = _agent(agent) if agent else SYSTEM
                self._keep_ticket(
                    self.tickets.update(ticket, by=by, now=done, fields={"article": article}),
                    done,
                    out,
                )
            extra = self._finish(done, out)
            return CenterUpdate(
                events=(*update.events, *extra.events), actions=(*update.actions, *extra.actions)
            )
