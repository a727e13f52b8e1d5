"""Restart without loss: a host killed with calls waiting comes back from the store."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest

from callcore.center import ContactCompleted, Disposition, Phase, RingAgent
from callcore.errors import DocumentError
from callcore.storage import MemoryStorage, SQLiteStorage
from tests.center.kit import example

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL is POSIX")
def test_a_killed_host_restarts_with_every_contact_in_place(tmp_path: Path) -> None:
    """SIGKILL with three calls waiting and one mid-menu: all back, in order, resumable."""
    path = str(tmp_path / "centre.db")
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT / "src"), str(ROOT)])}
    script = str(ROOT / "tests" / "center" / "restart_host.py")
    with subprocess.Popen(
        [sys.executable, script, path], stdout=subprocess.PIPE, text=True, env=env
    ) as host:
        try:
            assert host.stdout is not None
            assert host.stdout.readline().strip() == "ready"
        finally:
            host.send_signal(signal.SIGKILL)
            host.wait(timeout=60)
    assert host.returncode == -signal.SIGKILL

    store = SQLiteStorage(path)
    try:
        _check_restarted(store)
    finally:
        store.close()


def _check_restarted(store: SQLiteStorage) -> None:
    kit = example.build(store, durable=True, ids="restarted-")
    center = kit.center
    assert center.router.line("support") == ("C1", "C2", "C3")
    assert [center.contact(c).phase for c in center.contact_ids()] == [
        Phase.CONNECTED,
        Phase.QUEUED,
        Phase.QUEUED,
        Phase.QUEUED,
        Phase.IVR,
    ]
    session = center.contact("C4").session
    assert session is not None
    assert session.current_node == "welcome"
    # the clock of the new process starts at START; the centre has seen START + 11 s
    kit.clock.set(example.START + timedelta(seconds=20))
    queued = kit.telephony.press("C4", "2")
    assert queued.kinds()[:2] == ("ivr.session_ended", "acd.contact_queued")
    assert center.router.line("support") == ("C1", "C2", "C3", "C4")
    # the anonymous caller is still on hold with a1, who consults: the legs carry on
    first = center.contact("C0")
    assert (first.anonymous, first.agent, first.consult is not None) == (True, "a1", True)
    center.agent_resumed("C0")
    center.agent_ended("C0")
    wrapped = center.agent_wrapped_up("C0", disposition=Disposition.OPEN)
    (completed,) = wrapped.of_type(ContactCompleted)
    assert [(leg.id, leg.agent) for leg in completed.legs] == [("C0", "a1"), ("C0.2", "sup1")]
    assert completed.legs[0].hold_time == timedelta(seconds=18)  # from +2 s, across the kill
    # a1 is ready again: the first waiting contact is offered
    assert [a.offer.contact_id for a in wrapped.of_type(RingAgent)] == ["C1"]
    # the first contact's timestamps survived: its wait is counted from before the kill
    answered = kit.telephony.answer("C1", "a1")
    assert answered.kinds()[0] == "acd.contact_answered"
    assert center.contact("C1").arrived_at == example.START + timedelta(seconds=2)


def test_a_durable_centre_resumes_in_the_same_process() -> None:
    """The same store handed to a new durable centre: contacts, KPI totals and time carry on."""
    store = MemoryStorage()
    first = example.build(store, durable=True)
    first.center.inbound_call(caller=example.ANA, dialled=example.DIALLED, contact_id="CA-1")
    first.clock.advance(timedelta(seconds=3))
    first.telephony.hang_up("CA-1")
    first.center.inbound_call(caller=example.ANA, dialled=example.DIALLED, contact_id="CA-2")
    second = example.build(store, durable=True)
    assert second.center.contact_ids() == ("CA-2",)
    assert second.center.aggregator.total().abandoned == 1
    with pytest.raises(Exception, match="earlier than a time already seen"):
        second.center.run_due(now=example.START)


@pytest.mark.parametrize(
    ("document", "match"),
    [
        ('{"format": 99}', "format"),
        ("[1, 2", "not JSON"),
        ('{"format": 1}', "KeyError"),
        (None, "contacts"),
    ],
)
def test_a_damaged_checkpoint_is_refused(document: str | None, match: str) -> None:
    """A checkpoint that is not the centre's document is refused as a DocumentError."""
    store = MemoryStorage()
    if document is None:  # a real checkpoint with one contact's field damaged
        kit = example.build(store, durable=True)
        kit.center.inbound_call(caller=example.ANA, dialled=example.DIALLED, contact_id="CA-1")
        saved = json.loads(store.load_checkpoint("center") or "")
        saved["contacts"][0]["arrived_at"] = "yesterday"
        document = json.dumps(saved)
    store.save_checkpoint("center", document)
    with pytest.raises(DocumentError, match=match):
        example.build(store, durable=True)


def test_a_restarted_centre_knows_its_ivr_deadlines() -> None:
    """The IVR sessions' deadlines come back with the checkpoint: run_due at them times out."""
    store = MemoryStorage()
    first = example.build(store, durable=True)
    first.center.inbound_call(caller=example.ANA, dialled=example.DIALLED, contact_id="CA-1")
    deadline = first.center.contact("CA-1").session.next_deadline()
    assert deadline is not None
    assert first.center.next_deadline() == deadline
    second = example.build(store, durable=True)
    assert second.center.next_deadline() == deadline
    update = second.center.run_due(now=deadline)
    assert update.actions  # the session's wait ran out: it prompts again (or moves on)
    later = second.center.contact("CA-1").session.next_deadline()
    assert later is not None
    assert second.center.next_deadline() == later > deadline
