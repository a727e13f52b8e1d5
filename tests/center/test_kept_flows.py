"""A caller mid-menu keeps the flow version they started in across a restart.

The host gives the centre its flows when it builds it; a flow changed at run
time (:meth:`ContactCenter.change_flow`), or a new version deployed between
two runs, leaves callers in the IVR whose version the host no longer gives.
A restored IVR session needs its version (``IvrSession.restore`` refuses
otherwise), so a durable centre writes each version its sessions run to the
store once, and a restart reads it from there when the host lacks it.
"""

from __future__ import annotations

import json
from datetime import datetime, timezone
from typing import Any

import pytest

from callcore.access import Gate
from callcore.acd import QueueConfig
from callcore.center import ContactCenter
from callcore.center._core import CHECKPOINT_NAME
from callcore.clock import ManualClock
from callcore.errors import DocumentError
from callcore.ivr import Flow, flow_to_dict, load_flow
from callcore.storage import MemoryStorage
from callcore.testing.fakes import FakeTelephony
from tests.center.kit import CountingStorage

START = datetime(2026, 3, 2, 9, 0, tzinfo=timezone.utc)
DIALLED = "+40215550100"
MANAGER = Gate().policy.principal("meg", ["manager"])


def flow(version: int, first: str, second: str) -> Flow:
    """Version ``version`` of flow ``main``: key 1 queues to ``first``, key 2 to ``second``."""
    document: dict[str, Any] = {
        "id": "main",
        "version": version,
        "start": "welcome",
        "languages": ["en"],
        "prompts": {"welcome": {"en": "Press 1 or 2."}},
        "nodes": {
            "welcome": {
                "type": "menu",
                "prompt": "welcome",
                "options": [{"key": "1", "goto": "one"}, {"key": "2", "goto": "two"}],
                "on_noinput": "one",
                "on_nomatch": "one",
            },
            "one": {"type": "queue", "queue": first},
            "two": {"type": "queue", "queue": second},
        },
    }
    return load_flow(document)


V1 = flow(1, "billing", "support")
V2 = flow(2, "support", "billing")  # the keys swapped
V3 = flow(3, "sales", "support")


def centre(store: MemoryStorage, given: Flow) -> tuple[ContactCenter, FakeTelephony]:
    """A durable centre on ``store`` answering ``DIALLED`` with ``given``."""
    telephony = FakeTelephony()
    built = ContactCenter(
        queues=[QueueConfig(name=name) for name in ("billing", "support", "sales")],
        flows={DIALLED: given},
        store=store,
        clock=ManualClock(START),
        plugins=[telephony],
        durable=True,
    )
    telephony.attach(built)
    return built, telephony


def test_callers_keep_the_version_they_started_in_after_a_change_and_a_restart() -> None:
    """One caller in v1, one in v2 (changed at run time): a restart on v1 alone keeps both."""
    store = MemoryStorage()
    first, _telephony = centre(store, V1)
    first.inbound_call(caller="+40721000001", dialled=DIALLED, contact_id="in-v1")
    first.change_flow(DIALLED, V2, by=MANAGER)
    first.inbound_call(caller="+40721000002", dialled=DIALLED, contact_id="in-v2")
    again, telephony = centre(store, V1)  # the host's configuration has v1 only
    telephony.press("in-v1", "1")
    telephony.press("in-v2", "1")
    assert again.contact("in-v1").queue == "billing"  # v1: key 1 is billing
    assert again.contact("in-v2").queue == "support"  # v2: key 1 is support
    again.inbound_call(caller="+40721000003", dialled=DIALLED, contact_id="new")
    telephony.press("new", "1")
    assert again.contact("new").queue == "billing"  # new calls take the host's flow


def test_a_version_deployed_between_two_runs_leaves_the_callers_in_theirs() -> None:
    """Restarted with v3 only, a caller in v1 finishes in v1; new callers get v3."""
    store = MemoryStorage()
    first, _telephony = centre(store, V1)
    first.inbound_call(caller="+40721000001", dialled=DIALLED, contact_id="in-v1")
    again, telephony = centre(store, V3)
    telephony.press("in-v1", "1")
    assert again.contact("in-v1").queue == "billing"
    again.inbound_call(caller="+40721000003", dialled=DIALLED, contact_id="new")
    telephony.press("new", "1")
    assert again.contact("new").queue == "sales"


def test_each_version_is_written_once_before_the_checkpoint_that_needs_it() -> None:
    """Many inputs, one write per version; the checkpoint comes after it."""
    store = CountingStorage()
    first, telephony = centre(store, V1)
    for number in range(5):
        first.inbound_call(caller="+40721000001", dialled=DIALLED, contact_id=f"c{number}")
        telephony.press(f"c{number}", "2")
    first.change_flow(DIALLED, V2, by=MANAGER)
    first.inbound_call(caller="+40721000002", dialled=DIALLED, contact_id="late")
    telephony.press("late", "2")
    kept = [name for name in store.written if name != CHECKPOINT_NAME]
    assert kept == [f"{CHECKPOINT_NAME}.flow:main:1", f"{CHECKPOINT_NAME}.flow:main:2"]
    assert store.written[:2] == [kept[0], CHECKPOINT_NAME]
    assert json.loads(store.load_checkpoint(kept[1]) or "{}")["version"] == 2


@pytest.mark.parametrize(
    ("kept", "match"),
    [
        ("{not json", "not JSON"),
        (json.dumps({"id": "main", "version": 1}), "nodes"),
        ("V2", "kept under this name"),
    ],
)
def test_a_damaged_kept_version_is_refused_naming_it(kept: str, match: str) -> None:
    """A kept version that is not that flow version: a ``DocumentError``."""
    store = MemoryStorage()
    first, _telephony = centre(store, V1)
    first.inbound_call(caller="+40721000001", dialled=DIALLED, contact_id="in-v1")
    if kept == "V2":
        kept = json.dumps(flow_to_dict(V2))
    store.save_checkpoint(f"{CHECKPOINT_NAME}.flow:main:1", kept)
    with pytest.raises(DocumentError, match=match):
        centre(store, V3)
