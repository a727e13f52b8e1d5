"""Scenarios that read like the call flow they test, on a centre and its fake telephony.

>>> # scenario = Scenario(center, telephony)
>>> # call = scenario.call("+40 721 234 567").press("2").accepted_by("a1").ends()
>>> # call.resolves("explained the invoice").expect("center.contact_completed")

Each step is one input to the centre; the scenario keeps every update, so a
test asserts on the events of the last step (:meth:`ContactScenario.expect`)
or of them all (:attr:`ContactScenario.kinds`).
"""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING

from callcore.center import CenterUpdate, ContactCompleted, Disposition
from callcore.clock import ManualClock
from callcore.errors import ConfigError

if TYPE_CHECKING:
    from callcore.center import ContactCenter
    from callcore.kpi import InteractionRecord
    from callcore.testing.fakes import FakeTelephony

__all__ = ["ContactScenario", "Scenario"]


class Scenario:
    """Start contacts on a centre driven through a :class:`~callcore.testing.fakes.FakeTelephony`.

    Args:
        center: The centre.
        telephony: Its fake telephony (attached to the centre).
        dialled: The number callers dial by default.
    """

    def __init__(self, center: ContactCenter, telephony: FakeTelephony, dialled: str = "*") -> None:
        """Drive ``center`` through ``telephony``."""
        self.center = center
        self.telephony = telephony.attach(center)
        self.dialled = dialled
        self._count = 0

    def call(
        self, caller: str, *, dialled: str | None = None, contact_id: str | None = None
    ) -> ContactScenario:
        """A call from ``caller`` rings in."""
        self._count += 1
        contact_id = contact_id or f"call-{self._count}"
        update = self.center.inbound_call(
            caller=caller, dialled=dialled or self.dialled, contact_id=contact_id
        )
        return ContactScenario(self, contact_id, [update])

    def wait(self, seconds: float) -> CenterUpdate:
        """Let ``seconds`` pass on the centre's manual clock, then run what fell due."""
        clock = self.center.clock
        if not isinstance(clock, ManualClock):
            raise ConfigError("Scenario.wait needs a centre with a ManualClock")
        clock.advance(timedelta(seconds=seconds))
        return self.center.run_due()


class ContactScenario:
    """One contact's steps; every method is one input and returns the scenario, to chain."""

    def __init__(self, scenario: Scenario, contact_id: str, updates: list[CenterUpdate]) -> None:
        """Follow ``contact_id``."""
        self.scenario = scenario
        self.contact_id = contact_id
        self.updates = updates
        self.agent: str | None = None

    def _step(self, update: CenterUpdate) -> ContactScenario:
        self.updates.append(update)
        return self

    @property
    def last(self) -> CenterUpdate:
        """The last step's update."""
        return self.updates[-1]

    @property
    def kinds(self) -> tuple[str, ...]:
        """The kinds of every event of every step, in order."""
        return tuple(kind for update in self.updates for kind in update.kinds())

    def expect(self, *kinds: str) -> ContactScenario:
        """Assert that the last step's events include ``kinds``, in this order.

        Raises:
            AssertionError: naming the kinds the step had.
        """
        had = iter(self.last.kinds())
        missing = [kind for kind in kinds if not any(kind == seen for seen in had)]
        if missing:
            msg = f"expected {list(kinds)} in order; the step had {list(self.last.kinds())}"
            raise AssertionError(msg)
        return self

    @property
    def completed(self) -> ContactCompleted:
        """The contact's ``center.contact_completed``, once it is complete.

        Raises:
            AssertionError: The contact has not completed.
        """
        for update in reversed(self.updates):
            for completed in update.of_type(ContactCompleted):
                if completed.contact_id == self.contact_id:
                    found: ContactCompleted = completed
                    return found
        msg = f"contact {self.contact_id!r} has not completed"
        raise AssertionError(msg)

    @property
    def record(self) -> InteractionRecord:
        """The contact's KPI record (its first leg's), once it is complete.

        Raises:
            AssertionError: The contact has not completed.
        """
        return self.completed.record

    @property
    def legs(self) -> tuple[InteractionRecord, ...]:
        """Every leg's KPI record, the first first, once the contact is complete.

        Raises:
            AssertionError: The contact has not completed.
        """
        return self.completed.legs

    def wait(self, seconds: float) -> ContactScenario:
        """Let time pass (the centre's timers run)."""
        return self._step(self.scenario.wait(seconds))

    def press(self, digits: str) -> ContactScenario:
        """The caller presses keys."""
        return self._step(self.scenario.telephony.press(self.contact_id, digits))

    def says(self, text: str) -> ContactScenario:
        """The caller speaks."""
        return self._step(self.scenario.telephony.say(self.contact_id, text))

    def hangs_up(self) -> ContactScenario:
        """The caller hangs up."""
        return self._step(self.scenario.telephony.hang_up(self.contact_id))

    def asks_for_callback(self) -> ContactScenario:
        """The waiting caller asks to be called back."""
        return self._step(self.scenario.center.caller_requested_callback(self.contact_id))

    def accepted_by(self, agent_id: str) -> ContactScenario:
        """The agent accepts the offer."""
        self.agent = agent_id
        return self._step(self.scenario.telephony.answer(self.contact_id, agent_id))

    def holds(self) -> ContactScenario:
        """The agent puts the caller on hold."""
        return self._step(self.scenario.center.agent_held(self.contact_id))

    def resumes(self) -> ContactScenario:
        """The agent takes the caller off hold."""
        return self._step(self.scenario.center.agent_resumed(self.contact_id))

    def consults(self, target: str) -> ContactScenario:
        """The agent consults a colleague (the caller holds)."""
        return self._step(self.scenario.center.agent_consulted(self.contact_id, target))

    def conferences(self, target: str) -> ContactScenario:
        """The agent brings a colleague into the call."""
        return self._step(self.scenario.center.agent_conferenced(self.contact_id, target))

    def transferred_to(
        self, queue: str | None = None, *, agent: str | None = None
    ) -> ContactScenario:
        """The agent transfers the contact to ``queue`` or to ``agent`` (warm after a consult)."""
        return self._step(
            self.scenario.center.agent_transferred(self.contact_id, queue=queue, agent=agent)
        )

    def ends(self) -> ContactScenario:
        """The agent ends the contact."""
        return self._step(self.scenario.center.agent_ended(self.contact_id))

    def wraps_up(self, disposition: Disposition, notes: str = "") -> ContactScenario:
        """The agent wraps up with ``disposition``."""
        return self._step(
            self.scenario.center.agent_wrapped_up(
                self.contact_id, disposition=disposition, notes=notes
            )
        )

    def resolves(self, notes: str) -> ContactScenario:
        """The agent wraps up: resolved."""
        return self.wraps_up(Disposition.RESOLVED, notes)

    def closes(self, notes: str = "") -> ContactScenario:
        """The agent wraps up: closed (the survey goes out)."""
        return self.wraps_up(Disposition.CLOSED, notes)
