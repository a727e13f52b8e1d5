"""Declarative conditions for branch nodes, and their small safe evaluator.

A condition is plain data, never code: a comparison of one *subject* (a
variable, a caller attribute, a call datum or the current language) with a
value, or an ``all`` / ``any`` / ``not`` combination of conditions.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Callable, Iterator, Mapping
from typing import Any, TypeAlias

import attrs
from cattrs.errors import ClassValidationError

from callcore.checks import check_plain_data, validator
from callcore.errors import DocumentError, Problem
from callcore.serialization import converter, problems_from_exception

__all__ = [
    "AllOf",
    "AnyOf",
    "Compare",
    "Condition",
    "Not",
    "Op",
    "condition_problems",
    "describe_condition",
    "evaluate_condition",
]

SUBJECT_ROOTS = ("vars", "caller", "call", "language")
"""Where a subject may point: ``vars.NAME``, ``caller.NAME``, ``call.NAME``, ``language``."""


class Op(enum.Enum):
    """How a :class:`Compare` condition compares its subject with its value."""

    EQ = "eq"
    NE = "ne"
    LT = "lt"
    LE = "le"
    GT = "gt"
    GE = "ge"
    IN = "in"
    NOT_IN = "not_in"
    EXISTS = "exists"
    MISSING = "missing"
    MATCHES = "matches"


_SYMBOLS = {
    Op.EQ: "==",
    Op.NE: "!=",
    Op.LT: "<",
    Op.LE: "<=",
    Op.GT: ">",
    Op.GE: ">=",
    Op.IN: "in",
    Op.NOT_IN: "not in",
    Op.MATCHES: "matches",
}


@attrs.frozen
class Compare:
    """Compare a subject with a value.

    Document form: ``{"var": "caller.tier", "op": "eq", "value": "gold"}``.

    Attributes:
        var: The subject: ``vars.NAME``, ``caller.NAME``, ``call.NAME`` or ``language``.
        op: The comparison. ``exists`` and ``missing`` take no value; ``in`` and
            ``not_in`` take a list; ``matches`` takes a regular expression that
            is searched for in the subject's text.
        value: What to compare with.
    """

    var: str
    op: Op = Op.EQ
    value: Any = attrs.field(default=None, validator=validator(check_plain_data))


@attrs.frozen
class AllOf:
    """True when every condition is true (document form ``{"all": [...]}``)."""

    all: tuple[Condition, ...]


@attrs.frozen
class AnyOf:
    """True when at least one condition is true (document form ``{"any": [...]}``)."""

    any: tuple[Condition, ...]


@attrs.frozen
class Not:
    """True when the condition is false (document form ``{"not": {...}}``)."""

    condition: Condition


Condition: TypeAlias = Compare | AllOf | AnyOf | Not
"""A declarative condition."""


def _prefixed(exc: DocumentError, prefix: str) -> list[Problem]:
    return [Problem(f"{prefix}.{p.path}" if p.path else prefix, p.message) for p in exc.problems]


def _structure_item(item: object, path: str, problems: list[Problem]) -> Condition | None:
    try:
        return _structure_condition(item, Condition)
    except DocumentError as exc:
        problems.extend(_prefixed(exc, path))
        return None


def _structure_list(items: object, path: str) -> tuple[Condition, ...]:
    if not isinstance(items, list | tuple):
        raise DocumentError([Problem(path, "expected a list of conditions")])
    problems: list[Problem] = []
    conditions = [
        _structure_item(item, f"{path}[{index}]", problems) for index, item in enumerate(items)
    ]
    if problems:
        raise DocumentError(problems)
    return tuple(c for c in conditions if c is not None)


def _structure_condition(data: object, _: object) -> Condition:
    if not isinstance(data, Mapping):
        raise DocumentError([Problem("", f"expected a condition mapping, got {data!r}")])
    keys = set(data)
    if keys == {"all"}:
        return AllOf(_structure_list(data["all"], "all"))
    if keys == {"any"}:
        return AnyOf(_structure_list(data["any"], "any"))
    if keys == {"not"}:
        try:
            return Not(_structure_condition(data["not"], Condition))
        except DocumentError as exc:
            raise DocumentError(
                Problem("not" + (f".{p.path}" if p.path else ""), p.message) for p in exc.problems
            ) from None
    if "var" in keys:
        try:
            return converter.structure(data, Compare)
        except ClassValidationError as exc:
            raise DocumentError(problems_from_exception(exc)) from None
    raise DocumentError(
        [Problem("", "a condition needs 'var' and 'op', or one of 'all', 'any', 'not'")]
    )


def _unstructure_condition(condition: Condition) -> dict[str, Any]:
    if isinstance(condition, AllOf):
        return {"all": [_unstructure_condition(c) for c in condition.all]}
    if isinstance(condition, AnyOf):
        return {"any": [_unstructure_condition(c) for c in condition.any]}
    if isinstance(condition, Not):
        return {"not": _unstructure_condition(condition.condition)}
    data: dict[str, Any] = {"var": condition.var, "op": condition.op.value}
    if condition.op not in {Op.EXISTS, Op.MISSING} or condition.value is not None:
        data["value"] = condition.value
    return data


converter.register_structure_hook(Condition, _structure_condition)
for _cls in (AllOf, AnyOf, Not):
    converter.register_structure_hook(_cls, _structure_condition)
    converter.register_unstructure_hook(_cls, _unstructure_condition)
converter.register_unstructure_hook(Compare, _unstructure_condition)
converter.register_unstructure_hook(Condition, _unstructure_condition)


_SUBJECT_PREFIXES = tuple(f"{root}." for root in SUBJECT_ROOTS)
_CHECKED_OPS = (Op.IN, Op.NOT_IN, Op.MATCHES)  # the operators whose value is checked


def is_plain_and_valid(condition: Condition) -> bool:
    """Whether ``condition`` is a comparison that :func:`condition_problems` would pass.

    A cheap test, without building paths, for the commonest case: a
    comparison of a good subject by an operator whose value needs no check.
    """
    if type(condition) is not Compare or condition.op in _CHECKED_OPS:
        return False
    subject = condition.var
    return subject.startswith(_SUBJECT_PREFIXES) or subject == "language"


def condition_problems(condition: Condition, path: str) -> Iterator[Problem]:
    """Check a condition's subjects, operators and values.

    Args:
        condition: The condition to check.
        path: Where it is in the document.

    Yields:
        A problem for each bad subject, value or regular expression.
    """
    if isinstance(condition, AllOf | AnyOf):
        items = condition.all if isinstance(condition, AllOf) else condition.any
        key = "all" if isinstance(condition, AllOf) else "any"
        if not items:
            yield Problem(path, f"'{key}' needs at least one condition")
        for index, item in enumerate(items):
            yield from condition_problems(item, f"{path}.{key}[{index}]")
        return
    if isinstance(condition, Not):
        yield from condition_problems(condition.condition, f"{path}.not")
        return
    root = condition.var.split(".", 1)[0]
    if root not in SUBJECT_ROOTS or (root != "language" and "." not in condition.var):
        yield Problem(
            f"{path}.var",
            f"unknown subject {condition.var!r}: use vars.NAME, caller.NAME, call.NAME or language",
        )
    op = condition.op
    if (op is Op.IN or op is Op.NOT_IN) and not isinstance(condition.value, list | tuple):
        yield Problem(f"{path}.value", f"'{op.value}' needs a list of values")
    if op is Op.MATCHES:
        if not isinstance(condition.value, str):
            yield Problem(f"{path}.value", "'matches' needs a regular expression string")
        else:
            try:
                re.compile(condition.value)
            except re.error as exc:
                yield Problem(f"{path}.value", f"invalid regular expression: {exc}")


_MISSING = object()


def lookup(scope: Mapping[str, Any], subject: str, missing: Any = _MISSING) -> Any:  # noqa: ANN401 - any JSON value
    """Return the value at a dotted ``subject`` (``vars.plan``) in ``scope``, or ``missing``."""
    value: Any = scope
    for part in subject.split("."):
        # a plain dict first: the ABC check is several times slower
        if not (type(value) is dict or isinstance(value, Mapping)) or part not in value:
            return missing
        value = value[part]
    return value


def _ordered(compare: Callable[[Any, Any], bool]) -> Callable[[Any, Any], bool]:
    def safe(a: Any, b: Any) -> bool:  # noqa: ANN401 - any JSON values
        try:
            return compare(a, b)
        except TypeError:  # different kinds (text and number) are never ordered
            return False

    return safe


_OPERATORS: dict[Op, Callable[[Any, Any], bool]] = {
    Op.EQ: lambda a, b: bool(a == b),
    Op.NE: lambda a, b: bool(a != b),
    Op.IN: lambda a, b: a in b,
    Op.NOT_IN: lambda a, b: a not in b,
    Op.MATCHES: lambda a, b: re.search(b, str(a)) is not None,
    Op.LT: _ordered(lambda a, b: bool(a < b)),
    Op.LE: _ordered(lambda a, b: bool(a <= b)),
    Op.GT: _ordered(lambda a, b: bool(a > b)),
    Op.GE: _ordered(lambda a, b: bool(a >= b)),
}


# By the members' identity: an enum member's hash is a Python-level call.
_OPERATORS_BY_ID = {id(op): operator for op, operator in _OPERATORS.items()}


def _compare(condition: Compare, scope: Mapping[str, Any]) -> bool:
    value = lookup(scope, condition.var)
    op = condition.op
    if op is Op.EXISTS:
        return value is not _MISSING and value is not None
    if op is Op.MISSING:
        return value is _MISSING or value is None
    if value is _MISSING:
        return op is Op.NE or op is Op.NOT_IN
    try:
        return _OPERATORS_BY_ID[id(op)](value, condition.value)
    except TypeError:  # e.g. 'in' with a value that is not a list
        return False


def evaluate_condition(condition: Condition, scope: Mapping[str, Any]) -> bool:
    """Evaluate a condition against the session's data.

    Args:
        condition: The condition.
        scope: A mapping with the roots ``vars``, ``caller``, ``call`` and ``language``.

    Returns:
        Whether the condition holds. A missing subject is only ``ne``,
        ``not_in`` and ``missing``; values of different kinds are never ordered.
    """
    if type(condition) is Compare:  # the commonest, tested first
        return _compare(condition, scope)
    if isinstance(condition, AllOf):
        return all(evaluate_condition(item, scope) for item in condition.all)
    if isinstance(condition, AnyOf):
        return any(evaluate_condition(item, scope) for item in condition.any)
    if isinstance(condition, Not):
        return not evaluate_condition(condition.condition, scope)
    return _compare(condition, scope)


def describe_condition(condition: Condition) -> str:
    """Render a condition as short readable text (for diagrams and traces)."""
    if isinstance(condition, AllOf):
        return " and ".join(f"({describe_condition(c)})" for c in condition.all)
    if isinstance(condition, AnyOf):
        return " or ".join(f"({describe_condition(c)})" for c in condition.any)
    if isinstance(condition, Not):
        return f"not ({describe_condition(condition.condition)})"
    if condition.op is Op.EXISTS:
        return f"{condition.var} exists"
    if condition.op is Op.MISSING:
        return f"{condition.var} missing"
    return f"{condition.var} {_SYMBOLS[condition.op]} {condition.value!r}"
