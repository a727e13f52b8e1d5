"""The interval chart as SVG (issue 15): read back, its bars and lines are the table's values."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from callcore.errors import DocumentError, InvalidInputError
from callcore.kpi import Aggregator, InteractionRecord, Row, interval_chart, rows
from tests.kpi.strategies import interaction_records

SVG = "{http://www.w3.org/2000/svg}"
HEIGHT, TOP = 240, 24  # the plot area, as documented in the module


def _parse(text: str) -> ET.Element:
    return ET.fromstring(text)  # noqa: S314 - our own output


@given(st.lists(interaction_records(), min_size=1, max_size=15))
def test_bars_and_lines_are_the_rows_values(records: list[InteractionRecord]) -> None:
    """One bar per interval, as tall as its volume; each rate line at its value."""
    aggregator = Aggregator(
        group_by="interval", interval=timedelta(hours=1), timezone=ZoneInfo("Europe/London")
    )
    aggregator.add_many(records)
    table = rows(aggregator.groups(), ["interval"], ["contacts", "service_level", "aht"])
    for row in table:
        row["aht"] = None if row["aht"] is None else min(1.0, float(row["aht"]) / 1000)
    root = _parse(interval_chart(table, rates=["service_level", "aht"]))
    bars = root.findall(f"{SVG}rect[@class='volume']")
    assert len(bars) == len(table)
    largest = max(int(row["contacts"]) for row in table) or 1  # type: ignore[arg-type]
    for bar, row in zip(bars, table, strict=True):
        assert float(bar.get("data-value", "")) == row["contacts"]
        assert float(bar.get("height", "")) == pytest.approx(
            int(row["contacts"]) / largest * HEIGHT,
            abs=0.01,
        )
    for name in ("service_level", "aht"):
        drawn = [
            float(point.split(",")[1])
            for line in root.findall(f"{SVG}polyline[@data-column='{name}']")
            for point in str(line.get("points")).split()
        ]
        expected = [
            TOP + HEIGHT - float(value) * HEIGHT
            for value in (row[name] for row in table)
            if isinstance(value, float | int)
        ]
        assert drawn == pytest.approx(expected, abs=0.01)


def test_an_undefined_rate_breaks_the_line_and_text_is_escaped() -> None:
    """None splits a line in two; a label with markup characters stays text."""
    table: list[Row] = [
        {"interval": "<a&b>", "contacts": 3, "service_level": 0.5},
        {"interval": "2026-03-02T09:00:00+00:00", "contacts": 0, "service_level": None},
        {"interval": "x", "contacts": 6, "service_level": 1.0},
    ]
    root = _parse(interval_chart(table, rates=["service_level"]))
    assert len(root.findall(f"{SVG}polyline")) == 2
    labels = [text.text for text in root.findall(f"{SVG}text")]
    assert "<a&b>" in labels
    assert "09:00" in labels


def test_wrong_tables_are_refused_with_paths() -> None:
    """A missing column, a rate above 1, a negative volume: each at its row and column."""
    table: list[Row] = [
        {"interval": "a", "contacts": 1, "service_level": 1.5},
        {"interval": "b", "contacts": -2, "service_level": 0.5},
    ]
    with pytest.raises(DocumentError) as caught:
        interval_chart(table, rates=["service_level", "abandonment_rate"])
    paths = [problem.path for problem in caught.value.problems]
    assert sorted(paths) == ["[0]", "[0].service_level", "[1]", "[1].contacts"]
    with pytest.raises(InvalidInputError) as refused:
        interval_chart(table, rates="service_level")
    assert refused.value.field == "rates"
