"""The router a centre runs on: its own in-process router, or one shared by several hosts.

:class:`RouterPort` is what :class:`~callcore.center.ContactCenter` asks of a
router: the commands that change it and the reads its checks and boards
need. :class:`callcore.acd.Router` has them all, and is the default (each
centre makes its own). A router shared by several host processes, such as
:class:`callcore.storage.postgres_router.SharedRouter`, has them too, and
adds what sharing needs (:class:`SharedRouterPort`): which agents ring
through this host, and the updates other hosts' inputs and the owner's
timers made.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Protocol, runtime_checkable

if TYPE_CHECKING:
    from callcore.acd import (
        AgentProfile,
        AgentView,
        ContactView,
        DeclineReason,
        NotReadyReason,
        QueueBoard,
        QueueConfig,
        RouterSnapshot,
        RouterUpdate,
        Wallboard,
    )
    from callcore.contacts import QueueRequest, Skills

__all__ = ["RouterPort", "SharedRouterPort"]


@runtime_checkable
class RouterPort(Protocol):
    """The router commands and reads a centre uses; :class:`~callcore.acd.Router` has them.

    Each command has the meaning, arguments and refusals of the
    :class:`~callcore.acd.Router` method of the same name, and returns its
    :class:`~callcore.acd.RouterUpdate`.
    """

    @property
    def queues(self) -> tuple[QueueConfig, ...]:
        """The queue configuration."""

    def agent(self, agent_id: str) -> AgentView:
        """Describe an agent (:meth:`callcore.acd.Router.agent`)."""

    def agent_ids(self) -> tuple[str, ...]:
        """Every agent the router has seen."""

    def contact(self, contact_id: str) -> ContactView:
        """Describe a contact the router holds (:meth:`callcore.acd.Router.contact`)."""

    def contact_ids(self) -> tuple[str, ...]:
        """Every contact the router holds."""

    def line(self, queue: str) -> tuple[str, ...]:
        """A queue's contacts not yet connected, in the order they are served."""

    def wallboard(self, *, now: datetime) -> Wallboard:
        """Real-time statistics of every queue and agent."""

    def queue_board(self, queue: str, *, now: datetime) -> QueueBoard:
        """One queue's real-time statistics."""

    def next_deadline(self) -> datetime | None:
        """When the router's next timer falls due."""

    def snapshot(self) -> RouterSnapshot:
        """The router's whole state."""

    def tick(self, *, now: datetime) -> RouterUpdate:
        """Run the timers due by ``now``."""

    def enqueue(
        self,
        contact_id: str,
        queue: str | QueueRequest,
        *,
        now: datetime,
        priority: int = 0,
        skills: Skills | None = None,
        language: str = "",
    ) -> RouterUpdate:
        """A contact asks to be served by a queue."""

    def abandon(self, contact_id: str, *, now: datetime) -> RouterUpdate:
        """A waiting contact hung up."""

    def request_callback(self, contact_id: str, *, now: datetime) -> RouterUpdate:
        """A waiting contact asked to be called back."""

    def accept(
        self, contact_id: str, agent_id: str, *, now: datetime, offer_id: str | None = None
    ) -> RouterUpdate:
        """The agent answered the offer."""

    def decline(
        self,
        contact_id: str,
        agent_id: str,
        *,
        now: datetime,
        reason: DeclineReason = ...,
        offer_id: str | None = None,
    ) -> RouterUpdate:
        """The agent turned the offer down."""

    def time_out(
        self, contact_id: str, agent_id: str, *, now: datetime, offer_id: str | None = None
    ) -> RouterUpdate:
        """Nobody answered the offer."""

    def end(self, contact_id: str, *, now: datetime) -> RouterUpdate:
        """A connected contact ended."""

    def transfer(
        self,
        contact_id: str,
        *,
        now: datetime,
        to_queue: str | None = None,
        to_agent: str | None = None,
        agent_wait: timedelta = ...,
        priority: int | None = None,
    ) -> RouterUpdate:
        """A connected contact goes to a queue or an agent."""

    def log_in(self, profile: AgentProfile, *, now: datetime, ready: bool = True) -> RouterUpdate:
        """An agent logged in."""

    def log_out(self, agent_id: str, *, now: datetime) -> RouterUpdate:
        """An agent logged out."""

    def set_ready(self, agent_id: str, *, now: datetime) -> RouterUpdate:
        """An agent is ready."""

    def set_not_ready(
        self, agent_id: str, reason: NotReadyReason, *, now: datetime
    ) -> RouterUpdate:
        """An agent takes no new contact for a while."""


@runtime_checkable
class SharedRouterPort(RouterPort, Protocol):
    """A router several hosts share: one owner applies every host's commands.

    A centre on such a router rings only the agents that :meth:`serves`
    names, and takes in, at each input, the :meth:`take_news` other hosts'
    commands and the owner's timers made.
    """

    host_id: str
    """This host's name, unique among the hosts (its centre checkpoints as ``center:<host_id>``)."""

    def serves(self, agent_id: str) -> bool:
        """Whether the agent's offers ring through this host (it logged in here)."""

    last_sent_position: int
    """The log position of the latest command this host sent and got the result of."""

    def take_news(self, through: int | None = None) -> tuple[RouterUpdate, ...]:
        """The updates made by commands this host did not send, not taken yet, in log order.

        ``through``: only those logged at or before this position.
        """

    def delivered_through(self) -> int:
        """The log position through which every update has reached this host."""

    def resend_news(self, after: int) -> None:
        """Hand out again, as news, the updates logged after position ``after`` (a restart)."""
