"""Malformed input for every IVR loader: only CallcoreError subclasses may escape.

Valid flow documents, events, actions and saved session states are broken a
few values at a time (wrong types, strings and mappings for lists, missing and
extra keys, NaN and infinities, huge integers and durations, naive and
far-future datetimes, deep nesting, lone surrogates, non-object documents),
and their JSON and YAML texts are cut, patched and mis-encoded. Whatever a
loader is given, it returns a usable value or raises a CallcoreError.
"""

from __future__ import annotations

import contextlib
import json
from datetime import datetime, timedelta, timezone
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from callcore.errors import CallcoreError
from callcore.ivr import (
    Action,
    ActionCompleted,
    CallerHangup,
    Digits,
    EnqueueContact,
    FlowFailed,
    Gather,
    Hangup,
    InputMode,
    IvrEvent,
    IvrSession,
    LookupRequest,
    LookupResult,
    NoInput,
    Play,
    Record,
    ScheduleCallback,
    SessionState,
    SetLanguage,
    Speech,
    Transfer,
    TransferKind,
    flow_to_dict,
    load_flow,
    load_flow_json,
    load_flow_yaml,
    to_dot,
    to_mermaid,
)
from callcore.ivr import Flow as IvrFlow
from callcore.serialization import converter, dumps, from_dict, loads
from tests.ivr.flows import bank_flow, office_calendar
from tests.ivr.strategies import mutated

NOW = datetime(2026, 1, 5, 10, 0, tzinfo=timezone.utc)
CALENDARS = {"office": office_calendar()}

EVERY_NODE_TYPE: dict[str, Any] = {
    "id": "every",
    "version": 2,
    "start": "hours",
    "languages": ["en", "ro"],
    "description": "one node of each type",
    "prompts": {
        "hi": {"en": "Hello {caller.name}", "ro": "Salut {caller.name}"},
        "again": {"en": "audio:again.wav", "ro": "audio:again.wav"},
    },
    "nodes": {
        "hours": {"type": "hours", "calendar": "office", "open": "lang", "closed": "mail"},
        "lang": {"type": "language", "from_caller": True, "language": "en", "next": "menu"},
        "menu": {
            "type": "menu",
            "prompt": "hi",
            "repeat_prompt": "again",
            "options": [
                {"key": "1", "goto": "input", "keywords": ["account"]},
                {"key": "2", "goto": "branch"},
                {"key": "9", "goto": "bye"},
            ],
            "noinput_prompts": [{"count": 1, "prompt": "again"}],
            "nomatch_prompts": [{"count": 2, "prompt": "again"}],
            "timeout": 8,
            "inter_digit_timeout": 2.5,
            "min_confidence": 0.4,
            "max_noinput": 2,
            "on_noinput": "bye",
            "on_nomatch": "bye",
        },
        "input": {
            "type": "input",
            "prompt": "hi",
            "variable": "account",
            "kind": "number",
            "min_length": 2,
            "max_length": 12,
            "pattern": "[0-9]+",
            "next": "lookup",
            "on_noinput": "bye",
            "on_nomatch": "bye",
        },
        "lookup": {
            "type": "lookup",
            "name": "balance",
            "params": {"account": "vars.account"},
            "timeout": 5,
            "store_as": "found",
            "next": "say",
            "on_error": "mail",
        },
        "say": {"type": "say", "prompts": ["hi", "again"], "next": "branch"},
        "branch": {
            "type": "branch",
            "cases": [
                {
                    "when": {
                        "all": [
                            {"var": "caller.tier", "op": "in", "value": ["gold", 2, None]},
                            {"not": {"var": "vars.account", "op": "missing"}},
                            {"any": [{"var": "language", "op": "matches", "value": "^e"}]},
                        ]
                    },
                    "goto": "queue",
                },
                {"when": {"var": "call.ani", "op": "exists"}, "goto": "callback"},
            ],
            "default": "transfer",
        },
        "queue": {"type": "queue", "queue": "q", "priority": 3, "skills": ["a", "b"]},
        "transfer": {"type": "transfer", "destination": "+40215550100", "kind": "agent"},
        "callback": {"type": "callback", "queue": "q", "next": "sub", "on_error": "bye"},
        "sub": {"type": "subflow", "flow": "other", "next": "bye"},
        "mail": {
            "type": "voicemail",
            "mailbox": "m",
            "prompt": "again",
            "max_length": 60,
            "silence_timeout": 3,
            "next": "bye",
            "on_failure": "ret",
        },
        "ret": {"type": "return"},
        "bye": {"type": "hangup", "prompt": "hi", "reason": "done"},
    },
}


def test_the_document_is_valid() -> None:
    """The base of the fuzz tests loads: every failure found is the mutation's."""
    flow = load_flow(EVERY_NODE_TYPE, calendars=["office"])
    assert {node.type_name for node in flow.nodes.values()} == {
        "hours",
        "language",
        "menu",
        "input",
        "lookup",
        "say",
        "branch",
        "queue",
        "transfer",
        "callback",
        "subflow",
        "voicemail",
        "return",
        "hangup",
    }


def use(flow: IvrFlow) -> None:
    """A flow that loaded is usable: it writes out, draws and runs a call."""
    assert load_flow(json.loads(json.dumps(flow_to_dict(flow)))) == flow
    dumps(flow)
    to_mermaid(flow)
    to_dot(flow)
    session = IvrSession(flow, calendars=CALENDARS)
    session.start(now=NOW, caller={"name": "Ana", "tier": "gold"}, call={"ani": "+40700000000"})
    for _ in range(5):
        if session.ended:
            break
        session.handle(NoInput() if "no_input" in session.waiting_for else CallerHangup(), now=NOW)


def loads_or_refuses(load: Any, data: object) -> None:
    """``load(data)`` gives a usable flow or raises a CallcoreError; nothing else."""
    try:
        flow = load(data)
    except CallcoreError:
        return
    use(flow)


@given(mutated(EVERY_NODE_TYPE))
def test_flow_documents_as_dicts(data: Any) -> None:
    """load_flow on a broken dict: a flow or a CallcoreError."""
    loads_or_refuses(lambda d: load_flow(d, calendars=["office"]), data)


def as_json(data: object) -> str:
    """JSON text of ``data``, whatever it holds (text for what JSON cannot write)."""
    try:
        return json.dumps(data, default=repr)
    except (RecursionError, ValueError, TypeError):  # too deep, or a key JSON cannot write
        return "[" * 5000


@st.composite
def broken_texts(draw: st.DrawFn, text: str) -> str | bytes:
    """``text`` cut, patched or mis-encoded."""
    how = draw(st.sampled_from(["as is", "cut", "insert", "bytes", "nest", "duplicate"]))
    if how == "cut":
        return text[: draw(st.integers(0, len(text)))]
    if how == "insert":
        at = draw(st.integers(0, len(text)))
        return text[:at] + draw(st.text(max_size=5)) + text[at:]
    if how == "bytes":
        raw = text.encode("utf-8", "surrogatepass")
        at = draw(st.integers(0, len(raw)))
        return raw[:at] + draw(st.binary(min_size=1, max_size=3)) + raw[at:]
    if how == "nest":
        depth = draw(st.sampled_from([65, 1000, 100_000]))
        return "[" * depth + text + "]" * draw(st.sampled_from([0, depth]))
    if how == "duplicate":
        return text.replace('"start": ', '"start": 1, "start": ', 1)
    return text


@given(st.data())
def test_flow_documents_as_json(data: st.DataObject) -> None:
    """load_flow_json on broken JSON text (or a broken document in good JSON)."""
    text = data.draw(broken_texts(as_json(data.draw(mutated(EVERY_NODE_TYPE)))))
    loads_or_refuses(lambda t: load_flow_json(t, calendars=["office"]), text)


def as_yaml(data: object) -> str:
    """YAML text of ``data`` (text for what YAML cannot write)."""
    yaml = pytest.importorskip("yaml")
    try:
        text: str = yaml.safe_dump(data, allow_unicode=True)
    except (yaml.YAMLError, RecursionError, ValueError, TypeError):  # an object, too deep
        return "[" * 5000
    return text


YAML_ODDITIES = st.sampled_from(
    [
        "&a [*a]",
        "a: &a [x, x]\nb: &b [*a, *a]\nc: [*b, *b]\n",
        "\n".join(f"a{i}: &a{i} [*a{i - 1}, *a{i - 1}, *a{i - 1}]" for i in range(1, 40)),
        "x: !!binary aGVsbG8=",
        "x: !!python/object:object {}",
        "x: 2026-01-05",
        "x: 2026-01-05 10:00:00",
        "{1: a, null: b, [1]: c}",
        "x: .nan\ny: .inf",
        "x: 0x" + "f" * 5000,
        "? [a]\n: b",
        "---\na: 1\n---\nb: 2",
        "x: !!set {a, b}",
        "%YAML 1.1\n---\nx: 1",
    ]
)


@given(st.data())
def test_flow_documents_as_yaml(data: st.DataObject) -> None:
    """load_flow_yaml on broken YAML text, aliases, tags and all."""
    pytest.importorskip("yaml")
    if data.draw(st.booleans()):
        text: str | bytes = data.draw(YAML_ODDITIES)
    else:
        text = data.draw(broken_texts(as_yaml(data.draw(mutated(EVERY_NODE_TYPE)))))
    loads_or_refuses(lambda t: load_flow_yaml(t, calendars=["office"]), text)


# --- the wire format of events and actions ---------------------------------------

EVENTS: list[IvrEvent] = [
    Digits("12#"),
    Speech("card", 0.5),
    NoInput(),
    ActionCompleted({"recording": "r1", "length": 12.5}),
    ActionCompleted(),
    LookupResult({"balance": 10, "list": [1, {"a": None}]}, None),
    LookupResult(error="down"),
    CallerHangup(),
]
ACTIONS: list[Action] = [
    Play("p", "en", text="hi"),
    Play("p", "en", audio="a.wav"),
    Gather(
        node="m",
        prompts=(Play("p", "en", text="x"),),
        modes=(InputMode.DTMF, InputMode.SPEECH),
        timeout=timedelta(seconds=3),
        hints=("a",),
    ),
    SetLanguage("ro"),
    LookupRequest(node="l", name="balance", params={"a": 1}),
    Record(mailbox="m"),
    ScheduleCallback(number="+40700000000", queue="q", variables={"x": 1}),
    EnqueueContact(queue="q", priority=2, skills={"a": 3}, variables={"x": [1]}),
    Transfer("+40215550100", TransferKind.DEVICE),
    Hangup("done"),
    FlowFailed("loop"),
]


def wire(value: object, union: object) -> dict[str, Any]:
    """The wire form of an event or action: plain data with a type tag."""
    data: dict[str, Any] = json.loads(json.dumps(converter.unstructure(value, union)))
    return data


@pytest.mark.parametrize("value", [*EVENTS, *ACTIONS])
def test_the_wire_format_round_trips(value: object) -> None:
    """The base of the wire fuzz tests reads back equal."""
    union: Any = IvrEvent if value in EVENTS else Action
    assert from_dict(union, wire(value, union)) == value


@given(st.data())
def test_the_wire_format_of_events_and_actions(data: st.DataObject) -> None:
    """from_dict and loads on broken events and actions: a value or a CallcoreError."""
    union: Any = data.draw(st.sampled_from([IvrEvent, Action]))
    base = data.draw(st.sampled_from(EVENTS if union is IvrEvent else ACTIONS))
    broken = data.draw(mutated(wire(base, union)))
    try:
        value = from_dict(union, broken)
    except CallcoreError:
        pass
    else:
        assert dumps(value)
    with contextlib.suppress(CallcoreError):
        loads(union, data.draw(broken_texts(as_json(broken))))


# --- saved session states ---------------------------------------------------------------

BANK = bank_flow()


def saved_states() -> list[dict[str, Any]]:
    """Saved states of a bank call: waiting at a menu, at a lookup, and ended."""
    session = IvrSession(BANK, calendars={"advisers": office_calendar()})
    session.start(now=NOW, caller={"language": "en"}, call={"ani": "+40700000000"})
    states = [json.loads(dumps(session.snapshot()))]
    for event in (Digits("1"), Digits("1"), Digits("4111111111111111#")):
        session.handle(event, now=NOW)
    states.append(json.loads(dumps(session.snapshot())))
    session.handle(CallerHangup(), now=NOW)
    states.append(json.loads(dumps(session.snapshot())))
    return states


STATES = saved_states()


@given(st.data())
def test_saved_session_states(data: st.DataObject) -> None:
    """from_dict(SessionState) and IvrSession.restore on broken states, then a few events."""
    broken = data.draw(mutated(data.draw(st.sampled_from(STATES))))
    try:
        state = from_dict(SessionState, broken)
        session = IvrSession.restore(state, flows=[BANK], calendars={"advisers": office_calendar()})
    except CallcoreError:
        return
    assert dumps(session.snapshot())
    for event in (Digits("1"), NoInput(), LookupResult({"balance": 1}), CallerHangup()):
        with contextlib.suppress(CallcoreError):
            session.handle(event, now=NOW + timedelta(minutes=1))
    assert dumps(session.snapshot())
