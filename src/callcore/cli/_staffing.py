"""``callcore staffing FILE``: an interval staffing plan (Erlang C, or A with a patience)."""

from __future__ import annotations

import argparse
import csv
from datetime import timedelta
from pathlib import Path

from callcore.cli._errors import CommandError
from callcore.cli._output import console, print_table, write_rows
from callcore.kpi import Row
from callcore.wfm import StaffingTarget, Workload, required_staff

__all__ = ["read_volumes", "staffing"]

MAX_ROWS = 10_000


def read_volumes(path: Path) -> list[tuple[str, float, float]]:
    """The ``interval``, ``calls`` and ``aht`` (seconds) of each row of a CSV file."""
    with path.open(newline="", encoding="utf-8") as stream:
        reader = csv.DictReader(stream)
        missing = {"interval", "calls", "aht"} - set(reader.fieldnames or ())
        if missing:
            raise CommandError(f"{path}: missing column(s) {', '.join(sorted(missing))}")
        volumes = []
        for number, row in enumerate(reader, start=2):
            if number > MAX_ROWS + 1:
                raise CommandError(f"{path}: more than {MAX_ROWS:,} rows")
            try:
                calls, aht = float(row["calls"]), float(row["aht"])
            except (TypeError, ValueError):
                raise CommandError(f"{path}:{number}: calls and aht must be numbers") from None
            if not (calls >= 0 and aht > 0):
                raise CommandError(f"{path}:{number}: calls must be >= 0 and aht > 0")
            volumes.append((row["interval"], calls, aht))
    if not volumes:
        raise CommandError(f"{path}: no rows")
    return volumes


def staffing(arguments: argparse.Namespace) -> int:
    """Print the plan and write it as CSV."""
    interval = timedelta(minutes=arguments.interval)
    if arguments.patience is not None and arguments.patience <= 0:
        raise CommandError("--patience must be more than 0 seconds")
    patience = None if arguments.patience is None else timedelta(seconds=arguments.patience)
    target = StaffingTarget(
        service_level=arguments.service_level,
        threshold=timedelta(seconds=arguments.threshold),
        patience=patience,
        shrinkage=arguments.shrinkage,
    )
    plan: list[Row] = []
    for label, calls, aht in read_volumes(arguments.file):
        workload = Workload(calls=calls, aht=timedelta(seconds=aht), interval=interval)
        result = required_staff(workload, target)
        predicted = result.performance
        plan.append(
            {
                "interval": label,
                "calls": calls,
                "aht": aht,
                "load": round(workload.load, 3),
                "required": result.required,
                "scheduled": result.scheduled,
                "service_level": round(predicted.service_level, 4),
                "asa": round(predicted.average_speed_of_answer.total_seconds(), 1),
                "abandonment": round(predicted.probability_of_abandoning, 4),
                "occupancy": round(predicted.occupancy, 4),
            }
        )
    model = "Erlang A" if patience is not None else "Erlang C"
    out = console()
    columns = [
        ("interval", ""), ("calls", "g"), ("aht", "g"), ("load", ".2f"), ("required", "d"),
        ("scheduled", "d"), ("service_level", ".1%"), ("asa", ".1f"), ("abandonment", ".1%"),
        ("occupancy", ".1%"),
    ]  # fmt: skip
    goal = f"{arguments.service_level:.0%} in {arguments.threshold:g} s"
    print_table(out, f"Staffing plan ({model}, {goal})", plan, columns)
    path = arguments.out or arguments.file.with_name(arguments.file.stem + "-plan.csv")
    write_rows(path, plan)
    out.print(f"wrote {path}", markup=False)
    return 0
