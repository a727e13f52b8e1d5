"""The agent's and supervisor's desk in the centre, and the gates on it.

Recording, monitoring, internal calls, forwarding, agents' states overridden.

Theory of operation. The desk's state (each queue's recording policy, each
live call's recording and monitoring supervisors, each remote agent's
external number, the internal calls) lives beside the contacts and is a
section of a durable centre's checkpoint (the gate is the host's: it is
given again at a restart). Two places join the rest of the centre, both in
:meth:`_Desk._finish`, which every input ends with:

- a :class:`~callcore.center.Connect` of a voice call in a queue whose
  policy is ``ALWAYS`` starts its recording; a call that ended (wrap-up, or
  gone) stops its recording and drops its monitors;
- a :class:`~callcore.center.RingAgent` for an agent with an external number
  becomes a :class:`RingExternal`: the same offer, the same time-outs.

Gated inputs take ``by``, a :class:`~callcore.access.Principal`, and ask the
centre's gate (:attr:`_Desk.access`; the built-in roles unless the host sets
one) after the centre's own checks and before anything moves. An allowed
check's audit event is among the update's events; a refused one is
broadcast to ``callcore_domain_event`` and the error raised, nothing changed.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable
from datetime import datetime
from typing import TYPE_CHECKING, Any

import attrs

from callcore.access import AccessChecked, AccessDeniedError, Gate, Permission, Principal
from callcore.acd import NotReadyReason, Wallboard
from callcore.center._actions import Connect, RingAgent, RingExternal
from callcore.center._contact import Phase
from callcore.center._core import CenterUpdate, _Out
from callcore.center._desk_actions import (
    CallMonitored,
    EndMonitoring,
    InternalCall,
    InternalCallEnded,
    InternalCallStarted,
    MonitorCall,
    MonitoringEnded,
    MonitorMode,
    PauseRecording,
    RecordingChanged,
    RecordingPolicy,
    RecordingState,
    ResumeRecording,
    StartRecording,
    StopRecording,
)
from callcore.center._queueing import _Queueing
from callcore.checks import check_enum, check_instance, check_items, check_text
from callcore.contacts import AgentState, Channel
from callcore.customers import normalize_phone
from callcore.errors import (
    DocumentError,
    InvalidInputError,
    InvalidTransitionError,
    NotFoundError,
    Problem,
)
from callcore.ivr import Flow
from callcore.tickets import SYSTEM, Link, SlaPolicy, TicketEngine, Workflow

if TYPE_CHECKING:
    from callcore.center._contact import LiveContact

_MONITOR_PERMISSION = {
    MonitorMode.LISTEN: Permission.MONITOR_CALLS,
    MonitorMode.WHISPER: Permission.WHISPER,
    MonitorMode.BARGE: Permission.BARGE,
}
_OVERRIDES = (AgentState.AVAILABLE, AgentState.NOT_READY, AgentState.LOGGED_OUT)


@attrs.define
class _Recording:
    id: str
    state: RecordingState


@attrs.define
class _DeskState:
    gate: Gate = attrs.Factory(Gate)
    policies: dict[str, RecordingPolicy] = attrs.Factory(dict)
    recordings: dict[str, _Recording] = attrs.Factory(dict)
    """The current recording of each live call."""
    monitors: dict[str, dict[str, MonitorMode]] = attrs.Factory(dict)
    forwarding: dict[str, str] = attrs.Factory(dict)
    internal_calls: dict[str, InternalCall] = attrs.Factory(dict)


class _Desk(_Queueing):
    """The desk's inputs: recording, monitoring, internal calls, forwarding, overrides."""

    @property
    def _desk(self) -> _DeskState:
        """The desk's state, made on first use."""
        state: _DeskState | None = self.__dict__.get("_desk_state")
        if state is None:
            state = self.__dict__["_desk_state"] = _DeskState()
        return state

    # --- checkpoint ------------------------------------------------------------------------

    def _sections(self) -> dict[str, Any]:
        sections = super()._sections()
        desk = self._desk
        sections["desk"] = {
            "policies": {queue: policy.value for queue, policy in desk.policies.items()},
            "recordings": {
                call: {"id": recording.id, "state": recording.state.value}
                for call, recording in desk.recordings.items()
            },
            "monitors": {
                call: {supervisor: mode.value for supervisor, mode in modes.items()}
                for call, modes in desk.monitors.items()
            },
            "forwarding": dict(desk.forwarding),
            "internal_calls": {
                call_id: {"agent_id": call.agent_id, "target": call.target}
                for call_id, call in desk.internal_calls.items()
            },
        }
        return sections

    def _restore(self, saved: str) -> None:
        super()._restore(saved)
        data = self._saved_section("desk")
        if data is None:  # a checkpoint from before the desk was in it: nothing kept
            return
        text = functools.partial(check_text, what="sections.desk")  # as the desk took it in
        try:
            desk = _DeskState(
                gate=self._desk.gate,
                policies={
                    text(queue): RecordingPolicy(value) for queue, value in data["policies"].items()
                },
                recordings={
                    text(call): _Recording(text(item["id"]), RecordingState(item["state"]))
                    for call, item in data["recordings"].items()
                },
                monitors={
                    text(call): {text(who): MonitorMode(mode) for who, mode in modes.items()}
                    for call, modes in data["monitors"].items()
                },
                forwarding={
                    text(agent): text(number) for agent, number in data["forwarding"].items()
                },
                internal_calls={
                    text(call_id): InternalCall(
                        text(call_id), text(item["agent_id"]), text(item["target"])
                    )
                    for call_id, item in data["internal_calls"].items()
                },
            )
        except (KeyError, TypeError, ValueError, AttributeError) as error:
            raise DocumentError(
                [Problem("sections.desk", f"not the desk's state: {error!r}")], "centre checkpoint"
            ) from None
        self.__dict__["_desk_state"] = desk

    @property
    def access(self) -> Gate:
        """The gate of the centre's gated inputs (default: the built-in roles, in memory)."""
        return self._desk.gate

    @access.setter
    def access(self, gate: Gate) -> None:
        if not isinstance(gate, Gate):
            raise InvalidInputError(
                f"access must be a Gate, got {type(gate).__name__}", field="access"
            )
        self._desk.gate = gate

    def _gated(self, by: Principal, permission: str, target: str, now: datetime) -> AccessChecked:
        """Ask the gate; broadcast a refusal's audit event before raising it."""
        try:
            return self._desk.gate.check(by, permission, target, now=now)
        except AccessDeniedError as exc:
            self._quietly("callcore_domain_event", event=exc.event)
            raise

    def _voice_call(self, contact_id: str, what: str) -> LiveContact:
        live = self._in_phase(contact_id, Phase.CONNECTED, what)
        if live.channel is not Channel.VOICE:
            raise InvalidTransitionError(
                live.phase.value, what, f"a {live.channel.value} contact has no call to {what}"
            )
        return live

    # --- recording -------------------------------------------------------------------

    def recording_policy(self, queue: str) -> RecordingPolicy:
        """The recording policy of ``queue`` (``ON_DEMAND`` unless set).

        Raises:
            NotFoundError: No such queue.
        """
        with self._lock:
            return self._desk.policies.get(self._known_queue(queue), RecordingPolicy.ON_DEMAND)

    def _known_queue(self, queue: str) -> str:
        check_text(queue, "queue")
        if queue not in self._queue_names:
            raise NotFoundError("queue", queue)
        return queue

    def set_recording_policy(
        self,
        queue: str,
        policy: RecordingPolicy,
        *,
        by: Principal,
        now: datetime | None = None,
    ) -> CenterUpdate:
        """Set whether ``queue``'s calls are recorded (gated: ``config.queues``).

        Calls already connected keep their recording; the policy applies from
        the next answer.

        Raises:
            NotFoundError: No such queue.
            AccessDeniedError: ``by`` may not change queues (audited).
        """
        with self._lock:
            now = self._time(now)
            self._known_queue(queue)
            check_enum(policy, RecordingPolicy, "policy")
            out = _Out()
            out.events.append(self._gated(by, Permission.CHANGE_QUEUES, f"queue:{queue}", now))
            self._desk.policies[queue] = policy
            return self._finish(now, out)

    def recording_of(self, contact_id: str) -> tuple[str, RecordingState] | None:
        """The live call's current recording, as (reference, state), or ``None``."""
        with self._lock:
            recording = self._desk.recordings.get(check_text(contact_id, "contact_id"))
            return None if recording is None else (recording.id, recording.state)

    def start_recording(self, contact_id: str, *, now: datetime | None = None) -> CenterUpdate:
        """Start recording a connected call (the agent's button, or the ``ALWAYS`` policy).

        The recording's reference is kept on the contact's ticket as a
        ``recording`` link (so the customer's data export lists it).

        Raises:
            InvalidTransitionError: The call is not connected, is being
                recorded, or its queue's policy is ``NEVER``.
        """
        with self._lock:
            now = self._time(now)
            live = self._voice_call(contact_id, "start recording")
            current = self._desk.recordings.get(contact_id)
            if current is not None and current.state is not RecordingState.STOPPED:
                raise InvalidTransitionError(
                    current.state.value, "start recording", "the call is being recorded already"
                )
            if self._policy_of(live) is RecordingPolicy.NEVER:
                raise InvalidTransitionError(
                    "connected", "start recording", f"queue {live.queue!r} records no call"
                )
            out = _Out()
            self._start(live, now, out)
            return self._finish(now, out)

    def _policy_of(self, live: LiveContact) -> RecordingPolicy:
        if live.queue is None:
            return RecordingPolicy.ON_DEMAND
        return self._desk.policies.get(live.queue, RecordingPolicy.ON_DEMAND)

    def _start(self, live: LiveContact, now: datetime, out: _Out) -> None:
        recording = _Recording(self._id_factory(), RecordingState.RECORDING)
        self._desk.recordings[live.contact_id] = recording
        out.actions.append(StartRecording(live.contact_id, recording.id))
        out.events.append(
            RecordingChanged(
                at=now,
                contact_id=live.contact_id,
                recording_id=recording.id,
                state=RecordingState.RECORDING,
            )
        )
        if live.ticket_id is not None:
            ticket = self._ticket(live.ticket_id)
            link = Link("recording", recording.id)
            self._keep_ticket(
                self.tickets.update(ticket, by=SYSTEM, now=now, links=[link]), now, out
            )

    def _recording(self, contact_id: str, state: RecordingState, what: str) -> _Recording:
        self._voice_call(contact_id, what)
        recording = self._desk.recordings.get(contact_id)
        if recording is None or recording.state is not state:
            shown = "not recorded" if recording is None else recording.state.value
            raise InvalidTransitionError(shown, what, f"the recording must be {state.value}")
        return recording

    def pause_recording(
        self, contact_id: str, *, reason: str = "payment", now: datetime | None = None
    ) -> CenterUpdate:
        """Pause the call's recording (a payment card is read out): nothing is recorded meanwhile.

        Raises:
            InvalidTransitionError: The call is not being recorded.
        """
        with self._lock:
            now = self._time(now)
            check_text(reason, "reason")
            recording = self._recording(contact_id, RecordingState.RECORDING, "pause recording")
            out = _Out()
            recording.state = RecordingState.PAUSED
            out.actions.append(PauseRecording(contact_id, recording.id, reason))
            out.events.append(self._changed(contact_id, recording, now, reason))
            return self._finish(now, out)

    def resume_recording(self, contact_id: str, *, now: datetime | None = None) -> CenterUpdate:
        """Record again after a pause.

        Raises:
            InvalidTransitionError: The recording is not paused.
        """
        with self._lock:
            now = self._time(now)
            recording = self._recording(contact_id, RecordingState.PAUSED, "resume recording")
            out = _Out()
            recording.state = RecordingState.RECORDING
            out.actions.append(ResumeRecording(contact_id, recording.id))
            out.events.append(self._changed(contact_id, recording, now, ""))
            return self._finish(now, out)

    def stop_recording(self, contact_id: str, *, now: datetime | None = None) -> CenterUpdate:
        """Stop the call's recording.

        Raises:
            InvalidTransitionError: Nothing is recorded, or the queue's policy
                is ``ALWAYS`` (pause instead).
        """
        with self._lock:
            now = self._time(now)
            live = self._voice_call(contact_id, "stop recording")
            recording = self._desk.recordings.get(contact_id)
            if recording is None or recording.state is RecordingState.STOPPED:
                raise InvalidTransitionError(
                    "not recorded", "stop recording", "the call is not being recorded"
                )
            if self._policy_of(live) is RecordingPolicy.ALWAYS:
                raise InvalidTransitionError(
                    recording.state.value,
                    "stop recording",
                    f"queue {live.queue!r} records every call; pause the recording instead",
                )
            out = _Out()
            self._stop(contact_id, recording, now, out, "")
            return self._finish(now, out)

    def _stop(
        self, contact_id: str, recording: _Recording, now: datetime, out: _Out, reason: str
    ) -> None:
        recording.state = RecordingState.STOPPED
        out.actions.append(StopRecording(contact_id, recording.id))
        out.events.append(self._changed(contact_id, recording, now, reason))

    @staticmethod
    def _changed(
        contact_id: str, recording: _Recording, now: datetime, reason: str
    ) -> RecordingChanged:
        return RecordingChanged(
            at=now,
            contact_id=contact_id,
            recording_id=recording.id,
            state=recording.state,
            reason=reason,
        )

    def listen_to_recording(
        self, recording_id: str, *, by: Principal, now: datetime | None = None
    ) -> AccessChecked:
        """Allow ``by`` to listen to a recording (gated: ``recordings.listen``), audited.

        The audio is the telephony provider's: the host plays it once this
        returns the allowed audit event (which it also broadcasts).

        Raises:
            AccessDeniedError: ``by`` may not listen (audited).
        """
        with self._lock:
            now = self._time(now)
            check_text(recording_id, "recording_id")
            allowed = self._gated(
                by, Permission.LISTEN_RECORDINGS, f"recording:{recording_id}", now
            )
            self._finish(now, _Out(events=[allowed]))
            return allowed

    # --- monitoring ------------------------------------------------------------------

    def monitor_call(
        self,
        contact_id: str,
        mode: MonitorMode = MonitorMode.LISTEN,
        *,
        by: Principal,
        now: datetime | None = None,
    ) -> CenterUpdate:
        """A supervisor joins a live call to listen, whisper to the agent or barge in.

        Gated by mode: ``calls.monitor``, ``calls.whisper``, ``calls.barge``.
        A supervisor already on the call changes mode.

        Raises:
            InvalidTransitionError: The call is not connected to an agent.
            AccessDeniedError: ``by`` may not (audited).
        """
        with self._lock:
            now = self._time(now)
            check_enum(mode, MonitorMode, "mode")
            live = self._voice_call(contact_id, "monitor")
            agent = live.agent or ""
            out = _Out()
            out.events.append(
                self._gated(by, _MONITOR_PERMISSION[mode], f"contact:{contact_id}", now)
            )
            self._desk.monitors.setdefault(contact_id, {})[by.id] = mode
            out.actions.append(MonitorCall(contact_id, by.id, agent, mode))
            out.events.append(
                CallMonitored(
                    at=now, contact_id=contact_id, supervisor_id=by.id, agent_id=agent, mode=mode
                )
            )
            return self._finish(now, out)

    def end_monitoring(
        self, contact_id: str, supervisor_id: str, *, now: datetime | None = None
    ) -> CenterUpdate:
        """The supervisor leaves the call.

        Raises:
            InvalidTransitionError: The supervisor is not on the call.
        """
        with self._lock:
            now = self._time(now)
            check_text(contact_id, "contact_id")
            check_text(supervisor_id, "supervisor_id")
            if supervisor_id not in self._desk.monitors.get(contact_id, {}):
                raise InvalidTransitionError(
                    "not monitoring", "end monitoring", f"{supervisor_id!r} is not on the call"
                )
            out = _Out()
            self._unmonitor(contact_id, supervisor_id, now, out)
            return self._finish(now, out)

    def monitors_of(self, contact_id: str) -> dict[str, MonitorMode]:
        """The supervisors on a live call and how each listens."""
        with self._lock:
            return dict(self._desk.monitors.get(check_text(contact_id, "contact_id"), {}))

    def _unmonitor(self, contact_id: str, supervisor_id: str, now: datetime, out: _Out) -> None:
        monitors = self._desk.monitors[contact_id]
        del monitors[supervisor_id]
        if not monitors:
            del self._desk.monitors[contact_id]
        out.actions.append(EndMonitoring(contact_id, supervisor_id))
        out.events.append(
            MonitoringEnded(at=now, contact_id=contact_id, supervisor_id=supervisor_id)
        )

    # --- agents: overrides, internal calls, forwarding ---------------------------------

    def override_agent_state(
        self,
        agent_id: str,
        state: AgentState,
        *,
        by: Principal,
        reason: NotReadyReason = NotReadyReason.OTHER,
        now: datetime | None = None,
    ) -> CenterUpdate:
        """A supervisor sets another agent's state: available, not ready or logged out.

        Gated: ``agents.override_state``. The router may still refuse the
        change (an agent on a call is not made available); then nothing
        changes, though the allowed check was audited.

        Raises:
            NotFoundError: No such agent.
            InvalidInputError: A state other than the three.
            AccessDeniedError: ``by`` may not (audited).
        """
        with self._lock:
            now = self._time(now)
            check_enum(state, AgentState, "state")
            if state not in _OVERRIDES:
                raise InvalidInputError(
                    "state must be available, not_ready or logged_out", field="state"
                )
            check_enum(reason, NotReadyReason, "reason")
            self.router.agent(check_text(agent_id, "agent_id"))  # NotFoundError
            allowed = self._gated(by, Permission.OVERRIDE_AGENT_STATE, f"agent:{agent_id}", now)
            if state is AgentState.AVAILABLE:
                update = self.router.set_ready(agent_id, now=now)
            elif state is AgentState.NOT_READY:
                update = self.router.set_not_ready(agent_id, reason, now=now)
            else:
                update = self.router.log_out(agent_id, now=now)
            out = _Out(events=[allowed])
            self._absorb_router(update, out)
            return self._finish(now, out)

    def agent_called(
        self, agent_id: str, target: str, *, call_id: str | None = None, now: datetime | None = None
    ) -> CenterUpdate:
        """An agent calls a colleague (an agent or a supervisor) inside the centre.

        The router's states do not change: a host that wants the agents busy
        meanwhile sets them not ready.

        Raises:
            NotFoundError: The caller is unknown, or the target is neither an
                agent of the router nor a known agent profile.
            InvalidTransitionError: The caller is logged out.
            InvalidInputError: An agent calls themselves, or the call id is taken.
        """
        with self._lock:
            now = self._time(now)
            self._logged_in(agent_id, "call a colleague")
            check_text(target, "target")
            if target not in self.agents and target not in self.router.agent_ids():
                raise NotFoundError("agent or supervisor", target)
            if target == agent_id:
                raise InvalidInputError("an agent cannot call themselves", field="target")
            if call_id is not None:
                check_text(call_id, "call_id")
                if call_id in self._desk.internal_calls or call_id in self._contacts:
                    raise InvalidInputError(f"call id {call_id!r} is taken", field="call_id")
            call = InternalCall(call_id or self._id_factory(), agent_id, target)
            self._desk.internal_calls[call.call_id] = call
            out = _Out(actions=[call])
            out.events.append(
                InternalCallStarted(at=now, call_id=call.call_id, agent_id=agent_id, target=target)
            )
            return self._finish(now, out)

    def internal_call_ended(self, call_id: str, *, now: datetime | None = None) -> CenterUpdate:
        """An internal call ended.

        Raises:
            NotFoundError: No such internal call.
        """
        with self._lock:
            now = self._time(now)
            if self._desk.internal_calls.pop(check_text(call_id, "call_id"), None) is None:
                raise NotFoundError("internal call", call_id)
            return self._finish(now, _Out(events=[InternalCallEnded(at=now, call_id=call_id)]))

    def agent_forwarding(
        self, agent_id: str, number: str | None, *, now: datetime | None = None
    ) -> CenterUpdate:
        """Offer a remote agent's contacts on an external number (``None``: the desktop again).

        Offers then come as :class:`RingExternal` (the same offer, with the same
        time-outs) until the agent logs out or forwarding is turned off.

        Raises:
            NotFoundError: No such agent.
            InvalidTransitionError: The agent is logged out.
            InvalidIdentityError: The number is not a phone number.
        """
        with self._lock:
            now = self._time(now)
            self._logged_in(agent_id, "forward offers")
            if number is None:
                self._desk.forwarding.pop(agent_id, None)
            else:
                self._desk.forwarding[agent_id] = normalize_phone(
                    check_text(number, "number"), self._country_code
                )
            return self._finish(now, _Out())

    def _logged_in(self, agent_id: str, what: str) -> None:
        """Refuse an unknown agent (NotFoundError) or one logged out."""
        state = self.router.agent(check_text(agent_id, "agent_id")).state
        if state is AgentState.LOGGED_OUT:
            raise InvalidTransitionError(state.value, what, f"agent {agent_id!r} is logged out")

    def forwarding_of(self, agent_id: str) -> str | None:
        """The external number a remote agent is offered contacts on, or ``None``."""
        with self._lock:
            return self._desk.forwarding.get(check_text(agent_id, "agent_id"))

    # --- configuration: flows, workflows, SLA policies ----------------------------------

    def change_flow(
        self, dialled: str, flow: Flow, *, by: Principal, now: datetime | None = None
    ) -> CenterUpdate:
        """Answer calls to ``dialled`` (``"*"``: every other number) with ``flow`` from now on.

        Gated: ``config.flows``. Calls already in the IVR finish in the flow
        they started in.

        Raises:
            DocumentError: The flow names a queue the centre does not have.
            AccessDeniedError: ``by`` may not (audited).
        """
        with self._lock:
            now = self._time(now)
            ((key, checked),) = self._check_flows({dialled: flow}).items()
            out = _Out(events=[self._gated(by, Permission.CHANGE_FLOWS, f"flow:{key}", now)])
            self._flows[key] = checked
            return self._finish(now, out)

    def change_workflow(
        self, workflow: Workflow, *, by: Principal, now: datetime | None = None
    ) -> CenterUpdate:
        """Add a ticket workflow, or replace the one of the same name (gated: ``config.workflows``).

        Raises:
            DocumentError: The workflow is invalid (every problem listed).
            AccessDeniedError: ``by`` may not (audited).
        """
        with self._lock:
            now = self._time(now)
            check_instance(workflow, Workflow, "workflow")
            engine = self._ticket_engine(
                workflows={**self.tickets.workflows, workflow.name: workflow}
            )
            target = f"workflow:{workflow.name}"
            out = _Out(events=[self._gated(by, Permission.CHANGE_WORKFLOWS, target, now)])
            self.tickets = engine
            return self._finish(now, out)

    def change_sla_policies(
        self, policies: Iterable[SlaPolicy], *, by: Principal, now: datetime | None = None
    ) -> CenterUpdate:
        """Replace the SLA policies (gated: ``config.sla_policies``).

        Tickets keep the time their clocks have run; each is measured against
        the new policies from its next change.

        Raises:
            DocumentError: A policy is invalid (names an unknown calendar...).
            AccessDeniedError: ``by`` may not (audited).
        """
        with self._lock:
            now = self._time(now)
            checked = check_items(policies, SlaPolicy, "policies")
            engine = self._ticket_engine(
                settings=attrs.evolve(self.tickets.settings, sla_policies=checked)
            )
            out = _Out(
                events=[self._gated(by, Permission.CHANGE_SLA_POLICIES, "sla_policies", now)]
            )
            self.tickets = engine
            return self._finish(now, out)

    def _ticket_engine(self, **changes: Any) -> TicketEngine:  # noqa: ANN401 - the engine's arguments
        """A ticket engine like the centre's with ``changes``: checked in full before any swap."""
        current = self.tickets
        arguments: dict[str, Any] = {
            "settings": current.settings,
            "workflows": dict(current.workflows),
            "calendars": current.calendars,
            "id_factory": current.id_factory,
            "default_workflow": current.default_workflow,
            "access": current.access,
        }
        return TicketEngine(**(arguments | changes))

    # --- the supervisor's view ---------------------------------------------------------

    def wallboard(self, *, now: datetime | None = None) -> Wallboard:
        """The real-time queue and agent figures (the router's wallboard), read under the lock.

        A pure query: the timers due by ``now`` have not run (call
        :meth:`run_due` first to have them run).
        """
        with self._lock:
            return self.router.wallboard(now=self._time(now))

    # --- the end of every input ---------------------------------------------------------

    def _finish(self, now: datetime, out: _Out) -> CenterUpdate:
        """Start and stop recordings, drop monitors, forward offers; then finish as ever."""
        desk = self._desk
        if desk.policies or desk.recordings or desk.monitors or desk.forwarding:
            self._desk_follow(now, out)
        return super()._finish(now, out)

    def _desk_follow(self, now: datetime, out: _Out) -> None:
        desk = self._desk
        if desk.forwarding:
            self._forward(out)
        for action in list(out.actions):
            if isinstance(action, Connect) and action.channel is Channel.VOICE:
                self._record_always(action.contact_id, now, out)
        for contact_id in [c for c in desk.recordings if self._call_over(c)]:
            recording = desk.recordings.pop(contact_id)
            if recording.state is not RecordingState.STOPPED:
                self._stop(contact_id, recording, now, out, "call_ended")
        for contact_id in [c for c in desk.monitors if self._call_over(c)]:
            for supervisor_id in list(desk.monitors[contact_id]):
                self._unmonitor(contact_id, supervisor_id, now, out)
        for agent_id in [
            a for a in desk.forwarding if self.router.agent(a).state is AgentState.LOGGED_OUT
        ]:
            del desk.forwarding[agent_id]  # logged out: forwarding ends with the session

    def _forward(self, out: _Out) -> None:
        """Ring remote agents on their external numbers: the same offers, the same time-outs."""
        for index, action in enumerate(out.actions):
            if isinstance(action, RingAgent) and not isinstance(action, RingExternal):
                number = self._desk.forwarding.get(action.offer.agent_id)
                if number is not None:
                    out.actions[index] = RingExternal(
                        action.offer, number, variables=action.variables
                    )

    def _record_always(self, contact_id: str, now: datetime, out: _Out) -> None:
        """Start recording a call just connected in a queue that records every call."""
        live = self._contacts.get(contact_id)
        current = self._desk.recordings.get(contact_id)
        if (
            live is not None
            and self._policy_of(live) is RecordingPolicy.ALWAYS
            and (current is None or current.state is RecordingState.STOPPED)
        ):
            self._start(live, now, out)

    def _call_over(self, contact_id: str) -> bool:
        live = self._contacts.get(contact_id)
        return live is None or live.phase is Phase.WRAP_UP
