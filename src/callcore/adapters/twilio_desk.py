"""Twilio for the desk: recording, monitoring, internal calls and forwarding.

The centre's desk actions (:mod:`callcore.center`) rendered for Twilio, in
Twilio's two vocabularies:

- REST requests (:class:`TwilioRequest`) for what changes a call in
  progress: a recording is started on the call
  (``POST /Calls/{CallSid}/Recordings.json``, both parties on separate
  channels), paused with ``Status=paused`` and ``PauseBehavior=skip`` (a
  payment card leaves no audio at all), resumed with ``Status=in-progress``
  and stopped with ``Status=stopped``, always on ``Twilio.CURRENT``, the
  call's current recording, so the host needs no recording SID; a remote
  agent's offer is an outbound call to their number
  (``POST /Calls.json``) with a ``Timeout`` that ends it when the offer
  expires;
- TwiML for a new leg: a supervisor joins the call's conference muted
  (listen), as its agent's ``coach`` (whisper) or as a full participant
  (barge); an internal call dials the colleague's Twilio Client identity.

Monitoring needs the caller and the agent in a ``<Conference>`` named by
the contact (Twilio can add a third party to a conference, not to a plain
bridge): answer both legs with :meth:`TwilioDesk.conference_twiml`
instead of ``<Enqueue>``/``<Dial><Queue>`` when calls may be monitored.

The host sends each request with its Twilio client (``client.request(...)``)
or any HTTP client, authenticated with its account SID and auth token.
Install with ``pip install callcore[twilio]``.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

import attrs
from twilio.twiml.voice_response import VoiceResponse

from callcore.center import (
    InternalCall,
    MonitorCall,
    MonitorMode,
    PauseRecording,
    ResumeRecording,
    RingExternal,
    StartRecording,
    StopRecording,
)
from callcore.checks import check_instant, check_text

__all__ = ["API_BASE", "TwilioDesk", "TwilioRequest"]

API_BASE = "https://api.twilio.com"
"""Where Twilio's REST API lives; :attr:`TwilioRequest.path` is relative to it."""

_MIN_TIMEOUT, _MAX_TIMEOUT = 5, 600  # what Twilio accepts as a dial's Timeout, in seconds

RecordingAction = StartRecording | PauseRecording | ResumeRecording | StopRecording


@attrs.frozen
class TwilioRequest:
    """One request for Twilio's REST API.

    Attributes:
        method: ``"POST"``.
        path: The path below :data:`API_BASE`.
        params: The form to send.
    """

    method: str
    path: str
    params: Mapping[str, str]

    @property
    def url(self) -> str:
        """The full URL."""
        return f"{API_BASE}{self.path}"


class TwilioDesk:
    """Renders the centre's desk actions for one Twilio account.

    Args:
        account_sid: The account (``AC...``) whose calls these are.
    """

    def __init__(self, account_sid: str) -> None:
        """Render for ``account_sid``."""
        self.account_sid = check_text(account_sid, "account_sid")

    def _calls(self) -> str:
        return f"/2010-04-01/Accounts/{self.account_sid}/Calls"

    def recording_request(self, action: RecordingAction) -> TwilioRequest:
        """The REST request that starts, pauses, resumes or stops a call's recording.

        The contact's id is its ``CallSid`` (as :class:`~callcore.adapters.twilio.TwilioVoice`
        makes it).
        """
        call = f"{self._calls()}/{action.contact_id}/Recordings"
        if isinstance(action, StartRecording):
            return TwilioRequest("POST", f"{call}.json", {"RecordingChannels": "dual"})
        current = f"{call}/Twilio.CURRENT.json"
        if isinstance(action, PauseRecording):
            return TwilioRequest("POST", current, {"Status": "paused", "PauseBehavior": "skip"})
        if isinstance(action, ResumeRecording):
            return TwilioRequest("POST", current, {"Status": "in-progress"})
        return TwilioRequest("POST", current, {"Status": "stopped"})

    def forward_request(
        self, action: RingExternal, *, caller_id: str, url: str, now: datetime
    ) -> TwilioRequest:
        """The outbound call that rings a remote agent's number for the offer's remaining time.

        Args:
            action: The offer and the number.
            caller_id: The Twilio number to call from.
            url: The agent leg's web hook; answer it with
                :meth:`~callcore.adapters.twilio.TwilioVoice.agent_twiml` once the
                agent accepted (the centre's ``agent_accepted``).
            now: When the request is made: the ``Timeout`` is what is left of
                the offer (at least 5 seconds, Twilio's least).
        """
        check_instant(now, "now")
        left = (action.offer.expires_at - now).total_seconds()
        timeout = min(max(round(left), _MIN_TIMEOUT), _MAX_TIMEOUT)
        return TwilioRequest(
            "POST",
            f"{self._calls()}.json",
            {
                "To": action.number,
                "From": check_text(caller_id, "caller_id"),
                "Url": check_text(url, "url"),
                "Timeout": str(timeout),
            },
        )

    @staticmethod
    def conference_twiml(contact_id: str) -> str:
        """The TwiML that puts a leg (the caller's or the agent's) in the contact's conference."""
        response = VoiceResponse()
        response.dial().conference(
            check_text(contact_id, "contact_id"),
            start_conference_on_enter=True,
            end_conference_on_exit=True,
            beep=False,
        )
        return str(response)

    @staticmethod
    def monitor_twiml(action: MonitorCall, *, agent_call_sid: str) -> str:
        """The TwiML of the supervisor's leg: listen (muted), whisper (coach) or barge.

        Args:
            action: The centre's action.
            agent_call_sid: The agent leg's ``CallSid``, whom a whisper coaches.
        """
        response = VoiceResponse()
        response.dial().conference(
            action.contact_id,
            muted=action.mode is MonitorMode.LISTEN,
            coach=check_text(agent_call_sid, "agent_call_sid")
            if action.mode is MonitorMode.WHISPER
            else None,
            start_conference_on_enter=False,
            end_conference_on_exit=False,
            beep=False,
        )
        return str(response)

    @staticmethod
    def internal_call_twiml(action: InternalCall) -> str:
        """The TwiML of the calling agent's leg: dial the colleague's Twilio Client identity."""
        response = VoiceResponse()
        response.dial().client(action.target)
        return str(response)
