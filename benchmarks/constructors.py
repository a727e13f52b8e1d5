"""Public constructors: what checking every field at construction costs.

Each public value type is built many times with typical valid arguments, and
compared with a baseline measured in the same process: a plain frozen attrs
class with the same number of fields and no checks at all, built with the same
arguments. The ratio (callcore's type / the baseline) is what the checks and
converters cost; the rounds alternate between the two so that a burst of load
on a shared machine hits both. The median ratio over the rounds is printed,
with the best and worst round.

    python benchmarks/constructors.py            # full run
    python benchmarks/constructors.py --quick    # smoke run
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable
from datetime import datetime, timedelta, timezone
from typing import Any

import attrs

from callcore.acd import AgentProfile, Membership, QueueConfig
from callcore.contacts import Channel, Direction
from callcore.customers import Customer, Identity, IdentityKind
from callcore.ivr import Digits, EnqueueContact
from callcore.kpi import AgentState, AgentStateRecord, ContactOutcome, InteractionRecord
from callcore.wfm import Workload

AT = datetime(2026, 3, 2, 9, 0, tzinfo=timezone.utc)
MINUTE = timedelta(minutes=1)


def _plain(count: int) -> type:
    """A frozen attrs class of ``count`` fields, without checks: the baseline."""
    return attrs.make_class(
        f"Plain{count}", {f"f{index}": attrs.field() for index in range(count)}, frozen=True
    )


CASES: dict[str, tuple[Callable[..., object], dict[str, Any]]] = {
    "kpi.InteractionRecord": (
        InteractionRecord,
        {
            "id": "c1",
            "channel": Channel.VOICE,
            "direction": Direction.INBOUND,
            "outcome": ContactOutcome.ANSWERED,
            "arrived_at": AT,
            "ended_at": AT + 5 * MINUTE,
            "queue": "billing",
            "agent": "ana",
            "queued_at": AT,
            "offered_at": AT + MINUTE / 2,
            "answered_at": AT + MINUTE,
            "transfers": 1,
            "csat": 4,
        },
    ),
    "kpi.AgentStateRecord": (
        AgentStateRecord,
        {
            "agent": "ana",
            "state": AgentState.AVAILABLE,
            "started_at": AT,
            "ended_at": AT + MINUTE,
        },
    ),
    "acd.AgentProfile": (
        AgentProfile,
        {"agent_id": "ana", "skills": {"billing": 3, "en": 1}, "capacity": {Channel.VOICE: 1}},
    ),
    "acd.Membership": (Membership, {"queue": "billing", "tier": 2}),
    "acd.QueueConfig": (
        QueueConfig,
        {"name": "billing", "max_wait": 10 * MINUTE, "wrap_up": MINUTE / 2},
    ),
    "customers.Customer": (
        Customer,
        {
            "id": "cust-1",
            "created_at": AT,
            "name": "Ana",
            "identities": (Identity(IdentityKind.PHONE, "+40721234567"),),
        },
    ),
    "ivr.Digits": (Digits, {"digits": "12"}),
    "ivr.EnqueueContact": (EnqueueContact, {"queue": "billing", "priority": 2}),
    "wfm.Workload": (Workload, {"calls": 120.0, "aht": 4 * MINUTE}),
}


def _time(build: Callable[[], object], repeat: int) -> float:
    started = time.process_time()
    for _ in range(repeat):
        build()
    return (time.process_time() - started) / repeat


def measure(name: str, repeat: int, rounds: int) -> tuple[float, float, float, float]:
    """Per-call seconds of the type (median), and the median, best and worst ratio."""
    cls, kwargs = CASES[name]
    plain = _plain(len(kwargs))
    values = list(kwargs.values())

    def ours() -> object:
        return cls(**kwargs)

    def baseline() -> object:
        return plain(*values)

    ours()  # warm caches (converters, enum lookups)
    ratios: list[float] = []
    costs: list[float] = []
    for _ in range(rounds):
        cost = _time(ours, repeat)
        ratios.append(cost / _time(baseline, repeat))
        costs.append(cost)
    return statistics.median(costs), statistics.median(ratios), min(ratios), max(ratios)


def main() -> None:
    """Print one line per public type: cost per construction and ratio to the baseline."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a smoke run")
    args = parser.parse_args()
    repeat, rounds = (2_000, 3) if args.quick else (20_000, 7)
    print(f"{'type':<24} {'µs/call':>8} {'x plain attrs':>14}  (best-worst)")
    for name in CASES:
        cost, ratio, best, worst = measure(name, repeat, rounds)
        print(f"{name:<24} {cost * 1e6:8.2f} {ratio:14.2f}  ({best:.2f}-{worst:.2f})")


if __name__ == "__main__":
    main()
