"""Records in any order (issue 15, defect 3).

Records from several hosts, or a CSV export, arrive in any order. The
aggregator finds each record's interval in a cache of intervals by UTC cell,
so it asks the time zone about each interval a bounded number of times,
however the records are ordered, instead of about every record. The count of
the zone's conversions is the measure here (a timing assert would be flaky).
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta, timezone
from typing import Any
from zoneinfo import ZoneInfo

from hypothesis import given
from hypothesis import strategies as st

from callcore.contacts import Channel, Direction
from callcore.kpi import Aggregator, ContactOutcome, InteractionRecord
from tests.kpi.strategies import instants


class CountingZone(ZoneInfo):
    """Europe/London, counting its conversions from UTC (what finding an interval costs)."""

    calls = 0

    def fromutc(self, dt: Any) -> Any:
        """Count, then convert as usual."""
        CountingZone.calls += 1
        return super().fromutc(dt)


START = datetime(2026, 10, 24, 12, 0, tzinfo=timezone.utc)  # across London's change of clocks


def _records(count: int) -> list[InteractionRecord]:
    step = timedelta(days=1) / count
    return [
        InteractionRecord(
            id=str(number),
            channel=Channel.VOICE,
            direction=Direction.INBOUND,
            outcome=ContactOutcome.VOICEMAIL,
            arrived_at=START + step * number,
            ended_at=START + step * number,
            queue=f"queue-{number % 4}",
        )
        for number in range(count)
    ]


def test_shuffled_records_find_each_interval_a_bounded_number_of_times() -> None:
    """10,000 shuffled records in 96 intervals: a few hundred conversions, not one per record."""
    zone = CountingZone("Europe/London")
    records = _records(10_000)
    shuffled = random.Random(5).sample(records, len(records))
    in_order = Aggregator(group_by=("interval", "queue"), timezone=zone)
    in_order.add_many(records)
    for batched in (True, False):
        aggregator = Aggregator(group_by=("interval", "queue"), timezone=zone)
        CountingZone.calls = 0
        if batched:
            for first in range(0, len(shuffled), 1_000):
                aggregator.add_many(shuffled[first : first + 1_000])
        else:
            for record in shuffled:
                aggregator.add(record)
        intervals = len({key.interval for key in aggregator.groups()})
        assert intervals == 96  # 24 hours of 15-minute intervals (the repeated hour twice)
        assert CountingZone.calls <= 30 * intervals
        assert aggregator.groups() == in_order.groups()


@given(st.lists(instants(), min_size=1, max_size=40), st.randoms(use_true_random=False))
def test_the_order_never_changes_the_totals(moments: list[datetime], rng: random.Random) -> None:
    """Any permutation of the same records gives the same groups, fed at once or one by one."""
    zone = ZoneInfo("America/New_York")
    records = [
        InteractionRecord(
            id=str(number),
            channel=Channel.VOICE,
            direction=Direction.INBOUND,
            outcome=ContactOutcome.VOICEMAIL,
            arrived_at=moment,
            ended_at=moment,
        )
        for number, moment in enumerate(moments)
    ]
    ordered = sorted(records, key=lambda record: record.arrived_at)
    shuffled = rng.sample(records, len(records))
    first = Aggregator(group_by="interval", interval=timedelta(hours=2), timezone=zone)
    first.add_many(ordered)
    second = Aggregator(group_by="interval", interval=timedelta(hours=2), timezone=zone)
    for record in shuffled:
        second.add(record)
    assert first.groups() == second.groups()
