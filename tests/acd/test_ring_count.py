"""``QueueConfig.ring_count``: a contact rings up to N agents at once, first accept wins.

Twilio TaskRouter's ``max_reserved_workers`` (1 to 50, default 1) reserves up
to that many workers for a task; the first to accept takes it and the other
reservations are rescinded. These cases are worked by hand; the brute-force
reference (``tests/acd/test_every_offer.py``) and the stateful tests check every
offer with ``ring_count`` 1, 2, 3 and ``None`` on every path.
"""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path
from typing import Any

from callcore.acd import (
    AgentProfile,
    Membership,
    NotReadyReason,
    OfferEnded,
    OfferEndReason,
    QueueConfig,
    Router,
    RouterSnapshot,
)
from callcore.serialization import dumps, loads, to_dict
from tests.acd.strategies import T0, at

S = timedelta(seconds=1)


def agent(agent_id: str, *, tier: int = 1, position: int = 0, queue: str = "q") -> AgentProfile:
    """An agent of one queue."""
    return AgentProfile(
        agent_id=agent_id,
        memberships=(Membership(queue=queue, tier=tier, position=position),),
    )


def router_of(ring_count: int | None, strategy: str = "longest_idle", **options: object) -> Router:
    """Queue ``q`` ringing ``ring_count`` agents, 10 s offers, zero delays unless given."""
    options.setdefault("no_answer_delay", timedelta(0))
    options.setdefault("max_no_answer", 0)
    return Router(
        [
            QueueConfig(
                name="q",
                strategy=strategy,
                offer_timeout=10 * S,
                ring_count=ring_count,
                **options,  # type: ignore[arg-type]
            )
        ]
    )


def rung(update: object) -> list[str]:
    """The agents an update rings."""
    return [offer.agent_id for offer in update.offers]  # type: ignore[attr-defined]


def ended(update: object) -> list[tuple[str, OfferEndReason]]:
    """The offers an update ends, with why."""
    return [
        (event.offer.agent_id, event.reason)
        for event in update.events  # type: ignore[attr-defined]
        if isinstance(event, OfferEnded)
    ]


def test_the_default_rings_one_agent() -> None:
    """``ring_count`` is 1 by default: TaskRouter's default of one reserved worker."""
    assert QueueConfig(name="q").ring_count == 1
    router = Router([QueueConfig(name="q")])
    for agent_id in "ab":
        router.log_in(agent(agent_id), now=T0)
    assert rung(router.enqueue("k", "q", now=at(1))) == ["a"]


def test_a_contact_rings_the_strategys_first_n_and_the_first_accept_wins() -> None:
    """Three agents, ring 2: the two longest idle ring; b answers, a's ring is withdrawn."""
    router = router_of(2)
    for second, agent_id in enumerate("cab"):  # logged in in this order: c, a, b
        router.log_in(agent(agent_id), now=at(second))
    assert rung(router.enqueue("k", "q", now=at(5))) == ["c", "a"]
    update = router.accept("k", "a", now=at(6))
    assert ended(update) == [("c", OfferEndReason.WITHDRAWN)]
    assert router.contact("k").agent_id == "a"
    assert router.agent("c").offered == ()


def test_a_decline_keeps_the_others_ringing_and_adds_the_next_agent() -> None:
    """Ring 2 of three agents: a declines, b rings on and c is added (a rests 30 s)."""
    router = router_of(2, reject_delay=30 * S)
    for second, agent_id in enumerate("abc"):
        router.log_in(agent(agent_id), now=at(second))
    assert rung(router.enqueue("k", "q", now=at(5))) == ["a", "b"]
    update = router.decline("k", "a", now=at(6))
    assert ended(update) == [("a", OfferEndReason.REJECTED)]
    assert rung(update) == ["c"]
    assert set(router.contact("k").offered_to) == {"b", "c"}


def test_with_zero_delays_a_decliner_may_be_rung_again_by_the_strategy() -> None:
    """Ring 2 of two agents, no reject delay: a declines and, free again, is rung again."""
    router = router_of(2)
    for second, agent_id in enumerate("ab"):
        router.log_in(agent(agent_id), now=at(second))
    router.enqueue("k", "q", now=at(5))
    update = router.decline("k", "a", now=at(6))
    assert rung(update) == ["a"]
    assert set(router.contact("k").offered_to) == {"a", "b"}


def test_a_freed_agent_joins_a_contact_that_rings_too_few() -> None:
    """Ring 3 with one agent free: it rings one; an agent set ready joins the ring."""
    router = router_of(3)
    router.log_in(agent("a"), now=T0)
    router.log_in(agent("b"), now=T0, ready=False)
    assert rung(router.enqueue("k", "q", now=at(1))) == ["a"]
    assert rung(router.set_ready("b", now=at(2))) == ["b"]
    assert set(router.contact("k").offered_to) == {"a", "b"}


def test_a_freed_agent_takes_the_first_contact_that_wants_an_agent() -> None:
    """k1 rings one of its two, k2 waits: a freed agent joins k1 (first in line), not k2."""
    router = router_of(2)
    router.log_in(agent("a"), now=T0)
    router.log_in(agent("b"), now=T0, ready=False)
    router.enqueue("k1", "q", now=at(1))  # rings a
    router.enqueue("k2", "q", now=at(2))  # waits
    assert rung(router.set_ready("b", now=at(3))) == ["b"]
    assert set(router.contact("k1").offered_to) == {"a", "b"}
    assert router.contact("k2").offered_to == ()


def test_time_outs_at_one_instant_ring_the_next_n() -> None:
    """Ring 2 of four (round robin): both offers time out together; the next two ring."""
    router = router_of(2, "round_robin", no_answer_delay=30 * S)
    for position, agent_id in enumerate("abcd"):
        router.log_in(agent(agent_id, position=position), now=T0)
    assert rung(router.enqueue("k", "q", now=at(1))) == ["a", "b"]
    update = router.tick(now=at(11))
    assert sorted(ended(update)) == [
        ("a", OfferEndReason.TIMED_OUT),
        ("b", OfferEndReason.TIMED_OUT),
    ]
    assert rung(update) == ["c", "d"]


def test_ring_count_none_rings_every_eligible_agent_across_tiers() -> None:
    """``None`` rings every free eligible agent the contact may reach, lower tiers first."""
    router = router_of(None)
    router.log_in(agent("t2", tier=2), now=T0)
    router.log_in(agent("t1", tier=1), now=at(1))
    router.log_in(agent("off"), now=at(1), ready=False)
    assert rung(router.enqueue("k", "q", now=at(2))) == ["t1", "t2"]


def test_max_tier_still_limits_who_rings() -> None:
    """Ring 3 with ``max_tier=1``: the tier-2 agent does not ring."""
    router = router_of(3, max_tier=1)
    router.log_in(agent("t1"), now=T0)
    router.log_in(agent("t2", tier=2), now=T0)
    assert rung(router.enqueue("k", "q", now=at(1))) == ["t1"]


def test_ring_all_rings_its_lowest_tier_whatever_ring_count_says() -> None:
    """The ``ring_all`` strategy keeps Asterisk's ringall: every agent of the lowest tier."""
    router = router_of(1, "ring_all")
    for agent_id in "ab":
        router.log_in(agent(agent_id), now=T0)
    router.log_in(agent("t2", tier=2), now=T0)
    assert rung(router.enqueue("k", "q", now=at(1))) == ["a", "b"]


def test_going_not_ready_withdraws_one_ring_and_the_next_agent_rings() -> None:
    """Ring 2: a goes on break while ringing; its offer is withdrawn and c joins."""
    router = router_of(2)
    for second, agent_id in enumerate("abc"):
        router.log_in(agent(agent_id), now=at(second))
    router.enqueue("k", "q", now=at(5))
    update = router.set_not_ready("a", NotReadyReason.BREAK, now=at(6))
    assert ended(update) == [("a", OfferEndReason.WITHDRAWN)]
    assert rung(update) == ["c"]


def test_a_contact_transferred_to_a_ring_n_queue_rings_n() -> None:
    """A connected contact transferred to queue ``r`` (ring 2) rings two of its agents."""
    router = Router(
        [
            QueueConfig(name="q"),
            QueueConfig(name="r", ring_count=2, offer_timeout=10 * S),
        ]
    )
    router.log_in(agent("a"), now=T0)
    for agent_id in "xyz":
        router.log_in(agent(agent_id, queue="r"), now=T0)
    router.enqueue("k", "q", now=at(1))
    router.accept("k", "a", now=at(2))
    update = router.transfer("k", to_queue="r", now=at(3))
    assert rung(update) == ["x", "y"]


def test_a_restored_router_keeps_a_contact_ringing_too_few_in_line() -> None:
    """Restart while a contact rings one of its two: an agent freed after it joins the ring."""
    router = router_of(2)
    router.log_in(agent("a"), now=T0)
    router.log_in(agent("b"), now=T0, ready=False)
    router.enqueue("k", "q", now=at(1))
    restored = Router.restore(loads(RouterSnapshot, dumps(router.snapshot())))
    assert restored.queues[0].ring_count == 2
    assert rung(restored.set_ready("b", now=at(2))) == ["b"]
    assert rung(router.set_ready("b", now=at(2))) == ["b"]  # as the original does


def test_a_snapshot_saved_before_ring_count_existed_rings_one() -> None:
    """A queue saved without ``ring_count`` (an older snapshot) rings one agent."""
    router = router_of(1)
    router.log_in(agent("a"), now=T0)
    router.log_in(agent("b"), now=T0)
    data = to_dict(router.snapshot())
    assert isinstance(data, dict)
    for queue in data["queues"]:
        del queue["ring_count"]
    restored = Router.restore(loads(RouterSnapshot, dumps(data)))
    assert restored.queues[0].ring_count == 1
    assert rung(restored.enqueue("k", "q", now=at(1))) == ["a"]


def test_the_docs_example_runs_as_shown() -> None:
    """The example of ``docs/acd/ring_count.md`` runs and its comments are true."""
    page = Path(__file__).parents[2] / "docs" / "acd" / "ring_count.md"
    match = re.search(r"```python\n(.*?)```", page.read_text(encoding="utf-8"), re.DOTALL)
    assert match is not None
    names: dict[str, Any] = {}
    exec(compile(match.group(1), str(page), "exec"), names)  # noqa: S102 - our own docs
    update = names["update"]
    assert [event.reason for event in update.events if isinstance(event, OfferEnded)] == [
        OfferEndReason.WITHDRAWN
    ]
    assert names["router"].contact("call-1").agent_id == "bo"
