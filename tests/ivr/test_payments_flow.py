"""The card-payment example (examples/ivr_payments_flow.json) through the flow tester.

It uses set-variables, a loop node, a global hot key and a confirmed,
sensitive card input (issue 14's "done when").
"""

from __future__ import annotations

from callcore.contacts import ContactOutcome
from callcore.ivr import Flow, Gather, LookupRequest, lint_flow, load_flow_json
from callcore.testing.flow_tester import (
    FlowTester,
    ScriptStep,
    lookup_error,
    lookup_ok,
    say,
    silence,
)
from tests.ivr.flows import EXAMPLES

PAN = "4111111111111111"  # a published Visa test number
MASKED = "************1111"
CALLER = {"account": "RO49AAAA1B31007593840000", "tier": "gold"}


def payments() -> FlowTester:
    """A tester on the example flow, for a known caller."""
    text = (EXAMPLES / "ivr_payments_flow.json").read_text(encoding="utf-8")
    return FlowTester(load_flow_json(text), caller=CALLER)


def test_the_example_is_clean() -> None:
    """No errors and no warnings: the retry loop is bounded by the loop node."""
    flow = payments().flow
    assert isinstance(flow, Flow)
    assert lint_flow(flow) == []


def test_a_confirmed_card_pays_and_the_number_goes_to_the_charge_only() -> None:
    """Tag, card, read-back, '1', charge: the PAN reaches the lookup once and nothing else."""
    run = payments().run(PAN + "#", "1", lookup_ok(id="r-1"))
    run.assert_path("tag_call", "tries", "card", "charge", "mark_paid", "goodbye")
    run.assert_outcome(ContactOutcome.SELF_SERVED)
    run.assert_variables(
        intent="card_payment",
        payment="paid",
        account=CALLER["account"],
        tier="gold",
        payment_tries=1,
        card=MASKED,
        receipt={"id": "r-1"},
    )
    readback = [action for action in run.actions if isinstance(action, Gather)][1]
    expected = f"You entered the card {MASKED}. Press 1 to confirm, or 2 to enter it again."
    assert readback.prompts[0].text == expected
    charge = run.assert_action("lookup_request")
    assert isinstance(charge, LookupRequest)
    assert dict(charge.params) == {"pan": PAN, "account": CALLER["account"]}
    assert PAN not in run.session.snapshot().__repr__()


def test_re_entry_after_a_rejected_read_back() -> None:
    """'2' at the read-back asks for the number again (the short prompt) and forgets the first."""
    run = payments().run("4012888888881881#", "2", PAN + "#", "1", lookup_ok())
    run.assert_played("enter_card", "confirm_card", "card_again", "confirm_card", "paid")
    charge = run.assert_action("lookup_request")
    assert charge.params["pan"] == PAN  # type: ignore[union-attr]


def test_three_declines_end_with_an_agent_carrying_the_tags() -> None:
    """The loop node bounds the tries: after three declined charges the call is queued."""
    declined: list[ScriptStep | str] = [PAN + "#", "1", lookup_error("declined")]
    run = payments().run(*declined * 3)
    run.assert_ended_at("agent").assert_outcome(ContactOutcome.QUEUED)
    enqueue = run.assert_action("enqueue_contact", queue="payments")
    variables = dict(enqueue.variables)  # type: ignore[union-attr]
    assert variables["intent"] == "card_payment"
    assert variables["payment"] == "declined"
    assert variables["card"] == MASKED
    assert "payment_tries" not in variables  # the loop completed and reset its count


def test_zero_or_agent_anywhere_reaches_a_person() -> None:
    """The global hot key, by key or by word, works at the card entry."""
    tester = payments()
    tester.run("0#").assert_ended_at("operator")
    tester.run(say("I want an operator")).assert_ended_at("operator")
    enqueue = tester.run("0#").assert_action("enqueue_contact")
    assert enqueue.priority == 1  # type: ignore[union-attr]


def test_a_silent_line_is_bounded() -> None:
    """Silence: three tries of two timeouts (max_noinput follows max_nomatch), then an agent."""
    run = payments().run(*[silence()] * 6)
    run.assert_ended_at("agent")
