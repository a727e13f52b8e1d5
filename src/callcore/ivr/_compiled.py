"""Per-flow lookup tables the runtime builds once and every session shares.

A flow is immutable, so whatever a session would otherwise work out at every
step (plain-dict node lookup, the ``flow:node`` visit keys, the :class:`Play`
action of each prompt text without placeholders) is computed on first use and
kept on the flow object itself.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import attrs

from callcore.ivr._flow import AUDIO_PREFIX, has_placeholders
from callcore.ivr._nodes import words
from callcore.ivr._protocol import Play

if TYPE_CHECKING:
    from callcore.ivr._flow import Flow
    from callcore.ivr._node import Node

__all__ = ["CompiledFlow", "compiled"]


@attrs.frozen
class CompiledFlow:
    """A flow's runtime tables.

    Attributes:
        nodes: The nodes by name, as a plain dict.
        visit_keys: For each node, its key in ``SessionState.visits``.
        plays: Per language, the ready-made :class:`Play` of every prompt whose
            text in that language needs no rendering (audio, or no placeholders).
        sensitive: The variables that sensitive input nodes fill.
        masked: The nodes whose input the trace masks.
        hot_digits: The target of each hot key's DTMF key.
        hot_phrases: Each hot key's keywords (as words) with its target, in order.
        hot_hints: Every hot keyword as written, for the recogniser.
        calendars: The names of the calendars the flow's nodes read.
    """

    nodes: dict[str, Node]
    visit_keys: dict[str, str]
    plays: dict[str, dict[str, Play]]
    sensitive: frozenset[str]
    masked: frozenset[str]
    hot_digits: dict[str, str]
    hot_phrases: tuple[tuple[tuple[str, ...], str], ...]
    hot_hints: tuple[str, ...]
    calendars: frozenset[str]


def _static_plays(flow: Flow) -> dict[str, dict[str, Play]]:
    plays: dict[str, dict[str, Play]] = {}
    held = set(flow.no_barge_in)
    for prompt, texts in flow.prompts.items():
        barge_in = prompt not in held
        for language, text in texts.items():
            voice = flow.voices.get(language)
            if text.startswith(AUDIO_PREFIX):
                audio = text[len(AUDIO_PREFIX) :]
                play = Play(prompt, language, audio=audio, barge_in=barge_in, voice=voice)
            elif not has_placeholders(text):
                play = Play(prompt, language, text=text, barge_in=barge_in, voice=voice)
            else:
                continue
            plays.setdefault(language, {})[prompt] = play
    return plays


def compiled(flow: Flow) -> CompiledFlow:
    """The flow's runtime tables, built on first use."""
    tables: CompiledFlow | None = flow._compiled  # noqa: SLF001 - the cache slot is ours
    if tables is None:
        tables = CompiledFlow(
            nodes=dict(flow.nodes),
            visit_keys={name: f"{flow.id}:{name}" for name in flow.nodes},
            plays=_static_plays(flow),
            sensitive=frozenset(
                str(getattr(node, "variable", ""))
                for node in flow.nodes.values()
                if node.masks_input()
            ),
            masked=frozenset(name for name, node in flow.nodes.items() if node.masks_input()),
            hot_digits={
                hot.key: hot.goto for hot in reversed(flow.hot_keys) if hot.key is not None
            },
            hot_phrases=tuple(
                (phrase, hot.goto)
                for hot in flow.hot_keys
                for phrase in map(words, hot.keywords)
                if phrase
            ),
            hot_hints=tuple(keyword for hot in flow.hot_keys for keyword in hot.keywords),
            calendars=frozenset(name for node in flow.nodes.values() for name in node.calendars()),
        )
        object.__setattr__(flow, "_compiled", tables)  # a cache, not a field of the document
    return tables
