"""The tickets' next deadlines, kept so that the earliest is found without a scan.

The centre asks two things of them on every turn of a host's loop: the
earliest (:meth:`~callcore.center.ContactCenter.next_deadline`) and those due
now (:meth:`~callcore.center.ContactCenter.run_due`). A heap answers both in
logarithmic time however many tickets wait; a ticket whose deadline moved
leaves its old entry behind, skipped when it surfaces (lazy deletion), and
the heap is rebuilt when such stale entries outnumber the live ones.
"""

from __future__ import annotations

import heapq
from collections.abc import Iterator, Mapping
from datetime import datetime

__all__ = ["DueTimes"]

_SLACK = 64
"""Stale entries tolerated beyond the live ones before the heap is rebuilt."""


class DueTimes:
    """Each ticket's next deadline, by ticket id, with the earliest at hand.

    Args:
        times: The deadlines to start with (a restored checkpoint's).
    """

    def __init__(self, times: Mapping[str, datetime] | None = None) -> None:
        """Start from ``times``."""
        self._times: dict[str, datetime] = dict(times or {})
        self._heap: list[tuple[datetime, str]] = []
        self._rebuild()

    def _rebuild(self) -> None:
        self._heap = [(due, key) for key, due in self._times.items()]
        heapq.heapify(self._heap)

    def set(self, key: str, due: datetime | None) -> None:
        """Set (or, with ``None``, clear) ``key``'s deadline."""
        if due is None:
            self._times.pop(key, None)
            return
        if self._times.get(key) == due:
            return
        self._times[key] = due
        heapq.heappush(self._heap, (due, key))
        if len(self._heap) > 2 * len(self._times) + _SLACK:
            self._rebuild()

    def _drop_stale(self) -> None:
        heap, times = self._heap, self._times
        while heap and times.get(heap[0][1]) != heap[0][0]:
            heapq.heappop(heap)

    def earliest(self) -> datetime | None:
        """The earliest deadline, or ``None`` when there is none."""
        self._drop_stale()
        return self._heap[0][0] if self._heap else None

    def pop_due(self, now: datetime) -> Iterator[str]:
        """Take out the keys due at ``now``, soonest first (ties by key).

        Each key leaves as it is yielded: whoever runs its timer sets its next
        deadline again.
        """
        while True:
            self._drop_stale()
            if not self._heap or self._heap[0][0] > now:
                return
            _, key = heapq.heappop(self._heap)
            del self._times[key]
            yield key

    def as_dict(self) -> dict[str, datetime]:
        """Every deadline, by key (for the checkpoint)."""
        return dict(self._times)

    def __len__(self) -> int:
        """How many keys have a deadline."""
        return len(self._times)
