"""Agent lines and the agent index: who is available in a queue, best first.

Per queue and set of required skill names, an :class:`AgentIndex` holds one
:class:`AgentLine` per band (tier, and level band for ``skills_based``) of the
available agents that have those skills, with entries keyed ``(rank, agent_id,
version, agent)`` (flat, ``(*rank, agent_id, version, agent)``, for strategies
whose ranks all have one length). An entry whose version is no longer the
agent's (or whose agent can take nothing now) is stale and is dropped when it
reaches the top (lazy invalidation). A line is a heap plus a sorted tail: an
entry no smaller than the tail's last is appended in O(1) (longest idle: an
agent freed now goes behind everyone), others go to the heap, and the best
entry is the smaller of the two fronts. For strategies with queue-wide memory
(round robin) a line is one sorted list instead, searched by bisection from the
queue's pointer. For random strategies a line keeps no entries but an
:class:`AgentPool`: exactly the agents that may take the queue's channel now,
sorted by id, from which a decision draws (see :meth:`AgentIndex.pick_sampled`).
For the other static ranks (``linear``, ``top_down``) a line keeps no entries
but a :class:`LineMask`: bits at its agents' places in the queue's
:class:`RankedMembers`, which knows which members are free.

Lines know their agents only through the entries (an agent is read for its
``version``, ``can_take``, ``satisfies`` and ``dropped``) and their queue only
through :class:`LineQueue`, so they sit below the live state that holds them.
"""

from __future__ import annotations

import bisect
import heapq
import math
from array import array
from collections import deque
from collections.abc import Callable, Iterator
from random import Random
from typing import Any, Generic, Protocol, TypeVar, cast

import attrs

from callcore.acd._strategy import Rank

AgentEntry = tuple[Any, ...]
"""``(rank, agent_id, version, agent)``, or ``(*rank, agent_id, version, agent)`` in
the lines of a queue whose strategy's ranks all have one length (flat tuples
compare faster and hold no inner tuple). Either way ``entry[-3]`` is the agent id,
``entry[-2]`` the version and ``entry[-1]`` the agent itself, so that checking an
entry needs no look-up. No two entries of one line share rank, id and version, so
comparisons never reach the agent (which has no order)."""
Pointer = tuple[int, Rank, str]
"""``(0, rank, agent_id)`` of the agent a queue offered last (the first item is
kept for the snapshot format)."""
Band = tuple[int, int]
"""``(tier, level band)``: where a line stands in its index's order. The level band
is the negated sum of the agent's levels in the index's skills for
``skills_based`` (agents with more proficiency come first) and 0 otherwise."""
Minimums = tuple[tuple[str, int], ...]
"""Skill names with the minimum level a contact needs, above level 1."""
Cursor = tuple[object, ...]
"""``(tier, rank, agent_id)`` of the agent a contact was offered last."""

A = TypeVar("A")
"""The agents of the entries (the router's live agent)."""
Q = TypeVar("Q", bound="LineQueue")
"""The queue of the lines (the router's live queue)."""
Skip = Callable[[A], bool]
"""Whether a picker passes over an agent for the contact at hand."""


class LineQueue(Protocol):
    """What the lines read and write of their queue (its live state)."""

    circular: bool
    """The strategy continues where the queue left off: lines are sorted lists."""
    flat: bool
    """Entries are flat tuples."""
    racing: bool
    """A random decision: the lines keep pools of agents, not entries."""
    pointer: Pointer | None
    high_water: AgentEntry | None
    """No entry in the tail of any of the queue's lines is greater than this."""
    channel_key: str
    ranked: RankedMembers[Any] | None
    """A static rank (by position), one agent at a time and not circular: its
    members in rank order, and the lines are :class:`LineMask`."""


@attrs.define(eq=False)
class AgentIndex(Generic[A, Q]):
    """Available agents of one queue that have all of ``names``, by band, best first."""

    queue: Q
    names: frozenset[str]
    lines: dict[Band, AgentLine[A, Q]] = attrs.Factory(dict)
    ordered: list[AgentLine[A, Q]] = attrs.Factory(list)
    """The values of ``lines`` by band, offered first first (no look-up per decision)."""
    agents: set[str] = attrs.Factory(set)

    def line(self, band: Band) -> AgentLine[A, Q]:
        """The line of ``band``, created on first use."""
        line = self.lines.get(band)
        if line is None:
            line = self.lines[band] = AgentLine(self, band[0], circular=self.queue.circular)
            if self.queue.racing:
                line.pool = AgentPool()
            elif self.queue.ranked is not None:
                line.mask = LineMask()
            self.ordered = [self.lines[key] for key in sorted(self.lines)]
        return line

    def pick_one(
        self,
        channel: str,
        max_tier: int | None,
        minimums: Minimums,
        cursor: Cursor | None,
        skip: Skip[A] | None = None,
    ) -> A | None:
        """The best valid eligible agent: tier by tier, stale entries popped off each top.

        Args:
            channel: The contact's channel value.
            max_tier: The highest tier that may take it (``None``: any).
            minimums: Skill levels above 1 it needs (having the skill at all is
                what the index's names ensure).
            cursor: Where a contact-memory strategy continues (``None``: from the
                first); the first agent passed over for it is the fallback.
            skip: Agents not to choose for this contact (``None``: none), such
                as those it rings already.
        """
        if self.queue.ranked is not None:
            return self._pick_ranked(max_tier, minimums, cursor, skip)
        if cursor is None and skip is None and not minimums and not self.queue.circular:
            return self._front(channel, max_tier)  # the usual decision
        wrap: A | None = None
        for line in self.ordered:
            if max_tier is not None and line.tier > max_tier:
                break
            if line.circular:
                chosen = line.pick_circular(channel, minimums, skip)
                if chosen is not None:
                    return chosen
                continue
            held: list[AgentEntry] = []
            chosen, first_held = line.pick(channel, minimums, cursor, held, skip)
            for entry in held:
                line.push(entry)
            if wrap is None:
                wrap = first_held
            if chosen is not None:
                return chosen
        return wrap

    def _pick_ranked(  # noqa: C901 - the filters inline (hot path)
        self,
        max_tier: int | None,
        minimums: Minimums,
        cursor: Cursor | None,
        skip: Skip[A] | None,
    ) -> A | None:
        """:meth:`pick_one` for a static rank: the free agents of each line, read off bits.

        The same choice as the entries' path (:meth:`AgentLine.pick`, whose
        first agent passed over for the cursor is the fallback): the free
        agents of a line, by rank, are the set bits of ``line.members`` and the
        queue's ``free`` (see :class:`RankedMembers`). The brute-force
        reference of ``tests/acd/test_every_offer.py`` and the stateful test
        check every such decision.
        """
        ranked: RankedMembers[A] = self.queue.ranked  # type: ignore[assignment] # a masked queue
        free = ranked.free
        if not free:
            return None
        order = ranked.order
        epoch = ranked.epoch
        plain = cursor is None and skip is None and not minimums
        wrap: A | None = None
        for line in self.ordered:
            if max_tier is not None and line.tier > max_tier:
                break
            mask: LineMask[A] = line.mask  # type: ignore[assignment] # a masked queue's line
            if mask.epoch != epoch:
                ranked.bring(mask)
            rest = mask.members & free
            if not rest:
                continue
            if plain:  # the usual decision
                return order[(rest & -rest).bit_length() - 1]
            while rest:
                low = rest & -rest
                rest ^= low
                place = low.bit_length() - 1
                agent = order[place]
                if (minimums and not cast("PoolAgent", agent).satisfies(minimums)) or (
                    skip is not None and skip(agent)
                ):
                    continue
                if cursor is not None and (line.tier, *ranked.keys[place]) <= cursor:
                    if wrap is None:
                        wrap = agent
                    continue
                return agent
        return wrap

    def _front(self, channel: str, max_tier: int | None) -> A | None:
        """The best live entry's agent of the first line (up to ``max_tier``) that has one.

        What :meth:`pick_one` returns when nothing is passed over (no cursor,
        no agent to skip, no skill minimum): :meth:`AgentLine.pick`'s first
        round, without its bookkeeping. The brute-force reference of
        ``tests/acd/test_every_offer.py`` checks every such decision.
        """
        for line in self.ordered:
            if max_tier is not None and line.tier > max_tier:
                break
            line.drop_stale_fronts(channel)
            heap, tail = line.heap, line.tail
            if heap:
                entry = tail[0] if tail and tail[0] < heap[0] else heap[0]
            elif tail:
                entry = tail[0]
            else:
                continue
            agent: A = entry[-1]
            return agent
        return None

    def pick_race(
        self,
        max_tier: int | None,
        minimums: Minimums,
        choose: Callable[[list[A]], A],
        skip: Skip[A] | None = None,
    ) -> A | None:
        """The agent ``choose`` draws among every eligible agent in the pools of the lowest tier.

        The generic random decision (a plugin's ``RACE`` strategy): ``choose``
        draws anew for each of those agents, by agent id, so that each decision
        is uniform (or weighted) among exactly the agents that may take this
        contact (Asterisk draws per member and attempt).
        """
        found: dict[str, A] = {}
        tier: int | None = None
        for line in self.ordered:
            if (max_tier is not None and line.tier > max_tier) or (
                tier is not None and line.tier != tier
            ):
                break
            pool = cast("AgentPool[A]", line.pool)
            found.update(
                (agent_id, agent)
                for agent_id, agent in (
                    (cast("PoolAgent", agent).agent_id, agent) for agent in pool.agents
                )
                if (not minimums or cast("PoolAgent", agent).satisfies(minimums))
                and (skip is None or not skip(agent))
            )
            if found:
                tier = line.tier
        return choose([found[agent_id] for agent_id in sorted(found)]) if found else None

    def pick_sampled(
        self,
        max_tier: int | None,
        minimums: Minimums,
        random: Random,
        *,
        weighted: bool,
        skip: Skip[A] | None = None,
    ) -> A | None:
        """A uniformly (or weight-) random eligible agent of the lowest tier that has one.

        The fast path of ``random`` and ``weighted_random`` (strategies that
        declare ``uniform_draw`` or ``weighted_draw``); its reference is the
        exponential race of :meth:`pick_race`, which picks each eligible agent
        with the same probability. Tier by tier, :meth:`AgentPool.sample` draws
        from the tier's pool. ``tests/acd/strategies.py`` (``sampled_choice``)
        recomputes each draw from a scan of every agent, and
        ``tests/acd/test_random_decisions.py`` checks the shares by chi-square.
        """
        for line in self.ordered:
            if max_tier is not None and line.tier > max_tier:
                break
            pool = cast("AgentPool[A]", line.pool)
            if pool.agents:
                chosen = pool.sample(minimums, random, weighted=weighted, skip=skip)
                if chosen is not None:
                    return chosen
        return None

    def pick_all(
        self, channel: str, max_tier: int | None, minimums: Minimums, skip: Skip[A] | None = None
    ) -> list[A]:
        """Every valid eligible agent of the lowest tier that has any (ring all)."""
        for line in self.ordered:
            if max_tier is not None and line.tier > max_tier:
                break
            live: list[AgentEntry] = []
            eligible: list[AgentEntry] = []
            for entry in line.entries():
                agent = entry[-1]
                if agent.version != entry[-2] or not agent.can_take(channel):
                    continue
                live.append(entry)
                if (not minimums or agent.satisfies(minimums)) and (
                    skip is None or not skip(agent)
                ):
                    eligible.append(entry)
            if len(live) * 2 < len(line):
                line.compact()
            if eligible:
                return [entry[-1] for entry in sorted(eligible)]
        return []


@attrs.define(eq=False)
class AgentLine(Generic[A, Q]):
    """The entries of one band of an index: a heap plus a sorted tail."""

    index: AgentIndex[A, Q]
    tier: int
    circular: bool = False
    """``heap`` is a sorted list (searched from the queue's pointer); ``tail`` is unused."""
    heap: list[AgentEntry] = attrs.Factory(list)
    tail: deque[AgentEntry] = attrs.Factory(deque)
    size: int = 0
    """Agents registered in this line (available or not)."""
    limit: int = 64
    """Entries beyond this many (4 per agent, plus some) call for a compaction."""
    pool: AgentPool[A] | None = None
    """(random strategies) The agents that may take the queue's channel now; no entries."""
    mask: LineMask[A] | None = None
    """(static ranks, see :class:`RankedMembers`) The registered agents as bits; no entries."""

    def __len__(self) -> int:
        """Entries held, stale ones included."""
        return len(self.heap) + len(self.tail)

    def resize(self, change: int) -> None:
        """An agent joined (+1) or left (-1) the line."""
        self.size += change
        self.limit = 4 * self.size + 64

    def push(self, entry: AgentEntry) -> None:
        """Add an entry: appended to the tail when in order, else into the heap."""
        if self.circular:
            ordered = self.heap
            place = bisect.bisect_left(ordered, entry)
            if place and ordered[place - 1][-3] == entry[-3]:
                # an older, stale entry of the same agent right before: overwrite it
                ordered[place - 1] = entry
            else:
                ordered.insert(place, entry)
            return
        tail = self.tail
        if not tail or entry >= tail[-1]:
            tail.append(entry)
            queue = self.index.queue
            if queue.high_water is None or entry > queue.high_water:
                queue.high_water = entry
        else:
            heapq.heappush(self.heap, entry)

    def add(self, entry: AgentEntry) -> None:
        """Push an entry, compacting the line once it holds too many stale ones."""
        self.push(entry)
        if len(self) > self.limit:
            self.compact()

    def pop(self) -> AgentEntry:
        """Remove and return the smallest entry (the line must not be empty)."""
        heap, tail = self.heap, self.tail
        if heap and not (tail and tail[0] < heap[0]):
            return heapq.heappop(heap)
        return tail.popleft()

    def entries(self) -> Iterator[AgentEntry]:
        """Every entry, in no particular order."""
        yield from self.heap
        yield from self.tail

    def replace(self, entries: list[AgentEntry]) -> None:
        """Keep only ``entries`` (after dropping stale ones)."""
        if self.circular:
            entries.sort()
        else:
            heapq.heapify(entries)
        self.heap = entries
        self.tail = deque()

    def compact(self) -> None:
        """Drop the stale entries (an agent that cannot take the channel now is told)."""
        channel = self.index.queue.channel_key
        live = []
        for entry in self.entries():
            agent = entry[-1]
            if agent.version != entry[-2]:
                continue
            if agent.can_take(channel):
                live.append(entry)
            else:
                agent.dropped.append(self)
        self.replace(live)

    def drop_stale_fronts(self, channel: str) -> None:
        """Pop the stale entries at the front of the tail and of the heap.

        Each would be dropped when it reached the top anyway; afterwards the
        smaller of the two fronts is the line's best live entry. An entry of the
        current version whose agent cannot take the channel now is noted in the
        agent's ``dropped`` lines (a static agent gets it back when free).
        """
        heap, tail = self.heap, self.tail
        while tail:
            entry = tail[0]
            agent = entry[-1]
            if agent.version != entry[-2]:
                tail.popleft()
            elif not agent.can_take(channel):
                tail.popleft()
                agent.dropped.append(self)
            else:
                break
        while heap:
            entry = heap[0]
            agent = entry[-1]
            if agent.version != entry[-2]:
                heapq.heappop(heap)
            elif not agent.can_take(channel):
                heapq.heappop(heap)
                agent.dropped.append(self)
            else:
                break

    def pick(
        self,
        channel: str,
        minimums: Minimums,
        cursor: Cursor | None,
        held: list[AgentEntry],
        skip: Skip[A] | None = None,
    ) -> tuple[A | None, A | None]:
        """The first valid agent of the line, and the first passed over for the cursor.

        Entries passed over (skills below a minimum, an agent to ``skip``, or at
        or before the contact's cursor) are moved to ``held`` for the caller to
        put back.
        """
        queue = self.index.queue
        tier = self.tier
        wrap: A | None = None
        heap, tail = self.heap, self.tail
        while True:
            self.drop_stale_fronts(channel)
            if heap:
                entry = tail[0] if tail and tail[0] < heap[0] else heap[0]
            elif tail:
                entry = tail[0]
            else:
                return None, wrap
            agent = entry[-1]
            if (minimums and not agent.satisfies(minimums)) or (skip is not None and skip(agent)):
                held.append(self.pop())
                continue
            if cursor is not None:
                rank = entry[:-3] if queue.flat else entry[0]
                if (tier, rank, entry[-3]) <= cursor:
                    if wrap is None:
                        wrap = agent
                    held.append(self.pop())
                    continue
            return agent, wrap

    def pick_circular(
        self, channel: str, minimums: Minimums, skip: Skip[A] | None = None
    ) -> A | None:
        """The first valid eligible agent after the queue's pointer, wrapping round.

        The line is a sorted list: bisection finds the pointer's place, stale
        entries met on the way are deleted, agents below a minimum skipped.
        """
        ordered = self.heap
        queue = self.index.queue
        pointer = queue.pointer
        start = 0
        if pointer is not None:  # after every entry of the pointer's agent, any version
            key = (
                (*pointer[1], pointer[2], math.inf)
                if queue.flat
                else (pointer[1], pointer[2], math.inf)
            )
            start = bisect.bisect_right(ordered, key)
        end = len(ordered)
        for low in (start, 0):
            index = low
            while index < end:
                entry = ordered[index]
                agent = entry[-1]
                if agent.version != entry[-2] or not agent.can_take(channel):
                    del ordered[index]
                    end -= 1
                    if agent.version == entry[-2]:
                        agent.dropped.append(self)
                    continue
                if (minimums and not agent.satisfies(minimums)) or (
                    skip is not None and skip(agent)
                ):
                    index += 1
                    continue
                return agent  # type: ignore[no-any-return] # an entry's agent
            end = start  # the second pass wraps round to the pointer
        return None


MOVES_KEPT = 64
"""Joins and leaves a queue's :class:`RankedMembers` remembers (up to twice as
many); a line mask further behind is rebuilt from its agents instead of moved along."""
CATCH_UP = 2
"""A line mask at most this many moves behind is moved along when an agent
joins it; one further behind is left to be rebuilt when it is next used."""


@attrs.define(eq=False)
class RankedMembers(Generic[A]):
    """The members of one queue of a static rank (``linear``, ``top_down``), in rank order.

    ``order`` holds the queue's logged-in members by ``(rank, agent id)`` and
    bit ``i`` of ``free`` is set exactly when ``order[i]`` may take the queue's
    channel now (kept by ``Agent.sync_pools``, as the random strategies' pools
    are). Each line of the queue is a :class:`LineMask` whose bits are its
    agents' places in ``order``, so that the best free agent of a line is the
    lowest bit of ``line.members & free``: a decision meets no busy agent, and
    an agent freed or taken sets or clears one bit per queue, not one per line.

    An agent joining or leaving moves the places above its own by one. The
    move is noted (``moves``) and each line mask replays the moves it has not
    seen when next used, a shift of its bits per move; a mask more than
    ``MOVES_KEPT`` moves behind is rebuilt from its agents. Each agent's place
    is kept as a hint, checked against ``order`` before use and found again by
    bisection when a move made it wrong.
    """

    order: list[A] = attrs.Factory(list)
    """The members by ``keys``."""
    keys: list[tuple[Rank, str]] = attrs.Factory(list)
    """``(rank, agent id)`` of each agent of ``order``, place for place (ascending)."""
    key_of: dict[int, tuple[Rank, str]] = attrs.Factory(dict)
    """The key of each member, by agent number (a static rank never changes)."""
    places: dict[int, int] = attrs.Factory(dict)
    """Where each member was last found in ``order``, by agent number (a hint)."""
    free: int = 0
    """Bit ``i``: ``order[i]`` may take the queue's channel now."""
    epoch: int = 0
    """Joins and leaves so far."""
    moves: list[tuple[int, bool]] = attrs.Factory(list)
    """``(place, joined)`` of the last joins and leaves, oldest first; the last is
    the move that made ``epoch``."""

    def place(self, number: int, agent: A) -> int:
        """The member's place in ``order``: its hint if it is still there, else a bisection."""
        place = self.places[number]
        order = self.order
        if place >= len(order) or order[place] is not agent:
            place = self.places[number] = bisect.bisect_left(self.keys, self.key_of[number])
        return place

    def join(self, number: int, agent: A, key: tuple[Rank, str]) -> None:
        """A member logged in (not free yet): put in at its place, the bits above moved up."""
        place = bisect.bisect_left(self.keys, key)
        self.keys.insert(place, key)
        self.order.insert(place, agent)
        self.key_of[number] = key
        self.places[number] = place
        self.free = _open_bit(self.free, place)
        self._moved(place, joined=True)

    def leave(self, number: int, agent: A) -> None:
        """A member logged out: taken out of its place, the bits above moved down."""
        place = self.place(number, agent)
        del self.keys[place]
        del self.order[place]
        del self.key_of[number]
        del self.places[number]
        self.free = _close_bit(self.free, place)
        self._moved(place, joined=False)

    def _moved(self, place: int, *, joined: bool) -> None:
        self.epoch += 1
        moves = self.moves
        moves.append((place, joined))
        if len(moves) > 2 * MOVES_KEPT:
            del moves[:MOVES_KEPT]

    def bring(self, mask: LineMask[A]) -> None:
        """Move a line mask along the joins and leaves it has not seen."""
        behind = self.epoch - mask.epoch
        if behind <= len(self.moves) and behind <= CATCH_UP * len(mask.agents):
            members = mask.members
            for place, joined in self.moves[len(self.moves) - behind :]:
                members = _open_bit(members, place) if joined else _close_bit(members, place)
            mask.members = members
        else:
            members = 0
            for number, agent in mask.agents.items():
                members |= 1 << self.place(number, agent)
            mask.members = members
        mask.epoch = self.epoch


def _open_bit(bits: int, place: int) -> int:
    """``bits`` with a clear bit put in at ``place`` (the bits from there move up)."""
    below = bits & ((1 << place) - 1)
    return below | ((bits >> place) << (place + 1))


def _close_bit(bits: int, place: int) -> int:
    """``bits`` with the bit at ``place`` taken out (the bits above move down)."""
    below = bits & ((1 << place) - 1)
    return below | ((bits >> (place + 1)) << place)


@attrs.define(eq=False)
class LineMask(Generic[A]):
    """The agents of one line of a static rank, as bits at their places in the queue's order."""

    agents: dict[int, A] = attrs.Factory(dict)
    """The line's registered agents, by number."""
    members: int = 0
    """Bit ``i``: the agent at place ``i`` of the queue's order (as of ``epoch``) is here."""
    epoch: int = 0
    """The queue order's epoch the bits are placed by."""

    def enlist(self, number: int, agent: A, ranked: RankedMembers[A]) -> None:
        """An agent registered in the line.

        A mask many moves behind is not brought along for it: it is rebuilt,
        with the new agent, when next used (agents log in far more often than
        some lines are used).
        """
        self.agents[number] = agent
        if ranked.epoch - self.epoch > CATCH_UP * len(self.agents):
            self.epoch = -1  # more moves behind than are ever kept: rebuilt when used
            return
        ranked.bring(self)
        self.members |= 1 << ranked.place(number, agent)

    def strike(self, number: int) -> None:
        """An agent left the line (its bit goes when the queue's order moves it out)."""
        del self.agents[number]


SAMPLE_TRIES = 32
"""Draws of a random decision before it falls back to listing the eligible agents."""


class PoolAgent(Protocol):
    """What a pool reads of its agents."""

    agent_id: str
    number: int

    def satisfies(self, minimums: Minimums) -> bool:
        """Whether the agent has every skill at its minimum level."""
        ...


@attrs.define(eq=False)
class AgentPool(Generic[A]):
    """The agents of one line of a random strategy that may take its channel now, by id.

    Kept exactly (an agent enters and leaves as its availability changes, see
    ``Agent.sync_pools``) and in the order of the agents' numbers (the order
    in which the router met them, which a snapshot keeps), so that the pool,
    and thus every draw from the router's seeded source, is a function of the
    router's state alone: a restored router, whose pools are rebuilt from its
    agents, draws the same agents. Insertion and removal are a bisection of a
    flat array of numbers and a move of the lists' tails (a ``memmove`` of a
    few thousand items at most).
    """

    numbers: array[int] = attrs.Factory(lambda: array("q"))
    """The agents' numbers (``Agent.number``), ascending: a flat array, so that a
    bisection reads no agent or id object (no cache miss per probe)."""
    agents: list[A] = attrs.Factory(list)
    """The agents of ``numbers``, place for place."""
    weights: dict[int, float] = attrs.Factory(dict)
    """The weight of each agent registered in the line, by number."""
    enrolled: dict[float, int] = attrs.Factory(dict)
    """How many agents registered in the line (free or not) have each weight."""
    top: float = 0.0
    """The largest weight of an agent registered in the line (not only of the
    free ones: it changes only when agents log in or out)."""

    def enrol(self, number: int, weight: float) -> None:
        """An agent of this weight registered in the line."""
        self.weights[number] = weight
        self.enrolled[weight] = self.enrolled.get(weight, 0) + 1
        self.top = max(self.top, weight)

    def unenrol(self, number: int) -> None:
        """An agent left the line."""
        weight = self.weights.pop(number)
        left = self.enrolled[weight] - 1
        if left:
            self.enrolled[weight] = left
            return
        del self.enrolled[weight]
        if weight == self.top:
            self.top = max(self.enrolled, default=0.0)

    def add(self, number: int, agent: A) -> None:
        """The agent may take the channel now (it is not in the pool)."""
        numbers = self.numbers
        place = bisect.bisect_left(numbers, number)
        numbers.insert(place, number)
        self.agents.insert(place, agent)

    def remove(self, number: int) -> None:
        """The agent may no longer take the channel (it is in the pool)."""
        place = bisect.bisect_left(self.numbers, number)
        del self.numbers[place]
        del self.agents[place]

    def sample(
        self, minimums: Minimums, random: Random, *, weighted: bool, skip: Skip[A] | None = None
    ) -> A | None:
        """Draw an agent that meets ``minimums``: uniformly, or in proportion to its weight.

        Rejection sampling: a uniformly drawn place in the pool is accepted if
        its agent meets the minimums (and, weighted, with probability weight
        over the registered agents' largest weight), so each accepted draw is
        uniform (weighted) among the eligible agents. After ``SAMPLE_TRIES``
        rejections the eligible agents are listed and one is drawn from the
        list, which is uniform (weighted) as well, so the mixture is. Every
        draw comes from ``random`` in an order fixed by the pool's content.
        """
        agents = self.agents
        numbers = self.numbers
        weights = self.weights
        size = len(agents)
        top = self.top
        draw = random.random
        for _ in range(SAMPLE_TRIES):
            place = _below(random, size)
            agent = agents[place]
            if minimums and not cast("PoolAgent", agent).satisfies(minimums):
                continue
            if skip is not None and skip(agent):  # rejected as a draw: the rest stay uniform
                continue
            if weighted and draw() * top >= weights[numbers[place]]:
                continue
            return agent
        eligible = [
            place
            for place in range(size)
            if (not minimums or cast("PoolAgent", agents[place]).satisfies(minimums))
            and (skip is None or not skip(agents[place]))
        ]
        if not eligible:
            return None
        if not weighted:
            return agents[eligible[_below(random, len(eligible))]]
        target = draw() * math.fsum(weights[numbers[place]] for place in eligible)
        for place in eligible:
            target -= weights[numbers[place]]
            if target < 0:
                return agents[place]
        return agents[eligible[-1]]  # rounding left a sliver past the last


def _below(random: Random, size: int) -> int:
    """A uniform integer in ``range(size)`` (as ``Random.randrange``; 0 without a draw if 1)."""
    if size == 1:
        return 0
    bits = size.bit_length()
    value = random.getrandbits(bits)
    while value >= size:
        value = random.getrandbits(bits)
    return value
