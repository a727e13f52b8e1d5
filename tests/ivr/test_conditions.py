from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from callcore.errors import DocumentError
from callcore.ivr import AllOf, AnyOf, Compare, Condition, Not, Op, evaluate_condition
from callcore.serialization import converter, to_dict


def structure(data: Any) -> Any:
    """Read a condition from its document form."""
    return converter.structure(data, Condition)  # type: ignore[arg-type]


SCOPE: dict[str, Any] = {
    "vars": {"balance": 120, "account": "4111", "empty": None},
    "caller": {"tier": "gold", "known": True, "language": "ro"},
    "call": {"ani": "+40721000111"},
    "language": "ro",
}


@pytest.mark.parametrize(
    ("condition", "expected"),
    [
        (Compare("caller.tier", Op.EQ, "gold"), True),
        (Compare("caller.tier", Op.NE, "gold"), False),
        (Compare("vars.balance", Op.GT, 100), True),
        (Compare("vars.balance", Op.LE, 100), False),
        (Compare("vars.balance", Op.LT, "200"), False),  # text and numbers never order
        (Compare("caller.tier", Op.IN, ["gold", "platinum"]), True),
        (Compare("caller.tier", Op.NOT_IN, ["gold"]), False),
        (Compare("vars.missing", Op.NOT_IN, ["gold"]), True),
        (Compare("vars.missing", Op.EQ, None), False),
        (Compare("vars.account", Op.EXISTS), True),
        (Compare("vars.empty", Op.EXISTS), False),
        (Compare("vars.missing", Op.MISSING), True),
        (Compare("call.ani", Op.MATCHES, r"^\+40"), True),
        (Compare("call.ani", Op.MATCHES, r"^\+44"), False),
        (Compare("language", Op.EQ, "ro"), True),
        (AllOf((Compare("caller.known", Op.EQ, True), Compare("language", Op.EQ, "en"))), False),
        (AnyOf((Compare("caller.known", Op.EQ, True), Compare("language", Op.EQ, "en"))), True),
        (Not(Compare("caller.known", Op.EQ, True)), False),
    ],
)
def test_operators(condition: Condition, expected: bool) -> None:
    """Each operator gives the hand-worked answer on a fixed scope."""
    assert evaluate_condition(condition, SCOPE) is expected


def test_document_form_round_trips() -> None:
    """Conditions read from and write to their compact document form."""
    data = {
        "any": [
            {"var": "caller.tier", "op": "in", "value": ["gold"]},
            {"not": {"var": "vars.x", "op": "exists"}},
        ]
    }
    condition = structure(data)
    assert condition == AnyOf(
        (Compare("caller.tier", Op.IN, ["gold"]), Not(Compare("vars.x", Op.EXISTS)))
    )
    assert to_dict(condition) == data


def test_bad_conditions_report_every_problem_with_paths() -> None:
    """Nested mistakes are reported together, each with its path."""
    data = {"all": [{"var": "x", "op": "bogus"}, {"not": {"nothing": 1}}]}
    with pytest.raises(DocumentError) as caught:
        structure(data)
    paths = [problem.path for problem in caught.value.problems]
    assert paths == ["all[0].op", "all[1].not"]


leaves = st.builds(
    Compare,
    st.sampled_from(["vars.a", "vars.b", "caller.tier"]),
    st.sampled_from([Op.EQ, Op.NE, Op.EXISTS]),
    st.sampled_from([1, 2, "gold"]),
)
conditions = st.recursive(
    leaves,
    lambda inner: st.one_of(
        st.lists(inner, min_size=1, max_size=3).map(lambda xs: AllOf(tuple(xs))),
        st.lists(inner, min_size=1, max_size=3).map(lambda xs: AnyOf(tuple(xs))),
        inner.map(Not),
    ),
    max_leaves=8,
)


def _reference(condition: Condition, scope: dict[str, Any]) -> bool:
    """A second, direct evaluator over the small generated language."""
    if isinstance(condition, AllOf):
        return all(_reference(c, scope) for c in condition.all)
    if isinstance(condition, AnyOf):
        return any(_reference(c, scope) for c in condition.any)
    if isinstance(condition, Not):
        return not _reference(condition.condition, scope)
    root, name = condition.var.split(".")
    present = name in scope[root]
    value = scope[root].get(name)
    if condition.op is Op.EXISTS:
        return present and value is not None
    if condition.op is Op.EQ:
        return present and value == condition.value
    return (not present) or value != condition.value


@given(conditions, st.dictionaries(st.sampled_from(["a", "b"]), st.sampled_from([1, 2, "gold"])))
def test_evaluator_matches_reference(condition: Condition, variables: dict[str, Any]) -> None:
    """The evaluator agrees with a direct reference on random conditions, and round-trips."""
    scope = {"vars": variables, "caller": {"tier": "gold"}, "call": {}, "language": "en"}
    assert evaluate_condition(condition, scope) is _reference(condition, scope)
    assert structure(to_dict(condition)) == condition
