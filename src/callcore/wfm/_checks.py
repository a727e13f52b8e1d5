"""Checks that only workforce maths needs; the rest come from :mod:`callcore.checks`."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any, TypeGuard, TypeVar

from callcore.checks import check_instance
from callcore.errors import InvalidInputError

T = TypeVar("T")


def is_collection(value: object) -> TypeGuard[Iterable[Any]]:
    """Whether ``value`` may be read as a run of items: an iterable, not text or a mapping."""
    return isinstance(value, Iterable) and not isinstance(value, str | bytes | bytearray | Mapping)


def check_items(value: object, cls: type[T], what: str) -> list[T]:
    """Return the items of ``value`` if it is an iterable (not text or a mapping) of ``cls``.

    Raises:
        InvalidInputError: ``value`` is not such an iterable, or an item is not a ``cls``.
    """
    if not is_collection(value):
        raise InvalidInputError(
            f"{what} must be a list of {cls.__name__}, got {type(value).__name__}",
            field=what,
        )
    items: list[Any] = list(value)
    for index, item in enumerate(items):
        check_instance(item, cls, f"{what}[{index}]")
    return items
