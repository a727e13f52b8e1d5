"""Barge-in per prompt (VoiceXML bargein): the flow names prompts that play to the end."""

from __future__ import annotations

import pytest

from callcore.errors import DocumentError
from callcore.ivr import Gather, Play, flow_from_dict, flow_to_dict, load_flow
from callcore.serialization import to_dict
from callcore.testing.flow_tester import run_flow
from tests.ivr.flows import document, endings, menu


def flow_with(no_barge_in: list[str]) -> dict[str, object]:
    """A menu whose prompt p0 follows a say node playing p1 and p2 ({vars.x} in p2)."""
    nodes = {
        "intro": {"type": "say", "prompts": ["p1", "p2"], "next": "menu"},
        "menu": menu(nomatch_prompts=[{"count": 1, "prompt": "p3"}]),
        **endings(),
    }
    data = document(nodes, start="intro", no_barge_in=no_barge_in)
    data["prompts"]["p2"] = {"en": "Price {vars.x}."}
    return data


def test_prompts_may_be_interrupted_by_default() -> None:
    """VoiceXML's bargein defaults to true: every Play allows barge-in."""
    run = run_flow(flow_with([]), "9")
    plays = [a for a in run.actions if isinstance(a, Play)]
    plays += [p for a in run.actions if isinstance(a, Gather) for p in a.prompts]
    assert plays
    assert all(play.barge_in for play in plays)


def test_listed_prompts_play_to_the_end() -> None:
    """Prompts in no_barge_in (static, rendered, or in a gather) say barge_in false."""
    run = run_flow(flow_with(["p2", "p0"]), "9", variables={"x": 3})
    said = {a.prompt: a.barge_in for a in run.actions if isinstance(a, Play)}
    assert said == {"p1": True, "p2": False}
    asked = [
        (p.prompt, p.barge_in) for a in run.actions if isinstance(a, Gather) for p in a.prompts
    ]
    assert asked == [("p0", False), ("p3", True), ("p0", False)]
    assert to_dict(run.actions[1])["barge_in"] is False


def test_no_barge_in_names_known_prompts_and_round_trips() -> None:
    """An unknown prompt id is a problem at its index; the field writes out and reads back."""
    with pytest.raises(DocumentError, match=r"no_barge_in\[1\]: unknown prompt 'nope'"):
        load_flow(flow_with(["p0", "nope"]))
    flow = load_flow(flow_with(["p0"]))
    assert flow_from_dict(flow_to_dict(flow)) == flow
