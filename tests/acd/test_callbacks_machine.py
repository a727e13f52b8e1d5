"""The router machine with scheduled callbacks mixed in, and restarts from snapshots.

Every rule of ``test_invariants.RouterMachine`` (agents in and out, contacts,
answers, transfers, escalation and overflow, time passing) runs with callbacks
booked, retried, cancelled and reported, and with the router restarted from
its JSON snapshot at any step. Besides the machine's invariants (every offer is
the strategy's, no contact is lost, lines and wallboard agree), a model of the
book is kept from the events alone and compared with the router after every step.
"""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING

from hypothesis import strategies as st
from hypothesis.stateful import initialize, invariant, precondition, rule

from callcore.acd import (
    BUILTIN_STRATEGIES,
    CallbackAttemptEnded,
    CallbackDue,
    CallbackEnded,
    CallbackOutcome,
    CallbackResult,
    CallbackScheduled,
    CancelledBy,
    ContactStatus,
    Router,
    RouterSnapshot,
    RouterUpdate,
)
from callcore.serialization import dumps, loads
from tests.acd.strategies import QUEUES, OfferWatch, at, skill_maps
from tests.acd.test_invariants import AGENTS, RouterMachine

if TYPE_CHECKING:
    from datetime import datetime

    from callcore.acd._live import Contact


class CallbackMachine(RouterMachine):
    """Drive a router with callbacks among its other inputs; restart it at random."""

    def __init__(self) -> None:
        """Start with no router and no callback."""
        super().__init__()
        self.booked = 0
        self.book: dict[str, str] = {}
        """The model: each live callback's place, from the events (booked, queue)."""
        self.attempts: dict[str, int] = {}
        self.limits: dict[str, int] = {}

    @initialize(
        strategy=st.sampled_from(sorted(BUILTIN_STRATEGIES)),
        seed=st.integers(0, 9),
        zero_delays=st.booleans(),
        data=st.data(),
    )
    def staffed_start(
        self, strategy: str, seed: int, *, zero_delays: bool, data: st.DataObject
    ) -> None:
        """Start with every agent logged in and nobody waiting: callbacks ring at their time."""
        self.start(strategy, seed, zero_delays=zero_delays)
        for number in range(len(AGENTS)):
            self.log_in(number, data)

    def record(self, update: RouterUpdate, before: dict[str, Contact]) -> None:
        """Also follow the callbacks' events, in order, into the model."""
        super().record(update, before)
        for event in update.events:
            if isinstance(event, CallbackScheduled):
                assert event.attempt == self.attempts.get(event.contact_id, 0) + 1
                self.book[event.contact_id] = "booked"
            elif isinstance(event, CallbackDue):
                assert self.book[event.contact_id] == "booked"
                self.book[event.contact_id] = "queue"
                self.entered.add(event.contact_id)
                self.gone.discard(event.contact_id)  # a retry comes back
            elif isinstance(event, CallbackAttemptEnded):
                assert self.book[event.contact_id] == "queue"
                if event.result is not CallbackResult.REACHED:
                    self.attempts[event.contact_id] = event.attempt
                    self.gone.add(event.contact_id)  # the agent's part ended
            elif isinstance(event, CallbackEnded):
                place = self.book.pop(event.contact_id)
                if event.result is CallbackOutcome.NOT_REACHED:
                    assert event.attempts == self.limits[event.contact_id]
                if event.result is CallbackOutcome.CANCELLED and place == "queue":
                    self.gone.add(event.contact_id)  # it left its queue

    def step(self, call: object) -> None:
        """As the machine's, for any call."""
        super().step(call)  # type: ignore[arg-type]

    @precondition(lambda self: self.router is not None)
    @rule(
        queue=st.sampled_from(QUEUES),
        delay=st.sampled_from([-60, 0, 0, 5, 30, 200]),
        priority=st.integers(0, 2),
        skills=st.just({}) | skill_maps,
        attempts=st.integers(1, 3),
        spacing=st.sampled_from([0, 10, 60]),
        then=st.sampled_from([None, *CallbackResult, CallbackResult.NO_ANSWER]),
    )
    def schedule(
        self,
        queue: str,
        delay: int,
        priority: int,
        skills: dict[str, int],
        attempts: int,
        spacing: int,
        then: CallbackResult | None,
    ) -> None:
        """Book a callback ``delay`` seconds from now (a minute ago: at once).

        With ``then``, an agent it rings at once takes it and reports that result.
        """
        self.booked += 1
        callback_id = f"cb{self.booked}"
        self.limits[callback_id] = attempts
        now = at(self.clock)
        self.step(
            lambda: self.live.schedule_callback(
                callback_id,
                queue,
                now=now,
                at=now + timedelta(seconds=delay),
                priority=priority,
                skills=skills,
                max_attempts=attempts,
                retry_spacing=timedelta(seconds=spacing),
            )
        )
        ringing = [pair for pair in self.ringing_callbacks() if pair[0] == callback_id]
        if then is not None and ringing:
            agent_id = ringing[0][1]
            self.step(lambda: self.live.accept(callback_id, agent_id, now=now))
            self.step(lambda: self.live.callback_result(callback_id, then, now=now))

    def dialling(self) -> list[str]:
        """The callbacks an agent is dialling."""
        router = self.live
        return sorted(
            callback_id
            for callback_id in router.callback_ids()
            if callback_id in router._contacts
            and router._contacts[callback_id].status is ContactStatus.CONNECTED
        )

    def ringing_callbacks(self) -> list[tuple[str, str]]:
        """The offers of callbacks that ring now."""
        return sorted(pair for pair in self.open_offers if pair[0] in self.book)

    @precondition(lambda self: self.router is not None and self.ringing_callbacks())
    @rule(
        index=st.integers(0, 20),
        result=st.sampled_from([None, *CallbackResult, CallbackResult.NO_ANSWER]),
    )
    def take(self, index: int, result: CallbackResult | None) -> None:
        """An agent takes a callback's offer and dials; the result may come at once."""
        pairs = self.ringing_callbacks()
        callback_id, agent_id = pairs[index % len(pairs)]
        now = at(self.clock)
        self.step(lambda: self.live.accept(callback_id, agent_id, now=now))
        if result is not None:
            self.step(lambda: self.live.callback_result(callback_id, result, now=now))

    @precondition(lambda self: self.router is not None and self.dialling())
    @rule(index=st.integers(0, 20), result=st.sampled_from(CallbackResult))
    def report(self, index: int, result: CallbackResult) -> None:
        """The host reports how an attempt went."""
        ids = self.dialling()
        callback_id = ids[index % len(ids)]
        now = at(self.clock)
        self.step(lambda: self.live.callback_result(callback_id, result, now=now))

    @precondition(lambda self: self.router is not None and self.book)
    @rule(index=st.integers(0, 20), by=st.sampled_from(CancelledBy))
    def cancel(self, index: int, by: CancelledBy) -> None:
        """A callback not being dialled is cancelled."""
        ids = sorted(set(self.book) - set(self.dialling()))
        if ids:
            callback_id = ids[index % len(ids)]
            now = at(self.clock)
            self.step(lambda: self.live.cancel_callback(callback_id, now=now, by=by))

    @precondition(lambda self: self.router is not None)
    @rule(index=st.integers(0, 20), action=st.sampled_from(["abandon", "callback", "priority"]))
    def caller(self, index: int, action: str) -> None:
        """As the machine's, but a booked callback's customer cancels instead of abandoning."""
        contact_id = self.pick(index, connected=False)
        if contact_id is not None and contact_id in self.book and action == "abandon":
            now = at(self.clock)
            self.step(lambda: self.live.cancel_callback(contact_id, now=now))
            return
        super().caller(index, action)

    @precondition(lambda self: self.router is not None)
    @rule()
    def restart(self) -> None:
        """The host restarts: the router comes back from its snapshot, through JSON."""
        assert self.watch is not None
        self.watch.done()
        saved = dumps(self.live.snapshot())
        self.router = Router.restore(loads(RouterSnapshot, saved))
        assert dumps(self.router.snapshot()) == saved
        self.watch = OfferWatch(self.router)

    @invariant()
    def the_book_agrees_with_the_model(self) -> None:
        """Booked callbacks wait for a timer in no queue; the others are callback contacts."""
        if self.router is None:
            return
        router = self.live
        assert set(router.callback_ids()) == set(self.book)
        now: datetime = router._time() if router.now is not None else at(0)
        deadline = router.next_deadline()
        for callback_id in router.callback_ids():
            record = router.callback(callback_id)
            if self.book[callback_id] == "booked":
                assert record.due is not None
                assert record.due > now
                assert deadline is not None
                assert deadline <= record.due
                assert callback_id not in router._contacts
            else:
                assert record.due is None
                assert router._contacts[callback_id].callback
            assert record.attempts == self.attempts.get(callback_id, 0)
            assert record.attempts < record.max_attempts


CallbackMachine.TestCase.settings = RouterMachine.TestCase.settings
TestCallbackMachine = CallbackMachine.TestCase
