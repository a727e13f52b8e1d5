"""The KPI engine's own limits, on top of those of :mod:`callcore.checks`.

They are documented on the KPI overview page (``docs/kpi/index.md``).
"""

from __future__ import annotations

from datetime import timedelta

__all__ = [
    "MAX_AGENT_STATE_SPAN",
    "MAX_RECORD_COUNT",
    "MAX_TOTAL",
    "MAX_WINDOW_SLOTS",
    "described",
]

MAX_RECORD_COUNT = 1_000_000
"""The most holds, transfers or consultations one interaction record may count."""

MAX_AGENT_STATE_SPAN = timedelta(days=31)
"""The longest span one agent state record may cover.

It bounds the work one span causes: an aggregator grouping by interval cuts a
span into one piece per interval, at most 44,640 one-minute intervals.
"""

MAX_TOTAL = 10**30
"""The largest total (a count, or a sum of microseconds) an aggregate may hold.

No number of records can reach it (a group's sums of durations overflow no
sooner than 10**20 microseconds, 2.7 million years, and are then refused);
it keeps totals loaded from saved aggregates, or merged in, short enough to
print and to compute with.
"""

MAX_WINDOW_SLOTS = 100_000
"""The most slots (``length / resolution``) a rolling window may have."""


def described(value: object) -> str:
    """A short repr of any value for a message; it never fails.

    An integer too long to print (or a container holding one) is described,
    not spelled out.
    """
    if isinstance(value, int) and value.bit_length() > 64:
        return f"a {value.bit_length()}-bit integer"
    try:
        text = repr(value)
    except ValueError:  # it holds an integer beyond Python's 4,300-digit limit
        return f"a {type(value).__name__} holding a huge integer"
    return text if len(text) <= 60 else f"{text[:57]}..."
