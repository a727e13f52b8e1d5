"""An agent's handling of a contact.

Accept and screen pop, hold and resume, consult, conference, transfer, end, wrap-up.
"""

from __future__ import annotations

from datetime import datetime

from callcore.center._actions import (
    Conference,
    Connect,
    Consult,
    Disconnect,
    HoldCaller,
    ResumeCaller,
    ScreenPop,
)
from callcore.center._contact import Consultation, LiveContact, Phase
from callcore.center._core import CenterUpdate, _Out
from callcore.center._disposition import Disposition
from callcore.center._events import (
    ContactConferenced,
    ContactConsulted,
    ContactHeld,
    ContactResumed,
)
from callcore.center._queueing import _Queueing
from callcore.center._records import _agent
from callcore.checks import check_enum, check_instant, check_text
from callcore.contacts import AgentState, ContactOutcome
from callcore.errors import InvalidInputError, InvalidTransitionError
from callcore.tickets import Link

_RESOLVED = {Disposition.RESOLVED: True, Disposition.CLOSED: True}
"""The dispositions that count as first-contact resolution in the KPI record."""


class _Handling(_Queueing):
    """The inputs of a connected contact, from the agent's answer to the wrap-up."""

    def agent_accepted(
        self, contact_id: str, agent_id: str, *, now: datetime | None = None
    ) -> CenterUpdate:
        """The agent answered the offer: connect, pop the screen, open the ticket.

        A voice contact's ticket is opened now, assigned to the agent; a
        message's ticket (opened on arrival) is assigned to the agent.

        Returns:
            ``acd.contact_answered``, the ticket's changes, and the actions
            :class:`StopRinging` (other agents), :class:`Connect` and
            :class:`ScreenPop`.

        Raises:
            NotFoundError: No such contact or agent.
            InvalidTransitionError: No offer of this contact to this agent rings.
        """
        with self._lock:
            now = self._time(now)
            live = self._in_phase(contact_id, Phase.QUEUED, "accept")
            update = self.router.accept(contact_id, agent_id, now=now)  # refuses without change
            out = _Out()
            self._absorb_router(update, out)
            self._answered(live, agent_id, now, out)
            return self._finish(now, out)

    def _answered(self, live: LiveContact, agent_id: str, now: datetime, out: _Out) -> None:
        """Connect the answered contact: its ticket, ``Connect`` and the screen pop."""
        contact_id = live.contact_id
        live.phase, live.agent = Phase.CONNECTED, agent_id
        live.answered_at = live.answered_at or now  # the first answer: the caller's wait
        live.leg_answered_at = now
        live.handled_by += (agent_id,)
        by = _agent(agent_id)
        if live.ticket_id is None:
            created = self.tickets.create(
                subject=live.subject,
                channel=live.channel,
                customer=live.customer.id,
                customer_tier=live.customer.tier,
                assignee=agent_id,
                links=(Link("contact", contact_id),),
                by=by,
                now=now,
            )
            ticket = self._keep_ticket(created, now, out, new=True)
            live.ticket_id = ticket.id
        else:
            ticket = self._ticket(live.ticket_id)
            self._keep_ticket(
                self.tickets.update(ticket, by=by, now=now, assignee=agent_id), now, out
            )
            ticket = self._ticket(live.ticket_id)
        if self.tickets.can_apply(ticket, "open", by=by) is None:
            self._keep_ticket(self.tickets.apply(ticket, "open", by=by, now=now), now, out)
        out.actions.append(Connect(contact_id, agent_id, live.channel))
        out.actions.append(
            ScreenPop(
                contact_id=contact_id,
                agent_id=agent_id,
                customer=live.customer,
                history=live.history,
                variables=dict(live.variables),
                ticket_id=live.ticket_id,
            )
        )

    def agent_held(self, contact_id: str, *, now: datetime | None = None) -> CenterUpdate:
        """The agent put the caller on hold (the hold time counts in the KPI record).

        Raises:
            InvalidTransitionError: The contact is not connected, or already held.
        """
        with self._lock:
            now = self._time(now)
            live = self._in_phase(contact_id, Phase.CONNECTED, "hold")
            if live.held_since is not None:
                raise InvalidTransitionError("held", "hold", "the caller is on hold already")
            out = _Out()
            self._hold(live, now, out)
            return self._finish(now, out)

    def agent_resumed(self, contact_id: str, *, now: datetime | None = None) -> CenterUpdate:
        """The agent took the caller off hold.

        After a consultation (not conferenced in) the consulted colleague's
        leg ends now: the agent went back to the caller alone.

        Raises:
            InvalidTransitionError: The contact is not connected, or not held.
        """
        with self._lock:
            now = self._time(now)
            live = self._in_phase(contact_id, Phase.CONNECTED, "resume")
            if live.held_since is None:
                raise InvalidTransitionError("connected", "resume", "the caller is not on hold")
            out = _Out()
            self._take_off_hold(live, now, out)
            if live.consult is not None and not live.consult.conferenced:
                self._close_consultation(live, now)
            out.actions.append(ResumeCaller(contact_id))
            return self._finish(now, out)

    @staticmethod
    def _hold(live: LiveContact, now: datetime, out: _Out) -> None:
        """Put the caller on hold (the hold counts in the KPI record) and tell the host."""
        assert live.agent is not None  # noqa: S101 - connected to an agent
        live.held_since = now
        live.held_at = live.held_at or now
        live.holds += 1
        out.events.append(ContactHeld(at=now, contact_id=live.contact_id, agent_id=live.agent))
        out.actions.append(HoldCaller(live.contact_id))

    def _take_off_hold(self, live: LiveContact, now: datetime, out: _Out) -> None:
        """End the hold (its time counted) with ``center.contact_resumed``."""
        assert live.agent is not None  # noqa: S101 - connected to an agent
        self._end_hold(live, now)
        out.events.append(ContactResumed(at=now, contact_id=live.contact_id, agent_id=live.agent))

    @staticmethod
    def _end_hold(live: LiveContact, now: datetime) -> None:
        if live.held_since is not None:
            live.hold_time += now - live.held_since
            live.held_since = None

    def agent_consulted(
        self, contact_id: str, target: str, *, now: datetime | None = None
    ) -> CenterUpdate:
        """The agent calls a colleague (a senior agent, a supervisor) while the caller holds.

        The caller goes on hold (unless held already) and the consultation
        counts in the KPI record: one more consult on the agent's leg, and a
        leg of its own for the colleague (answered now, ended when the
        consultation ends). :meth:`agent_resumed` takes the caller back (the
        colleague's leg ends), :meth:`agent_conferenced` brings the colleague
        in, and :meth:`agent_transferred` with ``agent=target`` hands the
        caller to the colleague (a warm transfer).

        Raises:
            InvalidInputError: ``target`` is not a text.
            InvalidTransitionError: The contact is not connected, or a
                consultation is open already (resume, conference or transfer first).
        """
        with self._lock:
            now = self._time(now)
            check_text(target, "target")
            live = self._in_phase(contact_id, Phase.CONNECTED, "consult")
            assert live.agent is not None  # noqa: S101 - connected to an agent
            if target == live.agent:
                raise InvalidInputError("an agent cannot consult itself", field="target")
            if live.consult is not None:
                raise InvalidTransitionError(
                    "consulting",
                    "consult",
                    f"the agent is consulting {live.consult.target!r}: resume, conference or "
                    "transfer first",
                )
            out = _Out()
            if live.held_since is None:
                self._hold(live, now, out)
            live.consults += 1
            live.legs_started += 1
            live.consult = Consultation(target, live.legs_started, now)
            out.events.append(
                ContactConsulted(at=now, contact_id=contact_id, agent_id=live.agent, target=target)
            )
            out.actions.append(Consult(contact_id, live.agent, target))
            return self._finish(now, out)

    def agent_conferenced(
        self, contact_id: str, target: str, *, now: datetime | None = None
    ) -> CenterUpdate:
        """The agent brings a third party into the call (ends a hold, if any).

        Usually the colleague just consulted (:meth:`agent_consulted`); a
        target not consulted first joins directly. The colleague's leg lasts
        until the contact ends; the agent stays on the call and wraps it up.

        Raises:
            InvalidInputError: ``target`` is not a text, or is the agent.
            InvalidTransitionError: The contact is not connected, or the
                agent is consulting someone else, or ``target`` is in the
                conference already.
        """
        with self._lock:
            now = self._time(now)
            check_text(target, "target")
            live = self._in_phase(contact_id, Phase.CONNECTED, "conference")
            assert live.agent is not None  # noqa: S101
            consult = live.consult
            if consult is not None and (consult.target != target or consult.conferenced):
                raise InvalidTransitionError(
                    "conferenced" if consult.conferenced else "consulting",
                    "conference",
                    f"{consult.target!r} is on the call with the agent; one colleague at a time",
                )
            if target == live.agent:
                raise InvalidInputError("an agent cannot conference itself", field="target")
            out = _Out()
            if consult is None:
                live.legs_started += 1
                live.consult = consult = Consultation(target, live.legs_started, now)
            consult.conferenced = True
            if live.held_since is not None:
                self._take_off_hold(live, now, out)
            out.events.append(
                ContactConferenced(
                    at=now, contact_id=contact_id, agent_id=live.agent, target=target
                )
            )
            out.actions.append(Conference(contact_id, live.agent, target))
            return self._finish(now, out)

    # --- the end -------------------------------------------------------------------------------

    def agent_ended(self, contact_id: str, *, now: datetime | None = None) -> CenterUpdate:
        """The agent ended the contact (hung up, closed the chat); wrap-up begins.

        Returns:
            ``acd.contact_ended`` (and the agent's wrap-up state) and a
            :class:`Disconnect` for the customer's side.

        Raises:
            InvalidTransitionError: The contact is not connected.
        """
        with self._lock:
            now = self._time(now)
            live = self._in_phase(contact_id, Phase.CONNECTED, "end")
            out = _Out()
            self._end_connected(live, now, out)
            out.actions.append(Disconnect(contact_id, "agent_ended"))
            return self._finish(now, out)

    def _end_connected(self, live: LiveContact, now: datetime, out: _Out) -> None:
        update = self.router.end(live.contact_id, now=now)
        self._end_hold(live, now)
        self._close_consultation(live, now)
        live.phase, live.ended_at = Phase.WRAP_UP, now
        self._absorb_router(update, out)

    def agent_wrapped_up(
        self,
        contact_id: str,
        *,
        disposition: Disposition,
        notes: str = "",
        code: str = "",
        follow_up_due: datetime | None = None,
        now: datetime | None = None,
    ) -> CenterUpdate:
        """The agent finished after-contact work: disposition, notes, history, KPI record.

        The disposition's transition moves the ticket (resolved, closed and
        surveyed, needs follow-up, or left open); the interaction goes into the
        customer's history; the contact's KPI record is counted; an agent still
        in wrap-up becomes ready.

        Args:
            contact_id: The contact.
            disposition: What became of the issue.
            notes: The agent's notes (the ticket transition's note, and the
                interaction's); a resolution needs a note or a ``code``.
            code: A disposition code of the host's (``"billing.refund"``),
                kept in the ticket's ``disposition`` field.
            follow_up_due: When a follow-up is due (default: the workflow's delay).
            now: When (default: the clock's time).

        Raises:
            InvalidInputError: A field is wrong (naming it).
            InvalidTransitionError: The contact is not in wrap-up, or the
                ticket's workflow refuses the transition (a resolution without
                a note); nothing changed.
        """
        with self._lock:
            now = self._time(now)
            check_enum(disposition, Disposition, "disposition")
            check_text(notes, "notes", allow_empty=True)
            check_text(code, "code", allow_empty=True)
            live = self._in_phase(contact_id, Phase.WRAP_UP, "wrap up")
            assert live.agent is not None  # noqa: S101 - it was connected
            assert live.ticket_id is not None  # noqa: S101 - opened at the answer
            transition = self._dispositions.get(disposition)
            if follow_up_due is not None:
                check_instant(follow_up_due, "follow_up_due")
                if transition is None or disposition is not Disposition.NEEDS_FOLLOW_UP:
                    raise InvalidInputError(
                        "follow_up_due goes with the needs_follow_up disposition",
                        field="follow_up_due",
                    )
                if follow_up_due <= now:
                    raise InvalidInputError(
                        "follow_up_due must be after now", field="follow_up_due"
                    )
            by = _agent(live.agent)
            note = notes or code
            ticket = self._ticket(live.ticket_id)
            if transition is not None:
                refusal = self.tickets.can_apply(ticket, transition, by=by, note=note)
                if refusal is not None:
                    raise InvalidTransitionError(ticket.state, transition, refusal)
            # checked: from here on the centre changes; the router's timers first (this
            # agent's wrap-up may have ended by now: then the agent is simply ready already)
            out = _Out()
            self._catch_up(now, out)
            if code:
                self._keep_ticket(
                    self.tickets.update(ticket, by=by, now=now, fields={"disposition": code}),
                    now,
                    out,
                )
                ticket = self._ticket(live.ticket_id)
            if transition is not None:
                applied = self.tickets.apply(
                    ticket, transition, by=by, now=now, note=note, follow_up_due=follow_up_due
                )
                self._keep_ticket(applied, now, out)
            self._complete(
                live,
                ContactOutcome.ANSWERED,
                now,
                out,
                resolved=_RESOLVED.get(disposition, False),
                notes=notes,
            )
            if self.router.agent(live.agent).state is AgentState.WRAP_UP:
                self._absorb_router(self.router.set_ready(live.agent, now=now), out)
            return self._finish(now, out)
