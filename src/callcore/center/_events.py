"""The centre's own domain events: the steps of a contact that no one engine sees.

Named after the contact events of Amazon Connect (``INITIATED``,
``COMPLETED``) and FreeSWITCH (``CHANNEL_HOLD``, ``CHANNEL_UNHOLD``). The
engines' events (``ivr.*``, ``acd.*``, ``customer.*``, ticket changes,
``kpi.*``) come through the centre's updates as the engines made them.
"""

from __future__ import annotations

from datetime import datetime
from typing import ClassVar

import attrs

from callcore.contacts import Channel, ContactOutcome, Direction
from callcore.events import Event
from callcore.kpi import InteractionRecord
from callcore.notifications import Notification

__all__ = [
    "ContactArrived",
    "ContactCompleted",
    "ContactConferenced",
    "ContactConsulted",
    "ContactHeld",
    "ContactResumed",
    "ContactSteps",
    "ContactTransferred",
    "SurveySent",
]


@attrs.frozen(kw_only=True)
class ContactArrived(Event):
    """A contact reached the centre: a call rang in or a message came in.

    Attributes:
        contact_id: The contact's id (the host's or one the centre made).
        channel: Voice, email, chat...
        direction: Inbound.
        customer_id: The customer identified (or created) for it.
        address: Who it came from: the caller's number (E.164) or the address.
        dialled: The number or address it was sent to.
    """

    kind: ClassVar[str] = "center.contact_arrived"

    contact_id: str
    channel: Channel
    direction: Direction
    customer_id: str
    address: str
    dialled: str


@attrs.frozen(kw_only=True)
class ContactHeld(Event):
    """The agent put the caller on hold."""

    kind: ClassVar[str] = "center.contact_held"

    contact_id: str
    agent_id: str


@attrs.frozen(kw_only=True)
class ContactResumed(Event):
    """The agent took the caller off hold."""

    kind: ClassVar[str] = "center.contact_resumed"

    contact_id: str
    agent_id: str


@attrs.frozen(kw_only=True)
class ContactConsulted(Event):
    """The agent called a colleague about the contact; the caller holds meanwhile."""

    kind: ClassVar[str] = "center.contact_consulted"

    contact_id: str
    agent_id: str
    target: str


@attrs.frozen(kw_only=True)
class ContactConferenced(Event):
    """The agent brought a third party into the call."""

    kind: ClassVar[str] = "center.contact_conferenced"

    contact_id: str
    agent_id: str
    target: str


@attrs.frozen(kw_only=True)
class ContactTransferred(Event):
    """The agent handed the contact on: to a queue or to an agent, blind or warm.

    The transferring agent's leg ends; the contact goes on (the same contact
    id) in a new leg: waiting in ``queue``, ringing ``to_agent``, or (warm)
    with the colleague the agent consulted, already talking.

    Attributes:
        contact_id: The contact (the same id: one contact, legs linked by it).
        agent_id: The agent who transferred it.
        from_queue: The queue it was answered from.
        queue: The queue it waits in now (a transfer to a queue).
        to_agent: The agent it goes to (a transfer to an agent).
        warm: Whether the agent consulted ``to_agent`` first (who has the caller now).
    """

    kind: ClassVar[str] = "center.contact_transferred"

    contact_id: str
    agent_id: str
    from_queue: str
    queue: str | None = None
    to_agent: str | None = None
    warm: bool = False


@attrs.frozen(kw_only=True)
class ContactSteps:
    """When each step of a contact happened, whichever leg it happened in (``None``: it did not).

    Attributes:
        arrived_at: The call rang in or the message came in.
        ivr_ended_at: The IVR handed the call to a queue, or the call ended in it.
        queued_at: It first joined a queue.
        offered_at: It first rang an agent.
        answered_at: An agent first answered it.
        held_at: The caller was first put on hold.
        ended_at: The conversation ended.
        wrap_up_ended_at: The agent finished after-contact work.
        outcome: How the contact ended (answered once an agent answered any leg).
    """

    arrived_at: datetime
    ivr_ended_at: datetime | None
    queued_at: datetime | None
    offered_at: datetime | None
    answered_at: datetime | None
    held_at: datetime | None
    ended_at: datetime
    wrap_up_ended_at: datetime | None
    outcome: ContactOutcome


@attrs.frozen(kw_only=True)
class ContactCompleted(Event):
    """The contact is over, after-contact work included: its KPI records are final.

    A contact that was transferred, consulted on or conferenced has several
    legs (Amazon Connect's contact chain): one KPI record each, in the order
    they started, linked by ``contact_id`` (the first leg's id, Connect's
    ``InitialContactId``); only the first leg counts as a contact in the
    volumes and carries the first-contact-resolution verdict.

    Attributes:
        contact_id: The contact.
        outcome: How it ended (``answered`` once an agent answered any leg).
        record: The first leg's KPI record (the one that counts as the
            contact; for a contact of one leg, its only record).
        legs: Every leg's KPI record, the first first (all counted in the
            centre's aggregator).
        steps: When each step of the contact happened.
    """

    kind: ClassVar[str] = "center.contact_completed"

    contact_id: str
    outcome: ContactOutcome
    record: InteractionRecord
    legs: tuple[InteractionRecord, ...] = ()
    steps: ContactSteps | None = None


@attrs.frozen(kw_only=True)
class SurveySent(Event):
    """A satisfaction survey went out through ``callcore_notify``.

    Attributes:
        ticket_id: The closed ticket it is about.
        notification: What was sent, to the customer's address.
    """

    kind: ClassVar[str] = "center.survey_sent"

    ticket_id: str
    notification: Notification
