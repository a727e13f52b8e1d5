"""The default workflow: the statuses of the mission, plus reopen."""

from __future__ import annotations

from datetime import timedelta

from callcore.notifications import NotificationChannel
from callcore.tickets._workflow import (
    ActionKind,
    ActionSpec,
    Guard,
    GuardKind,
    State,
    StateCategory,
    Transition,
    Workflow,
)

__all__ = ["DEFAULT_WORKFLOW"]

_WORKING = ("new", "open", "pending", "on_hold", "needs_follow_up")

DEFAULT_WORKFLOW = Workflow(
    name="default",
    initial="new",
    states=(
        State("new", StateCategory.NEW, label="New"),
        State("open", StateCategory.OPEN, label="Open"),
        State("pending", StateCategory.WAITING, pauses_sla=True, label="Pending on customer"),
        State("on_hold", StateCategory.WAITING, label="On hold (third party)"),
        State("needs_follow_up", StateCategory.WAITING, label="Needs follow-up"),
        State("resolved", StateCategory.RESOLVED, label="Resolved"),
        State("closed", StateCategory.CLOSED, label="Closed"),
    ),
    transitions=(
        Transition("open", ("new", "pending", "on_hold", "needs_follow_up"), "open"),
        Transition("wait_on_customer", ("new", "open", "on_hold", "needs_follow_up"), "pending"),
        # Zendesk: an end-user comment on Pending, On-hold or Solved sets the ticket to Open
        # (Solved by `reopen`); a reply to a ticket awaiting follow-up is that follow-up.
        Transition(
            "customer_replied",
            ("pending", "on_hold", "needs_follow_up"),
            "open",
            on_customer_reply=True,
        ),
        Transition("hold", ("new", "open", "pending", "needs_follow_up"), "on_hold"),
        Transition(
            "need_follow_up",
            ("new", "open", "pending", "on_hold"),
            "needs_follow_up",
            actions=(ActionSpec(ActionKind.SCHEDULE_FOLLOW_UP, after=timedelta(days=1)),),
        ),
        Transition(
            "resolve",
            _WORKING,
            "resolved",
            guards=(Guard(GuardKind.NOTE_REQUIRED), Guard(GuardKind.ASSIGNEE_OR_SUPERVISOR)),
            # a solved ticket has an assignee: the supervisor who solves an unassigned one
            actions=(ActionSpec(ActionKind.ASSIGN_ACTOR),),
        ),
        Transition("reopen", ("resolved",), "open", on_customer_reply=True),
        Transition(
            "close",
            (*_WORKING, "resolved"),
            "closed",
            actions=(
                ActionSpec(
                    ActionKind.SEND_SURVEY, channel=NotificationChannel.EMAIL, template="csat"
                ),
            ),
        ),
    ),
    auto_close_after=timedelta(days=4),
    auto_close_transition="close",
)
"""New, open, pending on customer, on hold on a third party, needs follow-up,
resolved and closed, with reopen; resolved tickets close after 4 days and a
closed ticket sends a CSAT survey by email."""
