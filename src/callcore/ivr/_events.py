"""What an IVR session call returns: the host's actions and the domain events.

Every call that drives a session (:meth:`~callcore.ivr.IvrSession.start`,
:meth:`~callcore.ivr.IvrSession.handle`, :meth:`~callcore.ivr.IvrSession.tick`)
returns one :class:`IvrUpdate`: the actions the host must carry out, in order,
and the domain events (:class:`SessionStarted`, :class:`SessionEnded`) that the
shell broadcasts through the ``callcore_domain_event`` hook.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from types import MappingProxyType
from typing import Any, ClassVar

import attrs

from callcore.clock import aware
from callcore.contacts import ContactOutcome
from callcore.events import Event
from callcore.ivr._protocol import Action

__all__ = ["IvrUpdate", "SessionEnded", "SessionStarted"]


def _frozen(value: Mapping[str, Any]) -> Mapping[str, Any]:
    return MappingProxyType(dict(value))


@attrs.frozen(kw_only=True)
class SessionStarted(Event):
    """A call entered a flow (:meth:`~callcore.ivr.IvrSession.start`).

    Attributes:
        at: When the call started.
        flow: The flow's id.
        version: The flow's version the session is pinned to.
        language: The caller's language at the start.
        call: The call data given at start (``ani``, ``dnis``, the host's call
            id...): what tells the host which call this is.
    """

    kind: ClassVar[str] = "ivr.session_started"

    flow: str
    version: int
    language: str
    call: Mapping[str, Any] = attrs.field(factory=dict, converter=_frozen, hash=False)


@attrs.frozen(kw_only=True)
class SessionEnded(Event):
    """The IVR's part of a call ended.

    Emitted in the update of the call that ended it: the node that hung up,
    queued or transferred, the caller's hang-up, or a limit reached (also by
    :meth:`~callcore.ivr.IvrSession.tick`).

    Attributes:
        at: When the session ended.
        flow: The (top) flow's id.
        version: Its version.
        outcome: How the session ended.
        node: The last node, as in :attr:`~callcore.ivr.IvrSession.path`
            (``flow:node`` inside a subflow).
        language: The caller's language at the end.
        started_at: When the call started (``at - started_at`` is the time in the IVR).
        call: The call data given at start.
    """

    kind: ClassVar[str] = "ivr.session_ended"

    flow: str
    version: int
    outcome: ContactOutcome
    node: str
    language: str
    started_at: datetime = attrs.field(validator=aware)
    call: Mapping[str, Any] = attrs.field(factory=dict, converter=_frozen, hash=False)


@attrs.frozen
class IvrUpdate:
    """What one session call caused (a :class:`callcore.events.ActionUpdate`).

    Attributes:
        actions: What the host must do, in order; the last is terminal when
            the session ended (except after the caller's hang-up, which needs
            no action).
        events: The domain events, in order: :class:`SessionStarted` in the
            update of ``start``, :class:`SessionEnded` in the update of the
            call that ended the session.
    """

    actions: tuple[Action, ...] = ()
    events: tuple[Event, ...] = ()


# --- fast construction, for the session's hot path ----------------------------------------
#
# The session builds an update per call and an event per start and end from values it
# has already checked (``now`` by ``check_instant``, the outcome by type, the call data
# as plain data), so it fills the slots directly: an equal, ordinary object without the
# validators' and converters' cost (the classes have no other initialisation to skip).

_new = object.__new__


def _setters(cls: type, *names: str) -> tuple[Any, ...]:
    """The slot setters of ``names`` on ``cls`` (a slot may live on a base class)."""
    return tuple(
        next(klass.__dict__[name] for klass in cls.__mro__ if name in klass.__dict__).__set__
        for name in names
    )


_UPDATE = _setters(IvrUpdate, "actions", "events")
_STARTED = _setters(SessionStarted, "at", "flow", "version", "language", "call")
_ENDED = _setters(
    SessionEnded, "at", "flow", "version", "outcome", "node", "language", "started_at", "call"
)


def make_update(actions: tuple[Action, ...], events: tuple[Event, ...] = ()) -> IvrUpdate:
    """``IvrUpdate(actions, events)``, filled directly."""
    update: IvrUpdate = _new(IvrUpdate)
    set_actions, set_events = _UPDATE
    set_actions(update, actions)
    set_events(update, events)
    return update


def make_started(
    at: datetime, flow: str, version: int, language: str, call: Mapping[str, Any]
) -> SessionStarted:
    """``SessionStarted(...)`` from checked values, filled directly (``call`` is copied)."""
    event: SessionStarted = _new(SessionStarted)
    set_at, set_flow, set_version, set_language, set_call = _STARTED
    set_at(event, at)
    set_flow(event, flow)
    set_version(event, version)
    set_language(event, language)
    set_call(event, MappingProxyType(dict(call)))
    return event


def make_ended(  # noqa: PLR0917 - one argument per field
    at: datetime,
    flow: str,
    version: int,
    outcome: ContactOutcome,
    node: str,
    language: str,
    started_at: datetime,
    call: Mapping[str, Any],
) -> SessionEnded:
    """``SessionEnded(...)`` from checked values, filled directly (``call`` is copied)."""
    event: SessionEnded = _new(SessionEnded)
    set_at, set_flow, set_version, set_outcome, set_node, set_language, set_started, set_call = (
        _ENDED
    )
    set_at(event, at)
    set_flow(event, flow)
    set_version(event, version)
    set_outcome(event, outcome)
    set_node(event, node)
    set_language(event, language)
    set_started(event, started_at)
    set_call(event, MappingProxyType(dict(call)))
    return event
