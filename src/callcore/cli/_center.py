"""``callcore center validate FILE``."""

from __future__ import annotations

import argparse
from collections.abc import Mapping

from callcore.center import read_center_config
from callcore.cli._errors import CommandError
from callcore.cli._flow import read_document
from callcore.cli._output import console
from callcore.errors import DocumentError

__all__ = ["validate_center"]


def validate_center(arguments: argparse.Namespace) -> int:
    """Print every problem of a centre's document, each with its path; exit 1 when there is one."""
    out = console()
    document = read_document(arguments.file)  # unreadable: one line, from main
    if not isinstance(document, Mapping):
        raise CommandError(f"{arguments.file}: a centre's document must be a mapping of sections")
    try:
        config = read_center_config(document)
    except DocumentError as error:
        out.print(f"{arguments.file}: {error.what} has {len(error.problems)} problem(s):")
        for problem in error.problems:
            message = " ".join(problem.message.split())
            out.print(f"  error {problem.path or '(document)'}: {message}", markup=False)
        return 1
    out.print(
        f"{arguments.file}: the centre is valid: {len(config.queues)} queues, "
        f"{len(config.agents)} agents, {len(config.flows)} flows, {len(config.numbers)} numbers",
        markup=False,
    )
    return 0
