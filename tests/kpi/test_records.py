"""Interaction and agent state records: consistency checks and serialisation."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

from callcore.checks import MAX_TEXT
from callcore.contacts import Channel, Direction
from callcore.errors import DocumentError, InvalidInputError, NaiveDatetimeError
from callcore.kpi import (
    MAX_AGENT_STATE_SPAN,
    MAX_RECORD_COUNT,
    AgentState,
    AgentStateRecord,
    Aggregator,
    ContactOutcome,
    InteractionRecord,
    InvalidRecordError,
)
from callcore.serialization import dumps, from_dict, loads, to_dict
from tests.kpi.strategies import agent_state_records, interaction_records

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=timezone.utc)


@given(interaction_records())
def test_records_round_trip_through_json(record: InteractionRecord) -> None:
    """Any record survives dumps and loads unchanged."""
    assert loads(InteractionRecord, dumps(record)) == record


@given(agent_state_records())
def test_agent_state_records_round_trip(record: AgentStateRecord) -> None:
    """Any agent state span survives to_dict and from_dict unchanged."""
    assert from_dict(AgentStateRecord, to_dict(record)) == record


def test_every_inconsistency_is_listed() -> None:
    """A record with several contradictions names each field at once."""
    with pytest.raises(InvalidRecordError) as caught:
        InteractionRecord(
            id="x",
            channel=Channel.VOICE,
            direction=Direction.INBOUND,
            outcome=ContactOutcome.ANSWERED,
            arrived_at=T0,
            queued_at=T0 - timedelta(seconds=1),
            ended_at=T0 + timedelta(minutes=1),
            csat=7,
            transfers=-1,
        )
    paths = sorted(problem.path for problem in caught.value.problems)
    assert paths == ["answered_at", "csat", "queued_at", "transfers"]
    assert isinstance(caught.value, InvalidInputError)
    assert "interaction record 'x'" in str(caught.value)


def test_naive_times_are_refused() -> None:
    """A naive datetime in a record is reported by field name."""
    with pytest.raises(NaiveDatetimeError, match="ended_at must be a timezone-aware") as caught:
        InteractionRecord(
            id="x",
            channel=Channel.CHAT,
            direction=Direction.INBOUND,
            outcome=ContactOutcome.ABANDONED,
            arrived_at=T0,
            ended_at=datetime(2026, 3, 2, 9, 1),  # noqa: DTZ001 - naive on purpose
        )
    assert caught.value.field == "ended_at"


@pytest.mark.parametrize(
    ("fields", "path"),
    [
        ({"outcome": ContactOutcome.ABANDONED, "answered_at": T0}, "answered_at"),
        ({"outcome": ContactOutcome.MISSED}, "offered_at"),
        ({"outcome": ContactOutcome.NO_ANSWER}, "direction"),
        ({"outcome": ContactOutcome.SELF_SERVED}, "ivr_path"),
        ({"nps": 11}, "nps"),
        ({"hold_time": timedelta(seconds=-1)}, "hold_time"),
        (
            {
                "outcome": ContactOutcome.ANSWERED,
                "answered_at": T0,
                "hold_time": timedelta(minutes=2),
            },
            "hold_time",
        ),
    ],
)
def test_contradictions_name_their_field(fields: dict[str, object], path: str) -> None:
    """ContactOutcome without its time, answers out of range and long holds are refused."""
    arguments: dict[str, object] = {
        "id": "x",
        "channel": Channel.VOICE,
        "direction": Direction.INBOUND,
        "outcome": ContactOutcome.ABANDONED,
        "arrived_at": T0,
        "ended_at": T0 + timedelta(minutes=1),
    } | fields
    with pytest.raises(InvalidRecordError) as caught:
        InteractionRecord(**arguments)  # type: ignore[arg-type]
    assert [problem.path for problem in caught.value.problems] == [path]


def test_agent_span_must_not_end_before_it_starts() -> None:
    """An agent state span running backwards is refused."""
    with pytest.raises(InvalidRecordError, match="ended_at: must not be earlier"):
        AgentStateRecord(
            agent="ana", state=AgentState.AVAILABLE, started_at=T0, ended_at=T0 - timedelta(1)
        )


def test_loading_reports_type_problems_with_paths() -> None:
    """Bad field types in a list of records are reported with index and field."""
    good = to_dict(
        InteractionRecord(
            id="ok",
            channel=Channel.VOICE,
            direction=Direction.INBOUND,
            outcome=ContactOutcome.ABANDONED,
            arrived_at=T0,
            ended_at=T0,
        )
    )
    bad = good | {"channel": "fax", "transfers": "2", "colour": "red"}
    with pytest.raises(DocumentError) as caught:
        from_dict(list[InteractionRecord], [good, bad])
    assert [str(problem) for problem in caught.value.problems] == [
        "[1]: unknown field: colour",
        "[1].channel: 'fax' is not a valid Channel",
        "[1].transfers: expected an integer, got str '2'",
    ]


def test_loading_reports_consistency_problems_with_paths() -> None:
    """Contradictory fields in a loaded record are reported, each with its path."""
    data = {
        "id": "x",
        "channel": "voice",
        "direction": "inbound",
        "outcome": "answered",
        "arrived_at": "2026-03-02T09:00:00+00:00",
        "ended_at": "2026-03-02T08:00:00+00:00",
        "csat": 9,
    }
    with pytest.raises(DocumentError) as caught:
        from_dict(list[InteractionRecord], [data])
    assert [str(problem) for problem in caught.value.problems] == [
        "[0].answered_at: is required when the outcome is 'answered'",
        "[0].csat: must be from 1 to 5, got 9",
        "[0].ended_at: must not be earlier than arrived_at",
    ]


_NAIVE = datetime(2026, 3, 2, 9, 1)  # noqa: DTZ001 - a naive time on purpose
_TIMES = ["queued_at", "offered_at", "answered_at", "ended_at", "wrap_up_ended_at"]
# Values that break a record, alone or with the rest of it, field by field.
_OUT_OF_RANGE = [
    datetime(3000, 1, 1, tzinfo=timezone.utc),
    datetime(1899, 12, 31, 23, 59, tzinfo=timezone.utc),
    datetime(9999, 12, 31, tzinfo=timezone(timedelta(hours=-5))),
    "2026-03-02T09:00:00+00:00",
    T0.date(),
]
_BAD_TEXT = ["", 7, "\ud800", "x" * (MAX_TEXT + 1)]
_SPOILERS: dict[str, list[object]] = {
    **{
        name: [None, _NAIVE, T0 - timedelta(days=400), T0 + timedelta(days=400), *_OUT_OF_RANGE]
        for name in _TIMES
    },
    "arrived_at": [None, _NAIVE, T0 + timedelta(days=400), T0 - timedelta(days=36_526)],
    "ended_at": [None, _NAIVE, T0 - timedelta(days=400), T0 + timedelta(days=36_526)],
    "id": _BAD_TEXT,
    "queue": _BAD_TEXT,
    "agent": _BAD_TEXT,
    "customer_id": _BAD_TEXT,
    "ticket_id": _BAD_TEXT,
    "contact_id": _BAD_TEXT,
    "channel": ["voice", Direction.INBOUND, None],
    "direction": ["inbound", Channel.VOICE, None],
    "outcome": [*ContactOutcome, "answered"],
    "hold_time": [timedelta(seconds=-1), timedelta(days=1), 5, timedelta(days=40_000)],
    "holds": [-1, 1.5, True, MAX_RECORD_COUNT + 1, 10**30],
    "transfers": [-1, 1.5, "2"],
    "consults": [-1, None],
    "csat": [0, 6, 4.5, True, "5"],
    "nps": [-1, 11, 7.0],
    "ivr_path": ["menu", ["menu", 3], ("",), {"menu": 1}, ()],
    "first_contact_resolved": [1, "no"],
    "repeat_contact": [0],
}


def _spoiled(valid: InteractionRecord, changes: dict[str, object]) -> InteractionRecord:
    """A copy of ``valid`` with ``changes``, built without any check."""
    record = object.__new__(InteractionRecord)
    for field in attrs.fields(InteractionRecord):
        object.__setattr__(record, field.name, changes.get(field.name, getattr(valid, field.name)))
    return record


@st.composite
def _spoiled_records(draw: st.DrawFn) -> InteractionRecord:
    """A consistent record with zero to three fields replaced, built without any check."""
    names = draw(st.lists(st.sampled_from(sorted(_SPOILERS)), max_size=3, unique=True))
    changes = {name: draw(st.sampled_from(_SPOILERS[name])) for name in names}
    return _spoiled(draw(interaction_records()), changes)


def _refused(record: InteractionRecord) -> bool:
    """Whether the thorough checks refuse a record: a wrong field or any problem."""
    try:
        record._check_fields()
    except InvalidInputError:
        return True
    return bool(list(record.problems()))


@given(_spoiled_records())
def test_the_fast_check_never_accepts_an_inconsistent_record(record: InteractionRecord) -> None:
    """Whatever the fields, a record the fast check passes has no problem at all."""
    if record._plainly_valid():
        assert not _refused(record)


def test_the_fast_check_catches_every_single_spoiled_field() -> None:
    """Each spoiler alone, on records of several outcomes, is sent to the checks."""
    answered = InteractionRecord(
        id="c1",
        channel=Channel.VOICE,
        direction=Direction.INBOUND,
        outcome=ContactOutcome.ANSWERED,
        arrived_at=T0,
        queued_at=T0 + timedelta(seconds=1),
        offered_at=T0 + timedelta(seconds=2),
        answered_at=T0 + timedelta(seconds=30),
        ended_at=T0 + timedelta(minutes=5),
        wrap_up_ended_at=T0 + timedelta(minutes=6),
        hold_time=timedelta(minutes=1),
    )
    abandoned = attrs.evolve(
        answered, outcome=ContactOutcome.ABANDONED, answered_at=None, hold_time=timedelta(0)
    )
    missed = attrs.evolve(abandoned, outcome=ContactOutcome.MISSED)
    served = attrs.evolve(abandoned, outcome=ContactOutcome.SELF_SERVED, ivr_path=("menu",))
    unanswered = attrs.evolve(
        abandoned, outcome=ContactOutcome.NO_ANSWER, direction=Direction.OUTBOUND
    )
    checked = 0
    for valid in (answered, abandoned, missed, served, unanswered):
        for name, values in _SPOILERS.items():
            for value in values:
                record = _spoiled(valid, {name: value})
                if _refused(record):
                    checked += 1
                    assert not record._plainly_valid(), (name, value)
    assert checked > 50  # most spoilers do spoil


@pytest.mark.parametrize("name", ["arrived_at", "ended_at"])
def test_required_times_cannot_be_none(name: str) -> None:
    """An untyped caller passing None for a required time gets a clear error."""
    fields: dict[str, object] = {
        "id": "c1",
        "channel": Channel.VOICE,
        "direction": Direction.INBOUND,
        "outcome": ContactOutcome.ABANDONED,
        "arrived_at": T0,
        "ended_at": T0 + timedelta(minutes=1),
        name: None,
    }
    with pytest.raises(
        InvalidInputError, match=f"{name} must be a datetime, got NoneType"
    ) as caught:
        InteractionRecord(**fields)  # type: ignore[arg-type]
    assert caught.value.field == name


def test_a_plain_answered_record_takes_the_fast_path() -> None:
    """The usual record is confirmed without listing problems."""
    record = InteractionRecord(
        id="c1",
        channel=Channel.VOICE,
        direction=Direction.INBOUND,
        outcome=ContactOutcome.ANSWERED,
        arrived_at=T0,
        queued_at=T0,
        answered_at=T0 + timedelta(seconds=30),
        ended_at=T0 + timedelta(minutes=5),
        hold_time=timedelta(minutes=1),
        holds=1,
        csat=5,
    )
    assert record._plainly_valid()


# --- issue 10: every field is checked when a record is built -------------------

_ABANDONED = {
    "id": "c1",
    "channel": Channel.VOICE,
    "direction": Direction.INBOUND,
    "outcome": ContactOutcome.ABANDONED,
    "arrived_at": T0,
    "ended_at": T0 + timedelta(seconds=40),
}
_ANSWERED = _ABANDONED | {
    "outcome": ContactOutcome.ANSWERED,
    "answered_at": T0 + timedelta(seconds=10),
    "ended_at": T0 + timedelta(minutes=3),
}


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"direction": "inbound"}, "direction", "direction must be one of Direction.INBOUND"),
        ({"channel": "voice"}, "channel", "channel must be one of Channel.VOICE"),
        ({"outcome": "answered"}, "outcome", "outcome must be one of ContactOutcome.ANSWERED"),
        ({"csat": 4.5}, "csat", "csat must be a whole number, got float 4.5"),
        ({"csat": True}, "csat", "csat must be a whole number, got bool"),
        ({"nps": 7.0}, "nps", "nps must be a whole number"),
        ({"transfers": 1.5}, "transfers", "transfers must be a whole number, got float 1.5"),
        ({"holds": "2"}, "holds", "holds must be a whole number, got str"),
        ({"id": 5}, "id", "id must be a string, got int"),
        ({"id": ""}, "id", "id must not be empty"),
        ({"queue": "\ud800"}, "queue", "queue is not valid Unicode"),
        ({"agent": 7}, "agent", "agent must be a string"),
        ({"ivr_path": "menu"}, "ivr_path", "ivr_path must be a list, got str"),
        ({"ivr_path": ("menu", 3)}, "ivr_path[1]", r"ivr_path\[1\] must be a string"),
        ({"outcome": ContactOutcome.QUEUED}, "outcome", "outcome must not be 'queued'"),
        ({"repeat_contact": "no"}, "repeat_contact", "repeat_contact must be true or false"),
        ({"hold_time": 30}, "hold_time", "hold_time must be a timedelta, got int"),
        ({"queued_at": "2026-03-02T09:00:00+00:00"}, "queued_at", "queued_at must be a datetime"),
        (
            {"arrived_at": datetime(1800, 1, 1, tzinfo=timezone.utc)},
            "arrived_at",
            "arrived_at must lie between 1900 and 2999",
        ),
        (
            {"ended_at": datetime(9999, 12, 31, 23, tzinfo=timezone(timedelta(hours=-5)))},
            "ended_at",
            "ended_at must lie between 1900 and 2999",
        ),
    ],
)
def test_a_field_of_the_wrong_type_or_out_of_range_is_refused_by_name(
    changes: dict[str, object], field: str, message: str
) -> None:
    """Plain strings for enums, floats for counts, bad text and far times are refused."""
    with pytest.raises(InvalidInputError, match=message) as caught:
        InteractionRecord(**(_ANSWERED | changes))  # type: ignore[arg-type]
    assert caught.value.field == field


def test_an_inbound_direction_given_as_a_string_is_not_counted_as_outbound() -> None:
    """The issue's example: direction="inbound" was accepted and counted outbound."""
    with pytest.raises(InvalidInputError) as caught:
        InteractionRecord(**(_ANSWERED | {"direction": "inbound"}))  # type: ignore[arg-type]
    assert caught.value.field == "direction"
    aggregator = Aggregator()
    aggregator.add(InteractionRecord(**_ANSWERED))  # type: ignore[arg-type]
    assert (aggregator.total().inbound, aggregator.total().outbound) == (1, 0)


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"csat": 0}, "csat"),
        ({"nps": 11}, "nps"),
        ({"transfers": MAX_RECORD_COUNT + 1}, "transfers"),
        ({"holds": -(10**5000)}, "holds"),
        ({"ended_at": T0 + timedelta(days=36_526)}, "ended_at"),
        (
            {"answered_at": None, "outcome": ContactOutcome.ABANDONED, "hold_time": timedelta(1)},
            "hold_time",
        ),
    ],
)
def test_numbers_off_their_scale_and_overlong_records_are_listed(
    changes: dict[str, object], field: str
) -> None:
    """Off-scale numbers join the contradictions in one InvalidRecordError naming the field."""
    with pytest.raises(InvalidRecordError) as caught:
        InteractionRecord(**(_ANSWERED | changes))  # type: ignore[arg-type]
    assert [problem.path for problem in caught.value.problems] == [field]
    assert caught.value.field == field
    assert len(str(caught.value)) < 300


def test_a_list_ivr_path_is_stored_as_a_tuple() -> None:
    """A list is a list: it is kept, as a tuple, and the record stays hashable."""
    record = InteractionRecord(**(_ANSWERED | {"ivr_path": ["menu", "balance"]}))  # type: ignore[arg-type]
    assert record.ivr_path == ("menu", "balance")
    assert hash(record) == hash(attrs.evolve(record))


def test_records_stamped_in_any_zone_are_stored_in_utc() -> None:
    """Aware times of any zone, the repeated hour included, are kept as UTC instants."""
    london = ZoneInfo("Europe/London")
    # 01:50 BST (00:50 UTC), then 01:10 GMT (01:10 UTC): later, though earlier on the wall.
    first = datetime(2026, 10, 25, 1, 50, tzinfo=london)
    second = datetime(2026, 10, 25, 1, 10, fold=1, tzinfo=london)
    span = AgentStateRecord(agent="ana", state=AgentState.BUSY, started_at=first, ended_at=second)
    assert span.ended_at - span.started_at == timedelta(minutes=20)
    assert span.started_at.tzinfo is timezone.utc
    record = InteractionRecord(**(_ABANDONED | {"arrived_at": first, "ended_at": second}))  # type: ignore[arg-type]
    assert record.ended_at == datetime(2026, 10, 25, 1, 10, tzinfo=timezone.utc)


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"state": "idle"}, "state", "state must be one of AgentState.LOGGED_OUT"),
        ({"state": AgentState.LOGGED_OUT}, "state", "state must not be 'logged_out'"),
        ({"agent": ""}, "agent", "agent must not be empty"),
        ({"agent": None}, "agent", "agent must be a string"),
        ({"started_at": "2026-03-02T09:00:00+00:00"}, "started_at", "must be a datetime"),
        ({"ended_at": datetime(3000, 1, 1, tzinfo=timezone.utc)}, "ended_at", "between 1900"),
    ],
)
def test_agent_state_fields_are_checked(
    changes: dict[str, object], field: str, message: str
) -> None:
    """The issue's AgentStateRecord(state="idle"), and the other fields, are refused."""
    fields: dict[str, object] = {
        "agent": "ana",
        "state": AgentState.AVAILABLE,
        "started_at": T0,
        "ended_at": T0 + timedelta(minutes=5),
    }
    with pytest.raises(InvalidInputError, match=message) as caught:
        AgentStateRecord(**(fields | changes))  # type: ignore[arg-type]
    assert caught.value.field == field


def test_an_agent_state_span_of_twenty_years_is_refused() -> None:
    """The issue's 20-year span (700,000 groups) is refused; 31 days are accepted."""
    with pytest.raises(InvalidRecordError, match="more than 31 days after started_at"):
        AgentStateRecord(
            agent="ana",
            state=AgentState.AVAILABLE,
            started_at=T0,
            ended_at=T0.replace(year=2046),
        )
    longest = AgentStateRecord(
        agent="ana", state=AgentState.NOT_READY, started_at=T0, ended_at=T0 + MAX_AGENT_STATE_SPAN
    )
    assert longest.ended_at - longest.started_at == timedelta(days=31)


def test_loading_reports_off_scale_numbers_and_contradictions_together() -> None:
    """A loaded record's problems that types cannot show are all listed with paths."""
    data = to_dict(InteractionRecord(**_ANSWERED)) | {  # type: ignore[arg-type]
        "transfers": -1,
        "csat": 6,
        "queued_at": "2026-03-02T08:00:00+00:00",
    }
    with pytest.raises(DocumentError) as caught:
        from_dict(InteractionRecord, data)
    assert [str(problem) for problem in caught.value.problems] == [
        "csat: must be from 1 to 5, got 6",
        "queued_at: must not be earlier than arrived_at",
        "transfers: must be from 0 to 1,000,000, got -1",
    ]


@pytest.mark.parametrize(
    ("changes", "problem"),
    [
        ({"arrived_at": "0001-01-01T00:00:00+05:00"}, "arrived_at: must lie between 1900"),
        ({"id": ""}, "id: must not be empty"),
        ({"state": "available", "agent": "x" * 100_001}, "agent: is 100001 characters long"),
    ],
)
def test_loading_reports_a_field_out_of_range_at_its_path(
    changes: dict[str, object], problem: str
) -> None:
    """What a constructor refuses by field name is a DocumentError at that path."""
    if "state" in changes:
        data: dict[str, object] = {
            "agent": "ana",
            "state": "available",
            "started_at": "2026-03-02T09:00:00+00:00",
            "ended_at": "2026-03-02T09:05:00+00:00",
        } | changes
        cls: type = AgentStateRecord
    else:
        data = to_dict(InteractionRecord(**_ABANDONED)) | changes  # type: ignore[arg-type]
        cls = InteractionRecord
    with pytest.raises(DocumentError) as caught:
        from_dict(list[cls], [data])  # type: ignore[valid-type]
    assert [str(found)[: len(problem) + 4] for found in caught.value.problems] == [f"[0].{problem}"]
