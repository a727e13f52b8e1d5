"""Roles, permissions and the gate that checks them: who may do what, audited.

A host authenticates its users, turns each into a :class:`Principal` with
:meth:`AccessPolicy.principal`, and passes it as ``by`` to gated calls. The
engines and the centre ask their :class:`Gate` (when the host gave them one)
before changing anything; every check, allowed or refused, goes to the gate's
audit sink as an :class:`AccessChecked` event, and a refusal raises
:class:`AccessDeniedError` (a :class:`~callcore.errors.PermissionDeniedError`)
naming the actor, the permission and the object, with nothing changed.
"""

from callcore.access._gate import AccessChecked, AccessDeniedError, AuditSink, AuditTrail, Gate
from callcore.access._roles import (
    BUILTIN_ROLES,
    PERMISSIONS,
    AccessPolicy,
    Permission,
    Principal,
    Role,
)

__all__ = [
    "BUILTIN_ROLES",
    "PERMISSIONS",
    "AccessChecked",
    "AccessDeniedError",
    "AccessPolicy",
    "AuditSink",
    "AuditTrail",
    "Gate",
    "Permission",
    "Principal",
    "Role",
]
