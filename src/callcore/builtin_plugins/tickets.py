"""The built-in ticket workflows, contributed through ``callcore_ticket_workflows``."""

from __future__ import annotations

from typing import TYPE_CHECKING

from callcore.hookspecs import hookimpl
from callcore.tickets import DEFAULT_WORKFLOW

if TYPE_CHECKING:
    from collections.abc import Mapping

    from callcore.tickets import Workflow

__all__ = ["callcore_ticket_workflows"]


@hookimpl
def callcore_ticket_workflows() -> Mapping[str, Workflow]:
    """Contribute the default workflow: new, open, pending, on hold, follow-up, resolved, closed."""
    return {DEFAULT_WORKFLOW.name: DEFAULT_WORKFLOW}
