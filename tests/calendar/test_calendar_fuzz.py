"""Malformed calendars and questions: only CallcoreError subclasses escape (issue 10).

Documents read by the loader raise DocumentError; constructors and questions
raise InvalidInputError (or its NaiveDatetimeError); nothing else.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from callcore.calendar import BusinessCalendar, Holiday, OpeningRange, SpecialDay, WeeklyHours
from callcore.errors import DocumentError, InvalidInputError
from callcore.serialization import from_dict, loads, to_dict
from tests.calendar.malformed import dumps_any, junk, malformed_json, mutated, refusal

ZONE = ZoneInfo("Europe/Bucharest")
OFFICE = (OpeningRange(time(9), time(17)),)
CALENDAR = BusinessCalendar(
    "support",
    ZONE,
    WeeklyHours(OFFICE, OFFICE, OFFICE, OFFICE, (*OFFICE, OpeningRange(time(22), time(2)))),
    holidays=(
        Holiday(date(2026, 12, 25), "Christmas"),
        Holiday(date(2026, 12, 24), "Christmas Eve", (OpeningRange(time(9), time(13)),)),
    ),
    special_days=(SpecialDay(date(2026, 12, 20), (OpeningRange(time(10), time(16)),), "sale"),),
)
DOCUMENT = to_dict(CALENDAR)


@given(document=mutated(DOCUMENT) | junk())
def test_malformed_calendar_documents_raise_document_errors(document: object) -> None:
    """from_dict(BusinessCalendar, ...) either reads the calendar or raises DocumentError."""
    error = refusal(lambda: from_dict(BusinessCalendar, document), DocumentError)
    assert error is None or error.problems


@given(text=malformed_json() | mutated(DOCUMENT).map(dumps_any))
def test_malformed_calendar_text_raises_document_errors(text: str | bytes) -> None:
    """loads(BusinessCalendar, text) refuses broken JSON with DocumentError only."""
    error = refusal(lambda: loads(BusinessCalendar, text), DocumentError)
    assert error is None or error.problems


def _maybe(valid: object) -> st.SearchStrategy[Any]:
    return st.just(valid) | junk()


@given(
    start=_maybe(time(9)),
    end=_maybe(time(17)),
    day=_maybe(date(2026, 12, 25)),
    name=_maybe("Christmas"),
    ranges=_maybe(OFFICE),
    zone=_maybe(ZONE),
    days=st.lists(_maybe(OFFICE), min_size=7, max_size=7),
    holidays=_maybe(()),
)
def test_calendar_constructors_refuse_junk_with_invalid_input_errors(
    start: object,
    end: object,
    day: object,
    name: object,
    ranges: object,
    zone: object,
    days: list[object],
    holidays: object,
) -> None:
    """OpeningRange, Holiday, SpecialDay, WeeklyHours and BusinessCalendar name the bad field."""
    builds = [
        lambda: OpeningRange(start, end),  # type: ignore[arg-type]
        lambda: Holiday(day, name, ranges),  # type: ignore[arg-type]
        lambda: SpecialDay(day, ranges, name),  # type: ignore[arg-type]
        lambda: WeeklyHours(*days),  # type: ignore[arg-type]
        lambda: BusinessCalendar(name, zone, CALENDAR.hours, holidays),  # type: ignore[arg-type]
        lambda: BusinessCalendar.always_open(name, zone),  # type: ignore[arg-type]
    ]
    for build in builds:
        error = refusal(build, InvalidInputError)
        assert error is None or error.field


UTC = timezone.utc
instants = st.one_of(
    st.datetimes(
        min_value=datetime(2025, 1, 1),  # noqa: DTZ001 - made aware by timezones=
        max_value=datetime(2028, 1, 1),  # noqa: DTZ001
        timezones=st.sampled_from([UTC, ZONE, ZoneInfo("America/New_York")]),
    ),
    st.sampled_from(
        [
            datetime(1900, 1, 1, tzinfo=UTC),
            datetime(2999, 12, 31, 23, tzinfo=UTC),
            datetime(3000, 1, 1, tzinfo=UTC),
            datetime(9999, 12, 31, 23, tzinfo=UTC),
            datetime(1, 1, 1, tzinfo=UTC),
        ]
    ),
    junk(),
)
deltas = st.one_of(
    st.timedeltas(min_value=timedelta(0), max_value=timedelta(days=400)),
    st.sampled_from([timedelta(days=36_525), timedelta(days=36_526), timedelta(days=-1)]),
    junk(),
)


@given(a=instants, b=instants, delta=deltas, day=_maybe(date(2026, 12, 24)))
def test_questions_with_junk_raise_only_callcore_errors(
    a: object, b: object, delta: object, day: object
) -> None:
    """Every question either answers or raises InvalidInputError naming its argument."""
    questions = [
        lambda: CALENDAR.is_open(a),  # type: ignore[arg-type]
        lambda: CALENDAR.next_open(a),  # type: ignore[arg-type]
        lambda: CALENDAR.next_close(a),  # type: ignore[arg-type]
        lambda: CALENDAR.holiday(a),  # type: ignore[arg-type]
        lambda: CALENDAR.local_date(a),  # type: ignore[arg-type]
        lambda: CALENDAR.hours_on(day),  # type: ignore[arg-type]
        lambda: CALENDAR.business_time_between(a, b),  # type: ignore[arg-type]
        lambda: CALENDAR.open_spans(a, b),  # type: ignore[arg-type]
        lambda: CALENDAR.add_business_time(a, delta),  # type: ignore[arg-type]
    ]
    for question in questions:
        error = refusal(question, InvalidInputError)
        assert error is None or error.field in {"t", "a", "b", "delta", "day"}


@pytest.mark.parametrize(
    "document",
    [
        {**DOCUMENT, "hours": {**DOCUMENT["hours"], "monday": "09:00-17:00"}},
        {**DOCUMENT, "holidays": "2026-12-25"},
        {**DOCUMENT, "name": "\ud800"},
        {**DOCUMENT, "holidays": [{"date": "2026-12-25", "name": "X", "hours": {"a": 1}}]},
    ],
)
def test_strings_and_objects_where_lists_belong_are_problems(document: dict[str, Any]) -> None:
    """A string or object in place of a list is one problem at its path, never split."""
    with pytest.raises(DocumentError) as caught:
        from_dict(BusinessCalendar, document)
    assert len(caught.value.problems) == 1
