"""A routing strategy plugin: offer contacts to the most senior agent first.

The plugin contributes ``most_senior`` through the ``callcore_routing_strategies``
hook; :func:`callcore.plugins.routing_strategies` collects it with the built-in
ones into the mapping the router takes.
"""

from __future__ import annotations

from datetime import datetime, timezone
from typing import TYPE_CHECKING, ClassVar

import attrs
import pluggy

from callcore import hookimpl, hookspecs
from callcore.acd import (
    AgentProfile,
    AgentStats,
    Membership,
    QueueConfig,
    Rank,
    Router,
    Strategy,
    StrategyMemory,
)
from callcore.builtin_plugins import acd as builtin_acd
from callcore.plugins import routing_strategies

if TYPE_CHECKING:
    from collections.abc import Mapping

SENIORITY = {"ana": 2019, "bob": 2012, "cy": 2023}
T0 = datetime(2026, 1, 5, 9, 0, tzinfo=timezone.utc)


@attrs.frozen
class MostSenior(Strategy):
    """The agent who joined the company first (ties: longest idle).

    Subclassing ``Strategy`` gives the capabilities' safe defaults; this rank
    reads no random draw and ignores the contact's skills, which the strategy
    declares so that the router draws nothing and ranks an agent once per queue.
    """

    reads_draw: ClassVar[bool] = False
    skill_blind: ClassVar[bool] = True

    ring_all: bool = False
    memory: StrategyMemory = StrategyMemory.NONE

    def rank(self, agent: AgentStats, membership: Membership, skills: frozenset[str]) -> Rank:  # noqa: ARG002
        """Rank by the year the agent joined, then idle time."""
        return (SENIORITY.get(agent.agent_id, 9999), agent.idle_since)


class SeniorityPlugin:
    """A plugin object; a package would publish it under the 'callcore' entry point."""

    @hookimpl
    def callcore_routing_strategies(self) -> Mapping[str, Strategy]:
        """Contribute the strategy under its name."""
        return {"most_senior": MostSenior()}


def main() -> None:
    manager = pluggy.PluginManager(hookspecs.PROJECT_NAME)
    manager.add_hookspecs(hookspecs)
    manager.register(builtin_acd)
    manager.register(SeniorityPlugin())
    strategies = routing_strategies(manager)
    print("strategies:", ", ".join(sorted(strategies)))

    router = Router([QueueConfig(name="vip", strategy="most_senior")], strategies=strategies)
    for agent_id in SENIORITY:
        router.log_in(
            AgentProfile(agent_id=agent_id, memberships=(Membership(queue="vip"),)), now=T0
        )
    for number in range(3):
        (offer,) = router.enqueue(f"call-{number}", "vip", now=T0).offers
        router.accept(offer.contact_id, offer.agent_id, now=T0)
        print(f"{offer.contact_id} -> {offer.agent_id} (joined {SENIORITY[offer.agent_id]})")


if __name__ == "__main__":
    main()
