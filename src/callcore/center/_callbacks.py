"""Scheduled callbacks in the centre: booked for a customer, dialled by the agent who takes one.

A host books a callback for a customer's number (:meth:`_Callbacks.schedule_callback`,
from the IVR's "call me back at" or from the desk); the router keeps it until
its time (see :doc:`/acd/callbacks`). When it joins its queue it becomes a
contact of the centre, outbound, under the callback's id: the customer is
identified by the number, the offer rings an agent (``RingAgent.variables``
carry ``callback``, ``attempt`` and ``number``), and the agent who accepts gets
a :class:`CallCustomer` action (dial the number and bridge the agent) before
the usual :class:`~callcore.center.Connect` and screen pop; its ticket opens
then, as for any voice contact. The telephony reports how the call went with
:meth:`_Callbacks.callback_result`:

- reached: the contact goes on as any connected call (hold, transfer, end,
  wrap-up with its ticket, survey, KPI record and history);
- no answer or busy: this attempt completes as an outbound contact that nobody
  answered (its KPI record and an interaction ``no_answer`` in the customer's
  history); the router books the next attempt, whose contact keeps the ticket;
- cancelled (:meth:`_Callbacks.cancel_callback`): the request ends; the
  customer's history records it as ``abandoned`` (and a contact waiting or
  ringing completes so).

The numbers to call are the ``callbacks`` section of the centre's checkpoint,
so a restart between the request and its time loses nothing (the router's
snapshot has the rest).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from callcore.acd import (
    DEFAULT_MAX_ATTEMPTS,
    DEFAULT_RETRY_SPACING,
    CallbackAttemptEnded,
    CallbackDue,
    CallbackEnded,
    CallbackOutcome,
    CallbackResult,
    CancelledBy,
    ContactAnswered,
    Offer,
    Router,
    RouterUpdate,
)
from callcore.acd._callbacks import check_attempts, check_request_time
from callcore.center._actions import CallCustomer
from callcore.center._contact import Phase
from callcore.center._core import CenterUpdate, _Out
from callcore.center._handling import _Handling
from callcore.center._voice import _Voice
from callcore.checks import check_count, check_enum, check_text
from callcore.contacts import Channel, ContactOutcome, Direction, check_skills
from callcore.errors import (
    ConfigError,
    DocumentError,
    InvalidInputError,
    InvalidTransitionError,
    NotFoundError,
    Problem,
)
from callcore.events import Event

__all__ = ["CALLBACKS_CHECKPOINT"]

CALLBACKS_CHECKPOINT = "center.callbacks"
"""The name under which the callbacks' numbers were saved beside the centre's
checkpoint before they became a section of it (still read from such a store)."""


class _Callbacks(_Voice, _Handling):
    """Callbacks the centre booked: their numbers, their contacts, their records."""

    def __init__(self, **kwargs: Any) -> None:  # noqa: ANN401 - the centre's arguments, as they are
        """Build the centre with no callback booked (a restart reads them back)."""
        self._callback_numbers: dict[str, str] = {}  # callback id -> the number to call
        self._callback_tickets: dict[str, str] = {}  # callback id -> its ticket, between attempts
        self._handled: set[int] = set()  # the callback events of the update being absorbed, done
        super().__init__(**kwargs)

    # --- checkpoint ------------------------------------------------------------------------

    def _restore(self, saved: str) -> None:
        super()._restore(saved)
        data = self._saved_section("callbacks", CALLBACKS_CHECKPOINT)
        if data is None:
            return
        try:
            numbers = {str(key): str(value) for key, value in data["numbers"].items()}
            tickets = {str(key): str(value) for key, value in data["tickets"].items()}
        except (KeyError, TypeError, ValueError, AttributeError) as error:
            raise DocumentError(
                [Problem("", f"not a callbacks checkpoint: {error}")], "callbacks checkpoint"
            ) from None
        self._callback_numbers, self._callback_tickets = numbers, tickets

    def _sections(self) -> dict[str, Any]:
        sections = super()._sections()
        sections["callbacks"] = {
            "numbers": dict(self._callback_numbers),
            "tickets": dict(self._callback_tickets),
        }
        return sections

    def _new_contact_id(self, contact_id: str | None) -> str:
        contact_id = super()._new_contact_id(contact_id)
        if contact_id in self._callback_numbers:  # a booked callback holds it in the router
            raise InvalidTransitionError(
                "scheduled", "arrive", f"a callback {contact_id!r} is booked under this id"
            )
        return contact_id

    # --- inputs ------------------------------------------------------------------------------

    def schedule_callback(
        self,
        number: str,
        *,
        queue: str,
        at: datetime,
        contact_id: str | None = None,
        priority: int = 0,
        skills: dict[str, int] | None = None,
        max_attempts: int = DEFAULT_MAX_ATTEMPTS,
        retry_spacing: timedelta = DEFAULT_RETRY_SPACING,
        now: datetime | None = None,
    ) -> CenterUpdate:
        """Book a callback of ``number`` at ``at``: the router keeps it until its time.

        Args:
            number: The customer's number (national numbers in the default country).
            queue: The queue whose agents call back.
            at: The time the customer asked for (aware; from 5 minutes ago to 30 days ahead).
            contact_id: The callback's id (default: a new one); its contact's id later.
            priority: Its priority in the queue.
            skills: Skills it needs on top of the queue's.
            max_attempts: Attempts to reach the customer (1..100).
            retry_spacing: From a failed attempt to the next (up to 3 days).
            now: When (default: the clock's time).

        Returns:
            ``acd.callback_scheduled`` (and, for a time already reached, the
            callback's contact arriving and its offer).

        Raises:
            InvalidInputError: A wrong or withheld number, or an argument out of
                range (``field`` names it).
            NotFoundError: No such queue.
            InvalidTransitionError: The id is in use.
        """
        with self._lock:
            now = self._time(now)
            router = self._callback_router()
            identity = self._identity(number, "number")
            if identity is None:
                raise InvalidInputError("number: a callback needs a number to call", field="number")
            check_text(queue, "queue")
            if queue not in {config.name for config in self.router.queues}:
                raise NotFoundError("queue", queue)
            check_request_time(at, now)
            check_attempts(max_attempts, retry_spacing)
            check_count(priority, "priority", low=-1_000_000_000, high=1_000_000_000)
            if skills is not None:
                check_skills(skills, "skills")
            contact_id = self._new_contact_id(contact_id)  # (the router holds no other contact)
            # checked: from here on the centre changes, and the router has nothing to refuse
            out = _Out()
            self._catch_up(now, out)
            self._callback_numbers[contact_id] = identity.value
            update = router.schedule_callback(
                contact_id,
                queue,
                now=now,
                at=at,
                priority=priority,
                skills=skills,
                max_attempts=max_attempts,
                retry_spacing=retry_spacing,
            )
            self._absorb_router(update, out)
            return self._finish(now, out)

    def callback_result(
        self, contact_id: str, result: CallbackResult, *, now: datetime | None = None
    ) -> CenterUpdate:
        """The telephony's verdict on the agent's call to the customer.

        Raises:
            InvalidInputError: ``result`` is not a :class:`~callcore.acd.CallbackResult`.
            NotFoundError: No such callback.
            InvalidTransitionError: No agent is calling it (it was not accepted).
        """
        with self._lock:
            now = self._time(now)
            check_enum(result, CallbackResult, "result")
            self._booked(contact_id)
            self._in_phase(contact_id, Phase.CONNECTED, "report the result of")
            return self._router_input(
                self._callback_router().callback_result(contact_id, result, now=now), now
            )

    def cancel_callback(
        self,
        contact_id: str,
        *,
        by: CancelledBy = CancelledBy.CUSTOMER,
        now: datetime | None = None,
    ) -> CenterUpdate:
        """The customer (or an agent) cancels a callback booked, waiting or ringing.

        Raises:
            InvalidInputError: ``by`` is not a :class:`~callcore.acd.CancelledBy`.
            NotFoundError: No such callback.
            InvalidTransitionError: An agent is calling it (report its result).
        """
        with self._lock:
            now = self._time(now)
            check_enum(by, CancelledBy, "by")
            self._booked(contact_id)
            live = self._contacts.get(contact_id)
            if live is not None and live.phase is not Phase.QUEUED:
                raise InvalidTransitionError(
                    live.phase.value, "cancel the callback", "an agent is calling the customer"
                )
            return self._router_input(
                self._callback_router().cancel_callback(contact_id, now=now, by=by), now
            )

    def _callback_router(self) -> Router:
        """The centre's in-process router: a shared router does not forward callbacks yet.

        Raises:
            ConfigError: The centre runs on a shared router (``router=``).
        """
        router = self.router
        if not isinstance(router, Router):
            raise ConfigError(
                "router: scheduled callbacks need the centre's own router; "
                "a shared router does not forward them yet"
            )
        return router

    def _booked(self, contact_id: str) -> None:
        check_text(contact_id, "contact_id")
        if contact_id not in self._callback_numbers:
            raise NotFoundError("callback", contact_id)

    # --- the router's callback events -----------------------------------------------------------

    def _absorb_router(
        self, update: RouterUpdate, out: _Out, *, silent: Offer | None = None
    ) -> None:
        """A callback's steps that change its contact come first, so that its ring is right.

        A failed attempt completes its contact, and a callback whose time came
        arrives as a contact, before the update's offers become rings: the
        ring then carries the new attempt's variables (with a zero spacing,
        one update holds both).
        """
        for event in update.events:
            contact_id = getattr(event, "contact_id", None)
            if contact_id not in self._callback_numbers:
                continue
            if isinstance(event, CallbackDue):
                self._callback_arrives(event, out)
                self._handled.add(id(event))
            elif (
                isinstance(event, CallbackAttemptEnded)
                and event.result is not CallbackResult.REACHED
            ):
                self._attempt_failed(event, out)
                self._handled.add(id(event))
        try:
            super()._absorb_router(update, out, silent=silent)
        finally:
            self._handled.clear()

    def _follow(self, event: Event, out: _Out) -> None:
        """Also turn a callback's steps into the centre's contacts and records."""
        contact_id = getattr(event, "contact_id", None)
        if (
            isinstance(contact_id, str)
            and contact_id in self._callback_numbers
            and id(event) not in self._handled
        ):
            if isinstance(event, CallbackDue):  # a timer's, followed on its own
                self._callback_arrives(event, out)
            elif isinstance(event, ContactAnswered):
                number = self._callback_numbers[contact_id]
                attempt = self._callback_router().callback(contact_id).attempt
                out.actions.append(CallCustomer(contact_id, event.agent_id, number, attempt))
            elif (
                isinstance(event, CallbackAttemptEnded)
                and event.result is not CallbackResult.REACHED
            ):
                self._attempt_failed(event, out)
            elif isinstance(event, CallbackEnded):
                self._callback_ended(event, out)
        super()._follow(event, out)

    def _callback_arrives(self, event: CallbackDue, out: _Out) -> None:
        """Its time came: an outbound contact of the centre, waiting in the queue."""
        number = self._callback_numbers[event.contact_id]
        live = self._arrive(
            event.contact_id,
            Channel.VOICE,
            self._identity(number, "number"),
            number,
            event.at,
            out,
            Direction.OUTBOUND,
        )
        live.phase = Phase.QUEUED
        live.queue = event.queue
        live.queued_at = live.first_queued_at = event.at
        live.subject = f"callback to {live.address}"
        live.variables = {"callback": True, "attempt": event.attempt, "number": number}
        live.ticket_id = self._callback_tickets.get(event.contact_id)

    def _attempt_failed(self, event: CallbackAttemptEnded, out: _Out) -> None:
        """Nobody answered: the attempt completes as an outbound call not answered."""
        live = self._contacts[event.contact_id]
        if live.ticket_id is not None:
            self._callback_tickets[event.contact_id] = live.ticket_id
        live.ended_at = event.at
        live.answered_at = live.leg_answered_at = None  # the agent answered, not the customer
        self._complete(live, ContactOutcome.NO_ANSWER, event.at, out, notes=event.result.value)

    def _callback_ended(self, event: CallbackEnded, out: _Out) -> None:
        number = self._callback_numbers.pop(event.contact_id)
        ticket_id = self._callback_tickets.pop(event.contact_id, None)
        if event.result is not CallbackOutcome.CANCELLED:
            return  # reached: the contact goes on; not reached: its last attempt was recorded
        by = event.cancelled_by.value if event.cancelled_by is not None else "host"
        notes = f"callback cancelled by the {by}"
        live = self._contacts.get(event.contact_id)
        if live is not None:  # waiting or ringing: the contact completes, not served
            live.ended_at = event.at
            self._complete(live, ContactOutcome.ABANDONED, event.at, out, notes=notes)
            return
        identity = self._identity(number, "number")
        assert identity is not None  # noqa: S101 - a withheld number is never booked
        identified = self.identifier.identify(identity, now=event.at)
        out.events.extend(identified.events)
        recorded = self.identifier.record_interaction(
            identified.customer.id,
            channel=Channel.VOICE,
            direction=Direction.OUTBOUND,
            outcome=ContactOutcome.ABANDONED,
            now=event.at,
            queue=event.queue,
            ticket_id=ticket_id,
            notes=notes,
            duration=timedelta(0),
        )
        out.events.extend(recorded.events)
