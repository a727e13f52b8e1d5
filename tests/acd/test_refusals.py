"""Refused means unchanged: a call the router refuses moves nothing and emits nothing.

The router checks every argument (``now`` included) before it runs the timers
due by ``now``; a check that a due timer could change (an offer that may time
out, a contact that may overflow) is made on the state at ``now``, and a
refusal puts back what the timers did. So after a refusal the serialised
snapshot is byte-identical, and the next call returns exactly what it would
have returned had the refused call never been made.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import TYPE_CHECKING, Any

import pytest
from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, precondition, rule

from callcore.acd import (
    BUILTIN_STRATEGIES,
    AgentProfile,
    CallbackResult,
    ContactOffered,
    DeclineReason,
    Membership,
    NotReadyReason,
    QueueConfig,
    Router,
    RouterSnapshot,
)
from callcore.acd import _timers as timers_module
from callcore.errors import (
    CallcoreError,
    InvalidInputError,
    InvalidTransitionError,
    NaiveDatetimeError,
    NotFoundError,
)
from callcore.serialization import dumps, loads
from tests.acd.strategies import QUEUES, T0, at, contact_skills, profiles
from tests.acd.test_invariants import queue_configs

if TYPE_CHECKING:
    from collections.abc import Callable

    from callcore.acd import RouterUpdate

AGENTS = tuple(f"a{number}" for number in range(4))
ONE = AgentProfile(agent_id="a", memberships=(Membership(queue="q"),))


def one_agent_router(**queue: Any) -> Router:
    """A router with one queue ``q`` and one agent ``a`` logged in at T0."""
    router = Router([QueueConfig(name="q", **queue)])
    router.log_in(ONE, now=T0)
    return router


def refused(router: Router, call: Callable[[Router], object], error: type[Exception]) -> None:
    """``call`` raises ``error`` and leaves the router's snapshot byte-identical."""
    before = dumps(router.snapshot())
    now = router.now
    with pytest.raises(error):
        call(router)
    assert dumps(router.snapshot()) == before
    assert router.now == now


# --- the examples of issue 10 ---------------------------------------------------------


def test_enqueue_with_a_number_for_an_id_is_refused_before_anything_changes() -> None:
    """``enqueue(123, ...)`` used to queue the contact and then fail; now nothing moves."""
    router = one_agent_router()
    refused(router, lambda r: r.enqueue(123, "q", now=at(5)), InvalidInputError)  # type: ignore[arg-type]
    assert router.contact_ids() == ()


def test_a_plain_string_for_a_not_ready_reason_is_refused() -> None:
    """``set_not_ready(agent, "lunch", now)`` names the argument; pass ``NotReadyReason.LUNCH``."""
    router = one_agent_router()
    before = dumps(router.snapshot())
    with pytest.raises(InvalidInputError) as caught:
        router.set_not_ready("a", "lunch", now=at(5))  # type: ignore[arg-type]
    assert caught.value.field == "reason"
    assert dumps(router.snapshot()) == before
    router.set_not_ready("a", NotReadyReason.LUNCH, now=at(5))
    text = dumps(router.snapshot())
    assert dumps(Router.restore(loads(RouterSnapshot, text)).snapshot()) == text


def test_a_refused_call_does_not_run_the_timers_due() -> None:
    """The offer expired at 16 s; a call refused at 60 s leaves it ringing until a call is taken.

    The time-out then comes out of the next call, at its own time, as if the
    refused one had never been made.
    """
    router = one_agent_router(no_answer_delay=timedelta(minutes=5))
    router.enqueue("c", "q", now=at(1))
    for call, error in [
        (lambda r: r.accept("nobody", "a", now=at(60)), NotFoundError),
        (lambda r: r.set_priority("c", "high", now=at(60)), InvalidInputError),
        (lambda r: r.log_in(ONE, now=at(60)), InvalidTransitionError),
        (lambda r: r.tick(now=datetime(2026, 1, 5, 10, 0)), NaiveDatetimeError),  # noqa: DTZ001
    ]:
        refused(router, call, error)
        assert router.agent("a").offered == ("c",)
    update = router.tick(now=at(60))
    assert [(event.at, event.offer.contact_id) for event in update.events] == [  # type: ignore[attr-defined]
        (at(16), "c")
    ]


def test_a_call_refused_because_of_a_due_timer_undoes_the_timer() -> None:
    """Accepting an offer that timed out meanwhile is refused, and the time-out is not kept.

    The check is made at ``now`` (the offer is gone), so the timers ran; the
    refusal puts the state back: the offer still rings, the clock still reads 1 s.
    """
    router = one_agent_router(no_answer_delay=timedelta(minutes=5))
    router.enqueue("c", "q", now=at(1))
    refused(router, lambda r: r.accept("c", "a", now=at(60)), InvalidTransitionError)
    assert router.now == at(1)
    assert router.agent("a").offered == ("c",)


@pytest.mark.parametrize(
    "now",
    [
        datetime(9999, 12, 31, 23, 59, tzinfo=timezone.utc),
        datetime(3000, 1, 1, tzinfo=timezone.utc),
        datetime(1899, 12, 31, tzinfo=timezone.utc),
        "2026-01-05T09:00:05+00:00",
    ],
)
def test_a_now_out_of_range_is_refused_at_the_door(now: datetime) -> None:
    """An instant outside 1900-2999 (or not a datetime) never reaches the date arithmetic."""
    router = one_agent_router(max_wait=timedelta(days=36_525))
    with pytest.raises(InvalidInputError) as caught:
        router.enqueue("c", "q", now=now)
    assert caught.value.field == "now"
    assert router.contact_ids() == ()


@pytest.mark.parametrize(
    ("call", "field"),
    [
        (lambda r: r.enqueue("c\ud800", "q", now=at(5)), "contact_id"),
        (lambda r: r.enqueue("", "q", now=at(5)), "contact_id"),
        (lambda r: r.enqueue("c", ["q"], now=at(5)), "queue"),
        (lambda r: r.enqueue("c", "q", now=at(5), priority=10**5000), "priority"),
        (lambda r: r.enqueue("c", "q", now=at(5), priority=1.5), "priority"),
        (lambda r: r.enqueue("c", "q", now=at(5), priority=True), "priority"),
        (lambda r: r.enqueue("c", "q", now=at(5), skills="billing"), "skills"),
        (lambda r: r.enqueue("c", "q", now=at(5), skills={"en": 11}), "skills.en"),
        (lambda r: r.enqueue("c", "q", now=at(5), skills={"\ud800": 1}), "skills"),
        (lambda r: r.decline("c0", "a", now=at(5), reason="busy"), "reason"),
        (lambda r: r.log_in({"agent_id": "b"}, now=at(5)), "profile"),
        (lambda r: r.log_in(ONE, now=at(5), ready="no"), "ready"),
        (lambda r: r.accept(["c0"], "a", now=at(5)), "contact_id"),
        (lambda r: r.log_out(b"a", now=at(5)), "agent_id"),
        (lambda r: r.agent({"a"}), "agent_id"),
        (lambda r: r.line(None), "queue"),
        (lambda r: r.tick(now=at(-5)), "now"),
    ],
)
def test_each_wrong_argument_is_refused_by_name(
    call: Callable[[Router], object], field: str
) -> None:
    """A wrong type or value is an InvalidInputError naming the argument; nothing changes."""
    router = one_agent_router()
    router.enqueue("c0", "q", now=at(1))
    before = dumps(router.snapshot())
    with pytest.raises(InvalidInputError) as caught:
        call(router)
    assert caught.value.field == field
    assert dumps(router.snapshot()) == before


# --- the stateful test ------------------------------------------------------------------

WRONG_ARGUMENTS: list[tuple[Callable[[Router, datetime], object], type[Exception]]] = [
    (lambda r, now: r.enqueue(123, "sales", now=now), InvalidInputError),  # type: ignore[arg-type]
    (lambda r, now: r.enqueue("x", 5, now=now), InvalidInputError),  # type: ignore[arg-type]
    (lambda r, now: r.enqueue("x", "sales", now=now, priority="high"), InvalidInputError),  # type: ignore[arg-type]
    (lambda r, now: r.enqueue("x", "sales", now=now, priority=2**40), InvalidInputError),
    (lambda r, now: r.enqueue("x", "sales", now=now, skills={"en": 1.5}), InvalidInputError),  # type: ignore[dict-item]
    (lambda r, now: r.enqueue("x", "sales", now=now, skills=["en"]), InvalidInputError),  # type: ignore[arg-type]
    (lambda r, now: r.enqueue("x\udc00", "sales", now=now), InvalidInputError),
    (lambda r, now: r.set_not_ready("a0", "lunch", now=now), InvalidInputError),  # type: ignore[arg-type]
    (lambda r, now: r.set_priority("c1", "2", now=now), InvalidInputError),  # type: ignore[arg-type]
    (lambda r, now: r.decline("c1", "a0", now=now, reason="busy"), InvalidInputError),  # type: ignore[arg-type]
    (lambda r, now: r.log_in({"agent_id": "a0"}, now=now), InvalidInputError),  # type: ignore[arg-type]
    (lambda r, now: r.accept(["c1"], "a0", now=now), InvalidInputError),  # type: ignore[arg-type]
    (lambda r, now: r.end(3.5, now=now), InvalidInputError),  # type: ignore[arg-type]
    (lambda r, now: r.log_out(None, now=now), InvalidInputError),  # type: ignore[arg-type]
    (lambda r, now: r.tick(now=now.isoformat()), InvalidInputError),  # type: ignore[arg-type]
    (lambda r, now: r.tick(now=now.replace(tzinfo=None)), NaiveDatetimeError),
    (lambda r, now: r.enqueue("x", "sales", now=now.replace(tzinfo=None)), NaiveDatetimeError),
    (lambda r, _: r.tick(now=datetime(3000, 1, 1, tzinfo=timezone.utc)), InvalidInputError),
    (lambda r, _: r.tick(now=datetime(9999, 12, 31, tzinfo=timezone.utc)), InvalidInputError),
    (lambda r, now: r.accept("nobody", "a0", now=now), NotFoundError),
    (lambda r, now: r.end("nobody", now=now), NotFoundError),
    (lambda r, now: r.abandon("nobody", now=now), NotFoundError),
    (lambda r, now: r.request_callback("nobody", now=now), NotFoundError),
    (lambda r, now: r.set_priority("nobody", 1, now=now), NotFoundError),
    (lambda r, now: r.set_ready("ghost", now=now), NotFoundError),
    (lambda r, now: r.log_out("ghost", now=now), NotFoundError),
    (lambda r, now: r.remove_agent("ghost", now=now), NotFoundError),
    (lambda r, now: r.remove_agent(7, now=now), InvalidInputError),  # type: ignore[arg-type]
    (lambda r, now: r.enqueue("x", "nowhere", now=now), NotFoundError),
    (lambda r, now: r.transfer("nobody", now=now), NotFoundError),
    (lambda r, now: r.transfer(["c1"], now=now), InvalidInputError),  # type: ignore[arg-type]
    (lambda r, now: r.transfer("c1", now=now, to_queue="nowhere"), NotFoundError),
    (lambda r, now: r.transfer("c1", now=now, to_agent="ghost"), NotFoundError),
    (lambda r, now: r.transfer("c1", now=now, agent_wait=timedelta(seconds=-1)), InvalidInputError),
    (lambda r, now: r.transfer("c1", now=now, agent_wait=timedelta(seconds=5)), InvalidInputError),
    (lambda r, now: r.transfer("c1", now=now, priority=2**40), InvalidInputError),
    (lambda r, now: r.accept("c1", "a0", now=now, offer_id=5), InvalidInputError),  # type: ignore[arg-type]
    (
        lambda r, now: r.schedule_callback("x", "sales", now=now, at=now.replace(tzinfo=None)),
        NaiveDatetimeError,
    ),
    (
        lambda r, now: r.schedule_callback("x", "sales", now=now, at=now - timedelta(hours=1)),
        InvalidInputError,
    ),
    (
        lambda r, now: r.schedule_callback("x", "sales", now=now, at=now + timedelta(days=31)),
        InvalidInputError,
    ),
    (
        lambda r, now: r.schedule_callback("x", "sales", now=now, at=now, max_attempts=0),
        InvalidInputError,
    ),
    (
        lambda r, now: r.schedule_callback(
            "x", "sales", now=now, at=now, retry_spacing=timedelta(days=4)
        ),
        InvalidInputError,
    ),
    (lambda r, now: r.schedule_callback("x", "nowhere", now=now, at=now), NotFoundError),
    (lambda r, now: r.schedule_callback(5, "sales", now=now, at=now), InvalidInputError),  # type: ignore[arg-type]
    (lambda r, now: r.callback_result("nobody", CallbackResult.REACHED, now=now), NotFoundError),
    (lambda r, now: r.callback_result("c1", "reached", now=now), InvalidInputError),  # type: ignore[arg-type]
    (lambda r, now: r.cancel_callback("nobody", now=now), NotFoundError),
    (lambda r, now: r.cancel_callback("c1", now=now, by="agent"), InvalidInputError),  # type: ignore[arg-type]
]


class RefusalMachine(RuleBasedStateMachine):
    """Valid and invalid calls, mixed; a twin router gets only the calls that are taken."""

    def __init__(self) -> None:
        """Start with no router; the timer budget is lowered so that long jumps stay short."""
        super().__init__()
        self.router = Router([QueueConfig(name=name) for name in QUEUES])
        self.twin = Router([QueueConfig(name=name) for name in QUEUES])
        self.clock = 0.0
        self.counter = 0
        self.offers: list[tuple[str, str, str]] = []
        """Every offer ever made, in order (those that ended give refusals)."""
        self.budget = getattr(timers_module, "TIMER_BUDGET", None)
        timers_module.TIMER_BUDGET = 300

    def teardown(self) -> None:
        """Put the timer budget back."""
        timers_module.TIMER_BUDGET = self.budget  # type: ignore[assignment]

    @initialize(strategy=st.sampled_from(sorted(BUILTIN_STRATEGIES)), seed=st.integers(0, 9))
    def start(self, strategy: str, seed: int) -> None:
        """Two identical routers with overflow, escalation and wrap-up timers."""
        self.router = Router(queue_configs(strategy), seed=seed)
        self.twin = Router(queue_configs(strategy), seed=seed)

    @property
    def now(self) -> datetime:
        """The test's clock."""
        return at(self.clock)

    def both(self, call: Callable[[Router], RouterUpdate]) -> None:
        """Make a call that may be taken or refused; the twin must do the same."""
        before = dumps(self.router.snapshot())
        try:
            update = call(self.router)
        except CallcoreError as error:
            assert dumps(self.router.snapshot()) == before
            with pytest.raises(type(error)):
                call(self.twin)
            return
        assert call(self.twin) == update
        self.offers += [
            (event.offer.contact_id, event.offer.agent_id, event.offer.offer_id)
            for event in update.events
            if isinstance(event, ContactOffered)
        ]

    def refuse(self, call: Callable[[Router], object], error: type[Exception]) -> None:
        """Make a call that must be refused; only the router sees it."""
        before = dumps(self.router.snapshot())
        with pytest.raises(error):
            call(self.router)
        assert dumps(self.router.snapshot()) == before

    @rule(number=st.integers(0, 3), data=st.data(), ready=st.booleans())
    def log_in(self, number: int, data: st.DataObject, *, ready: bool) -> None:
        """An agent logs in (refused if it is logged in already)."""
        profile = data.draw(profiles(AGENTS[number]))
        self.both(lambda r: r.log_in(profile, now=self.now, ready=ready))

    @rule(number=st.integers(0, 3))
    def log_out(self, number: int) -> None:
        """An agent logs out (refused while it holds a contact)."""
        self.both(lambda r: r.log_out(AGENTS[number], now=self.now))

    @rule(number=st.integers(0, 3))
    def remove_agent(self, number: int) -> None:
        """An agent is removed (refused while it is logged in)."""
        self.both(lambda r: r.remove_agent(AGENTS[number], now=self.now))

    @rule(number=st.integers(0, 3), reason=st.none() | st.sampled_from(NotReadyReason))
    def presence(self, number: int, reason: NotReadyReason | None) -> None:
        """An agent goes not ready, or ready."""
        agent_id = AGENTS[number]
        if reason is None:
            self.both(lambda r: r.set_ready(agent_id, now=self.now))
        else:
            self.both(lambda r: r.set_not_ready(agent_id, reason, now=self.now))

    @rule(queue=st.sampled_from(QUEUES), skills=contact_skills, priority=st.integers(0, 2))
    def enqueue(self, queue: str, skills: dict[str, int], priority: int) -> None:
        """A new contact arrives."""
        self.counter += 1
        contact_id = f"c{self.counter}"
        self.both(
            lambda r: r.enqueue(contact_id, queue, now=self.now, skills=skills, priority=priority)
        )

    @precondition(lambda self: self.offers)
    @rule(
        index=st.integers(0, 50),
        action=st.sampled_from(["accept", "reject", "busy", "miss"]),
        by_id=st.booleans(),
    )
    def answer(self, index: int, action: str, *, by_id: bool) -> None:
        """Answer an offer made at some point: it may still ring, have timed out, or be gone.

        ``by_id``: the answer names the offer, so one to an earlier offer of the
        same contact to the same agent is refused even while a later one rings.
        """
        contact_id, agent_id, offer_id = self.offers[-1 - index % len(self.offers)]
        named = offer_id if by_id else None
        now = self.now
        if action == "accept":
            self.both(lambda r: r.accept(contact_id, agent_id, now=now, offer_id=named))
        elif action == "miss":
            self.both(lambda r: r.time_out(contact_id, agent_id, now=now, offer_id=named))
        else:
            reason = DeclineReason.BUSY if action == "busy" else DeclineReason.REJECTED
            self.both(
                lambda r: r.decline(contact_id, agent_id, now=now, reason=reason, offer_id=named)
            )

    @precondition(lambda self: self.counter)
    @rule(
        index=st.integers(0, 20),
        action=st.sampled_from(
            [
                "end",
                "abandon",
                "callback",
                "priority",
                "enqueue",
                "transfer",
                "to_agent",
                "schedule",
                "result",
                "cancel",
            ]
        ),
    )
    def contact_call(self, index: int, action: str) -> None:
        """A call about a contact seen before (it may be connected, waiting or gone)."""
        contact_id = f"c{self.counter - index % self.counter}"
        now = self.now
        calls: dict[str, Callable[[Router], RouterUpdate]] = {
            "end": lambda r: r.end(contact_id, now=now),
            "abandon": lambda r: r.abandon(contact_id, now=now),
            "callback": lambda r: r.request_callback(contact_id, now=now),
            "priority": lambda r: r.set_priority(contact_id, index % 3, now=now),
            "enqueue": lambda r: r.enqueue(contact_id, "sales", now=now),
            "transfer": lambda r: r.transfer(contact_id, now=now, to_queue=QUEUES[index % 2]),
            "to_agent": lambda r: r.transfer(
                contact_id,
                now=now,
                to_agent=AGENTS[index % len(AGENTS)],
                agent_wait=timedelta(seconds=5 * (index % 3)),
            ),
            "schedule": lambda r: r.schedule_callback(
                contact_id,
                QUEUES[index % 2],
                now=now,
                at=now + timedelta(seconds=30 * (index % 3)),
                max_attempts=1 + index % 2,
                retry_spacing=timedelta(seconds=10 * (index % 2)),
            ),
            "result": lambda r: r.callback_result(
                contact_id, list(CallbackResult)[index % 3], now=now
            ),
            "cancel": lambda r: r.cancel_callback(contact_id, now=now),
        }
        self.both(calls[action])

    @rule(seconds=st.sampled_from([1, 5, 15, 45, 200, 600]))
    def wait(self, seconds: int) -> None:
        """Time passes with no call: the next call runs the timers due."""
        self.clock += seconds

    @rule()
    def tick(self) -> None:
        """The host ticks at its clock."""
        self.both(lambda r: r.tick(now=self.now))

    @rule(days=st.sampled_from([0.5, 2, 60]))
    def jump(self, days: float) -> None:
        """A long jump: refused as a whole when too many timers would run, else taken."""
        target = self.clock + days * 86_400
        self.both(lambda r: r.tick(now=at(target)))
        if self.router.now == at(target):
            self.clock = target

    @rule(index=st.integers(0, len(WRONG_ARGUMENTS) - 1))
    def wrong_argument(self, index: int) -> None:
        """A call with a wrong type, an unknown id, a naive or out-of-range time."""
        call, error = WRONG_ARGUMENTS[index]
        self.refuse(lambda r: call(r, self.now), error)

    @precondition(lambda self: self.router.now is not None)
    @rule(
        seconds=st.sampled_from([0.000001, 1, 3600]),
        call=st.sampled_from(
            ["tick", "enqueue", "log_in", "accept", "end", "transfer", "schedule", "cancel"]
        ),
    )
    def backwards(self, seconds: float, call: str) -> None:
        """A call dated before a time the router has seen."""
        seen = self.router.now
        assert seen is not None
        earlier = seen - timedelta(seconds=seconds)
        calls: dict[str, Callable[[Router], object]] = {
            "tick": lambda r: r.tick(now=earlier),
            "enqueue": lambda r: r.enqueue("late", "sales", now=earlier),
            "log_in": lambda r: r.log_in(AgentProfile(agent_id="late"), now=earlier),
            "accept": lambda r: r.accept("c1", "a0", now=earlier),
            "end": lambda r: r.end("c1", now=earlier),
            "transfer": lambda r: r.transfer("c1", now=earlier),
            "schedule": lambda r: r.schedule_callback("late", "sales", now=earlier, at=seen),
            "cancel": lambda r: r.cancel_callback("c1", now=earlier),
        }
        self.refuse(calls[call], InvalidInputError)

    @rule(days=st.sampled_from([36_526, 999_999_999]))
    def huge_duration(self, days: int) -> None:
        """A queue or rule with an out-of-range duration cannot even be built."""
        with pytest.raises(InvalidInputError):
            QueueConfig(name="sales", max_wait=timedelta(days=days))

    @invariant()
    def refusals_left_no_trace(self) -> None:
        """The router that saw the refused calls is the twin that did not, byte for byte."""
        text = dumps(self.router.snapshot())
        assert text == dumps(self.twin.snapshot())

    @invariant()
    def the_snapshot_reloads(self) -> None:
        """What the router took, its snapshot holds, and a restore reads back."""
        text = dumps(self.router.snapshot())
        assert dumps(Router.restore(loads(RouterSnapshot, text)).snapshot()) == text


_PROFILE = settings()
RefusalMachine.TestCase.settings = settings(
    parent=_PROFILE,
    stateful_step_count=60 if _PROFILE.max_examples > 150 else 40,
    deadline=None,
)
TestRefusals = RefusalMachine.TestCase
