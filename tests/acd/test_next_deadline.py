"""``Router.next_deadline``: the earliest instant a timer falls due, checked against the state.

The reference computes the deadline from a snapshot alone (offers' expiry,
wrap-up and delay ends, each waiting contact's next escalation rule and
``max_wait``, each empty queue's ``max_wait_empty``), never from the router's
timer heap. The stateful test drives routers at random and checks, after every
step, that the router agrees with the reference (and a router restored from its
snapshot too), that a ``tick`` at any instant before the deadline changes
nothing, and that a ``tick`` at the deadline does something or moves the
deadline later.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

import attrs
from hypothesis import strategies as st
from hypothesis.stateful import invariant, precondition, rule

from callcore.acd import (
    AgentProfile,
    ContactStatus,
    EmptyCondition,
    Membership,
    NotReadyReason,
    Overflow,
    OverflowAction,
    QueueConfig,
    QueueEscalation,
    Router,
    RouterSnapshot,
)
from callcore.serialization import to_dict
from tests.acd.strategies import T0, at
from tests.acd.test_invariants import RING_COUNTS, RouterMachine, queue_configs

if TYPE_CHECKING:
    from callcore.acd import RouterUpdate

SECOND = timedelta(seconds=1)
TICK = timedelta(microseconds=1)


def member_delays(snapshot: RouterSnapshot) -> dict[str, set[timedelta]]:
    """The non-zero ``Membership.delay`` values of each queue's logged-in members."""
    delays: dict[str, set[timedelta]] = {}
    for agent in snapshot.agents:
        if agent.logged_in:
            for member in agent.profile.memberships:
                if member.delay:
                    delays.setdefault(member.queue, set()).add(member.delay)
    return delays


def reference_deadline(snapshot: RouterSnapshot) -> datetime | None:
    """The earliest due time of the work a snapshot's router set itself, from the state alone."""
    configs = {config.name: config for config in snapshot.queues}
    dues: list[datetime] = []
    for agent in snapshot.agents:
        dues += [due for due in (agent.wrap_until, agent.delay_until) if due is not None]
    delays = member_delays(snapshot)
    for contact in snapshot.contacts:
        if contact.status is ContactStatus.CONNECTED:
            continue
        dues += [offer.expires_at for offer in contact.offers]
        assert snapshot.now is not None
        # when its wait reaches a member's delay (Membership.delay)
        dues += [
            contact.joined + delay
            for delay in delays.get(contact.queue, ())
            if contact.joined + delay > snapshot.now
        ]
        if contact.target_until is not None:  # waiting for a named agent (a transfer)
            dues.append(contact.target_until)
        config = configs[contact.queue]
        if contact.stage < len(config.escalation):
            dues.append(contact.joined + config.escalation[contact.stage].after)
        if config.max_wait is not None and not contact.callback:
            dues.append(contact.joined + config.max_wait)
    for name, since in [*snapshot.empty_since.items(), *snapshot.unstaffed_since.items()]:
        config = configs[name]
        wait = config.max_wait_empty
        # a leave_when_empty queue sends contacts on at once: it never waits for its clock
        if wait is not None and not config.leave_when_empty:
            assert snapshot.now is not None
            if since + wait > snapshot.now:
                dues.append(since + wait)
    return min(dues, default=None)


def state_of(router: Router) -> dict[str, Any]:
    """The router's whole state as plain data, without the time it has seen."""
    data = to_dict(router.snapshot())
    assert isinstance(data, dict)
    del data["now"]
    return data


def deadline_configs(strategy: str, ring_count: int | None = 1) -> list[QueueConfig]:
    """The invariant test's queues, with a rule due at arrival and a leave-when-empty queue.

    Sales counts as empty while its members are all paused or in wrap-up (its
    ``max_wait_empty`` clock runs then), support while they are all paused or
    ringing (its waiting contacts go on at once).
    """
    sales, support, closed = queue_configs(strategy, ring_count=ring_count)
    return [
        attrs.evolve(
            sales,
            escalation=(QueueEscalation(after=timedelta(0), max_tier=2), *sales.escalation),
            empty_when=frozenset({EmptyCondition.PAUSED, EmptyCondition.WRAP_UP}),
        ),
        attrs.evolve(
            support,
            leave_when_empty=True,
            empty_when=frozenset({EmptyCondition.PAUSED, EmptyCondition.RINGING}),
        ),
        attrs.evolve(
            closed,
            join_when_empty=True,
            leave_when_empty=True,
            overflow=Overflow(action=OverflowAction.CALLBACK),
        ),
    ]


class DeadlineMachine(RouterMachine):
    """The invariant test's machine, which also ticks at and before the router's deadline."""

    @precondition(lambda self: self.router is None)
    @rule(
        strategy=st.sampled_from(("longest_idle", "round_robin", "random", "ring_all")),
        seed=st.integers(0, 9),
        variant=st.booleans(),
        ring_count=RING_COUNTS,
    )
    def start(self, strategy: str, seed: int, variant: bool, ring_count: int | None = 1) -> None:
        """Build the router (the invariant test's queues, or this test's variant of them)."""
        configs = (
            deadline_configs(strategy, ring_count)
            if variant
            else queue_configs(strategy, ring_count=ring_count)
        )
        self.router = Router(configs, seed=seed)

    def time_seen(self) -> datetime:
        """The router's time (the clock this machine keeps may lag behind a deadline tick)."""
        return self.live.now or T0

    def catch_up(self) -> None:
        """Keep this machine's clock (seconds after T0) at or after the router's time."""
        self.clock = max(self.clock, (self.time_seen() - T0) / SECOND)

    @precondition(lambda self: self.router is not None)
    @rule(share=st.floats(0, 1, exclude_max=True))
    def tick_before_the_deadline(self, share: float) -> None:
        """A tick at any instant before the deadline changes nothing but the router's time."""
        router = self.live
        deadline = router.next_deadline()
        now = self.time_seen()
        if deadline is None:
            target = now + timedelta(days=3) * share
        elif deadline > now:
            target = min(now + (deadline - now) * share, deadline - TICK)
        else:
            return
        before = state_of(router)
        update = router.tick(now=target)
        assert update.events == ()
        assert update.offers == update.ended_offers == ()
        assert state_of(router) == before
        assert router.next_deadline() == deadline
        self.catch_up()

    @precondition(lambda self: self.router is not None and self.live.next_deadline() is not None)
    @rule()
    def tick_at_the_deadline(self) -> None:
        """A tick at the deadline does something, or the deadline moves later."""
        router = self.live
        deadline = router.next_deadline()
        assert deadline is not None
        before = state_of(router)
        captured: list[RouterUpdate] = []

        def call() -> RouterUpdate:
            captured.append(router.tick(now=deadline))
            return captured[0]

        self.step(call)
        following = router.next_deadline()
        assert (
            captured[0].events
            or state_of(router) != before
            or following is None
            or following > deadline
        )
        assert following is None or following > deadline
        self.catch_up()

    @invariant()
    def the_deadline_is_the_reference(self) -> None:
        """The router, and a router restored from its snapshot, report the reference deadline."""
        if self.router is None:
            return
        snapshot = self.live.snapshot()
        expected = reference_deadline(snapshot)
        assert self.live.next_deadline() == expected
        assert Router.restore(snapshot).next_deadline() == expected
        if expected is not None:
            assert expected >= self.time_seen()


TestNextDeadline = DeadlineMachine.TestCase
TestNextDeadline.settings = RouterMachine.TestCase.settings


# --- hand-worked cases ----------------------------------------------------------------


def one(agent_id: str, queue: str = "q") -> AgentProfile:
    """An agent in one queue."""
    return AgentProfile(agent_id=agent_id, memberships=(Membership(queue=queue),))


def test_a_router_with_nothing_to_do_has_no_deadline() -> None:
    """No contact, no agent: nothing is due; a tick far ahead changes nothing."""
    router = Router([QueueConfig(name="q")])
    assert router.next_deadline() is None
    router.log_in(one("a"), now=T0)
    assert router.next_deadline() is None
    assert router.tick(now=at(10**6)).events == ()


def test_an_offer_is_due_when_it_expires_and_not_once_accepted() -> None:
    """A ringing offer sets the deadline; once accepted its timer no longer counts."""
    router = Router([QueueConfig(name="q", offer_timeout=timedelta(seconds=15))])
    router.log_in(one("a"), now=T0)
    router.enqueue("c", "q", now=at(1))
    assert router.next_deadline() == at(16)
    router.accept("c", "a", now=at(2))
    assert router.next_deadline() is None


def test_wrap_up_delay_and_max_wait_each_set_the_deadline() -> None:
    """The earliest of a wrap-up end, a reject delay and a waiting contact's max_wait."""
    router = Router(
        [
            QueueConfig(
                name="q",
                wrap_up=timedelta(seconds=30),
                reject_delay=timedelta(seconds=50),
                max_wait=timedelta(seconds=100),
            )
        ]
    )
    router.log_in(one("a"), now=T0)
    router.log_in(one("b"), now=T0)
    router.enqueue("c1", "q", now=at(0))  # offered to a (longest idle, then id)
    router.accept("c1", "a", now=at(1))
    router.end("c1", now=at(10))  # a wraps up until 40
    assert router.next_deadline() == at(40)
    router.enqueue("c2", "q", now=at(20))  # offered to b
    router.decline("c2", "b", now=at(21))  # b rests until 71; c2 waits until 120
    assert router.next_deadline() == at(40)
    update = router.tick(now=at(40))  # a is back and takes c2
    assert [offer.agent_id for offer in update.offers] == ["a"]
    assert router.next_deadline() == at(55)  # the new offer expires (15 s)


def test_an_escalation_rule_sets_the_deadline_and_one_due_at_arrival_is_due_now() -> None:
    """Rules fall due one after another; a rule with ``after=0`` is due at the arrival itself."""
    rules = (
        QueueEscalation(after=timedelta(0), max_tier=2),
        QueueEscalation(after=timedelta(seconds=60), max_tier=3),
    )
    router = Router([QueueConfig(name="q", max_tier=1, escalation=rules)])
    router.enqueue("c", "q", now=at(5))
    assert router.next_deadline() == at(5)
    router.tick(now=at(5))
    assert router.contact("c").stage == 1
    assert router.next_deadline() == at(65)


def test_an_empty_queue_is_due_at_its_max_wait_empty() -> None:
    """The last member logs out: the queue's empty clock is due after ``max_wait_empty``."""
    router = Router(
        [QueueConfig(name="q", max_wait_empty=timedelta(seconds=90)), QueueConfig(name="r")]
    )
    router.log_in(one("a"), now=T0)
    router.set_not_ready("a", NotReadyReason.BREAK, now=at(1))
    router.enqueue("c", "q", now=at(2))
    router.log_out("a", now=at(10))
    assert router.next_deadline() == at(100)
    update = router.tick(now=at(100))
    assert [event.kind for event in update.events] == ["acd.contact_overflowed"]
    assert router.next_deadline() is None


def test_a_restored_leave_when_empty_queue_sets_no_empty_clock() -> None:
    """A queue that lets nobody wait while empty never waits for its ``max_wait_empty``.

    The original router sets no timer for it; a router restored from its
    snapshot did (and would have overflowed contacts the original keeps).
    """
    router = Router(
        [
            QueueConfig(
                name="q",
                leave_when_empty=True,
                max_wait_empty=timedelta(seconds=60),
                overflow=Overflow(action=OverflowAction.CALLBACK),
            )
        ]
    )
    router.log_in(one("a"), now=T0)
    router.log_out("a", now=at(1))
    router.enqueue("c", "q", now=at(2))  # overflows at once: a callback request that stays
    assert router.contact("c").callback
    snapshot = router.snapshot()
    assert snapshot.empty_since == {"q": at(1)}
    assert router.next_deadline() is None
    assert Router.restore(snapshot).next_deadline() is None


def test_a_timer_due_at_the_instant_runs_before_the_next_call() -> None:
    """A contact sent back into a queue whose rule is due at once escalates on the next call.

    The hand-worked trace behind a dev-profile failure: support (leave-when-empty)
    loses its last agent at 09:05 and sends its contact back to sales, whose
    first rule has ``after=0``; that rule is due at 09:05 and runs first in the
    next call at 09:05, here a removal, before the removal's own event.
    """
    router = Router(deadline_configs("longest_idle"), seed=0)
    router.enqueue("c0", "sales", now=T0, skills={"en": 1})
    both = AgentProfile(
        agent_id="a0", memberships=(Membership(queue="sales"), Membership(queue="support"))
    )
    router.log_in(both, now=T0)
    assert router.tick(now=at(60)).events[0].__class__.__name__ == "ContactEscalated"
    moved = router.tick(now=at(300)).events
    assert [type(event).__name__ for event in moved] == ["ContactOverflowed", "ContactQueued"]
    back = router.log_out("a0", now=at(300)).events
    assert [type(event).__name__ for event in back] == [
        "ContactOverflowed",
        "ContactQueued",
        "AgentStateChanged",
    ]
    assert router.next_deadline() == at(300)  # sales' ``after=0`` rule, due at this instant
    removed = router.remove_agent("a0", now=at(300)).events
    assert [type(event).__name__ for event in removed] == ["ContactEscalated", "AgentRemoved"]
    assert router.next_deadline() == at(360)


def test_an_empty_queue_clock_survives_a_deadline_read_between_log_ins() -> None:
    """Out, in, out at one instant, with the deadline read in between: the empty clock still runs.

    Reading the deadline drops the timer the log-in made stale; the second
    log-out must set it again (a dev-profile failure: no deadline at all).
    """
    router = Router([QueueConfig(name="q", max_wait_empty=timedelta(seconds=90))])
    router.log_in(one("a"), now=T0)
    router.log_out("a", now=T0)
    router.log_in(one("a"), now=T0)
    assert router.next_deadline() is None
    router.log_out("a", now=T0)
    assert router.next_deadline() == at(90)
    assert Router.restore(router.snapshot()).next_deadline() == at(90)
