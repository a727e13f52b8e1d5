"""``callcore flow validate|render|try FILE``."""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
from datetime import datetime, timedelta, timezone
from pathlib import Path

from callcore.cli._errors import CommandError
from callcore.cli._output import console
from callcore.errors import DocumentError
from callcore.ivr import (
    Action,
    CallerHangup,
    Digits,
    EnqueueContact,
    Flow,
    Gather,
    IvrEvent,
    IvrSession,
    LookupRequest,
    LookupResult,
    NoInput,
    Play,
    Speech,
    lint_flow,
    load_flow,
    to_dot,
    to_mermaid,
)
from callcore.serialization import parse_json, parse_yaml

__all__ = ["play", "read_document", "render", "validate"]

_START = datetime(2026, 1, 5, 10, 0, tzinfo=timezone.utc)  # a Monday morning


def read_document(path: Path) -> object:
    """A JSON or YAML file (by its suffix) as plain data."""
    text = path.read_text(encoding="utf-8")
    return parse_yaml(text) if path.suffix.lower() in {".yaml", ".yml"} else parse_json(text)


def _flow(path: Path) -> Flow:
    return load_flow(read_document(path))


def validate(arguments: argparse.Namespace) -> int:
    """Print every problem of the flow, each with its path; exit 1 when there is one."""
    out = console()
    document = read_document(arguments.file)  # unreadable: one line, from main
    try:
        flow = load_flow(document)
    except DocumentError as error:
        out.print(f"{arguments.file}: {error.what} has {len(error.problems)} problem(s):")
        for problem in error.problems:
            message = " ".join(problem.message.split())
            out.print(f"  error   {problem.path or '(flow)'}: {message}", markup=False)
        return 1
    warnings = [finding for finding in lint_flow(flow) if finding.severity.value == "warning"]
    out.print(
        f"{arguments.file}: flow {flow.id!r} is valid: {len(flow.nodes)} nodes, "
        f"{len(warnings)} warning(s)",
        markup=False,
    )
    for finding in warnings:
        out.print(f"  warning {finding.path}: {finding.message} [{finding.code}]", markup=False)
    return 0


def render(arguments: argparse.Namespace) -> int:
    """Print (or write) the flow as Mermaid, DOT, or SVG through Graphviz's ``dot``."""
    flow = _flow(arguments.file)
    text = to_mermaid(flow) if arguments.format == "mermaid" else to_dot(flow)
    if arguments.format == "svg":
        dot = shutil.which("dot")
        if dot is None:
            raise CommandError(
                "SVG needs Graphviz's dot program on the PATH (https://graphviz.org); "
                "or render --format dot or mermaid"
            )
        done = subprocess.run(  # noqa: S603 - dot from the PATH, the text on its standard input
            [dot, "-Tsvg"], input=text, capture_output=True, text=True, check=False
        )
        if done.returncode:
            raise CommandError(f"dot failed: {' '.join(done.stderr.split())}")
        text = done.stdout
    if arguments.out is None:
        sys.stdout.write(text if text.endswith("\n") else text + "\n")
    else:
        arguments.out.write_text(text, encoding="utf-8")
        console().print(f"wrote {arguments.out}", markup=False)
    return 0


def _describe(action: Action) -> str:
    if isinstance(action, Play):
        return f"  ♪ {action.text or action.audio}"
    if isinstance(action, Gather):
        said = " ".join(p.text or p.audio or "" for p in action.prompts)
        return f"  ? {said}  (keys: up to {action.max_digits}; or say words)"
    if isinstance(action, LookupRequest):
        return f"  ⇄ look-up {action.name!r}: no CRM here, answered as unavailable"
    if isinstance(action, EnqueueContact):
        return f"  → queue {action.queue!r} (priority {action.priority})"
    return f"  · {action.type}"


def _event(line: str | None) -> IvrEvent:
    if line is None or line.strip().lower() in {"hangup", "hang up", "quit", "q"}:
        return CallerHangup()
    text = line.strip()
    if not text:
        return NoInput()
    if all(key in "0123456789*#" for key in text):
        return Digits(text)
    return Speech(text)


def play(arguments: argparse.Namespace) -> int:
    """Play the flow: prompts are printed, the caller types keys, words, or nothing."""
    flow = _flow(arguments.file)
    out = console()
    out.print(
        f"Playing flow {flow.id!r}: type keys (1, 42#), words, Enter for silence, 'hangup' to end.",
        markup=False,
    )
    session = IvrSession(flow)
    now = _START
    update = session.start(now=now)
    while True:
        lookups = []
        for action in update.actions:
            out.print(_describe(action), markup=False)
            if isinstance(action, LookupRequest):
                lookups.append(action)
        if session.ended:
            break
        now += timedelta(seconds=2)
        if lookups:
            update = session.handle(LookupResult(error="unavailable"), now=now)
            continue
        try:
            line: str | None = input("caller> ")
        except EOFError:
            line = None
        update = session.handle(_event(line), now=now)
    outcome = session.outcome.value if session.outcome else "ended"
    out.print(f"outcome: {outcome}; path: {' → '.join(session.path)}", markup=False)
    return 0
