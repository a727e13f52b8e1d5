"""What the router tells its host: offers to ring and events that happened."""

# cattrs reads these annotations at run time, so their imports stay at run time.
from __future__ import annotations

import enum
from datetime import datetime, timedelta
from typing import Any, ClassVar

import attrs

from callcore.acd._model import NotReadyReason, OverflowAction, RejectReason
from callcore.checks import check_count, check_enum, check_instance, check_text, validator
from callcore.clock import aware
from callcore.contacts import AgentState, Channel, ContactOutcome
from callcore.errors import InvalidInputError
from callcore.events import Event


def _optional_member_of(enum_type: type[enum.Enum]) -> Any:  # noqa: ANN401 - an attrs validator
    def run(_: object, attribute: attrs.Attribute[Any], value: object) -> None:
        if value is not None:
            check_enum(value, enum_type, attribute.name)

    return run


def _tuple_of(cls: type) -> Any:  # noqa: ANN401 - an attrs validator
    def run(_: object, attribute: attrs.Attribute[Any], value: object) -> None:
        name = attribute.name
        if not isinstance(value, tuple) or not all(isinstance(item, cls) for item in value):
            raise InvalidInputError(f"{name} must be a tuple of {cls.__name__}", field=name)

    return run


_id = validator(check_text)
_id_or_empty = validator(check_text, allow_empty=True)
_count = validator(check_count, low=None)
_stage = validator(check_count)
_duration = validator(check_instance, cls=timedelta)
_flag = validator(check_instance, cls=bool)

__all__ = [
    "AgentRemoved",
    "AgentStateChanged",
    "CallbackRequested",
    "ContactAbandoned",
    "ContactAnswered",
    "ContactEnded",
    "ContactEscalated",
    "ContactOffered",
    "ContactOverflowed",
    "ContactQueued",
    "ContactRejected",
    "ContactTransferred",
    "Offer",
    "OfferEndReason",
    "OfferEnded",
    "PriorityChanged",
    "RouterUpdate",
]


@attrs.frozen(kw_only=True)
class Offer:
    """A contact offered to (ringing at) one agent.

    Attributes:
        contact_id: The contact.
        agent_id: The agent whose device or desktop should ring.
        queue: The queue the contact was offered from.
        channel: The contact's medium.
        offered_at: When the offer started.
        expires_at: When it times out unless accepted or declined.
        callback: The agent is to call the customer back (virtual hold).
        offer_id: The offer's own id, unique among the offers of the router
            and its restored successors (TaskRouter's reservation sid): a late
            answer to an earlier offer of the same contact to the same agent
            is told apart from the current one (``""``: an offer saved before
            offers had ids; the router gives it one when restored).
    """

    contact_id: str = attrs.field(validator=_id)
    agent_id: str = attrs.field(validator=_id)
    queue: str = attrs.field(validator=_id)
    channel: Channel = attrs.field(validator=validator(check_enum, enum_type=Channel))
    offered_at: datetime = attrs.field(validator=aware)
    expires_at: datetime = attrs.field(validator=aware)
    callback: bool = attrs.field(default=False, validator=_flag)
    offer_id: str = attrs.field(default="", validator=_id_or_empty)


class OfferEndReason(enum.Enum):
    """How an offer ended without being accepted."""

    REJECTED = "rejected"
    """The agent rejected it."""
    BUSY = "busy"
    """The agent's device answered busy."""
    TIMED_OUT = "timed_out"
    """Nobody answered before it expired."""
    WITHDRAWN = "withdrawn"
    """The router took it back (another agent answered, the caller hung up,
    the agent went not ready or logged out)."""


@attrs.frozen(kw_only=True)
class ContactQueued(Event):
    """A contact joined a queue (or moved to one on overflow or escalation)."""

    kind: ClassVar[str] = "acd.contact_queued"
    contact_id: str = attrs.field(validator=_id)
    queue: str = attrs.field(validator=_id)
    priority: int = attrs.field(validator=_count)


@attrs.frozen(kw_only=True)
class ContactRejected(Event):
    """A queue refused a contact at the door; the router forgot it.

    Its :attr:`outcome` is ``ContactOutcome.REJECTED``.
    """

    kind: ClassVar[str] = "acd.contact_rejected"
    outcome: ClassVar[ContactOutcome] = ContactOutcome.REJECTED
    """How the contact left the router."""
    contact_id: str = attrs.field(validator=_id)
    queue: str = attrs.field(validator=_id)
    reason: RejectReason = attrs.field(validator=validator(check_enum, enum_type=RejectReason))


@attrs.frozen(kw_only=True)
class ContactOffered(Event):
    """A contact was offered to an agent (ring its device)."""

    kind: ClassVar[str] = "acd.contact_offered"
    offer: Offer = attrs.field(validator=validator(check_instance, cls=Offer))


@attrs.frozen(kw_only=True)
class OfferEnded(Event):
    """An offer ended without being accepted (stop ringing)."""

    kind: ClassVar[str] = "acd.offer_ended"
    offer: Offer = attrs.field(validator=validator(check_instance, cls=Offer))
    reason: OfferEndReason = attrs.field(validator=validator(check_enum, enum_type=OfferEndReason))


@attrs.frozen(kw_only=True)
class ContactAnswered(Event):
    """An agent accepted an offer: the contact is connected."""

    kind: ClassVar[str] = "acd.contact_answered"
    contact_id: str = attrs.field(validator=_id)
    agent_id: str = attrs.field(validator=_id)
    queue: str = attrs.field(validator=_id)
    waited: timedelta = attrs.field(validator=_duration)


@attrs.frozen(kw_only=True)
class ContactEnded(Event):
    """A connected contact ended; the router forgot it.

    Its :attr:`outcome` is ``ContactOutcome.ANSWERED``.
    """

    kind: ClassVar[str] = "acd.contact_ended"
    outcome: ClassVar[ContactOutcome] = ContactOutcome.ANSWERED
    """How the contact left the router."""
    contact_id: str = attrs.field(validator=_id)
    agent_id: str = attrs.field(validator=_id)
    queue: str = attrs.field(validator=_id)
    talk_time: timedelta = attrs.field(validator=_duration)


@attrs.frozen(kw_only=True)
class ContactAbandoned(Event):
    """The caller hung up before being connected; its place is freed.

    Its :attr:`outcome` is ``ContactOutcome.ABANDONED``.
    """

    kind: ClassVar[str] = "acd.contact_abandoned"
    outcome: ClassVar[ContactOutcome] = ContactOutcome.ABANDONED
    """How the contact left the router."""
    contact_id: str = attrs.field(validator=_id)
    queue: str = attrs.field(validator=_id)
    waited: timedelta = attrs.field(validator=_duration)


@attrs.frozen(kw_only=True)
class ContactTransferred(Event):
    """A connected contact was transferred: its agent is freed, and it waits again.

    It keeps its id, arrival, skills, language and callback flag (and its
    priority unless the transfer set a new one); ``to_agent`` names the agent
    it is offered to first, if any. A :class:`ContactQueued` for ``to_queue``
    follows. The contact stays in the router, so this is no outcome: the
    agent's part ended (``talk_time``), as ``ContactEnded`` would say.
    """

    kind: ClassVar[str] = "acd.contact_transferred"
    contact_id: str = attrs.field(validator=_id)
    agent_id: str = attrs.field(validator=_id)
    """The agent who held it (now freed, in wrap-up if its queue has one)."""
    queue: str = attrs.field(validator=_id)
    """The queue it was answered from."""
    to_queue: str = attrs.field(validator=_id)
    to_agent: str | None = attrs.field(default=None, validator=attrs.validators.optional(_id))
    talk_time: timedelta = attrs.field(validator=_duration)


@attrs.frozen(kw_only=True)
class ContactEscalated(Event):
    """An escalation rule widened who may take a contact."""

    kind: ClassVar[str] = "acd.contact_escalated"
    contact_id: str = attrs.field(validator=_id)
    queue: str = attrs.field(validator=_id)
    stage: int = attrs.field(validator=_stage)
    """How many of the queue's rules now apply."""


_OVERFLOW_OUTCOMES = {
    OverflowAction.QUEUE: ContactOutcome.OVERFLOWED,
    OverflowAction.VOICEMAIL: ContactOutcome.VOICEMAIL,
    OverflowAction.CALLBACK: ContactOutcome.CALLBACK,
}


@attrs.frozen(kw_only=True)
class ContactOverflowed(Event):
    """A contact left its queue on overflow.

    Because it waited ``max_wait``, the queue stayed empty ``max_wait_empty``,
    the last member left a ``leave_when_empty`` queue, or the queue it was just
    moved into would not keep it.

    Its :attr:`outcome` says how the contact's wait in ``queue`` ended:
    ``OVERFLOWED`` (on to ``to_queue``), ``VOICEMAIL`` (it left the router) or
    ``CALLBACK`` (it stays, as a callback request).
    """

    kind: ClassVar[str] = "acd.contact_overflowed"
    contact_id: str = attrs.field(validator=_id)
    queue: str = attrs.field(validator=_id)
    action: OverflowAction = attrs.field(validator=validator(check_enum, enum_type=OverflowAction))
    to_queue: str | None = attrs.field(default=None, validator=attrs.validators.optional(_id))

    @property
    def outcome(self) -> ContactOutcome:
        """How the contact's wait in ``queue`` ended (from :attr:`action`)."""
        return _OVERFLOW_OUTCOMES[self.action]


@attrs.frozen(kw_only=True)
class CallbackRequested(Event):
    """A waiting caller asked to be called back; it keeps its place.

    Its :attr:`outcome` is ``ContactOutcome.CALLBACK``: the caller's wait
    ended; the request stays in the router until an agent calls back.
    """

    kind: ClassVar[str] = "acd.callback_requested"
    outcome: ClassVar[ContactOutcome] = ContactOutcome.CALLBACK
    """How the caller's wait ended."""
    contact_id: str = attrs.field(validator=_id)
    queue: str = attrs.field(validator=_id)


@attrs.frozen(kw_only=True)
class PriorityChanged(Event):
    """A waiting contact's priority changed (effective at once)."""

    kind: ClassVar[str] = "acd.priority_changed"
    contact_id: str = attrs.field(validator=_id)
    priority: int = attrs.field(validator=_count)


@attrs.frozen(kw_only=True)
class AgentStateChanged(Event):
    """An agent logged in or out, went ready or not ready, or began or ended wrap-up."""

    kind: ClassVar[str] = "acd.agent_state_changed"
    agent_id: str = attrs.field(validator=_id)
    state: AgentState = attrs.field(validator=validator(check_enum, enum_type=AgentState))
    reason: NotReadyReason | None = attrs.field(
        default=None, validator=_optional_member_of(NotReadyReason)
    )


@attrs.frozen(kw_only=True)
class AgentRemoved(Event):
    """A logged-out agent was removed: the router forgot it and its counters."""

    kind: ClassVar[str] = "acd.agent_removed"
    agent_id: str = attrs.field(validator=_id)


@attrs.frozen
class RouterUpdate:
    """What one call into the router caused: what to ring, what to stop, what happened.

    Every command of :class:`~callcore.acd.Router` returns one; it satisfies
    :class:`callcore.events.Update`. The host's actions are the two offer
    fields: ring each agent of ``offers``, stop ringing each of ``ended_offers``
    (an offer made and ended within one call is in both).

    Attributes:
        offers: New offers: ring these agents.
        ended_offers: Offers that ended unanswered: stop ringing these.
        events: Everything that happened, in order (offers included).
    """

    offers: tuple[Offer, ...] = attrs.field(default=(), validator=_tuple_of(Offer))
    ended_offers: tuple[Offer, ...] = attrs.field(default=(), validator=_tuple_of(Offer))
    events: tuple[Event, ...] = attrs.field(default=(), validator=_tuple_of(Event))
