"""The built-in phone rules agree with libphonenumber on every country they claim.

libphonenumber (the ``phonenumbers`` package) is the oracle: valid numbers of
each claimed country, generated from its own metadata, are written the ways a
person types them (national, international, E.164, with the trunk prefix, from
abroad with that country's international prefix) and read by both; the
built-in rules must give the same E.164 number, or refuse a number that the
documented length limits exclude.
"""

from __future__ import annotations

import re
import subprocess
import sys
from typing import TYPE_CHECKING, Any

import pytest
from hypothesis import assume, example, given
from hypothesis import strategies as st

from callcore.customers import (
    _DIALING_PLANS,
    InvalidIdentityError,
    _phone_library,
    normalize_phone,
)
from tests.storage.phones import phone_rules

if TYPE_CHECKING:
    from collections.abc import Iterator

phonenumbers = pytest.importorskip("phonenumbers")
PhoneMetadata: Any = phonenumbers.PhoneMetadata
E164 = phonenumbers.PhoneNumberFormat.E164
NATIONAL = phonenumbers.PhoneNumberFormat.NATIONAL
INTERNATIONAL = phonenumbers.PhoneNumberFormat.INTERNATIONAL

CLAIMED = sorted(_DIALING_PLANS, key=int)
TYPES = (
    "fixed_line",
    "mobile",
    "toll_free",
    "premium_rate",
    "shared_cost",
    "voip",
    "personal_number",
    "pager",
    "uan",
    "voicemail",
)


def _metadata(region: str) -> Any:
    return PhoneMetadata.metadata_for_region(region)


def _main_region(code: str) -> str:
    region: str = phonenumbers.region_code_for_country_code(int(code))
    return region


def _kinds(code: str) -> Iterator[tuple[str, str]]:
    """Each (region, number type) of a country code that has numbers."""
    for region in phonenumbers.region_codes_for_country_code(int(code)):
        for kind in TYPES:
            desc = getattr(_metadata(region), kind)
            if desc is not None and desc.national_number_pattern and desc.example_number:
                yield region, kind


KINDS = [(code, region, kind) for code in CLAIMED for region, kind in _kinds(code)]


def _number(code: str, national: str) -> Any:
    """The phonenumbers object of a national significant number, leading zeros kept."""
    number = phonenumbers.PhoneNumber(country_code=int(code), national_number=int(national))
    zeros = len(national) - len(national.lstrip("0"))
    if zeros:
        number.italian_leading_zero = True
        if zeros > 1:
            number.number_of_leading_zeros = zeros
    return number


@st.composite
def valid_numbers(draw: st.DrawFn) -> tuple[str, Any]:
    """A claimed country code and a valid number of it, from its own patterns."""
    code, region, kind = draw(st.sampled_from(KINDS))
    pattern = re.compile(getattr(_metadata(region), kind).national_number_pattern, re.ASCII)
    national = draw(st.from_regex(pattern, fullmatch=True))
    number = _number(code, national)
    assume(phonenumbers.is_valid_number_for_region(number, region))
    return code, number


def typed_forms(code: str, number: Any, abroad: str) -> list[tuple[str, str]]:
    """(text, default country code): the ways a person writes ``number``.

    At home (default ``code``): national format, international format, E.164,
    the digits with the trunk prefix, the digits alone, and, where the
    national format shows the trunk prefix, the habit of keeping it after the
    country code (``+44 020...``). From ``abroad``: the international format
    with that country's own international prefix.
    """
    national = phonenumbers.national_significant_number(number)
    national_format = phonenumbers.format_number(number, NATIONAL)
    forms = [
        (national_format, code),
        (phonenumbers.format_number(number, INTERNATIONAL), code),
        (phonenumbers.format_number(number, E164), code),
        (national, code),
    ]
    trunk = _metadata(_main_region(code)).national_prefix
    if trunk:
        forms.append((trunk + national, code))
        if re.sub(r"\D", "", national_format) == trunk + national:  # it shows the prefix
            forms.append((f"+{code} {trunk}{national}", code))
    if abroad != code:
        forms.append(
            (
                phonenumbers.format_out_of_country_calling_number(number, _main_region(abroad)),
                abroad,
            )
        )
    return forms


def assert_agrees(text: str, default: str) -> None:
    """The built-in rules read ``text`` as libphonenumber does, or refuse it for its length."""
    try:
        parsed = phonenumbers.parse(text, _main_region(default), keep_raw_input=True)
    except phonenumbers.NumberParseException:
        return  # not a form libphonenumber reads either
    expected = phonenumbers.format_number(parsed, E164)
    if not expected.startswith("+"):
        return  # libphonenumber could not read it either (810 8... in Russia)
    if str(parsed.country_code) not in _DIALING_PLANS:
        # a national number that starts like the international prefix dials
        # abroad (Russia's 810 81...: Japan), into a country the rules do not claim
        return
    national = phonenumbers.national_significant_number(parsed)
    at_home = parsed.country_code_source == phonenumbers.CountryCodeSource.FROM_DEFAULT_COUNTRY
    too_short = len(national) < 7 if at_home else len(expected) - 1 < 8
    with phone_rules("builtin"):
        if too_short or len(expected) - 1 > 15:  # the documented length limits
            with pytest.raises(InvalidIdentityError, match="too"):
                normalize_phone(text, default)
        else:
            assert normalize_phone(text, default) == expected, (text, default)


@given(valid_numbers(), st.sampled_from(CLAIMED))
@example(("7", _number("7", "81081010000000")), "7")  # read as 810 81...: Japan, unclaimed
def test_builtin_rules_agree_with_libphonenumber(drawn: tuple[str, Any], abroad: str) -> None:
    """Any valid number of a claimed country, typed any usual way, reads the same."""
    code, number = drawn
    for text, default in typed_forms(code, number, abroad):
        assert_agrees(text, default)


def test_every_claimed_country_example_agrees() -> None:
    """The example number of every type of every claimed country reads the same.

    Each is typed every usual way at home and from the next claimed country.
    """
    checked = 0
    for index, (code, region, kind) in enumerate(KINDS):
        example = getattr(_metadata(region), kind).example_number
        abroad = CLAIMED[(CLAIMED.index(code) + 1) % len(CLAIMED)]
        for text, default in typed_forms(code, _number(code, example), abroad):
            assert_agrees(text, default)
            checked += 1
        assert index < len(KINDS)
    assert checked > 5 * len(CLAIMED)


@pytest.mark.parametrize("code", CLAIMED)
def test_dialing_plans_match_libphonenumber_metadata(code: str) -> None:
    """Each claimed country's trunk and international prefixes are libphonenumber's."""
    plan = _DIALING_PLANS[code]
    for region in phonenumbers.region_codes_for_country_code(int(code)):
        metadata = _metadata(region)
        assert plan.trunk_prefixes == (
            (metadata.national_prefix,) if metadata.national_prefix else ()
        )
        exits = [
            p for p in plan.international_prefixes if re.fullmatch(metadata.international_prefix, p)
        ]
        assert exits
        preferred = metadata.preferred_international_prefix or metadata.international_prefix
        if re.fullmatch(r"[\d~]+", preferred):  # one prefix, not a pattern of several
            assert preferred.replace("~", "") in exits
        # every other prefix is '00', which no national number of the country starts with
        assert set(plan.international_prefixes) - set(exits) <= {"00"}


def test_importing_callcore_does_not_import_phonenumbers() -> None:
    """Phonenumbers is optional: importing callcore (and its stores) leaves it unloaded."""
    code = (
        "import sys, callcore, callcore.customers, callcore.storage, callcore.plugins\n"
        "assert 'phonenumbers' not in sys.modules, 'imported'\n"
        "callcore.customers.normalize_phone('+44 20 7946 0018')\n"
        "assert 'phonenumbers' in sys.modules, 'not used'\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_both_rule_sets_run() -> None:
    """Without phonenumbers the built-in rules read numbers; with it, libphonenumber does.

    libphonenumber refuses what cannot exist (an unassigned country code).
    """
    unassigned = "+999 1234 5678"
    with phone_rules("builtin"):
        assert _phone_library() is None
        assert normalize_phone(unassigned) == "+99912345678"
        assert normalize_phone("06 6982 1234", "39") == "+390669821234"
    with phone_rules("phonenumbers"):
        assert _phone_library() is phonenumbers
        with pytest.raises(InvalidIdentityError, match="country calling code"):
            normalize_phone(unassigned)
        assert normalize_phone("06 6982 1234", "39") == "+390669821234"
