"""The router's positional builders make the same values as the classes' constructors."""

from __future__ import annotations

from datetime import datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from callcore.acd import (
    AgentState,
    AgentStateChanged,
    ContactAnswered,
    ContactEnded,
    ContactOffered,
    ContactQueued,
    NotReadyReason,
    Offer,
    OfferEnded,
    OfferEndReason,
    RouterUpdate,
)
from callcore.acd._build import (
    agent_state_changed,
    contact_answered,
    contact_ended,
    contact_offered,
    contact_queued,
    new_offer,
    new_update,
    offer_ended,
)
from callcore.contacts import Channel
from callcore.serialization import from_dict, to_dict
from tests.acd.strategies import at

ids = st.text(min_size=1, max_size=5)
times = st.integers(0, 10**6).map(at)


@given(ids, ids, ids, st.sampled_from(Channel), times, st.booleans())
def test_offer_matches_constructor(
    contact_id: str, agent_id: str, queue: str, channel: Channel, start: datetime, callback: bool
) -> None:
    """An offer built positionally equals, hashes and round-trips like one from __init__."""
    expires = start + timedelta(seconds=15)
    built = new_offer(contact_id, agent_id, queue, channel, start, expires, callback, "offer-1")
    made = Offer(
        contact_id=contact_id,
        agent_id=agent_id,
        queue=queue,
        channel=channel,
        offered_at=start,
        expires_at=expires,
        callback=callback,
        offer_id="offer-1",
    )
    assert built == made
    assert hash(built) == hash(made)
    assert repr(built) == repr(made)
    assert from_dict(Offer, to_dict(built)) == made


def test_events_and_outcome_match_constructors() -> None:
    """Every event builder gives the event its constructor gives, and so does new_update."""
    now = at(5)
    offer = new_offer("c1", "a1", "sales", Channel.VOICE, now, at(20), False, "offer-7")
    wait = timedelta(seconds=3)
    pairs = [
        (
            contact_queued(now, "c1", "sales", 2),
            ContactQueued(at=now, contact_id="c1", queue="sales", priority=2),
        ),
        (contact_offered(now, offer), ContactOffered(at=now, offer=offer)),
        (
            offer_ended(now, offer, OfferEndReason.BUSY),
            OfferEnded(at=now, offer=offer, reason=OfferEndReason.BUSY),
        ),
        (
            contact_answered(now, "c1", "a1", "sales", wait),
            ContactAnswered(at=now, contact_id="c1", agent_id="a1", queue="sales", waited=wait),
        ),
        (
            contact_ended(now, "c1", "a1", "sales", wait),
            ContactEnded(at=now, contact_id="c1", agent_id="a1", queue="sales", talk_time=wait),
        ),
        (
            agent_state_changed(now, "a1", AgentState.NOT_READY, NotReadyReason.LUNCH),
            AgentStateChanged(
                at=now, agent_id="a1", state=AgentState.NOT_READY, reason=NotReadyReason.LUNCH
            ),
        ),
        (
            agent_state_changed(now, "a1", AgentState.AVAILABLE),
            AgentStateChanged(at=now, agent_id="a1", state=AgentState.AVAILABLE),
        ),
    ]
    for built, made in pairs:
        assert built == made
        assert hash(built) == hash(made)
        assert built.kind == made.kind
    events = tuple(built for built, _ in pairs)
    assert new_update((offer,), (), events) == RouterUpdate((offer,), (), events)
