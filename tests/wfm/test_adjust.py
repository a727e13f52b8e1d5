"""Special days and the intraday re-forecast."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

import pytest

from callcore.errors import InvalidInputError
from callcore.wfm import Forecast, IntervalDemand, reforecast_intraday, special_days

UTC = timezone.utc
HALF = timedelta(minutes=30)
AHT = timedelta(minutes=3)
MONDAY = datetime(2026, 3, 2, 9, tzinfo=UTC)


def _forecast(days: int = 2) -> Forecast:
    items = [
        IntervalDemand(MONDAY + timedelta(days=day) + i * HALF, 100.0 + 10 * i, AHT)
        for day in range(days)
        for i in range(4)
    ]
    return Forecast("seasonal_average", HALF, tuple(items))


def test_special_days_scale_a_date_and_override_an_interval() -> None:
    """Monday x0.5, Tuesday 09:30 set to 7 calls; the rest as forecast."""
    tuesday_930 = MONDAY + timedelta(days=1) + HALF
    result = special_days(
        _forecast(), multipliers={date(2026, 3, 2): 0.5}, overrides={tuesday_930: 7}
    )
    assert [item.calls for item in result.intervals] == [50, 55, 60, 65, 100, 7, 120, 130]
    assert result.method == "seasonal_average+special_days"
    with pytest.raises(InvalidInputError) as caught:
        special_days(_forecast(), overrides={MONDAY + timedelta(days=5): 1})
    assert caught.value.field == "overrides"
    with pytest.raises(InvalidInputError) as caught:
        special_days(_forecast(), multipliers={date(2026, 3, 2): -1})
    assert caught.value.field == "multipliers[2026-03-02]"


def test_intraday_reforecast_scales_the_rest_of_today() -> None:
    """09:00 and 09:30 took 126 calls against 210 forecast: 10:00 and 10:30 scale by 0.6."""
    now = MONDAY + 2 * HALF + timedelta(minutes=5)
    result = reforecast_intraday(_forecast(), {MONDAY: 60, MONDAY + HALF: 66}, now=now)
    calls = [item.calls for item in result.intervals]
    assert calls[:4] == pytest.approx([60, 66, 120 * 0.6, 130 * 0.6])
    assert calls[4:] == [100, 110, 120, 130]  # tomorrow untouched
    with pytest.raises(InvalidInputError) as caught:
        reforecast_intraday(_forecast(), {MONDAY + 3 * HALF: 5}, now=now)  # not ended
    assert caught.value.field == "arrived"


def test_intraday_reforecast_before_anything_ended_changes_nothing() -> None:
    """At 09:10 nothing has ended: the ratio is 1."""
    result = reforecast_intraday(_forecast(), {}, now=MONDAY + timedelta(minutes=10))
    assert [item.calls for item in result.intervals] == [
        item.calls for item in _forecast().intervals
    ]
