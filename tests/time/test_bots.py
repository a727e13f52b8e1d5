"""A bot session keeps the same instants whatever zone its times come in (issue 12)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from callcore.bots import BotReply, BotSession
from callcore.errors import CallcoreError
from tests.time.instants import UTC, timelines, update_view, utc_view

REPLIES = st.sampled_from(
    (
        BotReply(say="hi", intent="billing"),
        BotReply(say="done", resolved=True),
        BotReply(handoff=True, queue="other", summary="wants an agent"),
    )
)
STEPS = st.one_of(
    st.tuples(st.just("reply"), REPLIES),
    st.tuples(st.just("say"), st.just("my card")),
    st.tuples(st.just("left"), st.none()),
    st.tuples(st.just("advance"), st.none()),
)


def _run(steps: list[tuple[str, Any]], times: list[datetime]) -> list[Any]:
    session = BotSession("s", "b", "q", max_turns=4, customer_timeout=timedelta(seconds=45))
    outcomes: list[Any] = [update_view(session.start(now=times[0], variables={"x": 1}))]
    for (name, argument), now in zip(steps, times[1:], strict=True):
        try:
            if name == "reply":
                update = session.bot_replied(argument, now=now)
            elif name == "say":
                update = session.customer_said(argument, now=now)
            elif name == "left":
                update = session.customer_left(now=now)
            else:
                update = session.advance(now=now)
        except CallcoreError as error:
            outcomes.append((name, type(error).__name__, getattr(error, "field", None)))
            continue
        deadline = session.next_deadline()
        outcomes.append((update_view(update), deadline and deadline.astimezone(UTC)))
    outcomes.append(utc_view(session.snapshot()))
    return outcomes


@given(
    st.lists(STEPS, min_size=1, max_size=14).flatmap(
        lambda steps: st.tuples(st.just(steps), timelines([60] * len(steps)))
    )
)
def test_a_bot_session_driven_in_zones_runs_as_in_utc(
    case: tuple[list[tuple[str, Any]], tuple[list[datetime], list[datetime]]],
) -> None:
    """Turns, hang-ups and time-outs at zoned times: the same outcome, as instants."""
    steps, (times, zoned) = case
    assert _run(steps, zoned) == _run(steps, times)
