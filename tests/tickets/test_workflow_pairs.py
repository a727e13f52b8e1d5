"""Issue 10, point 8: a structural mistake never hides an unrelated semantic one.

Each test builds a workflow document with two unrelated problems, one that
makes a part unreadable (a wrong type, an unknown field or value) and one that
is only visible once the whole workflow is read (an unknown state, a duplicate
name, an unreachable state...), and checks that load_workflow reports both.
"""

from __future__ import annotations

import copy
import itertools
from collections.abc import Callable
from typing import Any

import attrs
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from callcore.errors import DocumentError
from callcore.serialization import to_dict
from callcore.tickets import DEFAULT_WORKFLOW, load_workflow

Document = dict[str, Any]
# transitions of the default workflow: open, wait_on_customer, customer_replied, hold,
# need_follow_up, resolve, reopen, close; states: new, open, pending, on_hold,
# needs_follow_up, resolved, closed


@attrs.frozen
class Mistake:
    """One change to the default workflow's document and the problem it must cause."""

    name: str
    change: Callable[[Document, int], None]
    path: Callable[[int], str]
    message: str
    touches: Callable[[int], frozenset[str]]
    """The parts of the document it changes or depends on (two mistakes that touch
    the same part are related, and not paired)."""
    places: range = range(1)


def _set(*keys: str | int, value: object) -> Callable[[Document, int], None]:
    """Set the value at a path whose ``-1`` items are replaced by the place drawn."""

    def change(document: Document, place: int) -> None:
        target: Any = document
        path = [place if key == -1 else key for key in keys]
        for key in path[:-1]:
            target = target[key]
        target[path[-1]] = value

    return change


def _fixed(*parts: str) -> Callable[[int], frozenset[str]]:
    return lambda _: frozenset(parts)


STATES = range(7)
TRANSITIONS = range(8)

STRUCTURAL = [
    Mistake("label is a number", _set("states", -1, "label", value=5),
            lambda i: f"states[{i}].label", "string", lambda i: frozenset({f"s{i}"}), STATES),
    Mistake("pauses_sla is a string", _set("states", -1, "pauses_sla", value="yes"),
            lambda i: f"states[{i}].pauses_sla", "true or false",
            lambda i: frozenset({f"s{i}"}), STATES),
    Mistake("unknown state field", _set("states", -1, "colour", value="red"),
            lambda i: f"states[{i}]", "unknown field", lambda i: frozenset({f"s{i}"}), STATES),
    Mistake("misspelt category", _set("states", -1, "category", value="opne"),
            lambda i: f"states[{i}].category", "opne",
            lambda i: frozenset({f"s{i}", "categories"}), STATES),
    Mistake("on_customer_reply is a string",
            _set("transitions", -1, "on_customer_reply", value="no"),
            lambda j: f"transitions[{j}].on_customer_reply", "true or false",
            lambda j: frozenset({f"t{j}"}), TRANSITIONS),
    Mistake("guards is a string", _set("transitions", -1, "guards", value="note_required"),
            lambda j: f"transitions[{j}].guards", "expected a list",
            lambda j: frozenset({f"t{j}"}), TRANSITIONS),
    Mistake("unknown guard kind", _set("transitions", -1, "guards", value=[{"kind": "nope"}]),
            lambda j: f"transitions[{j}].guards[0].kind", "nope",
            lambda j: frozenset({f"t{j}"}), TRANSITIONS),
    Mistake("unknown channel",
            _set("transitions", -1, "actions", value=[{"kind": "notify", "channel": "pigeon"}]),
            lambda j: f"transitions[{j}].actions[0].channel", "pigeon",
            lambda j: frozenset({f"t{j}"}), TRANSITIONS),
    Mistake("action is a string", _set("transitions", 7, "actions", value=["send_survey"]),
            lambda _: "transitions[7].actions[0]", "mapping", _fixed("t7")),
    Mistake("unknown transition field", _set("transitions", -1, "colour", value="red"),
            lambda j: f"transitions[{j}]", "unknown field",
            lambda j: frozenset({f"t{j}"}), TRANSITIONS),
    Mistake("unknown top-level field", _set("colour", value="red"),
            lambda _: "", "unknown field", _fixed("top")),
    Mistake("auto_close_after is a string", _set("auto_close_after", value="4 days"),
            lambda _: "auto_close_after", "seconds", _fixed("auto_close")),
]  # fmt: skip


def _append_state(name: str, category: str) -> Callable[[Document, int], None]:
    def change(document: Document, _: int) -> None:
        document["states"].append({"name": name, "category": category})

    return change


SEMANTIC = [
    Mistake("unreachable state", _append_state("limbo", "open"), lambda _: "states[7]",
            "cannot be reached", _fixed()),
    Mistake("duplicate state", _append_state("open", "open"), lambda _: "states[7].name",
            "duplicate state name 'open'", _fixed("s1")),
    Mistake("unknown target", _set("transitions", 0, "target", value="opne"),
            lambda _: "transitions[0].target", "unknown state 'opne'", _fixed("t0")),
    Mistake("unknown source", _set("transitions", 1, "sources", value=["new", "nowhere"]),
            lambda _: "transitions[1].sources[1]", "unknown state 'nowhere'", _fixed("t1")),
    Mistake("duplicate transition", _set("transitions", 2, "name", value="open"),
            lambda _: "transitions[2].name", "duplicate transition name", _fixed("t0", "t2")),
    Mistake("role guard without roles", _set("transitions", 3, "guards", value=[{"kind": "role"}]),
            lambda _: "transitions[3].guards[0].roles", "at least one role", _fixed("t3")),
    Mistake("follow-up after zero", _set("transitions", 4, "actions", 0, "after", value=0),
            lambda _: "transitions[4].actions[0].after", "must be positive", _fixed("t4")),
    Mistake("two reply transitions", _set("transitions", 0, "on_customer_reply", value=True),
            lambda _: "transitions[2].on_customer_reply", "already reopens", _fixed("t0", "t2")),
    Mistake("auto-close does not close", _set("auto_close_transition", value="hold"),
            lambda _: "auto_close_transition", "not a closed state",
            _fixed("auto_close", "t3", "s3")),
    Mistake("unknown initial state", _set("initial", value="neu"),
            lambda _: "initial", "unknown state 'neu'", _fixed("top")),
]  # fmt: skip


def _document() -> Document:
    document: Document = to_dict(DEFAULT_WORKFLOW)
    return copy.deepcopy(document)


def _check_pair(structural: Mistake, place: int, semantic: Mistake) -> None:
    document = _document()
    semantic.change(document, 0)
    structural.change(document, place)
    with pytest.raises(DocumentError) as caught:
        load_workflow(document)
    found = {(problem.path, problem.message) for problem in caught.value.problems}
    for mistake, at in ((structural, place), (semantic, 0)):
        assert any(
            path == mistake.path(at) and mistake.message in message for path, message in found
        ), f"{mistake.name} at {mistake.path(at)} not reported among {sorted(found)}"


def _unrelated(structural: Mistake, place: int, semantic: Mistake) -> bool:
    return not structural.touches(place) & semantic.touches(0)


PAIRS = [
    (structural, place, semantic)
    for structural, semantic in itertools.product(STRUCTURAL, SEMANTIC)
    for place in structural.places
    if _unrelated(structural, place, semantic)
]


def test_each_mistake_alone_is_reported() -> None:
    """Every mistake of the lists is reported on its own (so the pairs test means something)."""
    for mistake in (*STRUCTURAL, *SEMANTIC):
        for place in mistake.places:
            document = _document()
            mistake.change(document, place)
            with pytest.raises(DocumentError) as caught:
                load_workflow(document)
            paths = [problem.path for problem in caught.value.problems]
            assert mistake.path(place) in paths, mistake.name


@pytest.mark.parametrize(
    ("structural", "place", "semantic"),
    PAIRS,
    ids=[f"{s.name}@{place}+{m.name}" for s, place, m in PAIRS],
)
def test_every_pair_of_unrelated_problems_is_reported(
    structural: Mistake, place: int, semantic: Mistake
) -> None:
    """Every (structural, semantic) pair of the lists, at every place: both are reported."""
    _check_pair(structural, place, semantic)


@given(
    structural=st.sampled_from(STRUCTURAL),
    place=st.integers(0, 7),
    semantic=st.sampled_from(SEMANTIC),
)
def test_generated_pairs_of_unrelated_problems_are_both_reported(
    structural: Mistake, place: int, semantic: Mistake
) -> None:
    """A structural and an unrelated semantic mistake, drawn at random: both are reported."""
    assume(place in structural.places and _unrelated(structural, place, semantic))
    _check_pair(structural, place, semantic)
