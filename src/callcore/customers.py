"""Customers, their identities and interaction history: caller identification.

A caller is recognised by an :class:`Identity`, a phone number in E.164 form or
an email address in lower case. :class:`CallerIdentifier` looks the identity up
in a :class:`CustomerStore`, creates the customer on a miss and returns it with
its most recent :class:`Interaction` records, newest first, so an agent's screen
can show who is calling and what happened last time.

Every call that changes something returns what it did with its domain events
(``customer.created``, ``customer.identified``, ``customer.updated``,
``customer.interaction_recorded``): :class:`Identification`,
:class:`CustomerUpdate` and :class:`InteractionUpdate` have the shape of
:class:`callcore.events.Update`. Tiers are plain names and outcomes the shared
:class:`~callcore.contacts.ContactOutcome` (both from :mod:`callcore.contacts`,
re-exported here).

This module is an engine: it imports only the ground floor. The store is a
typing-only protocol that the host supplies (see :mod:`callcore.storage`).
"""

from __future__ import annotations

import enum
import functools
import re
from collections.abc import Callable, Mapping
from datetime import datetime, timedelta
from types import MappingProxyType, ModuleType
from typing import Any, ClassVar, NamedTuple, Protocol, TypeAlias, cast

import attrs
import cattrs.gen
from cattrs.errors import ClassValidationError

from callcore.checks import (
    MAX_TEXT,
    check_bool,
    check_count,
    check_duration,
    check_enum,
    check_instance,
    check_instant,
    check_items,
    check_list,
    check_plain_data,
    check_text,
    validator,
)
from callcore.contacts import (
    STANDARD_TIER,
    VIP_TIER,
    Channel,
    ContactOutcome,
    CustomerTier,
    Direction,
    check_tier,
)
from callcore.errors import (
    ConflictError,
    DocumentError,
    InvalidInputError,
    NotFoundError,
    Problem,
)
from callcore.events import Event, IdFactory, new_id
from callcore.serialization import converter, problems_from_exception

__all__ = [
    "MAX_HISTORY",
    "STANDARD_TIER",
    "VIP_TIER",
    "CallerIdentifier",
    "ContactOutcome",
    "Customer",
    "CustomerCreated",
    "CustomerIdentified",
    "CustomerStore",
    "CustomerTier",
    "CustomerUpdate",
    "CustomerUpdated",
    "Identification",
    "Identity",
    "IdentityKind",
    "Interaction",
    "InteractionRecorded",
    "InteractionUpdate",
    "InvalidIdentityError",
    "JSONValue",
    "normalize_email",
    "normalize_phone",
]

JSONValue: TypeAlias = "str | int | float | bool | list[JSONValue] | dict[str, JSONValue] | None"
"""A value that JSON can hold: what a customer's custom attributes may contain."""

MAX_HISTORY = 10_000
"""The most interactions one history read may ask for (``limit``, ``history_limit``)."""

_MAX_VERSION = 2**53 - 1  # a stored version stays an exact JSON number everywhere
_MAX_EMAIL = 254  # RFC 5321 section 4.5.3.1.3: at most 254 characters in a path


def _shown(value: object) -> str:
    """``repr(value)``, cut short for a message."""
    text = repr(value)
    return text if len(text) <= 80 else text[:77] + "..."


class InvalidIdentityError(InvalidInputError):
    """A phone number or email address cannot be normalised.

    Attributes:
        raw: The value as it was given.
        reason: Why it was refused.
    """

    def __init__(self, raw: object, reason: str, *, field: str | None = None) -> None:
        """Build the error naming the ``raw`` value, the ``reason`` and the ``field``."""
        super().__init__(f"invalid identity {_shown(raw)}: {reason}", field=field)
        self.raw = raw
        self.reason = reason


# --- phone numbers ---------------------------------------------------------------

_PHONE_SEPARATORS = re.compile(r"[\s\-.()/~]")  # '~': wait for a dial tone (8~10)
_COUNTRY_CODE = re.compile(r"[1-9]\d{0,2}")
_E164_MAX_DIGITS = 15  # ITU-T E.164, section 6.1: at most 15 digits after the '+'
_NATIONAL_MIN_DIGITS = 7  # shorter numbers are extensions or service codes
_INTERNATIONAL_MIN_DIGITS = 8  # a 1-digit country code and a 7-digit national number
_MAX_PHONE_TEXT = 250  # characters, separators included: libphonenumber's limit too


class _DialingPlan(NamedTuple):
    """What the built-in rules know of how one country writes its numbers."""

    trunk_prefixes: tuple[str, ...]
    """Dropped from the front of a national number (none: a leading 0 is part of it)."""
    trunk_lengths: tuple[int, ...] | None
    """Drop a trunk prefix only from numbers this long, prefix included (None: any)."""
    international_prefixes: tuple[str, ...]
    """What people dial before a country code, longest first."""
    lookalikes: tuple[str, ...]
    """Beginnings of national numbers that look like a trunk prefix but are not."""


def _plan(
    trunk: str | None = "0",
    *,
    lengths: tuple[int, ...] | None = None,
    international: tuple[str, ...] = (),
    lookalikes: tuple[str, ...] = (),
) -> _DialingPlan:
    # '00' is read as an international prefix everywhere: no national number of
    # a country below starts with 00 then 1-9, so it cannot be mistaken for one
    prefixes = sorted({"00", *international}, key=len, reverse=True)
    trunks = () if trunk is None else (trunk,)
    return _DialingPlan(trunks, lengths, tuple(prefixes), lookalikes)


_TRUNK_0 = _plan("0")
_NO_TRUNK = _plan(None)

_TRUNK_0_CODES = """
    20 27 31 32 33 40 41 43 44 46 49 58 60 63 84 90 92 93 94 95 98
    211 212 213 218 231 232 233 243 249 251 252 260 262 263 264 265 291
    353 355 358 373 374 377 380 381 382 383 385 386 387 389 421 423
    508 590 593 594 595 596 850 856 880 961 962 963 964 966 967 970 971 977 994 995 996
"""
"""Country codes with trunk prefix 0 and international prefix 00."""

_NO_TRUNK_CODES = """
    30 34 39 45 47 48 216 220 221 222 223 224 225 226 227 228 229 236 237 239 240
    242 244 245 246 253 257 258 266 267 268 269 297 350 351 356 357 371 372 376 378
    420 501 502 503 504 505 507 509 597 599 670 673 674 676 678 681 683 688 689 690
    691 853 965 968 973 974 975 998
"""
"""Country codes without a trunk prefix (a leading 0 belongs to the number), exit 00."""

# The countries whose prefixes the built-in rules know, by country calling code,
# checked against libphonenumber's metadata (tests/storage/test_phone_oracle.py).
_DIALING_PLANS: dict[str, _DialingPlan] = {
    # North American Numbering Plan (US, Canada, the Caribbean): trunk 1, exit 011
    "1": _plan("1", lengths=(8, 11), international=("011",)),
    # Russia and Kazakhstan: trunk 8, exit 8~10 (a dial tone after the 8)
    "7": _plan("8", lengths=(11, 15), international=("810",)),
    "36": _plan("06"),  # Hungary: trunk 06
    # Australia: exit 0011 and the carrier-choosing 0014..0019
    "61": _plan(international=("0011", "0014", "0015", "0016", "0018", "0019")),
    "64": _plan(international=("0161",)),  # New Zealand: exit 00 or 0161
    "91": _plan(lookalikes=("000800",)),  # India: international toll-free 000800...
    "250": _plan(lookalikes=("06",)),  # Rwanda: 8-digit landlines 06...
    "359": _plan(lookalikes=("00800",)),  # Bulgaria: international toll-free 00800...
    **dict.fromkeys(_TRUNK_0_CODES.split(), _TRUNK_0),
    **dict.fromkeys(_NO_TRUNK_CODES.split(), _NO_TRUNK),
}
"""The dialing plans of the countries the built-in rules claim to get right."""

_GENERIC_PLAN = _TRUNK_0
"""The guess for any other country: trunk prefix 0, international prefix 00."""


def _check_country_code(code: object) -> str:
    if not isinstance(code, str) or not _COUNTRY_CODE.fullmatch(code):
        raise InvalidInputError(
            f"default_country_code must be 1 to 3 digits not starting with 0, got {_shown(code)}",
            field="default_country_code",
        )
    return code


@functools.cache
def _phone_library() -> ModuleType | None:
    """Return the ``phonenumbers`` module if it is installed (imported on first use)."""
    try:
        import phonenumbers  # noqa: PLC0415 - optional, and only when a number is read
    except ImportError:
        return None
    return phonenumbers


def normalize_phone(raw: str, default_country_code: str = "1") -> str:
    """Normalise a phone number to E.164 (``+`` and at most 15 digits).

    Spaces, dashes, dots, slashes, parentheses and tildes (a wait for the
    dial tone, as in Russia's ``8~10``) are dropped, and so is the
    UK-style ``(0)`` after a country code. What remains must be digits, after
    an optional ``+``. The number is then read as people in the country of
    ``default_country_code`` dial it: with an international prefix (or ``+``)
    and a country code, or as a national number, with or without the
    country's trunk prefix.

    When the optional ``phonenumbers`` package (Google's libphonenumber) is
    installed (``pip install callcore[phonenumbers]``), it reads the number,
    with the numbering plan of every country, and a number that cannot exist
    (an unassigned country code, a wrong length) is refused. Otherwise built-in
    rules read it: they know the trunk and international prefixes of the
    countries listed in the documentation, and guess trunk prefix ``0`` and
    international prefix ``00`` elsewhere.

    Args:
        raw: The number as typed or as sent by the telephony system.
        default_country_code: The country calling code of national numbers,
            such as ``"44"`` (UK) or ``"40"`` (Romania).

    Returns:
        The number in E.164 form, such as ``"+442079460018"``.

    Raises:
        InvalidIdentityError: The number has letters, too few (under 7 after
            the trunk prefix) or too many digits, a country code starting
            with 0, or more than 250 characters.
        InvalidInputError: ``default_country_code`` is not a country code.

    >>> from callcore.customers import normalize_phone
    >>> normalize_phone("020 7946 0018", "44")
    '+442079460018'
    >>> normalize_phone("(212) 555-0100")
    '+12125550100'
    >>> normalize_phone("06 6982 1234", "39")  # Italy keeps its leading 0
    '+390669821234'
    """
    _check_country_code(default_country_code)
    if not isinstance(raw, str):
        raise InvalidIdentityError(raw, "a phone number must be a string", field="raw")
    if len(raw) > _MAX_PHONE_TEXT:
        raise InvalidIdentityError(raw, f"longer than {_MAX_PHONE_TEXT} characters")
    text = _PHONE_SEPARATORS.sub("", raw.replace("(0)", ""))
    if not text:
        raise InvalidIdentityError(raw, "no digits")
    body = text.removeprefix("+")
    if not body.isascii() or not body.isdigit():
        raise InvalidIdentityError(raw, "a phone number may hold only digits after a leading '+'")
    if text.startswith("+") and body.startswith("0"):
        raise InvalidIdentityError(raw, "no country calling code starts with 0")
    library = _phone_library()
    if library is None:
        return _builtin_e164(raw, text, default_country_code)
    return _library_e164(library, raw, text, default_country_code)


def _builtin_e164(raw: str, text: str, default_country_code: str) -> str:
    """Read ``text`` (an optional '+', then digits) with the built-in dialing plans.

    An international prefix followed by 0 is no prefix (no country code starts
    with 0): the number is national, as libphonenumber reads it.
    """
    plan = _DIALING_PLANS.get(default_country_code, _GENERIC_PLAN)
    digits, international = text, False
    if text.startswith("+"):
        digits, international = text[1:], True
    else:
        for prefix in plan.international_prefixes:
            if text.startswith(prefix):
                international = text[len(prefix) : len(prefix) + 1] != "0"
                if international:
                    digits = text[len(prefix) :]
                break
    if international:
        digits = _drop_trunk_after_country_code(digits)
        if len(digits) < _INTERNATIONAL_MIN_DIGITS:
            raise InvalidIdentityError(raw, f"too few digits ({len(digits)}) for a phone number")
    else:
        national = _drop_trunk_prefix(digits, plan)
        _check_national_length(raw, national)
        digits = default_country_code + national
    _check_e164_length(raw, digits)
    return "+" + digits


def _drop_trunk_prefix(digits: str, plan: _DialingPlan) -> str:
    """Return a national number without its trunk prefix."""
    trunks = plan.trunk_prefixes
    if not trunks or not digits.startswith(trunks):
        return digits  # the usual case: nothing to drop
    if plan.lookalikes and digits.startswith(plan.lookalikes):
        return digits
    for trunk in trunks:
        if digits.startswith(trunk) and (
            plan.trunk_lengths is None or len(digits) in plan.trunk_lengths
        ):
            return digits[len(trunk) :]
    return digits


_CODE_THEN_TRUNK = re.compile(
    "|".join(
        f"{code}(?={trunk})"
        for code, plan in _DIALING_PLANS.items()
        for trunk in plan.trunk_prefixes
    )
)
"""A known country code followed by its country's trunk prefix (codes are prefix-free)."""


def _drop_trunk_after_country_code(digits: str) -> str:
    """Drop a trunk prefix written after a known country code (``+44 020...``)."""
    match = _CODE_THEN_TRUNK.match(digits)
    if match is None:
        return digits
    code = match.group()
    return code + _drop_trunk_prefix(digits[len(code) :], _DIALING_PLANS[code])


def _check_national_length(raw: str, national: str) -> None:
    if len(national) < _NATIONAL_MIN_DIGITS:
        raise InvalidIdentityError(
            raw, f"too few digits ({len(national)}) for a national number (at least 7)"
        )


def _check_e164_length(raw: str, digits: str) -> None:
    if len(digits) > _E164_MAX_DIGITS:
        raise InvalidIdentityError(raw, f"too many digits ({len(digits)}); E.164 allows at most 15")


def _library_e164(library: Any, raw: str, text: str, default_country_code: str) -> str:  # noqa: ANN401 - the optional module
    """Read ``text`` (an optional '+', then digits) with libphonenumber."""
    region = library.region_code_for_country_code(int(default_country_code))
    try:
        number = library.parse(text, region, keep_raw_input=True)
    except library.NumberParseException as exc:
        raise InvalidIdentityError(raw, _library_reason(library, exc)) from None
    national = library.national_significant_number(number)
    digits: str = library.format_number(number, library.PhoneNumberFormat.E164)[1:]
    if number.country_code_source == library.CountryCodeSource.FROM_DEFAULT_COUNTRY:
        _check_national_length(raw, national)
    elif len(digits) < _INTERNATIONAL_MIN_DIGITS:
        raise InvalidIdentityError(raw, f"too few digits ({len(digits)}) for a phone number")
    _check_e164_length(raw, digits)
    if not library.is_possible_number(number):
        raise InvalidIdentityError(
            raw,
            f"+{number.country_code} {national} cannot exist: no number of country "
            f"code {number.country_code} has {len(national)} digits",
        )
    return "+" + digits


def _library_reason(library: Any, exc: Any) -> str:  # noqa: ANN401 - the optional module
    kind = library.NumberParseException
    reasons = {
        kind.INVALID_COUNTRY_CODE: "not an assigned country calling code (and none starts "
        "with 0); for a national number, check default_country_code",
        kind.TOO_SHORT_AFTER_IDD: "too few digits after the international prefix",
        kind.TOO_SHORT_NSN: "too few digits for a phone number",
        kind.TOO_LONG: "too many digits for a phone number",
    }
    return reasons.get(exc.error_type, "not a phone number")


# --- email addresses ---------------------------------------------------------------


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
            an empty local part, a domain without a dot, spaces, is longer than
            254 characters or is not valid Unicode text.

    >>> from callcore.customers import normalize_email
    >>> normalize_email("  Ana.Pop@Example.RO ")
    'ana.pop@example.ro'
    """
    if not isinstance(raw, str):
        raise InvalidIdentityError(raw, "an email address must be a string", field="raw")
    text = raw.strip().lower()
    if len(text) > _MAX_EMAIL:
        raise InvalidIdentityError(raw, f"longer than {_MAX_EMAIL} characters")
    if not text.isascii():
        try:
            text.encode("utf-8")
        except UnicodeEncodeError:
            raise InvalidIdentityError(raw, "not valid Unicode text (a lone surrogate)") from None
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


_E164 = re.compile(r"\+[1-9][0-9]{7,14}")  # '+', no leading 0, 8 to 15 digits


# --- field validators: the usual case is checked inline, the rest by callcore.checks --------
#
# Value types are built far more often than they are refused, so each validator
# first recognises a plainly valid value (an ASCII string within the limit, an
# enum member, an int in range) and only otherwise calls the full check, which
# also writes the message.


def _member_of(
    enum_type: type[enum.Enum],
) -> Callable[[object, attrs.Attribute[Any], object], None]:
    """An attrs validator: the field holds a member of ``enum_type``."""

    def check(_: object, attribute: attrs.Attribute[Any], value: object) -> None:
        if type(value) is not enum_type:
            check_enum(value, enum_type, attribute.name)

    return check


def _instant(_: object, attribute: attrs.Attribute[Any], value: object) -> None:
    check_instant(value, attribute.name)


def _text(_: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if not (type(value) is str and value.isascii() and len(value) <= MAX_TEXT):
        check_text(value, attribute.name, allow_empty=True)


def _optional_text(_: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if value is not None:
        _text(_, attribute, value)


def _identifier(_: object, attribute: attrs.Attribute[Any], value: object) -> None:
    """An id: a non-empty string that is not only spaces."""
    if type(value) is str and value.isascii() and 0 < len(value) <= MAX_TEXT:
        if not value.isspace():
            return
    elif check_text(value, attribute.name).strip():
        return
    raise InvalidInputError(f"{attribute.name} must not be only spaces", field=attribute.name)


def _tier(_: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if value is not STANDARD_TIER and value is not VIP_TIER:  # the usual tiers, at once
        check_tier(value, attribute.name)


def _outcome(_: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if type(value) is not ContactOutcome:
        check_enum(value, ContactOutcome, attribute.name)
    if value is ContactOutcome.QUEUED:
        raise InvalidInputError(
            f"{attribute.name} must not be 'queued': that is how an IVR leg ends; record "
            "how the contact ended (answered, abandoned...)",
            field=attribute.name,
        )


def _optional_bool(_: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if value is not None and type(value) is not bool:
        raise InvalidInputError(
            f"{attribute.name} must be true, false or None, got {_shown(value)}",
            field=attribute.name,
        )


def _version(_: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if type(value) is not int or not 0 <= value <= _MAX_VERSION:
        check_count(value, attribute.name, high=_MAX_VERSION)


def _check_normalised(instance: Identity, attribute: attrs.Attribute[str], value: object) -> None:
    if not isinstance(value, str):
        raise InvalidIdentityError(value, "the value must be a string", field=attribute.name)
    if instance.kind is IdentityKind.PHONE:
        if not _E164.fullmatch(value):
            raise InvalidIdentityError(
                value,
                "not in normal form (E.164: '+' and 8 to 15 digits, the first not 0); "
                "build identities with Identity.phone, Identity.email or Identity.parse",
                field=attribute.name,
            )
        return
    try:
        normal = normalize_email(value)
    except InvalidIdentityError as exc:
        raise InvalidIdentityError(value, exc.reason, field=attribute.name) from None
    if normal != value:
        raise InvalidIdentityError(
            value,
            f"not in normal form (expected {normal!r}); build identities with "
            "Identity.phone, Identity.email or Identity.parse",
            field=attribute.name,
        )


@attrs.frozen
class Identity:
    """A phone number or email address that identifies a customer, normalised.

    Build identities with :meth:`phone`, :meth:`email` or :meth:`parse`; the
    constructor refuses a value that is not already in normal form: a phone
    number in E.164 syntax, a lower-case email address.

    Attributes:
        kind: Phone or email.
        value: The normalised value: E.164 (``+442079460018``) or a lower-case
            address.

    >>> from callcore.customers import Identity
    >>> Identity.parse("0721 234 567", default_country_code="40")
    Identity(kind=<IdentityKind.PHONE: 'phone'>, value='+40721234567')
    """

    kind: IdentityKind = attrs.field(validator=_member_of(IdentityKind))
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
        if not isinstance(raw, str):
            raise InvalidIdentityError(
                raw, "a phone number or email address must be a string", field="raw"
            )
        if "@" in raw:
            return cls.email(raw)
        return cls.phone(raw, default_country_code)

    def __str__(self) -> str:
        """Return the normalised value."""
        return self.value


# --- customers -------------------------------------------------------------------


_LANGUAGE_TAG = re.compile(r"[A-Za-z]{2,8}(-[A-Za-z0-9]{1,8})*")
_MAX_LANGUAGE_TAG = 35  # RFC 5646 section 4.4.1: 35 characters cover every useful tag


def _json_copy(value: object) -> JSONValue:
    """Deep-copy plain data, checked already (so nested at most MAX_PLAIN_DEPTH deep)."""
    if isinstance(value, Mapping):
        return {key: _json_copy(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_json_copy(item) for item in value]
    return cast("JSONValue", value)


def _frozen_attributes(value: object) -> Mapping[str, JSONValue]:
    """Check, copy and freeze a customer's attributes."""
    if not isinstance(value, Mapping):
        raise InvalidInputError(
            f"attributes must be a mapping, got {type(value).__name__}", field="attributes"
        )
    if not value:
        return _NO_ATTRIBUTES
    check_plain_data(value, "attributes")
    copied = _json_copy(value)
    assert isinstance(copied, dict)  # noqa: S101 - a mapping copies to a dict
    return MappingProxyType(copied)


_NO_ATTRIBUTES: Mapping[str, JSONValue] = MappingProxyType({})
"""The attributes of most customers: none (read-only, so one can be shared)."""


def _identities(value: object) -> tuple[Identity, ...]:
    items = value if type(value) is tuple else tuple(check_list(value, "identities"))
    for index, identity in enumerate(items):
        if not isinstance(identity, Identity):
            raise InvalidInputError(
                f"identities[{index}] must be an Identity, got {type(identity).__name__} "
                f"{_shown(identity)}",
                field=f"identities[{index}]",
            )
    if len(items) > 1 and len(set(items)) != len(items):
        raise InvalidInputError(
            f"identities lists the same identity twice: {_shown(items)}", field="identities"
        )
    return items


def _language_tag(_: object, attribute: attrs.Attribute[str | None], value: object) -> None:
    if value is not None and (
        not isinstance(value, str)
        or len(value) > _MAX_LANGUAGE_TAG
        or not _LANGUAGE_TAG.fullmatch(value)
    ):
        raise InvalidInputError(
            f"language must be a BCP 47 tag such as 'en-GB', got {_shown(value)}",
            field=attribute.name,
        )


@attrs.frozen(kw_only=True)
class Customer:
    """A person or organisation that contacts the centre.

    Every field is checked when the customer is built: a bad value raises
    :class:`~callcore.errors.InvalidInputError` naming the field.

    Attributes:
        id: The customer's id, unique in the store.
        created_at: When the customer was first recorded (timezone-aware).
        name: The display name, unknown (``None``) for a caller seen only by number.
        identities: The phone numbers and addresses that identify the customer
            (a list or tuple of :class:`Identity`, kept as a tuple); each
            belongs to one customer only.
        tier: The customer's tier, a name the host chooses
            (:data:`~callcore.contacts.STANDARD_TIER` by default,
            :data:`~callcore.contacts.VIP_TIER`, ``"gold"``...): lower-case
            letters, digits, ``_`` and ``-`` (see
            :func:`~callcore.contacts.check_tier`). Routing and flows branch on
            it; finer segments (industry, region, plan) belong in
            ``attributes``.
        language: The preferred language as a BCP 47 tag (``"ro"``, ``"en-GB"``).
        attributes: Custom values for the host (account number, plan...): a
            mapping of strings to JSON values, copied and read-only.
        version: The stored version for optimistic concurrency: 0 before the
            customer is first stored, then 1, 2... Stores set it; callers only
            carry it from a read to the next save.
    """

    id: str = attrs.field(validator=_identifier)
    created_at: datetime = attrs.field(validator=_instant)
    name: str | None = attrs.field(default=None, validator=_optional_text)
    identities: tuple[Identity, ...] = attrs.field(default=(), converter=_identities)
    tier: CustomerTier = attrs.field(default=STANDARD_TIER, validator=_tier)
    language: str | None = attrs.field(default=None, validator=_language_tag)
    attributes: Mapping[str, JSONValue] = attrs.field(
        factory=dict, converter=_frozen_attributes, hash=False
    )
    version: int = attrs.field(default=0, validator=_version)

    def has_identity(self, identity: Identity) -> bool:
        """Tell whether ``identity`` is one of the customer's."""
        return identity in self.identities


def _optional_duration(
    _: object, attribute: attrs.Attribute[timedelta | None], value: object
) -> None:
    if value is not None:
        check_duration(value, attribute.name)


@attrs.frozen(kw_only=True)
class Interaction:
    """One contact's summary in a customer's history.

    Every field is checked when the interaction is built: a bad value raises
    :class:`~callcore.errors.InvalidInputError` naming the field.

    Attributes:
        id: The interaction's id, unique in the store.
        customer_id: Whose history it belongs to.
        channel: Voice, email, chat, SMS, social or video.
        direction: Inbound or outbound.
        at: When it happened, as recorded (timezone-aware): the ``now`` of
            :meth:`CallerIdentifier.record_interaction`, usually when the
            contact ended.
        outcome: How the contact ended, in the vocabulary the IVR, the ACD and
            the KPIs share. ``queued`` is refused: it is how an IVR leg ends,
            not a contact.
        resolved: Whether the customer's issue was resolved (the agent's or a
            survey's verdict), or ``None`` when not known. An escalated issue
            is ``False``, with the ticket it went to in ``ticket_id``.
        agent: Who handled it, if anyone.
        queue: Which queue it went through, if any.
        ticket_id: The ticket it created or updated, if any.
        notes: The agent's wrap-up notes.
        duration: How long it lasted, if known (at most 100 years).
    """

    id: str = attrs.field(validator=_identifier)
    customer_id: str = attrs.field(validator=_identifier)
    channel: Channel = attrs.field(validator=_member_of(Channel))
    direction: Direction = attrs.field(validator=_member_of(Direction))
    at: datetime = attrs.field(validator=_instant)
    outcome: ContactOutcome = attrs.field(validator=_outcome)
    resolved: bool | None = attrs.field(default=None, validator=_optional_bool)
    agent: str | None = attrs.field(default=None, validator=_optional_text)
    queue: str | None = attrs.field(default=None, validator=_optional_text)
    ticket_id: str | None = attrs.field(default=None, validator=_optional_text)
    notes: str = attrs.field(default="", validator=_text)
    duration: timedelta | None = attrs.field(default=None, validator=_optional_duration)


def _interactions(value: object) -> tuple[Interaction, ...]:
    return check_items(value, Interaction, "history")


# --- events and updates ------------------------------------------------------------


@attrs.frozen(kw_only=True)
class CustomerCreated(Event):
    """A caller nobody knew was identified: a new customer was stored.

    Attributes:
        at: The ``now`` of the identification.
        customer: The customer as stored (version 1), with the identity it was
            created for.
    """

    kind: ClassVar[str] = "customer.created"
    customer: Customer = attrs.field(validator=validator(check_instance, cls=Customer))


@attrs.frozen(kw_only=True)
class CustomerIdentified(Event):
    """A known caller was identified.

    Attributes:
        at: The ``now`` of the identification.
        customer: The customer the identity belongs to.
        identity: The identity the caller was recognised by.
    """

    kind: ClassVar[str] = "customer.identified"
    customer: Customer = attrs.field(validator=validator(check_instance, cls=Customer))
    identity: Identity = attrs.field(validator=validator(check_instance, cls=Identity))


@attrs.frozen(kw_only=True)
class CustomerUpdated(Event):
    """A customer's record was changed and saved.

    Attributes:
        at: The ``now`` of the update.
        customer: The customer as stored, with its new version.
    """

    kind: ClassVar[str] = "customer.updated"
    customer: Customer = attrs.field(validator=validator(check_instance, cls=Customer))


@attrs.frozen(kw_only=True)
class InteractionRecorded(Event):
    """An interaction was added to a customer's history.

    Attributes:
        at: The ``now`` of the recording (the interaction's own ``at``).
        interaction: The interaction as stored; its ``customer_id`` says whose.
    """

    kind: ClassVar[str] = "customer.interaction_recorded"
    interaction: Interaction = attrs.field(validator=validator(check_instance, cls=Interaction))


def _events(value: object) -> tuple[Event, ...]:
    return check_items(value, Event, "events")


@attrs.frozen(kw_only=True)
class Identification:
    """What :meth:`CallerIdentifier.identify` found, and what it did.

    It has the shape of :class:`callcore.events.Update`.

    Attributes:
        customer: The customer the identity belongs to.
        history: The customer's most recent interactions, newest first.
        created: True when the customer was created by this identification.
        events: :class:`CustomerCreated` for a new customer,
            :class:`CustomerIdentified` for a known one. They are not part of
            the identification's document (``to_dict``): a loaded one has none.
    """

    customer: Customer = attrs.field(validator=validator(check_instance, cls=Customer))
    history: tuple[Interaction, ...] = attrs.field(converter=_interactions)
    created: bool = attrs.field(validator=validator(check_bool))
    events: tuple[Event, ...] = attrs.field(default=(), converter=_events)


@attrs.frozen(kw_only=True)
class CustomerUpdate:
    """What :meth:`CallerIdentifier.update_customer` saved.

    It has the shape of :class:`callcore.events.Update`.

    Attributes:
        customer: The customer as stored, with its new version.
        events: One :class:`CustomerUpdated`.
    """

    customer: Customer = attrs.field(validator=validator(check_instance, cls=Customer))
    events: tuple[Event, ...] = attrs.field(default=(), converter=_events)


@attrs.frozen(kw_only=True)
class InteractionUpdate:
    """What :meth:`CallerIdentifier.record_interaction` stored.

    It has the shape of :class:`callcore.events.Update`.

    Attributes:
        interaction: The interaction as stored, with its new id.
        events: One :class:`InteractionRecorded`.
    """

    interaction: Interaction = attrs.field(validator=validator(check_instance, cls=Interaction))
    events: tuple[Event, ...] = attrs.field(default=(), converter=_events)


# --- serialization of the models -----------------------------------------------------


def _structure_attributes(value: object, _: object) -> object:
    """Pass a mapping on: the Customer checks and copies it, naming the bad path."""
    if not isinstance(value, Mapping):
        raise TypeError(f"expected a mapping, got {type(value).__name__}")
    return value


def _unstructure_attributes(value: Mapping[str, JSONValue]) -> Any:  # noqa: ANN401
    return _json_copy(value)


def _field_problems(
    cls: type, data: Mapping[str, Any], raw: frozenset[str], skip: set[str]
) -> list[Problem]:
    """Check each field of ``data`` on its own, so that every bad field is reported.

    Each field present (but those in ``skip``, which did not structure) is
    structured, then run through its converter and validator; every
    :class:`~callcore.errors.InvalidInputError` becomes a problem at the path
    the error names. Fields in ``raw`` go to the converter as they are.
    """
    problems: list[Problem] = []
    for field in attrs.fields(cls):
        if field.name not in data or field.name in skip:
            continue
        try:
            value = data[field.name]
            if field.name not in raw:
                value = converter.structure(value, field.type)
            if field.converter is not None:
                value = cast("Callable[[object], object]", field.converter)(value)
            if field.validator is not None:
                field.validator(None, field, value)
        except InvalidInputError as exc:
            problems.append(Problem(exc.field or field.name, str(exc)))
    return problems


def _refusal(exc: Exception) -> InvalidInputError | None:
    """The constructor's InvalidInputError inside a structuring error, if that is what it is.

    cattrs reports a failing constructor as a ClassValidationError without a
    field note (older versions let the error through as it is).
    """
    if isinstance(exc, InvalidInputError):
        return exc
    if isinstance(exc, ClassValidationError):
        _, without_field = exc.group_exceptions()
        for sub in without_field:
            if isinstance(sub, InvalidInputError):
                return sub
    return None


def _unstructured_fields(exc: Exception) -> set[str]:
    """The fields that did not structure, by the notes cattrs put on their errors."""
    if not isinstance(exc, ClassValidationError):
        return set()
    with_field, _ = exc.group_exceptions()
    return {note.name for _, note in with_field}


def _register_checked(cls: type, raw: frozenset[str] = frozenset(), **overrides: Any) -> None:  # noqa: ANN401
    """Structure ``cls`` reporting every problem at once, each at its path.

    A field that does not structure (a wrong type) and a field that its
    constructor refuses (out of range) are both reported, so that a structural
    problem does not hide a semantic one.
    """
    structure: Callable[[Any, Any], object] = cattrs.gen.make_dict_structure_fn(
        cls, converter, **overrides
    )

    def hook(data: object, _: object) -> object:
        try:
            return structure(data, cls)
        except (InvalidInputError, ClassValidationError) as exc:
            if not isinstance(data, Mapping):
                raise
            refused = _refusal(exc)
            problems = [] if refused is not None else list(problems_from_exception(exc))
            problems += _field_problems(cls, data, raw, _unstructured_fields(exc))
            if refused is not None and not problems:
                problems = [Problem(refused.field or "", str(refused))]
            raise DocumentError(problems, cls.__name__) from exc

    converter.register_structure_hook(cls, hook)


def _structure_identity(data: object, _: object) -> Identity:
    try:
        return _structure_identity_fields(data, Identity)
    except (InvalidInputError, ClassValidationError) as exc:
        refused = _refusal(exc)
        if refused is None:
            raise
        raise DocumentError([Problem(refused.field or "", str(refused))], "Identity") from exc


_structure_identity_fields: Callable[[Any, Any], Identity] = cattrs.gen.make_dict_structure_fn(
    Identity, converter
)
converter.register_structure_hook(Identity, _structure_identity)
_register_checked(
    Customer,
    raw=frozenset({"attributes"}),
    attributes=cattrs.gen.override(struct_hook=_structure_attributes),
)
_register_checked(Interaction)
converter.register_unstructure_hook(
    Customer,
    cattrs.gen.make_dict_unstructure_fn(
        Customer,
        converter,
        attributes=cattrs.gen.override(unstruct_hook=_unstructure_attributes),
    ),
)
# An identification's events are what identifying did, not what was found: they
# travel through the hosts' event hooks, so its document holds the rest only.
converter.register_unstructure_hook(
    Identification,
    cattrs.gen.make_dict_unstructure_fn(
        Identification, converter, events=cattrs.gen.override(omit=True)
    ),
)
converter.register_structure_hook(
    Identification,
    cattrs.gen.make_dict_structure_fn(
        Identification, converter, events=cattrs.gen.override(omit=True)
    ),
)


# --- the store the host supplies --------------------------------------------------------


class CustomerStore(Protocol):
    """Where customers and their interactions are kept (typing only).

    Implementations: :class:`callcore.storage.MemoryStorage`,
    :class:`callcore.storage.SQLiteStorage`, or a storage plugin. Every method is
    atomic: it either does all it says or raises and writes nothing. Every
    method checks its arguments first: a wrong type (an id that is not a
    string, a customer that is not a :class:`Customer`...) raises
    :class:`~callcore.errors.InvalidInputError` naming the argument. The
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
            InvalidInputError: ``limit`` is not a whole number from 0 to
                :data:`MAX_HISTORY`.
        """
        ...


# --- the operation -----------------------------------------------------------------------


def _country_code(_: object, __: attrs.Attribute[str], value: str) -> None:
    _check_country_code(value)


_STORE_METHODS = (
    "get_customer",
    "find_customer",
    "add_customer",
    "save_customer",
    "add_interaction",
    "recent_interactions",
)


def _customer_store(_: object, attribute: attrs.Attribute[Any], value: object) -> None:
    missing = [name for name in _STORE_METHODS if not callable(getattr(value, name, None))]
    if missing:
        raise InvalidInputError(
            f"store must be a customer store; {type(value).__name__} has no {', '.join(missing)}",
            field=attribute.name,
        )


def _callable(_: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if not callable(value):
        raise InvalidInputError(
            f"{attribute.name} must be callable, got {type(value).__name__}", field=attribute.name
        )


_ADD_ATTEMPTS = 5  # a fresh id clashes only with a broken id factory


@attrs.define
class CallerIdentifier:
    """Identify callers against a store, creating customers on first contact.

    Args:
        store: Where customers live.
        default_country_code: The country calling code of national numbers.
        history_limit: How many recent interactions :meth:`identify` returns
            (1 to :data:`MAX_HISTORY`).
        id_factory: Makes ids for new customers and interactions (default:
            :func:`callcore.events.new_id`, random UUID4 hex); tests pass a
            deterministic one.

    Each call that changes something returns its events: ``customer.created``
    or ``customer.identified`` (:meth:`identify`), ``customer.updated``
    (:meth:`update_customer`), ``customer.interaction_recorded``
    (:meth:`record_interaction`). A refused call raises and emits nothing.

    >>> from datetime import datetime, timezone
    >>> from callcore.customers import CallerIdentifier
    >>> from callcore.storage import MemoryStorage
    >>> identifier = CallerIdentifier(MemoryStorage(), default_country_code="44")
    >>> now = datetime(2026, 3, 2, 9, 30, tzinfo=timezone.utc)
    >>> first = identifier.identify("020 7946 0018", now=now)
    >>> again = identifier.identify("+44 20 7946 0018", now=now)
    >>> (first.created, again.created, first.customer.id == again.customer.id)
    (True, False, True)
    >>> [event.kind for event in first.events + again.events]
    ['customer.created', 'customer.identified']
    """

    store: CustomerStore = attrs.field(validator=_customer_store)
    default_country_code: str = attrs.field(default="1", validator=_country_code)
    history_limit: int = attrs.field(
        default=10, validator=validator(check_count, low=1, high=MAX_HISTORY)
    )
    id_factory: IdFactory = attrs.field(default=new_id, validator=_callable)

    def parse(self, identity: Identity | str) -> Identity:
        """Turn a raw phone number or address into an identity (identities pass through).

        Raises:
            InvalidIdentityError: The value is malformed (or not a string).
        """
        if isinstance(identity, Identity):
            return identity
        if not isinstance(identity, str):
            raise InvalidIdentityError(
                identity,
                "expected an Identity, or a phone number or email address as a string",
                field="identity",
            )
        return Identity.parse(identity, self.default_country_code)

    def identify(self, identity: Identity | str, *, now: datetime) -> Identification:
        """Find the customer an identity belongs to, creating one on a miss.

        The same identity always yields the same customer, also when several
        processes identify a new caller at once: when the store refuses the new
        customer because another writer just added it, the winner is read back.

        Args:
            identity: An identity, or a raw phone number or email address.
            now: The current time (timezone-aware), the new customer's
                ``created_at``.

        Returns:
            The customer, its recent history newest first, whether it was
            created now, and one event: :class:`CustomerCreated` or
            :class:`CustomerIdentified`.

        Raises:
            InvalidIdentityError: A raw value is malformed.
            NaiveDatetimeError: ``now`` is naive.
            InvalidInputError: ``now`` is not a datetime from 1900 to 2999.
        """
        check_instant(now, "now")
        wanted = self.parse(identity)
        for _ in range(_ADD_ATTEMPTS):
            found = self.store.find_customer(wanted)
            if found is not None:
                event: Event = CustomerIdentified(at=now, customer=found, identity=wanted)
                return self._identified(found, event, created=False)
            new = Customer(id=self.id_factory(), created_at=now, identities=(wanted,))
            try:
                added = self.store.add_customer(new)
            except ConflictError:
                continue  # another writer added this identity (or the id) first
            return self._identified(added, CustomerCreated(at=now, customer=added), created=True)
        raise ConflictError(
            "customer",
            wanted.value,
            reason=f"could not add a new customer in {_ADD_ATTEMPTS} attempts; "
            "does the id factory repeat ids?",
        )

    def _identified(self, customer: Customer, event: Event, *, created: bool) -> Identification:
        history = self.store.recent_interactions(customer.id, self.history_limit)
        return Identification(
            customer=customer, history=tuple(history), created=created, events=(event,)
        )

    def record_interaction(
        self,
        customer_id: str,
        *,
        channel: Channel,
        direction: Direction,
        outcome: ContactOutcome,
        now: datetime,
        resolved: bool | None = None,
        agent: str | None = None,
        queue: str | None = None,
        ticket_id: str | None = None,
        notes: str = "",
        duration: timedelta | None = None,
    ) -> InteractionUpdate:
        """Add an interaction to a customer's history, with a new id.

        The interaction's ``at`` is ``now``: record it when the contact ends
        (``duration`` says how long it lasted). The other arguments are the
        :class:`Interaction`'s fields.

        Returns:
            The interaction as stored, and one :class:`InteractionRecorded`.

        Raises:
            NotFoundError: The customer does not exist.
            ConflictError: The id factory made an id that exists.
            InvalidInputError: A field is invalid (naive ``now``, negative
                duration, outcome ``queued``); nothing was stored.
        """
        check_instant(now, "now")
        interaction = Interaction(
            id=self.id_factory(),
            customer_id=customer_id,
            channel=channel,
            direction=direction,
            at=now,
            outcome=outcome,
            resolved=resolved,
            agent=agent,
            queue=queue,
            ticket_id=ticket_id,
            notes=notes,
            duration=duration,
        )
        self.store.add_interaction(interaction)
        return InteractionUpdate(
            interaction=interaction,
            events=(InteractionRecorded(at=now, interaction=interaction),),
        )

    def update_customer(
        self,
        customer_id: str,
        change: Callable[[Customer], Customer],
        *,
        now: datetime,
        attempts: int = 10,
    ) -> CustomerUpdate:
        """Read a customer, apply ``change`` and save, retrying on stale writes.

        ``change`` gets the current customer and returns the changed one (use
        :func:`attrs.evolve`); it may run several times, so it must not have
        side effects. A write that lost a race is retried on a fresh read, so no
        update is lost.

        Args:
            customer_id: Whose record to change.
            change: The change to make.
            now: The current time (timezone-aware), the time of the event.
            attempts: How many times to try before giving up.

        Returns:
            The customer as stored, and one :class:`CustomerUpdated`.

        Raises:
            NotFoundError: The customer does not exist.
            ConflictError: Still stale after ``attempts`` tries, or the change
                gives the customer an identity of another customer.
            InvalidInputError: ``change`` is not callable, returned something
                other than a customer or changed the id, ``attempts`` < 1, or
                ``now`` is not an aware datetime from 1900 to 2999
                (:class:`~callcore.errors.NaiveDatetimeError` for a naive one).
        """
        check_text(customer_id, "customer_id")
        check_instant(now, "now")
        if not callable(change):
            raise InvalidInputError(
                f"change must be callable, got {type(change).__name__}", field="change"
            )
        check_count(attempts, "attempts", low=1)
        last_conflict: ConflictError | None = None
        for _ in range(attempts):
            current = self.store.get_customer(customer_id)
            if current is None:
                raise NotFoundError("customer", customer_id)
            changed = change(current)
            if not isinstance(changed, Customer):
                raise InvalidInputError(
                    f"update_customer: the change must return a Customer, got "
                    f"{type(changed).__name__}",
                    field="change",
                )
            if changed.id != current.id:
                raise InvalidInputError(
                    f"update_customer: the change turned id {current.id!r} into {changed.id!r}",
                    field="change",
                )
            try:
                saved = self.store.save_customer(attrs.evolve(changed, version=current.version))
            except ConflictError as conflict:
                if conflict.actual_version is None:
                    raise  # an identity clash: trying again changes nothing
                last_conflict = conflict
                continue
            return CustomerUpdate(customer=saved, events=(CustomerUpdated(at=now, customer=saved),))
        assert last_conflict is not None  # noqa: S101 - the loop ran at least once
        raise last_conflict
