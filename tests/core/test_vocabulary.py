"""One vocabulary across the engines: no clashing names, one result shape, one hand-over."""

from __future__ import annotations

import importlib
from collections.abc import Mapping
from datetime import datetime, timedelta, timezone

import pytest

import callcore.acd
import callcore.customers
import callcore.ivr
import callcore.kpi
from callcore.acd import AgentProfile, ContactStatus, Membership, QueueConfig, Router, RouterUpdate
from callcore.contacts import AgentState, ContactOutcome, QueueRequest
from callcore.errors import InvalidInputError
from callcore.events import ActionUpdate, Update
from callcore.ivr import Action, EnqueueContact, IvrSession, IvrUpdate, load_flow
from callcore.kpi import AggregatorUpdate
from callcore.tickets import TicketAction, TicketUpdate

ENGINES = ("acd", "ivr", "tickets", "kpi", "wfm", "customers")
T0 = datetime(2026, 3, 2, 9, 0, tzinfo=timezone.utc)


def _owners_of_names(modules: Mapping[str, Mapping[str, object]]) -> list[tuple[str, str, str]]:
    """(name, first engine, other engine) for each name two engines export as different objects."""
    owners: dict[str, tuple[str, object]] = {}
    clashes = []
    for engine, exported in modules.items():
        for name, value in exported.items():
            if name in owners and owners[name][1] is not value:
                clashes.append((name, owners[name][0], engine))
            owners.setdefault(name, (engine, value))
    return clashes


def test_no_two_engines_export_one_name_for_different_objects() -> None:
    """A name exported by two engines is one object (a shared ground-floor type)."""
    modules: dict[str, dict[str, object]] = {}
    for engine in ENGINES:
        module = importlib.import_module(f"callcore.{engine}")
        modules[engine] = {name: getattr(module, name) for name in module.__all__}
    assert _owners_of_names(modules) == []


def test_the_clash_finder_finds_a_clash() -> None:
    """The check above can fail: two ``Outcome`` classes clash, one shared enum does not."""
    other: object = type("Outcome", (), {})
    shared_outcome: object = ContactOutcome
    clash = {"acd": {"Outcome": other}, "kpi": {"Outcome": shared_outcome}}
    state: object = AgentState
    shared = {"acd": {"AgentState": state}, "kpi": {"AgentState": state}}
    assert _owners_of_names(clash) == [("Outcome", "acd", "kpi")]
    assert _owners_of_names(shared) == []


def test_shared_names_are_the_ground_floor_objects() -> None:
    """Engines re-export the ground floor's agent state and outcome, never a copy."""
    assert callcore.acd.AgentState is AgentState
    assert callcore.kpi.AgentState is AgentState
    for module in (callcore.acd, callcore.ivr, callcore.kpi, callcore.customers):
        assert module.ContactOutcome is ContactOutcome


def test_every_update_has_the_common_shape() -> None:
    """Each engine's update type has ``events``; those the host must act on have ``actions``.

    The assignments are checked by mypy (the updates satisfy the protocols); the
    asserts check the same at run time.
    """
    router_update: Update = RouterUpdate()
    ivr_update: ActionUpdate[Action] = IvrUpdate()
    kpi_update: Update = AggregatorUpdate()
    for update in (router_update, ivr_update, kpi_update):
        assert update.events == ()
    assert ivr_update.actions == ()
    assert {"actions", "events"} <= set(dir(TicketUpdate))


def _ticket_update_is_an_action_update(update: TicketUpdate) -> ActionUpdate[TicketAction]:
    return update  # mypy checks that a TicketUpdate is an ActionUpdate of ticket actions


def _queue_flow() -> IvrSession:
    """A two-language flow whose start node queues the caller with skills and a priority."""
    document = {
        "id": "handover",
        "start": "queue",
        "languages": ["en", "ro"],
        "prompts": {"p": {"en": "hello", "ro": "salut"}},
        "nodes": {
            "queue": {
                "type": "queue",
                "queue": "billing",
                "priority": 7,
                "skills": {"billing": 3, "ro": 1},
            }
        },
    }
    return IvrSession(load_flow(document))


def _router() -> Router:
    router = Router([QueueConfig(name="billing")])
    agent = AgentProfile(
        agent_id="ana",
        skills={"billing": 5, "ro": 2},
        memberships=(Membership(queue="billing"),),
    )
    router.log_in(agent, now=T0)
    return router


def test_the_ivrs_enqueue_action_goes_to_the_router_as_it_is() -> None:
    """The IVR's EnqueueContact is handed to Router.enqueue with no translation."""
    session = _queue_flow()
    update = session.start(now=T0, language="ro")
    (action,) = (a for a in update.actions if isinstance(a, EnqueueContact))
    request: QueueRequest = action
    assert (request.queue, request.priority, dict(request.skills), request.language) == (
        "billing",
        7,
        {"billing": 3, "ro": 1},
        "ro",
    )
    assert session.outcome is ContactOutcome.QUEUED

    router = _router()
    routed = router.enqueue("call-1", action, now=T0 + timedelta(seconds=1))
    view = router.contact("call-1")
    assert view.queue == "billing"
    assert view.priority == 7
    (record,) = (c for c in router.snapshot().contacts if c.contact_id == "call-1")
    assert dict(record.skills) == {"billing": 3, "ro": 1}
    assert view.language == "ro"
    assert [offer.agent_id for offer in routed.offers] == ["ana"]
    assert view.status is ContactStatus.OFFERED


def test_a_request_the_agent_cannot_serve_is_not_offered() -> None:
    """The hand-over keeps the skill levels: level 6 billing is beyond an agent at level 5."""
    router = _router()
    request = EnqueueContact("billing", skills={"billing": 6}, language="ro")
    routed = router.enqueue("call-2", request, now=T0)
    assert routed.offers == ()
    assert router.contact("call-2").status is ContactStatus.WAITING


def test_a_request_and_loose_arguments_together_are_refused() -> None:
    """Priority, skills or language given twice is a mistake; nothing changes."""
    router = _router()
    before = router.snapshot()
    with pytest.raises(InvalidInputError) as caught:
        router.enqueue("call-3", EnqueueContact("billing"), now=T0, priority=3)
    assert caught.value.field == "priority"
    assert router.snapshot() == before
