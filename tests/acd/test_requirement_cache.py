"""New contacts asking the same skills share one requirement, computed as without a cache."""

from __future__ import annotations

from callcore.acd import AgentProfile, Membership, QueueConfig, Router
from tests.acd.strategies import T0


def test_same_skills_share_a_requirement_equal_to_a_fresh_one() -> None:
    """Two contacts with equal skill maps get the same Requirement, equal to a fresh one."""
    router = Router([QueueConfig(name="q", required_skills={"en": 2}, max_tier=1)])
    router.log_in(
        AgentProfile(agent_id="a", skills={"en": 1}, memberships=(Membership(queue="q"),)), now=T0
    )
    router.enqueue("c1", "q", now=T0, skills={"billing": 3, "en": 4})
    router.enqueue("c2", "q", now=T0, skills={"billing": 3, "en": 4})
    router.enqueue("c3", "q", now=T0, skills={"billing": 2})
    first, second, third = (router._contacts[c].requirement for c in ("c1", "c2", "c3"))
    assert first is second
    assert first == router._queues["q"].requirement({"billing": 3, "en": 4}, 0)
    assert first.minimums == (("billing", 3), ("en", 4))
    assert first.strict == (("billing", 3), ("en", 4))
    assert third.minimums == (("billing", 2), ("en", 2))
    assert first.max_tier == 1


def test_level_one_minimums_need_no_check() -> None:
    """Minimums of level 1 are left out of the strict checks (the index has the skill)."""
    router = Router([QueueConfig(name="q")])
    router.enqueue("c1", "q", now=T0, skills={"en": 1, "fr": 3})
    requirement = router._contacts["c1"].requirement
    assert requirement.minimums == (("en", 1), ("fr", 3))
    assert requirement.strict == (("fr", 3),)
