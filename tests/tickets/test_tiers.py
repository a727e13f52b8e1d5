"""Customer tiers are the shared vocabulary's tier names (callcore.contacts.check_tier).

A host names its own tiers ("gold"); a malformed name is refused, naming the
field, wherever tickets take a tier: the ticket, SLA conditions, escalation
rules, the settings document and a stored ticket read back.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from callcore.contacts import STANDARD_TIER, Channel, check_tier
from callcore.errors import DocumentError, InvalidInputError
from callcore.serialization import dumps, from_dict, to_dict
from callcore.tickets import (
    EscalationRule,
    EscalationTrigger,
    SlaConditions,
    SlaMetric,
    SlaPolicy,
    SlaTarget,
    Ticket,
    TicketEngine,
    TicketSettings,
    load_ticket_settings,
)
from tests.tickets.strategies import AGENT, START

BAD_TIERS = ["Gold", "", "gold tier", "-gold", "é", "g" * 65, 5, None, b"gold"]

GOLD_SETTINGS = TicketSettings(
    escalation_rules=(
        EscalationRule(
            "gold first", EscalationTrigger.CUSTOMER_TIER, "specialists",
            customer_tiers=frozenset({"gold"}),
        ),
    ),
    sla_policies=(
        SlaPolicy(
            "gold", (SlaTarget(SlaMetric.RESOLUTION, timedelta(hours=4)),),
            conditions=SlaConditions(customer_tiers=frozenset({"gold", "platinum"})),
        ),
    ),
)  # fmt: skip


def create(engine: TicketEngine, **options: Any) -> Ticket:
    """A voice ticket for customer ``c``, created at START."""
    return engine.create(
        subject="s", channel=Channel.VOICE, customer="c",
        now=START, **options,
    ).ticket  # fmt: skip


def test_a_ticket_is_of_the_standard_tier_unless_told() -> None:
    """The default tier is callcore.contacts.STANDARD_TIER."""
    assert create(TicketEngine()).customer_tier == STANDARD_TIER


@pytest.mark.parametrize("tier", ["gold", "platinum"])
def test_host_named_tiers_drive_rules_and_policies(tier: str) -> None:
    """A host's own tier ("gold") is accepted and matched by rules and SLA conditions."""
    engine = TicketEngine(GOLD_SETTINGS)
    ticket = create(engine, customer_tier=tier)
    assert ticket.customer_tier == tier
    assert ticket.sla_policy == "gold"
    assert ticket.tier == ("specialists" if tier == "gold" else "front_line")
    plain = create(engine, customer_tier="bronze")
    assert (plain.sla_policy, plain.tier) == (None, "front_line")
    engine.update(plain, by=AGENT, now=START, customer_tier="gold")
    assert (plain.customer_tier, plain.sla_policy, plain.tier) == ("gold", "gold", "specialists")


@pytest.mark.parametrize("tier", BAD_TIERS)
def test_a_malformed_tier_is_refused_by_create_and_update(tier: object) -> None:
    """Create and update refuse a tier that is no tier name, naming customer_tier."""
    for engine in (TicketEngine(), TicketEngine(GOLD_SETTINGS)):
        with pytest.raises(InvalidInputError) as refused:
            create(engine, customer_tier=tier)
        assert refused.value.field == "customer_tier"
        if tier is None:
            continue  # update's customer_tier=None means: leave it as it is
        ticket = create(engine)
        before = dumps(ticket)
        with pytest.raises(InvalidInputError) as refused:
            engine.update(ticket, by=AGENT, now=START, customer_tier=tier)  # type: ignore[arg-type]
        assert refused.value.field == "customer_tier"
        assert dumps(ticket) == before


@pytest.mark.parametrize("tier", BAD_TIERS)
def test_a_malformed_tier_is_refused_by_conditions_and_rules(tier: object) -> None:
    """SLA conditions and escalation rules check each tier name, naming customer_tiers."""
    with pytest.raises(InvalidInputError) as refused:
        SlaConditions(customer_tiers=frozenset({"gold", tier}))  # type: ignore[arg-type]
    assert refused.value.field == "customer_tiers"
    with pytest.raises(InvalidInputError) as refused:
        EscalationRule(
            "r", EscalationTrigger.CUSTOMER_TIER, "specialists",
            customer_tiers=frozenset({tier}),  # type: ignore[arg-type]
        )  # fmt: skip
    assert refused.value.field == "customer_tiers"


def test_the_settings_document_reports_bad_tiers_with_their_paths() -> None:
    """load_ticket_settings names each bad tier's place, all at once."""
    document = to_dict(GOLD_SETTINGS)
    document["escalation_rules"][0]["customer_tiers"] = ["Gold"]
    document["sla_policies"][0]["conditions"]["customer_tiers"] = ["gold", "plat inum"]
    with pytest.raises(DocumentError) as raised:
        load_ticket_settings(document)
    paths = [problem.path for problem in raised.value.problems]
    assert paths == [
        "escalation_rules[0].customer_tiers",
        "sla_policies[0].conditions.customer_tiers",
    ]
    document["escalation_rules"][0]["customer_tiers"] = ["gold"]
    document["sla_policies"][0]["conditions"]["customer_tiers"] = ["gold", "platinum"]
    assert load_ticket_settings(document) == GOLD_SETTINGS


def test_a_stored_ticket_with_a_bad_tier_does_not_load() -> None:
    """Reading a ticket back checks its tier like create does."""
    data = to_dict(create(TicketEngine(), customer_tier="gold"))
    assert from_dict(Ticket, data).customer_tier == "gold"
    data["customer_tier"] = "Gold"
    with pytest.raises(DocumentError) as raised:
        from_dict(Ticket, data)
    assert [problem.path for problem in raised.value.problems] == ["customer_tier"]


@pytest.mark.parametrize("tier", ["gold", "vip", "a", "x" * 64, "tier_2-b"])
def test_what_check_tier_accepts_every_entry_accepts(tier: str) -> None:
    """One rule for tier names: what the ground floor's check accepts, tickets accept."""
    assert check_tier(tier, "tier") == tier
    engine = TicketEngine()
    assert create(engine, customer_tier=tier).customer_tier == tier
    assert SlaConditions(customer_tiers=frozenset({tier})).customer_tiers == {tier}
