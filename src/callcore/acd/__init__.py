"""The ACD: agents, queues, routing strategies and time-based escalation.

:class:`Router` is a sans-I/O automatic contact distributor: give it contacts,
agent changes and ``now``; it returns offers to ring and events. It never rings
anyone itself.
"""

from callcore.acd._events import (
    AgentStateChanged,
    CallbackRequested,
    ContactAbandoned,
    ContactAnswered,
    ContactEnded,
    ContactEscalated,
    ContactOffered,
    ContactOverflowed,
    ContactQueued,
    ContactRejected,
    Offer,
    OfferEnded,
    OfferEndReason,
    Outcome,
    PriorityChanged,
)
from callcore.acd._model import (
    AgentProfile,
    AgentState,
    DeclineReason,
    EscalationRule,
    Membership,
    NotReadyReason,
    Overflow,
    OverflowAction,
    QueueConfig,
    RejectReason,
)
from callcore.acd._records import ContactStatus
from callcore.acd._router import AgentView, Announcement, ContactView, Router
from callcore.acd._snapshot import AgentRecord, ContactRecord, PointerRecord, RouterSnapshot
from callcore.acd._strategy import (
    BUILTIN_STRATEGIES,
    AgentStats,
    Rank,
    Strategy,
    StrategyMemory,
)
from callcore.acd._validation import check_profile, check_queues

__all__ = [
    "BUILTIN_STRATEGIES",
    "AgentProfile",
    "AgentRecord",
    "AgentState",
    "AgentStateChanged",
    "AgentStats",
    "AgentView",
    "Announcement",
    "CallbackRequested",
    "ContactAbandoned",
    "ContactAnswered",
    "ContactEnded",
    "ContactEscalated",
    "ContactOffered",
    "ContactOverflowed",
    "ContactQueued",
    "ContactRecord",
    "ContactRejected",
    "ContactStatus",
    "ContactView",
    "DeclineReason",
    "EscalationRule",
    "Membership",
    "NotReadyReason",
    "Offer",
    "OfferEndReason",
    "OfferEnded",
    "Outcome",
    "Overflow",
    "OverflowAction",
    "PointerRecord",
    "PriorityChanged",
    "QueueConfig",
    "Rank",
    "RejectReason",
    "Router",
    "RouterSnapshot",
    "Strategy",
    "StrategyMemory",
    "check_profile",
    "check_queues",
]
