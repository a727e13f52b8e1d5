"""A simulated campaign day through the centre: connects, occupancy, the regulated abandon rate."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from callcore.campaigns import CampaignContact, CampaignSettings, DialingMode
from callcore.errors import InvalidInputError
from callcore.sim import CampaignDay, simulate_campaign

# 15:00 UTC is 10:00 in New York (EST) on 2026-01-12: three hours inside the window
START = datetime(2026, 1, 12, 15, 0, tzinfo=timezone.utc)
END = START + timedelta(hours=3)
WINDOW = timedelta(hours=24)  # Ofcom's: abandoned calls per campaign over 24 hours
CONTACTS = [
    CampaignContact(id=f"c{i}", number=f"+1555{i:07d}", zone="America/New_York", country="US")
    for i in range(1500)
]


def _day(mode: DialingMode) -> CampaignDay:
    horizon = {"pacing_horizon": timedelta(minutes=10)} if mode is DialingMode.PREDICTIVE else {}
    settings = CampaignSettings(
        name="spring",
        mode=mode,
        queue="sales",
        abandon_window=WINDOW,
        answer_rate=0.35,
        **horizon,  # type: ignore[arg-type]
    )
    return simulate_campaign(
        settings,
        CONTACTS,
        start=START,
        end=END,
        agents=4,
        answer_probability=0.3,
        machine_probability=0.1,
        talk=timedelta(minutes=2),
        wrap_up=timedelta(seconds=20),
        seed=3,
    )


def _brute_force_worst(day: CampaignDay, window: timedelta) -> float:
    """Every rolling window ending at a live answer, counted by scanning all answers."""
    live = [
        (r.ended_at if r.abandoned else r.connected_at or r.ended_at, r.abandoned)
        for r in day.records
        if r.answered_at is not None
    ]
    worst = 0.0
    for end, _ in live:
        inside = [abandoned for at, abandoned in live if end - window < at <= end]
        worst = max(worst, sum(inside) / len(inside))
    return worst


def test_a_predictive_day_keeps_the_abandon_rate_within_the_limit_and_beats_progressive() -> None:
    """Predictive over-dials within 3 % per 24 h and connects (and occupies) at least as much."""
    predictive = _day(DialingMode.PREDICTIVE)
    progressive = _day(DialingMode.PROGRESSIVE)
    worst = _brute_force_worst(predictive, WINDOW)
    assert worst <= 0.03
    assert predictive.worst_abandon_rate(WINDOW) == pytest.approx(worst)
    assert _brute_force_worst(progressive, WINDOW) == 0.0
    assert predictive.connects >= progressive.connects > 0
    assert predictive.occupancy >= progressive.occupancy > 0
    assert progressive.connects_per_hour == progressive.connects / 3
    # machines answered about 10 % of the dials, people about 30 %
    machines = sum(r.result.value == "machine" for r in progressive.records)
    answers = sum(r.answered_at is not None for r in progressive.records)
    assert 0.05 < machines / progressive.attempts < 0.15
    assert 0.2 < answers / progressive.attempts < 0.4


def test_the_simulator_refuses_impossible_probabilities() -> None:
    """Answer and machine probabilities above 1 together are refused, naming the field."""
    settings = CampaignSettings(name="c", mode=DialingMode.PROGRESSIVE, queue="q")
    with pytest.raises(InvalidInputError, match="machine_probability"):
        simulate_campaign(
            settings,
            CONTACTS[:1],
            start=START,
            end=END,
            agents=1,
            answer_probability=0.8,
            machine_probability=0.3,
        )
