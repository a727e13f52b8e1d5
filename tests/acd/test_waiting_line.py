"""Hand-worked waiting-line scenarios: priority changes, callbacks, announcements."""

from __future__ import annotations

from datetime import timedelta

import pytest

from callcore.acd import (
    AgentProfile,
    Announcement,
    CallbackRequested,
    Membership,
    Offer,
    Overflow,
    OverflowAction,
    PriorityChanged,
    QueueConfig,
    Router,
    RouterSnapshot,
    RouterUpdate,
)
from callcore.contacts import Channel
from callcore.errors import InvalidTransitionError
from callcore.serialization import dumps, loads
from tests.acd.scenarios import member
from tests.acd.strategies import T0, at
from tests.acd.test_invariants import queue_configs


def busy_router() -> Router:
    """Agent a talks to c0 from t=0; c1, c2, c3 wait from t=1, 2, 3."""
    router = Router([QueueConfig(name="q")])
    router.log_in(member("a", "q"), now=T0)
    router.enqueue("c0", "q", now=at(0))
    router.accept("c0", "a", now=at(0))
    for number in (1, 2, 3):
        router.enqueue(f"c{number}", "q", now=at(number))
    return router


def test_raised_priority_is_served_first_by_the_next_free_agent() -> None:
    """c3 raised to 5 at t=4 is offered when a frees up at t=10, ahead of c1 and c2."""
    router = busy_router()
    assert router.set_priority("c3", 5, now=at(4)) == RouterUpdate(
        events=(PriorityChanged(at=at(4), contact_id="c3", priority=5),)
    )
    assert router.line("q") == ("c3", "c1", "c2")
    (offer,) = router.end("c0", now=at(10)).offers
    assert (offer.contact_id, offer.offered_at) == ("c3", at(10))


def test_lowered_priority_goes_behind_later_arrivals() -> None:
    """c1 lowered to -1 falls behind c2 and c3 (priority 0) at once."""
    router = busy_router()
    router.set_priority("c1", -1, now=at(4))
    assert router.line("q") == ("c2", "c3", "c1")
    assert router.announcement("c1").position == 3


def test_priority_restored_returns_to_arrival_place() -> None:
    """Raising then resetting c3's priority puts it back behind c1 and c2 by arrival."""
    router = busy_router()
    router.set_priority("c3", 2, now=at(4))
    router.set_priority("c3", 0, now=at(5))
    assert router.line("q") == ("c1", "c2", "c3")


def test_priority_of_a_connected_contact_cannot_change() -> None:
    """Changing the priority of the connected c0 raises and changes nothing."""
    router = busy_router()
    before = dumps(router.snapshot())
    with pytest.raises(InvalidTransitionError):
        router.set_priority("c0", 3, now=at(3))
    assert dumps(router.snapshot()) == before


def test_callback_request_keeps_its_place_and_is_called_back_in_turn() -> None:
    """c2 becomes a callback at t=5, stays second, and is offered as a callback after c1."""
    router = busy_router()
    assert router.request_callback("c2", now=at(5)) == RouterUpdate(
        events=(CallbackRequested(at=at(5), contact_id="c2", queue="q"),)
    )
    assert router.line("q") == ("c1", "c2", "c3")
    assert router.announcement("c2").position == 2
    (first,) = router.end("c0", now=at(10)).offers
    assert (first.contact_id, first.callback) == ("c1", False)
    router.accept("c1", "a", now=at(11))
    (second,) = router.end("c1", now=at(20)).offers
    assert second == Offer(
        contact_id="c2",
        agent_id="a",
        queue="q",
        channel=Channel.VOICE,
        offered_at=at(20),
        expires_at=at(35),
        callback=True,
        offer_id="offer-3",
    )


def test_second_callback_request_is_refused_without_change() -> None:
    """Asking twice for a callback raises and leaves the state as it was."""
    router = busy_router()
    router.request_callback("c2", now=at(5))
    before = dumps(router.snapshot())
    with pytest.raises(InvalidTransitionError):
        router.request_callback("c2", now=at(5))
    assert dumps(router.snapshot()) == before


def test_abandon_frees_the_place() -> None:
    """When c1 hangs up, c2 and c3 move up one place."""
    router = busy_router()
    router.abandon("c1", now=at(5))
    assert router.line("q") == ("c2", "c3")
    assert [router.announcement(c).position for c in ("c2", "c3")] == [1, 2]


def test_announcements_position_and_estimated_wait_with_two_agents() -> None:
    """Handle times 60 s and 90 s (talk plus 10 s wrap-up), 2 agents: EWT = position x 75 / 2."""
    router = Router([QueueConfig(name="q", wrap_up=timedelta(seconds=10))])
    router.log_in(member("a", "q"), now=T0)
    router.log_in(member("b", "q"), now=T0)
    router.enqueue("x", "q", now=at(0))
    router.enqueue("y", "q", now=at(0))
    router.accept("x", "a", now=at(0))
    router.accept("y", "b", now=at(0))  # both busy: the w contacts wait
    router.enqueue("w1", "q", now=at(2))
    router.enqueue("w2", "q", now=at(3))
    router.enqueue("w3", "q", now=at(4), priority=1)
    assert router.announcement("w1") == Announcement(position=2, estimated_wait=None)
    router.end("x", now=at(50))
    router.end("y", now=at(80))
    assert [router.announcement(c) for c in ("w3", "w1", "w2")] == [
        Announcement(position=1, estimated_wait=timedelta(seconds=37.5)),
        Announcement(position=2, estimated_wait=timedelta(seconds=75)),
        Announcement(position=3, estimated_wait=timedelta(seconds=112.5)),
    ]
    router.log_out("a", now=at(90))
    assert router.announcement("w1") == Announcement(
        position=2, estimated_wait=timedelta(seconds=150)
    )
    router.log_out("b", now=at(91))
    assert router.announcement("w1") == Announcement(position=2, estimated_wait=None)


def test_announcement_of_a_connected_contact_is_refused() -> None:
    """A connected contact has no place in line to announce."""
    router = busy_router()
    with pytest.raises(InvalidTransitionError):
        router.announcement("c0")


def test_a_freed_agent_takes_the_earliest_contact_not_the_one_that_just_rang() -> None:
    """c2 (arrived t=1) times out at a0 at t=16; c1 (arrived t=0, moved in at t=5) gets a0.

    Both come back to the router at once (a0 free again, c2 waiting again): a0
    takes the contact the global policy puts first, the earlier arrival.
    """
    router = Router(
        [
            QueueConfig(
                name="sales",
                max_wait=timedelta(seconds=5),
                overflow=Overflow(action=OverflowAction.QUEUE, queue="support"),
            ),
            QueueConfig(name="support", channel=Channel.CHAT, no_answer_delay=timedelta(0)),
        ]
    )
    profile = AgentProfile(
        agent_id="a0",
        memberships=(Membership(queue="support"),),
        capacity={Channel.CHAT: 1},
    )
    router.log_in(profile, now=T0)
    router.enqueue("c1", "sales", now=at(0))  # nobody in sales: moved to support at t=5
    assert [offer.contact_id for offer in router.enqueue("c2", "support", now=at(1)).offers] == [
        "c2"
    ]
    router.tick(now=at(5))
    assert router.line("support") == ("c1", "c2")  # c1 waits, c2 rings at a0
    update = router.tick(now=at(16))  # c2's offer (15 s) times out
    assert [(offer.contact_id, offer.agent_id) for offer in update.offers] == [("c1", "a0")]
    assert router.contact("c2").status.value == "waiting"


def test_a_reused_contact_id_is_not_served_from_an_earlier_contact_s_line() -> None:
    """An id that comes back is a new contact: the line entry of the earlier one is stale.

    The first 'c1' overflows from sales to support and ends; a new 'c1' waits in
    sales and escalates (its version counter passes the old entry's). An agent of
    both queues must be offered it from sales, not from the old support entry
    (found by the ACD refusal state machine: the offer named 'support').
    """
    router = Router(queue_configs("fewest_contacts"), seed=0)
    both = (Membership(queue="sales"), Membership(queue="support"))
    router.enqueue("c1", "sales", now=at(0), skills={"en": 2, "fr": 1})
    router.log_in(
        AgentProfile(
            agent_id="a2",
            skills={"en": 7},
            memberships=both,
            capacity={Channel.VOICE: 1, Channel.CHAT: 2},
            voice_exclusive=False,
        ),
        now=at(0),
        ready=False,
    )
    router.tick(now=at(43_200))  # the first c1 overflows, escalates and leaves
    sales = (Membership(queue="sales"),)
    later = AgentProfile(agent_id="a0", memberships=sales, voice_exclusive=False)
    router.log_in(later, now=at(43_200), ready=True)
    router.enqueue("c1", "sales", now=at(43_200))  # offered to a0, who lets it time out
    update = router.set_ready("a2", now=at(43_400))
    assert [(offer.agent_id, offer.queue) for offer in update.offers][-1] == ("a2", "sales")
    text = dumps(router.snapshot())
    assert dumps(Router.restore(loads(RouterSnapshot, text)).snapshot()) == text
