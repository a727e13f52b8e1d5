"""KPI live views and rolling windows keep instants whatever zone times come in (issue 12)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from callcore.acd import AgentStateChanged, ContactAbandoned, ContactAnswered, ContactQueued
from callcore.contacts import AgentState, Channel, ContactOutcome, Direction
from callcore.errors import CallcoreError
from callcore.events import Event
from callcore.kpi import InteractionRecord, LiveView, RollingWindow
from callcore.serialization import to_dict
from tests.time.instants import BUCHAREST, UTC, timelines, utc_view, zoned_like

STEPS = ("queued", "queued", "answered", "abandoned", "break", "ready", "late", "read")


def _events(name: str, n: int, at: datetime) -> list[Event]:
    contact = f"c{n}"
    if name in {"queued", "late"}:
        return [ContactQueued(at=at, contact_id=f"c{n + 1}", queue="sales", priority=0)]
    if name == "answered":
        waited = timedelta(seconds=n)
        return [
            ContactAnswered(at=at, contact_id=contact, agent_id="ana", queue="sales", waited=waited)
        ]
    if name == "abandoned":
        return [ContactAbandoned(at=at, contact_id=contact, queue="sales", waited=timedelta(0))]
    state = AgentState.NOT_READY if name == "break" else AgentState.AVAILABLE
    return [AgentStateChanged(at=at, agent_id="bob", state=state)]


def _run(names: list[str], times: list[datetime]) -> list[Any]:
    view = LiveView(timezone=BUCHAREST)
    outcomes: list[Any] = []
    n = 0
    for index, (name, now) in enumerate(zip(names, times[1:], strict=True)):
        try:
            if name == "read":
                read = (view.queues(now=now), view.agents(now=now))
                outcomes.append(utc_view([to_dict(part) for part in read]))
                continue
            at = times[index] if name == "late" else now  # "late": an event read a step late
            update = view.observe(_events(name, n, at), now=now)
        except CallcoreError as error:
            outcomes.append((name, type(error).__name__, getattr(error, "field", None)))
            continue
        n += name in {"queued", "late"}
        outcomes.append(utc_view([to_dict(event) for event in update.events]))
    return outcomes


@given(
    st.lists(st.sampled_from(STEPS), min_size=1, max_size=16).flatmap(
        lambda names: st.tuples(st.just(names), timelines(len(names) + 1))
    )
)
def test_a_live_view_fed_in_zones_shows_what_it_shows_in_utc(
    case: tuple[list[str], tuple[list[datetime], list[datetime]]],
) -> None:
    """Events and readings at zoned times: the same waits, times in state and counts."""
    names, (times, zoned) = case
    assert _run(names, zoned) == _run(names, times)


def test_an_agent_on_a_break_across_the_autumn_change_shows_its_real_time() -> None:
    """Not ready at 03:50 EEST, read at 03:10 EET (fold=1) on 25 October 2026: 20 minutes.

    By the wall clock the reading was 40 minutes before the break began, and
    refused as going back; a caller queued at 03:50 EEST has waited 20 minutes.
    """
    view = LiveView(timezone=BUCHAREST)
    start = datetime(2026, 10, 25, 3, 50, tzinfo=BUCHAREST)  # 00:50 UTC
    view.observe(
        [
            AgentStateChanged(at=start, agent_id="bob", state=AgentState.NOT_READY),
            ContactQueued(at=start, contact_id="c1", queue="sales", priority=0),
        ],
        now=start,
    )
    later = datetime(2026, 10, 25, 3, 10, fold=1, tzinfo=BUCHAREST)  # 01:10 UTC
    assert view.agents(now=later)["bob"].time_in_state == timedelta(minutes=20)
    assert view.queues(now=later)["sales"].oldest_wait == timedelta(minutes=20)
    spring = datetime(2026, 3, 29, 2, 50, tzinfo=BUCHAREST)  # 00:50 UTC
    view = LiveView(timezone=BUCHAREST)
    view.observe([ContactQueued(at=spring, contact_id="c1", queue="sales", priority=0)], now=spring)
    after = datetime(2026, 3, 29, 4, 10, tzinfo=BUCHAREST)  # 01:10 UTC: 20 min, not 80
    assert view.queues(now=after)["sales"].oldest_wait == timedelta(minutes=20)
    assert view.queues(now=after.astimezone(UTC))["sales"].oldest_wait == timedelta(minutes=20)


def _record(index: int, ended: datetime) -> InteractionRecord:
    """An answered call that ended at ``ended`` after 30 s in queue and a minute's talk."""
    arrived = zoned_like(ended.astimezone(UTC) - timedelta(seconds=90), ended)
    answered = zoned_like(ended.astimezone(UTC) - timedelta(seconds=60), ended)
    return InteractionRecord(
        id=f"r{index}", channel=Channel.VOICE, direction=Direction.INBOUND,
        outcome=ContactOutcome.ANSWERED, queue="sales", arrived_at=arrived, queued_at=arrived,
        answered_at=answered, ended_at=ended,
    )  # fmt: skip


@given(
    st.lists(st.booleans(), min_size=1, max_size=20).flatmap(
        lambda adds: st.tuples(st.just(adds), timelines([900] * (len(adds) - 1)))
    )
)
def test_a_rolling_window_fed_in_zones_counts_as_in_utc(
    case: tuple[list[bool], tuple[list[datetime], list[datetime]]],
) -> None:
    """Records ending, and totals read, at zoned times: the same totals (a window of 30 min)."""
    adds, (times, zoned) = case

    def run(moments: list[datetime]) -> list[Any]:
        window = RollingWindow(length=timedelta(minutes=30), resolution=timedelta(minutes=5))
        seen: list[Any] = []
        for index, (add, now) in enumerate(zip(adds, moments, strict=True)):
            if add:
                window.add(_record(index, now))
            seen.append(
                (
                    window.late,
                    {
                        key.sort_key(): to_dict(totals)
                        for key, totals in window.totals(now=now).items()
                    },
                )
            )
        return seen

    assert run(zoned) == run(times)
