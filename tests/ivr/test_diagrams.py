from __future__ import annotations

from callcore.ivr import BUILTIN_NODE_TYPES, load_flow, to_dot, to_mermaid
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
