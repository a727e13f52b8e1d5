"""Centres on one shared router (in-process hub): what rings where, news, order, restarts."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import attrs
import pytest

from callcore import ManualClock
from callcore.acd import AgentProfile, Membership, QueueConfig, Router
from callcore.center import (
    Connect,
    ContactCenter,
    Phase,
    RingAgent,
    ScreenPop,
    SharedRouterPort,
    StopRinging,
)
from callcore.errors import ConfigError, InvalidInputError, InvalidTransitionError
from callcore.ivr import load_flow
from callcore.storage import MemoryStorage
from callcore.testing.fakes import FakeTelephony
from tests.center.shared_hub import Hub

QUEUE = "support"
DIALLED = "+40 21 300 4000"
ANA = "0721 234 567"
FLOW = {
    "id": "main",
    "start": "queue",
    "languages": ["en"],
    "prompts": {"hold": {"en": "Please hold."}},
    "nodes": {"queue": {"type": "queue", "queue": QUEUE, "prompt": "hold"}},
}


def _agent(agent_id: str) -> AgentProfile:
    return AgentProfile(agent_id=agent_id, memberships=(Membership(queue=QUEUE),))


@attrs.define
class _Host:
    center: ContactCenter
    telephony: FakeTelephony

    def ringing(self) -> list[tuple[str, str]]:
        return [(o.contact_id, o.agent_id) for o in self.telephony.ringing()]

    def rang(self) -> list[tuple[str, str]]:
        return [
            (x.offer.contact_id, x.offer.agent_id)
            for x in self.telephony.actions
            if isinstance(x, RingAgent)
        ]


def _host(hub: Hub, host_id: str, clock: ManualClock, **options: object) -> _Host:
    telephony = FakeTelephony()
    center = ContactCenter(
        router=hub.port(host_id),
        flows={DIALLED: load_flow(FLOW)},
        clock=clock,
        plugins=[telephony],
        default_country_code="40",
        **options,
    )
    telephony.attach(center)
    return _Host(center, telephony)


@pytest.fixture
def world() -> tuple[Hub, _Host, _Host, ManualClock]:
    """Hosts A and B on one hub; one clock."""
    clock = ManualClock(datetime(2026, 3, 2, 9, 0, tzinfo=timezone.utc))
    hub = Hub(Router([QueueConfig(name=QUEUE, offer_timeout=timedelta(seconds=20))]))
    return hub, _host(hub, "A", clock), _host(hub, "B", clock), clock


def test_the_hub_port_is_a_shared_router_port(world: tuple[Hub, _Host, _Host, ManualClock]) -> None:
    """The centre recognises a shared router by its protocol."""
    hub, a, _, _ = world
    assert isinstance(hub.ports[0], SharedRouterPort)
    assert a.center.router is hub.ports[0]


def test_offers_ring_on_the_agents_host_and_the_answer_connects_on_the_calls_host(
    world: tuple[Hub, _Host, _Host, ManualClock],
) -> None:
    """A's call, B's agent: B rings, B answers, A connects (ticket, Connect, ScreenPop)."""
    _, a, b, clock = world
    b.center.agent_logged_in(_agent("b1"))
    a.center.inbound_call(caller=ANA, dialled=DIALLED, contact_id="CA-1")
    assert (a.rang(), b.rang()) == ([], [])  # B has not taken its news in yet
    b.center.run_due()
    assert (a.rang(), b.rang()) == ([], [("CA-1", "b1")])
    clock.advance(timedelta(seconds=5))
    assert b.center.agent_accepted("CA-1", "b1").kinds() == ("acd.contact_answered",)
    update = a.center.run_due()
    assert [type(x) for x in update.actions] == [Connect, ScreenPop]
    live = a.center.contact("CA-1")
    assert (live.phase, live.agent, live.answered_at) == (Phase.CONNECTED, "b1", clock.now())


def test_news_logged_during_an_input_come_before_its_own_update(
    world: tuple[Hub, _Host, _Host, ManualClock],
) -> None:
    """An offer logged just before B's log-out rings, then stops: B's agent is not left ringing."""
    hub, a, b, _ = world
    b.center.agent_logged_in(_agent("b1"))
    hub.before_next = lambda: a.center.inbound_call(caller=ANA, dialled=DIALLED, contact_id="CA-1")
    update = b.center.agent_logged_out("b1")
    rings = [x for x in update.actions if isinstance(x, RingAgent | StopRinging)]
    assert [(type(x), x.offer.agent_id) for x in rings] == [(RingAgent, "b1"), (StopRinging, "b1")]
    assert len(rings) == len(update.actions)
    assert b.ringing() == []


def test_a_refused_forwarded_answer_changes_nothing(
    world: tuple[Hub, _Host, _Host, ManualClock],
) -> None:
    """B's agent answering an offer it does not have: refused, no host changes, nothing logged."""
    hub, a, b, _ = world
    b.center.agent_logged_in(_agent("b1"))
    b.center.agent_logged_in(_agent("b2"), ready=False)
    a.center.inbound_call(caller=ANA, dialled=DIALLED, contact_id="CA-1")
    b.center.run_due()
    before = (a.center._serialised(), b.center._serialised(), hub.router.snapshot(), len(hub.log))
    with pytest.raises(InvalidTransitionError):
        b.center.agent_accepted("CA-1", "b2")
    with pytest.raises(InvalidInputError):
        b.center.agent_accepted(7, "b2")  # type: ignore[arg-type]
    after = (a.center._serialised(), b.center._serialised(), hub.router.snapshot(), len(hub.log))
    assert after == before


def test_queues_come_from_the_router() -> None:
    """A centre on a given router takes its queues; others, or none at all, are refused."""
    hub = Hub(Router([QueueConfig(name=QUEUE)]))
    flows = {DIALLED: load_flow(FLOW)}
    same = ContactCenter(queues=[QueueConfig(name=QUEUE)], router=hub.port("A"), flows=flows)
    assert same.router.queues == (QueueConfig(name=QUEUE),)
    with pytest.raises(InvalidInputError) as other:
        ContactCenter(queues=[QueueConfig(name="sales")], router=hub.port("A"), flows=flows)
    assert other.value.field == "queues"
    with pytest.raises(InvalidInputError) as neither:
        ContactCenter(flows=flows)
    assert neither.value.field == "queues"
    with pytest.raises(InvalidInputError) as wrong:
        ContactCenter(router="postgresql://db/x", flows=flows)
    assert wrong.value.field == "router"


def test_a_restarted_host_takes_the_news_of_its_downtime(
    world: tuple[Hub, _Host, _Host, ManualClock],
) -> None:
    """A durable host checkpoints what it took in; restarted, it gets the rest as news."""
    hub, _, b, _ = world
    store = MemoryStorage()
    clock = b.center.clock
    assert isinstance(clock, ManualClock)
    hub.ports.pop(0)  # host A of the fixture leaves; a durable A takes its place
    a = _host(hub, "A", clock, store=store, durable=True)
    b.center.agent_logged_in(_agent("b1"), ready=False)
    a.center.inbound_call(caller=ANA, dialled=DIALLED, contact_id="CA-1")
    hub.ports = [port for port in hub.ports if port.host_id != "A"]  # A is down: hears nothing
    b.center.agent_ready("b1")
    b.center.agent_accepted("CA-1", "b1")
    restarted = _host(hub, "A", clock, store=store, durable=True)
    assert restarted.center.contact("CA-1").phase is Phase.QUEUED  # from the checkpoint
    update = restarted.center.run_due()
    assert [type(x) for x in update.actions] == [Connect, ScreenPop]
    assert restarted.center.contact("CA-1").agent == "b1"
    assert store.load_checkpoint("center:A") is not None
    assert store.load_checkpoint("center") is None


def test_a_callback_on_a_shared_router_is_refused_and_changes_nothing(
    world: tuple[Hub, _Host, _Host, ManualClock],
) -> None:
    """Scheduled callbacks are not forwarded yet: refused naming the router, nothing moves."""
    hub, a, _, clock = world
    before = (a.center._serialised(), hub.router.snapshot(), len(hub.log))
    with pytest.raises(ConfigError, match="router"):
        a.center.schedule_callback("+40722000111", queue=QUEUE, at=clock.now())
    assert (a.center._serialised(), hub.router.snapshot(), len(hub.log)) == before
