"""Real-time statistics (``Router.wallboard``) and removing agents (``Router.remove_agent``).

The values are worked out by hand from a timeline; the stateful test
(``test_invariants``) compares them with a brute-force recount after every step.
"""

from __future__ import annotations

import gc
import weakref
from datetime import timedelta

import pytest

from callcore.acd import (
    BUILTIN_STRATEGIES,
    AgentBoard,
    AgentProfile,
    AgentRemoved,
    AgentState,
    Membership,
    NotReadyReason,
    QueueBoard,
    QueueConfig,
    Router,
    RouterSnapshot,
)
from callcore.errors import InvalidInputError, InvalidTransitionError, NotFoundError
from callcore.serialization import dumps, from_dict, to_dict
from tests.acd.scenarios import of_type
from tests.acd.strategies import T0, at
from tests.acd.test_refusals import refused

S = timedelta(seconds=1)


def _profile(agent_id: str, *queues: str, tier: int = 1) -> AgentProfile:
    return AgentProfile(
        agent_id=agent_id,
        skills={"en": 5},
        memberships=tuple(Membership(queue=name, tier=tier) for name in queues),
    )


def timeline() -> Router:
    """Two queues; ``a`` (tier 1) and ``b`` (tier 2) in q, ``c`` in both, ``d`` in r.

    At +5 k1 rings a, at +8 k2 rings b, k3 waits from +9; a answers at +12;
    d logs out at +15.
    """
    router = Router(
        [QueueConfig(name="q", wrap_up=10 * S, offer_timeout=20 * S), QueueConfig(name="r")]
    )
    router.log_in(_profile("a", "q"), now=T0)
    router.log_in(_profile("b", "q", tier=2), now=T0)
    router.log_in(_profile("c", "q", "r"), now=T0, ready=False)
    router.log_in(_profile("d", "r"), now=T0)
    assert router.enqueue("k1", "q", now=at(5)).offers[0].agent_id == "a"
    assert router.enqueue("k2", "q", now=at(8)).offers[0].agent_id == "b"
    assert not router.enqueue("k3", "q", now=at(9)).offers
    router.accept("k1", "a", now=at(12))
    router.log_out("d", now=at(15))
    return router


def _queue(name: str, **counts: object) -> QueueBoard:
    values: dict[str, object] = {
        "waiting": 0,
        "offered": 0,
        "longest_wait": timedelta(0),
        "available": 0,
        "reserved": 0,
        "busy": 0,
        "wrap_up": 0,
        "not_ready": 0,
    }
    values.update(counts)
    return QueueBoard(queue=name, **values)  # type: ignore[arg-type]


def _agent(
    agent_id: str, state: AgentState, since: float, now: float, reason: NotReadyReason | None = None
) -> AgentBoard:
    return AgentBoard(
        agent_id=agent_id,
        state=state,
        not_ready_reason=reason,
        since=at(since),
        time_in_state=(now - since) * S,
    )


def test_the_wallboard_of_a_hand_worked_timeline() -> None:
    """At +20: k2 rings (since +8), k3 waits; a busy, b reserved, c not ready, d logged out."""
    board = timeline().wallboard(now=at(20))
    assert board.now == at(20)
    assert board.queues == (
        _queue("q", waiting=1, offered=1, longest_wait=12 * S, reserved=1, busy=1, not_ready=1),
        _queue("r", not_ready=1),  # d logged out: not counted
    )
    assert board.queues[0].staffed == 3
    assert board.agents == (
        _agent("a", AgentState.BUSY, 12, 20),
        _agent("b", AgentState.RESERVED, 8, 20),
        _agent("c", AgentState.NOT_READY, 0, 20, NotReadyReason.OTHER),
        _agent("d", AgentState.LOGGED_OUT, 15, 20),
    )


def test_one_queues_board_is_its_line_of_the_wallboard() -> None:
    """``queue_board`` gives the wallboard's line of one queue; an unknown queue is refused."""
    router = timeline()
    before = dumps(router.snapshot())
    assert router.queue_board("q", now=at(20)) == router.wallboard(now=at(20)).queues[0]
    assert router.queue_board("r", now=at(20)) == _queue("r", not_ready=1)
    with pytest.raises(NotFoundError):
        router.queue_board("nope", now=at(20))
    with pytest.raises(NotFoundError):
        router.queue_board(5, now=at(20))  # type: ignore[arg-type]
    with pytest.raises(InvalidInputError):
        router.queue_board("q", now=at(14))
    assert dumps(router.snapshot()) == before


def test_time_in_state_follows_timers_and_commands() -> None:
    """Agent b times out at +28 (available, 5 s delay), a wraps up at +30, b rings at +33."""
    router = timeline()
    router.end("k1", now=at(30))
    board = router.wallboard(now=at(30))
    assert board.queues[0] == _queue(
        "q", waiting=2, longest_wait=22 * S, available=1, wrap_up=1, not_ready=1
    )
    assert board.agents[:2] == (
        _agent("a", AgentState.WRAP_UP, 30, 30),
        _agent("b", AgentState.AVAILABLE, 28, 30),
    )
    router.tick(now=at(35))
    board = router.wallboard(now=at(35))
    assert board.queues[0] == _queue(
        "q", waiting=1, offered=1, longest_wait=27 * S, reserved=1, wrap_up=1, not_ready=1
    )
    assert board.agents[1] == _agent("b", AgentState.RESERVED, 33, 35)
    router.tick(now=at(41))  # a's wrap-up ended at +40: it takes k3
    assert router.wallboard(now=at(41)).agents[0] == _agent("a", AgentState.RESERVED, 40, 41)


def test_the_wallboard_is_a_pure_query_and_survives_a_restart() -> None:
    """It changes nothing; a restored router (through a dict) shows the same values."""
    router = timeline()
    before = dumps(router.snapshot())
    board = router.wallboard(now=at(20))
    assert dumps(router.snapshot()) == before
    assert router.now == at(15)
    data = to_dict(router.snapshot())
    restored = Router.restore(from_dict(RouterSnapshot, data))
    assert restored.wallboard(now=at(20)) == board


def test_an_older_snapshot_without_state_times_gives_none() -> None:
    """A snapshot written before the router kept state times restores with ``since`` unknown."""
    data = to_dict(timeline().snapshot())
    for agent in data["agents"]:
        agent.pop("state_since", None)
    restored = Router.restore(from_dict(RouterSnapshot, data))
    agent = restored.wallboard(now=at(20)).agents[0]
    assert (agent.state, agent.since, agent.time_in_state) == (AgentState.BUSY, None, None)
    restored.end("k1", now=at(21))  # the next change starts a known time
    assert restored.wallboard(now=at(22)).agents[0] == _agent("a", AgentState.WRAP_UP, 21, 22)


def test_a_wallboard_before_the_routers_time_is_refused() -> None:
    """``now`` earlier than a time seen, or naive, is refused."""
    router = timeline()
    with pytest.raises(InvalidInputError):
        router.wallboard(now=at(14))
    with pytest.raises(InvalidInputError):
        router.wallboard(now=at(20).replace(tzinfo=None))


# --- removing agents ----------------------------------------------------------------


def test_removing_a_logged_in_or_unknown_agent_is_refused_and_changes_nothing() -> None:
    """Logged in (any state) or never seen: refused, snapshot byte-identical."""
    router = timeline()
    for agent_id in ("a", "b", "c"):  # busy, reserved, not ready
        refused(
            router,
            lambda r, agent_id=agent_id: r.remove_agent(agent_id, now=at(20)),  # type: ignore[misc]
            InvalidTransitionError,
        )
    refused(router, lambda r: r.remove_agent("nobody", now=at(20)), NotFoundError)
    refused(router, lambda r: r.remove_agent("d", now=at(1)), InvalidInputError)


def test_a_removed_agent_is_forgotten_everywhere() -> None:
    """Agent d goes from the agents, the wallboard, the snapshot; it may come back as new."""
    router = timeline()
    update = router.remove_agent("d", now=at(20))
    assert [(e.at, e.agent_id) for e in of_type(update, AgentRemoved)] == [(at(20), "d")]
    assert list(update.events) == of_type(update, AgentRemoved)
    assert "d" not in router.agent_ids()
    assert [a.agent_id for a in router.wallboard(now=at(20)).agents] == ["a", "b", "c"]
    assert "d" not in {record.profile.agent_id for record in router.snapshot().agents}
    with pytest.raises(NotFoundError):
        router.agent("d")
    restored = Router.restore(from_dict(RouterSnapshot, to_dict(router.snapshot())))
    assert dumps(restored.snapshot()) == dumps(router.snapshot())
    router.log_in(_profile("d", "r"), now=at(21))
    assert router.agent("d").answered == 0


def test_a_removed_agents_stale_timers_do_nothing() -> None:
    """Agent b logs out in its no-answer delay and is removed; the delay's end passes quietly."""
    router = timeline()
    router.tick(now=at(29))  # b's offer timed out at +28: delay to +33
    assert router.agent("b").state is AgentState.AVAILABLE
    router.log_out("b", now=at(30))
    router.remove_agent("b", now=at(30))
    assert not router.tick(now=at(40)).offers  # a is busy, c not ready: nobody rings
    assert router.next_deadline() is None


def test_a_round_robin_place_at_a_removed_agent_restores_and_carries_on() -> None:
    """The queue's place names a removed agent: the snapshot is sound and the order holds."""
    router = Router([QueueConfig(name="q", strategy="round_robin")])
    for agent_id in ("a", "b", "c"):
        router.log_in(_profile(agent_id, "q"), now=T0)
    assert router.enqueue("k1", "q", now=at(1)).offers[0].agent_id == "a"
    assert router.enqueue("k2", "q", now=at(1)).offers[0].agent_id == "b"
    router.accept("k1", "a", now=at(2))
    router.accept("k2", "b", now=at(2))
    router.end("k2", now=at(3))
    router.log_out("b", now=at(4))
    router.remove_agent("b", now=at(4))
    restored = Router.restore(from_dict(RouterSnapshot, to_dict(router.snapshot())))
    for twin in (router, restored):
        assert twin.enqueue("k3", "q", now=at(5)).offers[0].agent_id == "c"


def test_removed_agents_leave_no_state_behind() -> None:
    """Hundreds of agents in, out and removed: the internal maps and lines hold none of them."""
    router = Router([QueueConfig(name="q"), QueueConfig(name="r", strategy="round_robin")])
    probes = []
    for number in range(300):
        router.log_in(_profile(f"x{number}", "q", "r"), now=at(0))
        probes.append(weakref.ref(router._agents[f"x{number}"]))
    router.enqueue("k1", "q", now=at(1), skills={"en": 3})  # builds a skill index
    router.enqueue("k2", "r", now=at(1))
    for contact_id in ("k1", "k2"):
        agent_id = router.contact(contact_id).offered_to[0]
        router.accept(contact_id, agent_id, now=at(2))
    for contact_id in ("k1", "k2"):
        router.end(contact_id, now=at(3))
    for number in range(300):
        router.log_out(f"x{number}", now=at(4))
        router.remove_agent(f"x{number}", now=at(4))
    assert router._agents == {}
    for queue in router._queues.values():
        assert queue.members == set()
        assert all(not members for members in queue.skill_members.values())
        for index in queue.indexes.values():
            assert index.agents == set()
            assert all(not list(line.entries()) for line in index.lines.values())
    gc.collect()
    alive = [probe() for probe in probes if probe() is not None]
    assert len(alive) <= len(router._queues)  # at most a queue's high-water mark each


@pytest.mark.parametrize("strategy", sorted(BUILTIN_STRATEGIES))
def test_a_removed_agent_id_logs_in_again_and_takes_contacts(strategy: str) -> None:
    """Removed after serving, the same id logs in again and is offered the next contact.

    The queue's high water mark held the removed agent's entry; the new
    agent's entry tied with it and the comparison reached the agent objects
    (a TypeError on linear, ring_all and top_down before session 6).
    """
    router = Router([QueueConfig(name="q", strategy=strategy)])
    profile = AgentProfile(agent_id="a", memberships=(Membership(queue="q"),))
    router.log_in(profile, now=at(0))
    router.enqueue("c", "q", now=at(0))
    router.abandon("c", now=at(0))
    router.log_out("a", now=at(1))
    router.remove_agent("a", now=at(2))
    router.log_in(profile, now=at(3))
    assert [offer.agent_id for offer in router.enqueue("d", "q", now=at(3)).offers] == ["a"]


def test_removing_an_agent_forgets_it_in_the_queues_of_an_earlier_log_in() -> None:
    """In q1 then (after logging in again) in q2 only: removed, no line of q1 holds it."""
    router = Router([QueueConfig(name="q1", strategy="fewest_contacts"), QueueConfig(name="q2")])
    router.log_in(_profile("a", "q1"), now=at(0))
    router.enqueue("c", "q1", now=at(0))
    router.abandon("c", now=at(0))
    router.log_out("a", now=at(1))
    router.log_in(_profile("a", "q2"), now=at(2))
    router.log_out("a", now=at(3))
    agent = router._agents["a"]
    router.remove_agent("a", now=at(4))
    for queue in router._queues.values():
        for index in queue.indexes.values():
            for line in index.lines.values():
                assert all(entry[-1] is not agent for entry in line.entries())
    router.log_in(_profile("a", "q1"), now=at(5))
    assert [offer.agent_id for offer in router.enqueue("d", "q1", now=at(5)).offers] == ["a"]
