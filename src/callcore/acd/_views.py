"""Read-only pictures of an agent, a contact, a caller's place in line and the wallboard."""

# cattrs reads these annotations at run time, so their imports stay at run time.
from __future__ import annotations

from datetime import datetime, timedelta

import attrs

from callcore.acd._model import AgentProfile, ContactStatus, NotReadyReason
from callcore.contacts import AgentState

__all__ = [
    "AgentBoard",
    "AgentView",
    "Announcement",
    "ContactView",
    "QueueBoard",
    "Wallboard",
]


@attrs.frozen(kw_only=True)
class AgentView:
    """A read-only picture of one agent.

    Attributes:
        profile: Skills, memberships and capacity.
        state: The state it is seen in (see :class:`AgentState`).
        not_ready_reason: Why it is not ready, if it is not.
        answered: Contacts answered.
        talk_time: Total talk time.
        idle_since: End of its last contact (or log-in).
        last_offered: When it was last offered a contact.
        wrap_up_until: End of the current wrap-up, if any.
        offered: Contacts ringing at the agent.
        connected: Contacts connected to the agent.
    """

    profile: AgentProfile
    state: AgentState
    not_ready_reason: NotReadyReason | None
    answered: int
    talk_time: timedelta
    idle_since: datetime
    last_offered: datetime | None
    wrap_up_until: datetime | None
    offered: tuple[str, ...]
    connected: tuple[str, ...]


@attrs.frozen(kw_only=True)
class ContactView:
    """A read-only picture of one contact.

    Attributes:
        contact_id: Its id.
        queue: The queue it is in.
        status: ``waiting``, ``offered`` or ``connected``.
        priority: Higher goes first.
        arrived: When it first entered the router.
        stage: How many of its queue's escalation rules apply.
        callback: It is a callback request.
        agent_id: The connected agent, if any.
        offered_to: The agents it rings at.
        language: The language tag it was enqueued with (``""``: none).
        waits_for: The agent a transfer sent it to, while it waits for that
            agent only (see :meth:`Router.transfer`).
    """

    contact_id: str
    queue: str
    status: ContactStatus
    priority: int
    arrived: datetime
    stage: int
    callback: bool
    agent_id: str | None
    offered_to: tuple[str, ...]
    language: str
    waits_for: str | None = None


@attrs.frozen(kw_only=True)
class Announcement:
    """What to tell a waiting caller.

    Attributes:
        position: 1 for the next contact to be served in its queue.
        estimated_wait: Position times the queue's recent mean handle time
            divided by its logged-in agents; ``None`` before any contact ended
            or while no agent is logged in.
    """

    position: int
    estimated_wait: timedelta | None


@attrs.frozen(kw_only=True)
class QueueBoard:
    """A queue as a supervisor's wallboard shows it at one instant.

    Attributes:
        queue: The queue's name.
        waiting: Contacts waiting, not ringing anywhere.
        offered: Contacts ringing at one agent or more, not yet answered.
        longest_wait: How long the contact that arrived first among those
            (waiting or ringing) has waited, since it entered the router;
            zero when there is none.
        available: Logged-in members available for contacts.
        reserved: Logged-in members with a contact ringing (none connected).
        busy: Logged-in members with a contact connected.
        wrap_up: Logged-in members in wrap-up.
        not_ready: Logged-in members not ready (break, lunch, auto-paused...).
    """

    queue: str
    waiting: int
    offered: int
    longest_wait: timedelta
    available: int
    reserved: int
    busy: int
    wrap_up: int
    not_ready: int

    @property
    def staffed(self) -> int:
        """Logged-in members, in any state."""
        return self.available + self.reserved + self.busy + self.wrap_up + self.not_ready


@attrs.frozen(kw_only=True)
class AgentBoard:
    """An agent as a supervisor's wallboard shows it at one instant.

    Attributes:
        agent_id: Its id.
        state: The state it is seen in (see :class:`AgentState`).
        not_ready_reason: Why it is not ready, if it is not.
        since: When it entered that state; ``None`` when the router was
            restored from a snapshot written before the router kept it.
        time_in_state: The time from ``since`` to the query's ``now``
            (``None`` with ``since``).
    """

    agent_id: str
    state: AgentState
    not_ready_reason: NotReadyReason | None
    since: datetime | None
    time_in_state: timedelta | None


@attrs.frozen(kw_only=True)
class Wallboard:
    """Real-time statistics: every queue and every agent the router holds at ``now``.

    Attributes:
        now: The instant the times are measured to.
        queues: One entry per queue, in configuration order.
        agents: One entry per agent the router holds (logged out too), by id.
    """

    now: datetime
    queues: tuple[QueueBoard, ...]
    agents: tuple[AgentBoard, ...]
