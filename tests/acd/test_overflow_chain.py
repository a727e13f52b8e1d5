"""Hand-worked scenarios: a contact moved by overflow or escalation meets its new queue's rules."""

from __future__ import annotations

from datetime import timedelta

import pytest

from callcore.acd import (
    AgentProfile,
    ContactEscalated,
    ContactOverflowed,
    ContactQueued,
    Membership,
    NotReadyReason,
    Offer,
    Overflow,
    OverflowAction,
    QueueConfig,
    QueueEscalation,
    Router,
    RouterSnapshot,
    RouterUpdate,
)
from callcore.contacts import Channel
from callcore.serialization import dumps, loads
from tests.acd.scenarios import member, of_type
from tests.acd.strategies import T0, at

MINUTE = timedelta(seconds=60)
HALF = timedelta(seconds=30)
TO_BACKUP = Overflow(action=OverflowAction.QUEUE, queue="backup")


def overflowed(
    seconds: float, contact_id: str, queue: str, to_queue: str | None = None
) -> ContactOverflowed:
    """A ``ContactOverflowed`` event: to ``to_queue``, or to voicemail when it is ``None``."""
    action = OverflowAction.VOICEMAIL if to_queue is None else OverflowAction.QUEUE
    return ContactOverflowed(
        at=at(seconds), contact_id=contact_id, queue=queue, action=action, to_queue=to_queue
    )


def queued(seconds: float, contact_id: str, queue: str) -> ContactQueued:
    """A ``ContactQueued`` event at priority 0."""
    return ContactQueued(at=at(seconds), contact_id=contact_id, queue=queue, priority=0)


def through_json(router: Router) -> Router:
    """Snapshot ``router``, send the snapshot through JSON and restore it."""
    return Router.restore(loads(RouterSnapshot, dumps(router.snapshot())))


def main_to_backup(backup: QueueConfig, *extra: QueueConfig) -> Router:
    """``main`` (max_wait 30 s, overflow to ``backup``) with its only agent on break.

    ``backup`` is staffed by ``b`` from T0 until ``b`` logs out at t=1, so when
    it has ``max_wait_empty`` 60 s its deadline is t=61. c1 joins ``main`` at
    t=40 and overflows at t=70, past that deadline.
    """
    router = Router([QueueConfig(name="main", max_wait=HALF, overflow=TO_BACKUP), backup, *extra])
    router.log_in(member("m", "main"), now=T0, ready=False)
    router.log_in(member("b", "backup"), now=T0, ready=False)
    router.log_out("b", now=at(1))
    router.enqueue("c1", "main", now=at(40))
    return router


def test_moved_into_an_empty_queue_past_its_deadline_goes_on_to_voicemail() -> None:
    """Backup empty since t=1 (deadline t=61): c1 moved in at t=70 leaves for voicemail."""
    router = main_to_backup(QueueConfig(name="backup", max_wait_empty=MINUTE))
    assert router.tick(now=at(69)) == RouterUpdate()
    assert router.tick(now=at(70)).events == (
        overflowed(70, "c1", "main", "backup"),
        queued(70, "c1", "backup"),
        overflowed(70, "c1", "backup"),
    )
    assert router.contact_ids() == ()


def test_moved_into_an_empty_queue_past_its_deadline_becomes_a_callback_there() -> None:
    """Backup's overflow is callback: c1 stays in backup as a callback and never overflows again."""
    backup = QueueConfig(
        name="backup", max_wait_empty=MINUTE, overflow=Overflow(action=OverflowAction.CALLBACK)
    )
    router = main_to_backup(backup)
    assert router.tick(now=at(70)).events == (
        overflowed(70, "c1", "main", "backup"),
        queued(70, "c1", "backup"),
        ContactOverflowed(
            at=at(70), contact_id="c1", queue="backup", action=OverflowAction.CALLBACK
        ),
    )
    assert router.tick(now=at(5000)) == RouterUpdate()
    assert router.line("backup") == ("c1",)
    assert router.log_in(member("z", "backup"), now=at(5001)).offers == (
        Offer(
            contact_id="c1",
            agent_id="z",
            queue="backup",
            channel=Channel.VOICE,
            offered_at=at(5001),
            expires_at=at(5016),
            callback=True,
            offer_id="offer-1",
        ),
    )


def test_moved_into_an_empty_queue_past_its_deadline_goes_on_to_the_next_queue() -> None:
    """Backup overflows to ``third``: c1 goes main -> backup -> third, keeping its arrival."""
    backup = QueueConfig(
        name="backup",
        max_wait_empty=MINUTE,
        overflow=Overflow(action=OverflowAction.QUEUE, queue="third"),
    )
    router = main_to_backup(backup, QueueConfig(name="third"))
    assert router.tick(now=at(70)).events == (
        overflowed(70, "c1", "main", "backup"),
        queued(70, "c1", "backup"),
        overflowed(70, "c1", "backup", "third"),
        queued(70, "c1", "third"),
    )
    assert router.line("third") == ("c1",)
    assert router.contact("c1").arrived == at(40)


def test_moved_into_an_empty_queue_before_its_deadline_waits_until_the_deadline() -> None:
    """Backup deadline t=61 with main max_wait 10 s: c1 enters backup at t=50, leaves at t=61."""
    router = Router(
        [
            QueueConfig(name="main", max_wait=timedelta(seconds=10), overflow=TO_BACKUP),
            QueueConfig(name="backup", max_wait_empty=MINUTE),
        ]
    )
    router.log_in(member("b", "backup"), now=T0, ready=False)
    router.log_out("b", now=at(1))
    router.enqueue("c1", "main", now=at(40))
    assert router.tick(now=at(60)).events == (
        overflowed(50, "c1", "main", "backup"),
        queued(50, "c1", "backup"),
    )
    assert router.tick(now=at(61)).events == (overflowed(61, "c1", "backup"),)


def test_moved_into_a_never_staffed_queue_starts_its_empty_clock() -> None:
    """Nobody ever staffed backup: c1 moved in at t=70 starts its clock and leaves at t=130."""
    router = Router(
        [
            QueueConfig(name="main", max_wait=HALF, overflow=TO_BACKUP),
            QueueConfig(name="backup", max_wait_empty=MINUTE),
        ]
    )
    router.enqueue("c1", "main", now=at(40))
    assert router.tick(now=at(129)).events == (
        overflowed(70, "c1", "main", "backup"),
        queued(70, "c1", "backup"),
    )
    assert router.tick(now=at(130)).events == (overflowed(130, "c1", "backup"),)


def test_moved_into_a_queue_that_refuses_joining_empty_goes_on_by_its_overflow() -> None:
    """Backup takes no contact while nobody is logged in: c1 moved there goes on to voicemail."""
    router = main_to_backup(QueueConfig(name="backup", join_when_empty=False))
    assert router.tick(now=at(70)).events == (
        overflowed(70, "c1", "main", "backup"),
        queued(70, "c1", "backup"),
        overflowed(70, "c1", "backup"),
    )
    assert router.contact_ids() == ()


def test_a_queue_that_refuses_joining_empty_keeps_a_moved_contact_while_staffed() -> None:
    """A member on break counts as staffed: c1 moved into backup at t=70 waits there."""
    router = main_to_backup(QueueConfig(name="backup", join_when_empty=False))
    router.log_in(member("b", "backup"), now=at(41), ready=False)
    assert router.tick(now=at(70)).events == (
        overflowed(70, "c1", "main", "backup"),
        queued(70, "c1", "backup"),
    )
    assert router.line("backup") == ("c1",)


def test_a_full_queue_still_takes_a_moved_contact() -> None:
    """Backup's max_length 1 is taken by b0 (t=5): c1 moved in at t=70 is let in behind it."""
    router = Router(
        [
            QueueConfig(name="main", max_wait=HALF, overflow=TO_BACKUP),
            QueueConfig(name="backup", max_length=1),
        ]
    )
    router.enqueue("b0", "backup", now=at(5))
    router.enqueue("c1", "main", now=at(40))
    assert router.tick(now=at(70)).events == (
        overflowed(70, "c1", "main", "backup"),
        queued(70, "c1", "backup"),
    )
    assert router.line("backup") == ("b0", "c1")


def cycle_router() -> Router:
    """q1 and q2 overflow to each other when empty 60 s; both empty from t=10 (deadline t=70).

    Agent ``a`` serves both, on break, and logs out at t=10; c1 waits in q1
    (t=5), c2 in q2 (t=6).
    """
    router = Router(
        [
            QueueConfig(
                name="q1",
                max_wait_empty=MINUTE,
                overflow=Overflow(action=OverflowAction.QUEUE, queue="q2"),
            ),
            QueueConfig(
                name="q2",
                max_wait_empty=MINUTE,
                overflow=Overflow(action=OverflowAction.QUEUE, queue="q1"),
            ),
        ]
    )
    both = AgentProfile(agent_id="a", memberships=(Membership(queue="q1"), Membership(queue="q2")))
    router.log_in(both, now=T0)
    router.set_not_ready("a", NotReadyReason.BREAK, now=at(1))
    router.enqueue("c1", "q1", now=at(5))
    router.enqueue("c2", "q2", now=at(6))
    router.log_out("a", now=at(10))
    return router


def test_a_cycle_of_empty_queues_stops_and_keeps_the_contacts() -> None:
    """At t=70 each contact goes round q1 -> q2 -> q1 (or back) once and stays where it began."""
    router = cycle_router()
    assert router.tick(now=at(70)).events == (
        overflowed(70, "c1", "q1", "q2"),
        queued(70, "c1", "q2"),
        overflowed(70, "c1", "q2", "q1"),
        queued(70, "c1", "q1"),
        overflowed(70, "c2", "q2", "q1"),
        queued(70, "c2", "q1"),
        overflowed(70, "c2", "q1", "q2"),
        queued(70, "c2", "q2"),
    )
    assert (router.line("q1"), router.line("q2")) == (("c1",), ("c2",))
    assert router.tick(now=at(5000)) == RouterUpdate()
    offers = router.log_in(member("z", "q1"), now=at(5001)).offers
    assert [(offer.contact_id, offer.queue) for offer in offers] == [("c1", "q1")]


def test_a_new_contact_in_a_cycle_of_empty_queues_stops_where_it_joined() -> None:
    """c3 joins q1 at t=100, past both deadlines: it goes to q2 and back, and waits in q1."""
    router = cycle_router()
    router.tick(now=at(70))
    assert router.enqueue("c3", "q1", now=at(100)).events == (
        queued(100, "c3", "q1"),
        overflowed(100, "c3", "q1", "q2"),
        queued(100, "c3", "q2"),
        overflowed(100, "c3", "q2", "q1"),
        queued(100, "c3", "q1"),
    )
    assert router.line("q1") == ("c1", "c3")


def test_bounced_back_to_a_staffed_queue_a_contact_keeps_its_place() -> None:
    """q1 (staffed, max_wait 30 s) to a closed q2 that overflows back: c1 returns ahead of c2."""
    router = Router(
        [
            QueueConfig(
                name="q1",
                max_wait=HALF,
                overflow=Overflow(action=OverflowAction.QUEUE, queue="q2"),
            ),
            QueueConfig(
                name="q2",
                join_when_empty=False,
                overflow=Overflow(action=OverflowAction.QUEUE, queue="q1"),
            ),
        ]
    )
    router.log_in(member("a", "q1"), now=T0, ready=False)
    router.enqueue("c1", "q1", now=at(0))
    router.enqueue("c2", "q1", now=at(5))
    assert router.tick(now=at(30)).events == (
        overflowed(30, "c1", "q1", "q2"),
        queued(30, "c1", "q2"),
        overflowed(30, "c1", "q2", "q1"),
        queued(30, "c1", "q1"),
    )
    assert router.line("q1") == ("c1", "c2")
    assert router.contact("c1").arrived == at(0)
    # c2's max_wait ends at t=35; c1's starts over in q1, so its next round trip is at t=60
    assert [event.at for event in of_type(router.tick(now=at(60)), ContactOverflowed)] == [
        at(35),
        at(35),
        at(60),
        at(60),
    ]


def test_a_long_chain_of_refusing_queues_does_not_recurse() -> None:
    """2,000 closed queues in a ring back to q0: one overflow walks them all and returns to q0."""
    count = 2000
    names = [f"q{number}" for number in range(count)]
    queues = [
        QueueConfig(
            name=name,
            join_when_empty=number == 0,
            max_wait=HALF if number == 0 else None,
            overflow=Overflow(action=OverflowAction.QUEUE, queue=names[(number + 1) % count]),
        )
        for number, name in enumerate(names)
    ]
    router = Router(queues)
    router.log_in(member("a", "q0"), now=T0, ready=False)
    router.enqueue("c1", "q0", now=at(0))
    update = router.tick(now=at(30))
    hops = [(event.queue, event.to_queue) for event in of_type(update, ContactOverflowed)]
    assert hops == [(name, names[(number + 1) % count]) for number, name in enumerate(names)]
    assert router.contact("c1").queue == "q0"


def escalating_router(general: QueueConfig) -> Router:
    """``french`` moves a contact to ``general`` after 30 s; ``general`` emptied at t=1.

    c1 joins ``french`` at t=40 and is moved at t=70.
    """
    french = QueueConfig(
        name="french", escalation=(QueueEscalation(after=HALF, to_queue="general"),)
    )
    router = Router([french, general])
    router.log_in(member("g", "general"), now=T0, ready=False)
    router.log_out("g", now=at(1))
    router.enqueue("c1", "french", now=at(40))
    return router


def test_escalation_into_an_empty_queue_past_its_deadline_goes_on() -> None:
    """General empty since t=1 (deadline t=61): c1 escalated in at t=70 leaves for voicemail."""
    router = escalating_router(QueueConfig(name="general", max_wait_empty=MINUTE))
    assert router.tick(now=at(70)).events == (
        ContactEscalated(at=at(70), contact_id="c1", queue="french", stage=1),
        queued(70, "c1", "general"),
        overflowed(70, "c1", "general"),
    )
    assert router.contact_ids() == ()


def test_escalation_into_a_closed_queue_that_overflows_back_returns_the_contact() -> None:
    """General refuses and overflows to french: c1 comes back to french with its rules reset."""
    general = QueueConfig(
        name="general",
        join_when_empty=False,
        overflow=Overflow(action=OverflowAction.QUEUE, queue="french"),
    )
    router = escalating_router(general)
    assert router.tick(now=at(70)).events == (
        ContactEscalated(at=at(70), contact_id="c1", queue="french", stage=1),
        queued(70, "c1", "general"),
        overflowed(70, "c1", "general", "french"),
        queued(70, "c1", "french"),
    )
    assert router.contact("c1").stage == 0
    assert router.line("french") == ("c1",)


def test_a_callback_request_moved_into_an_empty_queue_stays_there() -> None:
    """A callback needs no caller on hold: escalated into the emptied general, it waits there."""
    router = escalating_router(QueueConfig(name="general", max_wait_empty=MINUTE))
    router.request_callback("c1", now=at(41))
    update = router.tick(now=at(70))
    assert update.events == (
        ContactEscalated(at=at(70), contact_id="c1", queue="french", stage=1),
        queued(70, "c1", "general"),
    )
    assert router.tick(now=at(5000)) == RouterUpdate()
    assert router.contact("c1").queue == "general"


@pytest.mark.parametrize("save_at", [69, 70, 80])
def test_restore_before_or_after_a_cascade_behaves_identically(save_at: float) -> None:
    """A twin restored from JSON at t=69, 70 or 80 gives the same updates as the original."""
    router = cycle_router()
    router.tick(now=at(save_at))
    twin = through_json(router)
    assert router.tick(now=at(90)) == twin.tick(now=at(90))
    late = [router.enqueue("c3", "q2", now=at(100)), twin.enqueue("c3", "q2", now=at(100))]
    assert late[0] == late[1]
    assert [event.queue for event in of_type(late[0], ContactQueued)] == ["q2", "q1", "q2"]
    profile = member("z", "q2")
    assert router.log_in(profile, now=at(101)) == twin.log_in(profile, now=at(101))
    assert dumps(router.snapshot()) == dumps(twin.snapshot())
