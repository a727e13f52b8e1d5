"""What stays after a contact: its ticket, the satisfaction survey, its KPI record and history."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta

import attrs

from callcore.center._contact import LiveContact, leg_id
from callcore.center._core import CenterUpdate, _CenterCore, _Out
from callcore.center._events import ContactCompleted, ContactSteps, SurveySent
from callcore.checks import check_text
from callcore.contacts import ContactOutcome
from callcore.customers import IdentityKind
from callcore.errors import NotFoundError
from callcore.kpi import InteractionRecord
from callcore.notifications import Notification, NotificationChannel
from callcore.tickets import (
    Actor,
    FollowUpDue,
    Notify,
    SendSurvey,
    Ticket,
    TicketAction,
    TicketUpdate,
)


class _Records(_CenterCore):
    """Tickets, surveys and the contact's completion (KPI record, customer history)."""

    # --- the contact's record -----------------------------------------------------------------

    def _complete(
        self,
        live: LiveContact,
        outcome: ContactOutcome,
        now: datetime,
        out: _Out,
        *,
        resolved: bool | None = None,
        notes: str = "",
    ) -> None:
        """The contact is over: its legs' KPI records, its interaction, and it leaves the centre.

        The current leg ends with ``outcome``; a consultation still open ends
        with it. The contact's outcome is ``answered`` once an agent answered
        any leg (a caller who hangs up waiting after a transfer was served):
        one interaction in the history per contact, one KPI record per leg.
        """
        answered = outcome is ContactOutcome.ANSWERED
        ended = live.ended_at or now
        self._close_consultation(live, ended)
        leg = self._leg_record(
            live, outcome, ended, wrap_up_ended_at=now if answered else None, resolved=resolved
        )
        legs = tuple(sorted((*live.legs, leg), key=_leg_number))
        if resolved is not None and len(legs) > 1:  # the verdict is the contact's: its first leg
            legs = (
                attrs.evolve(legs[0], first_contact_resolved=resolved),
                *(attrs.evolve(other, first_contact_resolved=None) for other in legs[1:]),
            )
        contact_outcome = ContactOutcome.ANSWERED if live.answered_at is not None else outcome
        # add: far cheaper than add_many for the usual contact of one leg
        counted = self.aggregator.add(leg) if len(legs) == 1 else self.aggregator.add_many(legs)
        out.events.extend(counted.events)
        agent = live.agent or (live.handled_by[-1] if live.handled_by else None)
        recorded = self.identifier.record_interaction(
            live.customer.id,
            channel=live.channel,
            direction=live.direction,
            outcome=contact_outcome,
            now=now,
            resolved=resolved,
            agent=agent if contact_outcome is ContactOutcome.ANSWERED else None,
            queue=live.queue,
            ticket_id=live.ticket_id,
            notes=notes,
            duration=ended - live.arrived_at,
        )
        out.events.extend(recorded.events)
        steps = ContactSteps(
            arrived_at=live.arrived_at,
            ivr_ended_at=live.ivr_ended_at,
            queued_at=live.first_queued_at,
            offered_at=live.first_offered_at,
            answered_at=live.answered_at,
            held_at=live.held_at,
            ended_at=ended,
            wrap_up_ended_at=now if answered else None,
            outcome=contact_outcome,
        )
        out.events.append(
            ContactCompleted(
                at=now,
                contact_id=live.contact_id,
                outcome=contact_outcome,
                record=legs[0],
                legs=legs,
                steps=steps,
            )
        )
        del self._contacts[live.contact_id]
        self._ivr_due.set(live.contact_id, None)

    def _leg_record(
        self,
        live: LiveContact,
        outcome: ContactOutcome,
        ended_at: datetime,
        *,
        wrap_up_ended_at: datetime | None,
        resolved: bool | None = None,
    ) -> InteractionRecord:
        """The KPI record of the contact's current leg, ending at ``ended_at``."""
        answered = outcome is ContactOutcome.ANSWERED
        agent = live.agent or (live.handled_by[-1] if live.handled_by else None)
        return InteractionRecord(
            id=leg_id(live.contact_id, live.leg),
            contact_id=live.contact_id,
            channel=live.channel,
            direction=live.direction,
            outcome=outcome,
            arrived_at=live.leg_started_at or live.arrived_at,
            ended_at=ended_at,
            queue=live.queue,
            agent=agent if (answered or live.offered_at is not None) else None,
            customer_id=live.customer.id,
            queued_at=live.queued_at,
            offered_at=live.offered_at,
            answered_at=live.leg_answered_at if answered else None,
            wrap_up_ended_at=wrap_up_ended_at,
            hold_time=live.hold_time if answered else timedelta(0),
            holds=live.holds,
            transfers=live.transfers,
            consults=live.consults,
            ivr_path=live.ivr_path if live.leg == 1 else (),
            ticket_id=live.ticket_id,
            first_contact_resolved=resolved,
        )

    @staticmethod
    def _close_consultation(live: LiveContact, now: datetime) -> None:
        """End the open consultation's leg (the colleague hangs up, or the call ended)."""
        consult = live.consult
        if consult is None:
            return
        live.legs += (
            InteractionRecord(
                id=leg_id(live.contact_id, consult.leg),
                contact_id=live.contact_id,
                channel=live.channel,
                direction=live.direction,
                outcome=ContactOutcome.ANSWERED,
                arrived_at=consult.started_at,
                ended_at=now,
                agent=consult.target,
                customer_id=live.customer.id,
                answered_at=consult.started_at,
                ticket_id=live.ticket_id,
            ),
        )
        live.consult = None

    def _start_leg(self, live: LiveContact, now: datetime) -> None:
        """End the current leg (handed on: no after-contact work of its own); start the next."""
        live.legs += (self._leg_record(live, ContactOutcome.ANSWERED, now, wrap_up_ended_at=None),)
        live.legs_started += 1
        live.leg = live.legs_started
        live.leg_started_at = now
        live.queue = live.queued_at = live.offered_at = live.leg_answered_at = None
        live.agent = live.held_since = None
        live.hold_time = timedelta(0)
        live.holds = live.consults = live.transfers = 0

    # --- tickets and surveys ---------------------------------------------------------------

    def survey_answered(
        self, ticket_id: str, *, score: int, comment: str = "", now: datetime | None = None
    ) -> CenterUpdate:
        """The customer answered the satisfaction survey (CSAT 1-5): record it on the ticket.

        Raises:
            NotFoundError: No such ticket.
            InvalidInputError: The score is not a whole number from 1 to 5.
            InvalidTransitionError: The ticket is not closed, or already rated.
        """
        with self._lock:
            now = self._time(now)
            ticket = self._ticket(ticket_id)
            update = self.tickets.record_survey(ticket, now=now, score=score, comment=comment)
            out = _Out()
            self._keep_ticket(update, now, out)
            return self._finish(now, out)

    def _ticket(self, ticket_id: str) -> Ticket:
        check_text(ticket_id, "ticket_id")
        ticket = self.store.get_ticket(ticket_id)
        if ticket is None:
            raise NotFoundError("ticket", ticket_id)
        return ticket

    def _keep_ticket(
        self, update: TicketUpdate, now: datetime, out: _Out, *, new: bool = False
    ) -> Ticket:
        """Save the ticket an update changed, remember its next deadline, act on its actions."""
        ticket = update.ticket
        stored = self.store.add_ticket(ticket) if new else self.store.save_ticket(ticket)
        self._ticket_due.set(stored.id, stored.next_due)
        out.events.extend(update.events)
        self._ticket_actions(update.actions, now, out)
        return stored

    def _ticket_actions(self, actions: Iterable[TicketAction], now: datetime, out: _Out) -> None:
        for action in actions:
            if isinstance(action, SendSurvey):
                sent = self._addressed(action.notification)
                if sent is None:
                    continue  # an anonymous customer: nowhere to send it
                self._quietly("callcore_notify", notification=sent)
                out.events.append(SurveySent(at=now, ticket_id=action.ticket_id, notification=sent))
                out.actions.append(SendSurvey(action.ticket_id, sent))
            elif isinstance(action, Notify):
                self._quietly("callcore_notify", notification=action.notification)
            elif isinstance(action, FollowUpDue):
                out.actions.append(action)
            # ScheduleFollowUp: the centre's own timer (the ticket's next_due) runs it

    def _addressed(self, notification: Notification) -> Notification | None:  # noqa: PLR0911
        """The notification sent to the customer's address (the engine names the customer id).

        An email goes to the customer's email address; a call or an SMS to the
        phone number. A customer known only by phone gets an emailed survey
        as an automated call instead, and one known only by email gets a call
        or SMS by email: the survey reaches them either way. A customer with
        no address (an anonymous caller nobody identified since) gets none:
        ``None``. Anyone else (an agent, a queue) is left as the engine named them.
        """
        customer = self.store.get_customer(notification.to)
        if customer is None:
            return notification
        if not customer.identities:
            return None
        by_kind = {identity.kind: identity.value for identity in reversed(customer.identities)}
        email, phone = by_kind.get(IdentityKind.EMAIL), by_kind.get(IdentityKind.PHONE)
        if notification.channel is NotificationChannel.EMAIL:
            if email is not None:
                return attrs.evolve(notification, to=email)
            if phone is not None:
                return attrs.evolve(notification, to=phone, channel=NotificationChannel.CALL)
        elif notification.channel in {NotificationChannel.CALL, NotificationChannel.SMS}:
            if phone is not None:
                return attrs.evolve(notification, to=phone)
            if email is not None:
                return attrs.evolve(notification, to=email, channel=NotificationChannel.EMAIL)
        return notification


def _agent(agent_id: str) -> Actor:
    return Actor(agent_id, frozenset({"agent"}))


def _leg_number(record: InteractionRecord) -> int:
    """A leg's number from its record id (the first leg's id is the contact's)."""
    head, _, number = record.id.rpartition(".")
    return int(number) if head == record.contact_id and number.isdigit() else 1
