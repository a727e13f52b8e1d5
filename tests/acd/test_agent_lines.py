"""Agent index lines: a heap plus a sorted tail, or one sorted list for round robin."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from callcore.acd import BUILTIN_STRATEGIES, QueueConfig
from callcore.acd._lines import AgentEntry, AgentIndex, AgentLine
from callcore.acd._live import QueueRuntime

entries = st.lists(
    st.tuples(
        st.tuples(st.integers(0, 20)), st.sampled_from(["a", "b", "c", "d"]), st.integers(0, 5)
    ).map(lambda entry: (*entry, entry[1])),
    max_size=40,
)
"""Entries ``(rank, agent_id, version, agent)``; the agent id stands in for the agent
(a line never reads it: only the router does)."""


def make_line(strategy: str) -> AgentLine[str, QueueRuntime]:
    """A line of tier 1 in a fresh index of a queue with ``strategy``."""
    queue = QueueRuntime(QueueConfig(name="q", strategy=strategy), BUILTIN_STRATEGIES[strategy])
    return AgentIndex(queue, frozenset()).line((1, 0))


def drain(line: AgentLine[str, QueueRuntime]) -> list[AgentEntry]:
    """Pop every entry of a heap-and-tail line."""
    return [line.pop() for _ in range(len(line))]


@given(entries, st.integers(0, 40))
def test_heap_and_tail_pop_in_sorted_order(pushed: list[AgentEntry], popped: int) -> None:
    """Whatever the order of pushes and pops, pops come out as sorted() says."""
    line = make_line("longest_idle")
    reference: list[AgentEntry] = []
    out: list[AgentEntry] = []
    for number, entry in enumerate(pushed):
        line.push(entry)
        reference.append(entry)
        if number == popped and len(line):
            out.append(line.pop())
            reference.sort()
            assert out[-1] == reference.pop(0)
    assert drain(line) == sorted(reference)


def test_in_order_pushes_go_to_the_tail() -> None:
    """Entries pushed in order are appended to the tail; a smaller one goes to the heap."""
    line = make_line("longest_idle")
    for entry in [((1,), "a", 0, "a"), ((2,), "b", 0, "b"), ((3,), "c", 0, "c")]:
        line.push(entry)
    line.push(((0,), "d", 0, "d"))
    assert list(line.tail) == [((1,), "a", 0, "a"), ((2,), "b", 0, "b"), ((3,), "c", 0, "c")]
    assert line.heap == [((0,), "d", 0, "d")]
    assert line.index.queue.high_water == ((3,), "c", 0, "c")
    assert drain(line)[0] == ((0,), "d", 0, "d")


@given(entries)
def test_round_robin_line_is_sorted_and_holds_each_newest_entry(pushed: list[AgentEntry]) -> None:
    """A circular line stays sorted and holds every agent's newest entry, nothing unpushed."""
    line = make_line("round_robin")
    assert line.circular
    newest: dict[str, AgentEntry] = {}
    for version, (rank, agent_id, _, agent) in enumerate(pushed):  # versions only grow
        entry = (rank, agent_id, version, agent)
        line.push(entry)
        newest[agent_id] = entry
    assert line.heap == sorted(line.heap)
    assert set(newest.values()) <= set(line.heap)
    assert len(line.heap) <= len(pushed)


@given(st.lists(st.sampled_from(["a", "b", "c", "d"]), max_size=40))
def test_round_robin_line_keeps_one_entry_per_agent(pushes: list[str]) -> None:
    """With ranks that never change (positions), a newer entry replaces the older one."""
    line = make_line("round_robin")
    position = {"a": 3, "b": 1, "c": 2, "d": 1}
    for version, agent_id in enumerate(pushes):
        line.push(((position[agent_id],), agent_id, version, agent_id))
    assert [entry[1] for entry in line.heap] == sorted(
        set(pushes), key=lambda agent_id: (position[agent_id], agent_id)
    )
