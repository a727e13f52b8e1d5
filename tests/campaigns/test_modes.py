"""Every dialing mode driven by the fake dialer loop: dials, connects, abandons, dispositions."""

from __future__ import annotations

import random
from datetime import datetime, timedelta, timezone

import pytest

from callcore.campaigns import (
    AttemptEnded,
    CallResult,
    Campaign,
    CampaignContact,
    CampaignSettings,
    DialContact,
    DialingMode,
    Disposition,
    RetryPolicy,
)
from callcore.contacts import ContactOutcome
from callcore.kpi import InteractionRecord
from callcore.testing.campaigns import DialerLoop, Verdict, counter_ids

UTC = timezone.utc
# 15:00 UTC is 10:00 in New York (EST) and 15:00 in London (GMT) on 2026-01-12
START = datetime(2026, 1, 12, 15, 0, tzinfo=UTC)


def contacts(
    count: int, zone: str = "America/New_York", country: str = "US"
) -> list[CampaignContact]:
    """``count`` contacts c0, c1, ... with numbers +1555000000N."""
    return [
        CampaignContact(id=f"c{i}", number=f"+1555{i:07d}", zone=zone, country=country)
        for i in range(count)
    ]


def answer_all(_: DialContact, __: int) -> CallResult:
    """Every call is answered by a person."""
    return CallResult.LIVE_ANSWER


def settings(mode: DialingMode, **changes: object) -> CampaignSettings:
    """A campaign of ``mode`` on queue ``sales`` (agentless: flow ``reminder``)."""
    base: dict[str, object] = {"name": "spring", "mode": mode}
    base.update({"flow": "reminder"} if mode is DialingMode.AGENTLESS else {"queue": "sales"})
    base.update(changes)
    return CampaignSettings(**base)  # type: ignore[arg-type]


def test_progressive_dials_one_line_per_free_agent() -> None:
    """Progressive: never more calls in progress than free agents, so nothing is abandoned."""
    campaign = Campaign(settings(DialingMode.PROGRESSIVE), id_factory=counter_ids())
    campaign.add_contacts(contacts(10), now=START)
    centre = DialerLoop(campaign, answer_all, agents=2)
    centre.run(START, START + timedelta(hours=1), timedelta(seconds=10))
    busy_at: dict[datetime, int] = {}
    for record in centre.records:  # each record's call holds an agent from dial to end
        at = record.dialed_at
        while at < record.ended_at:
            busy_at[at] = busy_at.get(at, 0) + 1
            at += timedelta(seconds=10)
    assert max(busy_at.values()) <= 2
    assert not centre.messages
    assert [campaign.disposition(f"c{i}") for i in range(10)] == [Disposition.CONTACTED] * 10
    report = campaign.report(now=START + timedelta(hours=1))
    assert (report.attempts, report.connects, report.abandons) == (10, 10, 0)
    assert report.right_party_contacts == 10


def test_preview_shows_the_record_and_the_agent_starts_the_call() -> None:
    """Preview: a record per free agent, the dial names the agent, the answer connects to them."""
    campaign = Campaign(settings(DialingMode.PREVIEW), id_factory=counter_ids())
    campaign.add_contacts(contacts(3), now=START)
    centre = DialerLoop(campaign, answer_all, agents=1, verdict=lambda _: Verdict(converted=True))
    centre.step(START)
    assert [p.contact.id for p in centre.previews] == ["c0"]  # one agent, one record
    assert centre.dials[0][1].agent == "agent"
    centre.run(START, START + timedelta(minutes=30), timedelta(seconds=10))
    assert [p.contact.id for p in centre.previews] == ["c0", "c1", "c2"]
    assert {campaign.disposition(f"c{i}") for i in range(3)} == {Disposition.CONVERTED}
    assert campaign.report(now=START + timedelta(minutes=30)).conversions == 3
    assert all(
        r.agent == "agent" and r.queued_at is None
        for r in (InteractionRecord(**rec.interaction_fields()) for rec in centre.records)
    )


def test_skipped_preview_waits_without_an_attempt() -> None:
    """An agent who passes leaves the contact waiting, with no attempt counted."""
    campaign = Campaign(settings(DialingMode.PREVIEW), id_factory=counter_ids())
    campaign.add_contacts(contacts(1), now=START)
    update = campaign.pace(now=START, agents_ready=1)
    assert len(update.actions) == 1
    assert campaign.pace(now=START, agents_ready=1).actions == ()  # still previewed
    campaign.skip_preview("c0", now=START)
    assert (campaign.contact_state("c0"), campaign.attempts_of("c0")) == ("waiting", 0)
    assert len(campaign.pace(now=START, agents_ready=1).actions) == 1


def test_agentless_runs_the_flow_and_delivers_the_message() -> None:
    """Agentless: lines up to max_lines whatever the agents, the flow runs, no abandons."""
    campaign = Campaign(settings(DialingMode.AGENTLESS, max_lines=3), id_factory=counter_ids())
    campaign.add_contacts(contacts(5), now=START)
    centre = DialerLoop(campaign, answer_all, agents=0, talk=timedelta(seconds=30))
    centre.step(START)
    assert len(centre.dials) == 3
    centre.run(START, START + timedelta(minutes=10), timedelta(seconds=10))
    assert {campaign.disposition(f"c{i}") for i in range(5)} == {Disposition.MESSAGE_DELIVERED}
    assert [f.flow for f in centre.flows] == ["reminder"] * 5
    outcomes = {InteractionRecord(**r.interaction_fields()).outcome for r in centre.records}
    assert outcomes == {ContactOutcome.SELF_SERVED}


def test_a_live_answer_with_no_agent_is_abandoned_with_the_information_message() -> None:
    """No agent within abandon_after: the message plays, the abandon counts, retry after 72 h."""
    campaign = Campaign(settings(DialingMode.PROGRESSIVE), id_factory=counter_ids())
    campaign.add_contacts(contacts(1), now=START)
    dial = campaign.pace(now=START, agents_ready=1).actions[0]
    assert isinstance(dial, DialContact)
    answered = START + timedelta(seconds=20)
    queued = campaign.call_result(dial.attempt_id, CallResult.LIVE_ANSWER, now=answered)
    assert queued.actions[0].deadline == answered + timedelta(seconds=2)  # type: ignore[union-attr]
    assert campaign.next_deadline() == answered + timedelta(seconds=2)
    assert campaign.advance(now=answered + timedelta(seconds=1)).actions == ()
    update = campaign.advance(now=answered + timedelta(seconds=2))
    assert [a.type for a in update.actions] == ["play_information_message"]
    report = campaign.report(now=answered + timedelta(seconds=2))
    assert (report.abandons, report.window_live_answers, report.window_abandons) == (1, 1, 1)
    assert campaign.next_deadline() == answered + timedelta(seconds=2, hours=72)
    record = next(e.record for e in update.events if isinstance(e, AttemptEnded))
    kpi = InteractionRecord(**record.interaction_fields())
    assert (kpi.outcome, kpi.queued_at, kpi.answered_at) == (
        ContactOutcome.ABANDONED,
        answered,
        None,
    )


def _independent_worst_rate(records: list, window: timedelta) -> float:  # type: ignore[type-arg]
    """The worst abandon rate over every rolling window ending at a live answer's end."""
    live = sorted(
        (r.ended_at if r.abandoned else r.connected_at, r.abandoned)
        for r in records
        if r.answered_at is not None
    )
    worst = 0.0
    for end, _ in live:
        inside = [abandoned for at, abandoned in live if end - window < at <= end]
        worst = max(worst, sum(inside) / len(inside))
    return worst


def test_predictive_keeps_the_abandon_rate_within_the_limit_over_every_window() -> None:
    """Predictive: over-dials when answers are rare, yet every rolling window stays <= 3 %."""
    rng = random.Random(7)

    def script(_: DialContact, __: int) -> CallResult:
        return CallResult.LIVE_ANSWER if rng.random() < 0.35 else CallResult.NO_ANSWER

    window = timedelta(hours=1)
    campaign = Campaign(
        settings(
            DialingMode.PREDICTIVE,
            abandon_window=window,
            answer_rate=0.35,
            pacing_horizon=timedelta(minutes=10),
        ),
        id_factory=counter_ids(),
    )
    campaign.add_contacts(contacts(600), now=START)
    centre = DialerLoop(campaign, script, agents=4, talk=timedelta(minutes=2))
    centre.run(START, START + timedelta(hours=3), timedelta(seconds=5))
    records = centre.records
    assert len(records) > 300
    assert _independent_worst_rate(records, window) <= 0.03
    # it over-dialed: more calls in progress at some point than agents
    assert any(
        sum(1 for r in records if r.dialed_at <= at < r.ended_at) > 4
        for at in {r.dialed_at for r in records}
    )


@pytest.mark.parametrize("mode", list(DialingMode))
def test_every_mode_finishes_every_contact(mode: DialingMode) -> None:
    """A mixed script through each mode: every contact ends with one disposition."""
    results = [CallResult.BUSY, CallResult.NO_ANSWER, CallResult.MACHINE, CallResult.LIVE_ANSWER]

    def script(action: DialContact, attempt: int) -> CallResult:
        return results[(int(action.contact.id[1:]) + attempt) % 4]

    campaign = Campaign(
        settings(
            mode,
            retry=RetryPolicy(
                max_attempts=2,
                delays={
                    "busy": timedelta(minutes=1),
                    "no_answer": timedelta(minutes=1),
                    "machine": timedelta(minutes=1),
                },
            ),
        ),
        id_factory=counter_ids(),
    )
    campaign.add_contacts(contacts(8), now=START)
    centre = DialerLoop(campaign, script, agents=2, talk=timedelta(minutes=1))
    centre.run(START, START + timedelta(hours=1), timedelta(seconds=10))
    dispositions = [campaign.disposition(f"c{i}") for i in range(8)]
    assert None not in dispositions
    for i, disposition in enumerate(dispositions):
        answered = CallResult.LIVE_ANSWER in (results[(i + 1) % 4], results[(i + 2) % 4])
        expected_answer = {DialingMode.AGENTLESS: Disposition.MESSAGE_DELIVERED}.get(
            mode, Disposition.CONTACTED
        )
        assert disposition is (expected_answer if answered else Disposition.MAX_ATTEMPTS)
    for record in centre.records:
        InteractionRecord(**record.interaction_fields())  # every record is a valid KPI record


def _day(mode: DialingMode, window: timedelta) -> tuple[Campaign, DialerLoop]:
    """Three hours of a 35 %-answer list with four agents and two-minute calls."""
    rng = random.Random(11)

    def script(_: DialContact, __: int) -> CallResult:
        return CallResult.LIVE_ANSWER if rng.random() < 0.35 else CallResult.NO_ANSWER

    horizon = {"pacing_horizon": timedelta(minutes=10)} if mode is DialingMode.PREDICTIVE else {}
    campaign = Campaign(
        settings(mode, abandon_window=window, answer_rate=0.35, **horizon),
        id_factory=counter_ids(),
    )
    campaign.add_contacts(contacts(1500), now=START)
    centre = DialerLoop(campaign, script, agents=4, talk=timedelta(minutes=2))
    centre.run(START, START + timedelta(hours=3), timedelta(seconds=5))
    return campaign, centre


def _occupancy(centre: DialerLoop) -> float:
    """Agents' talk time over their logged-in time (4 agents, 3 hours)."""
    talk = sum(
        (r.ended_at - r.connected_at for r in centre.records if r.connected_at and r.agent),
        timedelta(),
    )
    return talk / (4 * timedelta(hours=3))


def test_predictive_against_progressive_over_ofcoms_24_hour_window() -> None:
    """Predictive connects and occupies agents at least as much, and stays within 3 % per 24 h."""
    window = timedelta(hours=24)
    predictive, over = _day(DialingMode.PREDICTIVE, window)
    progressive, one_by_one = _day(DialingMode.PROGRESSIVE, window)
    assert _independent_worst_rate(over.records, window) <= 0.03
    assert _independent_worst_rate(one_by_one.records, window) == 0.0
    end = START + timedelta(hours=3)
    assert predictive.report(now=end).connects >= progressive.report(now=end).connects
    assert _occupancy(over) >= _occupancy(one_by_one)
    report = predictive.report(now=end)
    assert report.abandon_rate == report.window_abandons / report.window_live_answers
