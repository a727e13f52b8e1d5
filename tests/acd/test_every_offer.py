"""Every offer, on every path, is the strategy's choice for the first contact in the global order.

Issue 12: freed agents and returning contacts used to pick among the waiting
contacts in agent-id order, bypassing the strategy and the tiers. These tests
check each offer against a brute-force scan (:class:`tests.acd.strategies.OfferWatch`),
with zero delays (the default, where a contact comes back at the instant its
offer ends) and with delays, and pin the cases of the issue by hand.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from callcore.acd import (
    BUILTIN_STRATEGIES,
    AgentProfile,
    Membership,
    NotReadyReason,
    QueueConfig,
    QueueEscalation,
    Router,
)
from tests.acd.strategies import QUEUES, T0, OfferWatch, at, delays, profiles

S = timedelta(seconds=1)

few_skills = st.dictionaries(st.sampled_from(("en", "fr")), st.integers(1, 5), max_size=1)
"""What a contact needs: agents below often have it, so several agents compete."""


@st.composite
def team_member(draw: st.DrawFn, agent_id: str) -> AgentProfile:
    """An agent likely to be eligible with others: two skills, tiers 1-2, one or both queues."""
    names = draw(st.sampled_from([QUEUES, QUEUES[:1], QUEUES[1:]]))
    return AgentProfile(
        agent_id=agent_id,
        skills=draw(st.dictionaries(st.sampled_from(("en", "fr")), st.integers(3, 10))),
        memberships=tuple(
            Membership(
                queue=name,
                tier=draw(st.integers(1, 2)),
                position=draw(st.integers(0, 3)),
                weight=draw(st.sampled_from((0.5, 1.0, 3.0))),
                preference=draw(st.sampled_from((1, 2))),
                delay=draw(delays),
            )
            for name in names
        ),
    )


operations = st.lists(
    st.one_of(
        st.tuples(st.just("enqueue"), st.sampled_from(QUEUES), few_skills, st.integers(0, 2)),
        st.tuples(st.just("accept"), st.integers(0, 50)),
        st.tuples(st.just("decline"), st.integers(0, 50)),
        st.tuples(st.just("miss"), st.integers(0, 50)),
        st.tuples(st.just("end"), st.integers(0, 50)),
        st.just(("end_all",)),
        st.tuples(st.just("pause"), st.integers(0, 50)),
        st.tuples(st.just("ready"), st.integers(0, 50)),
        st.tuples(st.just("wait"), st.sampled_from([1, 5, 10, 20])),
    ),
    min_size=15,
    max_size=40,
)


def make_router(strategy: str, *, delays: bool, ring_count: int | None = 1) -> Router:
    """Two queues with ``strategy``, wrap-up, tiers widened after 15 s; zero delays or not.

    A contact rings ``ring_count`` agents at once.
    """
    delay = 30 * S if delays else timedelta(0)
    return Router(
        [
            QueueConfig(
                name=name,
                strategy=strategy,
                offer_timeout=10 * S,
                wrap_up=5 * S,
                reject_delay=delay,
                no_answer_delay=delay,
                max_tier=1 if name == "sales" else None,
                escalation=(QueueEscalation(after=15 * S, max_tier=3),) if name == "sales" else (),
                ring_count=ring_count,
            )
            for name in QUEUES
        ],
        seed=7,
    )


def step(router: Router, op: tuple[Any, ...], number: int, now: datetime) -> None:
    """Run one operation at ``now`` (one that does not apply is skipped)."""
    offers = sorted((c, a) for c in router.contact_ids() for a in router.contact(c).offered_to)
    connected = sorted(c for c in router.contact_ids() if router.contact(c).agent_id)
    kind = op[0]
    if kind == "enqueue":
        router.enqueue(f"c{number}", op[1], now=now, skills=dict(op[2]), priority=op[3])
    elif kind in {"accept", "decline", "miss"} and offers:
        contact_id, agent_id = offers[op[1] % len(offers)]
        call = {"accept": router.accept, "decline": router.decline, "miss": router.time_out}
        call[kind](contact_id, agent_id, now=now)
    elif kind == "end" and connected:
        router.end(connected[op[1] % len(connected)], now=now)
    elif kind == "end_all":  # wrap-ups that end in the same second
        for contact_id in connected:
            router.end(contact_id, now=now)
    elif kind in {"pause", "ready"}:
        agents = sorted(router.agent_ids())
        agent = router._agents[agents[op[1] % len(agents)]]
        if kind == "pause" and agent.not_ready is None:
            router.set_not_ready(agent.agent_id, NotReadyReason.BREAK, now=now)
        elif kind == "ready" and (agent.not_ready or agent.wrap_until):
            router.set_ready(agent.agent_id, now=now)


def drive(router: Router, ops: list[tuple[Any, ...]]) -> None:
    """Run the operations, ticking at every deadline on the way when time passes."""
    clock = 0
    for number, op in enumerate(ops):
        if op[0] == "wait":
            clock += op[1]
            while (due := router.next_deadline()) is not None and due < at(clock):
                router.tick(now=due)
            router.tick(now=at(clock))
        else:
            step(router, op, number, at(clock))


@pytest.mark.parametrize("ring_count", [1, 2, None], ids=["ring_one", "ring_two", "ring_every"])
@pytest.mark.parametrize("delays", [False, True], ids=["zero_delays", "delays"])
@pytest.mark.parametrize("strategy", sorted(BUILTIN_STRATEGIES))
@settings(max_examples=30)
@given(data=st.data(), ops=operations)
def test_every_offer_matches_brute_force(
    strategy: str,
    *,
    delays: bool,
    ring_count: int | None,
    data: st.DataObject,
    ops: list[tuple[Any, ...]],
) -> None:
    """New, returning, freed and escalated: each offer is the scan's, in the global order.

    With ``ring_count`` above one, a contact rings that many agents (the
    strategy's first ones), and one whose ring ended takes the next.
    """
    router = make_router(strategy, delays=delays, ring_count=ring_count)
    watch = OfferWatch(router)
    for number in range(data.draw(st.integers(1, 6))):
        if data.draw(st.booleans()):  # a team that competes for the same contacts
            router.log_in(data.draw(team_member(f"a{number}")), now=T0)
        else:  # or any profile: several channels, many skills
            router.log_in(data.draw(profiles(f"a{number}")), now=T0)
    drive(router, ops)
    watch.done()


# --- the cases of the issue, by hand ---------------------------------------------


def agent(agent_id: str, *, tier: int = 1, position: int = 0) -> AgentProfile:
    """An agent of queue ``q``."""
    return AgentProfile(
        agent_id=agent_id, memberships=(Membership(queue="q", tier=tier, position=position),)
    )


def one_queue(strategy: str = "longest_idle", **options: Any) -> Router:
    """A router with queue ``q``, a 10 s offer timeout and zero delays (the defaults)."""
    options.setdefault("no_answer_delay", timedelta(0))
    options.setdefault("max_no_answer", 0)
    return Router([QueueConfig(name="q", strategy=strategy, offer_timeout=10 * S, **options)])


def test_a_timed_out_contact_goes_to_the_lower_tier_first() -> None:
    """The issue's example: after the time-out, tier 1 ("low") rings, not "high" again."""
    router = one_queue()
    router.log_in(agent("low", tier=1), now=T0, ready=False)
    router.log_in(agent("high", tier=2), now=T0)
    assert [o.agent_id for o in router.enqueue("k", "q", now=T0).offers] == ["high"]
    router.set_ready("low", now=T0 + S)
    assert [o.agent_id for o in router.tick(now=T0 + 11 * S).offers] == ["low"]


def test_ring_all_rings_everyone_again_after_a_time_out() -> None:
    """Ring all keeps ringing every eligible agent after the first cycle."""
    router = one_queue("ring_all")
    for agent_id in "ab":
        router.log_in(agent(agent_id), now=T0)
    assert len(router.enqueue("k", "q", now=T0).offers) == 2
    assert sorted(o.agent_id for o in router.tick(now=T0 + 10 * S).offers) == ["a", "b"]


def test_ring_all_rings_everyone_again_after_all_reject() -> None:
    """After every agent rejected, the contact rings all of them again, not one."""
    router = one_queue("ring_all")
    for agent_id in "ab":
        router.log_in(agent(agent_id), now=T0)
    router.enqueue("k", "q", now=T0)
    router.decline("k", "a", now=T0 + S)
    update = router.decline("k", "b", now=T0 + 2 * S)
    assert sorted(o.agent_id for o in update.offers) == ["a", "b"]


@pytest.mark.parametrize("strategy", ["top_down", "round_robin"])
def test_a_missed_offer_moves_on_to_the_next_agent(strategy: str) -> None:
    """Top-down and round robin ring the next agent after a miss, not the one who missed."""
    router = one_queue(strategy)
    for position, agent_id in enumerate("abc"):
        router.log_in(agent(agent_id, position=position), now=T0)
    assert [o.agent_id for o in router.enqueue("k", "q", now=T0).offers] == ["a"]
    assert [o.agent_id for o in router.tick(now=T0 + 10 * S).offers] == ["b"]
    assert [o.agent_id for o in router.decline("k", "b", now=T0 + 11 * S).offers] == ["c"]


def test_simultaneous_wrap_up_ends_go_to_the_lower_tier() -> None:
    """Two wrap-ups end in one second: tier 1 ("z") gets the call, not the alphabetically first."""
    router = one_queue(wrap_up=5 * S)
    router.log_in(agent("a", tier=2), now=T0)
    router.log_in(agent("z", tier=1), now=T0)
    for number, agent_id in enumerate(("z", "a")):
        (offer,) = router.enqueue(f"x{number}", "q", now=T0).offers
        assert offer.agent_id == agent_id
        router.accept(offer.contact_id, agent_id, now=T0)
    for contact_id in ("x0", "x1"):  # both wrap-ups end at 6 s
        router.end(contact_id, now=T0 + S)
    router.enqueue("k", "q", now=T0 + 2 * S)
    assert [o.agent_id for o in router.tick(now=T0 + 6 * S).offers] == ["z"]


def test_simultaneous_wrap_up_ends_go_to_the_longest_idle() -> None:
    """Two wrap-ups end in one second: "z", idle since its call ended first, gets the call."""
    router = Router(
        [
            QueueConfig(name="q", offer_timeout=10 * S, wrap_up=5 * S),
            QueueConfig(name="r", offer_timeout=10 * S, wrap_up=3 * S),
        ]
    )
    router.log_in(agent("z"), now=T0)
    router.log_in(
        AgentProfile(agent_id="a", memberships=(Membership(queue="q"), Membership(queue="r"))),
        now=T0,
    )
    for contact_id, queue, agent_id in (("y", "r", "a"), ("x", "q", "z")):
        (offer,) = router.enqueue(contact_id, queue, now=T0).offers
        assert offer.agent_id == agent_id
        router.accept(contact_id, agent_id, now=T0)
    router.end("x", now=T0 + S)  # z: idle since 1 s, wrap-up until 6 s
    router.end("y", now=T0 + 3 * S)  # a: idle since 3 s, wrap-up until 6 s
    router.enqueue("k", "q", now=T0 + 4 * S)
    assert [o.agent_id for o in router.tick(now=T0 + 6 * S).offers] == ["z"]


def test_an_escalation_is_not_overridden_by_a_returning_higher_tier() -> None:
    """A rule makes tier 1 eligible as a tier-2 agent comes back: tier 1 takes the contact."""
    router = Router(
        [
            QueueConfig(
                name="q",
                offer_timeout=10 * S,
                required_skills={"fr": 6},
                escalation=(QueueEscalation(after=10 * S, skill_minimums={"fr": 2}),),
            )
        ]
    )
    router.log_in(
        AgentProfile(agent_id="a1", skills={"fr": 3}, memberships=(Membership(queue="q"),)),
        now=T0,
    )
    router.log_in(
        AgentProfile(agent_id="b2", skills={"fr": 9}, memberships=(Membership(queue="q", tier=2),)),
        now=T0,
    )
    assert [o.agent_id for o in router.enqueue("k", "q", now=T0).offers] == ["b2"]
    # at 10 s the offer to b2 times out and the rule lowers the minimum: a1 (tier 1) first
    assert [o.agent_id for o in router.tick(now=T0 + 10 * S).offers] == ["a1"]
