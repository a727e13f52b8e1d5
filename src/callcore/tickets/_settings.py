"""The ticket engine's settings document: tiers, escalation rules, SLA policies, macros."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

import attrs

from callcore.errors import DocumentError, InvalidInputError, Problem
from callcore.tickets._automations import (
    Automation,
    AutomationConditions,
    validate_automations,
)
from callcore.tickets._checks import items_field
from callcore.tickets._documents import items, read_fields, record
from callcore.tickets._escalation import DEFAULT_TIERS, EscalationRule, Tier, validate_escalation
from callcore.tickets._macros import Macro, validate_macros
from callcore.tickets._pending import PendingTimeout, validate_pending_timeouts
from callcore.tickets._sla import SlaConditions, SlaPolicy, SlaTarget, validate_sla_policies
from callcore.tickets._workflow import Workflow

if TYPE_CHECKING:
    from collections.abc import Iterator, Sequence

__all__ = ["TicketSettings", "load_ticket_settings", "validate_settings"]


@attrs.frozen
class TicketSettings:
    """How a contact centre runs its tickets, as one document.

    Attributes:
        tiers: Escalation tiers, lowest first.
        escalation_rules: Automatic escalations.
        sla_policies: SLA policies, tried in order.
        macros: Canned actions.
        pending_timeouts: What happens to tickets left waiting on the customer.
        automations: Time-based automations, run by ``tick``.
    """

    tiers: tuple[Tier, ...] = attrs.field(default=DEFAULT_TIERS, validator=items_field(Tier))
    escalation_rules: tuple[EscalationRule, ...] = attrs.field(
        default=(), validator=items_field(EscalationRule)
    )
    sla_policies: tuple[SlaPolicy, ...] = attrs.field(default=(), validator=items_field(SlaPolicy))
    macros: tuple[Macro, ...] = attrs.field(default=(), validator=items_field(Macro))
    pending_timeouts: tuple[PendingTimeout, ...] = attrs.field(
        default=(), validator=items_field(PendingTimeout)
    )
    automations: tuple[Automation, ...] = attrs.field(default=(), validator=items_field(Automation))


def _problems(
    parts: Mapping[str, object],
    calendars: Mapping[str, object],
    workflows: Mapping[str, Workflow] | None,
) -> list[Problem]:
    def listed(name: str) -> Sequence[object]:
        value = parts[name]
        return value if isinstance(value, tuple) else ()

    tiers = parts["tiers"]
    problems = [
        *validate_escalation(
            tiers if isinstance(tiers, tuple) else None, listed("escalation_rules")
        ),
        *validate_sla_policies(listed("sla_policies"), calendars),
        *validate_macros(listed("macros")),
        *validate_pending_timeouts(listed("pending_timeouts"), calendars, workflows),
        *validate_automations(
            listed("automations"), tiers if isinstance(tiers, tuple) else None, workflows
        ),
    ]
    if workflows is not None:
        problems.extend(_unknown_names(listed("sla_policies"), listed("macros"), workflows))
    return problems


def _unknown_names(
    policies: Sequence[object], macros: Sequence[object], workflows: Mapping[str, Workflow]
) -> Iterator[Problem]:
    """Pause states and macro transitions that no workflow has: they could never apply."""
    flows = list(workflows.values())
    for index, policy in enumerate(policies):
        if not isinstance(policy, SlaPolicy):
            continue
        named = [(f"sla_policies[{index}].pause_states", policy.pause_states)]
        named.extend(
            (f"sla_policies[{index}].targets[{number}].pause_states", target.pause_states)
            for number, target in enumerate(policy.targets)
            if target.pause_states is not None
        )
        for path, states in named:
            for position, state in enumerate(states):
                if not any(flow.has_state(state) for flow in flows):
                    yield Problem(f"{path}[{position}]", f"no workflow has a state {state!r}")
    for index, macro in enumerate(macros):
        transition = macro.transition if isinstance(macro, Macro) else None
        if transition is not None and not any(flow.has_transition(transition) for flow in flows):
            yield Problem(
                f"macros[{index}].transition", f"no workflow has a transition {transition!r}"
            )


def _check_calendars(calendars: object) -> Mapping[str, object]:
    if not isinstance(calendars, Mapping):
        raise InvalidInputError(
            f"calendars must be a mapping of names to calendars, got {type(calendars).__name__}",
            field="calendars",
        )
    return calendars


def validate_settings(
    settings: TicketSettings,
    calendars: Mapping[str, object],
    workflows: Mapping[str, Workflow] | None = None,
) -> list[Problem]:
    """Find every problem in ``settings``, given the calendars known by name.

    With ``workflows``, a pause state or a macro transition that none of them
    has is a problem too (the engine passes its own workflows).

    Raises:
        InvalidInputError: ``settings`` is not a :class:`TicketSettings` or
            ``calendars`` not a mapping.
    """
    if not isinstance(settings, TicketSettings):
        raise InvalidInputError(
            f"settings must be a TicketSettings, got {type(settings).__name__}", field="settings"
        )
    return _problems(attrs.asdict(settings, recurse=False), _check_calendars(calendars), workflows)


_READERS = {
    "tiers": items(record(Tier)),
    "escalation_rules": items(record(EscalationRule)),
    "sla_policies": items(
        record(
            SlaPolicy,
            {"targets": items(record(SlaTarget)), "conditions": record(SlaConditions)},
        )
    ),
    "macros": items(record(Macro)),
    "pending_timeouts": items(record(PendingTimeout)),
    "automations": items(record(Automation, {"conditions": record(AutomationConditions)})),
}


def load_ticket_settings(
    data: object,
    calendars: Mapping[str, object] = {},
    workflows: Mapping[str, Workflow] | None = None,
) -> TicketSettings:
    """Read and validate a settings document.

    The document is read in one pass that collects every problem: an item that
    cannot be read is reported with its path, and the checks across items (an
    unknown tier, a duplicate name) still run on every item that could be read.

    Args:
        data: The document (a plain dict, as from JSON).
        calendars: The calendars SLA policies may name.
        workflows: The workflows whose states SLA policies pause in and whose
            transitions macros apply; ``None`` leaves that check to the engine,
            which always makes it.

    Raises:
        DocumentError: Every problem, each with its path.
        InvalidInputError: ``calendars`` is not a mapping.
    """
    _check_calendars(calendars)
    problems: list[Problem] = []
    parts = read_fields(data, TicketSettings, "", problems, _READERS)
    if parts is not None:
        problems.extend(_problems(parts, calendars, workflows))
    if problems:
        raise DocumentError(problems, "ticket settings")
    assert parts is not None  # noqa: S101 - a document that is no mapping is a problem
    return TicketSettings(**parts)
