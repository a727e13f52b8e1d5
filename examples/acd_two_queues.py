"""Two queues, skills-based routing, a shared agent, escalation and wrap-up.

French callers need French at level 5 or more; after 30 seconds the minimum
drops to 2. Billing calls go to the best billing agent. Dana serves both
queues and always gets the contact that should go first (priority, then
longest wait). The host sleeps until ``router.next_deadline()`` and ticks then.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from callcore.acd import (
    AgentProfile,
    ContactOffered,
    Membership,
    QueueConfig,
    QueueEscalation,
    Router,
    RouterUpdate,
)

T0 = datetime(2026, 1, 5, 9, 0, tzinfo=timezone.utc)


def at(seconds: int) -> datetime:
    return T0 + timedelta(seconds=seconds)


def show(when: int, what: str, update: RouterUpdate) -> None:
    offers = ", ".join(f"{o.contact_id} -> {o.agent_id}" for o in update.offers)
    print(f"t={when:>3}s  {what:<28} offers: {offers or '-'}")
    for event in update.events:
        if not isinstance(event, ContactOffered):
            print(f"        {event.kind}")


def main() -> None:
    router = Router(
        [
            QueueConfig(
                name="french",
                strategy="skills_based",
                required_skills={"fr": 5},
                wrap_up=timedelta(seconds=20),
                escalation=(
                    QueueEscalation(after=timedelta(seconds=30), skill_minimums={"fr": 2}),
                ),
            ),
            QueueConfig(name="billing", strategy="skills_based", required_skills={"billing": 1}),
        ]
    )
    agents = [
        AgentProfile(agent_id="ana", skills={"fr": 8}, memberships=(Membership(queue="french"),)),
        AgentProfile(
            agent_id="bob", skills={"billing": 9}, memberships=(Membership(queue="billing"),)
        ),
        AgentProfile(
            agent_id="dana",
            skills={"fr": 3, "billing": 4},
            memberships=(Membership(queue="french"), Membership(queue="billing")),
        ),
    ]
    for agent in agents:
        router.log_in(agent, now=T0)

    show(1, "fr-1 calls (french)", router.enqueue("fr-1", "french", now=at(1)))
    show(2, "ana answers fr-1", router.accept("fr-1", "ana", now=at(2)))
    show(3, "bill-1 calls (billing)", router.enqueue("bill-1", "billing", now=at(3)))
    show(4, "bob answers bill-1", router.accept("bill-1", "bob", now=at(4)))
    show(5, "fr-2 calls (french)", router.enqueue("fr-2", "french", now=at(5)))
    show(
        6, "bill-2 calls (billing, vip)", router.enqueue("bill-2", "billing", now=at(6), priority=5)
    )
    show(7, "dana answers bill-2", router.accept("bill-2", "dana", now=at(7)))
    show(20, "dana ends bill-2", router.end("bill-2", now=at(20)))
    # the host sleeps until the router's next deadline: fr-2's rule falls due at 35 s
    deadline = router.next_deadline() or at(40)
    when = int((deadline - T0).total_seconds())
    show(when, "tick: fr-2 escalates", router.tick(now=deadline))
    announcement = router.announcement("fr-2")
    print(f"        fr-2 is number {announcement.position} in line")
    for agent_id in ("ana", "bob", "dana"):
        view = router.agent(agent_id)
        print(f"{agent_id:>5}: {view.state.value:<10} answered {view.answered}")


if __name__ == "__main__":
    main()
