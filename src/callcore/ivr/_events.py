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
