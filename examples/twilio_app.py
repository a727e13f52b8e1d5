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
``ContactCenter`` and the adapter: 56 lines of code (blank lines, comments
and docstrings not counted).
"""

from __future__ import annotations

import asyncio
import contextlib
import os
from collections.abc import AsyncIterator
from pathlib import Path
from urllib.parse import parse_qsl

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from callcore.adapters.twilio import TwilioVoice
from callcore.center import AsyncContactCenter, Disposition, load_center
from callcore.errors import CallcoreError, PermissionDeniedError

# --- glue: begin -------------------------------------------------------------------
AUTH_TOKEN = os.environ.get("TWILIO_AUTH_TOKEN", "example-auth-token")
center = load_center(
    Path(__file__).with_name("center.yaml"),
    store=os.environ.get("CALLCORE_STORE", "memory:"),
    durable=os.environ.get("CALLCORE_STORE", "memory:") != "memory:",
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


async def agent_action(request: Request) -> Response:
    """The agent desktop: log in, accept, end, wrap up."""
    agent, action = request.path_params["agent"], request.path_params["action"]
    call = request.path_params.get("call", "")
    try:
        if action == "login":
            await run_in_threadpool(center.agent_logged_in, agent)
        elif action == "accept":
            await run_in_threadpool(center.agent_accepted, call, agent)
            return Response(voice.agent_twiml(call), media_type=XML)
        elif action == "end":
            await run_in_threadpool(center.agent_ended, call)
        elif action == "wrap-up":
            form = await form_of(request)
            disposition = Disposition(form.get("disposition", "resolved"))
            notes = form.get("notes", "")
            await run_in_threadpool(
                lambda: center.agent_wrapped_up(call, disposition=disposition, notes=notes)
            )
    except (CallcoreError, ValueError) as error:
        return Response(str(error), status_code=400)
    return Response("ok")


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
        done = client.post("/agents/a1/wrap-up/CA0001", data={"notes": "explained the invoice"})
        print("wrapped up:", done.text)
        forged = client.post("/voice", data=call, headers={"X-Twilio-Signature": "forged"})
        print("forged request:", forged.status_code)


if __name__ == "__main__":
    main()
