"""The command line's own error, and any error as one line."""

from __future__ import annotations

from callcore.errors import DocumentError

__all__ = ["CommandError", "one_line"]


class CommandError(Exception):
    """A command failed for a reason its message says in one line."""


def one_line(error: BaseException) -> str:
    """An error as one line: a document's problems joined with ``;``."""
    if isinstance(error, DocumentError):
        listed = "; ".join(" ".join(str(problem).split()) for problem in error.problems)
        count = len(error.problems)
        return f"{error.what} has {count} problem{'s' * (count != 1)}: {listed}"
    return " ".join(str(error).split()) or type(error).__name__
