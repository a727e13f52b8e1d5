"""Roles and permissions as data: which role may do what.

Theory of operation. A *permission* is a dotted name for one thing that needs
leave (``tickets.reassign``, ``calls.barge``). A :class:`Role` grants a set of
permissions; an :class:`AccessPolicy` is the table of roles a centre uses. The
four built-in roles follow the users' description of a contact centre: the
representative answers contacts, the specialist takes escalated work, the
supervisor watches calls and steers agents and tickets, the manager also
owns the configuration and the customers' data. A host adds roles of its own
(a quality analyst who only listens to recordings) with
:meth:`AccessPolicy.with_roles`.

Who asks is a :class:`Principal`: the id and roles of a user *the host has
authenticated* (its login, single sign-on or API key check), built through
:meth:`AccessPolicy.principal`, which refuses a role the table does not know.
callcore cannot check a password; what it does check is that a gated call is
given a principal at all, not a free-form string or a ticket
:class:`~callcore.tickets.Actor` whose roles the call site wrote.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from types import MappingProxyType
from typing import Any

import attrs

from callcore.checks import check_text
from callcore.errors import InvalidInputError

__all__ = [
    "BUILTIN_ROLES",
    "PERMISSIONS",
    "AccessPolicy",
    "Permission",
    "Principal",
    "Role",
]

_NAME = re.compile(r"[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)*")
_MAX_NAME = 100
_MAX_ROLES = 1_000


def _check_name(value: object, what: str) -> str:
    """A role or permission name: lower-case words joined by dots, at most 100 characters."""
    text = check_text(value, what, max_length=_MAX_NAME)
    if not _NAME.fullmatch(text):
        raise InvalidInputError(
            f"{what} must be lower-case letters, digits and '_' in dotted words "
            f"(such as 'tickets.reassign'), got {text!r}",
            field=what,
        )
    return text


def _names(value: object, what: str) -> frozenset[str]:
    if isinstance(value, str | bytes | Mapping) or not isinstance(value, Iterable):
        raise InvalidInputError(
            f"{what} must be a set, list or tuple of names, got {type(value).__name__}",
            field=what,
        )
    items = list(value)
    if len(items) > _MAX_ROLES:
        raise InvalidInputError(f"{what} has more than {_MAX_ROLES} names", field=what)
    return frozenset(_check_name(item, f"{what} item") for item in items)


def _names_validator(_: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if not isinstance(value, frozenset):
        raise InvalidInputError(
            f"{attribute.name} must be a frozenset of names, got {type(value).__name__}",
            field=attribute.name,
        )
    _names(value, attribute.name)


def _name_validator(_: object, attribute: attrs.Attribute[Any], value: object) -> None:
    _check_name(value, attribute.name)


class Permission:
    """The built-in permissions: each gate of callcore checks one of them."""

    LISTEN_RECORDINGS = "recordings.listen"
    """Listen to (or download) a call recording."""
    MONITOR_CALLS = "calls.monitor"
    """Listen to a live call, unheard by either party."""
    WHISPER = "calls.whisper"
    """Speak to the agent of a live call, unheard by the customer."""
    BARGE = "calls.barge"
    """Join a live call, heard by both parties."""
    EXPORT_CUSTOMER = "customers.export"
    """Export everything held about a customer (a data subject's access request)."""
    ERASE_CUSTOMER = "customers.erase"
    """Erase or anonymise a customer's data (a data subject's erasure request)."""
    CHANGE_FLOWS = "config.flows"
    """Change the IVR flows."""
    CHANGE_QUEUES = "config.queues"
    """Change the queues."""
    CHANGE_WORKFLOWS = "config.workflows"
    """Change the ticket workflows."""
    CHANGE_SLA_POLICIES = "config.sla_policies"
    """Change the SLA policies."""
    REASSIGN_TICKETS = "tickets.reassign"
    """Give a ticket to another agent or queue."""
    ESCALATE_TICKETS = "tickets.escalate"
    """Move a ticket up a tier."""
    DE_ESCALATE_TICKETS = "tickets.de_escalate"
    """Move a ticket back down a tier."""
    OVERRIDE_AGENT_STATE = "agents.override_state"
    """Set another agent's state (ready, not ready, logged out)."""


PERMISSIONS: tuple[str, ...] = tuple(
    value for name, value in vars(Permission).items() if name.isupper()
)
"""Every built-in permission, in the order :class:`Permission` lists them."""


@attrs.frozen
class Role:
    """A named set of permissions.

    Attributes:
        name: The role's name (``"supervisor"``): lower-case dotted words.
        grants: The permissions it grants: built-in ones (:class:`Permission`)
            or a host's own, by name.
        description: What the role is for, for people.
    """

    name: str = attrs.field(validator=_name_validator)
    grants: frozenset[str] = attrs.field(validator=_names_validator)
    description: str = attrs.field(default="", validator=attrs.validators.instance_of(str))


@attrs.frozen
class Principal:
    """A user the host has authenticated, as callcore's gates see them.

    Build one with :meth:`AccessPolicy.principal` once the host has checked
    who is calling; hand it to every gated call as ``by``.

    Attributes:
        id: The user's id (an agent id for agents), recorded in audit events.
        roles: The roles the host gave the user.
    """

    id: str = attrs.field(validator=attrs.validators.instance_of(str))
    roles: frozenset[str] = attrs.field(validator=_names_validator)

    def __attrs_post_init__(self) -> None:
        """Refuse an empty or malformed id."""
        check_text(self.id, "id")


_S = Permission
BUILTIN_ROLES: tuple[Role, ...] = (
    Role(
        "representative",
        frozenset({_S.ESCALATE_TICKETS}),
        "Answers contacts; may pass a ticket up to the next tier.",
    ),
    Role(
        "specialist",
        frozenset({_S.ESCALATE_TICKETS, _S.DE_ESCALATE_TICKETS}),
        "Takes escalated work; may pass a ticket up or back down.",
    ),
    Role(
        "supervisor",
        frozenset(
            {
                _S.LISTEN_RECORDINGS,
                _S.MONITOR_CALLS,
                _S.WHISPER,
                _S.BARGE,
                _S.REASSIGN_TICKETS,
                _S.ESCALATE_TICKETS,
                _S.DE_ESCALATE_TICKETS,
                _S.OVERRIDE_AGENT_STATE,
            }
        ),
        "Watches and coaches live calls, steers agents and tickets.",
    ),
    Role(
        "manager",
        frozenset(PERMISSIONS),
        "A supervisor who also owns the configuration and the customers' data.",
    ),
)
"""The built-in roles: representative, specialist, supervisor, manager."""


def _read_only(roles: Mapping[str, Role]) -> Mapping[str, Role]:
    if not isinstance(roles, Mapping):
        raise InvalidInputError(
            f"roles must be a mapping of names to roles, got {type(roles).__name__}",
            field="roles",
        )
    return MappingProxyType(dict(roles))


@attrs.frozen
class AccessPolicy:
    """The table of roles: which role grants which permission.

    The default table holds :data:`BUILTIN_ROLES`.

    Attributes:
        roles: The roles by name (read-only).
    """

    roles: Mapping[str, Role] = attrs.field(
        factory=lambda: {role.name: role for role in BUILTIN_ROLES}, converter=_read_only
    )

    def __attrs_post_init__(self) -> None:
        """Refuse a table whose keys are not its roles' names."""
        for key, role in self.roles.items():
            found: object = role
            if not isinstance(found, Role) or found.name != key:
                raise InvalidInputError(
                    f"roles[{key!r}] must be a Role named {key!r}", field=f"roles.{key}"
                )

    def with_roles(self, *roles: Role) -> AccessPolicy:
        """Return a table with ``roles`` added to this one's.

        Raises:
            InvalidInputError: A role is not a :class:`Role`, or its name is
                taken (built-in roles are not redefined: add a role of your own).
        """
        added = dict(self.roles)
        for index, role in enumerate(roles):
            if not isinstance(role, Role):
                raise InvalidInputError(
                    f"roles[{index}] must be a Role, got {type(role).__name__}",
                    field=f"roles[{index}]",
                )
            if role.name in added:
                raise InvalidInputError(
                    f"a role named {role.name!r} exists already", field=f"roles[{index}]"
                )
            added[role.name] = role
        return AccessPolicy(added)

    def principal(self, id: str, roles: Iterable[str]) -> Principal:  # noqa: A002 - the user's id
        """Return the principal of a user the host has authenticated.

        Args:
            id: The user's id.
            roles: The user's roles: names in this table.

        Raises:
            InvalidInputError: An empty id, or a role the table does not have.
        """
        names = _names(roles, "roles")
        unknown = sorted(names - self.roles.keys())
        if unknown:
            raise InvalidInputError(
                f"unknown role(s) {', '.join(map(repr, unknown))}; roles: "
                f"{', '.join(sorted(self.roles))}",
                field="roles",
            )
        return Principal(check_text(id, "id"), names)

    def permissions_of(self, principal: Principal) -> frozenset[str]:
        """Return every permission that ``principal``'s roles grant (unknown roles grant none)."""
        return frozenset().union(
            *(self.roles[name].grants for name in principal.roles if name in self.roles)
        )

    def allows(self, principal: Principal, permission: str) -> bool:
        """Tell whether one of ``principal``'s roles grants ``permission``."""
        return any(
            permission in self.roles[name].grants for name in principal.roles if name in self.roles
        )
