"""A durable centre writes one checkpoint per input, its modules' state in it.

Callbacks, campaigns and the self-service totals used to be saved under names
of their own after the centre's checkpoint (and the desk not at all): a crash
between two writes left one of them behind the rest (a campaign attempt the
centre's contacts did not know). They are sections of the one document now; a
store written before keeps them under the old names, and a centre restored
from it reads them there.
"""

from __future__ import annotations

import json
from datetime import datetime, timezone

import pytest

from callcore.campaigns import DialingMode
from callcore.center import CALLBACKS_CHECKPOINT, ContactCenter
from callcore.center._campaigns import CAMPAIGNS_CHECKPOINT
from callcore.center._core import CHECKPOINT_NAME
from callcore.center._selfservice import SELF_SERVICE_CHECKPOINT
from callcore.errors import DocumentError
from callcore.storage import MemoryStorage
from tests.center.kit import CountingStorage
from tests.center.test_campaigns import NEW_YORK, _centre, _dials

START = datetime(2026, 3, 9, 14, 0, tzinfo=timezone.utc)
LEGACY = {
    "callbacks": CALLBACKS_CHECKPOINT,
    "campaigns": CAMPAIGNS_CHECKPOINT,
    "self_service": SELF_SERVICE_CHECKPOINT,
}


def _durable_centre(store: MemoryStorage) -> tuple[ContactCenter, str]:
    """A durable centre on ``store`` with a campaign dialling: (centre, the attempt's id)."""
    center, telephony, campaign = _centre(DialingMode.PROGRESSIVE, store=store, durable=True)  # type: ignore[arg-type]
    campaign.add_contacts([NEW_YORK], now=START)
    center.agent_logged_in("a1", now=START)
    center.add_campaign(campaign, now=START)
    (dial,) = _dials(telephony)
    return center, dial.attempt_id


def test_every_input_writes_one_document_holding_every_module() -> None:
    """One write per input, under the centre's name; each module's state is a section of it."""
    store = CountingStorage()
    _durable_centre(store)
    assert store.written == [CHECKPOINT_NAME] * len(store.written)
    assert len(store.written) == 2  # the log-in and the campaign added
    saved = json.loads(store.load_checkpoint(CHECKPOINT_NAME) or "{}")
    assert sorted(saved["sections"]) == ["callbacks", "campaigns", "desk", "self_service"]
    assert [item["settings"]["name"] for item in saved["sections"]["campaigns"]["campaigns"]] == [
        "spring"
    ]
    for legacy in LEGACY.values():
        assert store.load_checkpoint(legacy) is None


def test_a_centre_restored_from_one_document_has_every_module_back() -> None:
    """The restored centre's serialised state is the first one's, sections included."""
    store = MemoryStorage()
    center, attempt = _durable_centre(store)
    again = ContactCenter(queues=center.router.queues, flows={}, store=store, durable=True)
    assert again._serialised() == center._serialised()
    assert again.campaigns["spring"].contact_state("nyc") == center.campaigns[
        "spring"
    ].contact_state("nyc")
    assert attempt in json.loads(again._serialised())["sections"]["campaigns"]["attempts"]


def test_a_store_written_before_keeps_the_modules_under_their_old_names() -> None:
    """A checkpoint without sections: each module reads its state under its old name."""
    store = MemoryStorage()
    center, _attempt = _durable_centre(store)
    document = json.loads(center._serialised())
    old = MemoryStorage()
    for name, section in document.pop("sections").items():
        if name in LEGACY:  # the desk was kept nowhere (it is empty here)
            old.save_checkpoint(LEGACY[name], json.dumps(section))
    old.save_checkpoint(CHECKPOINT_NAME, json.dumps(document))
    again = ContactCenter(queues=center.router.queues, flows={}, store=old, durable=True)
    assert again._serialised() == center._serialised()


@pytest.mark.parametrize("sections", [[], "campaigns", 5])
def test_damaged_sections_are_refused_naming_them(sections: object) -> None:
    """Sections that are not the modules' state by name: a ``DocumentError`` at ``sections``."""
    store = MemoryStorage()
    center, _attempt = _durable_centre(store)
    document = json.loads(center._serialised())
    document["sections"] = sections
    damaged = MemoryStorage()
    damaged.save_checkpoint(CHECKPOINT_NAME, json.dumps(document))
    with pytest.raises(DocumentError) as caught:
        ContactCenter(queues=center.router.queues, flows={}, store=damaged, durable=True)
    assert [problem.path for problem in caught.value.problems] == ["sections"]
