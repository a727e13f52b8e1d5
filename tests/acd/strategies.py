"""Hypothesis strategies and brute-force references for the ACD tests."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import TYPE_CHECKING, cast

from hypothesis import strategies as st

from callcore.acd import AgentProfile, Membership, Router, StrategyMemory
from callcore.channels import Channel

if TYPE_CHECKING:
    from collections.abc import Iterable

    from callcore.acd._records import Agent, Contact, Requirement

T0 = datetime(2026, 1, 5, 9, 0, tzinfo=timezone.utc)
SKILLS = ("en", "fr", "de", "billing")
QUEUES = ("sales", "support")


def at(seconds: float) -> datetime:
    """The time ``seconds`` after T0."""
    return T0 + timedelta(seconds=seconds)


skill_maps = st.dictionaries(st.sampled_from(SKILLS), st.integers(1, 10), max_size=3)
contact_skills = st.dictionaries(st.sampled_from(SKILLS), st.integers(1, 6), max_size=2)


@st.composite
def profiles(draw: st.DrawFn, agent_id: str, queues: Iterable[str] = QUEUES) -> AgentProfile:
    """A random agent profile in one or more of ``queues``."""
    names = draw(st.lists(st.sampled_from(tuple(queues)), min_size=1, unique=True))
    memberships = tuple(
        Membership(
            queue=name,
            tier=draw(st.integers(1, 3)),
            position=draw(st.integers(0, 5)),
            weight=draw(st.sampled_from((0.5, 1.0, 3.0))),
        )
        for name in names
    )
    capacity = draw(
        st.sampled_from(
            (
                {Channel.VOICE: 1},
                {Channel.VOICE: 1, Channel.CHAT: 2},
                {Channel.CHAT: 3},
            )
        )
    )
    return AgentProfile(
        agent_id=agent_id,
        skills=draw(skill_maps),
        memberships=memberships,
        capacity=capacity,
        voice_exclusive=draw(st.booleans()),
    )


def independent_can_take(agent: Agent, channel: Channel) -> bool:
    """Availability recomputed from the agent's offers and contacts, not its counters."""
    if not agent.logged_in or agent.not_ready is not None:
        return False
    if agent.wrap_until is not None or agent.delay_until is not None:
        return False
    held = [offer.channel for offer in agent.offers.values()]
    held += [Channel(value) for value in agent.connected.values()]
    if held.count(channel) >= agent.profile.capacity.get(channel, 0):
        return False
    if agent.profile.voice_exclusive:
        if channel is Channel.VOICE:
            return not held
        return Channel.VOICE not in held
    return True


def eligible(agent: Agent, queue: str, requirement: Requirement) -> bool:
    """Whether ``agent`` may take a contact of ``queue`` with ``requirement`` (skills, tier)."""
    member = agent.members.get(queue)
    if member is None or not agent.logged_in:
        return False
    if requirement.max_tier is not None and member.tier > requirement.max_tier:
        return False
    return all(agent.profile.skills.get(name, 0) >= level for name, level in requirement.minimums)


def reference_choice(router: Router, contact: Contact) -> list[str]:
    """The agents a contact should be offered to, by scanning every agent."""
    queue = router._queues[contact.queue]
    strategy = queue.strategy
    names = contact.requirement.names
    found = []
    for agent in router._agents.values():
        if not eligible(agent, contact.queue, contact.requirement):
            continue
        if not independent_can_take(agent, contact.channel):
            continue
        member = agent.members[contact.queue]
        rank = strategy.rank(agent, member, names)
        if strategy.memory is StrategyMemory.RACE:  # a race time counts from when it started
            rank = (agent.race_base[contact.queue] + cast("float", rank[0]), *rank[1:])
        found.append((member.tier, rank, agent.agent_id))
    if not found:
        return []
    if strategy.ring_all:
        best = min(tier for tier, _, _ in found)
        return [agent_id for tier, _, agent_id in sorted(found) if tier == best]
    if strategy.memory is StrategyMemory.QUEUE and queue.pointer is not None:
        _, last_rank, last_id = queue.pointer
        found.sort(key=lambda e: (e[0], (e[1], e[2]) <= (last_rank, last_id), e[1], e[2]))
    elif strategy.memory is StrategyMemory.CONTACT and contact.last_tried is not None:
        last = router._agents[contact.last_tried]
        member = last.members[contact.queue]
        cursor = (member.tier, strategy.rank(last, member, names), last.agent_id)
        found.sort(key=lambda e: (e <= cursor, e))
    else:
        found.sort()
    return [found[0][2]]
