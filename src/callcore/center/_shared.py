"""A centre on a router shared by several hosts: what rings here, and the other hosts' news.

Several host processes, each with its own centre, share one router
(:class:`~callcore.center.SharedRouterPort`, such as
:class:`callcore.storage.postgres_router.SharedRouter`). Each host keeps its
own calls (the call leg, the IVR session, the ticket work: the
:class:`~callcore.center.LiveContact`) and its own agents (those who logged in
through it); the router's owner decides every offer. So a host takes, of
every router update, the part that concerns it:

- the offers to ring and to stop ringing of the agents it serves;
- the events of the contacts it holds and of the agents it serves.

Its own inputs' updates come back as the input's result; the updates of the
other hosts' inputs and of the owner's timers arrive as *news*, which the
centre takes in at the start of its next input (a :meth:`run_due` when
nothing else comes: the host calls it when the router says news arrived).
A contact held here and answered by an agent of another host is connected
here, when the news of the answer arrives: the ticket, the
:class:`~callcore.center.Connect` (this host bridges the call) and the
:class:`~callcore.center.ScreenPop`.
"""

from __future__ import annotations

from datetime import datetime

from callcore.acd import ContactAnswered, Offer, RouterUpdate
from callcore.center._contact import Phase
from callcore.center._core import CenterUpdate, _Out
from callcore.center._handling import _Handling
from callcore.center._router_seam import RouterPort
from callcore.checks import check_text
from callcore.errors import InvalidTransitionError, NotFoundError
from callcore.events import Event

__all__: list[str] = []


class _SharedRouting(_Handling):
    """Filter router updates to this host and take in the news of the others."""

    def _time(self, now: datetime | None) -> datetime:
        """The input's time; on a shared router, first the news that arrived meanwhile."""
        now = super()._time(now)
        if self._shared is not None:
            self._input_now = now
            self._take_news(now, self._news)
        return now

    def _new_contact_id(self, contact_id: str | None) -> str:
        """A new contact's id, refused if another host's contact has it in the router."""
        contact_id = super()._new_contact_id(contact_id)
        if self._shared is not None and _holds(self.router, contact_id):
            raise InvalidTransitionError(
                "in the router",
                "arrive",
                f"contact {contact_id!r} is in the shared router already (another host's): "
                "contact ids must be unique across the hosts",
            )
        return contact_id

    def _take_news(self, now: datetime, out: _Out, through: int | None = None) -> None:
        """Absorb the news (through a log position) in log order, into ``out``."""
        assert self._shared is not None  # noqa: S101 - called on a shared router
        self._in_news = True
        try:
            for update in self._shared.take_news(through):
                self._absorb_router(update, out)
                for event in update.events:
                    if isinstance(event, ContactAnswered):
                        live = self._contacts.get(event.contact_id)
                        if live is not None and live.phase is Phase.QUEUED:
                            self._answered(live, event.agent_id, now, out)
        finally:
            self._in_news = False

    def _finish(self, now: datetime, out: _Out) -> CenterUpdate:
        """End the input; news taken in by it come first, as they happened first."""
        news = self._news
        if news.events or news.actions:
            self._news = _Out()
            news.events.extend(out.events)
            news.actions.extend(out.actions)
            out = news
        return super()._finish(now, out)

    def _absorb_router(
        self, update: RouterUpdate, out: _Out, *, silent: Offer | None = None
    ) -> None:
        """On a shared router, absorb only this host's part of the update.

        The input's own update comes after the news logged before its command
        (the follower may have read them a moment ago): those are taken in first.
        """
        if self._shared is not None:
            if not self._in_news and self._input_now is not None:
                through = self._shared.last_sent_position - 1
                self._take_news(self._input_now, out, through)
            update = self._this_hosts_part(update)
        super()._absorb_router(update, out, silent=silent)

    def _this_hosts_part(self, update: RouterUpdate) -> RouterUpdate:
        """The offers of the agents served here; the events of their contacts and agents."""
        assert self._shared is not None  # noqa: S101 - called on a shared router
        serves = self._shared.serves
        return RouterUpdate(
            offers=tuple(offer for offer in update.offers if serves(offer.agent_id)),
            ended_offers=tuple(offer for offer in update.ended_offers if serves(offer.agent_id)),
            events=tuple(event for event in update.events if self._concerns_host(event)),
        )

    def _concerns_host(self, event: Event) -> bool:
        assert self._shared is not None  # noqa: S101 - called on a shared router
        offer = getattr(event, "offer", None)
        source = offer if isinstance(offer, Offer) else event
        contact_id = getattr(source, "contact_id", None)
        agent_id = getattr(source, "agent_id", None)
        return contact_id in self._contacts or (
            isinstance(agent_id, str) and self._shared.serves(agent_id)
        )

    def agent_accepted(
        self, contact_id: str, agent_id: str, *, now: datetime | None = None
    ) -> CenterUpdate:
        """The agent answered the offer: connect, pop the screen, open the ticket.

        A voice contact's ticket is opened now, assigned to the agent; a
        message's ticket (opened on arrival) is assigned to the agent.

        On a shared router, an agent of this host may answer a contact that
        another host holds: the answer goes to the router's owner, and the
        host holding the contact connects it (ticket, ``Connect``, screen pop)
        when the news reaches it; here the update has the router's events.

        Returns:
            ``acd.contact_answered``, the ticket's changes, and the actions
            :class:`StopRinging` (other agents), :class:`Connect` and
            :class:`ScreenPop`.

        Raises:
            NotFoundError: No such contact or agent.
            InvalidTransitionError: No offer of this contact to this agent rings.
        """
        with self._lock:
            if self._shared is None or check_text(contact_id, "contact_id") in self._contacts:
                return super().agent_accepted(contact_id, agent_id, now=now)
            now = self._time(now)
            return self._router_input(self.router.accept(contact_id, agent_id, now=now), now)


def _holds(router: RouterPort, contact_id: str) -> bool:
    try:
        router.contact(contact_id)
    except NotFoundError:
        return False
    return True
