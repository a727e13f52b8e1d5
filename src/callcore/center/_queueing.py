"""Queueing, offers and agents' states: the router's side of the centre."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

from callcore.acd import (
    AgentProfile,
    ContactAbandoned,
    ContactOffered,
    ContactOverflowed,
    ContactQueued,
    ContactRejected,
    DeclineReason,
    NotReadyReason,
    Offer,
    OverflowAction,
    RouterUpdate,
)
from callcore.center._actions import Disconnect, RingAgent, StopRinging
from callcore.center._contact import LiveContact, Phase
from callcore.center._core import CenterUpdate, _Out
from callcore.center._records import _Records
from callcore.contacts import ContactOutcome
from callcore.errors import NotFoundError
from callcore.events import Event
from callcore.ivr import EnqueueContact


class _Queueing(_Records):
    """Queue contacts, ring agents with the router's offers, follow the router's events."""

    def _enqueue(
        self,
        live: LiveContact,
        request: EnqueueContact | str,
        now: datetime,
        out: _Out,
        *,
        priority: int = 0,
        skills: Mapping[str, int] | None = None,
        language: str = "",
    ) -> None:
        live.phase = Phase.QUEUED
        live.queued_at = now
        live.first_queued_at = live.first_queued_at or now
        if isinstance(request, str):
            live.queue = request
            update = self.router.enqueue(
                live.contact_id,
                request,
                now=now,
                priority=priority,
                skills=skills,
                language=language,
            )
        else:
            live.queue = request.queue
            update = self.router.enqueue(live.contact_id, request, now=now)
        self._absorb_router(update, out)

    def _catch_up(self, now: datetime, out: _Out) -> None:
        """Run the router's timers due by ``now``, before an input's first effect.

        The router's later calls at ``now`` then run no timer, so they cannot
        refuse after the input's effects (a timer that changed what they
        check, or too many timers to run); this call refuses changing nothing.
        """
        self._absorb_router(self.router.tick(now=now), out)

    def _absorb_router(
        self, update: RouterUpdate, out: _Out, *, silent: Offer | None = None
    ) -> None:
        """Turn the router's offers into ring and stop actions; follow its contacts.

        The ``silent`` offer rings nobody: a warm transfer's colleague is on
        the line already and takes the contact at once.
        """
        out.events.extend(update.events)
        for offer in update.ended_offers:
            out.actions.append(StopRinging(offer))
        for offer in update.offers:
            if offer != silent:
                live = self._contacts.get(offer.contact_id)
                shown = dict(live.variables) if live is not None else {}
                out.actions.append(RingAgent(offer, variables=shown))
        for event in update.events:
            self._follow(event, out)

    def _follow(self, event: Event, out: _Out) -> None:
        """Keep a contact's live state in step with one router event (timers' too)."""
        if isinstance(event, ContactOffered):
            live = self._contacts.get(event.offer.contact_id)
            if live is not None:
                live.offered_at = live.offered_at or event.at
                live.first_offered_at = live.first_offered_at or event.at
                live.agent = event.offer.agent_id
            return
        contact_id = getattr(event, "contact_id", None)
        live = self._contacts.get(contact_id) if isinstance(contact_id, str) else None
        if live is None:
            return
        if isinstance(event, ContactQueued):
            live.queue = event.queue
        elif isinstance(event, ContactAbandoned):
            self._complete(live, ContactOutcome.ABANDONED, event.at, out)
        elif isinstance(event, ContactRejected):
            out.actions.append(Disconnect(live.contact_id, "rejected"))
            self._complete(live, ContactOutcome.REJECTED, event.at, out)
        elif isinstance(event, ContactOverflowed) and event.action is OverflowAction.VOICEMAIL:
            out.actions.append(Disconnect(live.contact_id, "voicemail"))
            self._complete(live, ContactOutcome.VOICEMAIL, event.at, out)

    def caller_requested_callback(
        self, contact_id: str, *, now: datetime | None = None
    ) -> CenterUpdate:
        """A waiting caller asked to be called back: the request keeps its place in line.

        The caller may then hang up (:meth:`caller_hung_up` leaves the request
        in line); the agent who accepts the offer calls back.

        Raises:
            NotFoundError: No such contact.
            InvalidTransitionError: It is not waiting, or already a callback.
        """
        with self._lock:
            now = self._time(now)
            live = self._in_phase(contact_id, Phase.QUEUED, "request a callback")
            return self._router_input(self.router.request_callback(live.contact_id, now=now), now)

    # --- agents ------------------------------------------------------------------------------

    def agent_logged_in(
        self, profile: AgentProfile | str, *, ready: bool = True, now: datetime | None = None
    ) -> CenterUpdate:
        """An agent logged in (ready at once unless ``ready`` is false); offers may follow.

        Args:
            profile: The agent's profile, or the id of one the centre was given.
            ready: Available at once.
            now: When (default: the clock's time).

        Raises:
            NotFoundError: An id the centre has no profile for.
            InvalidTransitionError: The agent is logged in already.
        """
        with self._lock:
            now = self._time(now)
            if isinstance(profile, str):
                known = self.agents.get(profile)
                if known is None:
                    raise NotFoundError("agent profile", profile)
                profile = known
            return self._router_input(self.router.log_in(profile, now=now, ready=ready), now)

    def agent_logged_out(self, agent_id: str, *, now: datetime | None = None) -> CenterUpdate:
        """An agent logged out; its ringing offers are withdrawn."""
        with self._lock:
            now = self._time(now)
            return self._router_input(self.router.log_out(agent_id, now=now), now)

    def agent_ready(self, agent_id: str, *, now: datetime | None = None) -> CenterUpdate:
        """An agent is ready for contacts (ends a break, or wrap-up early)."""
        with self._lock:
            now = self._time(now)
            return self._router_input(self.router.set_ready(agent_id, now=now), now)

    def agent_not_ready(
        self,
        agent_id: str,
        reason: NotReadyReason = NotReadyReason.OTHER,
        *,
        now: datetime | None = None,
    ) -> CenterUpdate:
        """An agent takes no new contact for a while (break, lunch, training...)."""
        with self._lock:
            now = self._time(now)
            return self._router_input(self.router.set_not_ready(agent_id, reason, now=now), now)

    def agent_declined(
        self,
        contact_id: str,
        agent_id: str,
        *,
        reason: DeclineReason = DeclineReason.REJECTED,
        now: datetime | None = None,
    ) -> CenterUpdate:
        """An agent turned the offer down (or its phone was busy); the contact goes on."""
        with self._lock:
            now = self._time(now)
            return self._router_input(
                self.router.decline(contact_id, agent_id, now=now, reason=reason), now
            )

    def agent_no_answer(
        self, contact_id: str, agent_id: str, *, now: datetime | None = None
    ) -> CenterUpdate:
        """The agent's phone rang out before the offer expired (RONA)."""
        with self._lock:
            now = self._time(now)
            return self._router_input(self.router.time_out(contact_id, agent_id, now=now), now)

    def _router_input(self, update: RouterUpdate, now: datetime) -> CenterUpdate:
        out = _Out()
        self._absorb_router(update, out)
        return self._finish(now, out)
