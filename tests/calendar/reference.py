"""A brute-force reference: a calendar's open minutes, found by watching the wall clock.

The scan walks real time minute by minute and keeps the highest wall-clock
reading seen so far. A range opens at the first minute when that reading reaches
its start and closes at the first minute when it reaches its end. This is the
documented rule stated without any arithmetic on offsets: a missing time (a
spring-forward gap) is reached at the first real instant after it, and an
ambiguous time (a fall-back overlap) is reached at its first occurrence.
It is exact when every range and every zone transition falls on a whole minute.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone

from callcore.calendar import BusinessCalendar, OpeningRange

MINUTE = timedelta(minutes=1)
WARM_UP = timedelta(days=2)  # long enough for any range that started earlier


def effective_ranges(calendar: BusinessCalendar, day: date) -> tuple[OpeningRange, ...]:
    """The ranges starting on ``day``: a holiday's, else a special day's, else the weekday's."""
    for holiday in calendar.holidays:
        if holiday.date == day:
            return holiday.hours
    for special in calendar.special_days:
        if special.date == day:
            return special.hours
    weekday = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
    ranges: tuple[OpeningRange, ...] = getattr(calendar.hours, weekday[day.weekday()])
    return ranges


def wall_intervals(
    calendar: BusinessCalendar, first: date, last: date
) -> list[tuple[datetime, datetime]]:
    """The naive wall-clock [start, end) of every range starting between two dates."""
    found = []
    day = first
    while day <= last:
        for opening in effective_ranges(calendar, day):
            start = datetime.combine(day, opening.start)
            end_day = day + timedelta(days=1) if opening.end <= opening.start else day
            found.append((start, datetime.combine(end_day, opening.end)))
        day += timedelta(days=1)
    return found


class OpenMinutes:
    """Whether ``calendar`` is open during each whole minute of a window.

    Attributes:
        start: The first minute of the window (UTC).
        flags: ``flags[i]`` is true when the minute starting at ``start + i`` is open.
    """

    def __init__(self, calendar: BusinessCalendar, start: datetime, minutes: int) -> None:
        self.start = start.astimezone(timezone.utc)
        assert self.start.second == 0
        assert self.start.microsecond == 0
        zone = calendar.timezone
        scan_from = self.start - WARM_UP
        first_day = scan_from.astimezone(zone).date() - timedelta(days=2)
        last_day = (self.start + minutes * MINUTE).astimezone(zone).date() + timedelta(days=1)
        intervals = wall_intervals(calendar, first_day, last_day)
        highest = scan_from.astimezone(zone).replace(tzinfo=None)
        self.flags: list[bool] = []
        instant = scan_from
        while instant < self.start + minutes * MINUTE:
            highest = max(highest, instant.astimezone(zone).replace(tzinfo=None))
            if instant >= self.start:
                self.flags.append(any(s <= highest < e for s, e in intervals))
            instant += MINUTE

    def at(self, index: int) -> datetime:
        """The instant of minute ``index`` of the window."""
        return self.start + index * MINUTE

    def first(self, value: bool, from_index: int) -> int | None:
        """The first minute at or after ``from_index`` whose flag is ``value``."""
        for index in range(from_index, len(self.flags)):
            if self.flags[index] is value:
                return index
        return None

    def after_open_minutes(self, from_index: int, count: int) -> int | None:
        """The smallest index ``j`` with exactly ``count`` open minutes in ``[from_index, j)``."""
        seen = 0
        for index in range(from_index, len(self.flags)):
            if seen == count:
                return index
            seen += self.flags[index]
        return len(self.flags) if seen == count else None


def midnight(day: date) -> datetime:
    """Midnight UTC at the start of ``day``."""
    return datetime.combine(day, time(), timezone.utc)
