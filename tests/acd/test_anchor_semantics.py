"""Anchor semantics of issue 12: longest idle puts never-bridged agents first; linear moves on."""

from __future__ import annotations

from datetime import timedelta

from callcore.acd import (
    AgentProfile,
    DeclineReason,
    Membership,
    NotReadyReason,
    QueueConfig,
    Router,
)
from tests.acd.scenarios import member
from tests.acd.strategies import T0, at

ZERO = timedelta(0)


def test_longest_idle_offers_an_agent_who_took_no_contact_first() -> None:
    """Old ends a call at 10; new logs in at 20: at 30 new is offered (Asterisk lastcall 0)."""
    router = Router([QueueConfig(name="q", strategy="longest_idle")])
    router.log_in(member("old", "q"), now=T0)
    router.enqueue("c1", "q", now=at(1))
    router.accept("c1", "old", now=at(2))
    router.end("c1", now=at(10))
    router.log_in(member("new", "q"), now=at(20))
    assert [offer.agent_id for offer in router.enqueue("c2", "q", now=at(30)).offers] == ["new"]


def test_longest_idle_orders_never_bridged_agents_by_log_in() -> None:
    """New zed (in at 3) and amy (in at 5), and one that answered: zed, amy, then the other."""
    router = Router([QueueConfig(name="q", strategy="longest_idle")])
    router.log_in(member("busy", "q"), now=T0)
    router.enqueue("c0", "q", now=T0)
    router.accept("c0", "busy", now=T0)
    router.end("c0", now=at(1))
    router.log_in(member("zed", "q"), now=at(3))
    router.log_in(member("amy", "q"), now=at(5))
    offers = [router.enqueue(f"c{n}", "q", now=at(10)).offers[0].agent_id for n in (1, 2, 3)]
    assert offers == ["zed", "amy", "busy"]


def test_an_agent_who_logs_in_again_keeps_its_count_and_is_not_new() -> None:
    """An agent that answered before logging out ranks by its last end, behind a new one."""
    router = Router([QueueConfig(name="q", strategy="longest_idle")])
    router.log_in(member("vet", "q"), now=T0)
    router.enqueue("c0", "q", now=T0)
    router.accept("c0", "vet", now=T0)
    router.end("c0", now=at(1))
    router.log_out("vet", now=at(2))
    router.log_in(member("rookie", "q"), now=at(50))
    router.log_in(member("vet", "q"), now=at(60))
    assert router.enqueue("c1", "q", now=at(70)).offers[0].agent_id == "rookie"


def linear_router() -> Router:
    """Linear over a (position 0), b (1), c (2), zero delays, no auto-pause."""
    router = Router(
        [
            QueueConfig(
                name="q",
                strategy="linear",
                offer_timeout=timedelta(seconds=10),
                no_answer_delay=ZERO,
                reject_delay=ZERO,
                max_no_answer=0,
            )
        ]
    )
    for position, agent_id in enumerate("abc"):
        profile = AgentProfile(
            agent_id=agent_id, memberships=(Membership(queue="q", position=position),)
        )
        router.log_in(profile, now=T0)
    return router


def test_linear_moves_a_caller_past_an_agent_who_did_not_answer() -> None:
    """A misses at 10 and b declines at 12: the caller rings b, then c, then wraps to a."""
    router = linear_router()
    assert router.enqueue("k", "q", now=at(0)).offers[0].agent_id == "a"
    assert router.tick(now=at(10)).offers[0].agent_id == "b"
    assert router.decline("k", "b", now=at(12)).offers[0].agent_id == "c"
    assert router.time_out("k", "c", now=at(13)).offers[0].agent_id == "a"


def test_linear_starts_every_new_caller_at_the_first_agent() -> None:
    """After k moved past a, a new caller still rings a first (the place is per caller)."""
    router = linear_router()
    router.enqueue("k", "q", now=at(0))
    router.tick(now=at(10))  # k now rings b
    assert router.enqueue("m", "q", now=at(11)).offers[0].agent_id == "a"


def own_settings_router(profile: AgentProfile) -> Router:
    """Queue q: wrap-up 30 s, delays 20 s, pause after 3 misses; ``profile`` logged in."""
    router = Router(
        [
            QueueConfig(
                name="q",
                wrap_up=timedelta(seconds=30),
                offer_timeout=timedelta(seconds=10),
                no_answer_delay=timedelta(seconds=20),
                reject_delay=timedelta(seconds=20),
                busy_delay=timedelta(seconds=20),
                max_no_answer=3,
            )
        ]
    )
    router.log_in(profile, now=T0)
    return router


def test_an_agents_own_wrap_up_overrides_the_queues() -> None:
    """Own wrap-up 5 s (queue 30 s): the next contact rings at end + 5; zero means none at all."""
    for own, ready in ((timedelta(seconds=5), 15), (ZERO, 10)):
        profile = AgentProfile(agent_id="a", memberships=(Membership(queue="q"),), wrap_up=own)
        router = own_settings_router(profile)
        router.enqueue("c1", "q", now=at(0))
        router.accept("c1", "a", now=at(1))
        router.end("c1", now=at(10))
        router.enqueue("c2", "q", now=at(10))
        if own == ZERO:  # no wrap-up: c2 rang at once
            assert router.agent("a").wrap_up_until is None
            assert router.contact("c2").offered_to == ("a",)
            continue
        assert router.agent("a").wrap_up_until == at(ready)
        assert router.tick(now=at(ready - 1)).offers == ()
        assert [offer.agent_id for offer in router.tick(now=at(ready)).offers] == ["a"]


def test_an_agents_own_delays_and_miss_limit_override_the_queues() -> None:
    """Own delays 2 s (queue 20 s) and pause after 1 miss (queue 3)."""
    profile = AgentProfile(
        agent_id="a",
        memberships=(Membership(queue="q"),),
        no_answer_delay=timedelta(seconds=2),
        reject_delay=timedelta(seconds=2),
        busy_delay=timedelta(seconds=2),
        max_no_answer=2,
    )
    router = own_settings_router(profile)
    router.enqueue("c", "q", now=at(0))
    router.decline("c", "a", now=at(1))
    assert router.tick(now=at(3)).offers[0].agent_id == "a"  # rejected at 1, free at 3
    router.decline("c", "a", now=at(4), reason=DeclineReason.BUSY)
    assert router.tick(now=at(6)).offers[0].agent_id == "a"  # busy at 4, free at 6
    router.tick(now=at(16))  # missed at 16: own delay 2 s
    assert router.tick(now=at(18)).offers[0].agent_id == "a"
    router.tick(now=at(28))  # second miss in a row: own limit 2 pauses it
    assert router.agent("a").not_ready_reason is NotReadyReason.AUTO_PAUSED
