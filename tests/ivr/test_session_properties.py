from __future__ import annotations

import copy
from datetime import datetime, timedelta, timezone
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from callcore.contacts import ContactOutcome
from callcore.errors import InvalidTransitionError
from callcore.ivr import (
    ActionCompleted,
    CallerHangup,
    IvrEvent,
    IvrSession,
    LookupResult,
    NoInput,
    SessionEnded,
    flow_from_dict,
)
from tests.ivr.flows import bank_flow, office_calendar
from tests.ivr.strategies import events, flow_graphs

START = datetime(2026, 1, 5, 8, 0, tzinfo=timezone.utc)
BANK = bank_flow()
ENDINGS = {
    ContactOutcome.SELF_SERVED,
    ContactOutcome.VOICEMAIL,
    ContactOutcome.OUT_OF_HOURS,
    ContactOutcome.QUEUED,
    ContactOutcome.TRANSFERRED,
    ContactOutcome.ABANDONED,
    ContactOutcome.FAILED,
}
"""How a call through the bank flow can end."""


def drain(session: IvrSession, now: datetime) -> None:
    """Answer every wait with the least helpful event until the session ends."""
    for _ in range(200):
        if session.ended:
            return
        accepted = session.waiting_for
        event: IvrEvent = NoInput()
        if "action_completed" in accepted:
            event = ActionCompleted()
        elif "lookup_result" in accepted:
            event = LookupResult(error="down")
        session.handle(event, now=now)
    raise AssertionError("the session did not end")


def feed(session: IvrSession, script: list[tuple[IvrEvent, int]], now: datetime) -> datetime:
    """Send each event; refused events must be InvalidTransitionError and change nothing."""
    for event, seconds in script:
        now += timedelta(seconds=seconds)
        if session.ended:
            break
        before = copy.deepcopy(session.state)
        try:
            update = session.handle(event, now=now)
        except InvalidTransitionError:
            assert session.state == before
            continue
        if session.outcome is not None and not isinstance(event, CallerHangup):
            assert update.actions
            assert update.actions[-1].terminal
        ended = [e for e in update.events if isinstance(e, SessionEnded)]
        assert update.events == tuple(ended)  # only the end is an event after the start
        assert len(ended) == (session.outcome is not None)  # emitted by the call that ended it
        if ended:
            assert (ended[0].outcome, ended[0].at) == (session.outcome, now)
    return now


@given(
    st.lists(st.tuples(events(), st.integers(0, 400)), max_size=25),
    st.integers(0, 24 * 7),
    st.sampled_from([{}, {"language": "ro", "tier": "gold", "known": True}]),
)
def test_bank_flow_survives_any_events(
    script: list[tuple[IvrEvent, int]], hour: int, caller: dict[str, Any]
) -> None:
    """Random events never raise anything but a documented error, and calls always end."""
    session = IvrSession(BANK, calendars={"advisers": office_calendar()})
    now = START + timedelta(hours=hour)
    update = session.start(now=now, caller=caller, call={"ani": "+40700000000"})
    assert update.actions
    assert [event.kind for event in update.events] == ["ivr.session_started"]
    now = feed(session, script, now)
    drain(session, now)
    assert session.outcome in ENDINGS
    if session.outcome is not ContactOutcome.ABANDONED:
        assert session.trace[-1].actions
        assert session.trace[-1].next == f"end:{session.outcome.value}"


@given(flow_graphs(), st.lists(st.tuples(events(), st.integers(0, 5)), max_size=15))
def test_random_graphs_end_or_fail_cleanly(
    data: dict[str, Any], script: list[tuple[IvrEvent, int]]
) -> None:
    """Even unvalidated random flows end in a terminal action or a clean failure."""
    session = IvrSession(flow_from_dict(copy.deepcopy(data)))
    session.start(now=START)
    now = feed(session, script, START)
    try:
        drain(session, now)
    except AssertionError:
        # A flow whose menus only lead to each other waits forever on silence;
        # the total call-time cap then ends it cleanly.
        update = session.handle(NoInput(), now=now + timedelta(hours=2))
        assert update.actions[-1].type == "flow_failed"
    assert session.ended
