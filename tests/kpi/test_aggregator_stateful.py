"""The aggregator as a state machine: valid and invalid commands mixed at random.

After every refused command the saved aggregator is byte-identical to what it
was before, and no group appeared or vanished (a refused command raises, so it
emits nothing); every accepted command returns one update whose one event says
what it counted (none for nothing); after every command the groups equal
those of a fresh aggregator fed only what was accepted.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import attrs
from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, precondition, rule

from callcore.errors import CallcoreError, InvalidInputError
from callcore.kpi import (
    AgentStateAdded,
    AgentStateRecord,
    Aggregator,
    AggregatorUpdate,
    InteractionRecord,
    RecordsAdded,
    Thresholds,
    TotalsMerged,
)
from callcore.serialization import dumps, loads
from tests.kpi.strategies import NOW, agent_state_records, interaction_records

LONDON = ZoneInfo("Europe/London")
ALL_DIMS = ("interval", "queue", "agent", "channel")
_RECORD_FIELDS = [field.name for field in attrs.fields(InteractionRecord)]

# Things that are not records, spans or aggregators: wrong types, strings
# where lists belong, plain dicts that look like records.
not_a_record = st.one_of(
    st.none(),
    st.integers(),
    st.floats(),
    st.text(max_size=5),
    st.dictionaries(st.sampled_from(_RECORD_FIELDS), st.text(max_size=3), max_size=3),
    st.lists(st.integers(), max_size=2),
)
wrong_field_values = st.one_of(
    st.none(),
    st.integers(),
    st.floats(),
    st.text(max_size=5),
    st.sampled_from(["inbound", "answered", "voice", 4.5, 1.5, timedelta(days=-1)]),
)


class AggregatorMachine(RuleBasedStateMachine):
    """Feeds one aggregator, remembering what it accepted."""

    def __init__(self) -> None:
        """Start with no aggregator; ``start`` makes it."""
        super().__init__()
        self.aggregator = Aggregator()
        self.records: list[InteractionRecord] = []
        self.spans: list[AgentStateRecord] = []
        self.dims: tuple[str, ...] = ()

    def _make(self, **changes: object) -> Aggregator:
        settings: dict[str, object] = {
            "group_by": self.dims,
            "interval": timedelta(minutes=15),
            "timezone": LONDON,
        }
        return Aggregator(**(settings | changes))  # type: ignore[arg-type]

    @initialize(dims=st.lists(st.sampled_from(ALL_DIMS), unique=True))
    def start(self, dims: list[str]) -> None:
        """Make the aggregator, grouped by some dimensions."""
        self.dims = tuple(dims)
        self.aggregator = self._make()

    def _refused(self, command: object, *arguments: object, **keywords: object) -> None:
        """Run a command that must be refused; check it changed nothing."""
        before, groups = dumps(self.aggregator), len(self.aggregator)
        try:
            command(*arguments, **keywords)  # type: ignore[operator]
        except InvalidInputError:
            pass
        else:  # pragma: no cover - reported as a failure below
            raise AssertionError(f"{command} accepted {arguments!r:.200}")
        assert dumps(self.aggregator) == before
        assert len(self.aggregator) == groups

    # --- valid commands ---------------------------------------------------------

    @rule(record=interaction_records())
    def add(self, record: InteractionRecord) -> None:
        """Count one record."""
        update = self.aggregator.add(record)
        last = record.wrap_up_ended_at or record.ended_at
        assert update == AggregatorUpdate((RecordsAdded(at=last, count=1),))
        self.records.append(record)

    @rule(records=st.lists(interaction_records(), max_size=5))
    def add_many(self, records: list[InteractionRecord]) -> None:
        """Count a batch, given as a generator."""
        update = self.aggregator.add_many(record for record in records)
        if records:
            last = max(record.wrap_up_ended_at or record.ended_at for record in records)
            assert update == AggregatorUpdate((RecordsAdded(at=last, count=len(records)),))
        else:
            assert update.events == ()
        self.records.extend(records)

    @rule(span=agent_state_records())
    def add_agent_state(self, span: AgentStateRecord) -> None:
        """Count an agent state span."""
        update = self.aggregator.add_agent_state(span)
        assert update.events == (AgentStateAdded(at=span.ended_at, span=span),)
        self.spans.append(span)

    @rule(
        records=st.lists(interaction_records(), max_size=4),
        spans=st.lists(agent_state_records(), max_size=2),
    )
    def merge_a_shard(
        self, records: list[InteractionRecord], spans: list[AgentStateRecord]
    ) -> None:
        """Merge a shard counted apart."""
        shard = self._make()
        shard.add_many(records)
        for span in spans:
            shard.add_agent_state(span)
        update = self.aggregator.merge(shard, now=NOW)
        groups = len(shard)
        assert update.events == ((TotalsMerged(at=NOW, groups=groups),) if groups else ())
        self.records.extend(records)
        self.spans.extend(spans)

    @rule()
    def reload(self) -> None:
        """Save and load the aggregator, and carry on with the loaded copy."""
        self.aggregator = loads(Aggregator, dumps(self.aggregator))

    @rule(
        record=interaction_records(), name=st.sampled_from(_RECORD_FIELDS), value=wrong_field_values
    )
    def build_and_add(self, record: InteractionRecord, name: str, value: object) -> None:
        """Build a record with a possibly wrong field; add it if it was built."""
        before = dumps(self.aggregator)
        try:
            built = InteractionRecord(**(attrs.asdict(record, recurse=False) | {name: value}))
        except CallcoreError:
            assert dumps(self.aggregator) == before
            return
        self.aggregator.add(built)
        self.records.append(built)

    # --- invalid commands --------------------------------------------------------

    @rule(thing=not_a_record)
    def add_not_a_record(self, thing: object) -> None:
        """A non-record is refused."""
        self._refused(self.aggregator.add, thing)

    @rule(
        records=st.lists(interaction_records(), min_size=1, max_size=4),
        thing=not_a_record,
        position=st.integers(0, 4),
    )
    def add_many_with_a_bad_item(
        self, records: list[InteractionRecord], thing: object, position: int
    ) -> None:
        """A batch holding one non-record is refused whole."""
        batch: list[object] = list(records)
        batch.insert(min(position, len(batch)), thing)
        self._refused(self.aggregator.add_many, iter(batch))

    @rule(
        thing=st.one_of(
            st.none(),
            st.integers(),
            st.text(max_size=5),
            st.dictionaries(st.text(max_size=2), st.integers(), max_size=2),
        )
    )
    def add_many_of_a_non_list(self, thing: object) -> None:
        """A string, mapping or scalar is not a batch of records."""
        self._refused(self.aggregator.add_many, thing)

    @rule(thing=not_a_record)
    def add_agent_state_of_a_non_span(self, thing: object) -> None:
        """A non-span is refused."""
        self._refused(self.aggregator.add_agent_state, thing)

    @rule(
        records=st.lists(interaction_records(), max_size=3),
        change=st.sampled_from(
            [
                {"group_by": ("queue", "agent", "channel", "interval")[:2]},
                {"interval": timedelta(minutes=30)},
                {"timezone": ZoneInfo("Asia/Kolkata")},
                {"thresholds": Thresholds(service_level=timedelta(seconds=30))},
            ]
        ),
    )
    def merge_a_differently_grouped_shard(
        self, records: list[InteractionRecord], change: dict[str, object]
    ) -> None:
        """A shard with other settings is refused."""
        shard = self._make(**change)
        if (shard.group_by, shard.interval, shard.timezone, shard.thresholds) == (
            self.aggregator.group_by,
            self.aggregator.interval,
            self.aggregator.timezone,
            self.aggregator.thresholds,
        ):
            return  # the change happened to match this machine's grouping
        shard.add_many(records)
        self._refused(self.aggregator.merge, shard, now=NOW)

    @rule(thing=not_a_record)
    def merge_a_non_aggregator(self, thing: object) -> None:
        """A non-aggregator is refused."""
        self._refused(self.aggregator.merge, thing, now=NOW)

    @rule(now=st.one_of(st.none(), st.text(max_size=3), st.just(datetime(2026, 3, 2))))  # noqa: DTZ001
    def merge_at_a_wrong_time(self, now: object) -> None:
        """A merge at a time that is not an aware datetime is refused, shard and all."""
        shard = self._make()
        shard.add_many(self.records[:3])
        self._refused(self.aggregator.merge, shard, now=now)

    # --- what must always hold ---------------------------------------------------------

    @precondition(lambda self: len(self.records) + len(self.spans) <= 60)
    @invariant()
    def equals_a_fresh_count_of_what_was_accepted(self) -> None:
        """The totals are those of a fresh aggregator fed every accepted record and span."""
        fresh = self._make()
        fresh.add_many(self.records)
        for span in self.spans:
            fresh.add_agent_state(span)
        assert self.aggregator.groups() == fresh.groups()


# The loaded hypothesis profile decides how hard to look: 'ci' runs short
# programs, 'thorough' (nox -s thorough) long ones.
_PROFILE = settings()
AggregatorMachine.TestCase.settings = settings(
    parent=_PROFILE,
    stateful_step_count=40 if _PROFILE.max_examples > 150 else 15,
    deadline=None,
)
TestAggregatorMachine = AggregatorMachine.TestCase
