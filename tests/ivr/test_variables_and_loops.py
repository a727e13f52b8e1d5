"""Set-variables and loop nodes, and the validator's warnings with codes and severities."""

from __future__ import annotations

from typing import Any

import pytest

from callcore.errors import DocumentError
from callcore.ivr import Finding, Severity, flow_from_dict, lint_flow, load_flow, validate_flow
from callcore.testing.flow_tester import FlowTester, run_flow, silence
from tests.ivr.flows import document, endings, menu


def test_set_variables_tags_the_call_and_reaches_the_queue() -> None:
    """Fixed values and typed copies become variables the queue hand-off carries."""
    nodes = {
        "tag": {
            "type": "set",
            "values": {"intent": "billing", "tries": 0, "tags": ["a"]},
            "copy": {"tier": "caller.tier", "ani": "call.ani", "nothing": "vars.missing"},
            "next": "agent",
        },
        "agent": {"type": "queue", "queue": "billing"},
    }
    run = FlowTester(document(nodes, start="tag")).run(
        caller={"tier": "gold"}, call={"ani": "+40700000000"}
    )
    expected = {
        "intent": "billing",
        "tries": 0,
        "tags": ["a"],
        "tier": "gold",
        "ani": "+40700000000",
        "nothing": None,
    }
    run.assert_variables(**expected)
    enqueue = run.assert_action("enqueue_contact")
    assert dict(enqueue.variables) == expected  # type: ignore[union-attr]


def test_set_variables_checks_its_fields() -> None:
    """Nothing to set, a bad name or a bad subject is a problem at its path."""
    nodes: dict[str, Any] = {
        "empty": {"type": "set", "next": "bad"},
        "bad": {"type": "set", "values": {"2x": 1}, "copy": {"y": "nowhere"}, "next": "one"},
        "one": {"type": "hangup"},
    }
    with pytest.raises(DocumentError) as caught:
        load_flow(document(nodes, start="empty"))
    paths = sorted(problem.path for problem in caught.value.problems)
    assert paths == ["nodes.bad.copy.y", "nodes.bad.values.2x", "nodes.empty.values"]


@pytest.mark.parametrize("count", [1, 2, 5])
def test_loop_takes_next_count_times_then_done(count: int) -> None:
    """Connect Loop: 'looping' count times, then 'complete' (the count then starts afresh)."""
    nodes = {
        "turn": {"type": "loop", "count": count, "next": "say", "done": "one"},
        "say": {"type": "say", "prompts": ["p1"], "next": "turn"},
        "one": {"type": "hangup"},
    }
    run = run_flow(document(nodes, start="turn"))
    assert run.path == ("turn", *(["say", "turn"] * count), "one")
    assert "turn_count" not in run.variables


def test_loop_counter_survives_a_wait_and_can_be_named() -> None:
    """A loop around a menu counts in its variable across events; 'no' ends it after 2."""
    nodes = {
        "turn": {"type": "loop", "count": 2, "next": "menu", "done": "one", "counter": "tries"},
        "menu": menu(options=[{"key": "1", "goto": "two"}], on_noinput="turn", max_noinput=1),
        **endings(),
    }
    nodes["menu"]["on_nomatch"] = "fallback"
    run = run_flow(document(nodes, start="turn"), silence())
    run.assert_variables(tries=2).assert_outcome(None)
    run = run_flow(document(nodes, start="turn"), silence(), silence())
    run.assert_ended_at("one").assert_variables()


@pytest.mark.parametrize("count", [0, 1001, "3"])
def test_loop_count_is_bounded(count: object) -> None:
    """A loop counts 1 to 1000 turns."""
    nodes = {"turn": {"type": "loop", "count": count, "next": "turn", "done": "one"}, **endings()}
    with pytest.raises(DocumentError, match="count"):
        load_flow(document(nodes, start="turn"))


def test_a_cycle_through_a_loop_node_is_no_infinite_loop() -> None:
    """Silent nodes cycling through a loop node end by themselves: no error, no warning."""
    nodes = {
        "turn": {"type": "loop", "count": 3, "next": "say", "done": "one"},
        "say": {"type": "say", "prompts": ["p1"], "next": "turn"},
        **endings(),
    }
    nodes.pop("two")
    nodes.pop("fallback")
    flow = load_flow(document(nodes, start="turn"))
    assert lint_flow(flow) == []


def test_unbounded_noinput_self_loop_is_a_warning() -> None:
    """A menu whose on_noinput returns to itself loops a silent line for the whole call."""
    nodes = {"menu": menu(on_noinput="menu"), **endings()}
    flow = load_flow(document(nodes))  # loads: a warning is no error
    assert validate_flow(flow) == []
    (finding,) = lint_flow(flow)
    assert (finding.code, finding.severity, finding.path) == (
        "unbounded-noinput-loop",
        Severity.WARNING,
        "nodes.menu",
    )
    via_say = {"menu": menu(on_noinput="sorry"), **endings()}
    via_say["sorry"] = {"type": "say", "prompts": ["p1"], "next": "menu"}
    assert [f.code for f in lint_flow(load_flow(document(via_say)))] == ["unbounded-noinput-loop"]
    bounded = {
        "menu": menu(on_noinput="turn"),
        "turn": {"type": "loop", "count": 2, "next": "menu", "done": "fallback"},
        **endings(),
    }
    assert lint_flow(load_flow(document(bounded))) == []


def test_other_warnings_have_codes() -> None:
    """An escalating prompt beyond the retries, and a callback without on_error."""
    nodes = {
        "menu": menu(
            options=[{"key": "1", "goto": "cb"}, {"key": "2", "goto": "two"}],
            max_nomatch=2,
            nomatch_prompts=[{"count": 1, "prompt": "p1"}, {"count": 2, "prompt": "p2"}],
        ),
        "cb": {"type": "callback", "queue": "q", "next": "one"},
        **endings(),
    }
    found = lint_flow(load_flow(document(nodes)))
    assert found == [
        Finding.warning("callback-without-on-error", "nodes.cb.on_error", found[0].message),
        Finding.warning(
            "unreached-escalation", "nodes.menu.nomatch_prompts[1].count", found[1].message
        ),
    ]


def test_errors_have_codes_too() -> None:
    """lint_flow reports the errors of validate_flow with a code and the error severity."""
    nodes = {"menu": menu(), **endings(), "island": {"type": "hangup"}}
    flow = load_flow(document({"menu": menu(), **endings()}))
    assert lint_flow(flow) == []
    broken = flow_from_dict(document(nodes))
    (finding,) = lint_flow(broken)
    assert (finding.code, finding.severity) == ("unreachable", Severity.ERROR)
    assert [finding.problem] == validate_flow(broken)
