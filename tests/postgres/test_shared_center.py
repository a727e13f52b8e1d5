"""Several centres on one shared router: calls held on one host, agents served by another."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING

import psycopg
import pytest

from callcore import ManualClock
from callcore.acd import ContactAnswered, ContactOffered, NotReadyReason
from callcore.center import (
    Connect,
    Disposition,
    Phase,
    RingAgent,
    ScreenPop,
    SharedRouterPort,
    StopRinging,
)
from callcore.errors import InvalidInputError, InvalidTransitionError
from callcore.serialization import parse_json
from callcore.storage.postgres import migrate
from callcore.storage.postgres_router import ForwardedCommandError
from tests.postgres.centers import (
    DIALLED,
    OFFER_TIMEOUT,
    QUEUE,
    Host,
    agent,
    build_router,
    host,
)
from tests.postgres.failover_host import LEASE_SECONDS

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator

ANA = "0721 234 567"
ROOT = Path(__file__).resolve().parents[2]


def _wait_for(condition: Callable[[], object], seconds: float = 20.0) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.01)


def _rang(one: Host, contact_id: str) -> list[str]:
    """The agents one host rang for a contact, in order."""
    return [
        action.offer.agent_id
        for action in one.telephony.actions
        if isinstance(action, RingAgent) and action.offer.contact_id == contact_id
    ]


@pytest.fixture
def hosts(postgres_url: str) -> Iterator[tuple[Host, Host, ManualClock]]:
    """Host A owns the router; host B follows it; one manual clock for both."""
    migrate(postgres_url)
    clock = ManualClock(datetime(2026, 3, 2, 9, 0, tzinfo=timezone.utc))
    a = host(postgres_url, "group", "A", clock=clock)
    a.router.start()
    _wait_for(lambda: a.router.is_owner)
    b = host(postgres_url, "group", "B", clock=clock)
    try:
        yield a, b, clock
    finally:
        b.stop()
        a.stop()


def test_a_call_on_host_a_is_answered_by_an_agent_of_host_b(
    hosts: tuple[Host, Host, ManualClock],
) -> None:
    """B rings its agent for A's call; B's answer connects the call on A; the agent comes back."""
    a, b, clock = hosts
    assert isinstance(a.router, SharedRouterPort)
    assert a.router.queues == build_router().queues  # so a document's queues may be given too
    assert b.center.agent_logged_in(agent("b1")).kinds() == ("acd.agent_state_changed",)

    arrived = a.center.inbound_call(caller=ANA, dialled=DIALLED, contact_id="CA-1")
    assert arrived.kinds()[-2:] == ("acd.contact_queued", "acd.contact_offered")
    assert not arrived.of_type(RingAgent)  # b1 is not A's to ring
    _wait_for(b.telephony.ringing)
    assert [(o.contact_id, o.agent_id) for o in b.telephony.ringing()] == [("CA-1", "b1")]
    assert a.center.contact("CA-1").agent == "b1"  # A follows its contact's offer

    clock.advance(OFFER_TIMEOUT / 100)
    answered = b.center.agent_accepted("CA-1", "b1")
    assert answered.kinds() == ("acd.contact_answered",)
    _wait_for(lambda: a.telephony.connected("CA-1"))
    live = a.center.contact("CA-1")
    assert (live.phase, live.agent, live.answered_at) == (Phase.CONNECTED, "b1", clock.now())
    (connect,) = [x for x in a.telephony.actions_for("CA-1") if isinstance(x, Connect)]
    assert connect.agent_id == "b1"
    (pop,) = [x for x in a.telephony.actions_for("CA-1") if isinstance(x, ScreenPop)]
    assert pop.agent_id == "b1"
    assert pop.ticket_id == live.ticket_id
    assert pop.ticket_id is not None
    ticket = a.center.store.get_ticket(pop.ticket_id)
    assert ticket is not None
    assert ticket.assignee == "b1"
    assert not b.telephony.actions_for("CA-1")[1:]  # B only rang

    # the call ends on A (which holds it); the agent wraps up there and is offered the next call
    a.center.caller_hung_up("CA-1")
    a.center.agent_wrapped_up("CA-1", disposition=Disposition.RESOLVED, notes="paid")
    assert a.router.agent("b1").state.value == "available"  # A's copy: read after its command
    a.center.inbound_call(caller=ANA, dialled=DIALLED, contact_id="CA-2")
    _wait_for(lambda: _rang(b, "CA-2"))
    assert (_rang(a, "CA-1"), _rang(a, "CA-2")) == ([], [])
    assert (_rang(b, "CA-1"), _rang(b, "CA-2")) == (["b1"], ["b1"])


def test_the_owners_timers_reach_the_agents_host(hosts: tuple[Host, Host, ManualClock]) -> None:
    """An offer that expires on the owner stops ringing on the agent's host, once."""
    a, b, clock = hosts
    b.center.agent_logged_in(agent("b1"))
    a.center.inbound_call(caller=ANA, dialled=DIALLED, contact_id="CA-1")
    _wait_for(b.telephony.ringing)
    clock.advance(OFFER_TIMEOUT)
    a.center.run_due()  # A's copy knows the deadline: the owner runs the timer (if not yet)
    _wait_for(lambda: not b.telephony.ringing())
    assert not [x for x in a.telephony.actions if isinstance(x, StopRinging)]  # not A's agent
    stopped = [x for x in b.telephony.actions if isinstance(x, StopRinging)]
    assert [(x.offer.contact_id, x.offer.agent_id) for x in stopped] == [("CA-1", "b1")]
    assert a.center.contact("CA-1").phase is Phase.QUEUED


def test_a_contact_id_of_another_host_is_refused(hosts: tuple[Host, Host, ManualClock]) -> None:
    """Two hosts cannot hold one contact id: the second arrival is refused, changing nothing."""
    a, b, _ = hosts
    a.center.inbound_call(caller=ANA, dialled=DIALLED, contact_id="CA-1")
    b.router.refresh()  # B's copy has A's call (its follower reads it a moment later anyway)
    b.center.run_due()  # and B's centre has taken the news in
    before = b.center._serialised()
    with pytest.raises(InvalidTransitionError, match="unique across the hosts"):
        b.center.inbound_call(caller=ANA, dialled=DIALLED, contact_id="CA-1")
    assert b.center._serialised() == before
    assert b.center.contact_ids() == ()


def test_a_restarted_host_gets_the_updates_made_while_it_was_down(
    postgres_url: str,
) -> None:
    """A durable host stops while its call waits; answered meanwhile, it connects on restart."""
    migrate(postgres_url)
    clock = ManualClock(datetime(2026, 3, 2, 9, 0, tzinfo=timezone.utc))
    b = host(postgres_url, "group", "B", clock=clock)
    b.router.start()
    _wait_for(lambda: b.router.is_owner)
    a = host(postgres_url, "group", "A", clock=clock, store=postgres_url, durable=True)
    try:
        b.center.agent_logged_in(agent("b1"), ready=False)
        a.center.inbound_call(caller=ANA, dialled=DIALLED, contact_id="CA-1")
        a.stop()  # host A goes down with its call waiting

        b.center.agent_ready("b1")
        _wait_for(b.telephony.ringing)
        b.center.agent_accepted("CA-1", "b1")

        a = host(postgres_url, "group", "A", clock=clock, store=postgres_url, durable=True)
        _wait_for(lambda: a.telephony.connected("CA-1"))
        live = a.center.contact("CA-1")
        assert (live.phase, live.agent) == (Phase.CONNECTED, "b1")
        assert [type(x).__name__ for x in a.telephony.actions_for("CA-1")] == [
            "Connect",
            "ScreenPop",
        ]
        a.center.caller_hung_up("CA-1")  # and the call goes on as usual
        assert a.router.agent("b1").state.value == "available"  # A's copy, after its command
    finally:
        a.stop()
        b.stop()


def _log_size(url: str) -> int:
    with psycopg.connect(url) as connection:
        row = connection.execute("SELECT count(*) FROM callcore_commands").fetchone()
    assert row is not None
    return int(row[0])


def test_a_refused_command_changes_nothing(
    hosts: tuple[Host, Host, ManualClock], postgres_url: str
) -> None:
    """Refused by the owner or by the sender: no router, centre or telephony change."""
    a, b, _ = hosts
    b.center.agent_logged_in(agent("b1"))
    b.center.agent_logged_in(agent("b2"), ready=False)
    a.center.inbound_call(caller=ANA, dialled=DIALLED, contact_id="CA-1")
    _wait_for(b.telephony.ringing)
    before = (
        a.router.snapshot(now=a.center.clock.now()),
        a.center._serialised(),  # the state a refusal must not touch
        b.center._serialised(),
        list(a.telephony.actions),
        list(b.telephony.actions),
    )
    with pytest.raises(ForwardedCommandError) as raised:  # refused by the owner: b2 has no offer
        b.center.agent_accepted("CA-1", "b2")
    assert raised.value.error_type == "InvalidTransitionError"
    logged = _log_size(postgres_url)
    with pytest.raises(InvalidInputError) as refused:  # refused before it is sent
        b.center.agent_not_ready("b1", "lunch")  # type: ignore[arg-type]
    assert refused.value.field == "reason"
    assert _log_size(postgres_url) == logged
    after = (
        a.router.snapshot(now=a.center.clock.now()),
        a.center._serialised(),
        b.center._serialised(),
        list(a.telephony.actions),
        list(b.telephony.actions),
    )
    assert after == before
    b.center.agent_not_ready("b1", NotReadyReason.LUNCH)  # the right call goes through
    _wait_for(lambda: not b.telephony.ringing())


def test_news_are_taken_once_in_log_order(hosts: tuple[Host, Host, ManualClock]) -> None:
    """Each update of another host's command reaches this host's router once, in order."""
    a, b, _ = hosts
    b.router.stop()  # B's follower stops: its news wait until B reads the log itself
    for number in range(3):
        a.center.agent_logged_in(agent(f"a{number}"))
    b.router.refresh()
    news = b.router.take_news()
    assert [e.agent_id for u in news for e in u.events] == ["a0", "a1", "a2"]  # type: ignore[attr-defined]
    assert b.router.take_news() == ()
    assert not any(isinstance(e, ContactOffered | ContactAnswered) for u in news for e in u.events)


def _lease(url: str, name: str) -> tuple[str, int] | None:
    with psycopg.connect(url) as connection:
        row = connection.execute(
            "SELECT owner, epoch FROM callcore_leases WHERE name = %s", (name,)
        ).fetchone()
    return None if row is None else (row[0], row[1])


def _offers_logged(url: str, name: str) -> list[tuple[str, str]]:
    """Every offer the owners made, (contact, agent), in log order."""
    with psycopg.connect(url) as connection:
        rows = connection.execute(
            "SELECT result FROM callcore_commands WHERE router = %s AND position IS NOT NULL "
            "ORDER BY position",
            (name,),
        ).fetchall()
    return [
        (event["offer"]["contact_id"], event["offer"]["agent_id"])
        for (text,) in rows
        if "update" in (result := parse_json(text))
        for event in result["update"]["events"]
        if event["kind"] == "acd.contact_offered"
    ]


def test_owner_killed_the_waiting_call_is_offered_once(postgres_url: str) -> None:
    """SIGKILL the owner (another process) while a call rings and one waits: the hosts carry on.

    A new owner takes over among the two centres' hosts; the ringing offer is
    answered through it and connected on the call's host; the waiting call is
    offered exactly once, when an agent gets ready, and rings once.
    """
    migrate(postgres_url)
    name = "shared-centre"
    environment = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT / "src"), str(ROOT)])}
    owner = subprocess.Popen(
        [sys.executable, "-m", "tests.postgres.failover_host", postgres_url, "O", name],
        stdin=subprocess.PIPE,
        cwd=ROOT,
        env=environment,
    )
    a = b = None
    try:
        _wait_for(lambda: _lease(postgres_url, name) is not None)
        a = host(postgres_url, name, "A", lease_seconds=LEASE_SECONDS)
        b = host(postgres_url, name, "B", lease_seconds=LEASE_SECONDS)
        a.router.start()
        b.router.start()
        b.center.agent_logged_in(agent("b1"))
        b.center.agent_logged_in(agent("b2"), ready=False)
        a.center.inbound_call(caller=ANA, dialled=DIALLED, contact_id="CA-1")  # rings at b1
        a.center.inbound_call(caller="0721 234 568", dialled=DIALLED, contact_id="CA-2")  # waits
        _wait_for(b.telephony.ringing)
        assert _lease(postgres_url, name) == ("O", 1)

        owner.send_signal(signal.SIGKILL)
        owner.wait()
        _wait_for(lambda: a.router.is_owner or b.router.is_owner)
        assert _lease(postgres_url, name) in {("A", 2), ("B", 2)}
        assert a.router.line(QUEUE) == ("CA-1", "CA-2")  # both still there, in order
        assert a.router.contact("CA-1").offered_to == ("b1",)  # ringing
        assert a.router.contact("CA-2").offered_to == ()  # waiting

        b.center.agent_accepted("CA-1", "b1")  # the offer made by the dead owner is answered
        _wait_for(lambda: a.telephony.connected("CA-1"))
        b.center.agent_ready("b2")
        _wait_for(lambda: a.center.contact("CA-2").agent == "b2")
        _wait_for(lambda: _rang(b, "CA-2"))
        assert (_rang(b, "CA-1"), _rang(b, "CA-2")) == (["b1"], ["b2"])
        assert (_rang(a, "CA-1"), _rang(a, "CA-2")) == ([], [])
        assert _offers_logged(postgres_url, name) == [("CA-1", "b1"), ("CA-2", "b2")]
    finally:
        for one in (a, b):
            if one is not None:
                one.stop()
        if owner.poll() is None:
            owner.communicate(input=b"", timeout=30)
        elif owner.stdin is not None:
            owner.stdin.close()
