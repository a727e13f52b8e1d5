"""A campaign keeps the same instants whatever zone its times come in (issue 12).

Its calling windows are read on each contact's own clock (a local-calendar
rule); the zone a ``now`` is given in must change nothing.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from callcore.calendar import OpeningRange, WeeklyHours
from callcore.campaigns import (
    CallResult,
    Campaign,
    CampaignContact,
    CampaignSettings,
    DialContact,
    DialingMode,
    EnqueueCall,
    PreviewContact,
    RetryPolicy,
)
from callcore.serialization import to_dict
from callcore.testing.campaigns import DialerLoop, Verdict, counter_ids
from tests.time.instants import BUCHAREST, UTC, timelines, update_view, utc_view

MINUTE = timedelta(minutes=1)
# windows whose edges sit by the clock changes of the contacts' zones
WINDOWS = {
    "RO": WeeklyHours.every_day(
        OpeningRange(time(0), time(3, 30)), OpeningRange(time(4, 10), time(0))
    ),
    "GB": WeeklyHours.every_day(OpeningRange(time(0), time(0))),  # the whole day
    "US": WeeklyHours.every_day(
        OpeningRange(time(0), time(1, 40)), OpeningRange(time(2, 30), time(0))
    ),
}
CONTACTS = [
    CampaignContact(id="ro1", number="+40700000001", zone="Europe/Bucharest", country="RO"),
    CampaignContact(id="ro2", number="+40700000002", zone="Europe/Bucharest", country="RO"),
    CampaignContact(id="us1", number="+15550000001", zone="America/New_York", country="US"),
    CampaignContact(id="us2", number="+15550000002", zone="America/New_York", country="US"),
]
RESULTS = (CallResult.NO_ANSWER, CallResult.BUSY, CallResult.LIVE_ANSWER)


def _script(action: DialContact, tries: int) -> CallResult:
    return RESULTS[(tries + len(action.contact.id)) % len(RESULTS)]


def _settings(mode: DialingMode) -> CampaignSettings:
    return CampaignSettings(
        name="spring", mode=mode, queue="sales", windows=WINDOWS,
        retry=RetryPolicy(max_attempts=4, delays={"no_answer": 25 * MINUTE, "busy": 7 * MINUTE}),
    )  # fmt: skip


def _run(mode: DialingMode, times: list[datetime]) -> list[Any]:
    """Drive the campaign by hand: each step's ``now`` goes to it as given.

    Results of the previous step's dials come first, then the end of a call
    connected a step before (a callback asked for 50 minutes later, given in
    the zone of ``now``, for the third attempt), then timers and pacing.
    """
    campaign = Campaign(_settings(mode), id_factory=counter_ids())
    campaign.add_contacts(CONTACTS, now=times[0])
    dialed: list[DialContact] = []
    talking: list[str] = []
    tries: dict[str, int] = {}
    outcomes: list[Any] = []
    for now in times:
        updates = []
        for attempt in talking:
            later = (now.astimezone(UTC) + 50 * MINUTE).astimezone(now.tzinfo)
            callback_at = later if attempt == "a3" else None
            updates.append(campaign.finish(attempt, now=now, callback_at=callback_at))
        talking = []
        for action in dialed:
            tries[action.contact.id] = tries.get(action.contact.id, 0) + 1
            result = _script(action, tries[action.contact.id])
            answered = campaign.call_result(action.attempt_id, result, now=now)
            updates.append(answered)
            if any(isinstance(queued, EnqueueCall) for queued in answered.actions):
                updates.append(campaign.connected(action.attempt_id, now=now, agent="ana"))
            if result is CallResult.LIVE_ANSWER:  # (a preview's agent is on the line)
                talking.append(action.attempt_id)
        dialed = []
        updates.append(campaign.advance(now=now))
        paced = campaign.pace(now=now, agents_ready=0 if talking else 1)
        for wanted in paced.actions:
            if isinstance(wanted, PreviewContact):
                accepted = campaign.accept_preview(wanted.contact.id, now=now, agent="ana")
                updates.append(accepted)
                dialed.extend(a for a in accepted.actions if isinstance(a, DialContact))
            elif isinstance(wanted, DialContact):
                dialed.append(wanted)
        updates.append(paced)
        deadline = campaign.next_deadline()
        outcomes.append((update_view(updates), deadline and deadline.astimezone(UTC)))
    outcomes.append(utc_view(campaign.snapshot()))
    outcomes.append(utc_view(to_dict(campaign.report(now=times[-1]))))
    return outcomes


def _loop(times: list[datetime]) -> Any:
    """The testing kit's dialer loop, stepped at ``times``."""
    campaign = Campaign(_settings(DialingMode.PROGRESSIVE), id_factory=counter_ids())
    campaign.add_contacts(CONTACTS, now=times[0])
    loop = DialerLoop(
        campaign, _script, agents=1, ring=timedelta(seconds=20), talk=3 * MINUTE,
        verdict=lambda attempt: Verdict(callback_in=50 * MINUTE if attempt == "a3" else None),
    )  # fmt: skip
    for now in times:
        loop.step(now)
    return utc_view([to_dict(event) for event in loop.events])


@given(st.sampled_from([DialingMode.PROGRESSIVE, DialingMode.PREVIEW]), timelines([600] * 30))
def test_a_campaign_driven_in_zones_dials_as_in_utc(
    mode: DialingMode, case: tuple[list[datetime], list[datetime]]
) -> None:
    """Dials, results, retries and a callback at zoned times: the same, as instants."""
    times, zoned = case
    assert _run(mode, zoned) == _run(mode, times)


@given(timelines([600] * 30))
def test_the_dialer_loop_stepped_in_zones_dials_as_in_utc(
    case: tuple[list[datetime], list[datetime]],
) -> None:
    """The testing kit's loop: rings and talks last their real time, fold or not."""
    times, zoned = case
    assert _loop(zoned) == _loop(times)


def test_the_dialer_loop_rings_20_seconds_from_a_time_in_the_repeated_hour() -> None:
    """Dialed at 03:00 EET (fold=1, 01:00 UTC) on 25 October 2026: the result comes at 01:00:20.

    ``now + ring`` in the zone drops the fold: 03:00:20 EEST, 00:00:20 UTC, an
    hour before the dial; the result came with the dial.
    """
    dial = datetime(2026, 10, 25, 3, 0, fold=1, tzinfo=BUCHAREST)
    campaign = Campaign(_settings(DialingMode.PROGRESSIVE), id_factory=counter_ids())
    anytime = CampaignContact(
        id="gb", number="+447700900001", zone="Europe/Bucharest", country="GB"
    )
    campaign.add_contacts([anytime], now=dial)
    loop = DialerLoop(campaign, lambda *_: CallResult.NO_ANSWER, agents=1)
    loop.step(dial)
    assert [event.kind for event in loop.events] == ["campaign.attempt_started"]
    loop.step(datetime(2026, 10, 25, 1, 0, 19, tzinfo=UTC))
    assert len(loop.events) == 1  # still ringing
    loop.step(datetime(2026, 10, 25, 1, 0, 20, tzinfo=UTC))
    assert loop.records[0].ended_at == datetime(2026, 10, 25, 1, 0, 20, tzinfo=UTC)
