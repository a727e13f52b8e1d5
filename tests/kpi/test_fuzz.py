"""Malformed input to every KPI constructor, command and loader: only callcore errors escape.

Each test feeds junk (wrong types, strings and mappings for lists, missing and
extra keys, NaN and infinities, huge integers and durations, naive and far
datetimes, deep nesting, lone surrogates, invalid UTF-8, non-object JSON) and
accepts two outcomes: a :class:`~callcore.errors.CallcoreError`, or a value
that every later step handles (it saves, loads back equal, aggregates and
exports). Run them long with ``--hypothesis-profile=thorough``.
"""

from __future__ import annotations

import contextlib
import copy
import csv
import io
import json
from collections.abc import Callable, Iterator
from datetime import date, datetime, timedelta, timezone
from typing import Any
from zoneinfo import ZoneInfo

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

from callcore.contacts import Channel, Direction
from callcore.errors import CallcoreError, InvalidInputError
from callcore.kpi import (
    BUILTIN_METRICS,
    AgentState,
    AgentStateRecord,
    Aggregate,
    Aggregator,
    ContactOutcome,
    Dimension,
    GroupKey,
    InteractionRecord,
    IntervalGrid,
    Metric,
    RepeatContactMarker,
    RollingWindow,
    ServiceLevelVariant,
    Thresholds,
    Unit,
    evaluate,
    rows,
    service_level,
    to_csv,
)
from callcore.serialization import dumps, from_dict, loads, to_dict
from tests.kpi.strategies import NOW, ORIGIN, agent_state_records, interaction_records

ALL_DIMS = ("interval", "queue", "agent", "channel")
UTC = ZoneInfo("UTC")

# --- junk ----------------------------------------------------------------------

_SPECIAL_VALUES = [
    "",
    "\ud800",
    "inbound",
    "answered",
    "idle",
    "voice",
    "queue",
    10**30,
    -(10**30),
    2**63,
    float("nan"),
    float("inf"),
    -1,
    1.5,
    b"\xff\xfe",
    date(2026, 3, 2),
    timedelta.max,
    timedelta.min,
    timedelta(days=36_526),
    datetime.max,  # noqa: DTZ901 - a naive time on purpose
    datetime(1, 1, 1, tzinfo=timezone(timedelta(hours=5))),
    datetime(9999, 12, 31, 23, tzinfo=timezone(timedelta(hours=-5))),
    datetime(1900, 1, 1, tzinfo=timezone.utc),
    datetime(2999, 12, 31, 23, 59, tzinfo=timezone.utc),
    ORIGIN,
    ORIGIN.replace(tzinfo=None),
    *Channel,
    *Direction,
    *ContactOutcome,
    *AgentState,
    *Dimension,
    *Unit,
]
# Integers beyond Python's 4,300-digit conversion limit (hypothesis cannot show them).
huge_integers = st.integers(4_400, 5_000).map(lambda digits: (-1) ** digits * 10**digits)
# Text over the 100,000-character limit (built lazily, to keep reports short).
long_text = st.integers(100_001, 100_002).map(lambda length: "x" * length)
junk_scalars = st.one_of(
    st.none(),
    long_text,
    st.booleans(),
    st.integers(),
    st.floats(),
    st.text(max_size=8),
    st.sampled_from(_SPECIAL_VALUES),
    st.datetimes(),
    st.datetimes(timezones=st.timezones()),
    st.timedeltas(),
)
junk = st.recursive(
    junk_scalars | huge_integers,
    lambda inner: (
        st.lists(inner, max_size=3)
        | st.tuples(inner, inner)
        | st.dictionaries(st.text(max_size=6), inner, max_size=3)
        | st.frozensets(st.integers(), max_size=2)
    ),
    max_leaves=6,
)

_ISO_TEXT = [
    "2026-03-02T09:00:00+00:00",
    "2026-03-02T09:00:00",  # naive
    "0001-01-01T00:00:00+05:00",
    "9999-12-31T23:59:59-05:00",
    "3000-01-01T00:00:00Z",
    "1899-12-31T23:59:59+00:00",
    "2026-10-25T01:30:00+00:00",
    "not a time",
]
json_scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.sampled_from([10**30, 2**63, 10**12, -1, 0]),
    st.floats(),
    st.text(max_size=8),
    st.sampled_from(["", "\ud800", *_ISO_TEXT]),
    long_text,
    st.sampled_from(
        [member.value for member in (*Channel, *Direction, *ContactOutcome, *AgentState)]
    ),
)
json_junk = st.recursive(
    json_scalars | huge_integers,
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner, max_size=3)
    ),
    max_leaves=6,
) | st.integers(1, 200).map(lambda depth: json.loads("[" * depth + "]" * depth))


def _paths(data: Any, prefix: tuple[object, ...] = ()) -> Iterator[tuple[object, ...]]:
    yield prefix
    if isinstance(data, dict):
        for key, value in data.items():
            yield from _paths(value, (*prefix, key))
    elif isinstance(data, list):
        for index, value in enumerate(data):
            yield from _paths(value, (*prefix, index))


@st.composite
def mutated(draw: st.DrawFn, data: Any) -> Any:
    """``data`` with one to three values replaced, keys removed or keys added."""
    data = copy.deepcopy(data)
    for _ in range(draw(st.integers(1, 3))):
        path = draw(st.sampled_from(list(_paths(data))))
        if not path:
            data = draw(json_junk)
            continue
        *parents, last = path
        holder = data
        for step in parents:
            holder = holder[step]
        action = draw(st.sampled_from(["replace", "replace", "delete", "add"]))
        if action == "replace":
            holder[last] = draw(json_junk)
        elif action == "delete" and isinstance(holder, dict):
            del holder[last]
        elif action == "add" and isinstance(holder, dict):
            holder[draw(st.sampled_from(["extra", "id", "totals", "key", "queue"]))] = draw(
                json_junk
            )
        elif isinstance(holder, list):
            holder.append(draw(json_junk))
    return data


def _json_text(data: object) -> str | None:
    try:
        return json.dumps(data)
    except ValueError:  # an integer too long to write: nothing to read back
        return None


# --- what an accepted value must survive -------------------------------------------


def _survives(record: InteractionRecord) -> None:
    """A record that was accepted saves, loads back equal, aggregates and exports."""
    assert loads(InteractionRecord, dumps(record)) == record
    aggregator = Aggregator(group_by=ALL_DIMS)
    aggregator.add(record)
    table = rows(aggregator.groups(), aggregator.group_by)
    assert len(list(csv.reader(io.StringIO(to_csv(table))))) == 2
    assert dumps(loads(Aggregator, dumps(aggregator))) == dumps(aggregator)
    RollingWindow(group_by=("queue", "agent")).add(record)
    RepeatContactMarker().mark(record)


_RECORD_FIELDS = [field.name for field in attrs.fields(InteractionRecord)]
_SPAN_FIELDS = [field.name for field in attrs.fields(AgentStateRecord)]


# --- constructors --------------------------------------------------------------------


@given(interaction_records(), st.dictionaries(st.sampled_from(_RECORD_FIELDS), junk, max_size=3))
def test_interaction_record_constructor_with_junk(
    valid: InteractionRecord, changes: dict[str, object]
) -> None:
    """InteractionRecord(...) with junk fields: a callcore error or a record that works."""
    fields = attrs.asdict(valid, recurse=False) | changes
    try:
        record = InteractionRecord(**fields)
    except CallcoreError:
        return
    _survives(record)


@given(agent_state_records(), st.dictionaries(st.sampled_from(_SPAN_FIELDS), junk, max_size=2))
def test_agent_state_record_constructor_with_junk(
    valid: AgentStateRecord, changes: dict[str, object]
) -> None:
    """AgentStateRecord(...) with junk fields: a callcore error or a span that works."""
    try:
        span = AgentStateRecord(**(attrs.asdict(valid, recurse=False) | changes))
    except CallcoreError:
        return
    assert from_dict(AgentStateRecord, to_dict(span)) == span
    aggregator = Aggregator(group_by=("interval", "agent"), interval=timedelta(minutes=60))
    aggregator.add_agent_state(span)
    assert loads(Aggregator, dumps(aggregator)).groups() == aggregator.groups()


def _metric(**fields: object) -> Metric:
    base: dict[str, object] = {
        "name": "x",
        "title": "X",
        "unit": Unit.COUNT,
        "formula": "x",
        "compute": lambda totals: totals.contacts,
    }
    return Metric(**(base | fields))  # type: ignore[arg-type]


_COUNTERS = [field.name for field in attrs.fields(Aggregate)]


def _service_level(**counts: Any) -> float | None:
    worked: dict[str, Any] = {
        "answered": 10,
        "answered_within": 8,
        "abandoned": 2,
        "abandoned_within": 1,
        "short_abandoned": 1,
        "variant": ServiceLevelVariant.ANSWERED_ONLY,
    }
    return service_level(**(worked | counts))


# Each builds a value type or runs a command with junk; the tuple names its inputs.
_CALLS: dict[str, tuple[Callable[..., object], list[str]]] = {
    "Thresholds": (Thresholds, ["service_level", "short_abandon"]),
    "GroupKey": (GroupKey, ["interval", "queue", "agent", "channel"]),
    "Metric": (_metric, ["name", "title", "unit", "formula", "compute"]),
    "Aggregate": (Aggregate, _COUNTERS),
    "IntervalGrid": (
        lambda **args: IntervalGrid(**({"size": timedelta(minutes=15), "zone": UTC} | args)),  # type: ignore[arg-type]
        ["size", "zone"],
    ),
    "Aggregator": (Aggregator, ["group_by", "interval", "timezone", "thresholds"]),
    "RollingWindow": (RollingWindow, ["length", "resolution", "group_by", "thresholds"]),
    "RepeatContactMarker": (RepeatContactMarker, ["window"]),
    "service_level": (
        _service_level,
        [
            "answered",
            "answered_within",
            "abandoned",
            "abandoned_within",
            "short_abandoned",
            "variant",
        ],
    ),
    "evaluate": (
        lambda **args: evaluate(
            **({"totals": Aggregate(), "names": ["aht"], "metrics": BUILTIN_METRICS} | args)  # type: ignore[arg-type]
        ),
        ["totals", "names", "metrics"],
    ),
    "rows": (
        lambda **args: rows(
            **({"groups": {GroupKey(queue="q"): Aggregate()}, "dimensions": ("queue",)} | args)
        ),
        ["groups", "dimensions", "names", "metrics"],
    ),
    "grid.locate": (
        lambda **args: IntervalGrid(timedelta(minutes=15), UTC).locate(**args),
        ["epoch_us"],
    ),
    "grid.start_of": (
        lambda **args: IntervalGrid(timedelta(minutes=15), UTC).start_of(**args),
        ["moment"],
    ),
}


@given(st.sampled_from(sorted(_CALLS)), st.data())
def test_value_types_and_functions_with_junk(name: str, data: st.DataObject) -> None:
    """Thresholds, keys, metrics, totals, grids, settings and functions: callcore errors only."""
    call, parameters = _CALLS[name]
    chosen = data.draw(st.lists(st.sampled_from(parameters), min_size=1, max_size=3, unique=True))
    arguments = {parameter: data.draw(junk) for parameter in chosen}
    try:
        result = call(**arguments)
    except CallcoreError:
        return
    if isinstance(result, Aggregate):  # accepted totals are plain data that loads back
        assert from_dict(Aggregate, to_dict(result)) == result


@given(
    st.lists(interaction_records(), max_size=3),
    st.sampled_from(
        ["add", "add_many", "add_agent_state", "merge", "merge_now", "window", "mark", "advance"]
    ),
    junk,
)
def test_commands_with_junk_change_nothing(
    records: list[InteractionRecord], command: str, argument: object
) -> None:
    """A command given junk raises a callcore error and leaves its engine as it was."""
    aggregator = Aggregator(group_by=ALL_DIMS)
    aggregator.add_many(records)
    window, marker = RollingWindow(), RepeatContactMarker()
    for record in records:
        window.add(record)
    before = (dumps(aggregator), window.totals(now=ORIGIN), marker._last_seen.copy())
    commands: dict[str, Callable[[Any], object]] = {
        "add": aggregator.add,
        "add_many": aggregator.add_many,
        "add_agent_state": aggregator.add_agent_state,
        "merge": lambda other: aggregator.merge(other, now=NOW),
        "merge_now": lambda now: aggregator.merge(Aggregator(group_by=ALL_DIMS), now=now),
        "window": window.add,
        "mark": marker.mark,
        "advance": lambda now: window.advance(now=now),
    }
    try:
        commands[command](argument)
    except CallcoreError:
        assert (dumps(aggregator), window.totals(now=ORIGIN), marker._last_seen) == before


# --- loaders -------------------------------------------------------------------------


@given(st.data())
def test_record_loaders_with_malformed_data(data: st.DataObject) -> None:
    """from_dict and loads of records: a DocumentError or a record that works."""
    cls = data.draw(st.sampled_from([InteractionRecord, AgentStateRecord]))
    valid = data.draw(interaction_records() if cls is InteractionRecord else agent_state_records())
    document = data.draw(mutated(to_dict(valid)))
    loaders: list[Callable[[], object]] = [
        lambda: from_dict(cls, document),
        lambda: from_dict(list[cls], [to_dict(valid), document])[1],  # type: ignore[valid-type]
    ]
    for load in loaders:
        try:
            loaded = load()
        except CallcoreError:
            continue
        if isinstance(loaded, InteractionRecord):
            _survives(loaded)
        else:
            assert from_dict(AgentStateRecord, to_dict(loaded)) == loaded
    text = _json_text(document)
    if text is not None:
        with contextlib.suppress(CallcoreError):
            loads(cls, text)


def _aggregator(records: list[InteractionRecord], spans: list[AgentStateRecord]) -> Aggregator:
    aggregator = Aggregator(group_by=ALL_DIMS, interval=timedelta(minutes=30))
    aggregator.add_many(records)
    for span in spans:
        aggregator.add_agent_state(span)
    return aggregator


@given(
    st.lists(interaction_records(), max_size=3),
    st.lists(agent_state_records(), max_size=1),
    st.data(),
)
def test_saved_aggregator_loader_with_malformed_data(
    records: list[InteractionRecord], spans: list[AgentStateRecord], data: st.DataObject
) -> None:
    """from_dict and loads of a saved aggregator: a DocumentError or one that works."""
    document = data.draw(mutated(to_dict(_aggregator(records, spans))))
    text = _json_text(document)
    loaders: list[Callable[[], Aggregator]] = [
        lambda: from_dict(Aggregator, document),
        lambda: loads(Aggregator, text if text is not None else "[" * 100_000),
    ]
    for load in loaders:
        try:
            loaded = load()
        except CallcoreError:
            continue
        saved = dumps(loaded)
        assert dumps(loads(Aggregator, saved)) == saved
        merged = Aggregator(
            group_by=loaded.group_by,
            interval=loaded.interval,
            timezone=loaded.timezone,
            thresholds=loaded.thresholds,
        )
        merged.merge(loaded, now=NOW)
        to_csv(rows(merged.groups(), merged.group_by))


@given(st.binary(max_size=100) | st.text(max_size=100) | st.sampled_from(["[" * 100_000]))
def test_saved_aggregator_loader_with_any_text(text: bytes | str) -> None:
    """Any bytes or text as a saved aggregator: a callcore error (or, rarely, an aggregator)."""
    with contextlib.suppress(CallcoreError):
        loads(Aggregator, text)


@given(st.lists(interaction_records(), max_size=3), st.data())
def test_csv_exporter_with_malformed_tables(
    records: list[InteractionRecord], data: st.DataObject
) -> None:
    """to_csv of a table with junk rows, cells and columns: a DocumentError or CSV that reads."""
    aggregator = Aggregator(group_by=ALL_DIMS)
    aggregator.add_many(records)
    table: Any = rows(aggregator.groups(), aggregator.group_by, ["contacts", "asa", "nps"])
    table = data.draw(mutated(table)) if table else data.draw(junk)
    try:
        text = to_csv(table)
    except CallcoreError:
        return
    assert len(list(csv.reader(io.StringIO(text)))) == (len(table) + 1 if table else 0)


def test_a_huge_integer_inside_a_container_is_described() -> None:
    """A record id given as a tuple holding a huge integer is refused, not leaked."""
    with pytest.raises(InvalidInputError, match="id must be a string"):
        InteractionRecord(
            id=(1, 10**5000),  # type: ignore[arg-type]
            channel=Channel.VOICE,
            direction=Direction.INBOUND,
            outcome=ContactOutcome.ABANDONED,
            arrived_at=ORIGIN,
            ended_at=ORIGIN,
        )
