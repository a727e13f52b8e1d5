"""KPI aggregation benchmark: 300,000 records in 768 groups (15-minute interval x queue).

Compares callcore's streaming Aggregator with the baselines a user would pick,
measured in the same run on the same records:

- a plain streaming dict: one loop, the wall-clock interval found per record
  with ``astimezone``, a list of running sums per group;
- a pandas ``groupby``, *including* building its DataFrame from the records
  (a bench-only dependency: without pandas that baseline is skipped).

Each side counts, per group, the contacts, the answered, the abandoned, the
answered within 20 s and the total wait, and the sides are checked to agree.
callcore runs on the records in arrival order and shuffled (records from
several hosts or a CSV export come in any order); the sides alternate in
rounds so that a burst of load on a shared machine hits each, and the best
(minimum) time of each side is reported, with the median. Memory is the
tracemalloc peak of an Aggregator fed 100,000 and then 300,000 records (the
records built beforehand): per group, it should stay flat.

    python benchmarks/kpi.py            # 300,000 records, 5 rounds
    python benchmarks/kpi.py --quick    # smoke run (30,000 records, 2 rounds)
"""

from __future__ import annotations

import argparse
import random
import statistics
import time
import tracemalloc
from collections.abc import Callable
from datetime import datetime, timedelta, timezone
from typing import Any
from zoneinfo import ZoneInfo

from callcore.contacts import Channel, ContactOutcome, Direction
from callcore.kpi import Aggregator, InteractionRecord

try:
    import pandas as pd  # bench-only: pip install pandas
except ImportError:  # pragma: no cover - the baseline is optional
    pd = None

ZONE_NAME = "Europe/London"
ZONE = ZoneInfo(ZONE_NAME)
START = datetime(2026, 3, 2, 0, 0, tzinfo=timezone.utc)
QUEUES = [f"queue-{number}" for number in range(8)]  # x 96 intervals = 768 groups
AGENTS = [f"agent-{number}" for number in range(200)]
SECONDS = [timedelta(seconds=seconds) for seconds in range(601)]
SL = timedelta(seconds=20)
ANSWERED, ABANDONED = ContactOutcome.ANSWERED, ContactOutcome.ABANDONED

Figures = dict[tuple[datetime, str], tuple[int, int, int, int, timedelta]]
"""Per (interval start in UTC, queue): contacts, answered, abandoned, within 20 s, wait."""


def generate(count: int, seed: int = 7) -> list[InteractionRecord]:
    """Records spread over one day (London winter time), in arrival order."""
    rng = random.Random(seed)
    step = 86_400 / count
    records = []
    for number in range(count):
        arrived = START + timedelta(seconds=number * step)
        wait = SECONDS[rng.randint(0, 90)]
        queue = QUEUES[number % len(QUEUES)]
        if rng.random() < 0.9:
            answered = arrived + wait
            ended = answered + SECONDS[rng.randint(60, 600)]
            record = InteractionRecord(
                id=str(number),
                channel=Channel.VOICE,
                direction=Direction.INBOUND,
                outcome=ANSWERED,
                arrived_at=arrived,
                queued_at=arrived,
                answered_at=answered,
                ended_at=ended,
                wrap_up_ended_at=ended + SECONDS[30],
                queue=queue,
                agent=AGENTS[number % 200],
            )
        else:
            record = InteractionRecord(
                id=str(number),
                channel=Channel.VOICE,
                direction=Direction.INBOUND,
                outcome=ABANDONED,
                arrived_at=arrived,
                queued_at=arrived,
                ended_at=arrived + wait,
                queue=queue,
            )
        records.append(record)
    return records


def make_aggregator() -> Aggregator:
    """The aggregator under test: 15-minute intervals of London time, by queue."""
    return Aggregator(group_by=("interval", "queue"), interval=timedelta(minutes=15), timezone=ZONE)


def callcore(records: list[InteractionRecord]) -> Figures:
    """Feed every record to one Aggregator, then read its groups."""
    aggregator = make_aggregator()
    aggregator.add_many(records)
    figures: Figures = {}
    for key, totals in aggregator.groups().items():
        assert key.interval is not None
        assert key.queue is not None
        figures[(key.interval.astimezone(timezone.utc), key.queue)] = (
            totals.contacts,
            totals.answered,
            totals.abandoned,
            totals.answered_within,
            timedelta(microseconds=totals.wait_us),
        )
    return figures


def plain_dict(records: list[InteractionRecord]) -> Figures:
    """Baseline: the loop a user writes, with a list of running sums per group."""
    groups: dict[tuple[datetime, str | None], list[Any]] = {}
    for record in records:
        local = record.arrived_at.astimezone(ZONE)
        start = local.replace(minute=local.minute - local.minute % 15, second=0, microsecond=0)
        key = (start, record.queue)
        sums = groups.get(key)
        if sums is None:
            sums = groups[key] = [0, 0, 0, 0, timedelta(0)]
        sums[0] += 1
        outcome = record.outcome
        if outcome is ANSWERED:
            waited = record.answered_at - (record.queued_at or record.arrived_at)  # type: ignore[operator]
            sums[1] += 1
            sums[3] += waited <= SL
            sums[4] += waited
        elif outcome is ABANDONED:
            sums[2] += 1
            sums[4] += record.ended_at - (record.queued_at or record.arrived_at)
    return {
        (start.astimezone(timezone.utc), queue): tuple(sums)  # type: ignore[misc]
        for (start, queue), sums in groups.items()
    }


def pandas_groupby(records: list[InteractionRecord]) -> Figures:
    """Baseline: build a DataFrame from the records, then one ``groupby``."""
    assert pd is not None
    frame = pd.DataFrame(
        {
            "arrived_at": [record.arrived_at for record in records],
            "queued_at": [record.queued_at for record in records],
            "answered_at": [record.answered_at for record in records],
            "ended_at": [record.ended_at for record in records],
            "queue": [record.queue for record in records],
            "outcome": [record.outcome.value for record in records],
        }
    )
    local = frame["arrived_at"].dt.tz_convert(ZONE_NAME)
    frame["interval"] = local.dt.floor("15min", ambiguous="infer", nonexistent="shift_forward")
    answered = frame["outcome"] == "answered"
    abandoned = frame["outcome"] == "abandoned"
    waited = frame["answered_at"].where(answered, frame["ended_at"]) - frame["queued_at"].fillna(
        frame["arrived_at"]
    )
    frame["answered"] = answered
    frame["abandoned"] = abandoned
    frame["within"] = answered & (waited <= pd.Timedelta(SL))
    frame["wait"] = waited.where(answered | abandoned, pd.Timedelta(0))
    table = frame.groupby(["interval", "queue"]).agg(
        contacts=("queue", "size"),
        answered=("answered", "sum"),
        abandoned=("abandoned", "sum"),
        within=("within", "sum"),
        wait=("wait", "sum"),
    )
    return {
        (interval.tz_convert("UTC").to_pydatetime(), queue): (
            int(row.contacts),
            int(row.answered),
            int(row.abandoned),
            int(row.within),
            row.wait.to_pytimedelta(),
        )
        for (interval, queue), row in zip(table.index, table.itertuples(), strict=True)
    }


Side = Callable[[list[InteractionRecord]], Figures]


def timed(run: Side, records: list[InteractionRecord]) -> tuple[float, Figures]:
    """Seconds one run takes, and what it found."""
    began = time.perf_counter()
    figures = run(records)
    return time.perf_counter() - began, figures


def peak_bytes(records: list[InteractionRecord]) -> int:
    """The tracemalloc peak while an Aggregator counts ``records`` (built beforehand)."""
    tracemalloc.start()
    try:
        aggregator = make_aggregator()
        aggregator.add_many(records)
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def main() -> None:
    """Run the benchmark and print each side against pandas."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a short smoke run")
    parser.add_argument("--count", type=int, default=300_000, help="how many records")
    args = parser.parse_args()
    count = 30_000 if args.quick else args.count
    rounds = 2 if args.quick else 5

    began = time.perf_counter()
    records = generate(count)
    shuffled = random.Random(3).sample(records, len(records))
    print(f"Generated {count:,} records in {time.perf_counter() - began:.1f} s")

    sides: dict[str, tuple[Side, list[InteractionRecord]]] = {
        "callcore, arrival order": (callcore, records),
        "callcore, shuffled": (callcore, shuffled),
        "plain dict, shuffled": (plain_dict, shuffled),
    }
    if pd is not None:
        sides["pandas groupby + frame"] = (pandas_groupby, shuffled)
    times: dict[str, list[float]] = {name: [] for name in sides}
    found: dict[str, Figures] = {}
    for _ in range(rounds):  # alternate, so that a burst of load hits every side
        for name, (run, given) in sides.items():
            spent, found[name] = timed(run, given)
            times[name].append(spent)
    expected = found["plain dict, shuffled"]
    for name, figures in found.items():
        assert figures == expected, f"{name} disagrees with the plain dict"

    base_name = "pandas groupby + frame" if pd is not None else "plain dict, shuffled"
    base = min(times[base_name])
    print(
        f"KPI aggregation: {count:,} records, {len(expected)} groups (15-min interval x queue), "
        f"best and median of {rounds} rounds; ratio = {base_name} time / side's time"
    )
    if pd is None:
        print("  (pandas is not installed: its baseline is skipped; pip install pandas)")
    for name, rounds_spent in times.items():
        best, median = min(rounds_spent), statistics.median(rounds_spent)
        print(
            f"  {name:<24}: {count / best:>10,.0f} records/s best, "
            f"{count / median:>10,.0f} median, {base / best:5.2f}x"
        )
    if pd is not None:
        shuffled_ratio = base / min(times["callcore, shuffled"])
        arrival_ratio = base / min(times["callcore, arrival order"])
        print(
            f"  goals: shuffled >= 1x pandas: {shuffled_ratio:.2f}x "
            f"({'met' if shuffled_ratio >= 1 else 'NOT met'}); arrival order >= 2x pandas: "
            f"{arrival_ratio:.2f}x ({'met' if arrival_ratio >= 2 else 'NOT met'})"
        )

    groups = len(expected)
    print("Memory (tracemalloc peak of an Aggregator; records built beforehand)")
    for size in sorted({min(count, count // 3), count}):
        peak = peak_bytes(shuffled[:size])
        print(
            f"  {size:>9,} records: {peak / 2**20:6.2f} MiB, "
            f"{peak / groups / 1024:5.2f} KiB per group"
        )


if __name__ == "__main__":
    main()
