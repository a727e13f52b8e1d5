"""Global hot keys: '0 for an operator' and 'help' anywhere, a node's own choices first."""

from __future__ import annotations

from typing import Any

import pytest

from callcore.errors import DocumentError
from callcore.ivr import flow_from_dict, flow_to_dict, load_flow
from callcore.testing.flow_tester import FlowTester, say
from tests.ivr.flows import document, endings, menu

HOT = [
    {"key": "0", "goto": "operator"},
    {"keywords": ["help", "an agent"], "goto": "helpdesk"},
]


def hot_flow(**overrides: Any) -> dict[str, Any]:
    """A menu leading to a digit input, with the hot keys above."""
    nodes = {
        "menu": menu(options=[{"key": "1", "goto": "pin"}, {"key": "2", "goto": "two"}]),
        "pin": {
            "type": "input",
            "prompt": "p1",
            "variable": "pin",
            "min_length": 4,
            "next": "one",
            "on_noinput": "fallback",
            "on_nomatch": "fallback",
            "max_nomatch": 1,
        },
        "operator": {"type": "transfer", "destination": "+40210000000"},
        "helpdesk": {"type": "queue", "queue": "help"},
        **endings(),
    }
    for name, fields in overrides.items():
        nodes[name] = {**nodes[name], **fields}
    return document(nodes, hot_keys=HOT)


def test_hot_keys_work_at_every_asking_node() -> None:
    """'0' at the menu or at the input, 'help' spoken anywhere (VoiceXML document scope)."""
    tester = FlowTester(hot_flow())
    tester.run("0").assert_ended_at("operator")
    tester.run("1", "0#").assert_ended_at("operator")
    tester.run(say("Help!")).assert_ended_at("helpdesk")
    tester.run("1", say("I want an agent, please.")).assert_ended_at("helpdesk")


def test_a_node_s_own_choices_come_first() -> None:
    """A menu option with the hot key's key wins; a valid entry at an input is an entry."""
    options = [{"key": "1", "goto": "pin"}, {"key": "0", "goto": "two"}]
    FlowTester(hot_flow(menu={"options": options})).run("0").assert_ended_at("two")
    short_pin = FlowTester(hot_flow(pin={"min_length": 1}))
    short_pin.run("1", "0#").assert_ended_at("one").assert_variables(pin="0")


def test_a_node_may_turn_hot_keys_off() -> None:
    """hot_keys: false (a card entry) hears none: '0' is an invalid entry there."""
    tester = FlowTester(hot_flow(pin={"hot_keys": False}))
    tester.run("1", "0#").assert_ended_at("fallback")
    tester.run("0").assert_ended_at("operator")


def test_low_confidence_speech_takes_no_hot_key() -> None:
    """Speech under the node's min_confidence is a no-match, hot key or not."""
    flow = hot_flow(menu={"max_nomatch": 1})
    FlowTester(flow).run(say("help", confidence=0.2)).assert_ended_at("fallback")


def test_hot_keys_count_as_edges_and_are_checked() -> None:
    """Hot-key targets are reachable; bad keys, duplicates, empty ones and unknown targets fail."""
    load_flow(hot_flow())  # 'operator' and 'helpdesk' are reached only through hot keys
    bad = hot_flow()
    bad["hot_keys"] = [
        {"key": "0", "goto": "operator"},
        {"key": "0", "goto": "helpdesk"},
        {"key": "x", "goto": "nowhere"},
        {"goto": "operator"},
        {"keywords": ["?"], "goto": "operator"},
    ]
    with pytest.raises(DocumentError) as caught:
        load_flow(bad)
    paths = sorted(problem.path for problem in caught.value.problems)
    assert paths == [
        "hot_keys[1].key",
        "hot_keys[2].goto",
        "hot_keys[2].key",
        "hot_keys[3]",
        "hot_keys[4].keywords",
    ]


def test_hot_keys_round_trip() -> None:
    """A flow with hot keys writes out and reads back equal."""
    flow = load_flow(hot_flow())
    assert flow_from_dict(flow_to_dict(flow)) == flow
