"""Router.restore reads its snapshot like a document, and bounds the work it can cause.

A snapshot that is malformed or does not hold together is refused with a
``DocumentError`` listing every problem with its path; nothing in it can make
the restored router raise a builtin error or replay years of time-outs.
"""

from __future__ import annotations

import time
from datetime import timedelta
from typing import TYPE_CHECKING, Any

import attrs
import pytest
from hypothesis import event, given
from hypothesis import strategies as st

from callcore.acd import (
    AgentProfile,
    AgentRecord,
    ContactRecord,
    Membership,
    PointerRecord,
    QueueConfig,
    Router,
    RouterSnapshot,
)
from callcore.acd import _timers as timers_module
from callcore.errors import CallcoreError, DocumentError, InvalidInputError
from callcore.serialization import dumps, from_dict, loads, to_dict
from tests.acd.scenarios import busy_router
from tests.acd.strategies import T0, at, junk, mutated

if TYPE_CHECKING:
    from collections.abc import Callable

STRATEGIES = ("round_robin", "ring_all", "weighted_random", "skills_based")
DOCUMENTS = {name: to_dict(busy_router(name).snapshot()) for name in STRATEGIES}


def restored(data: object) -> Router:
    """Read a snapshot document and restore a router from it."""
    return Router.restore(from_dict(RouterSnapshot, data))


def contact_at(data: dict[str, Any], contact_id: str) -> dict[str, Any]:
    """The contact of a snapshot document with this id."""
    found: dict[str, Any] = next(c for c in data["contacts"] if c["contact_id"] == contact_id)
    return found


def test_a_busy_router_restores_to_the_same_snapshot() -> None:
    """The documents the tests below break are sound to begin with."""
    for document in DOCUMENTS.values():
        text = dumps(from_dict(RouterSnapshot, document))
        assert dumps(restored(document).snapshot()) == text


def _random_state_too_short(data: dict[str, Any]) -> None:
    data["random_state"] = [1, 2, 3]


def _random_word_too_large(data: dict[str, Any]) -> None:
    data["random_state"][0] = 2**40


def _random_position_out_of_range(data: dict[str, Any]) -> None:
    data["random_state"][-1] = 625


def _rank_not_json(data: dict[str, Any]) -> None:
    data["pointers"][0]["rank"] = "[0"


def _rank_of_text(data: dict[str, Any]) -> None:
    data["pointers"][0]["rank"] = '["zero"]'


def _rank_nested_deep(data: dict[str, Any]) -> None:
    data["pointers"][0]["rank"] = "[" * 5000 + "]" * 5000


def _rank_with_naive_time(data: dict[str, Any]) -> None:
    data["pointers"][0]["rank"] = '[{"datetime": "2026-01-05T09:00:00"}]'


def _pointer_to_empty_agent_id(data: dict[str, Any]) -> None:
    # an unknown agent is fine (a removed agent's place); an id must still be an id
    data["pointers"][0]["agent_id"] = ""


def _duplicate_agent(data: dict[str, Any]) -> None:
    data["agents"].append(data["agents"][2])


def _duplicate_contact(data: dict[str, Any]) -> None:
    data["contacts"].append(data["contacts"][2])


def _negative_stage(data: dict[str, Any]) -> None:
    contact_at(data, "c3")["stage"] = -1


def _stage_beyond_the_rules(data: dict[str, Any]) -> None:
    contact_at(data, "c3")["stage"] = 2


def _offer_expired_in_year_one(data: dict[str, Any]) -> None:
    contact_at(data, "c1")["offers"][0]["expires_at"] = "0001-01-05T09:00:29+00:00"


def _offer_expired_before_now(data: dict[str, Any]) -> None:
    contact_at(data, "c1")["offers"][0]["expires_at"] = "2025-01-05T09:00:29+00:00"


def _now_in_year_9999(data: dict[str, Any]) -> None:
    data["now"] = "9999-12-31T23:59:59+00:00"


def _arrived_after_now(data: dict[str, Any]) -> None:
    contact_at(data, "c3")["arrived"] = "2027-01-05T09:00:00+00:00"


def _offer_to_an_agent_who_does_not_list_it(data: dict[str, Any]) -> None:
    contact_at(data, "c1")["offers"][0]["agent_id"] = "a1"  # a0 lists it, a1 does not


def _connected_to_a_logged_out_agent(data: dict[str, Any]) -> None:
    contact_at(data, "c2")["agent_id"] = "a3"


def _negative_talk_time(data: dict[str, Any]) -> None:
    data["agents"][0]["talk_time"] = -5


def _wrap_up_ended_before_now(data: dict[str, Any]) -> None:
    data["agents"][1]["delay_until"] = "2026-01-05T09:00:01+00:00"


def _empty_clock_of_a_staffed_queue(data: dict[str, Any]) -> None:
    data["empty_since"]["sales"] = "2026-01-05T09:00:00+00:00"


def _too_many_handle_times(data: dict[str, Any]) -> None:
    data["handle_times"]["sales"] = [1.0] * 51


BROKEN: list[tuple[Callable[[dict[str, Any]], None], str]] = [
    (_random_state_too_short, "random_state"),
    (_random_word_too_large, "random_state[0]"),
    (_random_position_out_of_range, "random_state[624]"),
    (_rank_not_json, "pointers[0].rank"),
    (_rank_of_text, "pointers[0].rank"),
    (_rank_nested_deep, "pointers[0].rank"),
    (_rank_with_naive_time, "pointers[0].rank[0]"),
    (_pointer_to_empty_agent_id, "pointers[0].agent_id"),
    (_duplicate_agent, "agents[4].profile.agent_id"),
    (_duplicate_contact, "contacts[5].contact_id"),
    (_negative_stage, "contacts[2].stage"),
    (_stage_beyond_the_rules, "contacts[2].stage"),
    (_offer_expired_in_year_one, "contacts[0].offers[0].expires_at"),
    (_offer_expired_before_now, "contacts[0].offers[0].expires_at"),
    (_now_in_year_9999, "now"),
    (_arrived_after_now, "contacts[2].arrived"),
    (_offer_to_an_agent_who_does_not_list_it, "agents[0].offered"),
    (_connected_to_a_logged_out_agent, "contacts[1].agent_id"),
    (_negative_talk_time, "agents[0].talk_time"),
    (_wrap_up_ended_before_now, "agents[1].delay_until"),
    (_empty_clock_of_a_staffed_queue, "empty_since.sales"),
    (_too_many_handle_times, "handle_times.sales"),
]


@pytest.mark.parametrize(("damage", "path"), BROKEN)
def test_a_broken_snapshot_is_refused_with_the_path(
    damage: Callable[[dict[str, Any]], None], path: str
) -> None:
    """Each inconsistency is a DocumentError naming where it is."""
    data = to_dict(busy_router().snapshot())
    damage(data)
    with pytest.raises(DocumentError) as caught:
        restored(data)
    assert path in [problem.path for problem in caught.value.problems]


def test_every_problem_of_a_snapshot_is_listed() -> None:
    """Unrelated problems are reported together, each at its own path."""
    data = to_dict(busy_router().snapshot())
    _negative_stage(data)
    _rank_of_text(data)
    _random_state_too_short(data)
    with pytest.raises(DocumentError) as caught:
        restored(data)
    assert {problem.path for problem in caught.value.problems} == {
        "contacts[2].stage",
        "pointers[0].rank",
        "random_state",
    }


def test_restore_refuses_what_is_not_a_snapshot() -> None:
    """A dict is not a RouterSnapshot: the argument is named."""
    with pytest.raises(InvalidInputError) as caught:
        Router.restore(to_dict(busy_router().snapshot()))
    assert caught.value.field == "snapshot"


def test_one_call_runs_a_bounded_number_of_timers(monkeypatch: pytest.MonkeyPatch) -> None:
    """A month of time-outs at once is refused, changing nothing; smaller steps go on.

    The only agent never answers: its offer rings for 15 s, times out and is
    made again, for a month (about 170,000 time-outs). Far more than a thousand
    offer time-outs behind ``now``, the call runs at most ``TIMER_BUDGET``
    timers (lowered here to keep the test short), then gives up, puts the
    state back and says so.
    """
    monkeypatch.setattr(timers_module, "TIMER_BUDGET", 2_000, raising=False)
    never_paused = QueueConfig(name="q", no_answer_delay=timedelta(0), max_no_answer=0)
    router = Router([never_paused])
    router.log_in(AgentProfile(agent_id="a", memberships=(Membership(queue="q"),)), now=T0)
    router.enqueue("c", "q", now=at(1))
    before = dumps(router.snapshot())
    started = time.perf_counter()
    with pytest.raises(InvalidInputError) as caught:
        router.tick(now=at(30 * 86_400))
    assert time.perf_counter() - started < 5
    assert caught.value.field == "now"
    assert dumps(router.snapshot()) == before
    update = router.tick(now=at(3_600))  # an hour: well within a step
    assert len(update.ended_offers) == (3_600 - 1) // 15  # made at 1 s, every 15 s


def test_a_restored_router_goes_on_within_the_bound() -> None:
    """A sound snapshot restored years later cannot replay years of time-outs at once."""
    router = Router.restore(busy_router().snapshot())
    before = dumps(router.snapshot())
    with pytest.raises(InvalidInputError):
        router.tick(now=T0 + timedelta(days=365 * 900))
    assert dumps(router.snapshot()) == before


# --- fuzzing ---------------------------------------------------------------------


def carry_on(router: Router) -> None:
    """Use a restored router a little: only CallcoreError may escape; its snapshot reloads."""
    now = router.now or T0
    router.tick(now=now + timedelta(seconds=45))
    router.enqueue("new", "sales", now=now + timedelta(seconds=50), skills={"en": 1})
    text = dumps(router.snapshot())
    assert dumps(Router.restore(loads(RouterSnapshot, text)).snapshot()) == text


@given(data=st.data(), strategy=st.sampled_from(STRATEGIES), as_text=st.booleans())
def test_snapshot_documents_with_junk_raise_only_callcore_errors(
    data: st.DataObject, strategy: str, *, as_text: bool
) -> None:
    """A snapshot document with broken places: DocumentError, never a builtin error."""
    document = data.draw(mutated(DOCUMENTS[strategy]))
    try:
        if as_text:
            snapshot = loads(RouterSnapshot, dumps_plain(document))
        else:
            snapshot = from_dict(RouterSnapshot, document)
        carry_on(Router.restore(snapshot))
    except CallcoreError as error:
        event(f"refused: {type(error).__name__}")
    else:
        event("accepted")


def dumps_plain(document: object) -> str:
    """JSON text of plain data (times and durations that junk put in it as text)."""
    import json  # noqa: PLC0415 - only this helper needs it

    return json.dumps(document, default=str)


RECORDS: dict[type, Callable[[RouterSnapshot], list[Any]]] = {
    RouterSnapshot: lambda snapshot: [snapshot],
    AgentRecord: lambda snapshot: list(snapshot.agents),
    ContactRecord: lambda snapshot: list(snapshot.contacts),
    PointerRecord: lambda snapshot: list(snapshot.pointers),
}


@st.composite
def damaged_snapshots(draw: st.DrawFn) -> RouterSnapshot:
    """A snapshot object with one field of one record set to junk (no converter involved)."""
    snapshot = busy_router(draw(st.sampled_from(STRATEGIES))).snapshot()
    kind = draw(st.sampled_from(sorted(RECORDS, key=lambda cls: cls.__name__)))
    records = RECORDS[kind](snapshot)
    if not records:
        return snapshot
    index = draw(st.integers(0, len(records) - 1))
    name = draw(st.sampled_from([field.name for field in attrs.fields(kind)]))
    changed = attrs.evolve(records[index], **{name: draw(junk)})
    if kind is RouterSnapshot:
        return changed  # type: ignore[no-any-return]
    field = {AgentRecord: "agents", ContactRecord: "contacts", PointerRecord: "pointers"}[kind]
    items = list(getattr(snapshot, field))
    items[index] = changed
    changes: dict[str, Any] = {field: tuple(items)}
    return attrs.evolve(snapshot, **changes)


@given(snapshot=damaged_snapshots())
def test_snapshot_objects_with_junk_raise_only_callcore_errors(snapshot: RouterSnapshot) -> None:
    """A snapshot built in Python with a wrong value anywhere: DocumentError, nothing else."""
    try:
        carry_on(Router.restore(snapshot))
    except CallcoreError as error:
        event(f"refused: {type(error).__name__}")
    else:
        event("accepted")


@pytest.mark.parametrize("junk", [None, 5, [["not", "hashable"]]])
def test_junk_abandoned_places_are_reported_not_raised_by_the_callback_check(junk: object) -> None:
    """``abandoned`` that is no list of records: a DocumentError (a dev-profile TypeError)."""
    router = Router([QueueConfig(name="q")])
    router.enqueue("k", "q", now=T0)
    damaged = attrs.evolve(router.snapshot(), abandoned=junk)  # type: ignore[arg-type]
    with pytest.raises(DocumentError, match="abandoned"):
        Router.restore(damaged)
