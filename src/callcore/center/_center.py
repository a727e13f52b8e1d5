"""The contact centre: the engines joined into one system, behind plain method calls.

Theory of operation. A host tells the centre what happened (a call rang in,
the caller pressed keys, an agent accepted, the call ended, the agent wrapped
up), each as one method named for it. The centre checks the input fully, then
drives the engines in the order the contact's life takes them:

- arrival: :class:`~callcore.customers.CallerIdentifier` finds (or creates)
  the customer; a call starts the IVR flow of the number it dialled, a message
  opens or updates a ticket;
- IVR: the session's actions go to the telephony provider, its look-ups to
  the ``callcore_crm_lookup`` hook, its ``EnqueueContact`` to the router as it
  is;
- queue: the router's offers ring agents, its timers run from
  :meth:`ContactCenter.run_due`; a hang-up while waiting is an abandon;
- answer: the agent gets the screen pop; a voice contact's ticket is opened,
  a message's ticket is assigned;
- end and wrap-up: the disposition moves the ticket through its workflow
  (closing it sends the survey through ``callcore_notify``), the interaction
  goes into the customer's history and one KPI record per contact into the
  aggregator.

Each input returns one :class:`CenterUpdate`: every event in the order it
happened (the engines' own and the centre's) and every action for the host.
Before returning, the centre has broadcast the events to
``callcore_domain_event`` (and logged one line each to ``callcore.center``)
and handed the telephony actions to ``callcore_telephony``. A refused input
raises a :class:`~callcore.errors.CallcoreError` naming the field or the
state, and changes nothing: every check runs before the first engine moves.

One re-entrant lock serialises the inputs: the centre may be called from
several threads (a web server's workers, a timer thread).

Layout: :class:`ContactCenter` joins one class per concept, each in its own
module and each building on the ones before it: ``_core`` (state,
checkpoint, time, the end of every input, arrival), ``_records`` (tickets,
surveys, the contact's KPI record and history), ``_queueing`` (queues,
offers, agents' states), ``_handling`` (accept, hold, consult, conference,
end, wrap-up), ``_transfers`` (to a queue or an agent, blind or warm),
``_voice`` (calls and their IVR) and ``_messages``.
What needs more than one of them (a hang-up, wherever the contact is; the
timers of every engine) is here.
"""

from __future__ import annotations

from datetime import datetime

from callcore.center._callbacks import _Callbacks
from callcore.center._campaigns import _Campaigns
from callcore.center._contact import Phase
from callcore.center._core import CenterUpdate, _Out
from callcore.center._desk import _Desk
from callcore.center._disposition import DEFAULT_DISPOSITIONS, Disposition
from callcore.center._messages import _Messages
from callcore.center._selfservice import _SelfService
from callcore.center._shared import _SharedRouting
from callcore.center._transfers import _Transfers
from callcore.center._voice import _Voice
from callcore.errors import InvalidTransitionError
from callcore.ivr import CallerHangup

__all__ = ["DEFAULT_DISPOSITIONS", "CenterUpdate", "ContactCenter", "Disposition"]


class ContactCenter(
    _SharedRouting, _Callbacks, _SelfService, _Campaigns, _Voice, _Messages, _Transfers, _Desk
):
    """A whole contact centre: identification, IVR, ACD, tickets and KPIs, joined.

    Args:
        queues: The router's queues (with ``router``: omitted, or the
            router's own, as :func:`load_center` gives a document's).
        flows: The IVR flow of each dialled number (E.164 or as the provider
            gives it; ``"*"`` for every other number).
        subflows: Flows that subflow nodes call.
        message_queues: The queue of each non-voice channel
            (``{Channel.EMAIL: "email"}``), for messages sent without one.
        agents: Agent profiles the centre knows, so that an agent logs in by id.
        store: A store, or the URL of one (``"memory:"``,
            ``"sqlite:///path.db"``) opened through ``callcore_storage``.
        clock: Where ``now`` comes from when an input gives none
            (default: :class:`~callcore.clock.SystemClock`).
        plugins: Plugins to register (a telephony provider, a CRM look-up,
            notifiers, listeners); they take precedence over the built-ins.
        load_entrypoints: Also load plugins published under the ``callcore``
            entry-point group.
        default_country_code: The country calling code of national numbers.
        ticket_settings: Tiers, escalation rules, SLA policies, macros.
        dispositions: The ticket transition of each disposition (default:
            :data:`DEFAULT_DISPOSITIONS`, for the default workflow).
        aggregator: Where the KPI records are counted (default: a grand total).
        calendars: Business calendars by name, for the flows' hours nodes.
        id_factory: Makes ids of contacts (when the host gives none),
            customers, interactions and tickets.
        seed: The router's random seed.
        durable: Checkpoint the centre's state to the store after every
            input, and carry on from the store's checkpoint when there is one
            (a restart): waiting contacts keep their places, IVR sessions
            resume where they waited.
        message_bots: The bot that answers each message channel's new
            messages before the queue (``{Channel.CHAT: "faq"}``), through
            the ``callcore_bot`` hook.
        router: The router to run on (any :class:`RouterPort`), such as one
            shared by several hosts (:class:`SharedRouterPort`, see
            :doc:`/deployment`); default: a new in-process
            :class:`~callcore.acd.Router` of ``queues``.

    Raises:
        DocumentError: A flow names a queue the router does not have, or a
            channel's queue is unknown; every problem is listed.
        InvalidInputError: An argument has the wrong type (naming it).
        ConfigError: No plugin opens the store URL.
    """

    # --- a hang-up, wherever the contact is ------------------------------------------------------

    def caller_hung_up(self, contact_id: str, *, now: datetime | None = None) -> CenterUpdate:
        """The customer hung up (or left the chat), wherever the contact was.

        In the IVR the session ends as abandoned; waiting in a queue it is an
        abandon (a callback request keeps its place instead); connected, the
        contact ends and the agent's wrap-up begins.

        Raises:
            NotFoundError: No such contact.
            InvalidTransitionError: The contact has already ended (in wrap-up).
        """
        with self._lock:
            now = self._time(now)
            live = self._live(contact_id)
            out = _Out()
            if live.phase is Phase.IVR:
                assert live.session is not None  # noqa: S101
                self._absorb_ivr(live, live.session.handle(CallerHangup(), now=now), now, out)
            elif live.phase is Phase.QUEUED:
                if not self.router.contact(contact_id).callback:
                    self._absorb_router(self.router.abandon(contact_id, now=now), out)
            elif live.phase is Phase.CONNECTED:
                self._end_connected(live, now, out)
            elif live.phase is Phase.BOT:
                self._message_bot_left(live, now, out)
            else:
                raise InvalidTransitionError(
                    live.phase.value, "hang up", "the contact has ended; wrap it up"
                )
            return self._finish(now, out)

    # --- timers --------------------------------------------------------------------------------

    def next_deadline(self) -> datetime | None:
        """When :meth:`run_due` next has work: the earliest timer of every engine.

        The router's offer time-outs, wrap-up ends, escalations and overflows;
        each IVR session's call-time cap; each ticket's SLA warnings and
        breaches, follow-ups and auto-close. ``None`` when nothing is set.
        """
        with self._lock:
            times = (
                self.router.next_deadline(),
                self._ivr_due.earliest(),
                self._ticket_due.earliest(),
                self._bots_next_deadline(),
                self._campaigns_next_deadline(),
            )
            present = [time for time in times if time is not None]
            return min(present) if present else None

    def run_due(self, *, now: datetime | None = None) -> CenterUpdate:
        """Run every timer due at ``now``: IVR call caps, the router's, the tickets'.

        Call it at :meth:`next_deadline` (from a loop, a scheduler or the web
        framework's background task); before a deadline it does nothing.

        Raises:
            InvalidInputError: ``now`` is out of range or earlier than a time
                already seen.
        """
        with self._lock:
            now = self._time(now)
            out = _Out()
            self._catch_up(now, out)  # first: the only timer run that may refuse (too many)
            for contact_id in list(self._ivr_due.pop_due(now)):  # soonest first
                live = self._contacts[contact_id]  # a contact leaves the index as it leaves
                assert live.session is not None  # noqa: S101 - indexed while in the IVR
                self._absorb_ivr(live, live.session.tick(now=now), now, out)  # indexes it again
            self._run_bots_due(now, out)
            self._run_campaigns_due(now, out)
            for ticket_id in list(self._ticket_due.pop_due(now)):  # each ticket once per run
                ticket = self.store.get_ticket(ticket_id)
                if ticket is not None:  # deleted meanwhile (a customer erased): no timer left
                    self._keep_ticket(self.tickets.tick(ticket, now=now), now, out)
            return self._finish(now, out)
