"""The contact centre: every engine joined behind one synchronous facade.

:class:`ContactCenter` owns the plugin manager, a clock, the store, caller
identification, the IVR flows, the router, the ticket engine and the KPI
aggregator. A host tells it what happened, one plain method per happening
(:meth:`~ContactCenter.inbound_call`, :meth:`~ContactCenter.caller_input`,
:meth:`~ContactCenter.agent_accepted`, :meth:`~ContactCenter.agent_wrapped_up`...),
and gets one :class:`CenterUpdate` back: the events, and the actions it must
carry out (or that its telephony plugin carries out through the
``callcore_telephony`` hook). :meth:`~ContactCenter.next_deadline` and
:meth:`~ContactCenter.run_due` run every engine's timers.
"""

from callcore.center._actions import (
    BotToCustomer,
    CallCustomer,
    CallerAction,
    CampaignCall,
    CenterAction,
    Conference,
    Connect,
    Consult,
    Disconnect,
    HoldCaller,
    ResumeCaller,
    RingAgent,
    RingExternal,
    ScreenPop,
    StopRinging,
    TelephonyAction,
    TransferToAgent,
    TransferToQueue,
)
from callcore.center._asyncio import AsyncContactCenter
from callcore.center._callbacks import CALLBACKS_CHECKPOINT
from callcore.center._center import DEFAULT_DISPOSITIONS, CenterUpdate, ContactCenter, Disposition
from callcore.center._config import CenterConfig, load_center, read_center_config
from callcore.center._contact import Consultation, LiveContact, Phase
from callcore.center._core import ANONYMOUS, WITHHELD
from callcore.center._desk_actions import (
    CallMonitored,
    EndMonitoring,
    InternalCall,
    InternalCallEnded,
    InternalCallStarted,
    MonitorCall,
    MonitoringEnded,
    MonitorMode,
    PauseRecording,
    RecordingChanged,
    RecordingPolicy,
    RecordingState,
    ResumeRecording,
    StartRecording,
    StopRecording,
)
from callcore.center._events import (
    ContactArrived,
    ContactCompleted,
    ContactConferenced,
    ContactConsulted,
    ContactHeld,
    ContactResumed,
    ContactSteps,
    ContactTransferred,
    SurveySent,
)
from callcore.center._router_seam import RouterPort, SharedRouterPort
from callcore.center._selfservice import SUGGESTED_ARTICLES, SelfServiceTotals
from callcore.center._voice import QUEUE_STATUS

__all__ = [
    "ANONYMOUS",
    "CALLBACKS_CHECKPOINT",
    "DEFAULT_DISPOSITIONS",
    "QUEUE_STATUS",
    "SUGGESTED_ARTICLES",
    "WITHHELD",
    "AsyncContactCenter",
    "BotToCustomer",
    "CallCustomer",
    "CallMonitored",
    "CallerAction",
    "CampaignCall",
    "CenterAction",
    "CenterConfig",
    "CenterUpdate",
    "Conference",
    "Connect",
    "Consult",
    "Consultation",
    "ContactArrived",
    "ContactCenter",
    "ContactCompleted",
    "ContactConferenced",
    "ContactConsulted",
    "ContactHeld",
    "ContactResumed",
    "ContactSteps",
    "ContactTransferred",
    "Disconnect",
    "Disposition",
    "EndMonitoring",
    "HoldCaller",
    "InternalCall",
    "InternalCallEnded",
    "InternalCallStarted",
    "LiveContact",
    "MonitorCall",
    "MonitorMode",
    "MonitoringEnded",
    "PauseRecording",
    "Phase",
    "RecordingChanged",
    "RecordingPolicy",
    "RecordingState",
    "ResumeCaller",
    "ResumeRecording",
    "RingAgent",
    "RingExternal",
    "RouterPort",
    "ScreenPop",
    "SelfServiceTotals",
    "SharedRouterPort",
    "StartRecording",
    "StopRecording",
    "StopRinging",
    "SurveySent",
    "TelephonyAction",
    "TransferToAgent",
    "TransferToQueue",
    "load_center",
    "read_center_config",
]
