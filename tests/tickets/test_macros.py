"""Macros: canned actions applied all at once or not at all."""

from __future__ import annotations

import pytest

from callcore.contacts import Channel
from callcore.errors import DocumentError, InvalidInputError, InvalidTransitionError, Problem
from callcore.serialization import to_dict
from callcore.tickets import (
    Macro,
    Priority,
    Ticket,
    TicketEngine,
    TicketSettings,
    load_ticket_settings,
    render_template,
)
from tests.tickets.strategies import AGENT, START

SOLVE = Macro(
    "solve_password",
    priority=Priority.LOW,
    assign_to_actor=True,
    add_tags=frozenset({"password"}),
    fields={"category": "account"},
    reply="Hello {customer_name}, your password for ticket {ticket_id} was reset. {agent}",
    transition="resolve",
    note="password reset by {agent}",
)


@pytest.fixture
def engine() -> TicketEngine:
    """An engine with the password macro."""
    return TicketEngine(TicketSettings(macros=(SOLVE,)))


@pytest.fixture
def ticket(engine: TicketEngine) -> Ticket:
    """A new, unassigned ticket."""
    return engine.create(
        id="T-5", subject="Locked out", channel=Channel.CHAT, customer="c-3", now=START
    ).ticket


def test_templates_fill_placeholders() -> None:
    """Placeholders are replaced and doubled braces are literal."""
    assert render_template("{a}-{b} {{x}}", {"a": "1", "b": "2"}) == "1-2 {x}"


def test_a_missing_placeholder_is_an_error() -> None:
    """A placeholder without a value names what is missing."""
    with pytest.raises(InvalidInputError, match="'customer_name'"):
        render_template("Hi {customer_name}", {"agent": "ana"})
    with pytest.raises(InvalidInputError, match=r"no value for '\{x\.y\}'"):
        render_template("{x.y}", {"x": "1"})


def test_a_macro_does_everything(engine: TicketEngine, ticket: Ticket) -> None:
    """Fields, the reply and the transition are applied together."""
    update = engine.apply_macro(
        ticket, "solve_password", by=AGENT, now=START, values={"customer_name": "Ioana"}
    )
    assert update.ticket is ticket
    assert (ticket.state, ticket.priority, ticket.assignee) == ("resolved", Priority.LOW, "ana")
    assert ticket.tags == {"password"}
    assert ticket.fields == {"category": "account"}
    reply = next(c for c in ticket.history if c.action == "reply")
    assert reply.new == "Hello Ioana, your password for ticket T-5 was reset. ana"
    assert ticket.history[-1].reason == "password reset by ana"
    assert ticket.first_response_at == START


def test_a_failing_macro_changes_nothing(engine: TicketEngine, ticket: Ticket) -> None:
    """A missing template value or a refused transition leaves the ticket as it was."""
    before = to_dict(ticket)
    with pytest.raises(InvalidInputError, match="customer_name"):
        engine.apply_macro(ticket, "solve_password", by=AGENT, now=START)
    assert to_dict(ticket) == before
    engine.apply(ticket, "close", by=AGENT, now=START)
    before = to_dict(ticket)
    with pytest.raises(InvalidTransitionError):
        engine.apply_macro(ticket, SOLVE, by=AGENT, now=START, values={"customer_name": "I"})
    assert to_dict(ticket) == before


def test_an_unknown_macro_is_an_error(engine: TicketEngine, ticket: Ticket) -> None:
    """Macros are looked up by name."""
    with pytest.raises(InvalidInputError, match="unknown macro 'nope'"):
        engine.apply_macro(ticket, "nope", by=AGENT, now=START)


def test_macros_are_validated_in_settings() -> None:
    """Duplicate names, malformed placeholders and contradictory tags are problems."""
    document = {
        "macros": [
            {"name": "m", "reply": "Hi {na me}", "add_tags": ["a"], "remove_tags": ["a"]},
            {"name": "m"},
        ]
    }
    with pytest.raises(DocumentError) as caught:
        load_ticket_settings(document)
    assert set(caught.value.problems) == {
        Problem("macros[0].reply", "malformed placeholder '{na me}'"),
        Problem("macros[0].add_tags", "tags both added and removed: a"),
        Problem("macros[1].name", "duplicate macro name 'm'"),
    }
