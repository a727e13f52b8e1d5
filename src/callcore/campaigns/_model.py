"""What a campaign is made of: its contacts, dialing mode, calling windows and retry rules.

The defaults follow the rules a centre dialing consumers must keep (see
``docs/campaigns/index.md``):

- calling windows: the US Telemarketing Sales Rule, 16 CFR 310.4(c), allows
  calls to a person's home only from 8 a.m. to 9 p.m. *local time at the called
  person's location*, so a window is read on the contact's own clock (its IANA
  zone), never the centre's;
- abandoned calls: at most 3 % of live answers (16 CFR 310.4(b)(4)(i) over 30
  days per campaign; Ofcom's persistent-misuse statement over 24 hours per
  campaign); an abandoned call gets an information message, and Ofcom expects
  no repeat call to that number within 72 hours unless an agent is sure to be
  there, hence the 72-hour retry delay after an abandon.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from datetime import time, timedelta
from types import MappingProxyType
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import attrs

from callcore.calendar import BusinessCalendar, OpeningRange, WeeklyHours
from callcore.checks import (
    check_count,
    check_duration,
    check_number,
    check_plain_data,
    check_text,
    validator,
)
from callcore.contacts import Skills, check_priority, check_skills
from callcore.errors import InvalidInputError

__all__ = [
    "DEFAULT_WINDOWS",
    "TSR_WINDOW",
    "CallResult",
    "CampaignContact",
    "CampaignSettings",
    "DialingMode",
    "Disposition",
    "RetryPolicy",
    "check_zone",
]


class DialingMode(enum.Enum):
    """How the campaign places its calls."""

    PREVIEW = "preview"
    """An agent sees the contact's record first and starts the call."""
    PROGRESSIVE = "progressive"
    """One line per free agent: a live answer always finds one."""
    PREDICTIVE = "predictive"
    """More lines than free agents, paced against the abandon limit."""
    AGENTLESS = "agentless"
    """A flow or a message plays to the answered call; no agent."""


class CallResult(enum.Enum):
    """What the telephony provider says became of a dialed call."""

    LIVE_ANSWER = "live_answer"
    """A person answered."""
    NO_ANSWER = "no_answer"
    """It rang out."""
    BUSY = "busy"
    """The line was busy."""
    MACHINE = "machine"
    """An answering machine or voicemail answered (the provider's detection)."""
    NETWORK_FAILURE = "network_failure"
    """The network could not place the call (congestion, unreachable)."""


RETRYABLE = (CallResult.NO_ANSWER, CallResult.BUSY, CallResult.MACHINE, CallResult.NETWORK_FAILURE)


class Disposition(enum.Enum):
    """How a contact of the campaign ended: its final, one-per-contact outcome."""

    CONVERTED = "converted"
    """The right party was reached and the campaign's goal met (a sale, a payment)."""
    CONTACTED = "contacted"
    """The right party was reached; the goal was not met."""
    WRONG_PARTY = "wrong_party"
    """Someone answered who was not the person the campaign wanted."""
    DO_NOT_CALL = "do_not_call"
    """The person asked not to be called again."""
    SUPPRESSED = "suppressed"
    """The number is on a do-not-call list: it was never dialed (again)."""
    MAX_ATTEMPTS = "max_attempts"
    """The attempts allowed were used up without reaching anyone."""
    MESSAGE_DELIVERED = "message_delivered"
    """Agentless: the flow or message played to a person."""
    CANCELLED = "cancelled"
    """The campaign was stopped before the contact was finished."""


# --- the contact ----------------------------------------------------------------------


def check_zone(value: object, what: str) -> str:
    """Return ``value`` if it is a known IANA time zone key (``"America/New_York"``).

    Raises:
        InvalidInputError: naming ``what``.
    """
    check_text(value, what, max_length=255)
    assert isinstance(value, str)  # noqa: S101 - checked just above, for mypy
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        raise InvalidInputError(
            f"{what} must be an IANA time zone key such as 'Europe/London', got {value!r:.60}",
            field=what,
        ) from None
    return value


def _country(value: object, what: str) -> str:
    text = check_text(value, what, max_length=2)
    if not (len(text) == 2 and text.isascii() and text.isalpha() and text.isupper()):
        raise InvalidInputError(
            f"{what} must be an ISO 3166-1 alpha-2 code such as 'US' or 'GB', got {text!r}",
            field=what,
        )
    return text


def _frozen_data(value: Mapping[str, Any]) -> Mapping[str, Any]:
    check_plain_data(value, "attributes")
    if not isinstance(value, Mapping):
        raise InvalidInputError("attributes must be a mapping", field="attributes")
    return MappingProxyType(dict(value))


@attrs.frozen(kw_only=True)
class CampaignContact:
    """One person the campaign calls.

    Attributes:
        id: The contact's id in the campaign (a CRM or list row id).
        number: The number to dial (E.164 is advised; compared as written for
            suppression, so write both the same way).
        zone: The IANA time zone where the person is (``"America/Denver"``): the
            calling window is read on this clock.
        country: The ISO 3166-1 alpha-2 country whose rules apply (``"US"``).
        attributes: Plain data shown to the agent and handed to the flow
            (name, balance, offer).
    """

    id: str = attrs.field(validator=validator(check_text, max_length=256))
    number: str = attrs.field(validator=validator(check_text, max_length=64))
    zone: str = attrs.field(validator=validator(check_zone))
    country: str = attrs.field(validator=validator(_country))
    attributes: Mapping[str, Any] = attrs.field(factory=dict, converter=_frozen_data, hash=False)


# --- calling windows ------------------------------------------------------------------

TSR_WINDOW = WeeklyHours.every_day(OpeningRange(time(8), time(21)))
"""8 a.m. to 9 p.m. every day, the called person's local time (16 CFR 310.4(c))."""

DEFAULT_WINDOWS: Mapping[str, WeeklyHours] = MappingProxyType({"US": TSR_WINDOW, "GB": TSR_WINDOW})
"""The calling windows used when a campaign names none for a country.

The US window is the Telemarketing Sales Rule's. Ofcom's persistent-misuse
statement sets no calling hours for the UK; callcore uses the same 8 a.m. to
9 p.m. there as a conservative default that a host should review. A country
that is not listed uses :attr:`CampaignSettings.default_window`.
"""


def _windows(value: Mapping[str, WeeklyHours]) -> Mapping[str, WeeklyHours]:
    if not isinstance(value, Mapping):
        raise InvalidInputError("windows must map country codes to WeeklyHours", field="windows")
    for country, hours in value.items():
        _country(country, "windows")
        if not isinstance(hours, WeeklyHours):
            raise InvalidInputError(
                f"windows.{country} must be a WeeklyHours", field=f"windows.{country}"
            )
    return MappingProxyType(dict(value))


# --- retries --------------------------------------------------------------------------

_DEFAULT_DELAYS: Mapping[str, timedelta] = MappingProxyType(
    {
        CallResult.NO_ANSWER.value: timedelta(hours=4),
        CallResult.BUSY.value: timedelta(minutes=15),
        CallResult.MACHINE.value: timedelta(hours=8),
        CallResult.NETWORK_FAILURE.value: timedelta(minutes=5),
    }
)

MAX_ATTEMPTS_LIMIT = 100
"""The most attempts a retry policy may allow per contact."""


def _delays(value: Mapping[str, timedelta]) -> Mapping[str, timedelta]:
    if not isinstance(value, Mapping):
        raise InvalidInputError("delays must map call results to durations", field="delays")
    known = {result.value for result in RETRYABLE}
    for key, delay in value.items():
        if key not in known:
            raise InvalidInputError(
                f"delays has an unknown call result {key!r:.60}; use {sorted(known)}",
                field="delays",
            )
        check_duration(delay, f"delays.{key}", maximum=timedelta(days=366))
    return MappingProxyType({**_DEFAULT_DELAYS, **value})


@attrs.frozen(kw_only=True)
class RetryPolicy:
    """How soon a contact is tried again, by what became of the last attempt.

    Attributes:
        max_attempts: The most dialed attempts per contact (1 to 100); customer
            callbacks are not counted against it, the customer asked for them.
        delays: The wait before the next attempt after each retryable result,
            keyed by :class:`CallResult` value (``"no_answer"``, ``"busy"``,
            ``"machine"``, ``"network_failure"``); missing ones keep the
            defaults (4 h, 15 min, 8 h, 5 min).
        after_abandon: The wait after a live answer was abandoned; 72 hours by
            default, Ofcom's period without a repeat call.
    """

    max_attempts: int = attrs.field(
        default=3, validator=validator(check_count, low=1, high=MAX_ATTEMPTS_LIMIT)
    )
    delays: Mapping[str, timedelta] = attrs.field(factory=dict, converter=_delays, hash=False)
    after_abandon: timedelta = attrs.field(
        default=timedelta(hours=72),
        validator=validator(check_duration, maximum=timedelta(days=366)),
    )

    def delay(self, result: CallResult) -> timedelta:
        """The wait before the next attempt after ``result`` (a retryable one)."""
        return self.delays[result.value]


# --- the campaign's settings ----------------------------------------------------------


def _frozen_skills(value: object) -> Skills:
    return MappingProxyType(dict(check_skills(value, "skills")))


@attrs.frozen(kw_only=True)
class CampaignSettings:
    """What a campaign is and how it dials.

    Attributes:
        name: The campaign's name.
        mode: The dialing mode.
        queue: The queue answered calls wait in for an agent (preview,
            progressive and predictive): the campaign's queue in the router.
        skills: Skills an agent needs for the campaign's calls.
        priority: The calls' priority in the queue.
        flow: Agentless: the IVR flow (or message) to run on a live answer.
        retry: The retry policy.
        windows: Calling windows by country (ISO code), read on each contact's
            own clock; countries not named use :data:`DEFAULT_WINDOWS`, then
            ``default_window``.
        default_window: The window of a country named nowhere else.
        abandon_after: How long a live answer may wait for an agent before it
            is abandoned and gets the information message (16 CFR
            310.4(b)(4)(iii): within two seconds of the greeting).
        information_message: The prompt played to an abandoned call (it must
            name the seller and give a number to call back).
        abandon_target: The highest abandon rate, [0, 1) (3 %).
        abandon_window: The rolling window the rate is counted over (Ofcom:
            24 hours; the US rule counts 30 days).
        answer_rate: Predictive: the share of dials a person answers, used
            until 20 attempts have ended and the campaign's own rate is used.
        aht: Predictive: the expected handle time of a connected call.
        connect_delay: Predictive: from dialing to a person answering.
        pacing_horizon: Predictive: how far ahead the rolling windows a
            decision will belong to are protected
            (:meth:`callcore.wfm.RollingAbandonWindow.pacing_counts`). ``None``
            (the default) protects the whole window, a hard promise that
            leaves no room to dial more lines than free agents (predictive
            then paces like progressive); a shorter horizon lets it over-dial,
            counting on later answers to dilute the later windows, a risk the
            host takes knowingly.
        max_lines: The most calls in progress at once (trunks, or the
            agentless mode's lines), 1 to 10,000.
    """

    name: str = attrs.field(validator=validator(check_text, max_length=256))
    mode: DialingMode = attrs.field()
    queue: str = attrs.field(default="", validator=validator(check_text, allow_empty=True))
    skills: Skills = attrs.field(factory=dict, converter=_frozen_skills, hash=False)
    priority: int = attrs.field(default=0, validator=validator(check_priority))
    flow: str = attrs.field(default="", validator=validator(check_text, allow_empty=True))
    retry: RetryPolicy = attrs.field(factory=RetryPolicy)
    windows: Mapping[str, WeeklyHours] = attrs.field(factory=dict, converter=_windows, hash=False)
    default_window: WeeklyHours = attrs.field(default=TSR_WINDOW)
    abandon_after: timedelta = attrs.field(
        default=timedelta(seconds=2),
        validator=validator(check_duration, maximum=timedelta(minutes=10)),
    )
    information_message: str = attrs.field(
        default="campaign_information", validator=validator(check_text)
    )
    abandon_target: float = attrs.field(
        default=0.03, validator=validator(check_number, low=0, high=1, high_open=True)
    )
    abandon_window: timedelta = attrs.field(
        default=timedelta(hours=24),
        validator=validator(check_duration, positive=True, maximum=timedelta(days=366)),
    )
    answer_rate: float = attrs.field(
        default=0.3, validator=validator(check_number, low=0, high=1, low_open=True)
    )
    aht: timedelta = attrs.field(
        default=timedelta(minutes=5),
        validator=validator(check_duration, positive=True, maximum=timedelta(days=1)),
    )
    connect_delay: timedelta = attrs.field(
        default=timedelta(seconds=15),
        validator=validator(check_duration, maximum=timedelta(hours=1)),
    )
    pacing_horizon: timedelta | None = attrs.field(
        default=None,
        validator=attrs.validators.optional(validator(check_duration, positive=True)),
    )
    max_lines: int = attrs.field(default=100, validator=validator(check_count, low=1, high=10_000))

    def __attrs_post_init__(self) -> None:
        """Refuse a mode without what it needs: a queue, or agentless a flow."""
        if not isinstance(self.mode, DialingMode):
            raise InvalidInputError("mode must be a DialingMode", field="mode")
        if not isinstance(self.retry, RetryPolicy):
            raise InvalidInputError("retry must be a RetryPolicy", field="retry")
        if not isinstance(self.default_window, WeeklyHours):
            raise InvalidInputError("default_window must be a WeeklyHours", field="default_window")
        if self.pacing_horizon is not None and self.pacing_horizon > self.abandon_window:
            raise InvalidInputError(
                "pacing_horizon must not be longer than abandon_window", field="pacing_horizon"
            )
        if self.mode is DialingMode.AGENTLESS:
            if not self.flow:
                raise InvalidInputError("an agentless campaign needs a flow", field="flow")
        elif not self.queue:
            raise InvalidInputError(
                f"a {self.mode.value} campaign needs the queue its calls wait in", field="queue"
            )

    def window_for(self, country: str) -> WeeklyHours:
        """The calling window of ``country``: the campaign's, the default table's or the default."""
        if country in self.windows:
            return self.windows[country]
        return DEFAULT_WINDOWS.get(country, self.default_window)

    def calendar_for(self, country: str, zone: str) -> BusinessCalendar:
        """The calling window of ``country`` on the clock of ``zone``, as a calendar."""
        return BusinessCalendar(f"{self.name}:{country}", ZoneInfo(zone), self.window_for(country))
