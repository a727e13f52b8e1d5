"""Refused campaign commands change nothing; snapshots carry a campaign across a restart."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import datetime, timedelta, timezone
from typing import Any

import pytest

from callcore.campaigns import (
    CallResult,
    Campaign,
    CampaignContact,
    CampaignSettings,
    DialingMode,
    Disposition,
    RetryPolicy,
)
from callcore.errors import (
    CallcoreError,
    DocumentError,
    InvalidInputError,
    InvalidTransitionError,
    NotFoundError,
)
from callcore.testing.campaigns import counter_ids

UTC = timezone.utc
NOW = datetime(2026, 1, 12, 15, 0, tzinfo=UTC)
SETTINGS = CampaignSettings(name="c", mode=DialingMode.PROGRESSIVE, queue="q")


def busy_campaign() -> Campaign:
    """A campaign with a waiting, a ringing, a queued and a talking contact."""
    campaign = Campaign(SETTINGS, id_factory=counter_ids())
    campaign.add_contacts(
        [
            CampaignContact(
                id=f"c{i}",
                number=f"+{i}",
                zone="America/Chicago",
                country="US",
                attributes={"language": "en", "n": i},
            )
            for i in range(4)
        ],
        now=NOW,
    )
    campaign.pace(now=NOW, agents_ready=3)  # a1..a3 ring, c3 waits
    campaign.call_result("a2", CallResult.LIVE_ANSWER, now=NOW)
    campaign.call_result("a3", CallResult.LIVE_ANSWER, now=NOW)
    campaign.connected("a3", now=NOW, agent="ana")
    return campaign


LATER = NOW + timedelta(seconds=1)


def _any(value: object) -> Any:
    return value


REFUSED: list[tuple[str, Callable[[Campaign], object], type[CallcoreError], str | None]] = [
    (
        "past now",
        lambda c: c.pace(now=NOW - timedelta(1), agents_ready=1),
        InvalidInputError,
        "now",
    ),
    ("naive now", lambda c: c.advance(now=datetime(2026, 1, 12)), InvalidInputError, "now"),  # noqa: DTZ001
    (
        "negative agents",
        lambda c: c.pace(now=LATER, agents_ready=-1),
        InvalidInputError,
        "agents_ready",
    ),
    (
        "bool agents",
        lambda c: c.pace(now=LATER, agents_ready=True),
        InvalidInputError,
        "agents_ready",
    ),
    (
        "contacts not a list",
        lambda c: c.add_contacts(_any("c9"), now=LATER),
        InvalidInputError,
        "contacts",
    ),
    (
        "not a contact",
        lambda c: c.add_contacts([_any({"id": "x"})], now=LATER),
        InvalidInputError,
        "contacts[0]",
    ),
    (
        "duplicate id",
        lambda c: c.add_contacts(
            [CampaignContact(id="c0", number="+9", zone="UTC", country="US")], now=LATER
        ),
        InvalidInputError,
        "contacts[0].id",
    ),
    ("numbers a string", lambda c: c.suppress(_any("+1"), now=LATER), InvalidInputError, "numbers"),
    ("empty number", lambda c: c.suppress([""], now=LATER), InvalidInputError, "numbers[0]"),
    (
        "unknown attempt",
        lambda c: c.call_result("zz", CallResult.BUSY, now=LATER),
        NotFoundError,
        None,
    ),
    (
        "result of a talking call",
        lambda c: c.call_result("a3", CallResult.BUSY, now=LATER),
        InvalidTransitionError,
        None,
    ),
    (
        "result not an enum",
        lambda c: c.call_result("a1", _any("busy"), now=LATER),
        InvalidInputError,
        "result",
    ),
    (
        "connect a ringing call",
        lambda c: c.connected("a1", now=LATER, agent="x"),
        InvalidTransitionError,
        None,
    ),
    (
        "connect without agent",
        lambda c: c.connected("a2", now=LATER, agent=""),
        InvalidInputError,
        "agent",
    ),
    ("finish a queued call", lambda c: c.finish("a2", now=LATER), InvalidTransitionError, None),
    (
        "converted wrong party",
        lambda c: c.finish("a3", now=LATER, right_party=False, converted=True),
        InvalidInputError,
        "converted",
    ),
    (
        "callback in the past",
        lambda c: c.finish("a3", now=LATER, callback_at=NOW),
        InvalidInputError,
        "callback_at",
    ),
    (
        "callback and dnc",
        lambda c: c.finish("a3", now=LATER, do_not_call=True, callback_at=LATER + timedelta(1)),
        InvalidInputError,
        "callback_at",
    ),
    (
        "verdict not a bool",
        lambda c: c.finish("a3", now=LATER, converted=_any(1)),
        InvalidInputError,
        "converted",
    ),
    (
        "accept no preview",
        lambda c: c.accept_preview("c3", now=LATER, agent="a"),
        InvalidTransitionError,
        None,
    ),
    ("skip unknown", lambda c: c.skip_preview("nope", now=LATER), NotFoundError, None),
]


@pytest.mark.parametrize(("name", "call", "error", "field"), REFUSED, ids=[r[0] for r in REFUSED])
def test_a_refused_command_changes_nothing(
    name: str, call: Callable[[Campaign], object], error: type[CallcoreError], field: str | None
) -> None:
    """The command raises the documented class naming the field, and the state is byte-identical."""
    campaign = busy_campaign()
    before = json.dumps(campaign.snapshot(), sort_keys=True)
    deadline = campaign.next_deadline()
    with pytest.raises(error) as raised:
        call(campaign)
    if field is not None:
        assert getattr(raised.value, "field", None) == field
    assert json.dumps(campaign.snapshot(), sort_keys=True) == before
    assert campaign.next_deadline() == deadline


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"mode": DialingMode.PREDICTIVE}, "queue"),
        ({"mode": DialingMode.AGENTLESS}, "flow"),
        ({"mode": "preview", "queue": "q"}, "mode"),
        ({"mode": DialingMode.PREVIEW, "queue": "q", "abandon_target": 1.0}, "abandon_target"),
        (
            {"mode": DialingMode.PREVIEW, "queue": "q", "pacing_horizon": timedelta(days=2)},
            "pacing_horizon",
        ),
        ({"mode": DialingMode.PREVIEW, "queue": "q", "windows": {"usa": None}}, "windows"),
    ],
)
def test_settings_refuse_what_the_mode_cannot_use(changes: dict[str, Any], field: str) -> None:
    """A campaign without its queue or flow, or with values out of range, is refused by field."""
    with pytest.raises(InvalidInputError) as raised:
        CampaignSettings(name="c", **changes)
    assert raised.value.field == field


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"zone": "Mars/Olympus"}, "zone"),
        ({"country": "usa"}, "country"),
        ({"number": ""}, "number"),
        ({"attributes": {"x": object()}}, "attributes.x"),
    ],
)
def test_a_contact_refuses_bad_fields(fields: dict[str, Any], field: str) -> None:
    """Zone, country, number and attributes are checked where they enter."""
    base = {"id": "c", "number": "+1", "zone": "UTC", "country": "US"}
    with pytest.raises(InvalidInputError) as raised:
        CampaignContact(**{**base, **fields})
    assert raised.value.field == field


def test_retry_policy_refuses_unknown_results() -> None:
    """A delay for a result that is not retryable is refused."""
    with pytest.raises(InvalidInputError, match="unknown call result"):
        RetryPolicy(delays={"live_answer": timedelta(1)})


def _drive(campaign: Campaign, start: datetime) -> list[object]:
    """The same inputs after a snapshot: answers, connects, abandons, finishes, pacing."""
    out: list[object] = []
    out += campaign.advance(now=start + timedelta(seconds=5)).actions
    out += campaign.call_result("a1", CallResult.NO_ANSWER, now=start + timedelta(seconds=5)).events
    out += campaign.finish(
        "a3", now=start + timedelta(minutes=2), callback_at=start + timedelta(hours=1)
    ).events
    out += campaign.pace(now=start + timedelta(hours=5), agents_ready=5).actions
    out.append(campaign.next_deadline())
    out.append(campaign.report(now=start + timedelta(hours=5)))
    return out


def test_a_restored_campaign_goes_on_as_the_original() -> None:
    """Snapshot to JSON and restore: the same inputs give the same events and actions."""
    original = busy_campaign()
    data = json.loads(json.dumps(original.snapshot()))
    restored = Campaign.restore(SETTINGS, data, id_factory=counter_ids())
    for _ in range(3):
        restored.id_factory()  # the original has used a1..a3
    assert restored.snapshot() == original.snapshot()
    assert _drive(restored, NOW) == _drive(original, NOW)


@pytest.mark.parametrize(
    "broken",
    [
        {},
        {"version": 2},
        {"version": 1, "last": 5},
        {
            "version": 1,
            "last": None,
            "suppressed": [],
            "totals": {},
            "answers": [],
            "contacts": [{"id": "x"}],
        },
    ],
)
def test_restore_refuses_what_is_not_a_snapshot(broken: dict[str, Any]) -> None:
    """Broken snapshot data raises DocumentError."""
    with pytest.raises(DocumentError):
        Campaign.restore(SETTINGS, broken)


def test_a_stopped_campaign_cancels_and_takes_no_more() -> None:
    """stop(): waiting contacts are cancelled, a later callback too, and no contact can join."""
    campaign = busy_campaign()
    update = campaign.stop(now=LATER)
    assert [e.contact_id for e in update.events] == ["c3"]  # type: ignore[attr-defined]
    campaign.finish("a3", now=LATER, callback_at=LATER + timedelta(hours=1))
    campaign.call_result("a1", CallResult.BUSY, now=LATER)
    assert campaign.disposition("c2") is Disposition.CANCELLED
    assert campaign.disposition("c0") is Disposition.CANCELLED
    before = json.dumps(campaign.snapshot(), sort_keys=True)
    with pytest.raises(InvalidTransitionError):
        campaign.add_contacts(
            [CampaignContact(id="new", number="+9", zone="UTC", country="US")], now=LATER
        )
    assert json.dumps(campaign.snapshot(), sort_keys=True) == before
    assert campaign.pace(now=LATER + timedelta(days=1), agents_ready=5).actions == ()
