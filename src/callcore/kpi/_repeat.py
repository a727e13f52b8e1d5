"""Repeat-contact marking, for first-contact resolution by a repeat window.

A contact is a *repeat* when the same customer contacted within the window
before it. Counting repeats on the later contact gives the same total as
counting unresolved contacts on the earlier one (each contact has at most one
next contact), so the rate is exact; it is attributed to the repeat's group.

The legs of one contact (records sharing a ``contact_id``) are one contact:
a call that rang one agent and was answered by the next is not a repeat of
itself. Its later legs get the first leg's verdict, and the aggregator counts
the verdict once, at the first leg.
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
    # customer -> (arrival of their last contact, its id, its verdict)
    _last_seen: dict[str, tuple[datetime, str, bool]] = attrs.field(init=False, factory=dict)
    _order: deque[tuple[datetime, str]] = attrs.field(init=False, factory=deque)
    _latest: datetime | None = attrs.field(init=False, default=None)

    def mark(self, record: InteractionRecord) -> InteractionRecord:
        """Return ``record`` with ``repeat_contact`` set.

        Records without a ``customer_id`` are returned unchanged (unknown), as
        are later legs of a contact the marker no longer remembers.

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
            last = self._last_seen.get(customer)
            if last is not None and last[0] == seen_at:
                del self._last_seen[customer]
        customer_id = record.customer_id
        if customer_id is None:
            return record
        previous = self._last_seen.get(customer_id)
        if not record.first_leg:  # a later leg: its contact's verdict, if still known
            if previous is not None and previous[1] == record.contact_id:
                return attrs.evolve(record, repeat_contact=previous[2])
            return record
        repeat = previous is not None and arrived - previous[0] <= self.window
        self._last_seen[customer_id] = (arrived, record.id, repeat)
        self._order.append((arrived, customer_id))
        return attrs.evolve(record, repeat_contact=repeat)
