"""One document for a whole centre: load_center and its problems, each with its path."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest

from callcore import ManualClock
from callcore.center import Disposition, ScreenPop, load_center, read_center_config
from callcore.contacts import Channel
from callcore.errors import DocumentError, InvalidInputError
from callcore.ivr import Digits
from callcore.serialization import parse_yaml

CONFIG = Path(__file__).resolve().parents[2] / "examples" / "center.yaml"
T0 = datetime(2026, 3, 2, 9, 0, tzinfo=timezone.utc)


def _document() -> dict[str, Any]:
    data: dict[str, Any] = parse_yaml(CONFIG.read_bytes())
    return data


def test_the_example_document_runs_a_call() -> None:
    """The YAML example builds a centre; an agent logs in by id and takes a call."""
    clock = ManualClock(T0)
    center = load_center(CONFIG, clock=clock)
    assert set(center.agents) == {"a1", "a2"}
    center.agent_logged_in("a1")
    center.inbound_call(caller="0721 234 567", dialled="+40213004000", contact_id="CA-1")
    update = center.caller_input("CA-1", Digits("1"))
    (offer,) = (action.offer for action in update.actions if hasattr(action, "offer"))
    assert (offer.queue, offer.agent_id) == ("billing", "a1")
    assert offer.expires_at - offer.offered_at == timedelta(seconds=20)  # the document's
    clock.advance(timedelta(seconds=5))
    assert center.agent_accepted("CA-1", "a1").of_type(ScreenPop)
    center.agent_ended("CA-1")
    center.agent_wrapped_up("CA-1", disposition=Disposition.OPEN)
    (ticket,) = center.store.tickets_in_state("open")
    assert ticket.sla_policy == "standard"


def test_a_json_document_and_a_mapping_read_the_same(tmp_path: Path) -> None:
    """The same document as JSON, or as a mapping, gives the same configuration."""
    path = tmp_path / "center.json"
    path.write_text(json.dumps(_document()), encoding="utf-8")
    assert read_center_config(path) == read_center_config(_document())


def test_every_problem_is_reported_with_its_path() -> None:
    """Problems in several sections are reported together, each with its path."""
    data = _document()
    data["queues"][1]["wrap_up"] = -5
    data["agents"][1]["memberships"] = [{"queue": "sales"}]
    data["flows"][0]["nodes"]["billing"]["queue"] = "bilingg"
    data["numbers"]["+40 21 300 4001"] = "mian"
    data["message_queues"]["fax"] = "email"
    data["colour"] = "blue"
    with pytest.raises(DocumentError) as raised:
        read_center_config(data)
    paths = sorted(problem.path for problem in raised.value.problems)
    assert "colour" in paths
    assert "numbers.+40 21 300 4001" in paths
    assert "message_queues.fax" in paths
    assert "flows[0].nodes.billing.queue" in paths
    assert any(path.startswith("queues[1]") for path in paths)
    assert any(path.startswith("agents[1]") for path in paths)


def test_a_source_that_is_not_a_document_is_refused(tmp_path: Path) -> None:
    """A number, or a missing file, is refused naming the source."""
    with pytest.raises(InvalidInputError) as raised:
        read_center_config(42)  # type: ignore[arg-type]
    assert raised.value.field == "source"
    with pytest.raises(InvalidInputError):
        read_center_config(tmp_path / "missing.yaml")


def test_the_channel_queues_come_from_the_document() -> None:
    """An email goes to the document's email queue without naming it."""
    center = load_center(_document(), clock=ManualClock(T0))
    center.inbound_message(channel=Channel.EMAIL, sender="ana@example.ro", contact_id="EM-1")
    assert center.contact("EM-1").queue == "email"
