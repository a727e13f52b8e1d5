"""The PostgreSQL fixtures, a plugin of the whole suite (tests/conftest.py loads it).

Any test directory may ask for ``postgres_url``: the PostgreSQL tests here and
the privacy tests, which run on every store. One server serves the session.
"""

from __future__ import annotations

import itertools
from typing import TYPE_CHECKING

import pytest

from tests.postgres.server import NoServerError, postgres_server, with_schema

if TYPE_CHECKING:
    from collections.abc import Iterator

try:
    import psycopg
except ImportError:  # pragma: no cover - the extra is in the test group
    psycopg = None  # type: ignore[assignment]

_schemas = itertools.count()


@pytest.fixture(scope="session")
def postgres_server_url() -> Iterator[str]:
    """One throw-away PostgreSQL server for the whole test session."""
    if psycopg is None:
        pytest.skip("psycopg is not installed (extra 'postgres')")
    try:
        with postgres_server() as url:
            yield url
    except NoServerError as exc:
        pytest.skip(f"no PostgreSQL server: {exc}")


@pytest.fixture
def postgres_url(postgres_server_url: str) -> Iterator[str]:
    """A URL whose tables land in a new, empty schema, dropped after the test."""
    schema = f"callcore_test_{next(_schemas)}_{id(object())}"
    with psycopg.connect(postgres_server_url, autocommit=True) as connection:
        connection.execute(f"CREATE SCHEMA {schema}")
    yield with_schema(postgres_server_url, schema)
    with psycopg.connect(postgres_server_url, autocommit=True) as connection:
        connection.execute(f"DROP SCHEMA {schema} CASCADE")
