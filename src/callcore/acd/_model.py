"""Configuration values of the ACD: queues, agents, memberships, escalation rules."""

# cattrs reads these annotations at run time, so their imports stay at run time.
from __future__ import annotations

import enum
from collections.abc import Mapping
from datetime import timedelta

import attrs

from callcore.channels import Channel

__all__ = [
    "AgentProfile",
    "AgentState",
    "DeclineReason",
    "EscalationRule",
    "Membership",
    "NotReadyReason",
    "Overflow",
    "OverflowAction",
    "QueueConfig",
    "RejectReason",
]

MIN_LEVEL = 1
MAX_LEVEL = 10


class AgentState(enum.Enum):
    """The state an agent is seen in, most telling first.

    An agent with several channels may hold a chat while a second chat rings;
    the reported state is the first that applies in this order: logged out,
    busy (a contact is connected), reserved (an offer rings), wrap-up, not
    ready, available.
    """

    LOGGED_OUT = "logged_out"
    BUSY = "busy"
    RESERVED = "reserved"
    WRAP_UP = "wrap_up"
    NOT_READY = "not_ready"
    AVAILABLE = "available"


class NotReadyReason(enum.Enum):
    """Why an agent is not ready."""

    BREAK = "break"
    LUNCH = "lunch"
    TRAINING = "training"
    MEETING = "meeting"
    OTHER = "other"
    AUTO_PAUSED = "auto_paused"
    """Set by the router after too many offers in a row went unanswered."""


class DeclineReason(enum.Enum):
    """Why an agent turned an offer down (each starts its own delay)."""

    REJECTED = "rejected"
    BUSY = "busy"


class RejectReason(enum.Enum):
    """Why a queue refused a contact at the door."""

    QUEUE_FULL = "queue_full"
    NO_AGENTS = "no_agents"


class OverflowAction(enum.Enum):
    """Where a contact goes when it waited too long or its queue emptied."""

    QUEUE = "queue"
    """Move to another queue, keeping its original arrival time."""
    VOICEMAIL = "voicemail"
    """Leave the router; the host sends the caller to voicemail."""
    CALLBACK = "callback"
    """Become a callback request that keeps its place in the line."""


@attrs.frozen(kw_only=True)
class Overflow:
    """Where contacts go on overflow.

    Attributes:
        action: What happens to the contact.
        queue: The target queue when ``action`` is ``QUEUE``.
    """

    action: OverflowAction = OverflowAction.VOICEMAIL
    queue: str | None = None


@attrs.frozen(kw_only=True)
class EscalationRule:
    """After a contact has waited ``after`` in a queue, widen who may take it.

    Rules of a queue apply cumulatively in order of ``after``; the clock starts
    when the contact joined the queue. One rule may do several things at once.

    Attributes:
        after: How long the contact must have waited in this queue.
        max_tier: Let agents up to this tier level take it (``None``: no change).
        skill_minimums: Lower (or raise) the minimum level of these skills.
        drop_skills: Stop requiring these skills.
        to_queue: Move the contact to this queue (its rules start over there).
    """

    after: timedelta
    max_tier: int | None = None
    skill_minimums: Mapping[str, int] = attrs.field(factory=dict)
    drop_skills: frozenset[str] = frozenset()
    to_queue: str | None = None


@attrs.frozen(kw_only=True)
class QueueConfig:
    """One queue: who may take its contacts, in which order, and its limits.

    Attributes:
        name: Unique name of the queue.
        channel: The medium of its contacts.
        strategy: The name of the routing strategy (``longest_idle``...).
        required_skills: Skills every contact of this queue needs, with the
            minimum level (1..10).
        max_tier: Highest tier level offered at first (``None``: every tier;
            lower tiers are always offered first).
        max_length: Contacts beyond this many waiting are rejected.
        max_wait: A caller waiting this long overflows.
        max_wait_empty: Waiting contacts overflow once no member agent has
            been logged in for this long.
        overflow: Where overflowing contacts go.
        join_when_empty: Accept contacts while no member is logged in.
        leave_when_empty: Let no contact wait while no member is logged in:
            waiting contacts overflow as soon as the last member logs out, and
            a contact entering the queue meanwhile overflows at once.
        wrap_up: After-contact work time during which the agent gets no offer.
        offer_timeout: How long an offer rings before it times out.
        no_answer_delay: No offer to an agent for this long after a time-out.
        reject_delay: ... after the agent rejected an offer.
        busy_delay: ... after the agent's device answered busy.
        max_no_answer: Time-outs in a row that make the agent not ready
            (``AUTO_PAUSED``); 0 never does.
        escalation: Time-based rules that widen who may take a contact.
    """

    name: str
    channel: Channel = Channel.VOICE
    strategy: str = "longest_idle"
    required_skills: Mapping[str, int] = attrs.field(factory=dict)
    max_tier: int | None = None
    max_length: int | None = None
    max_wait: timedelta | None = None
    max_wait_empty: timedelta | None = None
    overflow: Overflow = Overflow()
    join_when_empty: bool = True
    leave_when_empty: bool = False
    wrap_up: timedelta = timedelta(0)
    offer_timeout: timedelta = timedelta(seconds=15)
    no_answer_delay: timedelta = timedelta(0)
    reject_delay: timedelta = timedelta(0)
    busy_delay: timedelta = timedelta(0)
    max_no_answer: int = 0
    escalation: tuple[EscalationRule, ...] = ()


@attrs.frozen(kw_only=True)
class Membership:
    """An agent's place in one queue.

    Attributes:
        queue: The queue's name.
        tier: Tier level; lower levels are offered first (1 is the first).
        position: Order within the queue for ``linear``, ``top_down`` and
            ``round_robin`` (lower first; ties by agent id).
        weight: Relative chance under ``weighted_random`` (> 0).
    """

    queue: str
    tier: int = 1
    position: int = 0
    weight: float = 1.0


def _default_capacity() -> dict[Channel, int]:
    return {Channel.VOICE: 1}


@attrs.frozen(kw_only=True)
class AgentProfile:
    """Who an agent is for routing, given at log-in.

    Attributes:
        agent_id: Unique id.
        skills: Skill names with proficiency levels 1..10.
        memberships: The queues the agent serves.
        capacity: How many contacts of each channel at once (missing: none).
        voice_exclusive: A voice contact is never held or offered alongside
            any other contact (on by default).
    """

    agent_id: str
    skills: Mapping[str, int] = attrs.field(factory=dict)
    memberships: tuple[Membership, ...] = ()
    capacity: Mapping[Channel, int] = attrs.field(factory=_default_capacity)
    voice_exclusive: bool = True
