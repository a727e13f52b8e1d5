"""Routing strategies: each one is an ordering of the agents who may take a contact.

The router keeps, per queue and set of required skills, the available agents
sorted by ``(tier, rank, agent_id)``; a strategy only says what ``rank`` is.
Lower tiers always go first, and the agent id breaks every remaining tie, so
every choice is deterministic. Randomised strategies declare
``StrategyMemory.RACE``: they rank by ``agent.draw``, an exponential variate
(mean 1) that the router draws from its seeded random source for every
eligible agent at each decision, or, declaring ``uniform_draw`` or
``weighted_draw`` as the built-ins do, the router samples the eligible agents
with the same probabilities in a few draws.
"""

# cattrs reads these annotations at run time, so their imports stay at run time.
from __future__ import annotations

import enum
from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import ClassVar, Protocol, TypeAlias

import attrs

from callcore.acd._model import Membership

__all__ = [
    "BUILTIN_STRATEGIES",
    "CAPABILITIES",
    "AgentStats",
    "Rank",
    "Strategy",
    "StrategyMemory",
]

Rank: TypeAlias = tuple[int | float | str | datetime, ...]
"""A sort key: smaller ranks are offered first."""


CAPABILITIES: Mapping[str, bool] = {
    "reads_draw": True,
    "skill_blind": False,
    "static_rank": False,
    "fixed_length": False,
    "level_sum": False,
    "uniform_draw": False,
    "weighted_draw": False,
}
"""The capabilities a strategy may declare (see :class:`Strategy`), with their defaults."""


class StrategyMemory(enum.Enum):
    """Where a strategy remembers whom it offered last."""

    NONE = "none"
    """No memory: always the lowest rank."""
    QUEUE = "queue"
    """Circular over rank, starting after the last agent this queue offered."""
    CONTACT = "contact"
    """Circular over ``(tier, rank)``, starting after the last agent this
    contact was offered (every new contact starts at the first)."""
    RACE = "race"
    """A random draw decides: at each decision every available eligible agent of
    the lowest tier that has any draws a fresh exponential variate into
    ``agent.draw`` (in agent-id order) and the lowest rank wins, so each
    decision is uniform (or weighted) among exactly those agents (a strategy
    declaring ``uniform_draw`` or ``weighted_draw`` is sampled instead, with the
    same probabilities)."""


class AgentStats(Protocol):
    """What a strategy may read about an agent (read-only)."""

    @property
    def agent_id(self) -> str:
        """The agent's id."""
        ...

    @property
    def skills(self) -> Mapping[str, int]:
        """Skill names with levels 1..10."""
        ...

    @property
    def answered(self) -> int:
        """Contacts answered since the router started."""
        ...

    @property
    def talk_time(self) -> timedelta:
        """Total talk time."""
        ...

    @property
    def talk_seconds(self) -> float:
        """Total talk time in seconds (``talk_time.total_seconds()``), a number to rank by."""
        ...

    @property
    def idle_since(self) -> datetime:
        """End of the last contact, or log-in time if none yet."""
        ...

    @property
    def draw(self) -> float:
        """An exponential variate (mean 1), drawn anew for each random decision."""
        ...


class Strategy(Protocol):
    """An ordering of agents, chosen per queue by name.

    ``ring_all`` offers the contact to every eligible agent of the first tier
    that has any (the first to accept wins); ``memory`` says whether the order
    continues where the queue or the contact left off.

    The class attributes declare what the router may rely on about
    :meth:`rank`, so that it ranks less often; each default is the safe
    assumption. A plugin strategy that subclasses ``Strategy`` inherits the
    defaults and sets what holds for it; one that does not is read with the
    defaults. A subclass that overrides ``rank`` without declaring the
    capabilities again gets the defaults back, not its parent's (they describe
    the parent's ``rank``).
    """

    reads_draw: ClassVar[bool] = True
    """``rank`` may read ``agent.draw``: the agent draws a new random number each
    time it becomes available (``False``: it never does, and the random stream is
    left for the strategies that read it). A ``RACE`` strategy draws at each
    decision instead, whatever it declares."""
    skill_blind: ClassVar[bool] = False
    """``rank`` ignores its ``skills`` argument: the router ranks an agent once per
    queue, not once per set of skills contacts ask for."""
    static_rank: ClassVar[bool] = False
    """``rank`` depends only on the membership (tier, position, weight): an
    agent's rank never changes while it is logged in, so its entries stay valid
    across busy spells."""
    fixed_length: ClassVar[bool] = False
    """Every rank has the same length: the router stores entries flat,
    ``(*rank, agent_id, version, agent)``, which compare faster."""
    level_sum: ClassVar[bool] = False
    """``rank`` is ``(-sum of the agent's levels in skills, agent.idle_since)``,
    as ``skills_based``: the router keeps the sum as a band of its own and orders
    by idle time within it (it does not call ``rank``)."""
    uniform_draw: ClassVar[bool] = False
    """(``RACE`` memory) ``rank`` is ``(agent.draw,)``, as ``random``: each decision
    picks uniformly among the eligible agents, so the router samples them (a few
    draws) instead of drawing for every one (it does not call ``rank``)."""
    weighted_draw: ClassVar[bool] = False
    """(``RACE`` memory) ``rank`` is ``(agent.draw / membership.weight,)``, as
    ``weighted_random``: each decision picks an eligible agent with probability
    proportional to its weight, so the router samples them (it does not call
    ``rank``). It wins over ``uniform_draw`` if both are declared."""

    def __init_subclass__(cls, **kwargs: object) -> None:
        """A subclass that defines ``rank`` declares its capabilities anew."""
        super().__init_subclass__(**kwargs)
        if "rank" in cls.__dict__:
            for name, default in CAPABILITIES.items():
                if name not in cls.__dict__:
                    setattr(cls, name, default)

    @property
    def ring_all(self) -> bool:
        """Offer to all eligible agents at once."""
        ...

    @property
    def memory(self) -> StrategyMemory:
        """Where the strategy keeps its place."""
        ...

    def rank(self, agent: AgentStats, membership: Membership, skills: frozenset[str]) -> Rank:
        """Return the agent's sort key in a queue (smaller is offered first).

        Called when the agent becomes available or its counters change, not
        per decision: the rank must depend only on its arguments.

        Args:
            agent: The agent's counters and skills.
            membership: Its tier, position and weight in the queue.
            skills: The skill names the contact requires.
        """
        ...


@attrs.frozen
class RingAll(Strategy):
    """Offer every eligible agent at once; the first to accept wins."""

    reads_draw: ClassVar[bool] = False
    skill_blind: ClassVar[bool] = True
    static_rank: ClassVar[bool] = True
    fixed_length: ClassVar[bool] = True

    ring_all: bool = True
    memory: StrategyMemory = StrategyMemory.NONE

    def rank(self, agent: AgentStats, membership: Membership, skills: frozenset[str]) -> Rank:  # noqa: ARG002
        """Rank by position (only the order of the offers depends on it)."""
        return (membership.position,)


@attrs.frozen
class LongestIdle(Strategy):
    """The agent whose last contact ended longest ago; one that never took a contact first.

    As Asterisk's ``leastrecent`` (a member's last call time is 0 until its
    first call) and FreeSWITCH's ``longest-idle-agent`` (``last_bridge_end``
    0): agents who have answered nothing go before every agent who has, among
    themselves by log-in time.
    """

    reads_draw: ClassVar[bool] = False
    skill_blind: ClassVar[bool] = True
    fixed_length: ClassVar[bool] = True

    ring_all: bool = False
    memory: StrategyMemory = StrategyMemory.NONE

    def rank(self, agent: AgentStats, membership: Membership, skills: frozenset[str]) -> Rank:  # noqa: ARG002
        """Rank agents who answered nothing first, then by the end of the last contact."""
        return (agent.answered != 0, agent.idle_since)


@attrs.frozen
class RoundRobin(Strategy):
    """The next agent by position after the one this queue offered last."""

    reads_draw: ClassVar[bool] = False
    skill_blind: ClassVar[bool] = True
    static_rank: ClassVar[bool] = True
    fixed_length: ClassVar[bool] = True

    ring_all: bool = False
    memory: StrategyMemory = StrategyMemory.QUEUE

    def rank(self, agent: AgentStats, membership: Membership, skills: frozenset[str]) -> Rank:  # noqa: ARG002
        """Rank by position; the router makes it circular from the last one."""
        return (membership.position,)


@attrs.frozen
class Linear(Strategy):
    """The first available agent by position; a caller moves past an agent who did not answer.

    As Asterisk's ``linear``: each caller starts at the first member and keeps
    its own place, so after a miss or a decline it rings the next member (and
    wraps around), instead of the same absent agent again.
    """

    reads_draw: ClassVar[bool] = False
    skill_blind: ClassVar[bool] = True
    static_rank: ClassVar[bool] = True
    fixed_length: ClassVar[bool] = True

    ring_all: bool = False
    memory: StrategyMemory = StrategyMemory.CONTACT

    def rank(self, agent: AgentStats, membership: Membership, skills: frozenset[str]) -> Rank:  # noqa: ARG002
        """Rank by position; the router continues from the contact's last try."""
        return (membership.position,)


@attrs.frozen
class TopDown(Strategy):
    """By tier then position; after a miss the contact moves on to the next agent."""

    reads_draw: ClassVar[bool] = False
    skill_blind: ClassVar[bool] = True
    static_rank: ClassVar[bool] = True
    fixed_length: ClassVar[bool] = True

    ring_all: bool = False
    memory: StrategyMemory = StrategyMemory.CONTACT

    def rank(self, agent: AgentStats, membership: Membership, skills: frozenset[str]) -> Rank:  # noqa: ARG002
        """Rank by position; the router continues from the contact's last try."""
        return (membership.position,)


@attrs.frozen
class FewestContacts(Strategy):
    """The agent who answered the fewest contacts (ties: longest idle)."""

    reads_draw: ClassVar[bool] = False
    skill_blind: ClassVar[bool] = True
    fixed_length: ClassVar[bool] = True

    ring_all: bool = False
    memory: StrategyMemory = StrategyMemory.NONE

    def rank(self, agent: AgentStats, membership: Membership, skills: frozenset[str]) -> Rank:  # noqa: ARG002
        """Rank by contacts answered, then idle time."""
        return (agent.answered, agent.idle_since)


@attrs.frozen
class LeastTalkTime(Strategy):
    """The agent with the least total talk time (ties: longest idle)."""

    reads_draw: ClassVar[bool] = False
    skill_blind: ClassVar[bool] = True
    fixed_length: ClassVar[bool] = True

    ring_all: bool = False
    memory: StrategyMemory = StrategyMemory.NONE

    def rank(self, agent: AgentStats, membership: Membership, skills: frozenset[str]) -> Rank:  # noqa: ARG002
        """Rank by talk time, then idle time."""
        return (agent.talk_seconds, agent.idle_since)


@attrs.frozen
class Random(Strategy):
    """A uniformly random eligible agent (from the router's seeded source)."""

    skill_blind: ClassVar[bool] = True
    fixed_length: ClassVar[bool] = True
    uniform_draw: ClassVar[bool] = True

    ring_all: bool = False
    memory: StrategyMemory = StrategyMemory.RACE

    def rank(self, agent: AgentStats, membership: Membership, skills: frozenset[str]) -> Rank:  # noqa: ARG002
        """Rank by the agent's random draw."""
        return (agent.draw,)


@attrs.frozen
class WeightedRandom(Strategy):
    """A random eligible agent, chosen with probability proportional to its weight.

    Each agent's rank is an exponential variate with rate ``weight``; the
    smallest of such variates falls on each agent with probability
    weight / total weight (an exponential race, as in Efraimidis and
    Spirakis, "Weighted random sampling with a reservoir", 2006).
    """

    skill_blind: ClassVar[bool] = True
    fixed_length: ClassVar[bool] = True
    weighted_draw: ClassVar[bool] = True

    ring_all: bool = False
    memory: StrategyMemory = StrategyMemory.RACE

    def rank(self, agent: AgentStats, membership: Membership, skills: frozenset[str]) -> Rank:  # noqa: ARG002
        """Rank by ``draw / weight``, an exponential variate with rate ``weight``."""
        return (agent.draw / membership.weight,)


@attrs.frozen
class SkillsBased(Strategy):
    """The best proficiency over the contact's skills (sum of levels; ties: longest idle)."""

    reads_draw: ClassVar[bool] = False
    fixed_length: ClassVar[bool] = True
    level_sum: ClassVar[bool] = True

    ring_all: bool = False
    memory: StrategyMemory = StrategyMemory.NONE

    def rank(self, agent: AgentStats, membership: Membership, skills: frozenset[str]) -> Rank:  # noqa: ARG002
        """Rank by the negated sum of levels in the required skills, then idle time."""
        levels = agent.skills
        return (-sum(levels.get(skill, 0) for skill in skills), agent.idle_since)


BUILTIN_STRATEGIES: Mapping[str, Strategy] = {
    "ring_all": RingAll(),
    "longest_idle": LongestIdle(),
    "round_robin": RoundRobin(),
    "linear": Linear(),
    "top_down": TopDown(),
    "fewest_contacts": FewestContacts(),
    "least_talk_time": LeastTalkTime(),
    "random": Random(),
    "weighted_random": WeightedRandom(),
    "skills_based": SkillsBased(),
}
"""The strategies callcore ships, by name."""
