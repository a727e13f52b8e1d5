"""Follow-ups, auto-close of resolved tickets, customer replies and satisfaction surveys."""

from __future__ import annotations

from datetime import timedelta, timezone

import attrs
import pytest

from callcore.contacts import Channel
from callcore.errors import InvalidInputError, InvalidTransitionError
from callcore.notifications import NotificationChannel
from callcore.serialization import from_dict, to_dict
from callcore.tickets import (
    DEFAULT_WORKFLOW,
    ActionKind,
    ActionSpec,
    FollowUpDue,
    SendSurvey,
    SurveyAnswer,
    Ticket,
    TicketEngine,
    Workflow,
)
from tests.tickets.strategies import AGENT, START

DAY = timedelta(days=1)


@pytest.fixture
def engine() -> TicketEngine:
    """The default engine."""
    return TicketEngine()


@pytest.fixture
def ticket(engine: TicketEngine) -> Ticket:
    """An open ticket assigned to Ana."""
    ticket = engine.create(
        id="T-9", subject="Refund", channel=Channel.EMAIL, customer="c-1", now=START,
        assignee=AGENT.id,
    ).ticket  # fmt: skip
    engine.apply(ticket, "open", by=AGENT, now=START)
    return ticket


def test_a_follow_up_becomes_due_once(engine: TicketEngine, ticket: Ticket) -> None:
    """The follow-up action comes when due, not before, and only once."""
    engine.apply(ticket, "need_follow_up", by=AGENT, now=START)  # default: one day later
    assert engine.next_deadline(ticket) == START + DAY
    assert engine.tick(ticket, now=START + DAY - timedelta(seconds=1)).actions == ()
    update = engine.tick(ticket, now=START + DAY + timedelta(minutes=3))
    assert update.actions == (FollowUpDue("T-9", START + DAY, "ana"),)
    assert ticket.follow_up_due is None
    assert engine.tick(ticket, now=START + 2 * DAY).actions == ()
    assert ticket.state == "needs_follow_up"


def test_follow_up_history_shows_each_due_time_as_given(engine: TicketEngine) -> None:
    """Equal instants in other zones are written as given, when scheduled and when cleared."""
    paris = timezone(timedelta(hours=1))
    due_utc = START + DAY
    due_paris = due_utc.astimezone(paris)  # equal to due_utc, written differently
    tickets = []
    for number, due in ((1, due_utc), (2, due_paris)):
        ticket = engine.create(
            id=f"F-{number}", subject="s", channel=Channel.EMAIL, customer="c", now=START
        ).ticket
        engine.apply(ticket, "need_follow_up", by=AGENT, now=START, follow_up_due=due)
        tickets.append(ticket)
    for ticket in reversed(tickets):
        engine.apply(ticket, "open", by=AGENT, now=START + timedelta(hours=1))
    texts = ("2026-01-06T09:00:00+00:00", "2026-01-06T10:00:00+01:00")
    for ticket, text in zip(tickets, texts, strict=True):
        written = [(c.old, c.new) for c in ticket.history if c.field == "follow_up_due"]
        assert written == [(None, text), (text, None)]


def test_histories_differ_when_due_times_are_written_differently() -> None:
    """Equal due instants written in two zones make unequal histories; a round trip is equal."""
    paris = timezone(timedelta(hours=1))
    histories = []
    for due in (START + DAY, (START + DAY).astimezone(paris)):
        engine = TicketEngine()
        ticket = engine.create(
            id="F-1", subject="s", channel=Channel.EMAIL, customer="c", now=START
        ).ticket
        engine.apply(ticket, "need_follow_up", by=AGENT, now=START, follow_up_due=due)
        engine.apply(ticket, "open", by=AGENT, now=START)
        assert from_dict(Ticket, to_dict(ticket)).history == ticket.history
        histories.append(ticket.history)
    assert histories[0] != histories[1]


def test_resolved_tickets_close_after_four_days(engine: TicketEngine, ticket: Ticket) -> None:
    """The default workflow closes a resolved ticket 4 days later and asks for a survey."""
    engine.apply(ticket, "resolve", by=AGENT, now=START, note="refunded")
    assert engine.next_deadline(ticket) == START + 4 * DAY
    assert engine.tick(ticket, now=START + 4 * DAY - timedelta(seconds=1)).actions == ()
    update = engine.tick(ticket, now=START + 4 * DAY)
    assert ticket.state == "closed"
    assert ticket.history[-1].by == "system"
    (survey,) = update.actions
    assert isinstance(survey, SendSurvey)
    assert survey.notification.channel is NotificationChannel.EMAIL
    assert survey.notification.to == "c-1"
    assert survey.notification.data["ticket_id"] == "T-9"


def test_a_customer_reply_reopens_a_resolved_ticket(engine: TicketEngine, ticket: Ticket) -> None:
    """A reply before auto-close reopens the ticket and cancels the closing."""
    engine.apply(ticket, "resolve", by=AGENT, now=START, note="refunded")
    engine.customer_reply(ticket, now=START + 2 * DAY, text="no money yet")
    assert (ticket.state, ticket.reopen_count) == ("open", 1)
    assert [c.action for c in ticket.history[-2:]] == ["customer_reply", "reopen"]
    engine.tick(ticket, now=START + 10 * DAY)
    assert ticket.state == "open"


def test_a_customer_reply_ends_a_pending_wait(engine: TicketEngine, ticket: Ticket) -> None:
    """Pending on the customer goes back to open when they reply."""
    engine.apply(ticket, "wait_on_customer", by=AGENT, now=START)
    engine.customer_reply(ticket, now=START + DAY, text="here")
    assert ticket.state == "open"
    assert ticket.reopen_count == 0


def test_surveys_by_sms_or_call(engine: TicketEngine) -> None:
    """A workflow may send its survey by SMS or by an automated call."""
    for channel in (NotificationChannel.SMS, NotificationChannel.CALL):
        survey = (ActionSpec(ActionKind.SEND_SURVEY, channel=channel),)
        moves = tuple(
            attrs.evolve(move, actions=survey) if move.name == "close" else move
            for move in DEFAULT_WORKFLOW.transitions
        )
        flow = Workflow("sms", "new", DEFAULT_WORKFLOW.states, moves)
        custom = TicketEngine(workflows={"sms": flow}, default_workflow="sms")
        ticket = custom.create(
            id="S", subject="x", channel=Channel.SMS, customer="+40", now=START
        ).ticket
        (action,) = custom.apply(ticket, "close", by=AGENT, now=START).actions
        assert isinstance(action, SendSurvey)
        assert action.notification.channel is channel


def test_the_survey_answer_is_recorded(engine: TicketEngine, ticket: Ticket) -> None:
    """A CSAT score and comment land on the closed ticket, once."""
    engine.apply(ticket, "close", by=AGENT, now=START)
    engine.record_survey(ticket, now=START + DAY, score=4, comment="quick")
    assert ticket.survey == SurveyAnswer(4, START + DAY, "quick")
    assert (ticket.history[-1].action, ticket.history[-1].new) == ("survey", 4)
    with pytest.raises(InvalidTransitionError, match="already answered"):
        engine.record_survey(ticket, now=START + DAY, score=5)


@pytest.mark.parametrize("score", [0, 6, -1])
def test_scores_outside_one_to_five_are_refused(
    engine: TicketEngine, ticket: Ticket, score: int
) -> None:
    """CSAT is 1 to 5."""
    engine.apply(ticket, "close", by=AGENT, now=START)
    with pytest.raises(InvalidInputError, match="1 to 5"):
        engine.record_survey(ticket, now=START, score=score)
    assert ticket.survey is None


def test_open_tickets_take_no_survey(engine: TicketEngine, ticket: Ticket) -> None:
    """A survey answer needs a closed ticket."""
    with pytest.raises(InvalidTransitionError, match="not closed"):
        engine.record_survey(ticket, now=START, score=5)
