"""Sensitive entries (card numbers): masked everywhere, given to the host once (PCI DSS 4.0)."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from callcore.ivr import Digits, IvrSession, LookupRequest, load_flow, mask
from callcore.ivr._nodes import mask_each
from callcore.serialization import dumps
from callcore.testing.flow_tester import FlowTester, format_trace, lookup_ok
from tests.ivr.flows import document

PAN = "4111111111111111"  # a published Visa test number
MASKED = "************1111"
NOW = datetime(2026, 1, 5, 9, 0, tzinfo=timezone.utc)


def card_flow(**fields: Any) -> dict[str, Any]:
    """Card entry, a payment lookup reading it, then a queue that carries the variables."""
    node = {
        "type": "input",
        "prompt": "p0",
        "variable": "card",
        "kind": "luhn",
        "next": "pay",
        "on_noinput": "bye",
        "on_nomatch": "bye",
        **fields,
    }
    return document(
        {
            "card": node,
            "pay": {
                "type": "lookup",
                "name": "charge",
                "params": {"pan": "vars.card", "again": "vars.card"},
                "next": "agent",
                "on_error": "bye",
            },
            "agent": {"type": "queue", "queue": "billing"},
            "bye": {"type": "hangup"},
        },
        start="card",
    )


@pytest.mark.parametrize(
    ("text", "masked"),
    [
        (PAN, MASKED),
        (PAN + "#", MASKED + "#"),
        ("1234", "****"),  # a PIN: nothing shown
        ("4111 1111 1111 1111", "**** **** **** 1111"),
        ("", ""),
    ],
)
def test_mask(text: str, masked: str) -> None:
    """Only the last four digits of a card number stay readable; shorter secrets not at all."""
    assert mask(text) == masked


def test_card_number_never_reaches_trace_snapshot_events_or_variables() -> None:
    """After a luhn input the PAN is nowhere but the one lookup (issue 14, defect 4)."""
    run = FlowTester(card_flow()).run(PAN + "#", lookup_ok(status="paid"))
    run.assert_ended_at("agent")
    request = run.assert_action("lookup_request")
    assert isinstance(request, LookupRequest)
    assert dict(request.params) == {"pan": PAN, "again": None}  # once, then never again
    enqueue = run.assert_action("enqueue_contact")
    assert enqueue.variables["card"] == MASKED  # type: ignore[union-attr]
    others = [action for action in run.actions if action is not request]
    seen = [
        dumps(run.session.snapshot()),
        *(dumps(event) for event in run.events),
        *(dumps(action) for action in others),
        *(repr(entry) for entry in run.session.trace),
        repr(run.session.variables),
        format_trace(run.session.trace),
    ]
    assert not [text for text in seen if PAN in text]
    assert any(MASKED in text for text in seen)


def test_a_sensitive_value_dropped_by_a_restore_is_not_guessed() -> None:
    """The value lives in memory only: a session restored before the lookup sends None."""
    now = NOW
    wait_first = card_flow()
    wait_first["nodes"]["card"]["next"] = "confirm"
    wait_first["nodes"]["confirm"] = {
        "type": "menu",
        "prompt": "p1",
        "options": [{"key": "1", "goto": "pay"}],
        "on_noinput": "bye",
        "on_nomatch": "bye",
    }
    flow = load_flow(wait_first)
    session = IvrSession(flow)
    session.start(now=now)
    session.handle(Digits(PAN + "#"), now=now)
    restored = IvrSession.restore(session.snapshot(), flows=[flow])
    request = restored.handle(Digits("1"), now=now).actions[0]
    assert isinstance(request, LookupRequest)
    assert request.params["pan"] is None
    request = session.handle(Digits("1"), now=now).actions[0]  # the live session still has it
    assert isinstance(request, LookupRequest)
    assert request.params["pan"] == PAN


def test_sensitive_can_be_set_or_cleared() -> None:
    """Any input may be marked sensitive; a card input may be marked not sensitive."""
    pin = FlowTester(card_flow(kind="digits", sensitive=True)).run("1234#", lookup_ok())
    pin.assert_variables(card="****")
    assert "1234" not in format_trace(pin.session.trace)
    plain = FlowTester(card_flow(sensitive=False)).run(PAN + "#", lookup_ok())
    plain.assert_variables(card=PAN)


@given(
    st.text(alphabet="0123456789", max_size=25),
    st.sampled_from(["", "#", "*"]) | st.text(alphabet="#*1a ", max_size=4),
)
def test_mask_fast_path_agrees_with_the_reference(digits: str, finish: str) -> None:
    """The fast path for digit entries gives what the character walk gives."""
    assert mask(digits + finish) == mask_each(digits + finish)
