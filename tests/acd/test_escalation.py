"""Hand-worked escalation scenarios: tiers, skill minimums, dropped skills, queue moves."""

from __future__ import annotations

from datetime import timedelta

from callcore.acd import (
    AgentState,
    AgentStateChanged,
    ContactEscalated,
    ContactOffered,
    ContactQueued,
    Offer,
    QueueConfig,
    QueueEscalation,
    Router,
    RouterUpdate,
)
from callcore.contacts import Channel
from tests.acd.scenarios import member, of_type
from tests.acd.strategies import T0, at


def offer(contact_id: str, agent_id: str, queue: str, seconds: float, number: int = 1) -> Offer:
    """The router's ``number``-th offer: voice, made at ``seconds``, ringing the default 15 s."""
    return Offer(
        contact_id=contact_id,
        agent_id=agent_id,
        queue=queue,
        channel=Channel.VOICE,
        offered_at=at(seconds),
        expires_at=at(seconds + 15),
        offer_id=f"offer-{number}",
    )


def test_escalation_reaches_next_tiers_one_rule_at_a_time() -> None:
    """Tier 1 only, tier 2 after 20 s, tier 3 after 40 s: the tier-3 agent gets it at t=40."""
    router = Router(
        [
            QueueConfig(
                name="q",
                max_tier=1,
                escalation=(
                    QueueEscalation(after=timedelta(seconds=20), max_tier=2),
                    QueueEscalation(after=timedelta(seconds=40), max_tier=3),
                ),
            )
        ]
    )
    router.log_in(member("t3", "q", tier=3), now=T0)
    assert router.enqueue("c", "q", now=at(0)).offers == ()
    assert router.tick(now=at(19)) == RouterUpdate()
    update = router.tick(now=at(50))
    assert update.events == (
        ContactEscalated(at=at(20), contact_id="c", queue="q", stage=1),
        ContactEscalated(at=at(40), contact_id="c", queue="q", stage=2),
        ContactOffered(at=at(40), offer=offer("c", "t3", "q", 40)),
    )
    assert router.contact("c").stage == 2


def test_escalation_prefers_the_lower_tier_once_both_may_take_it() -> None:
    """After the tier rule both a tier-2 and a tier-3 agent fit: the tier-2 one is offered."""
    router = Router(
        [
            QueueConfig(
                name="q",
                max_tier=1,
                escalation=(QueueEscalation(after=timedelta(seconds=20), max_tier=3),),
            )
        ]
    )
    router.log_in(member("t3", "q", tier=3), now=T0)
    router.log_in(member("t2", "q", tier=2), now=T0)
    router.enqueue("c", "q", now=at(0))
    assert router.tick(now=at(20)).offers == (offer("c", "t2", "q", 20),)


def test_lower_skill_minimum_applies_at_the_next_input_without_tick() -> None:
    """French 5 drops to 2 after 30 s; a French-3 agent logging in at t=50 is offered at once."""
    rule = QueueEscalation(after=timedelta(seconds=30), skill_minimums={"fr": 2})
    router = Router([QueueConfig(name="q", required_skills={"fr": 5}, escalation=(rule,))])
    router.enqueue("c", "q", now=at(0))
    update = router.log_in(member("weak", "q", fr=3), now=at(50))
    assert update.events == (
        ContactEscalated(at=at(30), contact_id="c", queue="q", stage=1),
        AgentStateChanged(at=at(50), agent_id="weak", state=AgentState.AVAILABLE),
        ContactOffered(at=at(50), offer=offer("c", "weak", "q", 50)),
    )


def test_lower_skill_minimum_does_not_reach_below_the_new_minimum() -> None:
    """After the rule (fr 5 to 2) a French-1 agent still does not qualify."""
    rule = QueueEscalation(after=timedelta(seconds=30), skill_minimums={"fr": 2})
    router = Router([QueueConfig(name="q", required_skills={"fr": 5}, escalation=(rule,))])
    router.log_in(member("novice", "q", fr=1), now=T0)
    router.enqueue("c", "q", now=at(0))
    update = router.tick(now=at(100))
    assert update.events == (ContactEscalated(at=at(30), contact_id="c", queue="q", stage=1),)
    assert router.line("q") == ("c",)


def test_drop_skill_lets_an_agent_without_it_take_the_contact() -> None:
    """Needs en 1, fr 5; fr dropped after 45 s: the English-only agent is offered at t=45."""
    rule = QueueEscalation(after=timedelta(seconds=45), drop_skills=frozenset({"fr"}))
    router = Router([QueueConfig(name="q", required_skills={"en": 1, "fr": 5}, escalation=(rule,))])
    router.log_in(member("english", "q", en=4), now=T0)
    router.enqueue("c", "q", now=at(0))
    assert router.tick(now=at(44)) == RouterUpdate()
    update = router.tick(now=at(45))
    assert update.events == (
        ContactEscalated(at=at(45), contact_id="c", queue="q", stage=1),
        ContactOffered(at=at(45), offer=offer("c", "english", "q", 45)),
    )


def test_drop_skill_keeps_the_other_requirements() -> None:
    """Dropping fr still requires en: an agent with neither skill is never offered."""
    rule = QueueEscalation(after=timedelta(seconds=45), drop_skills=frozenset({"fr"}))
    router = Router([QueueConfig(name="q", required_skills={"en": 1, "fr": 5}, escalation=(rule,))])
    router.log_in(member("german", "q", de=9), now=T0)
    router.enqueue("c", "q", now=at(0))
    assert of_type(router.tick(now=at(300)), ContactOffered) == []


def test_to_queue_moves_contacts_keeping_arrival_order() -> None:
    """To b after 60 s: early (t=0) moves at 60, late (t=20) at 80; b serves early, mid, late."""
    router = Router(
        [
            QueueConfig(
                name="a", escalation=(QueueEscalation(after=timedelta(seconds=60), to_queue="b"),)
            ),
            QueueConfig(
                name="b", escalation=(QueueEscalation(after=timedelta(seconds=30), max_tier=2),)
            ),
        ]
    )
    router.enqueue("early", "a", now=at(0))
    router.enqueue("mid", "b", now=at(10))
    router.enqueue("late", "a", now=at(20))
    update = router.tick(now=at(85))
    assert update.events == (
        ContactEscalated(at=at(40), contact_id="mid", queue="b", stage=1),
        ContactEscalated(at=at(60), contact_id="early", queue="a", stage=1),
        ContactQueued(at=at(60), contact_id="early", queue="b", priority=0),
        ContactEscalated(at=at(80), contact_id="late", queue="a", stage=1),
        ContactQueued(at=at(80), contact_id="late", queue="b", priority=0),
    )
    assert router.line("b") == ("early", "mid", "late")
    view = router.contact("early")
    assert (view.queue, view.arrived, view.stage) == ("b", at(0), 0)
    # b's own rule starts over for the moved contact: 30 s after the move, at t=90.
    assert router.tick(now=at(90)).events == (
        ContactEscalated(at=at(90), contact_id="early", queue="b", stage=1),
    )
    served = []
    router.log_in(member("z", "b"), now=at(100))
    for second in (101, 102, 103):
        (contact_id,) = router.agent("z").offered
        served.append(contact_id)
        router.accept(contact_id, "z", now=at(second))
        router.end(contact_id, now=at(second))
    assert served == ["early", "mid", "late"]


def test_to_queue_runs_at_the_next_input_before_it() -> None:
    """With no tick, an enqueue at t=70 first moves the t=0 contact (due at 60), then queues."""
    router = Router(
        [
            QueueConfig(
                name="a", escalation=(QueueEscalation(after=timedelta(seconds=60), to_queue="b"),)
            ),
            QueueConfig(name="b"),
        ]
    )
    router.enqueue("old", "a", now=at(0))
    update = router.enqueue("new", "b", now=at(70))
    assert update.events == (
        ContactEscalated(at=at(60), contact_id="old", queue="a", stage=1),
        ContactQueued(at=at(60), contact_id="old", queue="b", priority=0),
        ContactQueued(at=at(70), contact_id="new", queue="b", priority=0),
    )
    assert router.line("b") == ("old", "new")


def test_to_queue_offers_at_once_when_the_target_has_a_free_agent() -> None:
    """A free agent of b is offered the moved contact at the moment of the move."""
    router = Router(
        [
            QueueConfig(
                name="a", escalation=(QueueEscalation(after=timedelta(seconds=60), to_queue="b"),)
            ),
            QueueConfig(name="b"),
        ]
    )
    router.log_in(member("z", "b"), now=T0)
    router.enqueue("c", "a", now=at(0))
    assert router.tick(now=at(61)).offers == (offer("c", "z", "b", 60),)
