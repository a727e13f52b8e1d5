"""Shared pytest configuration: hypothesis profiles."""

from __future__ import annotations

from hypothesis import HealthCheck, settings

# One throw-away PostgreSQL server per session, for any test that asks for it.
pytest_plugins = ["tests.postgres.fixtures"]

# 'ci' keeps the whole suite well inside CI's time budget; 'dev' digs deeper.
settings.register_profile(
    "ci",
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
    derandomize=True,
)
# No deadlines: speed is measured by the benchmarks, never by timed tests; on a
# loaded two-core machine a 2 s deadline failed a fuzz test that is not slow.
settings.register_profile("dev", max_examples=150, deadline=None)
settings.register_profile("thorough", max_examples=2000, deadline=None)
settings.load_profile("dev")
