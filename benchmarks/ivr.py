"""IVR benchmarks: bank-flow sessions per second; validation of a 5,000-node flow.

Each figure is printed with a ratio against a baseline measured in the same run
on the same machine:

- sessions: a full call of the example flow (start to queue hand-off: language
  menu, main menu, accounts menu, account number, balance lookup, after-balance
  menu, queue) against a hand-written dict-walking interpreter of the same path
  (no validation, counters, trace or prompts): the cost of the engine's safety.
- validation: validating a generated 5,000-node flow against one breadth-first
  reachability pass over the same graph (the least any validator must do).

Run ``python benchmarks/ivr.py`` (``--quick`` for a smoke run).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections import deque
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from callcore.ivr import (  # noqa: E402 - after the path set-up for a source checkout
    ContactOutcome,
    Digits,
    IvrEvent,
    IvrSession,
    LookupResult,
    load_flow,
    load_flow_json,
    validate_flow,
)

NOW = datetime(2026, 1, 5, 10, 0, tzinfo=timezone.utc)
SCRIPT: list[IvrEvent] = [
    Digits("1"),
    Digits("1"),
    Digits("1"),
    Digits("4111111111111111#"),
    LookupResult({"balance": 10, "currency": "RON"}),
    Digits("1"),
]


class AlwaysOpen:
    """A calendar that is always open."""

    def is_open(self, t: datetime) -> bool:  # noqa: ARG002
        return True

    def holiday(self, t: datetime) -> object | None:  # noqa: ARG002
        return None


def rates(runs: dict[str, Any], count: int, repeats: int) -> dict[str, tuple[float, float]]:
    """Operations per second of each run: (best, typical) over ``repeats`` timings.

    The runs are timed in turn within each repeat, so a busy moment on a shared
    machine slows the engine and its baseline alike; typical is the median.
    """
    seen: dict[str, list[float]] = {name: [] for name in runs}
    for _ in range(repeats):
        for name, run in runs.items():
            start = time.perf_counter()
            for _ in range(count):
                run()
            seen[name].append(count / (time.perf_counter() - start))
    return {name: (max(r), statistics.median(r)) for name, r in seen.items()}


def dict_walk(raw: dict[str, Any]) -> None:
    """The baseline: the same walk with plain dicts, following keys and skipping the rest."""
    node, variables, events = "choose_language", {}, iter(SCRIPT)
    while True:
        data = raw[node]
        kind = data["type"]
        if kind == "queue":
            return
        if kind in {"menu", "input", "lookup"}:
            event = next(events)
            if isinstance(event, Digits) and kind == "menu":
                node = next(o["goto"] for o in data["options"] if o["key"] == event.digits)
                continue
            if isinstance(event, Digits):
                variables[data["variable"]] = event.digits.rstrip("#")
            elif isinstance(event, LookupResult):
                variables.update(event.data)
            node = data["next"]
        else:
            node = data.get("open") or data.get("default") or data["next"]


def bench_sessions(count: int, repeats: int) -> dict[str, tuple[float, float]]:
    """Sessions per second for the engine and the baseline interpreter."""
    flow = load_flow_json((ROOT / "examples" / "ivr_bank_flow.json").read_text("utf-8"))
    calendars = {"advisers": AlwaysOpen()}

    def engine() -> None:
        session = IvrSession(flow, calendars=calendars)
        session.start(now=NOW)
        for event in SCRIPT:
            session.handle(event, now=NOW)
        assert session.outcome is ContactOutcome.QUEUED

    raw = dict(_bank_document()["nodes"])

    def baseline() -> None:
        dict_walk(raw)

    return rates({"engine": engine, "baseline": baseline}, count, repeats)


def _bank_document() -> dict[str, Any]:
    import json  # noqa: PLC0415

    data: dict[str, Any] = json.loads((ROOT / "examples" / "ivr_bank_flow.json").read_text())
    return data


def generated_flow(size: int) -> dict[str, Any]:
    """A valid flow of ``size`` nodes: a chain of menus and says with back links."""
    nodes: dict[str, Any] = {}
    for i in range(size - 1):
        nxt, back = f"n{i + 1}", f"n{max(i - 3, 0)}"
        if i % 3 == 0:
            nodes[f"n{i}"] = {
                "type": "menu",
                "prompt": "p",
                "options": [{"key": "1", "goto": nxt}, {"key": "2", "goto": back}],
                "on_noinput": "end",
                "on_nomatch": "end",
            }
        elif i % 3 == 1:
            nodes[f"n{i}"] = {"type": "say", "prompts": ["p"], "next": nxt}
        else:
            nodes[f"n{i}"] = {
                "type": "branch",
                "cases": [{"when": {"var": "vars.x", "op": "eq", "value": i}, "goto": "end"}],
                "default": nxt,
            }
    nodes["end"] = {"type": "hangup"}
    nodes[f"n{size - 1}"] = {"type": "say", "prompts": ["p"], "next": "end"}
    nodes.pop("end")
    nodes["end"] = {"type": "hangup"}
    return {
        "id": "big",
        "start": "n0",
        "languages": ["en"],
        "prompts": {"p": {"en": "x"}},
        "nodes": nodes,
    }


def bench_validation(size: int, repeats: int) -> tuple[dict[str, tuple[float, float]], int]:
    """Seconds to validate a ``size``-node flow, and for one BFS over it."""
    flow = load_flow(generated_flow(size))
    edges = {name: [e.target for e in node.targets()] for name, node in flow.nodes.items()}

    def bfs() -> None:
        seen, queue = {flow.start}, deque([flow.start])
        while queue:
            for target in edges[queue.popleft()]:
                if target not in seen:
                    seen.add(target)
                    queue.append(target)

    problems = validate_flow(flow)
    assert not problems, problems[:3]
    return rates({"engine": lambda: validate_flow(flow), "baseline": bfs}, 1, repeats), len(
        flow.nodes
    )


def main() -> None:
    """Run both benchmarks and print figures with their ratios."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a short smoke run")
    quick = parser.parse_args().quick
    count, repeats, size = (200, 3, 5000) if quick else (2000, 9, 5000)

    sessions = bench_sessions(count, repeats)
    (best, typical), (base_best, base_typical) = sessions["engine"], sessions["baseline"]
    print("sessions (bank flow, start to queue hand-off), best / typical of", repeats)
    print(f"  engine:                   {best:9,.0f}/s  {typical:9,.0f}/s")
    print(f"  baseline dict walk:       {base_best:9,.0f}/s  {base_typical:9,.0f}/s")
    print(f"  ratio engine/baseline:    {best / base_best:9.3f}   {typical / base_typical:9.3f}")

    validation, nodes = bench_validation(size, repeats)
    (best, typical), (base_best, base_typical) = validation["engine"], validation["baseline"]
    print(f"validation of a {nodes:,}-node flow, best / typical of", repeats)
    print(f"  validate_flow:            {1000 / best:8.1f} ms  {1000 / typical:8.1f} ms")
    print(f"  baseline single BFS:      {1000 / base_best:8.2f} ms  {1000 / base_typical:8.2f} ms")
    print(f"  ratio (time) vs BFS:      {base_best / best:8.1f}x   {base_typical / typical:8.1f}x")


if __name__ == "__main__":
    main()
