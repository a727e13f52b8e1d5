"""Random turn sequences: a bot session ends once, with one outcome, and refuses without change."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone

from hypothesis import given
from hypothesis import strategies as st

from callcore.bots import BotReply, BotSession, BotSessionEnded, HandOff
from callcore.errors import CallcoreError

T0 = datetime(2026, 1, 12, 9, 0, tzinfo=timezone.utc)

replies = st.builds(
    BotReply,
    say=st.text(max_size=5),
    variables=st.dictionaries(st.sampled_from("abc"), st.integers(-5, 5), max_size=2),
    intent=st.sampled_from(["", "billing", "card"]),
    resolved=st.booleans(),
    handoff=st.just(False),
) | st.just(BotReply(handoff=True, queue="other"))

steps = st.lists(
    st.one_of(
        st.tuples(st.just("reply"), replies),
        st.tuples(st.just("say"), st.text(max_size=5)),
        st.tuples(st.just("left"), st.none()),
        st.tuples(st.just("wait"), st.integers(0, 40)),
    ),
    max_size=30,
)


@given(steps=steps)
def test_a_session_ends_once_and_refusals_change_nothing(
    steps: list[tuple[str, object]],
) -> None:
    """At most one end event; a hand-off always comes with it; refused calls leave the state."""
    session = BotSession("s", "b", "q", max_turns=3)
    now = T0
    ended: list[BotSessionEnded] = []
    handoffs: list[HandOff] = []
    updates = [session.start(now=now, variables={"x": 1})]
    for name, arg in steps:
        before = json.dumps(session.snapshot(), sort_keys=True)
        try:
            if name == "reply":
                updates.append(session.bot_replied(arg, now=now))  # type: ignore[arg-type]
            elif name == "say":
                updates.append(session.customer_said(arg, now=now))  # type: ignore[arg-type]
            elif name == "left":
                updates.append(session.customer_left(now=now))
            else:
                assert isinstance(arg, int)
                now += timedelta(seconds=arg)
                updates.append(session.advance(now=now))
        except CallcoreError:
            assert json.dumps(session.snapshot(), sort_keys=True) == before
    for update in updates:
        ended += [e for e in update.events if isinstance(e, BotSessionEnded)]
        handoffs += [a for a in update.actions if isinstance(a, HandOff)]
    assert len(ended) <= 1
    assert (session.outcome is None) == (not ended)
    assert len(handoffs) == (1 if ended and ended[0].outcome.value == "handed_off" else 0)
    assert session.turns <= 3
    if handoffs:
        assert handoffs[0].variables["x"] == 1
