"""The hot path of aggregation: counting records into flat per-group tallies.

An :class:`~callcore.kpi.Aggregate` is the public shape of a group's totals;
a :class:`Tally` is the cheaper shape records are counted into. It keeps only
counters that cannot be derived from others (``contacts``, ``inbound``,
``waited`` and ``handled`` are sums computed when read) and sums durations as
``timedelta`` (exact integer microseconds, like the ``*_us`` fields), so that a
record costs a few additions and no conversion. :meth:`Tally.to_aggregate`
turns a tally into exactly the totals that counting each record into an
``Aggregate`` would give.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable
from datetime import datetime, timedelta, timezone
from operator import attrgetter
from typing import Any

import attrs

from callcore.contacts import ContactOutcome, Direction
from callcore.errors import InvalidInputError
from callcore.kpi._aggregate import Aggregate
from callcore.kpi._records import InteractionRecord

__all__ = [
    "CELL",
    "Counter",
    "RawKey",
    "Span",
    "Tally",
    "cell_size",
    "find_span",
    "make_counter",
    "not_a_record",
]

_ZERO = timedelta(0)
_US = timedelta(microseconds=1)
_EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)
_NEVER = datetime.min.replace(tzinfo=timezone.utc)  # before any record's time

RawKey = tuple[datetime | None, str | None, str | None, object]
"""A group's key inside an aggregator: interval start, queue, agent, channel."""

Locate = Callable[[datetime], tuple[datetime, datetime, datetime]]
"""Find an instant's interval: its label and the UTC range ``[low, high)`` sharing it."""

Span = tuple[datetime, datetime, datetime]
"""An interval: its label and its UTC range ``[low, high)``."""

CELL = timedelta(minutes=15)
"""Time is cut into UTC cells of 15 minutes (or the interval, if shorter) to cache intervals.

Every UTC offset in use today is a whole number of quarter hours, so such a
cell lies inside one interval except where clocks change; a cell that does
not (a change of clocks, an old local mean time) is never cached, and its
records find their interval each time.
"""


def find_span(
    cells: dict[int, Span], cell: timedelta, locate: Locate, arrived: datetime, number: int
) -> Span:
    """Return the interval of ``arrived``, whose UTC cell is ``number``, from ``cells`` or found.

    A cell that lies inside one interval is remembered in ``cells``; one that
    straddles a boundary is not (its instants are located each time).
    """
    span = cells.get(number)
    if span is None:
        span = locate(arrived)
        cell_low = _EPOCH + number * cell
        if span[1] <= cell_low and cell_low + cell <= span[2]:
            cells[number] = span
    return span


def cell_size(interval: timedelta) -> timedelta:
    """The cache's cell for intervals of ``interval``: a length that divides both it and 15 min."""
    return timedelta(microseconds=math.gcd(interval // _US, CELL // _US))


@attrs.define
class Tally:
    """The running totals of one group's interaction records.

    Counts of answered and abandoned contacts are inbound only, as in
    :class:`~callcore.kpi.Aggregate`; their outbound twins are kept apart.
    """

    answered: int = 0
    answered_out: int = 0
    answered_within: int = 0
    abandoned: int = 0
    abandoned_out: int = 0
    abandoned_within: int = 0
    short_abandoned: int = 0
    missed: int = 0
    voicemail: int = 0
    callbacks: int = 0
    overflowed: int = 0
    out_of_hours: int = 0
    self_served: int = 0
    no_answer: int = 0
    transferred_unanswered: int = 0
    rejected: int = 0
    failed: int = 0
    other_inbound: int = 0  # inbound records of the ten outcomes above
    later_legs: int = 0  # records that are not their contact's first leg
    later_legs_in: int = 0  # ... of which inbound
    answered_wait: timedelta = _ZERO
    abandoned_wait: timedelta = _ZERO
    longest_wait: timedelta = _ZERO
    connected: timedelta = _ZERO  # answer to end of handled records, hold included
    hold: timedelta = _ZERO
    after_call_work: timedelta = _ZERO
    held: int = 0
    transferred: int = 0
    transfers: int = 0
    consults: int = 0
    agents: set[str] = attrs.Factory(set)
    ivr_entered: int = 0
    fcr_known: int = 0
    fcr_resolved: int = 0
    repeat_known: int = 0
    repeats: int = 0
    csat_responses: int = 0
    csat_top_two: int = 0
    nps_responses: int = 0
    nps_promoters: int = 0
    nps_detractors: int = 0

    def plus(self, other: Tally) -> Tally:
        """Return a new tally of both tallies' totals.

        Raises:
            OverflowError: A sum of durations does not fit a timedelta.
        """
        sums = {name: getattr(self, name) + getattr(other, name) for name in _SUMMED}
        return Tally(
            **sums,
            longest_wait=max(self.longest_wait, other.longest_wait),
            agents=self.agents | other.agents,
        )

    def records(self) -> int:
        """Return how many records were counted: one outcome count per record."""
        others = self.missed + self.voicemail + self.callbacks + self.overflowed
        others += self.out_of_hours + self.self_served + self.no_answer
        others += self.transferred_unanswered + self.rejected + self.failed
        return self.answered + self.answered_out + self.abandoned + self.abandoned_out + others

    def to_aggregate(self) -> Aggregate:
        """Return these totals as a new, independent ``Aggregate``."""
        contacts = self.records() - self.later_legs  # a contact counts once, at its first leg
        inbound = self.answered + self.abandoned + self.other_inbound - self.later_legs_in
        answered_wait_us = self.answered_wait // _US
        hold_us = self.hold // _US
        return Aggregate(
            contacts=contacts,
            inbound=inbound,
            outbound=contacts - inbound,
            answered=self.answered,
            answered_within=self.answered_within,
            abandoned=self.abandoned,
            abandoned_within=self.abandoned_within,
            short_abandoned=self.short_abandoned,
            missed=self.missed,
            voicemail=self.voicemail,
            callbacks=self.callbacks,
            overflowed=self.overflowed,
            out_of_hours=self.out_of_hours,
            self_served=self.self_served,
            no_answer=self.no_answer,
            transferred_unanswered=self.transferred_unanswered,
            rejected=self.rejected,
            failed=self.failed,
            answered_wait_us=answered_wait_us,
            waited=self.answered + self.abandoned,
            wait_us=answered_wait_us + self.abandoned_wait // _US,
            longest_wait_us=self.longest_wait // _US,
            handled=self.answered + self.answered_out,
            talk_us=self.connected // _US - hold_us,
            hold_us=hold_us,
            after_call_work_us=self.after_call_work // _US,
            held=self.held,
            transferred=self.transferred,
            transfers=self.transfers,
            consults=self.consults,
            agents=set(self.agents),
            ivr_entered=self.ivr_entered,
            fcr_known=self.fcr_known,
            fcr_resolved=self.fcr_resolved,
            repeat_known=self.repeat_known,
            repeats=self.repeats,
            csat_responses=self.csat_responses,
            csat_top_two=self.csat_top_two,
            nps_responses=self.nps_responses,
            nps_promoters=self.nps_promoters,
            nps_detractors=self.nps_detractors,
        )


_SUMMED = tuple(
    field.name for field in attrs.fields(Tally) if field.name not in {"longest_wait", "agents"}
)


def _constant_none(_: InteractionRecord) -> None:
    return None


Counter = Callable[[Iterable[InteractionRecord]], datetime]
"""Counts every record of an iterable into tallies; returns the latest instant among them.

The latest instant of a record is the end of its after-call work, or else its
end; with no record, it is ``datetime.min`` in UTC. An item that is not an
:class:`~callcore.kpi.InteractionRecord` raises (see :func:`not_a_record`).
"""


def not_a_record(value: object, expected: type) -> InvalidInputError:
    """The error for ``value`` given where an ``expected`` record belongs."""
    return InvalidInputError(
        f"expected an {expected.__name__}, got {type(value).__name__}", field="record"
    )


# One long function on purpose: the counter it returns runs once per record,
# and every call, attribute lookup and conversion it avoids is time saved.
def make_counter(  # noqa: C901, PLR0915
    tallies: dict[RawKey, Tally],
    *,
    by: tuple[bool, bool, bool, bool],
    locate: Locate,
    cells: dict[int, Span],
    cell: timedelta,
    service_level: timedelta,
    short_abandon: timedelta,
) -> Counter:
    """Build the counter that counts records (each valid, as built) into ``tallies``.

    Args:
        tallies: Where tallies are kept, by full group key; the counter adds to it.
        by: Whether to group by interval, queue, agent and channel.
        locate: Finds the interval of an arrival time (used only by interval).
        cells: The intervals found so far, by UTC cell number (``cell`` long
            since the epoch), kept by the aggregator across counters; only
            cells that lie inside one interval are kept.
        cell: The length of a cell (see :func:`cell_size`).
        service_level: The service-level threshold.
        short_abandon: The short-abandon threshold.

    Returns:
        The counter: it counts a batch in one loop (a single record is a batch
        of one), so that a record costs no function call. It remembers the
        interval of the last record, so records in time order rarely pay for
        finding their interval; any other record finds it in ``cells`` by a
        division, so records in any order find each interval once. It keeps,
        per interval, the tallies by the rest of the key. An item that is not
        an ``InteractionRecord`` raises
        :class:`~callcore.errors.InvalidInputError` when it is reached; an
        ``OverflowError`` leaves the tally of the record that raised it as
        it was.
    """
    by_interval, by_queue, by_agent, by_channel = by
    names = [
        name
        for name, wanted in (("queue", by_queue), ("agent", by_agent), ("channel", by_channel))
        if wanted
    ]
    # attrgetter runs in C: one name gives the value, several a tuple.
    rest_of: Callable[[InteractionRecord], object] = attrgetter(*names) if names else _constant_none
    inbound_direction = Direction.INBOUND
    answered_outcome, abandoned_outcome = ContactOutcome.ANSWERED, ContactOutcome.ABANDONED
    self_served = ContactOutcome.SELF_SERVED
    missed, voicemail, callback, overflowed = (
        ContactOutcome.MISSED,
        ContactOutcome.VOICEMAIL,
        ContactOutcome.CALLBACK,
        ContactOutcome.OVERFLOWED,
    )
    transferred, no_answer, rejected, out_of_hours = (
        ContactOutcome.TRANSFERRED,
        ContactOutcome.NO_ANSWER,
        ContactOutcome.REJECTED,
        ContactOutcome.OUT_OF_HOURS,
    )
    by_start: dict[datetime | None, dict[object, Tally]] = {}
    # Per cell: the interval and its tallies by the rest of the key.
    seen: dict[int, tuple[datetime, datetime, datetime, dict[object, Tally]]] = {}
    # The interval of the last record counted, and the tallies of that interval
    # by the rest of the key; an empty range, so that the first record locates
    # its interval.
    last_interval: list[Any] = [None, _EPOCH, _EPOCH, by_start.setdefault(None, {})]
    record_type: type = InteractionRecord  # callers may pass anything: checked in the loop

    def count(records: Iterable[InteractionRecord]) -> datetime:  # noqa: C901, PLR0912, PLR0915
        start, low, high, local = last_interval
        latest = _NEVER
        for record in records:
            if type(record) is not record_type and not isinstance(record, record_type):
                raise not_a_record(record, record_type)
            if by_interval:
                arrived = record.arrived_at
                if not low <= arrived < high:
                    number = (arrived - _EPOCH) // cell
                    found = seen.get(number)
                    if found is None:
                        found = _find(number, arrived)
                    start, low, high, local = found
            rest = rest_of(record)
            tally = local.get(rest)
            if tally is None:
                key = (
                    start,
                    record.queue if by_queue else None,
                    record.agent if by_agent else None,
                    record.channel if by_channel else None,
                )
                tally = tallies.get(key)
                if tally is None:
                    tally = tallies[key] = Tally()
                local[rest] = tally

            outcome = record.outcome
            inbound = record.direction is inbound_direction
            ended = record.ended_at
            last = record.wrap_up_ended_at
            if outcome is answered_outcome:
                # Sums of durations can overflow timedelta (after about 27,000
                # century-long records in one group): add them all up before
                # changing anything, so that an OverflowError leaves the tally as it was.
                answered_at: datetime = record.answered_at  # type: ignore[assignment]
                connected = tally.connected + (ended - answered_at)
                hold = record.hold_time
                if hold:
                    hold_sum = tally.hold + hold
                if last is not None:
                    after_call_work = tally.after_call_work + (last - ended)
                if inbound:
                    waited = answered_at - (record.queued_at or record.arrived_at)
                    tally.answered_wait += waited
                    tally.answered += 1
                    if waited > tally.longest_wait:  # noqa: PLR1730 - cheaper than max()
                        tally.longest_wait = waited
                    if waited <= service_level:
                        tally.answered_within += 1
                else:
                    tally.answered_out += 1
                tally.connected = connected
                if last is not None:
                    tally.after_call_work = after_call_work
                    if last > latest:  # noqa: PLR1730 - cheaper than max()
                        latest = last
                elif ended > latest:
                    latest = ended
                if hold:
                    tally.hold = hold_sum
                    tally.held += 1
                elif record.holds:
                    tally.held += 1
                if record.transfers:
                    tally.transferred += 1
                    tally.transfers += record.transfers
                if record.consults:
                    tally.consults += record.consults
                agent = record.agent
                if agent is not None:
                    tally.agents.add(agent)
            elif outcome is abandoned_outcome:
                if inbound:
                    waited = ended - (record.queued_at or record.arrived_at)
                    tally.abandoned_wait += waited  # the only step that can fail: first
                    tally.abandoned += 1
                    if waited > tally.longest_wait:  # noqa: PLR1730 - cheaper than max()
                        tally.longest_wait = waited
                    if waited <= service_level:
                        tally.abandoned_within += 1
                    if waited <= short_abandon:
                        tally.short_abandoned += 1
                else:
                    tally.abandoned_out += 1
                if last is None:
                    last = ended
                if last > latest:  # noqa: PLR1730 - cheaper than max()
                    latest = last
            else:
                if inbound:
                    tally.other_inbound += 1
                if outcome is missed:
                    tally.missed += 1
                elif outcome is self_served:
                    tally.self_served += 1
                elif outcome is voicemail:
                    tally.voicemail += 1
                elif outcome is callback:
                    tally.callbacks += 1
                elif outcome is overflowed:
                    tally.overflowed += 1
                elif outcome is transferred:
                    tally.transferred_unanswered += 1
                elif outcome is no_answer:
                    tally.no_answer += 1
                elif outcome is rejected:
                    tally.rejected += 1
                elif outcome is out_of_hours:
                    tally.out_of_hours += 1
                else:  # failed (a record is never 'queued')
                    tally.failed += 1
                if last is None:
                    last = ended
                if last > latest:  # noqa: PLR1730 - cheaper than max()
                    latest = last
            if record.ivr_path:
                tally.ivr_entered += 1
            fcr = record.first_contact_resolved
            if fcr is not None:
                tally.fcr_known += 1
                tally.fcr_resolved += fcr
            contact = record.contact_id
            if contact is not None and contact != record.id:  # a later leg of a contact
                tally.later_legs += 1
                if inbound:
                    tally.later_legs_in += 1
            else:
                repeat = record.repeat_contact
                if repeat is not None:
                    tally.repeat_known += 1
                    tally.repeats += repeat
            csat = record.csat
            if csat is not None:
                tally.csat_responses += 1
                tally.csat_top_two += csat >= 4
            nps = record.nps
            if nps is not None:
                tally.nps_responses += 1
                tally.nps_promoters += nps >= 9
                tally.nps_detractors += nps <= 6
        last_interval[:] = start, low, high, local
        return latest

    def _find(
        number: int, arrived: datetime
    ) -> tuple[datetime, datetime, datetime, dict[object, Tally]]:
        start, low, high = find_span(cells, cell, locate, arrived, number)
        found = (start, low, high, by_start.setdefault(start, {}))
        if number in cells:  # a cell inside one interval: remember it for this counter too
            seen[number] = found
        return found

    return count
