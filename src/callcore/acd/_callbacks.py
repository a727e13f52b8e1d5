"""Scheduled callbacks: a requested time, attempts with spacing, and how each ended.

Theory of operation. A scheduled callback is a contact the router holds
*outside* any queue until its time: a :class:`ScheduledCallback` record in the
router's book, with a timer at :attr:`ScheduledCallback.due`. It occupies no
place in line and no agent sees it. When the timer falls due (or at once, for
a time already reached) it joins its queue as a callback contact under its own
id: its arrival is that instant, so it takes its place in the global order
(higher priority, then earlier arrival) behind the contacts already waiting,
and the queue's strategy offers it (``Offer.callback`` is true: the agent dials
out). While it waits or rings it is an ordinary callback request: it never
overflows on ``max_wait`` or an empty queue, and escalation rules apply.

The agent who accepts the offer dials the customer: that is an *attempt*. The
host reports how it went (:class:`CallbackResult`): reached (the contact stays
connected, and ends as any contact), or no answer / busy (the agent's part
ends as if the contact had ended, wrap-up included; the callback goes back to
the book, due ``retry_spacing`` later, until ``max_attempts`` attempts have
failed, when it ends as not reached). The customer or an agent may cancel it
while it is booked, waits or rings; while an agent dials, the attempt's result
is reported instead. Each step is an event of this module; the book is part of
the router's snapshot, so a restart between the request and its time, or
during a retry's spacing, loses nothing.

The rules live here (records, events, the checks of a request and of a saved
book); the router's commands (:meth:`Router.schedule_callback`,
:meth:`Router.callback_result`, :meth:`Router.cancel_callback`) only apply them
to its live state, since the timers and the snapshot are the router's.
"""

# cattrs reads these annotations at run time, so their imports stay at run time.
from __future__ import annotations

import enum
from datetime import datetime, timedelta
from typing import Any, ClassVar

import attrs

from callcore.checks import (
    check_count,
    check_duration,
    check_enum,
    check_instant,
    check_text,
    validator,
)
from callcore.clock import aware
from callcore.contacts import ContactOutcome, Skills
from callcore.errors import InvalidInputError
from callcore.events import Event

__all__ = [
    "CALLBACK_HORIZON",
    "CALLBACK_LATENESS",
    "DEFAULT_MAX_ATTEMPTS",
    "DEFAULT_RETRY_SPACING",
    "MAX_ATTEMPTS",
    "MAX_RETRY_SPACING",
    "CallbackAttemptEnded",
    "CallbackDue",
    "CallbackEnded",
    "CallbackOutcome",
    "CallbackResult",
    "CallbackScheduled",
    "CancelledBy",
    "ScheduledCallback",
    "check_attempts",
    "check_request_time",
]

CALLBACK_HORIZON = timedelta(days=30)
"""How far ahead a callback may be scheduled (Genesys Cloud's limit)."""
CALLBACK_LATENESS = timedelta(minutes=5)
"""How far in the past a requested time may lie: it joins its queue at once.

A form or an IVR prompt takes a moment; a time further back is a mistake (a
wrong day or zone) and is refused rather than served at once."""
MAX_ATTEMPTS = 100
"""The most attempts a callback may be given."""
DEFAULT_MAX_ATTEMPTS = 3
"""Attempts to reach the customer unless the request says otherwise."""
MAX_RETRY_SPACING = timedelta(days=3)
"""The longest spacing between attempts (Amazon Connect's ``RetryDelaySeconds`` limit)."""
DEFAULT_RETRY_SPACING = timedelta(minutes=10)
"""The time between a failed attempt and the next unless the request says otherwise."""


class CallbackResult(enum.Enum):
    """How one attempt to call the customer back went (reported by the host)."""

    REACHED = "reached"
    """The customer answered: the contact goes on, connected to the agent."""
    NO_ANSWER = "no_answer"
    """Nobody answered: another attempt follows after the spacing, if any is left."""
    BUSY = "busy"
    """The line was busy: as no answer."""


class CallbackOutcome(enum.Enum):
    """How a scheduled callback ended."""

    REACHED = "reached"
    """An attempt reached the customer."""
    NOT_REACHED = "not_reached"
    """Every attempt failed (no answer or busy)."""
    CANCELLED = "cancelled"
    """The customer or an agent cancelled it before it was served."""


class CancelledBy(enum.Enum):
    """Who cancelled a callback."""

    CUSTOMER = "customer"
    AGENT = "agent"


_OUTCOMES = {
    CallbackOutcome.REACHED: ContactOutcome.ANSWERED,
    CallbackOutcome.NOT_REACHED: ContactOutcome.NO_ANSWER,
    CallbackOutcome.CANCELLED: ContactOutcome.ABANDONED,
}

_id = validator(check_text)
_count = validator(check_count, low=1)


def _member(enum_type: type[enum.Enum]) -> Any:  # noqa: ANN401 - an attrs validator
    return validator(check_enum, enum_type=enum_type)


@attrs.frozen(kw_only=True)
class ScheduledCallback:
    """A callback the router holds, from its request to its last attempt.

    Attributes:
        callback_id: Its id, which is also its contact id while it is in its queue.
        queue: The queue it joins at each attempt.
        priority: Its priority in the queue (a set_priority while it waits carries
            on to later attempts).
        skills: Skills it needs on top of the queue's.
        language: Its language tag (``""``: none chosen).
        requested: The time the customer asked for (the first attempt's time).
        scheduled_at: When it was scheduled.
        due: When it next joins its queue, in UTC (the requested time, or the
            time of a failed attempt plus the spacing); ``None`` while it is in
            the queue (waiting, ringing, or being dialled).
        attempts: Attempts that ended without reaching the customer.
        max_attempts: The most attempts it is given.
        retry_spacing: The time from a failed attempt to the next.
    """

    callback_id: str
    queue: str
    priority: int
    skills: Skills
    language: str = ""
    requested: datetime
    scheduled_at: datetime
    due: datetime | None
    attempts: int = 0
    max_attempts: int = DEFAULT_MAX_ATTEMPTS
    retry_spacing: timedelta = DEFAULT_RETRY_SPACING

    @property
    def attempt(self) -> int:
        """The number of the attempt it waits for or is in (1 for the first)."""
        return self.attempts + 1


def check_request_time(at: object, now: datetime) -> datetime:
    """The requested time of a callback, checked against ``now``.

    Raises:
        NaiveDatetimeError: ``at`` has no time zone.
        InvalidInputError: ``at`` is not a datetime, lies more than
            :data:`CALLBACK_LATENESS` before ``now`` or more than
            :data:`CALLBACK_HORIZON` after it (``field="at"``).
    """
    moment = check_instant(at, "at")
    if moment < now - CALLBACK_LATENESS:
        raise InvalidInputError(
            f"at ({moment.isoformat()}) lies more than {CALLBACK_LATENESS} before now "
            f"({now.isoformat()}): a callback is asked for now or later",
            field="at",
        )
    if moment > now + CALLBACK_HORIZON:
        raise InvalidInputError(
            f"at ({moment.isoformat()}) lies more than {CALLBACK_HORIZON.days} days after now "
            f"({now.isoformat()})",
            field="at",
        )
    return moment


def check_attempts(max_attempts: object, retry_spacing: object) -> None:
    """Check a request's ``max_attempts`` (1..100) and ``retry_spacing`` (0..3 days)."""
    check_count(max_attempts, "max_attempts", low=1, high=MAX_ATTEMPTS)
    check_duration(retry_spacing, "retry_spacing", maximum=MAX_RETRY_SPACING)


# --- events ---------------------------------------------------------------------------------


@attrs.frozen(kw_only=True)
class CallbackScheduled(Event):
    """A callback was booked for ``due`` (on request, or again after a failed attempt).

    Attributes:
        contact_id: The callback's id.
        queue: The queue it will join.
        due: When it joins the queue.
        attempt: The number of the attempt it is booked for (1 for the first).
    """

    kind: ClassVar[str] = "acd.callback_scheduled"
    contact_id: str = attrs.field(validator=_id)
    queue: str = attrs.field(validator=_id)
    due: datetime = attrs.field(validator=aware)
    attempt: int = attrs.field(validator=_count)


@attrs.frozen(kw_only=True)
class CallbackDue(Event):
    """A booked callback's time came: it joins its queue (a ``ContactQueued`` follows).

    Attributes:
        contact_id: The callback's id (its contact id in the queue).
        queue: The queue it joins.
        attempt: The number of the attempt it waits for.
    """

    kind: ClassVar[str] = "acd.callback_due"
    contact_id: str = attrs.field(validator=_id)
    queue: str = attrs.field(validator=_id)
    attempt: int = attrs.field(validator=_count)


@attrs.frozen(kw_only=True)
class CallbackAttemptEnded(Event):
    """The agent's attempt to reach the customer ended.

    Attributes:
        contact_id: The callback's id.
        agent_id: The agent who dialled.
        queue: The queue it was taken from.
        attempt: The attempt's number (1 for the first).
        result: How it went.
        dialled: From the agent's acceptance to the result.
    """

    kind: ClassVar[str] = "acd.callback_attempt_ended"
    contact_id: str = attrs.field(validator=_id)
    agent_id: str = attrs.field(validator=_id)
    queue: str = attrs.field(validator=_id)
    attempt: int = attrs.field(validator=_count)
    result: CallbackResult = attrs.field(validator=_member(CallbackResult))
    dialled: timedelta = attrs.field(validator=validator(check_duration))


@attrs.frozen(kw_only=True)
class CallbackEnded(Event):
    """A scheduled callback ended: reached, not reached after its last attempt, or cancelled.

    Its :attr:`outcome` is the shared :class:`~callcore.contacts.ContactOutcome`
    (``ANSWERED``, ``NO_ANSWER``, ``ABANDONED``: the request given up before it
    was served), for a host that records it in the customer's history.

    Attributes:
        contact_id: The callback's id.
        queue: Its queue.
        result: How it ended.
        attempts: Attempts made (dialled by an agent).
        cancelled_by: Who cancelled it (``None`` unless cancelled).
    """

    kind: ClassVar[str] = "acd.callback_ended"
    contact_id: str = attrs.field(validator=_id)
    queue: str = attrs.field(validator=_id)
    result: CallbackOutcome = attrs.field(validator=_member(CallbackOutcome))
    attempts: int = attrs.field(validator=validator(check_count))
    cancelled_by: CancelledBy | None = None

    @property
    def outcome(self) -> ContactOutcome:
        """How the customer's request ended, in the shared vocabulary."""
        return _OUTCOMES[self.result]
