"""The Twilio adapter and the example application: signed web hooks in, TwiML out."""

from __future__ import annotations

import ast
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


XML = '<?xml version="1.0" encoding="UTF-8"?>'


def _to_queue(app: Any, sid: str = "CA0001") -> None:
    """A signed call that presses 1 (billing) and waits; a1 accepts it."""
    module = app.module
    call = {**CALL, "CallSid": sid}
    app.post("/voice", data=call, headers=_signed(module, call))
    pressed = {**call, "Digits": "1"}
    app.post("/voice", data=pressed, headers=_signed(module, pressed))
    assert app.post(f"/agents/a1/accept/{sid}").status_code == 200


def _legs(response: Any) -> list[tuple[str, str]]:
    assert response.status_code == 200, response.text
    return [(leg["party"], leg["twiml"].removeprefix(XML)) for leg in response.json()]


ENQUEUE = "<Response><Enqueue>CA0001</Enqueue></Response>"
TAKE = "<Response><Dial><Queue>CA0001</Queue></Dial></Response>"
ROOM = "<Response><Dial><Conference>CA0001</Conference></Dial></Response>"
HANG_UP = "<Response><Hangup /></Response>"


def test_hold_resume_consult_and_conference_move_the_legs(app: Any) -> None:
    """Hold, resume, consult, conference: each moves the legs it concerns.

    Hold: the caller back in its Twilio queue; resume: the agent takes it out
    again; consult: the agent's leg dials the colleague; conference: all three
    in the call's room.
    """
    app.post("/agents/a1/login")
    _to_queue(app)
    assert _legs(app.post("/agents/a1/hold/CA0001")) == [("caller", ENQUEUE)]
    assert _legs(app.post("/agents/a1/resume/CA0001")) == [("a1", TAKE)]
    consulted = app.post("/agents/a1/consult/CA0001", data={"target": "s1"})
    assert _legs(consulted) == [
        ("caller", ENQUEUE),  # on hold during the consultation
        ("a1", "<Response><Dial><Client>s1</Client></Dial></Response>"),
    ]
    conferenced = app.post("/agents/a1/conference/CA0001", data={"target": "s1"})
    assert _legs(conferenced) == [("caller", ROOM), ("a1", ROOM), ("s1", ROOM)]
    assert app.module.center.contact("CA0001").consult.conferenced


def test_a_consulted_phone_number_is_dialled_as_a_number(app: Any) -> None:
    """An E.164 target is a <Number>, not a <Client>."""
    app.post("/agents/a1/login")
    _to_queue(app)
    consulted = app.post("/agents/a1/consult/CA0001", data={"target": "+40744555010"})
    assert _legs(consulted)[1] == (
        "a1",
        "<Response><Dial><Number>+40744555010</Number></Dial></Response>",
    )


def test_a_blind_transfer_to_a_queue_puts_the_caller_back_in_line(app: Any) -> None:
    """The caller waits in its Twilio queue again; the transferring agent's leg hangs up."""
    app.post("/agents/a1/login")
    _to_queue(app)
    moved = app.post("/agents/a1/transfer/CA0001", data={"queue": "support"})
    assert _legs(moved) == [("caller", ENQUEUE), ("a1", HANG_UP)]
    assert app.module.center.contact("CA0001").queue == "support"


def test_a_blind_transfer_to_an_agent_then_its_answer_takes_the_caller(app: Any) -> None:
    """The caller waits in its Twilio queue until the colleague accepts and dials it."""
    app.post("/agents/a1/login")
    app.post("/agents/a2/login")
    _to_queue(app)
    moved = app.post("/agents/a1/transfer/CA0001", data={"agent": "a2", "queue": "support"})
    assert _legs(moved) == [("caller", ENQUEUE), ("a1", HANG_UP)]
    answered = app.post("/agents/a2/accept/CA0001")
    assert answered.text.removeprefix(XML) == TAKE


def test_a_warm_transfer_bridges_the_caller_and_the_colleague(app: Any) -> None:
    """After the consultation the colleague takes over: the caller and it in the call's room."""
    app.post("/agents/a1/login")
    app.post("/agents/a2/login")
    _to_queue(app)
    app.post("/agents/a1/consult/CA0001", data={"target": "a2"})
    moved = app.post("/agents/a1/transfer/CA0001", data={"agent": "a2", "queue": "support"})
    assert _legs(moved) == [("caller", ROOM), ("a2", ROOM), ("a1", HANG_UP)]
    assert app.module.center.contact("CA0001").agent == "a2"


def test_a_refused_button_is_a_bad_request(app: Any) -> None:
    """No such button, a missing form field, or an input the centre refuses: 400."""
    app.post("/agents/a1/login")
    assert app.post("/agents/a1/dance/CA0001").status_code == 400
    assert app.post("/agents/a1/hold/CA0009").status_code == 400
    _to_queue(app)
    assert app.post("/agents/a1/consult/CA0001").status_code == 400  # no target


def test_the_example_glue_stays_under_60_lines() -> None:
    """What a host writes beyond the centre and the adapter: code lines between the markers."""
    source = APP.read_text(encoding="utf-8")
    glue = source[source.index("# --- glue: begin") : source.index("# --- glue: end")]
    tree = ast.parse(source)
    docstrings = {
        line
        for node in ast.walk(tree)
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
        and ast.get_docstring(node) is not None
        for line in range(node.body[0].lineno, node.body[0].end_lineno + 1)  # type: ignore[operator]
    }
    first = source[: source.index("# --- glue: begin")].count("\n") + 1
    count = sum(
        1
        for number, line in enumerate(glue.splitlines(), start=first)
        if line.strip() and not line.strip().startswith("#") and number not in docstrings
    )
    assert count < 60
    assert f"{count} lines of code" in source  # the module's docstring says how many
