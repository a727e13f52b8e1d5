"""The host's side of the wire: every event and action with its ``type`` tag, both ways."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any, get_args

import pytest

from callcore.errors import DocumentError
from callcore.ivr import (
    Action,
    ActionCompleted,
    ActionFailed,
    BotFinished,
    CallerHangup,
    Digits,
    EnqueueContact,
    FlowFailed,
    Gather,
    Hangup,
    InputMode,
    IvrEvent,
    LookupRequest,
    LookupResult,
    NoInput,
    Play,
    Record,
    ScheduleCallback,
    SetLanguage,
    Speech,
    StartBot,
    Transfer,
    TransferKind,
)
from callcore.serialization import dumps, from_dict, loads, to_dict

VALUES: list[Any] = [
    Digits("12#"),
    Speech("card", 0.5),
    NoInput(),
    ActionCompleted({"recording": "r1"}),
    ActionFailed("busy"),
    LookupResult({"balance": 3}, error=None),
    BotFinished("handed_off", {"account": "9"}, intent="lost_card", summary="s", queue="q"),
    CallerHangup(),
    Play("p", "en", text="hi"),
    Gather(
        node="m",
        prompts=(Play("p", "en", audio="a.wav"),),
        modes=(InputMode.DTMF, InputMode.SPEECH),
        timeout=timedelta(seconds=3),
        finish_on_key="#",
        hints=("card",),
    ),
    SetLanguage("ro"),
    LookupRequest(node="n", name="balance", params={"account": "1"}),
    StartBot(node="b", bot="faq", variables={"a": 1}, intent="i", language="en"),
    Record(mailbox="sales"),
    ScheduleCallback(number="+40700000000", queue="q", variables={"a": 1}),
    EnqueueContact(queue="q", priority=2, skills={"billing": 3}, variables={"x": [1]}),
    Transfer("+40212345678", TransferKind.NUMBER),
    Hangup("done"),
    FlowFailed("loop"),
]


def test_every_event_and_action_is_covered() -> None:
    """The list above holds one value of each member of IvrEvent and Action."""
    assert {type(value) for value in VALUES} == {*get_args(IvrEvent), *get_args(Action)}


@pytest.mark.parametrize("value", VALUES, ids=lambda value: value.type)
def test_to_dict_writes_the_type_tag_and_reads_back(value: Any) -> None:
    """to_dict(EnqueueContact(...)) carries 'type'; from_dict reads it back (issue 14, defect 5)."""
    data = to_dict(value)
    assert data["type"] == value.type
    assert json.loads(json.dumps(data)) == data
    assert from_dict(type(value), data) == value
    union = IvrEvent if isinstance(value, get_args(IvrEvent)) else Action
    assert from_dict(union, data) == value  # type: ignore[arg-type]
    assert to_dict(from_dict(union, data)) == data  # type: ignore[arg-type]
    assert loads(type(value), dumps(value)) == value


def test_the_tag_is_optional_when_the_class_is_known_but_must_match() -> None:
    """from_dict(Hangup, ...) reads data without a tag and refuses another class's tag."""
    assert from_dict(Hangup, {"reason": "x"}) == Hangup("x")
    with pytest.raises(DocumentError) as caught:
        from_dict(Hangup, {"type": "transfer", "reason": "x"})
    assert [problem.path for problem in caught.value.problems] == ["type"]
