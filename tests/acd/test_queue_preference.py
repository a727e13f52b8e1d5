"""Per-agent queue preference inside the global policy (issue 12, missing features).

``Membership.preference`` follows Amazon Connect's routing-profile queue
priority (and Asterisk's queue ``weight``, per agent): a freed agent member of
several queues takes a contact waiting in its most preferred queue first; among
queues of equal preference, the global order (higher priority, then earlier
arrival) decides. The reference below scans every waiting contact by that
definition.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from callcore.acd import AgentProfile, Membership, QueueConfig, Router, RouterSnapshot
from callcore.errors import CallcoreError, InvalidInputError
from callcore.serialization import dumps, loads
from tests.acd.strategies import T0

S = timedelta(seconds=1)
QUEUES = ("a", "b", "c")


def reference_pick(preferences: dict[str, int], contacts: list[tuple[str, int]]) -> str | None:
    """The contact a freed agent takes: most preferred queue, then priority, then arrival."""
    best: tuple[int, int, int] | None = None
    for index, (queue, priority) in enumerate(contacts):
        key = (preferences[queue], -priority, index)
        if best is None or key < best:
            best = key
    return None if best is None else f"k{best[2]}"


def agent_in_every_queue(preferences: dict[str, int]) -> Router:
    """Queues a, b, c; agent x serves all three with the given preferences, not yet ready."""
    router = Router([QueueConfig(name=name) for name in QUEUES])
    memberships = tuple(Membership(queue=name, preference=preferences[name]) for name in QUEUES)
    router.log_in(AgentProfile(agent_id="x", memberships=memberships), now=T0, ready=False)
    return router


@given(
    preferences=st.fixed_dictionaries({name: st.integers(1, 3) for name in QUEUES}),
    contacts=st.lists(
        st.tuples(st.sampled_from(QUEUES), st.integers(-2, 2)), min_size=1, max_size=8
    ),
    restart=st.booleans(),
    freed_by=st.sampled_from(["set_ready", "end"]),
)
def test_a_freed_agent_takes_the_contact_the_reference_picks(
    preferences: dict[str, int], contacts: list[tuple[str, int]], restart: bool, freed_by: str
) -> None:
    """Freed with contacts waiting in several of its queues: the reference's contact rings.

    Freed by ``set_ready``, or by the end of a contact (no wrap-up by default).
    """
    router = agent_in_every_queue(preferences)
    if freed_by == "end":  # x talks to a first caller while the others arrive
        router.set_ready("x", now=T0)
        router.enqueue("first", "a", now=T0)
        router.accept("first", "x", now=T0)
    for index, (queue, priority) in enumerate(contacts):
        router.enqueue(f"k{index}", queue, now=T0 + (index + 1) * S, priority=priority)
    if restart:
        router = Router.restore(loads(RouterSnapshot, dumps(router.snapshot())))
    if freed_by == "end":
        offers = router.end("first", now=T0 + 60 * S).offers
    else:
        offers = router.set_ready("x", now=T0 + 60 * S).offers
    assert [offer.contact_id for offer in offers] == [reference_pick(preferences, contacts)]


def test_equal_preferences_keep_the_global_order() -> None:
    """The default (1 everywhere) is today's policy: the higher priority, then the longest wait."""
    router = agent_in_every_queue({"a": 1, "b": 1, "c": 1})
    router.enqueue("k0", "a", now=T0)
    router.enqueue("k1", "b", now=T0 + S, priority=1)
    offers = router.set_ready("x", now=T0 + 2 * S).offers
    assert [offer.contact_id for offer in offers] == ["k1"]


def test_a_preferred_queue_goes_before_a_higher_priority_and_a_longer_wait() -> None:
    """Amazon Connect's example: the Sales queue (priority 1) before Support (priority 2)."""
    router = agent_in_every_queue({"a": 2, "b": 1, "c": 3})
    router.enqueue("k0", "a", now=T0, priority=5)
    router.enqueue("k1", "b", now=T0 + S)
    offers = router.set_ready("x", now=T0 + 2 * S).offers
    assert [offer.contact_id for offer in offers] == ["k1"]


@pytest.mark.parametrize("value", [0, -1, 2_000_000_000, 1.0, True, "1", None])
def test_a_bad_preference_is_refused_naming_the_field(value: object) -> None:
    """Out of range or of the wrong type: refused where it enters, naming ``preference``."""
    with pytest.raises(InvalidInputError, match="preference"):
        Membership(queue="a", preference=value)  # type: ignore[arg-type]


def test_a_snapshot_with_a_bad_preference_is_refused_and_changes_nothing() -> None:
    """A stored preference of 0 is refused on load; the router it came from is unchanged."""
    router = agent_in_every_queue({"a": 1, "b": 2, "c": 3})
    router.enqueue("k0", "a", now=T0)
    before = dumps(router.snapshot())
    text = before.replace('"preference": 2', '"preference": 0')
    assert text != before
    with pytest.raises(CallcoreError, match="preference"):
        Router.restore(loads(RouterSnapshot, text))
    assert dumps(router.snapshot()) == before


def test_a_refused_log_in_with_preferences_changes_nothing() -> None:
    """A profile naming an unknown queue is refused whole: state byte-identical, nothing emitted."""
    router = agent_in_every_queue({"a": 1, "b": 2, "c": 3})
    router.enqueue("k0", "a", now=T0)
    before = dumps(router.snapshot())
    profile = AgentProfile(
        agent_id="y",
        memberships=(Membership(queue="a", preference=2), Membership(queue="z", preference=1)),
    )
    with pytest.raises(CallcoreError, match="queue"):
        router.log_in(profile, now=T0 + S)
    assert dumps(router.snapshot()) == before


# --- several agents free at once (the decision passes agents over) ----------------


def two_agents_freed_together() -> Router:
    """Agent a serves p (preferred) and q, b serves q only; both wrap up until 6 s.

    Contact ``C`` waits in q (first in line), ``D`` in p; both agents come free
    at 6 s, a the longer idle (ids break the tie of their idle times).
    """
    router = Router([QueueConfig(name=name, wrap_up=5 * S) for name in ("p", "q")])
    both = (Membership(queue="p", preference=1), Membership(queue="q", preference=2))
    router.log_in(AgentProfile(agent_id="a", memberships=both), now=T0)
    router.log_in(AgentProfile(agent_id="b", memberships=(Membership(queue="q"),)), now=T0)
    for contact_id, queue, agent_id in (("x1", "p", "a"), ("x2", "q", "b")):
        (offer,) = router.enqueue(contact_id, queue, now=T0).offers
        assert offer.agent_id == agent_id
        router.accept(contact_id, agent_id, now=T0)
    for contact_id in ("x1", "x2"):
        router.end(contact_id, now=T0 + S)
    router.enqueue("C", "q", now=T0 + 2 * S)
    router.enqueue("D", "p", now=T0 + 3 * S)
    return router


def test_agents_freed_together_serve_their_preferred_queues() -> None:
    """C (q, first in line) goes to b, not to a, whose preferred queue p has D: D goes to a.

    Before, C went to the longest idle agent of q (a) and D waited for an agent
    of p, though b was free for C.
    """
    update = two_agents_freed_together().tick(now=T0 + 6 * S)
    assert [(offer.contact_id, offer.agent_id) for offer in update.offers] == [
        ("C", "b"),
        ("D", "a"),
    ]


def test_a_passed_over_agent_takes_the_contact_once_its_preferred_one_is_served() -> None:
    """Agent a is passed over for C while D wants it; D goes to c, then a takes C.

    c serves p only and is the longer idle; a (p preferred, q) is the only agent
    of q. Both wrap-ups end at 6 s: C, first in line, passes a over (D wants
    it), D goes to c by longest idle, and a, no longer wanted in p, takes C.
    """
    router = Router([QueueConfig(name=name, wrap_up=5 * S) for name in ("p", "q")])
    both = (Membership(queue="p", preference=1), Membership(queue="q", preference=2))
    router.log_in(AgentProfile(agent_id="c", memberships=(Membership(queue="p"),)), now=T0)
    router.log_in(
        AgentProfile(agent_id="a", memberships=both, wrap_up=4 * S), now=T0 + S
    )  # logged in later: c takes the first contact
    for contact_id, agent_id in (("x1", "c"), ("x2", "a")):
        (offer,) = router.enqueue(contact_id, "p", now=T0 + S).offers
        assert offer.agent_id == agent_id
        router.accept(contact_id, agent_id, now=T0 + S)
    router.end("x1", now=T0 + S)  # c: idle since 1 s, wrap-up until 6 s
    router.end("x2", now=T0 + 2 * S)  # a: idle since 2 s, its own wrap-up until 6 s
    router.enqueue("C", "q", now=T0 + 3 * S)
    router.enqueue("D", "p", now=T0 + 4 * S)
    update = router.tick(now=T0 + 6 * S)
    assert [(offer.contact_id, offer.agent_id) for offer in update.offers] == [
        ("D", "c"),
        ("C", "a"),
    ]
