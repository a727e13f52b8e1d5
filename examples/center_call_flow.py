"""A contact centre from the first ring to the satisfaction survey, with no phone attached.

The users' call flow, through :class:`callcore.center.ContactCenter` and the
fakes of :mod:`callcore.testing.fakes`:

1. Ana calls +40 21 300 4000 from her mobile; she is identified (a new
   customer on her first call) and her history is loaded;
2. the IVR greets her; she presses 1 (billing); the CRM look-up finds her
   plan; the flow queues her for billing with the billing skill;
3. she waits; agent a1 is offered the call;
4. a1 accepts and sees Ana, her history and the IVR's variables; a1 puts her
   on hold and back;
5. a1 ends the call and, in wrap-up, closes the ticket with a note; the
   interaction goes into Ana's history;
6. the closed ticket sends the survey by email; Ana answers 5;
7. every step was a domain event, and the contact has one KPI record.

Then Bogdan's call takes every turn of step 4: a1 holds and resumes,
consults the senior agent s1, conferences s1 in, and hands the call to s1
(a warm transfer); s1 wraps it up. The contact has two legs, linked by its id.

Run it: ``python examples/center_call_flow.py``.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta, timezone
from typing import Any

import attrs

from callcore import ManualClock
from callcore.acd import AgentProfile, Membership, QueueConfig
from callcore.center import CenterUpdate, ContactCenter, ContactCompleted, Disposition
from callcore.contacts import Channel
from callcore.customers import Identity
from callcore.events import IdFactory
from callcore.ivr import load_flow
from callcore.storage import MemoryStorage, Storage
from callcore.testing.fakes import EventLog, FakeCrm, FakeNotifier, FakeTelephony

START = datetime(2026, 3, 2, 9, 0, tzinfo=timezone.utc)
DIALLED = "+40 21 300 4000"
ANA = "0721 234 567"  # a Romanian mobile, as dialled nationally
ANA_EMAIL = "ana@example.ro"

FLOW: dict[str, Any] = {
    "id": "main",
    "start": "welcome",
    "languages": ["en"],
    "prompts": {
        "welcome": {"en": "Welcome. Press 1 for billing, 2 for technical support."},
        "hold": {"en": "Please hold; an adviser will be with you shortly."},
    },
    "nodes": {
        "welcome": {
            "type": "menu",
            "prompt": "welcome",
            "options": [{"key": "1", "goto": "plan"}, {"key": "2", "goto": "support"}],
            "on_noinput": "support",
            "on_nomatch": "support",
        },
        "plan": {
            "type": "lookup",
            "name": "plan",
            "params": {"customer": "caller.customer_id"},
            "next": "billing",
            "on_error": "billing",
        },
        "billing": {
            "type": "queue",
            "queue": "billing",
            "priority": 5,
            "skills": {"billing": 2},
            "prompt": "hold",
        },
        "support": {"type": "queue", "queue": "support", "prompt": "hold"},
    },
}

QUEUES = (
    QueueConfig(name="billing", wrap_up=timedelta(seconds=60)),
    QueueConfig(name="support", wrap_up=timedelta(seconds=60)),
    QueueConfig(name="email", channel=Channel.EMAIL),
    QueueConfig(name="chat", channel=Channel.CHAT),
)

A1 = AgentProfile(
    agent_id="a1",
    skills={"billing": 3},
    memberships=(
        Membership(queue="billing"),
        Membership(queue="support"),
        Membership(queue="email"),
        Membership(queue="chat"),
    ),
    capacity={Channel.VOICE: 1, Channel.EMAIL: 3, Channel.CHAT: 2},
)


S1 = AgentProfile(
    agent_id="s1",
    skills={"billing": 8},
    memberships=(Membership(queue="billing"), Membership(queue="support")),
)
"""A senior agent, consulted on hard calls."""
BOGDAN = "+40 744 555 010"


def sequential(prefix: str = "id-") -> IdFactory:
    """Ids id-1, id-2...: the same run gives the same ids."""
    count = 0

    def make() -> str:
        nonlocal count
        count += 1
        return f"{prefix}{count}"

    return make


@attrs.define
class Kit:
    """A centre with its fakes."""

    center: ContactCenter
    clock: ManualClock
    telephony: FakeTelephony
    notifier: FakeNotifier
    crm: FakeCrm
    log: EventLog
    store: Storage


def build(store: Storage | None = None, *, durable: bool = False, ids: str = "id-") -> Kit:
    """The centre of this example: two voice queues, email and chat, one flow.

    ``ids`` prefixes the ids it makes: a restarted process takes another, since
    its counter starts over while the store keeps what the first one made.
    """
    clock = ManualClock(START)
    telephony, notifier, log = FakeTelephony(), FakeNotifier(), EventLog()
    crm = FakeCrm({"plan": {"plan": "unlimited", "balance_due": 42}})
    store = MemoryStorage() if store is None else store
    center = ContactCenter(
        queues=QUEUES,
        flows={DIALLED: load_flow(FLOW)},
        message_queues={Channel.EMAIL: "email", Channel.CHAT: "chat"},
        store=store,
        clock=clock,
        plugins=[telephony, notifier, crm, log],
        default_country_code="40",
        id_factory=sequential(ids),
        durable=durable,
    )
    telephony.attach(center)
    return Kit(center, clock, telephony, notifier, crm, log, store)


def main() -> None:
    """Run Ana's call and print what happened."""
    kit = build()
    center, clock, telephony = kit.center, kit.clock, kit.telephony
    center.agent_logged_in(A1)

    call = center.inbound_call(caller=ANA, dialled=DIALLED, contact_id="CA-1")
    print("1. arrived:", call.kinds())
    clock.advance(timedelta(seconds=8))
    pressed = telephony.press("CA-1", "1")
    print("2. pressed 1:", pressed.kinds())
    print("3. ringing:", [(o.contact_id, o.agent_id) for o in telephony.ringing()])
    clock.advance(timedelta(seconds=6))
    answered = telephony.answer("CA-1", "a1")
    pop = answered.actions[-1]
    print("4. answered; screen pop variables:", dict(getattr(pop, "variables", {})))
    clock.advance(timedelta(seconds=30))
    center.agent_held("CA-1")
    clock.advance(timedelta(seconds=20))
    center.agent_resumed("CA-1")
    clock.advance(timedelta(seconds=100))
    ended = center.agent_ended("CA-1")
    print("5. ended:", ended.kinds())
    clock.advance(timedelta(seconds=40))
    wrapped = center.agent_wrapped_up(
        "CA-1", disposition=Disposition.CLOSED, notes="explained the March invoice"
    )
    print("5. wrapped up:", wrapped.kinds())
    print("6. survey sent:", [(n.channel.value, n.to) for n in kit.notifier.sent])
    ticket_id = center.store.tickets_assigned_to("a1")[0].id
    clock.advance(timedelta(hours=2))
    center.survey_answered(ticket_id, score=5, comment="quick and kind")
    ticket = center.store.get_ticket(ticket_id)
    if ticket is None:
        raise SystemExit("the ticket was not stored")
    ana = center.store.find_customer(Identity.phone(ANA, "40"))
    if ana is None:
        raise SystemExit("Ana was not stored")
    history = center.store.recent_interactions(ana.id, 10)
    print("6. ticket", ticket.id, ticket.state, "survey", ticket.survey)
    print("6. history:", [(i.outcome.value, i.agent, i.resolved) for i in history])
    (completed,) = wrapped.of_type(ContactCompleted)
    record = completed.record
    print(
        "7. KPI record:",
        record.outcome.value,
        "waited",
        record.answered_at - record.queued_at,
        "held",
        record.hold_time,
        "handled",
        record.wrap_up_ended_at - record.answered_at,
    )
    print("7. events broadcast:", len(kit.log.events))
    handed_on(kit)


def handed_on(kit: Kit) -> None:
    """Bogdan's call: hold, consult, conference, warm transfer; one leg per agent."""
    center, clock, telephony = kit.center, kit.clock, kit.telephony
    clock.advance(timedelta(days=1, minutes=5))  # a1 is ready again
    center.inbound_call(caller=BOGDAN, dialled=DIALLED, contact_id="CA-2")
    clock.advance(timedelta(seconds=6))
    telephony.press("CA-2", "2")
    telephony.answer("CA-2", "a1")
    center.agent_logged_in(S1)
    steps: list[tuple[str, Callable[[], CenterUpdate]]] = [
        ("held", lambda: center.agent_held("CA-2")),
        ("resumed", lambda: center.agent_resumed("CA-2")),
        ("consulted s1", lambda: center.agent_consulted("CA-2", "s1")),
        ("conferenced s1", lambda: center.agent_conferenced("CA-2", "s1")),
        ("warm transfer to s1", lambda: center.agent_transferred("CA-2", agent="s1")),
        ("s1 ended", lambda: center.agent_ended("CA-2")),
    ]
    for name, step in steps:
        clock.advance(timedelta(seconds=20))
        print(f"4. {name}:", step().kinds()[-1])
    clock.advance(timedelta(seconds=30))
    wrapped = center.agent_wrapped_up(
        "CA-2", disposition=Disposition.RESOLVED, notes="s1 fixed the tariff"
    )
    (completed,) = wrapped.of_type(ContactCompleted)
    for leg in completed.legs:
        print(
            "7. leg",
            leg.id,
            leg.agent,
            f"answered {leg.answered_at:%H:%M:%S}",
            f"ended {leg.ended_at:%H:%M:%S}",
            "transfers",
            leg.transfers,
        )


if __name__ == "__main__":
    main()
