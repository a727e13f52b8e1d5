"""Messages that a host sends on callcore's behalf: email, SMS, web hooks, calls.

Engines produce :class:`Notification` values as effects (a survey request, an
escalation alert); the shell hands them to the ``callcore_notify`` hook, whose
implementations deliver them.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from types import MappingProxyType

import attrs

from callcore.checks import check_enum, check_plain_data, check_text, validator
from callcore.errors import InvalidInputError

__all__ = ["Notification", "NotificationChannel"]


class NotificationChannel(enum.Enum):
    """How a notification reaches its recipient."""

    EMAIL = "email"
    SMS = "sms"
    WEBHOOK = "webhook"
    CALL = "call"
    """An automated outbound call (for example a voice survey)."""
    IN_APP = "in_app"
    """A message in the agents' or supervisors' own application."""


def _frozen_mapping(value: Mapping[str, object]) -> Mapping[str, object]:
    if not isinstance(value, Mapping):
        raise InvalidInputError(f"data must be a mapping, got {type(value).__name__}", field="data")
    check_plain_data(value, "data")
    return MappingProxyType(dict(value))


@attrs.frozen(kw_only=True)
class Notification:
    """A message to send.

    Attributes:
        channel: How to send it.
        to: The recipient: an address, a number, a URL or a user id, as the
            channel expects.
        subject: A short title (the email subject; ignored by SMS).
        body: The text of the message.
        template: The name of the template it was made from, if any, so that a
            host can render its own version.
        data: Extra values for the host (ticket id, survey link...): plain
            data (see :func:`callcore.checks.check_plain_data`).

    Raises:
        InvalidInputError: a field has the wrong type or value, naming it.
    """

    channel: NotificationChannel = attrs.field(
        validator=validator(check_enum, enum_type=NotificationChannel)
    )
    to: str = attrs.field(validator=validator(check_text))
    subject: str = attrs.field(default="", validator=validator(check_text, allow_empty=True))
    body: str = attrs.field(default="", validator=validator(check_text, allow_empty=True))
    template: str | None = attrs.field(
        default=None, validator=attrs.validators.optional(validator(check_text))
    )
    data: Mapping[str, object] = attrs.field(factory=dict, converter=_frozen_mapping, hash=False)
