"""Checks at the boundary: every value is checked where it enters callcore.

One function per kind of value. Each takes the value and the name of the
argument or field (``what``), returns the value (converted only where the
conversion loses nothing, such as an ``int`` accepted for a ``float``), and
raises :class:`~callcore.errors.InvalidInputError` (or
:class:`~callcore.errors.NaiveDatetimeError`) naming ``what`` otherwise. Each
also has an attrs validator twin built by :func:`validator`, so a public value
type checks its fields at construction.

The limits are documented in ``docs/errors.md``:

- instants lie in :data:`EARLIEST` .. :data:`LATEST` (so that adding any
  accepted duration can never overflow ``datetime``);
- durations are at most :data:`MAX_DURATION` long;
- counts are plain ``int`` (not ``bool``), numbers are finite;
- text is valid Unicode (no lone surrogates, which no store can write) and at
  most :data:`MAX_TEXT` characters;
- a list field takes a ``list`` or ``tuple`` only: a string or a mapping is
  refused rather than split into characters or keys.
"""

from __future__ import annotations

import enum
import math
from collections.abc import Callable, Mapping
from datetime import datetime, timedelta, timezone
from typing import Any, TypeVar

import attrs

from callcore.errors import InvalidInputError, NaiveDatetimeError

__all__ = [
    "EARLIEST",
    "LATEST",
    "MAX_DURATION",
    "MAX_PLAIN_DEPTH",
    "MAX_PLAIN_INT",
    "MAX_PLAIN_ITEMS",
    "MAX_TEXT",
    "check_bool",
    "check_count",
    "check_duration",
    "check_enum",
    "check_instance",
    "check_instant",
    "check_items",
    "check_list",
    "check_now",
    "check_number",
    "check_plain_data",
    "check_text",
    "shown",
    "validator",
]

E = TypeVar("E", bound=enum.Enum)
T = TypeVar("T")

EARLIEST = datetime(1900, 1, 1, tzinfo=timezone.utc)
"""The earliest instant callcore accepts."""
LATEST = datetime(3000, 1, 1, tzinfo=timezone.utc)
"""The first instant callcore no longer accepts."""
MAX_DURATION = timedelta(days=36_525)
"""The longest duration callcore accepts (100 years), positive or negative."""
MAX_TEXT = 100_000
"""The most characters a single text value may have."""


def _type_name(value: object) -> str:
    return type(value).__name__


def shown(value: object) -> str:
    """Describe a wrong value for a message: its type, and its repr when short and safe.

    Only plain values are spelled out (an object's own ``__repr__`` could fail or
    take long, and a huge integer cannot be printed), never more than 60
    characters of them.

    >>> from callcore.checks import shown
    >>> shown("lunch"), shown(2**70), shown(2**700), shown([1, 2])
    ("str 'lunch'", 'int 1180591620717411303424', 'int', 'list')
    """
    plain = value is None or isinstance(value, str | bool | float)
    if plain or (isinstance(value, int) and value.bit_length() <= 128):
        text = repr(value)
        return f"{_type_name(value)} {text if len(text) <= 60 else text[:57] + '...'}"
    return _type_name(value)


def check_instant(value: object, what: str) -> datetime:
    """Return ``value`` if it is an aware datetime between EARLIEST and LATEST.

    Raises:
        NaiveDatetimeError: ``value`` has no time zone.
        InvalidInputError: ``value`` is not a datetime, or out of range.
    """
    if not isinstance(value, datetime):
        raise InvalidInputError(f"{what} must be a datetime, got {shown(value)}", field=what)
    try:
        offset = value.utcoffset()
    except (TypeError, ValueError) as error:  # a tzinfo whose utcoffset() misbehaves
        raise InvalidInputError(f"{what} has a broken time zone: {error}", field=what) from None
    if value.tzinfo is None or offset is None:
        raise NaiveDatetimeError(what)
    if not EARLIEST <= value < LATEST:
        raise InvalidInputError(
            f"{what} must lie between {EARLIEST.year} and {LATEST.year - 1}, "
            f"got {value.isoformat()}",
            field=what,
        )
    return value


def check_now(value: object, what: str = "now") -> datetime:
    """Return ``value`` checked (as :func:`check_instant`) as the instant it is.

    A time at a fixed offset (UTC included) comes back as is, at the cost of
    three tests; a time in any other zone comes back in UTC, because two times
    of one IANA zone compare and subtract by their wall clocks (``fold``
    ignored) and adding a duration to one adds wall-clock time: an hour off
    across a clock change. The router, the centre and the KPI live view check
    each ``now`` with it.
    """
    if (
        value.__class__ is datetime
        and value.tzinfo.__class__ is timezone
        and EARLIEST <= value < LATEST
    ):
        return value
    return check_instant(value, what).astimezone(timezone.utc)


def check_duration(
    value: object,
    what: str,
    *,
    minimum: timedelta | None = timedelta(0),
    positive: bool = False,
    maximum: timedelta = MAX_DURATION,
) -> timedelta:
    """Return ``value`` if it is a timedelta within bounds.

    Args:
        value: The value to check.
        what: The argument or field name for the message.
        minimum: The shortest accepted (zero by default: not negative);
            ``None`` accepts negative durations down to ``-maximum``.
        positive: Refuse zero as well.
        maximum: The longest accepted.

    Raises:
        InvalidInputError: ``value`` is not a timedelta or out of bounds.
    """
    if not isinstance(value, timedelta):
        raise InvalidInputError(f"{what} must be a timedelta, got {shown(value)}", field=what)
    low = (-maximum if maximum < timedelta.max else timedelta.min) if minimum is None else minimum
    if positive and value <= timedelta(0):
        raise InvalidInputError(f"{what} must be longer than zero, got {value}", field=what)
    if value < low:
        raise InvalidInputError(f"{what} must be at least {low}, got {value}", field=what)
    if value > maximum:
        raise InvalidInputError(f"{what} must be at most {maximum}, got {value}", field=what)
    return value


def check_count(value: object, what: str, *, low: int | None = 0, high: int | None = None) -> int:
    """Return ``value`` if it is an ``int`` (not a bool) in ``low..high``.

    Raises:
        InvalidInputError: ``value`` is not a whole number or out of range.
    """
    if isinstance(value, bool) or not isinstance(value, int):
        raise InvalidInputError(f"{what} must be a whole number, got {shown(value)}", field=what)
    if low is not None and value < low:
        raise InvalidInputError(f"{what} must be at least {low}, got {_digits(value)}", field=what)
    if high is not None and value > high:
        raise InvalidInputError(f"{what} must be at most {high}, got {_digits(value)}", field=what)
    return value


def _digits(value: int) -> str:
    """A whole number for a message (one too long to print is described)."""
    return str(value) if value.bit_length() <= 128 else f"a {value.bit_length()}-bit integer"


def check_number(
    value: object,
    what: str,
    *,
    low: float | None = None,
    high: float | None = None,
    low_open: bool = False,
    high_open: bool = False,
) -> float:
    """Return ``value`` as a float if it is a finite real number within bounds.

    Args:
        value: The value to check (an ``int`` or ``float``; not a bool).
        what: The argument or field name for the message.
        low: The lowest accepted value, if any.
        high: The highest accepted value, if any.
        low_open: Refuse ``low`` itself.
        high_open: Refuse ``high`` itself.

    Raises:
        InvalidInputError: ``value`` is not a number, not finite, or out of range.
    """
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise InvalidInputError(f"{what} must be a number, got {shown(value)}", field=what)
    try:
        number = float(value)
    except OverflowError:
        raise InvalidInputError(f"{what} is too large", field=what) from None
    if not math.isfinite(number):
        raise InvalidInputError(f"{what} must be a finite number, got {number}", field=what)
    if low is not None and (number < low or (low_open and number == low)):
        bound = "above" if low_open else "at least"
        raise InvalidInputError(f"{what} must be {bound} {low}, got {number}", field=what)
    if high is not None and (number > high or (high_open and number == high)):
        bound = "below" if high_open else "at most"
        raise InvalidInputError(f"{what} must be {bound} {high}, got {number}", field=what)
    return number


def check_text(
    value: object, what: str, *, allow_empty: bool = False, max_length: int = MAX_TEXT
) -> str:
    """Return ``value`` if it is a ``str`` of valid Unicode, not too long.

    Raises:
        InvalidInputError: ``value`` is not a string, is empty (unless
            ``allow_empty``), too long, or holds a lone surrogate.
    """
    if not isinstance(value, str):
        raise InvalidInputError(f"{what} must be a string, got {shown(value)}", field=what)
    if not value and not allow_empty:
        raise InvalidInputError(f"{what} must not be empty", field=what)
    if len(value) > max_length:
        raise InvalidInputError(
            f"{what} is {len(value)} characters long; the limit is {max_length}", field=what
        )
    if not value.isascii():
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            raise InvalidInputError(
                f"{what} is not valid Unicode text (it holds a lone surrogate)", field=what
            ) from None
    return value


def check_bool(value: object, what: str) -> bool:
    """Return ``value`` if it is ``True`` or ``False`` (not 0, 1 or ``"false"``).

    Raises:
        InvalidInputError: ``value`` is not a bool.
    """
    if not isinstance(value, bool):
        raise InvalidInputError(f"{what} must be true or false, got {shown(value)}", field=what)
    return value


def check_instance(value: object, cls: type[T], what: str) -> T:
    """Return ``value`` if it is an instance of ``cls``.

    Raises:
        InvalidInputError: ``value`` is of another type.
    """
    if not isinstance(value, cls):
        raise InvalidInputError(
            f"{what} must be a {cls.__name__}, got {shown(value)}",
            field=what,
        )
    return value


def check_items(value: object, cls: type[T], what: str) -> tuple[T, ...]:
    """Return ``value`` as a tuple if it is a list or tuple of ``cls`` instances.

    Raises:
        InvalidInputError: ``value`` is not a list or tuple, or an item (named
            by its index) is not a ``cls``.
    """
    items = value if type(value) is tuple else tuple(check_list(value, what))
    for index, item in enumerate(items):
        if not isinstance(item, cls):
            raise InvalidInputError(
                f"{what}[{index}] must be a {cls.__name__}, got {shown(item)}",
                field=f"{what}[{index}]",
            )
    return items


def check_enum(value: object, enum_type: type[E], what: str) -> E:
    """Return ``value`` if it is a member of ``enum_type``.

    A plain value (``"inbound"``) is refused, not looked up: code passes the
    member; documents are read by :mod:`callcore.serialization`, which looks
    values up.

    Raises:
        InvalidInputError: ``value`` is not a member of ``enum_type``.
    """
    if not isinstance(value, enum_type):
        names = ", ".join(f"{enum_type.__name__}.{member.name}" for member in enum_type)
        raise InvalidInputError(f"{what} must be one of {names}; got {shown(value)}", field=what)
    return value


def check_list(value: object, what: str, *, max_length: int | None = None) -> list[Any]:
    """Return ``value`` as a list if it is a ``list`` or ``tuple``.

    A string, a mapping or a set is refused: a string would otherwise be read
    as its characters, a mapping as its keys, and a set has no order.

    Raises:
        InvalidInputError: ``value`` is not a list or tuple, or too long.
    """
    if not isinstance(value, list | tuple):
        raise InvalidInputError(f"{what} must be a list, got {shown(value)}", field=what)
    if max_length is not None and len(value) > max_length:
        raise InvalidInputError(
            f"{what} has {len(value)} items; the limit is {max_length}", field=what
        )
    return list(value)


MAX_PLAIN_INT = 2**63 - 1
"""The largest whole number accepted in free-form data (what every store can hold)."""
MAX_PLAIN_DEPTH = 32
"""How deeply lists and mappings may nest in free-form data (half a document's
:data:`~callcore.serialization.MAX_DEPTH`, so that the document holding it reads back)."""
MAX_PLAIN_ITEMS = 10_000
"""How many values free-form data may hold in all."""


def check_plain_data(value: object, what: str) -> object:
    """Return ``value`` if it is JSON-able plain data that every store can keep.

    Free-form fields (a ticket's custom fields, a notification's data, IVR
    variables) take ``None``, booleans, whole numbers within 64 bits, finite
    floats, valid text, lists (or tuples) and mappings with text keys, nested at
    most :data:`MAX_PLAIN_DEPTH` deep and :data:`MAX_PLAIN_ITEMS` values in all.

    Raises:
        InvalidInputError: naming the path of the first value that is not.
    """
    if type(value) is dict and len(value) <= _FLAT_ITEMS and _flat(value):
        return value
    stack: list[tuple[object, str, int]] = [(value, what, 0)]
    count = 0
    while stack:
        item, path, depth = stack.pop()
        count += 1
        if count > MAX_PLAIN_ITEMS:
            raise InvalidInputError(f"{what} holds more than {MAX_PLAIN_ITEMS} values", field=path)
        children = _plain_children(item, path)
        if children:
            if depth >= MAX_PLAIN_DEPTH:
                raise InvalidInputError(
                    f"{path} is nested more than {MAX_PLAIN_DEPTH} levels deep", field=path
                )
            stack.extend((child, child_path, depth + 1) for child_path, child in children)
    return value


_FLAT_ITEMS = 100


def _flat(value: dict[Any, Any]) -> bool:
    """Whether a dict holds only short ASCII text, 64-bit integers, bools and nulls.

    The commonest free-form data (a lookup's answer, caller attributes) is such;
    this fast path of :func:`check_plain_data` accepts it without the general walk.
    """
    for key, item in value.items():
        kind = type(item)
        if not (type(key) is str and key.isascii() and len(key) <= MAX_TEXT) or not (
            (kind is str and item.isascii() and len(item) <= MAX_TEXT)
            or (kind is int and -MAX_PLAIN_INT - 1 <= item <= MAX_PLAIN_INT)
            or kind is bool
            or item is None
        ):
            return False
    return True


def _plain_children(item: object, path: str) -> list[tuple[str, object]]:
    """Check one value of plain data; return the values it holds, with their paths."""
    if item is None or isinstance(item, bool):
        return []
    if isinstance(item, int):
        check_count(item, path, low=-MAX_PLAIN_INT - 1, high=MAX_PLAIN_INT)
        return []
    if isinstance(item, float):
        check_number(item, path)
        return []
    if isinstance(item, str):
        check_text(item, path, allow_empty=True)
        return []
    if isinstance(item, list | tuple):
        return [(f"{path}[{index}]", child) for index, child in enumerate(item)]
    if isinstance(item, Mapping):
        for key in item:
            if not isinstance(key, str):
                raise InvalidInputError(
                    f"{path} has a key that is not text: {shown(key)}", field=path
                )
            try:
                check_text(key, f"a key of {path}", allow_empty=True)
            except InvalidInputError as error:
                raise InvalidInputError(str(error), field=path) from None
        return [(f"{path}.{key}", child) for key, child in item.items()]
    raise InvalidInputError(
        f"{path} must be plain data (text, a number, true/false, null, a list or a "
        f"mapping), got {_type_name(item)}",
        field=path,
    )


def validator(check: Callable[..., object], **options: object) -> Callable[[Any, Any, Any], None]:
    """Make an attrs validator from a check function and its options.

    >>> import attrs
    >>> from callcore.checks import check_count, validator
    >>> @attrs.frozen
    ... class Seats:
    ...     count: int = attrs.field(validator=validator(check_count, low=1))
    >>> Seats(0)
    Traceback (most recent call last):
    ...
    callcore.errors.InvalidInputError: count must be at least 1, got 0
    """

    def run(_: object, attribute: attrs.Attribute[Any], value: object) -> None:
        check(value, what=attribute.name, **options)

    return run
