"""A brute-force reference: totals computed the obvious way, record by record.

It shares no code with callcore.kpi's aggregation: intervals are found by
flooring the local wall clock, durations are summed as timedeltas, and waits
are compared as timedeltas. :func:`as_reference` only reads an aggregator's
groups into the same shape, for comparison.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import datetime, timedelta, timezone, tzinfo

import attrs

from callcore.contacts import Direction
from callcore.kpi import Aggregator, ContactOutcome, InteractionRecord

US = timedelta(microseconds=1)

Key = tuple[datetime | None, str | None, str | None, object]


def interval_start(moment: datetime, zone: tzinfo, minutes: int) -> datetime:
    """The start of ``moment``'s interval on ``zone``'s wall clock, in UTC."""
    local = moment.astimezone(zone)
    of_day = local.hour * 60 + local.minute
    floored = of_day - of_day % minutes
    start = local.replace(hour=floored // 60, minute=floored % 60, second=0, microsecond=0)
    return start.astimezone(timezone.utc)


def reference_totals(
    records: Iterable[InteractionRecord],
    *,
    zone: tzinfo,
    minutes: int,
    dims: tuple[str, ...],
    service_level: timedelta = timedelta(seconds=20),
    short_abandon: timedelta = timedelta(seconds=5),
) -> dict[Key, dict[str, object]]:
    """Totals per group, keyed like the aggregator's raw keys (interval in UTC)."""
    grouped: dict[Key, list[InteractionRecord]] = defaultdict(list)
    for record in records:
        key = (
            interval_start(record.arrived_at, zone, minutes) if "interval" in dims else None,
            record.queue if "queue" in dims else None,
            record.agent if "agent" in dims else None,
            record.channel if "channel" in dims else None,
        )
        grouped[key].append(record)
    return {key: _totals(group, service_level, short_abandon) for key, group in grouped.items()}


def as_reference(aggregator: Aggregator) -> dict[Key, dict[str, object]]:
    """An aggregator's totals per group, keyed and shaped like :func:`reference_totals`."""
    return {
        (
            key.interval.astimezone(timezone.utc) if key.interval else None,
            key.queue,
            key.agent,
            key.channel,
        ): attrs.asdict(totals)
        for key, totals in aggregator.groups().items()
    }


def _wait(record: InteractionRecord) -> timedelta:
    start = record.queued_at if record.queued_at is not None else record.arrived_at
    end = record.answered_at if record.answered_at is not None else record.ended_at
    return end - start


def _totals(
    records: list[InteractionRecord], service_level: timedelta, short_abandon: timedelta
) -> dict[str, object]:
    # A contact counts once, at its first leg (no contact_id, or its own id).
    firsts = [r for r in records if r.contact_id in {None, r.id}]
    inbound = [r for r in records if r.direction is Direction.INBOUND]
    answered = [r for r in inbound if r.outcome is ContactOutcome.ANSWERED]
    abandoned = [r for r in inbound if r.outcome is ContactOutcome.ABANDONED]
    inbound_contacts = sum(1 for r in firsts if r.direction is Direction.INBOUND)
    handled = [r for r in records if r.outcome is ContactOutcome.ANSWERED]
    waited = answered + abandoned
    zero = timedelta(0)

    def count(outcome: ContactOutcome) -> int:
        return sum(1 for r in records if r.outcome is outcome)

    def talk(r: InteractionRecord) -> timedelta:
        assert r.answered_at is not None
        return r.ended_at - r.answered_at - r.hold_time

    return {
        "contacts": len(firsts),
        "inbound": inbound_contacts,
        "outbound": len(firsts) - inbound_contacts,
        "answered": len(answered),
        "answered_within": sum(1 for r in answered if _wait(r) <= service_level),
        "abandoned": len(abandoned),
        "abandoned_within": sum(1 for r in abandoned if _wait(r) <= service_level),
        "short_abandoned": sum(1 for r in abandoned if _wait(r) <= short_abandon),
        "missed": count(ContactOutcome.MISSED),
        "voicemail": count(ContactOutcome.VOICEMAIL),
        "callbacks": count(ContactOutcome.CALLBACK),
        "overflowed": count(ContactOutcome.OVERFLOWED),
        "out_of_hours": count(ContactOutcome.OUT_OF_HOURS),
        "self_served": count(ContactOutcome.SELF_SERVED),
        "no_answer": count(ContactOutcome.NO_ANSWER),
        "transferred_unanswered": count(ContactOutcome.TRANSFERRED),
        "rejected": count(ContactOutcome.REJECTED),
        "failed": count(ContactOutcome.FAILED),
        "answered_wait_us": sum((_wait(r) for r in answered), zero) // US,
        "waited": len(waited),
        "wait_us": sum((_wait(r) for r in waited), zero) // US,
        "longest_wait_us": max((_wait(r) for r in waited), default=zero) // US,
        "handled": len(handled),
        "talk_us": sum((talk(r) for r in handled), zero) // US,
        "hold_us": sum((r.hold_time for r in handled), zero) // US,
        "after_call_work_us": sum(
            (r.wrap_up_ended_at - r.ended_at for r in handled if r.wrap_up_ended_at), zero
        )
        // US,
        "held": sum(1 for r in handled if r.hold_time > zero or r.holds > 0),
        "transferred": sum(1 for r in handled if r.transfers > 0),
        "transfers": sum(r.transfers for r in handled if r.transfers > 0),
        "consults": sum(r.consults for r in handled),
        "agents": {r.agent for r in handled if r.agent is not None},
        "ivr_entered": sum(1 for r in records if r.ivr_path),
        "fcr_known": sum(1 for r in records if r.first_contact_resolved is not None),
        "fcr_resolved": sum(1 for r in records if r.first_contact_resolved),
        "repeat_known": sum(1 for r in firsts if r.repeat_contact is not None),
        "repeats": sum(1 for r in firsts if r.repeat_contact),
        "csat_responses": sum(1 for r in records if r.csat is not None),
        "csat_top_two": sum(1 for r in records if r.csat is not None and r.csat >= 4),
        "nps_responses": sum(1 for r in records if r.nps is not None),
        "nps_promoters": sum(1 for r in records if r.nps is not None and r.nps >= 9),
        "nps_detractors": sum(1 for r in records if r.nps is not None and r.nps <= 6),
        "available_us": 0,
        "reserved_us": 0,
        "busy_us": 0,
        "wrap_up_us": 0,
        "not_ready_us": 0,
    }
