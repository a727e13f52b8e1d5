"""Pacing a dialer against a rolling 24-hour window (Ofcom) without crossing the target."""

from __future__ import annotations

import math
import random
from collections.abc import Callable
from datetime import datetime, timedelta, timezone

import pytest

from callcore.errors import InvalidInputError
from callcore.wfm import (
    AdaptiveDialLevel,
    DialerState,
    RollingAbandonWindow,
    budget_ceiling,
    model_pacing,
)

T0 = datetime(2026, 6, 1, 8, tzinfo=timezone.utc)
HOUR = timedelta(hours=1)
MINUTE = timedelta(minutes=1)


def test_counts_follow_the_window() -> None:
    """Answers leave the window 24 hours after they were recorded, not before."""
    window = RollingAbandonWindow()
    window.record(now=T0, live_answers=100)
    window.record(now=T0 + HOUR, live_answers=50, abandoned=5)
    window.record(now=T0 + HOUR, live_answers=10, abandoned=1)  # same instant: one entry
    assert window.counts(now=T0 + 2 * HOUR) == (160, 6)
    assert window.counts(now=T0 + 24 * HOUR - MINUTE) == (160, 6)
    assert window.counts(now=T0 + 24 * HOUR) == (60, 6)
    assert window.counts(now=T0 + 25 * HOUR) == (0, 0)


def test_pacing_counts_are_the_tightest_future_window_by_hand() -> None:
    """At 10 %: 100 clean answers at 08:00, then 50 with 5 abandons at 09:00.

    Now (10:00) the window has room 0.1 x 150 - 5 = 10; once the 08:00 answers
    leave (from 08:00 tomorrow) it has 0.1 x 50 - 5 = 0: that window binds.
    """
    window = RollingAbandonWindow(target=0.1)
    window.record(now=T0, live_answers=100)
    window.record(now=T0 + HOUR, live_answers=50, abandoned=5)
    now = T0 + 2 * HOUR
    assert window.pacing_counts(now=now) == (50, 5)
    assert window.pacing_counts(now=now, horizon=HOUR) == (150, 5)  # 08:00 still inside
    assert window.pacing_counts(now=now, horizon=22 * HOUR) == (50, 5)  # 08:00 gone at 08:00
    assert window.pacing_counts(now=now, horizon=22 * HOUR - MINUTE) == (150, 5)


def test_refusals_change_nothing() -> None:
    """Going back in time, more abandons than answers, a bad horizon: refused, nothing kept."""
    window = RollingAbandonWindow()
    window.record(now=T0, live_answers=10, abandoned=1)
    bad: list[tuple[Callable[[], object], str]] = [
        (lambda: window.record(now=T0 - MINUTE, live_answers=1), "now"),
        (lambda: window.record(now=T0, live_answers=1, abandoned=2), "abandoned"),
        (lambda: window.record(now=T0, live_answers=-1), "live_answers"),
        (lambda: window.record(now=T0.replace(tzinfo=None), live_answers=1), "now"),
        (lambda: window.pacing_counts(now=T0, horizon=timedelta(hours=25)), "horizon"),
        (lambda: window.pacing_counts(now=T0, horizon=timedelta(0)), "horizon"),
        (lambda: RollingAbandonWindow(target=1.0), "target"),
        (lambda: RollingAbandonWindow(window=timedelta(0)), "window"),
    ]
    for call, field in bad:
        with pytest.raises(InvalidInputError) as caught:
            call()
        assert caught.value.field == field
    assert window.counts(now=T0) == (10, 1)


def test_pacing_on_the_window_so_far_lets_a_later_window_break_the_target() -> None:
    """By hand, at 3 %: a clean burst of 1,000 answers at 08:00, 100 with 3 abandons at 09:00.

    At 10:00 with 10 agents ready, the window so far (1,100 answers, 3 abandons)
    allows floor((33 - 3 + 10) / 0.97) = 41 lines. If all 41 answer, 31 are
    abandoned, and at 08:00 tomorrow, the burst gone, the window holds 141
    answers and 34 abandons: 24 %. Pacing against the future windows allows 10
    lines (the window without the burst has no room), which no answers can spoil.
    """
    window = RollingAbandonWindow()
    window.record(now=T0, live_answers=1000)
    window.record(now=T0 + HOUR, live_answers=100, abandoned=3)
    now = T0 + 2 * HOUR

    def ceiling(answers: int, abandoned: int) -> int:
        return budget_ceiling(_state(ready=10, answers=answers, abandoned=abandoned))

    assert ceiling(*window.counts(now=now)) == 41
    assert window.pacing_counts(now=now) == (100, 3)
    lines = ceiling(*window.pacing_counts(now=now))
    assert lines == 10
    for answered in range(lines + 1):  # every outcome of those lines
        later = RollingAbandonWindow()
        for entry in [(T0, 1000, 0), (T0 + HOUR, 100, 3), (now, answered, max(0, answered - 10))]:
            later.record(now=entry[0], live_answers=entry[1], abandoned=entry[2])
        for moment in (now, T0 + 24 * HOUR, T0 + 25 * HOUR):
            answers, abandoned = later.counts(now=moment)
            assert abandoned <= 0.03 * answers


AGENTS, ANSWER_RATE, AHT, TARGET = 20, 0.3, timedelta(minutes=3), 0.03


def _state(*, ready: int, answers: int, abandoned: int) -> DialerState:
    return DialerState(
        agents_ready=ready,
        agents_busy=AGENTS - ready,
        lines_in_flight=0,
        answer_rate=ANSWER_RATE,
        aht=AHT,
        connect_delay=timedelta(0),
        live_answers=answers,
        abandoned=abandoned,
        target=TARGET,
    )


def _campaign(decide: Callable[[RollingAbandonWindow, datetime, int], int], seed: int) -> float:
    """Three 12-hour days (08:00-20:00) of one decision a minute; the worst rolling rate.

    The rate is measured on the true rolling counts over the 24 hours before
    every minute from the first decision to 24 hours after the last.
    """
    rng = random.Random(seed)
    window = RollingAbandonWindow(target=TARGET)
    finish = -math.expm1(-MINUTE / AHT)  # chance a busy agent frees up within a minute
    busy = 0
    log: list[tuple[datetime, int, int]] = []
    for day in range(3):
        for minute in range(12 * 60):
            now = T0 + timedelta(days=day, minutes=minute)
            busy -= sum(rng.random() < finish for _ in range(busy))
            ready = AGENTS - busy
            lines = decide(window, now, ready)
            answers = sum(rng.random() < ANSWER_RATE for _ in range(lines))
            abandoned = max(0, answers - ready)
            busy += answers - abandoned
            window.record(now=now, live_answers=answers, abandoned=abandoned)
            log.append((now, answers, abandoned))
    checker = RollingAbandonWindow(target=TARGET)
    worst, position, moment = 0.0, 0, T0
    while moment <= log[-1][0] + 24 * HOUR:
        while position < len(log) and log[position][0] <= moment:
            when, answers, abandoned = log[position]
            checker.record(now=when, live_answers=answers, abandoned=abandoned)
            position += 1
        answers, abandoned = checker.counts(now=moment)
        if answers:
            worst = max(worst, abandoned / answers)
        moment += MINUTE
    return worst


def _model(window: RollingAbandonWindow, now: datetime, ready: int) -> int:
    answers, abandoned = window.pacing_counts(now=now)
    return model_pacing(_state(ready=ready, answers=answers, abandoned=abandoned))


def _adaptive() -> Callable[[RollingAbandonWindow, datetime, int], int]:
    level = AdaptiveDialLevel(target=TARGET)

    def decide(window: RollingAbandonWindow, now: datetime, ready: int) -> int:
        so_far = window.counts(now=now)
        level.update(
            live_answers=so_far[0], abandoned=so_far[1], idle_agents=ready, waiting_calls=0
        )
        answers, abandoned = window.pacing_counts(now=now)
        return level.lines_to_dial(_state(ready=ready, answers=answers, abandoned=abandoned))

    return decide


@pytest.mark.parametrize("seed", [1])
def test_every_rolling_window_stays_within_target(seed: int) -> None:
    """20 agents, answer rate 0.3, three 12-hour days: no 24-hour window goes over 3 %."""
    assert _campaign(_model, seed) <= TARGET
    assert _campaign(_adaptive(), seed) <= TARGET
