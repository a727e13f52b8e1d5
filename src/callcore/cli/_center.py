"""``callcore center validate FILE``."""

from __future__ import annotations

import argparse

from callcore.center import read_center_config
from callcore.cli._output import console
from callcore.errors import DocumentError

__all__ = ["validate_center"]


def validate_center(arguments: argparse.Namespace) -> int:
    """Print every problem of a centre's document, each with its path; exit 1 when there is one."""
    out = console()
    try:
        config = read_center_config(arguments.file)
    except DocumentError as error:
        out.print(f"{arguments.file}: {error.what} has {len(error.problems)} problem(s):")
        for problem in error.problems:
            out.print(f"  error {problem.path or '(document)'}: {problem.message}", markup=False)
        return 1
    out.print(
        f"{arguments.file}: the centre is valid: {len(config.queues)} queues, "
        f"{len(config.agents)} agents, {len(config.flows)} flows, {len(config.numbers)} numbers",
        markup=False,
    )
    return 0
