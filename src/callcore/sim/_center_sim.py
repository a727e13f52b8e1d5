"""A simulated day through the real :class:`~callcore.center.ContactCenter`.

Theory of operation. The centre's engines are pure and take ``now``, so a
day of traffic is a loop over a heap of future happenings, each one input of
the centre at its time (a :class:`~callcore.clock.ManualClock` follows):

- an *arrival* rings in (``inbound_call`` on the stream's number, whose IVR
  flow is a menu of the stream's choices) or writes in (``inbound_message``);
  the next arrival of the stream is drawn from the interval's Poisson rate;
- the caller *chooses* after ``menu_seconds``: the key of a choice drawn by
  its probability, played through :class:`~callcore.testing.fakes.FakeTelephony`;
- every :class:`~callcore.center.RingAgent` action is accepted at once
  (``agent_accepted``), and the contact's *end* is drawn from the stream's
  handle time; the end is ``agent_ended``, then ``agent_wrapped_up`` after
  the queue's wrap-up, which records the KPI record (the disposition leaves
  the ticket open: what becomes of it after the call, surveys and auto-close
  timers, is not what a day's KPIs measure, and would cost a third of the time);
- a *patience* drawn when the contact queues runs out: ``caller_hung_up``
  if it still waits (an abandon);
- agents log in at their shift's start, go not ready for breaks and at the
  shift's end, and log out once their last contact is over;
- the centre's timers run (``run_due``) at the router's next deadline, the
  only timers a scenario sets.

Arrivals stop at the scenario's end; contacts already in the centre are
served (or abandon) for at most :data:`DRAIN` more. The KPI records are
counted by the centre's aggregator, grouped by interval and queue.
"""

from __future__ import annotations

import heapq
import random
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

import attrs

from callcore.acd import AgentProfile, Membership, NotReadyReason
from callcore.center import ContactCenter, Disposition, RingAgent
from callcore.clock import ManualClock
from callcore.contacts import Channel
from callcore.errors import InvalidTransitionError
from callcore.ivr import load_flow
from callcore.kpi import Aggregator, Thresholds
from callcore.sim._scenario import AgentGroup, Scenario, Stream
from callcore.storage import Storage
from callcore.testing.fakes import FakeTelephony

__all__ = ["DRAIN", "DayRun", "simulate_day"]

DRAIN = timedelta(hours=2)
"""How long after the scenario's end contacts still in the centre are followed."""

_CALLERS = 20_000  # distinct callers: repeat callers are found by identification

(_ARRIVE, _CHOOSE, _ABANDON, _END, _WRAP, _TIMER, _LOGIN, _BREAK, _BACK, _LEAVE) = range(10)


@attrs.frozen
class DayRun:
    """One replication of a scenario through the centre.

    Attributes:
        seed: Its random seed.
        aggregator: The centre's KPI totals, by interval and queue.
        arrivals: Contacts that arrived.
        completed: Contacts whose KPI record was counted.
        inputs: Inputs the centre took.
    """

    seed: int
    aggregator: Aggregator
    arrivals: int
    completed: int
    inputs: int


def _flow(stream: Stream, index: int) -> Any:  # noqa: ANN401 - a Flow
    if not stream.choices:
        nodes: dict[str, Any] = {"queue": {"type": "queue", "queue": stream.queue}}
        document = {"id": f"sim_{index}", "start": "queue", "languages": ["en"], "nodes": nodes}
        return load_flow(document)
    wait = max(10, int(stream.menu_seconds) + 10)  # the caller chooses before the gather times out
    options = [{"key": choice.key, "goto": f"q{n}"} for n, choice in enumerate(stream.choices)]
    nodes = {
        "menu": {
            "type": "menu",
            "prompt": "menu",
            "options": options,
            "timeout": wait,
            "on_noinput": "q0",
            "on_nomatch": "q0",
        }
    }
    for n, choice in enumerate(stream.choices):
        nodes[f"q{n}"] = {"type": "queue", "queue": choice.queue}
    document = {
        "id": f"sim_{index}",
        "start": "menu",
        "languages": ["en"],
        "prompts": {"menu": {"en": "Please choose."}},
        "nodes": nodes,
    }
    return load_flow(document)


def _number(index: int) -> str:
    return f"+40 21 300 {4000 + index}"


def _profile(group: AgentGroup, number: int) -> AgentProfile:
    capacity = {Channel.VOICE: 1, **group.capacity}
    return AgentProfile(
        agent_id=f"{group.name}-{number}",
        skills=dict(group.skills),
        memberships=tuple(Membership(queue=queue) for queue in group.queues),
        capacity=capacity,
    )


class _Day:
    """The event loop of one replication (private: :func:`simulate_day` runs it)."""

    def __init__(self, scenario: Scenario, seed: int, store: Storage | str) -> None:
        self.scenario = scenario
        # Arrivals (and callers' numbers) draw from their own stream, durations and
        # choices from another: the same seed gives the same arrivals whatever the
        # staffing, so that two staffings are compared on the same traffic.
        self.arrival_rng = random.Random(f"{seed}:arrivals")
        self.rng = random.Random(f"{seed}:durations")
        self.start = scenario.start
        self.telephony = FakeTelephony()
        self.clock = ManualClock(scenario.start)
        self.aggregator = Aggregator(
            group_by=("interval", "queue"),
            interval=scenario.interval,
            timezone=scenario.timezone,
            thresholds=Thresholds(service_level=scenario.threshold),
        )
        flows = {
            _number(i): _flow(s, i)
            for i, s in enumerate(scenario.streams)
            if s.channel is Channel.VOICE
        }
        message_queues: dict[Channel, str] = {
            s.channel: s.queue
            for s in scenario.streams
            if s.channel is not Channel.VOICE and s.queue is not None
        }
        self.profiles = {
            profile.agent_id: (group, profile)
            for group in scenario.agents
            for profile in (_profile(group, n + 1) for n in range(group.count))
        }
        counter = iter(range(1, 1 << 62))
        self.center = ContactCenter(
            queues=scenario.queues,
            flows=flows,
            message_queues=message_queues,
            agents=[profile for _, profile in self.profiles.values()],
            store=store,
            clock=self.clock,
            plugins=[self.telephony],
            default_country_code="40",
            aggregator=self.aggregator,
            id_factory=lambda: f"id{next(counter)}",
            seed=seed,
        )
        self.telephony.attach(self.center)
        self.wrap_up = {queue.name: queue.wrap_up.total_seconds() for queue in scenario.queues}
        self.heap: list[tuple[float, int, int, Any]] = []
        self.sequence = 0
        self.timer_at: float | None = None
        self.state: dict[str, int] = {}  # contact id -> 0 queued or in IVR, 1 connected
        self.contact_stream: dict[str, Stream] = {}
        self.contact_agent: dict[str, str] = {}
        self.busy: dict[str, int] = {}  # agent id -> connected contacts
        self.leaving: set[str] = set()
        self.logged_in: set[str] = set()
        self.arrivals = self.completed = self.inputs = 0
        self.horizon = (scenario.end - scenario.start).total_seconds()

    # --- the heap ------------------------------------------------------------------------------

    def push(self, at: float, kind: int, data: Any) -> None:  # noqa: ANN401 - the kind says
        self.sequence += 1
        heapq.heappush(self.heap, (at, self.sequence, kind, data))

    def next_arrival(self, stream: Stream, index: int, after: float) -> None:
        """Draw the stream's next arrival: exponential gaps at each interval's rate."""
        length = self.scenario.interval.total_seconds()
        at = after
        while True:
            slot = int(at // length)
            if slot >= self.scenario.intervals:
                return
            rate = stream.volumes[slot] / length
            boundary = (slot + 1) * length
            if rate > 0:
                candidate = at + self.arrival_rng.expovariate(rate)
                if candidate < boundary:
                    self.push(candidate, _ARRIVE, index)
                    return
            at = boundary  # memoryless: start afresh at the next interval's rate

    # --- the centre's updates ----------------------------------------------------------------

    def absorb(self, update: Any, at: float, now: datetime) -> None:  # noqa: ANN401 - a CenterUpdate
        """Accept every offer the update rings (and those the accepts ring, in turn)."""
        self.inputs += 1
        self.completed += sum(kind == "center.contact_completed" for kind in update.kinds())
        for action in update.actions:
            if isinstance(action, RingAgent):
                offer = action.offer
                if self.state.get(offer.contact_id) != 0:
                    continue
                accepted = self.center.agent_accepted(offer.contact_id, offer.agent_id, now=now)
                self.state[offer.contact_id] = 1
                self.contact_agent[offer.contact_id] = offer.agent_id
                self.busy[offer.agent_id] = self.busy.get(offer.agent_id, 0) + 1
                stream = self.contact_stream[offer.contact_id]
                self.push(at + stream.handle.sample(self.rng), _END, offer.contact_id)
                self.absorb(accepted, at, now)
        self.telephony.actions.clear()  # a day's actions need not be kept

    def queued(self, contact_id: str, at: float) -> None:
        stream = self.contact_stream[contact_id]
        if stream.patience is not None and self.state.get(contact_id) == 0:
            self.push(at + stream.patience.sample(self.rng), _ABANDON, contact_id)

    # --- the happenings ----------------------------------------------------------------------

    def arrive(self, index: int, at: float, now: datetime) -> None:
        stream = self.scenario.streams[index]
        self.next_arrival(stream, index, at)
        self.arrivals += 1
        contact_id = f"{stream.name}-{self.arrivals}"
        caller = self.arrival_rng.randrange(_CALLERS)
        self.contact_stream[contact_id] = stream
        self.state[contact_id] = 0
        if stream.channel is Channel.VOICE:
            update = self.center.inbound_call(
                caller=f"+40 721 {caller:06d}",
                dialled=_number(index),
                contact_id=contact_id,
                now=now,
            )
        else:
            update = self.center.inbound_message(
                channel=stream.channel, sender=f"c{caller}@example.com", text="hello",
                contact_id=contact_id, now=now,
            )  # fmt: skip
        self.absorb(update, at, now)
        if stream.choices:
            self.push(at + stream.menu_seconds, _CHOOSE, contact_id)
        else:
            self.queued(contact_id, at)

    def choose(self, contact_id: str, at: float, now: datetime) -> None:
        stream = self.contact_stream[contact_id]
        draw, key = self.rng.random(), stream.choices[-1].key
        for choice in stream.choices:
            draw -= choice.probability
            if draw < 0:
                key = choice.key
                break
        self.absorb(self.telephony.press(contact_id, key, now=now), at, now)
        self.queued(contact_id, at)

    def abandon(self, contact_id: str, at: float, now: datetime) -> None:
        if self.state.get(contact_id) == 0:
            del self.state[contact_id]
            del self.contact_stream[contact_id]
            self.absorb(self.center.caller_hung_up(contact_id, now=now), at, now)

    def end(self, contact_id: str, at: float, now: datetime) -> None:
        self.absorb(self.center.agent_ended(contact_id, now=now), at, now)
        queue = self.center.contact(contact_id).queue
        wrap = self.wrap_up.get(queue or "", 0.0)
        if wrap > 0:
            self.push(at + wrap, _WRAP, contact_id)
        else:
            self.wrap(contact_id, at, now)

    def wrap(self, contact_id: str, at: float, now: datetime) -> None:
        # The router's wrap-up timer ends at this very moment: run it first, or
        # agent_wrapped_up would find the agent in wrap-up and ask the router to
        # make it ready, which its due timer has just done (refused).
        due = self.center.router.next_deadline()
        if due is not None and due <= now:
            self.absorb(self.center.run_due(now=now), at, now)
        update = self.center.agent_wrapped_up(contact_id, disposition=Disposition.OPEN, now=now)
        del self.state[contact_id]
        del self.contact_stream[contact_id]
        agent = self.contact_agent.pop(contact_id)
        self.busy[agent] -= 1
        self.absorb(update, at, now)
        if agent in self.leaving and not self.busy[agent]:
            self.leave(agent, at, now)

    def agent(self, kind: int, agent_id: str, at: float, now: datetime) -> None:
        center = self.center
        if kind == _LOGIN:
            self.logged_in.add(agent_id)
            self.absorb(center.agent_logged_in(agent_id, now=now), at, now)
        elif agent_id not in self.logged_in:
            return
        elif kind == _BREAK:
            self.absorb(center.agent_not_ready(agent_id, NotReadyReason.BREAK, now=now), at, now)
        elif kind == _BACK:
            if agent_id not in self.leaving:
                self.absorb(center.agent_ready(agent_id, now=now), at, now)
        elif self.busy.get(agent_id):  # the shift ends: no new contact, out after this one
            self.leaving.add(agent_id)
            try:
                update = center.agent_not_ready(agent_id, NotReadyReason.OTHER, now=now)
            except InvalidTransitionError:  # not ready for that reason already
                return
            self.absorb(update, at, now)
        else:
            self.leave(agent_id, at, now)

    def leave(self, agent_id: str, at: float, now: datetime) -> None:
        self.leaving.discard(agent_id)
        self.logged_in.discard(agent_id)
        self.absorb(self.center.agent_logged_out(agent_id, now=now), at, now)

    # --- the loop ----------------------------------------------------------------------------

    def schedule_staff(self) -> None:
        full = self.scenario.interval * self.scenario.intervals
        for agent_id, (group, _) in self.profiles.items():
            self.push(group.start.total_seconds(), _LOGIN, agent_id)
            for at, length in group.breaks:
                self.push(at.total_seconds(), _BREAK, agent_id)
                self.push((at + length).total_seconds(), _BACK, agent_id)
            end = group.end if group.end is not None else full
            self.push(end.total_seconds(), _LEAVE, agent_id)

    def run(self, progress: Callable[[float], None] | None) -> None:  # noqa: C901 - the dispatch
        self.schedule_staff()
        for index, stream in enumerate(self.scenario.streams):
            self.next_arrival(stream, index, 0.0)
        limit = self.horizon + DRAIN.total_seconds()
        length = self.scenario.interval.total_seconds()
        reported = -1
        heap, pop = self.heap, heapq.heappop
        while heap and heap[0][0] <= limit:
            at, _, kind, data = pop(heap)
            now = self.start + timedelta(seconds=at)
            self.clock.set(now)
            if kind == _ARRIVE:
                self.arrive(data, at, now)
            elif kind == _CHOOSE:
                self.choose(data, at, now)
            elif kind == _ABANDON:
                self.abandon(data, at, now)
            elif kind == _END:
                self.end(data, at, now)
            elif kind == _WRAP:
                self.wrap(data, at, now)
            elif kind == _TIMER:
                if self.timer_at == at:
                    self.timer_at = None
                self.absorb(self.center.run_due(now=now), at, now)
            else:
                self.agent(kind, data, at, now)
            self.watch_timers()
            if progress is not None and int(at // length) > reported:
                reported = int(at // length)
                progress(min(1.0, at / self.horizon))
        if progress is not None:
            progress(1.0)

    def watch_timers(self) -> None:
        # The router's deadlines are the only ones a scenario sets (wrap-up ends,
        # escalations, overflows): callers answer the menu before its time-out and
        # tickets are left open without SLA policies. The centre's own
        # next_deadline() looks at every live contact, which a busy day cannot
        # afford after each input; run_due() at the router's deadline runs every
        # engine's timers that are due all the same.
        due = self.center.router.next_deadline()
        if due is None:
            return
        at = max(0.0, (due - self.start).total_seconds())
        if self.timer_at is None or at < self.timer_at:
            self.timer_at = at
            self.push(at, _TIMER, None)


def simulate_day(
    scenario: Scenario,
    *,
    seed: int | None = None,
    store: Storage | str = "memory:",
    progress: Callable[[float], None] | None = None,
) -> DayRun:
    """Run one replication of ``scenario`` through a new :class:`~callcore.center.ContactCenter`.

    Args:
        scenario: The day.
        seed: The random seed (default: the scenario's); the same seed gives
            the same day.
        store: The centre's store, or its URL (``"sqlite:///demo.db"``).
        progress: Called with the share of the day simulated (0 to 1), once
            per interval.
    """
    chosen = scenario.seed if seed is None else seed
    day = _Day(scenario, chosen, store)
    day.run(progress)
    return DayRun(chosen, day.aggregator, day.arrivals, day.completed, day.inputs)
