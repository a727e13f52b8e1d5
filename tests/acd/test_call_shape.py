"""The router's call shape: keyword-only ``now``, one update type, requests as they are."""

from __future__ import annotations

import inspect
from datetime import timedelta
from typing import TYPE_CHECKING

import attrs
import pytest

from callcore.acd import (
    AgentProfile,
    AgentState,
    CallbackRequested,
    ContactAbandoned,
    ContactEnded,
    ContactOutcome,
    ContactOverflowed,
    ContactRejected,
    Membership,
    Overflow,
    OverflowAction,
    QueueConfig,
    Router,
    RouterSnapshot,
    RouterUpdate,
)
from callcore.contacts import AgentState as SharedAgentState
from callcore.contacts import ContactOutcome as SharedContactOutcome
from callcore.errors import InvalidInputError
from callcore.serialization import dumps, loads
from tests.acd.scenarios import of_type
from tests.acd.strategies import T0, at

if TYPE_CHECKING:
    from collections.abc import Mapping

    from callcore.contacts import QueueRequest
    from callcore.events import Update

COMMANDS = (
    "enqueue",
    "abandon",
    "set_priority",
    "request_callback",
    "accept",
    "decline",
    "time_out",
    "end",
    "transfer",
    "log_in",
    "log_out",
    "remove_agent",
    "set_ready",
    "set_not_ready",
    "tick",
)


@pytest.mark.parametrize("name", COMMANDS)
def test_every_command_takes_now_by_keyword_only(name: str) -> None:
    """``now`` is a keyword-only parameter of every command; a positional one is a TypeError."""
    parameter = inspect.signature(getattr(Router, name)).parameters["now"]
    assert parameter.kind is inspect.Parameter.KEYWORD_ONLY
    assert parameter.default is inspect.Parameter.empty


def test_a_positional_now_is_refused() -> None:
    """The old call shape fails loudly instead of reading ``now`` as another argument."""
    router = Router([QueueConfig(name="q")])
    with pytest.raises(TypeError):
        router.tick(T0)  # type: ignore[call-arg]
    with pytest.raises(TypeError):
        router.enqueue("c", "q", T0)  # type: ignore[call-arg]
    assert router.contact_ids() == ()


def test_every_command_returns_one_router_update() -> None:
    """A frozen, slotted update that satisfies the ground floor's ``Update`` protocol."""
    router = Router([QueueConfig(name="q")])
    update: Update = router.log_in(
        AgentProfile(agent_id="a", memberships=(Membership(queue="q"),)), now=T0
    )
    assert isinstance(update, RouterUpdate)
    assert attrs.has(RouterUpdate)
    assert "__dict__" not in dir(update)
    assert [event.kind for event in update.events] == ["acd.agent_state_changed"]
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        update.events = ()  # type: ignore[misc]


def test_the_shared_vocabulary_is_re_exported_as_the_same_objects() -> None:
    """``acd.AgentState`` and ``acd.ContactOutcome`` are the ones of ``callcore.contacts``."""
    assert AgentState is SharedAgentState
    assert ContactOutcome is SharedContactOutcome


# --- a queue request handed over as it is ----------------------------------------------


@attrs.frozen
class Request:
    """What the IVR's ``EnqueueContact`` looks like to the router (the QueueRequest shape)."""

    queue: str
    priority: int = 0
    skills: Mapping[str, int] = attrs.field(factory=dict)
    language: str = ""


def staffed_router() -> Router:
    """Queue ``q`` with a junior (billing 2) and a senior (billing 8) agent logged in."""
    router = Router([QueueConfig(name="q")])
    for agent_id, level in (("junior", 2), ("senior", 8)):
        profile = AgentProfile(
            agent_id=agent_id, skills={"billing": level}, memberships=(Membership(queue="q"),)
        )
        router.log_in(profile, now=T0)
    return router


def test_a_queue_request_is_taken_as_it_is() -> None:
    """Its queue, priority, skills and language are the contact's."""
    router = staffed_router()
    request: QueueRequest = Request(queue="q", priority=3, skills={"billing": 5}, language="fr")
    update = router.enqueue("c1", request, now=at(1))
    assert [offer.agent_id for offer in update.offers] == ["senior"]  # billing 5: only senior
    view = router.contact("c1")
    assert (view.queue, view.priority, view.language) == ("q", 3, "fr")
    text = dumps(router.snapshot())
    assert '"language": "fr"' in text
    restored = Router.restore(loads(RouterSnapshot, text))
    assert restored.contact("c1").language == "fr"
    assert dumps(restored.snapshot()) == text


def test_a_request_gives_the_same_contact_as_the_same_arguments() -> None:
    """A request and a name with the same priority, skills and language do the same."""
    by_request, by_name = staffed_router(), staffed_router()
    first = by_request.enqueue(
        "c1", Request(queue="q", priority=2, skills={"billing": 3}, language="de"), now=at(1)
    )
    second = by_name.enqueue("c1", "q", now=at(1), priority=2, skills={"billing": 3}, language="de")
    assert first == second
    assert dumps(by_request.snapshot()) == dumps(by_name.snapshot())


@pytest.mark.parametrize(
    ("extra", "field"),
    [
        ({"priority": 1}, "priority"),
        ({"skills": {}}, "skills"),
        ({"language": "en"}, "language"),
        ({"priority": True}, "priority"),
    ],
)
def test_a_request_with_its_fields_given_again_is_refused(
    extra: dict[str, object], field: str
) -> None:
    """Priority, skills or language come from the request: giving them as well is refused."""
    router = staffed_router()
    before = dumps(router.snapshot())
    with pytest.raises(InvalidInputError) as caught:
        router.enqueue("c1", Request(queue="q"), now=at(1), **extra)  # type: ignore[arg-type]
    assert caught.value.field == field
    assert dumps(router.snapshot()) == before


@pytest.mark.parametrize(
    ("request_", "field"),
    [
        (object(), "queue"),
        (Request(queue=5), "queue"),  # type: ignore[arg-type]
        (Request(queue="q", priority="high"), "priority"),  # type: ignore[arg-type]
        (Request(queue="q", skills=("billing",)), "skills"),  # type: ignore[arg-type]
        (Request(queue="q", skills={"billing": 11}), "skills.billing"),
        (Request(queue="q", language=None), "language"),  # type: ignore[arg-type]
        (Request(queue="q", language="x\ud800"), "language"),
    ],
)
def test_a_bad_request_is_refused_by_field(request_: object, field: str) -> None:
    """A request is checked like the arguments it stands for; nothing changes."""
    router = staffed_router()
    before = dumps(router.snapshot())
    with pytest.raises(InvalidInputError) as caught:
        router.enqueue("c1", request_, now=at(1))  # type: ignore[arg-type]
    assert caught.value.field == field
    assert dumps(router.snapshot()) == before


def test_a_language_given_by_name_is_kept_and_checked() -> None:
    """``language=`` goes with a queue name too; a wrong one is refused by name."""
    router = staffed_router()
    router.enqueue("c1", "q", now=at(1), language="pt-BR")
    assert router.contact("c1").language == "pt-BR"
    router.enqueue("c2", "q", now=at(2))
    assert router.contact("c2").language == ""
    with pytest.raises(InvalidInputError) as caught:
        router.enqueue("c3", "q", now=at(3), language=7)  # type: ignore[arg-type]
    assert caught.value.field == "language"


# --- how a contact left the router ------------------------------------------------------


def test_the_events_a_contact_leaves_by_say_how_it_left() -> None:
    """Ended, abandoned, rejected and overflowed contacts carry a ``ContactOutcome``."""
    second = timedelta(seconds=1)
    router = Router(
        [
            QueueConfig(name="q", max_length=2),
            QueueConfig(
                name="v",
                max_wait=10 * second,
                overflow=Overflow(action=OverflowAction.QUEUE, queue="w"),
            ),
            QueueConfig(name="w", max_wait=10 * second),  # on to voicemail
            QueueConfig(
                name="cb", max_wait=10 * second, overflow=Overflow(action=OverflowAction.CALLBACK)
            ),
        ]
    )
    router.log_in(AgentProfile(agent_id="a", memberships=(Membership(queue="q"),)), now=T0)
    router.enqueue("c1", "q", now=at(1))
    router.accept("c1", "a", now=at(2))
    (ended,) = of_type(router.end("c1", now=at(5)), ContactEnded)
    assert ended.outcome is ContactOutcome.ANSWERED
    router.enqueue("c2", "q", now=at(6))  # offered to a
    router.enqueue("c3", "q", now=at(6))
    (rejected,) = of_type(router.enqueue("c4", "q", now=at(6)), ContactRejected)
    assert rejected.outcome is ContactOutcome.REJECTED
    (abandoned,) = of_type(router.abandon("c3", now=at(7)), ContactAbandoned)
    assert abandoned.outcome is ContactOutcome.ABANDONED
    router.enqueue("c5", "v", now=at(10))
    router.enqueue("c6", "cb", now=at(10))
    overflowed = of_type(router.tick(now=at(30)), ContactOverflowed)
    assert [(event.contact_id, event.outcome) for event in overflowed] == [
        ("c5", ContactOutcome.OVERFLOWED),
        ("c6", ContactOutcome.CALLBACK),
        ("c5", ContactOutcome.VOICEMAIL),
    ]
    router.enqueue("c7", "w", now=at(31))
    (requested,) = of_type(router.request_callback("c7", now=at(32)), CallbackRequested)
    assert requested.outcome is ContactOutcome.CALLBACK


def test_talk_time_is_a_duration_everywhere() -> None:
    """The view and the saved record both hold the total talk time as a timedelta, exactly."""
    router = Router([QueueConfig(name="q")])
    router.log_in(AgentProfile(agent_id="a", memberships=(Membership(queue="q"),)), now=T0)
    talks = [timedelta(seconds=0.1), timedelta(seconds=0.2), timedelta(microseconds=7)]
    clock = T0
    for number, talk in enumerate(talks):
        contact_id = f"c{number}"
        router.enqueue(contact_id, "q", now=clock)
        router.accept(contact_id, "a", now=clock)
        clock += talk
        router.end(contact_id, now=clock)
    total = timedelta(microseconds=300_007)
    assert router.agent("a").talk_time == total
    (record,) = router.snapshot().agents
    assert record.talk_time == total
    assert Router.restore(router.snapshot()).agent("a").talk_time == total
