"""Escalation tiers and the rules, as data, that move tickets between them."""

from __future__ import annotations

import enum
import re
from typing import TYPE_CHECKING

import attrs

from callcore.checks import check_count, check_number, validator
from callcore.contacts import CustomerTier
from callcore.errors import Problem
from callcore.tickets._checks import (
    enum_field,
    enum_set_field,
    text_field,
    texts_field,
    tiers_field,
)
from callcore.tickets._sla import SlaMetric
from callcore.tickets._ticket import Priority

if TYPE_CHECKING:
    from collections.abc import Iterator, Sequence

    from callcore.tickets._ticket import Ticket

__all__ = [
    "DEFAULT_TIERS",
    "EscalationRule",
    "EscalationTrigger",
    "Tier",
    "validate_escalation",
]


@attrs.frozen
class Tier:
    """One level of support, lowest first in a list of tiers.

    Attributes:
        name: Its unique name (``"front_line"``).
        queue: The queue or group that works tickets at this tier.
    """

    name: str = attrs.field(validator=text_field())
    queue: str = attrs.field(validator=text_field())


_WORD = re.compile(r"\w+")
"""A keyword rule matches whole words of the subject, so each keyword is one."""

DEFAULT_TIERS = (
    Tier("front_line", "front_line"),
    Tier("specialists", "specialists"),
    Tier("supervisors", "supervisors"),
)
"""Front line, specialists (senior agents), supervisors."""


class EscalationTrigger(enum.Enum):
    """What makes a rule escalate a ticket."""

    SLA_BREACH = "sla_breach"
    """An SLA target (``metric``, or any) was breached."""
    SLA_AT_RISK = "sla_at_risk"
    """``fraction`` of an SLA target (``metric``, or any) has elapsed."""
    PRIORITY = "priority"
    """The ticket has one of ``priorities`` (checked at creation and on change)."""
    CUSTOMER_TIER = "customer_tier"
    """The customer is in one of ``customer_tiers`` (a VIP starts higher)."""
    REOPEN_COUNT = "reopen_count"
    """The ticket was reopened at least ``reopen_count`` times."""
    KEYWORD = "keyword"
    """The subject contains one of ``keywords`` (whole words, any case)."""


@attrs.frozen
class EscalationRule:
    """Escalate to a tier when a trigger holds; each rule fires once per ticket.

    Attributes:
        name: Its unique name, recorded as the reason of the escalation.
        trigger: What it watches.
        to_tier: The tier to move the ticket to (never downwards).
        metric: For SLA triggers, the metric (``None``: any).
        fraction: For :attr:`EscalationTrigger.SLA_AT_RISK`, the fraction elapsed.
        priorities: For :attr:`EscalationTrigger.PRIORITY`.
        customer_tiers: For :attr:`EscalationTrigger.CUSTOMER_TIER`: tier names
            (``"vip"``, or a host's own such as ``"gold"``).
        reopen_count: For :attr:`EscalationTrigger.REOPEN_COUNT`.
        keywords: For :attr:`EscalationTrigger.KEYWORD`.
    """

    name: str = attrs.field(validator=text_field())
    trigger: EscalationTrigger = attrs.field(validator=enum_field(EscalationTrigger))
    to_tier: str = attrs.field(validator=text_field())
    metric: SlaMetric | None = attrs.field(
        default=None, validator=enum_field(SlaMetric, optional=True)
    )
    fraction: float = attrs.field(default=0.8, validator=validator(check_number))
    priorities: frozenset[Priority] = attrs.field(
        default=frozenset(), validator=enum_set_field(Priority)
    )
    customer_tiers: frozenset[CustomerTier] = attrs.field(
        default=frozenset(), validator=tiers_field
    )
    reopen_count: int = attrs.field(default=2, validator=validator(check_count, low=None))
    keywords: tuple[str, ...] = attrs.field(default=(), validator=texts_field)

    def matches_ticket(self, ticket: Ticket) -> bool:
        """Tell whether a trigger that looks at the ticket's fields holds."""
        if self.trigger is EscalationTrigger.PRIORITY:
            return ticket.priority in self.priorities
        if self.trigger is EscalationTrigger.CUSTOMER_TIER:
            return ticket.customer_tier in self.customer_tiers
        if self.trigger is EscalationTrigger.REOPEN_COUNT:
            return ticket.reopen_count >= self.reopen_count
        if self.trigger is EscalationTrigger.KEYWORD:
            words = set(_WORD.findall(ticket.subject.casefold()))
            return any(keyword.casefold() in words for keyword in self.keywords)
        return False


def validate_escalation(
    tiers: Sequence[object] | None, rules: Sequence[object]
) -> Iterator[Problem]:
    """Find problems in tiers and escalation rules.

    An item that is not a tier or a rule (a part of a document that could not
    be read) is skipped, and so is every check it could change the outcome of;
    ``tiers`` is ``None`` when the list of tiers could not be read at all.

    Yields:
        Problems with paths such as ``escalation_rules[0].to_tier``.
    """
    names: set[str] = set()
    if tiers is not None and not tiers:
        yield Problem("tiers", "at least one tier is needed")
    for index, tier in enumerate(tiers or ()):
        if not isinstance(tier, Tier):
            continue
        if tier.name in names:
            yield Problem(f"tiers[{index}].name", f"duplicate tier name {tier.name!r}")
        names.add(tier.name)
    all_tiers_known = tiers is not None and all(isinstance(tier, Tier) for tier in tiers)
    rule_names: set[str] = set()
    for index, rule in enumerate(rules):
        if not isinstance(rule, EscalationRule):
            continue
        path = f"escalation_rules[{index}]"
        if rule.name in rule_names:
            yield Problem(f"{path}.name", f"duplicate rule name {rule.name!r}")
        rule_names.add(rule.name)
        if all_tiers_known and rule.to_tier not in names:
            yield Problem(f"{path}.to_tier", f"unknown tier {rule.to_tier!r}")
        yield from _rule_parameter_problems(path, rule)


def _rule_parameter_problems(path: str, rule: EscalationRule) -> Iterator[Problem]:
    trigger = rule.trigger
    if trigger is EscalationTrigger.SLA_AT_RISK and not 0 < rule.fraction < 1:
        yield Problem(f"{path}.fraction", "must be between 0 and 1")
    if trigger is EscalationTrigger.PRIORITY and not rule.priorities:
        yield Problem(f"{path}.priorities", "a 'priority' rule needs at least one priority")
    if trigger is EscalationTrigger.CUSTOMER_TIER and not rule.customer_tiers:
        yield Problem(f"{path}.customer_tiers", "a 'customer_tier' rule needs at least one tier")
    if trigger is EscalationTrigger.REOPEN_COUNT and rule.reopen_count < 1:
        yield Problem(f"{path}.reopen_count", "must be at least 1")
    if trigger is EscalationTrigger.KEYWORD and not rule.keywords:
        yield Problem(f"{path}.keywords", "a 'keyword' rule needs at least one keyword")
    for position, keyword in enumerate(rule.keywords):
        if not _WORD.fullmatch(keyword):
            yield Problem(
                f"{path}.keywords[{position}]",
                f"{keyword!r} is not one word (letters, digits, _): it could never match",
            )
