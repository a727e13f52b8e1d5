from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from callcore.errors import DocumentError
from callcore.ivr import Digits, Gather, IvrSession, load_flow, luhn_valid
from callcore.ivr._nodes import luhn_valid_each
from callcore.testing.flow_tester import FlowTester, say, silence
from tests.ivr.flows import document


def input_flow(**fields: Any) -> dict[str, Any]:
    """A flow with one input node storing into 'value', then hanging up."""
    node = {
        "type": "input",
        "prompt": "p0",
        "variable": "value",
        "next": "done",
        "on_noinput": "timeout",
        "on_nomatch": "invalid",
        **fields,
    }
    return document(
        {
            "menu": node,
            "done": {"type": "hangup", "reason": "done"},
            "timeout": {"type": "hangup", "reason": "timeout"},
            "invalid": {"type": "hangup", "reason": "invalid"},
        }
    )


@pytest.mark.parametrize(
    ("number", "valid"),
    [
        ("79927398713", True),  # the worked example of the Luhn algorithm
        ("79927398710", False),
        ("4111111111111111", True),  # a published Visa test number
        ("4111111111111112", False),
        ("5500000000000004", True),  # a published Mastercard test number
        ("0", False),
    ],
)
def test_luhn(number: str, valid: bool) -> None:
    """The Luhn check agrees with published valid and invalid numbers."""
    assert luhn_valid(number) is valid


@given(
    st.text(alphabet="0123456789", max_size=24)
    | st.text(alphabet=st.characters(categories=["Nd"]), max_size=24)
    | st.text(alphabet="0123456789 #-a", max_size=24)
)
def test_luhn_fast_path_follows_the_digit_walk(digits: str) -> None:
    """luhn_valid's fast path (ASCII digits summed through a table) equals the digit walk."""
    assert luhn_valid(digits) is luhn_valid_each(digits)


class _OtherDigits(Digits):
    """A Digits subclass: an input node reads it through ``_entry``, not the fast path."""


@given(
    st.builds(
        str.__add__,
        st.text(alphabet="0123456789", max_size=7),
        st.sampled_from(["", "#", "*", "##", "#1"]),
    ),
    st.sampled_from([{}, {"terminator": ""}, {"terminator": "*"}, {"kind": "luhn"}]),
)
def test_plain_digits_fast_path_follows_entry(entered: str, fields: dict[str, Any]) -> None:
    """A plain Digits entry (read inline) goes where _entry's reading of the same keys goes."""
    flow = load_flow(input_flow(min_length=2, max_length=6, **fields))
    now = datetime(2026, 1, 5, 10, tzinfo=timezone.utc)
    seen = []
    for event in (Digits(entered), _OtherDigits(entered)):
        session = IvrSession(flow)
        session.start(now=now)
        update = session.handle(event, now=now)
        seen.append((update.actions, session.state.variables, session.state.trace))
    assert seen[0] == seen[1]


def test_twilio_defaults() -> None:
    """Unset timeouts follow Twilio's Gather: 5 s, '#' finishes, never part of the value."""
    tester = FlowTester(input_flow())
    run = tester.run("12345#")
    gather = run.actions[0]
    assert isinstance(gather, Gather)
    assert (gather.timeout, gather.inter_digit_timeout) == (timedelta(seconds=5),) * 2
    assert gather.finish_on_key == "#"
    run.assert_variables(value="12345").assert_ended_at("done")


@pytest.mark.parametrize(
    ("kind", "entered", "stored"),
    [
        ("digits", "007", "007"),
        ("number", "0042", 42),
        ("date", "20260229", None),  # 2026 is not a leap year
        ("date", "20280229", "2028-02-29"),
        ("luhn", "4111111111111111", "************1111"),  # sensitive: masked
        ("luhn", "4111111111111112", None),
    ],
)
def test_kinds(kind: str, entered: str, stored: object) -> None:
    """Each built-in kind accepts, converts or rejects the entry as worked out by hand."""
    run = FlowTester(input_flow(kind=kind, max_nomatch=1)).run(entered + "#")
    if stored is None:
        run.assert_ended_at("invalid")
    else:
        run.assert_ended_at("done").assert_variables(value=stored)


def test_lengths_and_pattern() -> None:
    """Too short, too long or not matching the pattern is a no-match."""
    tester = FlowTester(input_flow(min_length=4, max_length=6, pattern=r"9\d+", max_nomatch=1))
    tester.run("999").assert_ended_at("invalid")
    tester.run("9999999").assert_ended_at("invalid")
    tester.run("1234").assert_ended_at("invalid")
    tester.run("9123").assert_ended_at("done").assert_variables(value="9123")


def test_retries_then_branches() -> None:
    """Invalid entries retry with escalating prompts, then take on_nomatch."""
    flow = input_flow(
        nomatch_prompts=[{"count": 1, "prompt": "p1"}, {"count": 2, "prompt": "p2"}], min_length=3
    )
    tester = FlowTester(flow)
    run = tester.run("1", "12", "1")
    run.assert_ended_at("invalid").assert_played("p0", "p1", "p0", "p2", "p0")
    tester.run("1", "123").assert_ended_at("done")
    tester.run(silence(), "#", silence()).assert_ended_at("timeout")


def test_spoken_digits() -> None:
    """Spoken digits are accepted when speech is on."""
    run = FlowTester(input_flow(speech=True)).run(say("4 1 1-1"))
    run.assert_variables(value="4111")


def test_speech_below_confidence_is_a_no_match() -> None:
    """VoiceXML confidencelevel (0.5): Speech('1234', 0.01) is no entry (issue 14, defect 2)."""
    tester = FlowTester(input_flow(speech=True, max_nomatch=1))
    tester.run(say("1234", confidence=0.01)).assert_ended_at("invalid").assert_variables()
    tester.run(say("1234", confidence=0.5)).assert_ended_at("done").assert_variables(value="1234")
    strict = FlowTester(input_flow(speech=True, min_confidence=0.9, max_nomatch=1))
    strict.run(say("1234", confidence=0.8)).assert_ended_at("invalid")


def test_speech_is_refused_when_the_node_does_not_listen_for_it() -> None:
    """With speech: false a transcript is a no-match, never stored (issue 14, defect 2)."""
    run = FlowTester(input_flow(max_nomatch=1)).run(say("1234", confidence=1.0))
    run.assert_ended_at("invalid").assert_variables()


def test_empty_speech_is_no_input() -> None:
    """A transcript with no words is a no-input, as at a menu."""
    FlowTester(input_flow(speech=True, max_noinput=1)).run(say("")).assert_ended_at("timeout")


def confirmed(**fields: Any) -> dict[str, Any]:
    """The input flow with a read-back prompt 'p5' and the given fields."""
    flow = input_flow(confirm_prompt="p5", **fields)
    flow["prompts"]["p5"] = {"en": "You entered {vars.value}. Press 1 to confirm."}
    return flow


def test_confirmation_reads_back_and_waits_for_the_key() -> None:
    """FreeSWITCH confirm-macro / confirm-key: the entry goes on only after '1'."""
    tester = FlowTester(confirmed())
    run = tester.run("1234#")
    run.assert_outcome(None).assert_variables(value="1234")
    gather = run.actions[-1]
    assert isinstance(gather, Gather)
    assert gather.prompts[0].text == "You entered 1234. Press 1 to confirm."
    assert gather.max_digits == 1
    tester.run("1234#", "1").assert_ended_at("done").assert_variables(value="1234")


def test_another_key_rejects_the_entry_and_asks_again() -> None:
    """'2' rejects: the value is dropped and the entry asked again (a no-match)."""
    tester = FlowTester(confirmed())
    run = tester.run("1234#", "2")
    run.assert_outcome(None).assert_variables().assert_played("p0", "p5", "p0")
    tester.run("1234#", "2", "5678#", "1").assert_ended_at("done").assert_variables(value="5678")
    FlowTester(confirmed(max_nomatch=1)).run("1234#", "2").assert_ended_at("invalid")


def test_silence_asks_again_up_to_confirm_attempts() -> None:
    """FreeSWITCH confirm-attempts: silence replays the read-back, then rejects as no-input."""
    tester = FlowTester(confirmed(confirm_attempts=2, max_noinput=1))
    tester.run("1234#", silence()).assert_outcome(None).assert_played("p0", "p5", "p5")
    tester.run("1234#", silence(), silence()).assert_ended_at("timeout")
    tester.run("1234#", silence(), "1").assert_ended_at("done")


def test_confirm_key_is_checked() -> None:
    """The confirm key must be DTMF and not the terminator."""
    with pytest.raises(DocumentError, match="confirm_key"):
        load_flow(confirmed(confirm_key="#"))


@pytest.mark.parametrize(
    ("heard", "language", "stored"),
    [
        ("one two three four", "en", "1234"),
        ("o four one one", "en", "0411"),
        ("Four, one, one, one.", "en-GB", "4111"),
        ("unu doi trei patru", "ro", "1234"),
        ("12 34", "en", "1234"),
        ("one two tree four", "en", None),  # a word that is no digit: no match
    ],
)
def test_spoken_digits_are_normalised(heard: str, language: str, stored: str | None) -> None:
    """Digit words of the caller's language are digits where digits are expected."""
    flow = input_flow(speech=True, max_nomatch=1)
    flow["languages"] = ["en", "en-GB", "ro"]
    for texts in flow["prompts"].values():
        texts.update({"en-GB": "x", "ro": "x"})
    run = FlowTester(flow).run(say(heard), language=language)
    if stored is None:
        run.assert_ended_at("invalid")
    else:
        run.assert_ended_at("done").assert_variables(value=stored)


def test_a_card_number_is_not_kept_in_the_trace_or_the_variables() -> None:
    """PCI DSS 3.4.1: after a luhn input no PAN in the trace or variables (issue 14, defect 4)."""
    run = FlowTester(input_flow(kind="luhn")).run("4111111111111111#")
    run.assert_ended_at("done")
    assert "4111111111111111" not in repr(run.session.snapshot())
    assert run.session.trace[1].event == "digits ************1111#"
    assert run.variables["value"] == "************1111"
