"""Hypothesis strategies for IVR tests: random flow graphs and event sequences."""

from __future__ import annotations

import copy
from collections.abc import Callable
from datetime import timezone
from typing import Any

from hypothesis import strategies as st

from callcore.ivr import (
    ActionCompleted,
    ActionFailed,
    CallerHangup,
    Digits,
    IvrEvent,
    LookupResult,
    NoInput,
    Speech,
)

NODE_KINDS = ("say", "branch", "menu", "hangup")


@st.composite
def flow_graphs(draw: st.DrawFn, max_nodes: int = 9) -> dict[str, Any]:
    """A random flow document over say / branch / menu / hangup nodes.

    Targets are drawn among the flow's own nodes, so every shape of graph
    appears: unreachable parts, dead ends, loops with and without menus.
    """
    count = draw(st.integers(min_value=1, max_value=max_nodes))
    names = [f"n{i}" for i in range(count)]
    target = st.sampled_from(names)
    nodes: dict[str, Any] = {}
    for name in names:
        kind = draw(st.sampled_from(NODE_KINDS))
        if kind == "say":
            nodes[name] = {"type": "say", "prompts": ["p"], "next": draw(target)}
        elif kind == "branch":
            cases = draw(st.lists(target, max_size=2))
            nodes[name] = {
                "type": "branch",
                "cases": [
                    {"when": {"var": "vars.x", "op": "eq", "value": i}, "goto": goto}
                    for i, goto in enumerate(cases)
                ],
                "default": draw(target),
            }
        elif kind == "menu":
            keys = draw(st.lists(target, min_size=1, max_size=3))
            nodes[name] = {
                "type": "menu",
                "prompt": "p",
                "options": [{"key": str(i + 1), "goto": goto} for i, goto in enumerate(keys)],
                "on_noinput": draw(target),
                "on_nomatch": draw(target),
            }
        else:
            nodes[name] = {"type": "hangup"}
    return {
        "id": "random",
        "start": draw(target),
        "languages": ["en"],
        "prompts": {"p": {"en": "prompt"}},
        "nodes": nodes,
    }


def events() -> st.SearchStrategy[IvrEvent]:
    """Any event a host might send, sensible or not."""
    return st.one_of(
        st.builds(Digits, st.text(alphabet="0123456789*#", max_size=18)),
        st.builds(
            Speech,
            st.sampled_from(["account", "card", "agent", "blah", "4111 1111"]),
            st.floats(min_value=0, max_value=1),
        ),
        st.just(NoInput()),
        st.builds(ActionCompleted, st.just({"recording": "r1"})),
        st.builds(ActionFailed, st.just("busy")),
        st.builds(
            LookupResult,
            st.just({"balance": 10, "currency": "RON"}),
            st.sampled_from([None, "timeout"]),
        ),
        st.just(CallerHangup()),
    )


# --- malformed input, for the fuzz tests ----------------------------------------


def _call(make: Callable[[], object]) -> object:
    return make()


def _nested(depth: int, mapping: bool) -> object:
    value: object = "x"
    for _ in range(depth):
        value = {"a": value} if mapping else [value]
    return value


NASTY_VALUES: st.SearchStrategy[Any] = st.one_of(
    st.text(max_size=8),
    st.sampled_from(["", "\ud800", "x" * 40_000, "billing", "nowhere", "audio:", "{vars.x}"]),
    st.integers(),
    st.sampled_from([0, -1, 2**63, 10**30, 10**5000, -(10**5000)]),
    st.floats(allow_nan=True, allow_infinity=True),
    st.sampled_from([1e300, -1e300, 0.5, 50.0]),
    st.none(),
    st.booleans(),
    st.dictionaries(st.text(max_size=4), st.integers(), max_size=3),
    st.lists(st.text(max_size=4), max_size=3),
    st.sampled_from(
        [  # built afresh on each draw: a later change may go inside the value
            lambda: _nested(70, mapping=False),
            lambda: _nested(70, mapping=True),
            lambda: _nested(2000, mapping=False),
            lambda: {1: "a"},
            lambda: {None: "a"},
            lambda: {"\udc00": "a"},
            lambda: [{"var": "vars.x", "op": "eq"}],
        ]
    ).map(_call),
    st.datetimes(),  # naive
    st.datetimes(timezones=st.just(timezone.utc)),
    st.timedeltas(),
    st.binary(max_size=4),
    st.builds(object),
)
"""Values that do not belong where they are put: wrong types, huge, NaN, deep, odd text."""


def _slots(data: object) -> list[tuple[Any, Any]]:
    """Every (container, key) in ``data``, lists and mappings alike."""
    found: list[tuple[Any, Any]] = []
    work = [data]
    while work:
        value = work.pop()
        if isinstance(value, dict):
            items: list[tuple[Any, Any]] = list(value.items())
        elif isinstance(value, list):
            items = list(enumerate(value))
        else:
            continue
        for key, child in items:
            found.append((value, key))
            work.append(child)
    return found


@st.composite
def mutated(draw: st.DrawFn, document: dict[str, Any], max_changes: int = 3) -> Any:
    """A deep copy of ``document`` with a few values replaced, removed, added or wrapped."""
    data: Any = copy.deepcopy(document)
    for _ in range(draw(st.integers(min_value=1, max_value=max_changes))):
        slots = _slots(data)
        if not slots or draw(st.integers(0, 20)) == 0:
            return draw(NASTY_VALUES)  # the whole document is wrong
        container, key = draw(st.sampled_from(slots))
        action = draw(st.sampled_from(["replace", "replace", "delete", "add", "wrap"]))
        if action == "replace":
            container[key] = draw(NASTY_VALUES)
        elif action == "delete":
            del container[key]
        elif action == "add" and isinstance(container, dict):
            container[draw(st.sampled_from(["extra", "type", "next", "1"]))] = draw(NASTY_VALUES)
        elif action == "add":
            container.append(draw(NASTY_VALUES))
        else:
            container[key] = draw(st.sampled_from([[container[key]], {"x": container[key]}]))
    return data
