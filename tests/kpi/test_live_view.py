"""Real-time views kept from the ACD router's events (issue 15).

The router is driven for real and its updates' events fed to a LiveView; the
expected figures are worked out by hand from the script of the day.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from callcore.acd import (
    AgentProfile,
    ContactAbandoned,
    ContactQueued,
    Membership,
    QueueConfig,
    Router,
)
from callcore.contacts import AgentState
from callcore.errors import InvalidInputError
from callcore.events import Event
from callcore.kpi import EventsObserved, LiveView, ServiceLevelVariant, Thresholds

LONDON = ZoneInfo("Europe/London")
T0 = datetime(2026, 3, 2, 9, 0, tzinfo=timezone.utc)


def at(seconds: float) -> datetime:
    """The instant `seconds` after T0."""
    return T0 + timedelta(seconds=seconds)


class Day:
    """A router and a live view fed every update's events."""

    def __init__(self) -> None:
        self.router = Router([QueueConfig(name="sales"), QueueConfig(name="support")])
        self.view = LiveView(timezone=LONDON)

    def run(self, update: object, now: datetime) -> None:
        events: tuple[Event, ...] = update.events  # type: ignore[attr-defined]
        self.view.observe(events, now=now)


def test_waiting_oldest_agents_and_service_level_follow_the_router() -> None:
    """A morning worked by hand: who waits, since when, who does what, and the SL so far."""
    day = Day()
    for name in ("ana", "bob"):
        profile = AgentProfile(agent_id=name, memberships=(Membership(queue="sales"),))
        day.run(day.router.log_in(profile, now=T0), T0)
    day.run(day.router.enqueue("c1", "sales", now=at(10)), at(10))  # rings an agent at once
    day.run(day.router.enqueue("c2", "sales", now=at(12)), at(12))  # rings the other
    day.run(day.router.enqueue("c3", "sales", now=at(14)), at(14))  # waits: no agent left
    day.run(day.router.enqueue("c4", "support", now=at(15)), at(15))  # no agent in support
    queues = day.view.queues(now=at(40))
    assert (queues["sales"].waiting, queues["sales"].oldest_wait) == (3, timedelta(seconds=30))
    assert (queues["support"].waiting, queues["support"].oldest_wait) == (1, timedelta(seconds=25))
    assert day.view.agents_by_state(now=at(40)) == {AgentState.RESERVED: 2}

    first_answerer = day.router.contact("c1").offered_to
    assert first_answerer
    day.run(day.router.accept("c1", first_answerer[0], now=at(15)), at(15))  # waited 5 s
    day.run(day.router.abandon("c4", now=at(45)), at(45))  # support: abandoned after 30 s
    queues = day.view.queues(now=at(50))
    assert (queues["sales"].waiting, queues["sales"].oldest_wait) == (2, timedelta(seconds=38))
    assert (queues["sales"].answered, queues["sales"].answered_within) == (1, 1)
    assert queues["sales"].service_level == 1.0
    assert queues["support"].waiting == 0
    assert queues["support"].oldest_wait is None
    assert (queues["support"].abandoned, queues["support"].service_level) == (1, 0.0)
    assert queues["support"].service_level_as(ServiceLevelVariant.ANSWERED_ONLY) is None
    agents = day.view.agents(now=at(50))
    assert agents[first_answerer[0]].state is AgentState.BUSY
    assert agents[first_answerer[0]].time_in_state == timedelta(seconds=35)

    day.run(day.router.end("c1", now=at(100)), at(100))
    agents = day.view.agents(now=at(100))
    assert agents[first_answerer[0]].state in {AgentState.AVAILABLE, AgentState.RESERVED}
    day.run(day.router.log_out("bob", now=at(110)), at(110))
    assert "bob" not in day.view.agents(now=at(110))


def test_a_transfer_frees_the_agent_who_held_the_contact() -> None:
    """After a blind transfer the sender is no longer busy and the contact waits again."""
    day = Day()
    profile = AgentProfile(agent_id="ana", memberships=(Membership(queue="sales"),))
    day.run(day.router.log_in(profile, now=T0), T0)
    day.run(day.router.enqueue("c1", "sales", now=at(10)), at(10))
    day.run(day.router.accept("c1", "ana", now=at(12)), at(12))
    assert day.view.agents(now=at(20))["ana"].state is AgentState.BUSY
    day.run(day.router.transfer("c1", to_queue="support", now=at(30)), at(30))
    assert day.view.agents(now=at(40))["ana"].state is AgentState.AVAILABLE
    queues = day.view.queues(now=at(40))
    assert (queues["support"].waiting, queues["support"].oldest_wait) == (1, timedelta(seconds=10))
    assert queues["sales"].waiting == 0


def test_the_day_starts_at_local_midnight() -> None:
    """Service level so far today forgets yesterday's contacts at local midnight (BST here)."""
    view = LiveView(timezone=LONDON, thresholds=Thresholds(service_level=timedelta(seconds=20)))
    late = datetime(2026, 7, 1, 22, 50, tzinfo=timezone.utc)  # 23:50 BST
    events: list[Event] = [ContactQueued(at=late, contact_id="c1", queue="q", priority=0)]
    view.observe(events, now=late)
    view.observe(
        [ContactAbandoned(at=late, contact_id="c1", queue="q", waited=timedelta(seconds=3))],
        now=late,
    )
    assert view.queues(now=late)["q"].short_abandoned == 1
    after_midnight = datetime(2026, 7, 1, 23, 0, tzinfo=timezone.utc)  # 00:00 BST
    assert view.queues(now=after_midnight) == {}


def test_events_of_other_kinds_are_skipped_and_reported() -> None:
    """Only followed kinds count in the update; none followed, no event."""
    view = LiveView(timezone=LONDON)
    assert view.observe([Event(at=T0)], now=T0).events == ()
    update = view.observe(
        [ContactQueued(at=T0, contact_id="c1", queue="q", priority=0), Event(at=T0)], now=T0
    )
    assert update.events == (EventsObserved(at=T0, count=1),)


def test_refused_calls_change_nothing() -> None:
    """An event after now, a non-event, a string, or now going back: refused whole."""
    view = LiveView(timezone=LONDON)
    view.observe([ContactQueued(at=T0, contact_id="c1", queue="q", priority=0)], now=at(5))
    before = view.queues(now=at(5))
    for events, now in (
        ([ContactQueued(at=at(9), contact_id="c2", queue="q", priority=0)], at(6)),
        ([ContactQueued(at=at(5), contact_id="c2", queue="q", priority=0), "x"], at(6)),
        ("events", at(6)),
        ([], at(1)),
    ):
        with pytest.raises(InvalidInputError):
            view.observe(events, now=now)  # type: ignore[arg-type]
    assert view.queues(now=at(5)) == before
    with pytest.raises(InvalidInputError) as caught:
        LiveView(timezone=timezone.utc)  # type: ignore[arg-type]
    assert caught.value.field == "timezone"
