"""Per-queue delay in the agent's membership (issue 12, queue preference per agent).

``Membership.delay`` follows Amazon Connect's routing-profile queue *delay*: a
contact of that queue is offered to the agent only once it has waited that
long in the queue. The wait counts from when the contact entered the queue
(the clock of ``max_wait`` and escalation rules): a contact whose offer timed
out keeps it, one moved by overflow, escalation or transfer, a resumed caller
and a callback joining its queue start it afresh. Each scenario below is worked
by hand, with the instants written out.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from callcore.acd import (
    AgentProfile,
    ContactStatus,
    Membership,
    Overflow,
    OverflowAction,
    QueueConfig,
    QueueEscalation,
    Router,
    RouterSnapshot,
    RouterUpdate,
)
from callcore.errors import DocumentError, InvalidInputError
from callcore.serialization import dumps, from_dict, loads, to_dict
from tests.acd.strategies import T0

S = timedelta(seconds=1)


def agent(agent_id: str, *members: Membership, **skills: int) -> AgentProfile:
    """An agent with the given memberships (and skills)."""
    return AgentProfile(agent_id=agent_id, skills=skills, memberships=members)


def offered(update: RouterUpdate) -> list[tuple[str, str]]:
    """``(contact, agent)`` of each offer made by an update."""
    return [(offer.contact_id, offer.agent_id) for offer in update.offers]


def ticks(router: Router, start: datetime, end: datetime) -> list[tuple[datetime, str, str]]:
    """Step through the router's deadlines up to ``end``: each offer with its instant."""
    made: list[tuple[datetime, str, str]] = []
    router.tick(now=start)
    while True:
        deadline = router.next_deadline()
        if deadline is None or deadline > end:
            router.tick(now=end)
            return made
        made.extend((deadline, *pair) for pair in offered(router.tick(now=deadline)))


def test_a_contact_rings_the_delayed_agent_once_it_has_waited_the_delay() -> None:
    """Connect's example: Support with delay 30 s; a caller waits 30 s, then rings."""
    router = Router([QueueConfig(name="sales"), QueueConfig(name="support")])
    router.log_in(
        agent(
            "ana",
            Membership(queue="sales"),
            Membership(queue="support", delay=30 * S),
        ),
        now=T0,
    )
    assert offered(router.enqueue("k", "support", now=T0)) == []
    assert router.next_deadline() == T0 + 30 * S
    assert offered(router.tick(now=T0 + 29 * S)) == []
    assert offered(router.tick(now=T0 + 30 * S)) == [("k", "ana")]
    # a sales caller has no delay: it rings at once (once ana is free again)
    router.decline("k", "ana", now=T0 + 31 * S)
    assert offered(router.enqueue("s", "sales", now=T0 + 32 * S)) == []  # ana rings k again


def test_the_undelayed_agent_takes_it_though_the_delayed_one_waited_longer() -> None:
    """longest_idle: ``old`` is idle longest, but its delay keeps it out of the first 20 s."""
    router = Router([QueueConfig(name="q")])
    router.log_in(agent("old", Membership(queue="q", delay=20 * S)), now=T0)
    router.log_in(agent("new", Membership(queue="q")), now=T0 + S)
    assert offered(router.enqueue("k1", "q", now=T0 + 2 * S)) == [("k1", "new")]
    router.accept("k1", "new", now=T0 + 2 * S)
    # k2 waits: new rings, old only after 20 s
    assert offered(router.enqueue("k2", "q", now=T0 + 3 * S)) == []
    assert ticks(router, T0 + 3 * S, T0 + 30 * S) == [(T0 + 23 * S, "k2", "old")]


def test_a_freed_agent_skips_the_first_in_line_when_it_has_not_waited_the_delay() -> None:
    """The line's first contact (high priority, arrived later) is not yet eligible: the next is.

    ``b`` (delay 20 s) comes free at +25 s: ``hi`` (priority 5, arrived +10 s)
    has waited 15 s, ``lo`` (priority 0, arrived at 0) 25 s, so ``b`` takes
    ``lo``; ``hi`` would ring ``b`` at +30 s, but ``b`` is busy by then.
    """
    router = Router([QueueConfig(name="q")])
    router.log_in(agent("b", Membership(queue="q", delay=20 * S)), now=T0, ready=False)
    router.enqueue("lo", "q", now=T0)
    router.enqueue("hi", "q", now=T0 + 10 * S, priority=5)
    assert offered(router.set_ready("b", now=T0 + 25 * S)) == [("lo", "b")]
    router.accept("lo", "b", now=T0 + 26 * S)
    assert ticks(router, T0 + 26 * S, T0 + 60 * S) == []
    assert router.contact("hi").status is ContactStatus.WAITING
    assert offered(router.end("lo", now=T0 + 61 * S)) == [("hi", "b")]


def test_a_freed_agent_takes_an_eligible_contact_of_another_queue() -> None:
    """The first in the global order is in a delayed queue: the other queue's contact goes."""
    router = Router([QueueConfig(name="p"), QueueConfig(name="q")])
    router.log_in(
        agent("a", Membership(queue="p", delay=60 * S), Membership(queue="q")),
        now=T0,
        ready=False,
    )
    router.enqueue("first", "p", now=T0)
    router.enqueue("second", "q", now=T0 + S)
    assert offered(router.set_ready("a", now=T0 + 10 * S)) == [("second", "a")]


def test_a_returning_contact_keeps_its_wait() -> None:
    """An offer that timed out does not restart the clock: the contact never left the queue.

    ``k`` rings ``x`` from 0 to 15 s; ``y`` (delay 10 s) may take it from
    10 s, so when the ring ends at 15 s (x in its no-answer delay) it rings
    ``y`` at once, not at 25 s.
    """
    router = Router([QueueConfig(name="q", offer_timeout=15 * S)])
    router.log_in(agent("x", Membership(queue="q")), now=T0)
    router.log_in(agent("y", Membership(queue="q", delay=10 * S)), now=T0)
    assert offered(router.enqueue("k", "q", now=T0)) == [("k", "x")]
    assert ticks(router, T0, T0 + 20 * S) == [(T0 + 15 * S, "k", "y")]


def test_a_contact_moved_by_overflow_waits_the_delay_in_its_new_queue() -> None:
    """Moved from q1 at +20 s, it rings the delayed member of q2 at +30 s (not at +20 s)."""
    router = Router(
        [
            QueueConfig(
                name="q1",
                max_wait=20 * S,
                overflow=Overflow(action=OverflowAction.QUEUE, queue="q2"),
            ),
            QueueConfig(name="q2", offer_timeout=60 * S),
        ]
    )
    router.log_in(agent("y", Membership(queue="q2", delay=10 * S)), now=T0)
    router.enqueue("k", "q1", now=T0)
    assert ticks(router, T0, T0 + 60 * S) == [(T0 + 30 * S, "k", "y")]


def test_an_escalation_rule_and_delays_combine() -> None:
    """A rule opens tier 2 at 11 s: the tier-2 agent whose delay (5 s) ran out rings then.

    ``k`` arrives at 1 s. ``t2b`` (tier 2, delay 5 s) has been eligible by
    its delay since 6 s and by its tier from the rule at 11 s; ``t2`` (tier 2,
    delay 15 s, idle longer) not before 16 s: ``t2b`` rings at 11 s.
    """
    router = Router(
        [QueueConfig(name="q", max_tier=1, escalation=(QueueEscalation(after=10 * S, max_tier=2),))]
    )
    router.log_in(agent("t2", Membership(queue="q", tier=2, delay=15 * S)), now=T0)
    router.log_in(agent("t2b", Membership(queue="q", tier=2, delay=5 * S)), now=T0)
    router.enqueue("k", "q", now=T0 + S)
    assert ticks(router, T0 + S, T0 + 20 * S) == [(T0 + 11 * S, "k", "t2b")]


def test_an_escalation_to_a_delayed_tier() -> None:
    """The rule opens tier 2 at +10 s, but the tier-2 agent's delay is 15 s: it rings at +15 s."""
    router = Router(
        [QueueConfig(name="q", max_tier=1, escalation=(QueueEscalation(after=10 * S, max_tier=2),))]
    )
    router.log_in(agent("t2", Membership(queue="q", tier=2, delay=15 * S)), now=T0)
    router.enqueue("k", "q", now=T0)
    assert ticks(router, T0, T0 + 30 * S) == [(T0 + 15 * S, "k", "t2")]


def test_ring_count_two_adds_the_delayed_agent_when_its_delay_runs_out() -> None:
    """Ringing two at once: ``a`` at 0 s, ``b`` (delay 10 s) joins the ring at 10 s."""
    router = Router([QueueConfig(name="q", ring_count=2, offer_timeout=60 * S)])
    router.log_in(agent("a", Membership(queue="q")), now=T0)
    router.log_in(agent("b", Membership(queue="q", delay=10 * S)), now=T0)
    assert offered(router.enqueue("k", "q", now=T0)) == [("k", "a")]
    assert ticks(router, T0, T0 + 20 * S) == [(T0 + 10 * S, "k", "b")]


def test_ring_all_rings_only_the_agents_whose_delay_ran_out() -> None:
    """ring_all: the undelayed agent at 0 s; the delayed one is not rung before 10 s."""
    router = Router([QueueConfig(name="q", strategy="ring_all", offer_timeout=5 * S)])
    router.log_in(agent("a", Membership(queue="q")), now=T0)
    router.log_in(agent("b", Membership(queue="q", delay=10 * S)), now=T0)
    assert offered(router.enqueue("k", "q", now=T0)) == [("k", "a")]
    router.decline("k", "a", now=T0 + S)  # a in its reject delay (0): rung again at once
    made = ticks(router, T0 + S, T0 + 12 * S)
    assert all(agent_id == "a" for time, _, agent_id in made if time < T0 + 10 * S)
    assert any(agent_id == "b" for _, _, agent_id in made)


@pytest.mark.parametrize("strategy", ["random", "weighted_random"])
@pytest.mark.parametrize("seed", range(5))
def test_random_strategies_never_draw_an_agent_still_in_its_delay(strategy: str, seed: int) -> None:
    """The undelayed agent is the only one a random decision may draw before 100 s."""
    router = Router([QueueConfig(name="q", strategy=strategy)], seed=seed)
    for name in ("d1", "d2", "d3"):
        router.log_in(agent(name, Membership(queue="q", delay=100 * S)), now=T0)
    router.log_in(agent("a", Membership(queue="q")), now=T0)
    for number in range(5):
        at = T0 + number * S
        assert offered(router.enqueue(f"k{number}", "q", now=at)) == (
            [(f"k{number}", "a")] if number == 0 else []
        )
    router.accept("k0", "a", now=T0 + 4 * S)
    # a busy with k0: the others ring the delayed agents at 100 s after their arrival
    made = ticks(router, T0 + 4 * S, T0 + 200 * S)
    assert [(time - T0, contact) for time, contact, _ in made[:3]] == [
        (101 * S, "k1"),
        (102 * S, "k2"),
        (103 * S, "k3"),
    ]


def preferring_p_with_a_delay() -> Router:
    """Queues p and q; ``a`` (not ready) prefers p, where its delay is 30 s, to q."""
    router = Router([QueueConfig(name="p"), QueueConfig(name="q")])
    router.log_in(
        agent(
            "a",
            Membership(queue="p", preference=1, delay=30 * S),
            Membership(queue="q", preference=2),
        ),
        now=T0,
        ready=False,
    )
    return router


def test_a_not_yet_eligible_preferred_contact_does_not_pass_the_agent_over() -> None:
    """Preference counts among eligible contacts only (Connect: delay, then priority).

    ``a`` prefers p (delay 30 s) to q. ``D`` waits in p from 0 s, ``C`` in q
    from 1 s; ``a`` comes free at 5 s: ``D`` does not want ``a`` yet, so ``a``
    takes ``C``.
    """
    router = preferring_p_with_a_delay()
    router.enqueue("D", "p", now=T0)
    router.enqueue("C", "q", now=T0 + S)
    assert offered(router.set_ready("a", now=T0 + 5 * S)) == [("C", "a")]


def test_an_eligible_preferred_contact_goes_first() -> None:
    """At 40 s both wait and both are eligible: the preferred queue's contact goes."""
    router = preferring_p_with_a_delay()
    router.enqueue("C", "q", now=T0)
    router.enqueue("D", "p", now=T0 + S)
    assert offered(router.set_ready("a", now=T0 + 40 * S)) == [("D", "a")]


def test_a_contact_transferred_to_a_queue_waits_the_delay_from_the_transfer() -> None:
    """Answered in q1, transferred to q2 at 50 s: the delayed q2 agent rings at 60 s."""
    router = Router([QueueConfig(name="q1"), QueueConfig(name="q2")])
    router.log_in(agent("x", Membership(queue="q1")), now=T0)
    router.log_in(agent("y", Membership(queue="q2", delay=10 * S)), now=T0)
    router.enqueue("k", "q1", now=T0)
    router.accept("k", "x", now=T0 + S)
    assert offered(router.transfer("k", now=T0 + 50 * S, to_queue="q2")) == []
    assert ticks(router, T0 + 50 * S, T0 + 70 * S) == [(T0 + 60 * S, "k", "y")]


def test_a_transfer_to_an_agent_by_name_ignores_the_delay() -> None:
    """Connect's agent queues have zero delay: a contact sent to ``y`` by name rings it at once."""
    router = Router([QueueConfig(name="q1"), QueueConfig(name="q2")])
    router.log_in(agent("x", Membership(queue="q1")), now=T0)
    router.log_in(agent("y", Membership(queue="q2", delay=10 * S)), now=T0)
    router.enqueue("k", "q1", now=T0)
    router.accept("k", "x", now=T0 + S)
    assert offered(router.transfer("k", now=T0 + 50 * S, to_queue="q2", to_agent="y")) == [
        ("k", "y")
    ]


def test_a_scheduled_callback_waits_the_delay_from_when_it_joins() -> None:
    """A callback due at 100 s joins its queue then, and rings the delayed agent at 110 s."""
    router = Router([QueueConfig(name="q")])
    router.log_in(agent("y", Membership(queue="q", delay=10 * S)), now=T0)
    router.schedule_callback("cb", "q", now=T0, at=T0 + 100 * S)
    assert ticks(router, T0, T0 + 120 * S) == [(T0 + 110 * S, "cb", "y")]


def test_a_resumed_caller_waits_the_delay_from_its_return() -> None:
    """Abandoned at 5 s, back at 8 s (keeping its place): the delay counts from 8 s."""
    router = Router([QueueConfig(name="q", resume_abandoned=60 * S)])
    router.log_in(agent("y", Membership(queue="q", delay=10 * S)), now=T0)
    router.enqueue("k", "q", now=T0)
    router.abandon("k", now=T0 + 5 * S)
    router.enqueue("k", "q", now=T0 + 8 * S)
    assert ticks(router, T0 + 8 * S, T0 + 30 * S) == [(T0 + 18 * S, "k", "y")]


def test_an_agent_logging_in_sets_the_timers_of_contacts_already_waiting() -> None:
    """Contacts waiting since 0 s; at 5 s ``y`` (delay 10 s) and ``z`` (delay 3 s) log in.

    ``z`` may take the first at once; ``y`` takes the second at 10 s.
    """
    router = Router([QueueConfig(name="q")])
    router.enqueue("k1", "q", now=T0)
    router.enqueue("k2", "q", now=T0 + S)
    assert (
        offered(router.log_in(agent("y", Membership(queue="q", delay=10 * S)), now=T0 + 5 * S))
        == []
    )
    assert offered(
        router.log_in(agent("z", Membership(queue="q", delay=3 * S)), now=T0 + 5 * S)
    ) == [("k1", "z")]
    assert router.next_deadline() == T0 + 10 * S
    assert ticks(router, T0 + 5 * S, T0 + 20 * S) == [(T0 + 11 * S, "k2", "y")]


def test_a_queue_staffed_only_by_delayed_members_is_not_empty() -> None:
    """``join_when_empty=False``: a delayed member staffs the queue; the caller waits its delay."""
    router = Router([QueueConfig(name="q", join_when_empty=False)])
    router.log_in(agent("y", Membership(queue="q", delay=10 * S)), now=T0)
    update = router.enqueue("k", "q", now=T0)
    assert router.contact("k").status is ContactStatus.WAITING
    assert offered(update) == []
    assert ticks(router, T0, T0 + 20 * S) == [(T0 + 10 * S, "k", "y")]


def test_the_delay_timer_survives_a_restart() -> None:
    """A snapshot taken mid-delay: the restored router has the same deadline and offer."""
    router = Router([QueueConfig(name="q")])
    router.log_in(agent("y", Membership(queue="q", delay=10 * S)), now=T0)
    router.enqueue("k", "q", now=T0)
    router.tick(now=T0 + 4 * S)
    restored = Router.restore(loads(RouterSnapshot, dumps(router.snapshot())))
    assert restored.next_deadline() == T0 + 10 * S
    assert offered(restored.tick(now=T0 + 10 * S)) == [("k", "y")]
    assert restored.agent("y").profile.memberships[0].delay == 10 * S


def test_an_old_snapshot_without_delays_loads_with_zero_delays() -> None:
    """A snapshot written before the field existed (no ``delay`` key) restores with delay 0."""
    router = Router([QueueConfig(name="q")])
    router.log_in(agent("y", Membership(queue="q")), now=T0)
    router.enqueue("k", "q", now=T0)
    document = to_dict(router.snapshot())
    removed = 0
    for record in document["agents"]:
        for membership in record["profile"]["memberships"]:
            if "delay" in membership:
                del membership["delay"]
                removed += 1
    assert removed == 1
    restored = Router.restore(from_dict(RouterSnapshot, document))
    assert restored.agent("y").profile.memberships[0].delay == timedelta(0)
    assert restored.snapshot() == router.snapshot()


def test_a_delay_from_the_accepted_range_can_be_added_to_any_instant() -> None:
    """The longest delay (100 years) near the end of 2999 sets a timer without overflow."""
    router = Router([QueueConfig(name="q")])
    late = datetime(2999, 12, 31, tzinfo=T0.tzinfo)
    router.log_in(agent("y", Membership(queue="q", delay=timedelta(days=36525))), now=late)
    router.enqueue("k", "q", now=late)
    assert router.next_deadline() == late + timedelta(days=36525)


@pytest.mark.parametrize(
    "bad",
    [
        timedelta(seconds=-1),
        timedelta(days=36526),
        5,
        5.0,
        None,
        "PT5S",
        True,
    ],
)
def test_a_bad_delay_is_refused_naming_the_field(bad: object) -> None:
    """Negative, above 100 years, or not a timedelta: ``InvalidInputError(field="delay")``."""
    with pytest.raises(InvalidInputError) as raised:
        Membership(queue="q", delay=bad)  # type: ignore[arg-type]
    assert raised.value.field == "delay"


def test_a_refused_profile_changes_nothing() -> None:
    """A membership with a bad delay is never built: the router never sees it."""
    router = Router([QueueConfig(name="q")])
    router.enqueue("k", "q", now=T0)
    before = dumps(router.snapshot())
    with pytest.raises(InvalidInputError):
        router.log_in(agent("y", Membership(queue="q", delay=-S)), now=T0 + S)
    assert dumps(router.snapshot()) == before
    assert router.next_deadline() is None


def test_an_accept_at_the_instant_the_delay_runs_out_is_checked_after_the_timer() -> None:
    """The host accepts at 10 s without a tick: the delay's timer makes the offer first.

    A check that a due timer may change is made on the state after the timers
    (see docs/acd/checks.md); the offer it makes at 10 s is the one accepted.
    """
    router = Router([QueueConfig(name="q")])
    router.log_in(agent("y", Membership(queue="q", delay=10 * S)), now=T0)
    router.enqueue("k", "q", now=T0)
    update = router.accept("k", "y", now=T0 + 10 * S)
    assert offered(update) == [("k", "y")]
    assert router.contact("k").status is ContactStatus.CONNECTED


@pytest.mark.parametrize("bad", [-5, 36526 * 86400, "5", None])
def test_a_snapshot_document_with_a_bad_delay_is_refused_with_its_path(bad: object) -> None:
    """A saved document's delay is checked as it is read: the problem names its place."""
    router = Router([QueueConfig(name="q")])
    router.log_in(agent("y", Membership(queue="q", delay=5 * S)), now=T0)
    document = to_dict(router.snapshot())
    assert document["agents"][0]["profile"]["memberships"][0]["delay"] == 5
    document["agents"][0]["profile"]["memberships"][0]["delay"] = bad
    with pytest.raises(DocumentError) as raised:
        from_dict(RouterSnapshot, document)
    assert "agents[0].profile.memberships[0].delay" in str(raised.value)
