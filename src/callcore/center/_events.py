"""The centre's own domain events: the steps of a contact that no one engine sees.

Named after the contact events of Amazon Connect (``INITIATED``,
``COMPLETED``) and FreeSWITCH (``CHANNEL_HOLD``, ``CHANNEL_UNHOLD``). The
engines' events (``ivr.*``, ``acd.*``, ``customer.*``, ticket changes,
``kpi.*``) come through the centre's updates as the engines made them.
"""

from __future__ import annotations

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
    """The agent transferred the contact to a queue (blind); it waits there now.

    Attributes:
        contact_id: The contact (the same id: one contact, one KPI record).
        agent_id: The agent who transferred it.
        from_queue: The queue it was answered from.
        queue: The queue it waits in now.
    """

    kind: ClassVar[str] = "center.contact_transferred"

    contact_id: str
    agent_id: str
    from_queue: str
    queue: str


@attrs.frozen(kw_only=True)
class ContactCompleted(Event):
    """The contact is over, after-contact work included: its KPI record is final.

    Attributes:
        contact_id: The contact.
        outcome: How it ended.
        record: The KPI record counted for it.
    """

    kind: ClassVar[str] = "center.contact_completed"

    contact_id: str
    outcome: ContactOutcome
    record: InteractionRecord


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
