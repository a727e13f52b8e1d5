"""The router's live state: agents, contacts and queues, with what each does to itself.

An :class:`Agent` keeps its place in the agent lines of its queues (see
:mod:`callcore.acd._lines`) up to date as it comes and goes; a
:class:`QueueRuntime` ranks agents by its strategy and keeps its waiting lines:
per exact requirement (skills with minimum levels and highest tier), a heap of
waiting contacts keyed ``(-priority, arrival, seq, version, contact_id)``,
grouped by skill names so an agent who becomes free only looks at the lines
whose skills it has.
"""

# cattrs reads these annotations at run time, so their imports stay at run time.
from __future__ import annotations

import heapq
from bisect import bisect_left
from collections import deque
from collections.abc import Iterable, Mapping
from datetime import datetime, timedelta
from itertools import combinations, count
from random import Random

import attrs

from callcore.acd._events import Offer
from callcore.acd._lines import AgentEntry, AgentIndex, AgentLine, Pointer, RankedMembers
from callcore.acd._model import (
    AgentProfile,
    ContactStatus,
    EmptyCondition,
    Membership,
    NotReadyReason,
    QueueConfig,
    RejectReason,
)
from callcore.acd._strategy import CAPABILITIES, Strategy, StrategyMemory
from callcore.acd._views import AgentView, Announcement, ContactView
from callcore.contacts import AgentState, Channel

ContactEntry = tuple[int, datetime, int, int, str]
"""``(-priority, arrived, seq, version, contact_id)``."""

VOICE = Channel.VOICE.value

SUBSET_LIMIT = 3
"""Agents precompute their skill subsets up to this size for line look-ups (64
skills at most: 43,745 subsets)."""

_AGENT_NUMBERS = count()
"""Numbers for agent records (``Agent.number``): only their order matters."""
MAX_RING = 2**62
"""The ring limit of ``ring_count=None``: more agents than a router can hold."""

_MAX_SECONDS = 1e13
"""Announcements report longer estimated waits as this many seconds."""

REQUIREMENT_CACHE = 4096
"""Distinct skill maps remembered per queue (the cache starts over when full)."""


@attrs.frozen
class Requirement:
    """Who may take a contact now: skills with minimum levels and a tier limit."""

    names: frozenset[str]
    minimums: tuple[tuple[str, int], ...]
    max_tier: int | None
    strict: tuple[tuple[str, int], ...] = ()
    """The minimums above level 1 (having the skill at all is what the index checks)."""


WaitingGroup = dict[Requirement, list[ContactEntry]]
"""The waiting lines of one set of skill names, by exact requirement."""


@attrs.define(eq=False)
class Agent:
    """One agent's state (implements :class:`~callcore.acd.AgentStats`)."""

    profile: AgentProfile
    idle_since: datetime
    logged_in: bool = True
    not_ready: NotReadyReason | None = None
    answered: int = 0
    talk_time: timedelta = timedelta(0)
    talk_seconds: float = 0.0
    """``talk_time`` in seconds (what strategies rank by), kept with it."""
    last_offered: datetime | None = None
    draw: float = 0.0
    race_base: dict[str, float] = attrs.Factory(dict)
    wrap_until: datetime | None = None
    delay_until: datetime | None = None
    no_answer_streak: int = 0
    offers: dict[str, Offer] = attrs.Factory(dict)
    connected: dict[str, str] = attrs.Factory(dict)
    """Contact ids with the value of their channel."""
    load: dict[str, int] = attrs.Factory(dict)
    """Offers plus contacts per channel value (strings hash faster than enums)."""
    capacity: dict[str, int] = attrs.Factory(dict)
    version: int = 0
    ready: bool = False
    members: dict[str, Membership] = attrs.Factory(dict)
    subsets: tuple[frozenset[str], ...] = ()
    lines: dict[str, list[AgentLine[Agent, QueueRuntime]]] = attrs.Factory(dict)
    """The index lines the agent belongs to, by queue name."""
    queues: tuple[QueueRuntime, ...] = ()
    """The queues of its memberships (while logged in)."""
    draws: bool = False
    """One of its queues' strategies reads ``draw``: a new one is drawn each time
    the agent becomes available."""
    pool_queues: tuple[QueueRuntime, ...] = ()
    """Its queues whose lines keep pools (random strategies) or masks (static ranks,
    see ``QueueRuntime.ranked``): they follow whether it may take their channel."""
    pooled: set[str] = attrs.Factory(set)
    """Names of the queues in whose pools the agent is, or whose ``ranked.free`` has
    its bit (it may take their channel)."""
    static: bool = False
    """Every queue of the agent ranks it by position only: its rank never changes,
    so its entries stay valid across busy spells and are not pushed again."""
    indexed: bool = False
    """(static agents) Entries of the current version were pushed to its lines."""
    dropped: list[AgentLine[Agent, QueueRuntime]] = attrs.Factory(list)
    """Lines that lost the agent's current entry while it could not take contacts."""
    level_sums: dict[frozenset[str], int] = attrs.Factory(dict)
    """Negated sums of its levels in each skill set (skills_based ranks), by skill set."""
    state_since: datetime | None = None
    """When it entered the state it is seen in (``None``: restored from an older snapshot)."""
    seen: AgentState = AgentState.LOGGED_OUT
    """The state ``state_since`` belongs to."""
    awaiting: dict[str, None] = attrs.Factory(dict)
    """Contacts transferred to this agent that wait for it (not in any waiting line)."""
    agent_id: str = attrs.field(init=False, default="")
    """The profile's agent id, kept as a plain attribute (read on every decision)."""
    number: int = attrs.field(init=False, factory=lambda: next(_AGENT_NUMBERS))
    """Ascending in the order agent records are made: the order the router met its
    agents, which a snapshot keeps (it lists them in that order, and a restored
    router makes them in it). Random pools are kept in this order."""
    prefers: bool = attrs.field(init=False, default=False)
    """Its memberships differ in ``preference``: it may be passed over for a contact
    of a queue it prefers less while one of a queue it prefers more wants it."""

    def __attrs_post_init__(self) -> None:
        """Copy the profile's agent id."""
        self.agent_id = self.profile.agent_id

    @property
    def skills(self) -> Mapping[str, int]:
        """Skill levels."""
        return self.profile.skills

    def state(self) -> AgentState:
        """The state it is seen in: the first that applies, most telling first."""
        if not self.logged_in:
            return AgentState.LOGGED_OUT
        if self.connected:
            return AgentState.BUSY
        if self.offers:
            return AgentState.RESERVED
        if self.wrap_until is not None:
            return AgentState.WRAP_UP
        if self.not_ready is not None:
            return AgentState.NOT_READY
        return AgentState.AVAILABLE

    def mark(self, at: datetime) -> None:
        """Note ``at`` as the start of the state it is now seen in, if that changed."""
        # state(), inline (hot path: every contact that ends marks its agent)
        if not self.logged_in:
            state = AgentState.LOGGED_OUT
        elif self.connected:
            state = AgentState.BUSY
        elif self.offers:
            state = AgentState.RESERVED
        elif self.wrap_until is not None:
            state = AgentState.WRAP_UP
        elif self.not_ready is not None:
            state = AgentState.NOT_READY
        else:
            state = AgentState.AVAILABLE
        if state is not self.seen:
            self.seen = state
            self.state_since = at

    def view(self) -> AgentView:
        """A read-only picture of the agent."""
        return AgentView(
            profile=self.profile,
            state=self.state(),
            not_ready_reason=self.not_ready,
            answered=self.answered,
            talk_time=self.talk_time,
            idle_since=self.idle_since,
            last_offered=self.last_offered,
            wrap_up_until=self.wrap_until,
            offered=tuple(self.offers),
            connected=tuple(self.connected),
        )

    def refresh(self) -> None:
        """Recompute whether the agent may be offered anything at all (and its pools)."""
        self.ready = (
            self.logged_in
            and self.not_ready is None
            and self.wrap_until is None
            and self.delay_until is None
        )
        if self.pool_queues:
            self.sync_pools()

    def sync_pools(self) -> None:
        """Follow whether it may take each channel: random queues' pools, static queues' free bits.

        Called wherever that may change: :meth:`refresh` (every change of
        readiness, and every release, goes through it) and each offer made.
        The list moves are ``AgentPool.add`` and ``AgentPool.remove`` inlined;
        the stateful test's ``random_pools_hold_exactly_the_free_agents``
        checks the pools and the free bits against a recount after every step.
        """
        pooled = self.pooled
        number = self.number
        for queue in self.pool_queues:
            name = queue.config.name
            if self.can_take(queue.channel_key) is (name in pooled):
                continue
            ranked = queue.ranked
            if ranked is not None:  # one bit in the queue's order
                # RankedMembers.place inlined; the stateful test's
                # static_queues_know_their_members_in_rank_order recounts the bits
                place = ranked.places[number]
                order = ranked.order
                if place >= len(order) or order[place] is not self:
                    place = ranked.place(number, self)
                ranked.free ^= 1 << place
                if name in pooled:
                    pooled.discard(name)
                else:
                    pooled.add(name)
                continue
            lines = self.lines.get(name, ())
            if name in pooled:
                pooled.discard(name)
                for line in lines:  # AgentPool.remove inlined (hot loop)
                    pool = line.pool
                    numbers = pool.numbers  # type: ignore[union-attr]
                    place = bisect_left(numbers, number)
                    del numbers[place]
                    del pool.agents[place]  # type: ignore[union-attr]
            else:
                pooled.add(name)
                for line in lines:  # AgentPool.add inlined (hot loop)
                    pool = line.pool
                    numbers = pool.numbers  # type: ignore[union-attr]
                    place = bisect_left(numbers, number)
                    numbers.insert(place, number)
                    pool.agents.insert(place, self)  # type: ignore[union-attr]

    def can_take(self, channel: str) -> bool:
        """Whether one more contact on ``channel`` (a channel value) may be offered now."""
        if not self.ready:
            return False
        if self.load.get(channel, 0) >= self.capacity.get(channel, 0):
            return False
        if self.profile.voice_exclusive:
            if channel == VOICE:
                return not self.offers and not self.connected
            return not self.load.get(VOICE, 0)
        return True

    def staffs(self, queue: QueueConfig) -> bool:
        """Whether none of the queue's ``empty_when`` conditions holds for this member."""
        conditions = queue.empty_when
        max_tier = queue.max_tier
        return not (
            (EmptyCondition.PAUSED in conditions and self.not_ready is not None)
            or (EmptyCondition.IN_USE in conditions and bool(self.connected))
            or (EmptyCondition.RINGING in conditions and bool(self.offers))
            or (EmptyCondition.WRAP_UP in conditions and self.wrap_until is not None)
            or (
                EmptyCondition.PENALTY in conditions
                and max_tier is not None
                and self.members[queue.name].tier > max_tier
            )
        )

    def satisfies(self, minimums: tuple[tuple[str, int], ...]) -> bool:
        """Whether the agent has every skill at its minimum level."""
        skills = self.profile.skills
        return all(skills.get(name, 0) >= level for name, level in minimums)

    def adopt(self, profile: AgentProfile) -> None:
        """Take a (new) profile at log-in: memberships and skill subsets."""
        self.profile = profile
        self.agent_id = profile.agent_id
        self.members = {member.queue: member for member in profile.memberships}
        self.prefers = len({member.preference for member in profile.memberships}) > 1
        self.capacity = {channel.value: count for channel, count in profile.capacity.items()}
        self.level_sums = {}
        names = sorted(profile.skills)
        self.subsets = tuple(
            frozenset(combo)
            for size in range(min(len(names), SUBSET_LIMIT) + 1)
            for combo in combinations(names, size)
        )

    def add_talk(self, talk: timedelta) -> None:
        """A contact of this length ended."""
        try:
            self.talk_time += talk
        except OverflowError:  # pragma: no cover - millions of years of talk
            self.talk_time = timedelta.max
        self.talk_seconds = self.talk_time.total_seconds()

    # --- its place in the agent lines ---

    def join(
        self, profile: AgentProfile, queues: Mapping[str, QueueRuntime]
    ) -> list[tuple[QueueRuntime, timedelta]]:
        """Log in with ``profile``: become a member of its queues and of their indexes.

        Returns:
            The queues where the agent's ``delay`` is one no other logged-in
            member has, with that delay (their waiting contacts need a timer for it).
        """
        self.adopt(profile)
        self.lines = {}
        self.invalidate()
        self.queues = tuple(queues[name] for name in self.members)
        self.static = all(queue.static_rank for queue in self.queues)
        # a random strategy draws at each decision, not when the agent is freed
        self.draws = any(queue.draws and not queue.racing for queue in self.queues)
        self.pool_queues = tuple(
            queue for queue in self.queues if queue.racing or queue.ranked is not None
        )
        self.pooled = set()
        for queue in self.pool_queues:  # in its place, not free yet (refresh frees it)
            ranked = queue.ranked
            if ranked is not None:
                member = self.members[queue.config.name]
                rank = queue.strategy.rank(self, member, frozenset())
                ranked.join(self.number, self, (rank, self.agent_id))
        self.refresh()
        skills = profile.skills.keys()
        new_delays = []
        for member in profile.memberships:
            queue = queues[member.queue]
            queue.members.add(self.agent_id)
            queue.preferring += self.prefers
            if member.delay and queue.add_delay(member.delay):
                new_delays.append((queue, member.delay))
            queue.empty_since = None
            for name in skills:
                queue.skill_members.setdefault(name, set()).add(self.agent_id)
            for names, index in queue.indexes.items():
                if names <= skills:
                    self.register(index)
        return new_delays

    def leave_lines(self) -> None:
        """Log out: leave every index line (the queues' member lists are the router's)."""
        for queue in self.pool_queues:
            if queue.ranked is not None:
                queue.ranked.leave(self.number, self)
        for name, lines in self.lines.items():
            for line in lines:
                line.resize(-1)
                line.index.agents.discard(self.agent_id)
                if line.mask is not None:
                    line.mask.strike(self.number)
                pool = line.pool
                if pool is not None:
                    if name in self.pooled:
                        pool.remove(self.number)
                    pool.unenrol(self.number)
        self.lines = {}
        self.queues = ()
        self.pool_queues = ()
        self.pooled = set()

    def register(self, index: AgentIndex[Agent, QueueRuntime]) -> AgentLine[Agent, QueueRuntime]:
        """Become a member of the index (its entry comes when it is available)."""
        queue = index.queue
        name = queue.config.name
        line = index.line((self.members[name].tier, self.level_band(queue, index.names)))
        line.resize(1)
        self.lines.setdefault(name, []).append(line)
        index.agents.add(self.agent_id)
        if line.mask is not None:
            # a line with a mask belongs to a queue with ranked members
            line.mask.enlist(self.number, self, queue.ranked)  # type: ignore[arg-type]
        pool = line.pool
        if pool is not None:
            pool.enrol(self.number, self.members[name].weight)
            if name in self.pooled:
                pool.add(self.number, self)
        return line

    def register_available(self, index: AgentIndex[Agent, QueueRuntime]) -> None:
        """Become a member of the index, with an entry if it may take the queue's contacts."""
        line = self.register(index)
        queue = index.queue
        if line.pool is not None or line.mask is not None:  # kept by sync_pools
            return
        if self.can_take(queue.channel_key):
            line.add(queue.entry(self, index.names))
        else:
            self.dropped.append(line)

    def level_band(self, queue: QueueRuntime, names: frozenset[str]) -> int:
        """The agent's level band in the queue's lines of ``names`` (0 unless ``skills_based``).

        ``skills_based`` ranks by the sum of the agent's levels in the
        contact's skills, then idle time. The sum is fixed while the agent is
        logged in, so it places the agent in a line of its own band, in which
        idle time alone orders the entries: a freed agent's entry is the same in
        all its lines of the queue and goes to the back of each, as with
        ``longest_idle``.
        """
        if not queue.level_sum:
            return 0
        total = self.level_sums.get(names)
        if total is None:
            skills = self.profile.skills
            total = self.level_sums[names] = -sum(skills.get(name, 0) for name in names)
        return total

    def invalidate(self) -> None:
        """Make every entry of the agent stale at once."""
        self.version += 1
        self.indexed = False
        self.dropped = []

    def repush(self, random: Random) -> None:  # noqa: C901 - can_take inline (hot path)
        """The agent's rank or availability changed: new entries everywhere it fits.

        The version bump invalidates every older entry at once; an agent that
        can take nothing now (busy, paused) gets no entry and no new draw (from
        ``random``). A static agent keeps its entries: only the lines that
        dropped it while it was busy get it back.
        """
        self.refresh()  # not inlined: it keeps the random strategies' pools too
        ready = self.ready
        if self.static and self.indexed:
            if ready and self.dropped:
                self.restore_dropped()
            return
        self.version += 1  # invalidate() inlined (hot path)
        self.indexed = False
        self.dropped = []
        if not ready:
            return
        open_queues = []  # a loop: a list comprehension is one more call
        load, capacity = self.load, self.capacity
        exclusive = self.profile.voice_exclusive
        for queue in self.queues:
            channel = queue.channel_key
            # the agent is ready: can_take's other tests, inline (hot loop)
            if load.get(channel, 0) >= capacity.get(channel, 0):
                continue
            if exclusive and (
                (self.offers or self.connected) if channel == VOICE else load.get(VOICE, 0)
            ):
                continue
            open_queues.append(queue)
        if not open_queues:
            return
        if self.static:
            self.indexed = True
            for queue in self.queues:
                if queue not in open_queues and queue.ranked is None:  # a mask: sync_pools
                    self.dropped.extend(self.lines.get(queue.config.name, ()))
        self.push_everywhere(open_queues, random)

    def push_everywhere(self, open_queues: list[QueueRuntime], random: Random) -> None:  # noqa: C901, PLR0912 - entry and push_all inline (hot path)
        """A new draw and a new entry in every line of the queues the agent may serve now."""
        if self.draws:  # only strategies that read the draw use up the random stream
            self.draw = random.expovariate(1.0)
        for queue in open_queues:
            lines = self.lines.get(queue.config.name)
            if not lines or queue.racing or queue.ranked is not None:  # kept by sync_pools
                continue
            if not (queue.skill_blind or queue.level_sum):
                for line in lines:  # a rank per skill set
                    line.add(queue.entry(self, line.index.names))
                continue
            if queue.circular:
                entry = queue.entry(self, lines[0].index.names)
                for line in lines:
                    line.add(entry)
                continue
            # one rank serves every skill set of the queue
            names = lines[0].index.names
            if queue.level_sum:
                entry = queue.entry(self, names)
            else:  # QueueRuntime.entry, inline (the usual strategies)
                rank = queue.strategy.rank(self, self.members[queue.config.name], names)
                if queue.flat:
                    entry = (*rank, self.agent_id, self.version, self)
                else:
                    entry = (rank, self.agent_id, self.version, self)
            high_water = queue.high_water
            if high_water is not None and entry <= high_water:
                queue.push_all(lines, entry)
                continue
            # QueueRuntime.push_all's usual case, inline: behind every tail (longest idle)
            queue.high_water = entry
            for line in lines:
                tail = line.tail
                tail.append(entry)
                if len(tail) > line.limit:
                    line.compact()

    def restore_dropped(self) -> None:
        """Give a static agent its entry back in the lines that dropped it, where it fits."""
        kept = []
        # a static agent's rank is its position: one entry (and one check) per queue
        by_queue: dict[str, AgentEntry | None] = {}
        for line in self.dropped:
            queue = line.index.queue
            name = queue.config.name
            if name in by_queue:
                entry = by_queue[name]
            else:
                entry = by_queue[name] = (
                    queue.entry(self, line.index.names)
                    if self.can_take(queue.channel_key)
                    else None
                )
            if entry is None:
                kept.append(line)
            elif line.circular:
                line.add(entry)
            else:
                # AgentLine.add inlined (hot loop)
                tail = line.tail
                if not tail or entry >= tail[-1]:
                    tail.append(entry)
                    if queue.high_water is None or entry > queue.high_water:
                        queue.high_water = entry
                else:
                    heapq.heappush(line.heap, entry)
                if len(tail) + len(line.heap) > line.limit:
                    line.compact()
        self.dropped = kept

    # --- the waiting contacts it may take ---

    def prefers_elsewhere(
        self, queue: QueueRuntime, contacts: Mapping[str, Contact], now: datetime
    ) -> bool:
        """Whether a contact of a queue it prefers to ``queue`` wants the agent now.

        Such an agent is passed over for ``queue``'s contacts (Asterisk's queue
        ``weight``, Amazon Connect's routing-profile priority): the contact of
        its preferred queue goes first, to it or to another agent. A contact
        that has not yet waited the agent's delay for its queue does not want
        this agent yet.
        """
        if not self.prefers:
            return False
        found = self.best_waiting(contacts, now)
        if found is None:
            return False
        members = self.members
        return members[found[1].config.name].preference < members[queue.config.name].preference

    def best_waiting(
        self, contacts: Mapping[str, Contact], now: datetime
    ) -> tuple[Contact, QueueRuntime] | None:
        """The waiting contact the agent should take first, of all its queues, and its queue.

        The agent's most preferred queue first (``Membership.preference``),
        then higher priority, then earlier arrival: the global policy across
        queues. Only contacts that have waited the agent's ``delay`` for their
        queue count (``now`` minus when they entered it). Lines found empty on
        the way are dropped.
        """
        best: tuple[tuple[int, ContactEntry], Contact, QueueRuntime] | None = None
        for queue in self.queues:
            if not queue.groups or not self.can_take(queue.channel_key):
                continue
            member = self.members[queue.config.name]
            tier = member.tier
            preference = member.preference
            # a delayed membership reads every entry: the line's first may not have waited enough
            cutoff = now - member.delay if member.delay else None
            emptied: list[Requirement] = []
            for group in self.groups_in(queue):
                for requirement, line in group.items():
                    if requirement.max_tier is not None and tier > requirement.max_tier:
                        continue
                    # the agent has every skill of the group (level 1 or more): check the rest
                    if requirement.strict and not self.satisfies(requirement.strict):
                        continue
                    head = (
                        _line_head(line, contacts, queue.ring_limit, self.offers)
                        if cutoff is None
                        else _eligible_head(line, contacts, queue.ring_limit, self.offers, cutoff)
                    )
                    if head is None:
                        emptied.append(requirement)  # deleted after the loop, if empty
                    elif best is None or (preference, head[0]) < best[0]:
                        best = ((preference, head[0]), head[1], queue)
            for requirement in emptied:
                queue.drop_line(requirement)
        return None if best is None else (best[1], best[2])

    def groups_in(self, queue: QueueRuntime) -> list[WaitingGroup]:
        """The queue's waiting-line groups whose skills the agent has (the cheaper way round)."""
        groups = queue.groups
        if queue.max_names <= SUBSET_LIMIT and len(self.subsets) < len(groups):
            get = groups.get
            return [group for group in map(get, self.subsets) if group is not None]
        skills = self.profile.skills.keys()
        return [group for names, group in groups.items() if names <= skills]


def _line_head(
    line: list[ContactEntry],
    contacts: Mapping[str, Contact],
    ring_limit: int,
    ringing: Mapping[str, Offer],
) -> tuple[ContactEntry, Contact] | None:
    """The line's first contact that wants an agent, other than those ``ringing`` the agent.

    A contact wants an agent while it waits, or while it rings fewer agents than
    its queue's ``ring_limit``. Stale entries above it are popped; the entries of
    contacts already ringing the agent who looks (a multi-channel agent) are
    passed over and put back.
    """
    passed: list[ContactEntry] | None = None
    found = None
    while line:
        entry = line[0]
        contact = contacts.get(entry[4])
        if (  # _wants_agent, inline (hot path: every freed agent reads a line head)
            contact is not None
            and contact.version == entry[3]
            and contact.seq == entry[2]  # not an earlier contact of the same id
            and (
                contact.status is ContactStatus.WAITING
                or (
                    contact.status is ContactStatus.OFFERED
                    and contact.target is None
                    and len(contact.offers) < ring_limit
                )
            )
        ):
            if not ringing or entry[4] not in ringing:
                found = entry, contact
                break
            if passed is None:
                passed = []
            passed.append(entry)
        heapq.heappop(line)
    if passed is not None:
        for entry in passed:
            heapq.heappush(line, entry)
    return found


def _eligible_head(
    line: list[ContactEntry],
    contacts: Mapping[str, Contact],
    ring_limit: int,
    ringing: Mapping[str, Offer],
    cutoff: datetime,
) -> tuple[ContactEntry, Contact] | None:
    """As :func:`_line_head`, for an agent with a delay: the first that entered by ``cutoff``.

    The line is ordered by priority and arrival, not by when contacts entered
    the queue (a moved or resumed contact keeps its arrival, a later one may
    have a higher priority), so every entry is read. Stale entries are dropped
    once they are half the line.
    """
    found = None
    live = []
    for entry in line:
        contact = contacts.get(entry[4])
        if contact is None or not _wants_agent(contact, entry, ring_limit):
            continue
        live.append(entry)
        if (
            contact.joined <= cutoff
            and entry[4] not in ringing
            and (found is None or entry < found[0])
        ):
            found = entry, contact
    if len(live) * 2 < len(line):
        heapq.heapify(live)
        line[:] = live
    return found


def _wants_agent(contact: Contact, entry: ContactEntry, ring_limit: int) -> bool:
    """Whether a line's entry is the contact's current one and it wants an agent."""
    return (
        contact.version == entry[3]
        and contact.seq == entry[2]  # not an earlier contact of the same id
        and (
            contact.status is ContactStatus.WAITING
            or (
                contact.status is ContactStatus.OFFERED
                and contact.target is None
                and len(contact.offers) < ring_limit
            )
        )
    )


@attrs.define(eq=False)
class Contact:
    """One contact known to the router (waiting, ringing or connected)."""

    contact_id: str
    queue: str
    priority: int
    skills: Mapping[str, int]
    arrived: datetime
    joined: datetime
    seq: int
    channel: Channel
    requirement: Requirement
    channel_key: str
    """The channel's value (hashing enums is slow on the hot path)."""
    language: str
    """The language tag the contact was enqueued with (``""``: none)."""
    stage: int = 0
    callback: bool = False
    status: ContactStatus = ContactStatus.WAITING
    agent_id: str | None = None
    answered_at: datetime | None = None
    last_tried: str | None = None
    offers: dict[str, Offer] = attrs.Factory(dict)
    version: int = 0
    timer_due: datetime | None = None
    target: str | None = None
    """The agent a transfer sent it to: offered to that agent only, while set."""
    target_until: datetime | None = None
    """When it stops waiting for ``target`` and goes to its queue's agents (``None``:
    when the ring to ``target`` ends, however it ends)."""

    def line_entry(self) -> ContactEntry:
        """This contact's entry in a waiting line (global order: priority, arrival)."""
        return (-self.priority, self.arrived, self.seq, self.version, self.contact_id)

    def view(self) -> ContactView:
        """A read-only picture of the contact."""
        return ContactView(
            contact_id=self.contact_id,
            queue=self.queue,
            status=self.status,
            priority=self.priority,
            arrived=self.arrived,
            stage=self.stage,
            callback=self.callback,
            agent_id=self.agent_id,
            offered_to=tuple(self.offers),
            language=self.language,
            waits_for=self.target,
        )

    def schedule(self, config: QueueConfig) -> datetime | None:
        """Set (and return) when its next rule, its ``max_wait`` or its wait for an agent ends."""
        due = self.target_until
        if self.stage < len(config.escalation):
            rule_due = self.joined + config.escalation[self.stage].after
            due = rule_due if due is None else min(due, rule_due)
        if config.max_wait is not None and not self.callback:
            limit = self.joined + config.max_wait
            due = limit if due is None else min(due, limit)
        self.timer_due = due
        return due


@attrs.define(eq=False)
class QueueRuntime:
    """A queue's configuration with its live indexes, waiting lines and counters.

    It satisfies :class:`callcore.acd._lines.LineQueue`: its lines read its
    strategy's flags and keep its pointer, race clock and high water mark.
    """

    config: QueueConfig
    strategy: Strategy
    members: set[str] = attrs.Factory(set)
    skill_members: dict[str, set[str]] = attrs.Factory(dict)
    indexes: dict[frozenset[str], AgentIndex[Agent, QueueRuntime]] = attrs.Factory(dict)
    groups: dict[frozenset[str], WaitingGroup] = attrs.Factory(dict)
    max_names: int = 0
    in_line: dict[str, Contact] = attrs.Factory(dict)
    requirements: dict[tuple[tuple[str, int], ...], Requirement] = attrs.Factory(dict)
    """New contacts' requirements by their skill maps' items."""
    pointer: Pointer | None = None
    race_clock: float = 0.0
    empty_since: datetime | None = None
    empty_timer_due: datetime | None = None
    """When the latest empty-queue timer set falls due (one timer per due time)."""
    handle_times: deque[float] = attrs.Factory(lambda: deque(maxlen=50))
    preferring: int = 0
    delays: dict[timedelta, int] = attrs.Factory(dict)
    """How many logged-in members have each non-zero ``Membership.delay`` for this
    queue (empty, the usual case: no decision of the queue looks at delays)."""
    staffer: str = ""
    """The member found staffing the queue last (asked first next time)."""
    unstaffed_since: datetime | None = None
    """Since when members are logged in but none staffs the queue by its ``empty_when``
    conditions (only for a queue that re-checks them, see ``rechecks_empty``)."""
    rechecks_empty: bool = False
    """Its ``empty_when`` conditions are re-checked for waiting contacts: it has some,
    and ``leave_when_empty`` or ``max_wait_empty``."""
    """Logged-in members whose memberships differ in ``preference`` (see ``Agent.prefers``)."""
    ring_limit: int = 1
    """How many agents one of its contacts rings at once (``ring_count``; ring all: 1,
    as its one decision rings everyone and a ringing contact takes no more)."""

    racing: bool = False
    """A random decision (``StrategyMemory.RACE``): the lines keep pools, not entries."""
    sampling: bool = False
    """(racing) The strategy declares ``uniform_draw`` or ``weighted_draw``: a
    decision samples its pools instead of drawing for every eligible agent."""
    weighted: bool = False
    """(sampling) Draws are in proportion to the membership weight."""
    draws: bool = False
    """The strategy may read ``agent.draw`` (its ``reads_draw``)."""
    circular: bool = False
    """The strategy continues where the queue left off."""
    contact_memory: bool = False
    """The strategy continues after the agent the contact tried last."""
    channel_key: str = ""
    timed: bool = False
    """The queue has escalation rules or a ``max_wait``: new contacts get a timer."""
    skill_blind: bool = False
    """The strategy's rank does not depend on the contact's skills."""
    static_rank: bool = False
    """The strategy's rank depends only on the membership (it never changes)."""
    flat: bool = False
    """Entries are flat tuples ``(*rank, agent_id, version)``."""
    level_sum: bool = False
    """The strategy ranks by the level sum over the contact's skills, then idle time."""
    ranked: RankedMembers[Agent] | None = None
    """A static rank, offered one agent at a time and not circular (``linear``,
    ``top_down``): its members in rank order and which are free; the lines are
    bit masks (``LineMask``), not entries."""
    high_water: AgentEntry | None = None
    """No entry in the tail of any of the queue's lines is greater than this."""

    def sets_empty_timer(self, due: datetime) -> bool:
        """Whether to set an empty-queue timer for ``due``: not when one is set for it already.

        An agent who logs out, in and out again at one instant empties the
        queue twice with the same due time; two timers would both stand and
        overflow its contacts twice, where a restored router (which sets one
        timer per queue) overflows them once.
        """
        if self.empty_timer_due == due:
            return False
        self.empty_timer_due = due
        return True

    def __attrs_post_init__(self) -> None:
        """Cache what the hot path asks about the strategy (its capabilities) and channel."""
        strategy = self.strategy
        capability = {
            name: bool(getattr(strategy, name, default)) for name, default in CAPABILITIES.items()
        }
        self.skill_blind = capability["skill_blind"]
        self.static_rank = capability["static_rank"]
        self.level_sum = capability["level_sum"]
        self.flat = capability["fixed_length"]
        self.draws = capability["reads_draw"]
        # ring all offers every eligible agent: its lines keep entries, whatever the memory
        self.racing = strategy.memory is StrategyMemory.RACE and not strategy.ring_all
        self.weighted = capability["weighted_draw"]
        self.sampling = self.racing and (self.weighted or capability["uniform_draw"])
        self.circular = strategy.memory is StrategyMemory.QUEUE
        self.contact_memory = strategy.memory is StrategyMemory.CONTACT
        if self.static_rank and not (self.racing or self.circular or strategy.ring_all):
            self.ranked = RankedMembers()
        self.channel_key = self.config.channel.value
        self.timed = bool(self.config.escalation) or self.config.max_wait is not None
        config = self.config
        self.rechecks_empty = bool(config.empty_when) and (
            config.leave_when_empty or config.max_wait_empty is not None
        )
        count = self.config.ring_count
        self.ring_limit = 1 if strategy.ring_all else MAX_RING if count is None else count

    def add_delay(self, delay: timedelta) -> bool:
        """A logged-in member has this non-zero delay; whether no other one had it."""
        had = self.delays.get(delay, 0)
        self.delays[delay] = had + 1
        return not had

    def eligible_times(self, contact: Contact, after: datetime) -> list[datetime]:
        """When the contact's wait reaches each member's delay, after ``after``.

        At each such instant more agents may take it: the router sets a timer.
        """
        joined = contact.joined
        return sorted({joined + delay for delay in self.delays if joined + delay > after})

    def wants_more(self, contact: Contact) -> bool:
        """Whether a contact of this queue wants an agent: it waits, or rings too few.

        A contact transferred to an agent rings that agent only.
        """
        status = contact.status
        return status is ContactStatus.WAITING or (
            status is ContactStatus.OFFERED
            and contact.target is None
            and len(contact.offers) < self.ring_limit
        )

    def refusal(self, agents: Mapping[str, Agent]) -> RejectReason | None:
        """Why the queue refuses a new contact now, if it does: full, or empty and closed."""
        config = self.config
        if config.max_length is not None and len(self.in_line) >= config.max_length:
            return RejectReason.QUEUE_FULL
        if not config.join_when_empty and not self.staffed(agents):
            return RejectReason.NO_AGENTS
        return None

    def staffed(self, agents: Mapping[str, Agent]) -> bool:
        """Whether a logged-in member staffs the queue (no ``empty_when`` state).

        With no conditions (the default) any logged-in member does; otherwise
        the member found staffing it last is asked first, then the members are
        scanned.
        """
        config = self.config
        if not config.empty_when:
            return bool(self.members)
        hint = self.staffer
        if hint in self.members and agents[hint].staffs(config):
            return True
        for agent_id in self.members:
            if agents[agent_id].staffs(config):
                self.staffer = agent_id
                return True
        return False

    def recheck_staffing(self, agents: Mapping[str, Agent], at: datetime) -> bool:
        """Note whether members are logged in but none staffs the queue; whether that began now.

        ``unstaffed_since`` is when it began (``None`` while a member staffs
        it, and while nobody is logged in: ``empty_since`` counts then).
        """
        if not self.members or self.staffed(agents):
            self.unstaffed_since = None
            return False
        if self.unstaffed_since is None:
            self.unstaffed_since = at
            return True
        return False

    # --- requirements ---

    def first_requirement(self, skills: dict[str, int]) -> Requirement:
        """The requirement of a new contact, shared by contacts asking the same."""
        key = tuple(skills.items())
        cache = self.requirements
        requirement = cache.get(key)
        if requirement is None:
            if len(cache) >= REQUIREMENT_CACHE:
                cache.clear()
            requirement = cache[key] = self.requirement(skills, 0)
        return requirement

    def requirement(self, skills: Mapping[str, int], stage: int) -> Requirement:
        """Who may take a contact needing ``skills`` once ``stage`` escalation rules apply."""
        config = self.config
        minimums = dict(config.required_skills)
        for name, level in skills.items():
            minimums[name] = max(level, minimums.get(name, 0))
        max_tier = config.max_tier
        for rule in config.escalation[:stage]:
            if rule.max_tier is not None:
                max_tier = rule.max_tier
            for name, level in rule.skill_minimums.items():
                if name in minimums:
                    minimums[name] = level
            for name in rule.drop_skills:
                minimums.pop(name, None)
        ordered = tuple(sorted(minimums.items()))
        strict = tuple((name, level) for name, level in ordered if level > 1)
        return Requirement(frozenset(minimums), ordered, max_tier, strict)

    # --- agents: ranks and indexes ---

    def entry(self, agent: Agent, names: frozenset[str]) -> AgentEntry:
        """The agent's entry in the queue's lines for contacts requiring ``names``."""
        name = self.config.name
        if self.level_sum:  # the level sum is the line's band: idle time orders the rest
            return (agent.idle_since, agent.agent_id, agent.version, agent)
        rank = self.strategy.rank(agent, agent.members[name], names)
        if self.flat:
            return (*rank, agent.agent_id, agent.version, agent)
        return (rank, agent.agent_id, agent.version, agent)

    def race(self, agents: list[Agent], names: frozenset[str], random: Random) -> Agent:
        """Draw the winner of one decision of a random strategy among ``agents``.

        Each agent (in the order given: by id) draws a fresh exponential variate
        into ``agent.draw`` and the lowest rank wins: with ``random`` each agent
        equally likely, with ``weighted_random`` in proportion to its weight
        (an exponential race, Efraimidis and Spirakis 2006).
        """
        name = self.config.name
        rank = self.strategy.rank
        best: tuple[object, ...] | None = None
        winner = agents[0]
        for agent in agents:
            agent.draw = random.expovariate(1.0)
            key = (rank(agent, agent.members[name], names), agent.agent_id)
            if best is None or key < best:
                best, winner = key, agent
        return winner

    def push_all(self, lines: list[AgentLine[Agent, QueueRuntime]], entry: AgentEntry) -> None:
        """Push one entry into many of its lines (AgentLine.add inlined: the hot loop)."""
        high_water = self.high_water
        if high_water is None or entry > high_water:
            # behind every tail of the queue (longest idle: freed last): append everywhere
            self.high_water = entry
            for line in lines:
                tail = line.tail
                tail.append(entry)
                if len(tail) > line.limit:
                    line.compact()
            return
        for line in lines:
            tail = line.tail
            if not tail or entry >= tail[-1]:
                tail.append(entry)
            else:
                heapq.heappush(line.heap, entry)
            if len(tail) + len(line.heap) > line.limit:
                line.compact()

    def build_index(
        self, names: frozenset[str], agents: Mapping[str, Agent]
    ) -> AgentIndex[Agent, QueueRuntime]:
        """Create the index of a skill set on first use, from the smallest skill roster.

        This scans the roster once per skill set (not per decision).
        """
        index: AgentIndex[Agent, QueueRuntime] = AgentIndex(self, names)
        self.indexes[names] = index
        if names:
            rosters = sorted((self.skill_members.get(name, set()) for name in names), key=len)
            candidates: Iterable[str] = rosters[0]
        else:
            candidates = self.members
        for agent_id in sorted(candidates):
            agent = agents[agent_id]
            if names <= agent.profile.skills.keys():
                agent.register_available(index)
        return index

    def forget_agent(self, agent: Agent) -> None:
        """Drop a removed agent's stale entries from the queue's lines (they hold it).

        The high water mark goes too if it is one of them: a new agent of the
        same id would otherwise tie with it up to the agent object, which has
        no order.
        """
        for index in self.indexes.values():
            for line in index.lines.values():
                entries = list(line.entries())
                kept = [entry for entry in entries if entry[-1] is not agent]
                if len(kept) != len(entries):
                    line.replace(kept)
        if self.high_water is not None and self.high_water[-1] is agent:
            tails = [
                line.tail[-1]
                for index in self.indexes.values()
                for line in index.lines.values()
                if line.tail
            ]
            self.high_water = max(tails, default=None)

    def leave(self, agent: Agent) -> bool:
        """The agent left the queue; whether it is now empty (nobody logged in)."""
        self.members.discard(agent.agent_id)
        self.preferring -= agent.prefers
        delay = agent.members[self.config.name].delay
        if delay:
            left = self.delays[delay] - 1
            if left:
                self.delays[delay] = left
            else:
                del self.delays[delay]
        for skill in agent.profile.skills:
            self.skill_members.get(skill, set()).discard(agent.agent_id)
        return not self.members

    # --- waiting lines ---

    def wait(self, contact: Contact) -> None:
        """Put (or put back) a waiting contact in the line of its requirement.

        A contact transferred to an agent waits for that agent only: it gets no
        entry (the version bump makes any older one stale).
        """
        requirement = contact.requirement
        contact.version += 1
        if contact.target is not None:
            return
        group = self.groups.get(requirement.names)
        if group is None:
            group = self.groups[requirement.names] = {}
            self.max_names = max(self.max_names, len(requirement.names))
        line = group.get(requirement)
        if line is None:
            line = group[requirement] = []
        heapq.heappush(line, contact.line_entry())

    def drop_line(self, requirement: Requirement) -> None:
        """Forget a waiting line if it is empty, and its group once that is empty.

        (A line whose head an agent passed over may hold contacts ringing that agent.)
        """
        group = self.groups[requirement.names]
        if group[requirement]:
            return
        del group[requirement]
        if not group:
            del self.groups[requirement.names]

    def in_order(self) -> list[Contact]:
        """The contacts not yet connected, in the order they are served."""
        return sorted(self.in_line.values(), key=Contact.line_entry)

    def announcement(self, contact: Contact, agents: Mapping[str, Agent]) -> Announcement:
        """A waiting contact's position, and its wait estimated from recent handle times."""
        key = contact.line_entry()
        position = 1 + sum(1 for other in self.in_line.values() if other.line_entry() < key)
        # not-ready agents (on break, auto-paused) take no contact: they do not staff it
        staffed = sum(
            1
            for agent_id in self.members
            if agents[agent_id].logged_in and agents[agent_id].not_ready is None
        )
        if not self.handle_times or not staffed:
            return Announcement(position=position, estimated_wait=None)
        mean = sum(self.handle_times) / len(self.handle_times)
        wait = min(position * mean / staffed, _MAX_SECONDS)
        return Announcement(position=position, estimated_wait=timedelta(seconds=wait))
