"""Small flow documents and a fake calendar shared by the IVR tests."""

from __future__ import annotations

import json
from datetime import date, datetime, time
from pathlib import Path
from typing import Any

import attrs

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


@attrs.frozen
class FakeCalendar:
    """Open on weekdays 09:00-17:00 (in the datetime's own zone), closed on holidays.

    A holiday with hours is open during those hours only (a partial-day holiday).
    """

    holidays: dict[date, tuple[time, time] | None] = attrs.Factory(dict)

    def holiday(self, t: datetime) -> object | None:
        """The holiday's name on t's date, if any."""
        return "holiday" if t.date() in self.holidays else None

    def is_open(self, t: datetime) -> bool:
        """Whether open at t."""
        if t.date() in self.holidays:
            hours = self.holidays[t.date()]
            return hours is not None and hours[0] <= t.time() < hours[1]
        return t.weekday() < 5 and time(9) <= t.time() < time(17)
