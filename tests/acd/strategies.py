"""Hypothesis strategies and brute-force references for the ACD tests."""

from __future__ import annotations

import copy
import math
import random
from datetime import datetime, timedelta, timezone
from typing import TYPE_CHECKING, Any, cast

from hypothesis import strategies as st

from callcore.acd import AgentProfile, ContactStatus, Membership, Router, StrategyMemory
from callcore.acd._lines import SAMPLE_TRIES
from callcore.contacts import Channel

if TYPE_CHECKING:
    from collections.abc import Collection, Iterable

    from callcore.acd._live import Agent, Contact, Requirement

T0 = datetime(2026, 1, 5, 9, 0, tzinfo=timezone.utc)
SKILLS = ("en", "fr", "de", "billing")
QUEUES = ("sales", "support")


def at(seconds: float) -> datetime:
    """The time ``seconds`` after T0."""
    return T0 + timedelta(seconds=seconds)


delays = st.sampled_from((timedelta(0),) * 3 + tuple(timedelta(seconds=n) for n in (3, 10, 30)))
"""A membership's delay: mostly none, else a few seconds to half a minute."""
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
            preference=draw(st.sampled_from((1, 1, 2))),
            delay=draw(delays),
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
    own = st.sampled_from((None, None, timedelta(0), timedelta(seconds=3)))  # per-agent settings
    return AgentProfile(
        agent_id=agent_id,
        skills=draw(skill_maps),
        memberships=memberships,
        capacity=capacity,
        voice_exclusive=draw(st.booleans()),
        wrap_up=draw(own),
        no_answer_delay=draw(own),
        max_no_answer=draw(st.sampled_from((None, None, 0, 1))),
    )


def independent_can_take(agent: Agent, channel: Channel, extra: int = 0) -> bool:
    """Availability recomputed from the agent's offers and contacts, not its counters.

    ``extra``: offers on ``channel`` made since (in the decision being predicted).
    """
    if not agent.logged_in or agent.not_ready is not None:
        return False
    if agent.wrap_until is not None or agent.delay_until is not None:
        return False
    held = [offer.channel for offer in agent.offers.values()]
    held += [Channel(value) for value in agent.connected.values()]
    held += [channel] * extra
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


def may_take(agent: Agent, contact: Contact) -> bool:
    """Whether ``agent`` may take ``contact`` by who it is (not whether it is free now).

    A contact transferred to an agent waits for that agent only, whatever its
    queue, tier or skills; any other contact goes to its queue's eligible members.
    """
    if contact.target is not None:
        return agent.agent_id == contact.target and agent.logged_in
    return eligible(agent, contact.queue, contact.requirement)


def waited_enough(router: Router, agent: Agent, contact: Contact) -> bool:
    """Whether the contact has waited in its queue the agent's ``Membership.delay`` (by now).

    The definition: the router's time minus when the contact entered its
    queue, at least the delay. A contact transferred to an agent by name has
    no delay (Amazon Connect's agent queues).
    """
    if contact.target is not None:
        return True
    member = agent.members.get(contact.queue)
    now = router._now
    assert now is not None
    return member is not None and now - contact.joined >= member.delay


def may_take_now(router: Router, agent: Agent, contact: Contact) -> bool:
    """:func:`may_take`, and the contact has waited the agent's delay for its queue."""
    return may_take(agent, contact) and waited_enough(router, agent, contact)


def transferring(router: Router, agent: Agent) -> bool:
    """Whether ``agent`` is transferring a contact away: it is routed with the agent kept out.

    The contact is back in a queue while the agent still holds it; during
    that routing the agent takes no contact at all (it is freed right after).
    """
    return any(
        (held := router._contacts.get(contact_id)) is not None
        and held.status is not ContactStatus.CONNECTED
        for contact_id in agent.connected
    )


def ring_limit(router: Router, contact: Contact) -> int:
    """How many agents the contact may ring at once, from its queue's settings."""
    queue = router._queues[contact.queue]
    if contact.target is not None or queue.strategy.ring_all:
        return 1  # ring all's one decision rings everyone; it takes no more while ringing
    count = queue.config.ring_count
    return len(router._agents) + 1 if count is None else count


def wants_agent(router: Router, contact: Contact) -> bool:
    """Whether the contact wants (another) agent: it waits, or rings fewer than it may."""
    if contact.status is ContactStatus.WAITING:
        return True
    return contact.status is ContactStatus.OFFERED and len(contact.offers) < ring_limit(
        router, contact
    )


def prefers_elsewhere(router: Router, agent: Agent, contact: Contact) -> bool:
    """Whether ``agent`` is passed over for ``contact``: a preferred queue's contact wants it.

    That is a contact of a queue the agent prefers (a lower
    ``Membership.preference``) that wants an agent (waits, or rings too few),
    rings it not yet, and that it may take now (member, tier, skills, channel).
    A contact transferred to an agent is for that agent alone: it wants no other.
    """
    if contact.target is not None:
        return False
    mine = agent.members[contact.queue].preference
    for other in router._contacts.values():
        member = agent.members.get(other.queue)
        if (
            member is not None
            and member.preference < mine
            and other.target is None
            and wants_agent(router, other)
            and agent.agent_id not in other.offers
            and eligible(agent, other.queue, other.requirement)
            and waited_enough(router, agent, other)
            and independent_can_take(agent, other.channel)
        ):
            return True
    return False


def reference_choice(
    router: Router,
    contact: Contact,
    random_state: object | None = None,
    ringing: Collection[str] | None = None,
) -> list[str]:
    """The agents a contact should be offered to now, by scanning every agent.

    Ring all: every available eligible agent of the lowest tier that has one.
    Otherwise the strategy's choice, again and again up to the queue's
    ``ring_count`` (less the agents it rings already), each choice made as if
    the ones before were offered: round robin's pointer moves to each, a random
    strategy draws anew. A random strategy's draws come from ``random_state``
    (default: the router's random source as it is now). ``ringing`` names the
    agents it rings (default: those of its offers).
    """
    ringing = contact.offers if ringing is None else ringing
    if contact.target is not None:  # transferred to an agent: that one, when it is free
        agent = router._agents[contact.target]
        return [agent.agent_id] if independent_can_take(agent, contact.channel) else []
    queue = router._queues[contact.queue]
    strategy = queue.strategy
    names = contact.requirement.names
    found = []
    for agent in router._agents.values():
        if (
            agent.agent_id in ringing
            or not eligible(agent, contact.queue, contact.requirement)
            or not waited_enough(router, agent, contact)
            or not independent_can_take(agent, contact.channel)
            or transferring(router, agent)  # kept out while it transfers a contact
        ):
            continue
        if prefers_elsewhere(router, agent, contact):
            continue
        member = agent.members[contact.queue]
        rank = strategy.rank(agent, member, names)
        found.append((member.tier, rank, agent.agent_id))
    if not found:
        return []
    if strategy.ring_all:
        best = min(tier for tier, _, _ in found)
        return [agent_id for tier, _, agent_id in sorted(found) if tier == best]
    source = random.Random()
    source.setstate(router._random.getstate() if random_state is None else random_state)  # type: ignore[arg-type]
    pointer = queue.pointer
    chosen: list[str] = []
    while found and len(chosen) < ring_limit(router, contact) - len(ringing):
        entry = _one_choice(router, contact, found, pointer, source, chosen)
        chosen.append(entry[2])
        found.remove(entry)
        pointer = (0, entry[1], entry[2])
    return chosen


def _one_choice(
    router: Router,
    contact: Contact,
    found: list[tuple[int, Any, str]],
    pointer: tuple[int, Any, str] | None,
    source: random.Random,
    chosen: list[str],
) -> tuple[int, Any, str]:
    """The strategy's one choice among ``found`` (tier, rank, agent id), by definition.

    ``chosen``: the agents this decision offered the contact to already.
    """
    queue = router._queues[contact.queue]
    strategy = queue.strategy
    if queue.sampling:  # random, weighted_random (some agent is eligible: one is drawn)
        allowed = {agent_id for _, _, agent_id in found}
        agent_id = cast("str", sampled_choice(router, contact, source, allowed, chosen))
        return next(entry for entry in found if entry[2] == agent_id)
    if strategy.memory is StrategyMemory.RACE:
        agent_id = _race(router, contact, found, source)
        return next(entry for entry in found if entry[2] == agent_id)
    if strategy.memory is StrategyMemory.QUEUE and pointer is not None:
        _, last_rank, last_id = pointer
        return min(found, key=lambda e: (e[0], (e[1], e[2]) <= (last_rank, last_id), e[1], e[2]))
    if (
        strategy.memory is StrategyMemory.CONTACT
        and contact.last_tried is not None
        and (last := router._agents.get(contact.last_tried)) is not None
        and contact.queue in last.members
    ):  # a last try at an agent since removed, or not of this queue, starts from the top
        member = last.members[contact.queue]
        names = contact.requirement.names
        cursor = (member.tier, strategy.rank(last, member, names), last.agent_id)
        return min(found, key=lambda e: (e <= cursor, e))
    return min(found)


class _Drawn:
    """An agent seen with another draw (the reference never changes the live agent)."""

    def __init__(self, agent: Agent, draw: float) -> None:
        self._agent = agent
        self.draw = draw

    def __getattr__(self, name: str) -> Any:
        return getattr(self._agent, name)


def _race(
    router: Router,
    contact: Contact,
    found: list[tuple[int, Any, str]],
    source: random.Random,
) -> str:
    """A random strategy's choice: fresh draws for the lowest tier's agents, by agent id.

    The draws come from ``source`` (a copy of the router's random source), in
    the order the definition gives (agent ids sorted), so the reference
    predicts the router's own draw without touching its state.
    """
    queue = router._queues[contact.queue]
    tier = min(entry[0] for entry in found)
    best: tuple[Any, str] | None = None
    for agent_id in sorted(agent_id for level, _, agent_id in found if level == tier):
        agent = router._agents[agent_id]
        drawn = _Drawn(agent, source.expovariate(1.0))
        rank = queue.strategy.rank(
            cast("Any", drawn), agent.members[contact.queue], contact.requirement.names
        )
        if best is None or (rank, agent_id) < best:
            best = (rank, agent_id)
    assert best is not None
    return best[1]


def sampled_choice(
    router: Router,
    contact: Contact,
    source: random.Random,
    allowed: Collection[str],
    chosen: Collection[str] = (),
) -> str | None:
    """The choice of ``random`` and ``weighted_random`` (``uniform_draw``/``weighted_draw``).

    Recomputed from a scan of every agent: tier by tier (lowest first), the
    pool is every logged-in member of that tier who has the contact's skills
    (any level) and may take its channel, in the order the router met them (its
    table of agents); up to ``SAMPLE_TRIES``
    places are drawn (accepted if the agent meets the minimums and, weighted,
    if ``random() * top < weight``, ``top`` being the largest weight among the
    tier's members who have the skills, free or not), then one of the eligible
    agents is drawn from their list. The draws come from ``source``, a copy of
    the router's source as it was before the decision.

    A draw is accepted only for an agent in ``allowed`` (the decision's
    eligible agents: not ringing already, not passed over for a preferred
    queue); an agent in ``chosen`` (offered the contact earlier in this
    decision) stays in the pool while it has room; the agent transferring
    the contact is in no pool.
    """
    queue = router._queues[contact.queue]
    requirement = contact.requirement
    members: dict[int, list[tuple[str, Agent, float]]] = {}
    for agent in router._agents.values():
        member = agent.members.get(contact.queue)
        if member is None or not agent.logged_in or not requirement.names <= agent.skills.keys():
            continue
        if requirement.max_tier is not None and member.tier > requirement.max_tier:
            continue
        members.setdefault(member.tier, []).append((agent.agent_id, agent, member.weight))
    for tier in sorted(members):
        top = max(weight for _, _, weight in members[tier])
        pool = [  # in the order the router met the agents
            entry
            for entry in members[tier]
            if independent_can_take(entry[1], contact.channel, int(entry[0] in chosen))
            and not transferring(router, entry[1])
        ]
        if pool:
            drawn = _sample(pool, requirement, source, top, allowed, weighted=queue.weighted)
            if drawn is not None:
                return drawn
    return None


def _sample(
    pool: list[tuple[str, Agent, float]],
    requirement: Requirement,
    source: random.Random,
    top: float,
    allowed: Collection[str],
    *,
    weighted: bool,
) -> str | None:
    """One decision's draws from a tier's pool (see :func:`sampled_choice`)."""

    def below(size: int) -> int:
        return 0 if size == 1 else source.randrange(size)

    def fits(agent: Agent) -> bool:
        return agent.agent_id in allowed and all(
            agent.skills.get(name, 0) >= level for name, level in requirement.minimums
        )

    for _ in range(SAMPLE_TRIES):
        agent_id, agent, weight = pool[below(len(pool))]
        if fits(agent) and not (weighted and source.random() * top >= weight):
            return agent_id
    eligible = [entry for entry in pool if fits(entry[1])]
    if not eligible:
        return None
    if not weighted:
        return eligible[below(len(eligible))][0]
    target = source.random() * math.fsum(weight for _, _, weight in eligible)
    for agent_id, _, weight in eligible:
        target -= weight
        if target < 0:
            return agent_id
    return eligible[-1][0]


# --- malformed input -----------------------------------------------------------


def _nested(depth: int) -> object:
    """A list nested ``depth`` levels deep."""
    value: object = []
    for _ in range(depth):
        value = [value]
    return value


junk = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(2**80), 2**80),
    st.sampled_from([0, -1, 1, 11, 2**32, 2**63, -(2**63) - 1, 10**30, 10**400]),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=12),
    st.sampled_from(
        [
            "",
            "\ud800",
            "a\udfffb",
            "x" * 100_001,
            "voice",
            "billing",
            "queue",
            "sales",
            "a0",
            "c1",
            "2026-01-05T09:00:00",
            "2026-01-05T09:00:00+00:00",
            "9999-12-31T23:59:59+00:00",
            "0001-01-01T00:00:00+00:00",
            "[]",
            "[[[[",
            '[{"datetime": "0001-01-01T00:00:00"}]',
        ]
    ),
    st.datetimes(),  # naive
    st.datetimes(timezones=st.just(timezone.utc)),  # years 1..9999
    st.timedeltas(),
    st.sampled_from([float("nan"), 1e18, -1e18, 1e300, 86_400 * 999_999_999]),
    st.lists(st.integers(-3, 3), max_size=3),
    st.dictionaries(st.text(max_size=4), st.integers(-3, 3), max_size=3),
    st.sampled_from([_nested(100), {"a": {"b": {"c": []}}}, ["voice"], {"voice": 1.5}]),
)
"""Values of every wrong kind: wrong types, huge and non-finite numbers, lone
surrogates, long text, naive and far-off times, huge durations, deep nesting."""


def _paths(data: object, prefix: tuple[object, ...] = ()) -> list[tuple[object, ...]]:
    """Every place in plain data (the root is ``()``)."""
    found: list[tuple[object, ...]] = [prefix]
    if isinstance(data, dict):
        for key, value in data.items():
            found += _paths(value, (*prefix, key))
    elif isinstance(data, list):
        for index, value in enumerate(data):
            found += _paths(value, (*prefix, index))
    return found


def _parent(data: object, path: tuple[object, ...]) -> Any:
    for key in path[:-1]:
        data = data[key]  # type: ignore[index]
    return data


@st.composite
def mutated(draw: st.DrawFn, document: object) -> object:
    """``document`` (plain data) with one to three places broken.

    A value is replaced by junk, a field deleted or added, a value wrapped in
    a list or a mapping, or the whole document replaced.
    """
    data = copy.deepcopy(document)
    for _ in range(draw(st.integers(1, 3))):
        path = draw(st.sampled_from(_paths(data)))
        action = draw(st.sampled_from(["replace", "replace", "delete", "extra", "wrap"]))
        value = copy.deepcopy(draw(junk))  # never change a value the strategy shares
        if not path:
            data = value if action != "wrap" else [data]
            continue
        parent = _parent(data, path)
        key = path[-1]
        if action == "delete":
            del parent[key]
        elif action == "extra" and isinstance(parent, dict):
            parent[draw(st.text(min_size=1, max_size=6))] = value
        elif action == "wrap":
            parent[key] = draw(st.sampled_from([[parent[key]], {"value": parent[key]}]))
        else:
            parent[key] = value
    return data


# --- every offer checked ---------------------------------------------------------


def global_first(router: Router) -> Contact | None:
    """The first contact, by priority then arrival, that wants an agent some free agent may be.

    A contact wants an agent while it waits, or while it rings fewer agents
    than its queue's ``ring_count``; an agent it rings already does not count,
    nor one passed over for it (:func:`prefers_elsewhere`).
    """
    wanting = sorted(
        (c for c in router._contacts.values() if wants_agent(router, c)),
        key=lambda c: c.line_entry(),
    )
    for contact in wanting:
        for agent in router._agents.values():
            if (
                agent.agent_id not in contact.offers
                and may_take_now(router, agent, contact)
                and independent_can_take(agent, contact.channel)
                and not prefers_elsewhere(router, agent, contact)
                and not transferring(router, agent)  # kept out while it transfers a contact
            ):
                return contact
    return None


class OfferWatch:
    """Check every offer a router makes, on whatever path, against a brute-force scan.

    Each decision (a call of the router's one routing method) must serve the
    contact :func:`global_first` names (the global order) and go to the
    agent(s) :func:`reference_choice` picks by the queue's strategy among every
    available eligible agent. The watch wraps the router's routing and offering
    methods, so new contacts, returning contacts, freed agents, escalations and
    contacts that ring several agents are all checked.
    """

    def __init__(self, router: Router) -> None:
        """Start watching ``router``."""
        self.router = router
        self.contact_id: str | None = None
        self.expected: list[str] = []
        self.made = 0
        self.decisions = 0
        self.random_state: object = None
        original = router._offer
        route = router._route

        def routed(contact: Contact) -> bool:
            self.done()
            self.contact_id = None
            self.expected, self.made = [], 0
            self.random_state = router._random.getstate()  # before the decision's draws
            return route(contact)

        router._route = routed  # type: ignore[method-assign]

        def offer(contact: Contact, queue: Any, agent: Agent) -> None:
            self.check(contact, agent)
            original(contact, queue, agent)

        router._offer = offer  # type: ignore[method-assign]

    def check(self, contact: Contact, agent: Agent) -> None:
        """One offer is about to be made: is it the reference's?"""
        router = self.router
        if self.contact_id is None:  # the decision's first offer
            first = global_first(router)
            assert first is contact, (
                f"{contact.contact_id} was served before {first and first.contact_id}"
            )
            self.contact_id = contact.contact_id
            self.expected = reference_choice(router, contact, self.random_state)
            self.decisions += 1
        assert contact.contact_id == self.contact_id
        assert self.expected[self.made : self.made + 1] == [agent.agent_id], (
            f"{contact.contact_id} went to {agent.agent_id}, the strategy says {self.expected}"
        )
        self.made += 1

    def done(self) -> None:
        """The last decision made every offer it should have (ring all: all of them)."""
        assert self.made == len(self.expected), (self.contact_id, self.made, self.expected)
