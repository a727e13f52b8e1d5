"""Dispositions: what became of the customer's issue, and each one's ticket transition."""

from __future__ import annotations

import enum
from collections.abc import Mapping

__all__ = ["DEFAULT_DISPOSITIONS", "Disposition"]


class Disposition(enum.Enum):
    """What the agent says, at wrap-up, became of the customer's issue."""

    OPEN = "open"
    """Work goes on; the ticket stays open."""
    RESOLVED = "resolved"
    """Solved; the ticket is resolved (and closes by itself later)."""
    CLOSED = "closed"
    """Solved and closed now; the customer gets the satisfaction survey."""
    NEEDS_FOLLOW_UP = "needs_follow_up"
    """Not solved on first contact; a follow-up is scheduled."""


DEFAULT_DISPOSITIONS: Mapping[Disposition, str | None] = {
    Disposition.OPEN: None,
    Disposition.RESOLVED: "resolve",
    Disposition.CLOSED: "close",
    Disposition.NEEDS_FOLLOW_UP: "need_follow_up",
}
"""Each disposition's transition in the default ticket workflow (``None``: stay)."""

_RESOLVED = {Disposition.RESOLVED: True, Disposition.CLOSED: True}
