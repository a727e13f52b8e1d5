"""Random command sequences keep the campaign's promises (checked by independent bookkeeping)."""

from __future__ import annotations

import json
from datetime import datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from hypothesis import event, given
from hypothesis import strategies as st

from callcore.campaigns import (
    CallResult,
    Campaign,
    CampaignContact,
    CampaignSettings,
    ContactFinished,
    DialContact,
    DialingMode,
    EnqueueCall,
    RetryPolicy,
)
from callcore.errors import CallcoreError
from callcore.testing.campaigns import counter_ids

UTC = timezone.utc
START = datetime(2026, 3, 7, 14, 0, tzinfo=UTC)  # the US changes clocks the next day
ZONES = ("America/New_York", "Europe/London", "Australia/Sydney")
NUMBERS = [f"+{i}" for i in range(6)]

commands = st.lists(
    st.one_of(
        st.tuples(st.just("pace"), st.integers(1, 3)),
        st.tuples(st.just("pace"), st.integers(0, 3)),
        st.tuples(st.just("result"), st.sampled_from(list(CallResult))),
        st.tuples(st.just("connect"), st.just(0)),
        st.tuples(st.just("finish"), st.sampled_from(["plain", "dnc", "callback", "converted"])),
        st.tuples(st.just("suppress"), st.sampled_from(NUMBERS)),
        st.tuples(st.just("advance"), st.just(0)),
        st.tuples(st.just("bad"), st.just(0)),
        st.tuples(st.just("restart"), st.just(0)),
    ),
    max_size=60,
)


@given(
    mode=st.sampled_from(list(DialingMode)),
    steps=commands,
    gaps=st.lists(st.sampled_from([0, 1, 60, 3600, 4 * 3600]), min_size=60, max_size=60),
)
def test_random_sequences_keep_the_promises(  # noqa: C901, PLR0912, PLR0915 - a driver: a branch per command
    mode: DialingMode, steps: list[tuple[str, object]], gaps: list[int]
) -> None:
    """Never dial a suppressed number or outside 8-21 local (callbacks aside); cap attempts."""
    settings = CampaignSettings(
        name="fuzz",
        mode=mode,
        queue="q" if mode is not DialingMode.AGENTLESS else "",
        flow="f" if mode is DialingMode.AGENTLESS else "",
        retry=RetryPolicy(max_attempts=2, delays={"busy": timedelta(0)}),
        pacing_horizon=timedelta(minutes=10),
    )
    campaign = Campaign(settings, id_factory=counter_ids())
    people = [
        CampaignContact(id=f"c{i}", number=NUMBERS[i], zone=ZONES[i % 3], country="US")
        for i in range(len(NUMBERS))
    ]
    now = START
    campaign.add_contacts(people, now=now)
    suppressed: set[str] = set()
    ringing: list[str] = []
    waiting: list[str] = []
    talking: list[str] = []
    callbacks: dict[str, datetime] = {}
    finished: set[str] = set()
    dialed: dict[str, int] = {}
    for (name, arg), gap in zip(steps, gaps, strict=False):
        now += timedelta(seconds=gap)
        if name == "pace":
            update = campaign.pace(now=now, agents_ready=arg)  # type: ignore[arg-type]
            for action in update.actions:
                if mode is DialingMode.PREVIEW:
                    accepted = campaign.accept_preview(action.contact.id, now=now, agent="a")  # type: ignore[union-attr]
                    action = accepted.actions[0]  # noqa: PLW2901
                assert isinstance(action, DialContact)
                contact = action.contact
                assert contact.number not in suppressed
                assert contact.id not in finished
                if action.callback:
                    assert now >= callbacks.pop(contact.id)
                else:
                    local = now.astimezone(ZoneInfo(contact.zone)).time()
                    assert time(8) <= local < time(21)
                dialed[contact.id] = dialed.get(contact.id, 0) + (not action.callback)
                assert dialed[contact.id] <= 2
                ringing.append(action.attempt_id)
        elif name == "result" and ringing:
            update = campaign.call_result(ringing.pop(0), arg, now=now)  # type: ignore[arg-type]
            for action in update.actions:
                target = waiting if isinstance(action, EnqueueCall) else talking
                target.append(action.attempt_id)  # type: ignore[union-attr]
            if mode is DialingMode.PREVIEW and arg is CallResult.LIVE_ANSWER:
                talking.append(update.events[0].attempt_id)  # type: ignore[attr-defined]
        elif name == "connect" and waiting:
            attempt = waiting.pop(0)
            campaign.connected(attempt, now=now, agent="a")
            talking.append(attempt)
        elif name == "finish" and talking:
            attempt = talking.pop(0)
            kind = {
                "plain": {},
                "dnc": {"do_not_call": True},
                "converted": {"converted": True},
                "callback": {"callback_at": now + timedelta(hours=1)},
            }[arg]  # type: ignore[index]
            update = campaign.finish(attempt, now=now, **kind)  # type: ignore[arg-type]
            if arg == "callback" and not any(isinstance(e, ContactFinished) for e in update.events):
                callbacks[update.events[0].record.contact_id] = now + timedelta(hours=1)  # type: ignore[attr-defined]
        elif name == "suppress":
            campaign.suppress([arg], now=now)  # type: ignore[list-item]
            suppressed.add(arg)  # type: ignore[arg-type]
        elif name == "advance":
            update = campaign.advance(now=now)
            for action in update.actions:
                waiting.remove(action.attempt_id)  # type: ignore[union-attr]
        elif name == "restart":
            data = json.loads(json.dumps(campaign.snapshot()))
            restored = Campaign.restore(settings, data, id_factory=campaign.id_factory)
            assert restored.snapshot() == campaign.snapshot()
            assert restored.next_deadline() == campaign.next_deadline()
            campaign = restored
        elif name == "bad":
            before = json.dumps(campaign.snapshot(), sort_keys=True)
            with pytest.raises(CallcoreError):
                campaign.pace(now=START - timedelta(days=1), agents_ready=1)
            assert json.dumps(campaign.snapshot(), sort_keys=True) == before
        finished |= {c.id for c in people if campaign.disposition(c.id) is not None}
    event(f"dials: {min(sum(dialed.values()), 5)}+, finished: {len(finished)}")
