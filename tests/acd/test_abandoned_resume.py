"""Abandoned-resume (FreeSWITCH mod_callcenter's ``abandoned-resume-allowed``).

A caller who hangs up and is enqueued again with the same contact id within the
queue's ``resume_abandoned`` takes back its place. The waiting line is compared
with a reference that keeps (arrival, number) per caller by that definition.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

from callcore.acd import (
    ContactAbandoned,
    ContactQueued,
    QueueConfig,
    Router,
    RouterSnapshot,
)
from callcore.errors import DocumentError, InvalidInputError
from callcore.serialization import from_dict, to_dict
from tests.acd.strategies import at

WINDOW = timedelta(seconds=60)


def keeping_router(**options: object) -> Router:
    """Queue ``q`` keeps abandoned places 60 s; ``p`` keeps none. Nobody is logged in."""
    return Router(
        [QueueConfig(name="q", resume_abandoned=WINDOW, **options), QueueConfig(name="p")]  # type: ignore[arg-type]
    )


def test_a_caller_back_within_the_window_takes_back_its_place() -> None:
    """A (t=1), b (t=2), c (t=3); a hangs up at 10 and is back at 69: first again, arrived t=1."""
    router = keeping_router()
    for number, contact_id in enumerate("abc", start=1):
        router.enqueue(contact_id, "q", now=at(number))
    assert router.abandon("a", now=at(10)).events == (
        ContactAbandoned(at=at(10), contact_id="a", queue="q", waited=timedelta(seconds=9)),
    )
    assert router.line("q") == ("b", "c")
    assert router.enqueue("a", "q", now=at(69)).events == (
        ContactQueued(at=at(69), contact_id="a", queue="q", priority=0),
    )
    assert router.line("q") == ("a", "b", "c")
    assert router.contact("a").arrived == at(1)


def test_a_caller_back_when_the_window_ends_joins_at_the_back() -> None:
    """Hung up at 10, back at 70 (10 + 60 s): the place is gone."""
    router = keeping_router()
    for number, contact_id in enumerate("abc", start=1):
        router.enqueue(contact_id, "q", now=at(number))
    router.abandon("a", now=at(10))
    router.enqueue("a", "q", now=at(70))
    assert router.line("q") == ("b", "c", "a")
    assert router.contact("a").arrived == at(70)


def test_a_queue_without_the_setting_keeps_no_place() -> None:
    """``p`` (default ``None``): a caller back at once joins at the back; nothing is kept."""
    router = keeping_router()
    router.enqueue("a", "p", now=at(1))
    router.enqueue("b", "p", now=at(2))
    router.abandon("a", now=at(3))
    assert router.snapshot().abandoned == ()
    router.enqueue("a", "p", now=at(4))
    assert router.line("p") == ("b", "a")


def test_the_place_is_given_up_once_the_id_is_enqueued_elsewhere() -> None:
    """A leaves q, calls p (its place in q is given up), leaves p, and is back in q: at the back."""
    router = keeping_router()
    router.enqueue("a", "q", now=at(1))
    router.enqueue("b", "q", now=at(2))
    router.abandon("a", now=at(3))
    router.enqueue("a", "p", now=at(4))
    assert router.snapshot().abandoned == ()
    router.abandon("a", now=at(5))
    router.enqueue("a", "q", now=at(6))
    assert router.line("q") == ("b", "a")


def test_kept_places_survive_a_restart() -> None:
    """Snapshot (through its dict form) with a place kept: the restored router resumes it."""
    router = keeping_router()
    router.enqueue("a", "q", now=at(1))
    router.enqueue("b", "q", now=at(2))
    router.abandon("a", now=at(3))
    snapshot = router.snapshot()
    assert [record.contact_id for record in snapshot.abandoned] == ["a"]
    restored = Router.restore(from_dict(RouterSnapshot, to_dict(snapshot)))
    assert restored.snapshot() == snapshot
    restored.enqueue("a", "q", now=at(4))
    assert restored.line("q") == ("a", "b")


def test_places_whose_time_ran_out_are_forgotten() -> None:
    """A's place (until 63) is dropped when b hangs up at 100: memory stays bounded."""
    router = keeping_router()
    router.enqueue("a", "q", now=at(1))
    router.enqueue("b", "q", now=at(2))
    router.abandon("a", now=at(3))
    router.abandon("b", now=at(100))
    assert [record.contact_id for record in router.snapshot().abandoned] == ["b"]


def test_a_refused_return_changes_nothing() -> None:
    """A returning caller's call with a bad priority is refused; the place is still kept."""
    router = keeping_router()
    router.enqueue("a", "q", now=at(1))
    router.enqueue("b", "q", now=at(2))
    router.abandon("a", now=at(3))
    before = router.snapshot()
    with pytest.raises(InvalidInputError) as caught:
        router.enqueue("a", "q", now=at(4), priority=2**70)
    assert caught.value.field == "priority"
    assert router.snapshot() == before
    router.enqueue("a", "q", now=at(5))
    assert router.line("q") == ("a", "b")


def test_a_rejected_return_keeps_the_place() -> None:
    """Q full (max_length 1) when a comes back: rejected, and its place is still there."""
    router = keeping_router(max_length=1)
    router.enqueue("a", "q", now=at(1))
    router.abandon("a", now=at(2))
    router.enqueue("b", "q", now=at(3))
    assert type(router.enqueue("a", "q", now=at(4)).events[0]).__name__ == "ContactRejected"
    router.abandon("b", now=at(5))
    router.enqueue("a", "q", now=at(6))
    assert router.contact("a").arrived == at(1)


@pytest.mark.parametrize(
    ("change", "path"),
    [
        ({"queue": "p"}, "abandoned[0].queue"),
        ({"contact_id": "b"}, "abandoned[0].contact_id"),
        ({"arrived": at(99)}, "abandoned[0].arrived"),
        ({"seq": -1}, "abandoned[0].seq"),
    ],
)
def test_a_snapshot_with_a_bad_kept_place_is_refused(change: dict[str, Any], path: str) -> None:
    """Another queue's place, a held id, a future arrival, a negative number: each named."""
    router = keeping_router()
    router.enqueue("a", "q", now=at(1))
    router.enqueue("b", "q", now=at(2))
    router.abandon("a", now=at(10))
    snapshot = router.snapshot()
    bad = attrs.evolve(snapshot, abandoned=(attrs.evolve(snapshot.abandoned[0], **change),))
    with pytest.raises(DocumentError) as caught:
        Router.restore(bad)
    assert path in str(caught.value)


STEPS = st.lists(
    st.tuples(st.sampled_from(("enqueue", "abandon")), st.sampled_from("abcd"), st.integers(0, 40)),
    max_size=30,
)


@given(steps=STEPS)
def test_the_line_matches_a_reference_of_kept_places(steps: list[tuple[str, str, int]]) -> None:
    """Random calls and hang-ups (gaps up to 40 s, window 60 s) against a hand-kept model."""
    router = keeping_router()
    waiting: dict[str, tuple[int, int]] = {}  # id: (arrival second, number)
    kept: dict[str, tuple[int, int, int]] = {}  # id: (arrival second, number, until)
    clock = number = 0
    for action, contact_id, gap in steps:
        clock += gap
        if action == "enqueue" and contact_id not in waiting:
            router.enqueue(contact_id, "q", now=at(clock))
            number += 1
            place = kept.pop(contact_id, None)
            if place is not None and clock < place[2]:
                waiting[contact_id] = place[:2]
            else:
                waiting[contact_id] = (clock, number)
        elif action == "abandon" and contact_id in waiting:
            router.abandon(contact_id, now=at(clock))
            kept[contact_id] = (*waiting.pop(contact_id), clock + 60)
        assert router.line("q") == tuple(sorted(waiting, key=waiting.__getitem__))
