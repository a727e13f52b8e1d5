"""Hypothesis strategies for IVR tests: random flow graphs and event sequences."""

from __future__ import annotations

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
