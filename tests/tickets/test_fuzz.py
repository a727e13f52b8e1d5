"""Malformed workflows, SLA policies, settings, tickets and commands (issue 10).

Loaders raise DocumentError, constructors and engine commands InvalidInputError
(or another CallcoreError such as InvalidTransitionError); nothing else escapes,
and a refused command leaves the ticket byte-identical.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from hypothesis import given
from hypothesis import strategies as st

from callcore.calendar import BusinessCalendar, Holiday, OpeningRange, WeeklyHours
from callcore.contacts import Channel
from callcore.errors import CallcoreError, DocumentError, InvalidInputError
from callcore.serialization import dumps, from_dict, loads, to_dict
from callcore.tickets import (
    DEFAULT_WORKFLOW,
    ActionSpec,
    Actor,
    EscalationRule,
    EscalationTrigger,
    Guard,
    Link,
    Macro,
    Priority,
    SlaConditions,
    SlaMetric,
    SlaPolicy,
    SlaTarget,
    State,
    SurveyAnswer,
    Ticket,
    TicketEngine,
    TicketSettings,
    Tier,
    Transition,
    Workflow,
    load_ticket_settings,
    load_workflow,
)
from tests.calendar.malformed import dumps_any, junk, malformed_json, mutated, refusal
from tests.tickets.strategies import AGENT, START, SUPERVISOR

if TYPE_CHECKING:
    from collections.abc import Callable

HOUR = timedelta(hours=1)
OFFICE = (OpeningRange(time(9), time(17)),)
CALENDARS = {
    "office": BusinessCalendar(
        "office", ZoneInfo("Europe/Bucharest"), WeeklyHours(*[OFFICE] * 5),
        holidays=(Holiday(date(2026, 1, 6), "Epiphany"),),
    ),
}  # fmt: skip
POLICIES = (
    SlaPolicy(
        "vip",
        (SlaTarget(SlaMetric.FIRST_RESPONSE, HOUR), SlaTarget(SlaMetric.RESOLUTION, 8 * HOUR)),
        SlaConditions(customer_tiers=frozenset({"vip"}), channels=frozenset({Channel.VOICE})),
        calendar="office",
        pause_states=("on_hold",),
        warn_at=(0.5, 0.75),
    ),
    SlaPolicy(
        "all",
        (
            SlaTarget(SlaMetric.FIRST_RESPONSE, 4 * HOUR),
            SlaTarget(SlaMetric.NEXT_RESPONSE, 4 * HOUR),
            SlaTarget(SlaMetric.RESOLUTION, 40 * HOUR),
        ),
    ),
)
SETTINGS = TicketSettings(
    escalation_rules=(
        EscalationRule("late", EscalationTrigger.SLA_BREACH, "supervisors"),
        EscalationRule(
            "risk", EscalationTrigger.SLA_AT_RISK, "specialists", SlaMetric.RESOLUTION, 0.6
        ),
        EscalationRule(
            "urgent", EscalationTrigger.PRIORITY, "specialists",
            priorities=frozenset({Priority.URGENT}),
        ),
        EscalationRule("outage", EscalationTrigger.KEYWORD, "specialists", keywords=("outage",)),
    ),
    sla_policies=POLICIES,
    macros=(
        Macro(
            "solve", priority=Priority.LOW, assign_to_actor=True, add_tags=frozenset({"done"}),
            fields={"cause": "line"}, reply="Hello {customer}", transition="resolve",
            note="fixed by {agent}",
        ),
    ),
)  # fmt: skip
ENGINE = TicketEngine(SETTINGS, calendars=CALENDARS)


def _rich_ticket() -> Ticket:
    """A ticket that has been through a little of everything: clocks, history, fields."""
    engine = ENGINE
    ticket = engine.create(
        id="T-1", subject="Outage in the west", channel=Channel.VOICE, customer="cust",
        customer_tier="vip", now=START, assignee=AGENT.id, tags=["network"],
        fields={"serial": "A1", "count": 3, "ratio": 0.5, "ok": True, "none": None},
        links=[Link("contact", "c-1")],
    ).ticket  # fmt: skip
    engine.reply(ticket, by=AGENT, now=START + HOUR, text="on it")
    engine.apply(ticket, "wait_on_customer", by=AGENT, now=START + 2 * HOUR)
    engine.customer_reply(ticket, now=START + 3 * HOUR, text="still broken")
    engine.apply(ticket, "need_follow_up", by=AGENT, now=START + 4 * HOUR)
    engine.tick(ticket, now=START + 30 * HOUR)
    return ticket


TICKET_DOCUMENT = to_dict(_rich_ticket())
WORKFLOW_DOCUMENT = to_dict(DEFAULT_WORKFLOW)
SETTINGS_DOCUMENT = to_dict(SETTINGS)
POLICY_DOCUMENT = to_dict(POLICIES[0])


def _maybe(valid: object) -> st.SearchStrategy[Any]:
    """The valid value, or malformed junk in its place."""
    return st.just(valid) | junk()


# --- loaders: DocumentError only ----------------------------------------------------------


@given(document=mutated(WORKFLOW_DOCUMENT) | junk())
def test_malformed_workflow_documents_raise_document_errors(document: object) -> None:
    """load_workflow either returns a workflow or raises DocumentError listing problems."""
    error = refusal(lambda: load_workflow(document), DocumentError)
    assert error is None or error.problems


@given(document=mutated(SETTINGS_DOCUMENT) | junk())
def test_malformed_ticket_settings_raise_document_errors(document: object) -> None:
    """load_ticket_settings (tiers, rules, SLA policies, macros): DocumentError only."""
    loaded: list[TicketSettings] = []
    error = refusal(lambda: loaded.append(load_ticket_settings(document, CALENDARS)), DocumentError)
    assert error is None or error.problems
    for settings in loaded:
        TicketEngine(settings, calendars=CALENDARS)  # what loads, an engine accepts


@given(document=mutated(POLICY_DOCUMENT) | junk())
def test_malformed_sla_policies_raise_document_errors(document: object) -> None:
    """An SLA policy read on its own, and in a settings document: DocumentError only."""
    for read in (
        lambda: from_dict(SlaPolicy, document),
        lambda: load_ticket_settings({"sla_policies": [document]}, CALENDARS),
    ):
        error = refusal(read, DocumentError)
        assert error is None or error.problems


@given(document=mutated(TICKET_DOCUMENT) | junk())
def test_malformed_tickets_raise_document_errors(document: object) -> None:
    """The ticket loader (a store's or a snapshot's): DocumentError, and a ticket it reads works.

    A ticket that loads is one the engine can run: a tick and a transition on it
    raise at most a CallcoreError.
    """
    loaded: list[Ticket] = []
    if refusal(lambda: loaded.append(from_dict(Ticket, document)), DocumentError):
        return
    (ticket,) = loaded
    later = datetime(2999, 1, 1, tzinfo=timezone.utc)
    for command in (
        lambda: ENGINE.tick(ticket, now=later),
        lambda: ENGINE.apply(ticket, "resolve", by=SUPERVISOR, now=later, note="x"),
        lambda: ENGINE.next_deadline(ticket),
    ):
        refusal(command, CallcoreError)
    assert from_dict(Ticket, to_dict(ticket)) == ticket  # and what it did reads back


@given(text=malformed_json() | mutated(TICKET_DOCUMENT).map(dumps_any))
def test_malformed_ticket_text_raises_document_errors(text: str | bytes) -> None:
    """loads(Ticket, text): broken JSON, deep nesting, bad bytes give DocumentError only."""
    error = refusal(lambda: loads(Ticket, text), DocumentError)
    assert error is None or error.problems


# --- constructors: InvalidInputError only --------------------------------------------------


def _attempt(build: Callable[[], object]) -> None:
    error = refusal(build, InvalidInputError)
    assert error is None or error.field


@given(
    values=st.lists(junk(), min_size=8, max_size=8),
    valid=st.lists(st.booleans(), min_size=8, max_size=8),
)
def test_value_types_refuse_junk_with_invalid_input_errors(
    values: list[object], valid: list[bool]
) -> None:
    """Every public value type of tickets names the field it refuses."""
    samples: list[object] = [
        "name", State("s", DEFAULT_WORKFLOW.states[0].category), ("new",), HOUR, 0.5,
        frozenset({"vip"}), Priority.HIGH, (SlaTarget(SlaMetric.RESOLUTION, HOUR),),
    ]  # fmt: skip
    a, b, c, d, e, f, g, h = (
        sample if keep else value
        for sample, value, keep in zip(samples, values, valid, strict=True)
    )
    builds: list[Callable[[], object]] = [
        lambda: Actor(a, f),  # type: ignore[arg-type]
        lambda: Link(a, a),  # type: ignore[arg-type]
        lambda: SurveyAnswer(e, d, a),  # type: ignore[arg-type]
        lambda: Guard(g, c, a),  # type: ignore[arg-type]
        lambda: ActionSpec(g, d, g, a, a),  # type: ignore[arg-type]
        lambda: State(a, g, e, a),  # type: ignore[arg-type]
        lambda: Transition(a, c, a, c, c, e),  # type: ignore[arg-type]
        lambda: Workflow(a, a, (b,), c, d, a),  # type: ignore[arg-type]
        lambda: SlaTarget(g, d),  # type: ignore[arg-type]
        lambda: SlaConditions(f, f, f, f),  # type: ignore[arg-type]
        lambda: SlaPolicy(a, h, SlaConditions(), a, c, (e,)),  # type: ignore[arg-type]
        lambda: Tier(a, a),  # type: ignore[arg-type]
        lambda: EscalationRule(a, g, a, g, e, f, f, e, c),  # type: ignore[arg-type]
        lambda: Macro(a, g, e, a, f, f, {"k": e}, a, a, a),  # type: ignore[arg-type, dict-item]
        lambda: TicketSettings(c, c, h, c),  # type: ignore[arg-type]
    ]
    for build in builds:
        _attempt(build)


# --- engine commands: CallcoreError only, and a refusal changes nothing -----------------------

ACTORS = st.sampled_from([AGENT, SUPERVISOR]) | junk()
LATER = START + 50 * HOUR
TIMES = st.sampled_from([LATER, LATER + HOUR, START, datetime(2026, 1, 7, 9)]) | junk()  # noqa: DTZ001


ARGUMENTS: dict[str, dict[str, st.SearchStrategy[Any]]] = {
    "apply": {"transition": _maybe("resolve"), "note": _maybe("fixed"),
              "follow_up_due": st.none() | junk()},
    "update": {"priority": st.none() | junk(), "assignee": _maybe(None),
               "add_tags": _maybe(["x"]), "remove_tags": _maybe(()),
               "fields": _maybe({"k": 1}), "links": _maybe(()),
               "customer_tier": _maybe("vip"), "reason": _maybe("")},
    "reply": {"text": _maybe("hello")},
    "customer_reply": {"text": _maybe("hi"), "by": st.none() | junk()},
    "escalate": {"reason": _maybe("why"), "to_tier": _maybe(None)},
    "consult": {"reason": _maybe("help"), "supervisor": _maybe(None)},
    "tick": {},
    "record_survey": {"score": _maybe(4), "comment": _maybe("")},
    "apply_macro": {"macro": _maybe("solve"), "values": _maybe(None)},
    "create": {"subject": _maybe("s"), "channel": _maybe(Channel.SMS),
               "customer": _maybe("c"), "id": _maybe("T-9"),
               "customer_tier": _maybe("vip"), "priority": _maybe(Priority.LOW),
               "workflow": _maybe(None), "assignee": _maybe(None), "tags": _maybe(()),
               "fields": _maybe(None), "links": _maybe(())},
    "sla_elapsed": {"metric": _maybe(SlaMetric.RESOLUTION)},
    "can_apply": {"transition": _maybe("open"), "note": _maybe("")},
    "sla_status": {},
    "merge": {"into": _maybe("T-5"), "note": _maybe("")},
    "follow_up": {"text": _maybe("again"), "by": st.none() | junk(), "id": _maybe("T-8")},
}  # fmt: skip


@st.composite
def commands(draw: st.DrawFn) -> tuple[str, dict[str, Any]]:
    """Draw an engine command and its arguments, each valid or malformed."""
    name = draw(
        st.sampled_from([
            "apply", "update", "reply", "customer_reply", "escalate", "consult", "tick",
            "record_survey", "apply_macro", "create", "sla_elapsed", "can_apply",
            "sla_status", "follow_up", "merge",
        ])
    )  # fmt: skip
    arguments: dict[str, Any] = {"now": draw(TIMES)}
    if name not in (
        "tick",
        "customer_reply",
        "record_survey",
        "sla_elapsed",
        "sla_status",
        "follow_up",
    ):
        arguments["by"] = draw(ACTORS)
    arguments.update({key: draw(strategy) for key, strategy in ARGUMENTS[name].items()})
    return name, arguments


def _run(  # noqa: PLR0911 - one call per command
    engine: TicketEngine, ticket: Ticket, name: str, arguments: dict[str, Any]
) -> object:
    """Call the engine's command ``name`` on ``ticket`` with the drawn arguments."""
    kw = dict(arguments)
    if name == "create":
        return engine.create(**kw)
    if name in {"tick", "sla_status"}:
        return getattr(engine, name)(ticket, now=kw["now"])
    if name == "sla_elapsed":
        return engine.sla_elapsed(ticket, kw["metric"], now=kw["now"])
    if name == "can_apply":
        return engine.can_apply(ticket, kw["transition"], by=kw["by"], note=kw["note"])
    if name == "apply":
        return engine.apply(ticket, kw.pop("transition"), **kw)
    if name == "apply_macro":
        return engine.apply_macro(ticket, kw.pop("macro"), **kw)
    command: Callable[..., object] = getattr(engine, name)
    return command(ticket, **kw)


@given(command=commands())
def test_engine_commands_with_junk_raise_callcore_errors_and_change_nothing(
    command: tuple[str, dict[str, Any]],
) -> None:
    """Any command with malformed arguments: a CallcoreError, and the ticket as it was."""
    name, arguments = command
    ticket = from_dict(Ticket, TICKET_DOCUMENT)
    before = dumps(ticket)
    if refusal(lambda: _run(ENGINE, ticket, name, arguments), CallcoreError):
        assert dumps(ticket) == before
    else:
        assert from_dict(Ticket, to_dict(ticket)) == ticket  # an accepted change reads back
