"""ACD router benchmark: decisions per second at 100, 1,000 and 10,000 agents.

A stream of contacts (each needing one or two of 50 skills) and agent state
changes is driven through :class:`callcore.acd.Router` for every strategy, and
through a naive reference router written here that scans every agent (and
every waiting contact) per decision, as Asterisk's app_queue and FreeSWITCH's
mod_callcenter do. A decision is one offer made (ring_all: per offer).

Every figure is printed with a ratio against a baseline measured in the same
run: the cost per decision at N agents against the cost at 100 agents, and the
router's speed against the naive scan at the same size.

Usage: ``python benchmarks/acd.py`` (about 2 minutes) or ``--quick``.
"""

from __future__ import annotations

import argparse
import random
import time
from collections import deque
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Any

from callcore.acd import (
    BUILTIN_STRATEGIES,
    AgentProfile,
    Membership,
    NotReadyReason,
    Outcome,
    QueueConfig,
    Router,
    Strategy,
)

T0 = datetime(2026, 1, 5, 9, 0, tzinfo=timezone.utc)
SKILLS = tuple(f"s{number:02}" for number in range(50))
QUEUES = ("q0", "q1")


@dataclass
class Stream:
    """A pre-generated workload: agent profiles and a list of operations."""

    profiles: list[AgentProfile]
    ops: list[tuple[str, Any]]


def make_stream(agents: int, steps: int, seed: int) -> Stream:
    """Agents with 4 skills each in one or both queues; contacts needing 1-2 skills."""
    rng = random.Random(seed)
    profiles = []
    for number in range(agents):
        skills = {name: rng.randint(1, 10) for name in rng.sample(SKILLS, 4)}
        queues = rng.sample(QUEUES, rng.choice((1, 2)))
        members = tuple(
            Membership(queue=name, tier=rng.choice((1, 1, 2)), position=number) for name in queues
        )
        profiles.append(AgentProfile(agent_id=f"a{number}", skills=skills, memberships=members))
    ops: list[tuple[str, Any]] = []
    for number in range(steps):
        # contacts ask for skills agents have, so most find someone
        owner = profiles[rng.randrange(agents)]
        names = sorted(owner.skills)
        wanted = dict.fromkeys(rng.sample(names, rng.choice((1, 1, 2))), 1)
        ops.append(("contact", (f"c{number}", rng.choice(QUEUES), wanted)))
        if number % 10 == 0:
            ops.append(("toggle", f"a{rng.randrange(agents)}"))
    return Stream(profiles, ops)


class TimedRouter(Router):
    """The router, timing only its decisions (choosing agents or contacts)."""

    decision_seconds = 0.0

    def _pick_one(self, *args: Any, **kwargs: Any) -> Any:
        start = time.perf_counter()
        try:
            return super()._pick_one(*args, **kwargs)
        finally:
            self.decision_seconds += time.perf_counter() - start

    def _pick_all(self, *args: Any, **kwargs: Any) -> Any:
        start = time.perf_counter()
        try:
            return super()._pick_all(*args, **kwargs)
        finally:
            self.decision_seconds += time.perf_counter() - start

    def _best_waiting(self, *args: Any, **kwargs: Any) -> Any:
        start = time.perf_counter()
        try:
            return super()._best_waiting(*args, **kwargs)
        finally:
            self.decision_seconds += time.perf_counter() - start


@dataclass
class Driver:
    """Runs a stream through the router as a host would, across warm-up and timed runs.

    Every first offer is accepted; the oldest call ends once more than
    ``busy_limit`` are connected; a caller still waiting after 20 steps hangs
    up; a paused agent comes back once more than 2% of the agents are paused.
    """

    router: Router
    busy_limit: int
    pause_limit: int
    clock: int = 0
    connected: deque[str] = field(default_factory=deque)
    waiting: deque[tuple[int, str]] = field(default_factory=deque)
    paused: deque[str] = field(default_factory=deque)

    def run(self, ops: list[tuple[str, Any]]) -> tuple[int, float]:
        """Apply ``ops``; return the offers made and the seconds spent."""
        router = self.router
        connected, waiting, paused = self.connected, self.waiting, self.paused
        contacts = router._contacts  # noqa: SLF001 - the driver peeks like a wallboard
        offers = 0
        start = time.perf_counter()
        for kind, payload in ops:
            self.clock += 1
            clock = self.clock
            now = T0 + timedelta(seconds=clock)
            if kind == "contact":
                contact_id, queue, wanted = payload
                outcome = router.enqueue(contact_id, queue, now, skills=wanted)
                if not outcome.offers:
                    waiting.append((clock, contact_id))
            elif router.agent(str(payload)).not_ready_reason is None:
                paused.append(str(payload))
                outcome = router.set_not_ready(str(payload), NotReadyReason.BREAK, now)
            else:
                continue
            offers += accept_first(router, outcome, now, connected)
            if len(paused) > self.pause_limit:
                outcome = router.set_ready(paused.popleft(), now)
                offers += accept_first(router, outcome, now, connected)
            while len(connected) > self.busy_limit:
                outcome = router.end(connected.popleft(), now)
                offers += accept_first(router, outcome, now, connected)
            while waiting and waiting[0][0] < clock - 20:
                contact_id = waiting.popleft()[1]
                contact = contacts.get(contact_id)
                if contact is not None and contact.agent_id is None:
                    outcome = router.abandon(contact_id, now)
                    offers += accept_first(router, outcome, now, connected)
        return offers, time.perf_counter() - start


def accept_first(router: Router, outcome: Outcome, now: datetime, connected: deque[str]) -> int:
    """Accept the first offer of each contact (ring_all: the others are withdrawn).

    Returns:
        How many offers ``outcome`` and the acceptances made.
    """
    made = len(outcome.offers)
    seen: set[str] = set()
    for offer in outcome.offers:
        if offer.contact_id in seen:
            continue
        seen.add(offer.contact_id)
        made += accept_first(
            router, router.accept(offer.contact_id, offer.agent_id, now), now, connected
        )
        connected.append(offer.contact_id)
    return made


# --- the naive reference: scan everything per decision -------------------------


@dataclass
class NaiveAgent:
    """What the naive router knows of an agent."""

    profile: AgentProfile
    strategy_view: object
    busy: bool = False
    paused: bool = False
    answered: int = 0
    talk_seconds: float = 0.0
    idle_since: datetime = T0
    draw: float = 0.5
    members: dict[str, Membership] = field(default_factory=dict)

    @property
    def agent_id(self) -> str:
        """Id."""
        return self.profile.agent_id

    @property
    def skills(self) -> dict[str, int]:
        """Skills."""
        return dict(self.profile.skills)


class NaiveRouter:
    """Scans every agent for each new contact and every contact for each freed agent."""

    def __init__(self, strategy: Strategy) -> None:
        """Start empty."""
        self.strategy = strategy
        self.agents: dict[str, NaiveAgent] = {}
        self.waiting: list[tuple[int, str, str, dict[str, int]]] = []
        self.calls: dict[str, str] = {}
        self.seq = 0

    def log_in(self, profile: AgentProfile) -> None:
        """Add an agent."""
        agent = NaiveAgent(profile, None)
        agent.members = {m.queue: m for m in profile.memberships}
        self.agents[profile.agent_id] = agent

    def _fits(self, agent: NaiveAgent, queue: str, wanted: dict[str, int]) -> bool:
        if agent.busy or agent.paused or queue not in agent.members:
            return False
        skills = agent.profile.skills
        return all(skills.get(name, 0) >= level for name, level in wanted.items())

    def enqueue(self, contact_id: str, queue: str, wanted: dict[str, int]) -> int:
        """Offer (and connect) the contact to the best agent found by a full scan."""
        best = None
        for agent in self.agents.values():
            if self._fits(agent, queue, wanted):
                member = agent.members[queue]
                key = (member.tier, self.strategy.rank(agent, member, frozenset(wanted)))
                if best is None or key < best[0]:
                    best = (key, agent)
        if best is None:
            self.seq += 1
            self.waiting.append((self.seq, contact_id, queue, wanted))
            return 0
        best[1].busy = True
        best[1].answered += 1
        self.calls[contact_id] = best[1].agent_id
        return 1

    def free(self, agent: NaiveAgent) -> int:
        """Scan the waiting contacts for the first this agent fits."""
        for number, (_, contact_id, queue, wanted) in enumerate(self.waiting):
            if self._fits(agent, queue, wanted):
                del self.waiting[number]
                agent.busy = True
                self.calls[contact_id] = agent.agent_id
                return 1
        return 0

    def end(self, contact_id: str, now: datetime) -> int:
        """End a call; the agent looks for work."""
        agent = self.agents[self.calls.pop(contact_id)]
        agent.busy = False
        agent.idle_since = now
        return self.free(agent)


def drive_naive(naive: NaiveRouter, stream: Stream, busy_limit: int) -> tuple[int, float]:
    """Run the same stream through the naive router."""
    decisions = 0
    connected: deque[str] = deque()
    start = time.perf_counter()
    for clock, (kind, payload) in enumerate(stream.ops, start=1):
        now = T0 + timedelta(seconds=clock)
        if kind == "contact":
            contact_id, queue, wanted = payload
            made = naive.enqueue(contact_id, queue, wanted)
            if made:
                connected.append(contact_id)
            decisions += made
        else:
            agent = naive.agents[str(payload)]
            agent.paused = not agent.paused
            if not agent.paused:
                decisions += naive.free(agent)
        while len(connected) > busy_limit:
            decisions += naive.end(connected.popleft(), now)
    return decisions, time.perf_counter() - start


# --- running -------------------------------------------------------------------


def measure(agents: int, strategy: str, steps: int, warmup: int) -> tuple[float, float]:
    """Seconds per decision of the router, end to end and in the choice alone."""
    stream = make_stream(agents, warmup + steps, seed=agents)
    router = TimedRouter(
        [QueueConfig(name=name, strategy=strategy) for name in QUEUES],
        seed=1,
    )
    for profile in stream.profiles:
        router.log_in(profile, T0)
    driver = Driver(router, busy_limit=agents // 2, pause_limit=max(1, agents // 50))
    driver.run(stream.ops[:warmup])
    router.decision_seconds = 0.0
    offers, spent = driver.run(stream.ops[warmup:])
    return spent / max(offers, 1), router.decision_seconds / max(offers, 1)


def measure_naive(agents: int, strategy: str, steps: int, warmup: int) -> float:
    """Seconds per decision of the naive scan."""
    stream = make_stream(agents, warmup + steps, seed=agents)
    naive = NaiveRouter(BUILTIN_STRATEGIES[strategy])
    for profile in stream.profiles:
        naive.log_in(profile)
    busy_limit = agents // 2
    drive_naive(naive, Stream(stream.profiles, stream.ops[:warmup]), busy_limit)
    decisions, spent = drive_naive(naive, Stream(stream.profiles, stream.ops[warmup:]), busy_limit)
    return spent / max(decisions, 1)


def main() -> None:
    """Measure and print every figure with its ratio."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a short smoke run")
    args = parser.parse_args()
    sizes = (100, 1000) if args.quick else (100, 1000, 10_000)
    steps = 1500 if args.quick else 6000
    naive_steps = 300 if args.quick else 1000
    strategies = ("longest_idle", "ring_all") if args.quick else sorted(BUILTIN_STRATEGIES)

    print("ACD router: decisions per second (a decision is one offer; ring_all: per offer)")
    print("  end to end: enqueue, accept, end, pauses and abandons with every event built")
    print("  choice: the time spent choosing the agent or the contact")
    print(
        f"{'strategy':<16} {'agents':>7} {'end to end/s':>13} {'vs 100':>7}"
        f" {'choice/s':>10} {'vs 100':>7}"
    )
    costs: dict[tuple[str, int], float] = {}
    choices: dict[tuple[str, int], float] = {}
    for strategy in strategies:
        for size in sizes:
            # ring_all makes hundreds of offers per contact at 10,000 agents: fewer contacts
            scale = 20 if strategy == "ring_all" else 1
            warmup = min(2 * size, 10_000) // scale
            cost, choice = measure(size, strategy, steps // scale, warmup=warmup)
            costs[strategy, size] = cost
            choices[strategy, size] = choice
            ratio = cost / costs[strategy, sizes[0]]
            choice_ratio = choice / choices[strategy, sizes[0]]
            print(
                f"{strategy:<16} {size:>7} {1 / cost:>13,.0f} {ratio:>6.2f}x"
                f" {1 / choice:>10,.0f} {choice_ratio:>6.2f}x"
            )

    print()
    print("Router against the naive full scan (same stream, longest_idle and skills_based)")
    print(
        f"{'strategy':<16} {'agents':>7} {'naive decisions/s':>18} {'end-to-end gain':>16}"
        f" {'choice gain':>15}"
    )
    for strategy in ("longest_idle", "skills_based"):
        if (strategy, sizes[0]) not in costs:
            continue
        for size in sizes:
            naive = measure_naive(size, strategy, naive_steps, warmup=size // 2)
            speedup = naive / costs[strategy, size]
            choice_speedup = naive / choices[strategy, size]
            print(
                f"{strategy:<16} {size:>7} {1 / naive:>18,.0f} {speedup:>15.1f}x"
                f" {choice_speedup:>15.1f}x"
            )


if __name__ == "__main__":
    main()
