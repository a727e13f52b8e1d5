"""The interval grid: wall-clock intervals in a time zone, across clock changes."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from callcore.contacts import Channel, Direction
from callcore.errors import InvalidInputError
from callcore.kpi import Aggregator, ContactOutcome, InteractionRecord, IntervalGrid
from tests.kpi.reference import interval_start
from tests.kpi.strategies import instants

LONDON = ZoneInfo("Europe/London")
US = timedelta(microseconds=1)
EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)


def test_the_repeated_hour_gives_two_groups_with_the_same_label() -> None:
    """On 25 October 2026 London's 01:00-01:15 happens twice, as two intervals."""
    grid = IntervalGrid(timedelta(minutes=15), LONDON)
    first = grid.start_of(datetime(2026, 10, 25, 0, 5, tzinfo=timezone.utc))  # 01:05 BST
    second = grid.start_of(datetime(2026, 10, 25, 1, 5, tzinfo=timezone.utc))  # 01:05 GMT
    assert first.isoformat() == "2026-10-25T01:00:00+01:00"
    assert second.isoformat() == "2026-10-25T01:00:00+00:00"
    assert first != second


def test_the_skipped_hour_has_no_intervals() -> None:
    """On 29 March 2026 London jumps from 01:00 to 02:00: 00:45 is followed by 02:00."""
    grid = IntervalGrid(timedelta(minutes=15), LONDON)
    before = grid.start_of(datetime(2026, 3, 29, 0, 59, tzinfo=timezone.utc))
    after = grid.start_of(datetime(2026, 3, 29, 1, 0, tzinfo=timezone.utc))
    assert before.isoformat() == "2026-03-29T00:45:00+00:00"
    assert after.isoformat() == "2026-03-29T02:00:00+01:00"


def test_half_hour_offsets_cut_hours_on_the_local_clock() -> None:
    """In Kolkata (UTC+05:30) hourly intervals start on the local hour."""
    grid = IntervalGrid(timedelta(hours=1), ZoneInfo("Asia/Kolkata"))
    start = grid.start_of(datetime(2026, 3, 2, 4, 10, tzinfo=timezone.utc))  # 09:40 IST
    assert start.isoformat() == "2026-03-02T09:00:00+05:30"


def test_a_clock_going_back_off_the_grid_lengthens_the_interval() -> None:
    """Lord Howe Island moves clocks back 30 minutes at 02:00: that hour lasts 90 minutes.

    The clock shows 01:30-02:00 twice, and never a new hour in between, so
    the local-calendar interval 01:00-02:00 holds both (issue 15, defect 1).
    """
    zone = ZoneInfo("Australia/Lord_Howe")
    grid = IntervalGrid(timedelta(hours=1), zone)
    # 5 April 2026, 02:00 LHDT (+11) becomes 01:30 LHST (+10:30): 15:00 UTC.
    moment = datetime(2026, 4, 4, 14, 50, tzinfo=timezone.utc)  # 01:50 +11
    start, low, high = grid.locate((moment - EPOCH) // US)
    assert start.isoformat() == "2026-04-05T01:00:00+11:00"
    assert EPOCH + low * US == datetime(2026, 4, 4, 14, 0, tzinfo=timezone.utc)
    assert EPOCH + high * US == datetime(2026, 4, 4, 15, 30, tzinfo=timezone.utc)
    later = grid.start_of(datetime(2026, 4, 4, 15, 10, tzinfo=timezone.utc))  # 01:40 +10:30
    assert later.isoformat() == "2026-04-05T01:00:00+11:00"
    next_hour = grid.start_of(datetime(2026, 4, 4, 15, 30, tzinfo=timezone.utc))  # 02:00 +10:30
    assert next_hour.isoformat() == "2026-04-05T02:00:00+10:30"


@given(
    instants(),
    st.sampled_from([15, 30, 60]),
    st.sampled_from(["Europe/London", "Asia/Kolkata", "America/New_York"]),
)
def test_grid_agrees_with_flooring_the_wall_clock(
    moment: datetime, minutes: int, zone_name: str
) -> None:
    """The grid's interval start is the local wall clock floored to the interval."""
    zone = ZoneInfo(zone_name)
    start = IntervalGrid(timedelta(minutes=minutes), zone).start_of(moment)
    expected = interval_start(moment, zone, minutes)
    assert start == expected
    assert start.utcoffset() == expected.astimezone(zone).utcoffset()


@given(
    st.lists(instants(), max_size=60),
    st.sampled_from(["Europe/London", "Australia/Lord_Howe", "America/New_York"]),
)
def test_the_aggregators_interval_cache_never_changes_an_answer(
    moments: list[datetime], zone_name: str
) -> None:
    """Records in time order, then in any order, land in the grid's intervals."""
    zone = ZoneInfo(zone_name)
    grid = IntervalGrid(timedelta(minutes=30), zone)
    aggregator = Aggregator(group_by=("interval",), interval=timedelta(minutes=30), timezone=zone)
    # Sort by instant: datetimes of one zone compare by wall clock, ignoring fold.
    ordered = sorted(moments, key=lambda moment: moment.astimezone(timezone.utc)) + moments
    for number, moment in enumerate(ordered):
        aggregator.add(
            InteractionRecord(
                id=str(number),
                channel=Channel.VOICE,
                direction=Direction.INBOUND,
                outcome=ContactOutcome.VOICEMAIL,
                arrived_at=moment,
                ended_at=moment,
            )
        )
    expected: dict[tuple[datetime, object], int] = {}
    for moment in ordered:
        start = grid.start_of(moment)
        label = (start, start.utcoffset())  # the same wall clock twice is two intervals
        expected[label] = expected.get(label, 0) + 1
    found = {
        (key.interval, key.interval.utcoffset()): totals.contacts
        for key, totals in aggregator.groups().items()
        if key.interval is not None
    }
    assert found == expected


@pytest.mark.parametrize("minutes", [0, 7, 25, 50, 2000])
def test_sizes_must_divide_a_day(minutes: int) -> None:
    """Interval sizes that do not divide a day into whole minutes are refused."""
    with pytest.raises(InvalidInputError, match="divides a day"):
        IntervalGrid(timedelta(minutes=minutes), LONDON)


def test_the_zone_must_be_a_zoneinfo() -> None:
    """A fixed offset is not a time zone with a calendar; it is refused."""
    with pytest.raises(InvalidInputError, match=r"zoneinfo\.ZoneInfo"):
        IntervalGrid(timedelta(minutes=15), timezone.utc)  # type: ignore[arg-type]
