"""Forecast tomorrow's calls from four weeks of history and print a staffing plan.

Run with ``python examples/wfm_staffing_plan.py``. The history is made up but
deterministic: a weekday profile with a morning peak, a gentle upward trend
and a fixed wobble.
"""

from __future__ import annotations

import math
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from callcore.wfm import (
    AutoForecast,
    ForecastMethod,
    HoltWinters,
    IntervalDemand,
    SeasonalAverage,
    StaffingTarget,
    backtest,
    forecast,
    staffing_plan,
)

ZONE = ZoneInfo("Europe/London")
FIRST_DAY = date(2026, 2, 2)  # a Monday
HALF_HOUR = timedelta(minutes=30)


def history() -> list[IntervalDemand]:
    """Four weeks of half-hours from 08:00 to 18:00, with handle times."""
    records = []
    for day in range(28):
        current = FIRST_DAY + timedelta(days=day)
        weekday_factor = (1.2, 1.0, 0.95, 0.9, 1.1, 0.45, 0.3)[current.weekday()]
        for slot in range(20):
            hour = 8 + slot / 2
            shape = (
                40
                + 110 * math.exp(-(((hour - 10.5) / 1.8) ** 2))
                + 50 * math.exp(-(((hour - 14.5) / 2.0) ** 2))
            )
            trend = 1 + 0.01 * day
            wobble = 1 + 0.06 * math.sin(day * 1.7 + slot)
            calls = round(shape * weekday_factor * trend * wobble)
            aht = timedelta(seconds=round(250 + 30 * math.cos(slot / 3)))
            start = datetime.combine(current, time(8 + slot // 2, 30 * (slot % 2)), tzinfo=ZONE)
            records.append(IntervalDemand(start, calls, aht))
    return records


def main() -> None:
    """Score three methods, forecast Monday with the best, and staff it."""
    past = history()
    methods: list[ForecastMethod] = [SeasonalAverage(weeks=3), HoltWinters(), AutoForecast()]
    scores = [backtest(past, method, holdout_days=7) for method in methods]
    print("Backtest on the last week of history:")
    for score in scores:
        print(
            f"  {score.method:<17} MAPE {score.mape:6.1%}   WAPE {score.wape:6.1%}"
            f"   sMAPE {score.smape:6.1%}"
        )
    best = min(zip(scores, methods, strict=True), key=lambda pair: pair[0].wape)[1]
    monday = forecast(past, best, days=1)
    target = StaffingTarget(service_level=0.8, threshold=timedelta(seconds=20), shrinkage=0.3)
    plan = staffing_plan(monday.intervals, target, HALF_HOUR)
    first = plan.rows[0].start
    print(f"\nStaffing plan for {first:%A %d %B %Y} ({best.name}; 80/20, 30 % shrinkage):\n")
    print(plan.format_table())
    peak = max(plan.rows, key=lambda row: row.scheduled)
    print(f"\nPeak: {peak.scheduled} agents scheduled at {peak.start:%H:%M}; ", end="")
    print(f"{plan.agent_hours:.1f} agent-hours in the day.")


if __name__ == "__main__":
    main()
