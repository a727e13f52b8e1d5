"""The Twilio adapter and the example application: signed web hooks in, TwiML out."""

from __future__ import annotations

import importlib.util
import sys
import warnings
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

pytest.importorskip("twilio")
pytest.importorskip("starlette")
pytest.importorskip("httpx")

from twilio.request_validator import RequestValidator

from callcore.center import ContactCompleted
from callcore.contacts import ContactOutcome
from callcore.testing.fakes import EventLog

APP = Path(__file__).resolve().parents[2] / "examples" / "twilio_app.py"
URL = "http://testserver/voice"
CALL = {"CallSid": "CA0001", "From": "+40721234567", "To": "+40213004000"}


def _app() -> ModuleType:
    """A fresh copy of the example application (its centre is made at import)."""
    spec = importlib.util.spec_from_file_location("twilio_app_under_test", APP)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def _signed(module: ModuleType, form: dict[str, str], url: str = URL) -> dict[str, str]:
    return {"X-Twilio-Signature": RequestValidator(module.AUTH_TOKEN).compute_signature(url, form)}


@pytest.fixture
def app() -> Any:
    """A test client of a fresh example application, its lifespan running."""
    with warnings.catch_warnings():  # starlette would rather have httpx2 for its test client
        warnings.simplefilter("ignore")
        from starlette.testclient import TestClient  # noqa: PLC0415

    module = _app()
    with TestClient(module.app) as client:
        client.module = module
        yield client


def test_a_signed_call_runs_to_the_end(app: Any) -> None:
    """Ring, gather, press 1, enqueue; the agent's leg dials the queue; wrap-up completes it."""
    module = app.module
    center = module.center
    assert app.post("/agents/a1/login").text == "ok"
    ring = app.post("/voice", data=CALL, headers=_signed(module, CALL))
    assert ring.status_code == 200
    assert "<Gather" in ring.text
    assert f'action="{URL}"' in ring.text
    assert "Press 1 for billing" in ring.text
    pressed_form = {**CALL, "Digits": "1"}
    pressed = app.post("/voice", data=pressed_form, headers=_signed(module, pressed_form))
    assert pressed.text.endswith("<Response><Enqueue>CA0001</Enqueue></Response>")
    accepted = app.post("/agents/a1/accept/CA0001")
    assert accepted.text.endswith("<Response><Dial><Queue>CA0001</Queue></Dial></Response>")
    assert app.post("/agents/a1/end/CA0001").text == "ok"
    log = EventLog()
    center.plugins.register(log)
    done = app.post("/agents/a1/wrap-up/CA0001", data={"disposition": "resolved", "notes": "ok"})
    assert done.text == "ok"
    (completed,) = [event for event in log.events if isinstance(event, ContactCompleted)]
    assert completed.record.outcome is ContactOutcome.ANSWERED
    assert completed.record.queue == "billing"


@pytest.mark.parametrize(
    "headers",
    [{}, {"X-Twilio-Signature": "forged"}, "other url", "other form"],
    ids=["missing", "forged", "signed for another URL", "signed for another form"],
)
def test_a_request_with_a_bad_signature_is_refused_and_changes_nothing(
    app: Any,
    headers: Any,
) -> None:
    """403, and the centre and its store are as they were."""
    module = app.module
    if headers == "other url":
        headers = _signed(module, CALL, "http://testserver/other")
    elif headers == "other form":
        headers = _signed(module, {**CALL, "From": "+40720000000"})
    before = repr(module.center.store)
    response = app.post("/voice", data=CALL, headers=headers)
    assert response.status_code == 403
    assert module.center.contact_ids() == ()
    assert repr(module.center.store) == before


def test_a_gather_time_out_and_a_hang_up(app: Any) -> None:
    """An empty Digits re-prompts (no input); CallStatus completed while waiting abandons."""
    module = app.module
    app.post("/voice", data=CALL, headers=_signed(module, CALL))
    silent = {**CALL, "Digits": ""}
    again = app.post("/voice", data=silent, headers=_signed(module, silent))
    assert "<Gather" in again.text or "<Enqueue>" in again.text
    ended = {**CALL, "CallStatus": "completed"}
    response = app.post("/voice", data=ended, headers=_signed(module, ended))
    assert response.text.endswith("<Response />")
    assert module.center.contact_ids() == ()
    assert module.center.aggregator.total().abandoned == 1


def test_a_request_without_a_call_sid_is_refused(app: Any) -> None:
    """A signed form without CallSid is a bad request naming it."""
    form = {"From": "+40721234567"}
    response = app.post("/voice", data=form, headers=_signed(app.module, form))
    assert response.status_code == 400
    assert "CallSid" in response.text


@pytest.mark.parametrize("caller", ["anonymous", None], ids=["From anonymous", "no From"])
def test_a_withheld_caller_id_is_an_anonymous_caller(app: Any, caller: str | None) -> None:
    """Twilio's ``From=anonymous`` (or no From): the call is served, as a new customer."""
    module = app.module
    form = {key: value for key, value in CALL.items() if key != "From"}
    if caller is not None:
        form["From"] = caller
    ring = app.post("/voice", data=form, headers=_signed(module, form))
    assert ring.status_code == 200
    assert "<Gather" in ring.text
    live = module.center.contact("CA0001")
    assert (live.anonymous, live.address, live.customer.identities) == (True, "anonymous", ())
