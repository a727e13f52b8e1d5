"""The desk's actions rendered for Twilio: REST requests and TwiML, compared as written."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

pytest.importorskip("twilio")

from callcore.acd import Offer
from callcore.adapters.twilio_desk import TwilioDesk, TwilioRequest
from callcore.center import (
    InternalCall,
    MonitorCall,
    MonitorMode,
    PauseRecording,
    ResumeRecording,
    RingExternal,
    StartRecording,
    StopRecording,
)
from callcore.contacts import Channel

AC = "AC0123"
CALLS = f"/2010-04-01/Accounts/{AC}/Calls"
HEAD = '<?xml version="1.0" encoding="UTF-8"?>'


@pytest.mark.parametrize(
    ("action", "expected"),
    [
        (
            StartRecording("CA1", "r1"),
            TwilioRequest("POST", f"{CALLS}/CA1/Recordings.json", {"RecordingChannels": "dual"}),
        ),
        (
            PauseRecording("CA1", "r1", "payment"),
            TwilioRequest(
                "POST",
                f"{CALLS}/CA1/Recordings/Twilio.CURRENT.json",
                {"Status": "paused", "PauseBehavior": "skip"},
            ),
        ),
        (
            ResumeRecording("CA1", "r1"),
            TwilioRequest(
                "POST", f"{CALLS}/CA1/Recordings/Twilio.CURRENT.json", {"Status": "in-progress"}
            ),
        ),
        (
            StopRecording("CA1", "r1"),
            TwilioRequest(
                "POST", f"{CALLS}/CA1/Recordings/Twilio.CURRENT.json", {"Status": "stopped"}
            ),
        ),
    ],
)
def test_recording_steps_are_rest_requests(
    action: StartRecording | PauseRecording | ResumeRecording | StopRecording,
    expected: TwilioRequest,
) -> None:
    """Start on the call; pause (skipping the audio), resume and stop the current recording."""
    assert TwilioDesk(AC).recording_request(action) == expected
    assert expected.url.startswith("https://api.twilio.com/2010-04-01/")


@pytest.mark.parametrize(
    ("mode", "attributes"),
    [
        (MonitorMode.LISTEN, 'muted="true"'),
        (MonitorMode.WHISPER, 'coach="CA2" endConferenceOnExit="false" muted="false"'),
        (MonitorMode.BARGE, 'muted="false"'),
    ],
)
def test_a_supervisor_joins_the_conference_muted_coaching_or_heard(
    mode: MonitorMode, attributes: str
) -> None:
    """Listen is muted, whisper coaches the agent's leg, barge is a full participant."""
    twiml = TwilioDesk.monitor_twiml(MonitorCall("CA1", "sam", "a1", mode), agent_call_sid="CA2")
    if mode is MonitorMode.WHISPER:
        conference = f'<Conference beep="false" {attributes} startConferenceOnEnter="false">'
    else:
        conference = (
            f'<Conference beep="false" endConferenceOnExit="false" {attributes} '
            'startConferenceOnEnter="false">'
        )
    assert twiml == f"{HEAD}<Response><Dial>{conference}CA1</Conference></Dial></Response>"


def test_the_call_legs_meet_in_the_contacts_conference() -> None:
    """Both legs join a conference named by the contact, which ends when one leaves."""
    assert TwilioDesk.conference_twiml("CA1") == (
        f'{HEAD}<Response><Dial><Conference beep="false" endConferenceOnExit="true" '
        'startConferenceOnEnter="true">CA1</Conference></Dial></Response>'
    )


def test_an_internal_call_dials_the_colleagues_client() -> None:
    """Agent to agent: the colleague's Twilio Client identity."""
    assert TwilioDesk.internal_call_twiml(InternalCall("ic1", "a1", "a2")) == (
        f"{HEAD}<Response><Dial><Client>a2</Client></Dial></Response>"
    )


def test_forwarding_rings_the_number_for_what_is_left_of_the_offer() -> None:
    """Offer made at 09:00:00 for 20 s; asked at 09:00:02: ring for 18 s (at least 5)."""
    start = datetime(2026, 3, 2, 9, 0, tzinfo=timezone.utc)
    offer = Offer(
        contact_id="CA1",
        agent_id="a1",
        queue="support",
        channel=Channel.VOICE,
        offered_at=start,
        expires_at=start + timedelta(seconds=20),
    )
    desk = TwilioDesk(AC)
    action = RingExternal(offer, "+40744555666")
    request = desk.forward_request(
        action, caller_id="+40213004000", url="https://host/agent", now=start + timedelta(seconds=2)
    )
    assert request == TwilioRequest(
        "POST",
        f"{CALLS}.json",
        {
            "To": "+40744555666",
            "From": "+40213004000",
            "Url": "https://host/agent",
            "Timeout": "18",
        },
    )
    late = desk.forward_request(
        action,
        caller_id="+40213004000",
        url="https://host/agent",
        now=start + timedelta(seconds=19),
    )
    assert late.params["Timeout"] == "5"
