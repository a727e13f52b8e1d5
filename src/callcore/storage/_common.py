"""What the built-in stores share: argument checks, the errors they raise, closing.

Both stores raise the same errors with the same messages, so that equal
operations give equal results whichever store a host uses. Every public method
checks all its arguments before it reads or writes anything, so a refused call
changes nothing; and a ticket is checked field by field before it is stored, so
that a store never holds what it cannot read back.
"""

from __future__ import annotations

import abc
from collections.abc import Mapping
from datetime import datetime, timedelta, timezone
from typing import TYPE_CHECKING, TypeVar

import attrs

from callcore.checks import (
    MAX_PLAIN_INT,
    MAX_TEXT,
    check_count,
    check_duration,
    check_enum,
    check_instant,
    check_number,
    check_text,
)
from callcore.contacts import Channel, check_tier
from callcore.customers import MAX_HISTORY, Customer, Identity, Interaction
from callcore.errors import ConflictError, DocumentError, InvalidInputError, StorageError
from callcore.serialization import MAX_DOCUMENT_SIZE, dumps, loads
from callcore.tickets import History, Link, Priority, SlaClock, SurveyAnswer, Ticket

if TYPE_CHECKING:
    from types import TracebackType

    from typing_extensions import Self

T = TypeVar("T")

MAX_VERSION = 2**53 - 1
"""The highest version a store keeps (an exact number in any JSON reader)."""


class ClosedByWith(abc.ABC):
    """A store that a ``with`` block closes on the way out."""

    @abc.abstractmethod
    def close(self) -> None:
        """Close the store; later calls raise :class:`~callcore.errors.StorageError`."""

    def __enter__(self) -> Self:
        """Use the store in a ``with`` block that closes it."""
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        """Close the store."""
        self.close()


def check_limit(limit: object) -> int:
    """Refuse a history limit that is not a whole number from 0 to MAX_HISTORY."""
    if type(limit) is int and 0 <= limit <= MAX_HISTORY:
        return limit  # the usual case, without a call
    return check_count(limit, "limit", high=MAX_HISTORY)


def check_document(value: object) -> str:
    """Refuse a checkpoint document that is not text (it may be longer than a text field)."""
    if not isinstance(value, str):
        raise InvalidInputError(
            f"document must be JSON text, got {type(value).__name__}", field="document"
        )
    return value


def check_key(value: object, what: str) -> str:
    """Refuse an id or another lookup key that is not valid text."""
    if type(value) is str and value.isascii() and len(value) <= MAX_TEXT:
        return value  # the usual case, without a call
    return check_text(value, what, allow_empty=True)


def check_instance(value: object, kind: type[T], what: str) -> T:
    """Refuse a value that is not a ``kind``."""
    if not isinstance(value, kind):
        raise InvalidInputError(
            f"{what} must be a {kind.__name__}, got {type(value).__name__}", field=what
        )
    return value


def check_customer(customer: object) -> Customer:
    """Refuse a customer that is not a Customer (its constructor checked its fields)."""
    return check_instance(customer, Customer, "customer")


def check_identity(identity: object) -> Identity:
    """Refuse an identity that is not an Identity."""
    return check_instance(identity, Identity, "identity")


def check_interaction(interaction: object) -> Interaction:
    """Refuse an interaction that is not an Interaction."""
    return check_instance(interaction, Interaction, "interaction")


# --- tickets: engine state, mutable, so checked field by field ---------------------------


def _optional(check: object, value: object, what: str) -> None:
    if value is not None:
        check(value, what)  # type: ignore[operator]


def _text(value: object, what: str) -> None:
    check_text(value, what, allow_empty=True)


def _instant_or_none(value: object, what: str) -> None:
    if value is not None:
        check_instant(value, what)


def _count(value: object, what: str, *, low: int = 0) -> None:
    check_count(value, what, low=low, high=MAX_PLAIN_INT)


def _field_value(value: object, what: str) -> None:
    """A custom field's value: text, a finite number, a 64-bit integer, a bool or None."""
    if value is None or isinstance(value, bool):
        return
    if isinstance(value, str):
        check_text(value, what, allow_empty=True)
    elif isinstance(value, int):
        check_count(value, what, low=-MAX_PLAIN_INT - 1, high=MAX_PLAIN_INT)
    elif isinstance(value, float):
        check_number(value, what)
    else:
        raise InvalidInputError(
            f"{what} must be text, a number, a bool or None, got {type(value).__name__}",
            field=what,
        )


def _text_set(value: object, what: str) -> None:
    if not isinstance(value, set | frozenset):
        raise InvalidInputError(
            f"{what} must be a frozenset of strings, got {type(value).__name__}", field=what
        )
    for item in value:
        check_text(item, f"{what} item", allow_empty=True)


def _mapping(value: object, what: str) -> Mapping[object, object]:
    if not isinstance(value, dict):
        raise InvalidInputError(f"{what} must be a dict, got {type(value).__name__}", field=what)
    for key in value:
        check_text(key, f"{what} key", allow_empty=True)
    return value


def _check_clock(clock: object, what: str) -> None:
    check_instance(clock, SlaClock, what)
    assert isinstance(clock, SlaClock)  # noqa: S101 - for the type checker
    _text(clock.metric, f"{what}.metric")
    check_duration(clock.goal, f"{what}.goal")
    check_duration(clock.elapsed, f"{what}.elapsed")
    _instant_or_none(clock.since, f"{what}.since")
    check_instance(clock.stopped, bool, f"{what}.stopped")
    _count(clock.cycle, f"{what}.cycle")
    if not isinstance(clock.warned, tuple):
        raise InvalidInputError(f"{what}.warned must be a tuple", field=f"{what}.warned")
    for index, fraction in enumerate(clock.warned):
        check_number(fraction, f"{what}.warned[{index}]")
    check_instance(clock.breached, bool, f"{what}.breached")


def _check_history(history: object) -> None:
    check_instance(history, History, "ticket.history")
    assert isinstance(history, History)  # noqa: S101 - for the type checker
    try:
        entries = list(history)
    except InvalidInputError as exc:  # an entry whose time is not an aware datetime
        raise InvalidInputError(f"ticket.history: {exc}", field="ticket.history") from None
    for index, change in enumerate(entries):
        where = f"ticket.history[{index}]"
        check_instant(change.at, f"{where}.at")
        for name in ("ticket_id", "by", "action", "field", "reason"):
            _text(getattr(change, name), f"{where}.{name}")
        _field_value(change.old, f"{where}.old")
        _field_value(change.new, f"{where}.new")


def check_ticket(ticket: object) -> Ticket:
    """Refuse a ticket that the store could not write, or not read back as it is.

    Tickets are engine state that changes in place and checks nothing itself,
    so the store checks every field's type and range.

    Raises:
        InvalidInputError: A field has the wrong type or is out of range; the
            error names it (``ticket.customer_tier``).
    """
    check_instance(ticket, Ticket, "ticket")
    assert isinstance(ticket, Ticket)  # noqa: S101 - for the type checker
    # the same rule as the ticket loader (tickets' ticket_problems): names are never empty
    for name in ("id", "customer", "workflow", "state"):
        check_text(getattr(ticket, name), f"ticket.{name}")
    for name in ("subject", "tier"):
        _text(getattr(ticket, name), f"ticket.{name}")
    check_tier(ticket.customer_tier, "ticket.customer_tier")
    for name in ("assignee", "queue", "sla_policy"):
        _optional(_text, getattr(ticket, name), f"ticket.{name}")
    check_enum(ticket.channel, Channel, "ticket.channel")
    check_enum(ticket.priority, Priority, "ticket.priority")
    _text_set(ticket.tags, "ticket.tags")
    _text_set(ticket.fired_rules, "ticket.fired_rules")
    for key, value in _mapping(ticket.fields, "ticket.fields").items():
        _field_value(value, f"ticket.fields.{key}")
    if not isinstance(ticket.links, tuple):
        raise InvalidInputError("ticket.links must be a tuple of Link", field="ticket.links")
    for index, link in enumerate(ticket.links):
        check_instance(link, Link, f"ticket.links[{index}]")
        _text(link.kind, f"ticket.links[{index}].kind")
        _text(link.id, f"ticket.links[{index}].id")
    check_instant(ticket.created_at, "ticket.created_at")
    for name in ("first_response_at", "resolved_at", "follow_up_due", "next_due"):
        _instant_or_none(getattr(ticket, name), f"ticket.{name}")
    _count(ticket.reopen_count, "ticket.reopen_count")
    if ticket.survey is not None:
        check_instance(ticket.survey, SurveyAnswer, "ticket.survey")
        _count(ticket.survey.score, "ticket.survey.score", low=-MAX_PLAIN_INT - 1)
        check_instant(ticket.survey.at, "ticket.survey.at")
        _text(ticket.survey.comment, "ticket.survey.comment")
    for metric, clock in _mapping(ticket.sla, "ticket.sla").items():
        _check_clock(clock, f"ticket.sla.{metric}")
    check_count(ticket.version, "ticket.version", high=MAX_VERSION - 1)
    _check_history(ticket.history)
    return ticket


def identity_clash(identity: Identity, owner: str) -> ConflictError:
    """The error for an identity that already belongs to customer ``owner``."""
    return ConflictError(
        "customer",
        identity.value,
        reason=f"the {identity.kind.value} {identity.value} belongs to customer {owner!r}",
    )


def existing_id(customer_id: str) -> ConflictError:
    """The error for adding a customer whose id is taken."""
    return ConflictError("customer", customer_id, reason="a customer with this id exists")


def stale_write(customer: Customer, stored_version: int) -> ConflictError:
    """The error for saving a customer read at an older version."""
    return ConflictError(
        "customer",
        customer.id,
        expected_version=customer.version,
        actual_version=stored_version,
    )


def existing_ticket(ticket_id: str) -> ConflictError:
    """The error for adding a ticket whose id is taken."""
    return ConflictError("ticket", ticket_id, reason="a ticket with this id exists")


def stale_ticket(ticket: Ticket, stored_version: int) -> ConflictError:
    """The error for saving a ticket read at an older version."""
    return ConflictError(
        "ticket", ticket.id, expected_version=ticket.version, actual_version=stored_version
    )


@attrs.frozen
class Erasure:
    """What erasing (or anonymising) one customer's data removed from a store.

    Attributes:
        customer_id: Whose data it was.
        anonymised: Whether the customer was anonymised (a tombstone and the
            interactions' facts kept) rather than erased (everything gone).
        identities: How many phone numbers and addresses were removed.
        interactions: How many interactions were removed (erased) or
            stripped of their notes (anonymised).
        tickets: How many tickets were removed.
        files_clean: Whether the store could make sure no copy remains in its
            files (SQLite: the write-ahead log was checkpointed and truncated;
            ``False`` when another connection's open read kept it from that;
            erase again later, or checkpoint). Always ``False`` on
            PostgreSQL, whose ``VACUUM`` leaves reclaimed bytes in the pages:
            see ``PostgresStorage.rewrite_customer_tables``.
    """

    customer_id: str
    anonymised: bool
    identities: int
    interactions: int
    tickets: int
    files_clean: bool = True


def anonymised_customer(customer: Customer) -> Customer:
    """The tombstone an anonymised customer leaves: the id, when and tier; nothing personal."""
    return Customer(
        id=customer.id,
        created_at=customer.created_at,
        tier=customer.tier,
        version=customer.version,
    )


def anonymised_interaction(interaction: Interaction) -> Interaction:
    """An interaction without its free text (the notes may say anything about the person)."""
    return attrs.evolve(interaction, notes="")


def ticket_order(ticket: Ticket) -> tuple[int, str]:
    """How ticket queries sort: oldest first (by instant), then by id."""
    return (instant_key(ticket.created_at), ticket.id)


# --- rows of the SQL stores (SQLite and PostgreSQL) ------------------------------

_EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)
_MICROSECOND = timedelta(microseconds=1)


def instant_key(at: datetime) -> int:
    """Microseconds since the epoch: an exact sort key for aware datetimes."""
    return (at - _EPOCH) // _MICROSECOND


def identity_key(identity: Identity) -> str:
    """The text an identity is indexed under (kind and value)."""
    return f"{identity.kind.value}:{identity.value}"


def document_text(record: object, what: str) -> str:
    """The JSON document of ``record``, refused if it is too large to read back."""
    text = dumps(record)
    if len(text) > MAX_DOCUMENT_SIZE:
        raise InvalidInputError(
            f"{what} is too large to store: its JSON document has {len(text):,} characters; "
            f"the limit is {MAX_DOCUMENT_SIZE:,} (what loads reads)",
            field=what,
        )
    return text


def load_row(cls: type[T], document: object, what: str, location: str) -> T:
    """Read one row's document; a row that cannot be read is named in the error."""
    if not isinstance(document, str):
        raise StorageError(f"cannot read the stored {what}: it is not text", location)
    try:
        return loads(cls, document, what=what)
    except (DocumentError, ValueError, RecursionError) as exc:
        raise StorageError(f"cannot read the stored {what}: {exc}", location) from exc
