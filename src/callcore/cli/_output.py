"""Printing: rich tables and progress bars (the extra ``cli``), and CSV files."""

from __future__ import annotations

import csv
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from callcore.kpi import Row

__all__ = ["console", "print_table", "progress_bar", "write_rows"]


def console() -> Console:
    """A console on standard output; 160 columns when it is not a terminal (a pipe, a test)."""
    plain = Console()
    return plain if plain.is_terminal else Console(width=160)


def print_table(
    out: Console, title: str, rows: Sequence[Row], columns: Sequence[tuple[str, str]]
) -> None:
    """Print rows as a table: ``columns`` pairs each heading with its cell's text format.

    A format is a :func:`format` spec (``".1%"``, ``",.0f"``) or ``""`` for the value
    as it is; ``None`` shows as a dash.
    """
    table = Table(title=title, title_justify="left")
    for heading, _ in columns:
        table.add_column(
            heading, justify="left" if heading in {"interval", "queue"} else "right", no_wrap=True
        )
    for row in rows:
        cells = []
        for (heading, spec), value in zip(columns, (row.get(c[0]) for c in columns), strict=True):
            del heading
            cells.append("-" if value is None else format(value, spec) if spec else str(value))
        table.add_row(*cells)
    out.print(table)


@contextmanager
def progress_bar(out: Console, label: str) -> Iterator[Callable[[float], None]]:
    """A progress bar for work whose share done (0 to 1) the callback reports."""
    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        TextColumn("{task.percentage:>3.0f}%"),
        TimeElapsedColumn(),
        console=out,
        transient=not out.is_terminal,
    ) as bar:
        task = bar.add_task(label, total=1.0)
        yield lambda share: bar.update(task, completed=share)


def write_rows(path: Path, rows: Sequence[Row]) -> None:
    """Write rows as CSV with a header (``None`` as an empty cell)."""
    with path.open("w", newline="", encoding="utf-8") as stream:
        writer = csv.DictWriter(stream, fieldnames=list(rows[0]) if rows else [])
        writer.writeheader()
        for row in rows:
            writer.writerow({key: "" if value is None else value for key, value in row.items()})
