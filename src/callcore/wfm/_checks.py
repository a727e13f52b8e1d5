"""Collecting every problem of an input before refusing it."""

from __future__ import annotations

import math
from datetime import timedelta

from callcore.errors import DocumentError, Problem


def positive_duration(problems: list[Problem], path: str, value: object) -> None:
    """Record a problem unless ``value`` is a timedelta longer than zero."""
    if not isinstance(value, timedelta):
        problems.append(Problem(path, f"expected a timedelta, got {type(value).__name__}"))
    elif value <= timedelta(0):
        problems.append(Problem(path, f"must be longer than zero, got {value}"))


def non_negative_duration(problems: list[Problem], path: str, value: object) -> None:
    """Record a problem unless ``value`` is a timedelta of zero or more."""
    if not isinstance(value, timedelta):
        problems.append(Problem(path, f"expected a timedelta, got {type(value).__name__}"))
    elif value < timedelta(0):
        problems.append(Problem(path, f"must not be negative, got {value}"))


def number_at_least(problems: list[Problem], path: str, value: object, low: float) -> None:
    """Record a problem unless ``value`` is a finite real number of at least ``low``."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        problems.append(Problem(path, f"expected a number, got {type(value).__name__}"))
    elif not math.isfinite(value) or value < low:
        problems.append(Problem(path, f"must be a finite number of at least {low}, got {value}"))


def fraction_between(
    problems: list[Problem], path: str, value: object, *, low_open: bool, high_open: bool
) -> None:
    """Record a problem unless ``value`` lies between 0 and 1 (ends open as told)."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        problems.append(Problem(path, f"expected a number, got {type(value).__name__}"))
        return
    too_low = value <= 0 if low_open else value < 0
    too_high = value >= 1 if high_open else value > 1
    if math.isnan(value) or too_low or too_high:
        low = "(0" if low_open else "[0"
        high = "1)" if high_open else "1]"
        problems.append(Problem(path, f"must be in {low}, {high}, got {value}"))


def whole_number_at_least(problems: list[Problem], path: str, value: object, low: int) -> None:
    """Record a problem unless ``value`` is an int of at least ``low``."""
    if isinstance(value, bool) or not isinstance(value, int):
        problems.append(Problem(path, f"expected an integer, got {type(value).__name__}"))
    elif value < low:
        problems.append(Problem(path, f"must be at least {low}, got {value}"))


def refuse(problems: list[Problem], what: str) -> None:
    """Raise one :class:`DocumentError` listing ``problems``, if there are any."""
    if problems:
        raise DocumentError(problems, what)
