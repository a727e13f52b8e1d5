"""Queue configurations and agent profiles check their fields when they are built.

A wrong value is refused at once with an ``InvalidInputError`` naming the field,
never accepted to break the router later; documents read by the converter and
handed to the router give only ``CallcoreError`` subclasses.
"""

from __future__ import annotations

import json
from datetime import timedelta
from typing import TYPE_CHECKING, Any

import pytest
from hypothesis import event, given
from hypothesis import strategies as st

from callcore.acd import (
    AgentProfile,
    AgentState,
    AgentStateChanged,
    ContactAbandoned,
    ContactOffered,
    EmptyCondition,
    Membership,
    Offer,
    Overflow,
    OverflowAction,
    QueueConfig,
    QueueEscalation,
    Router,
    RouterSnapshot,
    RouterUpdate,
)
from callcore.contacts import Channel
from callcore.errors import CallcoreError, DocumentError, InvalidInputError
from callcore.serialization import dumps, from_dict, loads, to_dict
from tests.acd.strategies import T0, junk, mutated

if TYPE_CHECKING:
    from collections.abc import Callable

SECOND = timedelta(seconds=1)

BAD_FIELDS: list[tuple[Callable[[], object], str]] = [
    # the examples of issue 10
    (lambda: AgentProfile(agent_id="a", capacity={"voice": 1}), "capacity"),  # type: ignore[dict-item]
    (lambda: AgentProfile(agent_id="a", capacity={Channel.VOICE: 1.5}), "capacity.voice"),  # type: ignore[dict-item]
    (lambda: AgentProfile(agent_id=5), "agent_id"),  # type: ignore[arg-type]
    (lambda: QueueConfig(name="q", wrap_up=30), "wrap_up"),  # type: ignore[arg-type]
    (lambda: QueueConfig(name="q", max_wait=timedelta(days=999_999_999)), "max_wait"),
    # agent profiles
    (lambda: AgentProfile(agent_id=""), "agent_id"),
    (lambda: AgentProfile(agent_id="a\ud800"), "agent_id"),
    (lambda: AgentProfile(agent_id="a", capacity={Channel.CHAT: -1}), "capacity.chat"),
    (lambda: AgentProfile(agent_id="a", capacity=[Channel.VOICE]), "capacity"),  # type: ignore[arg-type]
    (lambda: AgentProfile(agent_id="a", skills={"en": 11}), "skills.en"),
    (lambda: AgentProfile(agent_id="a", skills={"en": 0}), "skills.en"),
    (lambda: AgentProfile(agent_id="a", skills={"en": 2.0}), "skills.en"),  # type: ignore[dict-item]
    (lambda: AgentProfile(agent_id="a", skills={"en": True}), "skills.en"),
    (lambda: AgentProfile(agent_id="a", skills={5: 1}), "skills"),  # type: ignore[dict-item]
    (lambda: AgentProfile(agent_id="a", skills={"": 1}), "skills"),
    (lambda: AgentProfile(agent_id="a", skills="billing"), "skills"),  # type: ignore[arg-type]
    (lambda: AgentProfile(agent_id="a", skills={f"s{n}": 1 for n in range(65)}), "skills"),
    (lambda: AgentProfile(agent_id="a", memberships=Membership(queue="q")), "memberships"),  # type: ignore[arg-type]
    (lambda: AgentProfile(agent_id="a", memberships=({"queue": "q"},)), "memberships[0]"),  # type: ignore[arg-type]
    (lambda: AgentProfile(agent_id="a", memberships="q"), "memberships"),  # type: ignore[arg-type]
    (lambda: AgentProfile(agent_id="a", voice_exclusive="no"), "voice_exclusive"),  # type: ignore[arg-type]
    # memberships
    (lambda: Membership(queue="q", tier=0), "tier"),
    (lambda: Membership(queue="q", tier=1.0), "tier"),  # type: ignore[arg-type]
    (lambda: Membership(queue="q", position=10**12), "position"),
    (lambda: Membership(queue="q", weight=0), "weight"),
    (lambda: Membership(queue="q", weight=float("nan")), "weight"),
    (lambda: Membership(queue="q", weight=float("inf")), "weight"),
    (lambda: Membership(queue=None), "queue"),  # type: ignore[arg-type]
    # queues
    (lambda: QueueConfig(name=""), "name"),
    (lambda: QueueConfig(name="q", channel="voice"), "channel"),  # type: ignore[arg-type]
    (lambda: QueueConfig(name="q", strategy=None), "strategy"),  # type: ignore[arg-type]
    (lambda: QueueConfig(name="q", required_skills={"fr": 11}), "required_skills.fr"),
    (lambda: QueueConfig(name="q", max_tier=0), "max_tier"),
    (lambda: QueueConfig(name="q", max_length=2**70), "max_length"),
    (lambda: QueueConfig(name="q", max_wait=timedelta(0)), "max_wait"),
    (lambda: QueueConfig(name="q", max_wait_empty=-SECOND), "max_wait_empty"),
    (lambda: QueueConfig(name="q", offer_timeout=timedelta(0)), "offer_timeout"),
    (lambda: QueueConfig(name="q", offer_timeout=15), "offer_timeout"),  # type: ignore[arg-type]
    (lambda: QueueConfig(name="q", reject_delay=-SECOND), "reject_delay"),
    (lambda: QueueConfig(name="q", busy_delay=timedelta(days=36_526)), "busy_delay"),
    (lambda: QueueConfig(name="q", max_no_answer=-1), "max_no_answer"),
    (lambda: QueueConfig(name="q", ring_count=0), "ring_count"),
    (lambda: QueueConfig(name="q", ring_count=True), "ring_count"),
    (lambda: QueueConfig(name="q", join_when_empty=1), "join_when_empty"),  # type: ignore[arg-type]
    (lambda: QueueConfig(name="q", empty_when="paused"), "empty_when"),  # type: ignore[arg-type]
    (lambda: QueueConfig(name="q", resume_abandoned=timedelta(0)), "resume_abandoned"),
    (lambda: QueueConfig(name="q", empty_when={"paused"}), "empty_when"),  # type: ignore[arg-type]
    # a nested list is unhashable: refused naming the field, not a TypeError from frozenset
    (lambda: QueueConfig(name="q", empty_when=[[]]), "empty_when"),  # type: ignore[list-item]
    (lambda: QueueConfig(name="q", overflow="voicemail"), "overflow"),  # type: ignore[arg-type]
    (lambda: QueueConfig(name="q", escalation=QueueEscalation(after=SECOND)), "escalation"),  # type: ignore[arg-type]
    (lambda: QueueConfig(name="q", escalation=("x",)), "escalation[0]"),  # type: ignore[arg-type]
    (
        lambda: QueueConfig(
            name="q", escalation=tuple(QueueEscalation(after=n * SECOND) for n in range(101))
        ),
        "escalation",
    ),
    # escalation rules and overflow
    (lambda: QueueEscalation(after=30), "after"),  # type: ignore[arg-type]
    (lambda: QueueEscalation(after=-SECOND), "after"),
    (lambda: QueueEscalation(after=SECOND, max_tier=0), "max_tier"),
    (lambda: QueueEscalation(after=SECOND, skill_minimums={"fr": 11}), "skill_minimums.fr"),
    (lambda: QueueEscalation(after=SECOND, drop_skills="fr"), "drop_skills"),
    (lambda: QueueEscalation(after=SECOND, drop_skills=[["fr"]]), "drop_skills"),  # type: ignore[list-item]
    (lambda: QueueEscalation(after=SECOND, drop_skills=frozenset({3})), "drop_skills"),  # type: ignore[arg-type]
    (lambda: QueueEscalation(after=SECOND, to_queue=""), "to_queue"),
    (lambda: Overflow(action="queue"), "action"),  # type: ignore[arg-type]
    (lambda: Overflow(action=OverflowAction.QUEUE, queue=5), "queue"),  # type: ignore[arg-type]
]


@pytest.mark.parametrize(("build", "field"), BAD_FIELDS)
def test_a_bad_field_is_refused_at_construction_by_name(
    build: Callable[[], object], field: str
) -> None:
    """Each wrong type or out-of-range value raises InvalidInputError naming its field."""
    with pytest.raises(InvalidInputError) as caught:
        build()
    assert caught.value.field == field
    assert field.partition("[")[0].partition(".")[0] in str(caught.value)


def _offer(**changes: Any) -> Offer:
    fields: dict[str, Any] = {
        "contact_id": "c",
        "agent_id": "a",
        "queue": "q",
        "channel": Channel.VOICE,
        "offered_at": T0,
        "expires_at": T0 + SECOND,
    }
    return Offer(**(fields | changes))


@pytest.mark.parametrize(
    ("build", "field"),
    [
        (lambda: _offer(contact_id=1), "contact_id"),
        (lambda: _offer(channel="voice"), "channel"),
        (lambda: _offer(expires_at=T0.replace(tzinfo=None)), "expires_at"),
        (lambda: _offer(callback="yes"), "callback"),
        (lambda: ContactOffered(at=T0, offer="c"), "offer"),  # type: ignore[arg-type]
        (lambda: ContactAbandoned(at=T0, contact_id="c", queue="q", waited=5), "waited"),  # type: ignore[arg-type]
        (lambda: AgentStateChanged(at=T0, agent_id="a", state="busy"), "state"),  # type: ignore[arg-type]
        (
            lambda: AgentStateChanged(at=T0, agent_id="a", state=AgentState.BUSY, reason="x"),  # type: ignore[arg-type]
            "reason",
        ),
        (lambda: RouterUpdate(offers=[_offer()]), "offers"),  # type: ignore[arg-type]
    ],
)
def test_offers_and_events_check_their_fields(build: Callable[[], object], field: str) -> None:
    """What the router reports is typed too: a wrong value is refused by name."""
    with pytest.raises(InvalidInputError) as caught:
        build()
    assert caught.value.field == field


def test_lists_are_taken_as_tuples_and_sets() -> None:
    """A list of rules or memberships is kept as a tuple; a list of skills to drop as a set."""
    rule = QueueEscalation(after=SECOND, drop_skills=["fr", "de"])
    assert rule.drop_skills == frozenset({"fr", "de"})
    queue = QueueConfig(name="q", escalation=[rule])
    assert queue.escalation == (rule,)
    profile = AgentProfile(agent_id="a", memberships=[Membership(queue="q")])
    assert profile.memberships == (Membership(queue="q"),)


def test_a_rule_that_moves_contacts_at_once_is_refused() -> None:
    """Two queues moving a contact to each other after zero seconds would never stop."""
    queues = [
        QueueConfig(name="a", escalation=(QueueEscalation(after=timedelta(0), to_queue="b"),)),
        QueueConfig(name="b", escalation=(QueueEscalation(after=timedelta(0), to_queue="a"),)),
    ]
    with pytest.raises(DocumentError) as caught:
        Router(queues)
    assert [problem.path for problem in caught.value.problems] == [
        "[0].escalation[0].after",
        "[1].escalation[0].after",
    ]


@pytest.mark.parametrize(
    ("make", "field"),
    [
        (lambda: Router("queue"), "queues"),  # type: ignore[arg-type]
        (lambda: Router([{"name": "q"}]), "queues[0]"),  # type: ignore[list-item]
        (lambda: Router([QueueConfig(name="q")], seed="x"), "seed"),  # type: ignore[arg-type]
        (lambda: Router([QueueConfig(name="q")], strategies=["linear"]), "strategies"),  # type: ignore[arg-type]
        (lambda: Router([QueueConfig(name="q")], strategies={"s": object()}), "strategies.s"),  # type: ignore[dict-item]
    ],
)
def test_router_arguments_of_the_wrong_type_are_refused(
    make: Callable[[], object], field: str
) -> None:
    """The router's own arguments are checked before it is built."""
    with pytest.raises(InvalidInputError) as caught:
        make()
    assert caught.value.field == field


# --- fuzzing: constructors and loaders ------------------------------------------------

QUEUE_FIELDS: dict[str, Any] = {
    "name": "q",
    "channel": Channel.CHAT,
    "strategy": "round_robin",
    "required_skills": {"en": 2},
    "max_tier": 2,
    "max_length": 5,
    "max_wait": 60 * SECOND,
    "max_wait_empty": 30 * SECOND,
    "overflow": Overflow(action=OverflowAction.CALLBACK),
    "join_when_empty": False,
    "leave_when_empty": True,
    "empty_when": frozenset({EmptyCondition.PAUSED, EmptyCondition.WRAP_UP}),
    "resume_abandoned": 60 * SECOND,
    "wrap_up": 5 * SECOND,
    "offer_timeout": 10 * SECOND,
    "ring_count": 3,
    "no_answer_delay": SECOND,
    "reject_delay": SECOND,
    "busy_delay": SECOND,
    "max_no_answer": 2,
    "escalation": (QueueEscalation(after=SECOND, max_tier=3, drop_skills=frozenset({"en"})),),
}
PROFILE_FIELDS: dict[str, Any] = {
    "agent_id": "a",
    "skills": {"en": 3},
    "memberships": (Membership(queue="q", tier=2, position=1, weight=0.5),),
    "capacity": {Channel.CHAT: 2},
    "voice_exclusive": False,
}


@st.composite
def some_fields(draw: st.DrawFn, valid: dict[str, Any], required: str) -> dict[str, Any]:
    """``valid`` with some fields replaced by junk and some optional ones left out.

    (Leaving out the ``required`` field is a call that Python itself refuses.)
    """
    fields = dict(valid)
    for name in draw(st.lists(st.sampled_from(sorted(valid)), max_size=4, unique=True)):
        if name == required or draw(st.booleans()):
            fields[name] = draw(junk)
        else:
            del fields[name]
    return fields


def use(queue: object, profile: object) -> None:
    """Hand the values to a router: only CallcoreError may escape; what it takes, it saves."""
    router = Router([queue])  # type: ignore[list-item]
    router.log_in(profile, now=T0)  # type: ignore[arg-type]
    router.enqueue("c1", getattr(queue, "name", "q"), now=T0 + SECOND, skills={"en": 1})
    router.tick(now=T0 + timedelta(hours=2))
    text = dumps(router.snapshot())
    assert dumps(Router.restore(loads(RouterSnapshot, text)).snapshot()) == text


@given(queue=some_fields(QUEUE_FIELDS, "name"), profile=some_fields(PROFILE_FIELDS, "agent_id"))
def test_constructors_given_junk_raise_only_callcore_errors(
    queue: dict[str, Any], profile: dict[str, Any]
) -> None:
    """QueueConfig and AgentProfile built from junk fields refuse it with InvalidInputError."""
    try:
        use(QueueConfig(**queue), AgentProfile(**profile))
    except CallcoreError as error:
        event(f"refused: {type(error).__name__}")
    else:
        event("accepted")


@given(
    queue=mutated(to_dict(QueueConfig(**QUEUE_FIELDS))),
    profile=mutated(to_dict(AgentProfile(**PROFILE_FIELDS))),
    as_text=st.booleans(),
)
def test_loaded_documents_with_junk_raise_only_callcore_errors(
    queue: object, profile: object, *, as_text: bool
) -> None:
    """Queue and agent documents with broken places give DocumentError, never a builtin error."""
    try:
        if as_text:  # times and durations as text
            loaded_queue = loads(QueueConfig, json.dumps(queue, default=str))
            loaded_profile = loads(AgentProfile, json.dumps(profile, default=str))
        else:
            loaded_queue = from_dict(QueueConfig, queue)
            loaded_profile = from_dict(AgentProfile, profile)
        use(loaded_queue, loaded_profile)
    except CallcoreError as error:
        event(f"refused: {type(error).__name__}")
    else:
        event("accepted")


@pytest.mark.parametrize(
    "text", [b"\xff\xfe{}", "[" * 100_000, '{"name": "q", "name": "r"}', "[]", "7", '"q"']
)
def test_queue_documents_that_are_not_objects_are_refused(text: str | bytes) -> None:
    """Bytes that are not UTF-8, deep nesting, repeated keys and non-objects: DocumentError."""
    with pytest.raises(DocumentError):
        loads(QueueConfig, text)
