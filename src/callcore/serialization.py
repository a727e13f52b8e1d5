"""One cattrs converter for every public model: plain dicts and JSON.

Documents that users write (IVR flows, workflows, SLA policies, queue
configuration) and states that hosts save are plain JSON-able data, read and
written here:

- aware datetimes as ISO 8601 strings with their UTC offset;
- timedeltas as a number of seconds (an int when whole);
- dates as ``YYYY-MM-DD`` and times of day as ``HH:MM`` (or ``HH:MM:SS``);
- time zones by their IANA key (``Europe/Bucharest``);
- enums by value; tuples and lists as lists; sets as sorted lists.

Primitive fields are strict: ``"5"`` is not an int and ``"false"`` is not a bool.
Unknown keys are refused, so a typo in a document is reported, not ignored.
Reading bad data raises :class:`~callcore.errors.DocumentError` listing every
problem with its path (``hours.monday[1].start: expected 'HH:MM', got '25:00'``).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable, Iterator
from collections.abc import Set as AbstractSet
from datetime import date, datetime, time, timedelta
from typing import Any, TypeVar
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import cattrs
from cattrs.errors import (
    ClassValidationError,
    ForbiddenExtraKeysError,
    IterableValidationError,
)

from callcore.errors import DocumentError, Problem

__all__ = [
    "converter",
    "dumps",
    "from_dict",
    "loads",
    "problems_from_exception",
    "to_dict",
]

T = TypeVar("T")


def _sorted_list(items: Iterable[Any]) -> list[Any]:
    values = list(items)
    try:
        return sorted(values)
    except TypeError:  # elements without an order keep their iteration order
        return values


converter = cattrs.Converter(
    forbid_extra_keys=True,
    unstruct_collection_overrides={AbstractSet: _sorted_list, tuple: list},
)
"""The project's converter. Engines register hooks for their own types on it."""


# --- strict primitives -------------------------------------------------------


def _type_name(value: object) -> str:
    return type(value).__name__


def _structure_str(value: object, _: type) -> str:
    if not isinstance(value, str):
        raise TypeError(f"expected a string, got {_type_name(value)} {value!r}")
    return value


def _structure_bool(value: object, _: type) -> bool:
    if not isinstance(value, bool):
        raise TypeError(f"expected true or false, got {_type_name(value)} {value!r}")
    return value


def _structure_int(value: object, _: type) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"expected an integer, got {_type_name(value)} {value!r}")
    return value


def _structure_float(value: object, _: type) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise TypeError(f"expected a number, got {_type_name(value)} {value!r}")
    return float(value)


converter.register_structure_hook(str, _structure_str)
converter.register_structure_hook(bool, _structure_bool)
converter.register_structure_hook(int, _structure_int)
converter.register_structure_hook(float, _structure_float)


# --- time --------------------------------------------------------------------


def _structure_datetime(value: object, _: type) -> datetime:
    if isinstance(value, datetime):
        parsed = value
    elif isinstance(value, str):
        text = value[:-1] + "+00:00" if value.endswith(("Z", "z")) else value
        try:
            parsed = datetime.fromisoformat(text)
        except ValueError:
            raise ValueError(f"expected an ISO 8601 date and time, got {value!r}") from None
    else:
        raise TypeError(f"expected an ISO 8601 date and time, got {_type_name(value)}")
    if parsed.tzinfo is None or parsed.utcoffset() is None:
        raise ValueError(f"expected a time with a UTC offset (e.g. +00:00), got {value!r}")
    return parsed


def _seconds(delta: timedelta) -> int | float:
    whole, rest = divmod(delta, timedelta(seconds=1))
    return int(whole) if not rest else delta.total_seconds()


def _structure_timedelta(value: object, _: type) -> timedelta:
    if isinstance(value, timedelta):
        return value
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise TypeError(f"expected a number of seconds, got {_type_name(value)} {value!r}")
    return timedelta(seconds=value)


def _structure_date(value: object, _: type) -> date:
    if isinstance(value, date) and not isinstance(value, datetime):
        return value
    if not isinstance(value, str):
        raise TypeError(f"expected a date 'YYYY-MM-DD', got {_type_name(value)}")
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise ValueError(f"expected a date 'YYYY-MM-DD', got {value!r}") from None


_TIME_OF_DAY = re.compile(r"(\d\d):(\d\d)(?::(\d\d))?")


def _structure_time(value: object, _: type) -> time:
    if isinstance(value, time):
        return value
    match = _TIME_OF_DAY.fullmatch(value) if isinstance(value, str) else None
    if match is None:
        raise ValueError(f"expected 'HH:MM', got {value!r}")
    hour, minute, second = (int(part or 0) for part in match.groups())
    if hour > 23 or minute > 59 or second > 59:
        raise ValueError(f"expected 'HH:MM', got {value!r}")
    return time(hour, minute, second)


def _unstructure_time(value: time) -> str:
    return value.strftime("%H:%M:%S" if value.second else "%H:%M")


def _structure_zone(value: object, _: type) -> ZoneInfo:
    if isinstance(value, ZoneInfo):
        return value
    if not isinstance(value, str):
        raise TypeError(f"expected an IANA time zone name, got {_type_name(value)}")
    try:
        return ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(f"unknown time zone {value!r} (use an IANA name)") from None


converter.register_structure_hook(datetime, _structure_datetime)
converter.register_unstructure_hook(datetime, datetime.isoformat)
converter.register_structure_hook(timedelta, _structure_timedelta)
converter.register_unstructure_hook(timedelta, _seconds)
converter.register_structure_hook(date, _structure_date)
converter.register_unstructure_hook(date, date.isoformat)
converter.register_structure_hook(time, _structure_time)
converter.register_unstructure_hook(time, _unstructure_time)
converter.register_structure_hook(ZoneInfo, _structure_zone)
converter.register_unstructure_hook(ZoneInfo, lambda zone: zone.key)


# --- errors ------------------------------------------------------------------


def _join(path: str, key: object) -> str:
    if isinstance(key, int):
        return f"{path}[{key}]"
    return f"{path}.{key}" if path else str(key)


def _describe(exc: BaseException) -> str:
    if isinstance(exc, KeyError):
        return "required field missing"
    if isinstance(exc, ForbiddenExtraKeysError):
        names = ", ".join(sorted(exc.extra_fields))
        return f"unknown field{'s' * (len(exc.extra_fields) > 1)}: {names}"
    if isinstance(exc, DocumentError):
        return "; ".join(str(problem) for problem in exc.problems)
    if isinstance(exc, AttributeError):  # cattrs calls .keys() / .get() on what should be a mapping
        return "expected a mapping of fields, got a single value or a list"
    text = str(exc.args[0]) if exc.args else type(exc).__name__
    if isinstance(exc, TypeError) and "not iterable" in text:
        return "expected a list or mapping, got a single value"
    return text


def problems_from_exception(exc: BaseException, path: str = "") -> Iterator[Problem]:
    """Turn a cattrs structuring exception into problems, each with its path.

    Args:
        exc: The exception raised while structuring.
        path: The path of the value that was being structured.

    Yields:
        One :class:`~callcore.errors.Problem` per leaf error.
    """
    if isinstance(exc, ClassValidationError):
        with_notes, without = exc.group_exceptions()
        for sub, note in with_notes:
            yield from problems_from_exception(sub, _join(path, note.name))
        for sub in without:
            yield from problems_from_exception(sub, path)
    elif isinstance(exc, IterableValidationError):
        with_index, without_index = exc.group_exceptions()
        for sub, index_note in with_index:
            yield from problems_from_exception(sub, _join(path, index_note.index))
        for sub in without_index:
            yield from problems_from_exception(sub, path)
    elif isinstance(exc, DocumentError):
        for problem in exc.problems:
            yield Problem(_join(path, problem.path) if problem.path else path, problem.message)
    else:
        yield Problem(path, _describe(exc))


# --- the public functions ------------------------------------------------------


def to_dict(obj: object) -> Any:  # noqa: ANN401 - plain data of any JSON shape
    """Turn a callcore model into plain, JSON-able data."""
    return converter.unstructure(obj)


def from_dict(cls: type[T], data: object, *, what: str | None = None) -> T:
    """Build a ``cls`` from plain data, checking every field.

    Args:
        cls: The model class to build.
        data: Plain data, as produced by :func:`to_dict` or read from JSON.
        what: How to name the document in an error (defaults to the class name).

    Returns:
        The model.

    Raises:
        DocumentError: ``data`` does not describe a valid ``cls``; every problem
            is listed with its path.
    """
    try:
        return converter.structure(data, cls)
    except (ClassValidationError, IterableValidationError, DocumentError) as exc:
        raise DocumentError(problems_from_exception(exc), what or cls.__name__) from exc
    except (TypeError, ValueError, KeyError, AttributeError) as exc:
        raise DocumentError([Problem("", _describe(exc))], what or cls.__name__) from exc


def dumps(obj: object, *, indent: int | None = None) -> str:
    """Serialise a callcore model to a JSON string."""
    return json.dumps(to_dict(obj), indent=indent, ensure_ascii=False)


def loads(cls: type[T], text: str | bytes, *, what: str | None = None) -> T:
    """Read a ``cls`` from a JSON string.

    Raises:
        DocumentError: the text is not JSON, or not a valid ``cls``.
    """
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        where = f"line {exc.lineno} column {exc.colno}"
        problem = Problem("", f"not valid JSON at {where}: {exc.msg}")
        raise DocumentError([problem], what or cls.__name__) from exc
    return from_dict(cls, data, what=what)


def register_structure(cls: type[T], hook: Callable[[object, type], T]) -> None:
    """Register how to build ``cls`` from plain data (for engines and plugins)."""
    converter.register_structure_hook(cls, hook)
