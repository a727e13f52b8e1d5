from __future__ import annotations

from datetime import timedelta

import pytest

from callcore.errors import DocumentError
from callcore.ivr import EscalatingPrompt, Gather, InputMode, choose_escalating, load_flow
from callcore.testing.flow_tester import FlowTester, run_flow, say, silence
from tests.ivr.flows import document, endings, menu


def test_freeswitch_defaults_when_unset() -> None:
    """An unconfigured menu waits 10 s, 5 s between keys, and gives up after 3 tries."""
    run = run_flow(document({"menu": menu(), **endings()}))
    gather = run.actions[0]
    assert isinstance(gather, Gather)
    assert gather.timeout == timedelta(seconds=10)
    assert gather.inter_digit_timeout == timedelta(seconds=5)
    assert gather.max_digits == 1
    assert gather.modes == (InputMode.DTMF,)
    tester = FlowTester(document({"menu": menu(), **endings()}))
    tester.run(silence(), silence()).assert_outcome(None)
    tester.run(silence(), silence(), silence()).assert_ended_at("fallback")
    tester.run("9", "9").assert_outcome(None)
    tester.run("9", "9", "9").assert_ended_at("fallback")


def test_choice_by_key_and_by_speech() -> None:
    """A key or a keyword (case and spacing ignored) chooses an option."""
    options = [
        {"key": "1", "goto": "one", "keywords": ["Account Balance"]},
        {"key": "2", "goto": "two", "keywords": ["card"]},
    ]
    tester = FlowTester(document({"menu": menu(options=options), **endings()}))
    tester.run("2").assert_path("menu", "two").assert_ended_at("two")
    tester.run(say("my  account balance please")).assert_ended_at("one")
    tester.run(say("card", confidence=0.3), say("card", 0.8)).assert_ended_at("two")
    gather = tester.run().actions[0]
    assert isinstance(gather, Gather)
    assert gather.modes == (InputMode.DTMF, InputMode.SPEECH)
    assert gather.hints == ("Account Balance", "card")


def test_noinput_and_nomatch_counted_separately() -> None:
    """FreeSWITCH counts timeouts and failures apart: 2 + 2 mistakes still ask again."""
    tester = FlowTester(document({"menu": menu(), **endings()}))
    run = tester.run(silence(), "7", silence(), "8")
    run.assert_outcome(None)
    run = tester.run(silence(), "7", silence(), "8", "1")
    run.assert_ended_at("one")


def test_counters_reset_on_reentry() -> None:
    """VoiceXML resets counters when a form item is entered again."""
    nodes = {
        "menu": menu(
            options=[{"key": "1", "goto": "one"}, {"key": "2", "goto": "back"}], max_nomatch=2
        ),
        "back": {"type": "say", "prompts": ["p3"], "next": "menu"},
        **endings(),
    }
    nodes.pop("two")
    run = run_flow(document(nodes), "9", "2", "9", "1")
    run.assert_ended_at("one").assert_path("menu", "back", "menu", "one")


@pytest.mark.parametrize(
    ("counter", "expected"),
    [(1, "c1"), (2, "c1"), (3, "c3"), (4, "c3"), (9, "c3")],
)
def test_voicexml_count_rule(counter: int, expected: str) -> None:
    """The prompt with the highest count not above the counter is chosen."""
    prompts = (EscalatingPrompt(3, "c3"), EscalatingPrompt(1, "c1"))
    assert choose_escalating(prompts, counter) == expected


def test_escalating_prompts_play_in_order() -> None:
    """Each retry plays the escalated prompt, then the menu prompt again."""
    node = menu(
        nomatch_prompts=[{"count": 1, "prompt": "p1"}, {"count": 2, "prompt": "p2"}],
        noinput_prompts=[{"count": 2, "prompt": "p4"}],
        max_nomatch=4,
        max_noinput=4,
    )
    run = run_flow(document({"menu": node, **endings()}), "9", "9", "9", silence(), silence())
    prompts = [[p.prompt for p in g.prompts] for g in run.actions if isinstance(g, Gather)]
    assert prompts == [["p0"], ["p1", "p0"], ["p2", "p0"], ["p2", "p0"], ["p0"], ["p4", "p0"]]


def test_long_greeting_on_every_entry_short_on_retries() -> None:
    """FreeSWITCH: greet-long on every entry (also back from a sub-menu), greet-short on retries."""
    nodes = {
        "menu": menu(
            repeat_prompt="p5", options=[{"key": "1", "goto": "one"}, {"key": "2", "goto": "again"}]
        ),
        "again": {"type": "say", "prompts": ["p3"], "next": "menu"},
        **endings(),
    }
    nodes.pop("two")
    run = run_flow(document(nodes), "2", "7")
    firsts = [g.prompts[-1].prompt for g in run.actions if isinstance(g, Gather)]
    assert firsts == ["p0", "p0", "p5"]


def test_exit_prompt_then_failure_branch() -> None:
    """After the last failure the exit prompt plays and the call takes the branch."""
    flow = load_flow(document({"menu": menu(exit_prompt="p9", max_nomatch=1), **endings()}))
    run = run_flow(flow, "5")
    run.assert_played("p0", "p9").assert_path("menu", "fallback")


def test_multi_digit_keys() -> None:
    """Keys longer than one digit set the gather's max digits."""
    node = menu(options=[{"key": "11", "goto": "one"}, {"key": "2", "goto": "two"}])
    run = run_flow(document({"menu": node, **endings()}), "11")
    gather = run.actions[0]
    assert isinstance(gather, Gather)
    assert gather.max_digits == 2
    run.assert_ended_at("one")


@pytest.mark.parametrize(
    ("heard", "expected"),
    [
        ("Card.", "two"),
        ("My balance, please?", "one"),
        ("CARD!", "two"),
        ("balance-card", "one"),  # the first option whose keyword occurs wins
        ("cardboard", "fallback"),  # whole words only
        ("my bal ance", "fallback"),
    ],
)
def test_keywords_match_whole_words_ignoring_punctuation(heard: str, expected: str) -> None:
    """Recognisers punctuate: 'Card.' chooses the keyword 'card' (issue 14, defect 1)."""
    options = [
        {"key": "1", "goto": "one", "keywords": ["balance"]},
        {"key": "2", "goto": "two", "keywords": ["card"]},
    ]
    flow = document({"menu": menu(options=options, max_nomatch=1), **endings()})
    run_flow(flow, say(heard, 0.9)).assert_ended_at(expected)


def test_keyword_duplicates_are_found_after_punctuation_is_dropped() -> None:
    """'Card.' and 'card' are one keyword: two options cannot share it; a keyword needs words."""
    options = [
        {"key": "1", "goto": "one", "keywords": ["Card."]},
        {"key": "2", "goto": "two", "keywords": ["card", "?!"]},
    ]
    with pytest.raises(DocumentError) as caught:
        load_flow(document({"menu": menu(options=options), **endings()}))
    messages = [problem.message for problem in caught.value.problems]
    assert any("also chooses options[0]" in message for message in messages)
    assert any("has no words" in message for message in messages)


def test_multi_digit_menu_finishes_on_hash() -> None:
    """Options 1, 12, 305: the gather ends on '#', and '1#' chooses 1 (issue 14, defect 3)."""
    options = [
        {"key": "1", "goto": "one"},
        {"key": "12", "goto": "two"},
        {"key": "305", "goto": "two"},
    ]
    flow = document({"menu": menu(options=options), **endings()})
    run = run_flow(flow, "1#")
    gather = run.actions[0]
    assert isinstance(gather, Gather)
    assert (gather.finish_on_key, gather.max_digits) == ("#", 3)
    run.assert_ended_at("one")
    run_flow(flow, "305#").assert_ended_at("two")
    run_flow(flow, "305").assert_ended_at("two")  # max digits reached: no key needed
    # '#' alone is no entry at all: a no-input, as at an input node
    run_flow(flow, "#", silence(), silence()).assert_ended_at("fallback")
    assert run_flow(flow, "#").session.state.trace[-1].next == "wait"


def test_single_digit_menu_and_hash_options_have_no_finish_key() -> None:
    """A one-key menu needs no terminator; a menu with a '#' option cannot use it."""
    single = run_flow(document({"menu": menu(), **endings()})).actions[0]
    hash_key = menu(options=[{"key": "12", "goto": "one"}, {"key": "#", "goto": "two"}])
    with_hash = run_flow(document({"menu": hash_key, **endings()}), "#")
    assert isinstance(single, Gather)
    assert single.finish_on_key == ""
    gather = with_hash.actions[0]
    assert isinstance(gather, Gather)
    assert gather.finish_on_key == ""
    with_hash.assert_ended_at("two")


def test_finish_on_key_is_checked() -> None:
    """An explicit finish key must be '#', '*' or '', and no option key may hold it."""
    bad = menu(finish_on_key="5")
    clash = menu(finish_on_key="*", options=[{"key": "1*", "goto": "one"}])
    for node in (bad, clash):
        with pytest.raises(DocumentError, match="finish"):
            load_flow(document({"menu": node, **endings()}))
    star = menu(
        finish_on_key="*", options=[{"key": "11", "goto": "one"}, {"key": "2", "goto": "two"}]
    )
    run_flow(document({"menu": star, **endings()}), "11*").assert_ended_at("one")


@pytest.mark.parametrize("heard", ["", "   ", "..."])
def test_empty_speech_at_a_menu_is_no_input(heard: str) -> None:
    """Speech('') counts as no-input, not no-match (issue 14, defect 6; VoiceXML)."""
    options = [{"key": "1", "goto": "one", "keywords": ["sales"]}]
    node = menu(options=options, max_noinput=1, on_noinput="two", max_nomatch=1)
    run_flow(document({"menu": node, **endings()}), say(heard)).assert_ended_at("two")


def test_max_noinput_defaults_to_max_nomatch() -> None:
    """FreeSWITCH sets max-timeouts to max-failures when unset (issue 14, defect 8)."""
    flow = document({"menu": menu(max_nomatch=1, on_noinput="two"), **endings()})
    run_flow(flow, silence()).assert_ended_at("two")
    flow = document({"menu": menu(max_nomatch=1, max_noinput=2, on_noinput="two"), **endings()})
    run_flow(flow, silence()).assert_outcome(None)
