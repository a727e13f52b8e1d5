"""Outbound campaigns in the centre: paced by the router's agents, answered calls to its queues.

The centre owns its :class:`~callcore.campaigns.Campaign` engines
(:meth:`_Campaigns.add_campaign`). After every accepted input (an agent who
frees up, a call that ends) and at :meth:`~callcore.center.ContactCenter.run_due`
each campaign is paced with the ready and busy agents of its queue, as the
router counts them. The campaign's actions go to the host as
:class:`~callcore.center.CampaignCall` (through ``callcore_telephony``): dial
a number, show a preview (to an agent the centre holds not ready meanwhile),
run an agentless flow (the centre runs it when it has a flow of that id),
play the information message;
the telephony's answer comes back with :meth:`_Campaigns.campaign_call_result`.
A live answer (:class:`~callcore.campaigns.EnqueueCall`) becomes a contact of
the centre, outbound, queued in the campaign's queue with its skills: the same
router, offers, screen pop (the contact's attributes), handling and wrap-up as
an inbound call; the agent's acceptance is reported to the campaign, and the
host gives the call's verdict with :meth:`_Campaigns.campaign_call_finished`.
An answered call no agent takes in time is withdrawn from the queue (an
abandon) while the host plays the information message.

KPI records: an attempt that became a centre contact is counted once, by the
centre, when the contact completes; every other attempt (no answer, busy,
machine, network failure, agentless) is counted from its
:class:`~callcore.campaigns.AttemptRecord` (``interaction_fields()``).
The campaigns (settings and state) are the ``campaigns`` section of the
centre's checkpoint.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from callcore.acd import AgentState, NotReadyReason
from callcore.campaigns import (
    AttemptEnded,
    CallResult,
    Campaign,
    CampaignSettings,
    CampaignUpdate,
    DialContact,
    DialingMode,
    EnqueueCall,
    PlayInformationMessage,
    PreviewContact,
    RunFlow,
)
from callcore.center._actions import CampaignCall
from callcore.center._contact import LiveContact, Phase
from callcore.center._core import CenterUpdate, _Out
from callcore.center._handling import _Handling
from callcore.center._voice import _Voice, caller_data
from callcore.checks import check_enum, check_instance, check_text
from callcore.contacts import Channel, ContactOutcome, Direction
from callcore.errors import (
    ConflictError,
    DocumentError,
    InvalidInputError,
    NotFoundError,
    Problem,
)
from callcore.ivr import Flow, IvrSession
from callcore.kpi import InteractionRecord
from callcore.serialization import from_dict, to_dict

__all__ = ["CAMPAIGNS_CHECKPOINT", "FLOW_CONVERTED", "FLOW_DO_NOT_CALL", "FLOW_RIGHT_PARTY"]

FLOW_RIGHT_PARTY = "right_party"
"""The agentless flow's variable for the verdict: ``false`` when the wrong person answered."""
FLOW_CONVERTED = "converted"
"""The agentless flow's variable for the verdict: ``true`` when the campaign's goal was met."""
FLOW_DO_NOT_CALL = "do_not_call"
"""The agentless flow's variable for the verdict: ``true``: the person asked not to be called."""

CAMPAIGNS_CHECKPOINT = "center.campaigns"
"""The name under which the campaigns were saved beside the centre's checkpoint
before they became a section of it (still read from such a store)."""


class _Campaigns(_Voice, _Handling):
    """Campaigns owned by the centre: pacing, their calls through the router, their records."""

    def __init__(self, **kwargs: Any) -> None:  # noqa: ANN401 - the centre's arguments, as they are
        """Build the centre with no campaign (a restart reads them back)."""
        self.campaigns: dict[str, Campaign] = {}
        self._attempt_campaign: dict[str, str] = {}  # attempt id -> campaign name
        self._attempt_number: dict[str, str] = {}  # attempt id -> the number dialed
        self._centre_attempts: set[str] = set()  # attempts that became a contact of the centre
        self._previewing: dict[str, list[str]] = {}  # agent -> [campaign, contact] shown
        self._preview_calls: dict[str, str] = {}  # attempt id -> the previewing agent on it
        super().__init__(**kwargs)

    # --- checkpoint ------------------------------------------------------------------------

    def _restore(self, saved: str) -> None:
        super()._restore(saved)
        data = self._saved_section("campaigns", CAMPAIGNS_CHECKPOINT)
        if data is None:
            return
        try:
            for item in data["campaigns"]:
                settings = from_dict(CampaignSettings, item["settings"], what="campaign settings")
                campaign = Campaign.restore(settings, item["state"], id_factory=self._id_factory)
                self.campaigns[settings.name] = campaign
            self._attempt_campaign = {str(k): str(v) for k, v in data["attempts"].items()}
            self._attempt_number = {str(k): str(v) for k, v in data["numbers"].items()}
            self._centre_attempts = {str(item) for item in data["centre_attempts"]}
            self._previewing = {
                str(k): [str(v[0]), str(v[1])] for k, v in data.get("previewing", {}).items()
            }
            self._preview_calls = {str(k): str(v) for k, v in data.get("preview_calls", {}).items()}
        except (KeyError, TypeError, ValueError) as error:
            raise DocumentError(
                [Problem("", f"not a campaigns checkpoint: {error}")], "campaigns checkpoint"
            ) from None

    def _sections(self) -> dict[str, Any]:
        sections = super()._sections()
        sections["campaigns"] = {
            "campaigns": [
                {"settings": to_dict(campaign.settings), "state": campaign.snapshot()}
                for campaign in self.campaigns.values()
            ],
            "attempts": dict(self._attempt_campaign),
            "numbers": dict(self._attempt_number),
            "centre_attempts": sorted(self._centre_attempts),
            "previewing": {agent: list(shown) for agent, shown in self._previewing.items()},
            "preview_calls": dict(self._preview_calls),
        }
        return sections

    # --- inputs ------------------------------------------------------------------------------

    def add_campaign(self, campaign: Campaign, *, now: datetime | None = None) -> CenterUpdate:
        """Take a campaign (its contacts added, or to be added through :attr:`campaigns`).

        It is paced at once (and after every later input) with the agents of its queue.

        Raises:
            InvalidInputError: ``campaign`` is not a :class:`~callcore.campaigns.Campaign`.
            ConflictError: A campaign of that name is in the centre already.
            NotFoundError: Its queue is not one of the router's (agentless campaigns need none).
        """
        with self._lock:
            now = self._time(now)
            check_instance(campaign, Campaign, "campaign")
            settings = campaign.settings
            if settings.name in self.campaigns:
                raise ConflictError("campaign", settings.name, reason="the centre has it already")
            if settings.queue and settings.queue not in self._queue_names:
                raise NotFoundError("queue", settings.queue)
            self.campaigns[settings.name] = campaign
            return self._finish(now, _Out())

    def campaign_call_result(
        self, attempt_id: str, result: CallResult, *, now: datetime | None = None
    ) -> CenterUpdate:
        """The telephony provider says what became of a dialed call.

        A live answer of a progressive or predictive campaign is queued for an
        agent in the campaign's queue; agentless, the host runs the flow it is
        given (a :class:`CampaignCall` of :class:`~callcore.campaigns.RunFlow`).

        Raises:
            NotFoundError: No campaign dialed this attempt.
            InvalidTransitionError: The attempt is not ringing.
            InvalidInputError: ``result`` is not a :class:`~callcore.campaigns.CallResult`.
        """
        with self._lock:
            now = self._time(now)
            check_enum(result, CallResult, "result")
            campaign = self._campaign_of(attempt_id)
            out = _Out()
            update = campaign.call_result(attempt_id, result, now=now)
            self._absorb_campaign(campaign, update, now, out)
            return self._finish(now, out)

    def campaign_preview_accepted(
        self, campaign: str, contact_id: str, agent_id: str, *, now: datetime | None = None
    ) -> CenterUpdate:
        """The agent shown a preview starts the call: the campaign dials, the agent on the line.

        The agent the centre showed the record to stays not ready through the
        call, until the attempt ends.

        Raises:
            NotFoundError: No such campaign or contact.
            InvalidTransitionError: The contact is not being previewed.
            InvalidInputError: The record was shown to another agent.
        """
        with self._lock:
            now = self._time(now)
            check_text(agent_id, "agent_id")
            engine = self._named(campaign)
            holder = self._preview_holder(campaign, contact_id)
            if holder not in {None, agent_id}:
                raise InvalidInputError(
                    f"the record was shown to agent {holder!r}", field="agent_id"
                )
            update = engine.accept_preview(contact_id, now=now, agent=agent_id)
            if holder is not None:  # held on: busy with this call until its attempt ends
                del self._previewing[holder]
                for action in update.actions:
                    if isinstance(action, DialContact):
                        self._preview_calls[action.attempt_id] = holder
            out = _Out()
            self._absorb_campaign(engine, update, now, out)
            return self._finish(now, out)

    def campaign_preview_skipped(
        self, campaign: str, contact_id: str, *, now: datetime | None = None
    ) -> CenterUpdate:
        """The agent passes on a preview (no attempt counted).

        Raises:
            NotFoundError: No such campaign or contact.
            InvalidTransitionError: The contact is not being previewed.
        """
        with self._lock:
            now = self._time(now)
            engine = self._named(campaign)
            holder = self._preview_holder(campaign, contact_id)
            out = _Out()
            self._absorb_campaign(engine, engine.skip_preview(contact_id, now=now), now, out)
            if holder is not None:
                del self._previewing[holder]
                self._release_agent(holder, now, out)
            return self._finish(now, out)

    def campaign_call_finished(
        self,
        attempt_id: str,
        *,
        right_party: bool = True,
        converted: bool = False,
        do_not_call: bool = False,
        callback_at: datetime | None = None,
        now: datetime | None = None,
    ) -> CenterUpdate:
        """A connected campaign call is over: the agent's (or the flow's) verdict.

        Call it once the call has ended (after the agent's wrap-up, or when the
        agentless flow is done); it sets the contact's disposition, a retry or
        a callback (:meth:`callcore.campaigns.Campaign.finish`).

        Raises:
            NotFoundError: No campaign dialed this attempt.
            InvalidTransitionError: The call is not connected to an agent or flow.
            InvalidInputError: A field is wrong (naming it).
        """
        with self._lock:
            now = self._time(now)
            campaign = self._campaign_of(attempt_id)
            update = campaign.finish(
                attempt_id,
                now=now,
                right_party=right_party,
                converted=converted,
                do_not_call=do_not_call,
                callback_at=callback_at,
            )
            out = _Out()
            self._absorb_campaign(campaign, update, now, out)
            return self._finish(now, out)

    # --- the router's side ------------------------------------------------------------------

    def agent_accepted(
        self, contact_id: str, agent_id: str, *, now: datetime | None = None
    ) -> CenterUpdate:
        """As :meth:`_Handling.agent_accepted`; a campaign's call is reported connected to it."""
        with self._lock:
            update = super().agent_accepted(contact_id, agent_id, now=now)
            name = self._attempt_campaign.get(contact_id)
            campaign = None if name is None else self.campaigns.get(name)
            if campaign is None:
                return update
            done = self._last
            assert done is not None  # noqa: S101 - the accepted input set it
            connected = campaign.connected(contact_id, now=done, agent=agent_id)
            out = _Out()
            self._absorb_campaign(campaign, connected, done, out)
            extra = self._finish(done, out)
            return CenterUpdate(
                events=(*update.events, *extra.events), actions=(*update.actions, *extra.actions)
            )

    # --- pacing and timers -----------------------------------------------------------------

    def _finish(self, now: datetime, out: _Out) -> CenterUpdate:
        """Pace every campaign against the agents free now, then end the input as usual."""
        for agent_id, (name, contact_id) in list(self._previewing.items()):
            campaign = self.campaigns.get(name)
            if campaign is None or campaign.contact_state(contact_id) != "previewing":
                del self._previewing[agent_id]  # stopped or suppressed meanwhile: free the agent
                self._release_agent(agent_id, now, out)
        for campaign in self.campaigns.values():
            self._absorb_campaign(campaign, self._pace(campaign, now), now, out)
        return super()._finish(now, out)

    def _pace(self, campaign: Campaign, now: datetime) -> CampaignUpdate:
        queue = campaign.settings.queue
        if not queue:
            return campaign.pace(now=now, agents_ready=0)
        board = self.router.queue_board(queue, now=now)
        return campaign.pace(
            now=now, agents_ready=board.available, agents_busy=board.busy + board.wrap_up
        )

    def _campaigns_next_deadline(self) -> datetime | None:
        times = [campaign.next_deadline() for campaign in self.campaigns.values()]
        present = [time for time in times if time is not None]
        return min(present) if present else None

    def _run_campaigns_due(self, now: datetime, out: _Out) -> None:
        """Abandons and due contacts of every campaign (pacing follows in ``_finish``)."""
        for campaign in self.campaigns.values():
            self._absorb_campaign(campaign, campaign.advance(now=now), now, out)

    # --- a campaign's actions and records -----------------------------------------------------

    def _absorb_campaign(
        self, campaign: Campaign, update: CampaignUpdate, now: datetime, out: _Out
    ) -> None:
        out.events.extend(update.events)
        name = campaign.settings.name
        for event in update.events:
            if isinstance(event, AttemptEnded):
                self._attempt_ended(event, now, out)
        for action in update.actions:
            if isinstance(action, DialContact):
                self._attempt_campaign[action.attempt_id] = name
                self._attempt_number[action.attempt_id] = action.contact.number
            if isinstance(action, EnqueueCall):
                self._queue_answered(campaign, action, now, out)
                continue
            if isinstance(action, RunFlow) and (flow := self._campaign_flow(action.flow)):
                self._run_flow(campaign, action, flow, now, out)
                continue
            if isinstance(action, PreviewContact):
                agent = self._hold_for_preview(name, action, now, out)
                out.actions.append(CampaignCall(name, action, agent))
                continue
            if isinstance(action, PlayInformationMessage) and action.attempt_id in self._contacts:
                live = self._contacts[action.attempt_id]
                if live.phase is Phase.QUEUED:  # withdrawn: counted as the centre's abandon
                    self._absorb_router(self.router.abandon(live.contact_id, now=now), out)
            out.actions.append(CampaignCall(name, action))

    def _outbound_contact(
        self, campaign: Campaign, attempt_id: str, now: datetime, out: _Out
    ) -> LiveContact:
        """A person answered: the call becomes an outbound contact of the centre."""
        number = self._attempt_number[attempt_id]
        self._centre_attempts.add(attempt_id)
        try:
            identity = self._identity(number, "number")
        except InvalidInputError:
            identity = None  # a number the customer directory cannot read: a customer of its own
        live = self._arrive(
            attempt_id, Channel.VOICE, identity, number, now, out, Direction.OUTBOUND
        )
        live.subject = f"call to {live.address} ({campaign.settings.name})"
        return live

    def _attempt_ended(self, event: AttemptEnded, now: datetime, out: _Out) -> None:
        """Forget the attempt, free its preview agent, count it (unless the centre did)."""
        attempt = event.record.attempt_id
        self._attempt_campaign.pop(attempt, None)
        self._attempt_number.pop(attempt, None)
        holder = self._preview_calls.pop(attempt, None)
        if holder is not None:
            self._release_agent(holder, now, out)
        if attempt in self._centre_attempts:
            self._centre_attempts.discard(attempt)  # counted when the contact completed
        else:
            self.aggregator.add(InteractionRecord(**event.record.interaction_fields()))

    def _queue_answered(
        self, campaign: Campaign, action: EnqueueCall, now: datetime, out: _Out
    ) -> None:
        """A person answered: the call, an outbound contact, waits in the campaign's queue."""
        live = self._outbound_contact(campaign, action.attempt_id, now, out)
        live.variables = {**dict(action.variables), "campaign": campaign.settings.name}
        self._enqueue(
            live,
            action.queue,
            now,
            out,
            priority=action.priority,
            skills=dict(action.skills),
            language=action.language,
        )

    # --- agentless: the centre runs the flow ----------------------------------------------

    def _campaign_flow(self, name: str) -> Flow | None:
        """The centre's flow whose id is ``name`` (``None``: the host runs it)."""
        for flow in self._flows.values():
            if flow.id == name:
                return flow
        return None

    def _run_flow(
        self, campaign: Campaign, action: RunFlow, flow: Flow, now: datetime, out: _Out
    ) -> None:
        """Agentless: the answered call runs the campaign's IVR flow, as an inbound call would."""
        live = self._outbound_contact(campaign, action.attempt_id, now, out)
        live.session = IvrSession(flow, subflows=self._subflows, calendars=self._calendars)
        update = live.session.start(
            now=now,
            caller=caller_data(live),
            call={
                "ani": live.address,
                "dnis": live.address,
                "contact_id": live.contact_id,
                "campaign": campaign.settings.name,
            },
            variables=dict(action.variables),
        )
        self._absorb_ivr(live, update, now, out)

    def _complete(
        self,
        live: LiveContact,
        outcome: ContactOutcome,
        now: datetime,
        out: _Out,
        *,
        resolved: bool | None = None,
        notes: str = "",
    ) -> None:
        """As the centre completes a contact; an agentless flow's call gives its verdict."""
        super()._complete(live, outcome, now, out, resolved=resolved, notes=notes)
        name = self._attempt_campaign.get(live.contact_id)
        campaign = None if name is None else self.campaigns.get(name)
        if campaign is None or campaign.settings.mode is not DialingMode.AGENTLESS:
            return
        values = live.session.variables if live.session is not None else live.variables
        right_party = values.get(FLOW_RIGHT_PARTY, True) is not False
        converted = right_party and values.get(FLOW_CONVERTED) is True
        update = campaign.finish(
            live.contact_id,
            now=now,
            right_party=right_party,
            converted=converted,
            do_not_call=values.get(FLOW_DO_NOT_CALL) is True,
        )
        self._absorb_campaign(campaign, update, now, out)

    # --- preview: the agent held while they read the record ---------------------------------

    def _hold_for_preview(
        self, campaign: str, action: PreviewContact, now: datetime, out: _Out
    ) -> str | None:
        """Choose the queue's longest-idle available agent and hold them not ready.

        ``NotReadyReason.PREVIEW`` keeps the router from offering them a contact
        (and pacing from counting them free) meanwhile.
        """
        free = [
            view
            for agent_id in self.router.agent_ids()
            if agent_id not in self._previewing
            and (self._shared is None or self._shared.serves(agent_id))  # rings through this host
            and (view := self.router.agent(agent_id)).state is AgentState.AVAILABLE
            and any(member.queue == action.queue for member in view.profile.memberships)
        ]
        if not free:
            return None  # the host chooses (no agent free: pacing should not have asked)
        chosen = min(free, key=lambda view: (view.idle_since, view.profile.agent_id))
        agent_id = chosen.profile.agent_id
        self._absorb_router(
            self.router.set_not_ready(agent_id, NotReadyReason.PREVIEW, now=now), out
        )
        self._previewing[agent_id] = [campaign, action.contact.id]
        return agent_id

    def _release_agent(self, agent_id: str, now: datetime, out: _Out) -> None:
        """Ready again after a preview or its call, unless the agent has moved on since."""
        view = self.router.agent(agent_id)
        if view.state is AgentState.NOT_READY and view.not_ready_reason is NotReadyReason.PREVIEW:
            self._absorb_router(self.router.set_ready(agent_id, now=now), out)

    def _preview_holder(self, campaign: str, contact_id: str) -> str | None:
        for agent_id, shown in self._previewing.items():
            if shown == [campaign, contact_id]:
                return agent_id
        return None

    # --- look-ups ------------------------------------------------------------------------------

    def _named(self, name: str) -> Campaign:
        check_text(name, "campaign")
        campaign = self.campaigns.get(name)
        if campaign is None:
            raise NotFoundError("campaign", name)
        return campaign

    def _campaign_of(self, attempt_id: str) -> Campaign:
        check_text(attempt_id, "attempt_id")
        name = self._attempt_campaign.get(attempt_id)
        if name is None or name not in self.campaigns:
            raise NotFoundError("campaign attempt", attempt_id)
        return self.campaigns[name]
