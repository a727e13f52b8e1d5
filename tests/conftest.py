"""Shared pytest configuration: hypothesis profiles."""

from __future__ import annotations

from datetime import timedelta

from hypothesis import HealthCheck, settings

# 'ci' keeps the whole suite well inside CI's time budget; 'dev' digs deeper.
settings.register_profile(
    "ci",
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
    derandomize=True,
)
settings.register_profile("dev", max_examples=150, deadline=timedelta(seconds=2))
settings.register_profile("thorough", max_examples=2000, deadline=None)
settings.load_profile("dev")
