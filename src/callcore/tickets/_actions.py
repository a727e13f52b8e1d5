"""Actions: what the ticket engine asks the host to do, as data."""

from __future__ import annotations

from datetime import datetime
from typing import TypeAlias

import attrs

from callcore.notifications import Notification

__all__ = ["FollowUpDue", "Notify", "ScheduleFollowUp", "SendSurvey", "TicketAction"]


@attrs.frozen
class ScheduleFollowUp:
    """Remember to come back to a ticket at ``due`` (call :meth:`tick` then).

    Attributes:
        ticket_id: The ticket.
        due: When the follow-up is due.
    """

    ticket_id: str
    due: datetime


@attrs.frozen
class FollowUpDue:
    """A scheduled follow-up is due now: put the ticket in front of its agent.

    Attributes:
        ticket_id: The ticket.
        due: When it was due.
        assignee: Who should follow up, if anyone is assigned.
    """

    ticket_id: str
    due: datetime
    assignee: str | None


@attrs.frozen
class SendSurvey:
    """Ask the customer how satisfied they were (email, SMS or automated call).

    Attributes:
        ticket_id: The ticket.
        notification: The request to deliver through ``callcore_notify``.
    """

    ticket_id: str
    notification: Notification


@attrs.frozen
class Notify:
    """Tell someone about a ticket (an escalation, a consult request).

    Attributes:
        ticket_id: The ticket.
        notification: The message to deliver through ``callcore_notify``.
    """

    ticket_id: str
    notification: Notification


TicketAction: TypeAlias = ScheduleFollowUp | FollowUpDue | SendSurvey | Notify
"""Any action the ticket engine returns (in a :class:`~callcore.tickets.TicketUpdate`)."""
