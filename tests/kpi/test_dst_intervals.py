"""Intervals are local-calendar intervals, across both changes of clocks (issue 15, defect 1).

An interval starts wherever the local clock shows a multiple of its size, or
jumps forward onto or over one: a day runs from local midnight to local
midnight however long it is. The reference below finds those starts by
reading the wall clock minute by minute (every transition of these zones is
on a whole minute), sharing no code with the grid.
"""

from __future__ import annotations

from collections import Counter
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from callcore.contacts import Channel, Direction
from callcore.kpi import Aggregator, ContactOutcome, InteractionRecord, IntervalGrid

MINUTE = timedelta(minutes=1)
US = timedelta(microseconds=1)
EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)
STEP = timedelta(minutes=5)  # one record every five minutes

# (zone, instant of the change in UTC, direction)
CHANGES = [
    ("Europe/London", datetime(2026, 3, 29, 1, 0, tzinfo=timezone.utc), "forward"),
    ("Europe/London", datetime(2026, 10, 25, 1, 0, tzinfo=timezone.utc), "back"),
    ("Europe/Bucharest", datetime(2026, 3, 29, 1, 0, tzinfo=timezone.utc), "forward"),
    ("Europe/Bucharest", datetime(2026, 10, 25, 1, 0, tzinfo=timezone.utc), "back"),
    ("America/New_York", datetime(2026, 3, 8, 7, 0, tzinfo=timezone.utc), "forward"),
    ("America/New_York", datetime(2026, 11, 1, 6, 0, tzinfo=timezone.utc), "back"),
]
SIZES = [timedelta(minutes=15), timedelta(hours=1), timedelta(hours=2), timedelta(days=1)]


def _wall_minutes(moment: datetime, zone: ZoneInfo) -> int:
    """Minutes of the local wall clock since 2000-01-01 00:00 (a naive count)."""
    local = moment.astimezone(zone).replace(tzinfo=timezone.utc)  # the wall clock, as UTC
    return (local - datetime(2000, 1, 1, tzinfo=timezone.utc)) // MINUTE


def reference_labels(
    zone: ZoneInfo, size: timedelta, first: datetime, last: datetime
) -> dict[datetime, str]:
    """Each whole minute in [first, last) mapped to its interval's label, read off the clock."""
    size_minutes = size // MINUTE
    labels: dict[datetime, str] = {}
    label = ""
    moment = first - timedelta(days=2)  # start well before, on a boundary found below
    previous = _wall_minutes(moment - MINUTE, zone)
    while moment < last:
        wall = _wall_minutes(moment, zone)
        expected = previous + 1
        if wall > expected:  # the clock jumped forward: onto or over a multiple?
            starts = any(m % size_minutes == 0 for m in range(expected, wall + 1))
        else:  # as usual, or jumped back: only if it shows a multiple
            starts = wall % size_minutes == 0
        if starts:
            local = moment.astimezone(zone)
            offset = local.utcoffset()
            assert offset is not None
            label = local.replace(tzinfo=timezone(offset), fold=0).isoformat()
        if moment >= first:
            labels[moment] = label
        previous = wall
        moment += MINUTE
    return labels


def _record(number: int, arrived: datetime) -> InteractionRecord:
    return InteractionRecord(
        id=str(number),
        channel=Channel.VOICE,
        direction=Direction.INBOUND,
        outcome=ContactOutcome.VOICEMAIL,
        arrived_at=arrived,
        ended_at=arrived,
    )


@pytest.mark.parametrize("size", SIZES, ids=lambda size: f"{size // MINUTE}min")
@pytest.mark.parametrize(
    ("zone_name", "change", "direction"), CHANGES, ids=lambda value: str(value)[:16]
)
def test_records_land_in_local_calendar_intervals(
    zone_name: str, change: datetime, direction: str, size: timedelta
) -> None:
    """Over two days around a change, every record lands in the interval the clock says."""
    zone = ZoneInfo(zone_name)
    first, last = change - timedelta(days=1), change + timedelta(days=1)
    expected_of = reference_labels(zone, size, first, last)
    moments = [first + STEP * number for number in range((last - first) // STEP)]
    aggregator = Aggregator(group_by=("interval",), interval=size, timezone=zone)
    aggregator.add_many(_record(number, moment) for number, moment in enumerate(moments))
    found = {
        key.interval.isoformat(): totals.contacts
        for key, totals in aggregator.groups().items()
        if key.interval is not None
    }
    assert found == dict(Counter(expected_of[moment] for moment in moments))
    assert direction in {"forward", "back"}


@pytest.mark.parametrize(
    ("zone_name", "change", "direction"), CHANGES, ids=lambda value: str(value)[:16]
)
def test_a_day_is_local_midnight_to_midnight(
    zone_name: str, change: datetime, direction: str
) -> None:
    """The day of a change lasts 23 or 25 hours, in one group, whatever its length."""
    zone = ZoneInfo(zone_name)
    grid = IntervalGrid(timedelta(days=1), zone)
    local = change.astimezone(zone)
    midnight = datetime(local.year, local.month, local.day, tzinfo=zone)
    next_midnight = datetime(local.year, local.month, local.day, tzinfo=zone) + timedelta(days=1)
    hours = 23 if direction == "forward" else 25
    assert next_midnight.astimezone(timezone.utc) - midnight.astimezone(timezone.utc) == timedelta(
        hours=hours
    )
    low = midnight.astimezone(timezone.utc)
    records = [_record(number, low + STEP * number) for number in range(hours * 12)]
    aggregator = Aggregator(group_by=("interval",), interval=timedelta(days=1), timezone=zone)
    aggregator.add_many(records)
    ((key, totals),) = aggregator.groups().items()
    assert totals.contacts == hours * 12
    assert key.interval == midnight
    assert grid.start_of(low + timedelta(hours=hours) - MINUTE) == midnight


def test_the_issues_london_day_is_one_group_of_twenty_five_contacts() -> None:
    """The issue's example: one contact an hour on 25 October 2026 in London."""
    zone = ZoneInfo("Europe/London")
    start = datetime(2026, 10, 24, 23, 30, tzinfo=timezone.utc)  # 00:30 BST
    aggregator = Aggregator(group_by=("interval",), interval=timedelta(days=1), timezone=zone)
    aggregator.add_many(_record(hour, start + timedelta(hours=hour)) for hour in range(25))
    groups = {key.interval.isoformat(): t.contacts for key, t in aggregator.groups().items()}  # type: ignore[union-attr]
    assert groups == {"2026-10-25T00:00:00+01:00": 25}


def test_two_hour_intervals_stretch_over_the_repeated_hour() -> None:
    """London's 00:00-02:00 on 25 October 2026 lasts 3 hours; on 29 March, 1 hour."""
    zone = ZoneInfo("Europe/London")
    grid = IntervalGrid(timedelta(hours=2), zone)
    us = timedelta(microseconds=1)
    epoch = datetime(1970, 1, 1, tzinfo=timezone.utc)
    autumn = grid.locate((datetime(2026, 10, 25, 1, 30, tzinfo=timezone.utc) - epoch) // us)
    assert autumn[0].isoformat() == "2026-10-25T00:00:00+01:00"
    assert (autumn[2] - autumn[1]) * us == timedelta(hours=3)
    spring = grid.locate((datetime(2026, 3, 29, 0, 30, tzinfo=timezone.utc) - epoch) // us)
    assert spring[0].isoformat() == "2026-03-29T00:00:00+00:00"
    assert (spring[2] - spring[1]) * us == timedelta(hours=1)


MORE_CHANGES = [
    *((ZoneInfo(name), change) for name, change, _ in CHANGES),
    # Havana moves at midnight: 8 March 2026 has no 00:00, 1 November repeats 00:00-01:00.
    (ZoneInfo("America/Havana"), datetime(2026, 3, 8, 5, 0, tzinfo=timezone.utc)),
    (ZoneInfo("America/Havana"), datetime(2026, 11, 1, 5, 0, tzinfo=timezone.utc)),
    # Lord Howe moves by 30 minutes, at 02:00 in both directions.
    (ZoneInfo("Australia/Lord_Howe"), datetime(2026, 4, 4, 15, 0, tzinfo=timezone.utc)),
    (ZoneInfo("Australia/Lord_Howe"), datetime(2026, 10, 3, 15, 30, tzinfo=timezone.utc)),
]


@given(
    st.sampled_from(MORE_CHANGES),
    st.sampled_from([15, 30, 60, 90, 120, 180, 1440]),
    st.integers(-36 * 60, 36 * 60 - 1),
)
def test_the_grid_agrees_with_the_clock_around_any_change(
    where: tuple[ZoneInfo, datetime], minutes: int, offset_minutes: int
) -> None:
    """Any size dividing a day, within 36 hours of a change: label, start and end as read."""
    zone, change = where
    size = timedelta(minutes=minutes)
    moment = change + timedelta(minutes=offset_minutes)
    window = reference_labels(zone, size, moment - timedelta(days=1), moment + timedelta(days=1))
    label, low, high = IntervalGrid(size, zone).locate((moment - EPOCH) // US)
    assert label.isoformat() == window[moment]
    start, end = EPOCH + low * US, EPOCH + high * US
    # The interval is the whole run of minutes sharing its label (labels are unique:
    # a wall time with its offset is one instant). The window may not reach a 25-hour
    # day's ends.
    for inside in (start, moment, end - MINUTE):
        assert window.get(inside, window[moment]) == window[moment]
    for outside in (start - MINUTE, end):
        assert window.get(outside) != window[moment]
