"""Benchmark: callcore.wfm staffing against pyworkforce's ErlangC on the same inputs.

Run ``python benchmarks/wfm.py`` (``--quick`` for a smoke run). Every figure is
printed as a ratio against the baseline measured in the same run: pyworkforce's
``ErlangC.required_positions`` when it is installed, otherwise a naive
one-agent-at-a-time search written below. Answers are checked against a
brute-force linear scan with the Erlang B recursion.
"""

from __future__ import annotations

import argparse
import math
import sys
import time
from collections.abc import Callable
from datetime import date, datetime, timedelta, timezone
from datetime import time as dt_time

from callcore.wfm import StaffingTarget, Workload, required_staff

try:
    from pyworkforce.queuing import ErlangC  # type: ignore[import-not-found, import-untyped, unused-ignore]
except ImportError:  # pragma: no cover - depends on the bench environment
    ErlangC = None

AHT = timedelta(seconds=300)


def brute_force(calls: float, interval: timedelta, level: float, threshold: timedelta) -> int:
    """Fewest agents by scanning N upward with the Erlang B recursion (the reference)."""
    load = calls * AHT.total_seconds() / interval.total_seconds()
    blocking = 1.0
    n = 0
    while True:
        n += 1
        blocking = load * blocking / (n + load * blocking)
        if n <= load:
            continue
        waiting = n * blocking / (n - load * (1 - blocking))
        spare = n - load
        decay = math.exp(-spare * threshold.total_seconds() / AHT.total_seconds())
        if 1 - waiting * decay >= level:
            return n


def naive(calls: float, interval: timedelta, level: float, threshold: timedelta) -> int:
    """The fallback baseline: recompute Erlang C from scratch for N = A+1, A+2, ..."""
    load = calls * AHT.total_seconds() / interval.total_seconds()
    n = math.floor(load) + 1
    while True:
        blocking = 1.0
        for k in range(1, n + 1):
            blocking = load * blocking / (k + load * blocking)
        waiting = n * blocking / (n - load * (1 - blocking))
        spare = n - load
        decay = math.exp(-spare * threshold.total_seconds() / AHT.total_seconds())
        if 1 - waiting * decay >= level:
            return n
        n += 1


def baseline(calls: float, interval: timedelta, level: float, threshold: timedelta) -> int:
    """Agents from pyworkforce (minutes everywhere), or from the naive search."""
    if ErlangC is None:
        return naive(calls, interval, level, threshold)
    model = ErlangC(
        transactions=calls,
        aht=AHT.total_seconds() / 60,
        asa=threshold.total_seconds() / 60,  # pyworkforce's "asa" is the SL threshold
        interval=interval.total_seconds() / 60,
        shrinkage=0.0,
    )
    return int(model.required_positions(service_level=level)["raw_positions"])


_TARGETS: dict[tuple[float, timedelta], StaffingTarget] = {}


def ours(calls: float, interval: timedelta, level: float, threshold: timedelta) -> int:
    """Agents from callcore.wfm (a planner builds its target once and reuses it)."""
    target = _TARGETS.get((level, threshold))
    if target is None:
        target = _TARGETS[level, threshold] = StaffingTarget(level, threshold)
    return required_staff(Workload(calls, AHT, interval), target).required


def bare_recursion(calls: float, interval: timedelta, level: float, threshold: timedelta) -> int:
    """A bare 12-line Erlang-B recursion carrying B(c) along c: the floor to beat."""
    aht, seconds = AHT.total_seconds(), threshold.total_seconds()
    load = calls * aht / interval.total_seconds()
    blocking, agents = 1.0, 0
    while True:
        agents += 1
        blocking = load * blocking / (agents + load * blocking)
        if agents > load:
            waiting = agents * blocking / (agents - load * (1.0 - blocking))
            if 1.0 - waiting * math.exp(-(agents - load) * seconds / aht) >= level:
                return agents


def realistic_day() -> list[float]:
    """96 quarter-hours of a mid-sized centre: quiet nights, a 413-call morning peak."""
    volumes: list[float] = []
    for i in range(96):
        hour = i / 4
        morning = math.exp(-(((hour - 10.75) / 1.9) ** 2))
        afternoon = 0.75 * math.exp(-(((hour - 15.0) / 2.4) ** 2))
        volumes.append(round(3 + 410 * max(morning, afternoon)))
    return volumes


def day_volumes() -> list[float]:
    """96 quarter-hours: a double-humped day from 5 to 20,000 calls per interval."""
    volumes: list[float] = []
    for i in range(96):
        hour = i / 4
        morning = math.exp(-(((hour - 10.5) / 2.0) ** 2))
        afternoon = 0.8 * math.exp(-(((hour - 15.0) / 2.5) ** 2))
        volumes.append(round(5 + 19_995 * max(morning, afternoon)))
    return volumes


def timed(run: Callable[[], list[int]], repeats: int) -> tuple[float, list[int]]:
    """Best wall time of ``repeats`` runs, and the answers of the last."""
    best = math.inf
    answers: list[int] = []
    for _ in range(repeats):
        start = time.perf_counter()
        answers = run()
        best = min(best, time.perf_counter() - start)
    return best, answers


Case = tuple[float, timedelta, float, timedelta]


def compare(name: str, cases: list[Case], repeats: int, *, bare: bool = False) -> bool:
    """Time both implementations on ``cases`` and print the ratio; check the answers.

    With ``bare``, the bare Erlang-B recursion is timed too, interleaved with
    callcore, and callcore's ratio against it is printed.
    """
    base_time, base = timed(lambda: [baseline(*case) for case in cases], max(1, repeats // 3))
    our_time, mine = timed(lambda: [ours(*case) for case in cases], repeats)
    truth = [brute_force(*case) for case in cases]
    wrong_base = sum(b != t for b, t in zip(base, truth, strict=True))
    wrong_ours = sum(m != t for m, t in zip(mine, truth, strict=True))
    print(
        f"{name:<34} baseline {base_time * 1e3:9.2f} ms   callcore {our_time * 1e3:8.3f} ms"
        f"   speed-up x{base_time / our_time:8.1f}   baseline wrong {wrong_base}/{len(cases)}"
        f"   callcore wrong {wrong_ours}/{len(cases)}"
    )
    if bare:
        bare_best = ours_best = math.inf
        for _ in range(repeats):  # interleaved, best of each: the machine is noisy
            bare_best = min(bare_best, timed(lambda: [bare_recursion(*c) for c in cases], 1)[0])
            ours_best = min(ours_best, timed(lambda: [ours(*c) for c in cases], 1)[0])
        print(
            f"{'':<34} bare recursion {bare_best * 1e3:8.3f} ms"
            f"   callcore {ours_best * 1e3:8.3f} ms"
            f"   callcore / bare time x{ours_best / bare_best:5.2f}"
        )
    return wrong_ours == 0


def shifts(search_seconds: float) -> None:
    """Cover the realistic day's plan with 8- and 4-hour shifts: callcore against pyworkforce.

    Both minimise paid agent-hours with no interval short (pyworkforce's
    ``MinRequiredResources`` with the shift lengths as costs, OR-Tools CP-SAT).
    """
    from callcore.wfm import (  # noqa: PLC0415 - only this section needs them
        IntervalDemand,
        ShiftType,
        schedule_shifts,
        staffing_plan,
    )

    quarter = timedelta(minutes=15)
    start = datetime(2026, 3, 2, tzinfo=timezone.utc)
    demand = [
        IntervalDemand(start + i * quarter, calls, AHT) for i, calls in enumerate(realistic_day())
    ]
    plan = staffing_plan(demand, StaffingTarget(0.8, timedelta(seconds=20), shrinkage=0.3), quarter)
    required = [row.scheduled for row in plan.rows]
    lengths = {"8h": 8, "4h": 4}
    types = [
        ShiftType(name, hours * timedelta(hours=1), tuple(dt_time(h) for h in range(25 - hours)))
        for name, hours in lengths.items()
    ]
    began = time.perf_counter()
    ours_cover = schedule_shifts(plan, types)
    our_time = time.perf_counter() - began
    our_hours = sum(s.agents * (s.end - s.start).total_seconds() / 3600 for s in ours_cover.shifts)
    need = sum(required) / 4
    print(
        f"shifts, realistic day ({need:.0f} agent-hours needed): callcore {our_hours:.0f} paid "
        f"agent-hours, short {ours_cover.shortage}, in {our_time * 1e3:.0f} ms"
    )
    try:
        from pyworkforce.scheduling import (  # type: ignore[import-not-found, import-untyped, unused-ignore]  # noqa: PLC0415
            MinRequiredResources,
        )
    except ImportError:  # pragma: no cover - depends on the bench environment
        print("  pyworkforce not installed: no comparison")
        return
    coverage = {}
    for name, hours in lengths.items():
        for h in range(25 - hours):
            coverage[f"{name}@{h:02}"] = [int(4 * h <= p < 4 * (h + hours)) for p in range(96)]
    model = MinRequiredResources(
        num_days=1,
        periods=96,
        shifts_coverage=coverage,
        required_resources=[required],
        max_period_concurrency=10_000,
        max_shift_concurrency=1_000,
        cost_dict={key: lengths[key.split("@")[0]] for key in coverage},
        max_search_time=search_seconds,
    )
    began = time.perf_counter()
    solution = model.solve()
    their_time = time.perf_counter() - began
    print(
        f"  pyworkforce MinRequiredResources: {solution['status']}, "
        f"{solution['cost']:.0f} paid agent-hours in {their_time * 1e3:.0f} ms; "
        f"callcore / pyworkforce cost x{our_hours / solution['cost']:.3f}"
    )


def _series(weeks: int, seed: int) -> tuple[list[list[float]], list[list[float]]]:
    """The accuracy test's synthetic series: (truth, observed) for weeks + 1 weeks."""
    import random  # noqa: PLC0415 - only this section needs it

    weekday = (1.15, 1.0, 0.97, 0.95, 1.05, 0.55, 0.35)
    truth = []
    for day in range(weeks * 7 + 7):
        row = []
        for slot in range(28):
            hour = 7 + slot / 2
            shape = (
                20
                + 110 * math.exp(-(((hour - 10.5) / 1.8) ** 2))
                + 60 * math.exp(-(((hour - 15.0) / 2.2) ** 2))
            )
            row.append(shape * weekday[day % 7] * (1 + 0.004 * day))
        truth.append(row)
    rng = random.Random(seed)
    observed = [[max(0.0, float(round(rng.gauss(m, math.sqrt(m))))) for m in row] for row in truth]
    return truth, observed


def accuracy(weeks: int = 8, seeds: int = 5) -> None:
    """WAPE over the noise floor of each method, and of statsmodels' fitted Holt-Winters."""
    from callcore.wfm import (  # noqa: PLC0415 - only this section needs them
        AutoForecast,
        DailyGrid,
        HoltWinters,
        SeasonalAverage,
        wape,
    )

    def flat(rows: list[list[float]]) -> list[float]:
        return [value for row in rows for value in row]

    slots = tuple(dt_time(7 + s // 2, 30 * (s % 2)) for s in range(28))
    ratios: dict[str, list[float]] = {}
    for seed in range(seeds):
        truth, observed = _series(weeks, seed)
        history, future = observed[: weeks * 7], flat(observed[weeks * 7 :])
        floor = wape(future, flat(truth[weeks * 7 :]))
        grid = DailyGrid(date(2026, 1, 5), slots, tuple(tuple(row) for row in history))
        guesses = {
            "same interval last week": flat(history[-7:]),
            "SeasonalAverage()": flat(SeasonalAverage().predict(grid, 7)),
            "HoltWinters() fitted": flat(HoltWinters().predict(grid, 7)),
            "AutoForecast()": flat(AutoForecast().predict(grid, 7)),
        }
        try:
            import warnings  # noqa: PLC0415

            from statsmodels.tsa.holtwinters import (  # type: ignore[import-not-found, import-untyped, unused-ignore]  # noqa: PLC0415
                ExponentialSmoothing,
            )

            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                fit = ExponentialSmoothing(
                    flat(history), trend="add", seasonal="add", seasonal_periods=7 * 28
                ).fit()
            guesses["statsmodels fitted"] = [max(0.0, v) for v in fit.forecast(7 * 28)]
        except ImportError:  # pragma: no cover - depends on the bench environment
            pass
        for name, guess in guesses.items():
            ratios.setdefault(name, []).append(wape(future, guess) / floor)
    for name, values in ratios.items():
        print(f"  {name:<26} WAPE / noise floor {sum(values) / len(values):.3f}")


def main() -> int:
    """Run the benchmark and return a process exit code (1 if any answer was wrong)."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="one short smoke run")
    parser.add_argument("--shifts", action="store_true", help="also compare shift covers")
    parser.add_argument("--accuracy", action="store_true", help="also score forecasts")
    args = parser.parse_args()
    if args.accuracy:
        print("forecast accuracy, 8 weeks of history, mean of 5 seeds:")
        accuracy()
    if args.shifts:
        shifts(search_seconds=5.0 if args.quick else 60.0)
    repeats = 1 if args.quick else 9
    print(f"baseline: {'pyworkforce ErlangC.required_positions' if ErlangC else 'naive search'}")
    quarter, half = timedelta(minutes=15), timedelta(minutes=30)
    sl20, sl30 = timedelta(seconds=20), timedelta(seconds=30)
    ok = compare(
        "realistic day: 96 x 15 min, 3..413",
        [(calls, quarter, 0.8, sl20) for calls in realistic_day()],
        repeats,
        bare=True,
    )
    ok &= compare(
        "day: 96 x 15 min, 5..20,000 calls",
        [(calls, quarter, 0.8, sl20) for calls in day_volumes()],
        repeats,
    )
    ok &= compare("20,000 calls / 30 min, 90/30", [(20_000, half, 0.9, sl30)], repeats)
    ok &= compare("200,000 calls / 30 min, 90/30", [(200_000, half, 0.9, sl30)], repeats)
    small: list[Case] = [(float(calls), half, 0.8, sl20) for calls in range(1, 41)]
    ok &= compare("small loads: 1..40 calls / 30 min", small, repeats)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
