"""The router's timers: what falls due without an input, and whether it still stands.

A timer is ``(due, kind, key, agent_id)`` on a heap. It is never taken back when
the state it was set for changes (an offer answered, a wrap-up ended early): it
stays in the heap, stale, and is skipped when it falls due. The kinds run in
their order when several fall due at one instant.
"""

from __future__ import annotations

import heapq
from collections.abc import Iterable
from datetime import datetime, timedelta

import attrs

from callcore.acd._callbacks import ScheduledCallback
from callcore.acd._live import Agent, Contact, QueueRuntime
from callcore.acd._model import ContactStatus, QueueConfig
from callcore.checks import MAX_DURATION

OFFER_EXPIRY = 0
"""An offer rings out (key: the contact id; agent id: the agent's)."""
WRAP_END = 1
"""An agent's wrap-up ends (key: the agent id)."""
DELAY_END = 2
"""An agent's delay after a missed, rejected or busy offer ends (key: the agent id)."""
CONTACT_DUE = 3
"""A contact's next escalation rule or its ``max_wait`` (key: the contact id)."""
QUEUE_EMPTY = 4
"""A queue has had nobody logged in, or no member staffing it by its ``empty_when``
conditions, for its ``max_wait_empty`` (key: the queue name)."""
CALLBACK_DUE = 5
"""A scheduled callback's time came: it joins its queue (key: the callback id)."""
CONTACT_ELIGIBLE = 6
"""A waiting contact has waited a member's ``Membership.delay`` for its queue: more
agents may take it now (key: the contact id)."""

Timer = tuple[datetime, int, str, str]
"""``(due, kind, key, agent_id)``: the agent id is set for offer expiries only
(their key is the contact id), so that no key has to be joined or split."""

TIMER_BUDGET = 100_000
"""The most timers one call runs when it moves the router's time a long way
(see :data:`CATCH_UP_PERIODS`); a call that would run more is refused."""
CATCH_UP_PERIODS = 1_000
"""A call moves the router a long way when the first timer it runs fell due more
than this many of the router's shortest timer periods before its ``now``."""


def shortest_period(configs: Iterable[QueueConfig]) -> timedelta:
    """The shortest time after which a timer can fire again for the same contact.

    An offer rings ``offer_timeout`` before it times out and is made again; a
    contact waits ``max_wait`` before it overflows (maybe back), and a rule
    moves it ``after`` its wait in the new queue started: these are the only
    timers that can repeat without an input.
    """
    periods = [MAX_DURATION]
    for config in configs:
        periods.append(config.offer_timeout)
        if config.max_wait is not None:
            periods.append(config.max_wait)
        periods.extend(rule.after for rule in config.escalation if rule.to_queue is not None)
    return min(periods)


@attrs.define(eq=False)
class Timers:
    """The heap of a router's timers, read against the router's agents, contacts and queues."""

    agents: dict[str, Agent]
    contacts: dict[str, Contact]
    queues: dict[str, QueueRuntime]
    heap: list[Timer] = attrs.Factory(list)
    callbacks: dict[str, ScheduledCallback] = attrs.Factory(dict)
    """Scheduled callbacks by id (their ``due`` is their timer's)."""

    def push(self, due: datetime, kind: int, key: str, agent_id: str = "") -> None:
        """Set a timer."""
        heapq.heappush(self.heap, (due, kind, key, agent_id))

    def stands(self, due: datetime, kind: int, key: str, agent_id: str) -> bool:  # noqa: PLR0911 - a return per timer kind
        """Whether a timer still stands: the state it was set for is unchanged."""
        if kind == OFFER_EXPIRY:
            contact = self.contacts.get(key)
            offer = contact.offers.get(agent_id) if contact else None
            return offer is not None and offer.expires_at == due
        if kind == WRAP_END:  # a removed agent's timers are stale
            agent = self.agents.get(key)
            return agent is not None and agent.wrap_until == due
        if kind == DELAY_END:
            agent = self.agents.get(key)
            return agent is not None and agent.delay_until == due
        if kind == CONTACT_DUE:
            contact = self.contacts.get(key)
            return (
                contact is not None
                and contact.timer_due == due
                and contact.status is not ContactStatus.CONNECTED
            )
        if kind == CALLBACK_DUE:
            callback = self.callbacks.get(key)
            return callback is not None and callback.due == due
        if kind == CONTACT_ELIGIBLE:
            return self.eligible_stands(due, key)
        return self.empty_clock_stands(due, key)

    def eligible_stands(self, due: datetime, contact_id: str) -> bool:
        """Whether a contact still waits in the queue where ``due`` ends a member's delay."""
        contact = self.contacts.get(contact_id)
        if contact is None or contact.status is ContactStatus.CONNECTED:
            return False
        return due - contact.joined in self.queues[contact.queue].delays

    def eligible_due(self, contact: Contact, now: datetime, seen: datetime | None) -> bool:
        """Whether a member's delay for the contact ends after ``seen`` and by ``now``."""
        queue = self.queues[contact.queue]
        if not queue.delays or contact.status is ContactStatus.CONNECTED:
            return False
        return any(
            (seen is None or seen < time) and time <= now
            for time in queue.eligible_times(contact, contact.joined)
        )

    def empty_clock_stands(self, due: datetime, name: str) -> bool:
        """Whether a queue's empty clock (nobody logged in, or staffing it) ends at ``due``."""
        queue = self.queues[name]
        wait = queue.config.max_wait_empty
        if wait is None:
            return False
        since = queue.empty_since if queue.unstaffed_since is None else queue.unstaffed_since
        return since is not None and since + wait == due

    def next_deadline(self) -> datetime | None:
        """When the first timer that still stands falls due (stale ones before it are dropped)."""
        heap = self.heap
        while heap:
            due, kind, key, agent_id = heap[0]
            if self.stands(due, kind, key, agent_id):
                return due
            heapq.heappop(heap)  # a stale timer would do nothing: forget it now
            if kind == QUEUE_EMPTY:
                self.popped_empty(due, key)
        return None

    def popped_empty(self, due: datetime, name: str) -> None:
        """An empty-queue timer left the heap: the queue may set one for ``due`` again."""
        queue = self.queues[name]
        if queue.empty_timer_due == due:
            queue.empty_timer_due = None

    # --- what a due timer may change, for a call to check its input on the right state ---

    def contact_at_risk(self, contact_id: str, now: datetime, seen: datetime | None) -> bool:
        """Whether a timer due by ``now`` may overflow, move or escalate the contact.

        ``seen`` is the latest time the router has run its timers to.
        """
        contact = self.contacts.get(contact_id)
        if contact is None or contact.status is ContactStatus.CONNECTED:
            return False  # timers never bring a contact back or touch a connected one
        due = contact.timer_due
        if due is not None and due <= now:
            return True
        queue = self.queues[contact.queue]
        wait = queue.config.max_wait_empty
        since = queue.empty_since if queue.unstaffed_since is None else queue.unstaffed_since
        return (
            since is not None
            and wait is not None
            and seen is not None
            and seen < since + wait <= now  # its empty-queue timer is still to run
        )

    def agent_at_risk(self, agent: Agent, now: datetime, seen: datetime | None) -> bool:
        """Whether a timer due by ``now`` may change the agent's state or free it.

        Its wrap-up or delay may end; an offer to it may time out (and pause it)
        or be withdrawn when its contact overflows or moves.
        """
        wrap, delay = agent.wrap_until, agent.delay_until
        if (wrap is not None and wrap <= now) or (delay is not None and delay <= now):
            return True
        for contact_id, offer in agent.offers.items():  # a loop: cheaper than any() here
            if offer.expires_at <= now or self.contact_at_risk(contact_id, now, seen):
                return True
        return False

    def pair_at_risk(
        self, contact_id: str, agent_id: str, now: datetime, seen: datetime | None
    ) -> bool:
        """Whether a timer due by ``now`` may end, or make, an offer of the contact to the agent.

        The offer ends when it times out, its contact overflows or moves, or
        its agent is paused (another offer to it timed out); one is made when
        the contact comes back to waiting (one of its offers ends: an offer
        times out, or the agent it rings at is paused) or escalates, or the
        agent is freed.
        """
        contact = self.contacts.get(contact_id)
        agent = self.agents.get(agent_id)
        if contact is None or agent is None or contact.status is ContactStatus.CONNECTED:
            return False
        if self.contact_at_risk(contact_id, now, seen) or self.agent_at_risk(agent, now, seen):
            return True
        if self.eligible_due(contact, now, seen):  # it may be offered to more agents
            return True
        agents = self.agents
        for offer in contact.offers.values():
            if offer.expires_at <= now:
                return True
            holder = agents[offer.agent_id]
            if holder is not agent:
                for other in holder.offers.values():
                    if other.expires_at <= now:
                        return True
        return False
