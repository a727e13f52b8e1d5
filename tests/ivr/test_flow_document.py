from __future__ import annotations

import json
import sys

import pytest

from callcore.errors import ConfigError, DocumentError
from callcore.ivr import (
    Action,
    Digits,
    EnqueueContact,
    Flow,
    Gather,
    IvrEvent,
    LookupResult,
    Play,
    Speech,
    flow_to_dict,
    load_flow,
    load_flow_json,
    load_flow_yaml,
)
from callcore.serialization import converter, dumps, from_dict, loads, to_dict
from tests.ivr.flows import bank_document, bank_flow


def test_flow_round_trips() -> None:
    """A flow written out and read back is equal, through dicts and JSON."""
    flow = bank_flow()
    assert from_dict(Flow, to_dict(flow)) == flow
    assert loads(Flow, dumps(flow)) == flow
    assert load_flow(json.loads(json.dumps(flow_to_dict(flow))), calendars=["advisers"]) == flow


def test_yaml_flow() -> None:
    """A YAML document loads like its JSON twin."""
    yaml = pytest.importorskip("yaml")
    text = yaml.safe_dump(bank_document(), allow_unicode=True)
    assert load_flow_yaml(text, calendars=["advisers"]) == bank_flow()
    with pytest.raises(DocumentError, match="not valid YAML"):
        load_flow_yaml("nodes: [unclosed")


def test_yaml_without_pyyaml(monkeypatch: pytest.MonkeyPatch) -> None:
    """Without PyYAML, reading YAML says how to install it."""
    monkeypatch.setitem(sys.modules, "yaml", None)
    with pytest.raises(ConfigError, match=r"callcore\[yaml\]"):
        load_flow_yaml("id: x")


def test_bad_json() -> None:
    """Text that is not JSON is a DocumentError with its position."""
    with pytest.raises(DocumentError, match="line 1 column 2"):
        load_flow_json("{oops")


@pytest.mark.parametrize(
    "action",
    [
        Play("p", "en", text="hi"),
        Gather(node="m", prompts=(Play("p", "en", audio="a.wav"),)),
        EnqueueContact(
            queue="q", skills={"a": 1, "b": 7}, variables={"x": [1, 2]}, caller={"tier": "g"}
        ),
    ],
)
def test_actions_round_trip_with_a_type_tag(action: Action) -> None:
    """Actions serialise with a 'type' tag and read back equal."""
    data = converter.unstructure(action, Action)
    assert data["type"] == action.type
    assert converter.structure(json.loads(json.dumps(data)), Action) == action  # type: ignore[arg-type]


@pytest.mark.parametrize("event", [Digits("12#"), Speech("card", 0.5), LookupResult(error="x")])
def test_events_round_trip(event: IvrEvent) -> None:
    """Events serialise with a 'type' tag and read back equal."""
    data = converter.unstructure(event, IvrEvent)
    assert converter.structure(data, IvrEvent) == event  # type: ignore[arg-type]
