"""The ticket engine keeps the same instants whatever zone its times come in (issue 12)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from callcore.contacts import Channel
from callcore.errors import CallcoreError
from callcore.serialization import to_dict
from callcore.tickets import (
    Automation,
    AutomationConditions,
    EscalationRule,
    EscalationTrigger,
    PendingTimeout,
    SlaMetric,
    SlaPolicy,
    SlaTarget,
    Ticket,
    TicketEngine,
    TicketSettings,
)
from tests.tickets.strategies import AGENT, SUPERVISOR
from tests.time.instants import UTC, timelines, update_view, utc_view, zoned_like

MINUTE = timedelta(minutes=1)
# round-the-clock targets of minutes, so that they run out across the clock change
SETTINGS = TicketSettings(
    sla_policies=(
        SlaPolicy(
            "round",
            (
                SlaTarget(SlaMetric.FIRST_RESPONSE, 30 * MINUTE),
                SlaTarget(SlaMetric.NEXT_RESPONSE, 45 * MINUTE),
                SlaTarget(SlaMetric.RESOLUTION, 180 * MINUTE),
                SlaTarget(SlaMetric.TIME_TO_OWN, 20 * MINUTE),
            ),
            pause_states=("on_hold",),
            warn_at=(0.5, 0.75),
        ),
    ),
    escalation_rules=(
        EscalationRule("risk", EscalationTrigger.SLA_AT_RISK, "specialists", fraction=0.6),
        EscalationRule("late", EscalationTrigger.SLA_BREACH, "supervisors"),
    ),
    pending_timeouts=(
        PendingTimeout(
            "pending", after=120 * MINUTE, transition="resolve", remind_after=60 * MINUTE
        ),
    ),
    automations=(
        Automation(
            "stale on hold",
            AutomationConditions(states=frozenset({"on_hold"}), in_state_for=90 * MINUTE),
            transition="open",
        ),
        Automation(
            "watch vips",
            AutomationConditions(tags=frozenset({"vip"}), age=60 * MINUTE),
            notify="queue",
        ),
    ),
)
MOVES = ("open", "wait_on_customer", "hold", "need_follow_up", "resolve", "reopen", "close")
COMMANDS = (*MOVES, "reply", "customer_reply", "tick", "tick", "escalate", "vip", "status")


def _command(  # noqa: PLR0911 - one branch per command
    engine: TicketEngine, ticket: Ticket, name: str, now: datetime
) -> Any:
    if name in MOVES:
        due = zoned_like(now.astimezone(UTC) + 50 * MINUTE, now)
        return engine.apply(
            ticket, name, by=SUPERVISOR, now=now, note="done",
            follow_up_due=due if name == "need_follow_up" else None,
        )  # fmt: skip
    if name == "reply":
        return engine.reply(ticket, by=AGENT, now=now, text="answer")
    if name == "customer_reply":
        return engine.customer_reply(ticket, now=now, text="question")
    if name == "escalate":
        return engine.escalate(ticket, by=SUPERVISOR, now=now, reason="because")
    if name == "vip":
        return engine.update(ticket, by=AGENT, now=now, add_tags=["vip"])
    if name == "status":
        elapsed = engine.sla_elapsed(ticket, SlaMetric.RESOLUTION, now=now)
        return (engine.sla_status(ticket, now=now), elapsed)
    return engine.tick(ticket, now=now)


def _run(names: list[str], times: list[datetime]) -> list[Any]:
    engine = TicketEngine(SETTINGS)
    update = engine.create(
        id="T-1", subject="Broken", channel=Channel.EMAIL, customer="c", now=times[0],
        assignee=AGENT.id,
    )  # fmt: skip
    ticket = update.ticket
    outcomes: list[Any] = [update_view(update)]
    for name, now in zip(names, times[1:], strict=True):
        try:
            result = _command(engine, ticket, name, now)
        except CallcoreError as error:
            outcomes.append((name, type(error).__name__, getattr(error, "field", None)))
            continue
        ticket = getattr(result, "ticket", ticket)
        deadline = engine.next_deadline(ticket)
        outcomes.append((name, update_view(result), deadline and deadline.astimezone(UTC)))
    outcomes.append(utc_view(to_dict(ticket)))
    return outcomes


@given(
    st.lists(st.sampled_from(COMMANDS), min_size=1, max_size=16).flatmap(
        lambda names: st.tuples(st.just(names), timelines(len(names) + 1))
    )
)
def test_a_ticket_driven_in_zones_lives_as_in_utc(
    case: tuple[list[str], tuple[list[datetime], list[datetime]]],
) -> None:
    """Moves, replies, ticks and SLA queries at zoned times: the same outcome, as instants."""
    names, (times, zoned) = case
    assert _run(names, zoned) == _run(names, times)
