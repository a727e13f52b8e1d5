"""Predictive dialer pacing: the abandonment budget is never broken."""

from __future__ import annotations

import math
import random
from datetime import timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from callcore.errors import InvalidInputError
from callcore.serialization import from_dict, to_dict
from callcore.wfm import (
    AdaptiveDialLevel,
    DialerState,
    budget_ceiling,
    expected_abandons,
    model_pacing,
)


def _state(**changes: object) -> DialerState:
    values: dict[str, object] = {
        "agents_ready": 10,
        "agents_busy": 0,
        "lines_in_flight": 0,
        "answer_rate": 0.3,
        "aht": timedelta(minutes=3),
        "connect_delay": timedelta(seconds=15),
        "live_answers": 1000,
        "abandoned": 20,
    }
    values.update(changes)
    return DialerState(**values)  # type: ignore[arg-type]


def test_budget_ceiling_worked_by_hand() -> None:
    """1000 answers, 20 abandons, 10 ready: (30 - 20 + 10) / 0.97 -> 20 lines at most."""
    assert budget_ceiling(_state()) == 20
    assert budget_ceiling(_state(live_answers=0, abandoned=0)) == 10  # 10 / 0.97
    assert budget_ceiling(_state(lines_in_flight=5)) == 15
    assert budget_ceiling(_state(abandoned=60, agents_ready=0)) == 0


@given(
    lines=st.integers(min_value=0, max_value=60),
    rate=st.floats(min_value=0.01, max_value=1.0),
    agents=st.integers(min_value=0, max_value=40),
)
def test_expected_abandons_by_enumeration(lines: int, rate: float, agents: int) -> None:
    """E[max(X - agents, 0)] equals the sum over every outcome with math.comb."""
    exact = sum(
        math.comb(lines, k) * rate**k * (1 - rate) ** (lines - k) * max(k - agents, 0)
        for k in range(lines + 1)
    )
    answers, abandons = expected_abandons(lines, rate, agents)
    assert answers == pytest.approx(lines * rate)
    assert abandons == pytest.approx(exact, rel=1e-9, abs=1e-12)


@given(
    ready=st.integers(min_value=0, max_value=30),
    busy=st.integers(min_value=0, max_value=30),
    rate=st.floats(min_value=0.05, max_value=1.0),
    answers=st.integers(min_value=0, max_value=5000),
)
def test_model_pacing_is_the_largest_fitting_n(
    ready: int, busy: int, rate: float, answers: int
) -> None:
    """The chosen n is the largest whose expected abandon ratio fits, within the budget."""
    state = _state(
        agents_ready=ready, agents_busy=busy, answer_rate=rate, live_answers=answers, abandoned=0
    )
    agents = ready + math.floor(state.agents_soon)
    best = 0
    for n in range(budget_ceiling(state) + 1):
        expected, abandons = expected_abandons(n, rate, agents)
        if abandons <= 0.03 * expected:
            best = n
    assert model_pacing(state) == best


def test_agents_soon_follow_the_exponential_handle_time() -> None:
    """Busy agents free within the delay: busy (1 - exp(-delay / AHT)); ln 2 gives half."""
    state = _state(agents_busy=10, connect_delay=timedelta(minutes=3) * math.log(2))
    assert state.agents_soon == pytest.approx(5.0)


@given(
    seed=st.integers(min_value=0, max_value=2**32),
    true_rate=st.floats(min_value=0.05, max_value=1.0),
    believed_rate=st.floats(min_value=0.05, max_value=1.0),
    strategy=st.sampled_from(["model", "adaptive"]),
)
def test_random_answer_streams_never_break_the_budget(
    seed: int, true_rate: float, believed_rate: float, strategy: str
) -> None:
    """Whatever the real answer rate, abandons stay within 3 % of live answers at every step."""
    rng = random.Random(seed)
    live = abandoned = 0
    adaptive = AdaptiveDialLevel(max_level=5.0, intensity=40)
    for _ in range(150):
        ready = rng.randint(0, 20)
        state = _state(
            agents_ready=ready,
            agents_busy=rng.randint(0, 20),
            answer_rate=believed_rate,
            live_answers=live,
            abandoned=abandoned,
        )
        pace = model_pacing if strategy == "model" else adaptive.lines_to_dial
        lines = pace(state)
        answered = sum(rng.random() < true_rate for _ in range(lines))
        dropped = max(answered - ready, 0)  # only agents ready now are sure to be free
        live += answered
        abandoned += dropped
        assert abandoned * 100 <= 3 * live
        adaptive.update(
            live_answers=live,
            abandoned=abandoned,
            idle_agents=max(ready - answered, 0),
            waiting_calls=dropped,
        )


def test_pacing_dials_more_than_ready_agents_once_the_budget_allows() -> None:
    """With budget in hand and a 30 % answer rate, the model over-dials the 10 ready agents."""
    lines = model_pacing(_state(live_answers=100_000, abandoned=0))
    assert lines > 10
    answers, abandons = expected_abandons(lines, 0.3, 10)
    assert abandons <= 0.03 * answers


def test_adaptive_level_moves_and_drops_at_the_limit() -> None:
    """Idle agents raise the level, waiting callers lower it, reaching the target resets it."""
    level = AdaptiveDialLevel(step=0.5)
    assert level.update(live_answers=100, abandoned=0, idle_agents=3, waiting_calls=0) == 1.5
    assert level.update(live_answers=100, abandoned=0, idle_agents=3, waiting_calls=0) == 2.0
    assert level.update(live_answers=100, abandoned=1, idle_agents=0, waiting_calls=2) == 1.5
    level.update(live_answers=100, abandoned=0, idle_agents=9, waiting_calls=0)
    assert level.update(live_answers=100, abandoned=3, idle_agents=9, waiting_calls=0) == 1.0
    for _ in range(10):
        level.update(live_answers=100, abandoned=0, idle_agents=9, waiting_calls=0)
    assert level.level == 3.0


def test_rejected_update_leaves_the_level_unchanged() -> None:
    """More abandons than answers, or a bad count, is refused and the level stays where it was."""
    level = AdaptiveDialLevel(level=2.0)
    bad: list[tuple[dict[str, object], str]] = [
        ({"live_answers": 1, "abandoned": 5}, "abandoned"),
        ({"idle_agents": -1}, "idle_agents"),
        ({"waiting_calls": 1.5}, "waiting_calls"),
        ({"live_answers": 10**13}, "live_answers"),
    ]
    for changes, field in bad:
        counts: dict[str, object] = {
            "live_answers": 100,
            "abandoned": 0,
            "idle_agents": 5,
            "waiting_calls": 0,
            **changes,
        }
        with pytest.raises(InvalidInputError) as caught:
            level.update(**counts)  # type: ignore[arg-type]
        assert caught.value.field == field
        assert level.level == 2.0


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"agents_ready": -1}, "agents_ready"),
        ({"agents_busy": 2.0}, "agents_busy"),
        ({"lines_in_flight": 10**7}, "lines_in_flight"),
        ({"answer_rate": 0.0}, "answer_rate"),
        ({"answer_rate": float("inf")}, "answer_rate"),
        ({"aht": timedelta(0)}, "aht"),
        ({"connect_delay": timedelta(days=-1)}, "connect_delay"),
        ({"live_answers": 10**13}, "live_answers"),
        ({"abandoned": True}, "abandoned"),
        ({"target": 1.0}, "target"),
        ({"max_lines": -3}, "max_lines"),
    ],
)
def test_dialer_state_names_the_field_at_fault(changes: dict[str, object], field: str) -> None:
    """Each mistake in a state raises InvalidInputError naming its field."""
    with pytest.raises(InvalidInputError) as caught:
        _state(**changes)
    assert caught.value.field == field


def test_dialer_states_round_trip() -> None:
    """A state and a dial level survive to_dict/from_dict."""
    state = _state(max_lines=40)
    assert from_dict(DialerState, to_dict(state)) == state
    level = AdaptiveDialLevel(level=1.5, intensity=-10)
    assert from_dict(AdaptiveDialLevel, to_dict(level)) == level
