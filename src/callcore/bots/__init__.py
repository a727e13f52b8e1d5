"""Bots and self-service: a contact talks to a bot, then is served or handed to an agent.

The host answers the ``callcore_bot`` hook with its bot (a voice or chat bot
service); :class:`BotSession` is the pure turn-by-turn protocol around it. See
``docs/bots/index.md``; a scripted fake bot for tests is in
:mod:`callcore.testing.bots`.
"""

from callcore.bots._session import (
    MAX_TURN_TEXT,
    AskBot,
    AwaitCustomer,
    BotAction,
    BotOutcome,
    BotReply,
    BotRequest,
    BotSession,
    BotSessionEnded,
    BotSessionStarted,
    BotUpdate,
    HandOff,
    SayToCustomer,
    containment_rate,
)

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
