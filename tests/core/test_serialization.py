"""Tests of the project's converter: formats, strictness and error paths."""

from __future__ import annotations

import enum
from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

from callcore.errors import DocumentError, Problem
from callcore.events import Event
from callcore.notifications import Notification, NotificationChannel
from callcore.serialization import dumps, from_dict, loads, to_dict


class Color(enum.Enum):
    RED = "red"
    BLUE = "blue"


@attrs.frozen
class Span:
    start: time
    end: time


@attrs.frozen
class Sample:
    name: str
    count: int
    ratio: float
    enabled: bool
    at: datetime
    wait: timedelta
    day: date
    zone: ZoneInfo
    color: Color
    hours: dict[str, list[Span]] = attrs.Factory(dict)
    tags: frozenset[str] = frozenset()
    note: str | None = None


def _sample_data() -> dict[str, object]:
    return {
        "name": "queue",
        "count": 3,
        "ratio": 0.5,
        "enabled": True,
        "at": "2026-03-29T03:30:00+03:00",
        "wait": 20,
        "day": "2026-12-25",
        "zone": "Europe/Bucharest",
        "color": "red",
        "hours": {"monday": [{"start": "09:00", "end": "17:30"}]},
        "tags": ["b", "a"],
    }


def test_formats_of_each_type() -> None:
    """Each type is written in its documented plain form."""
    sample = from_dict(Sample, _sample_data())
    assert sample.at == datetime(2026, 3, 29, 0, 30, tzinfo=timezone.utc)
    assert sample.wait == timedelta(seconds=20)
    assert sample.zone == ZoneInfo("Europe/Bucharest")
    assert to_dict(sample) == {**_sample_data(), "tags": ["a", "b"], "note": None}


def test_timedelta_fractions_and_utc_z() -> None:
    """Fractional seconds survive, and a trailing Z means UTC."""
    data = {**_sample_data(), "wait": 1.25, "at": "2026-01-01T00:00:00Z"}
    sample = from_dict(Sample, data)
    assert sample.wait == timedelta(milliseconds=1250)
    assert sample.at.utcoffset() == timedelta(0)
    assert to_dict(sample)["wait"] == 1.25


def test_every_problem_reported_with_its_path() -> None:
    """Bad fields are all reported at once, each with its path."""
    data = {
        **_sample_data(),
        "count": "5",
        "enabled": "false",
        "at": "2026-01-01T09:00",
        "hours": {
            "monday": [{"start": "09:00", "end": "10:00"}, {"start": "25:00", "end": "26:00"}]
        },
        "zone": "Mars/Olympus",
        "colour": "red",
    }
    del data["name"]
    with pytest.raises(DocumentError) as caught:
        from_dict(Sample, data, what="sample document")
    assert caught.value.what == "sample document"
    assert caught.value.problems == (
        Problem("", "unknown field: colour"),
        Problem("at", "expected a time with a UTC offset (e.g. +00:00), got '2026-01-01T09:00'"),
        Problem("count", "expected an integer, got str '5'"),
        Problem("enabled", "expected true or false, got str 'false'"),
        Problem("hours.monday[1].end", "expected 'HH:MM', got '26:00'"),
        Problem("hours.monday[1].start", "expected 'HH:MM', got '25:00'"),
        Problem("name", "required field missing"),
        Problem("zone", "unknown time zone 'Mars/Olympus' (use an IANA name)"),
    )
    assert "hours.monday[1].start: expected 'HH:MM', got '25:00'" in str(caught.value)


def test_loads_reports_bad_json_position() -> None:
    """Text that is not JSON is a document error naming the position."""
    with pytest.raises(DocumentError, match="not valid JSON at line 1 column 2"):
        loads(Sample, "{nope}")


def test_non_mapping_document() -> None:
    """A document that is not a mapping is reported, not crashed on."""
    with pytest.raises(DocumentError):
        from_dict(Sample, ["not", "a", "mapping"])


aware_datetimes = st.datetimes(
    min_value=datetime(1970, 1, 2),  # noqa: DTZ001 - hypothesis bounds are naive
    max_value=datetime(2200, 1, 1),  # noqa: DTZ001
    timezones=st.sampled_from(
        [timezone.utc, ZoneInfo("Europe/Bucharest"), ZoneInfo("America/New_York")]
    ),
)


@given(
    name=st.text(),
    count=st.integers(),
    ratio=st.floats(allow_nan=False, allow_infinity=False),
    enabled=st.booleans(),
    at=aware_datetimes,
    wait=st.timedeltas(min_value=timedelta(0), max_value=timedelta(days=400)),
    day=st.dates(),
    color=st.sampled_from(Color),
    tags=st.frozensets(st.text(max_size=5), max_size=4),
    note=st.none() | st.text(),
)
def test_round_trip_through_json(
    name: str,
    count: int,
    ratio: float,
    enabled: bool,
    at: datetime,
    wait: timedelta,
    day: date,
    color: Color,
    tags: frozenset[str],
    note: str | None,
) -> None:
    """Any value survives dumps then loads: the same instant with the same UTC offset.

    Only the offset is written, not the zone's name, so a time in a zone comes
    back with a fixed offset (and equality is checked on the instant, since
    Python never calls times in a DST fold equal across zones).
    """
    sample = Sample(
        name, count, ratio, enabled, at, wait, day, ZoneInfo("UTC"), color, {}, tags, note
    )
    again = loads(Sample, dumps(sample))
    assert attrs.evolve(again, at=sample.at) == sample
    assert again.at.timestamp() == sample.at.timestamp()
    assert again.at.utcoffset() == sample.at.utcoffset()


@attrs.frozen(kw_only=True)
class CustomerCreated(Event):
    kind = "customer.created"
    customer_id: str


@given(at=aware_datetimes, customer_id=st.text())
def test_events_round_trip(at: datetime, customer_id: str) -> None:
    """A domain event survives the converter: the same instant, offset and fields.

    Only the offset is written, so ``at`` is compared as an instant (PEP 495
    makes a time in a DST fold unequal to the same instant in another zone).
    """
    event = CustomerCreated(at=at, customer_id=customer_id)
    again = from_dict(CustomerCreated, to_dict(event))
    assert again.at.timestamp() == at.timestamp()
    assert again.at.utcoffset() == at.utcoffset()
    assert attrs.evolve(again, at=at) == event
    assert event.kind == "customer.created"


json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**63), 2**63 - 1) | st.text(),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(), inner, max_size=3),
    max_leaves=8,
)


@given(
    channel=st.sampled_from(NotificationChannel),
    to=st.text(min_size=1),
    body=st.text(),
    template=st.none() | st.text(min_size=1),
    data=st.dictionaries(st.text(), json_values, max_size=4),
)
def test_notifications_round_trip(
    channel: NotificationChannel, to: str, body: str, template: str | None, data: dict[str, object]
) -> None:
    """A notification survives JSON, and its data is read-only."""
    note = Notification(channel=channel, to=to, body=body, template=template, data=data)
    again = loads(Notification, dumps(note))
    assert again == note
    with pytest.raises(TypeError):
        again.data["x"] = 1  # type: ignore[index]


def test_event_requires_aware_time() -> None:
    """An event cannot be built with a naive time."""
    with pytest.raises(ValueError, match="timezone-aware"):
        CustomerCreated(at=datetime(2026, 1, 1), customer_id="c1")  # noqa: DTZ001


@attrs.frozen
class Outer:
    span: Span


def test_nested_non_mapping_has_a_path() -> None:
    """A list where a mapping belongs is reported at its path."""
    with pytest.raises(DocumentError) as caught:
        from_dict(Outer, {"span": [1, 2]})
    assert caught.value.problems == (
        Problem("span", "expected a mapping of fields, got a single value or a list"),
    )
