"""Repeat-contact marking, for first-contact resolution by a repeat window.

A contact is a *repeat* when the same customer contacted within the window
before it. Counting repeats on the later contact gives the same total as
counting unresolved contacts on the earlier one (each contact has at most one
next contact), so the rate is exact; it is attributed to the repeat's group.
"""

from __future__ import annotations

from collections import deque
from datetime import datetime, timedelta

import attrs

from callcore.checks import check_duration, validator
from callcore.errors import InvalidInputError
from callcore.kpi._records import InteractionRecord

__all__ = ["RepeatContactMarker"]


@attrs.define
class RepeatContactMarker:
    """Marks each record as a repeat contact or not, fed in order of arrival.

    Memory holds the customers who contacted within the last ``window``.

    Attributes:
        window: How soon a new contact from the same customer counts as a
            repeat (FCR definitions commonly use 1 to 7 days); longer than
            zero, at most :data:`callcore.checks.MAX_DURATION`.
    """

    window: timedelta = attrs.field(
        default=timedelta(days=7), validator=validator(check_duration, positive=True)
    )
    _last_seen: dict[str, datetime] = attrs.field(init=False, factory=dict)
    _order: deque[tuple[datetime, str]] = attrs.field(init=False, factory=deque)
    _latest: datetime | None = attrs.field(init=False, default=None)

    def mark(self, record: InteractionRecord) -> InteractionRecord:
        """Return ``record`` with ``repeat_contact`` set.

        Records without a ``customer_id`` are returned unchanged (unknown).

        Raises:
            InvalidInputError: ``record`` is not an ``InteractionRecord``, or
                arrived before an earlier-fed record; nothing changed.
        """
        if not isinstance(record, InteractionRecord):
            raise InvalidInputError(
                f"expected an InteractionRecord, got {type(record).__name__}", field="record"
            )
        arrived = record.arrived_at
        if self._latest is not None and arrived < self._latest:
            raise InvalidInputError(
                f"records must be fed in order of arrival: {record.id!r:.60} arrived at "
                f"{arrived.isoformat()}, before {self._latest.isoformat()}",
                field="record",
            )
        self._latest = arrived
        while self._order and self._order[0][0] < arrived - self.window:
            seen_at, customer = self._order.popleft()
            if self._last_seen.get(customer) == seen_at:
                del self._last_seen[customer]
        if record.customer_id is None:
            return record
        previous = self._last_seen.get(record.customer_id)
        self._last_seen[record.customer_id] = arrived
        self._order.append((arrived, record.customer_id))
        repeat = previous is not None and arrived - previous <= self.window
        return attrs.evolve(record, repeat_contact=repeat)
