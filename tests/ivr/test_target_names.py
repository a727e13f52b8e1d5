"""Node.target_names: the validator's fast path agrees with Node.targets."""

from __future__ import annotations

from hypothesis import given

from callcore.ivr import Flow, flow_from_dict, no_input_loops
from tests.ivr.flows import bank_flow
from tests.ivr.strategies import flow_graphs


def _assert_names_match(flow: Flow) -> None:
    for name, node in flow.nodes.items():
        assert node.target_names() == [edge.target for edge in node.targets()], name


def test_bank_flow_target_names_match_edges() -> None:
    """Every node type of the example bank flow lists the same targets both ways."""
    flow = bank_flow()
    assert len({type(node) for node in flow.nodes.values()}) >= 10
    _assert_names_match(flow)


@given(flow_graphs())
def test_generated_flow_target_names_match_edges(document: dict[str, object]) -> None:
    """Generated flows list the same targets both ways."""
    _assert_names_match(flow_from_dict(document))


def test_silent_loop_behind_a_chain_is_found() -> None:
    """Peeling nodes that cannot reach a loop keeps the loop itself (hand-built graph)."""
    flow = flow_from_dict(
        {
            "id": "f",
            "start": "a",
            "languages": ["en"],
            "prompts": {"p": {"en": "x"}},
            "nodes": {
                "a": {"type": "say", "prompts": ["p"], "next": "b"},
                "b": {"type": "say", "prompts": ["p"], "next": "c"},
                "c": {"type": "say", "prompts": ["p"], "next": "d"},
                "d": {"type": "say", "prompts": ["p"], "next": "b"},
                "e": {"type": "say", "prompts": ["p"], "next": "f"},
                "f": {"type": "hangup"},
            },
        }
    )
    assert no_input_loops(flow.nodes) == [["b", "c", "d"]]
