"""Boundary checks that the ticket types share, built on :mod:`callcore.checks`.

Each check takes the value and the name of the argument or field (``what``)
and raises :class:`~callcore.errors.InvalidInputError` naming it, like the
checks of :mod:`callcore.checks`; the ``*_field`` factories turn them into
attrs validators.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Mapping
from datetime import timedelta
from typing import Any, TypeVar

import attrs

from callcore.checks import (
    check_duration,
    check_enum,
    check_items,
    check_list,
    check_number,
    check_plain_data,
    check_text,
    shown,
)
from callcore.contacts import check_tier
from callcore.errors import InvalidInputError

E = TypeVar("E", bound=enum.Enum)

MAX_SLA_TARGET = timedelta(days=366)
"""The longest SLA target: a year of business (or calendar) time."""

_Validator = Callable[[Any, Any, Any], None]


def check_bool(value: object, what: str) -> bool:
    """Return ``value`` if it is ``True`` or ``False``."""
    if not isinstance(value, bool):
        raise InvalidInputError(f"{what} must be true or false, got {shown(value)}", field=what)
    return value


def check_optional_text(value: object, what: str) -> str | None:
    """Return ``value`` if it is ``None`` or a non-empty text."""
    return None if value is None else check_text(value, what)


def check_texts(value: object, what: str) -> tuple[str, ...]:
    """Return a list or tuple of non-empty texts as a tuple (a string is refused)."""
    items = check_list(value, what)
    return tuple(check_text(item, f"{what}[{index}]") for index, item in enumerate(items))


def check_names(value: object, what: str) -> frozenset[str]:
    """Return a list, tuple or set of non-empty texts as a frozenset.

    A string or a mapping is refused rather than read as its characters or keys.
    """
    if isinstance(value, frozenset | set):
        for item in value:
            check_text(item, what)
        return frozenset(value)
    return frozenset(check_texts(value, what))


def check_field_value(value: object, what: str) -> str | int | float | bool | None:
    """Return a custom field's value if it is a JSON scalar a store can read back.

    That is ``None``, a bool, a whole number within 64 bits, a finite number or
    a valid text (see :func:`callcore.checks.check_plain_data`); a list, a
    mapping or any other object is refused.
    """
    if value is not None and not isinstance(value, str | int | float):
        raise InvalidInputError(
            f"{what} must be a string, number, true, false or null, got {shown(value)}",
            field=what,
        )
    check_plain_data(value, what)
    return value


def check_field_values(value: object, what: str) -> dict[str, str | int | float | bool | None]:
    """Return a mapping of custom fields (non-empty text keys, scalar values) as a dict."""
    if not isinstance(value, Mapping):
        raise InvalidInputError(
            f"{what} must be a mapping of field names to values, got {shown(value)}",
            field=what,
        )
    checked = {}
    for key, item in value.items():
        name = check_text(key, f"{what} key")
        checked[name] = check_field_value(item, f"{what}.{name}")
    return checked


# --- attrs validators -----------------------------------------------------------------


def text_field(*, allow_empty: bool = False) -> _Validator:
    """Validate a text field."""

    def run(_: object, attribute: attrs.Attribute[Any], value: object) -> None:
        check_text(value, attribute.name, allow_empty=allow_empty)

    return run


def optional_text_field(_: object, attribute: attrs.Attribute[Any], value: object) -> None:
    """Validate a field that holds ``None`` or a non-empty text."""
    check_optional_text(value, attribute.name)


def bool_field(_: object, attribute: attrs.Attribute[Any], value: object) -> None:
    """Validate a bool field."""
    check_bool(value, attribute.name)


def enum_field(enum_type: type[E], *, optional: bool = False) -> _Validator:
    """Validate a field that holds a member of ``enum_type`` (or ``None`` if optional)."""

    def run(_: object, attribute: attrs.Attribute[Any], value: object) -> None:
        if not (optional and value is None):
            check_enum(value, enum_type, attribute.name)

    return run


def exact_type_error(value: object, what: str, description: str) -> InvalidInputError:
    """Make the error for a value that is not of the type a field needs."""
    return InvalidInputError(f"{what} must be {description}, got {shown(value)}", field=what)


def exact_type(value: object, kind: type, what: str, description: str) -> None:
    """Refuse ``value`` unless it is a ``kind`` (a frozen type keeps what it is given)."""
    if not isinstance(value, kind):
        raise exact_type_error(value, what, description)


def field_values_field(_: object, attribute: attrs.Attribute[Any], value: object) -> None:
    """Validate a mapping of custom fields to JSON scalars."""
    check_field_values(value, attribute.name)


def instance_field(kind: type) -> _Validator:
    """Validate a field that holds a ``kind`` instance."""

    def run(_: object, attribute: attrs.Attribute[Any], value: object) -> None:
        exact_type(value, kind, attribute.name, f"a {kind.__name__}")

    return run


def texts_field(_: object, attribute: attrs.Attribute[Any], value: object) -> None:
    """Validate a ``tuple[str, ...]`` field: a tuple of non-empty texts."""
    exact_type(value, tuple, attribute.name, "a tuple of strings")
    check_texts(value, attribute.name)


def optional_texts_field(owner: object, attribute: attrs.Attribute[Any], value: object) -> None:
    """Validate a ``tuple[str, ...] | None`` field."""
    if value is not None:
        texts_field(owner, attribute, value)


def names_field(_: object, attribute: attrs.Attribute[Any], value: object) -> None:
    """Validate a ``frozenset[str]`` field: a frozenset of non-empty texts."""
    exact_type(value, frozenset, attribute.name, "a frozenset of strings")
    check_names(value, attribute.name)


def tiers_field(_: object, attribute: attrs.Attribute[Any], value: object) -> None:
    """Validate a ``frozenset`` of customer tier names (:func:`callcore.contacts.check_tier`)."""
    if not isinstance(value, frozenset):
        raise exact_type_error(value, attribute.name, "a frozenset of tier names")
    for item in sorted(value, key=repr):  # the same item named first, whatever the hash order
        check_tier(item, attribute.name)


def enum_set_field(enum_type: type[E]) -> _Validator:
    """Validate a ``frozenset`` of members of ``enum_type``."""

    def run(_: object, attribute: attrs.Attribute[Any], value: object) -> None:
        if not isinstance(value, frozenset):
            raise exact_type_error(value, attribute.name, f"a frozenset of {enum_type.__name__}")
        for item in value:
            check_enum(item, enum_type, attribute.name)

    return run


def items_field(kind: type) -> _Validator:
    """Validate a ``tuple`` whose items are ``kind`` instances."""

    def run(_: object, attribute: attrs.Attribute[Any], value: object) -> None:
        exact_type(value, tuple, attribute.name, f"a tuple of {kind.__name__}")
        check_items(value, kind, attribute.name)

    return run


def fractions_field(_: object, attribute: attrs.Attribute[Any], value: object) -> None:
    """Validate a tuple of finite numbers (their range is checked with the document)."""
    if not isinstance(value, tuple):
        raise exact_type_error(value, attribute.name, "a tuple of numbers")
    for index, item in enumerate(value):
        check_number(item, f"{attribute.name}[{index}]")


def durations_field(_: object, attribute: attrs.Attribute[Any], value: object) -> None:
    """Validate a tuple of timedeltas within the accepted range (signs: a document problem)."""
    if not isinstance(value, tuple):
        raise exact_type_error(value, attribute.name, "a tuple of durations")
    for index, item in enumerate(value):
        check_duration(item, f"{attribute.name}[{index}]", minimum=None, maximum=MAX_SLA_TARGET)


def duration_field(*, optional: bool = False, maximum: timedelta | None = None) -> _Validator:
    """Validate a timedelta within the accepted range (its sign is a document problem)."""
    options: dict[str, Any] = {"minimum": None}
    if maximum is not None:
        options["maximum"] = maximum

    def run(_: object, attribute: attrs.Attribute[Any], value: object) -> None:
        if not (optional and value is None):
            check_duration(value, attribute.name, **options)

    return run
