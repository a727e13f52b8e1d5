"""Small builders shared by the hand-worked ACD scenario tests."""

from __future__ import annotations

from typing import TYPE_CHECKING, TypeVar

from callcore.acd import AgentProfile, Membership

if TYPE_CHECKING:
    from callcore.acd import Outcome
    from callcore.events import Event

E = TypeVar("E", bound="Event")


def member(agent_id: str, queue: str, *, tier: int = 1, **skills: int) -> AgentProfile:
    """An agent in one queue at ``tier`` with ``skills``."""
    return AgentProfile(
        agent_id=agent_id, skills=skills, memberships=(Membership(queue=queue, tier=tier),)
    )


def of_type(outcome: Outcome, kind: type[E]) -> list[E]:
    """The events of ``outcome`` of one type, in order."""
    return [event for event in outcome.events if isinstance(event, kind)]
