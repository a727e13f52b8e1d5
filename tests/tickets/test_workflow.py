"""Workflows as data: the default workflow, validation of documents, Mermaid export."""

from __future__ import annotations

import re
from typing import Any

import pytest

from callcore.errors import DocumentError, Problem
from callcore.serialization import to_dict
from callcore.tickets import (
    DEFAULT_WORKFLOW,
    StateCategory,
    load_workflow,
    validate_workflow,
    workflow_to_mermaid,
)


def small_document() -> dict[str, Any]:
    """A valid three-state workflow document."""
    return {
        "name": "simple",
        "initial": "todo",
        "states": [
            {"name": "todo", "category": "new"},
            {"name": "doing", "category": "open"},
            {"name": "done", "category": "closed"},
        ],
        "transitions": [
            {"name": "start", "sources": ["todo"], "target": "doing"},
            {"name": "finish", "sources": ["todo", "doing"], "target": "done"},
        ],
        "auto_close_after": None,
    }


def test_the_default_workflow_is_sound() -> None:
    """The default workflow has the mission's statuses and no problems."""
    assert validate_workflow(DEFAULT_WORKFLOW) == []
    names = [state.name for state in DEFAULT_WORKFLOW.states]
    assert names == [
        "new", "open", "pending", "on_hold", "needs_follow_up", "resolved", "closed"
    ]  # fmt: skip
    assert DEFAULT_WORKFLOW.has_transition("reopen")
    assert DEFAULT_WORKFLOW.state("pending").pauses_sla


def test_a_document_loads_into_a_workflow() -> None:
    """A valid document gives a workflow whose transitions can be looked up."""
    workflow = load_workflow(small_document())
    assert workflow.transition("doing", "finish") is not None
    assert workflow.transition("done", "finish") is None
    assert workflow.available("todo") == ("start", "finish")
    assert workflow.state("done").category is StateCategory.CLOSED


def test_the_default_workflow_round_trips_as_a_document() -> None:
    """to_dict then load_workflow gives back an equal workflow."""
    assert load_workflow(to_dict(DEFAULT_WORKFLOW)) == DEFAULT_WORKFLOW


def test_every_semantic_problem_is_reported_at_once() -> None:
    """Unknown, unreachable and dead-end states and duplicate names are all listed."""
    document = small_document()
    document["states"].append({"name": "limbo", "category": "open"})  # unreachable, dead end
    document["states"].append({"name": "doing", "category": "open"})  # duplicate
    document["transitions"].append({"name": "start", "sources": ["todo"], "target": "dnoe"})
    with pytest.raises(DocumentError) as caught:
        load_workflow(document)
    assert set(caught.value.problems) == {
        Problem("states[3]", "state 'limbo' cannot be reached from 'todo'"),
        Problem("states[3]", "no path from 'limbo' to a closed state"),
        Problem("states[4].name", "duplicate state name 'doing'"),
        Problem("transitions[2].name", "duplicate transition name 'start'"),
        Problem("transitions[2].target", "unknown state 'dnoe'"),
    }
    assert "ticket workflow 'simple' has 5 problems" in str(caught.value)


def test_no_closed_state_is_a_problem() -> None:
    """A workflow must have a closed state to reach."""
    document = small_document()
    document["states"][2]["category"] = "resolved"
    with pytest.raises(DocumentError) as caught:
        load_workflow(document)
    assert Problem("states", "no state has the category 'closed'") in caught.value.problems


def test_structural_problems_name_their_paths() -> None:
    """Wrong types and unknown keys are reported with their paths."""
    document = small_document()
    document["states"][1]["category"] = "opne"
    document["transitions"][0]["guards"] = [{"kind": "role"}]
    document["transitions"][1]["colour"] = "red"
    with pytest.raises(DocumentError) as caught:
        load_workflow(document)
    paths = {problem.path for problem in caught.value.problems}
    assert {"states[1].category", "transitions[1]"} <= paths


def test_guard_and_auto_close_parameters_are_checked() -> None:
    """A role guard without roles and an auto-close that does not close are problems."""
    document = small_document()
    document["transitions"][0]["guards"] = [{"kind": "role"}]
    document["auto_close_after"] = 3600
    document["auto_close_transition"] = "start"
    with pytest.raises(DocumentError) as caught:
        load_workflow(document)
    assert set(caught.value.problems) == {
        Problem("transitions[0].guards[0].roles", "a 'role' guard needs at least one role"),
        Problem("auto_close_transition", "'start' leads to 'doing', which is not a closed state"),
    }


def test_two_reply_transitions_from_one_state_are_a_problem() -> None:
    """A customer reply must have one meaning in each state."""
    document = small_document()
    for transition in document["transitions"]:
        transition["on_customer_reply"] = True
    with pytest.raises(DocumentError) as caught:
        load_workflow(document)
    (problem,) = caught.value.problems
    assert problem.path == "transitions[1].on_customer_reply"


def test_mermaid_draws_one_arrow_per_source() -> None:
    """The diagram has the start mark, one arrow per (source, transition) and end marks."""
    text = workflow_to_mermaid(DEFAULT_WORKFLOW)
    assert text.startswith("stateDiagram-v2\n    [*] --> new\n")
    arrows = re.findall(r"^    (\w+) --> (\w+) : (\w+)", text, flags=re.MULTILINE)
    expected = {
        (source, move.target, move.name)
        for move in DEFAULT_WORKFLOW.transitions
        for source in move.sources
    }
    assert set(arrows) == expected
    assert len(arrows) == sum(len(move.sources) for move in DEFAULT_WORKFLOW.transitions)
    assert "    closed --> [*]" in text
    assert "resolved : resolve [guarded]" in text
