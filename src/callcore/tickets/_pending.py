"""Pending timeouts: remind a silent customer, then resolve or close the ticket.

A ticket waiting on the customer should not wait for ever. Zammad closes a
ticket left in *pending close* at its pending time; Zendesk's automations
remind the requester and then solve or close a ticket that stayed pending
some (business) hours. A :class:`PendingTimeout` says the same as data: in a
state, after so much time without a reply (counted from entering it, in
business time on a calendar or in elapsed time), send a reminder; after
more, apply a transition as the system.
"""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING

import attrs

from callcore.errors import Problem
from callcore.notifications import NotificationChannel
from callcore.tickets._checks import (
    duration_field,
    enum_field,
    optional_text_field,
    text_field,
)

if TYPE_CHECKING:
    from collections.abc import Iterator, Mapping, Sequence

    from callcore.tickets._workflow import Workflow

__all__ = ["PendingTimeout", "validate_pending_timeouts"]


@attrs.frozen
class PendingTimeout:
    """What happens to a ticket that stays in a waiting state without a reply.

    Attributes:
        state: The state (``"pending"``).
        after: How long after entering it the :attr:`transition` is applied
            by the system, counted like SLA targets: business time on
            :attr:`calendar`, or elapsed time without one (so two business
            days on a 9-to-5 calendar are ``timedelta(hours=16)``).
        transition: The transition to apply (``"resolve"``, ``"close"``).
        remind_after: When to remind the customer, counted the same way
            (``None``: no reminder); before :attr:`after`.
        calendar: The name of the engine's calendar to count on; ``None``
            counts elapsed time.
        channel: How the reminder is sent.
    """

    state: str = attrs.field(validator=text_field())
    after: timedelta = attrs.field(validator=duration_field())
    transition: str = attrs.field(validator=text_field())
    remind_after: timedelta | None = attrs.field(
        default=None, validator=duration_field(optional=True)
    )
    calendar: str | None = attrs.field(default=None, validator=optional_text_field)
    channel: NotificationChannel = attrs.field(
        default=NotificationChannel.EMAIL, validator=enum_field(NotificationChannel)
    )


def validate_pending_timeouts(
    timeouts: Sequence[object],
    calendars: Mapping[str, object],
    workflows: Mapping[str, Workflow] | None,
) -> Iterator[Problem]:
    """Find problems in pending timeouts (states and transitions only with ``workflows``).

    Yields:
        Problems with paths such as ``pending_timeouts[0].transition``.
    """
    states: set[str] = set()
    for index, timeout in enumerate(timeouts):
        if not isinstance(timeout, PendingTimeout):
            continue
        path = f"pending_timeouts[{index}]"
        if timeout.state in states:
            yield Problem(f"{path}.state", f"a second timeout for state {timeout.state!r}")
        states.add(timeout.state)
        if timeout.after <= timedelta(0):
            yield Problem(f"{path}.after", "must be positive")
        if timeout.remind_after is not None and not timedelta(0) < timeout.remind_after < (
            timeout.after
        ):
            yield Problem(f"{path}.remind_after", "must be positive and shorter than after")
        if timeout.calendar is not None and timeout.calendar not in calendars:
            yield Problem(f"{path}.calendar", f"unknown calendar {timeout.calendar!r}")
        if workflows is None:
            continue
        flows = list(workflows.values())
        if not any(flow.has_state(timeout.state) for flow in flows):
            yield Problem(f"{path}.state", f"no workflow has a state {timeout.state!r}")
        if not any(flow.transition(timeout.state, timeout.transition) for flow in flows):
            yield Problem(
                f"{path}.transition",
                f"no workflow has a transition {timeout.transition!r} out of {timeout.state!r}",
            )
