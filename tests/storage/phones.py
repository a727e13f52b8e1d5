"""Run phone normalisation with the built-in rules or with libphonenumber, on demand."""

from __future__ import annotations

import sys
from contextlib import contextmanager
from typing import TYPE_CHECKING

import pytest

from callcore.customers import _phone_library

if TYPE_CHECKING:
    from collections.abc import Iterator

RULES = ("builtin", "phonenumbers")
"""The two ways callcore reads phone numbers."""


@contextmanager
def phone_rules(rules: str) -> Iterator[None]:
    """Read phone numbers with ``rules`` inside the block.

    ``"builtin"`` hides the ``phonenumbers`` package (an import of it fails, as
    when it is not installed); ``"phonenumbers"`` needs it installed and skips
    the test otherwise.
    """
    if rules == "phonenumbers":
        pytest.importorskip("phonenumbers")
    missing = object()
    saved = sys.modules.get("phonenumbers", missing)
    if rules == "builtin":
        sys.modules["phonenumbers"] = None  # type: ignore[assignment]  # import raises
    _phone_library.cache_clear()
    try:
        yield
    finally:
        if saved is missing:
            sys.modules.pop("phonenumbers", None)
        else:
            sys.modules["phonenumbers"] = saved  # type: ignore[assignment]
        _phone_library.cache_clear()
