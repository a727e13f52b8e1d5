"""Malformed documents: list fields, text, numbers, nesting, size, YAML aliases.

Every problem is a DocumentError naming its path; no builtin exception escapes
the loaders, whatever bytes or plain data they are given.
"""

from __future__ import annotations

import contextlib
import json
import math

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

from callcore import serialization
from callcore.checks import check_count, validator
from callcore.errors import CallcoreError, DocumentError
from callcore.ivr import Action, IvrEvent
from callcore.serialization import from_dict, loads, parse_json, parse_yaml


@attrs.frozen
class Lists:
    names: tuple[str, ...] = ()
    counts: list[int] = attrs.Factory(list)
    tags: frozenset[str] = frozenset()
    pair: tuple[int, str] = (0, "")
    ratio: float = 0.0


def _problems(error: pytest.ExceptionInfo[DocumentError]) -> set[tuple[str, str]]:
    return {(problem.path, problem.message) for problem in error.value.problems}


def test_a_string_where_a_list_belongs_is_one_problem_not_characters() -> None:
    """A 40,000-character string for a list field is one 'expected a list' problem."""
    with pytest.raises(DocumentError) as error:
        from_dict(Lists, {"names": "billing" * 6000})
    assert _problems(error) == {("names", "expected a list, got str")}


@pytest.mark.parametrize("field", ["names", "counts", "tags", "pair"])
@pytest.mark.parametrize("value", ["vip", {"a": 1}, 5, None])
def test_every_kind_of_collection_accepts_only_a_list(field: str, value: object) -> None:
    """Tuples, lists, sets and fixed tuples refuse strings, mappings and scalars."""
    with pytest.raises(DocumentError) as error:
        from_dict(Lists, {field: value})
    assert _problems(error) == {(field, f"expected a list, got {type(value).__name__}")}


def test_lists_and_tuples_are_accepted() -> None:
    """A JSON array (a Python list or tuple) still loads into every collection type."""
    loaded = from_dict(Lists, {"names": ("a", "b"), "counts": [1], "tags": ["x"], "pair": [1, "y"]})
    assert loaded == Lists(("a", "b"), [1], frozenset({"x"}), (1, "y"))


def test_a_lone_surrogate_is_refused_at_its_path() -> None:
    """Text that no store can write (a lone surrogate) is refused where it stands."""
    with pytest.raises(DocumentError) as error:
        loads(Lists, '{"names": ["ok", "\\ud800"]}')
    assert _problems(error) == {("names[1]", "not valid Unicode text (it holds a lone surrogate)")}


@pytest.mark.parametrize("value", [math.nan, math.inf, -math.inf, 10**400])
def test_numbers_must_be_finite(value: float) -> None:
    """NaN, infinities and integers too large for a float are refused."""
    with pytest.raises(DocumentError) as error:
        from_dict(Lists, {"ratio": value})
    assert [problem.path for problem in error.value.problems] == ["ratio"]


@pytest.mark.parametrize("union", [IvrEvent, Action])
@pytest.mark.parametrize("data", [{"type": "digits"}, {"type": "nope"}, 5, [], "x", None])
def test_a_bad_union_payload_is_a_document_error(union: object, data: object) -> None:
    """A tagged union (the IVR wire format) reports bad data; no AttributeError."""
    with pytest.raises(DocumentError):
        from_dict(union, data)  # type: ignore[arg-type]


def test_deep_nesting_is_refused_without_recursion_error() -> None:
    """100,000 open brackets are a document error, in JSON and in YAML, and cheap."""
    for parse in (parse_json, parse_yaml):
        with pytest.raises(DocumentError, match="nested more than 64 levels"):
            parse("[" * 100_000)
    with pytest.raises(DocumentError, match="nested more than 64 levels"):
        loads(Lists, "[" * 100_000)


def test_nesting_at_the_limit_is_accepted_and_one_more_is_not() -> None:
    """64 levels of lists load; 65 are refused at the path of the deepest list."""
    assert parse_json("[" * 64 + "]" * 64) is not None
    with pytest.raises(DocumentError) as error:
        parse_json("[" * 65 + "]" * 65)
    assert _problems(error) == {("[0]" * 64, "nested more than 64 levels deep")}


def test_a_huge_integer_is_a_document_error() -> None:
    """A 5,000-digit integer (beyond Python's conversion limit) is refused, not leaked."""
    for parse in (parse_json, parse_yaml):
        with pytest.raises(DocumentError, match="not valid"):
            parse("1" * 5_000)


@pytest.mark.parametrize("text", ["NaN", "[Infinity]", '{"a": -Infinity}'])
def test_nan_and_infinity_are_not_json(text: str) -> None:
    """Python's json reads NaN and Infinity; callcore's documents refuse them."""
    with pytest.raises(DocumentError, match="is not a JSON number"):
        parse_json(text)


def test_bytes_that_are_not_utf8_are_a_document_error() -> None:
    """Invalid UTF-8 names the byte where decoding failed."""
    for parse in (parse_json, parse_yaml):
        with pytest.raises(DocumentError) as error:
            parse(b'{"a": "\xff"}')
        assert _problems(error) == {("", "not valid UTF-8 at byte 7")}


def test_text_that_is_not_text_is_a_document_error() -> None:
    """Passing a number or a dict where text belongs is reported, not leaked."""
    with pytest.raises(DocumentError, match="expected text"):
        parse_json(5)  # type: ignore[arg-type]


def test_a_document_over_the_size_limit_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    """Text longer than MAX_DOCUMENT_SIZE is refused before it is parsed."""
    monkeypatch.setattr(serialization, "MAX_DOCUMENT_SIZE", 100)
    assert parse_json(" " * 98 + "[]") == []
    for text in (" " * 99 + "[]", (" " * 99 + "[]").encode()):
        with pytest.raises(DocumentError, match="the limit is 100"):
            parse_json(text)


def test_duplicate_keys_are_reported_where_they_stand() -> None:
    """A duplicate key names the object that holds it, at any depth."""
    with pytest.raises(DocumentError) as error:
        parse_json('{"nodes": {"menu": {"options": {"1": "a", "1": "b"}}}, "x": 1, "x": 2}')
    assert _problems(error) == {
        ("", "duplicate key 'x' in one object"),
        ("nodes.menu.options", "duplicate key '1' in one object"),
    }


def test_a_duplicate_key_is_reported_only_where_it_is() -> None:
    """Another object that merely has a key of the same name is not reported."""
    with pytest.raises(DocumentError) as error:
        parse_json('{"nodes": {"a": {"type": "x", "type": "y"}, "b": {"type": "z"}}}')
    assert _problems(error) == {("nodes.a", "duplicate key 'type' in one object")}


def test_yaml_refuses_a_duplicate_key_but_allows_merge_overrides() -> None:
    """A key twice in one YAML mapping is refused; `<<: *base` then a key is not a duplicate."""
    with pytest.raises(DocumentError, match="found the key 'type' twice"):
        parse_yaml("a: {type: x, type: y}\nb: {type: z}\n")
    merged = parse_yaml("base: &b {x: 1, y: 1}\nc:\n  <<: *b\n  x: 2\n")
    assert merged["c"] == {"x": 2, "y": 1}


def test_a_union_names_an_unknown_or_missing_tag() -> None:
    """The wire format says which `type` it does not know, or that `type` is missing."""
    with pytest.raises(DocumentError) as unknown:
        from_dict(IvrEvent, {"type": "nope"})  # type: ignore[arg-type]
    assert _problems(unknown) == {("type", "unknown type 'nope'")}
    with pytest.raises(DocumentError) as missing:
        from_dict(IvrEvent, {"digits": "1"})  # type: ignore[arg-type]
    assert _problems(missing) == {("type", "required field missing")}


def test_an_unknown_key_that_is_not_text_is_reported() -> None:
    """A non-text key (possible from Python, not from JSON) is an unknown field, not a crash."""
    with pytest.raises(DocumentError, match="unknown field: 1"):
        from_dict(Lists, {1: "a"})


YAML_BOMB = """\
a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]
b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]
c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]
d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]
e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]
f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]
g: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]
"""


def test_a_yaml_alias_bomb_is_refused() -> None:
    """A few hundred bytes that would expand to millions of values are refused."""
    assert len(YAML_BOMB) < 500
    with pytest.raises(DocumentError, match="expands to more than 1000000 values"):
        parse_yaml(YAML_BOMB)


def test_yaml_aliases_are_counted() -> None:
    """Aliases within the limit load; one more than MAX_YAML_ALIASES is refused."""
    limit = serialization.MAX_YAML_ALIASES
    anchor = "a: &x [1, 2]\n"
    ok = anchor + "".join(f"k{index}: *x\n" for index in range(limit))
    assert parse_yaml(ok)["k0"] == [1, 2]
    with pytest.raises(DocumentError, match=f"more than {limit} aliases"):
        parse_yaml(ok + "extra: *x\n")


json_scalars = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats()
    | st.text()
    | st.sampled_from(["\ud800", "x" * 1000, 10**30, "2026-01-01T00:00:00"])
)
plain_data = st.recursive(
    json_scalars,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4),
    max_leaves=12,
)


@given(data=plain_data)
def test_any_plain_data_gives_a_model_or_a_document_error(data: object) -> None:
    """from_dict, on a class and on the IVR unions, raises only DocumentError."""
    for cls in (Lists, IvrEvent, Action):
        with contextlib.suppress(DocumentError):
            from_dict(cls, data)  # type: ignore[arg-type]


@given(text=st.binary(max_size=200) | st.text(max_size=200))
def test_any_text_parses_or_gives_a_document_error(text: bytes | str) -> None:
    """parse_json, parse_yaml and loads raise only callcore errors, whatever the bytes."""
    for read in (parse_json, parse_yaml, lambda value: loads(Lists, value)):
        with contextlib.suppress(CallcoreError):
            read(text)


@given(data=plain_data)
def test_json_text_of_any_data_parses_back(data: object) -> None:
    """Valid JSON (within the depth limit) parses to the value json itself reads."""
    try:
        text = json.dumps(data)
    except ValueError:
        return
    if "NaN" in text or "Infinity" in text:
        return  # not JSON: refused, as test_nan_and_infinity_are_not_json shows
    expected = json.loads(text)
    assert json.dumps(parse_json(text), sort_keys=True) == json.dumps(expected, sort_keys=True)


@attrs.frozen
class Seats:
    count: int = attrs.field(validator=validator(check_count, low=1))


@attrs.frozen
class Room:
    seats: list[Seats]


def test_a_constructor_check_is_filed_at_its_field() -> None:
    """An InvalidInputError raised by a model's own validator is reported at that field."""
    with pytest.raises(DocumentError) as top:
        from_dict(Seats, {"count": 0})
    assert _problems(top) == {("count", "count must be at least 1, got 0")}
    with pytest.raises(DocumentError) as nested:
        from_dict(Room, {"seats": [{"count": 2}, {"count": -1}]})
    assert _problems(nested) == {("seats[1].count", "count must be at least 1, got -1")}
