"""Every strategy's choice equals a brute-force scan of every agent, on random states."""

from __future__ import annotations

from collections import Counter
from datetime import timedelta
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from callcore.acd import (
    BUILTIN_STRATEGIES,
    CAPABILITIES,
    AgentProfile,
    AgentStats,
    Membership,
    NotReadyReason,
    QueueConfig,
    Rank,
    Router,
    Strategy,
    StrategyMemory,
)
from callcore.acd._live import Contact
from callcore.errors import InvalidInputError
from tests.acd.strategies import QUEUES, T0, at, contact_skills, profiles, reference_choice

STRATEGY_NAMES = sorted(BUILTIN_STRATEGIES)

operations = st.lists(
    st.one_of(
        st.tuples(st.just("enqueue"), st.sampled_from(QUEUES), contact_skills, st.integers(0, 2)),
        st.tuples(st.just("accept"), st.integers(0, 50)),
        st.tuples(st.just("end"), st.integers(0, 50)),
        st.tuples(st.just("pause"), st.integers(0, 50)),
        st.tuples(st.just("ready"), st.integers(0, 50)),
        st.tuples(st.just("decline"), st.integers(0, 50)),
        st.tuples(st.just("wait"), st.integers(1, 40)),
    ),
    max_size=30,
)


def plugin_copies() -> dict[str, Strategy]:
    """Every built-in strategy as a plugin that declares no capability.

    Each is a subclass that defines ``rank`` again (the built-in's), so it gets
    the capabilities' defaults, not its parent's: the router takes its generic
    path (a rank per skill set, entries holding the rank as a tuple, draws for
    every agent).
    """
    return {
        name: type(
            f"Plugin{type(strategy).__name__}", (type(strategy),), {"rank": type(strategy).rank}
        )()
        for name, strategy in BUILTIN_STRATEGIES.items()
    }


def declared_copies() -> dict[str, Strategy]:
    """Every built-in strategy as a plugin of its own that declares the built-in's capabilities.

    A new class, not a subclass of the built-in: it subclasses ``Strategy`` and
    sets ``reads_draw``, ``skill_blind``, ``static_rank``, ``fixed_length`` and
    ``level_sum`` as the built-in does, so the router takes the fast paths for it.
    """
    copies: dict[str, Strategy] = {}
    for name, strategy in BUILTIN_STRATEGIES.items():
        namespace: dict[str, object] = {
            capability: getattr(strategy, capability) for capability in CAPABILITIES
        }
        namespace |= {
            "ring_all": strategy.ring_all,
            "memory": strategy.memory,
            "rank": type(strategy).rank,
        }
        copies[name] = type(f"Declared{type(strategy).__name__}", (Strategy,), namespace)()
    return copies


PLUGINS = {"builtin": None, "plugin": plugin_copies, "declared": declared_copies}


def make_router(strategy: str, *, plugin: str = "builtin") -> Router:
    """Two queues with the strategy; declines delay the agent so retries move on."""
    copies = PLUGINS[plugin]
    return Router(
        [
            QueueConfig(
                name=name,
                strategy=strategy,
                reject_delay=timedelta(seconds=30),
                wrap_up=timedelta(seconds=5),
            )
            for name in QUEUES
        ],
        seed=7,
        strategies=None if copies is None else copies(),
    )


def test_the_copies_take_the_paths_their_capabilities_say() -> None:
    """A plugin declaring nothing gets the safe defaults; one declaring them, the fast paths."""
    for name, builtin in BUILTIN_STRATEGIES.items():
        declared = {capability: getattr(builtin, capability) for capability in CAPABILITIES}
        for plugin, expected in (
            ("builtin", declared),
            ("plugin", CAPABILITIES),
            ("declared", declared),
        ):
            queue = make_router(name, plugin=plugin)._queues[QUEUES[0]]
            seen = {
                "reads_draw": queue.draws,
                "skill_blind": queue.skill_blind,
                "static_rank": queue.static_rank,
                "fixed_length": queue.flat,
                "level_sum": queue.level_sum,
                "uniform_draw": queue.sampling and not queue.weighted,
                "weighted_draw": queue.weighted,
            }
            assert seen == dict(expected), (name, plugin)


def apply(
    router: Router, ops: list[tuple[Any, ...]], clock: list[float], prefix: str = "c"
) -> None:
    """Drive the router through random operations, skipping those that do not apply.

    New contacts are named ``prefix`` and their operation's number, so two runs
    on one router need two prefixes.
    """
    for number, op in enumerate(ops):
        now = at(clock[0])
        offers = sorted((c, a) for c in router.contact_ids() for a in router.contact(c).offered_to)
        connected = sorted(c for c in router.contact_ids() if router.contact(c).agent_id)
        agents = sorted(router.agent_ids())
        kind = op[0]
        if kind == "enqueue":
            _, queue, skills, priority = op
            router.enqueue(
                f"{prefix}{number}",
                str(queue),
                now=now,
                skills=dict(skills),
                priority=int(priority),
            )
        elif kind in {"accept", "decline"} and offers:
            contact_id, agent_id = offers[int(op[1]) % len(offers)]
            if kind == "accept":
                router.accept(contact_id, agent_id, now=now)
            else:
                router.decline(contact_id, agent_id, now=now)
        elif kind == "end" and connected:
            router.end(connected[int(op[1]) % len(connected)], now=now)
        elif kind in {"pause", "ready"}:
            agent = router._agents[agents[int(op[1]) % len(agents)]]
            if kind == "pause" and agent.not_ready is None:
                router.set_not_ready(agent.agent_id, NotReadyReason.BREAK, now=now)
            elif kind == "ready" and (agent.not_ready or agent.wrap_until):
                router.set_ready(agent.agent_id, now=now)
        elif kind == "wait":
            clock[0] += int(op[1])
            router.tick(now=at(clock[0]))


@pytest.mark.parametrize("plugin", sorted(PLUGINS))
@pytest.mark.parametrize("strategy", STRATEGY_NAMES)
@settings(max_examples=40)
@given(data=st.data(), ops=operations)
def test_choice_matches_brute_force(
    strategy: str, plugin: str, data: st.DataObject, ops: list[tuple[Any, ...]]
) -> None:
    """A new contact goes to the agent(s) a full scan picks, and so does its retry."""
    router = make_router(strategy, plugin=plugin)
    count = data.draw(st.integers(1, 8))
    for number in range(count):
        router.log_in(data.draw(profiles(f"a{number}")), now=T0)
    clock = [0.0]
    apply(router, ops, clock)
    now = at(clock[0] + 1)
    router.tick(now=now)
    queue = data.draw(st.sampled_from(QUEUES))
    skills = data.draw(contact_skills)
    config = router._queues[queue].config
    probe = Contact(
        contact_id="probe",
        queue=queue,
        priority=0,
        skills=skills,
        arrived=now,
        joined=now,
        seq=0,
        channel=config.channel,
        channel_key=config.channel.value,
        language="",
        requirement=router._queues[queue].requirement(skills, 0),
    )
    expected = reference_choice(router, probe)
    update = router.enqueue("probe", queue, now=now, skills=skills)
    assert [offer.agent_id for offer in update.offers] == expected
    if len(expected) == 1:
        contact = router._contacts["probe"]
        contact.last_tried = expected[0]  # what the decline below records
        retry = reference_choice(router, contact, ringing=())  # as once it is declined
        update = router.decline("probe", expected[0], now=now)
        assert [offer.agent_id for offer in update.offers] == retry


def run_rounds(router: Router, rounds: int) -> Counter[str]:
    """Offer, answer and end one contact per round; count who got each."""
    counts: Counter[str] = Counter()
    for number in range(rounds):
        now = at(number * 10)
        (offer,) = router.enqueue(f"c{number}", "q", now=now).offers
        counts[offer.agent_id] += 1
        router.accept(offer.contact_id, offer.agent_id, now=now)
        router.end(offer.contact_id, now=at(number * 10 + 5))
    return counts


def test_weighted_random_follows_weights() -> None:
    """Weights 1:2:3 give shares close to 1/6, 2/6, 3/6 over 6,000 contacts (seeded)."""
    router = Router([QueueConfig(name="q", strategy="weighted_random")], seed=3)
    for agent_id, weight in (("a", 1.0), ("b", 2.0), ("c", 3.0)):
        member = Membership(queue="q", weight=weight)
        router.log_in(AgentProfile(agent_id=agent_id, memberships=(member,)), now=T0)
    counts = run_rounds(router, 6000)
    # binomial standard deviation at n=6000 is at most 39; allow 4 of them
    assert abs(counts["a"] - 1000) < 160
    assert abs(counts["b"] - 2000) < 160
    assert abs(counts["c"] - 3000) < 160


def test_random_is_uniform_and_reproducible() -> None:
    """Four agents share 4,000 contacts evenly, and a second run with the seed is identical."""
    counts = []
    for _ in range(2):
        router = Router([QueueConfig(name="q", strategy="random")], seed=11)
        for agent_id in "abcd":
            router.log_in(
                AgentProfile(agent_id=agent_id, memberships=(Membership(queue="q"),)), now=T0
            )
        counts.append(run_rounds(router, 4000))
    assert counts[0] == counts[1]
    assert all(abs(count - 1000) < 120 for count in counts[0].values())


def test_round_robin_cycles_by_position() -> None:
    """Round robin goes b, c, a, b... (positions 1, 2, 0) remembering the last agent."""
    router = Router([QueueConfig(name="q", strategy="round_robin")])
    for agent_id, position in (("a", 0), ("b", 1), ("c", 2)):
        member = Membership(queue="q", position=position)
        router.log_in(AgentProfile(agent_id=agent_id, memberships=(member,)), now=T0)
    counts = []
    for number in range(6):
        now = at(number * 10)
        (offer,) = router.enqueue(f"c{number}", "q", now=now).offers
        counts.append(offer.agent_id)
        router.accept(offer.contact_id, offer.agent_id, now=now)
        router.end(offer.contact_id, now=now)
    assert counts == ["a", "b", "c", "a", "b", "c"]


def test_linear_always_starts_at_the_first() -> None:
    """Linear offers every contact to position 0 while it is free."""
    router = Router([QueueConfig(name="q", strategy="linear")])
    for agent_id, position in (("a", 0), ("b", 1)):
        member = Membership(queue="q", position=position)
        router.log_in(AgentProfile(agent_id=agent_id, memberships=(member,)), now=T0)
    assert run_rounds(router, 3) == Counter({"a": 3})


@pytest.mark.parametrize(("strategy", "draws"), [("longest_idle", False), ("random", True)])
def test_only_strategies_that_read_the_draw_use_the_random_stream(
    strategy: str, *, draws: bool
) -> None:
    """Agents in draw-free queues leave the seeded stream as it was; random ones use it."""
    fresh = Router([QueueConfig(name="q", strategy=strategy)], seed=5).snapshot().random_state
    router = Router([QueueConfig(name="q", strategy=strategy)], seed=5)
    for agent_id in "ab":
        router.log_in(AgentProfile(agent_id=agent_id, memberships=(Membership(queue="q"),)), now=T0)
    run_rounds(router, 10)
    assert (router.snapshot().random_state != fresh) is draws


class Undeclared:
    """A strategy object that does not subclass ``Strategy``: read with the defaults."""

    ring_all = False
    memory = StrategyMemory.NONE

    def rank(self, agent: AgentStats, membership: Membership, skills: frozenset[str]) -> Rank:
        """Rank by position."""
        return (membership.position,)


def test_a_strategy_that_declares_nothing_is_read_with_the_defaults() -> None:
    """Without the class attributes, the router assumes the safe defaults."""
    router = Router([QueueConfig(name="q", strategy="mine")], strategies={"mine": Undeclared()})  # type: ignore[dict-item]
    queue = router._queues["q"]
    assert (queue.draws, queue.skill_blind, queue.static_rank, queue.flat, queue.level_sum) == (
        True,
        False,
        False,
        False,
        False,
    )


def test_a_capability_that_is_not_a_flag_is_refused() -> None:
    """A capability set to anything but a bool is refused, naming the strategy and attribute."""
    shaky = type("Shaky", (Undeclared,), {"skill_blind": "yes"})()
    with pytest.raises(InvalidInputError) as caught:
        Router([QueueConfig(name="q", strategy="mine")], strategies={"mine": shaky})
    assert caught.value.field == "strategies.mine.skill_blind"
