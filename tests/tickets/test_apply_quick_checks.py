"""apply's quick checks on a ticket with SLA clocks against its reference, the full checks.

``apply`` checks the usual call (a known transition, an Actor, a plain note,
``now`` at a fixed offset, not before the ticket's last change) with one
expression and leaves anything else to the full checks; a ticket with SLA
clocks takes that quick path too, where a running clock's start counts as a
change. A ``now`` in a ``ZoneInfo`` zone always takes the full checks, so the
same commands at the same instants, given once in ``timezone.utc`` and once in
``ZoneInfo("UTC")``, must leave equal tickets, equal updates and equal
refusals. Ticks move the clocks' starts past the history's last entry, and
commands go back in time too.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

from hypothesis import given
from hypothesis import strategies as st

from callcore.contacts import Channel
from callcore.errors import CallcoreError
from callcore.tickets import (
    Actor,
    SlaMetric,
    SlaPolicy,
    SlaTarget,
    Ticket,
    TicketEngine,
    TicketSettings,
    TicketUpdate,
)
from tests.tickets.calendars import office_calendar
from tests.tickets.strategies import AGENT, START, SUPERVISOR

POLICY = SlaPolicy(
    "standard",
    (
        SlaTarget(SlaMetric.FIRST_RESPONSE, timedelta(hours=1)),
        SlaTarget(SlaMetric.NEXT_RESPONSE, timedelta(hours=2)),
        SlaTarget(SlaMetric.RESOLUTION, timedelta(hours=6), pause_states=("on_hold",)),
    ),
    calendar="office",
    warn_at=(0.5,),
)
ENGINE = TicketEngine(
    settings=TicketSettings(sla_policies=(POLICY,)),
    calendars={"office": office_calendar("Europe/Bucharest")},
)
TRANSITIONS = (
    "open", "wait_on_customer", "customer_replied", "hold", "need_follow_up",
    "resolve", "reopen", "close", "no_such_transition",
)  # fmt: skip
STRANGER = Actor("zoe", frozenset({"agent"}))

commands = st.lists(
    st.tuples(
        st.sampled_from((*TRANSITIONS, "tick")),
        st.integers(-90, 600),  # minutes after the previous command (some go back)
        st.sampled_from(("", "fixed")),
        st.sampled_from((AGENT, SUPERVISOR, STRANGER)),
    ),
    max_size=25,
)


def _outcome(call: object) -> tuple[object, ...]:
    try:
        update = call()  # type: ignore[operator]
    except CallcoreError as error:
        return ("refused", type(error).__name__, getattr(error, "field", None), str(error))
    assert isinstance(update, TicketUpdate)
    return ("done", update.events, update.actions)


def _run(ticket: Ticket, name: str, now: datetime, note: str, by: Actor) -> tuple[object, ...]:
    if name == "tick":
        return _outcome(lambda: ENGINE.tick(ticket, now=now))
    return _outcome(lambda: ENGINE.apply(ticket, name, by=by, now=now, note=note))


@given(commands)
def test_quick_checks_agree_with_the_full_checks(
    steps: list[tuple[str, int, str, Actor]],
) -> None:
    """Same tickets, updates and refusals whichever way apply checks the call."""
    quick, full = (
        ENGINE.create(
            id="T-1", subject="s", channel=Channel.EMAIL, customer="c", now=START, assignee="ana"
        ).ticket
        for _ in range(2)
    )
    assert quick.sla  # the case under test: a ticket with clocks
    now = START
    for name, minutes, note, by in steps:
        now += timedelta(minutes=minutes)
        in_utc = now.astimezone(timezone.utc)
        expected = _run(full, name, in_utc.astimezone(ZoneInfo("UTC")), note, by)
        assert _run(quick, name, in_utc, note, by) == expected
        assert quick == full
        assert quick.next_due == full.next_due
