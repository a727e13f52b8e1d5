from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone
from typing import Any

import pytest

from callcore.contacts import MIN_SKILL_LEVEL, ContactOutcome
from callcore.errors import ConfigError
from callcore.ivr import (
    BUILTIN_NODE_TYPES,
    EnqueueContact,
    FlowFailed,
    Hours,
    IvrSession,
    LookupRequest,
    Play,
    Record,
    ScheduleCallback,
    SessionLimits,
    SetLanguage,
    Transfer,
    TransferKind,
    flow_from_dict,
    load_flow,
)
from callcore.testing.flow_tester import (
    FlowTester,
    completed,
    failed,
    lookup_error,
    lookup_ok,
    run_flow,
    silence,
    wait,
)
from tests.ivr.flows import document, office_calendar


def test_say_renders_placeholders_and_audio() -> None:
    """Say plays each prompt: text with placeholders filled, or an audio reference."""
    data = document(
        {"menu": {"type": "say", "prompts": ["p1", "p2"], "next": "end"}, "end": {"type": "hangup"}}
    )
    data["prompts"]["p1"] = {"en": "Hello {caller.name}, you owe {vars.debt}{vars.none}."}
    data["prompts"]["p2"] = {"en": "audio:hello.wav"}
    run = run_flow(data, caller={"name": "Ana"}, variables={"debt": 5})
    assert run.actions[:2] == [
        Play("p1", "en", text="Hello Ana, you owe 5."),
        Play("p2", "en", audio="hello.wav"),
    ]
    run.assert_last_action("hangup").assert_outcome(ContactOutcome.SELF_SERVED)


def test_branch_first_match_wins() -> None:
    """Cases are tried in order; the default catches the rest."""
    nodes = {
        "menu": {
            "type": "branch",
            "cases": [
                {"when": {"var": "caller.tier", "op": "eq", "value": "gold"}, "goto": "gold"},
                {"when": {"var": "caller.known", "op": "eq", "value": True}, "goto": "known"},
            ],
            "default": "other",
        },
        "gold": {"type": "hangup", "reason": "gold"},
        "known": {"type": "hangup", "reason": "known"},
        "other": {"type": "hangup", "reason": "other"},
    }
    tester = FlowTester(document(nodes))
    tester.run(caller={"tier": "gold", "known": True}).assert_ended_at("gold")
    tester.run(caller={"tier": "silver", "known": True}).assert_ended_at("known")
    tester.run(caller={}).assert_ended_at("other")


def hours_flow(holiday: bool = True) -> dict[str, Any]:
    """A flow whose hours node sends to open / closed / holiday hang-ups."""
    node: dict[str, Any] = {
        "type": "hours",
        "calendar": "support",
        "open": "open",
        "closed": "closed",
    }
    if holiday:
        node["holiday"] = "holiday"
    return document(
        {
            "menu": node,
            "open": {"type": "hangup", "reason": "open"},
            "closed": {"type": "hangup", "reason": "closed"},
            "holiday": {"type": "hangup", "reason": "holiday"},
        }
        if holiday
        else {
            "menu": node,
            "open": {"type": "hangup", "reason": "open"},
            "closed": {"type": "hangup", "reason": "closed"},
        }
    )


def test_hours_open_closed_holiday() -> None:
    """Hours follow the calendar; a partial-day holiday is open in its hours only."""
    calendar = office_calendar({date(2026, 12, 25): None, date(2026, 12, 24): (time(9), time(13))})
    tester = FlowTester(hours_flow(), calendars={"support": calendar})
    utc = timezone.utc
    tester.run(start_at=datetime(2026, 12, 22, 10, tzinfo=utc)).assert_ended_at("open")
    tester.run(start_at=datetime(2026, 12, 22, 20, tzinfo=utc)).assert_ended_at("closed")
    tester.run(start_at=datetime(2026, 12, 26, 10, tzinfo=utc)).assert_ended_at("closed")
    tester.run(start_at=datetime(2026, 12, 25, 10, tzinfo=utc)).assert_ended_at("holiday")
    tester.run(start_at=datetime(2026, 12, 24, 10, tzinfo=utc)).assert_ended_at("open")
    tester.run(start_at=datetime(2026, 12, 24, 14, tzinfo=utc)).assert_ended_at("holiday")
    no_holiday = FlowTester(hours_flow(holiday=False), calendars={"support": calendar})
    no_holiday.run(start_at=datetime(2026, 12, 25, 10, tzinfo=utc)).assert_ended_at("closed")


def test_a_session_missing_a_calendar_is_refused_at_the_start() -> None:
    """The calendars named at load_flow are checked when the session is made, not at the node."""
    flow = flow_from_dict(hours_flow())
    with pytest.raises(ConfigError, match="support") as caught:
        IvrSession(flow)
    assert "given: none" in str(caught.value)
    with pytest.raises(ConfigError):
        IvrSession(flow, calendars={"other": office_calendar()})
    IvrSession(flow, calendars={"support": office_calendar()})  # all there: fine


def test_a_plugin_node_s_missing_calendar_still_fails_cleanly() -> None:
    """An hours node whose calendar is not declared fails the call with FlowFailed, not an error."""

    class Unannounced(Hours):
        def calendars(self) -> list[str]:
            return []

    flow = flow_from_dict(hours_flow(), node_types={**BUILTIN_NODE_TYPES, "hours": Unannounced})
    run = run_flow(flow)
    assert isinstance(run.actions[-1], FlowFailed)
    run.assert_outcome(ContactOutcome.FAILED)


def test_language_fixed_and_from_caller() -> None:
    """Language nodes switch prompts; from_caller uses the record when offered."""
    data = document(
        {
            "menu": {"type": "language", "from_caller": True, "language": "en", "next": "bye"},
            "bye": {"type": "hangup", "prompt": "p0"},
        }
    )
    data["languages"] = ["en", "ro"]
    data["prompts"] = {"p0": {"en": "Bye", "ro": "Pa"}}
    tester = FlowTester(data)
    run = tester.run(caller={"language": "ro"})
    assert run.actions[:2] == [SetLanguage("ro"), Play("p0", "ro", text="Pa")]
    run = tester.run(caller={"language": "de"})
    assert run.actions[:2] == [SetLanguage("en"), Play("p0", "en", text="Bye")]


def lookup_flow() -> dict[str, Any]:
    """A balance lookup with success and error endings."""
    return document(
        {
            "menu": {
                "type": "lookup",
                "name": "balance",
                "params": {"account": "vars.account"},
                "store_as": "result",
                "next": "ok",
                "on_error": "error",
            },
            "ok": {"type": "hangup", "reason": "ok"},
            "error": {"type": "hangup", "reason": "error"},
        }
    )


def test_lookup_request_and_result() -> None:
    """A lookup asks with parameters from variables and stores the answer."""
    tester = FlowTester(lookup_flow(), variables={"account": "123"})
    run = tester.run(lookup_ok(balance=10))
    assert run.actions[0] == LookupRequest(
        node="menu", name="balance", params={"account": "123"}, timeout=timedelta(seconds=8)
    )
    run.assert_ended_at("ok").assert_variables(result={"balance": 10})
    tester.run(lookup_error()).assert_ended_at("error")
    tester.run(silence()).assert_ended_at("error")
    # the session's own timer: at the timeout (8 s) the lookup has failed, no answer needed
    tester.run(wait(8)).assert_ended_at("error").assert_path("menu", "error")
    tester.run(wait(7.9), lookup_ok(balance=1)).assert_ended_at("ok")


def test_queue_hands_off_with_data() -> None:
    """The queue node returns EnqueueContact with skills, variables and caller data."""
    data = document(
        {"menu": {"type": "queue", "queue": "billing", "priority": 5, "skills": ["billing", "ro"]}}
    )
    run = run_flow(data, caller={"tier": "gold"}, variables={"account": "42"})
    assert run.actions == [
        EnqueueContact(
            queue="billing",
            priority=5,
            skills={"billing": MIN_SKILL_LEVEL, "ro": MIN_SKILL_LEVEL},
            language="en",
            variables={"account": "42"},
            caller={"tier": "gold"},
        )
    ]
    run.assert_outcome(ContactOutcome.QUEUED)


def test_transfer_kinds() -> None:
    """Transfers go to a number, an agent or a device."""
    for kind in TransferKind:
        data = document({"menu": {"type": "transfer", "destination": "x", "kind": kind.value}})
        run = run_flow(data)
        assert run.actions == [Transfer("x", kind)]
        run.assert_outcome(ContactOutcome.TRANSFERRED)


def test_voicemail_records_then_goes_on() -> None:
    """Voicemail records with Twilio defaults, stores the result, and goes on."""
    data = document(
        {
            "menu": {"type": "voicemail", "mailbox": "sales", "next": "bye", "on_failure": "oops"},
            "bye": {"type": "hangup"},
            "oops": {"type": "hangup", "reason": "oops"},
        }
    )
    tester = FlowTester(data)
    run = tester.run(completed(recording="rec-1"))
    assert run.actions[0] == Record(
        "sales", timedelta(seconds=3600), beep=True, silence_timeout=timedelta(seconds=5)
    )
    run.assert_variables(recording={"recording": "rec-1"}).assert_outcome(
        ContactOutcome.SELF_SERVED
    )
    tester.run(failed()).assert_ended_at("oops")


def test_callback_on_caller_number_or_typed_number() -> None:
    """Callbacks go to the calling number, or a number the caller typed."""
    data = document(
        {
            "menu": {"type": "callback", "queue": "cb", "next": "bye", "on_error": "none"},
            "bye": {"type": "hangup"},
            "none": {"type": "hangup", "reason": "none"},
        }
    )
    run = run_flow(data, call={"ani": "+40700000001"})
    assert run.actions[0] == ScheduleCallback("+40700000001", "cb")
    run_flow(data).assert_ended_at("none")
    typed = document(
        {
            "menu": {
                "type": "input",
                "prompt": "p0",
                "variable": "number",
                "next": "cb",
                "on_noinput": "bye",
                "on_nomatch": "bye",
            },
            "cb": {"type": "callback", "queue": "cb", "number_from": "vars.number", "next": "bye"},
            "bye": {"type": "hangup"},
        }
    )
    run = run_flow(typed, "0722000000#")
    run.assert_action("schedule_callback", number="0722000000")


def test_subflow_returns_and_depth_cap() -> None:
    """A subflow runs and returns to the caller's next node; nesting is capped."""
    sub = load_flow(
        document(
            {
                "menu": {"type": "say", "prompts": ["p1"], "next": "back"},
                "back": {"type": "return"},
            },
            id="sub",
        )
    )
    main = document(
        {
            "menu": {"type": "subflow", "flow": "sub", "next": "bye"},
            "bye": {"type": "hangup", "prompt": "p2"},
        },
        id="main",
    )
    run = FlowTester(main, subflows=[sub]).run()
    run.assert_path("menu", "sub:menu", "sub:back", "bye").assert_played("p1", "p2")
    run.assert_outcome(ContactOutcome.SELF_SERVED)
    capped = FlowTester(main, subflows=[sub], limits=SessionLimits(max_subflow_depth=0)).run()
    capped.assert_outcome(ContactOutcome.FAILED)
    assert isinstance(capped.actions[-1], FlowFailed)


def test_return_at_top_level_hangs_up() -> None:
    """A return node in the top flow ends the call as completed."""
    run = run_flow(document({"menu": {"type": "return"}}))
    run.assert_last_action("hangup").assert_outcome(ContactOutcome.SELF_SERVED)
