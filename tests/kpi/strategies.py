"""Hypothesis strategies for KPI tests: consistent interaction records."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone, tzinfo
from zoneinfo import ZoneInfo

from hypothesis import strategies as st

from callcore.contacts import Channel, Direction
from callcore.kpi import AgentState, AgentStateRecord, ContactOutcome, InteractionRecord

ZONES = [
    timezone.utc,
    ZoneInfo("Europe/London"),
    ZoneInfo("America/New_York"),
    ZoneInfo("Asia/Kolkata"),
]
"""Zones records are stamped in (Kolkata has a half-hour offset)."""

# Around the end of British Summer Time 2026 (25 October), so that some
# records fall in the repeated hour.
ORIGIN = datetime(2026, 10, 24, 22, 0, tzinfo=timezone.utc)
SPAN_US = 8 * 3600 * 1_000_000
NOW = ORIGIN + timedelta(hours=9)
"""A time after every record's: when tests merge aggregators."""

RECORD_OUTCOMES = [outcome for outcome in ContactOutcome if outcome is not ContactOutcome.QUEUED]
"""Every outcome a record may have: 'queued' is how an IVR leg ends, not a record."""
LOGGED_IN_STATES = [state for state in AgentState if state is not AgentState.LOGGED_OUT]
"""Every state an agent state record may have."""

QUEUES = ["sales", "support", "billing"]
AGENTS = ["ana", "bo", "cy", "dee"]


def durations(max_seconds: int = 600) -> st.SearchStrategy[timedelta]:
    """Durations from 0 to ``max_seconds``, often whole seconds, sometimes with microseconds."""
    whole = st.integers(0, max_seconds).map(lambda s: timedelta(seconds=s))
    fine = st.integers(0, max_seconds * 1_000_000).map(lambda us: timedelta(microseconds=us))
    return st.one_of(whole, fine)


def instants() -> st.SearchStrategy[datetime]:
    """Aware instants within eight hours of ORIGIN, in one of ZONES."""
    return st.builds(
        lambda us, zone: (ORIGIN + timedelta(microseconds=us)).astimezone(zone),
        st.integers(0, SPAN_US),
        st.sampled_from(ZONES),
    )


def _in_zone(instant: datetime | None, zone: tzinfo | None) -> datetime | None:
    return None if instant is None else instant.astimezone(zone)


@st.composite
def interaction_records(draw: st.DrawFn) -> InteractionRecord:
    """Any consistent interaction record."""
    outcome = draw(st.sampled_from(RECORD_OUTCOMES))
    direction = (
        Direction.OUTBOUND
        if outcome is ContactOutcome.NO_ANSWER
        else draw(st.sampled_from(Direction))
    )
    stamped = draw(instants())
    zone = stamped.tzinfo
    # Arithmetic on aware datetimes is wall-clock arithmetic in their own zone
    # (and drops the fold), so work in UTC and stamp the zone back at the end.
    arrived = stamped.astimezone(timezone.utc)
    queued = arrived + draw(durations(60)) if draw(st.booleans()) else None
    wait = draw(durations(120))
    start = queued or arrived
    offered = start + wait if outcome in {ContactOutcome.ANSWERED, ContactOutcome.MISSED} else None
    answered = None
    hold = timedelta(0)
    if outcome is ContactOutcome.ANSWERED:
        answered = start + wait
        talk = draw(durations(900))
        hold = draw(st.sampled_from([timedelta(0), talk / 2, talk]))
        ended = answered + talk
    else:
        ended = start + wait
    wrap = (
        ended + draw(durations(120))
        if outcome is ContactOutcome.ANSWERED and draw(st.booleans())
        else None
    )
    ident = draw(st.text("abc123", min_size=1, max_size=6))
    return InteractionRecord(
        id=ident,
        # Legs: no contact id (a contact on its own), its own id (a first leg), another's.
        contact_id=draw(st.sampled_from([None, None, ident, "a1"])),
        channel=draw(st.sampled_from(Channel)),
        direction=direction,
        outcome=outcome,
        arrived_at=stamped,
        queued_at=_in_zone(queued, zone),
        offered_at=_in_zone(offered, zone),
        answered_at=_in_zone(answered, zone),
        ended_at=ended.astimezone(zone),
        wrap_up_ended_at=_in_zone(wrap, zone),
        hold_time=hold,
        holds=draw(st.integers(0, 2)) if hold else 0,
        transfers=draw(st.integers(0, 2)),
        consults=draw(st.integers(0, 2)),
        queue=draw(st.sampled_from([*QUEUES, None])),
        agent=draw(st.sampled_from([*AGENTS, None])),
        customer_id=draw(st.sampled_from(["c1", "c2", "c3", None])),
        ivr_path=draw(
            st.sampled_from(
                [("menu",), ("menu", "balance")]
                if outcome is ContactOutcome.SELF_SERVED
                else [(), ("menu",), ("menu", "balance")]
            )
        ),
        first_contact_resolved=draw(st.sampled_from([True, False, None])),
        repeat_contact=draw(st.sampled_from([True, False, None])),
        csat=draw(st.none() | st.integers(1, 5)),
        nps=draw(st.none() | st.integers(0, 10)),
    )


@st.composite
def agent_state_records(
    draw: st.DrawFn,
    starts: st.SearchStrategy[datetime] | None = None,
    lengths: st.SearchStrategy[timedelta] | None = None,
) -> AgentStateRecord:
    """Any agent state span of up to two hours (or of ``lengths``), from ``starts``."""
    started = draw(instants() if starts is None else starts)
    length = draw(durations(7200) if lengths is None else lengths)
    # Aware arithmetic is wall-clock arithmetic in the value's own zone and drops
    # ``fold``: in the repeated hour, 01:30 GMT (fold=1) + 0 would become 01:30
    # BST, an hour *earlier*. Add in UTC, then stamp the zone back.
    ended = (started.astimezone(timezone.utc) + length).astimezone(started.tzinfo)
    return AgentStateRecord(
        agent=draw(st.sampled_from(AGENTS)),
        state=draw(st.sampled_from(LOGGED_IN_STATES)),
        started_at=started,
        ended_at=ended,
    )
