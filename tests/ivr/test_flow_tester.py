from __future__ import annotations

from datetime import timedelta

import pytest

from callcore.contacts import ContactOutcome
from callcore.errors import InvalidInputError
from callcore.ivr import EnqueueContact, SessionLimits, SessionStarted
from callcore.testing.flow_tester import (
    DEFAULT_START,
    FlowAssertionError,
    FlowTester,
    lookup_ok,
    silence,
    wait,
)
from tests.ivr.flows import document, endings, menu


def menu_tester() -> FlowTester:
    """A tester on a two-option menu."""
    return FlowTester(document({"menu": menu(), **endings()}))


def test_assertions_pass_on_what_happened() -> None:
    """Each assertion passes when the run did what it says."""
    run = menu_tester().run("7", "1")
    run.assert_path("menu", "one").assert_visited("one").assert_not_visited("two")
    run.assert_ended_at("one").assert_played("p0", "p0").assert_last_action("hangup")
    assert run.assert_action("hangup", reason="one").type == "hangup"


def test_failures_explain_themselves() -> None:
    """A failing assertion shows expectation, script, path and trace."""
    run = menu_tester().run("7", "1")
    with pytest.raises(FlowAssertionError) as caught:
        run.assert_path("menu", "two")
    message = str(caught.value)
    assert "expected path menu → two" in message
    assert "script: press '7', press '1'" in message
    assert "path: menu → one" in message
    assert "digits 7" in message
    with pytest.raises(FlowAssertionError, match=r"expected the call to end at two, not at one"):
        run.assert_ended_at("two")
    with pytest.raises(FlowAssertionError, match=r"expected outcome queued, got self_served"):
        run.assert_outcome(ContactOutcome.QUEUED)
    with pytest.raises(FlowAssertionError, match=r"expected outcome still waiting, got self_"):
        run.assert_outcome(None)
    with pytest.raises(FlowAssertionError, match=r"expected a ivr.session_ended event with"):
        run.assert_event("ivr.session_ended", node="two")
    with pytest.raises(FlowAssertionError, match=r"expected a enqueue_contact action"):
        run.assert_action(EnqueueContact, queue="x")
    with pytest.raises(FlowAssertionError, match=r"differing: \{'x': '<missing>'\}"):
        run.assert_variables(x=1)


def test_script_that_does_not_fit() -> None:
    """Steps after the end, or of the wrong kind, fail with a helpful message."""
    with pytest.raises(FlowAssertionError, match=r"step 2 \(press '1'\): the call already ended"):
        menu_tester().run("1", "1")
    with pytest.raises(FlowAssertionError, match=r"step 1 \(lookup ok.*does not fit"):
        menu_tester().run(lookup_ok(x=1))


def test_unfinished_run_reports_waiting() -> None:
    """A script that stops early leaves the call waiting, and says where."""
    run = menu_tester().run(silence())
    run.assert_outcome(None)
    assert "still waiting at menu" in run.describe()
    with pytest.raises(FlowAssertionError, match=r"expected the call to end at one; it has not"):
        run.assert_ended_at("one")
    with pytest.raises(FlowAssertionError, match=r"expected outcome self_served, got still wait"):
        run.assert_outcome("self_served")


def test_outcomes_are_contact_outcomes_or_their_values() -> None:
    """assert_outcome takes a ContactOutcome or its value; anything else is refused."""
    run = menu_tester().run("2")
    run.assert_outcome(ContactOutcome.SELF_SERVED).assert_outcome("self_served")
    for bad in ("completed", "SELF_SERVED", 1):
        with pytest.raises(InvalidInputError) as error:
            run.assert_outcome(bad)  # type: ignore[arg-type]
        assert error.value.field == "outcome"


def test_runs_collect_the_events() -> None:
    """The run keeps every update and event: started at the start, ended at the end."""
    run = menu_tester().run("7", "2", call={"ani": "+40700000000"})
    assert [event.kind for event in run.events] == ["ivr.session_started", "ivr.session_ended"]
    assert [len(update.events) for update in run.replies] == [1, 0, 1]
    started = run.assert_event("ivr.session_started", flow="test", language="en")
    assert isinstance(started, SessionStarted)
    assert started.call == {"ani": "+40700000000"}
    run.assert_event("ivr.session_ended", outcome=ContactOutcome.SELF_SERVED, node="two")


def test_waits_tick_the_session_at_its_deadline() -> None:
    """A wait past the maximum call time ends the call at the deadline, as a host would."""
    tester = FlowTester(
        document({"menu": menu(), **endings()}),
        limits=SessionLimits(max_call_time=timedelta(minutes=5)),
    )
    tester.run(wait(299), "1").assert_ended_at("one")
    run = tester.run(wait(600))
    run.assert_outcome(ContactOutcome.FAILED).assert_last_action("flow_failed")
    ended = run.assert_event("ivr.session_ended", node="menu")
    assert ended.at == DEFAULT_START + timedelta(minutes=5)  # the deadline, not the clock
    with pytest.raises(FlowAssertionError, match=r"step 2 \(press '1'\): the call already"):
        tester.run(wait(300), "1")
