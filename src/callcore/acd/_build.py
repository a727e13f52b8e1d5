"""Positional builders of the router's frozen outputs, for the hot path.

A frozen attrs class sets each field through ``object.__setattr__`` and parses
keyword arguments; with its validators that makes an ``Offer`` or an event cost
a few microseconds, more than the routing decision itself. The router builds
them with values it has already checked (every time is the router's own
``now``, checked to be aware when it came in), so a builder writes the slots
directly, in field order, and skips the validators. The result is an ordinary
instance: equal, hashable and printable like one made by ``__init__``.
"""

from __future__ import annotations

from types import MemberDescriptorType
from typing import TYPE_CHECKING

import attrs

from callcore.acd._events import (
    AgentStateChanged,
    ContactAnswered,
    ContactEnded,
    ContactOffered,
    ContactQueued,
    Offer,
    OfferEnded,
    RouterUpdate,
)

if TYPE_CHECKING:
    from collections.abc import Callable
    from datetime import datetime, timedelta

    from callcore.acd._events import OfferEndReason
    from callcore.acd._model import NotReadyReason
    from callcore.contacts import AgentState, Channel
    from callcore.events import Event

_new = object.__new__


def _setters(cls: type, count: int) -> tuple[Callable[[object, object], None], ...]:
    """The slot setters of ``cls``'s fields, in field order (``count`` of them)."""
    names = [field.name for field in attrs.fields(cls)]
    if len(names) != count:  # pragma: no cover - guards the builders below
        msg = f"{cls.__name__} has {len(names)} fields, the builder sets {count}"
        raise TypeError(msg)
    return tuple(_slot(cls, name).__set__ for name in names)


def _slot(cls: type, name: str) -> MemberDescriptorType:
    """The slot descriptor of ``name`` (it may sit on a base class)."""
    for klass in cls.__mro__:
        if name in getattr(klass, "__slots__", ()):
            descriptor: MemberDescriptorType = klass.__dict__[name]
            return descriptor
    msg = f"{cls.__name__}.{name} is not a slot"  # pragma: no cover
    raise TypeError(msg)  # pragma: no cover


_offer = OFFER_SETTERS = _setters(Offer, 8)


def new_offer(  # noqa: PLR0917 - positional on purpose: this is the fast path
    contact_id: str,
    agent_id: str,
    queue: str,
    channel: Channel,
    offered_at: datetime,
    expires_at: datetime,
    callback: bool,  # noqa: FBT001
    offer_id: str,
) -> Offer:
    """An :class:`Offer`."""
    offer: Offer = _new(Offer)
    s1, s2, s3, s4, s5, s6, s7, s8 = _offer
    s1(offer, contact_id)
    s2(offer, agent_id)
    s3(offer, queue)
    s4(offer, channel)
    s5(offer, offered_at)
    s6(offer, expires_at)
    s7(offer, callback)
    s8(offer, offer_id)
    return offer


_update = UPDATE_SETTERS = _setters(RouterUpdate, 3)
"""The slot setters of a RouterUpdate's fields, for the router's inline copy of new_update.

The ``*_SETTERS`` tuples serve the router's inline copies of the builders on its
hot path the same way: one Python call fewer per object.
"""


def new_update(
    offers: tuple[Offer, ...], ended_offers: tuple[Offer, ...], events: tuple[Event, ...]
) -> RouterUpdate:
    """An :class:`RouterUpdate`."""
    update: RouterUpdate = _new(RouterUpdate)
    s1, s2, s3 = _update
    s1(update, offers)
    s2(update, ended_offers)
    s3(update, events)
    return update


_queued = QUEUED_SETTERS = _setters(ContactQueued, 4)


def contact_queued(at: datetime, contact_id: str, queue: str, priority: int) -> ContactQueued:
    """A :class:`ContactQueued` event."""
    event: ContactQueued = _new(ContactQueued)
    s1, s2, s3, s4 = _queued
    s1(event, at)
    s2(event, contact_id)
    s3(event, queue)
    s4(event, priority)
    return event


_offered = OFFERED_SETTERS = _setters(ContactOffered, 2)


def contact_offered(at: datetime, offer: Offer) -> ContactOffered:
    """A :class:`ContactOffered` event."""
    event: ContactOffered = _new(ContactOffered)
    s1, s2 = _offered
    s1(event, at)
    s2(event, offer)
    return event


_ended_offer = _setters(OfferEnded, 3)


def offer_ended(at: datetime, offer: Offer, reason: OfferEndReason) -> OfferEnded:
    """An :class:`OfferEnded` event."""
    event: OfferEnded = _new(OfferEnded)
    s1, s2, s3 = _ended_offer
    s1(event, at)
    s2(event, offer)
    s3(event, reason)
    return event


_answered = ANSWERED_SETTERS = _setters(ContactAnswered, 5)


def contact_answered(
    at: datetime, contact_id: str, agent_id: str, queue: str, waited: timedelta
) -> ContactAnswered:
    """A :class:`ContactAnswered` event."""
    event: ContactAnswered = _new(ContactAnswered)
    s1, s2, s3, s4, s5 = _answered
    s1(event, at)
    s2(event, contact_id)
    s3(event, agent_id)
    s4(event, queue)
    s5(event, waited)
    return event


_ended = ENDED_SETTERS = _setters(ContactEnded, 5)


def contact_ended(
    at: datetime, contact_id: str, agent_id: str, queue: str, talk_time: timedelta
) -> ContactEnded:
    """A :class:`ContactEnded` event."""
    event: ContactEnded = _new(ContactEnded)
    s1, s2, s3, s4, s5 = _ended
    s1(event, at)
    s2(event, contact_id)
    s3(event, agent_id)
    s4(event, queue)
    s5(event, talk_time)
    return event


_state = _setters(AgentStateChanged, 4)


def agent_state_changed(
    at: datetime, agent_id: str, state: AgentState, reason: NotReadyReason | None = None
) -> AgentStateChanged:
    """An :class:`AgentStateChanged` event."""
    event: AgentStateChanged = _new(AgentStateChanged)
    s1, s2, s3, s4 = _state
    s1(event, at)
    s2(event, agent_id)
    s3(event, state)
    s4(event, reason)
    return event
