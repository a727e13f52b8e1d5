"""Transfers: to a queue or to a named agent, blind, or warm after a consultation.

The router moves the contact (:meth:`callcore.acd.Router.transfer`: the same
contact, its place by arrival, a new wait in the queue or for the agent); the
centre ends the transferring agent's leg and starts the next one (Amazon
Connect's contact chain), and tells the host what to do with the call.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from callcore.acd import ContactOffered, Offer, RouterUpdate
from callcore.acd import ContactTransferred as RouterTransferred
from callcore.center._actions import ScreenPop, TransferToAgent, TransferToQueue
from callcore.center._contact import LiveContact, Phase
from callcore.center._core import CenterUpdate, _Out
from callcore.center._events import ContactTransferred
from callcore.center._handling import _Handling
from callcore.center._records import _agent
from callcore.checks import check_text
from callcore.contacts import ContactOutcome
from callcore.errors import InvalidInputError, NotFoundError
from callcore.kpi import InteractionRecord

_ZERO = timedelta(0)


class _Transfers(_Handling):
    """The agent hands the contact on."""

    def agent_transferred(
        self,
        contact_id: str,
        *,
        queue: str | None = None,
        agent: str | None = None,
        agent_wait: timedelta = _ZERO,
        now: datetime | None = None,
    ) -> CenterUpdate:
        """The agent transferred the contact: to a queue, or to a named agent, blind or warm.

        The transferring agent is released (and enters its queue's wrap-up,
        as after any contact) and its leg ends; the contact goes on under the
        same id in a new leg, keeping its place by arrival, its priority and
        language, its ticket, its IVR variables and its first answer time.

        - ``queue`` alone: a blind transfer to the queue; it waits there, and
          whoever accepts it gets the screen pop and the ticket.
        - ``agent``, not the colleague being consulted: a blind transfer to
          that agent, offered to it alone (a :class:`RingAgent`) within its
          ``queue`` (default: the queue it was answered from); if the agent
          cannot take it now, it waits for the agent up to ``agent_wait``,
          then goes to the queue's agents (Twilio TaskRouter's known-agent
          target; Amazon Connect's agent queue).
        - ``agent``, the colleague consulted or conferenced in
          (:meth:`agent_consulted`): a warm transfer. The colleague, on the
          line already, takes the caller at once: its consultation leg becomes
          the contact's leg, it gets the screen pop and the ticket, and the
          host drops the transferring agent (:class:`TransferToAgent` with
          ``warm``). Should the router find the colleague unable to take it
          (not ready, at capacity), it waits for the colleague as a blind
          transfer does.

        Args:
            contact_id: A connected contact.
            queue: The queue it goes to.
            agent: The agent it goes to.
            agent_wait: How long it may wait for a busy ``agent``.
            now: When (default: the clock's time).

        Raises:
            InvalidInputError: Neither ``queue`` nor ``agent``, ``agent`` is
                the transferring agent, ``agent_wait`` without ``agent`` or
                out of range.
            NotFoundError: No such contact, queue or agent.
            InvalidTransitionError: The contact is not connected.
        """
        with self._lock:
            now = self._time(now)
            live = self._in_phase(contact_id, Phase.CONNECTED, "transfer")
            assert live.agent is not None  # noqa: S101 - connected to an agent
            if queue is None and agent is None:
                raise InvalidInputError("a transfer goes to a queue or an agent", field="queue")
            if queue is not None:
                check_text(queue, "queue")
                if queue not in self._queue_names:
                    raise NotFoundError("queue", queue)
            if agent is not None:
                check_text(agent, "agent")
                if agent == live.agent:
                    raise InvalidInputError(
                        f"{agent!r} has the contact already: transfer it to someone else",
                        field="agent",
                    )
            from_queue = self.router.contact(contact_id).queue
            # the router checks the rest (agent known, agent_wait) and refuses before it changes
            update = self.router.transfer(
                contact_id, now=now, to_queue=queue, to_agent=agent, agent_wait=agent_wait
            )
            # checked: from here on the centre changes
            out = _Out()
            holder = live.agent
            consult = live.consult
            warm_offer = _offer_to(update, agent) if consult and consult.target == agent else None
            self._end_hold(live, now)
            live.transfers += 1
            if warm_offer is None:
                self._close_consultation(live, now)
                self._start_leg(live, now)
                live.phase, live.queued_at = Phase.QUEUED, now
                live.queue = _destination(update)
                self._absorb_router(update, out)
            else:
                ended = self._leg_record(live, ContactOutcome.ANSWERED, now, wrap_up_ended_at=None)
                self._absorb_router(update, out, silent=warm_offer)  # on the line already
                self._absorb_router(
                    self.router.accept(
                        contact_id, warm_offer.agent_id, now=now, offer_id=warm_offer.offer_id
                    ),
                    out,
                )
                self._take_over(live, ended, warm_offer, now, out)
            out.events.append(
                ContactTransferred(
                    at=now,
                    contact_id=contact_id,
                    agent_id=holder,
                    from_queue=from_queue,
                    queue=live.queue if agent is None else None,
                    to_agent=agent,
                    warm=warm_offer is not None,
                )
            )
            if agent is None:
                out.actions.append(TransferToQueue(contact_id, holder, live.queue or ""))
            else:
                out.actions.append(
                    TransferToAgent(contact_id, holder, agent, warm=warm_offer is not None)
                )
            if warm_offer is not None:
                out.actions.append(self._screen_pop(live, warm_offer.agent_id))
            return self._finish(now, out)

    def _take_over(
        self, live: LiveContact, ended: InteractionRecord, offer: Offer, now: datetime, out: _Out
    ) -> None:
        """The consulted colleague has the caller: its leg is the contact's now."""
        consult = live.consult
        assert consult is not None  # noqa: S101 - a warm transfer follows a consultation
        live.legs += (ended,)
        live.leg, live.consult = consult.leg, None
        live.leg_started_at = live.leg_answered_at = consult.started_at
        live.queue, live.queued_at, live.offered_at = offer.queue, None, None
        live.agent = offer.agent_id
        live.handled_by += (offer.agent_id,)
        live.held_since = None
        live.hold_time, live.holds, live.consults, live.transfers = _ZERO, 0, 0, 0
        assert live.ticket_id is not None  # noqa: S101 - opened at the first answer
        ticket = self._ticket(live.ticket_id)
        update = self.tickets.update(
            ticket, by=_agent(offer.agent_id), now=now, assignee=offer.agent_id
        )
        self._keep_ticket(update, now, out)

    def _screen_pop(self, live: LiveContact, agent_id: str) -> ScreenPop:
        return ScreenPop(
            contact_id=live.contact_id,
            agent_id=agent_id,
            customer=live.customer,
            history=live.history,
            variables=dict(live.variables),
            ticket_id=live.ticket_id,
        )


def _destination(update: RouterUpdate) -> str:
    """The queue the router's transfer sent the contact to."""
    for event in update.events:
        if isinstance(event, RouterTransferred):
            return event.to_queue
    msg = "the router's transfer has no acd.contact_transferred"  # pragma: no cover
    raise AssertionError(msg)  # pragma: no cover


def _offer_to(update: RouterUpdate, agent_id: str | None) -> Offer | None:
    """The router's offer of the transferred contact to ``agent_id``, if it made one now."""
    for event in update.events:
        if isinstance(event, ContactOffered) and event.offer.agent_id == agent_id:
            return event.offer
    return None
