"""Outbound campaigns: who to call, when their rules allow it, and what became of each call.

A :class:`Campaign` is a sans-I/O engine like the others: it takes commands
with ``now`` and returns a :class:`CampaignUpdate` of events and actions
(preview this record, dial this number, queue this answered call for an
agent, play the information message). See ``docs/campaigns/index.md``.
"""

from callcore.campaigns._campaign import MAX_CONTACTS, Campaign, CampaignReport
from callcore.campaigns._events import (
    AttemptAbandoned,
    AttemptAnswered,
    AttemptConnected,
    AttemptEnded,
    AttemptRecord,
    AttemptStarted,
    CampaignAction,
    CampaignUpdate,
    ContactFinished,
    ContactsAdded,
    DialContact,
    EnqueueCall,
    PlayInformationMessage,
    PreviewContact,
    PreviewOffered,
    RetryScheduled,
    RunFlow,
)
from callcore.campaigns._model import (
    DEFAULT_WINDOWS,
    TSR_WINDOW,
    CallResult,
    CampaignContact,
    CampaignSettings,
    DialingMode,
    Disposition,
    RetryPolicy,
    check_zone,
)

__all__ = [
    "DEFAULT_WINDOWS",
    "MAX_CONTACTS",
    "TSR_WINDOW",
    "AttemptAbandoned",
    "AttemptAnswered",
    "AttemptConnected",
    "AttemptEnded",
    "AttemptRecord",
    "AttemptStarted",
    "CallResult",
    "Campaign",
    "CampaignAction",
    "CampaignContact",
    "CampaignReport",
    "CampaignSettings",
    "CampaignUpdate",
    "ContactFinished",
    "ContactsAdded",
    "DialContact",
    "DialingMode",
    "Disposition",
    "EnqueueCall",
    "PlayInformationMessage",
    "PreviewContact",
    "PreviewOffered",
    "RetryPolicy",
    "RetryScheduled",
    "RunFlow",
    "check_zone",
]
