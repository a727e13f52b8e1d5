"""A Twilio contact centre: a Starlette application in front of callcore.

Point a Twilio number's voice web hook (POST) at ``/voice``. The agent
desktop posts to ``/agents/{agent}/login``, ``/agents/{agent}/accept/{call}``
(the answer is the TwiML for the agent's leg: ``<Dial><Queue>``),
``/agents/{agent}/end/{call}`` and ``/agents/{agent}/wrap-up/{call}``. The
centre is ``examples/center.yaml``; its timers run in a background task.

Run it with ``uvicorn examples.twilio_app:app`` (set ``TWILIO_AUTH_TOKEN``);
run as a script, it plays one call through Starlette's test client with
requests signed as Twilio signs them, and one forged request.

Everything between the two ``glue`` markers is what a host writes beyond
``ContactCenter`` and the adapter: 59 lines of code (blank lines, comments
and docstrings not counted).
"""

from __future__ import annotations

import asyncio
import contextlib
import os
from collections.abc import AsyncIterator
from pathlib import Path
from types import SimpleNamespace
from urllib.parse import parse_qsl

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from callcore.adapters.twilio import TwilioVoice
from callcore.center import AsyncContactCenter, Disposition, load_center
from callcore.errors import CallcoreError, PermissionDeniedError

# --- glue: begin -------------------------------------------------------------------
AUTH_TOKEN = os.environ.get("TWILIO_AUTH_TOKEN", "example-auth-token")
STORE = os.environ.get("CALLCORE_STORE", "memory:")
center = load_center(
    Path(__file__).with_name("center.yaml"), store=STORE, durable=STORE != "memory:"
)
voice = TwilioVoice(center, auth_token=AUTH_TOKEN)
XML = "application/xml"


async def form_of(request: Request) -> dict[str, str]:
    """The POSTed form (Twilio posts application/x-www-form-urlencoded)."""
    return dict(parse_qsl((await request.body()).decode(), keep_blank_values=True))


async def voice_hook(request: Request) -> Response:
    """Twilio's voice web hook: every request signed, answered with TwiML."""
    params = await form_of(request)
    signature = request.headers.get("X-Twilio-Signature")
    try:
        twiml = await run_in_threadpool(voice.voice, str(request.url), params, signature)
    except PermissionDeniedError:
        return Response("forbidden", status_code=403)
    except CallcoreError as error:
        return Response(str(error), status_code=400)
    return Response(twiml, media_type=XML)


DESK = {  # the agent desktop's buttons: what the press p (agent, call, form) tells the centre
    "login": lambda p: center.agent_logged_in(p.agent),
    "accept": lambda p: center.agent_accepted(p.call, p.agent),
    "hold": lambda p: center.agent_held(p.call),
    "resume": lambda p: center.agent_resumed(p.call),
    "consult": lambda p: center.agent_consulted(p.call, p.form["target"]),
    "conference": lambda p: center.agent_conferenced(p.call, p.form["target"]),
    "transfer": lambda p: center.agent_transferred(
        p.call, queue=p.form.get("queue"), agent=p.form.get("agent")
    ),
    "end": lambda p: center.agent_ended(p.call),
    "wrap-up": lambda p: center.agent_wrapped_up(
        p.call, disposition=Disposition(p.form["disposition"]), notes=p.form["notes"]
    ),
}


async def agent_action(request: Request) -> Response:
    """The agent desktop; the answer is the TwiML each moved leg goes to (for the call update)."""
    press = SimpleNamespace(**{"call": "", **request.path_params}, form=await form_of(request))
    try:
        update = await run_in_threadpool(DESK[press.action], press)
    except (CallcoreError, KeyError, ValueError) as error:
        return Response(str(error), status_code=400)
    if press.action == "accept":
        return Response(voice.agent_twiml(press.call), media_type=XML)
    legs = [{"party": leg.party, "twiml": leg.twiml} for leg in voice.legs(update)]
    return JSONResponse(legs) if legs else Response("ok")


@contextlib.asynccontextmanager
async def lifespan(_: Starlette) -> AsyncIterator[None]:
    """Run the centre's timers while the application serves."""
    stop = asyncio.Event()
    timers = asyncio.create_task(AsyncContactCenter(center).run_timers(stop))
    yield
    stop.set()
    await timers


app = Starlette(
    routes=[
        Route("/voice", voice_hook, methods=["POST"]),
        Route("/agents/{agent}/{action}", agent_action, methods=["POST"]),
        Route("/agents/{agent}/{action}/{call}", agent_action, methods=["POST"]),
    ],
    lifespan=lifespan,
)
# --- glue: end ---------------------------------------------------------------------


def main() -> None:
    """One signed call through the application, and a forged request."""
    import warnings  # noqa: PLC0415 - the demonstration only

    from twilio.request_validator import RequestValidator  # noqa: PLC0415

    with warnings.catch_warnings():  # starlette would rather have httpx2 for its test client
        warnings.simplefilter("ignore")
        from starlette.testclient import TestClient  # noqa: PLC0415

    signer = RequestValidator(AUTH_TOKEN)
    url = "http://testserver/voice"

    def post(client: TestClient, form: dict[str, str]) -> str:
        headers = {"X-Twilio-Signature": signer.compute_signature(url, form)}
        answer: str = client.post("/voice", data=form, headers=headers).text
        return answer

    with TestClient(app) as client:
        client.post("/agents/a1/login")
        call = {"CallSid": "CA0001", "From": "+40721234567", "To": "+40213004000"}
        print("ring:", post(client, call))
        print("press 1:", post(client, {**call, "Digits": "1"}))
        print("agent accepts:", client.post("/agents/a1/accept/CA0001").text)
        client.post("/agents/a1/end/CA0001")
        form = {"disposition": "resolved", "notes": "explained the invoice"}
        done = client.post("/agents/a1/wrap-up/CA0001", data=form)
        print("wrapped up:", done.text)
        forged = client.post("/voice", data=call, headers={"X-Twilio-Signature": "forged"})
        print("forged request:", forged.status_code)


if __name__ == "__main__":
    main()
