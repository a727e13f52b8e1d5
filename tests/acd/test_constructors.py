"""The hand-written constructors of the ACD's value types agree with their thorough checks.

``AgentProfile``, ``Membership``, ``QueueConfig``, ``QueueEscalation`` and
``Overflow`` write their ``__init__`` by hand for speed: a quick look at the
usual values, and the thorough per-field checks for anything else. The
reference here applies each field's default and converter as attrs records them
(``attrs.fields``), then runs the thorough checks in field order: the
constructor must accept what they accept and refuse the rest with the same
error (class, field, message).
"""

from __future__ import annotations

import inspect
import math
from collections import OrderedDict
from datetime import timedelta
from types import MappingProxyType
from typing import Any

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

from callcore.acd import (
    AgentProfile,
    EmptyCondition,
    Membership,
    Overflow,
    OverflowAction,
    QueueConfig,
    QueueEscalation,
)
from callcore.acd import _model as model
from callcore.checks import MAX_DURATION
from callcore.contacts import MAX_SKILLS, Channel
from callcore.errors import CallcoreError
from callcore.serialization import from_dict, to_dict

MICRO = timedelta(microseconds=1)
BIG = model.MAX_NUMBER


class Text(str):
    """A ``str`` subclass: the quick look leaves it to the thorough check."""

    __slots__ = ()


class Count(int):
    """An ``int`` subclass."""


class Span(timedelta):
    """A ``timedelta`` subclass."""


def _texts() -> st.SearchStrategy[object]:
    return st.sampled_from(
        ["q", "billing", "", "é", "a\ud800", " ", Text("q"), "x" * 100_001, 5, None, b"q"]
    ) | st.text(max_size=4)


def _counts() -> st.SearchStrategy[object]:
    edges = [0, 1, -1, 2, BIG, BIG + 1, -BIG, -BIG - 1, 2**70, True, False, 1.0, Count(2), "1"]
    return st.sampled_from(edges) | st.integers(-3, 3)


def _optional_counts() -> st.SearchStrategy[object]:
    return st.none() | _counts()


def _spans() -> st.SearchStrategy[object]:
    edges = [
        timedelta(0),
        MICRO,
        -MICRO,
        timedelta(seconds=30),
        MAX_DURATION,
        MAX_DURATION + MICRO,
        timedelta(days=999_999_999),
        Span(seconds=5),
        30,
        30.0,
        "PT30S",
    ]
    return st.sampled_from(edges)


def _optional_spans() -> st.SearchStrategy[object]:
    return st.none() | _spans()


def _flags() -> st.SearchStrategy[object]:
    return st.sampled_from([True, False, 1, 0, None, "yes"])


def _skills() -> st.SearchStrategy[object]:
    names = st.sampled_from(["en", "billing", "", "é", 5, Text("en"), "x" * 100_001])
    levels = st.sampled_from([1, 5, 10, 0, 11, True, 2.0, Count(3), None])
    maps = st.dictionaries(names, levels, max_size=3)
    many = {f"s{index}": 1 for index in range(MAX_SKILLS + 1)}
    return (
        maps
        | maps.map(MappingProxyType)
        | maps.map(OrderedDict)
        | st.sampled_from(
            [
                {"en": 0},
                {"en": 3, "billing": 11},
                {"en": True},
                {"en": 10, "": 1},
                {"é": 1},
                {"x" * 100_001: 1},
                {Text("en"): 1},
                "billing",
                ["en"],
                None,
                5,
                many,
            ]
        )
    )


def _skill_names() -> st.SearchStrategy[object]:
    items = st.lists(st.sampled_from(["en", "", "é", 5, Text("en")]), max_size=3)
    return (
        items.map(frozenset)
        | items
        | items.map(tuple)
        | items.map(set)
        | st.sampled_from(["billing", None, 5, {"en": 1}])
    )


def _capacities() -> st.SearchStrategy[object]:
    keys = st.sampled_from([Channel.VOICE, Channel.CHAT, "voice", None])
    counts = st.sampled_from([0, 1, 3, -1, BIG + 1, 1.5, True, Count(1)])
    maps = st.dictionaries(keys, counts, max_size=3)
    edges = [
        {Channel.VOICE: -1},
        {Channel.VOICE: 1, Channel.CHAT: BIG + 1},
        {Channel.CHAT: BIG},
        {Channel.VOICE: True},
        {Channel.VOICE: 1.0},
        {Channel.VOICE: Count(1)},
        {"voice": 1},
        [Channel.VOICE],
        None,
        "voice",
    ]
    return maps | maps.map(MappingProxyType) | st.sampled_from(edges)


def _weights() -> st.SearchStrategy[object]:
    return st.sampled_from(
        [1.0, 0.5, 1e308, 0.0, -1.0, math.inf, math.nan, 1, 2, True, "1", None, 5e-324]
    )


MEMBERSHIP = Membership(queue="q")
RULE = QueueEscalation(after=timedelta(seconds=30))


def _items(item: object, limit: int) -> st.SearchStrategy[object]:
    lists = st.lists(st.sampled_from([item, "x", None]), max_size=3)
    return (
        lists
        | lists.map(tuple)
        | st.sampled_from(["q", None, 5, (item,) * (limit + 1), {"x": item}])
    )


FIELDS: dict[type, dict[str, st.SearchStrategy[object]]] = {
    Overflow: {
        "action": st.sampled_from([*OverflowAction, "queue", None, Channel.VOICE]),
        "queue": st.none() | _texts(),
    },
    QueueEscalation: {
        "after": _spans(),
        "max_tier": _optional_counts(),
        "skill_minimums": _skills(),
        "drop_skills": _skill_names(),
        "to_queue": st.none() | _texts(),
    },
    QueueConfig: {
        "name": _texts(),
        "channel": st.sampled_from([*Channel, "voice", None]),
        "strategy": _texts(),
        "required_skills": _skills(),
        "max_tier": _optional_counts(),
        "max_length": _optional_counts(),
        "max_wait": _optional_spans(),
        "max_wait_empty": _optional_spans(),
        "overflow": st.sampled_from([Overflow(), None, "voicemail", OverflowAction.VOICEMAIL]),
        "join_when_empty": _flags(),
        "leave_when_empty": _flags(),
        "empty_when": st.sampled_from(
            [
                frozenset(),
                frozenset(EmptyCondition),
                ["paused"],
                "paused",
                None,
                (EmptyCondition.PAUSED,),
            ]
        ),
        "resume_abandoned": _optional_spans(),
        "wrap_up": _spans(),
        "offer_timeout": _spans(),
        "ring_count": _optional_counts(),
        "no_answer_delay": _spans(),
        "reject_delay": _spans(),
        "busy_delay": _spans(),
        "max_no_answer": _counts(),
        "escalation": _items(RULE, model.MAX_RULES),
    },
    Membership: {
        "queue": _texts(),
        "tier": _counts(),
        "position": _counts(),
        "weight": _weights(),
        "preference": _counts(),
        "delay": _spans(),
    },
    AgentProfile: {
        "agent_id": _texts(),
        "skills": _skills(),
        "memberships": _items(MEMBERSHIP, 3),
        "capacity": _capacities(),
        "voice_exclusive": _flags(),
        "wrap_up": _optional_spans(),
        "no_answer_delay": _optional_spans(),
        "reject_delay": _optional_spans(),
        "busy_delay": _optional_spans(),
        "max_no_answer": _optional_counts(),
    },
}

CHECKS = {
    Overflow: model._OVERFLOW_CHECKS,
    QueueEscalation: model._RULE_CHECKS,
    QueueConfig: model._QUEUE_CHECKS,
    Membership: model._MEMBERSHIP_CHECKS,
    AgentProfile: model._PROFILE_CHECKS,
}


def _valid(cls: type, name: str) -> st.SearchStrategy[object]:
    """The field's values that its own thorough check accepts."""
    field = attrs.fields_dict(cls)[name]
    check = dict(CHECKS[cls])[name]
    convert: Any = field.converter or (lambda value: value)

    def accepted(value: object) -> bool:
        return _outcome(lambda: check(None, field, convert(value))) is None

    return FIELDS[cls][name].filter(accepted)


@st.composite
def _arguments(draw: st.DrawFn, cls: type, wild_field: str | None = None) -> dict[str, object]:
    """Each field left to its default, valid, or (a few of them, or ``wild_field``) anything."""
    if wild_field is None:
        wild = draw(st.sets(st.sampled_from(list(FIELDS[cls])), max_size=2))
    else:
        wild = {wild_field}
    arguments = {}
    for field in attrs.fields(cls):
        name = field.name
        given = field.default is attrs.NOTHING or name in wild or draw(st.booleans())
        if given:
            values = FIELDS[cls][name] if name in wild else _valid(cls, name)
            arguments[name] = draw(values)
    return arguments


def _outcome(build: Any) -> tuple[type, str | None, str] | None:
    try:
        build()
    except CallcoreError as error:
        return type(error), getattr(error, "field", None), str(error)
    return None


def _reference(cls: type, arguments: dict[str, object]) -> tuple[type, str | None, str] | None:
    """The thorough checks on the values attrs would store: defaults, then converters."""
    values = {}
    for field in attrs.fields(cls):
        if field.name in arguments:
            value = arguments[field.name]
        elif isinstance(field.default, attrs.Factory):  # type: ignore[arg-type]
            value = field.default.factory()
        else:
            value = field.default
        values[field.name] = field.converter(value) if field.converter else value
    fields = attrs.fields_dict(cls)

    def check() -> None:
        for name, each in CHECKS[cls]:
            each(None, fields[name], values[name])

    return _outcome(check)


@pytest.mark.parametrize("cls", list(FIELDS), ids=lambda cls: cls.__name__)
def test_every_field_has_arguments_and_a_check(cls: type) -> None:
    """The test draws every field, and the reference checks every field in field order."""
    names = [field.name for field in attrs.fields(cls)]
    assert list(FIELDS[cls]) == names
    assert [name for name, _ in CHECKS[cls]] == names


@pytest.mark.parametrize("cls", list(FIELDS), ids=lambda cls: cls.__name__)
@given(data=st.data())
def test_constructor_decides_as_the_thorough_checks(cls: type, data: st.DataObject) -> None:
    """Same accept/refuse decision, error class, field and message as the reference."""
    arguments = data.draw(_arguments(cls))
    expected = _reference(cls, arguments)
    assert _outcome(lambda: cls(**arguments)) == expected
    if expected is None:
        built = cls(**arguments)
        for field in attrs.fields(cls):
            stored = getattr(built, field.name)
            if field.name in arguments and not field.converter:
                assert stored is arguments[field.name]
        assert attrs.evolve(built) == built


@pytest.mark.parametrize(
    ("cls", "name"),
    [(cls, name) for cls, fields in FIELDS.items() for name in fields],
    ids=lambda value: getattr(value, "__name__", value),
)
@given(data=st.data())
def test_one_wrong_field_is_refused_as_the_thorough_checks_refuse_it(
    cls: type, name: str, data: st.DataObject
) -> None:
    """One field anything, the others valid: same outcome as the reference."""
    arguments = data.draw(_arguments(cls, name))
    assert _outcome(lambda: cls(**arguments)) == _reference(cls, arguments)


@pytest.mark.parametrize("cls", list(FIELDS), ids=lambda cls: cls.__name__)
def test_signature_is_the_one_attrs_made(cls: type) -> None:
    """Keyword-only, one argument per field, the field's default (a factory shows as NOTHING)."""
    parameters = list(inspect.signature(cls).parameters.values())
    fields = attrs.fields(cls)
    assert [parameter.name for parameter in parameters] == [field.name for field in fields]
    for parameter, field in zip(parameters, fields, strict=True):
        assert parameter.kind is inspect.Parameter.KEYWORD_ONLY
        default = field.default
        if isinstance(default, attrs.Factory):  # type: ignore[arg-type]
            assert parameter.default is attrs.NOTHING
        elif default is attrs.NOTHING:
            assert parameter.default is inspect.Parameter.empty
        else:
            assert parameter.default == default


def test_defaults_are_fresh_and_equal_to_the_fields_defaults() -> None:
    """Factories make a new value per instance; defaults are the documented ones."""
    first, second = AgentProfile(agent_id="a"), AgentProfile(agent_id="a")
    assert first.skills == {}
    assert first.capacity == {Channel.VOICE: 1}
    assert first.skills is not second.skills
    assert first.capacity is not second.capacity
    queue = QueueConfig(name="q")
    assert queue.required_skills == {}
    assert queue.required_skills is not QueueConfig(name="q").required_skills
    assert queue.overflow == Overflow()
    assert queue.offer_timeout == timedelta(seconds=15)
    assert queue.no_answer_delay == timedelta(seconds=5)
    assert queue.strategy == "longest_idle"
    assert QueueEscalation(after=timedelta(0)).skill_minimums == {}


def test_lists_become_tuples_and_sets_frozensets() -> None:
    """The converters still run."""
    profile = AgentProfile(agent_id="a", memberships=[MEMBERSHIP])
    assert profile.memberships == (MEMBERSHIP,)
    assert QueueConfig(name="q", escalation=[RULE]).escalation == (RULE,)
    assert QueueEscalation(after=timedelta(0), drop_skills=["en"]).drop_skills == frozenset({"en"})


def test_evolve_checks_the_changed_field() -> None:
    """``attrs.evolve`` goes through the constructor, so its checks."""
    queue = QueueConfig(name="q", max_wait=timedelta(minutes=1))
    assert attrs.evolve(queue, wrap_up=timedelta(seconds=5)).wrap_up == timedelta(seconds=5)
    with pytest.raises(CallcoreError) as caught:
        attrs.evolve(queue, wrap_up=30)  # type: ignore[arg-type]
    assert getattr(caught.value, "field", None) == "wrap_up"
    with pytest.raises(CallcoreError) as caught:
        attrs.evolve(AgentProfile(agent_id="a"), capacity={"voice": 1})  # type: ignore[dict-item]
    assert getattr(caught.value, "field", None) == "capacity"


def test_frozen_and_round_trips() -> None:
    """Still frozen, and serialization round-trips."""
    profile = AgentProfile(
        agent_id="a", skills={"en": 2}, memberships=(Membership(queue="q", tier=2),)
    )
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        profile.agent_id = "b"  # type: ignore[misc]
    queue = QueueConfig(
        name="q",
        escalation=(QueueEscalation(after=timedelta(seconds=9), drop_skills={"en"}),),
        overflow=Overflow(action=OverflowAction.QUEUE, queue="r"),
    )
    for value in (profile, queue):
        assert from_dict(type(value), to_dict(value)) == value
