"""Saving and loading aggregators: shards shipped as JSON merge exactly."""

from __future__ import annotations

import math
from datetime import timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from callcore.errors import DocumentError, InvalidInputError
from callcore.kpi import (
    AgentState,
    AgentStateRecord,
    Aggregate,
    Aggregator,
    InteractionRecord,
    InvalidRecordError,
    rows,
    to_csv,
    write_csv,
)
from callcore.serialization import dumps, from_dict, loads, to_dict
from tests.kpi.strategies import NOW, interaction_records

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
    merged.merge(loads(Aggregator, dumps(second)), now=NOW)
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
        "groups[1].totals.answered: must be at least 0, got -2",
        (
            "groups[1].totals.held: must be at most 1000000000000000000000000000000, "
            "got a 133-bit integer"
        ),
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

    from callcore.contacts import Channel, Direction  # noqa: PLC0415
    from callcore.kpi import ContactOutcome  # noqa: PLC0415

    aggregator = _make()
    at = datetime(2026, 7, 1, 8, 10, tzinfo=timezone.utc)
    aggregator.add(
        InteractionRecord(
            id="1",
            channel=Channel.CHAT,
            direction=Direction.INBOUND,
            outcome=ContactOutcome.ABANDONED,
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


# --- issue 10: malformed tables and saved aggregates -----------------------------

_TABLE: list[dict[str, object]] = [
    {"queue": "web", "contacts": 1, "asa": None},
    {"queue": "app", "contacts": 2, "asa": 12.5},
]


@pytest.mark.parametrize(
    ("table", "problems"),
    [
        (
            [_TABLE[0], _TABLE[1] | {"colour": "red"}],
            ["[1]: has other columns than the first row; extra ['colour']"],
        ),
        (
            [_TABLE[0], {"queue": "app"}],
            ["[1]: has other columns than the first row; missing ['contacts', 'asa']"],
        ),
        ([_TABLE[0] | {"asa": math.nan}], ["[0].asa: must be a finite number, got nan"]),
        ([_TABLE[0] | {"contacts": 10**5000}], ["[0].contacts: is beyond +/-1e+30"]),
        (
            [_TABLE[0] | {"queue": ["a", "b"]}],
            ["[0].queue: expected text, a number or None, got list"],
        ),
        (
            [_TABLE[0] | {"queue": "\ud800"}, "row"],
            [
                "[0].queue: is not valid Unicode text (it holds a lone surrogate)",
                "[1]: expected a row (a mapping of column to value), got str",
            ],
        ),
        ("queue,contacts", ["expected a list of rows, got str"]),
        ([{1: "x"}], ["[0]: column names must be non-empty text, got 1"]),
    ],
)
def test_a_malformed_table_is_a_document_error_with_row_and_column(
    table: object, problems: list[str]
) -> None:
    """Mismatched columns, NaN, huge numbers, lists and bad text: every problem, by path."""
    with pytest.raises(DocumentError) as caught:
        to_csv(table)  # type: ignore[arg-type]
    assert [str(problem) for problem in caught.value.problems] == problems


def test_a_refused_table_writes_nothing(tmp_path: Path) -> None:
    """The table is checked whole before the first line is written."""
    target = tmp_path / "report.csv"
    with target.open("w", encoding="utf-8") as stream, pytest.raises(DocumentError):
        write_csv([_TABLE[0], _TABLE[1] | {"queue": "\udc80"}], stream)  # type: ignore[list-item]
    assert target.read_text(encoding="utf-8") == ""


def test_rows_refuse_a_string_where_a_list_belongs() -> None:
    """Metric names and dimensions given as one string are refused, not split."""
    groups = _make().groups()
    with pytest.raises(InvalidInputError) as caught:
        rows(groups, ("queue",), "aht")
    assert caught.value.field == "names"
    with pytest.raises(InvalidInputError) as caught:
        rows(groups, {"queue": 1}, ["aht"])  # type: ignore[arg-type]
    assert caught.value.field == "dimensions"
    with pytest.raises(InvalidInputError) as caught:
        rows({"queue": Aggregate()}, ("queue",), ["aht"])  # type: ignore[dict-item]
    assert caught.value.field == "groups"


def _saved(groups: list[dict[str, object]], **settings: object) -> dict[str, object]:
    return {
        "group_by": ["interval", "queue"],
        "interval": 1800,
        "timezone": "Europe/London",
        "thresholds": {"service_level": 20, "short_abandon": 5},
        "groups": groups,
    } | settings


_ONE = {"contacts": 1, "inbound": 1, "answered": 1, "waited": 1, "handled": 1}


@pytest.mark.parametrize(
    ("data", "problems"),
    [
        (
            _saved(
                [{"key": {"interval": "2026-07-01T09:10:00+01:00", "queue": "a"}, "totals": _ONE}]
            ),
            ["groups[0].key.interval: is not the start of a 0:30:00 interval of Europe/London"],
        ),
        (
            _saved([{"key": {"queue": "a"}, "totals": _ONE}]),
            ["groups[0].key.interval: is required: the aggregator groups by interval"],
        ),
        (
            _saved(
                [
                    {
                        "key": {"interval": "2026-07-01T09:00:00+01:00"},
                        "totals": _ONE | {"answered_within": 2},
                    }
                ]
            ),
            ["groups[0].totals.answered_within: must not exceed answered"],
        ),
        (
            _saved(
                [
                    {
                        "key": {"interval": "2026-07-01T09:00:00+01:00"},
                        "totals": _ONE | {"contacts": 10**5000},
                    }
                ]
            ),
            [
                (
                    "groups[0].totals.contacts: must be at most "
                    "1000000000000000000000000000000, got a 16610-bit integer"
                )
            ],
        ),
        (
            _saved(
                [{"key": {"interval": "3100-07-01T09:00:00+01:00"}, "totals": _ONE}],
                interval=7 * 60,
            ),
            [
                (
                    "groups[0].key.interval: must start between 1899-12-31 and 2999, "
                    "got 3100-07-01T09:00:00+01:00"
                ),
                (
                    "interval: must be a whole number of minutes that divides a day "
                    "(15, 30 or 60 minutes...), got datetime.timedelta(seconds=420)"
                ),
            ],
        ),
        (
            _saved([{"key": {"queue": ""}, "totals": _ONE}], group_by=["queue"]),
            ["groups[0].key.queue: must not be empty"],
        ),
        (
            _saved([], thresholds={"service_level": 10**12, "short_abandon": -5}),
            [
                (
                    "thresholds.service_level: must be at most 36525 days, 0:00:00, "
                    "got 11574074 days, 1:46:40"
                )
            ],
        ),
    ],
)
def test_a_saved_aggregator_that_cannot_be_right_is_refused(
    data: dict[str, object], problems: list[str]
) -> None:
    """Keys off the grid or missing, totals inconsistent or huge, settings out of range."""
    with pytest.raises(DocumentError) as caught:
        from_dict(Aggregator, data)
    assert [str(problem) for problem in caught.value.problems] == problems


def test_a_saved_aggregator_round_trips_with_agent_time_and_every_dimension() -> None:
    """What an aggregator saves, it loads back: equal groups, equal JSON."""
    from tests.kpi.strategies import ORIGIN  # noqa: PLC0415

    aggregator = Aggregator(
        group_by=("interval", "queue", "agent", "channel"), interval=timedelta(minutes=15)
    )
    aggregator.add_agent_state(
        AgentStateRecord(
            agent="ana",
            state=AgentState.BUSY,
            started_at=ORIGIN,
            ended_at=ORIGIN + timedelta(hours=4),
        )
    )
    text = dumps(aggregator)
    assert dumps(loads(Aggregator, text)) == text


@pytest.mark.parametrize(
    ("totals", "problems"),
    [
        ({"contacts": 1}, ["contacts: must equal inbound + outbound"]),
        (
            {"answered_within": 2, "held": 1},
            ["answered_within: must not exceed answered", "held: must not exceed handled"],
        ),
        ({"agents": {"ana"}}, ["agents: must not name more agents than contacts handled"]),
        ({"abandoned": -1}, None),
        ({"contacts": True}, None),
        ({"agents": ["ana"]}, None),
    ],
)
def test_totals_that_contradict_each_other_are_refused_when_built(
    totals: dict[str, object], problems: list[str] | None
) -> None:
    """Aggregate checks its totals as it is built: types, ranges and parts within wholes."""
    with pytest.raises(InvalidInputError) as caught:
        Aggregate(**totals)  # type: ignore[arg-type]
    if problems is None:  # a wrong type or range: the field is named
        assert caught.value.field == next(iter(totals))
    else:
        assert isinstance(caught.value, InvalidRecordError)
        assert [str(problem) for problem in caught.value.problems] == problems
