"""SLA clocks: hand-worked deadlines in business time, pauses, warnings and breaches."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from callcore.calendar import BusinessCalendar, OpeningRange, WeeklyHours
from callcore.contacts import Channel
from callcore.tickets import (
    Priority,
    SlaBreached,
    SlaConditions,
    SlaMetric,
    SlaPolicy,
    SlaTarget,
    SlaWarning,
    Ticket,
    TicketEngine,
    TicketSettings,
)
from tests.tickets.calendars import office_calendar, office_hours
from tests.tickets.strategies import AGENT

if TYPE_CHECKING:
    from callcore.tickets._sla import BusinessHours

UTC = timezone.utc
BUCHAREST = ZoneInfo("Europe/Bucharest")
MICRO = timedelta(microseconds=1)


def engine_with(
    calendar: BusinessHours | None,
    *targets: SlaTarget,
    warn_at: tuple[float, ...] = (0.75,),
) -> TicketEngine:
    """An engine with one SLA policy for every ticket."""
    policy = SlaPolicy(
        "standard",
        targets,
        calendar=None if calendar is None else "office",
        warn_at=warn_at,
    )
    calendars = {} if calendar is None else {"office": calendar}
    return TicketEngine(TicketSettings(sla_policies=(policy,)), calendars=calendars)


def new_ticket(engine: TicketEngine, now: datetime) -> Ticket:
    """Create an assigned ticket at ``now``."""
    return engine.create(
        id="T-1", subject="No dial tone", channel=Channel.VOICE, customer="c1",
        now=now, assignee=AGENT.id,
    ).ticket  # fmt: skip


def breaches(engine: TicketEngine, ticket: Ticket, now: datetime) -> list[SlaBreached]:
    """The breaches one tick at ``now`` reports."""
    return [e for e in engine.tick(ticket, now=now).events if isinstance(e, SlaBreached)]


def test_deadline_skips_the_weekend() -> None:
    """Friday 15:00 plus 4 business hours (9-17) is Monday 11:00."""
    engine = engine_with(office_calendar(), SlaTarget(SlaMetric.RESOLUTION, timedelta(hours=4)))
    ticket = new_ticket(engine, datetime(2026, 1, 9, 15, tzinfo=UTC))  # a Friday
    # Friday 15-17 is 2 h; Monday 09-11 the other 2 h.
    deadline = datetime(2026, 1, 12, 11, tzinfo=UTC)
    assert engine.next_deadline(ticket) == datetime(2026, 1, 12, 10, tzinfo=UTC)  # 75% warning
    assert breaches(engine, ticket, deadline - MICRO) == []
    (breach,) = breaches(engine, ticket, deadline)
    assert breach.deadline == deadline
    assert breach.metric is SlaMetric.RESOLUTION


def test_deadline_skips_a_holiday_in_local_time() -> None:
    """Christmas Eve 16:00 in Bucharest plus 8 business hours is 28 December 16:00 local."""
    calendar = office_calendar("Europe/Bucharest", frozenset({date(2026, 12, 25)}))
    engine = engine_with(calendar, SlaTarget(SlaMetric.FIRST_RESPONSE, timedelta(hours=8)))
    ticket = new_ticket(engine, datetime(2026, 12, 24, 16, tzinfo=BUCHAREST))
    # Thu 24th 16-17 is 1 h; Fri 25th is Christmas; the weekend is closed;
    # Mon 28th 09:00 + 7 h = 16:00 EET = 14:00 UTC.
    deadline = datetime(2026, 12, 28, 14, tzinfo=UTC)
    assert breaches(engine, ticket, deadline - MICRO) == []
    (breach,) = breaches(engine, ticket, deadline)
    assert breach.deadline == deadline


def test_deadline_across_spring_forward() -> None:
    """Business hours 08-20 local: 6 h from Saturday 18:00 ends Sunday 12:00 EEST, 09:00 UTC."""
    every_day = WeeklyHours.every_day(OpeningRange(time(8), time(20)))
    calendar = BusinessCalendar(name="shop", timezone=BUCHAREST, hours=every_day)
    engine = engine_with(calendar, SlaTarget(SlaMetric.RESOLUTION, timedelta(hours=6)))
    # 28 March 2026 18:00 EET (UTC+2); clocks go forward at 03:00 on Sunday 29th.
    ticket = new_ticket(engine, datetime(2026, 3, 28, 18, tzinfo=BUCHAREST))
    # Saturday 18-20 is 2 h; Sunday opens 08:00 EEST = 05:00 UTC, + 4 h = 09:00 UTC.
    deadline = datetime(2026, 3, 29, 9, tzinfo=UTC)
    assert breaches(engine, ticket, deadline - MICRO) == []
    assert [b.deadline for b in breaches(engine, ticket, deadline)] == [deadline]


def test_calendar_time_across_fall_back_counts_real_hours() -> None:
    """Without a calendar, 24 h from 24 October 12:00 EEST ends 25 October 11:00 EET."""
    engine = engine_with(None, SlaTarget(SlaMetric.RESOLUTION, timedelta(hours=24)))
    ticket = new_ticket(engine, datetime(2026, 10, 24, 12, tzinfo=BUCHAREST))  # 09:00 UTC
    # Clocks go back at 04:00 on Sunday 25th: 24 real hours later it is 09:00 UTC = 11:00 EET.
    deadline = datetime(2026, 10, 25, 9, tzinfo=UTC)
    assert breaches(engine, ticket, deadline - MICRO) == []
    (breach,) = breaches(engine, ticket, deadline)
    assert breach.deadline.astimezone(BUCHAREST).hour == 11


def test_pending_on_the_customer_pauses_the_clock() -> None:
    """8 business hours from Monday 09:00, paused from 11:00 to Tuesday 10:00, end Tuesday 16:00."""
    engine = engine_with(office_calendar(), SlaTarget(SlaMetric.RESOLUTION, timedelta(hours=8)))
    monday = datetime(2026, 1, 5, 9, tzinfo=UTC)
    ticket = new_ticket(engine, monday)
    engine.apply(ticket, "open", by=AGENT, now=monday)
    engine.apply(ticket, "wait_on_customer", by=AGENT, now=monday + timedelta(hours=2))
    assert engine.next_deadline(ticket) is None  # nothing runs while paused
    tuesday_ten = datetime(2026, 1, 6, 10, tzinfo=UTC)
    engine.customer_reply(ticket, now=tuesday_ten, text="here are the logs")
    assert ticket.state == "open"
    # 2 h counted on Monday; 6 h left from Tuesday 10:00 is 16:00; 75% (6 h) is 14:00.
    assert engine.sla_elapsed(ticket, SlaMetric.RESOLUTION, now=tuesday_ten) == timedelta(hours=2)
    assert engine.next_deadline(ticket) == datetime(2026, 1, 6, 14, tzinfo=UTC)
    warnings = engine.tick(ticket, now=datetime(2026, 1, 6, 14, tzinfo=UTC)).events
    assert [type(e) for e in warnings] == [SlaWarning]
    assert engine.next_deadline(ticket) == datetime(2026, 1, 6, 16, tzinfo=UTC)
    assert breaches(engine, ticket, datetime(2026, 1, 6, 16, tzinfo=UTC) - MICRO) == []
    assert len(breaches(engine, ticket, datetime(2026, 1, 6, 16, tzinfo=UTC))) == 1


def test_a_breach_is_reported_once() -> None:
    """Ticking again after a breach reports nothing new."""
    engine = engine_with(None, SlaTarget(SlaMetric.FIRST_RESPONSE, timedelta(hours=1)))
    start = datetime(2026, 1, 5, 9, tzinfo=UTC)
    ticket = new_ticket(engine, start)
    assert len(breaches(engine, ticket, start + timedelta(hours=2))) == 1
    assert engine.tick(ticket, now=start + timedelta(hours=3)).events == ()
    assert engine.next_deadline(ticket) is None


def test_warnings_at_each_fraction_in_order() -> None:
    """Warnings at 50% and 90% of a 10 h target come at 5 h and 9 h."""
    engine = engine_with(
        None, SlaTarget(SlaMetric.RESOLUTION, timedelta(hours=10)), warn_at=(0.9, 0.5)
    )
    start = datetime(2026, 1, 5, 0, tzinfo=UTC)
    ticket = new_ticket(engine, start)
    assert engine.next_deadline(ticket) == start + timedelta(hours=5)
    events = engine.tick(ticket, now=start + timedelta(hours=9, minutes=30)).events
    assert [(e.fraction, e.due) for e in events if isinstance(e, SlaWarning)] == [
        (0.5, start + timedelta(hours=5)),
        (0.9, start + timedelta(hours=9)),
    ]


def test_the_first_reply_meets_the_first_response_target() -> None:
    """An agent reply before the deadline stops the clock: no breach ever after."""
    engine = engine_with(None, SlaTarget(SlaMetric.FIRST_RESPONSE, timedelta(hours=1)))
    start = datetime(2026, 1, 5, 9, tzinfo=UTC)
    ticket = new_ticket(engine, start)
    engine.reply(ticket, by=AGENT, now=start + timedelta(minutes=30), text="On it")
    assert engine.tick(ticket, now=start + timedelta(days=3)).events == ()
    elapsed = engine.sla_elapsed(ticket, SlaMetric.FIRST_RESPONSE, now=start + timedelta(days=3))
    assert elapsed == timedelta(minutes=30)


def test_next_response_runs_per_customer_reply() -> None:
    """Each customer reply after an answer starts a new next-response cycle."""
    engine = engine_with(None, SlaTarget(SlaMetric.NEXT_RESPONSE, timedelta(hours=2)))
    start = datetime(2026, 1, 5, 9, tzinfo=UTC)
    ticket = new_ticket(engine, start)
    assert engine.next_deadline(ticket) is None  # waits for a customer reply
    engine.reply(ticket, by=AGENT, now=start, text="Hello")
    engine.customer_reply(ticket, now=start + timedelta(hours=1), text="Still broken")
    (first,) = breaches(engine, ticket, start + timedelta(hours=4))
    assert (first.cycle, first.deadline) == (1, start + timedelta(hours=3))
    engine.reply(ticket, by=AGENT, now=start + timedelta(hours=5), text="Sorry")
    engine.customer_reply(ticket, now=start + timedelta(hours=6), text="Again")
    (second,) = breaches(engine, ticket, start + timedelta(hours=9))
    assert (second.cycle, second.deadline) == (2, start + timedelta(hours=8))


def test_a_resolved_ticket_stops_and_a_reopened_one_resumes() -> None:
    """Resolution time counts before resolving and after reopening, not in between."""
    engine = engine_with(None, SlaTarget(SlaMetric.RESOLUTION, timedelta(hours=10)))
    start = datetime(2026, 1, 5, 9, tzinfo=UTC)
    ticket = new_ticket(engine, start)
    engine.apply(ticket, "resolve", by=AGENT, now=start + timedelta(hours=3), note="done")
    engine.customer_reply(ticket, now=start + timedelta(hours=20), text="not fixed")
    assert ticket.state == "open"
    assert ticket.reopen_count == 1
    # 3 h before, then from the reopening at +20 h: the 75% warning (7.5 h) is 4.5 h
    # later and the breach (10 h) 7 h later.
    assert engine.next_deadline(ticket) == start + timedelta(hours=24, minutes=30)
    (breach,) = breaches(engine, ticket, start + timedelta(hours=30))
    assert breach.deadline == start + timedelta(hours=27)


def test_priority_change_chooses_a_tighter_policy_keeping_elapsed_time() -> None:
    """Raising the priority to urgent applies the 4 h policy to the 3 h already elapsed."""
    urgent = SlaPolicy(
        "urgent",
        (SlaTarget(SlaMetric.RESOLUTION, timedelta(hours=4)),),
        SlaConditions(priorities=frozenset({Priority.URGENT})),
        warn_at=(),
    )
    normal = SlaPolicy("normal", (SlaTarget(SlaMetric.RESOLUTION, timedelta(hours=24)),))
    engine = TicketEngine(TicketSettings(sla_policies=(urgent, normal)))
    start = datetime(2026, 1, 5, 9, tzinfo=UTC)
    ticket = new_ticket(engine, start)
    assert ticket.sla_policy == "normal"
    engine.update(ticket, by=AGENT, now=start + timedelta(hours=3), priority=Priority.URGENT)
    assert ticket.sla_policy == "urgent"
    assert engine.next_deadline(ticket) == start + timedelta(hours=4)
    assert [c.field for c in ticket.history[-2:]] == ["priority", "sla_policy"]


@pytest.mark.parametrize("hours", [1, 7, 8, 9, 40, 100])
def test_deadline_matches_the_reference_calendar(hours: int) -> None:
    """Across a holiday and spring-forward, the breach comes when the reference says."""
    holidays = frozenset({date(2026, 3, 30)})
    calendar = office_calendar("Europe/Bucharest", holidays)
    engine = engine_with(calendar, SlaTarget(SlaMetric.RESOLUTION, timedelta(hours=hours)))
    start = datetime(2026, 3, 27, 13, 30, tzinfo=BUCHAREST)
    ticket = new_ticket(engine, start)
    reference = office_hours("Europe/Bucharest", holidays)
    expected = reference.add_business_time(start, timedelta(hours=hours))
    assert breaches(engine, ticket, expected - MICRO) == []
    assert [b.deadline for b in breaches(engine, ticket, expected)] == [expected]


HOLIDAYS = frozenset({date(2026, 3, 30), date(2026, 4, 1)})
OFFICE = office_calendar("Europe/Bucharest", HOLIDAYS)
REFERENCE = office_hours("Europe/Bucharest", HOLIDAYS)


@given(
    minutes=st.integers(0, 60 * 24 * 14),
    target=st.integers(1, 60 * 40),
    pause=st.tuples(st.integers(0, 60 * 24 * 3), st.integers(0, 60 * 24 * 3)),
)
def test_paused_deadlines_match_the_reference(
    minutes: int, target: int, pause: tuple[int, int]
) -> None:
    """With one pause, the breach comes when the reference calendar says, never earlier."""
    engine = engine_with(OFFICE, SlaTarget(SlaMetric.RESOLUTION, timedelta(minutes=target)))
    start = datetime(2026, 3, 23, tzinfo=BUCHAREST) + timedelta(minutes=minutes)
    ticket = new_ticket(engine, start)
    paused_at = start + timedelta(minutes=pause[0])
    resumed_at = paused_at + timedelta(minutes=pause[1])
    counted_before = REFERENCE.business_time_between(start, paused_at)
    if counted_before >= timedelta(minutes=target):
        expected = REFERENCE.add_business_time(start, timedelta(minutes=target))
    else:
        left = timedelta(minutes=target) - counted_before
        expected = REFERENCE.add_business_time(resumed_at, left)
    events = [
        *engine.apply(ticket, "wait_on_customer", by=AGENT, now=paused_at).events,
        *engine.apply(ticket, "open", by=AGENT, now=resumed_at).events,
    ]
    if expected > resumed_at:
        early = engine.tick(ticket, now=expected - MICRO).events
        assert not any(isinstance(e, SlaBreached) for e in early)
    events.extend(engine.tick(ticket, now=max(expected, resumed_at)).events)
    assert [e.deadline for e in events if isinstance(e, SlaBreached)] == [expected]
