"""The ticket engine's settings document: tiers, escalation rules, SLA policies, macros."""

from __future__ import annotations

from typing import TYPE_CHECKING

import attrs

from callcore.errors import DocumentError, Problem
from callcore.serialization import from_dict
from callcore.tickets._escalation import DEFAULT_TIERS, EscalationRule, Tier, validate_escalation
from callcore.tickets._macros import Macro, validate_macros
from callcore.tickets._sla import SlaPolicy, validate_sla_policies

if TYPE_CHECKING:
    from collections.abc import Mapping

__all__ = ["TicketSettings", "load_ticket_settings", "validate_settings"]


@attrs.frozen
class TicketSettings:
    """How a contact centre runs its tickets, as one document.

    Attributes:
        tiers: Escalation tiers, lowest first.
        escalation_rules: Automatic escalations.
        sla_policies: SLA policies, tried in order.
        macros: Canned actions.
    """

    tiers: tuple[Tier, ...] = DEFAULT_TIERS
    escalation_rules: tuple[EscalationRule, ...] = ()
    sla_policies: tuple[SlaPolicy, ...] = ()
    macros: tuple[Macro, ...] = ()


def validate_settings(settings: TicketSettings, calendars: Mapping[str, object]) -> list[Problem]:
    """Find every problem in ``settings``, given the calendars known by name."""
    return [
        *validate_escalation(settings.tiers, settings.escalation_rules),
        *validate_sla_policies(settings.sla_policies, calendars),
        *validate_macros(settings.macros),
    ]


def load_ticket_settings(data: object, calendars: Mapping[str, object] = {}) -> TicketSettings:
    """Read and validate a settings document.

    Args:
        data: The document (a plain dict, as from JSON).
        calendars: The calendars SLA policies may name.

    Raises:
        DocumentError: Every problem, each with its path.
    """
    settings = from_dict(TicketSettings, data, what="ticket settings")
    problems = validate_settings(settings, calendars)
    if problems:
        raise DocumentError(problems, "ticket settings")
    return settings
