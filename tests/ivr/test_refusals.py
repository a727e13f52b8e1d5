"""Issue 10 for the IVR: every bad input is refused with a clear error, before anything moves.

Each test here is an example of the issue and failed on the code it was
written against (16bf115): a list split into characters, a builtin exception
escaping, a zero or negative timeout accepted, a session changed by a refusal.
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone
from typing import Any, ClassVar

import attrs
import pytest

from callcore.contacts import ContactOutcome
from callcore.errors import DocumentError, InvalidInputError, Problem
from callcore.ivr import (
    Action,
    ActionCompleted,
    Digits,
    IvrSession,
    LookupResult,
    Node,
    NodeContext,
    SessionLimits,
    SessionState,
    Shape,
    Speech,
    Step,
    flow_to_dict,
    load_flow,
    load_flow_json,
    load_flow_yaml,
    no_input_loops,
    to_dot,
    to_mermaid,
    validate_flow,
)
from callcore.ivr._nodes import BUILTIN_NODE_TYPES
from callcore.serialization import dumps, from_dict, to_dict
from callcore.testing.flow_tester import FlowTester, ScriptStep, wait
from tests.ivr.flows import document, endings, menu

NOW = datetime(2026, 1, 5, 10, 0, tzinfo=timezone.utc)


def problems(error: pytest.ExceptionInfo[DocumentError]) -> list[tuple[str, str]]:
    """The problems of a DocumentError as (path, message) pairs.

    The hang-ups of ``with_main`` that the node under test does not lead to are
    reported as unreachable (a broken node hides no graph check); they are left out.
    """
    return [
        (problem.path, problem.message)
        for problem in error.value.problems
        if not problem.message.startswith("unreachable from the start node")
    ]


def with_main(node: dict[str, Any]) -> dict[str, Any]:
    """A flow whose start node 'main' is ``node``, with the hang-ups of ``endings``."""
    return document({"main": node, **endings()}, start="main")


# --- point 1: a string or mapping where a list belongs -----------------------------------

LIST_FIELDS = [
    ({"type": "say", "prompts": "p0", "next": "one"}, "nodes.main.prompts", "str"),
    (menu(options="1"), "nodes.main.options", "str"),
    (
        menu(options=[{"key": "1", "goto": "one", "keywords": "billing"}]),
        "nodes.main.options[0].keywords",
        "str",
    ),
    (menu(noinput_prompts="p1"), "nodes.main.noinput_prompts", "str"),
    (menu(nomatch_prompts={"count": 1, "prompt": "p1"}), "nodes.main.nomatch_prompts", "dict"),
    ({"type": "branch", "cases": "x", "default": "one"}, "nodes.main.cases", "str"),
]


@pytest.mark.parametrize(("node", "path", "kind"), LIST_FIELDS)
def test_every_list_field_of_a_node_refuses_a_non_list(
    node: dict[str, Any], path: str, kind: str
) -> None:
    """A string or mapping for a node's list field is one problem at its path."""
    with pytest.raises(DocumentError) as error:
        load_flow(with_main(node))
    assert problems(error) == [(path, f"expected a list, got {kind}")]


def test_a_40000_character_string_is_one_problem() -> None:
    """However long the string, a list field given one reports a single problem."""
    with pytest.raises(DocumentError) as error:
        load_flow(with_main({"type": "say", "prompts": "p0" * 20_000, "next": "one"}))
    assert problems(error) == [("nodes.main.prompts", "expected a list, got str")]
    with pytest.raises(DocumentError) as error:
        load_flow(with_main({"type": "queue", "queue": "q", "skills": "billing" * 5715}))
    assert problems(error) == [
        (
            "nodes.main.skills",
            "skills must be a mapping of skill names to levels 1..10, got str",
        )
    ]


@pytest.mark.parametrize(
    ("skills", "path", "message"),
    [
        ({"billing": 0}, "nodes.main.skills.billing", "at least 1"),
        ({"billing": 11}, "nodes.main.skills.billing", "at most 10"),
        ({"billing": True}, "nodes.main.skills.billing", "whole number"),
        ({"billing": 1.5}, "nodes.main.skills.billing", "whole number"),
        ({"": 1}, "nodes.main.skills", "empty"),
        (["billing", 7], "nodes.main.skills.1", "must be a string"),
        ([""], "nodes.main.skills.0", "empty"),
        ([f"s{i}" for i in range(65)], "nodes.main.skills", "the limit is 64"),
        ({f"s{i}": 1 for i in range(65)}, "nodes.main.skills", "the limit is 64"),
        (7, "nodes.main.skills", "got int"),
    ],
)
def test_queue_skills_are_checked_at_their_path(skills: object, path: str, message: str) -> None:
    """Skills are names (the lowest level) or names with levels 1..10; a bad one is named."""
    with pytest.raises(DocumentError) as error:
        load_flow(with_main({"type": "queue", "queue": "q", "skills": skills}))
    ((found, text),) = problems(error)
    assert found == path
    assert message in text


def test_skill_problems_come_with_the_node_s_other_problems() -> None:
    """A bad skill is reported together with the node's other bad fields."""
    node = {"type": "queue", "queue": "q", "priority": "high", "skills": {"a": 0}, "x": 1}
    with pytest.raises(DocumentError) as error:
        load_flow(with_main(node))
    paths = sorted(path for path, _ in problems(error))
    assert paths == ["nodes.main", "nodes.main.priority", "nodes.main.skills.a"]


def test_the_flow_languages_refuse_a_string() -> None:
    """'en' for the languages is refused, not read as the languages 'e' and 'n'."""
    data = with_main(menu())
    data["languages"] = "en"
    with pytest.raises(DocumentError) as error:
        load_flow(data)
    assert ("languages", "expected a list, got str") in problems(error)
    assert not any("'e'" in message for _, message in problems(error))


@attrs.frozen(kw_only=True)
class Tagger(Node):
    """A plugin node type with a list field of its own."""

    type_name: ClassVar[str] = "tagger"
    shape: ClassVar[Shape] = Shape.RECT
    tags: tuple[str, ...] = ()
    next: str

    def target_names(self) -> list[str]:
        """The one way on."""
        return [self.next]

    def enter(self, ctx: NodeContext) -> Step:
        """Go on."""
        return Step(goto=self.next)


def test_a_plugin_node_types_list_field_is_refused_too() -> None:
    """The rule holds for node types the IVR does not know in advance."""
    types = {**BUILTIN_NODE_TYPES, "tagger": Tagger}
    with pytest.raises(DocumentError) as error:
        load_flow(with_main({"type": "tagger", "tags": "vip", "next": "one"}), node_types=types)
    assert problems(error) == [("nodes.main.tags", "expected a list, got str")]


# --- point 2: builtin exceptions, nesting, duplicate keys, alias bombs ---------------------


def test_deep_json_nesting_is_a_document_error() -> None:
    """'[' * 100000 was a RecursionError."""
    with pytest.raises(DocumentError, match="nested more than 64 levels deep"):
        load_flow_json("[" * 100_000)


def test_deep_yaml_nesting_is_a_document_error() -> None:
    """'[' * 100000 was a RecursionError in YAML too."""
    pytest.importorskip("yaml")
    with pytest.raises(DocumentError, match="nested more than 64 levels deep"):
        load_flow_yaml("[" * 100_000)


def test_deep_conditions_in_a_dict_are_a_document_error() -> None:
    """A dict document 10,000 'not's deep was a RecursionError while reading conditions."""
    condition: dict[str, Any] = {"var": "vars.x", "op": "exists"}
    for _ in range(10_000):
        condition = {"not": condition}
    node = {"type": "branch", "cases": [{"when": condition, "goto": "one"}], "default": "two"}
    with pytest.raises(DocumentError, match="nested more than 64 levels deep"):
        load_flow(with_main(node))


def test_a_duplicate_json_key_is_reported_at_its_object() -> None:
    """A repeated key is reported at the path of the object holding it, not at ''."""
    text = '{"id": "x", "nodes": {"main": {"type": "menu", "options": {"1": "a", "1": "b"}}}}'
    with pytest.raises(DocumentError) as error:
        load_flow_json(text)
    [(path, message)] = problems(error)
    assert path == "nodes.main.options"
    assert message.startswith("duplicate key '1'")


def _alias_bomb(levels: int, width: int) -> str:
    """YAML whose last anchor expands to width**levels strings."""
    lines = ['a0: &a0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    for level in range(1, levels):
        aliases = ", ".join([f"*a{level - 1}"] * width)
        lines.append(f"a{level}: &a{level} [{aliases}]")
    return "\n".join(lines) + "\n"


def test_a_yaml_alias_bomb_is_refused() -> None:
    """A 471-byte alias bomb (9 levels of 9 aliases) no longer expands to gigabytes."""
    pytest.importorskip("yaml")
    bomb = _alias_bomb(9, 9)
    assert len(bomb.encode()) <= 471 + 60
    with pytest.raises(DocumentError, match="aliases"):
        load_flow_yaml(bomb)


def test_a_compact_alias_bomb_inside_a_condition_is_refused() -> None:
    """Under 100 aliases, 3**30 values in a condition's value: refused, not expanded later."""
    pytest.importorskip("yaml")
    lines = ["id: x", "start: main", "languages: [en]", "b0: &b0 [x]"]
    lines += [f"b{i}: &b{i} [*b{i - 1}, *b{i - 1}, *b{i - 1}]" for i in range(1, 31)]
    text = "\n".join(lines) + "\n"
    with pytest.raises(DocumentError, match="values"):
        load_flow_yaml(text)


def test_a_list_inside_itself_is_refused() -> None:
    """A YAML list that contains itself (&a [*a]) in a condition's value is refused."""
    pytest.importorskip("yaml")
    text = (
        "id: x\nstart: main\nlanguages: [en]\nnodes:\n  main:\n    type: branch\n"
        "    default: main\n    cases:\n      - goto: main\n"
        "        when: {var: vars.x, op: in, value: &a [*a]}\n"
    )
    with pytest.raises(DocumentError, match="nested more than 64 levels deep"):
        load_flow_yaml(text)


def test_bytes_that_are_not_utf8_are_a_document_error() -> None:
    """Bytes that are not UTF-8 were a UnicodeDecodeError."""
    with pytest.raises(DocumentError, match="UTF-8"):
        load_flow_json(b'{"id": "\xff"}')


@pytest.mark.parametrize("loader", ["json", "yaml"])
def test_a_5000_digit_integer_is_a_document_error(loader: str) -> None:
    """A 5,000-digit version number was a ValueError."""
    if loader == "json":
        with pytest.raises(DocumentError):
            load_flow_json('{"version": ' + "9" * 5000 + "}")
    else:
        pytest.importorskip("yaml")
        with pytest.raises(DocumentError):
            load_flow_yaml("version: " + "9" * 5000)


def test_a_huge_integer_in_a_dict_document_is_refused_at_its_path() -> None:
    """An integer no message could print is refused where it stands."""
    node = {"type": "branch", "cases": [], "default": "one", "extra": 10**5000}
    with pytest.raises(DocumentError) as error:
        load_flow(with_main(node))
    assert problems(error) == [("nodes.main.extra", "an integer of more than 1,000 digits")]


def test_a_condition_value_must_be_plain_data() -> None:
    """A loaded flow always writes out: a condition's value with NaN is refused."""
    case = {"when": {"var": "vars.x", "op": "eq", "value": [float("nan")]}, "goto": "one"}
    with pytest.raises(DocumentError) as error:
        load_flow(with_main({"type": "branch", "cases": [case], "default": "two"}))
    assert problems(error) == [("nodes.main.cases[0].when.value[0]", "not a finite number (nan)")]


def test_a_non_text_key_is_refused() -> None:
    """A YAML mapping with an integer key is refused, not turned into text later."""
    pytest.importorskip("yaml")
    with pytest.raises(DocumentError) as error:
        load_flow_yaml("id: x\nstart: '1'\nlanguages: [en]\nnodes: {1: {type: hangup}}\n")
    assert problems(error) == [("nodes", "a key must be text, got int")]


# --- the session: arguments checked before anything changes --------------------------------


def started() -> IvrSession:
    """A session started on a menu, waiting for digits."""
    session = IvrSession(load_flow(with_main(menu())))
    session.start(now=NOW)
    return session


def test_handle_with_a_string_for_now_names_now() -> None:
    """session.handle(ev, now='...') was an AttributeError."""
    session = started()
    before = dumps(session.snapshot())
    with pytest.raises(InvalidInputError) as error:
        session.handle(Digits("1"), now="2026-01-05T10:00:00+00:00")  # type: ignore[arg-type]
    assert error.value.field == "now"
    assert dumps(session.snapshot()) == before


@pytest.mark.parametrize(
    "now",
    [
        datetime(3000, 1, 1, tzinfo=timezone.utc),
        datetime(9999, 12, 31, tzinfo=timezone.utc),
    ],
)
def test_handle_refuses_a_now_out_of_range(now: datetime) -> None:
    """An instant past 2999 was accepted (and arithmetic on it could overflow)."""
    session = started()
    before = dumps(session.snapshot())
    with pytest.raises(InvalidInputError) as error:
        session.handle(Digits("1"), now=now)
    assert error.value.field == "now"
    assert dumps(session.snapshot()) == before


def test_going_backwards_names_now() -> None:
    """A time earlier than the last one seen is an InvalidInputError with field 'now'."""
    session = started()
    with pytest.raises(InvalidInputError) as error:
        session.handle(Digits("1"), now=NOW - timedelta(seconds=1))
    assert error.value.field == "now"


def test_a_refused_start_leaves_the_session_new() -> None:
    """start() with caller data that is not a mapping was a ValueError after changes."""
    session = IvrSession(load_flow(with_main(menu())))
    before = dumps(session.snapshot())
    for bad in ("abc", 5, {"tier": float("nan")}, {"when": datetime(2026, 1, 1)}):  # noqa: DTZ001
        with pytest.raises(InvalidInputError):
            session.start(now=NOW, caller=bad)  # type: ignore[arg-type]
    with pytest.raises(InvalidInputError):
        session.start(now=NOW, variables={"x": "\ud800"})
    with pytest.raises(InvalidInputError) as error:
        session.start(now=NOW, language=["en"])  # type: ignore[arg-type]
    assert error.value.field == "language"
    assert dumps(session.snapshot()) == before
    assert [action.type for action in session.start(now=NOW).actions] == ["gather"]


@pytest.mark.parametrize(
    ("build", "field"),
    [
        (lambda: Digits(5), "digits"),  # type: ignore[arg-type]
        (lambda: Speech("card", 50), "confidence"),
        (lambda: Speech("card", float("nan")), "confidence"),
        (lambda: LookupResult("abc"), "data"),
        (lambda: LookupResult({"x": float("inf")}), "data.x"),
        (lambda: ActionCompleted({"x": object()}), "data.x"),
    ],
)
def test_events_check_their_fields(build: Any, field: str) -> None:
    """Events with wrong field values were accepted and failed inside the session."""
    with pytest.raises(InvalidInputError) as error:
        build()
    assert error.value.field == field


@pytest.mark.parametrize(
    "limits",
    [
        {"max_steps_per_event": 0},
        {"max_steps_per_event": 10**9},
        {"max_call_time": timedelta(0)},
        {"max_call_time": timedelta(days=10**6)},
        {"max_subflow_depth": -1},
        {"max_subflow_depth": True},
    ],
)
def test_session_limits_are_range_checked(limits: dict[str, Any]) -> None:
    """Limits that are zero, negative, unbounded or of the wrong type are refused."""
    with pytest.raises(InvalidInputError) as error:
        SessionLimits(**limits)
    assert error.value.field == next(iter(limits))


def test_a_session_refuses_arguments_of_the_wrong_type() -> None:
    """IvrSession(...) checks its flow, subflows, calendars and limits."""
    flow = load_flow(with_main(menu()))
    with pytest.raises(InvalidInputError):
        IvrSession(flow_to_dict(flow))  # type: ignore[arg-type]
    with pytest.raises(InvalidInputError):
        IvrSession(flow, subflows="main")  # type: ignore[arg-type]
    with pytest.raises(InvalidInputError):
        IvrSession(flow, calendars=["office"])  # type: ignore[arg-type]
    with pytest.raises(InvalidInputError):
        IvrSession(flow, limits={"max_steps_per_event": 5})  # type: ignore[arg-type]


# --- restoring a saved state ------------------------------------------------------------


def saved(session: IvrSession) -> dict[str, Any]:
    """The session's state as JSON data."""
    data: dict[str, Any] = json.loads(dumps(session.snapshot()))
    return data


@pytest.mark.parametrize(
    ("change", "path"),
    [
        (lambda d: d["stack"][0].update(node="nowhere"), "stack[0].node"),
        (lambda d: d.update(last_event_at="2026-01-05T09:00:00+00:00"), "last_event_at"),
        (lambda d: d.update(started_at="0001-01-01T00:00:00+00:00"), "started_at"),
        (lambda d: d.update(variables={"deep": json.loads("[" * 70 + "]" * 70)}), "variables"),
        (lambda d: d["counters"].update(noinput=-1), "counters.noinput"),
        (lambda d: d.update(status="new"), "status"),
        # found by the dev profile: the message naming the missing version failed to print it
        (lambda d: d["stack"][0].update(version=10**5000), "stack[0]"),
        (lambda d: d.update(outcome="completed"), "outcome"),  # the format before 0.1.0
        (lambda d: d.update(outcome="queued"), "outcome"),  # waiting, yet with an outcome
        (lambda d: d.update(status="ended"), "outcome"),  # ended, yet without one
    ],
)
def test_restore_refuses_a_state_no_session_could_reach(change: Any, path: str) -> None:
    """A saved state naming a missing node, or times out of range or order... is refused."""
    session = started()
    session.handle(Digits("9"), now=NOW)  # a no-match: the menu waits again
    data = saved(session)
    change(data)
    flow = session.flow
    with pytest.raises(DocumentError) as error:
        IvrSession.restore(from_dict(SessionState, data), flows=[flow])
    assert any(p.path == path or p.path.startswith(f"{path}.") for p in error.value.problems)


def test_a_restored_session_carries_on() -> None:
    """A good saved state still restores and runs (the checks do not refuse it)."""
    session = started()
    data = saved(session)
    restored = IvrSession.restore(from_dict(SessionState, data), flows=[session.flow])
    assert [action.type for action in restored.handle(Digits("1"), now=NOW).actions] == ["hangup"]
    ended = saved(restored)
    assert ended["outcome"] == "self_served"
    again = IvrSession.restore(from_dict(SessionState, ended), flows=[session.flow])
    assert again.outcome is ContactOutcome.SELF_SERVED
    assert saved(again) == ended


def test_restore_refuses_an_outcome_that_is_not_a_contact_outcome() -> None:
    """A state built in code with the old outcome text is refused, naming the field."""
    session = started()
    session.handle(Digits("1"), now=NOW)
    state = session.snapshot()
    state.outcome = "completed"  # type: ignore[assignment]
    with pytest.raises(DocumentError) as error:
        IvrSession.restore(state, flows=[session.flow])
    assert problems(error) == [
        ("outcome", "expected a ContactOutcome or None, got str 'completed'")
    ]


# --- point 6: timeouts, lengths and confidence in range ----------------------------------


@pytest.mark.parametrize("seconds", [0, -5])
@pytest.mark.parametrize(
    ("node", "field"),
    [
        (menu(), "timeout"),
        (menu(), "inter_digit_timeout"),
        (
            {"type": "input", "prompt": "p0", "variable": "x", "next": "one"}
            | {"on_noinput": "two", "on_nomatch": "two"},
            "timeout",
        ),
        (
            {"type": "input", "prompt": "p0", "variable": "x", "next": "one"}
            | {"on_noinput": "two", "on_nomatch": "two"},
            "inter_digit_timeout",
        ),
        ({"type": "voicemail", "mailbox": "m", "next": "one"}, "max_length"),
        ({"type": "voicemail", "mailbox": "m", "next": "one"}, "silence_timeout"),
        ({"type": "lookup", "name": "n", "next": "one", "on_error": "two"}, "timeout"),
    ],
)
def test_waits_must_be_longer_than_zero(node: dict[str, Any], field: str, seconds: int) -> None:
    """A timeout or a recording length of 0 or less is a problem at its path."""
    with pytest.raises(DocumentError) as error:
        load_flow(with_main({**node, field: seconds}))
    assert (
        Problem(f"nodes.main.{field}", f"must be longer than zero; got {seconds} seconds")
        in error.value.problems
    )


def test_a_wait_of_more_than_100_years_is_refused() -> None:
    """Durations are bounded like every other duration callcore accepts."""
    with pytest.raises(DocumentError) as error:
        load_flow(with_main(menu(timeout=36_526 * 86_400)))
    assert [p.path for p in error.value.problems] == ["nodes.main.timeout"]


@pytest.mark.parametrize("confidence", [50, -0.1, 1.5])
def test_min_confidence_lies_between_0_and_1(confidence: float) -> None:
    """min_confidence 50 was accepted (so no speech ever matched)."""
    with pytest.raises(DocumentError) as error:
        load_flow(with_main(menu(min_confidence=confidence)))
    assert [p.path for p in error.value.problems] == ["nodes.main.min_confidence"]


def test_a_number_entry_beyond_64_bits_is_a_no_match() -> None:
    """A number no store could keep (beyond 64 bits) is not stored: the caller is asked again."""
    node: dict[str, Any] = {"type": "input", "prompt": "p0", "variable": "x", "next": "one"}
    node |= {"kind": "number", "on_noinput": "two", "on_nomatch": "two", "max_nomatch": 2}
    data = document({"main": node, "one": {"type": "hangup"}, "two": {"type": "hangup"}}, "main")
    largest = "9223372036854775807"  # 2**63 - 1
    FlowTester(data).run(largest + "#").assert_outcome(ContactOutcome.SELF_SERVED).assert_variables(
        x=int(largest)
    )
    run = FlowTester(data).run("9223372036854775808#")
    assert run.outcome is None
    assert "x" not in run.variables
    assert run.session.trace[-1].event == "digits 9223372036854775808# (nomatch 1)"


def test_good_waits_still_load_and_draw() -> None:
    """The checks refuse only what is wrong: fractional, in-range waits load."""
    flow = load_flow(with_main(menu(timeout=2.5, inter_digit_timeout=1, min_confidence=1)))
    assert flow.nodes["main"].timeout == timedelta(seconds=2.5)  # type: ignore[attr-defined]
    assert "main" in to_mermaid(flow)


# --- the flow tester ---------------------------------------------------------------------


@pytest.mark.parametrize("seconds", [float("inf"), float("nan"), -1, 10**12])
def test_the_flow_testers_wait_is_checked(seconds: float) -> None:
    """wait(inf) was an OverflowError, wait(nan) a ValueError."""
    with pytest.raises(InvalidInputError):
        wait(seconds)


def test_a_script_step_checks_its_event() -> None:
    """A script step holds an IVR event (or none)."""
    with pytest.raises(InvalidInputError):
        ScriptStep("1")  # type: ignore[arg-type]
    assert to_dict(ScriptStep(Digits("1")).event) == {"type": "digits", "digits": "1"}


def test_a_priority_beyond_64_bits_is_refused() -> None:
    """A queue priority no store can keep was accepted (and broke writing the action out)."""
    with pytest.raises(DocumentError) as error:
        load_flow(with_main({"type": "queue", "queue": "q", "priority": 2**63}))
    assert "priority" in str(error.value)
    with pytest.raises(DocumentError):
        from_dict(Action, {"type": "enqueue_contact", "queue": "q", "priority": 10**30})  # type: ignore[arg-type]
    with pytest.raises(DocumentError):
        from_dict(Action, {"type": "enqueue_contact", "queue": "q", "variables": {"x": object()}})  # type: ignore[arg-type]


def test_the_flow_functions_check_their_arguments() -> None:
    """A document where a Flow belongs, or a name where a list of names belongs, is refused."""
    flow = load_flow(with_main(menu()))
    data = flow_to_dict(flow)
    for call in (
        lambda: validate_flow(data),  # type: ignore[arg-type]
        lambda: to_mermaid(data),  # type: ignore[arg-type]
        lambda: to_dot(data),  # type: ignore[arg-type]
        lambda: flow_to_dict(data),  # type: ignore[arg-type]
        lambda: no_input_loops(data["nodes"]),
        lambda: load_flow(data, calendars="office"),
        lambda: load_flow(data, flows=[data]),  # type: ignore[list-item]
        lambda: load_flow(data, node_types={"menu": dict}),  # type: ignore[dict-item]
        lambda: validate_flow(flow, flows=5),  # type: ignore[arg-type]
    ):
        with pytest.raises(InvalidInputError):
            call()
