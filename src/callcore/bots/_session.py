"""The bot-session protocol: a contact talks to a bot turn by turn, then is served or handed off.

Theory of operation
-------------------
The host (the centre, or an IVR node that hands to a bot) drives one
:class:`BotSession` per contact. The session never calls the bot: it returns
:class:`AskBot` actions, each carrying a :class:`BotRequest` that the host
hands to the ``callcore_bot`` hook, and takes the hook's :class:`BotReply`
back with :meth:`BotSession.bot_replied`. Turn by turn:

1. :meth:`~BotSession.start` asks the bot for its greeting (turn 0, no text);
2. each reply's ``say`` is played or sent (:class:`SayToCustomer`); the
   reply's variables are merged into the session's;
3. the customer's answer (:meth:`~BotSession.customer_said`) is the next
   turn's text.

It ends in one of three ways (:class:`BotOutcome`): ``resolved`` (the bot
served the contact: a self-service outcome, counted as contained), ``handed
off`` (the bot asked for an agent, or a limit was reached: too many turns, the
bot did not answer in time, the customer said nothing) with a :class:`HandOff`
to a queue carrying the variables, the intent and a transcript summary for the
agent's screen, or ``abandoned`` (the customer left).
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from datetime import datetime, timedelta, timezone
from types import MappingProxyType
from typing import Any, ClassVar

import attrs

from callcore.checks import (
    check_count,
    check_duration,
    check_instance,
    check_instant,
    check_plain_data,
    check_text,
    validator,
)
from callcore.contacts import Channel, Skills, check_priority, check_skills
from callcore.errors import DocumentError, InvalidInputError, InvalidTransitionError, Problem
from callcore.events import Event

__all__ = [
    "MAX_TURN_TEXT",
    "AskBot",
    "AwaitCustomer",
    "BotAction",
    "BotOutcome",
    "BotReply",
    "BotRequest",
    "BotSession",
    "BotSessionEnded",
    "BotSessionStarted",
    "BotUpdate",
    "HandOff",
    "SayToCustomer",
    "containment_rate",
]

MAX_TURN_TEXT = 10_000
"""The most characters one turn's text (the customer's or the bot's) may have."""
MAX_TURNS = 1_000
"""The highest ``max_turns`` a session accepts."""
_SUMMARY_LINES = 3  # customer lines quoted when the bot gives no summary


def _frozen(value: Mapping[str, Any]) -> Mapping[str, Any]:
    check_plain_data(value, "variables")
    if not isinstance(value, Mapping):
        raise InvalidInputError("variables must be a mapping", field="variables")
    return MappingProxyType(dict(value))


def _frozen_skills(value: object) -> Skills:
    return MappingProxyType(dict(check_skills(value, "skills")))


def _turn_text(**options: Any) -> Any:  # noqa: ANN401 - an attrs validator
    return validator(check_text, allow_empty=True, max_length=MAX_TURN_TEXT, **options)


class BotOutcome(enum.Enum):
    """How a bot session ended."""

    RESOLVED = "resolved"
    """The bot served the contact (self-service; contained)."""
    HANDED_OFF = "handed_off"
    """The contact went to a queue for an agent, with what the bot collected."""
    ABANDONED = "abandoned"
    """The customer left during the session."""


@attrs.frozen(kw_only=True)
class BotRequest:
    """One turn sent to the bot: the argument of the ``callcore_bot`` hook.

    Attributes:
        session_id: The session (the bot keeps its own state under it).
        bot: The bot's name (which bot the host should ask).
        turn: 0 for the greeting, then 1, 2, ... for each customer turn.
        text: What the customer said or typed (``""`` at turn 0).
        variables: What the session knows so far (caller data, collected slots).
        language: The contact's language tag, or ``""``.
        channel: The contact's channel.
    """

    session_id: str
    bot: str
    turn: int
    text: str
    variables: Mapping[str, Any] = attrs.field(converter=_frozen, hash=False)
    language: str
    channel: Channel


@attrs.frozen(kw_only=True)
class BotReply:
    """The bot's answer to one turn: what the ``callcore_bot`` hook returns.

    Attributes:
        say: What to say or send to the customer (``""`` for nothing).
        variables: Values the bot collected; merged into the session's.
        intent: The intent the bot recognised, or ``""`` (keeps the last one).
        resolved: The bot served the contact: the session ends ``resolved``.
        handoff: The bot asks for an agent: the session ends ``handed_off``.
        queue: The queue to hand off to (``""``: the session's queue).
        summary: A summary of the conversation for the agent, or ``""``.
    """

    say: str = attrs.field(default="", validator=_turn_text())
    variables: Mapping[str, Any] = attrs.field(factory=dict, converter=_frozen, hash=False)
    intent: str = attrs.field(
        default="", validator=validator(check_text, allow_empty=True, max_length=256)
    )
    resolved: bool = False
    handoff: bool = False
    queue: str = attrs.field(
        default="", validator=validator(check_text, allow_empty=True, max_length=256)
    )
    summary: str = attrs.field(default="", validator=_turn_text())

    def __attrs_post_init__(self) -> None:
        """Refuse a reply that both resolves and hands off."""
        for name in ("resolved", "handoff"):
            if not isinstance(getattr(self, name), bool):
                raise InvalidInputError(f"{name} must be true or false", field=name)
        if self.resolved and self.handoff:
            raise InvalidInputError("a reply cannot both resolve and hand off", field="handoff")


# --- actions --------------------------------------------------------------------------


@attrs.frozen
class AskBot:
    """Send this turn to the bot (``callcore_bot``) and give its reply to ``bot_replied``."""

    type: ClassVar[str] = "ask_bot"
    request: BotRequest


@attrs.frozen
class SayToCustomer:
    """Play (voice) or send (chat) the bot's words to the customer."""

    type: ClassVar[str] = "say_to_customer"
    text: str


@attrs.frozen
class AwaitCustomer:
    """Listen for the customer's next turn, until ``deadline``."""

    type: ClassVar[str] = "await_customer"
    deadline: datetime


@attrs.frozen
class HandOff:
    """Put the contact in a queue for an agent, with what the bot collected.

    It has the shape of :class:`callcore.contacts.QueueRequest` (``queue``,
    ``priority``, ``skills``, ``language``), so the host hands it to
    ``Router.enqueue`` as it is; ``variables``, ``intent`` and ``summary`` go
    to the agent's screen (and ``intent`` and ``summary`` make a good
    ``callcore_knowledge_search`` query).

    Attributes:
        queue: The queue.
        priority: The contact's priority there.
        skills: Skills the agent needs.
        language: The contact's language.
        variables: What the session collected.
        intent: The last intent the bot recognised.
        summary: The bot's summary, or the customer's last lines.
        reason: Why: ``"bot"`` (it asked), ``"max_turns"``, ``"bot_timeout"``
            or ``"no_input"``.
    """

    type: ClassVar[str] = "hand_off"
    queue: str
    priority: int
    skills: Skills = attrs.field(converter=_frozen_skills, hash=False)
    language: str
    variables: Mapping[str, Any] = attrs.field(converter=_frozen, hash=False)
    intent: str
    summary: str
    reason: str


BotAction = AskBot | SayToCustomer | AwaitCustomer | HandOff
"""Everything a bot session asks the host to do."""


@attrs.frozen(kw_only=True)
class BotSessionStarted(Event):
    """A contact was handed to a bot."""

    kind: ClassVar[str] = "bot.session_started"
    session_id: str
    bot: str


@attrs.frozen(kw_only=True)
class BotSessionEnded(Event):
    """A bot session ended: what a containment KPI counts.

    Attributes:
        session_id: The session.
        bot: The bot.
        outcome: How it ended.
        turns: Customer turns taken.
        intent: The last intent recognised.
        variables: What was collected.
        summary: The transcript summary.
        reason: For a hand-off, why (see :class:`HandOff`); else ``""``.
    """

    kind: ClassVar[str] = "bot.session_ended"
    session_id: str
    bot: str
    outcome: BotOutcome
    turns: int
    intent: str
    variables: Mapping[str, Any] = attrs.field(converter=_frozen, hash=False)
    summary: str
    reason: str = ""


@attrs.frozen
class BotUpdate:
    """What one bot-session call caused: events and the host's actions, in order."""

    events: tuple[Event, ...] = ()
    actions: tuple[BotAction, ...] = ()


def containment_rate(ended: list[BotSessionEnded] | tuple[BotSessionEnded, ...]) -> float:
    """The share of ended bot sessions the bot resolved (0 when none ended).

    Hand-offs and abandons are not contained: the customer did not get what
    they came for from the bot.

    Raises:
        InvalidInputError: an item is not a :class:`BotSessionEnded`.
    """
    items = tuple(ended)
    for index, item in enumerate(items):
        check_instance(item, BotSessionEnded, f"ended[{index}]")
    if not items:
        return 0.0
    return sum(item.outcome is BotOutcome.RESOLVED for item in items) / len(items)


# --- the session ----------------------------------------------------------------------

NEW, WAITING_BOT, WAITING_CUSTOMER, ENDED = "new", "waiting_bot", "waiting_customer", "ended"


@attrs.define
class BotSession:
    """One contact's conversation with a bot (sans-I/O: every change takes ``now``).

    Args:
        session_id: The session's id (the contact's id will do).
        bot: Which bot to ask.
        queue: The queue a hand-off goes to unless the bot names another.
        priority: The hand-off's priority.
        skills: Skills the hand-off needs.
        language: The contact's language tag.
        channel: The contact's channel.
        max_turns: Customer turns before the session hands off (1 to 1,000).
        bot_timeout: How long the bot may take to answer a turn.
        customer_timeout: How long the customer may take to answer.
    """

    session_id: str = attrs.field(validator=validator(check_text, max_length=256))
    bot: str = attrs.field(validator=validator(check_text, max_length=256))
    queue: str = attrs.field(validator=validator(check_text, max_length=256))
    priority: int = attrs.field(default=0, validator=validator(check_priority))
    skills: Skills = attrs.field(factory=dict, converter=_frozen_skills)
    language: str = attrs.field(
        default="", validator=validator(check_text, allow_empty=True, max_length=35)
    )
    channel: Channel = attrs.field(default=Channel.VOICE)
    max_turns: int = attrs.field(
        default=20, validator=validator(check_count, low=1, high=MAX_TURNS)
    )
    bot_timeout: timedelta = attrs.field(
        default=timedelta(seconds=10),
        validator=validator(check_duration, positive=True, maximum=timedelta(hours=1)),
    )
    customer_timeout: timedelta = attrs.field(
        default=timedelta(seconds=30),
        validator=validator(check_duration, positive=True, maximum=timedelta(days=1)),
    )
    _state: str = attrs.field(init=False, default=NEW)
    _turns: int = attrs.field(init=False, default=0)
    _intent: str = attrs.field(init=False, default="")
    _variables: dict[str, Any] = attrs.field(init=False, factory=dict)
    _transcript: list[tuple[str, str]] = attrs.field(init=False, factory=list)
    _outcome: BotOutcome | None = attrs.field(init=False, default=None)
    _deadline: datetime | None = attrs.field(init=False, default=None)
    _last: datetime | None = attrs.field(init=False, default=None)
    _summary: str = attrs.field(init=False, default="")

    def _now(self, now: object, allowed: tuple[str, ...], doing: str) -> datetime:
        instant = check_instant(now, "now").astimezone(timezone.utc)
        if self._last is not None and instant < self._last:
            raise InvalidInputError(
                f"now ({instant.isoformat()}) is earlier than a time already seen "
                f"({self._last.isoformat()}); time cannot go backwards",
                field="now",
            )
        if self._state not in allowed:
            raise InvalidTransitionError(self._state, doing, f"the session is {self._state}")
        return instant

    def _request(self, text: str) -> AskBot:
        return AskBot(
            BotRequest(
                session_id=self.session_id,
                bot=self.bot,
                turn=self._turns,
                text=text,
                variables=self._variables,
                language=self.language,
                channel=self.channel,
            )
        )

    def start(
        self, *, now: datetime, variables: Mapping[str, Any] | None = None, intent: str = ""
    ) -> BotUpdate:
        """Hand the contact to the bot: ask for its greeting.

        Args:
            now: The current time.
            variables: What is known already (caller data, IVR variables).
            intent: An intent recognised before the bot (the IVR's), or ``""``.

        Raises:
            InvalidTransitionError: the session has started already.
            InvalidInputError: ``variables`` is not plain data.
        """
        instant = self._now(now, (NEW,), "start")
        known = dict(_frozen(variables or {}))
        check_text(intent, "intent", allow_empty=True, max_length=256)
        self._last, self._variables, self._intent = instant, known, intent
        self._state, self._deadline = WAITING_BOT, instant + self.bot_timeout
        return BotUpdate(
            events=(BotSessionStarted(at=instant, session_id=self.session_id, bot=self.bot),),
            actions=(self._request(""),),
        )

    def bot_replied(self, reply: BotReply, *, now: datetime) -> BotUpdate:
        """Take the bot's reply to the turn asked.

        Raises:
            InvalidTransitionError: no turn is waiting for the bot.
            InvalidInputError: ``reply`` is not a :class:`BotReply`.
        """
        instant = self._now(now, (WAITING_BOT,), "take a bot reply")
        check_instance(reply, BotReply, "reply")
        self._last = instant
        self._variables.update(reply.variables)
        if reply.intent:
            self._intent = reply.intent
        if reply.summary:
            self._summary = reply.summary
        actions: list[BotAction] = []
        if reply.say:
            self._transcript.append(("bot", reply.say))
            actions.append(SayToCustomer(reply.say))
        if reply.resolved:
            return self._end(instant, BotOutcome.RESOLVED, "", actions)
        if reply.handoff:
            return self._end(instant, BotOutcome.HANDED_OFF, "bot", actions, reply.queue)
        if self._turns >= self.max_turns:
            return self._end(instant, BotOutcome.HANDED_OFF, "max_turns", actions)
        self._state, self._deadline = WAITING_CUSTOMER, instant + self.customer_timeout
        actions.append(AwaitCustomer(self._deadline))
        return BotUpdate(actions=tuple(actions))

    def customer_said(self, text: str, *, now: datetime) -> BotUpdate:
        """The customer's turn: send it to the bot.

        Raises:
            InvalidTransitionError: the session is not waiting for the customer.
            InvalidInputError: ``text`` is not text or too long.
        """
        instant = self._now(now, (WAITING_CUSTOMER,), "take the customer's turn")
        check_text(text, "text", allow_empty=True, max_length=MAX_TURN_TEXT)
        self._last = instant
        self._turns += 1
        self._transcript.append(("customer", text))
        self._state, self._deadline = WAITING_BOT, instant + self.bot_timeout
        return BotUpdate(actions=(self._request(text),))

    def customer_left(self, *, now: datetime) -> BotUpdate:
        """The customer hung up or closed the chat: the session ends ``abandoned``.

        Raises:
            InvalidTransitionError: the session has not started or has ended.
        """
        instant = self._now(now, (WAITING_BOT, WAITING_CUSTOMER), "end on a hang-up")
        self._last = instant
        return self._end(instant, BotOutcome.ABANDONED, "", [])

    def advance(self, *, now: datetime) -> BotUpdate:
        """Hand off if the bot or the customer took too long (``bot_timeout``, ``no_input``)."""
        instant = self._now(now, (NEW, WAITING_BOT, WAITING_CUSTOMER, ENDED), "advance")
        self._last = instant
        if self._deadline is None or instant < self._deadline or self._state == ENDED:
            return BotUpdate()
        reason = "bot_timeout" if self._state == WAITING_BOT else "no_input"
        return self._end(instant, BotOutcome.HANDED_OFF, reason, [])

    def next_deadline(self) -> datetime | None:
        """When the session times out unless the bot or the customer answers first."""
        return None if self._state == ENDED else self._deadline

    @property
    def state(self) -> str:
        """``new``, ``waiting_bot``, ``waiting_customer`` or ``ended``."""
        return self._state

    @property
    def turns(self) -> int:
        """Customer turns taken so far."""
        return self._turns

    @property
    def intent(self) -> str:
        """The last intent recognised, or ``""``."""
        return self._intent

    @property
    def variables(self) -> Mapping[str, Any]:
        """What the session knows (read-only)."""
        return MappingProxyType(self._variables)

    @property
    def transcript(self) -> tuple[tuple[str, str], ...]:
        """The conversation so far: ``("bot" | "customer", text)`` pairs."""
        return tuple(self._transcript)

    @property
    def outcome(self) -> BotOutcome | None:
        """How the session ended, or ``None`` while it goes on."""
        return self._outcome

    @property
    def summary(self) -> str:
        """The bot's last summary, or the customer's last three lines."""
        if self._summary:
            return self._summary
        said = [text for who, text in self._transcript if who == "customer" and text]
        return " / ".join(said[-_SUMMARY_LINES:])

    def _end(
        self,
        instant: datetime,
        outcome: BotOutcome,
        reason: str,
        actions: list[BotAction],
        queue: str = "",
    ) -> BotUpdate:
        self._state, self._outcome, self._deadline = ENDED, outcome, None
        if outcome is BotOutcome.HANDED_OFF:
            actions.append(
                HandOff(
                    queue or self.queue,
                    self.priority,
                    self.skills,
                    self.language,
                    self._variables,
                    self._intent,
                    self.summary,
                    reason,
                )
            )
        ended = BotSessionEnded(
            at=instant,
            session_id=self.session_id,
            bot=self.bot,
            outcome=outcome,
            turns=self._turns,
            intent=self._intent,
            variables=self._variables,
            summary=self.summary,
            reason=reason,
        )
        return BotUpdate(events=(ended,), actions=tuple(actions))

    # --- snapshot -----------------------------------------------------------------

    def snapshot(self) -> dict[str, Any]:
        """The session's state as plain JSON-able data (its settings included)."""
        return {
            "version": 1,
            "session_id": self.session_id,
            "bot": self.bot,
            "queue": self.queue,
            "priority": self.priority,
            "skills": dict(self.skills),
            "language": self.language,
            "channel": self.channel.value,
            "max_turns": self.max_turns,
            "bot_timeout": self.bot_timeout.total_seconds(),
            "customer_timeout": self.customer_timeout.total_seconds(),
            "state": self._state,
            "turns": self._turns,
            "intent": self._intent,
            "variables": dict(self._variables),
            "transcript": [list(item) for item in self._transcript],
            "outcome": None if self._outcome is None else self._outcome.value,
            "deadline": None if self._deadline is None else self._deadline.isoformat(),
            "last": None if self._last is None else self._last.isoformat(),
            "summary": self._summary,
        }

    @classmethod
    def restore(cls, data: Mapping[str, Any]) -> BotSession:
        """Rebuild a session from :meth:`snapshot` data.

        Raises:
            DocumentError: the data is not a bot-session snapshot.
        """
        try:
            if data["version"] != 1 or data["state"] not in (
                NEW,
                WAITING_BOT,
                WAITING_CUSTOMER,
                ENDED,
            ):
                raise InvalidInputError("unknown version or state", field="state")  # noqa: TRY301
            session = cls(
                data["session_id"],
                data["bot"],
                data["queue"],
                priority=data["priority"],
                skills=data["skills"],
                language=data["language"],
                channel=Channel(data["channel"]),
                max_turns=data["max_turns"],
                bot_timeout=timedelta(seconds=data["bot_timeout"]),
                customer_timeout=timedelta(seconds=data["customer_timeout"]),
            )
            session._state = data["state"]
            session._turns = check_count(data["turns"], "turns")
            session._intent = check_text(data["intent"], "intent", allow_empty=True)
            session._variables = dict(_frozen(data["variables"]))
            session._transcript = [
                (str(who), check_text(text, "transcript", allow_empty=True))
                for who, text in data["transcript"]
            ]
            session._outcome = None if data["outcome"] is None else BotOutcome(data["outcome"])
            for name in ("deadline", "last"):
                value = data[name]
                parsed = (
                    None if value is None else check_instant(datetime.fromisoformat(value), name)
                )
                setattr(session, f"_{name}", parsed)
            session._summary = check_text(data["summary"], "summary", allow_empty=True)
        except (InvalidInputError, KeyError, TypeError, ValueError) as error:
            raise DocumentError(
                [Problem("", f"not a bot-session snapshot: {error}")], "bot-session snapshot"
            ) from None
        return session
