"""Tickets: configurable workflows, escalation tiers, SLA clocks, follow-ups, surveys, macros.

Every contact that needs work becomes a :class:`Ticket`. A :class:`TicketEngine`
moves it through a :class:`Workflow` (data, loadable from documents and drawn
as Mermaid), up and down escalation :class:`Tier` s, and measures it against
:class:`SlaPolicy` targets in business time. The engine is pure: it takes
``now``, changes the ticket in place after validating, and returns a
:class:`TicketUpdate`: the events, and the actions (schedule a follow-up, send
a survey, notify) for the host.
"""

from callcore.tickets._actions import (
    FollowUpDue,
    Notify,
    ScheduleFollowUp,
    SendSurvey,
    TicketAction,
)
from callcore.tickets._automations import Automation, AutomationConditions
from callcore.tickets._default_workflow import DEFAULT_WORKFLOW
from callcore.tickets._engine import UNSET, TicketEngine, TicketUpdate, sequential_ids
from callcore.tickets._escalation import DEFAULT_TIERS, EscalationRule, EscalationTrigger, Tier
from callcore.tickets._macros import Macro, render_template
from callcore.tickets._mermaid import workflow_to_mermaid
from callcore.tickets._pending import PendingTimeout
from callcore.tickets._settings import TicketSettings, load_ticket_settings, validate_settings
from callcore.tickets._sla import (
    BusinessHours,
    CalendarTime,
    SlaBreached,
    SlaConditions,
    SlaCycle,
    SlaMetric,
    SlaPolicy,
    SlaStatus,
    SlaTarget,
    SlaWarning,
)
from callcore.tickets._store import TicketStore
from callcore.tickets._ticket import (
    SYSTEM,
    Actor,
    Change,
    FieldValue,
    History,
    Link,
    Priority,
    SlaClock,
    SurveyAnswer,
    Ticket,
)
from callcore.tickets._workflow import (
    ActionKind,
    ActionSpec,
    Guard,
    GuardKind,
    State,
    StateCategory,
    Transition,
    Workflow,
    load_workflow,
    validate_workflow,
)

__all__ = [
    "DEFAULT_TIERS",
    "DEFAULT_WORKFLOW",
    "SYSTEM",
    "UNSET",
    "ActionKind",
    "ActionSpec",
    "Actor",
    "Automation",
    "AutomationConditions",
    "BusinessHours",
    "CalendarTime",
    "Change",
    "EscalationRule",
    "EscalationTrigger",
    "FieldValue",
    "FollowUpDue",
    "Guard",
    "GuardKind",
    "History",
    "Link",
    "Macro",
    "Notify",
    "PendingTimeout",
    "Priority",
    "ScheduleFollowUp",
    "SendSurvey",
    "SlaBreached",
    "SlaClock",
    "SlaConditions",
    "SlaCycle",
    "SlaMetric",
    "SlaPolicy",
    "SlaStatus",
    "SlaTarget",
    "SlaWarning",
    "State",
    "StateCategory",
    "SurveyAnswer",
    "Ticket",
    "TicketAction",
    "TicketEngine",
    "TicketSettings",
    "TicketStore",
    "TicketUpdate",
    "Tier",
    "Transition",
    "Workflow",
    "load_ticket_settings",
    "load_workflow",
    "render_template",
    "sequential_ids",
    "validate_settings",
    "validate_workflow",
    "workflow_to_mermaid",
]
