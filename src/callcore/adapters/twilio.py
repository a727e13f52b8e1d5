"""Twilio voice for the contact centre: web hooks in, TwiML out, every request signed.

Twilio asks the host what to do with a call by POSTing a form to a web hook
(``CallSid``, ``From``, ``To``, then ``Digits`` or ``SpeechResult`` after a
``<Gather>``, and ``CallStatus`` when the call ends) and runs the TwiML the
host answers. :class:`TwilioVoice` turns each request into the centre's input
and the update's actions for that caller into TwiML:

- a new ``CallSid``: :meth:`~callcore.center.ContactCenter.inbound_call`;
- ``Digits`` / ``SpeechResult`` (or neither: the gather timed out):
  :meth:`~callcore.center.ContactCenter.caller_input`;
- ``CallStatus`` completed, busy, failed, no-answer or canceled:
  :meth:`~callcore.center.ContactCenter.caller_hung_up`;
- IVR actions: ``play`` to ``<Say>`` / ``<Play>``, ``gather`` to
  ``<Gather>`` (back to the same web hook, also on an empty result),
  ``transfer`` to ``<Dial>``, ``hangup`` and a failed flow to ``<Hangup>``;
- a contact handed to a queue: ``<Enqueue>`` in a Twilio queue named by the
  contact id, from which the agent's leg takes it (:meth:`TwilioVoice.agent_twiml`:
  ``<Dial><Queue>``) once the agent accepts; the centre's router, not
  Twilio's, decides who that is.
- the agent desk's actions on a connected call (:meth:`TwilioVoice.legs`):
  TwiML for each live leg, which the host applies with Twilio's call update
  (``client.calls(sid).update(twiml=...)``): hold puts the caller back in
  its Twilio queue (``<Enqueue>``: the queue's music), resume and the
  agent's answer take it out (``<Dial><Queue>``), a consultation dials the
  colleague (``<Dial><Client>``, or ``<Dial><Number>`` for a phone number), a
  conference and a warm transfer bridge the legs in a ``<Conference>`` room
  named by the call, a blind transfer puts the caller back in its queue and
  hangs up the agent's leg. As Twilio's contact-centre guide advises, the
  conference is the hub of every call with three parties.

Every request's ``X-Twilio-Signature`` is checked with the official library's
:class:`twilio.request_validator.RequestValidator` before anything else: a
request with a wrong or missing signature is refused
(:class:`~callcore.errors.PermissionDeniedError`) and changes nothing.

Install with ``pip install callcore[twilio]``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import datetime
from typing import TYPE_CHECKING

import attrs
from twilio.request_validator import RequestValidator
from twilio.twiml.voice_response import Dial, VoiceResponse

from callcore.center import (
    CallerAction,
    CenterUpdate,
    Conference,
    Consult,
    ContactCenter,
    Disconnect,
    HoldCaller,
    Phase,
    ResumeCaller,
    TransferToAgent,
    TransferToQueue,
)
from callcore.checks import check_text
from callcore.errors import InvalidInputError, PermissionDeniedError
from callcore.ivr import (
    Digits,
    FlowFailed,
    Gather,
    Hangup,
    InputMode,
    NoInput,
    Play,
    Speech,
    Transfer,
)

if TYPE_CHECKING:
    from callcore.ivr import IvrEvent

__all__ = ["CALLER", "ENDED_STATUSES", "LegTwiml", "TwilioVoice"]

ENDED_STATUSES = frozenset({"completed", "busy", "failed", "no-answer", "canceled"})
"""The ``CallStatus`` values of a call that is over."""

CALLER = "caller"
"""The :attr:`LegTwiml.party` of the caller's leg (its call SID is the contact id)."""

_PHONE_NUMBER = re.compile(r"\+[1-9][0-9]{6,14}")
"""An E.164 number: a consultation target dialled as a ``<Number>``, not a ``<Client>``."""


@attrs.frozen
class LegTwiml:
    """The TwiML one live leg of a call moves to (apply it with Twilio's call update).

    Attributes:
        contact_id: The call (the caller's ``CallSid``).
        party: :data:`CALLER` for the caller's leg, else the agent's (or the
            consulted colleague's) id: the host knows its leg's call SID.
        twiml: The TwiML document.
    """

    contact_id: str
    party: str
    twiml: str


def _say_or_play(parent: VoiceResponse, play: Play) -> None:
    if play.audio:
        parent.play(play.audio)
    elif play.text:
        parent.say(play.text, language=play.language or None)


class TwilioVoice:
    """Twilio's voice web hooks in front of a :class:`~callcore.center.ContactCenter`.

    Args:
        center: The centre.
        auth_token: The Twilio account's auth token, which signs the requests.
    """

    def __init__(self, center: ContactCenter, *, auth_token: str) -> None:
        """Serve ``center``, checking requests against ``auth_token``."""
        self.center = center
        self._validator = RequestValidator(check_text(auth_token, "auth_token"))

    def verify(self, url: str, params: Mapping[str, str], signature: str | None) -> None:
        """Refuse a request whose ``X-Twilio-Signature`` is not Twilio's for this URL and form.

        Raises:
            PermissionDeniedError: The signature is missing or wrong.
        """
        if not signature or not self._validator.validate(url, dict(params), signature):
            raise PermissionDeniedError(
                "web hook caller", f"POST to {url}", "the X-Twilio-Signature is missing or wrong"
            )

    def voice(
        self,
        url: str,
        params: Mapping[str, str],
        signature: str | None,
        *,
        now: datetime | None = None,
    ) -> str:
        """Handle one voice web hook request and return the TwiML to answer with.

        Args:
            url: The full URL Twilio requested (it is part of the signature).
            params: The POSTed form.
            signature: The ``X-Twilio-Signature`` header.
            now: When (default: the centre's clock).

        Raises:
            PermissionDeniedError: The signature is missing or wrong; nothing changed.
            InvalidInputError: The form lacks ``CallSid`` (or ``To`` on a
                new call). A new call without ``From``, or with a withheld
                one (``anonymous``), is an anonymous caller.
            CallcoreError: The centre refused the input; nothing changed.
        """
        self.verify(url, params, signature)
        call_sid = params.get("CallSid")
        if not call_sid:
            raise InvalidInputError("a Twilio voice request has a CallSid", field="CallSid")
        known = call_sid in self.center.contact_ids()
        if params.get("CallStatus") in ENDED_STATUSES:
            if known:
                self.center.caller_hung_up(call_sid, now=now)
            return str(VoiceResponse())
        if not known:
            if not params.get("To"):
                raise InvalidInputError("a new call's request has To", field="To")
            update = self.center.inbound_call(
                caller=params.get("From") or None,
                dialled=params["To"],
                contact_id=call_sid,
                now=now,
            )
        else:
            update = self.center.caller_input(call_sid, _event(params), now=now)
        return self.twiml(call_sid, update, url)

    def twiml(self, contact_id: str, update: CenterUpdate, action_url: str) -> str:
        """The TwiML for the caller's leg: the update's IVR actions, then the queue or hang-up.

        Args:
            contact_id: The call (its ``CallSid``).
            update: What the centre's input returned.
            action_url: Where a ``<Gather>`` sends what it collected (the web hook).
        """
        response = VoiceResponse()
        for action in update.actions:
            if isinstance(action, CallerAction) and action.contact_id == contact_id:
                _render(response, action, action_url)
            elif isinstance(action, Disconnect) and action.contact_id == contact_id:
                response.hangup()
        if (
            contact_id in self.center.contact_ids()
            and self.center.contact(contact_id).phase is Phase.QUEUED
        ):
            response.enqueue(contact_id)
        return str(response)

    @staticmethod
    def agent_twiml(contact_id: str) -> str:
        """The TwiML for the agent's leg once the agent accepted: take the caller from the queue."""
        response = VoiceResponse()
        response.dial().queue(contact_id)
        return str(response)

    def legs(self, update: CenterUpdate) -> tuple[LegTwiml, ...]:
        """The TwiML of each leg the update's desk actions move, in the actions' order.

        Hold, resume, consult, conference and transfers (:class:`HoldCaller`,
        :class:`ResumeCaller`, :class:`Consult`, :class:`Conference`,
        :class:`TransferToQueue`, :class:`TransferToAgent`); the other actions
        have nothing to move. Call it right after the input that returned
        ``update`` (a resumed call's agent is read from the centre).
        """
        legs: list[LegTwiml] = []
        for action in update.actions:
            legs.extend(self._legs_of(action))
        return tuple(legs)

    def _legs_of(self, action: object) -> list[LegTwiml]:  # noqa: PLR0911 - one return per action
        if isinstance(action, HoldCaller):
            return [_leg(action.contact_id, CALLER, _enqueue(action.contact_id))]
        if isinstance(action, ResumeCaller):  # the agent takes the caller out of the queue
            live = self.center.contact(action.contact_id)
            if live.agent is None:  # pragma: no cover - a resumed call is connected to an agent
                return []
            return [_leg(action.contact_id, live.agent, self.agent_twiml(action.contact_id))]
        if isinstance(action, Consult):
            return [_leg(action.contact_id, action.agent_id, _dial(action.target))]
        if isinstance(action, Conference):
            room = _conference(action.contact_id)
            return [
                _leg(action.contact_id, party, room)
                for party in (CALLER, action.agent_id, action.target)
            ]
        if isinstance(action, TransferToQueue) or (
            isinstance(action, TransferToAgent) and not action.warm
        ):  # the caller waits in its queue again; the next agent's answer dials it
            return [
                _leg(action.contact_id, CALLER, _enqueue(action.contact_id)),
                _leg(action.contact_id, action.agent_id, _hang_up()),
            ]
        if isinstance(action, TransferToAgent):  # warm: the colleague is on the line
            room = _conference(action.contact_id)
            return [
                _leg(action.contact_id, CALLER, room),
                _leg(action.contact_id, action.to_agent, room),
                _leg(action.contact_id, action.agent_id, _hang_up()),
            ]
        return []


def _leg(contact_id: str, party: str, twiml: str) -> LegTwiml:
    return LegTwiml(contact_id=contact_id, party=party, twiml=twiml)


def _enqueue(contact_id: str) -> str:
    response = VoiceResponse()
    response.enqueue(contact_id)
    return str(response)


def _hang_up() -> str:
    response = VoiceResponse()
    response.hangup()
    return str(response)


def _dial(target: str) -> str:
    response = VoiceResponse()
    dial = Dial()
    if _PHONE_NUMBER.fullmatch(target):
        dial.number(target)
    else:
        dial.client(target)
    response.append(dial)
    return str(response)


def _conference(contact_id: str) -> str:
    """Join the call's conference room (it ends when its last participant leaves)."""
    response = VoiceResponse()
    response.dial().conference(contact_id)
    return str(response)


def _event(params: Mapping[str, str]) -> IvrEvent:
    """The caller's input in a gather's request (neither digits nor speech: a time-out)."""
    if params.get("Digits"):
        return Digits(params["Digits"])
    if params.get("SpeechResult"):
        try:
            confidence = min(max(float(params.get("Confidence", "1")), 0.0), 1.0)
        except ValueError:
            confidence = 1.0
        return Speech(params["SpeechResult"], confidence)
    return NoInput()


def _render(response: VoiceResponse, caller: CallerAction, action_url: str) -> None:
    action = caller.action
    if isinstance(action, Play):
        _say_or_play(response, action)
    elif isinstance(action, Gather):
        modes = {InputMode.DTMF: "dtmf", InputMode.SPEECH: "speech"}
        gather = response.gather(
            input=" ".join(modes[mode] for mode in action.modes),
            action=action_url,
            method="POST",
            action_on_empty_result=True,
            timeout=max(1, round(action.timeout.total_seconds())),
            num_digits=action.max_digits if not action.finish_on_key else None,
            finish_on_key=action.finish_on_key or None,
            hints=", ".join(action.hints) or None,
        )
        for prompt in action.prompts:
            _say_or_play(gather, prompt)
    elif isinstance(action, Transfer):
        response.dial(action.destination)
    elif isinstance(action, Hangup | FlowFailed):
        response.hangup()
    # SetLanguage, Record, LookupRequest, ScheduleCallback: nothing to say to the caller
