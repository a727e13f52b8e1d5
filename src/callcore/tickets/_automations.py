"""Time-based automations as data: conditions on a ticket lead to actions, run by ``tick``.

Zendesk's automations and Freshdesk's supervisor rules check every ticket
periodically: when its status, its age, its group, its tags or its SLA state
meet the conditions, they set a status, notify someone or add a tag, once.
An :class:`Automation` says the same as data. :meth:`TicketEngine.tick
<callcore.tickets.TicketEngine.tick>` runs them; each fires once while its
conditions hold, and again only after they stopped holding at a tick
("once per condition change"); ``next_deadline`` includes the instant a
time condition will hold.
"""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING, Any

import attrs

from callcore.errors import Problem
from callcore.tickets._checks import (
    bool_field,
    duration_field,
    instance_field,
    names_field,
    optional_text_field,
    text_field,
)

if TYPE_CHECKING:
    from collections.abc import Iterator, Mapping, Sequence

    from callcore.tickets._workflow import Workflow

__all__ = ["Automation", "AutomationConditions", "validate_automations"]


def _optional_bool(owner: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if value is not None:
        bool_field(owner, attribute, value)


@attrs.frozen
class AutomationConditions:
    """When an automation applies; every condition given must hold (empty: any).

    Attributes:
        states: The ticket is in one of these states.
        tiers: The ticket is at one of these escalation tiers.
        tags: The ticket has at least one of these tags.
        in_state_for: The ticket has been in its state at least this long
            (elapsed time since it entered it).
        age: The ticket was created at least this long ago.
        sla_breached: With ``True``, some SLA target of the ticket was
            breached; with ``False``, none was.
    """

    states: frozenset[str] = attrs.field(default=frozenset(), validator=names_field)
    tiers: frozenset[str] = attrs.field(default=frozenset(), validator=names_field)
    tags: frozenset[str] = attrs.field(default=frozenset(), validator=names_field)
    in_state_for: timedelta | None = attrs.field(
        default=None, validator=duration_field(optional=True)
    )
    age: timedelta | None = attrs.field(default=None, validator=duration_field(optional=True))
    sla_breached: bool | None = attrs.field(default=None, validator=_optional_bool)


@attrs.frozen
class Automation:
    """Actions the system takes when a ticket meets some conditions.

    Attributes:
        name: Its unique name (recorded as the reason of what it does).
        conditions: When it applies.
        transition: A transition to apply (``None``: none); skipped when not
            available in the ticket's state or refused by a guard.
        escalate_to: A tier to move the ticket up to (``None``: none).
        notify: Who to notify: ``"assignee"``, ``"customer"``, ``"queue"`` or
            an address (``None``: nobody).
        add_tags: Tags to add.
    """

    name: str = attrs.field(validator=text_field())
    conditions: AutomationConditions = attrs.field(
        default=AutomationConditions(), validator=instance_field(AutomationConditions)
    )
    transition: str | None = attrs.field(default=None, validator=optional_text_field)
    escalate_to: str | None = attrs.field(default=None, validator=optional_text_field)
    notify: str | None = attrs.field(default=None, validator=optional_text_field)
    add_tags: frozenset[str] = attrs.field(default=frozenset(), validator=names_field)

    @property
    def marker(self) -> str:
        """The entry of :attr:`Ticket.fired_rules` that says it fired and its conditions hold."""
        return f"automation:{self.name}"


def validate_automations(
    automations: Sequence[object],
    tiers: Sequence[object] | None,
    workflows: Mapping[str, Workflow] | None,
) -> Iterator[Problem]:
    """Find problems in automations (states and transitions only with ``workflows``).

    Yields:
        Problems with paths such as ``automations[0].transition``.
    """
    names: set[str] = set()
    tier_names = None if tiers is None else {getattr(tier, "name", None) for tier in tiers}
    for index, automation in enumerate(automations):
        if not isinstance(automation, Automation):
            continue
        path = f"automations[{index}]"
        if automation.name in names:
            yield Problem(f"{path}.name", f"duplicate automation name {automation.name!r}")
        names.add(automation.name)
        if not (automation.transition or automation.escalate_to or automation.notify) and (
            not automation.add_tags
        ):
            yield Problem(path, "an automation needs at least one action")
        yield from _duration_problems(path, automation.conditions)
        if tier_names is not None:
            yield from _tier_problems(path, automation, tier_names)
        if workflows is not None:
            yield from _workflow_problems(path, automation, list(workflows.values()))


def _duration_problems(path: str, conditions: AutomationConditions) -> Iterator[Problem]:
    for name, value in (("in_state_for", conditions.in_state_for), ("age", conditions.age)):
        if value is not None and value < timedelta(0):
            yield Problem(f"{path}.conditions.{name}", "must not be negative")


def _tier_problems(path: str, automation: Automation, known: set[object]) -> Iterator[Problem]:
    for tier in sorted(automation.conditions.tiers):
        if tier not in known:
            yield Problem(f"{path}.conditions.tiers", f"unknown tier {tier!r}")
    if automation.escalate_to is not None and automation.escalate_to not in known:
        yield Problem(f"{path}.escalate_to", f"unknown tier {automation.escalate_to!r}")


def _workflow_problems(
    path: str, automation: Automation, flows: list[Workflow]
) -> Iterator[Problem]:
    for state in sorted(automation.conditions.states):
        if not any(flow.has_state(state) for flow in flows):
            yield Problem(f"{path}.conditions.states", f"no workflow has a state {state!r}")
    transition = automation.transition
    if transition is not None and not any(flow.has_transition(transition) for flow in flows):
        yield Problem(f"{path}.transition", f"no workflow has a transition {transition!r}")
