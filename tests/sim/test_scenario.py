"""Scenarios: reading every problem with its path, and days through the real centre."""

from __future__ import annotations

import copy
import math
import random
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest

from callcore.acd import QueueConfig
from callcore.contacts import Channel, ContactOutcome, Direction
from callcore.errors import ConfigError, DocumentError
from callcore.kpi import InteractionRecord
from callcore.sim import (
    AgentGroup,
    Empirical,
    Estimate,
    Exponential,
    Fixed,
    LogNormal,
    Scenario,
    forecast_stream,
    handle_times,
    read_distribution,
    read_scenario,
    run_scenario,
    simulate_day,
    t_quantile,
)
from callcore.wfm import Forecast, IntervalDemand

EXAMPLES = Path(__file__).parents[2] / "examples"

BASE: dict[str, Any] = {
    "start": "2026-12-07T08:00:00",
    "timezone": "Europe/London",
    "interval": 30,
    "intervals": 2,
    "queues": [{"name": "billing"}, {"name": "support", "wrap_up": 15}],
    "streams": [
        {
            "name": "calls",
            "volumes": [30, 30],
            "handle": {"distribution": "exponential", "mean": 120},
            "patience": {"distribution": "exponential", "mean": 60},
            "menu_seconds": 6,
            "choices": [
                {"key": "1", "queue": "billing", "probability": 0.25},
                {"key": "2", "queue": "support", "probability": 0.75},
            ],
        }
    ],
    "agents": [{"name": "a", "count": 3, "queues": ["billing", "support"]}],
}


def scenario(**changes: Any) -> dict[str, Any]:
    """The base scenario with top-level sections replaced."""
    document = copy.deepcopy(BASE)
    document.update(changes)
    return document


def problems_of(document: dict[str, Any]) -> dict[str, str]:
    """The problems of a document, by path."""
    with pytest.raises(DocumentError) as error:
        read_scenario(document)
    return {problem.path: problem.message for problem in error.value.problems}


# --- reading --------------------------------------------------------------------------------


def test_reads_the_example_day() -> None:
    """examples/sim_day.yaml: 16 half-hours in London, two queues, three agent groups."""
    day = read_scenario(EXAMPLES / "sim_day.yaml")
    assert day.intervals == 16
    assert day.interval == timedelta(minutes=30)
    assert day.start == datetime(2026, 12, 7, 8, 0, tzinfo=day.timezone)
    assert [queue.name for queue in day.queues] == ["billing", "support"]
    assert [group.count for group in day.agents] == [10, 10, 3]
    assert day.agents[1].start == timedelta(hours=3, minutes=30)
    assert day.agents[0].breaks == ((timedelta(hours=2), timedelta(minutes=15)),)


def test_agents_at_counts_shifts_and_breaks() -> None:
    """On shift and not on a break, counted by hand from the example's groups."""
    day = read_scenario(EXAMPLES / "sim_day.yaml")
    assert day.agents_at(timedelta(0)) == 13  # early + billing
    assert day.agents_at(timedelta(hours=2, minutes=5)) == 3  # early on a break
    assert day.agents_at(timedelta(hours=4)) == 23  # 12:00: both shifts overlap
    assert day.agents_at(timedelta(hours=7, minutes=59)) == 13


def test_every_problem_is_reported_with_its_path() -> None:
    """Problems in several sections: all listed, each at its path."""
    document = scenario(timezone="Mars/Olympus", intervals=0, colour="blue")
    document["streams"][0]["choices"][0]["queue"] = "bilingg"
    document["streams"][0]["handle"] = {"distribution": "gamma", "mean": 3}
    document["agents"][0]["queues"] = ["nope"]
    document["agents"][0]["breaks"] = [{"at": "25:00", "minutes": 10}]
    found = problems_of(document)
    assert set(found) >= {
        "timezone",
        "intervals",
        "colour",
        "streams[0].choices[0].queue",
        "streams[0].handle.distribution",
        "agents[0].queues[0]",
        "agents[0].breaks[0].at",
    }
    assert "bilingg" in found["streams[0].choices[0].queue"]


@pytest.mark.parametrize(
    ("change", "path"),
    [
        ({"volumes": [1, 2, 3]}, "streams[0].volumes"),
        ({"volumes": [1, -2]}, "streams[0].volumes[1]"),
        ({"handle": {"distribution": "lognormal", "mean": 100}}, "streams[0].handle.sd"),
        ({"handle": {"distribution": "empirical", "values": []}}, "streams[0].handle.values"),
        ({"handle": "slow"}, "streams[0].handle"),
        ({"patience": {"mean": -1}}, "streams[0].patience.mean"),
        ({"channel": "pigeon"}, "streams[0].channel"),
        ({"queue": "billing"}, "streams[0]"),  # a queue and a menu
        ({"name": "no spaces"}, "streams[0].name"),
        ({"menu_seconds": -1}, "streams[0].menu_seconds"),
        ({"colour": 1}, "streams[0].colour"),
    ],
)
def test_stream_problems(change: dict[str, Any], path: str) -> None:
    """Each bad stream field is reported at its path."""
    document = scenario()
    document["streams"][0].update(change)
    assert path in problems_of(document)


@pytest.mark.parametrize(
    ("change", "path"),
    [
        ({"count": -1}, "agents[0].count"),
        ({"queues": []}, "agents[0].queues"),
        ({"skills": {"billing": "high"}}, "agents[0].skills"),
        ({"start": "12:00", "end": "09:00"}, "agents[0].end"),
        ({"capacity": {"chat": 0}}, "agents[0].capacity.chat"),
        ({"capacity": {"pigeon": 2}}, "agents[0].capacity.pigeon"),
        ({"breaks": [{"at": "10:00"}]}, "agents[0].breaks[0]"),
    ],
)
def test_agent_problems(change: dict[str, Any], path: str) -> None:
    """Each bad agent-group field is reported at its path."""
    document = scenario()
    document["agents"][0].update(change)
    assert path in problems_of(document)


def test_queue_documents_are_the_routers() -> None:
    """A queue's own problems come from the router's loader, with the queue's index."""
    found = problems_of(scenario(queues=[{"name": "billing", "wrap_up": -5}, {"name": "support"}]))
    assert any(path.startswith("queues[0]") for path in found)


def test_unreadable_files() -> None:
    """A missing file and a non-mapping are refused (ConfigError, DocumentError)."""
    with pytest.raises(ConfigError, match="cannot read"):
        read_scenario("/nonexistent/day.yaml")
    with pytest.raises(DocumentError, match="unknown section"):
        read_scenario(EXAMPLES / "ivr_bank_flow.json")


# --- distributions and statistics ---------------------------------------------------------


def test_distributions_have_their_means() -> None:
    """Sample means of 200,000 draws within 1 % of each distribution's mean."""
    rng = random.Random(4)
    for distribution in (Exponential(120), LogNormal(200, 150), Empirical([10, 20, 60])):
        draws = [distribution.sample(rng) for _ in range(200_000)]
        assert math.isclose(sum(draws) / len(draws), distribution.mean, rel_tol=0.01)
    assert Fixed(7).sample(rng) == 7


def test_read_distribution_forms() -> None:
    """A bare number is fixed; the default kind is exponential."""
    problems: list[Any] = []
    assert read_distribution(5, "x", problems) == Fixed(5.0)
    assert read_distribution({"mean": 30}, "x", problems) == Exponential(30.0)
    assert read_distribution({"distribution": "empirical", "values": [1, 2]}, "x", problems) == (
        Empirical([1.0, 2.0])
    )
    assert problems == []


def test_handle_times_from_records() -> None:
    """Answer to wrap-up end (or end): the empirical distribution of handle times."""
    at = datetime(2026, 1, 5, 9, tzinfo=timezone.utc)

    def record(
        number: int, ended: int, wrapped: int | None, *, answered: bool
    ) -> InteractionRecord:
        return InteractionRecord(
            id=str(number),
            channel=Channel.VOICE,
            direction=Direction.INBOUND,
            outcome=ContactOutcome.ANSWERED if answered else ContactOutcome.ABANDONED,
            arrived_at=at,
            answered_at=at if answered else None,
            ended_at=at + timedelta(seconds=ended),
            wrap_up_ended_at=None if wrapped is None else at + timedelta(seconds=wrapped),
        )

    records = [
        record(1, 100, 130, answered=True),
        record(2, 50, None, answered=True),
        record(3, 50, None, answered=False),
    ]
    assert handle_times(records).values == (130.0, 50.0)
    with pytest.raises(ValueError, match="no answered record"):
        handle_times(records[2:])


def test_estimate_by_hand() -> None:
    """Mean 2, sample sd 1 over 3 values: half-width t(0.975, 2) / sqrt(3) = 4.303 / 1.732."""
    estimate = Estimate.of([1.0, 2.0, 3.0])
    assert estimate.mean == 2.0
    assert estimate.half_width is not None
    assert math.isclose(estimate.half_width, 4.303 / math.sqrt(3))
    assert Estimate.of([5.0]).half_width is None
    assert str(Estimate.of([5.0])) == "5"
    assert math.isclose(t_quantile(60), 2.000, abs_tol=0.002)
    with pytest.raises(ValueError, match="two replications"):
        t_quantile(0)


# --- days through the centre -----------------------------------------------------------------


def test_same_seed_same_day_other_seed_other_day() -> None:
    """Reproducible: one seed, one day; another seed, another day."""
    day = read_scenario(scenario())
    first, again, other = (simulate_day(day, seed=seed) for seed in (3, 3, 4))
    assert first.aggregator.groups() == again.aggregator.groups()
    assert first.arrivals == again.arrivals
    assert first.aggregator.groups() != other.aggregator.groups()


def test_every_contact_is_recorded_once_and_choices_follow_their_probabilities() -> None:
    """Each arrival gets one KPI record; a quarter of the calls choose billing (by hand: 1/4)."""
    streams = [{**BASE["streams"][0], "volumes": [400, 400]}]
    agents = [{"name": "a", "count": 40, "queues": ["billing", "support"]}]
    day = read_scenario(scenario(streams=streams, agents=agents))
    run = simulate_day(day, seed=1)
    groups = run.aggregator.groups()
    total = sum(totals.contacts for totals in groups.values())
    assert total == run.arrivals == run.completed
    billing = sum(t.contacts for key, t in groups.items() if key.queue == "billing")
    # binomial(n, 1/4): 4 standard deviations either side
    sd = math.sqrt(total * 0.25 * 0.75)
    assert abs(billing - total / 4) < 4 * sd


def test_no_agents_means_every_call_abandons() -> None:
    """With nobody logged in, every caller runs out of patience: abandonment is 100 %."""
    run = simulate_day(read_scenario(scenario(agents=[])), seed=2)
    total = run.aggregator.total()
    assert total.contacts == run.arrivals > 0
    assert total.abandoned == total.contacts


def test_breaks_and_shift_ends_take_agents_off() -> None:
    """One agent whose shift ends at 08:30: no call after 08:30 is answered (all abandon)."""
    document = scenario(agents=[{"name": "a", "count": 1, "queues": ["billing", "support"],
                                 "end": "08:30"}])  # fmt: skip
    run = simulate_day(read_scenario(document), seed=5)
    groups = run.aggregator.groups()
    late = [t for key, t in groups.items() if key.interval and key.interval.hour == 8
            and key.interval.minute == 30]  # fmt: skip
    assert late
    assert sum(t.answered for t in late) == 0
    assert sum(t.abandoned for t in late) == sum(t.contacts for t in late)


def test_chats_share_an_agent_up_to_its_capacity() -> None:
    """Ten 10-minute chats in an hour: an agent taking 3 at once serves all; taking 1, not."""

    def serve(capacity: int) -> tuple[int, int]:
        document = scenario(
            queues=[{"name": "chat", "channel": "chat"}],
            streams=[{"name": "chat", "channel": "chat", "queue": "chat", "volumes": [6, 6],
                      "handle": {"distribution": "fixed", "value": 600}}],
            agents=[{"name": "c", "count": 1, "queues": ["chat"], "capacity": {"chat": capacity}}],
        )  # fmt: skip
        run = simulate_day(read_scenario(document), seed=6)
        return run.arrivals, run.aggregator.total().answered

    assert serve(3) == (10, 10)  # the same arrivals (their own random stream) both times
    # one at a time, 6 chats of 10 minutes fill the hour; the shift ends, the rest wait on
    arrivals, answered = serve(1)
    assert arrivals == 10
    assert answered <= 6


def test_report_over_replications() -> None:
    """Three replications: lines per interval, per queue and the day, with confidence intervals."""
    report = run_scenario(read_scenario(scenario(replications=3, seed=9)))
    assert len(report.runs) == 3
    assert [run.seed for run in report.runs] == [9, 10, 11]
    assert len(report.intervals) == 2
    assert [line.queue for line in report.queues] == ["billing", "support"]
    day = report.day.values["contacts"]
    assert day is not None
    assert day.replications == 3
    assert math.isclose(day.mean, sum(run.arrivals for run in report.runs) / 3)
    rows = report.rows()
    assert len(rows) == 2 + 2 + 1
    assert rows[0]["agents"] == 3
    assert "service_level_ci" in rows[0]


def test_a_stream_from_a_forecast() -> None:
    """A wfm forecast's calls become the volumes; the AHT is the calls-weighted mean (by hand)."""
    start = datetime(2026, 12, 7, 8, tzinfo=timezone.utc)
    half_hour = timedelta(minutes=30)
    forecast = Forecast(
        method="by hand",
        interval=half_hour,
        intervals=(
            IntervalDemand(start=start, calls=30, aht=timedelta(seconds=200)),
            IntervalDemand(start=start + half_hour, calls=10, aht=timedelta(seconds=400)),
        ),
    )
    stream = forecast_stream(forecast, queue="support")
    assert stream.volumes == (30.0, 10.0)
    assert stream.handle == Exponential((30 * 200 + 10 * 400) / 40)
    day = Scenario(
        start=start,
        interval=half_hour,
        intervals=2,
        queues=(QueueConfig(name="support"),),
        streams=(stream,),
        agents=(AgentGroup("a", 4, ("support",)),),
    )
    run = simulate_day(day, seed=1)
    assert run.aggregator.total().contacts == run.arrivals > 0
    empty = Forecast(method="none", interval=half_hour, intervals=())
    with pytest.raises(ValueError, match="no calls"):
        forecast_stream(empty)
