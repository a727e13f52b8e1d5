"""KPI aggregation benchmark: 1,000,000 records grouped by 15-minute interval and queue.

Compares callcore's streaming Aggregator with a naive baseline measured in the
same run: keep every record's values in per-group lists, then compute each
group's totals at the end. The records are generated once and both sides
aggregate the same batch, in alternating rounds (so a burst of load on a
shared machine hits both); each side's best and median round are reported.
Peak memory is measured with tracemalloc on a smaller pass (every 10th record:
the same groups), where tracing does not slow the timed rounds.

    python benchmarks/kpi.py            # full run
    python benchmarks/kpi.py --quick    # smoke run (50,000 records)
"""

from __future__ import annotations

import argparse
import random
import statistics
import time
import tracemalloc
from collections import defaultdict
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

from callcore.contacts import Channel, ContactOutcome, Direction
from callcore.kpi import Aggregator, InteractionRecord, evaluate

ZONE = ZoneInfo("Europe/London")
START = datetime(2026, 3, 2, 0, 0, tzinfo=timezone.utc)
QUEUES = [f"queue-{number}" for number in range(8)]
CHUNK = 20_000
US = timedelta(microseconds=1)
SL = timedelta(seconds=20)
TARGET = 250_000
# Built once: generating a million records is the slow part of a run.
SECONDS = [timedelta(seconds=seconds) for seconds in range(601)]
AGENTS = [f"agent-{number}" for number in range(200)]


def generate(count: int, seed: int = 7) -> Iterator[list[InteractionRecord]]:
    """Yield chunks of records spread over a day, in arrival order."""
    rng = random.Random(seed)
    step = 86_400 / count
    made = 0
    while made < count:
        chunk = []
        for number in range(made, min(made + CHUNK, count)):
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
                    outcome=ContactOutcome.ANSWERED,
                    arrived_at=arrived,
                    queued_at=arrived,
                    answered_at=answered,
                    ended_at=ended,
                    wrap_up_ended_at=ended + SECONDS[30],
                    queue=queue,
                    agent=AGENTS[number % 200],
                    csat=rng.randint(1, 5) if number % 10 == 0 else None,
                )
            else:
                record = InteractionRecord(
                    id=str(number),
                    channel=Channel.VOICE,
                    direction=Direction.INBOUND,
                    outcome=ContactOutcome.ABANDONED,
                    arrived_at=arrived,
                    queued_at=arrived,
                    ended_at=arrived + wait,
                    queue=queue,
                )
            chunk.append(record)
        made += len(chunk)
        yield chunk


def make_aggregator() -> Aggregator:
    """The aggregator under test: 15-minute intervals of London time, by queue."""
    return Aggregator(group_by=("interval", "queue"), interval=timedelta(minutes=15), timezone=ZONE)


def streaming(records: list[InteractionRecord]) -> tuple[float, Aggregator]:
    """Feed every record to one Aggregator with ``add_many``; return the time spent."""
    aggregator = make_aggregator()
    began = time.perf_counter()
    aggregator.add_many(records)
    return time.perf_counter() - began, aggregator


def one_by_one(records: list[InteractionRecord]) -> tuple[float, Aggregator]:
    """Feed every record with ``add``, one call per record; return the time spent."""
    aggregator = make_aggregator()
    add = aggregator.add
    began = time.perf_counter()
    for record in records:
        add(record)
    return time.perf_counter() - began, aggregator


def naive(records: list[InteractionRecord]) -> tuple[float, dict[object, dict[str, float]]]:
    """The baseline: keep per-group lists of every record, compute at the end."""
    groups: dict[object, list[InteractionRecord]] = defaultdict(list)
    began = time.perf_counter()
    for record in records:
        local = record.arrived_at.astimezone(ZONE)
        start = local.replace(minute=local.minute - local.minute % 15, second=0, microsecond=0)
        groups[(start.astimezone(timezone.utc), record.queue)].append(record)
    result = {}
    for key, members in groups.items():
        answered = [r for r in members if r.outcome is ContactOutcome.ANSWERED]
        waits = [r.answered_at - r.arrived_at for r in answered if r.answered_at]
        handle = [
            r.wrap_up_ended_at - r.answered_at
            for r in answered
            if r.wrap_up_ended_at and r.answered_at
        ]
        within = sum(1 for wait in waits if wait <= SL)
        result[key] = {
            "contacts": len(members),
            "service_level": within / len(members),
            "asa": sum(waits, timedelta(0)) / US / len(waits) / 1e6 if waits else 0.0,
            "aht": sum(handle, timedelta(0)) / US / len(handle) / 1e6 if handle else 0.0,
        }
    return time.perf_counter() - began, result


def check_agreement(aggregator: Aggregator, reference: dict[object, dict[str, float]]) -> int:
    """Assert that both sides found the same groups, contacts and service level."""
    groups = aggregator.groups()
    for key, totals in groups.items():
        assert key.interval is not None
        expected = reference[(key.interval.astimezone(timezone.utc), key.queue)]
        values = evaluate(totals, ["contacts", "service_level.abandons_negative"])
        assert values["contacts"] == expected["contacts"]
        assert values["service_level.abandons_negative"] == expected["service_level"]
    assert len(groups) == len(reference)
    return len(groups)


def traced_peak(run: Callable[[], object]) -> int:
    """Peak bytes that tracemalloc sees allocated while ``run`` runs."""
    tracemalloc.start()
    try:
        run()
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def bytes_per_record(count: int = 5_000) -> float:
    """What one generated record occupies while something keeps it alive."""
    tracemalloc.start()
    try:
        kept = [record for chunk in generate(count, seed=11) for record in chunk]
        size = tracemalloc.get_traced_memory()[0]
    finally:
        tracemalloc.stop()
    return size / len(kept)


def rates(spent: list[float], count: int) -> tuple[float, float]:
    """Best and median records per second of timed rounds."""
    return count / min(spent), count / statistics.median(spent)


def main() -> None:
    """Run the benchmark and print each figure against the baseline."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a short smoke run")
    args = parser.parse_args()
    count = 50_000 if args.quick else 1_000_000
    rounds = 2 if args.quick else 3

    began = time.perf_counter()
    records = [record for chunk in generate(count) for record in chunk]
    print(f"Generated {count:,} records in {time.perf_counter() - began:.1f} s")

    times: dict[str, list[float]] = {"add_many": [], "add": [], "naive": []}
    for _ in range(rounds):  # alternate, so that a burst of load hits every side
        spent, aggregator = streaming(records)
        times["add_many"].append(spent)
        spent, one_at_a_time = one_by_one(records)
        times["add"].append(spent)
        spent, reference = naive(records)
        times["naive"].append(spent)
    assert one_at_a_time.groups() == aggregator.groups()
    groups = check_agreement(aggregator, reference)

    best_base, median_base = rates(times["naive"], count)
    print(
        f"KPI aggregation: {count:,} records, {groups} groups (15-min interval x queue), "
        f"best and median of {rounds} rounds"
    )
    for label, name in [
        ("Aggregator.add_many  ", "add_many"),
        ("Aggregator.add       ", "add"),
        ("naive lists baseline ", "naive"),
    ]:
        best, median = rates(times[name], count)
        print(
            f"  {label}: {best:>10,.0f} records/s best ({best / best_base:.2f}x baseline), "
            f"{median:>10,.0f} median ({median / median_base:.2f}x)"
        )
    best, median = rates(times["add_many"], count)
    verdict = "met" if median >= TARGET else "NOT met"
    print(f"  target >= {TARGET:,} records/s (median add_many): {verdict}")

    sample = records[::10]
    fast_peak = traced_peak(lambda: make_aggregator().add_many(sample))
    slow_peak = traced_peak(lambda: naive(sample))
    kept = len(sample) * bytes_per_record()
    print(
        f"Peak memory over {len(sample):,} records (every 10th; tracemalloc, the records "
        f"themselves built beforehand: {kept / len(sample):,.0f} bytes each)"
    )
    print(f"  streaming Aggregator : {fast_peak / 2**20:>8.1f} MiB (keeps no record)")
    print(
        f"  naive lists baseline : {(slow_peak + kept) / 2**20:>8.1f} MiB "
        f"({slow_peak / 2**20:.1f} MiB + every record kept alive)"
    )
    print(f"  memory ratio         : {fast_peak / (slow_peak + kept):.3f} of the baseline")


if __name__ == "__main__":
    main()
