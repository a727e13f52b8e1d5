"""The ticket: its fields, its history of changes and the people who change it."""

from __future__ import annotations

import enum
from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta
from typing import ClassVar, TypeAlias, overload

import attrs

from callcore.checks import (
    EARLIEST,
    LATEST,
    check_count,
    check_duration,
    check_instant,
    check_number,
    check_text,
    validator,
)
from callcore.contacts import STANDARD_TIER, Channel, CustomerTier, check_tier
from callcore.errors import DocumentError, InvalidInputError, Problem
from callcore.events import Event
from callcore.serialization import converter
from callcore.tickets._checks import (
    MAX_SLA_TARGET,
    check_field_value,
    check_optional_text,
    names_field,
    text_field,
)

__all__ = [
    "SYSTEM",
    "Actor",
    "Change",
    "FieldValue",
    "History",
    "Link",
    "Priority",
    "SlaClock",
    "SurveyAnswer",
    "Ticket",
]

FieldValue: TypeAlias = str | int | float | bool | None
"""A value a custom field (or a history entry) may hold: plain JSON scalars."""


def _structure_field_value(value: object, _: object) -> FieldValue:
    if value is None or isinstance(value, str | int | float | bool):
        return value
    raise TypeError(f"expected a string, number, true, false or null, got {type(value).__name__}")


converter.register_structure_hook(FieldValue, _structure_field_value)


class Priority(enum.Enum):
    """How urgent a ticket is; ordered from low to urgent."""

    LOW = "low"
    NORMAL = "normal"
    HIGH = "high"
    URGENT = "urgent"

    @property
    def rank(self) -> int:
        """Return 0 for low up to 3 for urgent."""
        return _RANKS[self]


_RANKS = {priority: rank for rank, priority in enumerate(Priority)}


@attrs.frozen
class Actor:
    """Who does something to a ticket.

    Attributes:
        id: The agent's, customer's or system's id, recorded in the history.
        roles: What the actor is allowed to be (``"agent"``, ``"supervisor"``,
            ``"customer"``, ``"system"``); guards check them.
    """

    id: str = attrs.field(validator=text_field())
    roles: frozenset[str] = attrs.field(default=frozenset(), validator=names_field)

    def has_role(self, *roles: str) -> bool:
        """Tell whether the actor holds any of ``roles``."""
        return not self.roles.isdisjoint(roles)


SYSTEM = Actor("system", frozenset({"system"}))
"""The actor of automatic changes (auto-close, SLA escalation, follow-ups)."""


@attrs.frozen
class Link:
    """A reference from a ticket to something else (a contact, an interaction).

    Attributes:
        kind: What is linked (``"contact"``, ``"interaction"``, ``"ticket"``).
        id: Its id.
    """

    kind: str = attrs.field(validator=text_field())
    id: str = attrs.field(validator=text_field())


@attrs.frozen
class SurveyAnswer:
    """A customer's satisfaction answer.

    Attributes:
        score: CSAT from 1 (very unsatisfied) to 5 (very satisfied).
        at: When it was given.
        comment: Free text, possibly empty.
    """

    score: int = attrs.field(validator=validator(check_count, low=1, high=5))
    at: datetime = attrs.field(validator=validator(check_instant))
    comment: str = attrs.field(default="", validator=text_field(allow_empty=True))


@attrs.frozen(kw_only=True)
class Change(Event):
    """One entry of a ticket's history, which is also a domain event.

    Attributes:
        ticket_id: The ticket changed.
        by: Who changed it (an actor id).
        action: What was done: a transition name, ``"created"``, ``"set"``,
            ``"escalate"``, ``"reply"``, ``"consult"``, ``"survey"``...
        field: Which field changed (``"state"``, ``"priority"``, ``"tier"``...),
            empty when nothing but the record itself changed (a consult).
        old: The value before.
        new: The value after.
        reason: Why (the note, the escalation reason, the rule that fired).
    """

    kind: ClassVar[str] = "ticket.changed"

    ticket_id: str
    by: str
    action: str
    field: str = ""
    old: FieldValue = None
    new: FieldValue = None
    reason: str = ""


_Stored: TypeAlias = FieldValue | datetime
"""A history value as stored: a datetime stands for its ``isoformat()`` text."""
_Row: TypeAlias = tuple[datetime, str, str, str, str, _Stored, _Stored, str]


def _text(value: _Stored) -> FieldValue:
    return value.isoformat() if isinstance(value, datetime) else value


class History(Sequence[Change]):
    """A ticket's history: an append-only sequence of :class:`Change` entries.

    Entries are kept as plain tuples and turned into :class:`Change` objects
    the first time they are read, because a ticket records far more changes
    than anyone reads one by one (building a frozen event per transition would
    cost more than the transition itself). For the same reason a datetime
    value (a follow-up's due time) may be stored as it is and written as its
    ``isoformat()`` text when read. There is no way to remove or alter an entry.
    """

    __slots__ = ("_made", "_rows")

    def __init__(self, entries: Iterable[Change] = ()) -> None:
        """Start a history with ``entries``, oldest first."""
        self._made: list[Change] = list(entries)
        self._rows: list[_Row] = (
            [(c.at, c.ticket_id, c.by, c.action, c.field, c.old, c.new, c.reason) for c in made]
            if (made := self._made)
            else []  # a new ticket's history: skip building the comprehension
        )

    def record(  # noqa: PLR0917 - the fields of a Change, in order, on a hot path
        self,
        at: datetime,
        ticket_id: str,
        by: str,
        action: str,
        field: str = "",
        old: _Stored = None,
        new: _Stored = None,
        reason: str = "",
    ) -> int:
        """Append one entry and return the new length (``at`` must already be aware).

        A datetime ``old`` or ``new`` is kept as is and read back as its ISO text.
        """
        rows = self._rows
        rows.append((at, ticket_id, by, action, field, old, new, reason))
        return len(rows)

    def _entries(self) -> list[Change]:
        made = self._made
        for at, ticket_id, by, action, field, old, new, reason in self._rows[len(made) :]:
            made.append(
                Change(
                    at=at, ticket_id=ticket_id, by=by, action=action, field=field,
                    old=_text(old), new=_text(new), reason=reason,
                )
            )  # fmt: skip
        return made

    @overload
    def __getitem__(self, index: int) -> Change: ...

    @overload
    def __getitem__(self, index: slice) -> list[Change]: ...

    def __getitem__(self, index: int | slice) -> Change | list[Change]:
        """Return one entry, or a list of entries for a slice."""
        return self._entries()[index]

    def __len__(self) -> int:
        """Return the number of entries."""
        return len(self._rows)

    def __eq__(self, other: object) -> bool:
        """Compare entries with another history or a sequence of changes."""
        if isinstance(other, History):
            # not the rows: equal datetimes in two zones are written differently
            return len(self._rows) == len(other._rows) and self._entries() == other._entries()
        if isinstance(other, Sequence):
            return self._entries() == list(other)
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]  # mutable, so unhashable

    def __repr__(self) -> str:
        """Show the entries."""
        return f"History({self._entries()!r})"

    def copy(self) -> History:
        """Return an independent copy with the same entries."""
        twin = History()
        twin._made = list(self._made)
        twin._rows = list(self._rows)
        return twin


converter.register_unstructure_hook(
    History, lambda history: [converter.unstructure(entry, Change) for entry in history]
)
converter.register_structure_hook(
    History, lambda data, _: History(converter.structure(data, list[Change]))
)


@attrs.define(kw_only=True)
class SlaClock:
    """One SLA target's clock on one ticket (first response, next response, resolution).

    Elapsed time is kept as the time accrued up to :attr:`since` plus, while
    the clock runs, the business time from :attr:`since` to now. The engine
    brings a running clock up to date at each call (``since`` moves to that
    call's ``now``), so that no question walks the calendar far.

    Attributes:
        metric: The target's metric name.
        goal: The target, in business (or calendar) time.
        elapsed: Time accrued before :attr:`since`.
        since: Since when the running clock has counted beyond :attr:`elapsed`
            (the start of its running stretch, or the last call that brought
            it up to date); ``None`` while paused or stopped.
        stopped: The target was met (or the ticket closed); the clock is done.
        cycle: For next-response targets, which reply cycle this is (from 1).
        warned: The warning fractions already reported in this cycle.
        breached: The breach of this cycle was reported.
    """

    metric: str
    goal: timedelta
    elapsed: timedelta = timedelta(0)
    since: datetime | None = None
    stopped: bool = False
    cycle: int = 1
    warned: tuple[float, ...] = ()
    breached: bool = False


@attrs.define(kw_only=True)
class Ticket:
    """A piece of work for the contact centre, with its whole history.

    Tickets are engine state: the :class:`~callcore.tickets.TicketEngine`
    changes them in place, validating first, and appends to :attr:`history`
    a :class:`Change` for every field it changes. :attr:`version` counts the
    saves a store has accepted, for optimistic concurrency.

    Attributes:
        id: Unique id (from the caller or the engine's id factory).
        subject: A one-line summary.
        channel: Where the contact that started it came from.
        customer: The customer's id.
        customer_tier: The customer's tier: a tier name (``"standard"``, ``"vip"``
            or a host's own, such as ``"gold"``; see :func:`callcore.contacts.check_tier`).
        workflow: The name of its workflow.
        state: Its current workflow state.
        priority: How urgent it is.
        tier: The name of its escalation tier.
        assignee: The agent working on it, if any.
        queue: The queue or group it sits in, if any.
        tags: Labels.
        fields: Custom fields.
        links: Contacts, interactions and tickets it refers to.
        created_at: When it was created.
        first_response_at: When an agent first replied.
        resolved_at: When it last entered a resolved state.
        follow_up_due: When the pending follow-up is due, if one is scheduled.
        reopen_count: How many times it went from resolved or closed back to work.
        survey: The customer's satisfaction answer, once given.
        sla_policy: The name of the SLA policy that applies, if any.
        sla: The SLA clocks, by metric name.
        fired_rules: Escalation rules that already fired (each fires once).
        next_due: When :meth:`TicketEngine.tick <callcore.tickets.TicketEngine.tick>`
            next has something to do (an SLA warning or breach, the follow-up,
            the auto-close), kept up to date by every engine call; stores index it.
        version: How many saves a store accepted (0 for a ticket never saved).
        history: Every change, oldest first; append-only.
    """

    id: str
    subject: str
    channel: Channel
    customer: str
    customer_tier: CustomerTier = STANDARD_TIER
    workflow: str
    state: str
    priority: Priority = Priority.NORMAL
    tier: str = ""
    assignee: str | None = None
    queue: str | None = None
    tags: frozenset[str] = frozenset()
    fields: dict[str, FieldValue] = attrs.Factory(dict)
    links: tuple[Link, ...] = ()
    created_at: datetime
    first_response_at: datetime | None = None
    resolved_at: datetime | None = None
    follow_up_due: datetime | None = None
    reopen_count: int = 0
    survey: SurveyAnswer | None = None
    sla_policy: str | None = None
    sla: dict[str, SlaClock] = attrs.Factory(dict)
    fired_rules: frozenset[str] = frozenset()
    next_due: datetime | None = None
    version: int = 0
    history: History = attrs.Factory(History)

    def copy(self) -> Ticket:
        """Return a copy that can change without changing this ticket (stores use it)."""
        return attrs.evolve(
            self,
            fields=dict(self.fields),
            sla={name: attrs.evolve(clock) for name, clock in self.sla.items()},
            history=self.history.copy(),
        )


# --- reading a ticket back ----------------------------------------------------------
# A ticket read from a store or a snapshot is checked like one the engine made:
# the same limits on every value, so the engine can never trip over it later.

_METRICS = ("first_response", "next_response", "resolution", "time_to_own")
_SPAN = LATEST - EARLIEST  # the longest time a clock can have counted


def _check(
    problems: list[Problem], path: str, check: object, value: object, **options: object
) -> None:
    try:
        check(value, path, **options)  # type: ignore[operator]  # one of the callcore.checks
    except InvalidInputError as exc:
        problems.append(Problem(path, str(exc)))


def _clock_problems(path: str, name: str, clock: SlaClock) -> list[Problem]:
    problems: list[Problem] = []
    if name not in _METRICS or clock.metric != name:
        problems.append(
            Problem(f"{path}.metric", f"expected {name!r}, one of {', '.join(_METRICS)}")
        )
    _check(
        problems, f"{path}.goal", check_duration, clock.goal, positive=True, maximum=MAX_SLA_TARGET
    )
    _check(problems, f"{path}.elapsed", check_duration, clock.elapsed, maximum=_SPAN)
    if clock.since is not None:
        _check(problems, f"{path}.since", check_instant, clock.since)
    _check(problems, f"{path}.cycle", check_count, clock.cycle, low=1)
    for index, fraction in enumerate(clock.warned):
        _check(
            problems,
            f"{path}.warned[{index}]",
            check_number,
            fraction,
            low=0,
            high=1,
            low_open=True,
            high_open=True,
        )
    return problems


def _history_problems(history: History) -> list[Problem]:
    problems: list[Problem] = []
    for index, change in enumerate(history):
        path = f"history[{index}]"
        _check(problems, f"{path}.at", check_instant, change.at)
        for name in ("ticket_id", "by", "action"):
            _check(problems, f"{path}.{name}", check_text, getattr(change, name))
        for name in ("field", "reason"):
            _check(problems, f"{path}.{name}", check_text, getattr(change, name), allow_empty=True)
        for name in ("old", "new"):
            _check(problems, f"{path}.{name}", check_field_value, getattr(change, name))
    return problems


def ticket_problems(ticket: Ticket) -> list[Problem]:
    """Find every value of a ticket that the engine would not have accepted.

    Types are checked as the ticket is read; this checks the limits: texts,
    instants in range, counts, custom field values, clocks and history.
    """
    problems: list[Problem] = []
    for name in ("id", "customer", "workflow", "state"):
        _check(problems, name, check_text, getattr(ticket, name))
    _check(problems, "customer_tier", check_tier, ticket.customer_tier)
    for name in ("subject", "tier"):
        _check(problems, name, check_text, getattr(ticket, name), allow_empty=True)
    for name in ("assignee", "queue", "sla_policy"):
        _check(problems, name, check_optional_text, getattr(ticket, name))
    for name in ("tags", "fired_rules"):
        for value in sorted(getattr(ticket, name)):
            _check(problems, name, check_text, value)
    for key, value in ticket.fields.items():
        _check(problems, "fields", check_text, key)
        _check(problems, f"fields.{key}", check_field_value, value)
    for name in ("created_at", "first_response_at", "resolved_at", "follow_up_due", "next_due"):
        if (value := getattr(ticket, name)) is not None or name == "created_at":
            _check(problems, name, check_instant, value)
    _check(problems, "reopen_count", check_count, ticket.reopen_count)
    _check(problems, "version", check_count, ticket.version)
    for name, clock in ticket.sla.items():
        problems.extend(_clock_problems(f"sla.{name}", name, clock))
    problems.extend(_history_problems(ticket.history))
    return problems


_structure_ticket_fields = converter.get_structure_hook(Ticket)


def _structure_ticket(data: object, kind: type) -> Ticket:
    ticket: Ticket = _structure_ticket_fields(data, kind)
    problems = ticket_problems(ticket)
    if problems:
        raise DocumentError(problems, f"ticket {ticket.id!r}")
    return ticket


converter.register_structure_hook(Ticket, _structure_ticket)
