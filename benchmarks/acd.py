"""ACD router benchmark: routing decisions per second at 100, 1,000 and 10,000 agents.

A stream of contacts (each needing one or two of 50 skills) and agent state
changes is driven through :class:`callcore.acd.Router` for every strategy, and
through a baseline written here that scans every agent (and every waiting
contact) per decision, as Asterisk's app_queue and FreeSWITCH's mod_callcenter
do, written tightly: one pass over a flat list of agent rows with the
strategy's key inline, the way a careful C or SQL implementation scans (issue
12 replaced a naive scan, about 3 times slower, that overstated the gain).

A decision is one routing decision: a contact matched to an agent and offered
(ring_all: one offer). Two figures per size and strategy:

- routing step: the router calls that made offers (a contact enqueued and
  offered at once, or an agent freed by ``end``/``set_ready`` and offered the
  best waiting contact), with all the engine's work for them (index updates,
  the Offer and its events, the RouterUpdate), divided by the offers they made;
- lifecycle: every router call of the run (enqueue, accept, end, wrap-up
  timers, pauses, abandons) per contact enqueued.

Every figure is printed with a ratio against a baseline measured in the same
run: the cost at N agents against the cost at 100 agents, and the router's
routing step against the tight scan's at the same size (the tight scan runs
fewer decisions at 10,000 agents so that it stays short). The routers of all
sizes are built first and then timed in rounds, one chunk of each size per
round, so that a busy spell of the machine hits every size alike; the ratio of
two sizes is taken round by round, and medians are reported with the best (or
worst ratio) in brackets.

Usage: ``python benchmarks/acd.py`` (about 2 minutes) or ``--quick``.
"""

from __future__ import annotations

import argparse
import random
import statistics
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
    QueueConfig,
    Router,
    RouterUpdate,
)
from callcore.errors import NotFoundError

T0 = datetime(2026, 1, 5, 9, 0, tzinfo=timezone.utc)
SKILLS = tuple(f"s{number:02}" for number in range(50))
QUEUES = ("q0", "q1")
WRAP_UP = timedelta(seconds=2)
ABANDON_AFTER = 20
"""A caller still waiting after this many steps hangs up."""
CHUNKS = 12
"""Timed runs are cut into this many chunks. The machine may be shared: each
chunk's call times are scaled by the share of its wall time the process was
running (CPU time over wall time)."""
ROUNDS = 3
"""The routers of all sizes and the tight scans take turns this many times, each
running a block of ``CHUNKS // ROUNDS`` chunks in a row; the first chunk of a
block warms the caches up again after the others ran and is not counted."""


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


@dataclass
class Tally:
    """Seconds and counts of one timed run."""

    route_seconds: float = 0.0
    route_offers: int = 0
    total_seconds: float = 0.0
    contacts: int = 0
    offers: int = 0
    running: float = 1.0
    """The share of the run's wall time this process was on a CPU (the rest it
    waited for other processes); call times are scaled by it."""

    def clocked(self, wall: float, cpu: float) -> Tally:
        """Record the run's wall and CPU seconds; return self."""
        self.running = min(1.0, cpu / wall) if wall > 0 else 1.0
        return self


@dataclass
class Driver:
    """Runs a stream through the router as a host would, timing every router call.

    Every contact's first offer is accepted; the oldest call ends once more
    than ``busy_limit`` are connected (its agent then wraps up for 2 s); a
    caller still waiting after 20 steps hangs up; a paused agent comes back
    once more than ``pause_limit`` are paused. One step is one second.
    """

    router: Router
    busy_limit: int
    pause_limit: int
    clock: int = 0
    connected: deque[str] = field(default_factory=deque)
    waiting: deque[tuple[int, str]] = field(default_factory=deque)
    paused: deque[str] = field(default_factory=deque)
    answered: set[str] = field(default_factory=set)
    tally: Tally = field(default_factory=Tally)

    def call(self, method: Any, *args: Any, route: bool = False, **kwargs: Any) -> RouterUpdate:
        """Time one router call; ``route``: a call that counts as a routing step if it offers."""
        start = time.perf_counter()
        update: RouterUpdate = method(*args, **kwargs)
        spent = time.perf_counter() - start
        tally = self.tally
        tally.total_seconds += spent
        made = len(update.offers)
        tally.offers += made
        if route and made:
            tally.route_seconds += spent
            tally.route_offers += made
        self.accept_first(update)
        return update

    def accept_first(self, update: RouterUpdate) -> None:
        """Accept the first offer of each contact (ring_all: the others are withdrawn).

        An offer made and withdrawn in the same call (a wrap-up ended just before
        the agent was paused) is in ``ended_offers`` too and is skipped.
        """
        answered = self.answered
        now = T0 + timedelta(seconds=self.clock)
        ended = update.ended_offers
        for offer in update.offers:
            if offer.contact_id in answered or (ended and offer in ended):
                continue
            answered.add(offer.contact_id)
            self.call(self.router.accept, offer.contact_id, offer.agent_id, now=now)
            self.connected.append(offer.contact_id)

    def still_waiting(self, contact_id: str) -> bool:
        """Whether the contact is held and not connected (asked like a wallboard, untimed)."""
        try:
            return self.router.contact(contact_id).agent_id is None
        except NotFoundError:
            return False

    def run(self, ops: list[tuple[str, Any]]) -> Tally:
        """Apply ``ops`` and return what they cost."""
        self.tally = Tally()
        wall, cpu = time.perf_counter(), time.process_time()
        router = self.router
        connected, waiting, paused = self.connected, self.waiting, self.paused
        for kind, payload in ops:
            self.clock += 1
            clock = self.clock
            now = T0 + timedelta(seconds=clock)
            if kind == "contact":
                contact_id, queue, wanted = payload
                self.tally.contacts += 1
                update = self.call(
                    router.enqueue, contact_id, queue, now=now, skills=wanted, route=True
                )
                if not update.offers:
                    waiting.append((clock, contact_id))
            elif router.agent(str(payload)).not_ready_reason is None:
                paused.append(str(payload))
                self.call(router.set_not_ready, str(payload), NotReadyReason.BREAK, now=now)
            if len(paused) > self.pause_limit:
                self.call(router.set_ready, paused.popleft(), now=now, route=True)
            while len(connected) > self.busy_limit:
                contact_id = connected.popleft()
                self.answered.discard(contact_id)
                self.call(router.end, contact_id, now=now, route=True)
            while waiting and waiting[0][0] < clock - ABANDON_AFTER:
                contact_id = waiting.popleft()[1]
                if self.still_waiting(contact_id):
                    self.call(router.abandon, contact_id, now=now)
        return self.tally.clocked(time.perf_counter() - wall, time.process_time() - cpu)


# --- the baseline: a tight full scan per decision ------------------------------


def _scan_key(strategy: str, rng: random.Random) -> Any:
    """The strategy's sort key over a scan row, written inline (no rank call, no objects).

    A row is ``[tier, position, weight, agent_id, skills, state]`` and ``state`` is
    ``[free, answered, idle, talk]`` (numbers), shared by the agent's rows.
    Round robin and top-down scan by position like linear (their memory is one
    more comparison); random strategies draw per eligible agent, as the router does.
    """
    keys = {
        "longest_idle": lambda row, _names: (row[5][1] != 0, row[5][2]),
        "fewest_contacts": lambda row, _names: (row[5][1], row[5][2]),
        "least_talk_time": lambda row, _names: (row[5][3], row[5][2]),
        "random": lambda _row, _names: rng.random(),
        "weighted_random": lambda row, _names: rng.expovariate(row[2]),
        "skills_based": lambda row, names: (-sum(row[4].get(n, 0) for n in names), row[5][2]),
    }
    return keys.get(strategy, lambda row, _names: row[1])  # by position


class TightScan:
    """A pass over a list of agent rows per new contact, over the waiting list per freed agent.

    The way a careful C or SQL implementation scans (Asterisk's app_queue and
    FreeSWITCH's mod_callcenter scan their members per attempt): per queue a
    flat list of rows, the agent's state in a shared list, the strategy's key
    inline, the best row kept as the pass goes (no sort, no list of candidates).
    """

    def __init__(self, strategy: str) -> None:
        """Start empty."""
        self.ring_all = strategy == "ring_all"
        self.key = _scan_key(strategy, random.Random(1))
        self.rows: dict[str, list[list[Any]]] = {name: [] for name in QUEUES}
        self.states: dict[str, list[Any]] = {}
        self.skills_of: dict[str, dict[str, int]] = {}
        self.queues_of: dict[str, frozenset[str]] = {}
        self.waiting: list[tuple[str, str, dict[str, int]]] = []
        self.calls: dict[str, str] = {}
        self.busy: set[str] = set()
        self.paused: set[str] = set()

    def log_in(self, profile: AgentProfile) -> None:
        """Add an agent: one row per queue, one shared state."""
        state = [True, 0, 0.0, 0.0]
        self.states[profile.agent_id] = state
        skills = dict(profile.skills)
        for member in profile.memberships:
            row = [member.tier, member.position, member.weight, profile.agent_id, skills, state]
            self.rows[member.queue].append(row)
        self.skills_of[profile.agent_id] = skills
        self.queues_of[profile.agent_id] = frozenset(m.queue for m in profile.memberships)

    def enqueue(self, contact_id: str, queue: str, wanted: dict[str, int]) -> int:
        """Offer the contact to the agent(s) one pass picks; connect the first. Returns offers."""
        key, names = self.key, wanted.keys()
        items = tuple(wanted.items())
        best = None
        best_key: Any = None
        ringing = 0
        best_tier = 1 << 30
        for row in self.rows[queue]:
            state = row[5]
            if not state[0]:
                continue
            skills = row[4]
            for name, level in items:
                if skills.get(name, 0) < level:
                    break
            else:
                tier = row[0]
                if self.ring_all:  # every agent of the best tier rings
                    if tier < best_tier:
                        best_tier, ringing, best = tier, 1, row
                    elif tier == best_tier:
                        ringing += 1
                    continue
                rank = (tier, key(row, names), row[3])
                if best is None or rank < best_key:
                    best, best_key = row, rank
        if best is None:
            self.waiting.append((contact_id, queue, wanted))
            return 0
        self.connect(contact_id, best[3])
        return ringing or 1

    def connect(self, contact_id: str, agent_id: str) -> None:
        """The agent takes the contact."""
        state = self.states[agent_id]
        state[0] = False
        state[1] += 1
        self.busy.add(agent_id)
        self.calls[contact_id] = agent_id

    def free(self, agent_id: str) -> int:
        """Scan the waiting contacts, oldest first, for the first this agent fits."""
        self.states[agent_id][0] = True
        skills, queues = self.skills_of[agent_id], self.queues_of[agent_id]
        for number, (contact_id, queue, wanted) in enumerate(self.waiting):
            if queue not in queues:
                continue
            for name, level in wanted.items():
                if skills.get(name, 0) < level:
                    break
            else:
                del self.waiting[number]
                self.connect(contact_id, agent_id)
                return 1
        return 0

    def toggle(self, agent_id: str) -> int:
        """Pause the agent, or end its pause (a free agent then looks for work)."""
        if agent_id in self.paused:
            self.paused.discard(agent_id)
            return 0 if agent_id in self.busy else self.free(agent_id)
        self.paused.add(agent_id)
        self.states[agent_id][0] = False
        return 0

    def end(self, contact_id: str, now: int) -> int:
        """End a call; the agent looks for work unless paused."""
        agent_id = self.calls.pop(contact_id)
        self.busy.discard(agent_id)
        self.states[agent_id][2] = now
        return 0 if agent_id in self.paused else self.free(agent_id)


def drive_scan(
    scan: TightScan, ops: list[tuple[str, Any]], busy_limit: int, connected: deque[str]
) -> Tally:
    """Run the stream through the tight scan, timing the decisions it makes."""
    tally = Tally()
    wall, cpu = time.perf_counter(), time.process_time()
    for clock, (kind, payload) in enumerate(ops, start=1):
        start = time.perf_counter()
        if kind == "contact":
            contact_id, queue, wanted = payload
            made = scan.enqueue(contact_id, queue, wanted)
            if made:
                connected.append(contact_id)
        else:
            made = scan.toggle(str(payload))
        while len(connected) > busy_limit:
            made += scan.end(connected.popleft(), clock)
        spent = time.perf_counter() - start
        if made:
            tally.route_seconds += spent
            tally.route_offers += made
    return tally.clocked(time.perf_counter() - wall, time.process_time() - cpu)


# --- running -------------------------------------------------------------------


@dataclass
class Result:
    """Costs per decision (routing step) and per contact (lifecycle), one per round."""

    route: list[float] = field(default_factory=list)
    """Seconds per decision of the routing step, one figure per round."""
    life: list[float] = field(default_factory=list)
    """Seconds per contact of the whole lifecycle, one figure per round."""
    build: float = 0.0
    """Seconds per index built when a skill set is first used."""

    def add(self, tally: Tally) -> None:
        """Record one round's chunk (call times scaled by the share of it the process ran)."""
        if tally.route_offers:
            self.route.append(tally.running * tally.route_seconds / tally.route_offers)
        if tally.contacts:
            self.life.append(tally.running * tally.total_seconds / tally.contacts)


def prime(router: Router, ops: list[tuple[str, Any]]) -> float:
    """Use every skill set of the stream once, so that its index exists; seconds per index.

    The router builds the index of a skill set the first time a contact asks for
    it, scanning that skill's roster once: a startup cost, reported apart.
    """
    seen: set[tuple[str, frozenset[str]]] = set()
    start = time.perf_counter()
    for kind, payload in ops:
        if kind != "contact":
            continue
        _, queue, wanted = payload
        key = (queue, frozenset(wanted))
        if key not in seen:
            seen.add(key)
            probe = f"probe{len(seen)}"
            router.enqueue(probe, queue, now=T0, skills=wanted)
            router.abandon(probe, now=T0)
    return (time.perf_counter() - start) / max(len(seen), 1)


def chunks(ops: list[tuple[str, Any]], count: int) -> list[list[tuple[str, Any]]]:
    """``ops`` cut into ``count`` consecutive pieces of (nearly) equal length."""
    total = len(ops)
    return [ops[total * at // count : total * (at + 1) // count] for at in range(count)]


@dataclass
class Run:
    """One router under test: its driver, the chunks still to run, and what they cost."""

    driver: Driver
    pieces: list[list[tuple[str, Any]]]
    result: Result

    def step(self, *, count: bool = True) -> None:
        """Time the next chunk (``count``: record its cost)."""
        tally = self.driver.run(self.pieces.pop(0))
        if count:
            self.result.add(tally)


@dataclass
class ScanRun:
    """The tight scan on the same kind of stream, timed chunk by chunk."""

    scan: TightScan
    connected: deque[str]
    busy_limit: int
    pieces: list[list[tuple[str, Any]]]
    result: Result

    def step(self, *, count: bool = True) -> None:
        """Time the next chunk (``count``: record its cost)."""
        tally = drive_scan(self.scan, self.pieces.pop(0), self.busy_limit, self.connected)
        if count:
            self.result.add(tally)


def prepare(agents: int, strategy: str, steps: int, warmup: int) -> Run:
    """Build a router, prime its indexes and warm it up to a steady state."""
    stream = make_stream(agents, warmup + steps, seed=agents)
    queues = [QueueConfig(name=name, strategy=strategy, wrap_up=WRAP_UP) for name in QUEUES]
    router = Router(queues, seed=1)
    for profile in stream.profiles:
        router.log_in(profile, now=T0)
    build = prime(router, stream.ops)
    driver = Driver(router, busy_limit=agents // 2, pause_limit=max(1, agents // 50))
    split = contact_index(stream.ops, warmup)
    driver.run(stream.ops[:split])
    return Run(driver, chunks(stream.ops[split:], CHUNKS), Result(build=build))


def prepare_scan(agents: int, strategy: str, steps: int) -> ScanRun:
    """The tight scan with half of the agents busy at first (the router's steady state)."""
    stream = make_stream(agents, steps, seed=agents)
    scan = TightScan(strategy)
    for profile in stream.profiles:
        scan.log_in(profile)
    connected: deque[str] = deque()
    busy = random.Random(agents).sample(sorted(scan.states), agents // 2)
    for number, agent_id in enumerate(busy):
        scan.connect(f"w{number}", agent_id)
        connected.append(f"w{number}")
    return ScanRun(scan, connected, agents // 2, chunks(stream.ops, CHUNKS), Result())


def measure_sizes(
    sizes: tuple[int, ...], strategy: str, steps: int, scale: int
) -> list[tuple[Result, Result]]:
    """Time the router and the tight scan at every size, taking turns in rounds.

    In each round every size's router, then its tight scan, runs a block of
    chunks in a row, so that each round measures everything under the same
    conditions of a shared machine, and every ratio (a size against 100 agents,
    the tight scan against the router) can be taken round by round from the
    medians of the blocks. Returns the router's and the tight scan's results per
    size, one figure per round.
    """
    runs: list[Run | ScanRun] = []
    for size in sizes:
        runs.append(prepare(size, strategy, steps // scale, warmup=min(2 * size, 8_000) // scale))
        # the scan costs about a millisecond per decision at 10,000 agents: fewer decisions
        scan_steps = steps // 10 if size >= 10_000 else steps // 4
        runs.append(prepare_scan(size, strategy, max(scan_steps // scale, 4 * CHUNKS)))
    block = CHUNKS // ROUNDS
    rounds: list[list[Result]] = [[] for _ in runs]
    for _ in range(ROUNDS):
        for run, figures in zip(runs, rounds, strict=True):
            run.result = Result(build=run.result.build)
            run.step(count=False)
            for _ in range(block - 1):
                run.step()
            figures.append(run.result)
    merged = [
        Result(
            route=[statistics.median(r.route) for r in figures if r.route],
            life=[statistics.median(r.life) for r in figures if r.life],
            build=figures[0].build,
        )
        for figures in rounds
    ]
    return [(merged[at], merged[at + 1]) for at in range(0, len(merged), 2)]


def paired(costs: list[float], bases: list[float]) -> list[float]:
    """Round-by-round ratios of two cost series (rounds with no figure are skipped)."""
    return [cost / base for cost, base in zip(costs, bases, strict=False)]


def measure_floor(contacts: int) -> float:
    """Seconds per decision with one agent and one skill: the engine's work without index work.

    Each contact is enqueued (timed: it is offered at once), accepted and ended;
    the median of ``ROUNDS`` rounds is returned.
    """
    router = Router([QueueConfig(name="q", strategy="longest_idle")])
    profile = AgentProfile(agent_id="a", skills={"s": 5}, memberships=(Membership(queue="q"),))
    router.log_in(profile, now=T0)
    wanted = {"s": 1}
    figures = []
    number = 0
    for _ in range(ROUNDS):
        spent = 0.0
        for _ in range(contacts):
            number += 1
            now = T0 + timedelta(seconds=number)
            contact_id = f"c{number}"
            start = time.perf_counter()
            router.enqueue(contact_id, "q", now=now, skills=wanted)
            spent += time.perf_counter() - start
            router.accept(contact_id, "a", now=now)
            router.end(contact_id, now=now)
        figures.append(spent / contacts)
    return statistics.median(figures)


def contact_index(ops: list[tuple[str, Any]], contacts: int) -> int:
    """The index in ``ops`` just after the first ``contacts`` contacts."""
    seen = 0
    for index, (kind, _) in enumerate(ops):
        if seen == contacts:
            return index
        seen += kind == "contact"
    return len(ops)


def main() -> None:
    """Measure and print every figure with its ratio."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a short smoke run")
    parser.add_argument("--strategy", action="append", help="only these strategies")
    args = parser.parse_args()
    sizes = (100, 1000) if args.quick else (100, 1000, 10_000)
    steps = 1000 if args.quick else 4000
    strategies = args.strategy or (
        ["longest_idle", "ring_all"] if args.quick else sorted(BUILTIN_STRATEGIES)
    )

    print("ACD router, 2 queues, 50 skills; a decision is one offer (ring_all: per offer)")
    print(f"{ROUNDS} rounds, the sizes and the tight scans taking turns; figures: median (best)")
    print("  route/s: decisions per second of the routing step (calls that made offers)")
    print("  x100: cost per decision at this size over the cost at 100 agents, round by round")
    print("  life/s: contacts per second over the whole lifecycle (every router call)")
    print("  scan/s: the tight full scan's decisions per second, same stream and size")
    print("  gain: the tight scan's cost per decision over the router's, round by round")
    print("  build ms: first use of a skill set builds its index (startup, primed before timing)")
    print(
        f"{'strategy':<16} {'agents':>6} {'route/s':>17} {'x100':>13} {'life/s':>8}"
        f" {'scan/s':>8} {'gain':>15} {'build ms':>9}"
    )
    began = time.perf_counter()
    for strategy in strategies:
        # ring_all offers hundreds of agents per contact at 10,000 agents: fewer contacts
        scale = 20 if strategy == "ring_all" else 1
        results = measure_sizes(sizes, strategy, steps, scale)
        base = results[0][0]
        for size, (result, scan) in zip(sizes, results, strict=True):
            route = statistics.median(result.route)
            growth = paired(result.route, base.route)
            gain = paired(scan.route, result.route)
            print(
                f"{strategy:<16} {size:>6} {1 / route:>8,.0f} ({1 / min(result.route):>6,.0f})"
                f" {statistics.median(growth):>5.2f}x ({max(growth):>4.2f}x)"
                f" {1 / statistics.median(result.life):>8,.0f}"
                f" {1 / statistics.median(scan.route):>8,.0f}"
                f" {statistics.median(gain):>6.1f}x ({min(gain):>5.1f}x)"
                f" {result.build * 1000:>9.2f}",
                flush=True,
            )
    floor = measure_floor(2_000 if args.quick else 20_000)
    print(
        f"floor: one agent, one skill (no index work): {floor * 1e6:.1f} µs per decision,"
        f" {1 / floor:,.0f} decisions/s"
    )
    print(f"(measured in {time.perf_counter() - began:.0f} s)")
    print("in brackets: the best rate, the highest x100 and the lowest gain of the rounds")


if __name__ == "__main__":
    main()
