"""One contact's live state in the centre: where it is and when each step happened."""

from __future__ import annotations

import enum
from datetime import datetime, timedelta
from typing import Any

import attrs

from callcore.contacts import Channel, Direction

# imported at run time: checkpoints resolve these annotations
from callcore.customers import Customer, Interaction
from callcore.ivr import IvrSession
from callcore.kpi import InteractionRecord

__all__ = ["Consultation", "LiveContact", "Phase", "leg_id"]


class Phase(enum.Enum):
    """Where a contact is, from the first ring to the end of after-contact work."""

    IVR = "ivr"
    """In the IVR flow."""
    QUEUED = "queued"
    """In the router: waiting, or ringing an agent."""
    CONNECTED = "connected"
    """Talking (or holding) with an agent."""
    WRAP_UP = "wrap_up"
    """Ended; the agent's after-contact work is pending."""
    BOT = "bot"
    """A message talking to the channel's bot, before the queue (``message_bots``)."""


@attrs.define
class LiveContact:
    """A contact the centre is working on (engine state, changed in place).

    The fields from ``queue`` to ``transfers`` are the current leg's (a
    transfer starts a new leg); ``first_*``, ``answered_at``, ``held_at`` and
    ``ended_at`` are the contact's steps, whichever leg they happened in.
    """

    contact_id: str
    channel: Channel
    direction: Direction
    customer: Customer
    history: tuple[Interaction, ...]
    address: str
    dialled: str
    arrived_at: datetime
    phase: Phase
    subject: str = ""
    new_customer: bool = False
    session: IvrSession | None = None
    ivr_ended_at: datetime | None = None
    ivr_path: tuple[str, ...] = ()
    variables: dict[str, Any] = attrs.Factory(dict)
    queue: str | None = None
    queued_at: datetime | None = None
    offered_at: datetime | None = None
    agent: str | None = None
    answered_at: datetime | None = None
    held_since: datetime | None = None
    hold_time: timedelta = timedelta(0)
    holds: int = 0
    consults: int = 0
    transfers: int = 0
    handled_by: tuple[str, ...] = ()
    ended_at: datetime | None = None
    ticket_id: str | None = None
    anonymous: bool = False
    first_queued_at: datetime | None = None
    first_offered_at: datetime | None = None
    held_at: datetime | None = None
    leg: int = 1
    legs_started: int = 1
    leg_started_at: datetime | None = None
    leg_answered_at: datetime | None = None
    legs: tuple[InteractionRecord, ...] = ()
    consult: Consultation | None = None
    bot: dict[str, Any] | None = None
    """The bot session's snapshot while a bot has the contact (see ``_selfservice``)."""


@attrs.define
class Consultation:
    """The colleague an agent consulted or conferenced in: a leg of its own, still open.

    Attributes:
        target: Whom the agent called (an agent's id, a supervisor's, a number).
        leg: The leg's number in the contact.
        started_at: When the consultation call began.
        conferenced: Whether the colleague has joined the caller (a conference).
    """

    target: str
    leg: int
    started_at: datetime
    conferenced: bool = False


def leg_id(contact_id: str, leg: int) -> str:
    """The KPI record id of a contact's leg: the contact's id for the first, then ``id.2``..."""
    return contact_id if leg == 1 else f"{contact_id}.{leg}"
