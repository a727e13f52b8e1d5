"""Three callers walk through the example bank flow (examples/ivr_bank_flow.json)."""

from __future__ import annotations

from datetime import date, datetime, time, timezone
from zoneinfo import ZoneInfo

from callcore.contacts import ContactOutcome
from callcore.ivr import EnqueueContact, Play
from callcore.testing.flow_tester import FlowTester, completed, failed, lookup_ok, say, silence
from tests.ivr.flows import bank_flow, office_calendar

BUCHAREST = ZoneInfo("Europe/Bucharest")
CALENDARS = {
    "advisers": office_calendar(
        {date(2026, 12, 25): None, date(2026, 12, 24): (time(9), time(13))}, BUCHAREST
    )
}


def bank() -> FlowTester:
    """A tester on the bank flow, Monday 5 January 2026, 10:00 in Bucharest."""
    return FlowTester(
        bank_flow(),
        calendars=CALENDARS,
        start_at=datetime(2026, 1, 5, 10, tzinfo=BUCHAREST),
        call={"ani": "+40721000111"},
    )


def test_unknown_caller_checks_balance_with_a_typo_then_hangs_up() -> None:
    """Romanian by key, accounts sub-menu, one bad account number, balance, goodbye."""
    run = bank().run(
        "2",
        "1",
        "1",
        "4111111111111112#",
        "4111111111111111#",
        lookup_ok(balance="1.250,00", currency="lei"),
        "2",
    )
    run.assert_path(
        "detect_language",
        "choose_language",
        "set_romanian",
        "hours_check",
        "welcome",
        "main_menu",
        "accounts_menu",
        "account_number",
        "balance_lookup",
        "say_balance",
        "after_balance",
        "goodbye",
    )
    run.assert_played("account_invalid", "enter_account", "balance_is")
    assert Play("balance_is", "ro", text="Soldul dumneavoastră este 1.250,00 lei.") in run.actions
    # a card number: the variables keep it masked, the lookup alone gets it (PCI DSS 3.4.1)
    run.assert_variables(account="************1111").assert_outcome(ContactOutcome.SELF_SERVED)
    run.assert_action("lookup_request", params={"account": "4111111111111111"})


def test_gold_customer_asks_for_an_adviser_by_voice() -> None:
    """Language from the record, speech choice, priority queue with premier skills."""
    run = bank().run(
        say("I want to talk to an agent"), caller={"language": "en", "tier": "gold", "known": True}
    )
    run.assert_visited("use_caller_language", "main_menu", "agent_router", "queue_priority")
    action = run.assert_action(EnqueueContact, queue="retail_banking", priority=10)
    assert isinstance(action, EnqueueContact)
    assert action.skills == {"banking": 3, "premier": 1}
    assert action.language == "en"
    assert action.caller["tier"] == "gold"
    run.assert_outcome(ContactOutcome.QUEUED)


def test_holiday_caller_leaves_voicemail() -> None:
    """On Christmas Day: holiday notice, voicemail, goodbye; silence picks English."""
    run = bank().run(
        silence(),
        silence(),
        completed(recording="vm-77"),
        start_at=datetime(2026, 12, 25, 11, tzinfo=timezone.utc),
    )
    run.assert_path(
        "detect_language",
        "choose_language",
        "set_english",
        "hours_check",
        "holiday_notice",
        "after_hours",
        "voicemail_goodbye",
    )
    run.assert_played("holiday_closed", "closed", "goodbye")
    run.assert_variables(recording={"recording": "vm-77"}).assert_outcome(ContactOutcome.VOICEMAIL)


def test_a_failed_recording_ends_out_of_hours() -> None:
    """After hours, a recording that fails ends the call as out of hours."""
    run = bank().run(
        silence(), silence(), failed(), start_at=datetime(2026, 1, 5, 20, tzinfo=timezone.utc)
    )
    run.assert_visited("hours_check", "after_hours", "closed_goodbye")
    run.assert_not_visited("holiday_notice")
    run.assert_outcome(ContactOutcome.OUT_OF_HOURS).assert_action("hangup", reason="closed")
    run.assert_event("ivr.session_ended", node="closed_goodbye", language="en")
