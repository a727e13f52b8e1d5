"""Hand-worked overflow scenarios: max wait, max wait with no agent, join and leave when empty."""

from __future__ import annotations

from datetime import timedelta

from callcore.acd import (
    AgentState,
    AgentStateChanged,
    ContactOffered,
    ContactOverflowed,
    ContactQueued,
    ContactRejected,
    NotReadyReason,
    Offer,
    OfferEnded,
    OfferEndReason,
    Overflow,
    OverflowAction,
    QueueConfig,
    RejectReason,
    Router,
    RouterUpdate,
)
from callcore.contacts import Channel
from tests.acd.scenarios import member
from tests.acd.strategies import T0, at

MINUTE = timedelta(seconds=60)


def emptied_router(overflow: Overflow) -> Router:
    """Queue ``q`` (max_wait_empty 60 s) and ``backup``; c1 (t=5) and c2 (t=8) wait in q.

    The only member of ``q`` goes on break at t=1 and logs out at t=10, so the
    queue is empty from t=10 and its contacts overflow at t=70.
    """
    router = Router(
        [
            QueueConfig(name="q", max_wait_empty=MINUTE, overflow=overflow),
            QueueConfig(name="backup"),
        ]
    )
    router.log_in(member("a", "q"), now=T0)
    router.set_not_ready("a", NotReadyReason.BREAK, now=at(1))
    router.enqueue("c1", "q", now=at(5))
    router.enqueue("b0", "backup", now=at(6))
    router.enqueue("c2", "q", now=at(8))
    router.log_out("a", now=at(10))
    return router


def test_max_wait_empty_overflows_to_another_queue_keeping_arrival() -> None:
    """Empty from t=10 with max_wait_empty 60 s: at t=70 both move to backup in arrival order."""
    router = emptied_router(Overflow(action=OverflowAction.QUEUE, queue="backup"))
    assert router.tick(now=at(69)) == RouterUpdate()
    update = router.tick(now=at(75))
    assert update.events == (
        ContactOverflowed(
            at=at(70), contact_id="c1", queue="q", action=OverflowAction.QUEUE, to_queue="backup"
        ),
        ContactQueued(at=at(70), contact_id="c1", queue="backup", priority=0),
        ContactOverflowed(
            at=at(70), contact_id="c2", queue="q", action=OverflowAction.QUEUE, to_queue="backup"
        ),
        ContactQueued(at=at(70), contact_id="c2", queue="backup", priority=0),
    )
    assert router.line("q") == ()
    assert router.line("backup") == ("c1", "b0", "c2")
    assert router.contact("c1").arrived == at(5)


def test_max_wait_empty_overflows_to_voicemail() -> None:
    """At t=70 both waiting contacts leave the router for voicemail."""
    router = emptied_router(Overflow(action=OverflowAction.VOICEMAIL))
    update = router.tick(now=at(70))
    assert update.events == (
        ContactOverflowed(at=at(70), contact_id="c1", queue="q", action=OverflowAction.VOICEMAIL),
        ContactOverflowed(at=at(70), contact_id="c2", queue="q", action=OverflowAction.VOICEMAIL),
    )
    assert router.contact_ids() == ("b0",)


def test_max_wait_empty_overflows_to_callback_keeping_place() -> None:
    """At t=70 both become callbacks in place; an agent logging in at t=100 calls c1 back."""
    router = emptied_router(Overflow(action=OverflowAction.CALLBACK))
    update = router.tick(now=at(70))
    assert update.events == (
        ContactOverflowed(at=at(70), contact_id="c1", queue="q", action=OverflowAction.CALLBACK),
        ContactOverflowed(at=at(70), contact_id="c2", queue="q", action=OverflowAction.CALLBACK),
    )
    assert router.line("q") == ("c1", "c2")
    assert [router.contact(c).callback for c in ("c1", "c2")] == [True, True]
    assert router.tick(now=at(99)) == RouterUpdate()
    update = router.log_in(member("z", "q"), now=at(100))
    assert update.offers == (
        Offer(
            contact_id="c1",
            agent_id="z",
            queue="q",
            channel=Channel.VOICE,
            offered_at=at(100),
            expires_at=at(115),
            callback=True,
            offer_id="offer-1",
        ),
    )


def test_max_wait_empty_restarts_when_an_agent_logs_in_meanwhile() -> None:
    """Empty at t=10, staffed t=40..50, empty again: the overflow comes at t=110, not t=70."""
    router = emptied_router(Overflow(action=OverflowAction.VOICEMAIL))
    router.log_in(member("a", "q"), now=at(40), ready=False)
    router.log_out("a", now=at(50))
    assert router.tick(now=at(109)) == RouterUpdate()
    update = router.tick(now=at(110))
    assert [(e.contact_id, e.at) for e in update.events if isinstance(e, ContactOverflowed)] == [
        ("c1", at(110)),
        ("c2", at(110)),
    ]


def test_max_wait_empty_overflows_a_contact_arriving_after_the_deadline() -> None:
    """Empty since t=10 (deadline t=70): a contact arriving at t=100 overflows at once."""
    router = emptied_router(Overflow(action=OverflowAction.VOICEMAIL))
    router.tick(now=at(70))
    update = router.enqueue("late", "q", now=at(100))
    assert update.events == (
        ContactQueued(at=at(100), contact_id="late", queue="q", priority=0),
        ContactOverflowed(
            at=at(100), contact_id="late", queue="q", action=OverflowAction.VOICEMAIL
        ),
    )
    assert router.contact_ids() == ("b0",)


def test_max_wait_overflows_to_voicemail_withdrawing_a_ringing_offer() -> None:
    """max_wait 30 s: c1 ringing since t=0 leaves at t=30; the freed agent gets c2 at t=30."""
    router = Router(
        [
            QueueConfig(
                name="q",
                max_wait=timedelta(seconds=30),
                offer_timeout=MINUTE,
                overflow=Overflow(action=OverflowAction.VOICEMAIL),
            )
        ]
    )
    router.log_in(member("a", "q"), now=T0)
    (first,) = router.enqueue("c1", "q", now=at(0)).offers
    router.enqueue("c2", "q", now=at(5))
    assert router.tick(now=at(29)) == RouterUpdate()
    update = router.tick(now=at(31))
    second = Offer(
        contact_id="c2",
        agent_id="a",
        queue="q",
        channel=Channel.VOICE,
        offered_at=at(30),
        expires_at=at(90),
        offer_id="offer-2",
    )
    assert update.events == (  # the offer ends before the contact leaves (issue 12)
        OfferEnded(at=at(30), offer=first, reason=OfferEndReason.WITHDRAWN),
        ContactOverflowed(at=at(30), contact_id="c1", queue="q", action=OverflowAction.VOICEMAIL),
        ContactOffered(at=at(30), offer=second),
    )
    assert update.ended_offers == (first,)
    assert router.contact_ids() == ("c2",)


def test_max_wait_overflows_to_callback_once() -> None:
    """Callback overflow after max_wait 30 s: c1 turns callback at t=30, never overflows again."""
    router = Router(
        [
            QueueConfig(
                name="q",
                max_wait=timedelta(seconds=30),
                overflow=Overflow(action=OverflowAction.CALLBACK),
            )
        ]
    )
    router.enqueue("c1", "q", now=at(0))
    router.enqueue("c2", "q", now=at(10))
    update = router.tick(now=at(35))
    assert update.events == (
        ContactOverflowed(at=at(30), contact_id="c1", queue="q", action=OverflowAction.CALLBACK),
    )
    assert router.contact("c1").callback
    assert [e.at for e in router.tick(now=at(1000)).events] == [at(40)]
    assert router.line("q") == ("c1", "c2")


def test_join_when_empty_false_counts_logged_in_members_only() -> None:
    """Refused with no member logged in, taken while one is on break, refused after log-out."""
    router = Router([QueueConfig(name="q", join_when_empty=False)])
    assert router.enqueue("c1", "q", now=at(0)).events == (
        ContactRejected(at=at(0), contact_id="c1", queue="q", reason=RejectReason.NO_AGENTS),
    )
    router.log_in(member("a", "q"), now=at(1), ready=False)
    assert router.enqueue("c1", "q", now=at(2)).events == (
        ContactQueued(at=at(2), contact_id="c1", queue="q", priority=0),
    )
    router.log_out("a", now=at(3))
    assert router.enqueue("c2", "q", now=at(4)).events == (
        ContactRejected(at=at(4), contact_id="c2", queue="q", reason=RejectReason.NO_AGENTS),
    )
    assert router.contact_ids() == ("c1",)


def test_join_when_empty_true_accepts_with_nobody_logged_in() -> None:
    """By default a queue with no agent at all still takes the contact."""
    router = Router([QueueConfig(name="q")])
    assert router.enqueue("c1", "q", now=at(0)).events == (
        ContactQueued(at=at(0), contact_id="c1", queue="q", priority=0),
    )
    assert router.line("q") == ("c1",)


def leaving_router() -> Router:
    """Queue ``q`` with ``leave_when_empty``, overflowing to ``backup``."""
    return Router(
        [
            QueueConfig(
                name="q",
                leave_when_empty=True,
                overflow=Overflow(action=OverflowAction.QUEUE, queue="backup"),
            ),
            QueueConfig(name="backup"),
        ]
    )


def test_leave_when_empty_overflows_when_the_last_member_leaves() -> None:
    """First log-out: nothing; the last moves c2 (priority 1) then c1; callback c3 stays."""
    router = leaving_router()
    router.log_in(member("a", "q"), now=T0, ready=False)
    router.log_in(member("b", "q"), now=T0, ready=False)
    router.enqueue("c1", "q", now=at(1))
    router.enqueue("c2", "q", now=at(2), priority=1)
    router.enqueue("c3", "q", now=at(3))
    router.request_callback("c3", now=at(4))
    assert router.log_out("a", now=at(5)).events == (
        AgentStateChanged(at=at(5), agent_id="a", state=AgentState.LOGGED_OUT),
    )
    update = router.log_out("b", now=at(6))
    assert update.events == (
        ContactOverflowed(
            at=at(6), contact_id="c2", queue="q", action=OverflowAction.QUEUE, to_queue="backup"
        ),
        ContactQueued(at=at(6), contact_id="c2", queue="backup", priority=1),
        ContactOverflowed(
            at=at(6), contact_id="c1", queue="q", action=OverflowAction.QUEUE, to_queue="backup"
        ),
        ContactQueued(at=at(6), contact_id="c1", queue="backup", priority=0),
        AgentStateChanged(at=at(6), agent_id="b", state=AgentState.LOGGED_OUT),
    )
    assert router.line("backup") == ("c2", "c1")
    assert router.line("q") == ("c3",)


def test_max_length_counts_ringing_contacts_and_frees_on_answer() -> None:
    """max_length 2: c3 is refused while c1 rings and c2 waits, and admitted once c1 is answered."""
    router = Router([QueueConfig(name="q", max_length=2)])
    router.log_in(member("a", "q"), now=T0)
    router.enqueue("c1", "q", now=at(1))
    router.enqueue("c2", "q", now=at(2))
    assert router.enqueue("c3", "q", now=at(3)) == RouterUpdate(
        events=(
            ContactRejected(at=at(3), contact_id="c3", queue="q", reason=RejectReason.QUEUE_FULL),
        )
    )
    assert router.contact_ids() == ("c1", "c2")
    router.accept("c1", "a", now=at(4))
    assert router.enqueue("c3", "q", now=at(5)).events == (
        ContactQueued(at=at(5), contact_id="c3", queue="q", priority=0),
    )
    assert router.line("q") == ("c2", "c3")


def test_a_never_staffed_queue_starts_its_empty_clock_at_its_first_contact() -> None:
    """No agent ever logged in: c1 (t=5) and c2 (t=30) leave for voicemail at t=65."""
    router = Router(
        [
            QueueConfig(
                name="q",
                max_wait_empty=MINUTE,
                overflow=Overflow(action=OverflowAction.VOICEMAIL),
            )
        ]
    )
    router.enqueue("c1", "q", now=at(5))
    router.enqueue("c2", "q", now=at(30))
    assert router.tick(now=at(64)) == RouterUpdate()
    update = router.tick(now=at(65))
    assert update.events == (
        ContactOverflowed(
            at=at(65), contact_id="c1", queue="q", action=OverflowAction.VOICEMAIL, to_queue=None
        ),
        ContactOverflowed(
            at=at(65), contact_id="c2", queue="q", action=OverflowAction.VOICEMAIL, to_queue=None
        ),
    )
    assert router.contact_ids() == ()
    late = router.enqueue("c3", "q", now=at(90))  # the queue is still empty past its deadline
    assert [type(event) for event in late.events] == [ContactQueued, ContactOverflowed]


def test_leave_when_empty_sends_a_new_contact_on_while_nobody_is_logged_in() -> None:
    """Nobody in q (which lets contacts join): c1 is queued, then overflows to backup at once."""
    router = leaving_router()
    assert router.enqueue("c1", "q", now=at(3)).events == (
        ContactQueued(at=at(3), contact_id="c1", queue="q", priority=0),
        ContactOverflowed(
            at=at(3), contact_id="c1", queue="q", action=OverflowAction.QUEUE, to_queue="backup"
        ),
        ContactQueued(at=at(3), contact_id="c1", queue="backup", priority=0),
    )
    assert (router.line("q"), router.line("backup")) == ((), ("c1",))
    router.log_in(member("a", "q"), now=at(4))
    router.enqueue("c2", "q", now=at(5))
    assert router.contact("c2").queue == "q"  # staffed again: contacts stay


def test_leave_when_empty_sends_a_moved_contact_on() -> None:
    """c1 overflows from q (max_wait 30 s) into unstaffed, leave_when_empty q2: on to voicemail."""
    router = Router(
        [
            QueueConfig(
                name="q",
                max_wait=timedelta(seconds=30),
                overflow=Overflow(action=OverflowAction.QUEUE, queue="q2"),
            ),
            QueueConfig(name="q2", leave_when_empty=True),
        ]
    )
    router.log_in(member("a", "q"), now=T0, ready=False)
    router.enqueue("c1", "q", now=at(0))
    assert router.tick(now=at(30)).events == (
        ContactOverflowed(
            at=at(30), contact_id="c1", queue="q", action=OverflowAction.QUEUE, to_queue="q2"
        ),
        ContactQueued(at=at(30), contact_id="c1", queue="q2", priority=0),
        ContactOverflowed(
            at=at(30), contact_id="c1", queue="q2", action=OverflowAction.VOICEMAIL, to_queue=None
        ),
    )
    assert router.contact_ids() == ()
