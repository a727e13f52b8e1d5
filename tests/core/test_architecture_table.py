"""The table in docs/architecture.md says what the code does: every name in it exists."""

from __future__ import annotations

import importlib
import re
from pathlib import Path

import attrs
import pytest

from callcore.events import Event

TABLE_HEAD = "| | IVR | ACD | tickets | KPI | customers |"
DOC = Path(__file__).parents[2] / "docs" / "architecture.md"


def _rows() -> dict[str, list[str]]:
    """The table's rows by their first cell, each a list of the five engines' cells."""
    lines = DOC.read_text(encoding="utf-8").splitlines()
    start = lines.index(TABLE_HEAD)
    rows: dict[str, list[str]] = {}
    for line in lines[start + 2 :]:
        if not line.startswith("|"):
            break
        cells = [cell.strip() for cell in line.strip("|").split("|")]
        rows[cells[0]] = cells[1:]
    return rows


def _resolve(path: str) -> object:
    module, _, name = path.rpartition(".")
    return getattr(importlib.import_module(module), name)


def _classes(cell: str) -> list[object]:
    return [_resolve(path) for path in re.findall(r"\{class\}`~([\w.]+)`", cell)]


ROWS = _rows()
ENTRIES = [classes[0] for classes in map(_classes, ROWS["entry object"])]


def test_the_table_has_every_row_the_design_names() -> None:
    """Entry object, inputs, result, events, actions, snapshot, documents, next deadline."""
    assert list(ROWS) == [
        "entry object",
        "input methods (each with `now=`)",
        "result",
        "events",
        "actions",
        "snapshot / restore",
        "documents it loads",
        "next deadline",
    ]


@pytest.mark.parametrize("column", range(5))
def test_the_input_methods_exist(column: int) -> None:
    """Each input method named in the table is a method of the entry object."""
    names = re.findall(r"`(\w+)(?:\([^`]*\))?`", ROWS["input methods (each with `now=`)"][column])
    names = [name for name in names if name != "now"]
    assert names
    for name in names:
        assert callable(getattr(ENTRIES[column], name)), name


@pytest.mark.parametrize("column", range(5))
def test_the_results_are_updates_with_events(column: int) -> None:
    """Each result type is a frozen attrs class with ``events`` (a field or a property)."""
    for result in _classes(ROWS["result"][column]):
        assert isinstance(result, type)
        assert attrs.has(result)
        assert "events" in dir(result)


@pytest.mark.parametrize("column", range(5))
def test_the_event_kinds_exist(column: int) -> None:
    """Each event kind in the table is the kind of an event class the engine exports."""
    entry = ENTRIES[column]
    assert isinstance(entry, type)
    package = importlib.import_module(".".join(entry.__module__.split(".")[:2]))
    kinds = {
        value.kind
        for value in vars(package).values()
        if isinstance(value, type) and issubclass(value, Event)
    }
    named = re.findall(r"`(\w+\.\w+)`", ROWS["events"][column])
    assert named
    assert set(named) <= kinds


@pytest.mark.parametrize("column", range(5))
def test_next_deadline_is_there_exactly_where_the_table_says(column: int) -> None:
    """An engine the table gives a next deadline has ``next_deadline``; the others have none."""
    promised = "next_deadline" in ROWS["next deadline"][column]
    assert hasattr(ENTRIES[column], "next_deadline") == promised
