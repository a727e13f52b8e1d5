"""Helpdesk semantics pinned against Zendesk, Zammad and Jira Service Management (issue 13).

Each test names the rule it pins; the expected values are worked out by hand
in its docstring or comments (real hours between two UTC instants, a
24x7 calendar's minutes), never read back from the engine.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from callcore.calendar import BusinessCalendar
from callcore.contacts import Channel
from callcore.errors import DocumentError, InvalidInputError, InvalidTransitionError
from callcore.serialization import from_dict, to_dict
from callcore.tickets import (
    ActionKind,
    ActionSpec,
    Actor,
    EscalationRule,
    EscalationTrigger,
    FollowUpDue,
    Link,
    Macro,
    Priority,
    SendSurvey,
    SlaBreached,
    SlaConditions,
    SlaCycle,
    SlaMetric,
    SlaPolicy,
    SlaTarget,
    SlaWarning,
    State,
    StateCategory,
    Ticket,
    TicketEngine,
    TicketSettings,
    Transition,
    Workflow,
    load_ticket_settings,
    load_workflow,
)
from tests.tickets.strategies import AGENT, START

UTC = timezone.utc
HOUR = timedelta(hours=1)
NEW_YORK = ZoneInfo("America/New_York")
BUCHAREST = ZoneInfo("Europe/Bucharest")


def _new(engine: TicketEngine, now: datetime, **kwargs: object) -> Ticket:
    return engine.create(
        id="T-1", subject="Help", channel=Channel.EMAIL, customer="c-1", now=now,
        assignee=AGENT.id, **kwargs,  # type: ignore[arg-type]
    ).ticket  # fmt: skip


# --- defect 1: a stopped clock never escalates -------------------------------------------


def test_a_resolved_then_closed_ticket_is_never_escalated_by_its_sla() -> None:
    """Resolution 1 h breached at the resolve (+2 h): closing and ticking moves nothing."""
    engine = TicketEngine(
        settings=TicketSettings(
            sla_policies=(SlaPolicy("p", (SlaTarget(SlaMetric.RESOLUTION, HOUR),)),),
            escalation_rules=(EscalationRule("late", EscalationTrigger.SLA_BREACH, "supervisors"),),
        )
    )
    ticket = _new(engine, START)
    engine.apply(ticket, "open", by=AGENT, now=START)
    resolved = engine.apply(ticket, "resolve", by=AGENT, now=START + 2 * HOUR, note="done")
    assert [e.kind for e in resolved.events][:1] == ["ticket.sla_breached"]
    engine.apply(ticket, "close", by=AGENT, now=START + 3 * HOUR)
    assert engine.next_deadline(ticket) is None
    update = engine.tick(ticket, now=START + 4 * HOUR)
    assert update.actions == ()
    assert (ticket.tier, ticket.assignee) == ("front_line", AGENT.id)


# --- defect 2: instants, not wall clocks, at a DST fold ----------------------------------


def test_the_earliest_deadline_is_found_in_the_repeated_hour() -> None:
    """New York, 2026-11-01 05:00 UTC: first response 90 min warns at 05:45 UTC, before 06:44."""
    calendar = BusinessCalendar.always_open("ny", timezone=NEW_YORK)
    policy = SlaPolicy(
        "p",
        (SlaTarget(SlaMetric.FIRST_RESPONSE, timedelta(minutes=90)),
         SlaTarget(SlaMetric.RESOLUTION, timedelta(minutes=208))),
        calendar="ny",
        warn_at=(0.5,),
    )  # fmt: skip
    settings = TicketSettings(sla_policies=(policy,))
    engine = TicketEngine(settings=settings, calendars={"ny": calendar})
    created = datetime(2026, 11, 1, 5, tzinfo=UTC)  # 01:00 EDT
    ticket = _new(engine, created)
    # 45 min of first response: 05:45 UTC (01:45 EDT); 104 min of resolution: 06:44 UTC (01:44 EST)
    assert engine.next_deadline(ticket) == datetime(2026, 11, 1, 5, 45, tzinfo=UTC)
    update = engine.tick(ticket, now=datetime(2026, 11, 1, 5, 45, tzinfo=UTC))
    (warning,) = update.events
    assert isinstance(warning, SlaWarning)
    assert warning.metric is SlaMetric.FIRST_RESPONSE


def test_a_follow_up_due_in_the_first_repeated_hour_fires_in_the_second() -> None:
    """Due at the first 01:30 (05:30 UTC), a tick at the second 01:10 (06:10 UTC) fires it."""
    engine = TicketEngine()
    ticket = _new(engine, datetime(2026, 11, 1, 0, 30, tzinfo=NEW_YORK))
    due = datetime(2026, 11, 1, 1, 30, tzinfo=NEW_YORK)  # fold 0: EDT, 05:30 UTC
    engine.apply(ticket, "need_follow_up", by=AGENT, now=ticket.created_at, follow_up_due=due)
    later = datetime(2026, 11, 1, 1, 10, fold=1, tzinfo=NEW_YORK)  # EST, 06:10 UTC
    assert engine.next_deadline(ticket) == datetime(2026, 11, 1, 5, 30, tzinfo=UTC)
    update = engine.tick(ticket, now=later)
    assert [type(a) for a in update.actions] == [FollowUpDue]


# --- defect 3: durations are elapsed time; serialisation changes nothing -----------------


def test_auto_close_comes_96_real_hours_after_the_resolve_across_a_dst_change() -> None:
    """Resolved 2026-10-23 09:00 UTC in Bucharest: closes at 10-27 09:00 UTC, also after JSON."""
    engine = TicketEngine()
    ticket = _new(engine, datetime(2026, 10, 23, 11, tzinfo=BUCHAREST))
    resolving = datetime(2026, 10, 23, 12, tzinfo=BUCHAREST)  # 09:00 UTC
    engine.apply(ticket, "resolve", by=AGENT, now=resolving, note="ok")
    closing = datetime(2026, 10, 27, 9, tzinfo=UTC)  # 96 h later; Bucharest left DST on the 25th
    assert engine.next_deadline(ticket) == closing
    twin = from_dict(Ticket, to_dict(ticket))
    assert engine.next_deadline(twin) == closing
    for copy in (ticket, twin):
        engine.tick(copy, now=closing - timedelta(microseconds=1))
        assert copy.state == "resolved"
        engine.tick(copy, now=closing)
        assert copy.state == "closed"


def test_a_one_day_follow_up_is_due_24_real_hours_later_across_a_dst_change() -> None:
    """need_follow_up at 2026-10-24 12:00 Bucharest (09:00 UTC) is due 10-25 09:00 UTC."""
    engine = TicketEngine()
    now = datetime(2026, 10, 24, 12, tzinfo=BUCHAREST)
    ticket = _new(engine, now)
    engine.apply(ticket, "need_follow_up", by=AGENT, now=now)
    assert ticket.follow_up_due == datetime(2026, 10, 25, 9, tzinfo=UTC)
    assert engine.next_deadline(ticket) == datetime(2026, 10, 25, 9, tzinfo=UTC)


# --- defect 4: a newly applying policy counts from the ticket's history ------------------


def test_coming_back_under_a_policy_counts_the_time_spent_without_one() -> None:
    """Urgent 2 h, normal (no policy) from +1 h, urgent again at +3 h: 4 h counted at +4 h."""
    urgent = SlaPolicy(
        "urgent",
        (SlaTarget(SlaMetric.RESOLUTION, 2 * HOUR),),
        conditions=SlaConditions(priorities=frozenset({Priority.URGENT})),
    )
    engine = TicketEngine(settings=TicketSettings(sla_policies=(urgent,)))
    ticket = _new(engine, START, priority=Priority.URGENT)
    engine.apply(ticket, "open", by=AGENT, now=START)
    engine.update(ticket, by=AGENT, now=START + HOUR, priority=Priority.NORMAL)
    assert ticket.sla_policy is None
    engine.update(ticket, by=AGENT, now=START + 3 * HOUR, priority=Priority.URGENT)
    assert engine.sla_elapsed(ticket, SlaMetric.RESOLUTION, now=START + 4 * HOUR) == 4 * HOUR


def test_a_policy_applying_late_leaves_out_the_time_waiting_on_the_customer() -> None:
    """Open 1 h, pending 2 h, open 1 h, then a policy applies: 2 h of resolution counted."""
    urgent = SlaPolicy(
        "urgent",
        (SlaTarget(SlaMetric.RESOLUTION, 8 * HOUR),),
        conditions=SlaConditions(priorities=frozenset({Priority.URGENT})),
    )
    engine = TicketEngine(settings=TicketSettings(sla_policies=(urgent,)))
    ticket = _new(engine, START)
    engine.apply(ticket, "open", by=AGENT, now=START)
    engine.apply(ticket, "wait_on_customer", by=AGENT, now=START + HOUR)
    engine.customer_reply(ticket, now=START + 3 * HOUR, text="here")
    engine.update(ticket, by=AGENT, now=START + 4 * HOUR, priority=Priority.URGENT)
    assert engine.sla_elapsed(ticket, SlaMetric.RESOLUTION, now=START + 4 * HOUR) == 2 * HOUR


# --- defect 5: an end-user comment reopens on-hold, pending and solved tickets -----------


@pytest.mark.parametrize("move", ["hold", "wait_on_customer", "resolve"])
def test_a_customer_reply_sets_a_waiting_or_solved_ticket_to_open(move: str) -> None:
    """Zendesk: an end-user comment on Pending, On-hold or Solved sets the ticket to Open."""
    engine = TicketEngine()
    ticket = _new(engine, START)
    engine.apply(ticket, move, by=AGENT, now=START, note="x")
    engine.customer_reply(ticket, now=START + HOUR, text="any news?")
    assert ticket.state == "open"


# --- defect 6: one survey per ticket, always recordable ----------------------------------

_REOPENABLE = Workflow(
    name="reopenable",
    initial="open",
    states=(State("open", StateCategory.OPEN), State("closed", StateCategory.CLOSED)),
    transitions=(
        Transition("close", ("open",), "closed", actions=(ActionSpec(ActionKind.SEND_SURVEY),)),
        Transition("reopen", ("closed",), "open"),
    ),
    auto_close_after=None,
)


def test_a_ticket_closed_again_after_the_survey_was_answered_sends_no_second_survey() -> None:
    """Surveys are offered once per ticket (Zendesk's satisfaction rating): never a second."""
    engine = TicketEngine(workflows={"reopenable": _REOPENABLE}, default_workflow="reopenable")
    ticket = _new(engine, START)
    assert [type(a) for a in engine.apply(ticket, "close", by=AGENT, now=START).actions] == [
        SendSurvey
    ]
    engine.record_survey(ticket, now=START + HOUR, score=4)
    engine.apply(ticket, "reopen", by=AGENT, now=START + 2 * HOUR)
    assert engine.apply(ticket, "close", by=AGENT, now=START + 3 * HOUR).actions == ()


def test_a_survey_offered_before_a_reopen_can_still_be_answered() -> None:
    """The answer to the one survey sent is recorded even when the ticket was reopened since."""
    engine = TicketEngine(workflows={"reopenable": _REOPENABLE}, default_workflow="reopenable")
    ticket = _new(engine, START)
    engine.apply(ticket, "close", by=AGENT, now=START)
    engine.apply(ticket, "reopen", by=AGENT, now=START + HOUR)
    engine.record_survey(ticket, now=START + 2 * HOUR, score=2)
    assert ticket.survey is not None
    assert ticket.survey.score == 2
    assert engine.apply(ticket, "close", by=AGENT, now=START + 3 * HOUR).actions == ()


# --- defect 7: names that match nothing are refused when settings load ------------------


def test_settings_naming_unknown_states_transitions_or_spaced_keywords_are_refused() -> None:
    """Unknown pause state, a macro's unknown transition, a keyword with a space: all listed."""
    document = {
        "sla_policies": [
            {"name": "p", "targets": [{"metric": "resolution", "within": 3600}],
             "pause_states": ["on_hold", "waiting_for_godot"]},
        ],
        "macros": [{"name": "m", "transition": "teleport"}],
        "escalation_rules": [
            {"name": "k", "trigger": "keyword", "to_tier": "specialists",
             "keywords": ["outage", "data loss"]},
        ],
    }  # fmt: skip
    with pytest.raises(DocumentError) as caught:
        load_ticket_settings(document, workflows={"default": TicketEngine().workflows["default"]})
    paths = {problem.path for problem in caught.value.problems}
    assert paths == {
        "sla_policies[0].pause_states[1]",
        "macros[0].transition",
        "escalation_rules[0].keywords[1]",
    }


def test_an_engine_refuses_settings_naming_states_its_workflows_lack() -> None:
    """The engine checks pause states and macro transitions against its own workflows."""
    settings = TicketSettings(
        sla_policies=(
            SlaPolicy("p", (SlaTarget(SlaMetric.RESOLUTION, HOUR),), pause_states=("limbo",)),
        ),
        macros=(Macro("m", transition="teleport"),),
    )
    with pytest.raises(DocumentError) as caught:
        TicketEngine(settings=settings)
    paths = {problem.path for problem in caught.value.problems}
    assert paths == {"sla_policies[0].pause_states[0]", "macros[0].transition"}


# --- defect 8: the auto-close default follows the workflow -------------------------------


def test_a_workflow_without_a_close_transition_never_closes_by_itself() -> None:
    """No ``close`` transition and no ``auto_close_after``: valid, and no auto-close."""
    flow = Workflow(
        name="simple",
        initial="open",
        states=(
            State("open", StateCategory.OPEN),
            State("done", StateCategory.RESOLVED),
            State("archived", StateCategory.CLOSED),
        ),
        transitions=(
            Transition("finish", ("open",), "done"),
            Transition("archive", ("done",), "archived"),
        ),
    )
    assert flow.auto_close_after is None
    engine = TicketEngine(workflows={"simple": flow}, default_workflow="simple")
    ticket = _new(engine, START)
    engine.apply(ticket, "finish", by=AGENT, now=START)
    assert engine.next_deadline(ticket) is None
    engine.tick(ticket, now=START + timedelta(days=30))
    assert ticket.state == "done"


def test_a_workflow_with_a_close_transition_keeps_the_four_day_default() -> None:
    """With a transition named ``close`` the default stays Zendesk's 4 days (96 hours)."""
    flow = Workflow(
        name="simple",
        initial="open",
        states=(State("open", StateCategory.OPEN), State("closed", StateCategory.CLOSED)),
        transitions=(Transition("close", ("open",), "closed"),),
    )
    assert flow.auto_close_after == timedelta(days=4)


def test_a_workflow_document_without_a_close_transition_loads() -> None:
    """A document leaving ``auto_close_after`` out needs no ``close`` transition."""
    flow = load_workflow(
        {
            "name": "simple", "initial": "open",
            "states": [{"name": "open", "category": "open"},
                       {"name": "archived", "category": "closed"}],
            "transitions": [{"name": "archive", "sources": ["open"], "target": "archived"}],
        }
    )  # fmt: skip
    assert flow.auto_close_after is None


def test_an_explicit_auto_close_without_its_transition_is_still_refused() -> None:
    """Four days given explicitly with no ``close`` transition is a mistake, reported."""
    with pytest.raises(DocumentError, match="unknown transition 'close'"):
        load_workflow(
            {
                "name": "simple", "initial": "open", "auto_close_after": 345600,
                "states": [{"name": "open", "category": "open"},
                           {"name": "archived", "category": "closed"}],
                "transitions": [{"name": "archive", "sources": ["open"], "target": "archived"}],
            }
        )  # fmt: skip


# --- sla_status: per target, the ongoing cycle and the cycles over -----------------------


def test_sla_status_reports_each_target_with_its_completed_cycles() -> None:
    """Next response 1 h: a 2 h first cycle (breached), a second one 30 min in, worked by hand."""
    policy = SlaPolicy(
        "p",
        (SlaTarget(SlaMetric.FIRST_RESPONSE, 2 * HOUR),
         SlaTarget(SlaMetric.NEXT_RESPONSE, HOUR),
         SlaTarget(SlaMetric.RESOLUTION, 8 * HOUR)),
    )  # fmt: skip
    engine = TicketEngine(settings=TicketSettings(sla_policies=(policy,)))
    ticket = _new(engine, START)
    half = HOUR / 2
    engine.reply(ticket, by=AGENT, now=START + half, text="hello")
    engine.customer_reply(ticket, now=START + HOUR, text="still broken")
    engine.reply(ticket, by=AGENT, now=START + 3 * HOUR, text="sorry")
    engine.customer_reply(ticket, now=START + 4 * HOUR, text="and now?")
    first, following, resolution = engine.sla_status(ticket, now=START + 4 * HOUR + half)
    assert (first.stopped, first.elapsed, first.breached, first.breach_at) == (
        True, half, False, None,
    )  # fmt: skip
    assert first.completed == (SlaCycle(START, START + half, half, 2 * HOUR, False),)
    assert (following.cycle, following.elapsed, following.remaining, following.running) == (
        2, half, half, True,
    )  # fmt: skip
    assert following.breach_at == START + 5 * HOUR
    assert following.completed == (SlaCycle(START + HOUR, START + 3 * HOUR, 2 * HOUR, HOUR, True),)
    assert (resolution.elapsed, resolution.remaining, resolution.breach_at) == (
        4 * HOUR + half, 3 * HOUR + half, START + 8 * HOUR,
    )  # fmt: skip
    engine.apply(ticket, "wait_on_customer", by=AGENT, now=START + 5 * HOUR + half)
    *_, paused = engine.sla_status(ticket, now=START + 7 * HOUR)
    assert (paused.paused, paused.running, paused.elapsed, paused.breach_at) == (
        True, False, 5 * HOUR + half, None,
    )  # fmt: skip


def test_sla_status_of_a_ticket_without_a_policy_is_empty() -> None:
    """No policy applies: nothing to report."""
    engine = TicketEngine()
    assert engine.sla_status(_new(engine, START), now=START) == ()


# --- warnings at a fixed time before the breach -------------------------------------------


def test_a_warning_comes_a_fixed_time_before_the_breach() -> None:
    """Resolution 4 h warned 1 h before: at 3 h; a 30 min target has no such warning."""
    policy = SlaPolicy(
        "p",
        (SlaTarget(SlaMetric.FIRST_RESPONSE, HOUR / 2), SlaTarget(SlaMetric.RESOLUTION, 4 * HOUR)),
        warn_at=(),
        warn_before=(HOUR,),
    )
    engine = TicketEngine(settings=TicketSettings(sla_policies=(policy,)))
    ticket = _new(engine, START)
    assert engine.next_deadline(ticket) == START + HOUR / 2  # first response: its breach
    engine.reply(ticket, by=AGENT, now=START + HOUR / 4, text="hi")
    assert engine.next_deadline(ticket) == START + 3 * HOUR
    assert engine.tick(ticket, now=START + 3 * HOUR - timedelta(microseconds=1)).events == ()
    (warning,) = engine.tick(ticket, now=START + 3 * HOUR).events
    assert isinstance(warning, SlaWarning)
    assert (warning.before, warning.due, warning.deadline, warning.fraction) == (
        HOUR, START + 3 * HOUR, START + 4 * HOUR, 0.75,
    )  # fmt: skip
    assert engine.next_deadline(ticket) == START + 4 * HOUR


def test_warn_before_is_read_from_documents_and_must_be_positive() -> None:
    """``warn_before`` takes seconds; zero is refused with its path."""
    document = {
        "sla_policies": [
            {"name": "p", "targets": [{"metric": "resolution", "within": 7200}],
             "warn_before": [3600, 0]},
        ],
    }  # fmt: skip
    with pytest.raises(DocumentError) as caught:
        load_ticket_settings(document)
    assert [p.path for p in caught.value.problems] == ["sla_policies[0].warn_before[1]"]
    document["sla_policies"][0]["warn_before"] = [3600]
    (policy,) = load_ticket_settings(document).sla_policies
    assert policy.warn_before == (HOUR,)


# --- per-target clock rules -----------------------------------------------------------------


def test_each_target_may_have_its_own_pause_rule() -> None:
    """Pending 2 h: first response (never waits) counts it, resolution (the policy's rule) not."""
    policy = SlaPolicy(
        "p",
        (SlaTarget(SlaMetric.FIRST_RESPONSE, 8 * HOUR, pause_states=()),
         SlaTarget(SlaMetric.RESOLUTION, 8 * HOUR)),
    )  # fmt: skip
    engine = TicketEngine(settings=TicketSettings(sla_policies=(policy,)))
    ticket = _new(engine, START)
    engine.apply(ticket, "wait_on_customer", by=AGENT, now=START + HOUR)
    later = START + 3 * HOUR
    assert engine.sla_elapsed(ticket, SlaMetric.FIRST_RESPONSE, now=later) == 3 * HOUR
    assert engine.sla_elapsed(ticket, SlaMetric.RESOLUTION, now=later) == HOUR


def test_a_target_pausing_in_an_unknown_state_is_refused() -> None:
    """A target's own pause states are checked against the workflows, with their path."""
    target = SlaTarget(SlaMetric.RESOLUTION, HOUR, pause_states=("pending", "limbo"))
    with pytest.raises(DocumentError) as caught:
        TicketEngine(settings=TicketSettings(sla_policies=(SlaPolicy("p", (target,)),)))
    assert [p.path for p in caught.value.problems] == ["sla_policies[0].targets[0].pause_states[1]"]


# --- a reply to a closed ticket: a linked follow-up ----------------------------------------


def test_a_reply_to_a_closed_ticket_opens_a_linked_follow_up() -> None:
    """Zendesk: the closed ticket stays as it was; a new one, linked, carries the reply."""
    engine = TicketEngine()
    closed = _new(engine, START, priority=Priority.HIGH, tags=["billing"])
    engine.apply(closed, "close", by=AGENT, now=START)
    length = len(closed.history)
    with pytest.raises(InvalidTransitionError, match="use follow_up"):
        engine.customer_reply(closed, now=START + HOUR, text="it broke again")
    update = engine.follow_up(closed, now=START + HOUR, text="it broke again", id="T-2")
    follow = update.ticket
    assert len(closed.history) == length
    assert (follow.id, follow.state, follow.priority, follow.tags, follow.customer) == (
        "T-2", "new", Priority.HIGH, frozenset({"billing"}), "c-1",
    )  # fmt: skip
    assert follow.links == (Link("ticket", "T-1"),)
    assert [(c.action, c.by, c.new) for c in follow.history] == [
        ("created", "c-1", "new"),
        ("customer_reply", "c-1", "it broke again"),
    ]
    with pytest.raises(InvalidTransitionError, match="not closed"):
        engine.follow_up(follow, now=START + HOUR)


# --- a solved ticket has an assignee ----------------------------------------------------------


def test_solving_an_unassigned_ticket_assigns_the_supervisor_who_solves_it() -> None:
    """Zendesk assigns the agent who solves; an assigned ticket keeps its assignee."""
    engine = TicketEngine()
    ticket = engine.create(
        id="T-1", subject="s", channel=Channel.EMAIL, customer="c", now=START
    ).ticket
    supervisor = Actor("sam", frozenset({"supervisor"}))
    engine.apply(ticket, "resolve", by=supervisor, now=START, note="done")
    assert ticket.assignee == "sam"
    assert [(c.action, c.field, c.new) for c in ticket.history[-2:]] == [
        ("resolve", "state", "resolved"),
        ("assign", "assignee", "sam"),
    ]
    other = _new(engine, START)
    engine.apply(other, "resolve", by=supervisor, now=START, note="done")
    assert other.assignee == AGENT.id


def test_an_unassigned_ticket_cannot_be_solved_by_an_agent_who_is_not_its_assignee() -> None:
    """The assignee-or-supervisor guard: an agent must take the ticket first."""
    engine = TicketEngine()
    ticket = engine.create(
        id="T-1", subject="s", channel=Channel.EMAIL, customer="c", now=START
    ).ticket
    with pytest.raises(InvalidTransitionError, match="assignee_or_supervisor"):
        engine.apply(ticket, "resolve", by=AGENT, now=START, note="done")


# --- links: merging a duplicate -----------------------------------------------------------------


def test_merging_a_duplicate_links_and_closes_it_without_a_survey() -> None:
    """Zendesk's merge: the duplicate is closed with a note and a link; no CSAT survey is sent."""
    engine = TicketEngine()
    duplicate = _new(engine, START)
    update = engine.merge(duplicate, into="T-7", by=AGENT, now=START + HOUR)
    assert duplicate.state == "closed"
    assert duplicate.links == (Link("merged_into", "T-7"),)
    assert update.actions == ()  # the close transition's survey is not sent
    assert [(c.action, c.reason) for c in update.changes][:2] == [
        ("merge", "merged into T-7"),
        ("close", "merged into T-7"),
    ]


def test_a_ticket_cannot_be_merged_into_itself_or_once_closed() -> None:
    """Refused merges change nothing."""
    engine = TicketEngine()
    ticket = _new(engine, START)
    with pytest.raises(InvalidInputError, match="itself"):
        engine.merge(ticket, into="T-1", by=AGENT, now=START)
    engine.apply(ticket, "close", by=AGENT, now=START)
    length = len(ticket.history)
    with pytest.raises(InvalidTransitionError):
        engine.merge(ticket, into="T-2", by=AGENT, now=START)
    assert len(ticket.history) == length


# --- time to own, per tier -------------------------------------------------------------------


def _owned_engine(*, hours: int = 1) -> TicketEngine:
    policies = tuple(
        SlaPolicy(
            name,
            (
                SlaTarget(SlaMetric.TIME_TO_OWN, hours * HOUR),
                SlaTarget(SlaMetric.RESOLUTION, 24 * HOUR),
            ),
            conditions=SlaConditions(priorities=frozenset({priority})),
            warn_at=(),
        )
        for name, priority in (("urgent", Priority.URGENT), ("normal", Priority.NORMAL))
    )
    return TicketEngine(settings=TicketSettings(sla_policies=policies))


def test_time_to_own_runs_until_each_tier_takes_the_ticket() -> None:
    """Unassigned 30 min; escalated at +2 h, taken at +3 h 30: cycles of 30 min and 1 h 30."""
    engine = _owned_engine()
    ticket = engine.create(
        id="T-1", subject="s", channel=Channel.EMAIL, customer="c", now=START
    ).ticket
    half = HOUR / 2
    engine.update(ticket, by=AGENT, now=START + half, assignee="ana")
    engine.escalate(ticket, by=AGENT, now=START + 2 * HOUR, reason="needs a specialist")
    assert ticket.assignee is None
    assert engine.next_deadline(ticket) == START + 3 * HOUR
    (breach,) = engine.tick(ticket, now=START + 3 * HOUR).events
    assert isinstance(breach, SlaBreached)
    assert (breach.metric, breach.cycle) == (SlaMetric.TIME_TO_OWN, 2)
    engine.update(ticket, by=AGENT, now=START + 3 * HOUR + half, assignee="bob")
    own, _ = engine.sla_status(ticket, now=START + 4 * HOUR)
    assert (own.stopped, own.cycle) == (True, 2)
    assert own.completed == (
        SlaCycle(START, START + half, half, HOUR, False),
        SlaCycle(START + 2 * HOUR, START + 3 * HOUR + half, HOUR + half, HOUR, True),
    )


def test_a_policy_applying_late_counts_time_to_own_from_the_history() -> None:
    """Normal, then urgent at +1 h of waiting for an owner: 1 h counted, as the live clock."""
    engine = _owned_engine(hours=2)
    ticket = engine.create(
        id="T-1", subject="s", channel=Channel.EMAIL, customer="c", now=START
    ).ticket
    engine.update(ticket, by=AGENT, now=START + HOUR, priority=Priority.URGENT)
    assert ticket.sla_policy == "urgent"
    assert engine.sla_elapsed(ticket, SlaMetric.TIME_TO_OWN, now=START + HOUR) == HOUR
    engine.update(ticket, by=AGENT, now=START + 2 * HOUR, assignee="ana")
    assert engine.sla_elapsed(ticket, SlaMetric.TIME_TO_OWN, now=START + 3 * HOUR) == 2 * HOUR
