"""Reading ticket documents part by part, so that one bad part hides nothing else.

A document is read field by field and list item by list item. A part that
cannot be read is reported (with its path) and marked :data:`UNREADABLE`;
the checks that look at the whole document then run on every part that could
be read and skip what depends on an unreadable part, so a structural problem
and an unrelated semantic problem are reported together, in one pass.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Mapping
from typing import Any, TypeAlias

import attrs

from callcore.errors import InvalidInputError, Problem
from callcore.serialization import converter, problems_from_exception


class _Unreadable(enum.Enum):
    UNREADABLE = "unreadable"


UNREADABLE = _Unreadable.UNREADABLE
"""Marks a part of a document that could not be read (its problem is reported)."""

Reader: TypeAlias = Callable[[object, str, list[Problem]], Any]
"""Reads one part: ``(data, path, problems) -> value or UNREADABLE``."""


def join(path: str, key: str | int) -> str:
    """Extend a document path by a field name or a list index."""
    if isinstance(key, int):
        return f"{path}[{key}]"
    if key.startswith("["):
        return f"{path}{key}"
    return f"{path}.{key}" if path else key


def read_value(data: object, kind: Any, path: str, problems: list[Problem]) -> Any:  # noqa: ANN401
    """Read a leaf with the project's converter; report its problems on failure."""
    try:
        return converter.structure(data, kind)
    except Exception as exc:  # noqa: BLE001 - every failure to read becomes a problem
        problems.extend(problems_from_exception(exc, path))
        return UNREADABLE


def leaf(kind: Any) -> Reader:  # noqa: ANN401
    """Make a reader for a leaf type (a string, an enum, a duration...)."""
    return lambda data, path, problems: read_value(data, kind, path, problems)


def items(read_item: Reader) -> Reader:
    """Make a reader for a list whose items are read one by one.

    The value is a tuple in which an unreadable item is :data:`UNREADABLE`; a
    value that is not a list (a string, a mapping) is itself unreadable, never
    split into characters or keys.
    """

    def read(data: object, path: str, problems: list[Problem]) -> Any:  # noqa: ANN401
        if not isinstance(data, list | tuple):
            problems.append(Problem(path, f"expected a list, got {type(data).__name__}"))
            return UNREADABLE
        return tuple(
            read_item(item, join(path, index), problems) for index, item in enumerate(data)
        )

    return read


def _default(field: attrs.Attribute[Any]) -> object:
    factory = getattr(field.default, "factory", None)  # an attrs.Factory
    return factory() if callable(factory) else field.default


def read_fields(
    data: object,
    cls: type,
    path: str,
    problems: list[Problem],
    readers: Mapping[str, Reader] | None = None,
) -> dict[str, Any] | None:
    """Read an attrs record field by field, without building it.

    Unknown and missing fields are reported; each field is read with its reader
    in ``readers`` (or the converter) and checked by the field's validator.

    Returns:
        The values by field name (missing optional fields hold their default,
        unreadable ones :data:`UNREADABLE`), or ``None`` if ``data`` is not a
        mapping.
    """
    if not isinstance(data, Mapping):
        problems.append(Problem(path, f"expected a mapping of fields, got {type(data).__name__}"))
        return None
    attrs.resolve_types(cls)
    fields = [field for field in attrs.fields(cls) if field.init]
    names = {field.alias for field in fields}
    unknown = sorted(str(key) for key in data if key not in names)
    if unknown:
        plural = "s" * (len(unknown) > 1)
        problems.append(Problem(path, f"unknown field{plural}: {', '.join(unknown)}"))
    values: dict[str, Any] = {}
    for field in fields:
        name = field.alias
        where = join(path, name)
        if name not in data:
            if field.default is attrs.NOTHING:
                problems.append(Problem(where, "required field missing"))
                values[name] = UNREADABLE
            else:
                values[name] = _default(field)
            continue
        reader = (readers or {}).get(name)
        value = (
            reader(data[name], where, problems)
            if reader
            else read_value(data[name], field.type, where, problems)
        )
        if field.validator is not None and readable(value):
            try:
                field.validator(None, field, value)
            except InvalidInputError as exc:
                problems.append(Problem(join(path, exc.field or name), str(exc)))
                value = UNREADABLE
        values[name] = value
    return values


def readable(value: object) -> bool:
    """Tell whether a value, and every item of a tuple value, could be read."""
    if value is UNREADABLE:
        return False
    if isinstance(value, tuple):
        return all(readable(item) for item in value)
    return True


def build(cls: type, values: Mapping[str, Any] | None, path: str, problems: list[Problem]) -> Any:  # noqa: ANN401
    """Build a record from values read by :func:`read_fields`, if all could be read."""
    if values is None or not all(readable(value) for value in values.values()):
        return UNREADABLE
    try:
        return cls(**values)
    except InvalidInputError as exc:
        problems.append(Problem(join(path, exc.field) if exc.field else path, str(exc)))
        return UNREADABLE


def record(cls: type, readers: Mapping[str, Reader] | None = None) -> Reader:
    """Make a reader that reads a record field by field and builds it."""

    def read(data: object, path: str, problems: list[Problem]) -> Any:  # noqa: ANN401
        return build(cls, read_fields(data, cls, path, problems, readers), path, problems)

    return read
