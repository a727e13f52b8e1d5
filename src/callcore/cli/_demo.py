"""``callcore demo``: a simulated day of a small centre, its KPI table and a chart.

The built-in scenario (:data:`DEMO_SCENARIO`) is a small centre's Monday:
calls through an IVR menu to billing or support, chats, three groups of
agents on shifts with breaks. The day runs through the real
:class:`~callcore.center.ContactCenter` on an SQLite file in the output
folder (the customers, their history and the tickets are in it afterwards),
prints the KPIs per interval and per queue, and draws service level, volume
and agents per interval (PNG with matplotlib, or SVG with the standard library).
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path
from typing import Any

from callcore.cli._output import console, progress_bar
from callcore.cli._simulate import print_report
from callcore.kpi import interval_chart
from callcore.sim import DayReport, read_scenario, run_scenario
from callcore.storage.sqlite import SQLiteStorage

__all__ = ["DEMO_SCENARIO", "demo", "draw_png"]

_CALLS = [30, 55, 80, 95, 90, 80, 70, 65, 75, 85, 90, 85, 75, 65, 55, 45, 35, 25, 20, 15]
DEMO_SCENARIO: dict[str, Any] = {
    "start": "2026-12-07T08:00:00",
    "timezone": "Europe/London",
    "interval": 30,
    "intervals": len(_CALLS),
    "queues": [
        {"name": "billing"},
        {"name": "support", "wrap_up": 20},
        {"name": "chat", "channel": "chat"},
    ],
    "streams": [
        {
            "name": "call",
            "volumes": _CALLS,
            "handle": {"distribution": "lognormal", "mean": 200, "sd": 140},
            "patience": {"distribution": "exponential", "mean": 150},
            "menu_seconds": 8,
            "choices": [
                {"key": "1", "queue": "billing", "probability": 0.4},
                {"key": "2", "queue": "support", "probability": 0.6},
            ],
        },
        {
            "name": "chat",
            "channel": "chat",
            "queue": "chat",
            "volumes": [round(calls / 5) for calls in _CALLS],
            "handle": {"distribution": "exponential", "mean": 420},
        },
    ],
    "agents": [
        {
            "name": "early",
            "count": 6,
            "queues": ["billing", "support"],
            "start": "08:00",
            "end": "13:00",
            "breaks": [{"at": "10:00", "minutes": 15}],
        },
        {
            "name": "mid",
            "count": 6,
            "queues": ["billing", "support"],
            "start": "09:00",
            "end": "15:00",
            "breaks": [{"at": "11:30", "minutes": 30}],
        },
        {
            "name": "late",
            "count": 6,
            "queues": ["billing", "support"],
            "start": "12:30",
            "end": "18:00",
            "breaks": [{"at": "15:30", "minutes": 15}],
        },
        {
            "name": "billing",
            "count": 2,
            "queues": ["billing"],
            "skills": {"billing": 2},
            "start": "09:00",
            "end": "17:00",
        },
        {"name": "chat", "count": 2, "queues": ["chat", "support"], "capacity": {"chat": 3}},
    ],
    "seed": 2026,
    "replications": 1,
}
"""The demo's scenario, as a document (``callcore simulate`` reads the same shape)."""


def draw_png(report: DayReport, path: Path) -> None:
    """Volume (bars), agents (steps) and service level (line) per interval, as a PNG."""
    import matplotlib as mpl  # noqa: PLC0415 - the extra's, loaded only to draw

    mpl.use("Agg")
    from matplotlib import pyplot as plt  # noqa: PLC0415

    labels = [(line.interval or "")[11:16] for line in report.intervals]
    volume = [
        line.values["contacts"].mean if line.values["contacts"] else 0 for line in report.intervals
    ]
    agents = [line.agents or 0 for line in report.intervals]
    level = [
        None if line.values["service_level"] is None else 100 * line.values["service_level"].mean
        for line in report.intervals
    ]
    figure, left = plt.subplots(figsize=(10, 5), dpi=100)
    positions = range(len(labels))
    left.bar(positions, volume, color="#9ecae1", label="contacts")
    left.step(positions, agents, where="mid", color="#31a354", linewidth=2, label="agents")
    left.set_ylabel("contacts, agents")
    left.set_xticks(list(positions), labels, rotation=60)
    right = left.twinx()
    right.plot(positions, [float("nan") if v is None else v for v in level], color="#de2d26",
               marker="o", linewidth=2, label="service level %")  # fmt: skip
    right.set_ylim(0, 105)
    right.set_ylabel("service level (%)")
    handles = left.get_legend_handles_labels()[0] + right.get_legend_handles_labels()[0]
    left.legend(
        handles,
        [str(h.get_label()) for h in handles],
        loc="upper center",
        bbox_to_anchor=(0.5, -0.2),
        ncol=3,
    )
    left.set_title("A simulated day: volume, agents and service level per interval")
    figure.tight_layout()
    figure.savefig(path, format="png")
    plt.close(figure)


def _demo_store(path: Path) -> SQLiteStorage:
    """The demo's SQLite file, committing without waiting for the disk after each input.

    The file is the demo's own and rewritten on each run, so a power cut may
    lose it: WAL with ``synchronous = NORMAL`` (SQLite's advice for WAL) saves
    the fsync of every commit, which is most of the demo's time on a busy disk.
    """
    return SQLiteStorage(path, synchronous="normal")


def demo(arguments: argparse.Namespace) -> int:
    """Simulate the demo day, print its KPIs, write the chart."""
    folder: Path = arguments.out
    folder.mkdir(parents=True, exist_ok=True)
    database = folder / "callcore-demo.db"
    for stale in (
        database,
        database.with_name(database.name + "-wal"),
        database.with_name(database.name + "-shm"),
    ):
        stale.unlink(missing_ok=True)  # the demo's own file, rewritten on each run
    scenario = read_scenario({**DEMO_SCENARIO, "seed": arguments.seed})
    out = console()
    out.print("callcore demo: a simulated day of a small contact centre", markup=False)
    out.print(
        "  calls through an IVR menu to billing or support, chats; 22 agents on shifts with "
        f"breaks; through the real ContactCenter, stored in {database}",
        markup=False,
    )
    began = time.perf_counter()
    store = _demo_store(database)
    try:
        with progress_bar(out, "simulating the day") as tick:
            report = run_scenario(scenario, store=store, progress=tick)
    finally:
        store.close()
    seconds = time.perf_counter() - began
    print_report(out, report)
    run = report.runs[0]
    chart = folder / f"callcore-demo.{arguments.chart}"
    if arguments.chart == "png":
        draw_png(report, chart)
    else:
        rows = [line.row() for line in report.intervals]
        chart.write_text(interval_chart(rows, volume="contacts"), encoding="utf-8")
    out.print(
        f"{run.arrivals:,} contacts, {run.inputs:,} centre inputs in {seconds:.1f} s; "
        f"chart: {chart}; store: {database}",
        markup=False,
    )
    return 0
