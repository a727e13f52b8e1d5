"""The hook specifications of self-service (issue 21), ready to join :mod:`callcore.hookspecs`.

Both are *provider* hooks (``firstresult=True``): the most recently registered
plugin that answers wins, so a host's knowledge base or bot overrides a
built-in or testing one. Until they move into :mod:`callcore.hookspecs`, add
them to a manager with ``manager.add_hookspecs(callcore.hookspecs_selfservice)``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from callcore.hookspecs import hookspec

if TYPE_CHECKING:
    from callcore.bots import BotReply, BotRequest
    from callcore.knowledge import KnowledgeQuery, Suggestion

__all__ = ["callcore_bot", "callcore_knowledge_search"]


@hookspec(firstresult=True)
def callcore_knowledge_search(query: KnowledgeQuery) -> list[Suggestion] | None:
    """Suggest knowledge-base articles for the agent's screen.

    Called when a contact is offered to an agent (and when the agent searches),
    with a query built from the IVR's or the bot's intent and the ticket's
    subject or the bot's transcript summary. Plugins are asked from the most
    recently registered to the first; the first that returns a list wins
    (``firstresult``), so return ``None`` to let another plugin answer.

    Args:
        query: The text, the intent, the contact's language and how many
            suggestions are wanted (``query.limit``).

    Returns:
        At most ``query.limit`` suggestions, best first, or ``None``.
    """


@hookspec(firstresult=True)
def callcore_bot(request: BotRequest) -> BotReply | None:
    """Answer one turn of a bot session.

    Called for each :class:`~callcore.bots.AskBot` action of a
    :class:`~callcore.bots.BotSession`: turn 0 asks for the greeting, each
    later turn carries what the customer said. The bot keeps its own state
    under ``request.session_id``. Plugins are asked from the most recently
    registered to the first; return ``None`` for a ``request.bot`` you do not
    serve (``firstresult``). A hook that takes longer than the session's
    ``bot_timeout`` is handed off by the session's ``advance``.

    Args:
        request: The session, the bot's name, the turn number, the customer's
            text, the variables known so far, the language and the channel.

    Returns:
        The bot's reply (what to say, variables collected, the intent, and
        whether it resolved the contact or hands it off), or ``None``.
    """
