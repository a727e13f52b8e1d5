"""The desk through the centre: recording, monitoring, internal calls, forwarding, overrides."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest

from callcore.access import AccessChecked, AccessDeniedError, AuditTrail, Gate, Principal
from callcore.center import (
    ContactCenter,
    EndMonitoring,
    InternalCall,
    MonitorCall,
    MonitorMode,
    PauseRecording,
    RecordingPolicy,
    RecordingState,
    ResumeRecording,
    RingAgent,
    RingExternal,
    StartRecording,
    StopRecording,
    load_center,
)
from callcore.center._core import CHECKPOINT_NAME
from callcore.clock import ManualClock
from callcore.contacts import AgentState
from callcore.errors import DocumentError, InvalidTransitionError, NotFoundError
from callcore.storage import MemoryStorage
from callcore.testing.fakes import EventLog, FakeTelephony
from callcore.testing.pytest_plugin import DEFAULT_CENTER
from callcore.testing.scenario import Scenario

POLICY = Gate().policy
SUPERVISOR = POLICY.principal("sam", ["supervisor"])
MANAGER = POLICY.principal("meg", ["manager"])
REP = POLICY.principal("a2", ["representative"])


@pytest.fixture
def center_config() -> dict[str, Any]:
    """Two agents on support, a billing queue, offers for 20 s."""
    return {
        **DEFAULT_CENTER,
        "queues": [
            {"name": "support", "wrap_up": 0, "offer_timeout": 20},
            {"name": "billing", "wrap_up": 0},
        ],
        "agents": [
            {"agent_id": "a1", "memberships": [{"queue": "support"}]},
            {"agent_id": "a2", "memberships": [{"queue": "support"}]},
            {"agent_id": "sam", "memberships": [{"queue": "billing"}]},
        ],
    }


def _connected(center: ContactCenter, scenario: Scenario) -> str:
    """a1 logs in and answers one call; the call's id."""
    center.agent_logged_in("a1")
    call = scenario.call("0721 234 567").press("1")
    call.accepted_by("a1")
    return call.contact_id


def _of(telephony: FakeTelephony, kind: type) -> list[Any]:
    return [action for action in telephony.actions if isinstance(action, kind)]


def test_recording_start_pause_resume_stop(
    center: ContactCenter, scenario: Scenario, telephony: FakeTelephony
) -> None:
    """Each step is an action for the provider, an event, and the state the centre keeps."""
    contact = _connected(center, scenario)
    update = center.start_recording(contact)
    (start,) = [a for a in update.actions if isinstance(a, StartRecording)]
    assert center.recording_of(contact) == (start.recording_id, RecordingState.RECORDING)
    assert [e.kind for e in update.events] == ["center.recording_changed", "ticket.changed"]
    center.pause_recording(contact, reason="payment")
    assert center.recording_of(contact) == (start.recording_id, RecordingState.PAUSED)
    with pytest.raises(InvalidTransitionError, match="must be recording"):
        center.pause_recording(contact)
    center.resume_recording(contact)
    center.stop_recording(contact)
    assert [type(a) for a in telephony.actions_for(contact) if "recording" in a.type] == [
        StartRecording,
        PauseRecording,
        ResumeRecording,
        StopRecording,
    ]
    assert _of(telephony, PauseRecording)[0].reason == "payment"
    # the reference is kept on the contact's ticket (and so in the customer's export)
    ticket = center.store.get_ticket(center.contact(contact).ticket_id or "")
    assert ticket is not None
    assert ("recording", start.recording_id) in [(link.kind, link.id) for link in ticket.links]


def test_a_refused_recording_step_changes_nothing(
    center: ContactCenter, scenario: Scenario, telephony: FakeTelephony
) -> None:
    """Resuming what is not paused, starting twice: refused, no action, no event."""
    contact = _connected(center, scenario)
    center.start_recording(contact)
    before = (len(telephony.actions), center.recording_of(contact))
    for refused in (center.resume_recording, center.start_recording):
        with pytest.raises(InvalidTransitionError):
            refused(contact)
    assert (len(telephony.actions), center.recording_of(contact)) == before


def test_an_always_policy_records_from_the_answer_and_cannot_be_stopped(
    center: ContactCenter, scenario: Scenario, telephony: FakeTelephony
) -> None:
    """The policy is gated (config.queues); then every answered call records itself."""
    with pytest.raises(AccessDeniedError, match=r"config\.queues"):
        center.set_recording_policy("support", RecordingPolicy.ALWAYS, by=SUPERVISOR)
    assert center.recording_policy("support") is RecordingPolicy.ON_DEMAND
    update = center.set_recording_policy("support", RecordingPolicy.ALWAYS, by=MANAGER)
    assert any(isinstance(e, AccessChecked) and e.allowed for e in update.events)
    contact = _connected(center, scenario)
    assert center.recording_of(contact) is not None
    with pytest.raises(InvalidTransitionError, match="pause the recording instead"):
        center.stop_recording(contact)
    center.pause_recording(contact)  # a payment card: allowed under any policy
    center.agent_ended(contact)
    assert center.recording_of(contact) is None
    stops = _of(telephony, StopRecording)
    assert [s.contact_id for s in stops] == [contact]  # stopped when the call ended


def test_a_never_policy_refuses_recording(center: ContactCenter, scenario: Scenario) -> None:
    """A queue that records nothing refuses the agent's button."""
    center.set_recording_policy("support", RecordingPolicy.NEVER, by=MANAGER)
    contact = _connected(center, scenario)
    with pytest.raises(InvalidTransitionError, match="records no call"):
        center.start_recording(contact)


@pytest.mark.parametrize(
    ("mode", "permission"),
    [
        (MonitorMode.LISTEN, "calls.monitor"),
        (MonitorMode.WHISPER, "calls.whisper"),
        (MonitorMode.BARGE, "calls.barge"),
    ],
)
def test_monitoring_is_gated_per_mode(
    center: ContactCenter,
    scenario: Scenario,
    telephony: FakeTelephony,
    mode: MonitorMode,
    permission: str,
) -> None:
    """A representative is refused (audited, broadcast); a supervisor joins in that mode."""
    log = EventLog()
    center.plugins.register(log)
    trail = AuditTrail()
    center.access = Gate(audit=trail)
    contact = _connected(center, scenario)
    with pytest.raises(AccessDeniedError) as info:
        center.monitor_call(contact, mode, by=REP)
    assert (info.value.permission, info.value.target) == (permission, f"contact:{contact}")
    assert center.monitors_of(contact) == {}
    assert not _of(telephony, MonitorCall)
    assert "access.checked" in log.kinds()
    update = center.monitor_call(contact, mode, by=SUPERVISOR)
    assert _of(telephony, MonitorCall) == [MonitorCall(contact, "sam", "a1", mode)]
    assert center.monitors_of(contact) == {"sam": mode}
    assert [e.kind for e in update.events] == ["access.checked", "center.call_monitored"]
    assert [e.allowed for e in trail.events] == [False, True]


def test_monitoring_ends_by_hand_or_with_the_call(
    center: ContactCenter, scenario: Scenario, telephony: FakeTelephony
) -> None:
    """The supervisor leaves, or is taken off when the call ends."""
    contact = _connected(center, scenario)
    center.monitor_call(contact, MonitorMode.LISTEN, by=SUPERVISOR)
    center.monitor_call(contact, MonitorMode.WHISPER, by=SUPERVISOR)  # a change of mode
    center.monitor_call(contact, MonitorMode.BARGE, by=MANAGER)
    center.end_monitoring(contact, "sam")
    assert center.monitors_of(contact) == {"meg": MonitorMode.BARGE}
    center.agent_ended(contact)
    assert center.monitors_of(contact) == {}
    assert _of(telephony, EndMonitoring) == [
        EndMonitoring(contact, "sam"),
        EndMonitoring(contact, "meg"),
    ]
    with pytest.raises(InvalidTransitionError):
        center.end_monitoring(contact, "sam")


def test_a_plain_name_is_no_principal(center: ContactCenter, scenario: Scenario) -> None:
    """A string or a self-made principal with an unknown role gets no access."""
    contact = _connected(center, scenario)
    with pytest.raises(AccessDeniedError, match="not an authenticated Principal"):
        center.monitor_call(contact, by="sam")  # type: ignore[arg-type]
    with pytest.raises(AccessDeniedError):
        center.monitor_call(contact, by=Principal("x", frozenset({"root"})))


def test_a_supervisor_overrides_an_agents_state(center: ContactCenter) -> None:
    """Not ready, available again, logged out; a representative may not."""
    center.agent_logged_in("a1")
    with pytest.raises(AccessDeniedError, match=r"agents\.override_state"):
        center.override_agent_state("a1", AgentState.NOT_READY, by=REP)
    assert center.router.agent("a1").state is AgentState.AVAILABLE
    center.override_agent_state("a1", AgentState.NOT_READY, by=SUPERVISOR)
    assert center.router.agent("a1").state is AgentState.NOT_READY
    center.override_agent_state("a1", AgentState.AVAILABLE, by=SUPERVISOR)
    assert center.router.agent("a1").state is AgentState.AVAILABLE
    center.override_agent_state("a1", AgentState.LOGGED_OUT, by=SUPERVISOR)
    assert center.router.agent("a1").state is AgentState.LOGGED_OUT
    with pytest.raises(NotFoundError):
        center.override_agent_state("zed", AgentState.AVAILABLE, by=SUPERVISOR)


def test_internal_calls_between_agents_and_to_a_supervisor(
    center: ContactCenter, telephony: FakeTelephony
) -> None:
    """a1 calls a2, then the supervisor's desk; both are actions and events."""
    center.agent_logged_in("a1")
    center.agent_logged_in("a2")
    update = center.agent_called("a1", "a2", call_id="ic1")
    assert update.actions == (InternalCall("ic1", "a1", "a2"),)
    assert [e.kind for e in update.events] == ["center.internal_call_started"]
    center.agent_called("a1", "sam", call_id="ic2")  # a known profile, not logged in
    center.internal_call_ended("ic1")
    with pytest.raises(NotFoundError):
        center.internal_call_ended("ic1")
    with pytest.raises(NotFoundError):
        center.agent_called("a1", "nobody")
    assert [a.call_id for a in _of(telephony, InternalCall)] == ["ic1", "ic2"]


def test_a_remote_agent_is_rung_on_the_external_number_with_the_same_time_outs(
    center: ContactCenter, scenario: Scenario, telephony: FakeTelephony
) -> None:
    """The offer rings the external number, expires after the queue's 20 s, and goes on."""
    center.agent_logged_in("a1")
    center.agent_forwarding("a1", "+40 744 555 666")
    assert center.forwarding_of("a1") == "+40744555666"  # kept in E.164
    call = scenario.call("0721 234 567").press("1")
    (ring,) = _of(telephony, RingAgent)
    assert isinstance(ring, RingExternal)
    assert ring.number == center.forwarding_of("a1")
    assert ring.offer.expires_at - ring.offer.offered_at == timedelta(seconds=20)
    assert telephony.ringing("a1") == [ring.offer]  # still an offer like any other
    call.wait(20)
    center.run_due()
    assert telephony.ringing("a1") == []  # the offer timed out, as on the desktop
    center.agent_forwarding("a1", None)
    assert center.forwarding_of("a1") is None
    center.agent_forwarding("a1", "+40744555666")
    center.agent_logged_out("a1")
    assert center.forwarding_of("a1") is None  # forwarding ends with the session


def _durable(
    config: dict[str, Any], clock: ManualClock, store: MemoryStorage
) -> tuple[ContactCenter, FakeTelephony, Scenario]:
    """A durable centre of ``config`` on ``store``, with its own fake telephony."""
    telephony = FakeTelephony()
    built = load_center(config, clock=clock, store=store, plugins=[telephony], durable=True)
    telephony.attach(built)
    return built, telephony, Scenario(built, telephony)


def test_a_durable_centre_keeps_its_desk_across_a_restart(
    center_config: dict[str, Any], clock: ManualClock, store: MemoryStorage
) -> None:
    """Policies, recordings, monitors, forwarding and internal calls come back after a restart.

    The checkpoint is one document: the desk is a section of it, written with
    the contacts it speaks of. The restarted centre records the next call of
    an ``ALWAYS`` queue and rings a forwarding agent's number.
    """
    first, _telephony, scenario = _durable(center_config, clock, store)
    first.set_recording_policy("support", RecordingPolicy.ALWAYS, by=MANAGER)
    contact = _connected(first, scenario)
    first.pause_recording(contact, reason="payment")
    first.monitor_call(contact, MonitorMode.WHISPER, by=SUPERVISOR)
    first.agent_logged_in("a2")
    first.agent_forwarding("a2", "+40 744 555 666")
    first.agent_called("a2", "sam", call_id="int-1")
    recording = first.recording_of(contact)
    again, telephony, scenario = _durable(center_config, clock, store)
    assert again._serialised() == first._serialised()
    assert again.recording_policy("support") is RecordingPolicy.ALWAYS
    assert again.recording_of(contact) == recording
    assert again.forwarding_of("a2") == "+40744555666"
    again.resume_recording(contact)  # it was paused: the restarted centre knows
    again.internal_call_ended("int-1")
    again.agent_ended(contact)
    assert again.recording_of(contact) is None
    assert [action.contact_id for action in _of(telephony, EndMonitoring)] == [contact]
    scenario.call("0721 234 568", contact_id="after-restart").press("1")
    (ring,) = _of(telephony, RingAgent)
    assert isinstance(ring, RingExternal)
    assert ring.number == "+40744555666"


@pytest.mark.parametrize(
    "damage",
    [
        {"policies": {"support": "sometimes"}},
        {"recordings": {"c": {"id": 5, "state": "recording"}}},
        {"monitors": []},
        {"forwarding": {"a1": None}},
        {"internal_calls": {"i": {"agent_id": "a1"}}},
    ],
)
def test_a_damaged_desk_section_is_refused_naming_it(
    center_config: dict[str, Any], clock: ManualClock, store: MemoryStorage, damage: dict[str, Any]
) -> None:
    """Each bad part of the desk's state: a ``DocumentError`` at ``sections.desk``."""
    first, _telephony, _scenario = _durable(center_config, clock, store)
    first.agent_logged_in("a1")
    document = json.loads(store.load_checkpoint(CHECKPOINT_NAME) or "{}")
    document["sections"]["desk"].update(damage)
    store.save_checkpoint(CHECKPOINT_NAME, json.dumps(document))
    with pytest.raises(DocumentError) as caught:
        _durable(center_config, clock, store)
    assert [problem.path for problem in caught.value.problems] == ["sections.desk"]
