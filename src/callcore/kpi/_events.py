"""What an aggregator reports: one update per call, with at most one event.

Records are counted by the million, so an update never holds one object per
record: :meth:`~callcore.kpi.Aggregator.add_many` reports a whole batch with
one :class:`RecordsAdded`. The aggregator builds its events and updates from
values it has checked already, without running the checks again (see
:func:`records_added`); built by anyone else, they check their fields.
"""

# cattrs reads these annotations at run time, so their imports stay at run time.
from __future__ import annotations

from datetime import datetime
from typing import ClassVar

import attrs

from callcore.checks import check_count, check_instance, validator
from callcore.errors import InvalidInputError
from callcore.events import Event
from callcore.kpi._records import AgentStateRecord

__all__ = ["AgentStateAdded", "AggregatorUpdate", "RecordsAdded", "TotalsMerged"]


@attrs.frozen(kw_only=True)
class RecordsAdded(Event):
    """Interaction records were counted.

    Attributes:
        at: The latest instant among the records: the latest end of
            after-call work, or of a contact without it.
        count: How many records were counted (at least one).
    """

    kind: ClassVar[str] = "kpi.records_added"
    count: int = attrs.field(validator=validator(check_count, low=1))


@attrs.frozen(kw_only=True)
class AgentStateAdded(Event):
    """An agent state span was counted.

    Attributes:
        at: When the span ended.
        span: The span.
    """

    kind: ClassVar[str] = "kpi.agent_state_added"
    span: AgentStateRecord = attrs.field(validator=validator(check_instance, cls=AgentStateRecord))


@attrs.frozen(kw_only=True)
class TotalsMerged(Event):
    """Another aggregator's totals were merged in.

    Attributes:
        at: The ``now`` of the merge.
        groups: How many groups the other aggregator had (at least one).
    """

    kind: ClassVar[str] = "kpi.totals_merged"
    groups: int = attrs.field(validator=validator(check_count, low=1))


def _events(_: object, attribute: attrs.Attribute[tuple[Event, ...]], value: object) -> None:
    if not isinstance(value, tuple) or not all(isinstance(item, Event) for item in value):
        raise InvalidInputError(f"{attribute.name} must be a tuple of events", field=attribute.name)


@attrs.frozen
class AggregatorUpdate:
    """What one call to an :class:`~callcore.kpi.Aggregator` caused.

    It has the shape of :class:`callcore.events.Update`. A call that counted
    something reports one event (:class:`RecordsAdded`,
    :class:`AgentStateAdded` or :class:`TotalsMerged`); one that counted
    nothing (an empty batch, an empty aggregator merged) reports none. A
    refused call raises instead and reports nothing.

    Attributes:
        events: What happened: one event, or none.
    """

    events: tuple[Event, ...] = attrs.field(default=(), validator=_events)


NOTHING = AggregatorUpdate()
"""The update of a call that counted nothing."""

_new = object.__new__
# The slots' own setters: they skip the frozen classes' __setattr__ (which refuses).
_set_at = Event.__dict__["at"].__set__
_set_count = RecordsAdded.__dict__["count"].__set__
_set_events = AggregatorUpdate.__dict__["events"].__set__


def records_added(at: datetime, count: int) -> AggregatorUpdate:
    """The update for ``count`` records whose latest instant is ``at``, both checked already.

    Built without running the fields' checks again: this runs once per call
    of :meth:`~callcore.kpi.Aggregator.add`, where the checks would cost more
    than counting the record.
    """
    event = _new(RecordsAdded)
    _set_at(event, at)
    _set_count(event, count)
    update = _new(AggregatorUpdate)
    _set_events(update, (event,))
    return update
