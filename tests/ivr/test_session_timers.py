"""The session's call timer: next_deadline() and tick() at the end of the maximum call time.

These sessions wait at a menu whose own wait limit is set beyond the call time
(a long prompt allowance), so the call time is the deadline; the waits' own
timers are tested in test_wait_timers.py.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from callcore.contacts import ContactOutcome
from callcore.errors import InvalidInputError, NaiveDatetimeError
from callcore.ivr import (
    CallerHangup,
    Digits,
    FlowFailed,
    IvrSession,
    IvrUpdate,
    SessionEnded,
    SessionLimits,
    TraceEntry,
    load_flow,
)
from callcore.serialization import dumps
from tests.ivr.flows import document, endings, menu

NOW = datetime(2026, 1, 5, 10, 0, tzinfo=timezone.utc)
EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)
MICROSECOND = timedelta(microseconds=1)
BUCHAREST = ZoneInfo("Europe/Bucharest")
NEVER = timedelta(days=36_000)  # a prompt allowance no test reaches

# A menu whose key 1 plays a prompt and asks again: a call that never ends by itself.
FOREVER = load_flow(
    document(
        {
            "menu": menu(
                options=[
                    {"key": "1", "goto": "again"},
                    {"key": "2", "goto": "two"},
                    {"key": "3", "goto": "one"},
                ]
            ),
            "again": {"type": "say", "prompts": ["p1"], "next": "menu"},
            **endings(),
        }
    )
)


def waiting(minutes: int = 30, start: datetime = NOW) -> IvrSession:
    """A session started at ``start``, waiting at the menu, with a ``minutes`` call-time cap."""
    session = IvrSession(
        FOREVER,
        limits=SessionLimits(prompt_allowance=NEVER, max_call_time=timedelta(minutes=minutes)),
    )
    session.start(now=start)
    return session


def micros(instant: datetime) -> int:
    """An aware instant as whole microseconds since 1970 (absolute, whatever its zone)."""
    return (instant - EPOCH) // MICROSECOND


def test_next_deadline_follows_the_session_s_life() -> None:
    """None before the start, start + max_call_time while waiting, None once ended."""
    session = IvrSession(
        FOREVER, limits=SessionLimits(prompt_allowance=NEVER, max_call_time=timedelta(minutes=30))
    )
    assert session.next_deadline() is None
    session.start(now=NOW)
    assert session.next_deadline() == NOW + timedelta(minutes=30)
    session.handle(Digits("1"), now=NOW + timedelta(minutes=10))
    assert session.next_deadline() == NOW + timedelta(minutes=30)  # events do not move it
    session.handle(Digits("2"), now=NOW + timedelta(minutes=11))
    assert session.ended
    assert session.next_deadline() is None


def test_before_the_deadline_tick_does_nothing() -> None:
    """A tick before the deadline returns an empty update and changes no byte."""
    session = waiting()
    before = dumps(session.snapshot())
    for offset in (timedelta(0), timedelta(minutes=29, seconds=59, microseconds=999_999)):
        assert session.tick(now=NOW + offset) == IvrUpdate()
        assert dumps(session.snapshot()) == before


def test_at_the_deadline_tick_ends_the_call() -> None:
    """At the deadline the call fails, with the same action and trace as a late event."""
    session = waiting()
    deadline = session.next_deadline()
    assert deadline == NOW + timedelta(minutes=30)
    update = session.tick(now=deadline)
    reason = "the call reached the maximum call time of 0:30:00"
    assert update.actions == (FlowFailed(reason),)
    assert update.events == (
        SessionEnded(
            at=deadline,
            flow="test",
            version=1,
            outcome=ContactOutcome.FAILED,
            node="menu",
            language="en",
            started_at=NOW,
        ),
    )
    assert session.outcome is ContactOutcome.FAILED
    assert session.trace[-1] == TraceEntry(
        at=deadline,
        flow="test",
        node="menu",
        event="limit",
        actions=("flow_failed",),
        next="end:failed",
    )
    assert session.next_deadline() is None
    assert session.tick(now=deadline + timedelta(hours=1)) == IvrUpdate()  # ended: nothing due


def test_a_tick_and_a_late_event_end_the_call_alike() -> None:
    """tick(now=t) and an event at t past the deadline leave the same state and update."""
    ticked, handled = waiting(), waiting()
    late = NOW + timedelta(minutes=45)
    by_tick = ticked.tick(now=late)
    by_event = handled.handle(Digits("1"), now=late)
    assert by_tick == by_event
    assert dumps(ticked.snapshot()) == dumps(handled.snapshot())


def test_an_event_just_before_the_deadline_is_handled() -> None:
    """The last microsecond before the deadline still belongs to the call."""
    session = waiting()
    update = session.handle(Digits("1"), now=NOW + timedelta(minutes=30) - MICROSECOND)
    assert not session.ended
    assert update.events == ()


def test_tick_refuses_bad_times_and_changes_nothing() -> None:
    """Naive, out-of-range or backwards times are refused, before or after the start."""
    fresh = IvrSession(FOREVER)
    with pytest.raises(NaiveDatetimeError):
        fresh.tick(now=datetime(2026, 1, 5, 10))  # noqa: DTZ001 - the point of the test
    assert fresh.tick(now=NOW) == IvrUpdate()  # not started: nothing is due
    session = waiting()
    session.handle(Digits("1"), now=NOW + timedelta(minutes=5))
    before = dumps(session.snapshot())
    for bad in (NOW, datetime(3000, 1, 1, tzinfo=timezone.utc), "2026-01-05T10:00:00+00:00"):
        with pytest.raises(InvalidInputError) as error:
            session.tick(now=bad)  # type: ignore[arg-type]
        assert error.value.field == "now"
    assert dumps(session.snapshot()) == before


def test_the_deadline_is_absolute_time_across_a_dst_change() -> None:
    """A call started in a zone just before DST begins runs out after real elapsed time.

    On 29 March 2026 Bucharest moves from 03:00 EET to 04:00 EEST: a call
    started at 02:30 local with a one-hour cap runs out at 04:30 local (01:30
    UTC), not at the wall-clock 03:30, and an event at 04:00 local (half an
    hour in) is handled.
    """
    start = datetime(2026, 3, 29, 2, 30, tzinfo=BUCHAREST)
    session = waiting(minutes=60, start=start)
    assert session.next_deadline() == datetime(2026, 3, 29, 1, 30, tzinfo=timezone.utc)
    session.handle(Digits("1"), now=datetime(2026, 3, 29, 4, 0, tzinfo=BUCHAREST))
    assert not session.ended
    assert session.tick(now=datetime(2026, 3, 29, 4, 29, tzinfo=BUCHAREST)) == IvrUpdate()
    session.tick(now=datetime(2026, 3, 29, 4, 30, tzinfo=BUCHAREST))
    assert session.outcome is ContactOutcome.FAILED


def test_time_goes_on_across_the_autumn_change() -> None:
    """On 25 October 2026 04:00 EEST becomes 03:00 EET: the second 03:10 is later, not earlier."""
    start = datetime(2026, 10, 25, 3, 50, tzinfo=BUCHAREST)  # 00:50 UTC, the first 03:50
    session = waiting(minutes=60, start=start)
    second = datetime(2026, 10, 25, 3, 10, fold=1, tzinfo=BUCHAREST)  # 01:10 UTC
    session.handle(Digits("1"), now=second)
    assert not session.ended
    assert session.tick(now=second) == IvrUpdate()
    with pytest.raises(InvalidInputError):
        session.tick(now=datetime(2026, 10, 25, 3, 55, tzinfo=BUCHAREST))  # 00:55 UTC: earlier
    session.tick(now=datetime(2026, 10, 25, 3, 50, fold=1, tzinfo=BUCHAREST))  # 01:50 UTC
    assert session.outcome is ContactOutcome.FAILED


def test_a_deadline_beyond_2999_is_none() -> None:
    """No time a session accepts can reach a deadline past the year 2999."""
    session = IvrSession(
        FOREVER, limits=SessionLimits(prompt_allowance=NEVER, max_call_time=timedelta(days=3650))
    )
    session.start(now=datetime(2999, 6, 1, tzinfo=timezone.utc))
    assert session.next_deadline() is None
    assert session.tick(now=datetime(2999, 12, 31, tzinfo=timezone.utc)) == IvrUpdate()


ZONES = st.sampled_from([timezone.utc, timezone(timedelta(hours=-5)), BUCHAREST])


@given(
    start=st.datetimes(
        min_value=datetime(2000, 1, 1),  # noqa: DTZ001 - hypothesis adds the zone
        max_value=datetime(2100, 1, 1),  # noqa: DTZ001
        timezones=ZONES,
    ),
    cap=st.integers(min_value=1, max_value=10**12),  # microseconds: up to ~11.6 days
    steps=st.lists(
        st.tuples(st.booleans(), st.integers(min_value=0, max_value=2 * 10**11)), max_size=12
    ),
    tick_at_deadline=st.booleans(),
)
def test_ticks_and_events_against_a_reference(
    start: datetime,
    cap: int,
    steps: list[tuple[bool, int]],
    tick_at_deadline: bool,
) -> None:
    """Random caps, ticks and events: the call fails exactly when its time runs out.

    That is the first tick or event at or past start + cap, computed here in
    whole microseconds since 1970, and not a microsecond before.
    """
    session = IvrSession(
        FOREVER, limits=SessionLimits(prompt_allowance=NEVER, max_call_time=cap * MICROSECOND)
    )
    session.start(now=start)
    deadline_us = micros(start) + cap  # the reference
    deadline = session.next_deadline()
    assert deadline is not None
    assert micros(deadline) == deadline_us
    now = start
    for is_tick, advance in steps:
        now = (now.astimezone(timezone.utc) + advance * MICROSECOND).astimezone(start.tzinfo)
        due = micros(now) >= deadline_us
        before = dumps(session.snapshot())
        update = session.tick(now=now) if is_tick else session.handle(Digits("1"), now=now)
        if due:
            assert session.outcome is ContactOutcome.FAILED
            assert [event.kind for event in update.events] == ["ivr.session_ended"]
            assert update.actions[-1].type == "flow_failed"
            return
        assert not session.ended
        assert update.events == ()
        if is_tick:  # nothing was due: the tick changed nothing
            assert update == IvrUpdate()
            assert dumps(session.snapshot()) == before
        assert session.next_deadline() == deadline
    if tick_at_deadline:
        update = session.tick(now=deadline)  # after tick(next_deadline()), what was due happened
        assert session.ended
        assert update.events[0].at == deadline
        assert session.next_deadline() is None
    else:
        session.handle(CallerHangup(), now=now)
        assert session.outcome is ContactOutcome.ABANDONED
        assert session.next_deadline() is None
