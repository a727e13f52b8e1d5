"""Business hours, holidays and time zones: when a contact centre is open.

A :class:`BusinessCalendar` holds weekly opening hours (several ranges a day,
ranges that run past midnight), dated holidays (closed all day, or with their
own hours) and dated special days, all in wall-clock time of one IANA time zone.
It answers the questions the IVR, ticket SLA clocks and KPI reports ask: is it
open now, when does it open or close next, how much open time lies between two
instants, and when will a given amount of open time have passed.

The rules, in short (the docs page ``calendar`` explains them in full):

- a range belongs to the day it starts on; ``end <= start`` means it runs past
  midnight into the next day, so ``"00:00"`` as an end is the end of the day;
- a holiday replaces the day's hours (closed, or its own hours); a special day
  replaces them too; if both exist for a date, the holiday wins; neither cuts
  short a range that started the day before;
- a wall-clock time that does not exist (a spring-forward gap) is moved forward
  to the first real instant; an ambiguous one (a fall-back overlap) means its
  first occurrence (``fold=0``);
- instants lie between 1900 and 2999 (:mod:`callcore.checks`), and one question
  covers at most :data:`~callcore.checks.MAX_DURATION` (100 years), so the work
  of any one call is bounded.

Every method takes timezone-aware datetimes and returns them in the calendar's
zone. The calendar is an immutable value; it memoises the instants of each day
it has looked at, so repeated questions over the same weeks are cheap.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable, Iterator, Mapping, Sequence
from datetime import date, datetime, time, timedelta, timezone
from typing import Any, Final, TypeVar
from zoneinfo import ZoneInfo

import attrs

from callcore.checks import (
    EARLIEST,
    LATEST,
    MAX_DURATION,
    check_duration,
    check_instant,
    check_text,
)
from callcore.errors import DocumentError, InvalidInputError, Problem
from callcore.serialization import converter, problems_from_exception

__all__ = [
    "SEARCH_HORIZON_DAYS",
    "WEEKDAYS",
    "BusinessCalendar",
    "Holiday",
    "OpeningRange",
    "SpecialDay",
    "WeeklyHours",
]

WEEKDAYS: Final = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
"""The weekday keys of :class:`WeeklyHours`, Monday first (as ``date.weekday()``)."""

SEARCH_HORIZON_DAYS: Final = 3653
"""How many days without any open time a search looks ahead before giving up (10 years)."""

T = TypeVar("T")

_EPOCH: Final = datetime(1970, 1, 1, tzinfo=timezone.utc)
_EPOCH_ORDINAL: Final = _EPOCH.toordinal()
_MICROSECOND: Final = timedelta(microseconds=1)
_ZERO: Final = timedelta(0)
_SECONDS_PER_DAY: Final = 86_400
_DAY_CACHE_LIMIT: Final = 20_000  # days of spans kept per calendar (about 55 years)
_WEEK: Final = 7 * 86_400 * 1_000_000  # microseconds
_WEEK_CACHE_LIMIT: Final = 3_000  # weeks of spans kept per calendar (about 57 years)
_WEEKS_AHEAD: Final = 160  # add_business_time looks this far by weeks, then walks
_FIRST_DAY: Final = date.min + timedelta(days=3)  # keep date arithmetic in range
_LAST_DAY: Final = date.max - timedelta(days=2)
_MAX_SPAN: Final = MAX_DURATION // _MICROSECOND  # the longest span one question covers


# --- checks at construction ------------------------------------------------------


def _refuse(what: str, expected: str, value: object) -> InvalidInputError:
    return InvalidInputError(f"{what} must be {expected}, got {type(value).__name__}", field=what)


def _time_of_day(_: object, attribute: attrs.Attribute[Any], value: object) -> None:
    """Validate a wall-clock time: a ``time`` without zone, in whole seconds."""
    if not isinstance(value, time):
        raise _refuse(attribute.name, "a time of day", value)
    if value.tzinfo is not None or value.microsecond:
        raise InvalidInputError(
            f"{attribute.name} must be a plain time of day (HH:MM[:SS], no zone), got "
            f"{value.isoformat()}",
            field=attribute.name,
        )


def _local_date(_: object, attribute: attrs.Attribute[Any], value: object) -> None:
    """Validate a local date (a ``date``, not a ``datetime``)."""
    if not isinstance(value, date) or isinstance(value, datetime):
        raise _refuse(attribute.name, "a date", value)


def _ranges(_: object, attribute: attrs.Attribute[Any], value: object) -> None:
    """Validate a tuple of opening ranges (a string or list is refused)."""
    if not isinstance(value, tuple):
        raise _refuse(attribute.name, "a tuple of OpeningRange", value)
    for index, item in enumerate(value):
        if not isinstance(item, OpeningRange):
            raise _refuse(f"{attribute.name}[{index}]", "an OpeningRange", item)


def _text_field(*, allow_empty: bool) -> Any:  # noqa: ANN401 - an attrs validator
    def run(_: object, attribute: attrs.Attribute[Any], value: object) -> None:
        check_text(value, attribute.name, allow_empty=allow_empty)

    return run


# --- the model -----------------------------------------------------------------


@attrs.frozen
class OpeningRange:
    """One span of opening hours in local wall-clock time.

    The range belongs to the day it starts on. When ``end <= start`` it runs
    past midnight and ends on the next day: ``22:00-02:00`` is open until 2 am
    the next morning, ``09:00-00:00`` until the end of the day, and
    ``00:00-00:00`` is the whole day.

    Attributes:
        start: When the range opens.
        end: When it closes (exclusive).
    """

    start: time = attrs.field(validator=_time_of_day)
    end: time = attrs.field(validator=_time_of_day)

    @property
    def overnight(self) -> bool:
        """Whether the range ends on the next day (``end <= start``)."""
        return self.end <= self.start

    def __str__(self) -> str:
        """Render as ``HH:MM-HH:MM``."""
        return f"{_format_time(self.start)}-{_format_time(self.end)}"


@attrs.frozen
class Holiday:
    """A dated day off; with hours, a partial-day holiday.

    Attributes:
        date: The local date of the holiday.
        name: What the holiday is called (``"Christmas"``); IVR prompts may say it.
        hours: Empty: closed all day. Otherwise these ranges replace the weekly
            hours of that date.
    """

    date: date = attrs.field(validator=_local_date)
    name: str = attrs.field(validator=_text_field(allow_empty=False))
    hours: tuple[OpeningRange, ...] = attrs.field(default=(), validator=_ranges)


@attrs.frozen
class SpecialDay:
    """Dated special hours that are not a holiday (a Sunday sale, a stock-take).

    Attributes:
        date: The local date.
        hours: The ranges that replace the weekly hours of that date; empty
            means closed.
        name: An optional label.
    """

    date: date = attrs.field(validator=_local_date)
    hours: tuple[OpeningRange, ...] = attrs.field(validator=_ranges)
    name: str = attrs.field(default="", validator=_text_field(allow_empty=True))


@attrs.frozen
class WeeklyHours:
    """The regular opening hours of each weekday; a missing day is closed.

    Attributes:
        monday: Monday's ranges (likewise for the other days).
    """

    monday: tuple[OpeningRange, ...] = attrs.field(default=(), validator=_ranges)
    tuesday: tuple[OpeningRange, ...] = attrs.field(default=(), validator=_ranges)
    wednesday: tuple[OpeningRange, ...] = attrs.field(default=(), validator=_ranges)
    thursday: tuple[OpeningRange, ...] = attrs.field(default=(), validator=_ranges)
    friday: tuple[OpeningRange, ...] = attrs.field(default=(), validator=_ranges)
    saturday: tuple[OpeningRange, ...] = attrs.field(default=(), validator=_ranges)
    sunday: tuple[OpeningRange, ...] = attrs.field(default=(), validator=_ranges)

    @classmethod
    def every_day(cls, *ranges: OpeningRange) -> WeeklyHours:
        """Build weekly hours with the same ranges on all seven days."""
        return cls(*([tuple(ranges)] * 7))

    def on(self, weekday: int) -> tuple[OpeningRange, ...]:
        """Return the ranges of ``weekday`` (0 is Monday, as ``date.weekday()``)."""
        ranges: tuple[OpeningRange, ...] = getattr(self, WEEKDAYS[weekday])
        return ranges


_Span = tuple[int, int]  # [start, end) in microseconds since the Unix epoch


@attrs.frozen
class BusinessCalendar:
    """Opening hours, holidays and special days in one IANA time zone.

    Args:
        name: The calendar's name (``"support"``).
        timezone: The zone whose wall clock the hours are written in.
        hours: The weekly opening hours.
        holidays: Dated days off or short days; at most one per date.
        special_days: Dated special hours; at most one per date. A holiday on
            the same date wins.

    Raises:
        InvalidInputError: A field has the wrong type, a range has zero
            length, ranges of one day overlap, or two holidays (or two special
            days) share a date; the message lists every problem with its path
            and ``field`` names the first. (A calendar read from a document
            with :func:`callcore.serialization.from_dict` raises
            :class:`~callcore.errors.DocumentError` instead, with every problem.)

    >>> from datetime import datetime, time
    >>> from zoneinfo import ZoneInfo
    >>> bucharest = ZoneInfo("Europe/Bucharest")
    >>> support = BusinessCalendar(
    ...     "support", bucharest, WeeklyHours.every_day(OpeningRange(time(9), time(17)))
    ... )
    >>> support.is_open(datetime(2026, 3, 2, 12, 0, tzinfo=bucharest))
    True
    >>> support.next_open(datetime(2026, 3, 2, 18, 0, tzinfo=bucharest)).isoformat()
    '2026-03-03T09:00:00+02:00'
    """

    name: str
    timezone: ZoneInfo
    hours: WeeklyHours
    holidays: tuple[Holiday, ...] = ()
    special_days: tuple[SpecialDay, ...] = ()
    _holiday_by_date: dict[date, Holiday] = attrs.field(
        init=False, eq=False, repr=False, hash=False
    )
    _special_by_date: dict[date, SpecialDay] = attrs.field(
        init=False, eq=False, repr=False, hash=False
    )
    _day_cache: dict[date, tuple[_Span, ...]] = attrs.field(
        init=False, eq=False, repr=False, hash=False
    )
    _week_cache: dict[int, _Week] = attrs.field(init=False, eq=False, repr=False, hash=False)
    _dated_days: tuple[date, ...] = attrs.field(init=False, eq=False, repr=False, hash=False)
    _open_all_week: bool = attrs.field(init=False, eq=False, repr=False, hash=False)

    def __attrs_post_init__(self) -> None:
        """Validate the calendar and index its dated days."""
        problems = sorted(set(_calendar_problems(self)))
        if problems:
            count = len(problems)
            lines = "\n".join(f"  - {problem}" for problem in problems)
            name: object = self.name  # anything, when it is one of the problems
            raise InvalidInputError(
                f"business calendar {name if isinstance(name, str) else '?'!r:.60} "
                f"has {count} problem{'s' * (count != 1)}:\n{lines}",
                field=problems[0].path or "name",
            )
        object.__setattr__(self, "_holiday_by_date", {h.date: h for h in self.holidays})
        object.__setattr__(self, "_special_by_date", {s.date: s for s in self.special_days})
        object.__setattr__(self, "_day_cache", {})
        object.__setattr__(self, "_week_cache", {})
        dated = set(self._holiday_by_date) | set(self._special_by_date)
        object.__setattr__(self, "_dated_days", tuple(sorted(dated)))
        object.__setattr__(self, "_open_all_week", _covers_the_week(self.hours))

    @classmethod
    def always_open(cls, name: str = "24x7", timezone: ZoneInfo | str = "UTC") -> BusinessCalendar:
        """Build a calendar that is open around the clock, every day.

        Args:
            name: The calendar's name.
            timezone: A zone or its IANA name (matters only for :meth:`local_date`).

        Returns:
            The calendar; its business time is plain elapsed time.

        Raises:
            InvalidInputError: ``timezone`` is not a zone or a known IANA name.
        """
        zone = timezone if isinstance(timezone, ZoneInfo) else _zone(timezone)
        return cls(name, zone, WeeklyHours.every_day(OpeningRange(time(0), time(0))))

    # --- what a date looks like --------------------------------------------------

    def local_date(self, t: datetime) -> date:
        """Return the date of the instant ``t`` on the calendar's wall clock.

        Raises:
            NaiveDatetimeError: ``t`` has no time zone.
            InvalidInputError: ``t`` is not a datetime between 1900 and 2999.
        """
        return check_instant(t, "t").astimezone(self.timezone).date()

    def holiday(self, t: datetime) -> Holiday | None:
        """Return the holiday on ``t``'s local date, if there is one.

        Raises:
            NaiveDatetimeError: ``t`` has no time zone.
        """
        return self._holiday_by_date.get(self.local_date(t))

    def hours_on(self, day: date) -> tuple[OpeningRange, ...]:
        """Return the ranges that start on the local date ``day``.

        The holiday's hours if ``day`` is a holiday, else the special day's
        hours if it is one, else the weekly hours of its weekday.

        Raises:
            InvalidInputError: ``day`` is not a date (a datetime is refused).
        """
        given: object = day
        if not isinstance(given, date) or isinstance(given, datetime):
            raise _refuse("day", "a date", given)
        holiday = self._holiday_by_date.get(day)
        if holiday is not None:
            return holiday.hours
        special = self._special_by_date.get(day)
        if special is not None:
            return special.hours
        return self.hours.on(day.weekday())

    # --- questions about instants -----------------------------------------------

    def is_open(self, t: datetime) -> bool:
        """Return whether the calendar is open at the instant ``t``.

        Raises:
            NaiveDatetimeError: ``t`` has no time zone.
        """
        at = _instant(t, "t")
        for start, _ in self._pieces(at, last_day=self._date_of(at)):
            return start <= at
        return False

    def next_open(self, t: datetime) -> datetime | None:
        """Return ``t`` itself if open, else when the calendar next opens.

        Returns:
            The instant in the calendar's zone, or ``None`` if it does not open
            within :data:`SEARCH_HORIZON_DAYS` days.

        Raises:
            NaiveDatetimeError: ``t`` has no time zone.
        """
        at = _instant(t, "t")
        for start, _ in self._pieces(at):
            return self._to_datetime(max(start, at))
        return None

    def next_close(self, t: datetime) -> datetime | None:
        """Return the end of the opening span containing ``t``, or of the next one.

        Ranges that touch or overlap (a Friday night range running into
        Saturday's hours) form one span.

        Returns:
            The instant in the calendar's zone, or ``None`` if the calendar
            never closes (the span runs longer than :data:`SEARCH_HORIZON_DAYS`
            days) or never opens again.

        Raises:
            NaiveDatetimeError: ``t`` has no time zone.
        """
        at = _instant(t, "t")
        horizon = at + SEARCH_HORIZON_DAYS * _SECONDS_PER_DAY * 1_000_000
        span_end: int | None = None
        for start, end in self._pieces(at):
            if span_end is not None and start > span_end:
                break
            span_end = end
            if span_end > horizon:
                return None
        return None if span_end is None else self._to_datetime(span_end)

    def business_time_between(self, a: datetime, b: datetime) -> timedelta:
        """Return how much open time lies in ``[a, b)``; zero when ``b <= a``.

        Raises:
            NaiveDatetimeError: ``a`` or ``b`` has no time zone.
            InvalidInputError: ``a`` or ``b`` is not a datetime between 1900 and
                2999, or ``b`` lies more than 100 years after ``a``.
        """
        begin, finish = self._span(a, b)
        return timedelta(microseconds=self._open_between(begin, finish))

    def open_time_between_instants(self, a: datetime, b: datetime) -> timedelta:
        """:meth:`business_time_between` for aware instants already checked (in range).

        For callers that check their instants where they enter (the ticket
        engine's SLA clocks): it skips the checks, not the answer.
        """
        return self._open_between(_to_micros(a), _to_micros(b)) * _MICROSECOND

    def open_span_at(self, t: datetime) -> tuple[datetime, datetime] | None:
        """The open span ``[start, end)`` holding the instant ``t`` (checked, in range), in UTC.

        ``None`` when the calendar is closed at ``t``. A span does not reach past
        the end of its UTC week (the next week's may go on from there). Within
        one span open time is real time: callers that ask many questions close
        together (the ticket engine's SLA clocks) answer them from it.
        """
        at = _to_micros(t)
        week = self._week(at // _WEEK)
        index = bisect.bisect_right(week.starts, at) - 1
        if index < 0 or week.ends[index] <= at:
            return None
        return _EPOCH + week.starts[index] * _MICROSECOND, _EPOCH + week.ends[index] * _MICROSECOND

    def instant_after_open_time(self, t: datetime, delta: timedelta) -> datetime:
        """:meth:`add_business_time_utc` for an aware instant already checked (in range).

        Looks the answer up in the weeks of open spans directly; anything
        else (far ahead, never, a ``delta`` out of range) goes through
        :meth:`add_business_time_utc`, which answers or says why not.
        """
        at = _to_micros(t)
        remaining = delta // _MICROSECOND
        if 0 < remaining <= _MAX_SPAN:
            found = self._reached_by_weeks(at, remaining)
            if found is not None:
                return _EPOCH + found * _MICROSECOND
        return self.add_business_time_utc(t, delta)

    def open_spans(self, a: datetime, b: datetime) -> list[tuple[datetime, datetime]]:
        """Return the opening spans that overlap ``[a, b)``, clipped to it.

        Ranges that touch or overlap make one span. Use it to show a schedule,
        or to split a reporting interval into its open and closed parts.

        Returns:
            ``(start, end)`` pairs in the calendar's zone, in order; empty
            when ``b <= a``.

        Raises:
            NaiveDatetimeError: ``a`` or ``b`` has no time zone.
            InvalidInputError: ``a`` or ``b`` is not a datetime between 1900 and
                2999, or ``b`` lies more than 100 years after ``a``.
        """
        begin, finish = self._span(a, b)
        spans: list[list[int]] = []
        if finish > begin:
            for start, end in self._pieces(begin, last_day=self._date_of(finish)):
                if start >= finish:
                    break
                if spans and spans[-1][1] == start:  # pieces are disjoint; join touching ones
                    spans[-1][1] = min(end, finish)
                else:
                    spans.append([start, min(end, finish)])
        return [(self._to_datetime(start), self._to_datetime(end)) for start, end in spans]

    def add_business_time(self, t: datetime, delta: timedelta) -> datetime:
        """Return the instant when ``delta`` of open time after ``t`` has passed.

        The result is the earliest such instant: when the time runs out exactly
        at a closing time, that closing time. A zero ``delta`` gives ``t``.

        Args:
            t: Where to start counting (between 1900 and 2999).
            delta: How much open time must pass; not negative, at most 100 years.

        Returns:
            The instant, in the calendar's zone; it lies at most 100 years
            after ``t``.

        Raises:
            NaiveDatetimeError: ``t`` has no time zone.
            InvalidInputError: ``t`` or ``delta`` is out of range, or the
                calendar does not have enough open time ahead (no opening within
                :data:`SEARCH_HORIZON_DAYS` days, or not ``delta`` of open time
                within 100 years).
        """
        return self._to_datetime(self._added(t, delta))

    def add_business_time_utc(self, t: datetime, delta: timedelta) -> datetime:
        """Return :meth:`add_business_time`'s instant in UTC (the same instant).

        For callers that compare or store instants as UTC (SLA clocks): it
        skips the conversion to the calendar's zone and back.

        Raises:
            NaiveDatetimeError: ``t`` has no time zone.
            InvalidInputError: as :meth:`add_business_time`.
        """
        return _EPOCH + self._added(t, delta) * _MICROSECOND

    def _added(self, t: datetime, delta: timedelta) -> int:
        """Check and answer :meth:`add_business_time`, in microseconds since the epoch."""
        at = _instant(t, "t")
        # the usual timedelta in range skips check_duration (which says what is wrong)
        if delta.__class__ is timedelta and _ZERO <= delta <= MAX_DURATION:
            remaining = delta // _MICROSECOND
        else:
            remaining = check_duration(delta, "delta") // _MICROSECOND
        if remaining == 0:
            return at
        found = self._reached_by_weeks(at, remaining)
        if found is not None:
            return found
        # far ahead, or never: the walk, which says why
        limit = at + _MAX_SPAN
        for start, end in self._pieces(at):
            if start >= limit:
                break
            if end - start >= remaining:
                if start + remaining > limit:
                    break
                return start + remaining
            remaining -= end - start
        else:
            raise InvalidInputError(
                f"business calendar {self.name!r} has no open time within "
                f"{SEARCH_HORIZON_DAYS} days after {t.isoformat()}, so {delta} of business "
                "time can never pass; give it opening hours",
                field="delta",
            )
        raise InvalidInputError(
            f"business calendar {self.name!r} has less than {delta} of open time within "
            f"100 years after {t.isoformat()}",
            field="delta",
        )

    # --- the machinery -------------------------------------------------------------
    # Questions are answered from weeks of open spans (UTC weeks, each with the open
    # time before every span), built once from the day-by-day walk below, the one
    # source of truth, and kept: open time between two instants is two lookups
    # and the weeks' totals between them; holidays and DST are in the spans.

    def _week(self, index: int) -> _Week:
        """Return the open spans of UTC week ``index`` (counted from 1970), built once."""
        week = self._week_cache.get(index)
        if week is None:
            low, high = index * _WEEK, (index + 1) * _WEEK
            starts: list[int] = []
            ends: list[int] = []
            reached: list[int] = []
            total = 0
            for start, end in self._pieces(low, last_day=self._date_of(high)):
                if start >= high:
                    break
                starts.append(start)
                ends.append(min(end, high))
                total += ends[-1] - start
                reached.append(total)
            week = _Week(tuple(starts), tuple(ends), tuple(reached))
            if len(self._week_cache) >= _WEEK_CACHE_LIMIT:
                self._week_cache.clear()
            self._week_cache[index] = week
        return week

    def _open_between(self, begin: int, finish: int) -> int:
        """Return the open microseconds in ``[begin, finish)`` (zero when empty)."""
        if finish <= begin:
            return 0
        first, last = begin // _WEEK, finish // _WEEK
        if first == last:
            week = self._week(first)
            return week.open_before(finish) - week.open_before(begin)
        total = self._week(first).total - self._week(first).open_before(begin)
        for index in range(first + 1, last):
            total += self._week(index).total
        return total + self._week(last).open_before(finish)

    def _reached_by_weeks(self, at: int, remaining: int) -> int | None:
        """The earliest instant ``remaining`` open microseconds after ``at``, if near.

        ``None`` when it lies more than :data:`_WEEKS_AHEAD` weeks ahead (or
        past the limit of one question): the walk then answers, or says why not.
        """
        index = at // _WEEK
        week = self._week(index)
        need = week.open_before(at) + remaining  # counted from the week's start
        for _ in range(_WEEKS_AHEAD):
            if need <= week.total:
                found = week.instant_after(need)
                return found if found - at <= _MAX_SPAN else None
            need -= week.total
            index += 1
            week = self._week(index)
        return None

    @staticmethod
    def _span(a: datetime, b: datetime) -> tuple[int, int]:
        """Check the ends of a question's span; return them as microseconds."""
        begin = _instant(a, "a")
        finish = _instant(b, "b")
        if finish - begin > _MAX_SPAN:
            raise InvalidInputError(
                f"b must lie at most 100 years after a, got {a.isoformat()} to {b.isoformat()}; "
                "ask about a shorter span (or add up shorter ones)",
                field="b",
            )
        return begin, finish

    def _date_of(self, micros: int) -> date:
        return (_EPOCH + micros * _MICROSECOND).astimezone(self.timezone).date()

    def _to_datetime(self, micros: int) -> datetime:
        return (_EPOCH + micros * _MICROSECOND).astimezone(self.timezone)

    def _pieces(self, after: int, last_day: date | None = None) -> Iterator[_Span]:
        """Yield the open time after the instant ``after`` as sorted, disjoint spans.

        Days are walked from two days before ``after``'s local date (a range may
        start the day before and DST may shift it) up to ``last_day``, or, with
        no ``last_day``, until :data:`SEARCH_HORIZON_DAYS` days pass without any
        open time. Adjacent spans are not merged.
        """
        day = max(self._date_of(after), _FIRST_DAY) - timedelta(days=2)
        covered = after  # everything before this instant has been yielded or skipped
        idle_days = 0
        while day <= _LAST_DAY:
            if last_day is not None and day > last_day:
                return
            if last_day is None and idle_days > SEARCH_HORIZON_DAYS:
                return
            idle_days += 1
            stretch_end = self._open_stretch_end(day, last_day)
            if stretch_end is not None:
                start = _wall_to_micros(day, time(0), self.timezone)
                end = _wall_to_micros(stretch_end, time(0), self.timezone)
                if end > covered:
                    yield max(start, covered), end
                    covered = end
                    idle_days = 0
                # The day before the stretch's end may run past it, overnight.
                day = stretch_end - timedelta(days=1)
                continue
            for start, end in self._day_spans(day):
                if end > covered:
                    # Starts are sorted across days, so clipping at `covered` merges overlaps.
                    yield max(start, covered), end
                    covered = end
                    idle_days = 0
            day += timedelta(days=1)

    def _open_stretch_end(self, day: date, last_day: date | None) -> date | None:
        """Return a date up to which the calendar is open from ``day`` 00:00 without a break.

        When the weekly hours cover the whole week, two regular days in a row
        (neither a holiday nor a special day) leave no gap, so a run of regular
        days is one open stretch: walking it day by day would learn nothing.
        Returns ``None`` when there is no stretch of at least two days to skip.
        """
        if not self._open_all_week:
            return None
        end = day + timedelta(days=366) if day < _LAST_DAY - timedelta(days=366) else _LAST_DAY
        following = bisect.bisect_left(self._dated_days, day - timedelta(days=1))
        if following < len(self._dated_days):  # stop the day before a dated day's eve
            end = min(end, self._dated_days[following] - timedelta(days=1))
        if last_day is not None:
            end = min(end, last_day + timedelta(days=1))
        return end if end >= day + timedelta(days=2) else None

    def _day_spans(self, day: date) -> tuple[_Span, ...]:
        """Return the instants of the ranges that start on ``day``, sorted by start."""
        spans = self._day_cache.get(day)
        if spans is None:
            found = []
            for opening in self.hours_on(day):
                end_day = day + timedelta(days=1) if opening.overnight else day
                start = _wall_to_micros(day, opening.start, self.timezone)
                end = _wall_to_micros(end_day, opening.end, self.timezone)
                if end > start:  # a range inside a spring-forward gap has no real time
                    found.append((start, end))
            spans = tuple(sorted(found))
            if len(self._day_cache) >= _DAY_CACHE_LIMIT:
                self._day_cache.clear()
            self._day_cache[day] = spans
        return spans


@attrs.frozen
class _Week:
    """One UTC week's open spans, sorted and disjoint, with the open time up to each end."""

    starts: tuple[int, ...]
    ends: tuple[int, ...]
    reached: tuple[int, ...]
    """The week's open time from its start to the end of each span."""

    @property
    def total(self) -> int:
        """The week's open microseconds."""
        return self.reached[-1] if self.reached else 0

    def open_before(self, t: int) -> int:
        """The open microseconds of this week before ``t`` (an instant in or after it)."""
        index = bisect.bisect_left(self.starts, t)  # spans [0, index) start before t
        if index == 0:
            return 0
        last = index - 1
        return self.reached[last] - max(self.ends[last] - t, 0)

    def instant_after(self, need: int) -> int:
        """The earliest instant by which ``need`` (0 < need <= total) open time has passed."""
        index = bisect.bisect_left(self.reached, need)  # the first span that gets there
        return self.ends[index] - (self.reached[index] - need)


# --- instants ----------------------------------------------------------------------


def _to_micros(t: datetime) -> int:
    return (t - _EPOCH) // _MICROSECOND


_EARLIEST_MICROS: Final = _to_micros(EARLIEST)
_LATEST_MICROS: Final = _to_micros(LATEST)


def _instant(t: object, what: str) -> int:
    """Return ``t`` in microseconds if it is an aware instant in range; else raise.

    The same check as :func:`callcore.checks.check_instant`, done on the
    microseconds every question needs anyway (comparing a datetime in a
    ``ZoneInfo`` zone with the limits would look its offset up twice more).
    """
    if isinstance(t, datetime):
        try:
            micros = _to_micros(t)
        except (TypeError, OverflowError):  # naive (or odd): check_instant says what
            pass
        else:
            if _EARLIEST_MICROS <= micros < _LATEST_MICROS:
                return micros
    return _to_micros(check_instant(t, what))  # raises: naive, out of range or no datetime


def _wall_to_micros(day: date, wall: time, zone: ZoneInfo) -> int:
    """Map a wall-clock time to an instant: gaps move forward, overlaps take fold=0."""
    local = datetime.combine(day, wall.replace(fold=0), tzinfo=zone)
    offset = local.utcoffset()
    # PEP 495: in a gap, fold=0 reads the time with the smaller offset (the one before a
    # spring-forward change) and fold=1 with the larger; elsewhere they agree or fold=0 is larger.
    later = datetime.combine(day, wall.replace(fold=1), tzinfo=zone).utcoffset()
    if offset is None or later is None or offset < later:
        return _end_of_gap(local, zone)
    seconds = (day.toordinal() - _EPOCH_ORDINAL) * _SECONDS_PER_DAY + _seconds_of_day(wall)
    return (seconds - offset.days * _SECONDS_PER_DAY - offset.seconds) * 1_000_000 + (
        wall.microsecond - offset.microseconds
    )


def _end_of_gap(local: datetime, zone: ZoneInfo) -> int:
    """Return the first real instant after the gap that holds the missing ``local`` time.

    fold=1 reads the missing time with the offset after the transition and
    fold=0 with the one before, which brackets the transition; a binary search
    over whole seconds finds it (zone transitions fall on whole seconds).
    """
    low = _to_micros(local.replace(fold=1)) // 1_000_000  # before the transition
    high = -(-_to_micros(local) // 1_000_000)  # at or after it
    offset_before = _offset_at(low, zone)
    while high - low > 1:
        middle = (low + high) // 2
        if _offset_at(middle, zone) == offset_before:
            low = middle
        else:
            high = middle
    return high * 1_000_000


def _offset_at(seconds: int, zone: ZoneInfo) -> timedelta | None:
    return datetime.fromtimestamp(seconds, zone).utcoffset()


# --- validation ------------------------------------------------------------------


def _covers_the_week(hours: WeeklyHours) -> bool:
    """Return whether the weekly ranges together leave no moment of the week closed."""
    week = 7 * _SECONDS_PER_DAY
    pieces = []
    for weekday, name in enumerate(WEEKDAYS):
        for opening in getattr(hours, name):
            start = weekday * _SECONDS_PER_DAY + _seconds_of_day(opening.start)
            end = weekday * _SECONDS_PER_DAY + _seconds_of_day(opening.end)
            end += _SECONDS_PER_DAY * opening.overnight
            pieces.append((start, min(end, week)))
            if end > week:  # Sunday night runs into Monday morning
                pieces.append((0, end - week))
    reached = 0
    for start, end in sorted(pieces):
        if start > reached:
            return False
        reached = max(reached, end)
    return reached >= week


def _format_time(value: time) -> str:
    return value.strftime("%H:%M:%S" if value.second else "%H:%M")


def _seconds_of_day(value: time) -> int:
    return value.hour * 3600 + value.minute * 60 + value.second


def _range_problems(path: str, opening: object) -> list[Problem]:
    """Check one range on its own: types, no time zone, no fractions, not empty."""
    if not isinstance(opening, OpeningRange):
        return [Problem(path, f"expected an opening range, got {type(opening).__name__}")]
    problems = []
    for field in ("start", "end"):
        value = getattr(opening, field)
        if not isinstance(value, time):
            problems.append(Problem(f"{path}.{field}", "expected a time of day 'HH:MM'"))
        elif value.tzinfo is not None or value.microsecond:
            problems.append(
                Problem(
                    f"{path}.{field}",
                    f"expected a plain time of day 'HH:MM[:SS]', got {value.isoformat()}",
                )
            )
    if not problems and opening.start == opening.end and opening.start != time(0):
        problems.append(
            Problem(
                path,
                f"range {opening} has zero length (use 00:00-00:00 for a whole day, or "
                "remove the range)",
            )
        )
    return problems


def _day_problems(path: str, ranges: object) -> list[Problem]:
    """Check the ranges of one day: each valid, and no two overlapping."""
    if not isinstance(ranges, tuple):
        return [Problem(path, f"expected a tuple of opening ranges, got {type(ranges).__name__}")]
    problems = []
    spans = []
    for index, opening in enumerate(ranges):
        found = _range_problems(f"{path}[{index}]", opening)
        problems.extend(found)
        if not found:
            start = _seconds_of_day(opening.start)
            end = _seconds_of_day(opening.end) + _SECONDS_PER_DAY * opening.overnight
            spans.append((start, end, index))
    spans.sort()
    for (_, previous_end, previous), (start, _, index) in _pairs_with_latest_end(spans):
        if start < previous_end:
            problems.append(
                Problem(
                    f"{path}[{index}]",
                    f"range {ranges[index]} overlaps range {ranges[previous]} at "
                    f"{path}[{previous}]",
                )
            )
    return problems


def _pairs_with_latest_end(
    spans: Sequence[tuple[int, int, int]],
) -> Iterator[tuple[tuple[int, int, int], tuple[int, int, int]]]:
    """Pair each span (sorted by start) with the earlier span that ends last."""
    latest: tuple[int, int, int] | None = None
    for span in spans:
        if latest is not None:
            yield latest, span
        if latest is None or span[1] > latest[1]:
            latest = span


def _weekly_problems(path: str, hours: object) -> list[Problem]:
    if not isinstance(hours, WeeklyHours):
        return [Problem(path, f"expected weekly hours, got {type(hours).__name__}")]
    problems = []
    for weekday in WEEKDAYS:
        problems.extend(_day_problems(f"{path}.{weekday}", getattr(hours, weekday)))
    return problems


def _dated_problems(
    path: str, days: Iterable[tuple[int, object]], kind: type[Holiday | SpecialDay]
) -> list[Problem]:
    """Check indexed holidays or special days: each valid, and at most one per date."""
    label = "holiday" if kind is Holiday else "special day"
    problems = []
    first_index: dict[date, int] = {}
    for index, day in days:
        where = f"{path}[{index}]"
        if not isinstance(day, kind):
            problems.append(Problem(where, f"expected a {label}, got {type(day).__name__}"))
            continue
        when: object = day.date
        if not isinstance(when, date) or isinstance(when, datetime):
            problems.append(Problem(f"{where}.date", "expected a date 'YYYY-MM-DD'"))
            continue
        problems.extend(_day_problems(f"{where}.hours", day.hours))
        if day.date in first_index:
            problems.append(
                Problem(
                    f"{where}.date",
                    f"duplicate {label} date {day.date.isoformat()} (already at "
                    f"{path}[{first_index[day.date]}]); keep one per date",
                )
            )
        else:
            first_index[day.date] = index
    return problems


def _calendar_problems(calendar: BusinessCalendar) -> list[Problem]:
    problems = []
    try:
        check_text(calendar.name, "name")
    except InvalidInputError as exc:
        problems.append(Problem("name", str(exc)))
    zone: object = calendar.timezone
    if not isinstance(zone, ZoneInfo):
        problems.append(
            Problem("timezone", "expected a zoneinfo.ZoneInfo (an IANA zone such as 'UTC')")
        )
    problems.extend(_weekly_problems("hours", calendar.hours))
    for field, kind in (("holidays", Holiday), ("special_days", SpecialDay)):
        days = getattr(calendar, field)
        if isinstance(days, tuple):
            problems.extend(_dated_problems(field, enumerate(days), kind))
        else:
            problems.append(Problem(field, f"expected a tuple, got {type(days).__name__}"))
    return problems


def _zone(name: object) -> ZoneInfo:
    try:
        return converter.structure(name, ZoneInfo)
    except (TypeError, ValueError) as exc:
        raise InvalidInputError(str(exc), field="timezone") from None


# --- reading documents -----------------------------------------------------------
# Each part is read on its own and checked as soon as it is read, so that one
# bad part does not hide the problems of the others: all are reported at once.

_Ranges = tuple[OpeningRange, ...]
_structure_ranges_leniently = converter.get_structure_hook(_Ranges)


def _structure_ranges(data: object, kind: type) -> tuple[OpeningRange, ...]:
    """Read a list of ranges; refuse a string, which would be read letter by letter."""
    _require_list(data, "opening ranges")
    ranges: tuple[OpeningRange, ...] = _structure_ranges_leniently(data, kind)
    return ranges


def _require_list(data: object, what: str) -> Sequence[object]:
    if isinstance(data, str | bytes | Mapping) or not isinstance(data, Sequence):
        raise TypeError(f"expected a list of {what}, got {type(data).__name__}")
    return data


def _structure_part(value: object, kind: Any, path: str, problems: list[Problem]) -> Any:  # noqa: ANN401
    """Read one part of a document; on failure add its problems, with paths, and return None."""
    try:
        return converter.structure(value, kind)
    except Exception as exc:  # noqa: BLE001 - every structuring failure becomes a Problem
        problems.extend(problems_from_exception(exc, path))
        return None


def _read_weekly(data: object, path: str, problems: list[Problem]) -> WeeklyHours | None:
    if not isinstance(data, Mapping):
        problems.append(Problem(path, f"expected a mapping of weekdays, got {type(data).__name__}"))
        return None
    before = len(problems)
    unknown = sorted(str(key) for key in data if key not in WEEKDAYS)
    if unknown:
        problems.append(
            Problem(
                path,
                f"unknown weekday{'s' * (len(unknown) > 1)} {', '.join(unknown)} "
                f"(use {', '.join(WEEKDAYS)})",
            )
        )
    days: dict[str, tuple[OpeningRange, ...]] = {}
    for weekday in WEEKDAYS:
        if weekday in data:
            where = f"{path}.{weekday}" if path else weekday
            count = len(problems)
            ranges = _structure_part(data[weekday], _Ranges, where, problems)
            if len(problems) == count:
                problems.extend(_day_problems(where, ranges))
                days[weekday] = ranges
    return WeeklyHours(**days) if len(problems) == before else None


def _read_dated(
    data: object, path: str, kind: type[Holiday | SpecialDay], problems: list[Problem]
) -> tuple[Any, ...] | None:
    try:
        items = _require_list(data, f"{path.replace('_', ' ')}")
    except TypeError as exc:
        problems.append(Problem(path, str(exc)))
        return None
    before = len(problems)
    read = []
    for index, item in enumerate(items):
        count = len(problems)
        day = _structure_part(item, kind, f"{path}[{index}]", problems)
        if len(problems) == count:
            read.append((index, day))
    problems.extend(_dated_problems(path, read, kind))
    return tuple(day for _, day in read) if len(problems) == before else None


def _structure_calendar(data: object, _: type) -> BusinessCalendar:
    """Read a calendar document, reporting every structural and semantic problem at once."""
    if not isinstance(data, Mapping):
        raise TypeError(f"expected a mapping, got {type(data).__name__}")
    problems: list[Problem] = []
    fields = ("name", "timezone", "hours", "holidays", "special_days")
    unknown = sorted(str(key) for key in data if key not in fields)
    if unknown:
        problems.append(
            Problem("", f"unknown field{'s' * (len(unknown) > 1)}: {', '.join(unknown)}")
        )
    problems.extend(
        Problem(field, "required field missing")
        for field in ("name", "timezone", "hours")
        if field not in data
    )
    name = _structure_part(data["name"], str, "name", problems) if "name" in data else None
    if name is not None:
        try:
            check_text(name, "name")
        except InvalidInputError as exc:
            problems.append(Problem("name", str(exc)))
            name = None
    zone = (
        _structure_part(data["timezone"], ZoneInfo, "timezone", problems)
        if "timezone" in data
        else None
    )
    hours = _read_weekly(data["hours"], "hours", problems) if "hours" in data else None
    holidays = _read_dated(data.get("holidays", []), "holidays", Holiday, problems)
    special_days = _read_dated(data.get("special_days", []), "special_days", SpecialDay, problems)
    if problems:
        raise DocumentError(
            problems, f"business calendar {name!r}" if name else "business calendar"
        )
    return BusinessCalendar(
        _present(name),
        _present(zone),
        _present(hours),
        _present(holidays),
        _present(special_days),
    )


def _present(value: T | None) -> T:
    """Narrow a part that was read without problems (so it is not None)."""
    assert value is not None  # noqa: S101 - only called once problems is empty
    return value


def _structure_weekly(data: object, _: type) -> WeeklyHours:
    """Read weekly hours day by day, checking each day's ranges."""
    problems: list[Problem] = []
    hours = _read_weekly(data, "", problems)
    if hours is None:
        raise DocumentError(problems, "weekly hours")
    return hours


converter.register_structure_hook(BusinessCalendar, _structure_calendar)
converter.register_structure_hook(WeeklyHours, _structure_weekly)
converter.register_structure_hook_func(lambda kind: kind == _Ranges, _structure_ranges)
