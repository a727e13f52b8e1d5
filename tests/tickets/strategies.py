"""Hypothesis strategies for tickets."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from hypothesis import strategies as st

from callcore.contacts import Channel
from callcore.tickets import (
    Actor,
    Link,
    Priority,
    SlaClock,
    SurveyAnswer,
    Ticket,
)
from callcore.tickets._ticket import Change, History

START = datetime(2026, 1, 5, 9, 0, tzinfo=timezone.utc)
"""A Monday morning."""

AGENT = Actor("ana", frozenset({"agent"}))
SUPERVISOR = Actor("sam", frozenset({"supervisor"}))

names = st.text(alphabet="abcdefghijklmnopqrstuvwxyz_", min_size=1, max_size=8)
instants = st.integers(min_value=0, max_value=60 * 24 * 30).map(
    lambda minutes: START + timedelta(minutes=minutes)
)
steps = st.integers(min_value=0, max_value=60 * 24 * 3).map(lambda m: timedelta(minutes=m))
field_values = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**6), max_value=10**6),
    st.floats(allow_nan=False, allow_infinity=False, width=32),
    st.text(max_size=10),
)
priorities = st.sampled_from(Priority)
channels = st.sampled_from(Channel)


@st.composite
def changes(draw: st.DrawFn, ticket_id: str = "T-1") -> Change:
    """Draw one history entry."""
    return Change(
        at=draw(instants),
        ticket_id=ticket_id,
        by=draw(names),
        action=draw(names),
        field=draw(names),
        old=draw(field_values),
        new=draw(field_values),
        reason=draw(st.text(max_size=20)),
    )


@st.composite
def clocks(draw: st.DrawFn) -> SlaClock:
    """Draw an SLA clock in any state."""
    return SlaClock(
        metric=draw(st.sampled_from(["first_response", "next_response", "resolution"])),
        goal=timedelta(minutes=draw(st.integers(1, 10_000))),
        elapsed=draw(steps),
        since=draw(st.none() | instants),
        stopped=draw(st.booleans()),
        cycle=draw(st.integers(1, 5)),
        warned=tuple(draw(st.lists(st.sampled_from([0.5, 0.75, 0.9]), unique=True))),
        breached=draw(st.booleans()),
    )


@st.composite
def tickets(draw: st.DrawFn) -> Ticket:
    """Draw a ticket with arbitrary (not necessarily reachable) field values."""
    created = draw(instants)
    clock_list = draw(st.lists(clocks(), max_size=3, unique_by=lambda c: c.metric))
    return Ticket(
        id=draw(names),
        subject=draw(st.text(max_size=30)),
        channel=draw(channels),
        customer=draw(names),
        customer_tier=draw(st.sampled_from(["standard", "vip"])),
        workflow="default",
        state=draw(st.sampled_from(["new", "open", "pending", "resolved", "closed"])),
        priority=draw(priorities),
        tier=draw(st.sampled_from(["front_line", "specialists"])),
        assignee=draw(st.none() | names),
        queue=draw(st.none() | names),
        tags=frozenset(draw(st.lists(names, max_size=3))),
        fields=draw(st.dictionaries(names, field_values, max_size=3)),
        links=tuple(draw(st.lists(st.builds(Link, names, names), max_size=2))),
        created_at=created,
        first_response_at=draw(st.none() | instants),
        resolved_at=draw(st.none() | instants),
        follow_up_due=draw(st.none() | instants),
        reopen_count=draw(st.integers(0, 5)),
        survey=draw(
            st.none() | st.builds(SurveyAnswer, st.integers(1, 5), instants, st.text(max_size=10))
        ),
        sla_policy=draw(st.none() | names),
        sla={clock.metric: clock for clock in clock_list},
        fired_rules=frozenset(draw(st.lists(names, max_size=2))),
        next_due=draw(st.none() | instants),
        version=draw(st.integers(0, 100)),
        history=History(draw(st.lists(changes(), max_size=4))),
    )
