"""Fail-over: three host processes share a router; the owner dies by SIGKILL."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

import psycopg

from callcore.acd import ContactStatus, Router
from callcore.serialization import parse_json
from callcore.storage.postgres import migrate
from callcore.storage.postgres_router import SharedRouter
from tests.postgres.failover_host import LEASE_SECONDS, ROUTER
from tests.postgres.routers import OFFER_TIMEOUT, QUEUE, agent, build_router

ROOT = Path(__file__).resolve().parents[2]
HOSTS = ("h0", "h1", "h2")
# the stated time: a standby retries every lease/3, so it takes an expired lease within that
# (plus scheduling on a loaded 2-core machine: 2 s of slack)
TAKEOVER_AFTER_EXPIRY = timedelta(seconds=LEASE_SECONDS / 3 + 2.0)


def _now() -> datetime:
    return datetime.now(timezone.utc)


def _lease(url: str) -> tuple[str, int, datetime, datetime] | None:
    with psycopg.connect(url) as connection:
        row = connection.execute(
            "SELECT owner, epoch, acquired_at, expires_at FROM callcore_leases WHERE name = %s",
            (ROUTER,),
        ).fetchone()
    return None if row is None else (row[0], row[1], row[2], row[3])


def _wait(condition: object, seconds: float = 60.0) -> None:
    deadline = time.monotonic() + seconds
    while not condition():  # type: ignore[operator]
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)


def _view(client: SharedRouter) -> Router:
    return Router.restore(client.snapshot(now=_now()))


def _log(url: str) -> list[tuple[int, dict[str, object]]]:
    with psycopg.connect(url) as connection:
        rows = connection.execute(
            "SELECT position, result FROM callcore_commands WHERE router = %s "
            "AND position IS NOT NULL ORDER BY position",
            (ROUTER,),
        ).fetchall()
    return [(position, parse_json(result)) for position, result in rows]


def test_owner_killed_another_takes_over_nothing_lost_nothing_doubled(postgres_url: str) -> None:
    """SIGKILL the owner while 2 offers ring and 4 contacts wait: a standby carries on."""
    migrate(postgres_url)
    environment = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT / "src"), str(ROOT)])}
    hosts = {
        host_id: subprocess.Popen(
            [sys.executable, "-m", "tests.postgres.failover_host", postgres_url, host_id],
            stdin=subprocess.PIPE,
            cwd=ROOT,
            env=environment,
        )
        for host_id in HOSTS
    }
    client = SharedRouter(postgres_url, ROUTER, factory=build_router, host_id="client")
    try:
        _wait(lambda: _lease(postgres_url) is not None)
        client.log_in(agent("a1"), now=_now())
        client.log_in(agent("a2"), now=_now())
        for number in range(6):
            client.enqueue(f"c{number}", QUEUE, now=_now())
        before = _view(client)
        ringing = {cid for cid in before.contact_ids() if before.contact(cid).offered_to}
        waiting = [cid for cid in before.line(QUEUE) if cid not in ringing]
        assert len(ringing) == 2
        assert len(waiting) == 4

        lease = _lease(postgres_url)
        assert lease is not None
        dead, epoch = lease[0], lease[1]
        hosts[dead].send_signal(signal.SIGKILL)
        hosts[dead].wait()
        killed_lease = _lease(postgres_url)  # its last renewal: the dead host cannot renew
        _wait(lambda: (_lease(postgres_url) or ("", 0))[1] > epoch)
        taken = _lease(postgres_url)
        assert killed_lease is not None
        assert taken is not None
        assert taken[0] != dead
        assert taken[2] - killed_lease[3] <= TAKEOVER_AFTER_EXPIRY

        after = _view(client)
        assert set(after.contact_ids()) == set(before.contact_ids())  # no contact lost
        still_waiting = [cid for cid in after.line(QUEUE) if cid in waiting]
        assert still_waiting == [cid for cid in waiting if cid in still_waiting]  # same order
        for cid in ringing:  # each offer still rings at the same agent, or has ended
            view = after.contact(cid)
            assert view.offered_to in (before.contact(cid).offered_to, ())

        # answer one ringing contact; let the other offer expire on the new owner
        first = min(ringing)
        if after.contact(first).status is ContactStatus.OFFERED:
            client.accept(first, after.contact(first).offered_to[0], now=_now())
        time.sleep(OFFER_TIMEOUT.total_seconds() + LEASE_SECONDS)
        _wait(lambda: all(not _view(client).contact(cid).offered_to for cid in ringing - {first}))
    finally:
        client.stop()
        for process in hosts.values():
            if process.poll() is None:
                process.communicate(input=b"", timeout=30)
            elif process.stdin is not None:
                process.stdin.close()

    _check_log(_log(postgres_url), {(cid, before.contact(cid).offered_to[0]) for cid in ringing})


def _check_log(log: list[tuple[int, dict[str, object]]], rang: set[tuple[str, str]]) -> None:
    """No gap or repeat in the log, no contact rang twice at once, every offer of rang ended."""
    assert [position for position, _ in log] == list(range(1, len(log) + 1))
    live: dict[str, set[str]] = {}
    ended_or_answered: set[tuple[str, str]] = set()
    events = [
        event
        for _, result in log
        if isinstance(update := result.get("update"), dict)
        for event in update["events"]
    ]
    for event in events:
        kind = event["kind"]
        if kind == "acd.contact_offered":
            offer = event["offer"]
            offers = live.setdefault(offer["contact_id"], set())
            assert not offers, f"{offer['contact_id']} offered twice at once"
            offers.add(offer["agent_id"])
        elif kind in {"acd.offer_ended", "acd.contact_answered"}:
            ids = event["offer"] if kind == "acd.offer_ended" else event
            live[ids["contact_id"]].discard(ids["agent_id"])
            ended_or_answered.add((ids["contact_id"], ids["agent_id"]))
    assert rang <= ended_or_answered  # every offer that rang when the owner died has ended
