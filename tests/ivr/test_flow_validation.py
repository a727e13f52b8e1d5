from __future__ import annotations

import copy
from typing import Any

import pytest
from hypothesis import given

from callcore.errors import DocumentError, Problem
from callcore.ivr import flow_from_dict, load_flow, load_flow_json, validate_flow
from tests.ivr.flows import bank_document, document, endings, menu
from tests.ivr.strategies import flow_graphs


def problems_of(data: dict[str, Any], **kwargs: Any) -> list[Problem]:
    """Every problem load_flow reports for ``data``."""
    with pytest.raises(DocumentError) as caught:
        load_flow(data, **kwargs)
    return list(caught.value.problems)


def test_good_flow_loads() -> None:
    """The example bank flow passes every check."""
    flow = load_flow(bank_document(), calendars=["advisers"], flows=[])
    assert flow.id == "bank_main"
    assert flow.version == 3


def test_unknown_target() -> None:
    """An edge to a node that does not exist is reported at the edge's field."""
    data = document({"menu": menu(options=[{"key": "7", "goto": "bilingg"}]), **endings()})
    assert Problem("nodes.menu.options[0].goto", "unknown target 'bilingg'") in problems_of(data)


def test_unreachable_node() -> None:
    """A node no path from the start reaches is reported."""
    data = document({"menu": menu(), **endings(), "orphan": {"type": "hangup"}})
    assert problems_of(data) == [Problem("nodes.orphan", "unreachable from the start node 'menu'")]


def test_node_that_cannot_end() -> None:
    """Nodes from which no hangup/queue/transfer/return is reachable are reported."""
    nodes = {
        "menu": menu(options=[{"key": "1", "goto": "one"}, {"key": "2", "goto": "trap"}]),
        "trap": menu(
            prompt="p1",
            options=[{"key": "1", "goto": "trap"}],
            on_noinput="trap",
            on_nomatch="trap",
        ),
        "one": {"type": "hangup"},
        "fallback": {"type": "hangup"},
    }
    found = problems_of(document(nodes))
    assert [p.path for p in found] == ["nodes.trap"]
    assert "no way to end the call" in found[0].message


def test_infinite_loop_without_input() -> None:
    """A cycle of say/branch nodes that never asks the caller is an infinite loop."""
    nodes = {
        "menu": menu(options=[{"key": "1", "goto": "a"}, {"key": "2", "goto": "two"}]),
        "a": {"type": "say", "prompts": ["p1"], "next": "b"},
        "b": {
            "type": "branch",
            "cases": [{"when": {"var": "vars.x", "op": "exists"}, "goto": "one"}],
            "default": "a",
        },
        **endings(),
    }
    found = problems_of(document(nodes))
    assert [(p.path, p.message) for p in found] == [
        ("nodes.a", "infinite loop: a → b never asks the caller for input")
    ]


def test_loop_through_a_menu_is_fine() -> None:
    """A cycle that passes through a menu asks the caller each time: no problem."""
    nodes = {
        "menu": menu(
            options=[
                {"key": "1", "goto": "a"},
                {"key": "2", "goto": "two"},
                {"key": "3", "goto": "one"},
            ]
        ),
        "a": {"type": "say", "prompts": ["p1"], "next": "menu"},
        **endings(),
    }
    assert load_flow(document(nodes)).start == "menu"


@pytest.mark.parametrize("missing", ["on_noinput", "on_nomatch"])
def test_input_nodes_need_their_branches(missing: str) -> None:
    """Menus and inputs must say where timeouts and invalid entries go."""
    node = menu()
    del node[missing]
    found = problems_of(document({"menu": node, **endings()}))
    assert [p.path for p in found] == [f"nodes.menu.{missing}"]


def test_lookup_needs_an_error_branch() -> None:
    """A lookup without on_error is reported."""
    nodes = {"menu": {"type": "lookup", "name": "x", "next": "one"}, "one": {"type": "hangup"}}
    assert [p.path for p in problems_of(document(nodes))] == ["nodes.menu.on_error"]


def test_invalid_and_duplicate_keys() -> None:
    """Keys outside 0-9*# and repeated keys are reported at each option."""
    options = [
        {"key": "1", "goto": "one"},
        {"key": "A", "goto": "two"},
        {"key": "1", "goto": "two"},
    ]
    found = problems_of(document({"menu": menu(options=options), **endings()}))
    assert [(p.path, p.message) for p in found] == [
        ("nodes.menu.options[1].key", "invalid DTMF key 'A': use 0-9, * and #"),
        ("nodes.menu.options[2].key", "duplicate key '1' (also options[0])"),
    ]


def test_duplicate_keys_in_json_text() -> None:
    """A JSON object that repeats a key is refused, not silently collapsed."""
    with pytest.raises(DocumentError, match="duplicate key 'menu'"):
        load_flow_json('{"id": "x", "nodes": {"menu": {}, "menu": {}}}')


def test_prompt_missing_in_a_declared_language() -> None:
    """Every prompt must exist in every declared language."""
    data = document({"menu": menu(), **endings()})
    data["languages"] = ["en", "ro"]
    data["prompts"] = {"p0": {"en": "hello", "ro": "salut"}, "p1": {"en": "only english"}}
    assert problems_of(data) == [Problem("prompts.p1", "missing in language 'ro'")]


def test_unknown_prompt_and_placeholder() -> None:
    """A node naming an unknown prompt, and a placeholder outside the subjects, are reported."""
    data = document({"menu": menu(prompt="nope"), **endings()})
    data["prompts"]["p1"] = {"en": "Hello {name}"}
    assert [p.path for p in problems_of(data)] == ["nodes.menu", "prompts.p1.en"]


def test_unknown_calendar() -> None:
    """An hours node naming a calendar the host does not have is reported."""
    nodes = {
        "menu": {"type": "hours", "calendar": "support", "open": "one", "closed": "two"},
        **endings(),
    }
    nodes.pop("fallback")
    found = problems_of(document(nodes), calendars=["sales"])
    assert found == [Problem("nodes.menu", "unknown calendar 'support' (known: sales)")]


def test_subflow_recursion() -> None:
    """Flows that call each other in a circle are reported; unknown subflows too."""

    def caller(flow_id: str, callee: str) -> Any:
        nodes = {
            "menu": {"type": "subflow", "flow": callee, "next": "end"},
            "end": {"type": "return"},
        }
        return flow_from_dict(document(nodes, id=flow_id))

    other = caller("b", "a")
    found = problems_of(
        document(
            {"menu": {"type": "subflow", "flow": "b", "next": "end"}, "end": {"type": "return"}},
            id="a",
        ),
        flows=[other],
    )
    assert found == [Problem("nodes.menu", "subflow recursion: a → b → a")]
    unknown = problems_of(
        document(
            {"menu": {"type": "subflow", "flow": "zz", "next": "end"}, "end": {"type": "return"}},
            id="a",
        ),
        flows=[other],
    )
    assert unknown == [Problem("nodes.menu", "unknown subflow 'zz'")]
    self_call = problems_of(
        document(
            {"menu": {"type": "subflow", "flow": "a", "next": "end"}, "end": {"type": "return"}},
            id="a",
        )
    )
    assert self_call == [Problem("nodes.menu", "subflow recursion: a → a")]


def test_structural_and_semantic_problems_together() -> None:
    """Type errors, unknown node types and graph problems come in one report."""
    data = document({"menu": menu(timeout="ten"), "x": {"type": "teleport"}, **endings()})
    data["prompts"]["p0"] = {"en": 5}
    paths = [p.path for p in problems_of(data)]
    assert paths == ["nodes.menu.timeout", "nodes.x.type", "prompts.p0.en"]


def test_start_must_exist_and_fields_are_checked() -> None:
    """An unknown start node and unknown top-level fields are reported."""
    data = document({"menu": menu(), **endings()}, start="nowhere")
    data["colour"] = "blue"
    paths = [p.path for p in problems_of(data)]
    assert "start" in paths
    assert "colour" in paths


# --- random graphs against a brute-force reference ----------------------------


def closure(names: list[str], edges: dict[str, set[str]]) -> dict[str, set[str]]:
    """Warshall's transitive closure: reach[a] holds b when a path of >= 1 edge leads a to b."""
    reach = {a: set(edges[a]) for a in names}
    for k in names:
        for i in names:
            if k in reach[i]:
                reach[i] |= reach[k]
    return reach


@given(flow_graphs())
def test_graph_rules_match_brute_force(data: dict[str, Any]) -> None:
    """Unreachable, cannot-end and loop problems equal a Warshall-closure reference."""
    flow = flow_from_dict(copy.deepcopy(data))
    names = list(data["nodes"])
    edges = {n: {e.target for e in flow.nodes[n].targets()} for n in names}
    reach = closure(names, edges)
    terminal = {n for n in names if data["nodes"][n]["type"] == "hangup"}
    silent = [n for n in names if data["nodes"][n]["type"] in {"say", "branch"}]
    silent_reach = closure(silent, {n: edges[n] & set(silent) for n in silent})

    expected_unreachable = {n for n in names if n != flow.start and n not in reach[flow.start]}
    expected_stuck = {n for n in names if n not in terminal and not (reach[n] & terminal)}
    expected_looping = {n for n in silent if n in silent_reach[n]}

    problems = validate_flow(flow)
    unreachable = {p.path.split(".")[1] for p in problems if "unreachable" in p.message}
    stuck = {p.path.split(".")[1] for p in problems if "no way to end" in p.message}
    loop_messages = [p.message for p in problems if "infinite loop" in p.message]
    looping = {
        name
        for message in loop_messages
        for name in message.removeprefix("infinite loop: ").split(" never")[0].split(" → ")
    }
    assert unreachable == expected_unreachable
    assert stuck == expected_stuck
    assert looping == expected_looping


def test_one_bad_node_does_not_hide_the_graph_checks() -> None:
    """A node that fails to load hides no unreachable or dead-end node elsewhere (defect 9)."""
    nodes = {
        "menu": menu(options=[{"key": "1", "goto": "broken"}, {"key": "2", "goto": "two"}]),
        "broken": {"type": "say", "prompts": "p1", "next": "one"},  # prompts must be a list
        "island": {"type": "hangup"},
        "stuck": {"type": "say", "prompts": ["p1"], "next": "stuck2"},
        "stuck2": {"type": "say", "prompts": ["p1"], "next": "stuck"},
        **endings(),
    }
    nodes["menu"]["on_nomatch"] = "stuck"
    with pytest.raises(DocumentError) as caught:
        load_flow(document(nodes))
    found = {(problem.path, problem.message.split(" ")[0]) for problem in caught.value.problems}
    assert ("nodes.island", "unreachable") in found
    assert ("nodes.stuck", "no") in found
    assert ("nodes.stuck", "infinite") in found
    # what the broken node leads to ('one') counts as reached and able to end
    assert not [path for path, _ in found if path == "nodes.one"]
    assert "nodes.broken.prompts" in {path for path, _ in found}


def test_a_broken_node_may_end_the_call_and_lead_where_its_data_says() -> None:
    """Nothing is blamed on a node whose only way on is through the broken one."""
    nodes = {
        "menu": menu(options=[{"key": "1", "goto": "broken"}, {"key": "2", "goto": "two"}]),
        "broken": {"type": "hangup", "outcome": "no such outcome", "after": "one"},
        **endings(),
    }
    with pytest.raises(DocumentError) as caught:
        load_flow(document(nodes))
    assert {problem.path.split(".")[1] for problem in caught.value.problems} == {"broken"}
