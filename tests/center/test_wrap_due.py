"""A wrap-up whose queue wrap-up time has run out (no ``run_due`` first) is accepted."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from callcore.acd import AgentStateChanged
from callcore.center import Disposition
from callcore.contacts import AgentState
from callcore.ivr import Digits
from tests.center.kit import example

WRAP_UP = timedelta(seconds=60)  # the example's support queue


def _ended_call() -> Any:
    kit = example.build()
    center = kit.center
    center.agent_logged_in(example.A1)
    center.inbound_call(caller=example.ANA, dialled=example.DIALLED, contact_id="C1")
    center.caller_input("C1", Digits("2"))
    center.agent_accepted("C1", "a1")
    kit.clock.advance(timedelta(seconds=45))
    center.agent_ended("C1")
    return kit


@pytest.mark.parametrize("after", [WRAP_UP, WRAP_UP + timedelta(seconds=30)])
def test_wrap_up_after_the_wrap_up_time_ran_out(after: timedelta) -> None:
    """At or after the wrap-up's end, the agent is ready already: the wrap-up is not refused."""
    kit = _ended_call()
    ended_at = kit.clock.now()
    kit.clock.advance(after)
    update = kit.center.agent_wrapped_up("C1", disposition=Disposition.RESOLVED, notes="done")
    assert kit.center.contact_ids() == ()
    assert kit.center.aggregator.total().contacts == 1
    assert kit.center.router.agent("a1").state is AgentState.AVAILABLE
    ready = [
        event for event in update.of_type(AgentStateChanged) if event.state is AgentState.AVAILABLE
    ]
    # once, when the wrap-up time ran out (not when the agent wrapped up)
    assert [event.at for event in ready] == [ended_at + WRAP_UP]


def test_wrap_up_before_the_wrap_up_time_ran_out_makes_the_agent_ready() -> None:
    """Before the wrap-up's end, the wrap-up itself makes the agent ready, now."""
    kit = _ended_call()
    kit.clock.advance(WRAP_UP - timedelta(seconds=1))
    update = kit.center.agent_wrapped_up("C1", disposition=Disposition.RESOLVED, notes="done")
    ready = [e for e in update.of_type(AgentStateChanged) if e.state is AgentState.AVAILABLE]
    assert [event.at for event in ready] == [kit.clock.now()]
