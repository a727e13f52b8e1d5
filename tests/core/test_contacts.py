"""The shared vocabulary: skills, tiers, priorities, and the update protocols."""

from __future__ import annotations

import re
from types import MappingProxyType

import pytest
from hypothesis import given
from hypothesis import strategies as st

from callcore.contacts import (
    MAX_PRIORITY,
    MAX_SKILL_LEVEL,
    MAX_SKILLS,
    MIN_SKILL_LEVEL,
    check_priority,
    check_skills,
    check_tier,
    plainly_skills,
    skill_levels,
)
from callcore.errors import InvalidInputError
from callcore.events import new_id
from callcore.ivr import EnqueueContact

names = st.text(st.characters(min_codepoint=32, max_codepoint=126), min_size=1, max_size=8)


@given(st.lists(names, max_size=MAX_SKILLS, unique=True))
def test_bare_names_mean_the_lowest_level(skills: list[str]) -> None:
    """A list of names becomes each name at level 1; a tuple too."""
    expected = dict.fromkeys(skills, MIN_SKILL_LEVEL)
    assert skill_levels(skills, "skills") == expected
    assert skill_levels(tuple(skills), "skills") == expected


@given(st.dictionaries(names, st.integers(MIN_SKILL_LEVEL, MAX_SKILL_LEVEL), max_size=MAX_SKILLS))
def test_a_skill_map_is_copied_as_it_is(skills: dict[str, int]) -> None:
    """A mapping keeps its levels, in a new dict."""
    levels = skill_levels(skills, "skills")
    assert levels == skills
    assert levels is not skills


@pytest.mark.parametrize(
    ("value", "field", "message"),
    [
        ("billing", "skills", "mapping of skill names"),
        ({"billing": 0}, "skills.billing", "skills.billing"),
        ({"billing": 11}, "skills.billing", "skills.billing"),
        ({"billing": True}, "skills.billing", "skills.billing"),
        ({"": 1}, "skills", "skill name"),
        (["billing", 3], "skills.1", "skills.1"),
        ([f"s{i}" for i in range(MAX_SKILLS + 1)], "skills", "limit is 64"),
        ({f"s{i}": 1 for i in range(MAX_SKILLS + 1)}, "skills", "limit is 64"),
    ],
)
def test_bad_skills_are_refused_naming_the_place(value: object, field: str, message: str) -> None:
    """A string is not split into letters; a level out of 1..10 or a bool is refused."""
    with pytest.raises(InvalidInputError, match=re.escape(message)) as caught:
        skill_levels(value, "skills")
    assert caught.value.field == field
    if not isinstance(value, list):
        with pytest.raises(InvalidInputError):
            check_skills(value, "skills")


@pytest.mark.parametrize("tier", ["standard", "vip", "gold", "tier-2", "a", "x" * 64, "b2b_plus"])
def test_hosts_name_their_own_tiers(tier: str) -> None:
    """Lower-case names of letters, digits, '_' and '-' are tiers."""
    assert check_tier(tier, "tier") == tier


@pytest.mark.parametrize("tier", ["", "Gold", "x" * 65, "-vip", "v i p", 3, None, "vïp"])
def test_a_bad_tier_name_is_refused(tier: object) -> None:
    """Anything else is refused, naming the field."""
    with pytest.raises(InvalidInputError) as caught:
        check_tier(tier, "customer_tier")
    assert caught.value.field == "customer_tier"


@pytest.mark.parametrize("priority", [-MAX_PRIORITY, -1, 0, 7, MAX_PRIORITY])
def test_priorities_within_the_limit_pass(priority: int) -> None:
    """Both ends are included; the IVR's EnqueueContact takes the same range."""
    assert check_priority(priority, "priority") == priority
    assert EnqueueContact("q", priority=priority).priority == priority


@pytest.mark.parametrize("priority", [MAX_PRIORITY + 1, -MAX_PRIORITY - 1, 2**63, 1.0, True, "1"])
def test_priorities_beyond_the_limit_are_refused_by_both(priority: object) -> None:
    """A flow cannot build a request that the router would refuse."""
    with pytest.raises(InvalidInputError):
        check_priority(priority, "priority")
    with pytest.raises(InvalidInputError):
        EnqueueContact("q", priority=priority)  # type: ignore[arg-type]


def test_new_ids_are_uuid4_hex_and_distinct() -> None:
    """The default id factory: 32 lower-case hex digits, version 4, never twice the same."""
    ids = {new_id() for _ in range(1000)}
    assert len(ids) == 1000
    assert all(re.fullmatch(r"[0-9a-f]{12}4[0-9a-f]{3}[89ab][0-9a-f]{15}", i) for i in ids)


skill_maps = st.dictionaries(
    st.one_of(names, st.text(max_size=3), st.integers()),
    st.one_of(st.integers(-2, 12), st.booleans(), st.floats(0, 11)),
    max_size=MAX_SKILLS + 2,
)


@given(skill_maps, st.booleans())
def test_the_quick_look_accepts_only_what_the_thorough_check_accepts(
    skills: dict[object, object], read_only: bool
) -> None:
    """plainly_skills (the engines' fast path) never passes a map check_skills refuses."""
    value = MappingProxyType(skills) if read_only else skills
    if plainly_skills(value):
        assert check_skills(value, "skills") is value


def test_the_quick_look_passes_the_usual_maps_and_refuses_others() -> None:
    """The fast path is taken for the usual maps (else it would be useless), not for a string."""
    assert plainly_skills({"billing": 3, "en": 1})
    assert plainly_skills(MappingProxyType({"billing": 10}))
    assert not plainly_skills({"billing": 0})
    assert not plainly_skills({"billing": True})
    assert not plainly_skills("billing")
    assert not plainly_skills({f"s{i}": 1 for i in range(MAX_SKILLS + 1)})
