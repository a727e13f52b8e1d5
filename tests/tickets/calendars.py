"""A small, obviously correct business calendar used as a test oracle.

It walks local days one by one and intersects each opening range with the
interval asked about; all arithmetic is done in UTC so that DST is counted in
real elapsed time. It supports what the SLA tests need: weekly hours without
ranges past midnight, and whole-day holidays.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

import attrs

from callcore.calendar import BusinessCalendar, Holiday, OpeningRange, WeeklyHours

if TYPE_CHECKING:
    from collections.abc import Iterator, Mapping

UTC = timezone.utc
_DAY = timedelta(days=1)


@attrs.frozen
class WeekCalendar:
    """Weekly opening hours (Monday = 0) in one time zone, with closed holidays."""

    timezone: ZoneInfo
    hours: Mapping[int, tuple[tuple[time, time], ...]]
    holidays: frozenset[date] = frozenset()

    def _spans(self, first: date) -> Iterator[tuple[datetime, datetime]]:
        """Yield opening spans in UTC, from the local day ``first`` onwards (10 years)."""
        day = first
        for _ in range(3660):
            if day not in self.holidays:
                for start, end in self.hours.get(day.weekday(), ()):
                    yield (
                        datetime.combine(day, start, self.timezone).astimezone(UTC),
                        datetime.combine(day, end, self.timezone).astimezone(UTC),
                    )
            day += _DAY

    def business_time_between(self, a: datetime, b: datetime) -> timedelta:
        """Open time in ``[a, b)``."""
        a, b = a.astimezone(UTC), b.astimezone(UTC)
        total = timedelta(0)
        if b <= a:
            return total
        for start, end in self._spans(a.astimezone(self.timezone).date() - _DAY):
            if start >= b:
                break
            total += max(min(end, b) - max(start, a), timedelta(0))
        return total

    def add_business_time(self, t: datetime, delta: timedelta) -> datetime:
        """The instant when ``delta`` of open time after ``t`` has passed."""
        t = t.astimezone(UTC)
        left = delta
        for start, end in self._spans(t.astimezone(self.timezone).date() - _DAY):
            begin = max(start, t)
            if end <= begin:
                continue
            if begin + left <= end:
                return (begin + left).astimezone(self.timezone)
            left -= end - begin
        msg = "the calendar never opens long enough"
        raise AssertionError(msg)


def office_hours(zone: str = "UTC", holidays: frozenset[date] = frozenset()) -> WeekCalendar:
    """Monday to Friday, 09:00 to 17:00 local time (the reference implementation)."""
    day = ((time(9), time(17)),)
    return WeekCalendar(ZoneInfo(zone), dict.fromkeys(range(5), day), holidays)


def office_calendar(zone: str = "UTC", holidays: frozenset[date] = frozenset()) -> BusinessCalendar:
    """The same office hours as a real :class:`~callcore.calendar.BusinessCalendar`."""
    day = (OpeningRange(time(9), time(17)),)
    return BusinessCalendar(
        name="office",
        timezone=ZoneInfo(zone),
        hours=WeeklyHours(monday=day, tuesday=day, wednesday=day, thursday=day, friday=day),
        holidays=tuple(Holiday(holiday, "holiday") for holiday in sorted(holidays)),
    )
