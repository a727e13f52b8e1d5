"""Messages (email, chat, SMS, social): identify, open or update the ticket, queue by channel."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

from callcore.center._core import CenterUpdate, _Out
from callcore.center._queueing import _Queueing
from callcore.checks import check_enum, check_text
from callcore.contacts import Channel, check_priority, check_skills
from callcore.errors import InvalidInputError, InvalidTransitionError, NotFoundError
from callcore.tickets import Link, StateCategory, Ticket


class _Messages(_Queueing):
    """A message's arrival: no IVR; ticket first, then the channel's queue."""

    def inbound_message(
        self,
        *,
        channel: Channel,
        sender: str | None,
        to: str = "",
        subject: str = "",
        text: str = "",
        queue: str | None = None,
        ticket_id: str | None = None,
        priority: int = 0,
        skills: Mapping[str, int] | None = None,
        language: str = "",
        contact_id: str | None = None,
        now: datetime | None = None,
    ) -> CenterUpdate:
        """An email, chat, SMS or social message came in: identify, ticket, queue.

        No IVR: the sender is identified (``None`` or a withheld id, such as
        a chat visitor who gave no address: a new anonymous customer, as for
        a withheld caller id), the ticket ``ticket_id`` (a reply in
        its thread) gets the customer's reply, or a new ticket is opened, and
        the contact joins ``queue`` (or its channel's queue), where the
        router offers it within each agent's capacity for the channel.

        Raises:
            InvalidInputError: A field is wrong (naming it): a voice channel,
                a sender that is neither a phone number nor an email address,
                no queue for the channel, bad priority, skills or language.
            NotFoundError: No such queue or ticket.
            InvalidTransitionError: The ticket is closed (open a new one), or
                ``contact_id`` is already in the centre.
        """
        with self._lock:
            now = self._time(now)
            check_enum(channel, Channel, "channel")
            if channel is Channel.VOICE:
                raise InvalidInputError(
                    "a voice contact arrives by inbound_call, not inbound_message", field="channel"
                )
            check_text(to, "to", allow_empty=True)
            check_text(subject, "subject", allow_empty=True)
            check_text(text, "text", allow_empty=True)
            chosen = self._message_queue(channel, queue)
            check_priority(priority, "priority")
            if skills is not None:
                check_skills(skills, "skills")
            check_text(language, "language", allow_empty=True)
            identity = self._identity(sender, "sender")
            contact_id = self._new_contact_id(contact_id)
            replied = None
            if ticket_id is not None:  # the reply is checked (and refused) on the ticket's copy
                replied = self.tickets.customer_reply(
                    self._open_ticket(ticket_id), now=now, text=text
                )
            # checked: from here on the centre changes
            out = _Out()
            self._catch_up(now, out)  # the router queues it last: no refusal after the arrival
            live = self._arrive(contact_id, channel, identity, to, now, out)
            live.subject = subject or f"{channel.value} from {live.address}"
            live.variables = {"subject": subject, "text": text}
            if replied is None:
                update = self.tickets.create(
                    subject=live.subject,
                    channel=channel,
                    customer=live.customer.id,
                    customer_tier=live.customer.tier,
                    links=(Link("contact", contact_id),),
                    now=now,
                )
                self._keep_ticket(update, now, out, new=True)
            else:
                update = replied
                self._keep_ticket(update, now, out)
            live.ticket_id = update.ticket.id
            self._enqueue(
                live, chosen, now, out, priority=priority, skills=skills, language=language
            )
            return self._finish(now, out)

    def _message_queue(self, channel: Channel, queue: str | None) -> str:
        if queue is None:
            found = self._message_queues.get(channel)
            if found is None:
                raise InvalidInputError(
                    f"no queue for {channel.value} messages: pass queue=..., or configure "
                    "message_queues",
                    field="queue",
                )
            return found
        check_text(queue, "queue")
        if queue not in self._queue_names:
            raise NotFoundError("queue", queue)
        return queue

    def _open_ticket(self, ticket_id: str) -> Ticket:
        ticket = self._ticket(ticket_id)
        if self.tickets.category(ticket) is StateCategory.CLOSED:
            raise InvalidTransitionError(
                ticket.state, "reply to ticket", "the ticket is closed: open a new one"
            )
        return ticket
