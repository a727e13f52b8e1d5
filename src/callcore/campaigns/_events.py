"""What a campaign call returns: the host's actions, the domain events and the attempt records.

Every call that changes a :class:`~callcore.campaigns.Campaign` returns one
:class:`CampaignUpdate`: ``actions`` the centre must carry out, in order
(show this record to an agent, dial this number, put this answered call in
the campaign's queue, play the information message), and ``events`` saying
what happened. An attempt that ended carries its :class:`AttemptRecord` in
:class:`AttemptEnded`, the figures the KPI engine counts.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from types import MappingProxyType
from typing import Any, ClassVar

import attrs

from callcore.campaigns._model import CallResult, CampaignContact, DialingMode, Disposition
from callcore.contacts import Channel, ContactOutcome, Direction, Skills
from callcore.events import Event

__all__ = [
    "AttemptAbandoned",
    "AttemptAnswered",
    "AttemptConnected",
    "AttemptEnded",
    "AttemptRecord",
    "AttemptStarted",
    "CampaignAction",
    "CampaignUpdate",
    "ContactFinished",
    "ContactsAdded",
    "DialContact",
    "EnqueueCall",
    "PlayInformationMessage",
    "PreviewContact",
    "PreviewOffered",
    "RetryScheduled",
    "RunFlow",
]


def _frozen(value: Mapping[str, Any]) -> Mapping[str, Any]:
    return MappingProxyType(dict(value))


# --- actions --------------------------------------------------------------------------


@attrs.frozen
class PreviewContact:
    """Preview: show this contact's record to a free agent of the campaign's queue.

    The agent then starts the call (:meth:`~callcore.campaigns.Campaign.accept_preview`)
    or passes (:meth:`~callcore.campaigns.Campaign.skip_preview`).

    Attributes:
        contact: The contact to show.
        queue: The campaign's queue (whose agents may take it).
        skills: Skills the agent needs.
    """

    type: ClassVar[str] = "preview_contact"
    contact: CampaignContact
    queue: str
    skills: Skills = attrs.field(factory=dict, converter=_frozen, hash=False)


@attrs.frozen
class DialContact:
    """Place an outbound call; report what became of it with ``call_result``.

    Attributes:
        attempt_id: The attempt's id: name it in every later call about this call.
        contact: The contact called.
        agent: Preview: the agent who started the call (already on the line);
            otherwise ``None``.
        callback: Whether the customer asked for this call at this time.
    """

    type: ClassVar[str] = "dial_contact"
    attempt_id: str
    contact: CampaignContact
    agent: str | None = None
    callback: bool = False


@attrs.frozen
class EnqueueCall:
    """A person answered: put the call in the campaign's queue for an agent.

    It has the shape of :class:`callcore.contacts.QueueRequest` (``queue``,
    ``priority``, ``skills``, ``language``), so the centre hands it to
    ``Router.enqueue`` as it is; when the router connects an agent, the
    centre reports it with :meth:`~callcore.campaigns.Campaign.connected`.

    Attributes:
        attempt_id: The attempt.
        queue: The campaign's queue.
        priority: The campaign's priority.
        skills: Skills the agent needs.
        language: The contact's ``language`` attribute, or ``""``.
        variables: The contact's attributes, for the agent's screen.
        deadline: When the call is abandoned if no agent has taken it.
    """

    type: ClassVar[str] = "enqueue_call"
    attempt_id: str
    queue: str
    priority: int
    skills: Skills = attrs.field(converter=_frozen, hash=False)
    language: str
    variables: Mapping[str, Any] = attrs.field(converter=_frozen, hash=False)
    deadline: datetime


@attrs.frozen
class RunFlow:
    """Agentless: a person (or a machine the campaign leaves messages on) answered: run the flow.

    Attributes:
        attempt_id: The attempt.
        flow: The IVR flow (or message) to run.
        variables: The contact's attributes, as the flow's caller data.
    """

    type: ClassVar[str] = "run_flow"
    attempt_id: str
    flow: str
    variables: Mapping[str, Any] = attrs.field(converter=_frozen, hash=False)


@attrs.frozen
class PlayInformationMessage:
    """A live answer found no agent in time: withdraw it from the queue, play the message, hang up.

    The message names the seller and gives a number to call back (16 CFR
    310.4(b)(4)(iii); Ofcom's persistent-misuse statement).

    Attributes:
        attempt_id: The attempt.
        prompt: The information message's prompt id.
        queue: The queue to withdraw the call from.
    """

    type: ClassVar[str] = "play_information_message"
    attempt_id: str
    prompt: str
    queue: str


CampaignAction = PreviewContact | DialContact | EnqueueCall | RunFlow | PlayInformationMessage
"""Everything a campaign asks the centre to do."""


# --- the attempt record ---------------------------------------------------------------


@attrs.frozen(kw_only=True)
class AttemptRecord:
    """One dialed call of a campaign, as it ended: what the KPIs count.

    Attributes:
        attempt_id: The attempt's id.
        contact_id: The campaign contact's id.
        campaign: The campaign's name.
        mode: The dialing mode.
        queue: The campaign's queue (``""`` agentless).
        dialed_at: When the number was dialed.
        ended_at: When the call ended (the attempt's last instant).
        result: What the provider reported.
        answered_at: When a person answered, if one did.
        connected_at: When an agent (or the agentless flow) took the call.
        agent: The agent who took it.
        abandoned: A live answer that no agent took in time.
        right_party: The agent reached the person the campaign wanted.
        converted: The campaign's goal was met.
        callback: The customer had asked for this call.
    """

    attempt_id: str
    contact_id: str
    campaign: str
    mode: DialingMode
    queue: str
    dialed_at: datetime
    ended_at: datetime
    result: CallResult
    answered_at: datetime | None = None
    connected_at: datetime | None = None
    agent: str | None = None
    abandoned: bool = False
    right_party: bool = False
    converted: bool = False
    callback: bool = False

    @property
    def outcome(self) -> ContactOutcome:
        """The attempt's outcome in the shared vocabulary (as the KPI records count it)."""
        if self.abandoned:
            return ContactOutcome.ABANDONED
        if self.result is CallResult.LIVE_ANSWER:
            if self.mode is DialingMode.AGENTLESS:
                return ContactOutcome.SELF_SERVED
            return ContactOutcome.ANSWERED
        if self.result is CallResult.MACHINE:
            return ContactOutcome.VOICEMAIL
        if self.result is CallResult.NETWORK_FAILURE:
            return ContactOutcome.FAILED
        return ContactOutcome.NO_ANSWER  # no answer, busy

    def interaction_fields(self) -> dict[str, Any]:
        """The keyword arguments of a :class:`callcore.kpi.InteractionRecord` for this attempt.

        The campaign engine does not import the KPI engine (engines import
        only the ground floor); the centre builds the record with
        ``InteractionRecord(**record.interaction_fields())``.
        """
        agent_leg = self.mode is not DialingMode.AGENTLESS and self.answered_at is not None
        fields: dict[str, Any] = {
            "id": self.attempt_id,
            "channel": Channel.VOICE,
            "direction": Direction.OUTBOUND,
            "outcome": self.outcome,
            "arrived_at": self.dialed_at,
            "ended_at": self.ended_at,
            "queue": self.queue or None,
            "agent": self.agent,
        }
        if agent_leg and self.mode is not DialingMode.PREVIEW:
            fields["queued_at"] = self.answered_at
        if self.outcome is ContactOutcome.ANSWERED:
            fields["offered_at"] = self.connected_at
            fields["answered_at"] = self.connected_at
        if self.outcome is ContactOutcome.SELF_SERVED:
            fields["ivr_path"] = (self.queue or "agentless",)
        return fields


# --- events ---------------------------------------------------------------------------


@attrs.frozen(kw_only=True)
class ContactsAdded(Event):
    """Contacts joined the campaign.

    Attributes:
        contact_ids: Their ids, in the order given.
        suppressed: Those whose number was on the do-not-call list (finished
            at once, never dialed).
    """

    kind: ClassVar[str] = "campaign.contacts_added"
    contact_ids: tuple[str, ...]
    suppressed: tuple[str, ...] = ()


@attrs.frozen(kw_only=True)
class PreviewOffered(Event):
    """A contact's record was sent to an agent to preview."""

    kind: ClassVar[str] = "campaign.preview_offered"
    contact_id: str


@attrs.frozen(kw_only=True)
class AttemptStarted(Event):
    """A number was dialed.

    Attributes:
        attempt_id: The attempt.
        contact_id: The contact.
        attempt: Which dialed attempt this is for the contact (1 for the first).
        callback: The customer asked for this call.
    """

    kind: ClassVar[str] = "campaign.attempt_started"
    attempt_id: str
    contact_id: str
    attempt: int
    callback: bool = False


@attrs.frozen(kw_only=True)
class AttemptAnswered(Event):
    """A person answered a dialed call."""

    kind: ClassVar[str] = "campaign.attempt_answered"
    attempt_id: str


@attrs.frozen(kw_only=True)
class AttemptConnected(Event):
    """An agent took an answered call."""

    kind: ClassVar[str] = "campaign.attempt_connected"
    attempt_id: str
    agent: str | None


@attrs.frozen(kw_only=True)
class AttemptAbandoned(Event):
    """A live answer found no agent in time; the information message plays."""

    kind: ClassVar[str] = "campaign.attempt_abandoned"
    attempt_id: str


@attrs.frozen(kw_only=True)
class AttemptEnded(Event):
    """A dialed call ended; its record is what the KPIs count."""

    kind: ClassVar[str] = "campaign.attempt_ended"
    record: AttemptRecord


@attrs.frozen(kw_only=True)
class RetryScheduled(Event):
    """A contact will be dialed again, no sooner than ``due``.

    Attributes:
        contact_id: The contact.
        due: The earliest next attempt (its calling window may open later).
        reason: The result that caused it, ``"abandoned"``, or ``"callback"``
            when the customer asked for the time.
    """

    kind: ClassVar[str] = "campaign.retry_scheduled"
    contact_id: str
    due: datetime
    reason: str


@attrs.frozen(kw_only=True)
class ContactFinished(Event):
    """A contact got its final disposition; it is never dialed again."""

    kind: ClassVar[str] = "campaign.contact_finished"
    contact_id: str
    disposition: Disposition
    attempts: int


@attrs.frozen
class CampaignUpdate:
    """What one campaign call caused.

    Attributes:
        events: What happened, in order.
        actions: What the centre must do, in order.
    """

    events: tuple[Event, ...] = ()
    actions: tuple[CampaignAction, ...] = ()
