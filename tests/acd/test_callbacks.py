"""Scheduled callbacks: booked for a time, offered by the queue's strategy, retried, ended.

Every case is worked by hand: the events expected are written out from the
rules in ``docs/acd/callbacks.md`` (a callback joins its queue at its time as
a contact arriving then; a failed attempt books it again ``retry_spacing``
later, up to ``max_attempts``; a cancel ends it wherever it is).
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any
from zoneinfo import ZoneInfo

import attrs
import pytest

from callcore.acd import (
    AgentProfile,
    AgentState,
    AgentStateChanged,
    CallbackAttemptEnded,
    CallbackDue,
    CallbackEnded,
    CallbackOutcome,
    CallbackResult,
    CallbackScheduled,
    CancelledBy,
    ContactEnded,
    ContactOutcome,
    ContactQueued,
    ContactStatus,
    Membership,
    NotReadyReason,
    OfferEnded,
    OfferEndReason,
    QueueConfig,
    QueueEscalation,
    Router,
    RouterSnapshot,
    RouterUpdate,
)
from callcore.errors import (
    CallcoreError,
    DocumentError,
    InvalidInputError,
    InvalidTransitionError,
    NaiveDatetimeError,
    NotFoundError,
)
from callcore.serialization import dumps, from_dict, loads, to_dict
from tests.acd.strategies import T0, at

S = timedelta(seconds=1)


def router(*agents: str, **options: Any) -> Router:
    """Queue ``q`` (longest idle, no delays) with ``agents`` logged in at 0, 1, 2... s."""
    config = QueueConfig(name="q", no_answer_delay=timedelta(0), **options)
    built = Router([config, QueueConfig(name="other")])
    for number, agent_id in enumerate(agents):
        profile = AgentProfile(agent_id=agent_id, memberships=(Membership(queue="q"),))
        built.log_in(profile, now=at(number))
    return built


def kinds(update: RouterUpdate) -> list[str]:
    """The kinds of the update's events, in order."""
    return [event.kind for event in update.events]


def restarted(original: Router) -> Router:
    """The router a host gets back after a restart: its snapshot through JSON."""
    return Router.restore(loads(RouterSnapshot, dumps(original.snapshot())))


def offered(update: RouterUpdate) -> list[tuple[str, str, bool]]:
    """The update's offers as (contact, agent, callback)."""
    return [(offer.contact_id, offer.agent_id, offer.callback) for offer in update.offers]


# --- the paths ------------------------------------------------------------------------------


def test_a_booked_callback_takes_no_place_before_its_time() -> None:
    """Booked for 60 s: the line, the contacts and the agents see nothing of it until then."""
    r = router()
    update = r.schedule_callback("cb", "q", now=at(5), at=at(60))
    assert update.events == (
        CallbackScheduled(at=at(5), contact_id="cb", queue="q", due=at(60), attempt=1),
    )
    assert update.offers == ()
    r.enqueue("c1", "q", now=at(10))
    assert r.line("q") == ("c1",)
    assert r.contact_ids() == ("c1",)
    assert r.wallboard(now=at(10)).queues[0].waiting == 1
    assert r.next_deadline() == at(60)
    r.log_in(AgentProfile(agent_id="a", memberships=(Membership(queue="q"),)), now=at(20))
    assert r.contact("c1").status is ContactStatus.OFFERED
    assert r.callback("cb").due == at(60)


def test_reached_on_the_first_attempt() -> None:
    """Due at 60: offered to the free agent; accepted at 65, reached at 80; ended at 200."""
    r = router("a")
    r.schedule_callback("cb", "q", now=at(5), at=at(60))
    assert r.tick(now=at(59)).events == ()
    due = r.tick(now=at(60))
    assert kinds(due) == ["acd.callback_due", "acd.contact_queued", "acd.contact_offered"]
    assert due.events[:2] == (
        CallbackDue(at=at(60), contact_id="cb", queue="q", attempt=1),
        ContactQueued(at=at(60), contact_id="cb", queue="q", priority=0),
    )
    assert offered(due) == [("cb", "a", True)]
    r.accept("cb", "a", now=at(65))
    reached = r.callback_result("cb", CallbackResult.REACHED, now=at(80))
    assert reached.events == (
        CallbackAttemptEnded(
            at=at(80),
            contact_id="cb",
            agent_id="a",
            queue="q",
            attempt=1,
            result=CallbackResult.REACHED,
            dialled=15 * S,
        ),
        CallbackEnded(
            at=at(80), contact_id="cb", queue="q", result=CallbackOutcome.REACHED, attempts=1
        ),
    )
    assert reached.events[1].outcome is ContactOutcome.ANSWERED
    assert r.contact("cb").status is ContactStatus.CONNECTED
    assert r.callback_ids() == ()
    ended = r.end("cb", now=at(200))
    assert kinds(ended) == ["acd.contact_ended"]
    assert ended.events[0] == ContactEnded(
        at=at(200), contact_id="cb", agent_id="a", queue="q", talk_time=135 * S
    )


def test_no_answer_then_reached_after_the_spacing() -> None:
    """No answer at 80 (wrap-up 30 s); booked again for 80 + 120 = 200; reached then."""
    r = router("a", wrap_up=timedelta(seconds=30))
    r.schedule_callback("cb", "q", now=at(0), at=at(60), retry_spacing=120 * S)
    r.tick(now=at(60))
    r.accept("cb", "a", now=at(62))
    failed = r.callback_result("cb", CallbackResult.NO_ANSWER, now=at(80))
    assert failed.events == (
        CallbackAttemptEnded(
            at=at(80),
            contact_id="cb",
            agent_id="a",
            queue="q",
            attempt=1,
            result=CallbackResult.NO_ANSWER,
            dialled=18 * S,
        ),
        AgentStateChanged(at=at(80), agent_id="a", state=AgentState.WRAP_UP),
        CallbackScheduled(at=at(80), contact_id="cb", queue="q", due=at(200), attempt=2),
    )
    assert "cb" not in r.contact_ids()
    assert r.agent("a").talk_time == 18 * S
    assert r.next_deadline() == at(110)  # the wrap-up's end comes first
    r.tick(now=at(110))
    assert r.next_deadline() == at(200)
    assert r.tick(now=at(199)).events == ()
    again = r.tick(now=at(200))
    assert again.events[0] == CallbackDue(at=at(200), contact_id="cb", queue="q", attempt=2)
    assert offered(again) == [("cb", "a", True)]
    r.accept("cb", "a", now=at(201))
    reached = r.callback_result("cb", CallbackResult.REACHED, now=at(210))
    assert reached.events[-1] == CallbackEnded(
        at=at(210), contact_id="cb", queue="q", result=CallbackOutcome.REACHED, attempts=2
    )


def test_max_attempts_exhausted_ends_not_reached() -> None:
    """Two attempts: busy, then no answer: the callback ends not reached and is forgotten."""
    r = router("a")
    r.schedule_callback("cb", "q", now=at(0), at=at(10), max_attempts=2, retry_spacing=60 * S)
    r.tick(now=at(10))
    r.accept("cb", "a", now=at(11))
    busy = r.callback_result("cb", CallbackResult.BUSY, now=at(20))
    assert busy.events[-1] == CallbackScheduled(
        at=at(20), contact_id="cb", queue="q", due=at(80), attempt=2
    )
    r.tick(now=at(80))
    r.accept("cb", "a", now=at(85))
    last = r.callback_result("cb", CallbackResult.NO_ANSWER, now=at(95))
    assert last.events == (
        CallbackAttemptEnded(
            at=at(95),
            contact_id="cb",
            agent_id="a",
            queue="q",
            attempt=2,
            result=CallbackResult.NO_ANSWER,
            dialled=10 * S,
        ),
        CallbackEnded(
            at=at(95), contact_id="cb", queue="q", result=CallbackOutcome.NOT_REACHED, attempts=2
        ),
    )
    assert last.events[-1].outcome is ContactOutcome.NO_ANSWER
    assert r.callback_ids() == ()
    assert r.contact_ids() == ()
    assert r.next_deadline() is None
    with pytest.raises(NotFoundError):
        r.callback("cb")


def test_zero_spacing_joins_again_at_once_and_goes_to_the_strategys_agent() -> None:
    """Spacing 0: no answer at 20 books and queues it in the same update.

    Longest idle: a (logged in at 0) took the first attempt, so it has answered
    one contact; b (logged in at 1) has answered none and goes first.
    """
    r = router("a", "b")
    r.schedule_callback("cb", "q", now=at(2), at=at(10), retry_spacing=timedelta(0))
    assert offered(r.tick(now=at(10))) == [("cb", "a", True)]
    r.accept("cb", "a", now=at(12))
    update = r.callback_result("cb", CallbackResult.NO_ANSWER, now=at(20))
    assert kinds(update) == [
        "acd.callback_attempt_ended",
        "acd.callback_scheduled",
        "acd.callback_due",
        "acd.contact_queued",
        "acd.contact_offered",
    ]
    assert update.events[1] == CallbackScheduled(
        at=at(20), contact_id="cb", queue="q", due=at(20), attempt=2
    )
    assert offered(update) == [("cb", "b", True)]
    assert r.contact("cb").arrived == at(20)


def test_a_retry_takes_its_place_behind_the_callers_already_waiting() -> None:
    """Failed at 20, due again at 50: a caller who arrived at 30 is served before it."""
    r = router("a")
    r.schedule_callback("cb", "q", now=at(0), at=at(10), retry_spacing=30 * S)
    r.tick(now=at(10))
    r.accept("cb", "a", now=at(11))
    r.enqueue("walk-in", "q", now=at(15))  # waits: a is dialling
    update = r.callback_result("cb", CallbackResult.NO_ANSWER, now=at(20))
    assert offered(update) == [("walk-in", "a", False)]
    r.accept("walk-in", "a", now=at(21))
    r.enqueue("later", "q", now=at(30))
    r.tick(now=at(50))
    assert r.line("q") == ("later", "cb")


def test_two_callbacks_due_at_the_same_instant() -> None:
    """Due together at 60 with one agent: the higher priority first, then by id."""
    r = router("a")
    r.schedule_callback("cb-2", "q", now=at(1), at=at(60))
    r.schedule_callback("cb-1", "q", now=at(2), at=at(60))
    r.schedule_callback("cb-0", "q", now=at(3), at=at(60), priority=-1)
    r.schedule_callback("cb-9", "q", now=at(4), at=at(60), priority=5)
    update = r.tick(now=at(60))
    assert [e.contact_id for e in update.events if isinstance(e, CallbackDue)] == [
        "cb-0",
        "cb-1",
        "cb-2",
        "cb-9",
    ]
    assert offered(update) == [("cb-9", "a", True)]
    assert r.line("q") == ("cb-9", "cb-1", "cb-2", "cb-0")


def test_a_callback_due_with_a_caller_already_waiting_goes_behind_it() -> None:
    """The global order holds: a caller who arrived at 30 comes before a callback due at 60."""
    r = router()
    r.schedule_callback("cb", "q", now=at(0), at=at(60))
    r.enqueue("caller", "q", now=at(30))
    r.tick(now=at(60))
    assert r.line("q") == ("caller", "cb")
    r.log_in(AgentProfile(agent_id="a", memberships=(Membership(queue="q"),)), now=at(70))
    assert r.contact("caller").offered_to == ("a",)


def test_a_time_already_reached_joins_at_once() -> None:
    """Asked for 4 min ago (within the 5 min allowed): queued and offered in the same update."""
    r = router("a")
    update = r.schedule_callback("cb", "q", now=at(600), at=at(360))
    assert update.events[0] == CallbackScheduled(
        at=at(600), contact_id="cb", queue="q", due=at(600), attempt=1
    )
    assert offered(update) == [("cb", "a", True)]
    assert r.callback("cb").requested == at(360)


def test_a_callback_never_overflows_while_it_waits() -> None:
    """max_wait 30 s and nobody logged in: the callback waits on (no caller is holding)."""
    r = router(max_wait=30 * S, max_wait_empty=10 * S)
    r.schedule_callback("cb", "q", now=at(0), at=at(5))
    r.tick(now=at(500))
    assert r.line("q") == ("cb",)


def test_escalation_rules_apply_to_a_waiting_callback() -> None:
    """A rule moving contacts to ``other`` after 20 s moves the callback; its retry joins ``q``."""
    r = Router(
        [
            QueueConfig(
                name="q",
                escalation=(QueueEscalation(after=20 * S, to_queue="other"),),
            ),
            QueueConfig(name="other"),
        ]
    )
    r.schedule_callback("cb", "q", now=at(0), at=at(10), retry_spacing=60 * S)
    r.tick(now=at(30))
    assert r.contact("cb").queue == "other"
    r.log_in(AgentProfile(agent_id="o", memberships=(Membership(queue="other"),)), now=at(31))
    r.accept("cb", "o", now=at(32))
    failed = r.callback_result("cb", CallbackResult.NO_ANSWER, now=at(40))
    assert failed.events[0].queue == "other"  # type: ignore[attr-defined]
    assert failed.events[-1] == CallbackScheduled(
        at=at(40), contact_id="cb", queue="q", due=at(100), attempt=2
    )


def test_a_priority_changed_while_waiting_carries_on_to_the_retry() -> None:
    """Raised to 7 while it waited: the next attempt joins with priority 7."""
    r = router("a")
    r.schedule_callback("cb", "q", now=at(0), at=at(10), retry_spacing=10 * S)
    r.tick(now=at(10))
    r.set_priority("cb", 7, now=at(11))
    r.accept("cb", "a", now=at(12))
    r.callback_result("cb", CallbackResult.NO_ANSWER, now=at(13))
    assert r.callback("cb").priority == 7
    r.tick(now=at(23))
    assert r.contact("cb").priority == 7


def test_ending_or_transferring_before_a_result_counts_as_reached() -> None:
    """The agent ended (or transferred) the call without reporting: the customer was reached."""
    r = router("a", "b")
    r.schedule_callback("x", "q", now=at(2), at=at(10))
    r.schedule_callback("y", "q", now=at(2), at=at(10))
    r.tick(now=at(10))
    r.accept("x", "a", now=at(11))
    r.accept("y", "b", now=at(11))
    ended = r.end("x", now=at(40))
    assert kinds(ended) == [
        "acd.callback_attempt_ended",
        "acd.callback_ended",
        "acd.contact_ended",
    ]
    assert ended.events[1] == CallbackEnded(
        at=at(40), contact_id="x", queue="q", result=CallbackOutcome.REACHED, attempts=1
    )
    moved = r.transfer("y", now=at(41), to_queue="other")
    assert kinds(moved)[:3] == [
        "acd.callback_attempt_ended",
        "acd.callback_ended",
        "acd.contact_transferred",
    ]
    assert r.callback_ids() == ()


# --- cancelling ------------------------------------------------------------------------------


def test_cancelled_before_its_time() -> None:
    """Cancelled at 30: it ends with no attempt; its timer does nothing."""
    r = router("a")
    r.schedule_callback("cb", "q", now=at(0), at=at(60))
    update = r.cancel_callback("cb", now=at(30))
    assert update.events == (
        CallbackEnded(
            at=at(30),
            contact_id="cb",
            queue="q",
            result=CallbackOutcome.CANCELLED,
            attempts=0,
            cancelled_by=CancelledBy.CUSTOMER,
        ),
    )
    assert update.events[0].outcome is ContactOutcome.ABANDONED
    assert r.next_deadline() is None
    assert r.tick(now=at(60)).events == ()


def test_cancelled_by_an_agent_while_it_waits() -> None:
    """Nobody logged in: it waits from 10; cancelled at 20 it leaves the line."""
    r = router()
    r.schedule_callback("cb", "q", now=at(0), at=at(10))
    r.tick(now=at(10))
    assert r.line("q") == ("cb",)
    update = r.cancel_callback("cb", now=at(20), by=CancelledBy.AGENT)
    assert kinds(update) == ["acd.callback_ended"]
    assert update.events[0].cancelled_by is CancelledBy.AGENT  # type: ignore[attr-defined]
    assert r.line("q") == ()
    assert r.contact_ids() == ()


def test_cancelled_while_ringing_frees_the_agent_for_the_next_contact() -> None:
    """Ringing a; cancelled at 12: the ring stops and the caller waiting behind it rings a."""
    r = router("a")
    r.schedule_callback("cb", "q", now=at(0), at=at(10))
    r.tick(now=at(10))
    r.enqueue("caller", "q", now=at(11))
    update = r.cancel_callback("cb", now=at(12))
    assert kinds(update) == ["acd.offer_ended", "acd.callback_ended", "acd.contact_offered"]
    ended = update.events[0]
    assert isinstance(ended, OfferEnded)
    assert ended.reason is OfferEndReason.WITHDRAWN
    assert offered(update) == [("caller", "a", False)]


def test_cancelled_after_a_failed_attempt_counts_it() -> None:
    """One failed attempt, cancelled during the spacing: attempts 1."""
    r = router("a")
    r.schedule_callback("cb", "q", now=at(0), at=at(10), retry_spacing=60 * S)
    r.tick(now=at(10))
    r.accept("cb", "a", now=at(11))
    r.callback_result("cb", CallbackResult.BUSY, now=at(12))
    update = r.cancel_callback("cb", now=at(30))
    assert update.events[0].attempts == 1  # type: ignore[attr-defined]


def test_a_cancel_at_its_due_time_runs_the_timer_first() -> None:
    """Cancelled at exactly 60, its time: it joins, rings a, and the ring is withdrawn."""
    r = router("a")
    r.schedule_callback("cb", "q", now=at(0), at=at(60))
    update = r.cancel_callback("cb", now=at(60))
    assert kinds(update) == [
        "acd.callback_due",
        "acd.contact_queued",
        "acd.contact_offered",
        "acd.offer_ended",
        "acd.callback_ended",
    ]
    assert r.agent("a").state is AgentState.AVAILABLE


# --- restarts ------------------------------------------------------------------------------


def _to_booked(r: Router) -> None:
    r.schedule_callback("cb", "q", now=at(3), at=at(60), retry_spacing=40 * S, max_attempts=2)


def _to_waiting(r: Router) -> None:
    _to_booked(r)
    r.set_not_ready("a", NotReadyReason.BREAK, now=at(59))
    r.tick(now=at(60))


def _to_ringing(r: Router) -> None:
    _to_booked(r)
    r.tick(now=at(60))


def _to_dialling(r: Router) -> None:
    _to_ringing(r)
    r.accept("cb", "a", now=at(61))


def _to_spacing(r: Router) -> None:
    _to_dialling(r)
    r.callback_result("cb", CallbackResult.NO_ANSWER, now=at(70))


def _finish(r: Router) -> list[RouterUpdate]:
    """Drive the callback to its end, whatever its stage (the same calls for both twins).

    Every attempt fails: after two, it ends not reached.
    """
    out = []
    for round_ in range(4):
        t = 75 + 50 * round_
        out.append(r.tick(now=at(t)))
        if r.agent("a").state is AgentState.NOT_READY:
            out.append(r.set_ready("a", now=at(t)))
        if "cb" in r.contact_ids() and r.contact("cb").status is ContactStatus.OFFERED:
            out.append(r.accept("cb", "a", now=at(t)))
        if "cb" in r.contact_ids() and r.contact("cb").status is ContactStatus.CONNECTED:
            out.append(r.callback_result("cb", CallbackResult.NO_ANSWER, now=at(t + 1)))
    return out


@pytest.mark.parametrize("stage", [_to_booked, _to_waiting, _to_ringing, _to_dialling, _to_spacing])
def test_a_restart_at_any_stage_loses_nothing(stage: Any) -> None:
    """Booked, waiting, ringing, dialling, in a retry's spacing: the restored twin goes on alike."""
    original = router("a")
    stage(original)
    twin = restarted(original)
    assert dumps(twin.snapshot()) == dumps(original.snapshot())
    assert twin.next_deadline() == original.next_deadline()
    assert twin.callback("cb") == original.callback("cb")
    assert _finish(twin) == _finish(original)
    assert original.callback_ids() == ()  # each path ended it: not reached after two attempts


# --- refusals ------------------------------------------------------------------------------


def _refused(r: Router, call: Any, error: type[CallcoreError], field: str | None = None) -> None:
    before = dumps(r.snapshot())
    with pytest.raises(error) as raised:
        call()
    if field is not None:
        assert getattr(raised.value, "field", None) == field
    assert dumps(r.snapshot()) == before


@pytest.mark.parametrize(
    ("options", "error", "field"),
    [
        ({"at": T0.replace(tzinfo=None) + 60 * S}, NaiveDatetimeError, None),
        ({"at": at(100 - 301)}, InvalidInputError, "at"),
        ({"at": at(100) + timedelta(days=30, seconds=1)}, InvalidInputError, "at"),
        ({"at": "tomorrow"}, InvalidInputError, "at"),
        ({"max_attempts": 0}, InvalidInputError, "max_attempts"),
        ({"max_attempts": 101}, InvalidInputError, "max_attempts"),
        ({"max_attempts": True}, InvalidInputError, "max_attempts"),
        ({"retry_spacing": -S}, InvalidInputError, "retry_spacing"),
        ({"retry_spacing": timedelta(days=3, seconds=1)}, InvalidInputError, "retry_spacing"),
        ({"retry_spacing": 60}, InvalidInputError, "retry_spacing"),
        ({"priority": 10**10}, InvalidInputError, "priority"),
        ({"skills": {"fr": 11}}, InvalidInputError, "skills.fr"),
        ({"language": 5}, InvalidInputError, "language"),
        ({"now": at(50)}, InvalidInputError, "now"),
        ({"queue": "nowhere"}, NotFoundError, None),
        ({"callback_id": ""}, InvalidInputError, "callback_id"),
        ({"callback_id": "c1"}, InvalidTransitionError, None),
        ({"callback_id": "booked"}, InvalidTransitionError, None),
    ],
)
def test_a_refused_request_changes_nothing(
    options: dict[str, Any], error: type[CallcoreError], field: str | None
) -> None:
    """Each bad argument is named; the router is byte for byte as before."""
    r = router("a")
    r.enqueue("c1", "q", now=at(90))
    r.schedule_callback("booked", "q", now=at(100), at=at(500))
    arguments: dict[str, Any] = {
        "callback_id": "cb",
        "queue": "q",
        "now": at(100),
        "at": at(200),
        **options,
    }
    callback_id, queue = arguments.pop("callback_id"), arguments.pop("queue")
    _refused(r, lambda: r.schedule_callback(callback_id, queue, **arguments), error, field)


def test_the_bounds_of_the_requested_time_are_accepted() -> None:
    """Exactly 5 minutes before now, and exactly 30 days after: both taken."""
    r = router()
    r.schedule_callback("early", "q", now=at(1000), at=at(700))
    r.schedule_callback("late", "q", now=at(1000), at=at(1000) + timedelta(days=30))
    assert r.callback("early").due is None  # in its queue already
    assert r.contact("early").arrived == at(1000)
    assert r.callback("late").due == at(1000) + timedelta(days=30)


def test_an_aware_time_in_another_zone_is_compared_as_utc() -> None:
    """09:01 UTC given as 11:01 at +02:00 is due at 09:01 UTC."""
    r = router()
    plus_two = timezone(timedelta(hours=2))
    r.schedule_callback("cb", "q", now=at(0), at=at(60).astimezone(plus_two))
    assert r.next_deadline() == at(60)


def test_a_local_time_in_the_repeated_hour_keeps_its_fold_across_a_restart() -> None:
    """02:30 Berlin on 25 Oct 2026, the second one (fold=1, CET): due at 01:30 UTC, restored so."""
    berlin = ZoneInfo("Europe/Berlin")
    now = datetime(2026, 10, 25, 0, 0, tzinfo=timezone.utc)
    r = Router([QueueConfig(name="q")])
    r.schedule_callback("cb", "q", now=now, at=datetime(2026, 10, 25, 2, 30, fold=1, tzinfo=berlin))
    expected = datetime(2026, 10, 25, 1, 30, tzinfo=timezone.utc)
    assert r.next_deadline() == expected
    twin = restarted(r)
    assert twin.next_deadline() == expected
    assert twin.callback("cb").requested.astimezone(timezone.utc) == expected
    assert twin.tick(now=expected - S).events == ()
    assert kinds(twin.tick(now=expected))[0] == "acd.callback_due"


def test_the_spacing_is_elapsed_time_across_a_clock_change() -> None:
    """Failed at 02:30 CEST (00:30 UTC) on the night clocks go back; 1 h later is 01:30 UTC.

    Wall-clock arithmetic would give 03:30 CET, 02:30 UTC: an hour late.
    """
    berlin = ZoneInfo("Europe/Berlin")
    start = datetime(2026, 10, 25, 0, 0, tzinfo=timezone.utc)
    r = Router([QueueConfig(name="q")])
    r.log_in(AgentProfile(agent_id="a", memberships=(Membership(queue="q"),)), now=start)
    r.schedule_callback("cb", "q", now=start, at=start, retry_spacing=timedelta(hours=1))
    r.accept("cb", "a", now=start + S)
    failed_at = datetime(2026, 10, 25, 2, 30, fold=0, tzinfo=berlin)
    r.callback_result("cb", CallbackResult.NO_ANSWER, now=failed_at)
    assert r.next_deadline() == datetime(2026, 10, 25, 1, 30, tzinfo=timezone.utc)


def test_commands_that_do_not_fit_the_callbacks_state_are_refused() -> None:
    """Result before an agent dials, cancel while dialling, ids and kinds unknown or wrong."""
    r = router("a")
    r.schedule_callback("cb", "q", now=at(3), at=at(10))
    _refused(
        r,
        lambda: r.callback_result("cb", CallbackResult.REACHED, now=at(5)),
        InvalidTransitionError,
    )
    _refused(r, lambda: r.enqueue("cb", "q", now=at(5)), InvalidTransitionError)
    _refused(r, lambda: r.abandon("cb", now=at(5)), InvalidTransitionError)
    _refused(r, lambda: r.callback_result("nope", CallbackResult.REACHED, now=at(5)), NotFoundError)
    _refused(r, lambda: r.cancel_callback("nope", now=at(5)), NotFoundError)
    _refused(
        r,
        lambda: r.callback_result("cb", "reached", now=at(5)),  # type: ignore[arg-type]
        InvalidInputError,
        "result",
    )
    _refused(r, lambda: r.cancel_callback("cb", now=at(5), by="customer"), InvalidInputError, "by")  # type: ignore[arg-type]
    _refused(r, lambda: r.cancel_callback(["cb"], now=at(5)), InvalidInputError, "callback_id")  # type: ignore[arg-type]
    r.tick(now=at(10))
    _refused(  # ringing, not yet dialled
        r,
        lambda: r.callback_result("cb", CallbackResult.REACHED, now=at(11)),
        InvalidTransitionError,
    )
    _refused(r, lambda: r.abandon("cb", now=at(11)), InvalidTransitionError)
    r.accept("cb", "a", now=at(12))
    _refused(r, lambda: r.cancel_callback("cb", now=at(13)), InvalidTransitionError)
    _refused(
        r,
        lambda: r.callback_result("cb", CallbackResult.REACHED, now=at(11)),
        InvalidInputError,
        "now",
    )


def test_next_deadline_includes_the_due_times() -> None:
    """A ring expiring at 25 and a callback due at 20: 20 first, then 25."""
    r = router("a")
    r.enqueue("c1", "q", now=at(10))  # rings a until 25
    r.schedule_callback("cb", "q", now=at(11), at=at(20))
    assert r.next_deadline() == at(20)
    r.tick(now=at(20))
    assert r.next_deadline() == at(25)


# --- the snapshot's checks -------------------------------------------------------------------


def _damaged(r: Router, change: Any) -> list[str]:
    data = to_dict(r.snapshot())
    change(data)
    with pytest.raises(DocumentError) as raised:
        Router.restore(from_dict(RouterSnapshot, data))
    return [problem.path for problem in raised.value.problems]


def test_a_damaged_book_is_refused_naming_the_path() -> None:
    """A booked time not after now, a queued one with no contact, unknown queue, too many tries."""
    r = router()
    r.schedule_callback("booked", "q", now=at(1), at=at(60))
    r.schedule_callback("queued", "q", now=at(2), at=at(2))

    def past_due(data: dict[str, Any]) -> None:
        data["callbacks"][0]["due"] = at(0).isoformat()

    def lost_contact(data: dict[str, Any]) -> None:
        data["contacts"] = []

    def bad_fields(data: dict[str, Any]) -> None:
        data["callbacks"][0]["queue"] = "nowhere"
        data["callbacks"][0]["attempts"] = 3

    def twice(data: dict[str, Any]) -> None:
        data["callbacks"][1]["callback_id"] = "booked"

    assert _damaged(r, past_due) == ["callbacks[0].due"]
    assert "callbacks[1].due" in _damaged(r, lost_contact)
    assert set(_damaged(r, bad_fields)) == {"callbacks[0].queue", "callbacks[0].attempts"}
    assert "callbacks[1].callback_id" in _damaged(r, twice)


def test_the_snapshot_round_trips_every_field() -> None:
    """Skills, language, attempts and spacing come back as they were."""
    r = router("a")
    r.schedule_callback(
        "cb",
        "q",
        now=at(3),
        at=at(10),
        skills={"fr": 3},
        language="fr",
        max_attempts=5,
        retry_spacing=7 * S,
    )
    record = restarted(r).callback("cb")
    assert record == attrs.evolve(r.callback("cb"))
    assert (record.skills, record.language, record.max_attempts) == ({"fr": 3}, "fr", 5)


def test_the_live_view_follows_callbacks() -> None:
    """Fed the router's events: a cancelled callback leaves the line; a failed attempt frees."""
    from zoneinfo import ZoneInfo  # noqa: PLC0415 - only this test needs the zone

    from callcore.kpi import LiveView  # noqa: PLC0415 - the KPI engine is a reader here

    view = LiveView(timezone=ZoneInfo("UTC"))
    r = router("a")
    r.set_not_ready("a", NotReadyReason.BREAK, now=at(1))

    def feed(update: RouterUpdate, seconds: float) -> None:
        view.observe(update.events, now=at(seconds))

    feed(r.schedule_callback("x", "q", now=at(2), at=at(10)), 2)
    feed(r.schedule_callback("y", "q", now=at(2), at=at(10)), 2)
    feed(r.tick(now=at(10)), 10)
    assert view.queues(now=at(10))["q"].waiting == 2
    feed(r.cancel_callback("x", now=at(11)), 11)
    assert view.queues(now=at(11))["q"].waiting == 1
    feed(r.set_ready("a", now=at(12)), 12)
    feed(r.accept("y", "a", now=at(13)), 13)
    assert view.agents(now=at(13))["a"].state is AgentState.BUSY
    feed(r.callback_result("y", CallbackResult.NO_ANSWER, now=at(20)), 20)
    assert view.agents(now=at(20))["a"].state is AgentState.AVAILABLE
    assert "q" not in view.queues(now=at(20)) or view.queues(now=at(20))["q"].waiting == 0
