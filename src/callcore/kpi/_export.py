"""Results as rows of plain dicts, and as CSV (stdlib ``csv``)."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Mapping, Sequence
from typing import TextIO

from callcore.kpi._aggregate import Aggregate
from callcore.kpi._grouping import Dimension, GroupKey
from callcore.kpi._metrics import BUILTIN_METRICS, Metric, evaluate

__all__ = ["Row", "rows", "to_csv", "write_csv"]

Row = dict[str, str | int | float | None]
"""One result row: group columns, then one column per metric."""


def _key_columns(key: GroupKey, dimensions: Sequence[Dimension]) -> Row:
    row: Row = {}
    for dimension in dimensions:
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
    dimensions: Sequence[Dimension],
    names: Iterable[str] | None = None,
    metrics: Mapping[str, Metric] = BUILTIN_METRICS,
) -> list[Row]:
    """Turn totals per group into rows of plain values.

    Args:
        groups: Totals by group, as from :meth:`Aggregator.groups`.
        dimensions: The group columns to include, in order.
        names: The metric columns, in order; every metric if omitted.
        metrics: Where metric names are looked up.

    Returns:
        One dict per group: ``interval`` as an ISO 8601 string, ``channel``
        by value, then the metric values (``None`` where undefined).
    """
    chosen = list(metrics) if names is None else list(names)
    table: list[Row] = []
    for key, totals in groups.items():
        row = _key_columns(key, dimensions)
        row.update(evaluate(totals, chosen, metrics))
        table.append(row)
    return table


def write_csv(table: Sequence[Row], stream: TextIO) -> None:
    """Write rows as CSV with a header; ``None`` becomes an empty cell."""
    if not table:
        return
    writer = csv.DictWriter(stream, fieldnames=list(table[0]), lineterminator="\n")
    writer.writeheader()
    for row in table:
        writer.writerow({name: "" if value is None else value for name, value in row.items()})


def to_csv(table: Sequence[Row]) -> str:
    """Return rows as CSV text (see :func:`write_csv`)."""
    buffer = io.StringIO()
    write_csv(table, buffer)
    return buffer.getvalue()
