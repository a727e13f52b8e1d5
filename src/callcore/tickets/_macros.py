"""Macros: named canned actions applied to a ticket all at once or not at all."""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping, Sequence

import attrs

from callcore.checks import check_text
from callcore.errors import InvalidInputError, Problem
from callcore.tickets._checks import (
    bool_field,
    enum_field,
    field_values_field,
    names_field,
    optional_text_field,
    text_field,
)
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

    name: str = attrs.field(validator=text_field())
    priority: Priority | None = attrs.field(
        default=None, validator=enum_field(Priority, optional=True)
    )
    assign_to_actor: bool = attrs.field(default=False, validator=bool_field)
    queue: str | None = attrs.field(default=None, validator=optional_text_field)
    add_tags: frozenset[str] = attrs.field(default=frozenset(), validator=names_field)
    remove_tags: frozenset[str] = attrs.field(default=frozenset(), validator=names_field)
    fields: Mapping[str, FieldValue] = attrs.field(
        factory=dict, hash=False, validator=field_values_field
    )
    reply: str = attrs.field(default="", validator=text_field(allow_empty=True))
    transition: str | None = attrs.field(default=None, validator=optional_text_field)
    note: str = attrs.field(default="", validator=text_field(allow_empty=True))


def render_template(template: str, values: Mapping[str, str]) -> str:
    """Fill ``{placeholders}`` in ``template`` from ``values``.

    >>> from callcore.tickets import render_template
    >>> render_template("Hello {name}, ticket {id} {{ok}}", {"name": "Ana", "id": "T-1"})
    'Hello Ana, ticket T-1 {ok}'

    Raises:
        InvalidInputError: A placeholder has no value, or a brace is unmatched.
    """
    check_text(template, "template", allow_empty=True)
    if not isinstance(values, Mapping):
        raise InvalidInputError(
            f"values must be a mapping of names to texts, got {type(values).__name__}",
            field="values",
        )
    for key, value in values.items():
        check_text(key, "values key")
        check_text(value, f"values.{key}", allow_empty=True)
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


def validate_macros(macros: Sequence[object]) -> Iterator[Problem]:
    """Find duplicate names and malformed templates in macros.

    An item that is not a macro (a part of a document that could not be read)
    is skipped.

    Yields:
        Problems with paths such as ``macros[2].reply``.
    """
    seen: set[str] = set()
    for index, macro in enumerate(macros):
        if not isinstance(macro, Macro):
            continue
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
