"""Issue 10: a refused input raises a CallcoreError naming its field and changes nothing.

Each test here is an example from the issue; each fails on the code before the fix.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

import attrs
import pytest

from callcore.calendar import BusinessCalendar, OpeningRange, SpecialDay, WeeklyHours
from callcore.contacts import Channel
from callcore.errors import DocumentError, InvalidInputError
from callcore.serialization import dumps, from_dict, to_dict
from callcore.storage import SQLiteStorage
from callcore.tickets import (
    DEFAULT_WORKFLOW,
    Actor,
    Link,
    Macro,
    SlaMetric,
    SlaPolicy,
    SlaTarget,
    Ticket,
    TicketEngine,
    TicketSettings,
    Workflow,
    load_ticket_settings,
    load_workflow,
)
from tests.tickets.strategies import AGENT, START

if TYPE_CHECKING:
    from collections.abc import Callable

HOUR = timedelta(hours=1)


def new_ticket(engine: TicketEngine | None = None, **options: Any) -> Ticket:
    """A ticket assigned to the agent, created at START."""
    engine = engine or TicketEngine()
    return engine.create(
        id="T-1", subject="Broken", channel=Channel.VOICE, customer="cust", now=START,
        assignee=AGENT.id, **options,
    ).ticket  # fmt: skip


def assert_refused(ticket: Ticket, call: Callable[[], object], field: str) -> None:
    """The call raises InvalidInputError naming ``field`` and leaves the ticket byte-identical."""
    before = dumps(ticket)
    with pytest.raises(InvalidInputError) as caught:
        call()
    assert caught.value.field == field
    assert dumps(ticket) == before


# --- point 3: wrong types are refused where they enter ----------------------------------


@pytest.mark.parametrize(
    ("options", "field"),
    [
        ({"customer_tier": 5}, "customer_tier"),
        ({"assignee": 5}, "assignee"),
        ({"fields": {"serials": ["A1", "B2"]}}, "fields.serials"),
        ({"fields": {"nested": {"a": 1}}}, "fields.nested"),
        ({"fields": {"ratio": float("nan")}}, "fields.ratio"),
        ({"fields": {"huge": 10**30}}, "fields.huge"),
        ({"tags": "vip"}, "tags"),
        ({"links": "contact:c1"}, "links"),
        ({"subject": "\ud800"}, "subject"),
        ({"channel": "voice"}, "channel"),
    ],
)
def test_create_refuses_values_of_the_wrong_type(options: dict[str, Any], field: str) -> None:
    """customer_tier=5, assignee=5, list-valued custom fields, a string for tags: refused."""
    engine = TicketEngine()
    arguments: dict[str, Any] = {
        "id": "T-1", "subject": "s", "channel": Channel.VOICE, "customer": "c", "now": START,
        **options,
    }  # fmt: skip
    with pytest.raises(InvalidInputError) as caught:
        engine.create(**arguments)
    assert caught.value.field == field


@pytest.mark.parametrize(
    ("options", "field"),
    [
        ({"assignee": 5}, "assignee"),
        ({"customer_tier": 5}, "customer_tier"),
        ({"add_tags": "vip"}, "add_tags"),
        ({"remove_tags": "vip"}, "remove_tags"),
        ({"add_tags": {"vip": True}}, "add_tags"),
        ({"fields": {"serials": ["A1"]}}, "fields.serials"),
        ({"fields": ["a"]}, "fields"),
        ({"links": Link("contact", "c1")}, "links"),
        ({"priority": "high"}, "priority"),
        ({"reason": 5}, "reason"),
    ],
)
def test_update_refuses_values_of_the_wrong_type(options: dict[str, Any], field: str) -> None:
    """update(add_tags="vip") no longer adds v, i and p; the ticket is unchanged."""
    engine = TicketEngine()
    ticket = new_ticket(engine)
    assert_refused(ticket, lambda: engine.update(ticket, by=AGENT, now=START, **options), field)


def test_update_with_tags_in_a_list_still_works() -> None:
    """The right shape is accepted: a list (or set) of tags."""
    engine = TicketEngine()
    ticket = new_ticket(engine)
    engine.update(ticket, by=AGENT, now=START, add_tags=["vip"], remove_tags={"none"})
    assert ticket.tags == frozenset({"vip"})


def test_a_csat_score_must_be_a_whole_number() -> None:
    """A CSAT of 3.5 is refused (it was stored, and read back as nothing valid)."""
    engine = TicketEngine()
    ticket = new_ticket(engine)
    engine.apply(ticket, "close", by=AGENT, now=START)
    assert_refused(ticket, lambda: engine.record_survey(ticket, now=START, score=3.5), "score")  # type: ignore[arg-type]


def test_every_accepted_custom_field_reads_back_from_sqlite() -> None:
    """What the engine accepts its store reads back: tickets_in_state works for all tickets."""
    engine = TicketEngine()
    values: list[Any] = [None, True, 0, -(2**63 - 1), 2**63 - 1, 1.5, -0.0, "", "text", "ü\u20ac"]
    with SQLiteStorage(":memory:") as store:
        for number, value in enumerate(values):
            ticket = engine.create(
                id=f"T-{number}", subject="s", channel=Channel.EMAIL, customer="c", now=START,
                fields={"value": value},
            ).ticket  # fmt: skip
            store.add_ticket(ticket)
        read = store.tickets_in_state("new")
    assert [ticket.fields["value"] for ticket in read] == values


def test_value_types_check_their_fields() -> None:
    """Actor, Link, SurveyAnswer and the workflow and SLA types refuse wrong types, naming them."""
    cases: list[tuple[Callable[[], object], str]] = [
        (lambda: Actor(5), "id"),  # type: ignore[arg-type]
        (lambda: Actor("ana", "agent"), "roles"),  # type: ignore[arg-type]
        (lambda: Link("contact", 5), "id"),  # type: ignore[arg-type]
        (lambda: SlaTarget(SlaMetric.RESOLUTION, 3600), "within"),  # type: ignore[arg-type]
        (lambda: SlaPolicy("p", [SlaTarget(SlaMetric.RESOLUTION, HOUR)]), "targets"),  # type: ignore[arg-type]
        (lambda: SlaPolicy("p", (), warn_at=(float("inf"),)), "warn_at[0]"),
        (lambda: SlaPolicy("p", (), pause_states="on_hold"), "pause_states"),  # type: ignore[arg-type]
        (lambda: attrs.evolve(DEFAULT_WORKFLOW, states="new"), "states"),  # type: ignore[arg-type]
    ]
    for build, field in cases:
        with pytest.raises(InvalidInputError) as caught:
            build()
        assert caught.value.field == field


# --- point 4: a refusal changes nothing; durations and instants are bounded ---------------


def test_a_customer_reply_whose_deadline_cannot_be_computed_changes_the_ticket_once() -> None:
    """The calendar never opens again: the reply is applied and there is no deadline.

    Before the fix the engine moved the ticket, wrote its history and then
    raised while computing the next-response deadline.
    """
    once = BusinessCalendar(
        "once", ZoneInfo("UTC"), WeeklyHours(),
        special_days=(SpecialDay(date(2026, 1, 5), (OpeningRange(time(9), time(17)),)),),
    )  # fmt: skip
    targets = (
        SlaTarget(SlaMetric.FIRST_RESPONSE, HOUR),
        SlaTarget(SlaMetric.NEXT_RESPONSE, HOUR),
    )
    settings = TicketSettings(sla_policies=(SlaPolicy("p", targets, calendar="once"),))
    engine = TicketEngine(settings, calendars={"once": once})
    ticket = new_ticket(engine)
    engine.reply(ticket, by=AGENT, now=START + HOUR, text="hello")
    engine.apply(ticket, "wait_on_customer", by=AGENT, now=START + 2 * HOUR)
    update = engine.customer_reply(ticket, now=START + 10 * HOUR, text="back")
    assert [change.action for change in update.changes] == ["customer_reply", "customer_replied"]
    assert ticket.state == "open"
    assert ticket.next_due is None  # no open time ahead: the target can never be due


def test_an_auto_close_of_a_billion_days_is_refused_at_entry() -> None:
    """auto_close_after of 10^9 days: refused by the workflow, not an OverflowError later."""
    with pytest.raises(InvalidInputError) as caught:
        attrs.evolve(DEFAULT_WORKFLOW, auto_close_after=timedelta(days=10**9 - 1))
    assert caught.value.field == "auto_close_after"
    document = to_dict(DEFAULT_WORKFLOW)
    document["auto_close_after"] = (10**9 - 1) * 86_400
    with pytest.raises(DocumentError) as loading:
        load_workflow(document)
    assert [problem.path for problem in loading.value.problems] == ["auto_close_after"]


def test_now_near_the_year_9999_is_refused_before_anything_changes() -> None:
    """Resolving at 9999-12-30 raised OverflowError after the ticket had moved."""
    engine = TicketEngine()
    ticket = new_ticket(engine)
    late = datetime(9999, 12, 30, tzinfo=timezone.utc)
    assert_refused(
        ticket, lambda: engine.apply(ticket, "resolve", by=AGENT, now=late, note="x"), "now"
    )
    assert_refused(ticket, lambda: engine.tick(ticket, now=late), "now")
    assert_refused(ticket, lambda: engine.customer_reply(ticket, now=late), "now")


def test_a_follow_up_beyond_the_last_year_is_refused() -> None:
    """need_follow_up in the last day of 2999 would schedule a follow-up in 3000."""
    engine = TicketEngine()
    last_day = datetime(2999, 12, 31, 9, tzinfo=timezone.utc)
    ticket = engine.create(
        id="T-1", subject="s", channel=Channel.SMS, customer="c", now=last_day, assignee="ana"
    ).ticket
    later = last_day + 3 * HOUR
    assert_refused(
        ticket, lambda: engine.apply(ticket, "need_follow_up", by=AGENT, now=later), "now"
    )
    engine.apply(ticket, "resolve", by=AGENT, now=later, note="done")
    assert ticket.next_due is None  # the auto-close would fall in 3000: never due
    assert from_dict(Ticket, to_dict(ticket)) == ticket


def test_a_call_more_than_100_years_after_the_last_change_is_refused() -> None:
    """One call's work is bounded: its SLA clocks count at most 100 years of calendar."""
    policy = SlaPolicy("all", (SlaTarget(SlaMetric.RESOLUTION, 8 * HOUR),), calendar="office")
    office = BusinessCalendar(
        "office", ZoneInfo("UTC"), WeeklyHours(*[(OpeningRange(time(9), time(17)),)] * 5)
    )
    engine = TicketEngine(TicketSettings(sla_policies=(policy,)), calendars={"office": office})
    ticket = new_ticket(engine)
    far = datetime(2999, 1, 1, tzinfo=timezone.utc)
    assert_refused(ticket, lambda: engine.tick(ticket, now=far), "now")
    engine.tick(ticket, now=START + timedelta(days=36_500))  # within 100 years: accepted


# --- point 5: time does not go backwards --------------------------------------------------


def test_a_call_dated_before_the_last_change_is_refused() -> None:
    """A customer reply dated 3 h before the ticket's last change made 7 h count within 2 h."""
    policy = SlaPolicy("all", (SlaTarget(SlaMetric.RESOLUTION, 8 * HOUR),))
    engine = TicketEngine(TicketSettings(sla_policies=(policy,)))
    ticket = new_ticket(engine)
    engine.apply(ticket, "wait_on_customer", by=AGENT, now=START + 2 * HOUR)
    assert_refused(ticket, lambda: engine.customer_reply(ticket, now=START - 3 * HOUR), "now")
    assert engine.sla_elapsed(ticket, SlaMetric.RESOLUTION, now=START + 2 * HOUR) == 2 * HOUR


@pytest.mark.parametrize(
    "command",
    ["apply", "update", "reply", "customer_reply", "escalate", "consult", "tick", "macro"],
)
def test_every_command_refuses_a_time_before_the_last_change(command: str) -> None:
    """The one rule: now must not be earlier than the ticket's latest history entry."""
    engine = TicketEngine()
    ticket = new_ticket(engine)
    engine.apply(ticket, "open", by=AGENT, now=START + HOUR)
    earlier = START + HOUR - timedelta(microseconds=1)
    calls: dict[str, Callable[[], object]] = {
        "apply": lambda: engine.apply(ticket, "hold", by=AGENT, now=earlier),
        "update": lambda: engine.update(ticket, by=AGENT, now=earlier, add_tags=["x"]),
        "reply": lambda: engine.reply(ticket, by=AGENT, now=earlier, text="hi"),
        "customer_reply": lambda: engine.customer_reply(ticket, now=earlier, text="hi"),
        "escalate": lambda: engine.escalate(ticket, by=AGENT, now=earlier, reason="why"),
        "consult": lambda: engine.consult(ticket, by=AGENT, now=earlier, reason="help"),
        "tick": lambda: engine.tick(ticket, now=earlier),
        "macro": lambda: engine.apply_macro(ticket, _MACRO, by=AGENT, now=earlier),
    }
    assert_refused(ticket, calls[command], "now")
    engine.tick(ticket, now=START + HOUR)  # the time of the last change itself is accepted


_MACRO = Macro("m", add_tags=frozenset({"x"}))


# --- point 7: an SLA target of 10^9 days -------------------------------------------------


def test_an_sla_target_is_at_most_a_year() -> None:
    """A target of 10^9 days walked the calendar for hours; it is refused at entry."""
    with pytest.raises(InvalidInputError) as caught:
        SlaTarget(SlaMetric.RESOLUTION, timedelta(days=10**9 - 1))
    assert caught.value.field == "within"
    document = {
        "sla_policies": [
            {"name": "p", "targets": [{"metric": "resolution", "within": 86_400 * 367}]}
        ]
    }
    with pytest.raises(DocumentError) as loading:
        load_ticket_settings(document)
    assert [problem.path for problem in loading.value.problems] == [
        "sla_policies[0].targets[0].within"
    ]
    SlaTarget(SlaMetric.RESOLUTION, timedelta(days=366))  # a year is accepted


def test_a_ticket_that_does_not_fit_the_limits_is_not_read_back() -> None:
    """The ticket loader checks what the engine checks: instants, clocks, fields."""
    data = to_dict(new_ticket())
    data["created_at"] = "9999-12-31T00:00:00+00:00"
    data["fields"] = {"ok": 1, "bad": 10**30}
    data["sla"] = {"resolution": {"metric": "resolution", "goal": 86_400 * 10**6}}
    with pytest.raises(DocumentError) as caught:
        from_dict(Ticket, data)
    assert [problem.path for problem in caught.value.problems] == [
        "created_at",
        "fields.bad",
        "sla.resolution.goal",
    ]


def test_a_ticket_of_an_unknown_workflow_is_refused() -> None:
    """A ticket saved under another configuration is refused, not a KeyError."""
    engine = TicketEngine()
    ticket = attrs.evolve(new_ticket(engine), workflow="gone")
    assert_refused(ticket, lambda: engine.apply(ticket, "open", by=AGENT, now=START), "ticket")
    assert_refused(ticket, lambda: engine.tick(ticket, now=START), "ticket")
    with pytest.raises(InvalidInputError):
        engine.next_deadline(ticket)


def test_the_engine_refuses_arguments_of_the_wrong_type() -> None:
    """Its constructor names the argument instead of failing with AttributeError."""
    with pytest.raises(InvalidInputError) as caught:
        TicketEngine(workflows=[DEFAULT_WORKFLOW])  # type: ignore[arg-type]
    assert caught.value.field == "workflows"
    with pytest.raises(InvalidInputError) as caught:
        TicketEngine(calendars={"office": "9-5"})  # type: ignore[dict-item]
    assert caught.value.field == "calendars.office"
    with pytest.raises(InvalidInputError) as caught:
        TicketEngine(settings={"tiers": []})  # type: ignore[arg-type]
    assert caught.value.field == "settings"
    assert isinstance(DEFAULT_WORKFLOW, Workflow)
