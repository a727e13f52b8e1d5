from __future__ import annotations

import pytest

from callcore.ivr import EnqueueContact
from callcore.testing.flow_tester import FlowAssertionError, FlowTester, lookup_ok, silence
from tests.ivr.flows import document, endings, menu


def menu_tester() -> FlowTester:
    """A tester on a two-option menu."""
    return FlowTester(document({"menu": menu(), **endings()}))


def test_assertions_pass_on_what_happened() -> None:
    """Each assertion passes when the run did what it says."""
    run = menu_tester().run("7", "1")
    run.assert_path("menu", "one").assert_visited("one").assert_not_visited("two")
    run.assert_outcome("one").assert_played("p0", "p0").assert_last_action("hangup")
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
    with pytest.raises(FlowAssertionError, match=r"expected outcome 'two', got 'one'"):
        run.assert_outcome("two")
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
