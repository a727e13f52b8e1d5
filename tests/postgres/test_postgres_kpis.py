"""KPI aggregates saved by several hosts merge to what one host would have counted."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from zoneinfo import ZoneInfo

import psycopg
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from callcore.errors import InvalidInputError
from callcore.kpi import Aggregator, InteractionRecord, Thresholds
from callcore.storage.postgres import PostgresStorage, migrate
from tests.kpi.strategies import NOW, interaction_records
from tests.postgres.server import with_schema

LONDON = ZoneInfo("Europe/London")
HOSTS = ("web-1", "web-2", "web-3")


def _aggregator() -> Aggregator:
    return Aggregator(
        group_by=("interval", "queue"),
        interval=timedelta(minutes=30),
        timezone=LONDON,
        keep_distributions=True,
    )


def _percentiles(aggregator: Aggregator) -> dict[object, list[object]]:
    """Each group's counts and percentiles (the kept values' order may differ: merges)."""
    return {
        key: [
            (p.count, [p.percentile(q) for q in (0.0, 0.5, 0.9, 1.0)] if p.count else [])
            for p in (kept.wait, kept.answer, kept.handle)
        ]
        for key, kept in aggregator.distributions().items()
    }


@pytest.fixture(scope="module")
def kpi_store(postgres_server_url: str) -> Iterator[PostgresStorage]:
    """One store for the module (each hypothesis example writes its own report)."""
    with psycopg.connect(postgres_server_url, autocommit=True) as connection:
        connection.execute("DROP SCHEMA IF EXISTS callcore_kpi_test CASCADE")
        connection.execute("CREATE SCHEMA callcore_kpi_test")
    url = with_schema(postgres_server_url, "callcore_kpi_test")
    migrate(url)
    store = PostgresStorage(url)
    yield store
    store.close()
    with psycopg.connect(postgres_server_url, autocommit=True) as connection:
        connection.execute("DROP SCHEMA callcore_kpi_test CASCADE")


@settings(max_examples=20, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.tuples(interaction_records(), st.sampled_from(HOSTS)), max_size=40))
def test_hosts_merged_equal_one_host(
    kpi_store: PostgresStorage, fed: list[tuple[InteractionRecord, str]]
) -> None:
    """Records split over three hosts, saved and merged, equal one aggregator fed them all."""
    report = f"report-{len(fed)}-{hash(tuple(fed)) & 0xFFFF}"
    whole = _aggregator()
    whole.add_many(record for record, _ in fed)
    shares = {host: _aggregator() for host in HOSTS}
    for record, host in fed:
        shares[host].add(record)
    for host, aggregator in shares.items():
        kpi_store.save_aggregate(report, host, aggregator)
    kpi_store.save_aggregate(report, "web-1", shares["web-1"])  # a re-save replaces
    merged = kpi_store.merged_aggregate(report, now=NOW)
    assert merged is not None
    assert merged.groups() == whole.groups()
    assert _percentiles(merged) == _percentiles(whole)


def test_no_aggregate_and_mismatched_settings(postgres_url: str) -> None:
    """No host saved: None. Hosts counting differently: refused, saying so."""
    migrate(postgres_url)
    with PostgresStorage(postgres_url) as store:
        assert store.merged_aggregate("daily", now=NOW) is None
        store.save_aggregate("daily", "a", _aggregator())
        other = Aggregator(
            group_by=("interval", "queue"),
            interval=timedelta(minutes=30),
            timezone=LONDON,
            keep_distributions=True,
            thresholds=Thresholds(service_level=timedelta(seconds=30)),
        )
        store.save_aggregate("daily", "b", other)
        with pytest.raises(InvalidInputError):
            store.merged_aggregate("daily", now=NOW)
        with pytest.raises(InvalidInputError) as raised:
            store.save_aggregate("daily", "c", {"not": "an aggregator"})  # type: ignore[arg-type]
        assert raised.value.field == "aggregator"
