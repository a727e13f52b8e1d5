"""Tests of the boundary checks every engine uses where values enter."""

from __future__ import annotations

import enum
import math
from collections.abc import Callable
from datetime import datetime, timedelta, timezone, tzinfo
from zoneinfo import ZoneInfo

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

from callcore.checks import (
    EARLIEST,
    LATEST,
    MAX_DURATION,
    MAX_PLAIN_DEPTH,
    MAX_PLAIN_ITEMS,
    check_bool,
    check_count,
    check_duration,
    check_enum,
    check_instance,
    check_instant,
    check_list,
    check_number,
    check_plain_data,
    check_text,
    validator,
)
from callcore.contacts import Channel
from callcore.errors import CallcoreError, InvalidInputError, NaiveDatetimeError

UTC = timezone.utc


def test_instants_must_be_aware_datetimes_in_range() -> None:
    """Naive, far-past, far-future and non-datetime values are refused, naming the field."""
    now = datetime(2026, 3, 29, 3, 30, tzinfo=ZoneInfo("Europe/Bucharest"))
    assert check_instant(now, "now") is now
    assert check_instant(EARLIEST, "now") is EARLIEST
    with pytest.raises(NaiveDatetimeError) as naive:
        check_instant(datetime(2026, 1, 1), "now")  # noqa: DTZ001 - the point of the test
    assert naive.value.field == "now"
    for bad in (LATEST, datetime(9999, 12, 31, tzinfo=UTC), datetime(1, 1, 2, tzinfo=UTC)):
        with pytest.raises(InvalidInputError, match="must lie between 1900 and 2999"):
            check_instant(bad, "now")
    with pytest.raises(InvalidInputError, match="now must be a datetime, got str") as error:
        check_instant("2026-01-01T00:00:00+00:00", "now")
    assert error.value.field == "now"


def test_durations_are_bounded() -> None:
    """Negative (by default), zero (when positive) and over-long durations are refused."""
    assert check_duration(timedelta(0), "wrap_up") == timedelta(0)
    assert check_duration(MAX_DURATION, "wrap_up") == MAX_DURATION
    assert check_duration(-MAX_DURATION, "shift", minimum=None) == -MAX_DURATION
    cases = [
        (timedelta(seconds=-1), {}, "must be at least 0:00:00"),
        (timedelta(0), {"positive": True}, "must be longer than zero"),
        (MAX_DURATION + timedelta(microseconds=1), {}, "must be at most 36525 days"),
        (timedelta(days=999_999_999), {}, "must be at most"),
        (-MAX_DURATION - timedelta(1), {"minimum": None}, "must be at least -36525 days"),
        (30, {}, "wrap_up must be a timedelta, got int"),
    ]
    for value, options, message in cases:
        with pytest.raises(InvalidInputError, match=message):
            check_duration(value, "wrap_up", **options)  # type: ignore[arg-type]


def test_counts_are_whole_numbers_not_booleans() -> None:
    """1.5, True and '3' are not counts; bounds are inclusive."""
    assert check_count(3, "capacity", low=1, high=3) == 3
    for bad in (1.5, True, "3", None):
        with pytest.raises(InvalidInputError, match="capacity must be a whole number"):
            check_count(bad, "capacity")
    with pytest.raises(InvalidInputError, match="at least 1, got 0"):
        check_count(0, "capacity", low=1)
    with pytest.raises(InvalidInputError, match="at most 5"):
        check_count(2**70, "capacity", high=5)


def test_numbers_are_finite_and_within_bounds() -> None:
    """NaN, infinities, too-large ints, booleans and open bounds are refused."""
    assert check_number(1, "csat") == 1.0
    assert check_number(0.5, "rate", low=0, high=1, low_open=True) == 0.5
    for bad in (math.nan, math.inf, -math.inf):
        with pytest.raises(InvalidInputError, match="must be a finite number"):
            check_number(bad, "rate")
    with pytest.raises(InvalidInputError, match="too large"):
        check_number(10**400, "rate")
    with pytest.raises(InvalidInputError, match="must be a number"):
        check_number(True, "rate")
    with pytest.raises(InvalidInputError, match="must be above 0"):
        check_number(0, "rate", low=0, low_open=True)
    with pytest.raises(InvalidInputError, match="must be below 1"):
        check_number(1, "rate", high=1, high_open=True)
    with pytest.raises(InvalidInputError, match="must be at most 1"):
        check_number(50, "min_confidence", high=1)


def test_text_is_valid_unicode_and_bounded() -> None:
    """Empty (unless allowed), too long, non-str and lone-surrogate text is refused."""
    assert check_text("naïve", "name") == "naïve"
    assert check_text("", "note", allow_empty=True) == ""
    with pytest.raises(InvalidInputError, match="must not be empty"):
        check_text("", "name")
    with pytest.raises(InvalidInputError, match="lone surrogate"):
        check_text("a\ud800", "name")
    with pytest.raises(InvalidInputError, match="the limit is 3"):
        check_text("abcd", "name", max_length=3)
    with pytest.raises(InvalidInputError, match="name must be a string, got int"):
        check_text(5, "name")


def test_bools_and_instances() -> None:
    """0, 1 and 'false' are not bools; an instance check names the expected class."""
    assert check_bool(False, "trend") is False
    for bad in (0, 1, "false", None):
        with pytest.raises(InvalidInputError, match="trend must be true or false"):
            check_bool(bad, "trend")
    assert check_instance(Channel.VOICE, Channel, "channel") is Channel.VOICE
    with pytest.raises(InvalidInputError, match="zone must be a ZoneInfo, got str"):
        check_instance("UTC", ZoneInfo, "zone")


def test_enums_take_members_only() -> None:
    """A plain value is refused: the message lists the members to use."""
    assert check_enum(Channel.VOICE, Channel, "channel") is Channel.VOICE
    with pytest.raises(InvalidInputError, match=r"one of Channel\.VOICE, Channel\.EMAIL"):
        check_enum("voice", Channel, "channel")


def test_a_list_field_takes_a_list_or_tuple_only() -> None:
    """Strings, mappings and sets are refused; a limit on length can be set."""
    assert check_list(("a", "b"), "tags") == ["a", "b"]
    for bad in ("vip", {"a": 1}, {"a"}, None):
        with pytest.raises(InvalidInputError, match="tags must be a list"):
            check_list(bad, "tags")
    with pytest.raises(InvalidInputError, match="has 3 items; the limit is 2"):
        check_list([1, 2, 3], "tags", max_length=2)


def test_plain_data_is_what_every_store_can_keep() -> None:
    """Free-form data: JSON-able values within 64 bits, finite, valid text, bounded."""
    good: dict[str, object] = {"a": [1, 2.5, None, True, "x", {"b": []}], "c": (1,)}
    assert check_plain_data(good, "custom_fields") is good
    cases: list[tuple[object, str]] = [
        ({"a": math.nan}, r"custom_fields\.a must be a finite number"),
        ({"a": [2**63]}, r"custom_fields\.a\[0\] must be at most"),
        ({"a": "\ud800"}, "lone surrogate"),
        ({1: "x"}, "has a key that is not text"),
        ({"a": {1, 2}}, r"custom_fields\.a must be plain data .* got set"),
        ({"a": datetime(2026, 1, 1, tzinfo=UTC)}, "got datetime"),
    ]
    for value, message in cases:
        with pytest.raises(InvalidInputError, match=message):
            check_plain_data(value, "custom_fields")


def test_plain_data_depth_and_size_are_bounded() -> None:
    """Nesting beyond MAX_PLAIN_DEPTH and more than MAX_PLAIN_ITEMS values are refused."""
    deep: object = []
    for _ in range(MAX_PLAIN_DEPTH):
        deep = [deep]
    check_plain_data(deep, "data")
    with pytest.raises(InvalidInputError, match="nested more than 32 levels"):
        check_plain_data([deep], "data")
    check_plain_data(list(range(MAX_PLAIN_ITEMS - 1)), "data")
    with pytest.raises(InvalidInputError, match="more than 10000 values"):
        check_plain_data(list(range(MAX_PLAIN_ITEMS)), "data")


def test_validator_names_the_attrs_field() -> None:
    """An attrs field checked by validator() reports its own name."""

    @attrs.frozen
    class Seats:
        count: int = attrs.field(validator=validator(check_count, low=1))

    with pytest.raises(InvalidInputError) as error:
        Seats(0)
    assert error.value.field == "count"


class Colour(enum.Enum):
    RED = "red"


anything = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(),
    st.text(),
    st.binary(),
    st.datetimes(timezones=st.none() | st.timezones()),
    st.timedeltas(),
    st.lists(st.integers(), max_size=3),
    st.just([10**4400]),
    st.dictionaries(st.text(), st.integers(), max_size=3),
    st.sampled_from([Colour.RED, Channel.VOICE, object()]),
)


@given(value=anything)
def test_every_check_refuses_only_with_a_callcore_error(value: object) -> None:
    """Whatever a check is given, it returns or raises a CallcoreError naming the field."""
    checks: list[Callable[[], object]] = [
        lambda: check_instant(value, "f"),
        lambda: check_duration(value, "f"),
        lambda: check_count(value, "f", low=0, high=10),
        lambda: check_number(value, "f", low=0, high=1),
        lambda: check_text(value, "f"),
        lambda: check_enum(value, Colour, "f"),
        lambda: check_bool(value, "f"),
        lambda: check_instance(value, Colour, "f"),
        lambda: check_list(value, "f", max_length=2),
        lambda: check_plain_data(value, "f"),
    ]
    fields = []
    for check in checks:
        try:
            check()
        except CallcoreError as error:  # noqa: PERF203 - each check is tried on its own
            fields.append(error.field if isinstance(error, InvalidInputError) else None)
    assert all(field is not None and field.startswith("f") for field in fields)


def test_a_notification_checks_its_fields() -> None:
    """Wrong types and non-plain data are refused at construction, naming the field."""
    from callcore.notifications import Notification, NotificationChannel  # noqa: PLC0415

    ok = Notification(channel=NotificationChannel.SMS, to="+40721234567", data={"n": [1]})
    assert ok.data == {"n": [1]}
    cases: list[tuple[dict[str, object], str]] = [
        ({"channel": "sms", "to": "x"}, "channel"),
        ({"channel": NotificationChannel.SMS, "to": ""}, "to"),
        ({"channel": NotificationChannel.SMS, "to": "x", "body": 5}, "body"),
        ({"channel": NotificationChannel.SMS, "to": "x", "data": [("a", 1)]}, "data"),
        ({"channel": NotificationChannel.SMS, "to": "x", "data": {"a": {1}}}, "data.a"),
    ]
    for kwargs, field in cases:
        with pytest.raises(InvalidInputError) as error:
            Notification(**kwargs)  # type: ignore[arg-type]
        assert error.value.field == field


flat_values = st.dictionaries(
    st.text(max_size=5) | st.integers(),
    st.none()
    | st.booleans()
    | st.integers(-(2**64), 2**64)
    | st.text(max_size=5)
    | st.floats()
    | st.lists(st.integers(), max_size=2),
    max_size=6,
)


def _outcome(value: object) -> str:
    try:
        check_plain_data(value, "data")
    except InvalidInputError:
        return "refused"
    return "accepted"


@given(value=flat_values)
def test_the_flat_fast_path_agrees_with_the_general_walk(value: dict[object, object]) -> None:
    """check_plain_data's fast path for flat dicts (checks._flat) decides as the walk does."""
    import callcore.checks as checks_module  # noqa: PLC0415

    fast = _outcome(value)
    original = checks_module._FLAT_ITEMS
    checks_module._FLAT_ITEMS = -1  # no dict takes the fast path
    try:
        walked = _outcome(value)
    finally:
        checks_module._FLAT_ITEMS = original
    assert fast == walked


class _BrokenZone(tzinfo):
    """A tzinfo whose utcoffset() returns something that is not a timedelta."""

    def utcoffset(self, dt: datetime | None) -> timedelta:
        return "+02:00"  # type: ignore[return-value]

    def dst(self, dt: datetime | None) -> timedelta | None:
        return None

    def tzname(self, dt: datetime | None) -> str:
        return "broken"


def test_a_broken_time_zone_and_the_widest_duration_bounds() -> None:
    """A tzinfo that misbehaves is refused by name; timedelta.max as a bound never overflows."""
    with pytest.raises(InvalidInputError, match="now has a broken time zone") as error:
        check_instant(datetime(2026, 1, 1, tzinfo=_BrokenZone()), "now")
    assert error.value.field == "now"
    widest = timedelta.max
    assert check_duration(timedelta.min, "d", minimum=None, maximum=widest) == timedelta.min
