"""A router shared by several centres in one process: the seam's behaviour without a database.

:class:`Hub` holds one :class:`~callcore.acd.Router` and a log of updates;
each host's :class:`HubPort` is a :class:`~callcore.center.SharedRouterPort`
that applies its commands on the hub at once and hands every other host the
update as news, as ``SharedRouter`` does through PostgreSQL. A test may slip
another host's input in just before the next command (:attr:`Hub.before_next`)
to pin what a centre does with news logged while its own input was under way.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from callcore.acd import (
    AgentProfile,
    AgentView,
    ContactView,
    QueueBoard,
    QueueConfig,
    Router,
    RouterSnapshot,
    RouterUpdate,
    Wallboard,
)


class Hub:
    """The owner: one router, the log of its updates, the hosts' ports."""

    def __init__(self, router: Router) -> None:
        """Share ``router``."""
        self.router = router
        self.log: list[tuple[str, RouterUpdate]] = []
        self.hosts: dict[str, str] = {}  # agent id -> the host it logged in through
        self.ports: list[HubPort] = []
        self.before_next: Callable[[], object] | None = None

    def port(self, host_id: str) -> HubPort:
        """A host's share of the router."""
        port = HubPort(self, host_id)
        self.ports.append(port)
        return port

    def apply(self, sender: HubPort, name: str, *args: Any, **kwargs: Any) -> RouterUpdate:
        """Run a command (after the slipped-in input, if any), log it, tell the other hosts."""
        if self.before_next is not None:
            slipped, self.before_next = self.before_next, None
            slipped()
        update: RouterUpdate = getattr(self.router, name)(*args, **kwargs)  # refusals raise
        self.log.append((sender.host_id, update))
        position = len(self.log)
        if name == "log_in":
            self.hosts[args[0].agent_id] = sender.host_id
        for port in self.ports:
            if port is not sender and (update.events or update.offers or update.ended_offers):
                port.news.append((position, update))
        sender.last_sent_position = position
        return update


class HubPort:
    """One host's share of the hub's router (a ``SharedRouterPort``)."""

    def __init__(self, hub: Hub, host_id: str) -> None:
        """A port of ``hub`` for ``host_id``."""
        self.hub = hub
        self.host_id = host_id
        self.last_sent_position = 0
        self.news: list[tuple[int, RouterUpdate]] = []

    # --- what sharing adds ---------------------------------------------------------

    def serves(self, agent_id: str) -> bool:
        """Whether the agent logged in through this host."""
        return self.hub.hosts.get(agent_id) == self.host_id

    def take_news(self, through: int | None = None) -> tuple[RouterUpdate, ...]:
        """The other hosts' updates not taken yet (through a position)."""
        taken = [item for item in self.news if through is None or item[0] <= through]
        self.news = self.news[len(taken) :]
        return tuple(update for _, update in taken)

    def delivered_through(self) -> int:
        """Every update through this position has reached the host."""
        return self.news[0][0] - 1 if self.news else len(self.hub.log)

    def resend_news(self, after: int) -> None:
        """The other hosts' updates logged after ``after``, as news again."""
        self.news = [
            (position, update)
            for position, (sender, update) in enumerate(self.hub.log, start=1)
            if position > after and sender != self.host_id
        ]

    # --- reads -------------------------------------------------------------------------

    @property
    def queues(self) -> tuple[QueueConfig, ...]:
        """The router's queues."""
        return self.hub.router.queues

    def agent(self, agent_id: str) -> AgentView:
        """An agent's view."""
        return self.hub.router.agent(agent_id)

    def agent_ids(self) -> tuple[str, ...]:
        """Every agent."""
        return self.hub.router.agent_ids()

    def contact(self, contact_id: str) -> ContactView:
        """A contact's view."""
        return self.hub.router.contact(contact_id)

    def contact_ids(self) -> tuple[str, ...]:
        """Every contact."""
        return self.hub.router.contact_ids()

    def line(self, queue: str) -> tuple[str, ...]:
        """A queue's line."""
        return self.hub.router.line(queue)

    def wallboard(self, *, now: datetime) -> Wallboard:
        """The wallboard."""
        return self.hub.router.wallboard(now=now)

    def queue_board(self, queue: str, *, now: datetime) -> QueueBoard:
        """A queue's board."""
        return self.hub.router.queue_board(queue, now=now)

    def next_deadline(self) -> datetime | None:
        """The router's next timer."""
        return self.hub.router.next_deadline()

    def snapshot(self) -> RouterSnapshot:
        """The router's state."""
        return self.hub.router.snapshot()

    # --- commands ------------------------------------------------------------------------

    def tick(self, *, now: datetime) -> RouterUpdate:
        """Forwarded only when a timer is due, as ``SharedRouter.tick``."""
        deadline = self.next_deadline()
        if deadline is None or deadline > now:
            return RouterUpdate()
        return self.hub.apply(self, "tick", now=now)

    def enqueue(self, contact_id: str, queue: Any, **kwargs: Any) -> RouterUpdate:
        """Forward."""
        return self.hub.apply(self, "enqueue", contact_id, queue, **kwargs)

    def abandon(self, contact_id: str, *, now: datetime) -> RouterUpdate:
        """Forward."""
        return self.hub.apply(self, "abandon", contact_id, now=now)

    def request_callback(self, contact_id: str, *, now: datetime) -> RouterUpdate:
        """Forward."""
        return self.hub.apply(self, "request_callback", contact_id, now=now)

    def accept(self, contact_id: str, agent_id: str, **kwargs: Any) -> RouterUpdate:
        """Forward."""
        return self.hub.apply(self, "accept", contact_id, agent_id, **kwargs)

    def decline(self, contact_id: str, agent_id: str, **kwargs: Any) -> RouterUpdate:
        """Forward."""
        return self.hub.apply(self, "decline", contact_id, agent_id, **kwargs)

    def time_out(self, contact_id: str, agent_id: str, **kwargs: Any) -> RouterUpdate:
        """Forward."""
        return self.hub.apply(self, "time_out", contact_id, agent_id, **kwargs)

    def end(self, contact_id: str, *, now: datetime) -> RouterUpdate:
        """Forward."""
        return self.hub.apply(self, "end", contact_id, now=now)

    def transfer(self, contact_id: str, **kwargs: Any) -> RouterUpdate:
        """Forward."""
        return self.hub.apply(self, "transfer", contact_id, **kwargs)

    def log_in(self, profile: AgentProfile, **kwargs: Any) -> RouterUpdate:
        """Forward."""
        return self.hub.apply(self, "log_in", profile, **kwargs)

    def log_out(self, agent_id: str, *, now: datetime) -> RouterUpdate:
        """Forward."""
        return self.hub.apply(self, "log_out", agent_id, now=now)

    def set_ready(self, agent_id: str, *, now: datetime) -> RouterUpdate:
        """Forward."""
        return self.hub.apply(self, "set_ready", agent_id, now=now)

    def set_not_ready(self, agent_id: str, reason: Any, *, now: datetime) -> RouterUpdate:
        """Forward."""
        return self.hub.apply(self, "set_not_ready", agent_id, reason, now=now)
