"""The pytest plugin's fixtures and the scenario helper read like the call flow."""

from __future__ import annotations

import importlib
from pathlib import Path
from typing import Any

import pytest

from callcore.acd import AgentProfile, Membership
from callcore.center import ContactCenter
from callcore.contacts import ContactOutcome
from callcore.testing.fakes import FakeNotifier, FakeTelephony
from callcore.testing.pytest_plugin import DEFAULT_CENTER
from callcore.testing.scenario import Scenario


def test_a_scenario_reads_like_the_flow(
    scenario: Scenario, center: ContactCenter, notifier: FakeNotifier
) -> None:
    """Call, press 2, a1 accepts, ends, closes: each step's events, then the KPI record."""
    center.agent_logged_in("a1")
    call = (
        scenario.call("+40 721 234 567")
        .press("2")
        .expect("ivr.session_ended", "acd.contact_queued", "acd.contact_offered")
    )
    call.wait(5).accepted_by("a1").expect("acd.contact_answered")
    call.wait(60).ends().expect("acd.contact_ended")
    call.closes("done").expect("center.survey_sent", "center.contact_completed")
    assert call.record.outcome is ContactOutcome.ANSWERED
    record = call.record
    assert record.answered_at is not None
    assert record.queued_at is not None
    assert (record.answered_at - record.queued_at).total_seconds() == 5
    assert (record.ended_at - record.answered_at).total_seconds() == 60
    assert len(notifier.sent) == 1
    with pytest.raises(AssertionError, match="in order"):
        call.expect("acd.contact_answered")


def test_an_abandon_in_a_scenario(scenario: Scenario, telephony: FakeTelephony) -> None:
    """Nobody logged in: the caller waits 30 s and hangs up; abandoned."""
    call = scenario.call("0721 234 567").press("1").wait(30).hangs_up()
    assert call.record.outcome is ContactOutcome.ABANDONED
    assert telephony.caller_actions(call.contact_id) == ["gather"]


@pytest.fixture
def center_config() -> dict[str, Any]:
    """A test module overrides the centre's document."""
    return {**DEFAULT_CENTER, "queues": [{"name": "support", "wrap_up": 0, "offer_timeout": 7}]}


def test_the_config_fixture_can_be_overridden(scenario: Scenario, center: ContactCenter) -> None:
    """This module's centre offers for 7 seconds."""
    center.agent_logged_in("a1")
    call = scenario.call("0721 234 567").press("1")
    (offer,) = scenario.telephony.ringing()
    assert (offer.expires_at - offer.offered_at).total_seconds() == 7
    assert call.contact_id == offer.contact_id


def test_the_plugin_is_published_under_pytest11() -> None:
    """Pyproject declares the pytest11 entry point, and it names the module with the fixtures."""
    tomllib = pytest.importorskip("tomllib")
    root = Path(__file__).resolve().parents[2]
    with (root / "pyproject.toml").open("rb") as file:
        points = tomllib.load(file)["project"]["entry-points"]["pytest11"]
    module = importlib.import_module(points["callcore"])
    for name in ("center", "center_config", "clock", "notifier", "scenario", "store", "telephony"):
        assert callable(getattr(module, name)), name


def test_a_scenario_hands_a_call_on(scenario: Scenario, center: ContactCenter) -> None:
    """Consult s1, conference s1 in, warm transfer to s1: two legs, s1's wrapped up."""
    center.agent_logged_in("a1")
    call = scenario.call("+40 721 234 567").press("2").accepted_by("a1")
    center.agent_logged_in(AgentProfile(agent_id="s1", memberships=(Membership(queue="support"),)))
    call.wait(10).consults("s1").expect("center.contact_held", "center.contact_consulted")
    call.wait(10).conferences("s1").expect("center.contact_resumed", "center.contact_conferenced")
    call.wait(10).transferred_to(agent="s1")
    call.expect("acd.contact_transferred", "acd.contact_answered", "center.contact_transferred")
    call.wait(30).ends().resolves("fixed").expect("center.contact_completed")
    assert [(leg.id, leg.agent) for leg in call.legs] == [("call-1", "a1"), ("call-1.2", "s1")]
    first, second = call.legs
    assert first.answered_at is not None
    assert second.answered_at is not None
    assert (first.ended_at - first.answered_at).total_seconds() == 30
    assert (second.ended_at - second.answered_at).total_seconds() == 50
