"""The shape of a flow document, checked before anything reads it.

A flow document given as a dict (or parsed from JSON or YAML text) is walked
once, without recursion, so that reading, validating, drawing or writing it
out later can neither recurse without end nor take unbounded work:

- lists and mappings nest at most :data:`~callcore.serialization.MAX_DEPTH`
  levels deep (a list or mapping inside itself is therefore refused too);
- at most :data:`~callcore.serialization.MAX_YAML_VALUES` values, a list or
  mapping reached twice (a YAML alias, a shared dict) counted each time;
- mapping keys are text; text is valid Unicode of at most
  :data:`~callcore.checks.MAX_TEXT` characters; numbers are finite; integers
  have at most 1,000 digits (so any of them can be printed in a message).

Other values (a ``timedelta`` for a duration, an enum member) are left to the
converter, which reads them or reports them at their path.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from typing import Any

from callcore.checks import MAX_TEXT
from callcore.errors import Problem
from callcore.serialization import MAX_DEPTH, MAX_YAML_VALUES

__all__ = ["data_problems", "join_path"]

MAX_VALUES = MAX_YAML_VALUES
_INT_LIMIT = 10**1000
"""Integers must be smaller than this in magnitude (1,000 digits at most)."""


def join_path(path: str, key: object) -> str:
    """Extend a document path by a mapping key (``a.b``) or a list index (``a[1]``)."""
    if isinstance(key, int) and not isinstance(key, bool):
        return f"{path}[{key}]"
    return f"{path}.{key}" if path else str(key)


def _text_problem(value: str) -> str | None:
    if len(value) > MAX_TEXT:
        return f"text of {len(value)} characters; the limit is {MAX_TEXT}"
    if not value.isascii():
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            return "not valid Unicode text (it holds a lone surrogate)"
    return None


def _scalar_problem(value: object) -> str | None:
    """What is wrong with a value that is not a list or mapping, if anything."""
    if isinstance(value, str):
        return _text_problem(value)
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int):
        return None if -_INT_LIMIT < value < _INT_LIMIT else "an integer of more than 1,000 digits"
    if isinstance(value, float):
        return None if math.isfinite(value) else f"not a finite number ({value})"
    return None


_Frame = tuple[Any, Any]  # (the parent's frame, the key in the parent), for paths


def _path(root: str, frame: _Frame | None, *last: object) -> str:
    parts: list[object] = list(reversed(last))
    while frame is not None:
        frame, key = frame
        parts.append(key)
    path = root
    for part in reversed(parts):
        path = join_path(path, part)
    return path


def _key_problems(mapping: Mapping[Any, Any], path: str) -> list[Problem]:
    problems: list[Problem] = []
    for key in mapping:
        if not isinstance(key, str):
            problems.append(Problem(path, f"a key must be text, got {type(key).__name__}"))
        elif message := _text_problem(key):
            problems.append(Problem(path, f"a key is {message}"))
    return problems


_CONTAINERS = (Mapping, list, tuple)
_Work = list[tuple[Any, int, "_Frame | None"]]


def _walk_one(  # noqa: PLR0917 - the walk's state
    container: Any,  # noqa: ANN401 - a list or mapping
    depth: int,
    frame: _Frame | None,
    work: _Work,
    problems: list[Problem],
    root: str,
) -> Problem | None:
    """Check one container's keys and scalars; queue its lists and mappings.

    Returns:
        The problem that stops the walk (too deep), if any.
    """
    if type(container) is dict or isinstance(container, Mapping):
        try:  # every key at once: joining fails on one that is not text
            keys = "".join(container)
        except TypeError:
            keys = "\udc00"  # not ASCII, so each key is checked below
        if not keys.isascii() or len(keys) > MAX_TEXT:
            problems += _key_problems(container, _path(root, frame))
        pairs: Iterable[tuple[Any, Any]] = container.items()
    else:
        pairs = enumerate(container)
    for key, value in pairs:
        kind = type(value)
        if kind is str:  # the commonest: plain short text
            if value.isascii() and len(value) <= MAX_TEXT:
                continue
        elif kind is dict or kind is list or isinstance(value, _CONTAINERS):
            if depth >= MAX_DEPTH:
                return Problem(_path(root, frame, key), f"nested more than {MAX_DEPTH} levels deep")
            work.append((value, depth + 1, (frame, key)))
            continue
        message = _scalar_problem(value)
        if message:
            problems.append(Problem(_path(root, frame, key), message))
    return None


def data_problems(data: object, root: str = "") -> list[Problem]:
    """Check plain data against the module's bounds, without recursion.

    A list or mapping reached twice (a YAML alias) is walked, and counted,
    each time; a container inside itself is therefore reported as too deep.

    Args:
        data: The data to check.
        root: The path of ``data`` itself, for the problems' paths.

    Returns:
        The problems found. A bad key or value is reported and the walk goes
        on; too deep or too many values stops it.
    """
    if isinstance(data, str) or not isinstance(data, _CONTAINERS):
        message = _scalar_problem(data)
        return [Problem(root, message)] if message else []
    problems: list[Problem] = []
    budget = MAX_VALUES
    work: _Work = [(data, 1, None)]
    while work:
        container, depth, frame = work.pop()
        budget -= len(container) + 1
        if budget < 0:
            return [*problems, Problem(root, f"more than {MAX_VALUES:,} values (aliases expanded)")]
        stop = _walk_one(container, depth, frame, work, problems, root)
        if stop is not None:
            return [*problems, stop]
    return problems
