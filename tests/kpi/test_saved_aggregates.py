"""Saving and loading aggregators: shards shipped as JSON merge exactly."""

from __future__ import annotations

from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from callcore.errors import DocumentError
from callcore.kpi import Aggregator, InteractionRecord, rows, to_csv
from callcore.serialization import dumps, from_dict, loads, to_dict
from tests.kpi.strategies import interaction_records

LONDON = ZoneInfo("Europe/London")


def _make() -> Aggregator:
    return Aggregator(
        group_by=("interval", "queue", "channel"), interval=timedelta(minutes=30), timezone=LONDON
    )


@given(st.lists(interaction_records(), max_size=30), st.integers(0, 30))
def test_shards_shipped_as_json_merge_exactly(records: list[InteractionRecord], cut: int) -> None:
    """Two shards saved to JSON, loaded and merged equal the whole."""
    whole, first, second = _make(), _make(), _make()
    whole.add_many(records)
    first.add_many(records[:cut])
    second.add_many(records[cut:])
    merged = loads(Aggregator, dumps(first))
    merged.merge(loads(Aggregator, dumps(second)))
    assert merged.groups() == whole.groups()
    assert to_dict(merged) == to_dict(whole)


def test_bad_saved_aggregators_list_every_problem() -> None:
    """Keys outside the grouping, repeated keys, bad and inconsistent totals are all reported."""
    data = {
        "group_by": ["queue"],
        "interval": 900,
        "timezone": "Europe/London",
        "thresholds": {"service_level": 20, "short_abandon": 5},
        "groups": [
            {"key": {"queue": "a", "agent": "ana"}, "totals": {"contacts": 1}},
            {"key": {"queue": "a", "agent": "ana"}, "totals": {"answered": -2, "held": 10**40}},
        ],
    }
    with pytest.raises(DocumentError) as caught:
        from_dict(Aggregator, data)
    assert [str(problem) for problem in caught.value.problems] == [
        "groups[0].key.agent: is set but the aggregator does not group by agent",
        "groups[0].totals.contacts: must equal inbound + outbound",
        "groups[1].key: repeats an earlier group's key",
        "groups[1].key.agent: is set but the aggregator does not group by agent",
        "groups[1].totals.answered: must be from 0 to 10**30, got -2",
        "groups[1].totals.held: must be from 0 to 10**30, got a number of about 41 digits",
    ]


def test_type_problems_in_saved_aggregators_have_paths() -> None:
    """A wrongly typed total and an unknown zone are reported with their paths."""
    data = {
        "group_by": ["queue"],
        "interval": 900,
        "timezone": "Mars/Olympus",
        "thresholds": {"service_level": 20, "short_abandon": 5},
        "groups": [{"key": {"queue": "a"}, "totals": {"contacts": "many"}}],
    }
    with pytest.raises(DocumentError) as caught:
        from_dict(Aggregator, data)
    assert [problem.path for problem in caught.value.problems] == [
        "groups[0].totals.contacts",
        "timezone",
    ]


def test_rows_and_csv_hold_plain_values() -> None:
    """Rows carry ISO intervals and channel values; CSV leaves undefined cells empty."""
    from datetime import datetime, timezone  # noqa: PLC0415

    from callcore.channels import Channel, Direction  # noqa: PLC0415
    from callcore.kpi import Outcome  # noqa: PLC0415

    aggregator = _make()
    at = datetime(2026, 7, 1, 8, 10, tzinfo=timezone.utc)
    aggregator.add(
        InteractionRecord(
            id="1",
            channel=Channel.CHAT,
            direction=Direction.INBOUND,
            outcome=Outcome.ABANDONED,
            arrived_at=at,
            ended_at=at + timedelta(seconds=3),
            queue="web",
        )
    )
    table = rows(aggregator.groups(), aggregator.group_by, ["contacts", "abandoned", "asa"])
    assert table == [
        {
            "interval": "2026-07-01T09:00:00+01:00",
            "queue": "web",
            "channel": "chat",
            "contacts": 1,
            "abandoned": 1,
            "asa": None,
        }
    ]
    assert to_csv(table) == (
        "interval,queue,channel,contacts,abandoned,asa\n2026-07-01T09:00:00+01:00,web,chat,1,1,\n"
    )
    assert to_csv([]) == ""
