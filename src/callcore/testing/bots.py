"""A scripted fake bot and a knowledge-base plugin, for tests of self-service.

:class:`ScriptedBot` answers the ``callcore_bot`` hook from a script of
replies, one per turn, and records the requests it was sent;
:class:`IndexKnowledgeBase` answers ``callcore_knowledge_search`` from a
built-in :class:`~callcore.knowledge.KnowledgeIndex`.

>>> from callcore.testing.bots import ScriptedBot
>>> from callcore.bots import BotReply
>>> bot = ScriptedBot("faq", [BotReply(say="Hi"), BotReply(say="Done", resolved=True)])
>>> len(bot.script)
2
"""

from __future__ import annotations

from collections.abc import Sequence

import attrs

from callcore.bots import BotReply, BotRequest
from callcore.errors import InvalidInputError
from callcore.hookspecs import hookimpl
from callcore.knowledge import KnowledgeIndex, KnowledgeQuery, Suggestion

__all__ = ["IndexKnowledgeBase", "ScriptedBot"]


@attrs.define
class ScriptedBot:
    """A bot that replies from a script, turn by turn, per session.

    Attributes:
        name: The bot's name: it answers requests for this bot only.
        script: The replies, the greeting first; a session that goes past the
            end gets a hand-off reply.
        requests: Every request answered, in order.
    """

    name: str
    script: Sequence[BotReply]
    requests: list[BotRequest] = attrs.field(factory=list)

    def __attrs_post_init__(self) -> None:
        """Refuse a script that is not replies."""
        for index, reply in enumerate(self.script):
            if not isinstance(reply, BotReply):
                raise InvalidInputError(f"script[{index}] must be a BotReply", field="script")

    @hookimpl
    def callcore_bot(self, request: BotRequest) -> BotReply | None:
        """Reply with the script's line for ``request.turn``."""
        if request.bot != self.name:
            return None
        self.requests.append(request)
        if request.turn < len(self.script):
            return self.script[request.turn]
        return BotReply(say="Let me find someone to help you.", handoff=True)


@attrs.define
class IndexKnowledgeBase:
    """A knowledge-base plugin over a built-in index.

    Attributes:
        index: The index searched.
    """

    index: KnowledgeIndex

    @hookimpl
    def callcore_knowledge_search(self, query: KnowledgeQuery) -> list[Suggestion] | None:
        """The index's best articles for ``query``."""
        return list(self.index.search(query))
