"""The ACD: agents, queues, routing strategies and time-based escalation.

:class:`Router` is a sans-I/O automatic contact distributor: give it contacts,
agent changes and ``now``; each command returns a :class:`RouterUpdate` (offers
to ring, offers to stop ringing, events). It never rings anyone itself;
:meth:`Router.next_deadline` says when it next needs a :meth:`Router.tick`.

:class:`AgentState` and :class:`ContactOutcome` are the shared ones of
:mod:`callcore.contacts`, re-exported here.
"""

from callcore.acd._events import (
    AgentRemoved,
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
    ContactTransferred,
    Offer,
    OfferEnded,
    OfferEndReason,
    PriorityChanged,
    RouterUpdate,
)
from callcore.acd._model import (
    AgentProfile,
    ContactStatus,
    DeclineReason,
    EmptyCondition,
    Membership,
    NotReadyReason,
    Overflow,
    OverflowAction,
    QueueConfig,
    QueueEscalation,
    RejectReason,
)
from callcore.acd._router import Router
from callcore.acd._snapshot import (
    AbandonedRecord,
    AgentRecord,
    ContactRecord,
    PointerRecord,
    RouterSnapshot,
)
from callcore.acd._strategy import (
    BUILTIN_STRATEGIES,
    CAPABILITIES,
    AgentStats,
    Rank,
    Strategy,
    StrategyMemory,
)
from callcore.acd._validation import validate_profile, validate_queues
from callcore.acd._views import (
    AgentBoard,
    AgentView,
    Announcement,
    ContactView,
    QueueBoard,
    Wallboard,
)
from callcore.contacts import AgentState, ContactOutcome

__all__ = [
    "BUILTIN_STRATEGIES",
    "CAPABILITIES",
    "AbandonedRecord",
    "AgentBoard",
    "AgentProfile",
    "AgentRecord",
    "AgentRemoved",
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
    "ContactOutcome",
    "ContactOverflowed",
    "ContactQueued",
    "ContactRecord",
    "ContactRejected",
    "ContactStatus",
    "ContactTransferred",
    "ContactView",
    "DeclineReason",
    "EmptyCondition",
    "Membership",
    "NotReadyReason",
    "Offer",
    "OfferEndReason",
    "OfferEnded",
    "Overflow",
    "OverflowAction",
    "PointerRecord",
    "PriorityChanged",
    "QueueBoard",
    "QueueConfig",
    "QueueEscalation",
    "Rank",
    "RejectReason",
    "Router",
    "RouterSnapshot",
    "RouterUpdate",
    "Strategy",
    "StrategyMemory",
    "Wallboard",
    "validate_profile",
    "validate_queues",
]
