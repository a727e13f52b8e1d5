"""Service level: the five published variants, on the issue's worked counts."""

from __future__ import annotations

import math
from datetime import datetime, timedelta, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st

from callcore.contacts import Channel, Direction
from callcore.errors import InvalidInputError
from callcore.kpi import (
    Aggregator,
    ContactOutcome,
    InteractionRecord,
    ServiceLevelVariant,
    evaluate,
    service_level,
)

# answered 1000 (860 within 20 s), abandoned 60 (20 within 20 s, 10 within 5 s)
WORKED = {
    "answered": 1000,
    "answered_within": 860,
    "abandoned": 60,
    "abandoned_within": 20,
    "short_abandoned": 10,
}
EXPECTED_PERCENT = {
    ServiceLevelVariant.ABANDONS_POSITIVE: 83.0,  # (860 + 20) / 1060
    ServiceLevelVariant.ANSWERED_ONLY: 86.0,  # 860 / 1000
    ServiceLevelVariant.ABANDONS_NEGATIVE: 81.1,  # 860 / 1060
    ServiceLevelVariant.ABANDONS_IGNORED: 82.7,  # 860 / (1000 + 40)
    ServiceLevelVariant.SHORT_ABANDONS_EXCLUDED: 81.9,  # 860 / (1060 - 10)
}


@pytest.mark.parametrize("variant", list(ServiceLevelVariant))
def test_worked_counts_give_the_published_percentages(variant: ServiceLevelVariant) -> None:
    """Each variant gives the issue's figure on its worked counts."""
    value = service_level(**WORKED, variant=variant)
    assert value is not None
    assert round(100 * value, 1) == EXPECTED_PERCENT[variant]


def _records() -> list[InteractionRecord]:
    """1060 records whose waits reproduce the worked counts."""
    start = datetime(2026, 3, 2, 9, 0, tzinfo=timezone.utc)
    records = []
    for number in range(1060):
        arrived = start + timedelta(seconds=number)
        if number < 1000:
            wait = timedelta(seconds=20 if number < 860 else 21)
            records.append(
                InteractionRecord(
                    id=f"a{number}",
                    channel=Channel.VOICE,
                    direction=Direction.INBOUND,
                    outcome=ContactOutcome.ANSWERED,
                    arrived_at=arrived,
                    queued_at=arrived,
                    answered_at=arrived + wait,
                    ended_at=arrived + wait + timedelta(minutes=3),
                    queue="sales",
                )
            )
        else:
            index = number - 1000  # 10 within 5 s, 10 more within 20 s, 40 after
            seconds = 5 if index < 10 else 20 if index < 20 else 45
            records.append(
                InteractionRecord(
                    id=f"b{number}",
                    channel=Channel.VOICE,
                    direction=Direction.INBOUND,
                    outcome=ContactOutcome.ABANDONED,
                    arrived_at=arrived,
                    queued_at=arrived,
                    ended_at=arrived + timedelta(seconds=seconds),
                    queue="sales",
                )
            )
    return records


def test_aggregated_records_give_the_published_percentages() -> None:
    """Records counted by the aggregator give every variant's worked figure."""
    aggregator = Aggregator()
    aggregator.add_many(_records())
    names = [f"service_level.{variant.value}" for variant in ServiceLevelVariant]
    values = evaluate(aggregator.total(), ["service_level", *names])
    assert round(100 * values["service_level"], 1) == 81.1  # type: ignore[operator]
    for variant in ServiceLevelVariant:
        value = values[f"service_level.{variant.value}"]
        assert round(100 * value, 1) == EXPECTED_PERCENT[variant]  # type: ignore[operator]


def test_no_contacts_gives_none() -> None:
    """With nothing answered or abandoned the service level is undefined, not 0."""
    for variant in ServiceLevelVariant:
        assert (
            service_level(
                answered=0,
                answered_within=0,
                abandoned=0,
                abandoned_within=0,
                short_abandoned=0,
                variant=variant,
            )
            is None
        )


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"answered": -1}, "answered must be at least 0, got -1"),
        ({"answered_within": 1001}, "exceeds answered"),
        ({"abandoned_within": 61}, "must not exceed abandoned"),
    ],
)
def test_impossible_counts_are_refused(change: dict[str, int], message: str) -> None:
    """Negative counts and parts larger than their whole raise."""
    with pytest.raises(InvalidInputError, match=message):
        service_level(**(WORKED | change))  # type: ignore[arg-type]


@given(
    st.integers(0, 500),
    st.integers(0, 500),
    st.integers(0, 500),
    st.integers(0, 500),
    st.integers(0, 500),
)
def test_variants_are_fractions_in_their_known_order(
    answered: int, within_share: int, abandoned: int, aband_within: int, short: int
) -> None:
    """Every variant is in [0, 1]; positive >= ignored >= negative, short >= negative."""
    counts = {
        "answered": answered,
        "answered_within": min(within_share, answered),
        "abandoned": abandoned,
        "abandoned_within": min(aband_within, abandoned),
        "short_abandoned": min(short, aband_within, abandoned),
    }
    values = {variant: service_level(**counts, variant=variant) for variant in ServiceLevelVariant}
    if answered + abandoned == 0:
        assert set(values.values()) == {None}
        return
    defined = {variant: value for variant, value in values.items() if value is not None}
    assert all(0 <= value <= 1 for value in defined.values())
    negative = defined[ServiceLevelVariant.ABANDONS_NEGATIVE]
    assert defined[ServiceLevelVariant.ABANDONS_POSITIVE] >= negative
    if ServiceLevelVariant.ABANDONS_IGNORED in defined:
        assert defined[ServiceLevelVariant.ABANDONS_IGNORED] >= negative
    if ServiceLevelVariant.SHORT_ABANDONS_EXCLUDED in defined:
        assert defined[ServiceLevelVariant.SHORT_ABANDONS_EXCLUDED] >= negative


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"answered": math.nan}, "answered"),
        ({"abandoned": math.inf}, "abandoned"),
        ({"answered_within": 859.5}, "answered_within"),
        ({"short_abandoned": 1.0}, "short_abandoned"),
        ({"abandoned_within": True}, "abandoned_within"),
        ({"answered": "1000"}, "answered"),
        ({"answered": 10**5000}, "answered"),
        ({"variant": "answered_only"}, "variant"),
    ],
)
def test_nan_and_fractional_counts_are_refused(change: dict[str, object], field: str) -> None:
    """The issue's NaN and fractional counts: counts are whole numbers, named when not."""
    with pytest.raises(InvalidInputError) as caught:
        service_level(**(WORKED | change))  # type: ignore[arg-type]
    assert caught.value.field == field
