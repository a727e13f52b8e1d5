"""What the centre asks its host to do: the telephony and agent-desktop actions.

Each action names the contact it concerns. The centre hands every action to
the ``callcore_telephony`` hook (a telephony plugin carries it out) and lists
it in the update it returns (a web-hook host renders it, as TwiML for
example). A host does one or the other. The names follow what the platforms
call these steps: FreeSWITCH's ``bridge``, ``hold`` and ``hangup``, Twilio
TaskRouter's reservation (an offer that rings an agent), Amazon Connect's
screen pop.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar, TypeAlias

import attrs

from callcore.acd import Offer
from callcore.bots import AwaitCustomer, SayToCustomer
from callcore.campaigns import DialContact, PlayInformationMessage, PreviewContact, RunFlow
from callcore.center._desk_actions import (
    EndMonitoring,
    InternalCall,
    MonitorCall,
    PauseRecording,
    ResumeRecording,
    StartRecording,
    StopRecording,
)
from callcore.contacts import Channel
from callcore.customers import Customer, Interaction
from callcore.ivr import Action as IvrAction
from callcore.tickets import FollowUpDue, SendSurvey

__all__ = [
    "CallCustomer",
    "CallerAction",
    "CenterAction",
    "Conference",
    "Connect",
    "Consult",
    "Disconnect",
    "HoldCaller",
    "ResumeCaller",
    "RingAgent",
    "RingExternal",
    "ScreenPop",
    "StopRinging",
    "TelephonyAction",
    "TransferToAgent",
    "TransferToQueue",
]


@attrs.frozen
class CallerAction:
    """Carry out an IVR action on the caller's leg (play, gather, transfer, hang up...).

    Attributes:
        contact_id: The contact.
        action: The IVR's action, as :class:`callcore.ivr.IvrSession` returned it.
    """

    contact_id: str
    action: IvrAction

    @property
    def type(self) -> str:
        """The IVR action's type (``"gather"``, ``"play"``...)."""
        return self.action.type


@attrs.frozen
class RingAgent:
    """Offer the contact to an agent: ring its phone or desktop (a reservation).

    Attributes:
        offer: The router's offer (contact, agent, queue, channel, expiry).
        variables: What the agent's desktop shows while it rings (a whisper, or
            TaskRouter's task attributes on a reservation): the IVR's or the
            bot's variables, the bot's intent and summary, and the
            ``suggested_articles`` from the knowledge-base hook.
    """

    offer: Offer
    variables: Mapping[str, Any] = attrs.field(factory=dict, kw_only=True)
    type: ClassVar[str] = "ring_agent"

    @property
    def contact_id(self) -> str:
        """The contact offered."""
        return self.offer.contact_id


@attrs.frozen
class RingExternal(RingAgent):
    """Offer a contact to an agent logged in remotely: ring their external number.

    The same offer as :class:`RingAgent`, with the same expiry: a host that
    does not know this action rings the agent's desktop instead; the offer's
    time-outs (no answer, expiry) are the router's either way.

    Attributes:
        offer: The router's offer.
        number: The agent's external number (E.164).
    """

    number: str
    type: ClassVar[str] = "ring_external"


@attrs.frozen
class StopRinging:
    """An offer ended unanswered (taken by another agent, withdrawn, timed out): stop ringing.

    Attributes:
        offer: The offer that ended.
    """

    offer: Offer
    type: ClassVar[str] = "stop_ringing"

    @property
    def contact_id(self) -> str:
        """The contact whose offer ended."""
        return self.offer.contact_id


@attrs.frozen
class Connect:
    """The agent accepted: bridge the caller to the agent (voice) or open the conversation.

    Attributes:
        contact_id: The contact.
        agent_id: The agent.
        channel: The contact's medium.
    """

    contact_id: str
    agent_id: str
    channel: Channel
    type: ClassVar[str] = "connect"


@attrs.frozen
class ScreenPop:
    """Show the agent who is calling: the customer, the history and the IVR's variables.

    Attributes:
        contact_id: The contact.
        agent_id: The agent who accepted it.
        customer: The customer, as identified on arrival.
        history: The customer's recent interactions, newest first.
        variables: What the IVR collected (the caller's choices and look-ups).
        ticket_id: The ticket opened or updated for the contact.
    """

    contact_id: str
    agent_id: str
    customer: Customer
    history: tuple[Interaction, ...]
    variables: Mapping[str, Any]
    ticket_id: str | None
    type: ClassVar[str] = "screen_pop"


@attrs.frozen
class BotToCustomer:
    """Play a bot's turn to the customer: say its words, or wait for the customer's answer.

    The host says :class:`~callcore.bots.SayToCustomer` text (text to speech,
    a chat message) and, for :class:`~callcore.bots.AwaitCustomer`, reports
    what the customer says with :meth:`ContactCenter.customer_said
    <callcore.center.ContactCenter.customer_said>`.

    Attributes:
        contact_id: The contact.
        action: The bot session's action.
    """

    contact_id: str
    action: SayToCustomer | AwaitCustomer
    type: ClassVar[str] = "bot"


@attrs.frozen
class CampaignCall:
    """A campaign's action for the telephony provider or the agent's desktop.

    :class:`~callcore.campaigns.DialContact` (place the call; answer with
    ``campaign_call_result``), :class:`~callcore.campaigns.PreviewContact`
    (show the record to an agent of the queue), :class:`~callcore.campaigns.RunFlow`
    (agentless: run the flow or message) or
    :class:`~callcore.campaigns.PlayInformationMessage` (an answered call no agent
    took: play the message and hang up).

    Attributes:
        campaign: The campaign's name.
        action: The campaign's action.
        agent: A preview's agent: the centre holds them not ready until they
            accept (through the call) or skip; ``None`` for the other actions.
    """

    campaign: str
    action: DialContact | PreviewContact | RunFlow | PlayInformationMessage
    agent: str | None = None
    type: ClassVar[str] = "campaign"

    @property
    def contact_id(self) -> str:
        """The attempt's id (the centre's contact id once answered); a preview's contact id."""
        if isinstance(self.action, PreviewContact):
            return self.action.contact.id
        return self.action.attempt_id


@attrs.frozen
class HoldCaller:
    """Put the caller on hold (music on hold)."""

    contact_id: str
    type: ClassVar[str] = "hold"


@attrs.frozen
class ResumeCaller:
    """Take the caller off hold."""

    contact_id: str
    type: ClassVar[str] = "resume"


@attrs.frozen
class Consult:
    """Call a colleague for the agent while the caller holds (a consultation call).

    Attributes:
        contact_id: The contact, on hold meanwhile.
        agent_id: The agent who consults.
        target: Whom to call: an agent's id, a supervisor's, a number.
    """

    contact_id: str
    agent_id: str
    target: str
    type: ClassVar[str] = "consult"


@attrs.frozen
class Conference:
    """Bring a third party (the consulted colleague) into the call with the caller.

    Attributes:
        contact_id: The contact.
        agent_id: The agent who stays on the call.
        target: Who joins.
    """

    contact_id: str
    agent_id: str
    target: str
    type: ClassVar[str] = "conference"


@attrs.frozen
class TransferToQueue:
    """Take the agent off the call; the caller waits in ``queue`` (music on hold).

    A blind transfer: the next :class:`RingAgent` and :class:`Connect` of the
    contact come from the queue (the contact keeps its place by arrival).

    Attributes:
        contact_id: The contact.
        agent_id: The agent who transferred it (released now).
        queue: The queue it waits in now.
    """

    contact_id: str
    agent_id: str
    queue: str
    type: ClassVar[str] = "transfer_to_queue"


@attrs.frozen
class TransferToAgent:
    """Take the agent off the call; the contact goes to ``to_agent``.

    Blind: the caller waits (music on hold) until ``to_agent``'s
    :class:`RingAgent` is answered (:class:`Connect`), or, if that agent
    cannot take it, an agent of the queue's. Warm: ``to_agent`` is on the
    line already (the consultation): leave the caller bridged to it and drop
    the transferring agent (FreeSWITCH's attended transfer, Twilio's
    conference participant removal).

    Attributes:
        contact_id: The contact.
        agent_id: The agent who transferred it (released now).
        to_agent: The agent it goes to.
        warm: Whether ``to_agent`` has the caller already.
    """

    contact_id: str
    agent_id: str
    to_agent: str
    warm: bool = False
    type: ClassVar[str] = "transfer_to_agent"


@attrs.frozen
class Disconnect:
    """End the contact's connection: hang up the call or close the conversation.

    Attributes:
        contact_id: The contact.
        reason: Why (``"agent_ended"``, ``"rejected"``, ``"voicemail"``...).
    """

    contact_id: str
    reason: str
    type: ClassVar[str] = "disconnect"


@attrs.frozen
class CallCustomer:
    """Call the customer back from the agent's line; bridge them when the customer answers.

    Comes before the :class:`~callcore.center.Connect` of a callback the agent
    accepted; the host reports the call's result with ``callback_result``.

    Attributes:
        contact_id: The callback's id.
        agent_id: The agent who dials.
        number: The customer's number (E.164).
        attempt: The attempt's number (1 for the first).
    """

    contact_id: str
    agent_id: str
    number: str
    attempt: int
    type: ClassVar[str] = "call_customer"


TelephonyAction: TypeAlias = (
    CallerAction | RingAgent | StopRinging | Connect | ScreenPop | HoldCaller | ResumeCaller
    | Consult | Conference | TransferToQueue | TransferToAgent | Disconnect
    | RingExternal | StartRecording | PauseRecording | ResumeRecording | StopRecording
    | MonitorCall | EndMonitoring | InternalCall | BotToCustomer
    | CampaignCall | CallCustomer
)  # fmt: skip
"""An action for the telephony provider or the agent desktop (``callcore_telephony``)."""

CenterAction: TypeAlias = TelephonyAction | SendSurvey | FollowUpDue
"""Anything a :class:`~callcore.center.CenterUpdate` asks of the host.

Besides the telephony actions: the ticket engine's :class:`~callcore.tickets.SendSurvey`
(already handed to ``callcore_notify``) and :class:`~callcore.tickets.FollowUpDue`
(put the ticket in front of its agent).
"""
