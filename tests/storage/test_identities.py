"""Phone numbers to E.164 and email addresses to lower case, from hand-written tables.

Each phone table runs twice: with the built-in rules (``phonenumbers`` hidden)
and with libphonenumber; both must give the hand-worked answer.
"""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from callcore.customers import (
    _DIALING_PLANS,
    Identity,
    IdentityKind,
    InvalidIdentityError,
    normalize_email,
    normalize_phone,
)
from callcore.errors import InvalidInputError
from tests.storage.phones import RULES, phone_rules
from tests.storage.strategies import e164_numbers

# (raw, default country code, E.164): worked out by hand from each country's plan.
# UK numbers are from Ofcom's drama ranges, US ones from the 555-01xx fiction range.
PHONE_TABLE = [
    # United Kingdom (+44), trunk prefix 0
    ("020 7946 0018", "44", "+442079460018"),
    ("(020) 7946-0018", "44", "+442079460018"),
    ("+44 20 7946 0018", "44", "+442079460018"),
    ("+44 (0)20 7946 0018", "44", "+442079460018"),
    ("0044 20 7946 0018", "44", "+442079460018"),
    ("0113 496 0000", "44", "+441134960000"),  # 011.. is Leeds here, not a prefix
    ("07700 900123", "44", "+447700900123"),
    ("+44 20 7946 0018", "40", "+442079460018"),  # international ignores the default
    # Romania (+40), trunk prefix 0
    ("0721 234 567", "40", "+40721234567"),
    ("0721.234.567", "40", "+40721234567"),
    ("+40 721 234 567", "40", "+40721234567"),
    ("0040 721 234 567", "40", "+40721234567"),
    ("021 312 3456", "40", "+40213123456"),
    ("+40-21-312-34-56", "1", "+40213123456"),
    # United States (+1), trunk prefix 1, international prefix 011
    ("(212) 555-0100", "1", "+12125550100"),
    ("212.555.0100", "1", "+12125550100"),
    ("1-212-555-0100", "1", "+12125550100"),
    ("+1 212 555 0100", "1", "+12125550100"),
    ("011 44 20 7946 0018", "1", "+442079460018"),
    ("011 40 721 234 567", "1", "+40721234567"),
    ("001 212 555 0100", "44", "+12125550100"),
    ("555 0100", "1", "+15550100"),  # seven digits: the shortest national number
    # Italy (+39): no trunk prefix, the leading 0 of a landline is part of the number
    ("06 6982 1234", "39", "+390669821234"),
    ("+39 06 6982 1234", "39", "+390669821234"),
    ("0039 06 6982 1234", "44", "+390669821234"),
    ("312 345 6789", "39", "+393123456789"),  # a mobile: no 0 at all
    # San Marino (+378) keeps its 0 too
    ("0549 886377", "378", "+3780549886377"),
    # Hungary (+36): trunk prefix 06
    ("06 1 234 5678", "36", "+3612345678"),
    ("+36 1 234 5678", "36", "+3612345678"),
    ("06 20 123 4567", "36", "+36201234567"),
    # Russia (+7): trunk prefix 8 before a 10-digit number, international prefix 8~10
    ("8 495 123 45 67", "7", "+74951234567"),
    ("+7 495 123 45 67", "7", "+74951234567"),
    ("8 812 345 67 89", "7", "+78123456789"),  # St Petersburg: 812 is the area code
    ("812 345 67 89", "7", "+78123456789"),  # ... so its leading 8 is no trunk prefix
    ("8 10 44 20 7946 0018", "7", "+442079460018"),
    # Australia (+61): trunk prefix 0, international prefix 0011
    ("0011 61 2 9876 5432", "61", "+61298765432"),
    ("(02) 9876 5432", "61", "+61298765432"),
    ("0011 44 20 7946 0018", "61", "+442079460018"),
    # a trunk prefix written after the country code is dropped
    ("+44 020 7946 0018", "1", "+442079460018"),
    ("+36 06 1 234 5678", "1", "+3612345678"),
]

MALFORMED_PHONES = [
    ("", "no digits"),
    ("   ", "no digits"),
    ("1-800-FLOWERS", "only digits"),
    ("+44 20 7946 0018 ext 12", "only digits"),
    ("abc", "only digits"),
    ("+44+2079460018", "only digits"),
    ("+\u0664\u0664 20 7946 0018", "only digits"),  # Arabic-Indic digits are not ASCII
    ("12345", "too few digits"),
    ("0 12 34", "too few digits"),
    ("+4420", "too few digits"),
    ("+0 123 456 7890", "starts with 0"),
    ("+1234567890123456", "too many digits"),
    ("0044 1234 5678 9012 34", "too many digits"),
    ("+44 " + "0" * 300, "longer than 250"),
]

EMAIL_TABLE = [
    ("ana@example.ro", "ana@example.ro"),
    ("  Ana.Popescu@Example.RO ", "ana.popescu@example.ro"),
    ("BOB+billing@Mail.Example.co.uk", "bob+billing@mail.example.co.uk"),
]

MALFORMED_EMAILS = [
    ("ana.example.ro", "exactly one '@'"),
    ("ana@@example.ro", "exactly one '@'"),
    ("a@b@example.ro", "exactly one '@'"),
    ("@example.ro", "empty"),
    ("ana@localhost", "needs a dot"),
    ("ana@example.", "needs a dot"),
    ("ana@.example.ro", "needs a dot"),
    ("ana@example..ro", "needs a dot"),
    ("ana pop@example.ro", "no spaces"),
    ("ana@exa mple.ro", "no spaces"),
]


@pytest.mark.parametrize("rules", RULES)
@pytest.mark.parametrize(("raw", "country", "expected"), PHONE_TABLE)
def test_phone_numbers_normalise_to_e164(raw: str, country: str, expected: str, rules: str) -> None:
    """Each national and international form gives the hand-worked E.164 number."""
    with phone_rules(rules):
        assert normalize_phone(raw, country) == expected
        assert Identity.phone(raw, country) == Identity(IdentityKind.PHONE, expected)


@pytest.mark.parametrize("rules", RULES)
@pytest.mark.parametrize(("raw", "reason"), MALFORMED_PHONES)
def test_malformed_phone_numbers_are_refused(raw: str, reason: str, rules: str) -> None:
    """A malformed number raises InvalidIdentityError naming the raw value and why."""
    with phone_rules(rules), pytest.raises(InvalidIdentityError) as raised:
        Identity.phone(raw, "44")
    assert raised.value.raw == raw
    assert repr(raw)[:40] in str(raised.value)  # long values are shown cut short
    assert reason in raised.value.reason


@pytest.mark.parametrize("rules", RULES)
def test_international_prefix_then_0_is_no_prefix(rules: str) -> None:
    """'000 44...' is no international number, and as a national one it is refused.

    No country code starts with 0, so '00' then '0' is no international prefix;
    read as a national number it has too many digits for the UK.
    """
    with phone_rules(rules), pytest.raises(InvalidIdentityError):
        normalize_phone("000 44 20 7946 0018", "44")


@pytest.mark.parametrize("code", ["", "0", "044", "1234", "+44", "4a"])
def test_bad_default_country_code_is_refused(code: str) -> None:
    """A default country code must be 1 to 3 digits not starting with 0."""
    with pytest.raises(InvalidInputError, match="default_country_code"):
        normalize_phone("020 7946 0018", code)


@pytest.mark.parametrize(("raw", "expected"), EMAIL_TABLE)
def test_emails_normalise_to_lower_case(raw: str, expected: str) -> None:
    """An address is trimmed and lower-cased whole."""
    assert normalize_email(raw) == expected
    assert Identity.email(raw).value == expected


@pytest.mark.parametrize(("raw", "reason"), MALFORMED_EMAILS)
def test_malformed_emails_are_refused(raw: str, reason: str) -> None:
    """A malformed address raises InvalidIdentityError naming the raw value and why."""
    with pytest.raises(InvalidIdentityError) as raised:
        Identity.email(raw)
    assert raised.value.raw == raw
    assert reason in raised.value.reason


def test_parse_guesses_by_at_sign() -> None:
    """Identity.parse makes an email identity when there is an '@', a phone identity otherwise."""
    assert Identity.parse("Ana@Example.ro").kind is IdentityKind.EMAIL
    assert Identity.parse("0721 234 567", default_country_code="40") == Identity(
        IdentityKind.PHONE, "+40721234567"
    )


def test_constructor_refuses_unnormalised_values() -> None:
    """Identity(kind, value) accepts only values already in normal form."""
    with pytest.raises(InvalidIdentityError, match="normal form"):
        Identity(IdentityKind.PHONE, "020 7946 0018")
    with pytest.raises(InvalidIdentityError, match="normal form"):
        Identity(IdentityKind.EMAIL, "Ana@example.ro")
    with pytest.raises(InvalidIdentityError):
        Identity(IdentityKind.PHONE, "+\u0664\u0664\u0662\u0660\u0667\u0669\u0664\u0666\u0660")
    assert str(Identity(IdentityKind.EMAIL, "ana@example.ro")) == "ana@example.ro"


@given(e164_numbers())
def test_e164_is_a_fixed_point(number: str) -> None:
    """The built-in rules give a number in E.164 form back, whatever the default.

    Unless a trunk prefix follows a known country code: then only that goes (and
    a number left too short is refused).
    """
    normal = _read(number, "44")
    assert _read(number, "1") == normal
    if normal != number:
        code = next(c for c in _DIALING_PLANS if number[1:].startswith(c))
        (trunk,) = _DIALING_PLANS[code].trunk_prefixes
        assert number[1 + len(code) :].startswith(trunk)
        rest = number[1 + len(code) + len(trunk) :]
        if len(code + rest) < 8:
            assert "too few digits" in normal
        else:
            assert normal == f"+{code}{rest}"


def _read(raw: str, country: str) -> str:
    """The E.164 number the built-in rules make of ``raw``, or why they refuse it."""
    with phone_rules("builtin"):
        try:
            return normalize_phone(raw, country)
        except InvalidIdentityError as refused:
            return refused.reason


@given(e164_numbers(), st.lists(st.sampled_from([" ", "-", ".", "/"]), max_size=12), st.data())
def test_separators_do_not_matter(number: str, separators: list[str], data: st.DataObject) -> None:
    """Spaces, dashes, dots and slashes anywhere after the '+' change nothing."""
    digits = list(number[1:])
    for separator in separators:
        digits.insert(data.draw(st.integers(0, len(digits))), separator)
    assert _read("+" + "".join(digits), "40") == _read(number, "40")


@given(e164_numbers())
def test_00_prefix_equals_plus(number: str) -> None:
    """The '00' international prefix means the same as '+'."""
    assert _read("00" + number[1:], "40") == _read(number, "40")
