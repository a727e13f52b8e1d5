"""What the aggregator reports: one update per call, with one event for what it counted."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from callcore.contacts import AgentState, Channel, ContactOutcome, Direction
from callcore.errors import InvalidInputError, NaiveDatetimeError
from callcore.events import Event, Update
from callcore.kpi import (
    AgentStateAdded,
    AgentStateRecord,
    Aggregator,
    AggregatorUpdate,
    InteractionRecord,
    RecordsAdded,
    TotalsMerged,
)
from callcore.serialization import dumps

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=timezone.utc)


def _record(number: int, *, minutes: int, wrap_up: bool = False) -> InteractionRecord:
    """An answered record that arrived at T0 and ended ``minutes`` later."""
    ended = T0 + timedelta(minutes=minutes)
    return InteractionRecord(
        id=str(number),
        channel=Channel.VOICE,
        direction=Direction.INBOUND,
        outcome=ContactOutcome.ANSWERED,
        arrived_at=T0,
        answered_at=T0 + timedelta(seconds=10),
        ended_at=ended,
        wrap_up_ended_at=ended + timedelta(minutes=2) if wrap_up else None,
        queue="sales",
    )


def test_add_reports_one_record_at_its_last_instant() -> None:
    """Add returns one kpi.records_added event, at the end of the record's after-call work."""
    aggregator = Aggregator()
    update = aggregator.add(_record(1, minutes=5, wrap_up=True))
    assert isinstance(update, AggregatorUpdate)
    (event,) = update.events
    assert event == RecordsAdded(at=T0 + timedelta(minutes=7), count=1)
    assert event.kind == "kpi.records_added"
    bare = aggregator.add(_record(2, minutes=3))
    assert bare.events == (RecordsAdded(at=T0 + timedelta(minutes=3), count=1),)


def test_add_many_reports_the_batch_in_one_event() -> None:
    """A batch, even a generator, makes one event: its size, at its latest instant."""
    records = [
        _record(1, minutes=9),
        _record(2, minutes=5, wrap_up=True),  # ends its wrap-up at 7 minutes
        _record(3, minutes=8, wrap_up=True),  # at 10 minutes: the latest
        _record(4, minutes=1),
    ]
    update = Aggregator(group_by=("queue",)).add_many(record for record in records)
    assert update == AggregatorUpdate((RecordsAdded(at=T0 + timedelta(minutes=10), count=4),))


def test_an_empty_batch_reports_nothing() -> None:
    """Nothing counted, nothing happened: no event."""
    aggregator = Aggregator()
    assert aggregator.add_many([]).events == ()
    assert aggregator.add_many(iter(())).events == ()
    assert len(aggregator) == 0


def test_add_agent_state_reports_the_span() -> None:
    """A span makes one kpi.agent_state_added event at its end."""
    span = AgentStateRecord(
        agent="ana", state=AgentState.RESERVED, started_at=T0, ended_at=T0 + timedelta(seconds=8)
    )
    update = Aggregator(group_by=("interval", "agent")).add_agent_state(span)
    (event,) = update.events
    assert event == AgentStateAdded(at=T0 + timedelta(seconds=8), span=span)
    assert event.kind == "kpi.agent_state_added"


def test_merge_reports_the_groups_merged_at_now() -> None:
    """A merge makes one kpi.totals_merged event at ``now``; an empty one makes none."""
    mine, other = Aggregator(group_by=("queue",)), Aggregator(group_by=("queue",))
    now = datetime(2026, 3, 2, 18, 0, tzinfo=timezone.utc)
    assert mine.merge(other, now=now).events == ()
    other.add_many([_record(1, minutes=5), _record(2, minutes=6)])
    other.add(
        InteractionRecord(
            id="3",
            channel=Channel.CHAT,
            direction=Direction.INBOUND,
            outcome=ContactOutcome.ABANDONED,
            arrived_at=T0,
            ended_at=T0 + timedelta(seconds=30),
            queue="support",
        )
    )
    (event,) = mine.merge(other, now=now).events
    assert event == TotalsMerged(at=now, groups=2)
    assert event.kind == "kpi.totals_merged"


@pytest.mark.parametrize(
    ("now", "error"),
    [
        (datetime(2026, 3, 2, 18, 0), NaiveDatetimeError),  # noqa: DTZ001 - naive on purpose
        ("2026-03-02T18:00:00+00:00", InvalidInputError),
        (None, InvalidInputError),
    ],
)
def test_a_merge_at_a_wrong_time_changes_nothing(now: object, error: type[Exception]) -> None:
    """``now`` is checked before anything is merged."""
    mine, other = Aggregator(group_by=("queue",)), Aggregator(group_by=("queue",))
    mine.add(_record(1, minutes=5))
    other.add(_record(2, minutes=5))
    before = dumps(mine)
    with pytest.raises(error) as caught:
        mine.merge(other, now=now)  # type: ignore[arg-type]
    assert getattr(caught.value, "field", None) == "now"
    assert dumps(mine) == before


def test_every_update_has_the_shape_of_an_update() -> None:
    """Each call's result is an events.Update: a tuple of events with dotted kinds."""
    aggregator = Aggregator()
    span = AgentStateRecord(
        agent="ana", state=AgentState.BUSY, started_at=T0, ended_at=T0 + timedelta(minutes=1)
    )
    updates: list[Update] = [
        aggregator.add(_record(1, minutes=5)),
        aggregator.add_many([_record(2, minutes=5)]),
        aggregator.add_agent_state(span),
        aggregator.merge(Aggregator(), now=T0),
        Aggregator().merge(aggregator, now=T0),
    ]
    kinds = []
    for update in updates:
        assert isinstance(update.events, tuple)
        assert all(isinstance(event, Event) for event in update.events)
        kinds += [event.kind for event in update.events]
    assert kinds == [
        "kpi.records_added",
        "kpi.records_added",
        "kpi.agent_state_added",
        "kpi.totals_merged",
    ]


def test_updates_and_events_are_frozen_and_checked() -> None:
    """Built by hand, an update and its events refuse wrong fields; none can be changed."""
    update = Aggregator().add(_record(1, minutes=5))
    with pytest.raises(AttributeError):
        update.events = ()  # type: ignore[misc]
    with pytest.raises(AttributeError):
        update.events[0].count = 2  # type: ignore[attr-defined]
    with pytest.raises(InvalidInputError):
        RecordsAdded(at=T0, count=0)
    with pytest.raises(NaiveDatetimeError):
        RecordsAdded(at=datetime(2026, 3, 2), count=1)  # noqa: DTZ001 - naive on purpose
    with pytest.raises(InvalidInputError):
        AggregatorUpdate(events=[RecordsAdded(at=T0, count=1)])  # type: ignore[arg-type]
    with pytest.raises(InvalidInputError):
        AgentStateAdded(at=T0, span="ana")  # type: ignore[arg-type]
