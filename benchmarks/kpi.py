"""KPI aggregation benchmark: 1,000,000 records grouped by 15-minute interval and queue.

Compares callcore's streaming Aggregator with a naive baseline measured in the
same run: keep every record's values in per-group lists, then compute each
group's totals at the end. Reports records per second and peak memory
(tracemalloc, in a separate pass so that tracing does not slow the timing).

    python benchmarks/kpi.py            # full run
    python benchmarks/kpi.py --quick    # smoke run (50,000 records)
"""

from __future__ import annotations

import argparse
import random
import time
import tracemalloc
from collections import defaultdict
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

from callcore.channels import Channel, Direction
from callcore.kpi import Aggregator, InteractionRecord, Outcome, evaluate

ZONE = ZoneInfo("Europe/London")
START = datetime(2026, 3, 2, 0, 0, tzinfo=timezone.utc)
QUEUES = [f"queue-{number}" for number in range(8)]
CHUNK = 20_000
US = timedelta(microseconds=1)
SL = timedelta(seconds=20)


def generate(count: int, seed: int = 7) -> Iterator[list[InteractionRecord]]:
    """Yield chunks of records spread over a day, in arrival order."""
    rng = random.Random(seed)
    step = 86_400 / count
    made = 0
    while made < count:
        chunk = []
        for number in range(made, min(made + CHUNK, count)):
            arrived = START + timedelta(seconds=number * step)
            wait = timedelta(seconds=rng.randint(0, 90))
            queue = QUEUES[number % len(QUEUES)]
            if rng.random() < 0.9:
                answered = arrived + wait
                ended = answered + timedelta(seconds=rng.randint(60, 600))
                record = InteractionRecord(
                    id=str(number),
                    channel=Channel.VOICE,
                    direction=Direction.INBOUND,
                    outcome=Outcome.ANSWERED,
                    arrived_at=arrived,
                    queued_at=arrived,
                    answered_at=answered,
                    ended_at=ended,
                    wrap_up_ended_at=ended + timedelta(seconds=30),
                    queue=queue,
                    agent=f"agent-{number % 200}",
                    csat=rng.randint(1, 5) if number % 10 == 0 else None,
                )
            else:
                record = InteractionRecord(
                    id=str(number),
                    channel=Channel.VOICE,
                    direction=Direction.INBOUND,
                    outcome=Outcome.ABANDONED,
                    arrived_at=arrived,
                    queued_at=arrived,
                    ended_at=arrived + wait,
                    queue=queue,
                )
            chunk.append(record)
        made += len(chunk)
        yield chunk


def streaming(chunks: Iterator[list[InteractionRecord]]) -> tuple[float, Aggregator]:
    """Feed every chunk to one Aggregator; return the time spent feeding."""
    aggregator = Aggregator(
        group_by=("interval", "queue"), interval=timedelta(minutes=15), timezone=ZONE
    )
    spent = 0.0
    for chunk in chunks:
        began = time.perf_counter()
        for record in chunk:
            aggregator.add(record)
        spent += time.perf_counter() - began
    return spent, aggregator


def naive(
    chunks: Iterator[list[InteractionRecord]],
) -> tuple[float, dict[object, dict[str, float]]]:
    """The baseline: keep per-group lists of every record, compute at the end."""
    groups: dict[object, list[InteractionRecord]] = defaultdict(list)
    spent = 0.0
    for chunk in chunks:
        began = time.perf_counter()
        for record in chunk:
            local = record.arrived_at.astimezone(ZONE)
            start = local.replace(minute=local.minute - local.minute % 15, second=0, microsecond=0)
            groups[(start.astimezone(timezone.utc), record.queue)].append(record)
        spent += time.perf_counter() - began
    began = time.perf_counter()
    result = {}
    for key, records in groups.items():
        answered = [r for r in records if r.outcome is Outcome.ANSWERED]
        waits = [r.answered_at - r.arrived_at for r in answered if r.answered_at]
        handle = [
            r.wrap_up_ended_at - r.answered_at
            for r in answered
            if r.wrap_up_ended_at and r.answered_at
        ]
        within = sum(1 for wait in waits if wait <= SL)
        result[key] = {
            "contacts": len(records),
            "service_level": within / len(records),
            "asa": sum(waits, timedelta(0)) / US / len(waits) / 1e6 if waits else 0.0,
            "aht": sum(handle, timedelta(0)) / US / len(handle) / 1e6 if handle else 0.0,
        }
    spent += time.perf_counter() - began
    return spent, result


def peak_memory(run: object, count: int) -> int:
    """Peak bytes allocated while ``run`` consumes ``count`` generated records."""
    chunks = generate(count)
    tracemalloc.start()
    tracemalloc.reset_peak()
    run(chunks)  # type: ignore[operator]
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return peak


def main() -> None:
    """Run the benchmark and print each figure against the baseline."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a short smoke run")
    args = parser.parse_args()
    count = 50_000 if args.quick else 1_000_000
    memory_count = 50_000 if args.quick else 100_000

    fast_time, aggregator = streaming(generate(count))
    slow_time, reference = naive(generate(count))
    # Same answers: contacts and service level of every group agree.
    groups = aggregator.groups()
    for key, totals in groups.items():
        assert key.interval is not None
        expected = reference[(key.interval.astimezone(timezone.utc), key.queue)]
        values = evaluate(totals, ["contacts", "service_level.abandons_negative"])
        assert values["contacts"] == expected["contacts"]
        assert values["service_level.abandons_negative"] == expected["service_level"]
    assert len(groups) == len(reference)

    fast_rate, slow_rate = count / fast_time, count / slow_time
    print(f"KPI aggregation: {count:,} records, {len(groups)} groups (15-min interval x queue)")
    print(f"  streaming Aggregator : {fast_rate:>12,.0f} records/s")
    print(f"  naive lists baseline : {slow_rate:>12,.0f} records/s")
    print(
        f"  speed ratio          : {fast_rate / slow_rate:.2f}x the baseline "
        f"(target >= 250,000 records/s: {'met' if fast_rate >= 250_000 else 'NOT met'})"
    )

    fast_peak = peak_memory(streaming, memory_count)
    slow_peak = peak_memory(naive, memory_count)
    chunk_peak = peak_memory(lambda chunks: [None for _ in chunks], memory_count)
    print(
        f"Peak memory over {memory_count:,} records (tracemalloc; a {CHUNK:,}-record chunk "
        f"alone peaks at {chunk_peak / 2**20:.1f} MiB)"
    )
    print(f"  streaming Aggregator : {fast_peak / 2**20:>8.1f} MiB")
    print(f"  naive lists baseline : {slow_peak / 2**20:>8.1f} MiB")
    print(f"  memory ratio         : {fast_peak / slow_peak:.3f} of the baseline")


if __name__ == "__main__":
    main()
