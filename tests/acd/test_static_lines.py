"""Agents joining and leaving the lines of the position-ranked strategies while they serve.

``linear`` and ``top_down`` keep each line's agents in rank order with a bit
per agent that has an entry; an agent logging in or out after the line was
first used is put in or taken out at its place. Whatever the order of log-ins
and log-outs, each contact goes to the free agent of lowest position, worked
out by hand below.
"""

from __future__ import annotations

import random
from datetime import timedelta

import pytest

from callcore.acd import AgentProfile, Membership, QueueConfig, Router
from callcore.acd._lines import MOVES_KEPT
from tests.acd.strategies import T0

S = timedelta(seconds=1)


def member(agent_id: str, position: int) -> AgentProfile:
    """An agent of queue q at ``position``."""
    return AgentProfile(agent_id=agent_id, memberships=(Membership(queue="q", position=position),))


def served_in_order(router: Router, count: int, at: int) -> list[str]:
    """Enqueue ``count`` contacts one after another, each accepted at once: who took each."""
    taken = []
    for number in range(count):
        now = T0 + S * (at + number)
        offers = router.enqueue(f"k{at}-{number}", "q", now=now).offers
        assert len(offers) == 1
        router.accept(offers[0].contact_id, offers[0].agent_id, now=now)
        taken.append(offers[0].agent_id)
    return taken


@pytest.mark.parametrize("strategy", ["top_down", "linear"])
def test_agents_logging_in_and_out_between_decisions_keep_their_places(strategy: str) -> None:
    """Log-outs below free agents and log-ins between them keep every free agent findable."""
    router = Router([QueueConfig(name="q", strategy=strategy)])
    for agent_id, position in (("p10", 10), ("p20", 20), ("p30", 30), ("p40", 40), ("p50", 50)):
        router.log_in(member(agent_id, position), now=T0)
    assert served_in_order(router, 1, at=1) == ["p10"]  # the line is in use: p10 busy
    router.log_out("p20", now=T0 + S * 2)  # a free agent below the other free ones leaves
    router.log_in(member("p35", 35), now=T0 + S * 3)  # one joins between them
    router.log_in(member("p05", 5), now=T0 + S * 4)  # one joins below everyone
    router.log_out("p40", now=T0 + S * 5)
    assert served_in_order(router, 4, at=10) == ["p05", "p30", "p35", "p50"]
    offers = router.enqueue("last", "q", now=T0 + S * 30).offers
    assert offers == ()  # everyone left is busy


@pytest.mark.parametrize("strategy", ["top_down", "linear"])
def test_a_busy_agent_logging_in_gets_its_place_when_free(strategy: str) -> None:
    """An agent that logs in not ready joins in its place, and is found once ready."""
    router = Router([QueueConfig(name="q", strategy=strategy)])
    router.log_in(member("p10", 10), now=T0)
    router.log_in(member("p30", 30), now=T0)
    assert served_in_order(router, 1, at=1) == ["p10"]
    router.log_in(member("p20", 20), now=T0 + S * 2, ready=False)
    assert served_in_order(router, 1, at=3) == ["p30"]  # p20 is not ready
    router.set_ready("p20", now=T0 + S * 4)
    assert served_in_order(router, 1, at=5) == ["p20"]


def skilled(agent_id: str, position: int, skill: str) -> AgentProfile:
    """An agent of queue q at ``position`` with one skill."""
    return AgentProfile(
        agent_id=agent_id,
        skills={skill: 5},
        memberships=(Membership(queue="q", position=position),),
    )


@pytest.mark.parametrize("strategy", ["top_down", "linear"])
@pytest.mark.parametrize(
    "moves", [1, MOVES_KEPT, 2 * MOVES_KEPT, 2 * MOVES_KEPT + 1, 3 * MOVES_KEPT + 5]
)
def test_a_line_left_unused_through_many_log_ins_and_outs_finds_its_agents(
    strategy: str, moves: int
) -> None:
    """A line that sat out log-ins and log-outs elsewhere in its queue serves by position.

    It catches up on the moves it missed, or is rebuilt when they are too many.
    """
    router = Router([QueueConfig(name="q", strategy=strategy)])
    shuffle = random.Random(moves)
    positions = shuffle.sample(range(10_000), 20 + moves)
    x_agents = {f"x{n}": positions[n] for n in range(10)}
    for agent_id, position in x_agents.items():
        router.log_in(skilled(agent_id, position, "x"), now=T0)
    taken = router.enqueue("first", "q", now=T0, skills={"x": 1}).offers[0].agent_id
    assert taken == min(x_agents, key=x_agents.__getitem__)  # the x line is in use
    router.accept("first", taken, now=T0)
    others: list[str] = []  # y agents come and go below, between and above the x agents
    for number in range(moves):
        now = T0 + S * (1 + number)
        if others and shuffle.random() < 0.4:
            router.log_out(others.pop(shuffle.randrange(len(others))), now=now)
        else:
            agent_id = f"y{number}"
            router.log_in(skilled(agent_id, positions[20 + number], "y"), now=now)
            others.append(agent_id)
    gone = next(agent_id for agent_id in sorted(x_agents) if agent_id != taken)
    router.log_out(gone, now=T0 + S * (moves + 1))
    # agents joining the far-behind line: the lowest and the highest position of all
    x_agents["x-low"], x_agents["x-high"] = -1, 10_000
    router.log_in(skilled("x-low", -1, "x"), now=T0 + S * (moves + 1))
    router.log_in(skilled("x-high", 10_000, "x"), now=T0 + S * (moves + 1))
    waiting = sorted((p, a) for a, p in x_agents.items() if a not in {taken, gone})
    served = []
    for number in range(len(waiting)):
        now = T0 + S * (moves + 2 + number)
        offer = router.enqueue(f"c{number}", "q", now=now, skills={"x": 1}).offers[0]
        router.accept(offer.contact_id, offer.agent_id, now=now)
        served.append(offer.agent_id)
    assert served == [agent_id for _position, agent_id in waiting]
