"""Every ticket model round-trips through callcore.serialization."""

from __future__ import annotations

from datetime import timedelta

import pytest
from hypothesis import given

from callcore.contacts import Channel
from callcore.errors import DocumentError, Problem
from callcore.notifications import Notification, NotificationChannel
from callcore.serialization import dumps, from_dict, loads, to_dict
from callcore.tickets import (
    Actor,
    Change,
    EscalationRule,
    EscalationTrigger,
    FollowUpDue,
    Macro,
    Notify,
    Priority,
    ScheduleFollowUp,
    SendSurvey,
    SlaBreached,
    SlaConditions,
    SlaMetric,
    SlaPolicy,
    SlaTarget,
    SlaWarning,
    Ticket,
    TicketEngine,
    TicketSettings,
    load_ticket_settings,
)
from tests.tickets.calendars import office_hours
from tests.tickets.strategies import AGENT, START, changes, tickets


@given(tickets())
def test_tickets_round_trip(ticket: Ticket) -> None:
    """A ticket survives to_dict/from_dict and JSON unchanged."""
    assert from_dict(Ticket, to_dict(ticket)) == ticket
    assert loads(Ticket, dumps(ticket)) == ticket


@given(changes())
def test_history_entries_round_trip(change: Change) -> None:
    """A history entry (also an event) survives JSON."""
    assert loads(Change, dumps(change)) == change


def test_settings_round_trip() -> None:
    """A full settings document survives to_dict/from_dict."""
    settings = TicketSettings(
        escalation_rules=(
            EscalationRule("vip", EscalationTrigger.CUSTOMER_TIER, "specialists",
                           customer_tiers=frozenset({"vip"})),
        ),
        sla_policies=(
            SlaPolicy(
                "urgent",
                (SlaTarget(SlaMetric.FIRST_RESPONSE, timedelta(hours=1)),),
                SlaConditions(priorities=frozenset({Priority.URGENT}),
                              channels=frozenset({Channel.VOICE})),
                calendar="office",
                pause_states=("on_hold",),
                warn_at=(0.5, 0.9),
            ),
        ),
        macros=(Macro("m", fields={"a": 1, "b": None}, reply="Hi {agent}"),),
    )  # fmt: skip
    assert load_ticket_settings(to_dict(settings), {"office": office_hours()}) == settings


def test_settings_documents_report_every_problem_with_paths() -> None:
    """Bad types, unknown calendars, bad fractions and targets are listed together."""
    document = {
        "sla_policies": [
            {
                "name": "p",
                "calendar": "nights",
                "targets": [
                    {"metric": "resolution", "within": 0},
                    {"metric": "resolution", "within": 60},
                ],
                "warn_at": [1.5],
            }
        ],
        "escalation_rules": [{"name": "r", "trigger": "keyword", "to_tier": "specialists"}],
    }
    with pytest.raises(DocumentError) as caught:
        load_ticket_settings(document)
    assert set(caught.value.problems) == {
        Problem("sla_policies[0].calendar", "unknown calendar 'nights'"),
        Problem("sla_policies[0].targets[0].within", "must be positive"),
        Problem("sla_policies[0].targets[1]", "a second resolution target"),
        Problem("sla_policies[0].warn_at[0]", "must be between 0 and 1"),
        Problem("escalation_rules[0].keywords", "a 'keyword' rule needs at least one keyword"),
    }


def test_a_malformed_settings_document_names_paths() -> None:
    """Structural errors carry their paths."""
    with pytest.raises(DocumentError) as caught:
        load_ticket_settings({"tiers": [{"name": 3, "queue": "q"}], "macro": []})
    paths = {problem.path for problem in caught.value.problems}
    assert "tiers[0].name" in paths


def test_a_live_ticket_round_trips_with_its_clocks() -> None:
    """A ticket with running SLA clocks and a full history comes back equal."""
    policy = SlaPolicy("p", (SlaTarget(SlaMetric.RESOLUTION, timedelta(hours=8)),))
    engine = TicketEngine(TicketSettings(sla_policies=(policy,)))
    ticket = engine.create(
        id="T", subject="s", channel=Channel.VOICE, customer="c", now=START, fields={"n": 1.5}
    ).ticket
    engine.apply(ticket, "wait_on_customer", by=AGENT, now=START + timedelta(hours=1))
    copy = loads(Ticket, dumps(ticket))
    assert copy == ticket
    later = START + timedelta(hours=5)
    assert engine.sla_elapsed(copy, SlaMetric.RESOLUTION, now=later) == timedelta(hours=1)


NOTICE = Notification(
    channel=NotificationChannel.SMS, to="+40721234567", subject="Rate us", data={"ticket_id": "T"}
)
VALUES: list[object] = [
    ScheduleFollowUp("T", START),
    FollowUpDue("T", START, None),
    SendSurvey("T", NOTICE),
    Notify("T", NOTICE),
    SlaWarning(
        at=START, ticket_id="T", metric=SlaMetric.RESOLUTION, fraction=0.75,
        due=START, deadline=START + timedelta(hours=1),
    ),
    SlaBreached(at=START, ticket_id="T", metric=SlaMetric.NEXT_RESPONSE, deadline=START, cycle=2),
    Actor("ana", frozenset({"agent", "supervisor"})),
]  # fmt: skip


@pytest.mark.parametrize("value", VALUES, ids=lambda value: type(value).__name__)
def test_actions_events_and_actors_round_trip(value: object) -> None:
    """Actions, SLA events and actors survive JSON."""
    assert loads(type(value), dumps(value)) == value
