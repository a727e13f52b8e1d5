"""``callcore simulate SCENARIO``: run a scenario, print and write the report."""

from __future__ import annotations

import argparse

from rich.console import Console

from callcore.cli._output import console, print_table, progress_bar, write_rows
from callcore.kpi import Row
from callcore.sim import DayReport, ReportLine, read_scenario, run_scenario

__all__ = ["print_report", "simulate"]


_HEADINGS = {
    "contacts": "contacts",
    "answered": "answered",
    "abandoned": "abandoned",
    "service_level": "SL",
    "abandonment_rate": "abandoned %",
    "asa": "ASA (s)",
    "aht": "AHT (s)",
}
_COUNTS = frozenset({"contacts", "answered", "abandoned"})


def _shown(line: ReportLine) -> Row:
    row: Row = {"interval": line.interval, "queue": line.queue, "agents": line.agents}
    for name, estimate in line.values.items():
        if estimate is None:
            row[_HEADINGS[name]] = None
        elif name in {"service_level", "abandonment_rate"}:
            ci = "" if estimate.half_width is None else f" ± {estimate.half_width:.1%}"
            row[_HEADINGS[name]] = f"{estimate.mean:.1%}{ci}"
        elif name in _COUNTS and estimate.half_width is None:  # one run: a whole count
            row[_HEADINGS[name]] = f"{estimate.mean:,.0f}"
        else:
            ci = "" if estimate.half_width is None else f" ± {estimate.half_width:.1f}"
            row[_HEADINGS[name]] = f"{estimate.mean:.1f}{ci}"
    if isinstance(row["interval"], str):
        row["interval"] = row["interval"][11:16]  # HH:MM of the ISO start
    return row


_COLUMNS = tuple(_HEADINGS.values())


def print_report(out: Console, report: DayReport) -> None:
    """Print the interval table, the queue table and the day's line."""
    replications = len(report.runs)
    note = f"mean ± 95 % CI over {replications} replications" if replications > 1 else "1 run"
    intervals = [("interval", ""), ("agents", "")] + [(name, "") for name in _COLUMNS]
    print_table(
        out, f"KPIs per interval ({note})", [_shown(i) for i in report.intervals], intervals
    )
    queues = [("queue", "")] + [(name, "") for name in _COLUMNS]
    shown = [_shown(q) for q in report.queues]
    day = _shown(report.day)
    day["queue"] = "all"
    print_table(out, "KPIs per queue, whole day", [*shown, day], queues)


def simulate(arguments: argparse.Namespace) -> int:
    """Run, print, write."""
    scenario = read_scenario(arguments.file)
    out = console()
    with progress_bar(out, "simulating") as tick:
        report = run_scenario(scenario, replications=arguments.replications, progress=tick)
    print_report(out, report)
    path = arguments.out or arguments.file.with_name(arguments.file.stem + "-report.csv")
    write_rows(path, report.rows())
    out.print(f"wrote {path}", markup=False)
    return 0
