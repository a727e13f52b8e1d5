"""The base of every domain event, the update every engine call returns, and ids.

An event is an immutable record of something that happened inside an engine
(a customer was created, a contact was offered, a ticket breached its SLA).
Engines return events; the shell broadcasts them to plugins through the
``callcore_domain_event`` hook; hosts log, store or forward them.

Every engine call that changes state returns one frozen *update*: its
``events`` say what happened and, where the host must do something, its
``actions`` say what (:class:`Update`, :class:`ActionUpdate`). The protocols
describe the common part; each engine's update class adds what is its own
(the router's offers to ring, the ticket an update produced).

Engines that create records take an ``id_factory`` (:data:`IdFactory`), by
default :func:`new_id`.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import datetime
from typing import ClassVar, Protocol, TypeAlias, TypeVar

import attrs

from callcore.clock import aware

__all__ = ["ActionUpdate", "Event", "IdFactory", "Update", "new_id"]


@attrs.frozen(kw_only=True)
class Event:
    """Something that happened at a point in time.

    Subclasses are frozen attrs classes (keyword-only, so they may add required
    fields) and set :attr:`kind`, a stable dotted name such as
    ``"customer.created"`` that hosts can filter on and that survives renames of
    the Python class.

    Attributes:
        at: When it happened (timezone-aware).
    """

    kind: ClassVar[str] = "event"

    at: datetime = attrs.field(validator=aware)


ActionT_co = TypeVar("ActionT_co", covariant=True)


class Update(Protocol):
    """What one engine call caused: the shape every engine's update shares."""

    @property
    def events(self) -> tuple[Event, ...]:
        """The domain events, in the order they happened."""


class ActionUpdate(Update, Protocol[ActionT_co]):
    """An update that also says what the host must do (play this prompt, send this survey)."""

    @property
    def actions(self) -> tuple[ActionT_co, ...]:
        """What the host must do, in order."""


IdFactory: TypeAlias = Callable[[], str]
"""Makes a new, unique id each time it is called."""


def new_id() -> str:
    """A new random id: a UUID4 as 32 lower-case hex digits, the default id factory."""
    return uuid.uuid4().hex
