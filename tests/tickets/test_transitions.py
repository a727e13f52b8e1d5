"""Applying transitions: guards, history, refusals that change nothing."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from callcore.contacts import Channel
from callcore.errors import InvalidInputError, InvalidTransitionError, NaiveDatetimeError
from callcore.events import new_id
from callcore.serialization import to_dict
from callcore.tickets import (
    Actor,
    Change,
    FieldValue,
    Guard,
    GuardKind,
    ScheduleFollowUp,
    State,
    StateCategory,
    Ticket,
    TicketEngine,
    Transition,
    Workflow,
    sequential_ids,
)
from tests.tickets.strategies import AGENT, START, SUPERVISOR


@pytest.fixture
def engine() -> TicketEngine:
    """The default engine with sequential ids."""
    return TicketEngine(id_factory=sequential_ids())


@pytest.fixture
def ticket(engine: TicketEngine) -> Ticket:
    """A new voice ticket assigned to Ana."""
    return engine.create(
        subject="Cannot log in", channel=Channel.VOICE, customer="c-7", now=START,
        assignee=AGENT.id,
    ).ticket  # fmt: skip


def test_creation_records_the_initial_state(engine: TicketEngine, ticket: Ticket) -> None:
    """A new ticket is in the initial state, at the lowest tier, with one history entry."""
    assert (ticket.id, ticket.state, ticket.tier, ticket.queue) == (
        "T-1", "new", "front_line", "front_line"
    )  # fmt: skip
    (created,) = ticket.history
    assert (created.action, created.new, created.at) == ("created", "new", START)
    assert engine.create(subject="x", channel=Channel.SMS, customer="c", now=START).ticket.id == (
        "T-2"
    )


def test_a_transition_moves_and_records(engine: TicketEngine, ticket: Ticket) -> None:
    """Applying a transition changes the state and appends who, when, what, from, to, why."""
    later = START + timedelta(minutes=5)
    update = engine.apply(ticket, "open", by=AGENT, now=later, note="looking")
    assert ticket.state == "open"
    assert update.ticket is ticket
    assert update.events == (
        Change(at=later, ticket_id="T-1", by="ana", action="open", field="state",
               old="new", new="open", reason="looking"),
    )  # fmt: skip
    assert ticket.history[-1] is update.events[0]


def test_a_failing_guard_names_state_transition_and_guard(
    engine: TicketEngine, ticket: Ticket
) -> None:
    """Resolving without a note is refused with the guard named, and nothing changes."""
    before = to_dict(ticket)
    with pytest.raises(InvalidTransitionError) as caught:
        engine.apply(ticket, "resolve", by=AGENT, now=START)
    error = caught.value
    assert (error.state, error.transition) == ("new", "resolve")
    assert "note_required" in error.reason
    assert "cannot resolve in state 'new'" in str(error)
    assert to_dict(ticket) == before


def test_only_the_assignee_or_a_supervisor_may_resolve(
    engine: TicketEngine, ticket: Ticket
) -> None:
    """Another agent is refused; a supervisor is allowed."""
    bob = Actor("bob", frozenset({"agent"}))
    with pytest.raises(InvalidTransitionError, match="assignee_or_supervisor"):
        engine.apply(ticket, "resolve", by=bob, now=START, note="fixed")
    engine.apply(ticket, "resolve", by=SUPERVISOR, now=START, note="fixed")
    assert ticket.state == "resolved"
    assert ticket.resolved_at == START


def test_unknown_and_unavailable_transitions_are_refused(
    engine: TicketEngine, ticket: Ticket
) -> None:
    """An unknown name and a transition from the wrong state are both refused."""
    with pytest.raises(InvalidTransitionError, match="no transition 'explode'"):
        engine.apply(ticket, "explode", by=AGENT, now=START)
    with pytest.raises(InvalidTransitionError, match="not available here; available: open"):
        engine.apply(ticket, "reopen", by=AGENT, now=START)
    assert len(ticket.history) == 1


def test_naive_times_are_refused(engine: TicketEngine, ticket: Ticket) -> None:
    """A naive now is a caller's mistake."""
    with pytest.raises(NaiveDatetimeError):
        engine.apply(ticket, "open", by=AGENT, now=START.replace(tzinfo=None))


def test_a_follow_up_is_scheduled_at_the_given_time(engine: TicketEngine, ticket: Ticket) -> None:
    """needs-follow-up returns a scheduling action and records the due time."""
    due = START + timedelta(days=2)
    update = engine.apply(ticket, "need_follow_up", by=AGENT, now=START, follow_up_due=due)
    assert update.actions == (ScheduleFollowUp("T-1", due),)
    assert ticket.follow_up_due == due
    assert ticket.history[-1].field == "follow_up_due"


def test_a_follow_up_in_the_past_is_refused(engine: TicketEngine, ticket: Ticket) -> None:
    """A due time that is not after now is refused, changing nothing."""
    with pytest.raises(InvalidInputError, match="must be after now"):
        engine.apply(ticket, "need_follow_up", by=AGENT, now=START, follow_up_due=START)
    assert ticket.state == "new"


def test_leaving_follow_up_cancels_it(engine: TicketEngine, ticket: Ticket) -> None:
    """Resuming work before the due time clears the follow-up."""
    engine.apply(ticket, "need_follow_up", by=AGENT, now=START)
    engine.apply(ticket, "open", by=AGENT, now=START + timedelta(hours=1))
    assert ticket.follow_up_due is None
    assert engine.next_deadline(ticket) is None


def test_closed_tickets_refuse_replies_and_updates(engine: TicketEngine, ticket: Ticket) -> None:
    """A closed ticket takes no agent reply, customer reply or field change."""
    engine.apply(ticket, "close", by=AGENT, now=START)
    with pytest.raises(InvalidTransitionError, match="closed"):
        engine.reply(ticket, by=AGENT, now=START, text="hi")
    with pytest.raises(InvalidTransitionError, match="closed"):
        engine.customer_reply(ticket, now=START, text="hello?")
    with pytest.raises(InvalidTransitionError, match="closed"):
        engine.update(ticket, by=AGENT, now=START, add_tags=["x"])


def test_update_records_each_changed_field(engine: TicketEngine, ticket: Ticket) -> None:
    """Only fields that really change are recorded, each with old and new values."""
    engine.update(
        ticket, by=AGENT, now=START, assignee="bob", add_tags=["vip", "wifi"],
        fields={"router": "X200"}, reason="triage",
    )  # fmt: skip
    changes = [(c.field, c.old, c.new) for c in ticket.history[1:]]
    assert changes == [
        ("assignee", "ana", "bob"),
        ("tags", "", "vip,wifi"),
        ("fields.router", None, "X200"),
    ]
    engine.update(ticket, by=AGENT, now=START, assignee="bob", fields={"router": "X200"})
    assert len(ticket.history) == 4


def test_ids_are_random_hex_by_default() -> None:
    """Without an id, the default factory (callcore.events.new_id) gives a UUID4 in hex."""
    engine = TicketEngine()
    assert engine.id_factory is new_id
    made = [
        engine.create(subject="x", channel=Channel.EMAIL, customer="c", now=START).ticket.id
        for _ in range(3)
    ]
    for ticket_id in made:
        assert uuid.UUID(hex=ticket_id).hex == ticket_id
        assert uuid.UUID(hex=ticket_id).version == 4
    assert len(set(made)) == 3
    update = engine.create(id="A", subject="x", channel=Channel.EMAIL, customer="c", now=START)
    assert update.ticket.id == "A"


def test_the_id_factory_is_asked_only_for_an_accepted_ticket() -> None:
    """A given id or a refused call uses up no id; what the factory makes is checked."""
    engine = TicketEngine(id_factory=sequential_ids("case-", 7))
    engine.create(id="mine", subject="x", channel=Channel.EMAIL, customer="c", now=START)
    with pytest.raises(InvalidInputError) as refused:
        engine.create(subject="x", channel=Channel.EMAIL, customer="", now=START)
    assert refused.value.field == "customer"
    made = engine.create(subject="x", channel=Channel.EMAIL, customer="c", now=START).ticket
    assert made.id == "case-7"
    odd = TicketEngine(id_factory=lambda: "")
    with pytest.raises(InvalidInputError) as bad_id:
        odd.create(subject="x", channel=Channel.EMAIL, customer="c", now=START)
    assert bad_id.value.field == "id"


@pytest.mark.parametrize("factory", [None, "uuid", 5])
def test_an_id_factory_must_be_callable(factory: object) -> None:
    """An id factory that cannot be called is refused when the engine is made."""
    with pytest.raises(InvalidInputError) as refused:
        TicketEngine(id_factory=factory)  # type: ignore[arg-type]
    assert refused.value.field == "id_factory"


_GUARDED = Workflow(
    name="guarded",
    initial="new",
    states=(State("new", StateCategory.NEW), State("done", StateCategory.CLOSED)),
    transitions=tuple(
        Transition(f"via_{guard.kind.value}", ("new",), "done", guards=(guard,))
        for guard in (
            Guard(GuardKind.NOTE_REQUIRED),
            Guard(GuardKind.ASSIGNEE_OR_SUPERVISOR),
            Guard(GuardKind.ASSIGNED),
            Guard(GuardKind.ROLE, roles=("lead", "owner")),
            Guard(GuardKind.FIELD_SET, field="order"),
        )
    ),
    auto_close_after=None,
)


def _guard_holds(kind: GuardKind, ticket: Ticket, by: Actor, note: str) -> bool:
    """Each guard kind's rule, as its documentation states it."""
    return {
        GuardKind.NOTE_REQUIRED: note.strip() != "",
        GuardKind.ASSIGNEE_OR_SUPERVISOR: by.id == ticket.assignee
        or bool(by.roles & {"supervisor", "system"}),
        GuardKind.ASSIGNED: ticket.assignee is not None,
        GuardKind.ROLE: bool(by.roles & {"lead", "owner"}),
        GuardKind.FIELD_SET: ticket.fields.get("order") is not None,
    }[kind]


@given(
    kind=st.sampled_from(GuardKind),
    by_id=st.sampled_from(["ana", "bo"]),
    roles=st.frozensets(st.sampled_from(["agent", "supervisor", "system", "lead", "owner"])),
    assignee=st.sampled_from([None, "ana", "bo"]),
    order=st.sampled_from([None, "", "A-1", 0]),
    note=st.sampled_from(["", "  ", "done"]),
)
def test_every_guard_kind_decides_as_documented(
    kind: GuardKind,
    by_id: str,
    roles: frozenset[str],
    assignee: str | None,
    order: FieldValue,
    note: str,
) -> None:
    """Both apply and can_apply follow each guard's rule; a refusal changes nothing."""
    engine = TicketEngine(workflows={"guarded": _GUARDED}, default_workflow="guarded")
    fields = {} if order is None else {"order": order}
    ticket = engine.create(
        id="G-1", subject="s", channel=Channel.CHAT, customer="c", now=START,
        assignee=assignee, fields=fields,
    ).ticket  # fmt: skip
    by = Actor(by_id, roles)
    transition = f"via_{kind.value}"
    expected = _guard_holds(kind, ticket, by, note)
    assert (engine.can_apply(ticket, transition, by=by, note=note) is None) is expected
    before = to_dict(ticket)
    if expected:
        engine.apply(ticket, transition, by=by, now=START, note=note)
        assert ticket.state == "done"
    else:
        with pytest.raises(InvalidTransitionError, match=kind.value):
            engine.apply(ticket, transition, by=by, now=START, note=note)
        assert to_dict(ticket) == before
