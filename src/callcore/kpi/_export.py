"""Results as rows of plain dicts, and as CSV (stdlib ``csv``) or a Markdown table."""

from __future__ import annotations

import csv
import io
import math
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import TextIO

from callcore.checks import MAX_TEXT, check_count
from callcore.errors import DocumentError, InvalidInputError, Problem
from callcore.kpi._aggregate import Aggregate
from callcore.kpi._grouping import Dimension, GroupKey
from callcore.kpi._grouping import dimensions as read_dimensions
from callcore.kpi._limits import MAX_TOTAL, described
from callcore.kpi._metrics import BUILTIN_METRICS, Metric, evaluate, metric_names

__all__ = ["Row", "check_table", "rows", "to_csv", "to_markdown", "write_csv"]

Row = dict[str, str | int | float | None]
"""One result row: group columns, then one column per metric."""


def _key_columns(key: GroupKey, columns: Sequence[Dimension]) -> Row:
    row: Row = {}
    for dimension in columns:
        if dimension is Dimension.INTERVAL:
            row["interval"] = key.interval.isoformat() if key.interval else None
        elif dimension is Dimension.QUEUE:
            row["queue"] = key.queue
        elif dimension is Dimension.AGENT:
            row["agent"] = key.agent
        else:
            row["channel"] = key.channel.value if key.channel else None
    return row


def rows(
    groups: Mapping[GroupKey, Aggregate],
    dimensions: Sequence[Dimension | str],
    names: Iterable[str] | None = None,
    metrics: Mapping[str, Metric] = BUILTIN_METRICS,
) -> list[Row]:
    """Turn totals per group into rows of plain values.

    Args:
        groups: Totals by group, as from :meth:`Aggregator.groups`.
        dimensions: The group columns to include, in order (members of
            :class:`Dimension` or their values).
        names: The metric columns, in order; every metric if omitted.
        metrics: Where metric names are looked up.

    Returns:
        One dict per group: ``interval`` as an ISO 8601 string, ``channel``
        by value, then the metric values (``None`` where undefined).

    Raises:
        InvalidInputError: An argument is of the wrong type (``names`` as a
            single string, a group that is not a ``GroupKey`` and its
            ``Aggregate``...).
        NotFoundError: A name is not a known metric.
    """
    columns = read_dimensions(dimensions, "dimensions")
    if not isinstance(groups, Mapping):
        raise InvalidInputError(
            f"groups must map GroupKey to Aggregate, got {type(groups).__name__}", field="groups"
        )
    chosen = metric_names(names, metrics)
    table: list[Row] = []
    for key, totals in groups.items():
        if not isinstance(key, GroupKey):
            raise InvalidInputError(
                f"groups must map GroupKey to Aggregate, got a key {type(key).__name__}",
                field="groups",
            )
        row = _key_columns(key, columns)
        row.update(evaluate(totals, chosen, metrics))
        table.append(row)
    return table


def _cell_problem(value: object) -> str | None:  # noqa: PLR0911 - one exit per kind of value
    """Say what is wrong with a cell's value, if anything."""
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        return f"expected text, a number or None, got {type(value).__name__}"
    if isinstance(value, str):
        if len(value) > MAX_TEXT:
            return f"is {len(value)} characters long; the limit is {MAX_TEXT}"
        if not value.isascii():
            try:
                value.encode("utf-8")
            except UnicodeEncodeError:
                return "is not valid Unicode text (it holds a lone surrogate)"
        return None
    if isinstance(value, int):
        return None if -MAX_TOTAL <= value <= MAX_TOTAL else f"is beyond +/-{MAX_TOTAL:.0e}"
    return None if math.isfinite(value) else f"must be a finite number, got {value}"


def _table_problems(table: object) -> Iterator[Problem]:
    """Every problem of a table of rows, each at ``[row].column``."""
    if isinstance(table, str | bytes | Mapping) or not isinstance(table, Sequence):
        yield Problem("", f"expected a list of rows, got {type(table).__name__}")
        return
    header: list[object] | None = None
    for index, row in enumerate(table):
        path = f"[{index}]"
        if not isinstance(row, Mapping):
            yield Problem(
                path, f"expected a row (a mapping of column to value), got {type(row).__name__}"
            )
            continue
        names = list(row)
        if header is None:
            header = names
            for name in names:
                if not isinstance(name, str) or _cell_problem(name) or not name:
                    yield Problem(
                        path, f"column names must be non-empty text, got {described(name)}"
                    )
        elif set(names) != set(header):
            missing = [name for name in header if name not in row]
            extra = [name for name in names if name not in header]
            yield Problem(
                path,
                "has other columns than the first row"
                + (f"; missing {described(missing)}" if missing else "")
                + (f"; extra {described(extra)}" if extra else ""),
            )
            continue
        for name, value in row.items():
            problem = _cell_problem(value)
            if problem is not None:
                yield Problem(f"{path}.{name}" if isinstance(name, str) else path, problem)


def check_table(table: object) -> None:
    """Refuse a table whose rows do not share columns or hold a cell that is not a value.

    Raises:
        DocumentError: Every problem, each at ``[row].column``.
    """
    problems = list(_table_problems(table))
    if problems:
        raise DocumentError(problems, "KPI table")


def write_csv(table: Sequence[Row], stream: TextIO) -> None:
    """Write rows as CSV with a header; ``None`` becomes an empty cell.

    The table is checked whole before anything is written: every row has the
    first row's columns (in any order), and every cell is text (valid Unicode,
    at most 100,000 characters), a whole number up to ``10**30``, a finite
    float or ``None``. Row ``[i]`` is line ``i + 2`` of the CSV text.

    Raises:
        DocumentError: The table has problems, each at ``[row].column``;
            nothing was written.
        InvalidInputError: ``stream`` has no ``write`` method.
    """
    check_table(table)
    if not callable(getattr(stream, "write", None)):
        raise InvalidInputError(
            f"stream must be a text stream, got {type(stream).__name__}", field="stream"
        )
    if not table:
        return
    writer = csv.DictWriter(stream, fieldnames=list(table[0]), lineterminator="\n")
    writer.writeheader()
    for row in table:
        writer.writerow({name: "" if value is None else value for name, value in row.items()})


def to_csv(table: Sequence[Row]) -> str:
    """Return rows as CSV text (see :func:`write_csv`).

    Raises:
        DocumentError: The table has problems, each at ``[row].column``.
    """
    buffer = io.StringIO()
    write_csv(table, buffer)
    return buffer.getvalue()


def _markdown_cell(value: str | float | None, digits: int) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:.{digits}f}"
    # A pipe would end the cell and a line break the row: escape one, flatten the other.
    return " ".join(str(value).replace("\\", "\\\\").replace("|", "\\|").split())


def to_markdown(table: Sequence[Row], *, digits: int = 3) -> str:
    """Return rows as a Markdown (GitHub-flavoured) table with a header.

    The table is checked as for :func:`write_csv`. Numbers are right-aligned,
    floats shown with ``digits`` decimals, ``None`` as an empty cell; a ``|``
    in text is escaped and line breaks become spaces, so each row stays one
    line. An empty table gives an empty string.

    >>> from callcore.kpi import to_markdown
    >>> print(to_markdown([{"queue": "sales", "contacts": 12, "service_level": 0.75}]))
    | queue | contacts | service_level |
    |---|--:|--:|
    | sales | 12 | 0.750 |

    Raises:
        DocumentError: The table has problems, each at ``[row].column``.
        InvalidInputError: ``digits`` is not a whole number from 0 to 12.
    """
    check_table(table)
    check_count(digits, "digits", low=0, high=12)
    if not table:
        return ""
    names = list(table[0])
    # Right-align a column of numbers (and empty cells); a column holding text, left.
    numeric = {name: not any(isinstance(row[name], str) for row in table) for name in names}
    lines = [
        "| " + " | ".join(_markdown_cell(name, digits) for name in names) + " |",
        "|" + "|".join("--:" if numeric[name] else "---" for name in names) + "|",
    ]
    lines.extend(
        "| " + " | ".join(_markdown_cell(row[name], digits) for name in names) + " |"
        for row in table
    )
    return "\n".join(lines)
