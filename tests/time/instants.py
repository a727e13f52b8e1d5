"""Times for the differential tests: the same instants in UTC and in zones that change clocks.

Each engine is driven twice with one sequence of commands: once with times in
UTC, once with the same instants expressed in Europe/Bucharest or
America/New_York (``astimezone`` sets ``fold=1`` in a repeated hour), around
one of their 2026 clock changes. The outcomes must agree as instants:
:func:`utc_view` turns every ISO time of a serialised value into UTC.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone
from typing import Any
from zoneinfo import ZoneInfo

from hypothesis import strategies as st

UTC = timezone.utc
BUCHAREST = ZoneInfo("Europe/Bucharest")
NEW_YORK = ZoneInfo("America/New_York")

# (zone, the instant its clocks change): spring forward, fall back
CHANGES = (
    (BUCHAREST, datetime(2026, 3, 29, 1, tzinfo=UTC)),  # 03:00 -> 04:00 local
    (BUCHAREST, datetime(2026, 10, 25, 1, tzinfo=UTC)),  # 04:00 -> 03:00 local
    (NEW_YORK, datetime(2026, 3, 8, 7, tzinfo=UTC)),  # 02:00 -> 03:00 local
    (NEW_YORK, datetime(2026, 11, 1, 6, tzinfo=UTC)),  # 02:00 -> 01:00 local
)
ZONES = (UTC, BUCHAREST, NEW_YORK)

_ISO = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?[+-]\d\d:\d\d")


@st.composite
def timelines(
    draw: st.DrawFn, steps: int | list[int], *, longest: timedelta = timedelta(minutes=40)
) -> tuple[list[datetime], list[datetime]]:
    """Instants in UTC from shortly before a clock change, and the same ones zoned.

    ``steps`` is how many, or the longest gap (in seconds) before each one after
    the first (else ``longest``). Gaps run from zero, and often sit at a minute or
    an hour (one side or the other). The zoned list expresses each instant in the
    change's zone or another (or UTC), so that consecutive times also mix zones.
    """
    zone, change = draw(st.sampled_from(CHANGES))
    if isinstance(steps, int):
        steps = [int(longest.total_seconds())] * (steps - 1)
    before = min(2 * 3600, max(60, sum(steps) // 2))  # so that the times often cross it
    start = change - timedelta(seconds=draw(st.integers(0, before)))
    times = [start]
    for most in steps:
        gap = draw(st.sampled_from((0, 1, 59, 60, 3599, 3600, 3601, None)))
        if gap is None or gap > most:
            gap = draw(st.integers(0, most))
        times.append(times[-1] + timedelta(seconds=gap))
    zoned = [t.astimezone(draw(st.sampled_from((zone, zone, *ZONES)))) for t in times]
    return times, zoned


def zoned_like(instant: datetime, example: datetime) -> datetime:
    """``instant`` expressed in the zone of ``example``."""
    return instant.astimezone(example.tzinfo)


def utc_view(data: Any) -> Any:
    """``data`` (plain data, datetimes or ISO strings) with every time turned into UTC."""
    if isinstance(data, datetime):
        return data.astimezone(UTC)
    if isinstance(data, str) and _ISO.fullmatch(data):
        return datetime.fromisoformat(data).astimezone(UTC).isoformat()
    if isinstance(data, dict):
        return {key: utc_view(value) for key, value in data.items()}
    if isinstance(data, list | tuple):
        return [utc_view(value) for value in data]
    return data


def update_view(update: Any) -> Any:
    """An update's events and actions (and anything else plain) as :func:`utc_view` data."""
    from callcore.serialization import to_dict  # noqa: PLC0415 - only the tests that use it

    if isinstance(update, tuple | list):
        return [update_view(item) for item in update]
    if not hasattr(update, "events"):
        return utc_view(to_dict(update))
    return [
        utc_view([to_dict(event) for event in update.events]),
        utc_view([to_dict(action) for action in getattr(update, "actions", ())]),
    ]
