"""The base of every domain event.

An event is an immutable record of something that happened inside an engine
(a customer was created, a contact was offered, a ticket breached its SLA).
Engines return events; the shell broadcasts them to plugins through the
``callcore_domain_event`` hook; hosts log, store or forward them.
"""

from __future__ import annotations

from datetime import datetime
from typing import ClassVar

import attrs

from callcore.clock import aware

__all__ = ["Event"]


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
