"""The command line: ``callcore`` (or ``python -m callcore``), with the extra ``cli``.

Commands: ``demo``, ``flow validate|render|try``, ``staffing``, ``simulate``
and ``center validate``. Every failure, a bad file or a bad argument, is one
line on standard error and a non-zero exit code (2 for a usage error, 1 for
the rest), never a traceback.
"""

from callcore.cli._app import main

__all__ = ["main"]
