"""Customers, their identities and interaction history: caller identification.

A caller is recognised by an :class:`Identity`, a phone number in E.164 form or
an email address in lower case. :class:`CallerIdentifier` looks the identity up
in a :class:`CustomerStore`, creates the customer on a miss and returns it with
its most recent :class:`Interaction` records, newest first, so an agent's screen
can show who is calling and what happened last time.

This module is an engine: it imports only the ground floor. The store is a
typing-only protocol that the host supplies (see :mod:`callcore.storage`).
"""

from __future__ import annotations

import enum
import math
import re
import uuid
from collections.abc import Callable, Iterable, Mapping
from datetime import datetime, timedelta
from types import MappingProxyType
from typing import Any, Protocol, TypeAlias

import attrs
import cattrs.gen

from callcore.channels import Channel, Direction
from callcore.clock import aware, ensure_aware
from callcore.errors import ConflictError, InvalidInputError, NotFoundError
from callcore.serialization import converter

__all__ = [
    "CallerIdentifier",
    "Customer",
    "CustomerStore",
    "CustomerTier",
    "Identification",
    "Identity",
    "IdentityKind",
    "Interaction",
    "InteractionOutcome",
    "InvalidIdentityError",
    "JSONValue",
    "normalize_email",
    "normalize_phone",
]

JSONValue: TypeAlias = "str | int | float | bool | list[JSONValue] | dict[str, JSONValue] | None"
"""A value that JSON can hold: what a customer's custom attributes may contain."""


class InvalidIdentityError(InvalidInputError):
    """A phone number or email address cannot be normalised.

    Attributes:
        raw: The value as it was given.
        reason: Why it was refused.
    """

    def __init__(self, raw: str, reason: str) -> None:
        """Build the error naming the ``raw`` value and the ``reason``."""
        super().__init__(f"invalid identity {raw!r}: {reason}")
        self.raw = raw
        self.reason = reason


# --- normalisation -------------------------------------------------------------

_PHONE_SEPARATORS = re.compile(r"[\s\-.()/]")
_COUNTRY_CODE = re.compile(r"[1-9]\d{0,2}")
_E164_MAX_DIGITS = 15  # ITU-T E.164, section 6.1: at most 15 digits after the '+'
_NATIONAL_MIN_DIGITS = 7  # shorter numbers are extensions or service codes
_INTERNATIONAL_MIN_DIGITS = 8  # a 1-digit country code and a 7-digit national number


def _check_country_code(code: object) -> None:
    if not isinstance(code, str) or not _COUNTRY_CODE.fullmatch(code):
        raise InvalidInputError(
            f"default_country_code must be 1 to 3 digits not starting with 0, got {code!r}"
        )


def _check_int(value: object, minimum: int, what: str) -> int:
    """Return ``value`` if it is an int (not a bool) of at least ``minimum``.

    Raises:
        InvalidInputError: It is not.
    """
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        raise InvalidInputError(f"{what} must be an integer >= {minimum}, got {value!r}")
    return value


def normalize_phone(raw: str, default_country_code: str = "1") -> str:
    """Normalise a phone number to E.164 (``+`` and at most 15 digits).

    Spaces, dashes, dots, slashes and parentheses are dropped, and the UK-style
    ``(0)`` after an international prefix is ignored. A number is international
    when it starts with ``+`` or ``00``, or ``011`` when the default country code
    is 1 (the North American international prefix). Otherwise it is national:
    a leading trunk ``0`` is dropped, and so is a leading ``1`` on an 11-digit
    North American number, and the default country code is put in front.

    Args:
        raw: The number as typed or as sent by the telephony system.
        default_country_code: The country calling code of national numbers,
            such as ``"44"`` (UK) or ``"40"`` (Romania).

    Returns:
        The number in E.164 form, such as ``"+442079460018"``.

    Raises:
        InvalidIdentityError: The number has letters, too few or too many digits,
            or a country code starting with 0.
        InvalidInputError: ``default_country_code`` is not a country code.

    >>> from callcore.customers import normalize_phone
    >>> normalize_phone("020 7946 0018", "44")
    '+442079460018'
    >>> normalize_phone("(212) 555-0100")
    '+12125550100'
    """
    _check_country_code(default_country_code)
    text = _PHONE_SEPARATORS.sub("", raw.replace("(0)", ""))
    if not text:
        raise InvalidIdentityError(raw, "no digits")
    digits, international = _split_international_prefix(text, default_country_code)
    if not digits.isascii() or not digits.isdigit():
        raise InvalidIdentityError(raw, "a phone number may hold only digits after a leading '+'")
    if international:
        if digits.startswith("0"):
            raise InvalidIdentityError(raw, "no country calling code starts with 0")
        if len(digits) < _INTERNATIONAL_MIN_DIGITS:
            raise InvalidIdentityError(raw, f"too few digits ({len(digits)}) for a phone number")
    else:
        national = _drop_trunk_prefix(digits, default_country_code)
        if len(national) < _NATIONAL_MIN_DIGITS:
            raise InvalidIdentityError(
                raw, f"too few digits ({len(national)}) for a national number (at least 7)"
            )
        digits = default_country_code + national
    if len(digits) > _E164_MAX_DIGITS:
        raise InvalidIdentityError(raw, f"too many digits ({len(digits)}); E.164 allows at most 15")
    return "+" + digits


def _split_international_prefix(text: str, default_country_code: str) -> tuple[str, bool]:
    """Return the number without its international prefix, and whether it had one."""
    if text.startswith("+"):
        return text[1:], True
    if text.startswith("00"):
        return text[2:], True
    if default_country_code == "1" and text.startswith("011"):
        return text[3:], True  # the North American international prefix
    return text, False


def _drop_trunk_prefix(digits: str, default_country_code: str) -> str:
    """Return a national number without its trunk prefix."""
    if digits.startswith("0"):
        return digits[1:]
    if default_country_code == "1" and len(digits) == 11 and digits.startswith("1"):
        return digits[1:]  # the North American trunk prefix
    return digits


def normalize_email(raw: str) -> str:
    """Normalise an email address: trimmed and entirely lower case.

    Lower-casing the local part is not what RFC 5321 promises, but it is what
    every large mail provider does, and it keeps one customer per mailbox.

    Args:
        raw: The address as typed.

    Returns:
        The normalised address.

    Raises:
        InvalidIdentityError: The address does not have exactly one ``@``, has
            an empty local part, a domain without a dot, or spaces.

    >>> from callcore.customers import normalize_email
    >>> normalize_email("  Ana.Pop@Example.RO ")
    'ana.pop@example.ro'
    """
    text = raw.strip().lower()
    if text.count("@") != 1:
        raise InvalidIdentityError(raw, "an email address has exactly one '@'")
    local, domain = text.split("@")
    if any(char.isspace() for char in text):
        raise InvalidIdentityError(raw, "an email address has no spaces")
    if not local:
        raise InvalidIdentityError(raw, "the part before '@' is empty")
    if "." not in domain or "" in domain.split("."):
        raise InvalidIdentityError(raw, f"the domain {domain!r} needs a dot between names")
    return text


# --- identities ------------------------------------------------------------------


class IdentityKind(enum.Enum):
    """How a customer is reached and recognised."""

    PHONE = "phone"
    EMAIL = "email"


_E164 = re.compile(r"\+[1-9][0-9]{7,14}")  # exactly the numbers normalize_phone leaves alone


def _check_normalised(instance: Identity, _: attrs.Attribute[str], value: str) -> None:
    if instance.kind is IdentityKind.PHONE and _E164.fullmatch(value):
        return  # the common case, without normalising again
    normal = (
        normalize_phone(value, "1")  # E.164 input ignores the default country code
        if instance.kind is IdentityKind.PHONE
        else normalize_email(value)
    )
    if normal != value:
        raise InvalidIdentityError(
            value,
            f"not in normal form (expected {normal!r}); build identities with "
            "Identity.phone, Identity.email or Identity.parse",
        )


@attrs.frozen
class Identity:
    """A phone number or email address that identifies a customer, normalised.

    Build identities with :meth:`phone`, :meth:`email` or :meth:`parse`; the
    constructor refuses a value that is not already in normal form.

    Attributes:
        kind: Phone or email.
        value: The normalised value: E.164 (``+442079460018``) or a lower-case
            address.

    >>> from callcore.customers import Identity
    >>> Identity.parse("0721 234 567", default_country_code="40")
    Identity(kind=<IdentityKind.PHONE: 'phone'>, value='+40721234567')
    """

    kind: IdentityKind = attrs.field(validator=attrs.validators.instance_of(IdentityKind))
    value: str = attrs.field(validator=_check_normalised)

    @classmethod
    def phone(cls, raw: str, default_country_code: str = "1") -> Identity:
        """Make a phone identity; see :func:`normalize_phone` for the rules.

        Raises:
            InvalidIdentityError: The number is malformed.
        """
        return cls(IdentityKind.PHONE, normalize_phone(raw, default_country_code))

    @classmethod
    def email(cls, raw: str) -> Identity:
        """Make an email identity; see :func:`normalize_email` for the rules.

        Raises:
            InvalidIdentityError: The address is malformed.
        """
        return cls(IdentityKind.EMAIL, normalize_email(raw))

    @classmethod
    def parse(cls, raw: str, default_country_code: str = "1") -> Identity:
        """Make an email identity if ``raw`` holds an ``@``, a phone identity otherwise.

        Raises:
            InvalidIdentityError: The value is malformed.
        """
        if "@" in raw:
            return cls.email(raw)
        return cls.phone(raw, default_country_code)

    def __str__(self) -> str:
        """Return the normalised value."""
        return self.value


# --- customers -------------------------------------------------------------------


class CustomerTier(enum.Enum):
    """The service level a customer gets; routing may give VIPs priority.

    Finer segments (industry, region, plan) belong in the customer's
    attributes.
    """

    STANDARD = "standard"
    VIP = "vip"


_LANGUAGE_TAG = re.compile(r"[A-Za-z]{2,8}(-[A-Za-z0-9]{1,8})*")


def _json_copy(value: object, path: str) -> JSONValue:
    """Deep-copy a JSON-able value, refusing anything JSON cannot hold."""
    if value is None or isinstance(value, str | bool | int):
        return value
    if isinstance(value, float):
        if not math.isfinite(value):
            raise InvalidInputError(f"attributes{path}: {value} cannot be stored as JSON")
        return value
    if isinstance(value, list | tuple):
        return [_json_copy(item, f"{path}[{index}]") for index, item in enumerate(value)]
    if isinstance(value, Mapping):
        copied: dict[str, JSONValue] = {}
        for key, item in value.items():
            if not isinstance(key, str):
                raise InvalidInputError(f"attributes{path}: key {key!r} is not a string")
            copied[key] = _json_copy(item, f"{path}.{key}")
        return copied
    raise InvalidInputError(
        f"attributes{path}: {type(value).__name__} {value!r} is not a JSON value "
        "(use strings, numbers, booleans, None, lists and mappings)"
    )


def _frozen_attributes(value: object) -> Mapping[str, JSONValue]:
    if not isinstance(value, Mapping):
        raise InvalidInputError(f"attributes must be a mapping, got {type(value).__name__}")
    copied = _json_copy(value, "")
    assert isinstance(copied, dict)  # noqa: S101 - a mapping copies to a dict
    return MappingProxyType(copied)


def _non_empty(_: object, attribute: attrs.Attribute[str], value: object) -> None:
    if not isinstance(value, str) or not value.strip():
        raise InvalidInputError(f"{attribute.name} must be a non-empty string, got {value!r}")


def _identities(value: Iterable[Identity]) -> tuple[Identity, ...]:
    return tuple(value)


def _interactions(value: Iterable[Interaction]) -> tuple[Interaction, ...]:
    return tuple(value)


def _unique_identities(
    _: object, attribute: attrs.Attribute[tuple[Identity, ...]], value: tuple[object, ...]
) -> None:
    for identity in value:
        if not isinstance(identity, Identity):
            raise InvalidInputError(
                f"{attribute.name} must hold Identity values, got {type(identity).__name__}"
            )
    if len(set(value)) != len(value):
        raise InvalidInputError(f"{attribute.name} lists the same identity twice: {value}")


def _language_tag(_: object, __: attrs.Attribute[str | None], value: object) -> None:
    if value is not None and (not isinstance(value, str) or not _LANGUAGE_TAG.fullmatch(value)):
        raise InvalidInputError(f"language must be a BCP 47 tag such as 'en-GB', got {value!r}")


def _non_negative(_: object, attribute: attrs.Attribute[int], value: object) -> None:
    _check_int(value, 0, attribute.name)


@attrs.frozen(kw_only=True)
class Customer:
    """A person or organisation that contacts the centre.

    Attributes:
        id: The customer's id, unique in the store.
        created_at: When the customer was first recorded (timezone-aware).
        name: The display name, unknown (``None``) for a caller seen only by number.
        identities: The phone numbers and addresses that identify the customer;
            each belongs to one customer only.
        tier: The service level.
        language: The preferred language as a BCP 47 tag (``"ro"``, ``"en-GB"``).
        attributes: Custom values for the host (account number, plan...): a
            mapping of strings to JSON values, copied and read-only.
        version: The stored version for optimistic concurrency: 0 before the
            customer is first stored, then 1, 2... Stores set it; callers only
            carry it from a read to the next save.
    """

    id: str = attrs.field(validator=_non_empty)
    created_at: datetime = attrs.field(validator=aware)
    name: str | None = None
    identities: tuple[Identity, ...] = attrs.field(
        default=(), converter=_identities, validator=_unique_identities
    )
    tier: CustomerTier = attrs.field(
        default=CustomerTier.STANDARD, validator=attrs.validators.instance_of(CustomerTier)
    )
    language: str | None = attrs.field(default=None, validator=_language_tag)
    attributes: Mapping[str, JSONValue] = attrs.field(
        factory=dict, converter=_frozen_attributes, hash=False
    )
    version: int = attrs.field(default=0, validator=_non_negative)

    def has_identity(self, identity: Identity) -> bool:
        """Tell whether ``identity`` is one of the customer's."""
        return identity in self.identities


class InteractionOutcome(enum.Enum):
    """How a contact ended, as shown in the customer's history."""

    RESOLVED = "resolved"
    UNRESOLVED = "unresolved"
    TRANSFERRED = "transferred"
    ESCALATED = "escalated"
    CALLBACK_SCHEDULED = "callback_scheduled"
    VOICEMAIL = "voicemail"
    ABANDONED = "abandoned"
    NO_ANSWER = "no_answer"


def _optional_duration(_: object, __: attrs.Attribute[timedelta | None], value: object) -> None:
    if value is not None and (not isinstance(value, timedelta) or value < timedelta(0)):
        raise InvalidInputError(f"duration must be a timedelta >= 0 or None, got {value!r}")


@attrs.frozen(kw_only=True)
class Interaction:
    """One contact's summary in a customer's history.

    Attributes:
        id: The interaction's id, unique in the store.
        customer_id: Whose history it belongs to.
        channel: Voice, email, chat, SMS, social or video.
        direction: Inbound or outbound.
        at: When it started (timezone-aware).
        outcome: How it ended.
        agent: Who handled it, if anyone.
        queue: Which queue it went through, if any.
        ticket_id: The ticket it created or updated, if any.
        notes: The agent's wrap-up notes.
        duration: How long it lasted, if known.
    """

    id: str = attrs.field(validator=_non_empty)
    customer_id: str = attrs.field(validator=_non_empty)
    channel: Channel = attrs.field(validator=attrs.validators.instance_of(Channel))
    direction: Direction = attrs.field(validator=attrs.validators.instance_of(Direction))
    at: datetime = attrs.field(validator=aware)
    outcome: InteractionOutcome = attrs.field(
        validator=attrs.validators.instance_of(InteractionOutcome)
    )
    agent: str | None = None
    queue: str | None = None
    ticket_id: str | None = None
    notes: str = ""
    duration: timedelta | None = attrs.field(default=None, validator=_optional_duration)


@attrs.frozen(kw_only=True)
class Identification:
    """What :meth:`CallerIdentifier.identify` found.

    Attributes:
        customer: The customer the identity belongs to.
        history: The customer's most recent interactions, newest first.
        created: True when the customer was created by this identification.
    """

    customer: Customer
    history: tuple[Interaction, ...] = attrs.field(converter=_interactions)
    created: bool


# --- serialization of the models -----------------------------------------------------


def _structure_attributes(value: object, _: object) -> Mapping[str, JSONValue]:
    if not isinstance(value, Mapping):
        raise TypeError(f"expected a mapping, got {type(value).__name__}")
    return _frozen_attributes(value)


def _unstructure_attributes(value: Mapping[str, JSONValue]) -> Any:  # noqa: ANN401
    return _json_copy(value, "")


converter.register_structure_hook(
    Customer,
    cattrs.gen.make_dict_structure_fn(
        Customer,
        converter,
        attributes=cattrs.gen.override(struct_hook=_structure_attributes),
    ),
)
converter.register_unstructure_hook(
    Customer,
    cattrs.gen.make_dict_unstructure_fn(
        Customer,
        converter,
        attributes=cattrs.gen.override(unstruct_hook=_unstructure_attributes),
    ),
)


# --- the store the host supplies --------------------------------------------------------


class CustomerStore(Protocol):
    """Where customers and their interactions are kept (typing only).

    Implementations: :class:`callcore.storage.MemoryStorage`,
    :class:`callcore.storage.SQLiteStorage`, or a storage plugin. Every method is
    atomic: it either does all it says or raises and writes nothing. The
    contract suite :mod:`callcore.testing.storage_contract` pins the behaviour.
    """

    def get_customer(self, customer_id: str) -> Customer | None:
        """Return the customer with ``customer_id``, or ``None``."""
        ...

    def find_customer(self, identity: Identity) -> Customer | None:
        """Return the customer that ``identity`` belongs to, or ``None``."""
        ...

    def add_customer(self, customer: Customer) -> Customer:
        """Store a new customer at version 1 and return it as stored.

        Raises:
            ConflictError: The id exists, or one of the identities belongs to
                another customer; nothing was written.
        """
        ...

    def save_customer(self, customer: Customer) -> Customer:
        """Replace a stored customer, if nobody changed it since it was read.

        Returns:
            The customer as stored, with its version one higher.

        Raises:
            NotFoundError: No customer has this id.
            ConflictError: ``customer.version`` is not the stored version (a
                stale write), or a new identity belongs to another customer;
                nothing was written.
        """
        ...

    def add_interaction(self, interaction: Interaction) -> None:
        """Store an interaction in its customer's history.

        Raises:
            NotFoundError: The customer does not exist.
            ConflictError: An interaction with this id exists.
        """
        ...

    def recent_interactions(self, customer_id: str, limit: int) -> list[Interaction]:
        """Return up to ``limit`` interactions of the customer, newest first.

        Interactions at the same time come in reverse order of recording (the
        one recorded last first). An unknown customer has no interactions.

        Raises:
            InvalidInputError: ``limit`` is negative.
        """
        ...


# --- the operation -----------------------------------------------------------------------


def _new_id() -> str:
    return uuid.uuid4().hex


def _positive(_: object, attribute: attrs.Attribute[int], value: object) -> None:
    _check_int(value, 1, attribute.name)


def _country_code(_: object, __: attrs.Attribute[str], value: str) -> None:
    _check_country_code(value)


_ADD_ATTEMPTS = 5  # a fresh id clashes only with a broken id factory


@attrs.define
class CallerIdentifier:
    """Identify callers against a store, creating customers on first contact.

    Args:
        store: Where customers live.
        default_country_code: The country calling code of national numbers.
        history_limit: How many recent interactions :meth:`identify` returns.
        id_factory: Makes ids for new customers and interactions (default:
            random UUID4 hex); tests pass a deterministic one.

    >>> from datetime import datetime, timezone
    >>> from callcore.customers import CallerIdentifier
    >>> from callcore.storage import MemoryStorage
    >>> identifier = CallerIdentifier(MemoryStorage(), default_country_code="44")
    >>> now = datetime(2026, 3, 2, 9, 30, tzinfo=timezone.utc)
    >>> first = identifier.identify("020 7946 0018", now)
    >>> again = identifier.identify("+44 20 7946 0018", now)
    >>> (first.created, again.created, first.customer.id == again.customer.id)
    (True, False, True)
    """

    store: CustomerStore
    default_country_code: str = attrs.field(default="1", validator=_country_code)
    history_limit: int = attrs.field(default=10, validator=_positive)
    id_factory: Callable[[], str] = _new_id

    def parse(self, identity: Identity | str) -> Identity:
        """Turn a raw phone number or address into an identity (identities pass through).

        Raises:
            InvalidIdentityError: The value is malformed.
        """
        if isinstance(identity, Identity):
            return identity
        return Identity.parse(identity, self.default_country_code)

    def identify(self, identity: Identity | str, now: datetime) -> Identification:
        """Find the customer an identity belongs to, creating one on a miss.

        The same identity always yields the same customer, also when several
        processes identify a new caller at once: when the store refuses the new
        customer because another writer just added it, the winner is read back.

        Args:
            identity: An identity, or a raw phone number or email address.
            now: The current time (timezone-aware), the new customer's
                ``created_at``.

        Returns:
            The customer, its recent history newest first, and whether it was
            created now.

        Raises:
            InvalidIdentityError: A raw value is malformed.
            NaiveDatetimeError: ``now`` is naive.
        """
        ensure_aware(now, "now")
        wanted = self.parse(identity)
        for _ in range(_ADD_ATTEMPTS):
            found = self.store.find_customer(wanted)
            if found is not None:
                return self._identified(found, created=False)
            new = Customer(id=self.id_factory(), created_at=now, identities=(wanted,))
            try:
                added = self.store.add_customer(new)
            except ConflictError:
                continue  # another writer added this identity (or the id) first
            return self._identified(added, created=True)
        raise ConflictError(
            "customer",
            wanted.value,
            reason=f"could not add a new customer in {_ADD_ATTEMPTS} attempts; "
            "does the id factory repeat ids?",
        )

    def _identified(self, customer: Customer, *, created: bool) -> Identification:
        history = self.store.recent_interactions(customer.id, self.history_limit)
        return Identification(customer=customer, history=tuple(history), created=created)

    def record_interaction(
        self,
        customer_id: str,
        *,
        channel: Channel,
        direction: Direction,
        at: datetime,
        outcome: InteractionOutcome,
        agent: str | None = None,
        queue: str | None = None,
        ticket_id: str | None = None,
        notes: str = "",
        duration: timedelta | None = None,
    ) -> Interaction:
        """Add an interaction to a customer's history, with a new id.

        Returns:
            The interaction as stored.

        Raises:
            NotFoundError: The customer does not exist.
            InvalidInputError: A field is invalid (naive ``at``, negative duration).
        """
        interaction = Interaction(
            id=self.id_factory(),
            customer_id=customer_id,
            channel=channel,
            direction=direction,
            at=at,
            outcome=outcome,
            agent=agent,
            queue=queue,
            ticket_id=ticket_id,
            notes=notes,
            duration=duration,
        )
        self.store.add_interaction(interaction)
        return interaction

    def update_customer(
        self,
        customer_id: str,
        change: Callable[[Customer], Customer],
        *,
        attempts: int = 10,
    ) -> Customer:
        """Read a customer, apply ``change`` and save, retrying on stale writes.

        ``change`` gets the current customer and returns the changed one (use
        :func:`attrs.evolve`); it may run several times, so it must not have
        side effects. A write that lost a race is retried on a fresh read, so no
        update is lost.

        Args:
            customer_id: Whose record to change.
            change: The change to make.
            attempts: How many times to try before giving up.

        Returns:
            The customer as stored.

        Raises:
            NotFoundError: The customer does not exist.
            ConflictError: Still stale after ``attempts`` tries, or the change
                gives the customer an identity of another customer.
            InvalidInputError: ``change`` changed the id, or ``attempts`` < 1.
        """
        _check_int(attempts, 1, "attempts")
        last_conflict: ConflictError | None = None
        for _ in range(attempts):
            current = self.store.get_customer(customer_id)
            if current is None:
                raise NotFoundError("customer", customer_id)
            changed = change(current)
            if changed.id != current.id:
                raise InvalidInputError(
                    f"update_customer: the change turned id {current.id!r} into {changed.id!r}"
                )
            try:
                return self.store.save_customer(attrs.evolve(changed, version=current.version))
            except ConflictError as conflict:
                if conflict.actual_version is None:
                    raise  # an identity clash: trying again changes nothing
                last_conflict = conflict
        assert last_conflict is not None  # noqa: S101 - the loop ran at least once
        raise last_conflict
