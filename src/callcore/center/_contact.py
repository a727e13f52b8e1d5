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

__all__ = ["LiveContact", "Phase"]


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


@attrs.define
class LiveContact:
    """A contact the centre is working on (engine state, changed in place)."""

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
