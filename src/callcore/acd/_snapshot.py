"""The router's whole state as plain values, and the way back to live state.

A snapshot holds what cannot be recomputed (agents with their counters and
random draws, contacts with their offers, round-robin places, the random
source); indexes, waiting lines and timers are rebuilt on restore, and since
every order is a total order on stored values the restored router makes the
same choices as the original. :func:`capture` takes a router's live state to a
:class:`RouterSnapshot`; :func:`restore_into` fills a new router's empty live
state from one (checked beforehand by ``validate_snapshot``).
"""

# cattrs reads these annotations at run time, so their imports stay at run time.
from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import datetime, timedelta
from random import Random
from typing import TypeVar

import attrs

from callcore.acd._callbacks import ScheduledCallback
from callcore.acd._events import Offer
from callcore.acd._live import Agent, Contact, QueueRuntime
from callcore.acd._model import AgentProfile, ContactStatus, NotReadyReason, QueueConfig
from callcore.acd._strategy import Rank
from callcore.acd._timers import (
    CONTACT_DUE,
    DELAY_END,
    OFFER_EXPIRY,
    QUEUE_EMPTY,
    WRAP_END,
    Timers,
)
from callcore.contacts import Skills

__all__ = [
    "AgentRecord",
    "ContactRecord",
    "PointerRecord",
    "RouterSnapshot",
    "capture",
    "restore_into",
]


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
    state_since: datetime | None = None
    """When it entered the state it is seen in (``None`` in older snapshots: unknown)."""


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
    target: str | None = None
    """The agent a transfer sent it to, while it waits for that agent only."""
    target_until: datetime | None = None
    """When its wait for ``target`` ends (``None``: when the ring to it ends)."""


@attrs.frozen(kw_only=True)
class PointerRecord:
    """Where a round-robin queue left off: the rank (as JSON) and id of its last agent."""

    queue: str
    rank: str
    agent_id: str


@attrs.frozen(kw_only=True)
class AbandonedRecord:
    """The place of a caller who hung up, kept for its queue's ``resume_abandoned``.

    Attributes:
        contact_id: The abandoned contact's id (the key it comes back with).
        queue: The queue it left.
        arrived: Its first arrival (the place it takes back).
        seq: Its arrival number (orders contacts that arrived in the same instant).
        until: The end of its chance to come back.
    """

    contact_id: str
    queue: str
    arrived: datetime
    seq: int
    until: datetime


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
        offers_made: Offers made so far (the next offer's id counts on from it).
        abandoned: Places of callers who hung up and may still come back.
        callbacks: Scheduled callbacks, booked or in their queue (see
            :meth:`~callcore.acd.Router.schedule_callback`).
        unstaffed_since: Since when each queue that re-checks its ``empty_when``
            conditions has had members logged in but none staffing it.
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
    offers_made: int = 0
    abandoned: tuple[AbandonedRecord, ...] = ()
    callbacks: tuple[ScheduledCallback, ...] = ()
    unstaffed_since: Mapping[str, datetime] = attrs.field(factory=dict)


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


# --- live state to records and back ---------------------------------------------


def capture(  # noqa: PLR0917 - the router's state, part by part
    now: datetime | None,
    seq: int,
    random: Random,
    queues: Mapping[str, QueueRuntime],
    agents: Mapping[str, Agent],
    contacts: Mapping[str, Contact],
    offers_made: int,
) -> RouterSnapshot:
    """A router's whole live state as a snapshot."""
    return RouterSnapshot(
        now=now,
        seq=seq,
        random_state=tuple(random.getstate()[1]),
        queues=tuple(queue.config for queue in queues.values()),
        agents=tuple(map(_agent_record, agents.values())),
        contacts=tuple(map(_contact_record, contacts.values())),
        pointers=tuple(
            PointerRecord(
                queue=name, rank=rank_to_json(queue.pointer[1]), agent_id=queue.pointer[2]
            )
            for name, queue in queues.items()
            if queue.pointer is not None
        ),
        handle_times={name: tuple(queue.handle_times) for name, queue in queues.items()},
        race_clocks={name: queue.race_clock for name, queue in queues.items()},
        empty_since={
            name: queue.empty_since
            for name, queue in queues.items()
            if queue.empty_since is not None
        },
        offers_made=offers_made,
        unstaffed_since={
            name: queue.unstaffed_since
            for name, queue in queues.items()
            if queue.unstaffed_since is not None
        },
    )


def _agent_record(agent: Agent) -> AgentRecord:
    return AgentRecord(
        profile=agent.profile,
        logged_in=agent.logged_in,
        not_ready=agent.not_ready,
        idle_since=agent.idle_since,
        answered=agent.answered,
        talk_time=agent.talk_time,
        last_offered=agent.last_offered,
        draw=agent.draw,
        race_base=dict(agent.race_base),
        wrap_until=agent.wrap_until,
        delay_until=agent.delay_until,
        no_answer_streak=agent.no_answer_streak,
        connected=tuple(agent.connected),
        offered=tuple(agent.offers),
        state_since=agent.state_since,
    )


def _contact_record(contact: Contact) -> ContactRecord:
    return ContactRecord(
        contact_id=contact.contact_id,
        queue=contact.queue,
        priority=contact.priority,
        skills=dict(contact.skills),
        language=contact.language,
        arrived=contact.arrived,
        joined=contact.joined,
        seq=contact.seq,
        stage=contact.stage,
        callback=contact.callback,
        status=contact.status,
        agent_id=contact.agent_id,
        answered_at=contact.answered_at,
        last_tried=contact.last_tried,
        offers=tuple(contact.offers.values()),
        target=contact.target,
        target_until=contact.target_until,
    )


def restore_into(snapshot: RouterSnapshot, random: Random, timers: Timers) -> int:
    """Fill a new router's live state (its random source and the state its timers read).

    ``timers`` holds the router's (empty) agents, contacts and queues; the
    snapshot is known to be sound.

    Returns:
        The count of offers made: the snapshot's, plus one for each offer it
        saved without an id (from before offers had ids), which gets one.
    """
    random.setstate((3, tuple(snapshot.random_state), None))
    agents, queues = timers.agents, timers.queues
    offers_made = [snapshot.offers_made]
    for record in snapshot.agents:
        _restore_agent(record, timers)
    for contact_record in snapshot.contacts:
        _restore_contact(contact_record, timers, offers_made)
    for record in snapshot.agents:  # the agent's own order decides withdrawal order
        agent = agents[record.profile.agent_id]
        agent.offers = _in_order(agent.offers, record.offered)
        agent.connected = _in_order(agent.connected, record.connected)
        agent.seen = agent.state()
        if agent.pool_queues:  # its loads are known now: the pools it belongs in
            agent.sync_pools()
    for pointer in snapshot.pointers:
        rank = rank_from_json(pointer.rank)
        queues[pointer.queue].pointer = (0, rank, pointer.agent_id)
    for name, times in snapshot.handle_times.items():
        queues[name].handle_times.extend(map(float, times))
    for name, clock in snapshot.race_clocks.items():
        queues[name].race_clock = float(clock)
    for name, since in snapshot.empty_since.items():
        queues[name].empty_since = since
        _empty_clock(queues[name], since, snapshot.now, timers)
    for name, since in snapshot.unstaffed_since.items():
        queues[name].unstaffed_since = since
        _empty_clock(queues[name], since, snapshot.now, timers)
    return offers_made[0]


def _empty_clock(
    queue: QueueRuntime, since: datetime, now: datetime | None, timers: Timers
) -> None:
    """Set the timer of a queue empty since ``since`` for its ``max_wait_empty``, if due later.

    A ``leave_when_empty`` queue sends its contacts on as it becomes empty: it
    never waits for its empty clock.
    """
    wait = queue.config.max_wait_empty
    if (
        wait is not None
        and not queue.config.leave_when_empty
        and (now is None or since + wait > now)
        and queue.sets_empty_timer(since + wait)
    ):
        timers.push(since + wait, QUEUE_EMPTY, queue.config.name)


def _restore_agent(record: AgentRecord, timers: Timers) -> None:
    agent = Agent(
        profile=record.profile,
        idle_since=record.idle_since,
        logged_in=record.logged_in,
        not_ready=record.not_ready,
        answered=record.answered,
        talk_time=record.talk_time,
        talk_seconds=record.talk_time.total_seconds(),
        last_offered=record.last_offered,
        draw=float(record.draw),
        race_base={name: float(base) for name, base in record.race_base.items()},
        wrap_until=record.wrap_until,
        delay_until=record.delay_until,
        no_answer_streak=record.no_answer_streak,
        state_since=record.state_since,
    )
    timers.agents[agent.agent_id] = agent
    if record.logged_in:
        agent.join(record.profile, timers.queues)
    else:
        agent.adopt(record.profile)
    if agent.wrap_until is not None:
        timers.push(agent.wrap_until, WRAP_END, agent.agent_id)
    if agent.delay_until is not None:
        timers.push(agent.delay_until, DELAY_END, agent.agent_id)


def _restore_contact(record: ContactRecord, timers: Timers, offers_made: list[int]) -> None:
    queue = timers.queues[record.queue]
    contact = Contact(
        contact_id=record.contact_id,
        queue=record.queue,
        priority=record.priority,
        skills=dict(record.skills),
        arrived=record.arrived,
        joined=record.joined,
        seq=record.seq,
        channel=queue.config.channel,
        requirement=queue.requirement(record.skills, record.stage),
        channel_key=queue.channel_key,
        language=record.language,
        stage=record.stage,
        callback=record.callback,
        status=record.status,
        agent_id=record.agent_id,
        answered_at=record.answered_at,
        last_tried=record.last_tried,
        target=record.target,
        target_until=record.target_until,
    )
    timers.contacts[contact.contact_id] = contact
    if contact.target is not None:
        timers.agents[contact.target].awaiting[contact.contact_id] = None
    if contact.status is ContactStatus.CONNECTED and contact.agent_id is not None:
        agent = timers.agents[contact.agent_id]
        agent.connected[contact.contact_id] = contact.channel_key
        agent.load[contact.channel_key] = agent.load.get(contact.channel_key, 0) + 1
        return
    queue.in_line[contact.contact_id] = contact
    for saved in record.offers:
        offer = saved
        if not offer.offer_id:  # saved before offers had ids: it gets the next one
            offers_made[0] += 1
            offer = attrs.evolve(offer, offer_id=f"offer-{offers_made[0]}")
        agent = timers.agents[offer.agent_id]
        contact.offers[offer.agent_id] = offer
        agent.offers[contact.contact_id] = offer
        agent.load[contact.channel_key] = agent.load.get(contact.channel_key, 0) + 1
        timers.push(offer.expires_at, OFFER_EXPIRY, contact.contact_id, offer.agent_id)
    if queue.wants_more(contact):  # waiting, or ringing fewer agents than its ring_count
        queue.wait(contact)
    due = contact.schedule(queue.config)  # connected contacts returned above: no timer
    if due is not None:
        timers.push(due, CONTACT_DUE, contact.contact_id)


_V = TypeVar("_V")


def _in_order(items: dict[str, _V], order: tuple[str, ...]) -> dict[str, _V]:
    """``items`` with the keys of ``order`` first, in that order, then any others."""
    return {key: items[key] for key in order if key in items} | items
