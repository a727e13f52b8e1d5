"""A day of generated contacts, aggregated per 30-minute interval and queue.

Prints an interval report (volume, service level, ASA, AHT, abandonment) as a
table, then the same rows as CSV. Deterministic: the random generator is seeded.
"""

from __future__ import annotations

import math
import random
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from callcore.contacts import Channel, Direction
from callcore.kpi import (
    Aggregator,
    ContactOutcome,
    InteractionRecord,
    RecordsAdded,
    interval_chart,
    rows,
    to_csv,
    to_markdown,
)

ZONE = ZoneInfo("Europe/London")
DAY = datetime(2026, 3, 2, 8, 0, tzinfo=ZONE)
QUEUES = {"sales": 0.6, "support": 1.0}  # relative volume
METRICS = ["contacts", "answered", "abandoned", "service_level", "asa", "aht"]


def generate(rng: random.Random) -> list[InteractionRecord]:
    """Contacts from 08:00 to 18:00, busiest around 11:00, in both queues."""
    records: list[InteractionRecord] = []
    for minute in range(10 * 60):
        load = 1.5 + 2.5 * math.exp(-(((minute - 180) / 120) ** 2))  # calls per minute
        for queue, share in QUEUES.items():
            for _ in range(_poisson(rng, load * share)):
                arrived = DAY + timedelta(minutes=minute, seconds=rng.uniform(0, 60))
                wait = timedelta(seconds=rng.expovariate(1 / (4 + 12 * load / 4)))
                patience = timedelta(seconds=rng.expovariate(1 / 240))
                number = len(records)
                if patience < wait:
                    records.append(
                        InteractionRecord(
                            id=f"c{number}",
                            channel=Channel.VOICE,
                            direction=Direction.INBOUND,
                            outcome=ContactOutcome.ABANDONED,
                            arrived_at=arrived,
                            queued_at=arrived,
                            ended_at=arrived + patience,
                            queue=queue,
                        )
                    )
                    continue
                answered = arrived + wait
                ended = answered + timedelta(
                    seconds=rng.gauss(240, 60) if queue == "support" else rng.gauss(150, 40)
                )
                records.append(
                    InteractionRecord(
                        id=f"c{number}",
                        channel=Channel.VOICE,
                        direction=Direction.INBOUND,
                        outcome=ContactOutcome.ANSWERED,
                        arrived_at=arrived,
                        queued_at=arrived,
                        answered_at=answered,
                        ended_at=ended,
                        wrap_up_ended_at=ended + timedelta(seconds=rng.uniform(10, 60)),
                        queue=queue,
                        agent=f"agent-{rng.randint(1, 12)}",
                    )
                )
    return records


def _poisson(rng: random.Random, mean: float) -> int:
    count, total = 0, rng.expovariate(1)
    while total < mean:
        count += 1
        total += rng.expovariate(1)
    return count


def _cell(value: object) -> str:
    if value is None:
        return "-"
    if isinstance(value, float):
        return f"{value:.3f}" if value < 1 else f"{value:.1f}"
    return str(value)


def main() -> None:
    """Aggregate the day and print the report."""
    records = generate(random.Random(2026))
    aggregator = Aggregator(
        group_by=("interval", "queue"), interval=timedelta(minutes=30), timezone=ZONE
    )
    (added,) = aggregator.add_many(records).events  # one event for the whole batch
    assert isinstance(added, RecordsAdded)  # noqa: S101 - what add_many reports
    table = rows(aggregator.groups(), aggregator.group_by, METRICS)

    print(f"{len(records)} contacts on {DAY:%A %d %B %Y} ({ZONE.key}), 30-minute intervals")
    done = added.at.astimezone(ZONE)
    print(f"{added.kind}: {added.count} records, the last one done at {done:%H:%M}")
    print("service level: answered within 20 s / (answered + abandoned)\n")
    header = ["time", "queue", *METRICS]
    print(
        "  ".join(f"{name:>12}" if index > 1 else f"{name:<8}" for index, name in enumerate(header))
    )
    for row in table:
        interval = str(row["interval"])[11:16]
        cells = [interval, str(row["queue"]), *(_cell(row[name]) for name in METRICS)]
        print(
            "  ".join(
                f"{cell:>12}" if index > 1 else f"{cell:<8}" for index, cell in enumerate(cells)
            )
        )
    print("\nAs CSV (first 5 rows):")
    print("\n".join(to_csv(table).splitlines()[:6]))
    print("\nAs a Markdown table (first 5 rows):")
    print(to_markdown(table[:5]))
    sales = [row for row in table if row["queue"] == "sales"]
    chart = interval_chart(sales, rates=["service_level"])
    print(f"\nAn SVG chart of the sales queue: {len(sales)} intervals, {len(chart):,} characters")


if __name__ == "__main__":
    main()
