"""Roles as data, principals, and the gate's answers and audit events."""

from __future__ import annotations

import itertools
from datetime import datetime, timezone

import pytest

from callcore.access import (
    BUILTIN_ROLES,
    PERMISSIONS,
    AccessDeniedError,
    AccessPolicy,
    AuditTrail,
    Gate,
    Permission,
    Principal,
    Role,
)
from callcore.contacts import Channel
from callcore.errors import InvalidInputError, NaiveDatetimeError, PermissionDeniedError
from callcore.tickets import Actor, TicketEngine

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=timezone.utc)


def test_the_builtin_roles_are_the_four_of_the_issue() -> None:
    """Representative, specialist, supervisor and manager, in that order."""
    assert [role.name for role in BUILTIN_ROLES] == [
        "representative",
        "specialist",
        "supervisor",
        "manager",
    ]
    assert set(AccessPolicy().roles) == {role.name for role in BUILTIN_ROLES}


def test_each_role_grants_more_than_the_one_below() -> None:
    """Grants grow up the ladder; the manager holds every built-in permission."""
    grants = [role.grants for role in BUILTIN_ROLES]
    assert all(low < high for low, high in itertools.pairwise(grants))
    assert grants[-1] == frozenset(PERMISSIONS)
    assert len(PERMISSIONS) == 14  # the issue's gates, counted by hand


def test_a_host_adds_a_role_with_a_permission_of_its_own() -> None:
    """A custom role may grant built-in and host-defined permissions."""
    analyst = Role("quality_analyst", frozenset({Permission.LISTEN_RECORDINGS, "qa.score"}))
    policy = AccessPolicy().with_roles(analyst)
    who = policy.principal("qa1", ["quality_analyst"])
    assert policy.allows(who, "qa.score")
    assert policy.allows(who, Permission.LISTEN_RECORDINGS)
    assert not policy.allows(who, Permission.BARGE)
    assert policy.permissions_of(who) == {"qa.score", "recordings.listen"}
    assert "quality_analyst" not in AccessPolicy().roles  # the first table is unchanged


def test_a_role_name_is_not_redefined() -> None:
    """Adding a role under a taken name is refused: a host cannot quietly widen 'manager'."""
    with pytest.raises(InvalidInputError, match="'supervisor' exists already"):
        AccessPolicy().with_roles(Role("supervisor", frozenset({"config.flows"})))


@pytest.mark.parametrize(
    ("name", "grants"),
    [
        ("Supervisor", frozenset()),
        ("", frozenset()),
        ("a b", frozenset()),
        ("ok", frozenset({"A"})),
    ],
)
def test_malformed_role_names_and_permissions_are_refused(
    name: str, grants: frozenset[str]
) -> None:
    """Names are lower-case dotted words."""
    with pytest.raises(InvalidInputError):
        Role(name, grants)


def test_a_principal_has_known_roles_only() -> None:
    """The policy refuses to make a principal with a role it does not have."""
    with pytest.raises(InvalidInputError, match="unknown role"):
        AccessPolicy().principal("ana", ["admin"])
    with pytest.raises(InvalidInputError, match="id must not be empty"):
        AccessPolicy().principal("", ["manager"])
    with pytest.raises(InvalidInputError, match="must be a set, list or tuple"):
        AccessPolicy().principal("ana", "manager")


def test_a_refusal_names_actor_permission_and_object_and_is_audited() -> None:
    """The error is a PermissionDeniedError and a PermissionError; the trail keeps the refusal."""
    trail = AuditTrail()
    gate = Gate(audit=trail)
    rep = gate.policy.principal("ana", ["representative"])
    with pytest.raises(AccessDeniedError) as info:
        gate.check(rep, Permission.BARGE, "contact:k1", now=NOW)
    error = info.value
    assert isinstance(error, PermissionDeniedError)
    assert isinstance(error, PermissionError)
    assert (error.actor, error.permission, error.target) == ("ana", "calls.barge", "contact:k1")
    assert str(error) == (
        "'ana' may not calls.barge on contact:k1: role(s) representative do not grant 'calls.barge'"
    )
    (event,) = trail.drain()
    assert (event.actor, event.allowed, event.roles) == (
        "ana",
        False,
        frozenset({"representative"}),
    )
    assert event.kind == "access.checked"


def test_an_allowed_check_is_audited_too() -> None:
    """Allowed checks are audit events as well."""
    gate = Gate()
    boss = gate.policy.principal("meg", ["manager"])
    event = gate.check(boss, Permission.ERASE_CUSTOMER, "customer:c1", now=NOW)
    assert event.allowed
    assert isinstance(gate.audit, AuditTrail)
    assert gate.audit.events == [event]


@pytest.mark.parametrize(
    "caller", ["meg", Actor("meg", frozenset({"manager"})), None, 42, {"id": "meg"}]
)
def test_anything_but_a_principal_is_unauthenticated(caller: object) -> None:
    """A string or a ticket Actor claiming 'manager' is refused, and the attempt audited."""
    gate = Gate()
    with pytest.raises(AccessDeniedError, match="not an authenticated Principal"):
        gate.check(caller, Permission.ERASE_CUSTOMER, "customer:c1", now=NOW)
    assert isinstance(gate.audit, AuditTrail)
    (event,) = gate.audit.events
    assert event.roles == frozenset()
    assert event.actor == (
        "meg" if caller in ("meg", Actor("meg", frozenset({"manager"}))) else "<unauthenticated>"
    )


def test_a_principal_with_an_unknown_role_gets_nothing_from_it() -> None:
    """A principal built by hand with a role the table lacks holds no permission through it."""
    gate = Gate()
    with pytest.raises(AccessDeniedError, match="no known role"):
        gate.check(Principal("x", frozenset({"root"})), "config.flows", "flow:main", now=NOW)


def test_bad_arguments_to_the_gate_audit_nothing() -> None:
    """A naive time or an empty target is a caller's mistake, not an access attempt."""
    gate = Gate()
    boss = gate.policy.principal("meg", ["manager"])
    with pytest.raises(NaiveDatetimeError):
        gate.check(boss, "config.flows", "flow:main", now=NOW.replace(tzinfo=None))
    with pytest.raises(InvalidInputError, match="target"):
        gate.check(boss, "config.flows", "", now=NOW)
    assert isinstance(gate.audit, AuditTrail)
    assert gate.audit.events == []


def test_the_ticket_engine_refuses_an_access_that_is_not_a_gate() -> None:
    """``access`` is checked where it enters."""
    with pytest.raises(InvalidInputError, match="access must be a Gate"):
        TicketEngine(access="yes")  # type: ignore[arg-type]


def test_taking_an_unassigned_ticket_for_oneself_is_no_reassignment() -> None:
    """A representative picks up an unassigned ticket; handing it on needs a supervisor."""
    gate = Gate()
    engine = TicketEngine(access=gate)
    ana = gate.policy.principal("ana", ["representative"])
    ticket = engine.create(
        customer="c1", subject="s", channel=Channel.EMAIL, by=Actor("ana"), now=NOW
    ).ticket
    update = engine.update(ticket, by=ana, now=NOW, assignee="ana")
    assert ticket.assignee == "ana"
    assert not any(event.kind == "access.checked" for event in update.events)
    with pytest.raises(AccessDeniedError):
        engine.update(ticket, by=ana, now=NOW, assignee="bob")
    assert ticket.assignee == "ana"
    sup = gate.policy.principal("sam", ["supervisor"])
    engine.update(ticket, by=sup, now=NOW, assignee="bob")
    assert ticket.assignee == "bob"
    assert ticket.history[-1].by == "sam"


def test_without_a_gate_the_engine_trusts_every_caller_as_before() -> None:
    """No gate: a bare Actor reassigns and escalates, as in earlier versions."""
    engine = TicketEngine()
    ticket = engine.create(
        customer="c1", subject="s", channel=Channel.EMAIL, by=Actor("ana"), now=NOW
    ).ticket
    engine.update(ticket, by=Actor("ana"), now=NOW, assignee="bob")
    engine.escalate(ticket, by=Actor("ana"), now=NOW, reason="hard")
    assert (ticket.assignee, engine.tier_rank(ticket.tier)) == (None, 1)
