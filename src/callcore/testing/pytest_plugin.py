"""The pytest plugin of callcore: fixtures for testing a contact centre.

Registered through the ``pytest11`` entry point, so installing callcore makes
the fixtures available to every test (a test module's own fixture of the same
name wins). The fixtures:

- ``clock``: a :class:`~callcore.clock.ManualClock` at Monday 5 January 2026, 09:00 UTC;
- ``store``: a new :class:`~callcore.storage.MemoryStorage`, closed afterwards;
- ``telephony``, ``notifier``: :class:`~callcore.testing.fakes.FakeTelephony`
  and :class:`~callcore.testing.fakes.FakeNotifier`;
- ``center_config``: the centre's document (:func:`~callcore.center.load_center`);
  override it in your tests; the default has one voice queue ``support``, one
  agent ``a1`` and a flow that queues every call;
- ``center``: the :class:`~callcore.center.ContactCenter` of ``center_config``
  on those fixtures, with the telephony attached;
- ``scenario``: a :class:`~callcore.testing.scenario.Scenario` on it.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from datetime import datetime, timezone
from typing import Any

import pytest

from callcore.center import ContactCenter, load_center
from callcore.clock import ManualClock
from callcore.storage import MemoryStorage
from callcore.testing.fakes import FakeNotifier, FakeTelephony
from callcore.testing.scenario import Scenario

__all__ = [
    "DEFAULT_CENTER",
    "center",
    "center_config",
    "clock",
    "notifier",
    "scenario",
    "store",
    "telephony",
]

DEFAULT_CENTER: Mapping[str, Any] = {
    "queues": [{"name": "support", "wrap_up": 30}],
    "agents": [{"agent_id": "a1", "memberships": [{"queue": "support"}]}],
    "flows": [
        {
            "id": "main",
            "start": "menu",
            "languages": ["en"],
            "prompts": {"hello": {"en": "Press 1 or 2 for support."}},
            "nodes": {
                "menu": {
                    "type": "menu",
                    "prompt": "hello",
                    "options": [{"key": "1", "goto": "queue"}, {"key": "2", "goto": "queue"}],
                    "on_noinput": "queue",
                    "on_nomatch": "queue",
                },
                "queue": {"type": "queue", "queue": "support"},
            },
        }
    ],
    "numbers": {"*": "main"},
}
"""The default ``center_config``: one queue, one agent, a flow that queues every call."""


@pytest.fixture
def clock() -> ManualClock:
    """A manual clock at Monday 5 January 2026, 09:00 UTC."""
    return ManualClock(datetime(2026, 1, 5, 9, 0, tzinfo=timezone.utc))


@pytest.fixture
def store() -> Iterator[MemoryStorage]:
    """A new in-memory store, closed after the test."""
    memory = MemoryStorage()
    yield memory
    memory.close()


@pytest.fixture
def telephony() -> FakeTelephony:
    """A fake telephony provider that records every action."""
    return FakeTelephony()


@pytest.fixture
def notifier() -> FakeNotifier:
    """A fake notifier that records every notification."""
    return FakeNotifier()


@pytest.fixture
def center_config() -> Mapping[str, Any]:
    """The centre's document; override this fixture to test your own centre."""
    return DEFAULT_CENTER


@pytest.fixture
def center(
    center_config: Mapping[str, Any],
    clock: ManualClock,
    store: MemoryStorage,
    telephony: FakeTelephony,
    notifier: FakeNotifier,
) -> ContactCenter:
    """The centre of ``center_config``, with the fakes as its plugins."""
    built = load_center(center_config, clock=clock, store=store, plugins=[telephony, notifier])
    telephony.attach(built)
    return built


@pytest.fixture
def scenario(center: ContactCenter, telephony: FakeTelephony) -> Scenario:
    """A scenario on the ``center`` fixture."""
    return Scenario(center, telephony)
