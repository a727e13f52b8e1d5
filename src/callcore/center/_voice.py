"""Voice calls: a call's arrival, its IVR session, the CRM look-ups, the hand-over to a queue."""

from __future__ import annotations

from datetime import datetime

from callcore.center._actions import CallerAction
from callcore.center._contact import LiveContact, Phase
from callcore.center._core import CenterUpdate, _address_key, _Out
from callcore.center._queueing import _Queueing
from callcore.checks import check_plain_data, check_text
from callcore.contacts import Channel, ContactOutcome
from callcore.errors import CallcoreError, InvalidInputError, NotFoundError
from callcore.ivr import (
    EnqueueContact,
    IvrEvent,
    IvrSession,
    IvrUpdate,
    LookupRequest,
    LookupResult,
)
from callcore.plugins import call_hook

QUEUE_STATUS = "queue_status"
"""The look-up the centre answers itself, from the router (not the CRM hook)."""
_MAX_LOOKUPS = 32
"""The most CRM look-ups the centre answers within one input (a flow that loops on
look-ups leaves the rest to the host, as if no plugin answered)."""


class _Voice(_Queueing):
    """A call's arrival and its IVR session, up to the queue."""

    def inbound_call(
        self,
        *,
        caller: str | None,
        dialled: str,
        contact_id: str | None = None,
        now: datetime | None = None,
    ) -> CenterUpdate:
        """A call rang in: identify the caller and start the dialled number's IVR flow.

        Args:
            caller: The caller's number (national numbers in the default
                country); ``None`` or a withheld caller id (``"anonymous"``,
                ``"restricted"``...: :data:`~callcore.center.WITHHELD`) for a
                caller who hid the number: a new customer of its own, every time.
            dialled: The number called; it chooses the flow.
            contact_id: The host's id for the call (Twilio's ``CallSid``...);
                the centre makes one when not given.
            now: When it rang (default: the clock's time).

        Returns:
            ``customer.created`` or ``customer.identified``,
            ``center.contact_arrived``, ``ivr.session_started``, and the IVR's
            first actions (usually a ``gather``) as :class:`CallerAction`.

        Raises:
            InvalidInputError: ``caller`` is not a phone number, ``contact_id``
                is not an id, ``now`` is out of range or earlier than a time
                already seen.
            NotFoundError: No flow answers ``dialled``.
            InvalidTransitionError: ``contact_id`` is already in the centre.
        """
        with self._lock:
            now = self._time(now)
            check_text(dialled, "dialled")
            flow = self._flows.get(_address_key(dialled, self._country_code)) or self._flows.get(
                "*"
            )
            if flow is None:
                raise NotFoundError("flow for the dialled number", dialled)
            identity = self._identity(caller, "caller")
            contact_id = self._new_contact_id(contact_id)
            # checked: from here on the centre changes
            out = _Out()
            self._catch_up(now, out)  # the IVR may queue the call: no refusal after the arrival
            live = self._arrive(contact_id, Channel.VOICE, identity, dialled, now, out)
            live.session = IvrSession(flow, subflows=self._subflows, calendars=self._calendars)
            customer = live.customer
            update = live.session.start(
                now=now,
                caller=caller_data(live),
                call={
                    "ani": "" if identity is None else identity.value,
                    "dnis": dialled,
                    "contact_id": contact_id,
                },
                language=customer.language
                if customer.language in live.session.flow.languages
                else None,
            )
            self._absorb_ivr(live, update, now, out)
            return self._finish(now, out)

    # --- the IVR -------------------------------------------------------------------------

    def caller_input(
        self, contact_id: str, event: IvrEvent, *, now: datetime | None = None
    ) -> CenterUpdate:
        """The caller (or the telephony provider) answered the IVR: keys, speech, a time-out.

        Args:
            contact_id: The contact.
            event: What happened: :class:`~callcore.ivr.Digits`,
                :class:`~callcore.ivr.Speech`, :class:`~callcore.ivr.NoInput`,
                :class:`~callcore.ivr.LookupResult` (for a look-up no plugin
                answered), :class:`~callcore.ivr.ActionCompleted`...
            now: When (default: the clock's time).

        Raises:
            NotFoundError: No such contact.
            InvalidTransitionError: The contact is not in the IVR, or its node
                does not wait for this kind of event.
            InvalidInputError: ``event`` is not an IVR event, ``now`` is wrong.
        """
        with self._lock:
            now = self._time(now)
            live = self._in_phase(contact_id, Phase.IVR, getattr(event, "type", "input"))
            assert live.session is not None  # noqa: S101 - a contact in the IVR has a session
            out = _Out()
            if getattr(event, "type", None) in live.session.waiting_for:
                # the session takes it: the router first, as it may queue the call next
                self._catch_up(now, out)
            update = live.session.handle(event, now=now)  # refuses without change
            self._absorb_ivr(live, update, now, out)
            return self._finish(now, out)

    def _absorb_ivr(self, live: LiveContact, update: IvrUpdate, now: datetime, out: _Out) -> None:
        """Do what the session asked: look-ups, the hand-off to a queue; the rest is the host's."""
        session = live.session
        assert session is not None  # noqa: S101
        lookups = 0
        while True:
            out.events.extend(update.events)
            answer: LookupResult | None = None
            for action in update.actions:
                if type(action) is EnqueueContact:
                    live.variables = dict(action.variables)
                    live.ivr_ended_at, live.ivr_path = now, session.path
                    self._enqueue(live, action, now, out)
                elif (
                    type(action) is LookupRequest
                    and lookups < _MAX_LOOKUPS
                    and (found := self._lookup(live, action, now)) is not None
                ):
                    lookups += 1
                    answer = found
                else:
                    out.actions.append(CallerAction(live.contact_id, action))
            if answer is None:
                break
            update = session.handle(answer, now=now)
        if session.ended and live.phase is Phase.IVR:
            live.ivr_ended_at, live.ivr_path = now, session.path
            live.variables = dict(session.variables)
            self._complete(live, session.outcome or ContactOutcome.FAILED, now, out)
        in_ivr = live.phase is Phase.IVR and live.contact_id in self._contacts
        self._ivr_due.set(live.contact_id, session.next_deadline() if in_ivr else None)

    def _lookup(
        self, live: LiveContact, request: LookupRequest, now: datetime
    ) -> LookupResult | None:
        """Answer ``queue_status`` from the router, else ask the CRM look-up hook.

        ``None`` when no plugin answers (the host will).
        """
        if request.name == QUEUE_STATUS:
            return self._queue_status(request, now)
        try:
            found = call_hook(
                self.plugins,
                "callcore_crm_lookup",
                name=request.name,
                params=request.params,
                customer=live.customer,
            )
        except CallcoreError as error:
            return LookupResult(error=str(error)[:200])
        if found is None:
            return None
        try:
            check_plain_data(found, "lookup result")
            return LookupResult(data=found)
        except InvalidInputError as error:
            return LookupResult(error=str(error)[:200])

    def _queue_status(self, request: LookupRequest, now: datetime) -> LookupResult:
        """How a queue stands now, from the router's wallboard (Connect's *Check queue status*)."""
        queue = request.params.get("queue", "")
        try:
            board = self.router.queue_board(queue, now=now)
        except NotFoundError:
            return LookupResult(error=f"queue_status: no queue named {str(queue)[:100]!r}")
        return LookupResult(
            data={
                "queue": board.queue,
                "waiting": board.waiting,
                "ringing": board.offered,
                "longest_wait": board.longest_wait.total_seconds(),
                "available": board.available,
                "reserved": board.reserved,
                "busy": board.busy,
                "wrap_up": board.wrap_up,
                "not_ready": board.not_ready,
                "staffed": board.staffed,
            }
        )


def caller_data(live: LiveContact) -> dict[str, object]:
    """What an IVR flow knows of the caller: the ``caller.*`` variables at its start."""
    customer = live.customer
    return {
        "customer_id": customer.id,
        "known": not live.new_customer,
        "anonymous": live.anonymous,
        "tier": customer.tier,
        "name": customer.name or "",
    }
