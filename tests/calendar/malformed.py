"""Hypothesis strategies for malformed input: what a web hook or a buggy host may send.

:func:`junk` draws values of every wrong kind (wrong types, strings where lists
belong, NaN and infinities, huge integers and durations, naive and far-future
datetimes, lone surrogates, deep nesting); :func:`mutated` breaks a valid
document in one to three places (a value replaced by junk, a key removed or
added, a list turned into a string, a value wrapped in a list), so the
malformed input gets past the first check and into the reader's depths.
"""

from __future__ import annotations

import copy
import functools
import json
from collections.abc import Callable, Iterator
from datetime import date, datetime, time, timedelta, timezone
from typing import Any, TypeVar

from hypothesis import strategies as st

E = TypeVar("E", bound=BaseException)

LONE_SURROGATE = "\ud800"
UTC = timezone.utc

SPECIAL: list[object] = [
    None, True, False, 0, -1, 2**63, -(2**63) - 1, 10**30,
    float("nan"), float("inf"), float("-inf"), 1e308, -0.0, 1.5, 3.5,
    "", LONE_SURROGATE, f"a{LONE_SURROGATE}b", "x" * 100_001, "opne", "09:00", "25:00", "24:00",
    "2026-13-45", "2026-01-05T09:00:00", "9999-12-31T23:59:59+00:00", "Mars/Olympus", "UTC",
    "new", "closed", "resolution", "vip", "[]", "{}",
    datetime(2026, 1, 5, 9), datetime(9999, 12, 31, 23, 59, tzinfo=UTC),  # noqa: DTZ001
    datetime(1, 1, 1, tzinfo=UTC), datetime(1899, 12, 31, tzinfo=UTC),
    datetime(2026, 1, 5, 9, tzinfo=UTC), timedelta(days=999_999_999), timedelta(days=10**9 - 1),
    timedelta(days=-5), timedelta(0), timedelta(microseconds=1), date(1, 1, 1), date(9999, 12, 31),
    time(9), b"\xff\xfe", bytearray(b"x"), frozenset({"a"}), {"a"}, (), [], {}, object(),
]  # fmt: skip
"""Values of every wrong kind, each chosen to trip a particular check."""


def _nest(depth: int) -> object:
    value: object = []
    for _ in range(depth):
        value = [value]
    return value


@functools.cache
def junk() -> st.SearchStrategy[Any]:
    """Draw any malformed value: special values, random scalars, containers, deep nesting."""
    scalars = st.one_of(
        st.sampled_from(SPECIAL),
        st.integers(),
        st.floats(),
        st.text(max_size=12),
    )
    nested = st.recursive(
        scalars,
        lambda children: st.one_of(
            st.lists(children, max_size=3),
            st.dictionaries(st.text(max_size=6), children, max_size=3),
        ),
        max_leaves=8,
    )
    # An integer beyond Python's int-to-text limit is drawn on its own only: inside a
    # list its repr fails in callcore.checks' messages (reported to the lead).
    huge = st.integers(4400, 5000).map(lambda digits: 10**digits)
    return st.one_of(nested, huge, st.integers(60, 200).map(_nest))  # deeper than MAX_DEPTH


def dumps_any(value: object) -> str:
    """JSON text for any drawn value (one that JSON cannot hold gives a deeply nested text)."""
    try:
        return json.dumps(value, default=str)
    except (RecursionError, ValueError):
        return "[" * 5000 + "]" * 5000


def _paths(value: object, prefix: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    yield prefix
    if isinstance(value, dict):
        for key, child in value.items():
            yield from _paths(child, (*prefix, key))
    elif isinstance(value, list):
        for index, child in enumerate(value):
            yield from _paths(child, (*prefix, index))


def _get(document: object, path: tuple[Any, ...]) -> Any:
    for key in path:
        document = document[key]  # type: ignore[index]
    return document


@st.composite
def mutated(draw: st.DrawFn, document: object) -> object:
    """Break a valid plain-data document in one to three places."""
    result: Any = copy.deepcopy(document)
    for _ in range(draw(st.integers(1, 3))):
        path = draw(st.sampled_from(list(_paths(result))))
        current = _get(result, path)
        action = draw(st.sampled_from(["replace", "delete", "extra", "stringify", "wrap"]))
        if action == "extra" and isinstance(current, dict):
            current[draw(st.sampled_from(["colour", "", LONE_SURROGATE, "name"]))] = draw(junk())
            continue
        if action == "delete" and path:
            parent = _get(result, path[:-1])
            del parent[path[-1]]
            continue
        if action == "stringify":
            new: object = dumps_any(current)
        elif action == "wrap":
            new = [current]
        else:
            new = draw(junk())
        if not path:
            result = new
        else:
            _get(result, path[:-1])[path[-1]] = new
    return result


def malformed_json() -> st.SearchStrategy[str | bytes]:
    """Draw text that is not a valid document: broken JSON, deep nesting, bad bytes."""
    return st.one_of(
        st.text(max_size=40),
        st.binary(max_size=40),
        st.sampled_from([
            "[" * 100_000, '{"a": 1, "a": 2}', "1" * 5000, "NaN", "[Infinity]", "", "null",
            '"\\ud800"', b"\xff\xfe{}", '{"name": 5}', "[]", "{}",
        ]),
        junk().map(dumps_any),
    )  # fmt: skip


def refusal(call: Callable[[], object], kind: type[E]) -> E | None:
    """Run ``call``; return the ``kind`` error it raised, or ``None`` if it succeeded.

    Any other exception propagates, and so fails the test that called.
    """
    try:
        call()
    except kind as error:
        return error
    return None
