from __future__ import annotations

from callcore.ivr import BUILTIN_NODE_TYPES, flow_from_dict, load_flow, to_dot, to_mermaid
from tests.ivr.flows import bank_flow, document, endings, menu


def small_flow() -> object:
    """A menu, a branch with a quoted condition, and hang-ups (one named 'end')."""
    nodes = {
        "menu": menu(options=[{"key": "1", "goto": "check"}, {"key": "2", "goto": "two"}]),
        "check": {
            "type": "branch",
            "cases": [{"when": {"var": "caller.tier", "op": "eq", "value": "gold"}, "goto": "end"}],
            "default": "one",
        },
        "end": {"type": "hangup"},
        **endings(),
    }
    return load_flow(document(nodes))


def test_mermaid() -> None:
    """Mermaid output has one shape per type and labelled, escaped edges."""
    text = to_mermaid(small_flow())  # type: ignore[arg-type]
    lines = text.splitlines()
    assert lines[0] == "flowchart TD"
    assert '    start(("start")) --> n_menu' in lines
    assert '    n_menu{{"menu<br/>menu"}}' in lines
    assert '    n_check{"check<br/>branch"}' in lines
    assert '    n_end((("end<br/>hangup")))' in lines
    assert '    n_menu -->|"1"| n_check' in lines
    assert '    n_menu -->|"noinput"| n_fallback' in lines
    assert "    n_check -->|\"caller.tier == 'gold'\"| n_end" in lines


def test_dot() -> None:
    """DOT output names shapes and labels edges."""
    text = to_dot(small_flow())  # type: ignore[arg-type]
    assert text.startswith('digraph "test" {\n')
    assert '    "menu" [shape=hexagon, label="menu\\nmenu"];' in text
    assert '    "check" [shape=diamond, label="check\\nbranch"];' in text
    assert '    "menu" -> "fallback" [label="nomatch"];' in text
    assert '    "check" -> "end" [label="caller.tier == \'gold\'"];' in text
    assert text.endswith("}\n")


def test_every_edge_of_the_bank_flow_is_drawn() -> None:
    """Each edge of a real flow appears once in each diagram."""
    flow = bank_flow()
    edges = sum(len(node.targets()) for node in flow.nodes.values())
    mermaid = to_mermaid(flow)
    assert mermaid.count(" --> ") + mermaid.count(" -->|") == edges + 1  # plus the start arrow
    assert to_dot(flow).count(" -> ") == edges + 1
    shapes = {cls.shape for cls in BUILTIN_NODE_TYPES.values()}
    assert len(shapes) >= 8


def _named(*names: str) -> object:
    """A flow whose menu leads to hang-ups with the given names."""
    options = [{"key": str(i + 1), "goto": name} for i, name in enumerate(names)]
    nodes: dict[str, object] = {
        "menu": menu(options=options, on_noinput=names[0], on_nomatch=names[0])
    }
    nodes.update({name: {"type": "hangup"} for name in names})
    return flow_from_dict(document(nodes))


def test_mermaid_ids_never_collide() -> None:
    """'x-y' and 'x_2d_y' are two Mermaid nodes, neither is the start (issue 14, defect 7)."""
    names = ("x-y", "x_2d_y", "x_y", "start", "n_x_y", "é", "_e9_")
    text = to_mermaid(_named(*names))  # type: ignore[arg-type]
    declared = [
        line.split('"')[0].rstrip("[({>/ ").strip()
        for line in text.splitlines()[2:]
        if "-->" not in line
    ]
    assert len(declared) == len(set(declared)) == len(names) + 1
    assert "start" not in declared


def test_dot_start_marker_never_merges_with_a_node() -> None:
    """A node named '__start__' stays a node: the start marker takes another id (defect 7)."""
    text = to_dot(_named("__start__", "___start___"))  # type: ignore[arg-type]
    assert '    "____start____" [shape=point, label=""];' in text
    assert '    "____start____" -> "menu";' in text
    assert '    "__start__" [shape=doublecircle, label="__start__\\nhangup"];' in text
