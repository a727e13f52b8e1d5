"""Campaign settings, contacts, articles and bot replies are documents: they round-trip."""

from __future__ import annotations

from datetime import datetime, time, timedelta, timezone
from typing import Any

import pytest

from callcore.bots import BotReply
from callcore.calendar import OpeningRange, WeeklyHours
from callcore.campaigns import (
    AttemptRecord,
    CallResult,
    CampaignContact,
    CampaignSettings,
    DialingMode,
    RetryPolicy,
)
from callcore.errors import DocumentError
from callcore.knowledge import Article, KnowledgeQuery
from callcore.serialization import dumps, from_dict, loads, to_dict

AT = datetime(2026, 1, 12, 15, 0, tzinfo=timezone.utc)
VALUES: list[Any] = [
    CampaignSettings(
        name="spring",
        mode=DialingMode.PREDICTIVE,
        queue="sales",
        skills={"sales": 2},
        windows={"US": WeeklyHours.every_day(OpeningRange(time(9), time(20)))},
        retry=RetryPolicy(max_attempts=4, delays={"busy": timedelta(minutes=3)}),
        pacing_horizon=timedelta(minutes=10),
    ),
    CampaignContact(
        id="c1",
        number="+15550100",
        zone="America/Denver",
        country="US",
        attributes={"name": "Ana", "balance": [1, 2]},
    ),
    AttemptRecord(
        attempt_id="a1",
        contact_id="c1",
        campaign="spring",
        mode=DialingMode.PREVIEW,
        queue="sales",
        dialed_at=AT,
        ended_at=AT,
        result=CallResult.BUSY,
    ),
    Article(id="kb1", title="Block a card", tags=("lost_card",)),
    KnowledgeQuery(text="lost card", intent="lost_card", limit=3),
    BotReply(say="Connecting you.", variables={"a": 1}, handoff=True, summary="s"),
]


@pytest.mark.parametrize("value", VALUES, ids=lambda value: type(value).__name__)
def test_values_round_trip(value: Any) -> None:
    """to_dict/from_dict and dumps/loads give the value back."""
    assert from_dict(type(value), to_dict(value)) == value
    assert loads(type(value), dumps(value)) == value


@pytest.mark.parametrize(
    ("data", "path"),
    [
        ({"name": "x", "mode": "fast", "queue": "q"}, "mode"),
        ({"name": "x", "mode": "progressive", "queue": "q", "max_lines": 0}, "max_lines"),
        ({"name": "x", "mode": "progressive"}, "queue"),
    ],
)
def test_a_bad_settings_document_names_the_field(data: dict[str, Any], path: str) -> None:
    """A settings document with a bad field is refused with the field's path."""
    with pytest.raises(DocumentError) as caught:
        from_dict(CampaignSettings, data)
    assert path in {problem.path for problem in caught.value.problems}
