"""Hypothesis stateful tests: the router's invariants hold under random interleavings."""

from __future__ import annotations

from datetime import timedelta
from functools import partial
from typing import TYPE_CHECKING

from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
)

from callcore.acd import (
    BUILTIN_STRATEGIES,
    AgentRemoved,
    AgentState,
    ContactAbandoned,
    ContactAnswered,
    ContactEnded,
    ContactEscalated,
    ContactOffered,
    ContactOverflowed,
    ContactQueued,
    ContactRejected,
    ContactStatus,
    DeclineReason,
    NotReadyReason,
    OfferEnded,
    Overflow,
    OverflowAction,
    QueueBoard,
    QueueConfig,
    QueueEscalation,
    Router,
    RouterSnapshot,
    RouterUpdate,
)
from callcore.acd._lines import LineMask
from callcore.contacts import Channel
from callcore.errors import InvalidInputError, InvalidTransitionError, NotFoundError
from callcore.serialization import dumps, loads
from tests.acd.strategies import (
    QUEUES,
    OfferWatch,
    at,
    contact_skills,
    independent_can_take,
    may_take_now,
    profiles,
    wants_agent,
)

if TYPE_CHECKING:
    from collections.abc import Callable
    from datetime import datetime

    from callcore.acd._live import Agent, Contact

AGENTS = tuple(f"a{number}" for number in range(6))
RING_COUNTS = st.sampled_from((1, 1, 2, 3, None))
"""How many agents a contact rings at once: one mostly, else two, three or all."""


def queue_configs(
    strategy: str, *, zero_delays: bool = False, ring_count: int | None = 1
) -> list[QueueConfig]:
    """Sales and support overflow to each other; support escalates to a queue nobody staffs.

    Sales overflows to support after 5 minutes or 90 s without agents; support
    widens tiers and drops skills, overflows back to sales after 10 minutes or
    2 minutes without agents, and moves a contact to ``closed`` after 8
    minutes; ``closed`` takes no contact while empty, so it sends it to voicemail.
    With ``zero_delays`` a missed or rejected contact comes back at the
    instant its offer ends, with the agent who missed it free again. Sales and
    support ring ``ring_count`` agents at once.
    """
    delay = timedelta(0) if zero_delays else None
    return [
        QueueConfig(
            name="sales",
            strategy=strategy,
            max_length=6,
            max_wait=timedelta(minutes=5),
            max_wait_empty=timedelta(seconds=90),
            overflow=Overflow(action=OverflowAction.QUEUE, queue="support"),
            wrap_up=timedelta(seconds=10),
            max_tier=1,
            escalation=(QueueEscalation(after=timedelta(seconds=60), max_tier=3),),
            max_no_answer=2,
            no_answer_delay=delay if delay is not None else timedelta(seconds=5),
            ring_count=ring_count,
        ),
        QueueConfig(
            name="support",
            channel=Channel.CHAT,
            strategy=strategy,
            max_wait=timedelta(minutes=10),
            max_wait_empty=timedelta(minutes=2),
            overflow=Overflow(action=OverflowAction.QUEUE, queue="sales"),
            offer_timeout=timedelta(seconds=20),
            reject_delay=delay if delay is not None else timedelta(seconds=3),
            no_answer_delay=timedelta(0),  # re-rung at once after a miss, never auto-paused
            max_no_answer=0,
            ring_count=ring_count,
            escalation=(
                QueueEscalation(after=timedelta(seconds=30), drop_skills=frozenset({"fr", "de"})),
                QueueEscalation(after=timedelta(minutes=8), to_queue="closed"),
            ),
        ),
        QueueConfig(name="closed", strategy=strategy, join_when_empty=False),
    ]


class RouterMachine(RuleBasedStateMachine):
    """Drive one router at random and check every invariant after each step."""

    def __init__(self) -> None:
        """Start with no router."""
        super().__init__()
        self.router: Router | None = None
        self.clock = 0.0
        self.counter = 0
        self.entered: set[str] = set()
        self.gone: set[str] = set()
        self.open_offers: set[tuple[str, str]] = set()
        self.watch: OfferWatch | None = None
        self.states: dict[str, tuple[AgentState, datetime | None]] = {}
        """The model's state of each agent and since when, checked against the wallboard."""

    @property
    def live(self) -> Router:
        """The router (started)."""
        assert self.router is not None
        return self.router

    @precondition(lambda self: self.router is None)
    @rule(
        strategy=st.sampled_from(sorted(BUILTIN_STRATEGIES)),
        seed=st.integers(0, 9),
        zero_delays=st.booleans(),
        ring_count=RING_COUNTS,
    )
    def start(
        self, strategy: str, seed: int, *, zero_delays: bool, ring_count: int | None = 1
    ) -> None:
        """Build the router with a strategy and seed; watch every offer it makes."""
        configs = queue_configs(strategy, zero_delays=zero_delays, ring_count=ring_count)
        self.router = Router(configs, seed=seed)
        self.watch = OfferWatch(self.router)

    @precondition(lambda self: self.router is not None)
    @rule()
    def restart(self) -> None:
        """The host restarts: the router carries on from its snapshot, as JSON."""
        self.router = Router.restore(loads(RouterSnapshot, dumps(self.live.snapshot())))
        if self.watch is not None:  # the restored router's offers are watched as well
            self.watch.done()
            self.watch = OfferWatch(self.router)

    def record(self, update: RouterUpdate, before: dict[str, Contact]) -> None:
        """Track contacts and offers from the events, and check arrival order."""
        escalated = any(isinstance(e, ContactEscalated) for e in update.events)
        events = update.events
        for index, event in enumerate(events):
            if isinstance(event, ContactOffered):
                pair = (event.offer.contact_id, event.offer.agent_id)
                assert pair not in self.open_offers, "an offer was made twice"
                self.open_offers.add(pair)
                if not escalated:
                    # contacts that joined a queue after this offer, in the same call (a
                    # queue emptied by this very ring sends its contacts on), were in no
                    # line of that queue when the offer was decided
                    later = {
                        e.contact_id for e in events[index + 1 :] if isinstance(e, ContactQueued)
                    }
                    self.check_order(event.offer.contact_id, event.offer.agent_id, before, later)
            elif isinstance(event, OfferEnded):
                self.open_offers.remove((event.offer.contact_id, event.offer.agent_id))
            elif isinstance(event, ContactAnswered):
                self.open_offers.remove((event.contact_id, event.agent_id))
            elif isinstance(event, ContactEnded | ContactAbandoned) or (
                isinstance(event, ContactOverflowed) and event.action is OverflowAction.VOICEMAIL
            ):
                self.gone.add(event.contact_id)
            elif isinstance(event, ContactRejected):
                self.entered.discard(event.contact_id)

    def check_order(
        self, contact_id: str, agent_id: str, before: dict[str, Contact], later: set[str]
    ) -> None:
        """No earlier contact of the same queue and priority, still waiting, fits this agent.

        ``later``: contacts that joined a queue after the offer, in the same call.
        """
        router = self.live
        offered = router._contacts.get(contact_id)
        agent = router._agents[agent_id]
        if offered is None or offered.target == agent_id:
            return  # a transfer to a named agent is that agent's, whatever waits in line
        for other in router._contacts.values():
            if (
                wants_agent(router, other)
                and agent_id not in other.offers
                and other.contact_id in before
                and other.contact_id not in later
                and other.queue == offered.queue
                and other.priority == offered.priority
                and (other.arrived, other.seq) < (offered.arrived, offered.seq)
            ):
                assert not may_take_now(router, agent, other), (
                    f"{contact_id} went to {agent_id} before {other.contact_id}"
                )

    def step(self, call: Callable[[], RouterUpdate]) -> None:
        """Run one call and record what it caused."""
        before = dict(self.live._contacts)
        update = call()
        self.record(update, before)
        self.check_times_in_state(update)

    def check_times_in_state(self, update: RouterUpdate) -> None:
        """Each agent's ``since`` moves only with an event naming it, to that event's time.

        A state that changed started at the last event naming the agent; one
        that did not change kept its time, or restarted at such an event (an
        offer ended and another made at one instant).
        """
        router = self.live
        touched: dict[str, set[datetime]] = {}
        for event in update.events:
            offer = getattr(event, "offer", None)
            agent_id = offer.agent_id if offer is not None else getattr(event, "agent_id", None)
            if agent_id is not None:
                touched.setdefault(agent_id, set()).add(event.at)
        boards = {board.agent_id: board for board in router.wallboard(now=router._time()).agents}
        for agent_id, board in boards.items():
            state = recount_state(router._agents[agent_id])
            assert board.state is state
            old_state, old_since = self.states.get(agent_id, (AgentState.LOGGED_OUT, None))
            times = touched.get(agent_id, set())
            if state is not old_state:
                assert board.since == max(times)
            else:
                assert board.since in times | {old_since}
            self.states[agent_id] = (state, board.since)
        assert set(self.states) == set(boards)

    @precondition(lambda self: self.router is not None)
    @rule(number=st.integers(0, 5))
    def remove(self, number: int) -> None:
        """Remove an agent: refused, changing nothing, unless it is logged out."""
        router = self.live
        agent = router._agents.get(AGENTS[number])
        if agent is None:
            return
        if agent.logged_in:
            before = dumps(router.snapshot())
            try:
                router.remove_agent(agent.agent_id, now=at(self.clock))
            except InvalidTransitionError:
                pass
            else:  # pragma: no cover - the assertion below names the failure
                raise AssertionError("a logged-in agent was removed")
            assert dumps(router.snapshot()) == before
            return
        # timers due by now run first (an escalation with ``after=0`` set at this
        # very instant): tick to now, so that the removal itself must add one event
        self.step(lambda: router.tick(now=at(self.clock)))
        update = router.remove_agent(agent.agent_id, now=at(self.clock))
        assert [type(event) for event in update.events] == [AgentRemoved]
        del self.states[agent.agent_id]
        assert agent.agent_id not in router._agents
        for queue in router._queues.values():
            assert agent.agent_id not in queue.members
            for index in queue.indexes.values():
                assert agent.agent_id not in index.agents
                for line in index.lines.values():
                    assert all(entry[-1] is not agent for entry in line.entries())

    @precondition(lambda self: self.router is not None)
    @rule(number=st.integers(0, 5), data=st.data())
    def log_in(self, number: int, data: st.DataObject) -> None:
        """Log an agent in with a random profile."""
        agent_id = AGENTS[number]
        agent = self.live._agents.get(agent_id)
        if agent is not None and agent.logged_in:
            return
        profile = data.draw(profiles(agent_id))
        self.step(lambda: self.live.log_in(profile, now=at(self.clock)))

    @precondition(lambda self: self.router is not None)
    @rule(number=st.integers(0, 5))
    def log_out(self, number: int) -> None:
        """Log out an agent that holds no contact."""
        agent = self.live._agents.get(AGENTS[number])
        if agent is None or not agent.logged_in or agent.connected:
            return
        self.step(lambda: self.live.log_out(agent.agent_id, now=at(self.clock)))

    @precondition(lambda self: self.router is not None)
    @rule(number=st.integers(0, 5), pause=st.booleans())
    def presence(self, number: int, pause: bool) -> None:
        """Pause an agent or make it ready."""
        agent = self.live._agents.get(AGENTS[number])
        if agent is None or not agent.logged_in:
            return
        if pause and agent.not_ready is None:
            self.step(
                lambda: self.live.set_not_ready(
                    agent.agent_id, NotReadyReason.LUNCH, now=at(self.clock)
                )
            )
        elif not pause and (agent.not_ready or agent.wrap_until):
            self.step(lambda: self.live.set_ready(agent.agent_id, now=at(self.clock)))

    @precondition(lambda self: self.router is not None)
    @rule(queue=st.sampled_from(QUEUES), skills=contact_skills, priority=st.integers(0, 2))
    def enqueue(self, queue: str, skills: dict[str, int], priority: int) -> None:
        """A new contact arrives."""
        self.counter += 1
        contact_id = f"c{self.counter}"
        self.entered.add(contact_id)
        self.step(
            lambda: self.live.enqueue(
                contact_id, queue, now=at(self.clock), skills=skills, priority=priority
            )
        )

    def pick(self, index: int, *, connected: bool) -> str | None:
        """Pick a contact, connected or not."""
        ids = sorted(
            c.contact_id
            for c in self.live._contacts.values()
            if (c.status is ContactStatus.CONNECTED) == connected
        )
        return ids[index % len(ids)] if ids else None

    @precondition(lambda self: self.router is not None and self.open_offers)
    @rule(index=st.integers(0, 20), action=st.sampled_from(["accept", "reject", "busy", "miss"]))
    def answer(self, index: int, action: str) -> None:
        """Accept, reject, busy or miss a pending offer."""
        contact_id, agent_id = sorted(self.open_offers)[index % len(self.open_offers)]
        now = at(self.clock)
        router = self.live
        if action == "accept":
            self.step(lambda: router.accept(contact_id, agent_id, now=now))
        elif action == "miss":
            self.step(lambda: router.time_out(contact_id, agent_id, now=now))
        else:
            reason = DeclineReason.BUSY if action == "busy" else DeclineReason.REJECTED
            self.step(lambda: router.decline(contact_id, agent_id, now=now, reason=reason))

    @precondition(lambda self: self.router is not None)
    @rule(index=st.integers(0, 20))
    def end(self, index: int) -> None:
        """End a connected contact."""
        contact_id = self.pick(index, connected=True)
        if contact_id is not None:
            self.step(lambda: self.live.end(contact_id, now=at(self.clock)))

    @precondition(lambda self: self.router is not None)
    @rule()
    def end_all(self) -> None:
        """End every connected contact at one instant: their wrap-ups end together."""
        router = self.live
        for contact in sorted(c.contact_id for c in router._contacts.values() if c.agent_id):
            self.step(partial(router.end, contact, now=at(self.clock)))

    @precondition(lambda self: self.router is not None and self.open_offers)
    @rule(
        index=st.integers(0, 20),
        to_queue=st.none() | st.sampled_from(QUEUES),
        kind=st.sampled_from(["agent", "queue", "agent", "refused"]),
        wait=st.sampled_from([0, 5, 60]),
        priority=st.none() | st.integers(0, 2),
    )
    def transfer(
        self, index: int, to_queue: str | None, kind: str, wait: int, priority: int | None
    ) -> None:
        """Answer an offer, then transfer a connected contact; a refusal changes nothing.

        To a queue, or to another agent seen (logged in or not), waiting for it
        up to ``wait`` seconds; refused: to the agent who holds it or to an
        unknown one.
        """
        router = self.live
        contact_id, agent_id = sorted(self.open_offers)[index % len(self.open_offers)]
        self.step(partial(router.accept, contact_id, agent_id, now=at(self.clock)))
        picked = self.pick(index, connected=True)
        assert picked is not None
        contact_id = picked
        holder = router._contacts[contact_id].agent_id
        others = sorted(set(router._agents) - {holder})
        if kind == "refused" or (kind == "agent" and not others):
            before = dumps(router.snapshot())
            named = holder if index % 2 or kind == "agent" else "nobody"
            try:
                router.transfer(contact_id, now=at(self.clock), to_agent=named)
            except (InvalidInputError, NotFoundError):
                pass
            else:  # pragma: no cover - the assertion below names the failure
                raise AssertionError(f"a transfer to {named} was taken")
            assert dumps(router.snapshot()) == before
            return
        target = others[index % len(others)] if kind == "agent" else None
        self.step(
            lambda: router.transfer(
                contact_id,
                now=at(self.clock),
                to_queue=to_queue,
                to_agent=target,
                agent_wait=timedelta(seconds=wait if target is not None else 0),
                priority=priority,
            )
        )
        contact = router._contacts.get(contact_id)
        if contact is not None:  # not sent on to voicemail by an empty queue
            assert contact.status is not ContactStatus.CONNECTED or contact.agent_id != holder

    @precondition(lambda self: self.router is not None)
    @rule(index=st.integers(0, 20), action=st.sampled_from(["abandon", "callback", "priority"]))
    def caller(self, index: int, action: str) -> None:
        """A caller hangs up, asks for a callback or changes priority."""
        contact_id = self.pick(index, connected=False)
        if contact_id is None:
            return
        router = self.live
        now = at(self.clock)
        if action == "abandon":
            self.step(lambda: router.abandon(contact_id, now=now))
        elif action == "callback" and not router._contacts[contact_id].callback:
            self.step(lambda: router.request_callback(contact_id, now=now))
        elif action == "priority":
            self.step(lambda: router.set_priority(contact_id, index % 3, now=now))

    @precondition(lambda self: self.router is not None)
    @rule(seconds=st.sampled_from([1, 5, 15, 45, 200]))
    def wait(self, seconds: int) -> None:
        """Let time pass, one timer's instant at a time.

        Ticking at each due time on the way gives the router the same inputs
        (a call runs every timer due before its ``now`` at its own time), and
        lets each offer be checked against the line of its own instant.
        """
        self.clock += seconds
        router = self.live
        target = at(self.clock)
        while (due := router.next_deadline()) is not None and due < target:
            self.step(partial(router.tick, now=due))
        self.step(lambda: router.tick(now=target))

    @invariant()
    def every_offer_was_the_strategys(self) -> None:
        """Each decision served the first contact in the global order, by its strategy.

        The watch checks every offer as it is made (tier order, the strategy's
        choice among all available eligible agents); here, that ring all rang
        every agent it should have.
        """
        if self.watch is not None:
            self.watch.done()

    @invariant()
    def no_contact_is_lost(self) -> None:
        """Every contact is held, or ended, abandoned or sent to voicemail."""
        if self.router is None:
            return
        held = set(self.live.contact_ids())
        assert not held & self.gone
        assert held | self.gone == self.entered

    @invariant()
    def each_unconnected_contact_is_in_its_own_line_only(self) -> None:
        """Every contact not connected is in its queue's line and in no other."""
        if self.router is None:
            return
        router = self.live
        lines = {name: set(queue.in_line) for name, queue in router._queues.items()}
        for contact in router._contacts.values():
            inside = {name for name, ids in lines.items() if contact.contact_id in ids}
            if contact.status is ContactStatus.CONNECTED:
                assert not inside
            else:
                assert inside == {contact.queue}
        assert sum(map(len, lines.values())) == sum(
            1 for c in router._contacts.values() if c.status is not ContactStatus.CONNECTED
        )

    @invariant()
    def every_offer_is_tracked(self) -> None:
        """Every offer made is pending or ended exactly once."""
        if self.router is None:
            return
        pending = {(c.contact_id, a) for c in self.live._contacts.values() for a in c.offers}
        assert pending == self.open_offers

    @invariant()
    def one_agent_per_contact_and_capacity(self) -> None:
        """One agent per contact; capacity and states respected."""
        if self.router is None:
            return
        holders: dict[str, str] = {}
        for agent in self.live._agents.values():
            held = [o.channel for o in agent.offers.values()]
            held += [Channel(value) for value in agent.connected.values()]
            for channel in set(held):
                assert held.count(channel) <= agent.profile.capacity.get(channel, 0)
            if agent.profile.voice_exclusive and Channel.VOICE in held:
                assert len(held) == 1
            for contact_id in agent.connected:
                assert contact_id not in holders, "a contact is connected to two agents"
                holders[contact_id] = agent.agent_id
                assert self.live._contacts[contact_id].agent_id == agent.agent_id
            if agent.offers:
                assert agent.logged_in
                assert agent.not_ready is None
                assert agent.wrap_until is None

    @invariant()
    def wallboard_matches_a_recount(self) -> None:
        """Per queue: contacts waiting and ringing, the longest wait, members by state."""
        if self.router is None:
            return
        router = self.live
        now = at(self.clock + 2)  # measured a little after the last call
        expected = []
        for name in router._queues:
            held = [
                c
                for c in router._contacts.values()
                if c.queue == name and c.status is not ContactStatus.CONNECTED
            ]
            states = [
                recount_state(agent)
                for agent in router._agents.values()
                if agent.logged_in and name in {m.queue for m in agent.profile.memberships}
            ]
            expected.append(
                QueueBoard(
                    queue=name,
                    waiting=sum(c.status is ContactStatus.WAITING for c in held),
                    offered=sum(c.status is ContactStatus.OFFERED for c in held),
                    longest_wait=max((now - c.arrived for c in held), default=timedelta(0)),
                    available=states.count(AgentState.AVAILABLE),
                    reserved=states.count(AgentState.RESERVED),
                    busy=states.count(AgentState.BUSY),
                    wrap_up=states.count(AgentState.WRAP_UP),
                    not_ready=states.count(AgentState.NOT_READY),
                )
            )
        board = router.wallboard(now=now)
        assert list(board.queues) == expected
        assert [a.agent_id for a in board.agents] == sorted(router._agents)
        for agent in board.agents:
            assert agent.since is not None
            assert agent.time_in_state == now - agent.since

    @invariant()
    def waits_for_agents_agree(self) -> None:
        """A contact waiting for an agent is listed by that logged-in agent, and only then."""
        if self.router is None:
            return
        router = self.live
        listed = {(c, a.agent_id) for a in router._agents.values() for c in a.awaiting}
        targets = {(c.contact_id, c.target) for c in router._contacts.values() if c.target}
        assert listed == targets
        for contact_id, agent_id in targets:
            assert router._agents[agent_id].logged_in
            contact = router._contacts[contact_id]
            assert contact.status is not ContactStatus.CONNECTED
            assert set(contact.offers) <= {agent_id}

    @invariant()
    def random_pools_hold_exactly_the_free_agents(self) -> None:
        """Each pool of a random queue's lines: its registered agents who may take the channel.

        In the order the router met them, so that draws depend on the router's
        state alone (a restored router rebuilds the same pools and draws the
        same agents).
        """
        if self.router is None:
            return
        router = self.live
        for name, queue in router._queues.items():
            for index in queue.indexes.values():
                for line in index.lines.values():
                    if line.pool is None:
                        assert not queue.racing
                        continue
                    expected = [
                        agent.agent_id
                        for agent in router._agents.values()
                        if agent.logged_in
                        and name in agent.members
                        and agent.members[name].tier == line.tier
                        and index.names <= agent.skills.keys()
                        and independent_can_take(agent, queue.config.channel)
                    ]  # the router met its agents in this order
                    assert [agent.agent_id for agent in line.pool.agents] == expected
                    numbers = list(line.pool.numbers)
                    assert numbers == sorted(numbers)
                    assert numbers == [agent.number for agent in line.pool.agents]

    @invariant()
    def static_queues_know_their_members_in_rank_order(self) -> None:
        """A static-rank queue's members by (position, id), the free bits, each line's bits.

        The free bits are exactly the members who may take the queue's channel;
        each line mask, once moved along the joins and leaves it has not seen
        (on a copy: checking changes nothing), has exactly the bits of its agents.
        """
        if self.router is None:
            return
        router = self.live
        for name, queue in router._queues.items():
            ranked = queue.ranked
            if ranked is None:
                continue
            members = sorted(
                (
                    (agent.members[name].position,),
                    agent.agent_id,
                    agent,
                )
                for agent in router._agents.values()
                if agent.logged_in and name in agent.members
            )
            assert [agent for *_key, agent in members] == ranked.order
            assert ranked.keys == [(rank, agent_id) for rank, agent_id, _agent in members]
            free = [independent_can_take(agent, queue.config.channel) for *_key, agent in members]
            assert ranked.free == sum(1 << place for place, yes in enumerate(free) if yes)
            for index in queue.indexes.values():
                for line in index.lines.values():
                    assert line.mask is not None
                    copy = LineMask(
                        agents=dict(line.mask.agents),
                        members=line.mask.members,
                        epoch=line.mask.epoch,
                    )
                    ranked.bring(copy)
                    expected = [
                        place
                        for place, (_rank, _agent_id, agent) in enumerate(members)
                        if agent.members[name].tier == line.tier
                        and index.names <= agent.skills.keys()
                    ]
                    assert copy.members == sum(1 << place for place in expected)
                    assert sorted(copy.agents) == sorted(
                        members[place][2].number for place in expected
                    )

    @invariant()
    def no_idle_pair(self) -> None:
        """No available agent is eligible for a contact that wants one (brute force).

        A contact wants an agent while it waits, or while it rings fewer agents
        than its queue's ``ring_count``.
        """
        if self.router is None:
            return
        router = self.live
        for contact in router._contacts.values():
            if not wants_agent(router, contact):
                continue
            for agent in router._agents.values():
                fits = may_take_now(router, agent, contact) and agent.agent_id not in contact.offers
                assert not (fits and independent_can_take(agent, contact.channel)), (
                    f"{agent.agent_id} idles while {contact.contact_id} waits"
                )


def recount_state(agent: Agent) -> AgentState:
    """The state an agent is seen in, from its raw fields (the most telling first)."""
    if not agent.logged_in:
        return AgentState.LOGGED_OUT
    if agent.connected:
        return AgentState.BUSY
    if agent.offers:
        return AgentState.RESERVED
    if agent.wrap_until is not None:
        return AgentState.WRAP_UP
    if agent.not_ready is not None:
        return AgentState.NOT_READY
    return AgentState.AVAILABLE


# The loaded hypothesis profile decides how hard to look: 'ci' runs 60 derandomized
# examples; 'thorough' (nox -s thorough) runs 2,000 of longer runs, which is how
# the ordering bugs of session 2 were found.
_PROFILE = settings()
RouterMachine.TestCase.settings = settings(
    parent=_PROFILE,
    stateful_step_count=60 if _PROFILE.max_examples > 150 else 40,
    deadline=None,
)
TestRouterInvariants = RouterMachine.TestCase


class BusyRouterMachine(RouterMachine):
    """The same machine, started busy: six agents in and contacts ringing.

    So that answers, transfers (to queues and to agents who are busy, paused
    or free) and returning contacts happen in most runs of the ``ci`` profile.
    """

    @initialize(
        strategy=st.sampled_from(sorted(BUILTIN_STRATEGIES)),
        seed=st.integers(0, 9),
        zero_delays=st.booleans(),
        ring_count=RING_COUNTS,
        data=st.data(),
    )
    def busy_start(
        self,
        strategy: str,
        seed: int,
        *,
        zero_delays: bool,
        ring_count: int | None,
        data: st.DataObject,
    ) -> None:
        """Start, log everyone in, and enqueue one contact per agent."""
        self.start(strategy, seed, zero_delays=zero_delays, ring_count=ring_count)
        for number in range(len(AGENTS)):
            self.log_in(number, data)
        for number in range(len(AGENTS)):
            self.enqueue(QUEUES[number % 2], {}, number % 3)


BusyRouterMachine.TestCase.settings = RouterMachine.TestCase.settings
TestBusyRouterInvariants = BusyRouterMachine.TestCase
