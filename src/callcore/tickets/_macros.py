"""Macros: named canned actions applied to a ticket all at once or not at all."""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping

import attrs

from callcore.errors import InvalidInputError, Problem
from callcore.tickets._ticket import FieldValue, Priority

__all__ = ["Macro", "render_template", "validate_macros"]

_PLACEHOLDER = re.compile(r"\{\{|\}\}|\{([^{}]*)\}|[{}]")


@attrs.frozen
class Macro:
    """A canned action: set fields, add a reply from a template, apply a transition.

    Templates use ``{placeholders}``: ``{ticket_id}``, ``{subject}``,
    ``{customer}``, ``{agent}``, ``{priority}``, ``{state}``, ``{queue}`` and any
    value the caller passes (such as ``{customer_name}``); ``{{`` and ``}}``
    stand for literal braces.

    Attributes:
        name: Its unique name.
        priority: Set the priority.
        assign_to_actor: Assign the ticket to whoever applies the macro.
        queue: Move the ticket to this queue.
        add_tags: Tags to add.
        remove_tags: Tags to remove.
        fields: Custom fields to set.
        reply: A reply to add, from a template (empty: none).
        transition: A transition to apply last (``None``: none).
        note: The transition's note, from a template.
    """

    name: str
    priority: Priority | None = None
    assign_to_actor: bool = False
    queue: str | None = None
    add_tags: frozenset[str] = frozenset()
    remove_tags: frozenset[str] = frozenset()
    fields: Mapping[str, FieldValue] = attrs.field(factory=dict, hash=False)
    reply: str = ""
    transition: str | None = None
    note: str = ""


def render_template(template: str, values: Mapping[str, str]) -> str:
    """Fill ``{placeholders}`` in ``template`` from ``values``.

    >>> from callcore.tickets import render_template
    >>> render_template("Hello {name}, ticket {id} {{ok}}", {"name": "Ana", "id": "T-1"})
    'Hello Ana, ticket T-1 {ok}'

    Raises:
        InvalidInputError: A placeholder has no value, or a brace is unmatched.
    """
    missing: list[str] = []

    def fill(match: re.Match[str]) -> str:
        text = match.group(0)
        if text in ("{{", "}}"):
            return text[0]
        name = match.group(1)
        if name is None or not name.isidentifier():
            missing.append(text)
            return text
        if name not in values:
            missing.append(name)
            return text
        return values[name]

    rendered = _PLACEHOLDER.sub(fill, template)
    if missing:
        raise InvalidInputError(
            f"template {template!r}: no value for {', '.join(map(repr, missing))} "
            f"(known: {', '.join(sorted(values))})"
        )
    return rendered


def validate_macros(macros: tuple[Macro, ...]) -> Iterator[Problem]:
    """Find duplicate names and malformed templates in macros.

    Yields:
        Problems with paths such as ``macros[2].reply``.
    """
    seen: set[str] = set()
    for index, macro in enumerate(macros):
        if macro.name in seen:
            yield Problem(f"macros[{index}].name", f"duplicate macro name {macro.name!r}")
        seen.add(macro.name)
        for attribute in ("reply", "note"):
            for match in _PLACEHOLDER.finditer(getattr(macro, attribute)):
                text = match.group(0)
                if text not in ("{{", "}}") and not (match.group(1) or "").isidentifier():
                    yield Problem(f"macros[{index}].{attribute}", f"malformed placeholder {text!r}")
        if overlap := macro.add_tags & macro.remove_tags:
            yield Problem(
                f"macros[{index}].add_tags",
                f"tags both added and removed: {', '.join(sorted(overlap))}",
            )
