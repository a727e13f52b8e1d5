"""The argument parser, the dispatch, and the one-line errors."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import NoReturn

from callcore import __version__
from callcore.cli._errors import CommandError, one_line
from callcore.errors import CallcoreError

__all__ = ["main"]

EXIT_FAILED = 1
EXIT_USAGE = 2


class _Parser(argparse.ArgumentParser):
    """An argument parser whose errors are one line, not a usage block."""

    def error(self, message: str) -> NoReturn:
        sys.stderr.write(f"callcore: error: {message} (see {self.prog} --help)\n")
        raise SystemExit(EXIT_USAGE)


def _path(text: str) -> Path:
    return Path(text)


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"{text!r} must be at least 1")
    return value


def _seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of seconds") from None
    if not 0 <= value <= 86_400:
        raise argparse.ArgumentTypeError(f"{text!r} must be from 0 to 86400 seconds")
    return value


def _share(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None
    if not 0 < value < 1:
        raise argparse.ArgumentTypeError(f"{text!r} must be between 0 and 1 (0.8 for 80 %)")
    return value


def build_parser() -> argparse.ArgumentParser:
    """The ``callcore`` parser, with one sub-parser per command."""
    parser = _Parser(
        prog="callcore",
        description="callcore's command line: a simulated contact centre, flows, staffing.",
    )
    parser.add_argument("--version", action="version", version=f"callcore {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)

    demo = commands.add_parser("demo", help="simulate a day of a small centre; table and chart")
    demo.add_argument("--out", type=_path, default=Path(), help="folder for the files (default .)")
    demo.add_argument("--seed", type=int, default=2026, help="the random seed")
    demo.add_argument("--chart", choices=("png", "svg"), default="png", help="the chart's format")

    flow = commands.add_parser("flow", help="IVR flows: validate, render, try")
    flows = flow.add_subparsers(dest="action", required=True, parser_class=_Parser)
    validate = flows.add_parser("validate", help="every problem of a flow, with its path")
    validate.add_argument("file", type=_path)
    render = flows.add_parser("render", help="a flow as Mermaid, DOT or SVG")
    render.add_argument("file", type=_path)
    render.add_argument("--format", choices=("mermaid", "dot", "svg"), default="mermaid")
    render.add_argument("--out", type=_path, help="write to this file (default: print)")
    play = flows.add_parser("try", help="play a flow in the terminal (type digits or words)")
    play.add_argument("file", type=_path)

    staffing = commands.add_parser("staffing", help="an interval staffing plan from a CSV")
    staffing.add_argument("file", type=_path, help="CSV with columns interval, calls, aht")
    staffing.add_argument("--interval", type=_positive_int, default=30, help="minutes (30)")
    staffing.add_argument("--service-level", type=_share, default=0.8, help="target (0.8)")
    staffing.add_argument("--threshold", type=_seconds, default=20.0, help="seconds (20)")
    staffing.add_argument("--patience", type=_seconds, help="mean patience: Erlang A")
    staffing.add_argument("--shrinkage", type=float, default=0.0, help="share lost (0.3)")
    staffing.add_argument("--out", type=_path, help="the plan as CSV (default: FILE-plan.csv)")

    simulate = commands.add_parser("simulate", help="run a scenario; print and write the report")
    simulate.add_argument("file", type=_path, help="the scenario (YAML or JSON)")
    simulate.add_argument("--replications", type=_positive_int, help="(the scenario's)")
    simulate.add_argument("--out", type=_path, help="the report as CSV (default: FILE-report.csv)")

    center = commands.add_parser("center", help="a centre's document")
    centers = center.add_subparsers(dest="action", required=True, parser_class=_Parser)
    check = centers.add_parser("validate", help="every problem of a centre's document")
    check.add_argument("file", type=_path)
    return parser


def _handler(arguments: argparse.Namespace) -> Callable[[argparse.Namespace], int]:
    # Imported here: each command's dependencies load only when it runs.
    if arguments.command == "demo":
        from callcore.cli._demo import demo  # noqa: PLC0415

        return demo
    if arguments.command == "flow":
        from callcore.cli._flow import play, render, validate  # noqa: PLC0415

        return {"validate": validate, "render": render, "try": play}[arguments.action]
    if arguments.command == "staffing":
        from callcore.cli._staffing import staffing  # noqa: PLC0415

        return staffing
    if arguments.command == "simulate":
        from callcore.cli._simulate import simulate  # noqa: PLC0415

        return simulate
    from callcore.cli._center import validate_center  # noqa: PLC0415

    return validate_center


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit code (0 when all went well)."""
    arguments = build_parser().parse_args(argv)
    try:
        return _handler(arguments)(arguments)
    except ModuleNotFoundError as error:
        missing = error.name or "a module"
        sys.stderr.write(
            f"callcore: error: {missing} is not installed; "
            "install the command line's extra: pip install 'callcore[cli]'\n"
        )
    except (CallcoreError, CommandError, OSError, ValueError) as error:
        sys.stderr.write(f"callcore: error: {one_line(error)}\n")
    except KeyboardInterrupt:
        sys.stderr.write("callcore: interrupted\n")
        return 130
    return EXIT_FAILED
