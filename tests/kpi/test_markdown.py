"""The interval report as a Markdown table (issue 15): read back, it gives the rows."""

from __future__ import annotations

import re
from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from callcore.errors import DocumentError, InvalidInputError
from callcore.kpi import Aggregator, InteractionRecord, Row, rows, to_markdown
from tests.kpi.strategies import interaction_records

METRICS = ["contacts", "service_level", "abandonment_rate", "asa"]


def _read_back(text: str) -> list[list[str]]:
    """Split each line into cells on unescaped pipes, and undo the escapes."""
    table = []
    for line in text.splitlines():
        cells = re.split(r"(?<!\\)\|", line)[1:-1]
        table.append([cell.strip().replace("\\|", "|").replace("\\\\", "\\") for cell in cells])
    return table


def _shown(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:.3f}"
    return str(value)


@given(st.lists(interaction_records(), max_size=25))
def test_an_interval_report_reads_back_as_its_rows(records: list[InteractionRecord]) -> None:
    """Header, alignment line, then one line per group with every value shown."""
    aggregator = Aggregator(
        group_by=("interval", "queue"),
        interval=timedelta(minutes=30),
        timezone=ZoneInfo("Europe/London"),
    )
    aggregator.add_many(records)
    table = rows(aggregator.groups(), aggregator.group_by, METRICS)
    text = to_markdown(table)
    if not table:
        assert text == ""
        return
    lines = _read_back(text)
    assert lines[0] == ["interval", "queue", *METRICS]
    aligned = [
        "---" if any(isinstance(row[name], str) for row in table) else "--:" for name in table[0]
    ]
    assert text.splitlines()[1] == "|" + "|".join(aligned) + "|"
    assert aligned[0] == "---"  # intervals are text
    assert aligned[2:] == ["--:"] * len(METRICS)  # numbers
    assert lines[2:] == [[_shown(row[name]) for name in row] for row in table]


def test_text_cannot_break_the_table() -> None:
    """Pipes are escaped and line breaks flattened: one row stays one line."""
    table: list[Row] = [{"queue": "a|b\\c\nd", "n": 1}]
    text = to_markdown(table, digits=1)
    assert text.count("\n") == 2
    assert _read_back(text)[2] == ["a|b\\c d", "1"]


def test_a_table_with_problems_is_refused() -> None:
    """Rows with other columns, or cells that are not values, are reported with paths."""
    with pytest.raises(DocumentError) as caught:
        to_markdown([{"a": 1}, {"b": 2}, {"a": [1]}])  # type: ignore[dict-item]
    assert [problem.path for problem in caught.value.problems] == ["[1]", "[2].a"]
    with pytest.raises(InvalidInputError) as refused:
        to_markdown([{"a": 1}], digits=-1)
    assert refused.value.field == "digits"
