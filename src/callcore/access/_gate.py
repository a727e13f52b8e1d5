"""The gate: checks a principal's permission for one action on one object, and audits it.

Every gated call asks :meth:`Gate.check` before it changes anything and after
every other check passed, so that an *allowed* audit event means the action
happened. The gate hands each check, allowed or refused, to its audit sink as
an :class:`AccessChecked` event; a refusal then raises
:class:`AccessDeniedError` and the engine it guards is left exactly as it was.
The audit sink is the one thing a refused call changes: that is its purpose.
"""

from __future__ import annotations

from datetime import datetime
from typing import ClassVar, Protocol

import attrs

from callcore.access._roles import AccessPolicy, Principal
from callcore.checks import check_instant, check_text, shown
from callcore.errors import InvalidInputError, PermissionDeniedError
from callcore.events import Event

__all__ = ["AccessChecked", "AccessDeniedError", "AuditSink", "AuditTrail", "Gate"]


@attrs.frozen(kw_only=True)
class AccessChecked(Event):
    """A gated action was asked for: who, what permission, on what, and the answer.

    Attributes:
        actor: The principal's id (for a caller that gave no principal, what it gave).
        roles: The principal's roles (empty when no principal was given).
        permission: The permission the action needs.
        target: The object acted on, as ``kind:id`` (``ticket:T-1``).
        allowed: Whether the action was allowed.
        reason: Why it was refused (empty when allowed).
    """

    kind: ClassVar[str] = "access.checked"

    actor: str
    roles: frozenset[str]
    permission: str
    target: str
    allowed: bool
    reason: str = ""


class AccessDeniedError(PermissionDeniedError):
    """A principal may not do what it asked; nothing changed.

    A :class:`~callcore.errors.PermissionDeniedError` (so a ``PermissionError``)
    that also names the permission and the object.

    Attributes:
        actor: Who tried (the principal's id).
        action: The permission and the object (``tickets.reassign on ticket:T-1``).
        permission: The permission that was missing.
        target: The object acted on (``ticket:T-1``).
        event: The refusal's audit event.
    """

    def __init__(self, event: AccessChecked) -> None:
        """Build the error from the refusal's audit event."""
        super().__init__(event.actor, f"{event.permission} on {event.target}", event.reason)
        self.permission = event.permission
        self.target = event.target
        self.event = event


class AuditSink(Protocol):
    """Where a gate sends its audit events (typing only)."""

    def record(self, event: AccessChecked) -> None:
        """Keep (or forward) one audit event."""
        ...


@attrs.define
class AuditTrail:
    """An audit sink that keeps the events in memory until the host takes them.

    Attributes:
        events: The events not taken yet, oldest first.
    """

    events: list[AccessChecked] = attrs.Factory(list)

    def record(self, event: AccessChecked) -> None:
        """Keep ``event``."""
        self.events.append(event)

    def drain(self) -> tuple[AccessChecked, ...]:
        """Return the events kept so far, oldest first, and forget them."""
        taken = tuple(self.events)
        self.events.clear()
        return taken


@attrs.define
class Gate:
    """Checks permissions against an :class:`AccessPolicy` and audits every check.

    Args:
        policy: The role table (default: the built-in roles).
        audit: Where audit events go (default: an in-memory :class:`AuditTrail`).
    """

    policy: AccessPolicy = attrs.Factory(AccessPolicy)
    audit: AuditSink = attrs.Factory(AuditTrail)

    def check(self, by: object, permission: str, target: str, *, now: datetime) -> AccessChecked:
        """Allow or refuse ``by`` doing what ``permission`` guards to ``target``; audit it.

        Args:
            by: Who asks: a :class:`Principal`. Anything else (a bare string,
                a ticket ``Actor``) is refused as not authenticated.
            permission: The permission the action needs.
            target: The object, as ``kind:id``.
            now: When.

        Returns:
            The audit event of the allowed action.

        Raises:
            AccessDeniedError: The principal's roles do not grant ``permission``
                or ``by`` is not a principal (the refusal was audited).
            InvalidInputError: ``permission`` or ``target`` is not text, or ``now``
                is not an aware instant (nothing audited).
        """
        check_text(permission, "permission")
        check_text(target, "target")
        check_instant(now, "now")
        if isinstance(by, Principal):
            allowed = self.policy.allows(by, permission)
            reason = "" if allowed else self._missing(by, permission)
            event = AccessChecked(
                at=now,
                actor=by.id,
                roles=by.roles,
                permission=permission,
                target=target,
                allowed=allowed,
                reason=reason,
            )
        else:
            event = AccessChecked(
                at=now,
                actor=_claimed_id(by),
                roles=frozenset(),
                permission=permission,
                target=target,
                allowed=False,
                reason=(
                    f"{shown(by)} is not an authenticated Principal; build one with "
                    "AccessPolicy.principal after the host has checked who is calling"
                ),
            )
        self.audit.record(event)
        if not event.allowed:
            raise AccessDeniedError(event)
        return event

    def _missing(self, principal: Principal, permission: str) -> str:
        granted = sorted(principal.roles & self.policy.roles.keys())
        if not granted:
            return f"no known role grants {permission!r} (roles: none known)"
        return f"role(s) {', '.join(granted)} do not grant {permission!r}"


def _claimed_id(by: object) -> str:
    """The id a caller that gave no principal claimed, for the audit event."""
    claimed = getattr(by, "id", by)
    if isinstance(claimed, str) and claimed:
        try:
            return check_text(claimed, "by", max_length=200)
        except InvalidInputError:
            pass
    return "<unauthenticated>"
