"""Hypothesis strategies for business calendars and the instants to ask them about.

Calendars use opening ranges on a quarter-hour grid and zones whose 2026
transitions fall on whole minutes, so a minute-by-minute scan (see
``tests.calendar.reference``) is an exact oracle for them.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

from hypothesis import strategies as st

from callcore.calendar import BusinessCalendar, Holiday, OpeningRange, SpecialDay, WeeklyHours

ZONES = (
    "UTC",
    "Europe/Bucharest",
    "America/New_York",
    "Australia/Lord_Howe",  # a 30-minute DST shift
    "America/Havana",  # DST changes at midnight: some days have no 00:00
)

# Local dates of the 2026 DST changes of the zones above, the days worth probing.
TRANSITION_DATES = (
    date(2026, 3, 8),  # New York and Havana spring forward
    date(2026, 3, 29),  # Bucharest springs forward
    date(2026, 4, 5),  # Lord Howe falls back
    date(2026, 10, 4),  # Lord Howe springs forward
    date(2026, 10, 25),  # Bucharest falls back
    date(2026, 11, 1),  # New York and Havana fall back
)

# The 2026 DST changes of each zone (local dates), where windows of the scan go.
ZONE_TRANSITIONS = {
    "UTC": (date(2026, 3, 8), date(2026, 11, 1)),  # no change: ordinary days
    "Europe/Bucharest": (date(2026, 3, 29), date(2026, 10, 25)),
    "America/New_York": (date(2026, 3, 8), date(2026, 11, 1)),
    "Australia/Lord_Howe": (date(2026, 4, 5), date(2026, 10, 4)),
    "America/Havana": (date(2026, 3, 8), date(2026, 11, 1)),
}

QUARTERS_PER_DAY = 96


def _quarter(index: int) -> time:
    minutes = index * 15 % (24 * 60)
    return time(minutes // 60, minutes % 60)


@st.composite
def day_ranges(draw: st.DrawFn, max_ranges: int = 3) -> tuple[OpeningRange, ...]:
    """A valid list of ranges for one day: sorted starts, no overlaps, maybe one overnight."""
    starts = sorted(
        draw(st.sets(st.integers(0, QUARTERS_PER_DAY - 1), min_size=0, max_size=max_ranges))
    )
    ranges = []
    for position, start in enumerate(starts):
        if position + 1 < len(starts):
            longest = starts[position + 1] - start
        else:  # the last range may run up to 24 hours, past midnight
            longest = QUARTERS_PER_DAY if start == 0 else QUARTERS_PER_DAY - 1
        length = draw(st.integers(1, longest))
        ranges.append(OpeningRange(_quarter(start), _quarter(start + length)))
    return tuple(draw(st.permutations(ranges)))


@st.composite
def weekly_hours(draw: st.DrawFn) -> WeeklyHours:
    """Weekly hours with 0-3 ranges on each day."""
    return WeeklyHours(*(draw(day_ranges()) for _ in range(7)))


@st.composite
def weeks_without_a_break(draw: st.DrawFn) -> WeeklyHours:
    """Weekly hours that leave no moment of the week closed, or just one quarter-hour."""
    shape = draw(st.sampled_from(["whole days", "split days", "nights", "one break"]))
    if shape == "whole days":
        return WeeklyHours.every_day(OpeningRange(time(0), time(0)))
    if shape == "nights":  # each morning is covered by the night range of the day before
        return WeeklyHours.every_day(
            OpeningRange(time(8), time(20)), OpeningRange(time(20), time(8))
        )
    cuts = [draw(st.integers(1, QUARTERS_PER_DAY - 2)) for _ in range(7)]
    broken = draw(st.integers(0, 6)) if shape == "one break" else None
    days = [
        (
            OpeningRange(time(0), _quarter(cut)),
            # On the broken day the evening opens a quarter-hour after the morning closes.
            OpeningRange(_quarter(cut + (weekday == broken)), time(0)),
        )
        for weekday, cut in enumerate(cuts)
    ]
    return WeeklyHours(*days)


def dates_near_transitions(days: int = 3) -> st.SearchStrategy[date]:
    """Dates within a few days of a 2026 DST change."""
    return st.builds(
        lambda base, shift: base + timedelta(days=shift),
        st.sampled_from(TRANSITION_DATES),
        st.integers(-days, days),
    )


@st.composite
def calendars(draw: st.DrawFn, zones: tuple[str, ...] = ZONES) -> BusinessCalendar:
    """A random calendar whose holidays and special days sit near DST changes."""
    holiday_dates = draw(st.lists(dates_near_transitions(), max_size=3, unique=True))
    special_dates = draw(st.lists(dates_near_transitions(), max_size=3, unique=True))
    holidays = tuple(
        Holiday(day, f"holiday {number}", draw(st.just(()) | day_ranges(max_ranges=2)))
        for number, day in enumerate(holiday_dates)
    )
    specials = tuple(
        SpecialDay(day, draw(day_ranges(max_ranges=2)), draw(st.sampled_from(["", "sale"])))
        for day in special_dates
    )
    return BusinessCalendar(
        draw(st.sampled_from(["support", "sales", "Ünïcode"])),
        ZoneInfo(draw(st.sampled_from(zones))),
        draw(weekly_hours() | weeks_without_a_break()),
        holidays,
        specials,
    )


@st.composite
def minutes_near_transitions(draw: st.DrawFn, days: int = 3) -> datetime:
    """A whole-minute instant within a few days of a 2026 DST change, in a random zone."""
    base = datetime.combine(draw(st.sampled_from(TRANSITION_DATES)), time(), timezone.utc)
    minutes = draw(st.integers(-days * 1440, days * 1440))
    zone = ZoneInfo(draw(st.sampled_from(ZONES)))
    return (base + timedelta(minutes=minutes)).astimezone(zone)


@st.composite
def instants_near_transitions(draw: st.DrawFn, days: int = 10) -> datetime:
    """Any instant (to the microsecond) within some days of a 2026 DST change."""
    base = datetime.combine(draw(st.sampled_from(TRANSITION_DATES)), time(), timezone.utc)
    offset = draw(st.integers(-days * 86_400_000_000, days * 86_400_000_000))
    zone = ZoneInfo(draw(st.sampled_from(ZONES)))
    return (base + timedelta(microseconds=offset)).astimezone(zone)


def business_deltas(max_hours: int = 24 * 30) -> st.SearchStrategy[timedelta]:
    """Non-negative amounts of business time, to the microsecond, up to a month."""
    return st.integers(0, max_hours * 3_600_000_000).map(lambda us: timedelta(microseconds=us))


@st.composite
def calendars_with_window_start(draw: st.DrawFn) -> tuple[BusinessCalendar, datetime]:
    """A calendar and a whole minute from 2.5 days before to 0.5 days after a DST change.

    The change is one of the calendar's zone, so a three-day window from that
    minute contains it.
    """
    calendar = draw(calendars())
    day = draw(st.sampled_from(ZONE_TRANSITIONS[calendar.timezone.key]))
    base = datetime.combine(day, time(), timezone.utc)
    minutes = draw(st.integers(-60 * 60, 12 * 60))
    return calendar, base + timedelta(minutes=minutes)
