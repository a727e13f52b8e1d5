"""Calling windows on each contact's clock (DST included), suppression, retries and callbacks."""

from __future__ import annotations

import itertools
from datetime import datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from callcore.calendar import OpeningRange, WeeklyHours
from callcore.campaigns import (
    CallResult,
    Campaign,
    CampaignContact,
    CampaignSettings,
    DialContact,
    DialingMode,
    Disposition,
    RetryPolicy,
    RetryScheduled,
)
from callcore.testing.campaigns import DialerLoop, counter_ids


def dials(campaign: Campaign, now: datetime, agents: int) -> list[DialContact]:
    """Pace and return the dials (a progressive campaign dials only)."""
    actions = campaign.pace(now=now, agents_ready=agents).actions
    assert all(isinstance(a, DialContact) for a in actions)
    return [a for a in actions if isinstance(a, DialContact)]


UTC = timezone.utc


def progressive(**changes: object) -> Campaign:
    """A progressive campaign on queue ``sales``."""
    return Campaign(
        CampaignSettings(name="c", mode=DialingMode.PROGRESSIVE, queue="sales", **changes),  # type: ignore[arg-type]
        id_factory=counter_ids(),
    )


def person(cid: str, zone: str, country: str = "US", number: str | None = None) -> CampaignContact:
    """A contact in ``zone``."""
    return CampaignContact(id=cid, number=number or f"+{cid}", zone=zone, country=country)


def brute_first_allowed(after: datetime, zone: str, start: time, end: time) -> datetime:
    """The first whole minute at or after ``after`` whose local wall time is in [start, end)."""
    at = after
    while not start <= at.astimezone(ZoneInfo(zone)).time() < end:
        at += timedelta(minutes=1)
    return at


ZONES = [
    ("America/New_York", "US"),
    ("America/Los_Angeles", "US"),
    ("Pacific/Honolulu", "US"),
    ("Europe/London", "GB"),
    ("Asia/Tokyo", "JP"),
]


def test_windows_are_read_on_each_contacts_clock() -> None:
    """Paced each minute for two days: each contact is dialed at its first local 8:00."""
    campaign = progressive()
    start = datetime(2026, 1, 12, 0, 0, tzinfo=UTC)
    campaign.add_contacts([person(f"p{i}", z, c) for i, (z, c) in enumerate(ZONES)], now=start)
    dialed: dict[str, datetime] = {}
    now = start
    while now < start + timedelta(days=2):
        for action in campaign.pace(now=now, agents_ready=10).actions:
            assert isinstance(action, DialContact)
            dialed[action.contact.id] = now
            campaign.call_result(action.attempt_id, CallResult.LIVE_ANSWER, now=now)
            campaign.connected(action.attempt_id, now=now, agent="a")
            campaign.finish(action.attempt_id, now=now)
        now += timedelta(minutes=1)
    for i, (zone, _) in enumerate(ZONES):
        assert dialed[f"p{i}"] == brute_first_allowed(start, zone, time(8), time(21))


@pytest.mark.parametrize(
    ("zone", "country", "day"),
    [
        ("America/New_York", "US", datetime(2026, 3, 8, 6, tzinfo=UTC)),  # spring forward
        ("America/New_York", "US", datetime(2026, 11, 1, 6, tzinfo=UTC)),  # fall back
        ("Europe/London", "GB", datetime(2026, 3, 29, tzinfo=UTC)),
        ("Europe/London", "GB", datetime(2026, 10, 25, tzinfo=UTC)),
    ],
)
def test_windows_hold_on_a_dst_change_day(zone: str, country: str, day: datetime) -> None:
    """On a change of clocks the window opens at local 8:00 (a UTC hour off the day before)."""
    campaign = progressive()
    campaign.add_contacts([person("x", zone, country)], now=day)
    assert campaign.pace(now=day, agents_ready=1).actions == ()  # night there
    opens = campaign.next_deadline()
    assert opens == brute_first_allowed(day, zone, time(8), time(21))
    assert opens is not None
    assert opens.astimezone(ZoneInfo(zone)).time() == time(8)
    assert campaign.pace(now=opens - timedelta(seconds=1), agents_ready=1).actions == ()
    assert len(campaign.pace(now=opens, agents_ready=1).actions) == 1


def test_a_window_starting_in_the_spring_gap_opens_when_the_clock_jumps() -> None:
    """A window 02:30-04:00 on New York's spring-forward day opens at 03:00 EDT."""
    hours = WeeklyHours.every_day(OpeningRange(time(2, 30), time(4)))
    campaign = progressive(windows={"US": hours})
    day = datetime(2026, 3, 8, 5, 0, tzinfo=UTC)  # 00:00 EST
    campaign.add_contacts([person("x", "America/New_York")], now=day)
    campaign.pace(now=day, agents_ready=1)
    opens = campaign.next_deadline()
    assert opens == brute_first_allowed(day, "America/New_York", time(2, 30), time(4))
    assert opens == datetime(2026, 3, 8, 7, 0, tzinfo=UTC)  # 03:00 EDT


def test_a_country_without_a_rule_uses_the_default_window() -> None:
    """Japan is in no table: the campaign's default window (here 10-12) applies on Tokyo's clock."""
    campaign = progressive(default_window=WeeklyHours.every_day(OpeningRange(time(10), time(12))))
    day = datetime(2026, 1, 12, 0, 0, tzinfo=UTC)  # 09:00 in Tokyo
    campaign.add_contacts([person("j", "Asia/Tokyo", "JP")], now=day)
    assert campaign.pace(now=day, agents_ready=2).actions == ()  # 08:00-21:00 would allow it
    assert campaign.next_deadline() == datetime(2026, 1, 12, 1, 0, tzinfo=UTC)


# --- suppression ----------------------------------------------------------------------


def test_suppressed_numbers_are_never_dialed() -> None:
    """Suppressed before, after adding, while ringing, or on request: never dialed again."""
    campaign = progressive(retry=RetryPolicy(max_attempts=5, delays={"busy": timedelta(minutes=1)}))
    now = datetime(2026, 1, 12, 15, 0, tzinfo=UTC)
    campaign.suppress(["+before"], now=now)
    people = [
        person(n, "America/New_York", number=f"+{n}")
        for n in ("before", "after", "ringing", "asked", "free")
    ]
    added = campaign.add_contacts(people, now=now)
    assert added.events[0].suppressed == ("before",)  # type: ignore[attr-defined]
    campaign.suppress(["+after"], now=now)
    by_id = {a.contact.id: a for a in dials(campaign, now, 10)}
    assert set(by_id) == {"ringing", "asked", "free"}
    campaign.suppress(["+ringing"], now=now)
    campaign.call_result(by_id["ringing"].attempt_id, CallResult.BUSY, now=now)
    for cid in ("asked", "free"):
        campaign.call_result(by_id[cid].attempt_id, CallResult.LIVE_ANSWER, now=now)
        campaign.connected(by_id[cid].attempt_id, now=now, agent="a")
    campaign.finish(by_id["asked"].attempt_id, now=now, do_not_call=True)
    campaign.finish(by_id["free"].attempt_id, now=now, callback_at=now + timedelta(hours=1))
    later = dials(campaign, now + timedelta(days=3), 10)
    assert [a.contact.id for a in later] == ["free"]
    assert [campaign.disposition(c) for c in ("before", "after", "ringing", "asked")] == [
        Disposition.SUPPRESSED,
        Disposition.SUPPRESSED,
        Disposition.SUPPRESSED,
        Disposition.DO_NOT_CALL,
    ]
    assert campaign.attempts_of("before") == campaign.attempts_of("after") == 0


# --- retries --------------------------------------------------------------------------

DELAYS = {
    CallResult.NO_ANSWER: timedelta(hours=2),
    CallResult.BUSY: timedelta(minutes=10),
    CallResult.MACHINE: timedelta(hours=5),
    CallResult.NETWORK_FAILURE: timedelta(minutes=3),
}


@pytest.mark.parametrize("result", list(DELAYS))
def test_retries_are_spaced_by_outcome_and_capped(result: CallResult) -> None:
    """Each result waits its own delay before the next dial; after max_attempts the contact ends."""
    policy = RetryPolicy(max_attempts=4, delays={r.value: d for r, d in DELAYS.items()})
    campaign = Campaign(
        CampaignSettings(
            name="c",
            mode=DialingMode.PROGRESSIVE,
            queue="q",
            retry=policy,
            windows={"US": WeeklyHours.every_day(OpeningRange(time(0), time(0)))},
        ),
        id_factory=counter_ids(),
    )
    start = datetime(2026, 1, 12, 15, 0, tzinfo=UTC)
    campaign.add_contacts([person("r", "America/New_York")], now=start)
    centre = DialerLoop(campaign, lambda _, __: result, ring=timedelta(seconds=30))
    centre.run(start, start + timedelta(days=1), timedelta(minutes=1))
    times = [at for at, _ in centre.dials]
    assert len(times) == 4
    gaps = [b - a for a, b in itertools.pairwise(times)]
    assert gaps == [DELAYS[result] + timedelta(minutes=1)] * 3  # ring 30 s, paced each minute
    assert campaign.disposition("r") is Disposition.MAX_ATTEMPTS
    scheduled = [e for e in centre.events if isinstance(e, RetryScheduled)]
    assert [e.due - e.at for e in scheduled] == [DELAYS[result]] * 3


def test_a_retry_due_at_night_waits_for_the_window() -> None:
    """A retry falling due after 21:00 local is dialed at 08:00 the next morning."""
    campaign = progressive(retry=RetryPolicy(delays={"no_answer": timedelta(hours=2)}))
    at = datetime(2026, 1, 12, 1, 30, tzinfo=UTC)  # 20:30 EST
    campaign.add_contacts([person("n", "America/New_York")], now=at)
    dial = dials(campaign, at, 1)[0]
    campaign.call_result(dial.attempt_id, CallResult.NO_ANSWER, now=at)
    assert campaign.pace(now=at + timedelta(hours=2), agents_ready=1).actions == ()
    assert campaign.next_deadline() == datetime(2026, 1, 12, 13, 0, tzinfo=UTC)  # 08:00 EST


# --- callbacks ------------------------------------------------------------------------


def test_a_callback_is_dialed_at_the_asked_time() -> None:
    """The customer asks for 22:30 their time: not dialed before, dialed then, marked a callback."""
    campaign = progressive(retry=RetryPolicy(max_attempts=1))
    at = datetime(2026, 1, 12, 20, 0, tzinfo=UTC)  # 15:00 EST
    campaign.add_contacts([person("cb", "America/New_York")], now=at)
    dial = dials(campaign, at, 1)[0]
    campaign.call_result(dial.attempt_id, CallResult.LIVE_ANSWER, now=at)
    campaign.connected(dial.attempt_id, now=at, agent="a")
    asked = datetime(2026, 1, 12, 22, 30, tzinfo=ZoneInfo("America/New_York"))
    campaign.finish(dial.attempt_id, now=at, callback_at=asked)
    assert campaign.next_deadline() == asked
    assert campaign.pace(now=asked - timedelta(seconds=1), agents_ready=1).actions == ()
    again = dials(campaign, asked, 1)
    assert len(again) == 1
    assert again[0].callback
    assert campaign.attempts_of("cb") == 2  # beyond max_attempts=1: the customer asked
    campaign.call_result(again[0].attempt_id, CallResult.LIVE_ANSWER, now=asked)
    campaign.connected(again[0].attempt_id, now=asked, agent="a")
    campaign.finish(again[0].attempt_id, now=asked, converted=True)
    assert campaign.disposition("cb") is Disposition.CONVERTED


def test_dispositions_follow_the_agents_verdict() -> None:
    """Wrong party, contacted, converted, do-not-call: one final disposition each."""
    campaign = progressive()
    at = datetime(2026, 1, 12, 15, 0, tzinfo=UTC)
    campaign.add_contacts([person(c, "America/New_York") for c in "wxyz"], now=at)
    verdicts = {
        "w": {"right_party": False},
        "x": {},
        "y": {"converted": True},
        "z": {"do_not_call": True},
    }
    for action in dials(campaign, at, 4):
        campaign.call_result(action.attempt_id, CallResult.LIVE_ANSWER, now=at)
        campaign.connected(action.attempt_id, now=at, agent="a")
        campaign.finish(action.attempt_id, now=at, **verdicts[action.contact.id])  # type: ignore[arg-type]
    assert [campaign.disposition(c) for c in "wxyz"] == [
        Disposition.WRONG_PARTY,
        Disposition.CONTACTED,
        Disposition.CONVERTED,
        Disposition.DO_NOT_CALL,
    ]
    report = campaign.report(now=at)
    assert (report.connects, report.right_party_contacts, report.conversions) == (4, 3, 1)
    assert report.dispositions == {
        "contacted": 1,
        "converted": 1,
        "do_not_call": 1,
        "wrong_party": 1,
    }
