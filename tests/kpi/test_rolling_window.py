"""Rolling wallboard windows: the last N minutes, against a brute-force filter."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st

from callcore.errors import InvalidInputError, NaiveDatetimeError
from callcore.kpi import Aggregator, InteractionRecord, RollingWindow
from tests.kpi.strategies import ORIGIN, SPAN_US, interaction_records

MINUTE = timedelta(minutes=1)


def _slot(moment: datetime) -> int:
    return (moment - datetime(1970, 1, 1, tzinfo=timezone.utc)) // MINUTE


@given(
    st.lists(interaction_records(), max_size=40),
    st.integers(0, SPAN_US // 60_000_000 + 60),
    st.sampled_from([1, 5, 15]),
)
def test_window_totals_equal_a_fresh_count_of_the_window(
    records: list[InteractionRecord], minutes_after: int, length: int
) -> None:
    """At ``now``, totals equal those of the records whose end slot is in the window."""
    now = ORIGIN + timedelta(minutes=minutes_after)
    window = RollingWindow(length=timedelta(minutes=length), group_by=("queue",))
    for record in sorted(records, key=lambda r: r.ended_at):
        window.add(record)
    inside = [
        record for record in records if _slot(now) - length < _slot(record.ended_at) <= _slot(now)
    ]
    expected = Aggregator(group_by=("queue",))
    expected.add_many(inside)
    assert window.totals(now=now) == expected.groups()


def test_records_older_than_the_window_are_counted_late() -> None:
    """Once the window has moved on, a record that ended before it is ignored."""
    records = _two_records()
    window = RollingWindow(length=timedelta(minutes=5))
    window.advance(now=ORIGIN + timedelta(minutes=30))
    window.add(records[0])
    assert window.late == 1
    assert window.totals(now=ORIGIN + timedelta(minutes=30)) == {}


def test_the_window_forgets_old_slots() -> None:
    """Slots that left the window are dropped, so memory stays bounded."""
    window = RollingWindow(length=timedelta(minutes=5))
    for record in _two_records():
        window.add(record)
    window.advance(now=ORIGIN + timedelta(hours=1))
    assert window._slots == {}


def test_time_does_not_go_back() -> None:
    """Asking for an earlier ``now`` than before is refused."""
    window = RollingWindow()
    window.advance(now=ORIGIN)
    with pytest.raises(InvalidInputError, match="cannot go back"):
        window.totals(now=ORIGIN - MINUTE)
    with pytest.raises(NaiveDatetimeError):
        window.advance(now=datetime(2026, 1, 1))  # noqa: DTZ001 - naive on purpose


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"length": timedelta(minutes=5), "resolution": timedelta(minutes=2)}, "whole number"),
        ({"resolution": timedelta(0)}, "resolution must be longer than zero"),
        ({"group_by": ("interval",)}, "among 'queue', 'agent', 'channel', got 'interval'"),
    ],
)
def test_bad_window_settings_are_refused(kwargs: dict[str, object], message: str) -> None:
    """Lengths that are not whole steps and interval grouping are refused."""
    with pytest.raises(InvalidInputError, match=message):
        RollingWindow(**kwargs)  # type: ignore[arg-type]


def _two_records() -> list[InteractionRecord]:
    from callcore.contacts import Channel, Direction  # noqa: PLC0415
    from callcore.kpi import ContactOutcome  # noqa: PLC0415

    return [
        InteractionRecord(
            id=str(number),
            channel=Channel.VOICE,
            direction=Direction.INBOUND,
            outcome=ContactOutcome.ABANDONED,
            arrived_at=ORIGIN + number * MINUTE,
            ended_at=ORIGIN + (number + 1) * MINUTE,
        )
        for number in range(2)
    ]
