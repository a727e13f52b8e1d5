"""Small flow documents and a fake calendar shared by the IVR tests."""

from __future__ import annotations

import json
from datetime import date, time
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from callcore.calendar import BusinessCalendar, Holiday, OpeningRange, WeeklyHours
from callcore.ivr import Flow, load_flow_json

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def bank_flow() -> Flow:
    """The example bank flow, loaded and validated."""
    text = (EXAMPLES / "ivr_bank_flow.json").read_text(encoding="utf-8")
    return load_flow_json(text, calendars=["advisers"])


def bank_document() -> dict[str, Any]:
    """The example bank flow as plain data."""
    data: dict[str, Any] = json.loads((EXAMPLES / "ivr_bank_flow.json").read_text("utf-8"))
    return data


def document(nodes: dict[str, Any], start: str = "menu", **extra: Any) -> dict[str, Any]:
    """A flow document with English prompts p0..p9 and the given nodes."""
    prompts = {f"p{i}": {"en": f"prompt {i}"} for i in range(10)}
    return {
        "id": extra.pop("id", "test"),
        "start": start,
        "languages": ["en"],
        "prompts": prompts,
        "nodes": nodes,
        **extra,
    }


def menu(**fields: Any) -> dict[str, Any]:
    """A menu node: 1 → one, 2 → two; retries to 'fallback'."""
    node: dict[str, Any] = {
        "type": "menu",
        "prompt": "p0",
        "options": [{"key": "1", "goto": "one"}, {"key": "2", "goto": "two"}],
        "on_noinput": "fallback",
        "on_nomatch": "fallback",
    }
    node.update(fields)
    return node


def endings() -> dict[str, Any]:
    """The hang-up nodes 'one', 'two' and 'fallback'."""
    return {
        "one": {"type": "hangup", "reason": "one"},
        "two": {"type": "hangup", "reason": "two"},
        "fallback": {"type": "hangup", "reason": "fallback"},
    }


def office_calendar(
    holidays: dict[date, tuple[time, time] | None] | None = None,
    zone: ZoneInfo = ZoneInfo("UTC"),  # noqa: B008 - a ZoneInfo is immutable and cached
) -> BusinessCalendar:
    """A real calendar: weekdays 09:00-17:00 in ``zone``, with the given holidays.

    A holiday with hours is open during those hours only (a partial-day holiday).
    """
    weekday = (OpeningRange(time(9), time(17)),)
    return BusinessCalendar(
        name="office",
        timezone=zone,
        hours=WeeklyHours(
            monday=weekday, tuesday=weekday, wednesday=weekday, thursday=weekday, friday=weekday
        ),
        holidays=tuple(
            Holiday(day, "holiday", () if hours is None else (OpeningRange(*hours),))
            for day, hours in (holidays or {}).items()
        ),
    )
