"""The router's whole state as plain values, for saving and restoring.

A snapshot holds what cannot be recomputed (agents with their counters and
random draws, contacts with their offers, round-robin places, the random
source); indexes, waiting lines and timers are rebuilt on restore, and since
every order is a total order on stored values the restored router makes the
same choices as the original.
"""

# cattrs reads these annotations at run time, so their imports stay at run time.
from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import datetime, timedelta

import attrs

from callcore.acd._events import Offer
from callcore.acd._model import AgentProfile, NotReadyReason, QueueConfig
from callcore.acd._records import ContactStatus
from callcore.acd._strategy import Rank
from callcore.contacts import Skills

__all__ = ["AgentRecord", "ContactRecord", "PointerRecord", "RouterSnapshot"]


@attrs.frozen(kw_only=True)
class AgentRecord:
    """One agent's saved state (see :class:`~callcore.acd.AgentView` for the fields)."""

    profile: AgentProfile
    logged_in: bool
    not_ready: NotReadyReason | None
    idle_since: datetime
    answered: int
    talk_time: timedelta
    last_offered: datetime | None
    draw: float
    race_base: Mapping[str, float]
    wrap_until: datetime | None
    delay_until: datetime | None
    no_answer_streak: int
    connected: tuple[str, ...]
    offered: tuple[str, ...] = ()
    """Contacts ringing at the agent, in the order they were offered."""


@attrs.frozen(kw_only=True)
class ContactRecord:
    """One contact's saved state, with its ringing offers."""

    contact_id: str
    queue: str
    priority: int
    skills: Skills
    language: str = ""
    arrived: datetime
    joined: datetime
    seq: int
    stage: int
    callback: bool
    status: ContactStatus
    agent_id: str | None
    answered_at: datetime | None
    last_tried: str | None
    offers: tuple[Offer, ...]


@attrs.frozen(kw_only=True)
class PointerRecord:
    """Where a round-robin queue left off: the rank (as JSON) and id of its last agent."""

    queue: str
    rank: str
    agent_id: str


@attrs.frozen(kw_only=True)
class RouterSnapshot:
    """Everything a router needs to carry on after a restart.

    Attributes:
        now: The latest time the router had seen.
        seq: The arrival counter.
        random_state: The internal state of the seeded random source.
        queues: The queue configuration.
        agents: Every agent seen.
        contacts: Every contact held.
        pointers: Round-robin places.
        handle_times: Recent handle times per queue, in seconds.
        race_clocks: The race clock of each queue (random strategies).
        empty_since: Since when each empty queue has had no agent logged in.
    """

    now: datetime | None
    seq: int
    random_state: tuple[int, ...]
    queues: tuple[QueueConfig, ...]
    agents: tuple[AgentRecord, ...]
    contacts: tuple[ContactRecord, ...]
    pointers: tuple[PointerRecord, ...]
    handle_times: Mapping[str, tuple[float, ...]]
    race_clocks: Mapping[str, float]
    empty_since: Mapping[str, datetime]


def rank_to_json(rank: Rank) -> str:
    """Write a rank as JSON, marking datetimes so they come back as datetimes."""
    items = [
        {"datetime": item.isoformat()} if isinstance(item, datetime) else item for item in rank
    ]
    return json.dumps(items)


def rank_from_json(text: str) -> Rank:
    """Read a rank written by :func:`rank_to_json`."""
    items = json.loads(text)
    return tuple(
        datetime.fromisoformat(item["datetime"]) if isinstance(item, dict) else item
        for item in items
    )
