"""A router shared by hosts through PostgreSQL: forwarding, ownership, replay."""

from __future__ import annotations

import time
from datetime import datetime, timedelta, timezone

import psycopg
import pytest

from callcore.acd import ContactOffered, ContactQueued, Router
from callcore.serialization import parse_json
from callcore.storage.postgres import migrate
from callcore.storage.postgres_router import ForwardedCommandError, SharedRouter
from tests.postgres.routers import QUEUE, agent, build_router


def _wait_for(condition: object, seconds: float = 30.0) -> None:
    deadline = time.monotonic() + seconds
    while not condition():  # type: ignore[operator]
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.02)


def _now() -> datetime:
    return datetime.now(timezone.utc)


def test_commands_are_forwarded_to_the_owner(postgres_url: str) -> None:
    """A host that does not own the router gets the owner's updates back."""
    migrate(postgres_url)
    owner = SharedRouter(postgres_url, "g1", factory=build_router, host_id="a", lease_seconds=2)
    sender = SharedRouter(postgres_url, "g1", factory=build_router, host_id="b", lease_seconds=2)
    owner.start()
    try:
        _wait_for(lambda: owner.is_owner)
        assert not sender.is_owner
        sender.log_in(agent("a1"), now=_now())
        update = sender.enqueue("c1", QUEUE, now=_now())
        assert [type(event) for event in update.events] == [ContactQueued, ContactOffered]
        assert [(offer.contact_id, offer.agent_id) for offer in update.offers] == [("c1", "a1")]
        with pytest.raises(ForwardedCommandError) as raised:
            sender.abandon("nobody", now=_now())
        assert raised.value.error_type == "NotFoundError"
        accepted = sender.accept("c1", "a1", now=_now())
        assert accepted.events[0].kind == "acd.contact_answered"
        assert owner.snapshot(now=_now()).contacts[0].contact_id == "c1"
    finally:
        sender.stop()
        owner.stop()


def test_next_owner_replays_the_log_after_the_checkpoint(postgres_url: str) -> None:
    """After the owner stops, another host rebuilds the same router from checkpoint + log."""
    migrate(postgres_url)
    first = SharedRouter(
        postgres_url, "g2", factory=build_router, host_id="a", lease_seconds=2, checkpoint_every=3,
        keep_log=2,
    )  # fmt: skip
    second = SharedRouter(
        postgres_url, "g2", factory=build_router, host_id="b", lease_seconds=2, checkpoint_every=3,
        keep_log=2,
    )  # fmt: skip
    first.start()
    reference = build_router()
    try:
        _wait_for(lambda: first.is_owner)
        second.start()
        at = _now()
        for number in range(3):
            second.log_in(agent(f"a{number}"), now=at)
            reference.log_in(agent(f"a{number}"), now=at)
        for number in range(7):
            second.enqueue(f"c{number}", QUEUE, now=at)
            reference.enqueue(f"c{number}", QUEUE, now=at)
        first.stop()  # gives the lease up
        _wait_for(lambda: second.is_owner)
        rebuilt = second.snapshot(now=at)
        assert rebuilt == reference.snapshot()
        with psycopg.connect(postgres_url) as connection:
            rows = connection.execute("SELECT owner, epoch FROM callcore_leases").fetchall()
            kept = connection.execute(
                "SELECT min(position), max(position) FROM callcore_commands"
            ).fetchone()
            checkpoint = connection.execute(
                "SELECT document FROM callcore_checkpoints WHERE name = 'router:g2'"
            ).fetchone()
        assert rows == [("b", 2)]
        assert checkpoint is not None
        covered = parse_json(checkpoint[0])["position"]
        assert kept is not None
        assert kept[0] == covered - 2 + 1  # the log is pruned to keep_log before the checkpoint
        assert kept[1] == 3 + 7 + 1  # log-ins, enqueues and the snapshot
    finally:
        second.stop()
        first.stop()


def test_a_late_clock_does_not_go_back_in_time(postgres_url: str) -> None:
    """A command stamped before the router's time is applied at the router's time."""
    migrate(postgres_url)
    host = SharedRouter(postgres_url, "g3", factory=build_router, host_id="a", lease_seconds=2)
    host.start()
    try:
        _wait_for(lambda: host.is_owner)
        later = _now() + timedelta(seconds=1)
        host.log_in(agent("a1"), now=later)
        update = host.enqueue("c1", QUEUE, now=later - timedelta(milliseconds=500))
        assert update.events[0].at == later
    finally:
        host.stop()


def test_restore_of_a_router_equals_the_original() -> None:
    """The test router's snapshot round-trips (what replay relies on)."""
    router = build_router()
    router.log_in(agent("a1"), now=_now())
    assert Router.restore(router.snapshot()).snapshot() == router.snapshot()
