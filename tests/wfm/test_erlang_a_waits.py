"""Erlang A's two mean waits, named apart (issue 15, defect 4).

``average_speed_of_answer`` is the mean wait of answered calls; ``average_wait``
the mean over every call offered (what the Erlang A references and pyworkforce
call ASA). Both are checked against a brute-force birth-death chain of the
M/M/N+M queue, solved by its balance equations, sharing no code with callcore.
"""

from __future__ import annotations

from datetime import timedelta

import pytest

from callcore.wfm import Workload, erlang_a_performance, erlang_c_performance


def chain_waits(
    calls: float, aht: float, agents: int, patience: float, interval: float = 1800.0
) -> tuple[float, float, float]:
    """(P(abandon), mean wait of all calls, mean wait of answered calls) of M/M/N+M.

    The stationary law of the number in system, truncated where it is negligible.
    A caller who finds ``k`` others queued waits, in state ``N + k + 1``, for a
    departure from the queue head at rate ``N mu + (k + 1) theta`` per place;
    the answered share and the waits follow place by place (an exact recursion
    on the caller's position in the queue).
    """
    rate, mu, theta = calls / interval, 1 / aht, 1 / patience
    weights = [1.0]
    for n in range(1, agents + 400):  # the tail beyond is far below 1e-12 here
        weights.append(weights[-1] * rate / (min(n, agents) * mu + max(n - agents, 0) * theta))
    total = sum(weights)
    law = [weight / total for weight in weights]
    queued = sum(max(n - agents, 0) * p for n, p in enumerate(law))
    abandon = theta * queued / rate
    all_wait = queued / rate  # Little's law
    # A caller who arrives to k queued callers moves up one place at a time: in each
    # place the next event is the queue moving (rate N mu + ahead theta) or the caller
    # leaving (theta), and the sojourn's length is independent of which event ends it,
    # so an answered caller's mean wait is the sum of the mean sojourns.
    answered_wait_sum, answered = 0.0, 0.0
    for k, p in enumerate(law[agents:]):  # arriving to N + k in system: k queued ahead
        stay, wait = 1.0, 0.0  # P(still queued), mean time queued so far
        for ahead in range(k, -1, -1):
            out = agents * mu + ahead * theta + theta
            wait += 1 / out
            stay *= (agents * mu + ahead * theta) / out
        answered += p * stay
        answered_wait_sum += p * stay * wait
    served = sum(law[:agents]) + answered
    return abandon, all_wait, answered_wait_sum / served


@pytest.mark.parametrize(
    ("calls", "agents", "patience"),
    [(100, 14, 300.0), (100, 9, 120.0), (400, 30, 60.0), (50, 3, 600.0)],
)
def test_both_waits_match_the_chain(calls: int, agents: int, patience: float) -> None:
    """ASA (answered) and the mean wait (everyone) each match their own definition."""
    result = erlang_a_performance(
        Workload(calls=calls, aht=timedelta(seconds=180)),
        agents,
        patience=timedelta(seconds=patience),
    )
    abandon, all_wait, answered_wait = chain_waits(calls, 180.0, agents, patience)
    assert result.probability_of_abandoning == pytest.approx(abandon, rel=1e-6)
    assert result.average_wait.total_seconds() == pytest.approx(all_wait, rel=1e-6)
    assert result.average_speed_of_answer.total_seconds() == pytest.approx(answered_wait, rel=1e-6)
    assert result.average_wait != result.average_speed_of_answer


def test_erlang_c_has_one_wait() -> None:
    """No one abandons under Erlang C: the two means are one."""
    result = erlang_c_performance(Workload(calls=100, aht=timedelta(seconds=180)), 12)
    assert result.average_wait == result.average_speed_of_answer > timedelta(0)
