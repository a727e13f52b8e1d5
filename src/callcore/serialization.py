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

import functools
import json
import math
import re
from collections.abc import (
    Callable,
    Iterable,
    Iterator,
    MutableSequence,
    MutableSet,
    Sequence,
)
from collections.abc import Set as AbstractSet
from datetime import date, datetime, time, timedelta
from typing import Any, TypeVar, get_args, get_origin
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import cattrs
from cattrs.errors import (
    ClassValidationError,
    ForbiddenExtraKeysError,
    IterableValidationError,
)

from callcore.checks import shown
from callcore.errors import ConfigError, DocumentError, InvalidInputError, Problem

__all__ = [
    "MAX_DEPTH",
    "MAX_DOCUMENT_SIZE",
    "MAX_YAML_ALIASES",
    "MAX_YAML_VALUES",
    "converter",
    "dumps",
    "from_dict",
    "loads",
    "parse_json",
    "parse_yaml",
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
        raise TypeError(f"expected a string, got {shown(value)}")
    if not value.isascii():
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            raise ValueError("not valid Unicode text (it holds a lone surrogate)") from None
    return value


def _structure_bool(value: object, _: type) -> bool:
    if not isinstance(value, bool):
        raise TypeError(f"expected true or false, got {shown(value)}")
    return value


def _structure_int(value: object, _: type) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"expected an integer, got {shown(value)}")
    return value


def _structure_float(value: object, _: type) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise TypeError(f"expected a number, got {shown(value)}")
    try:
        number = float(value)
    except OverflowError:
        raise ValueError("number too large") from None
    if not math.isfinite(number):
        raise ValueError(f"expected a finite number, got {number}")
    return number


# --- collections: only a list (or tuple) is a list ------------------------------
#
# cattrs iterates whatever it is given, so a string would become its characters
# and a mapping its keys. Every collection type is wrapped once here: the default
# hook runs only on a list or tuple.

_COLLECTION_ORIGINS = frozenset(
    {list, tuple, set, frozenset, Sequence, MutableSequence, AbstractSet, MutableSet}
)
_wrapping: set[object] = set()


def _is_collection(type_: object) -> bool:
    if type_ in _wrapping:
        return False
    origin = get_origin(type_) or type_
    return origin in _COLLECTION_ORIGINS


def _list_only(type_: object) -> Callable[[object, Any], Any]:
    _wrapping.add(type_)
    try:
        inner = converter.get_structure_hook(type_, cache_result=False)
    finally:
        _wrapping.discard(type_)

    def structure(value: object, cls: Any) -> Any:  # noqa: ANN401 - any collection
        if not isinstance(value, list | tuple):
            raise TypeError(f"expected a list, got {_type_name(value)}")
        return inner(value, cls)

    return structure


converter.register_structure_hook_factory(_is_collection, _list_only)
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
        names = ", ".join(sorted(map(str, exc.extra_fields)))
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
    elif isinstance(exc, InvalidInputError) and exc.field and not path.endswith(exc.field):
        # A constructor's own check (run once every field is read) names its field.
        yield Problem(_join(path, exc.field), str(exc))
    else:
        yield Problem(path, _describe(exc))


# --- the public functions ------------------------------------------------------

MAX_DOCUMENT_SIZE = 16 * 1024 * 1024
"""The largest JSON or YAML text read, in bytes (characters for ``str``)."""
MAX_DEPTH = 64
"""How deeply lists and mappings may nest in a document."""
MAX_YAML_ALIASES = 100
"""How many YAML aliases (``*name``) one document may use."""
MAX_YAML_VALUES = 1_000_000
"""How many values a YAML document may expand to, aliases expanded (alias bombs)."""


def _name(cls: object) -> str:
    name = getattr(cls, "__name__", None)
    if isinstance(name, str):
        return name
    members = get_args(cls)  # a union such as IvrEvent has no name of its own
    return " | ".join(getattr(member, "__name__", "?") for member in members) or "document"


def to_dict(obj: object) -> Any:  # noqa: ANN401 - plain data of any JSON shape
    """Turn a callcore model into plain, JSON-able data."""
    return converter.unstructure(obj)


def from_dict(cls: type[T], data: object, *, what: str | None = None) -> T:
    """Build a ``cls`` from plain data, checking every field.

    Args:
        cls: The model class to build (or a tagged union of classes).
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
        raise DocumentError(problems_from_exception(exc), what or _name(cls)) from exc
    except KeyError as exc:
        raise DocumentError([_missing_key(exc, data)], what or _name(cls)) from exc
    except (TypeError, ValueError, AttributeError, OverflowError) as exc:
        raise DocumentError(problems_from_exception(exc), what or _name(cls)) from exc
    except RecursionError:
        problem = Problem("", f"nested more than {MAX_DEPTH} levels deep")
        raise DocumentError([problem], what or _name(cls)) from None


def _missing_key(exc: KeyError, data: object) -> Problem:
    """The problem of a key missing at the top, or of a tagged union's unknown tag."""
    key = exc.args[0] if exc.args else None
    if isinstance(data, dict) and isinstance(key, str):
        if key not in data and data.get(_TAG) == key:
            return Problem(_TAG, f"unknown {_TAG} {key!r}")
        if key not in data:
            return Problem(key, "required field missing")
    return Problem("", _describe(exc))


_TAG = "type"  # the tag of every tagged union in callcore's documents (IVR wire format)


def dumps(obj: object, *, indent: int | None = None) -> str:
    """Serialise a callcore model to a JSON string."""
    return json.dumps(to_dict(obj), indent=indent, ensure_ascii=False)


def _too_deep(data: object, limit: int = MAX_DEPTH) -> str | None:
    """The path of the first value nested deeper than ``limit``, if any."""
    stack: list[tuple[object, str, int]] = [(data, "", 0)]
    while stack:
        value, path, depth = stack.pop()
        if isinstance(value, dict):
            children: Iterable[tuple[object, object]] = value.items()
        elif isinstance(value, list):
            children = enumerate(value)
        else:
            continue
        if depth >= limit:
            return path
        stack.extend((child, _join(path, key), depth + 1) for key, child in children)
    return None


def _check_text(text: object, what: str) -> str:
    """Decode ``text`` to ``str`` within the size limit, or raise DocumentError."""
    if isinstance(text, bytes | bytearray):
        if len(text) > MAX_DOCUMENT_SIZE:
            raise DocumentError([Problem("", _size_message(len(text)))], what)
        try:
            return bytes(text).decode("utf-8")
        except UnicodeDecodeError as exc:
            problem = Problem("", f"not valid UTF-8 at byte {exc.start}")
            raise DocumentError([problem], what) from None
    if not isinstance(text, str):
        problem = Problem("", f"expected text (str or bytes), got {_type_name(text)}")
        raise DocumentError([problem], what)
    if len(text) > MAX_DOCUMENT_SIZE:
        raise DocumentError([Problem("", _size_message(len(text)))], what)
    return text


def _size_message(size: int) -> str:
    return f"the document is {size} long; the limit is {MAX_DOCUMENT_SIZE} (16 MiB)"


def _check_depth(data: object, what: str) -> None:
    where = _too_deep(data)
    if where is not None:
        problem = Problem(where, f"nested more than {MAX_DEPTH} levels deep")
        raise DocumentError([problem], what)


def parse_json(text: str | bytes, *, what: str = "document") -> Any:  # noqa: ANN401 - JSON
    """Parse JSON text into plain data, within the documented limits.

    Duplicate keys in one object are refused (a silently lost value), each
    reported at the path of the object that holds it.

    Args:
        text: The JSON text (``bytes`` must be UTF-8).
        what: How to name the document in an error.

    Returns:
        The plain data (dicts, lists, strings, numbers, booleans, ``None``).

    Raises:
        DocumentError: the text is too large, not UTF-8, not JSON (``NaN`` and
            ``Infinity`` are not), nested more than :data:`MAX_DEPTH` levels,
            or has a duplicate key.
    """
    decoded = _check_text(text, what)
    holders: dict[int, list[str]] = {}  # id of an object with a duplicate key: the keys

    def pairs(items: list[tuple[str, Any]]) -> dict[str, Any]:
        result: dict[str, Any] = {}
        for key, value in items:
            if key in result:
                holders.setdefault(id(result), []).append(key)
            result[key] = value
        return result

    def constant(name: str) -> float:
        raise ValueError(f"{name} is not a JSON number")

    try:
        data = json.loads(decoded, object_pairs_hook=pairs, parse_constant=constant)
    except json.JSONDecodeError as exc:
        where = f"line {exc.lineno} column {exc.colno}"
        problem = Problem("", f"not valid JSON at {where}: {exc.msg}")
        raise DocumentError([problem], what) from None
    except RecursionError:
        problem = Problem("", f"nested more than {MAX_DEPTH} levels deep")
        raise DocumentError([problem], what) from None
    except ValueError as exc:  # an integer beyond Python's digit limit
        raise DocumentError([Problem("", f"not valid JSON: {exc}")], what) from None
    _check_depth(data, what)
    if holders:
        raise DocumentError(_duplicate_problems(data, holders), what)
    return data


def _duplicate_problems(data: object, holders: dict[int, list[str]]) -> list[Problem]:
    """Where each object with a duplicate key stands (every parsed object is alive here)."""
    found: list[Problem] = []
    stack: list[tuple[object, str]] = [(data, "")]
    while stack:
        value, path = stack.pop()
        if isinstance(value, dict):
            found.extend(
                Problem(path, f"duplicate key {key!r} in one object")
                for key in holders.get(id(value), ())
            )
            stack.extend((child, _join(path, key)) for key, child in value.items())
        elif isinstance(value, list):
            stack.extend((child, _join(path, index)) for index, child in enumerate(value))
    return found


def parse_yaml(text: str | bytes, *, what: str = "document") -> Any:  # noqa: ANN401 - YAML
    """Parse YAML text (PyYAML's safe loader) into plain data, within the limits.

    The text is read twice: first as a stream of parser events, which stops at
    the first limit crossed (so a deeply nested or alias-bomb document costs
    little), then by the safe loader.

    Raises:
        ConfigError: PyYAML is not installed (``pip install callcore[yaml]``).
        DocumentError: the text is too large, not UTF-8, not YAML, nested more
            than :data:`MAX_DEPTH` levels, uses more than
            :data:`MAX_YAML_ALIASES` aliases or expands to more than
            :data:`MAX_YAML_VALUES` values.
    """
    try:
        import yaml  # noqa: PLC0415 - optional dependency, loaded only when used
    except ImportError:  # pragma: no cover - PyYAML is installed for the tests
        raise ConfigError("reading YAML needs PyYAML: pip install 'callcore[yaml]'") from None
    decoded = _check_text(text, what)
    try:
        problem = _yaml_limit_problem(yaml, decoded)
        data = None if problem is not None else yaml.load(decoded, Loader=_strict_loader(yaml))  # noqa: S506 - a SafeLoader
    except yaml.YAMLError as exc:
        raise DocumentError([Problem("", f"not valid YAML: {exc}")], what) from None
    except RecursionError:
        problem = f"nested more than {MAX_DEPTH} levels deep"
        raise DocumentError([Problem("", problem)], what) from None
    except (ValueError, OverflowError) as exc:  # a huge integer, a bad date
        raise DocumentError([Problem("", f"not valid YAML: {exc}")], what) from None
    if problem is not None:
        raise DocumentError([Problem("", problem)], what)
    _check_depth(data, what)
    return data


@functools.cache
def _strict_loader(yaml: Any) -> Any:  # noqa: ANN401 - PyYAML is untyped here
    """PyYAML's SafeLoader, refusing a key written twice in one mapping."""

    class StrictLoader(yaml.SafeLoader):  # type: ignore[misc]
        def construct_mapping(self, node: Any, deep: bool = False) -> Any:  # noqa: ANN401, FBT001, FBT002
            seen: set[tuple[str, str]] = set()
            for key_node, _ in node.value:
                if not isinstance(key_node, yaml.ScalarNode) or key_node.tag.endswith(":merge"):
                    continue  # merge keys (<<) may be overridden, as YAML intends
                key = (key_node.tag, key_node.value)
                if key in seen:
                    raise yaml.constructor.ConstructorError(
                        "while reading a mapping",
                        node.start_mark,
                        f"found the key {key_node.value!r} twice",
                        key_node.start_mark,
                    )
                seen.add(key)
            return super().construct_mapping(node, deep=deep)

    return StrictLoader


def _yaml_limit_problem(yaml: Any, text: str) -> str | None:  # noqa: ANN401, C901 - the module; one walk
    """Walk the parser's events; say which limit the document crosses, if any."""
    open_sizes: list[int] = [0]  # values inside each open collection, aliases expanded
    open_anchors: list[str | None] = [None]
    anchored: dict[str, int] = {}
    expanded = aliases = 0
    for event in yaml.parse(text):
        if isinstance(event, yaml.CollectionStartEvent):
            if len(open_sizes) > MAX_DEPTH:
                return f"nested more than {MAX_DEPTH} levels deep"
            open_sizes.append(1)
            open_anchors.append(event.anchor)
            added = 1
        elif isinstance(event, yaml.CollectionEndEvent):
            size = open_sizes.pop()
            anchor = open_anchors.pop()
            if anchor is not None:
                anchored[anchor] = size
            open_sizes[-1] += size
            continue
        elif isinstance(event, yaml.ScalarEvent):
            if event.anchor is not None:
                anchored[event.anchor] = 1
            added = 1
        elif isinstance(event, yaml.AliasEvent):
            aliases += 1
            if aliases > MAX_YAML_ALIASES:
                return f"uses more than {MAX_YAML_ALIASES} aliases"
            added = anchored.get(event.anchor, 1)
        else:
            continue
        open_sizes[-1] += added
        expanded += added
        if expanded > MAX_YAML_VALUES:
            return f"expands to more than {MAX_YAML_VALUES} values (aliases included)"
    return None


def loads(cls: type[T], text: str | bytes, *, what: str | None = None) -> T:
    """Read a ``cls`` from a JSON string, within the limits of :func:`parse_json`.

    Raises:
        DocumentError: the text is not JSON, or not a valid ``cls``.
    """
    data = parse_json(text, what=what or _name(cls))
    return from_dict(cls, data, what=what)
