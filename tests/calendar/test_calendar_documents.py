"""Calendars as documents: reading, writing, and every problem reported at once."""

from __future__ import annotations

from datetime import date, time
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given

from callcore.calendar import BusinessCalendar, Holiday, OpeningRange, SpecialDay, WeeklyHours
from callcore.errors import DocumentError, Problem
from callcore.serialization import dumps, from_dict, loads, to_dict
from tests.calendar.strategies import calendars

SUPPORT_DOCUMENT: dict[str, Any] = {
    "name": "support",
    "timezone": "Europe/Bucharest",
    "hours": {
        "monday": [{"start": "09:00", "end": "17:00"}],
        "friday": [{"start": "09:00", "end": "12:00"}, {"start": "22:00", "end": "02:00"}],
    },
    "holidays": [
        {"date": "2026-12-25", "name": "Christmas"},
        {
            "date": "2026-12-24",
            "name": "Christmas Eve",
            "hours": [{"start": "09:00", "end": "13:00"}],
        },
    ],
    "special_days": [{"date": "2026-12-20", "hours": [{"start": "10:00", "end": "16:00:30"}]}],
}


def _problems(data: object) -> list[Problem]:
    with pytest.raises(DocumentError) as caught:
        from_dict(BusinessCalendar, data)
    return list(caught.value.problems)


def test_the_documented_example_reads_into_the_model() -> None:
    """The document of the docs becomes the calendar built by hand."""
    expected = BusinessCalendar(
        "support",
        ZoneInfo("Europe/Bucharest"),
        WeeklyHours(
            monday=(OpeningRange(time(9), time(17)),),
            friday=(OpeningRange(time(9), time(12)), OpeningRange(time(22), time(2))),
        ),
        holidays=(
            Holiday(date(2026, 12, 25), "Christmas"),
            Holiday(date(2026, 12, 24), "Christmas Eve", (OpeningRange(time(9), time(13)),)),
        ),
        special_days=(SpecialDay(date(2026, 12, 20), (OpeningRange(time(10), time(16, 0, 30)),)),),
    )
    assert from_dict(BusinessCalendar, SUPPORT_DOCUMENT) == expected


def test_writing_gives_plain_data_with_every_weekday() -> None:
    """to_dict writes times as 'HH:MM' (seconds only when set) and the zone by its key."""
    data = to_dict(from_dict(BusinessCalendar, SUPPORT_DOCUMENT))
    assert data["timezone"] == "Europe/Bucharest"
    assert data["hours"]["tuesday"] == []
    assert data["hours"]["friday"][1] == {"start": "22:00", "end": "02:00"}
    assert data["holidays"][0] == {"date": "2026-12-25", "name": "Christmas", "hours": []}
    assert data["special_days"][0]["hours"] == [{"start": "10:00", "end": "16:00:30"}]
    assert set(data) == {"name", "timezone", "hours", "holidays", "special_days"}


@given(calendars())
def test_every_calendar_round_trips(calendar: BusinessCalendar) -> None:
    """from_dict(to_dict(c)) == c, and likewise through JSON text."""
    assert from_dict(BusinessCalendar, to_dict(calendar)) == calendar
    assert loads(BusinessCalendar, dumps(calendar)) == calendar


@given(calendars())
def test_parts_round_trip_on_their_own(calendar: BusinessCalendar) -> None:
    """Weekly hours, holidays and special days round-trip by themselves too."""
    assert from_dict(WeeklyHours, to_dict(calendar.hours)) == calendar.hours
    for holiday in calendar.holidays:
        assert from_dict(Holiday, to_dict(holiday)) == holiday
    for special in calendar.special_days:
        assert from_dict(SpecialDay, to_dict(special)) == special


def test_every_problem_is_reported_at_once_with_its_path() -> None:
    """Six kinds of mistakes come back together in one DocumentError, sorted by path."""
    document = {
        "name": "support",
        "timezone": "Europe/Bucharets",
        "hours": {
            "monday": [{"start": "09:00", "end": "17:00"}, {"start": "25:00", "end": "18:00"}],
            "tuesday": [{"start": "09:00", "end": "17:00"}, {"start": "16:00", "end": "18:00"}],
            "wednesday": [{"start": "10:00", "end": "10:00"}],
            "funday": [],
        },
        "holidays": [
            {"date": "2026-12-25", "name": "Christmas"},
            {"date": "2026-12-25", "name": "Christmas again"},
        ],
    }
    assert _problems(document) == [
        Problem(
            "holidays[1].date",
            "duplicate holiday date 2026-12-25 (already at holidays[0]); keep one per date",
        ),
        Problem(
            "hours",
            "unknown weekday funday "
            "(use monday, tuesday, wednesday, thursday, friday, saturday, sunday)",
        ),
        Problem("hours.monday[1].start", "expected 'HH:MM', got '25:00'"),
        Problem(
            "hours.tuesday[1]", "range 16:00-18:00 overlaps range 09:00-17:00 at hours.tuesday[0]"
        ),
        Problem(
            "hours.wednesday[0]",
            "range 10:00-10:00 has zero length (use 00:00-00:00 for a whole day, or remove "
            "the range)",
        ),
        Problem("timezone", "unknown time zone 'Europe/Bucharets' (use an IANA name)"),
    ]


def test_the_error_message_lists_the_problems() -> None:
    """The message names the calendar and shows each problem as 'path: message'."""
    document = {**SUPPORT_DOCUMENT, "hours": {"monday": [{"start": "25:00", "end": "17:00"}]}}
    with pytest.raises(DocumentError, match=r"hours\.monday\[0\]\.start: expected 'HH:MM'"):
        from_dict(BusinessCalendar, document)


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        ({"name": None}, Problem("name", "required field missing")),
        ({"hours": None}, Problem("hours", "required field missing")),
        ({"colour": "blue"}, Problem("", "unknown field: colour")),
        (
            {"hours": {"monday": "09:00-17:00"}},
            Problem("hours.monday", "expected a list of opening ranges, got str"),
        ),
        (
            {"hours": {"monday": [{"start": "09:00"}]}},
            Problem("hours.monday[0].end", "required field missing"),
        ),
        (
            {"hours": ["monday"]},
            Problem("hours", "expected a mapping of weekdays, got list"),
        ),
        (
            {"holidays": [{"date": "2026-02-30", "name": "Nope"}]},
            Problem("holidays[0].date", "expected a date 'YYYY-MM-DD', got '2026-02-30'"),
        ),
        (
            {"holidays": {"date": "2026-12-25"}},
            Problem("holidays", "expected a list of holidays, got dict"),
        ),
        (
            {
                "special_days": [
                    {"date": "2026-12-20", "hours": []},
                    {"date": "2026-12-20", "hours": []},
                ]
            },
            Problem(
                "special_days[1].date",
                "duplicate special day date 2026-12-20 (already at special_days[0]); "
                "keep one per date",
            ),
        ),
        (
            {
                "special_days": [
                    {"date": "2026-12-20", "hours": [{"start": "10:00", "end": "10:00"}]}
                ]
            },
            Problem(
                "special_days[0].hours[0]",
                "range 10:00-10:00 has zero length (use 00:00-00:00 for a whole day, or remove "
                "the range)",
            ),
        ),
        ({"timezone": 3}, Problem("timezone", "expected an IANA time zone name, got int")),
    ],
)
def test_one_problem_and_its_path(change: dict[str, Any], expected: Problem) -> None:
    """Each kind of mistake is reported at its path (None removes a field)."""
    document = {**SUPPORT_DOCUMENT, **change}
    document = {key: value for key, value in document.items() if value is not None}
    assert _problems(document) == [expected]


def test_weekly_hours_alone_refuse_unknown_weekdays_and_overlaps() -> None:
    """Reading WeeklyHours by itself checks its keys and each day's ranges."""
    with pytest.raises(DocumentError) as caught:
        from_dict(
            WeeklyHours,
            {
                "Monday": [],
                "friday": [{"start": "09:00", "end": "12:00"}, {"start": "11:00", "end": "13:00"}],
            },
        )
    assert [problem.path for problem in caught.value.problems] == ["", "friday[1]"]


def test_a_document_that_is_not_a_mapping() -> None:
    """A list where a calendar belongs is one problem at the root."""
    assert _problems(["support"]) == [Problem("", "expected a mapping, got list")]


def test_overnight_ranges_do_not_overlap_the_morning_of_the_same_day() -> None:
    """01:00-03:00 and 22:00-02:00 on one day do not overlap: the second ends tomorrow."""
    document = {
        **SUPPORT_DOCUMENT,
        "hours": {
            "friday": [{"start": "22:00", "end": "02:00"}, {"start": "01:00", "end": "03:00"}]
        },
    }
    assert from_dict(BusinessCalendar, document).hours.friday[1] == OpeningRange(time(1), time(3))
