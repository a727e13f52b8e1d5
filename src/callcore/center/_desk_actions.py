"""The desk's telephony actions and events: recording, monitoring, internal calls, forwarding.

Named after what the platforms call them: Twilio's call recordings (started,
``paused`` for a payment card, ``in-progress`` again, ``stopped``) and its
conference participants (``muted`` to listen, ``coach`` to whisper, neither
to barge), FreeSWITCH's ``eavesdrop`` with its whisper and three-way modes,
and Amazon Connect's agent-to-agent quick connects.
"""

from __future__ import annotations

import enum
from typing import ClassVar

import attrs

from callcore.events import Event

__all__ = [
    "CallMonitored",
    "EndMonitoring",
    "InternalCall",
    "InternalCallEnded",
    "InternalCallStarted",
    "MonitorCall",
    "MonitorMode",
    "MonitoringEnded",
    "PauseRecording",
    "RecordingChanged",
    "RecordingPolicy",
    "RecordingState",
    "ResumeRecording",
    "StartRecording",
    "StopRecording",
]


class RecordingPolicy(enum.Enum):
    """Whether a queue's calls are recorded."""

    NEVER = "never"
    """No call of the queue is recorded; starting a recording is refused."""
    ON_DEMAND = "on_demand"
    """The agent starts (and may stop) a recording; the default."""
    ALWAYS = "always"
    """Every call is recorded from the agent's answer; it may be paused, not stopped."""


class RecordingState(enum.Enum):
    """Where a recording is."""

    RECORDING = "recording"
    PAUSED = "paused"
    STOPPED = "stopped"


class MonitorMode(enum.Enum):
    """How a supervisor joins a live call."""

    LISTEN = "listen"
    """Hears both parties; heard by neither."""
    WHISPER = "whisper"
    """Hears both; heard by the agent only (coaching)."""
    BARGE = "barge"
    """Hears both; heard by both (a three-way call)."""


@attrs.frozen
class StartRecording:
    """Start recording the call.

    Attributes:
        contact_id: The call.
        recording_id: callcore's reference of the recording (kept on the
            contact's ticket as a ``recording`` link).
    """

    contact_id: str
    recording_id: str
    type: ClassVar[str] = "start_recording"


@attrs.frozen
class PauseRecording:
    """Pause the recording (the caller reads out a payment card): record nothing meanwhile.

    Attributes:
        contact_id: The call.
        recording_id: The recording.
        reason: Why (``"payment"``).
    """

    contact_id: str
    recording_id: str
    reason: str
    type: ClassVar[str] = "pause_recording"


@attrs.frozen
class ResumeRecording:
    """Record again after a pause."""

    contact_id: str
    recording_id: str
    type: ClassVar[str] = "resume_recording"


@attrs.frozen
class StopRecording:
    """Stop the recording (the agent asked, or the call ended)."""

    contact_id: str
    recording_id: str
    type: ClassVar[str] = "stop_recording"


@attrs.frozen
class MonitorCall:
    """Join a supervisor to a live call: listen, whisper to the agent, or barge in.

    A supervisor already on the call changes mode with a new action.

    Attributes:
        contact_id: The call.
        supervisor_id: Who joins.
        agent_id: The agent on the call (whom a whisper reaches).
        mode: How.
    """

    contact_id: str
    supervisor_id: str
    agent_id: str
    mode: MonitorMode
    type: ClassVar[str] = "monitor_call"


@attrs.frozen
class EndMonitoring:
    """Take the supervisor off the call."""

    contact_id: str
    supervisor_id: str
    type: ClassVar[str] = "end_monitoring"


@attrs.frozen
class InternalCall:
    """Call from one agent to another agent or a supervisor, inside the centre.

    Attributes:
        call_id: The internal call's id (its ``contact_id`` for hosts that file
            every action by contact).
        agent_id: Who calls.
        target: Whom: an agent's or a supervisor's id.
    """

    call_id: str
    agent_id: str
    target: str
    type: ClassVar[str] = "internal_call"

    @property
    def contact_id(self) -> str:
        """The internal call's id."""
        return self.call_id


@attrs.frozen(kw_only=True)
class RecordingChanged(Event):
    """A call's recording started, paused, resumed or stopped.

    Attributes:
        contact_id: The call.
        recording_id: The recording.
        state: Its state now.
        reason: Why (the pause's reason, ``"call_ended"``...), or empty.
    """

    kind: ClassVar[str] = "center.recording_changed"

    contact_id: str
    recording_id: str
    state: RecordingState
    reason: str = ""


@attrs.frozen(kw_only=True)
class CallMonitored(Event):
    """A supervisor joined a live call, or changed how."""

    kind: ClassVar[str] = "center.call_monitored"

    contact_id: str
    supervisor_id: str
    agent_id: str
    mode: MonitorMode


@attrs.frozen(kw_only=True)
class MonitoringEnded(Event):
    """A supervisor left a call (or the call ended)."""

    kind: ClassVar[str] = "center.monitoring_ended"

    contact_id: str
    supervisor_id: str


@attrs.frozen(kw_only=True)
class InternalCallStarted(Event):
    """An agent called a colleague."""

    kind: ClassVar[str] = "center.internal_call_started"

    call_id: str
    agent_id: str
    target: str


@attrs.frozen(kw_only=True)
class InternalCallEnded(Event):
    """An internal call ended."""

    kind: ClassVar[str] = "center.internal_call_ended"

    call_id: str
