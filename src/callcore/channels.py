"""The media a contact arrives on, shared by every engine.

Voice is the main channel; email, chat, SMS and social contacts flow through the
same queues, tickets and KPIs, so every engine names channels with these enums.
"""

from __future__ import annotations

import enum

__all__ = ["Channel", "Direction"]


class Channel(enum.Enum):
    """The medium of a contact."""

    VOICE = "voice"
    EMAIL = "email"
    CHAT = "chat"
    SMS = "sms"
    SOCIAL = "social"
    VIDEO = "video"


class Direction(enum.Enum):
    """Who started the contact."""

    INBOUND = "inbound"
    OUTBOUND = "outbound"
