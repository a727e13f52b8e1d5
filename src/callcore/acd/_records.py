"""The router's mutable state: agents, contacts, queues, and their indexes.

Two kinds of index keep every decision off a scan of all agents or contacts:

- ``AgentIndex``: per queue and set of required skill names, one
  ``AgentLine`` per tier of the available agents that have those skills, keyed
  ``(rank, agent_id, version, agent)`` (flat, ``(*rank, agent_id, version,
  agent)``, for the built-in strategies). An entry whose version is no longer the
  agent's (or whose agent can take nothing now) is stale and is dropped when it
  reaches the top (lazy invalidation). A line is a heap plus a sorted tail: an
  entry no smaller than the tail's last is appended in O(1) (longest idle: an
  agent freed now goes behind everyone), others go to the heap, and the best
  entry is the smaller of the two fronts. For strategies with queue-wide
  memory (round robin) a line is one sorted list instead, searched by bisection
  from the queue's pointer.
- waiting lines: per queue and exact requirement (skills with minimum levels
  and highest tier), a heap of waiting contacts keyed ``(-priority, arrival,
  seq, version, contact_id)``, grouped by skill names so an agent who becomes
  free only looks at the lines whose skills it has.
"""

# cattrs reads these annotations at run time, so their imports stay at run time.
from __future__ import annotations

import bisect
import enum
import heapq
from collections import deque
from collections.abc import Iterator, Mapping
from datetime import datetime, timedelta
from itertools import combinations
from typing import Any

import attrs

from callcore.acd._events import Offer
from callcore.acd._model import AgentProfile, Membership, NotReadyReason, QueueConfig
from callcore.acd._strategy import (
    DRAW_FREE,
    FIXED_LENGTH,
    LEVEL_SUM,
    SKILL_BLIND,
    STATIC_RANK,
    Rank,
    Strategy,
    StrategyMemory,
)
from callcore.contacts import Channel

AgentEntry = tuple[Any, ...]
"""``(rank, agent_id, version, agent)``, or ``(*rank, agent_id, version, agent)`` in
the lines of a queue whose strategy's ranks all have one length (flat tuples
compare faster and hold no inner tuple). Either way ``entry[-3]`` is the agent id,
``entry[-2]`` the version and ``entry[-1]`` the agent itself, so that checking an
entry needs no look-up. No two entries of one line share rank, id and version, so
comparisons never reach the agent (which has no order)."""
ContactEntry = tuple[int, datetime, int, int, str]
"""``(-priority, arrived, seq, version, contact_id)``."""
Pointer = tuple[int, Rank, str]
"""``(0, rank, agent_id)`` of the agent a queue offered last (the first item is
kept for the snapshot format)."""

VOICE = Channel.VOICE.value

SUBSET_LIMIT = 3
"""Agents precompute their skill subsets up to this size for line look-ups."""


class ContactStatus(enum.Enum):
    """Where a contact is in the router."""

    WAITING = "waiting"
    OFFERED = "offered"
    CONNECTED = "connected"


@attrs.frozen
class Requirement:
    """Who may take a contact now: skills with minimum levels and a tier limit."""

    names: frozenset[str]
    minimums: tuple[tuple[str, int], ...]
    max_tier: int | None
    strict: tuple[tuple[str, int], ...] = ()
    """The minimums above level 1 (having the skill at all is what the index checks)."""


Band = tuple[int, int]
"""``(tier, level band)``: where a line stands in its index's order. The level band
is the negated sum of the agent's levels in the index's skills for
``skills_based`` (agents with more proficiency come first) and 0 otherwise."""


@attrs.define(eq=False)
class AgentIndex:
    """Available agents of one queue that have all of ``names``, by band, best first."""

    queue: QueueRuntime
    names: frozenset[str]
    lines: dict[Band, AgentLine] = attrs.Factory(dict)
    bands: list[Band] = attrs.Factory(list)
    """The keys of ``lines``, offered first first."""
    agents: set[str] = attrs.Factory(set)

    def line(self, band: Band) -> AgentLine:
        """The line of ``band``, created on first use."""
        line = self.lines.get(band)
        if line is None:
            line = self.lines[band] = AgentLine(self, band[0], circular=self.queue.circular)
            self.bands = sorted(self.lines)
        return line


@attrs.define(eq=False)
class AgentLine:
    """The entries of one band of an index: a heap plus a sorted tail."""

    index: AgentIndex
    tier: int
    circular: bool = False
    """``heap`` is a sorted list (searched from the queue's pointer); ``tail`` is unused."""
    heap: list[AgentEntry] = attrs.Factory(list)
    tail: deque[AgentEntry] = attrs.Factory(deque)
    size: int = 0
    """Agents registered in this line (available or not)."""
    limit: int = 64
    """Entries beyond this many (4 per agent, plus some) call for a compaction."""

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
    lines: dict[str, list[AgentLine]] = attrs.Factory(dict)
    """The index lines the agent belongs to, by queue name."""
    queues: tuple[QueueRuntime, ...] = ()
    """The queues of its memberships (while logged in)."""
    draws: bool = False
    """One of its queues' strategies reads ``draw``: a new one is drawn each time
    the agent becomes available."""
    static: bool = False
    """Every queue of the agent ranks it by position only: its rank never changes,
    so its entries stay valid across busy spells and are not pushed again."""
    indexed: bool = False
    """(static agents) Entries of the current version were pushed to its lines."""
    dropped: list[AgentLine] = attrs.Factory(list)
    """Lines that lost the agent's current entry while it could not take contacts."""
    level_sums: dict[frozenset[str], int] = attrs.Factory(dict)
    """Negated sums of its levels in each skill set (skills_based ranks), by skill set."""
    agent_id: str = attrs.field(init=False, default="")
    """The profile's agent id, kept as a plain attribute (read on every decision)."""

    def __attrs_post_init__(self) -> None:
        """Copy the profile's agent id."""
        self.agent_id = self.profile.agent_id

    @property
    def skills(self) -> Mapping[str, int]:
        """Skill levels."""
        return self.profile.skills

    def refresh(self) -> None:
        """Recompute whether the agent may be offered anything at all."""
        self.ready = (
            self.logged_in
            and self.not_ready is None
            and self.wrap_until is None
            and self.delay_until is None
        )

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

    def satisfies(self, minimums: tuple[tuple[str, int], ...]) -> bool:
        """Whether the agent has every skill at its minimum level."""
        skills = self.profile.skills
        return all(skills.get(name, 0) >= level for name, level in minimums)

    def adopt(self, profile: AgentProfile) -> None:
        """Take a (new) profile at log-in: memberships and skill subsets."""
        self.profile = profile
        self.agent_id = profile.agent_id
        self.members = {member.queue: member for member in profile.memberships}
        self.capacity = {channel.value: count for channel, count in profile.capacity.items()}
        self.level_sums = {}
        names = sorted(profile.skills)
        self.subsets = tuple(
            frozenset(combo)
            for size in range(min(len(names), SUBSET_LIMIT) + 1)
            for combo in combinations(names, size)
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

    def line_entry(self) -> ContactEntry:
        """This contact's entry in a waiting line (global order: priority, arrival)."""
        return (-self.priority, self.arrived, self.seq, self.version, self.contact_id)


@attrs.define(eq=False)
class QueueRuntime:
    """A queue's configuration with its live indexes and counters."""

    config: QueueConfig
    strategy: Strategy
    members: set[str] = attrs.Factory(set)
    skill_members: dict[str, set[str]] = attrs.Factory(dict)
    indexes: dict[frozenset[str], AgentIndex] = attrs.Factory(dict)
    groups: dict[frozenset[str], dict[Requirement, list[ContactEntry]]] = attrs.Factory(dict)
    max_names: int = 0
    in_line: dict[str, Contact] = attrs.Factory(dict)
    requirements: dict[tuple[tuple[str, int], ...], Requirement] = attrs.Factory(dict)
    """New contacts' requirements by their skill maps' items."""
    pointer: Pointer | None = None
    race_clock: float = 0.0
    empty_since: datetime | None = None
    handle_times: deque[float] = attrs.Factory(lambda: deque(maxlen=50))

    racing: bool = False
    """Ranks are race times that start at the queue's race clock."""
    draws: bool = False
    """The strategy may read ``agent.draw`` (a randomised or a plugin strategy)."""
    circular: bool = False
    """The strategy continues where the queue left off."""
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
    high_water: AgentEntry | None = None
    """No entry in the tail of any of the queue's lines is greater than this."""

    def __attrs_post_init__(self) -> None:
        """Cache what the hot path asks about the strategy and channel."""
        self.skill_blind = type(self.strategy) in SKILL_BLIND
        self.static_rank = type(self.strategy) in STATIC_RANK
        self.level_sum = type(self.strategy) in LEVEL_SUM
        self.flat = type(self.strategy) in FIXED_LENGTH
        self.racing = self.strategy.memory is StrategyMemory.RACE
        self.draws = type(self.strategy) not in DRAW_FREE
        self.circular = self.strategy.memory is StrategyMemory.QUEUE
        self.channel_key = self.config.channel.value
        self.timed = bool(self.config.escalation) or self.config.max_wait is not None
