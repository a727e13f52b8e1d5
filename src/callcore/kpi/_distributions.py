"""Per-group distributions: percentiles, and service level at a threshold chosen when reading.

An :class:`~callcore.kpi.Aggregator` built with ``distributions=True`` keeps,
per group, one :class:`Distributions`: the percentiles of the wait, the time
to answer and the handle time, and the waits counted by whole second, so
that the service level can be read at any threshold of whole seconds up to
:data:`MAX_READ_THRESHOLD` (Amazon Connect takes the threshold in the query),
exactly, in each of the five variants.
"""

from __future__ import annotations

from datetime import timedelta

import attrs

from callcore.checks import check_count, check_duration, check_instance, validator
from callcore.contacts import ContactOutcome, Direction
from callcore.errors import InvalidInputError
from callcore.kpi._limits import MAX_TOTAL
from callcore.kpi._percentiles import Percentiles
from callcore.kpi._records import InteractionRecord
from callcore.kpi._service_level import ServiceLevelVariant, service_level

__all__ = ["MAX_READ_THRESHOLD", "Distributions", "check_read_threshold"]

MAX_READ_THRESHOLD = timedelta(hours=1)
"""The longest service-level threshold that can be chosen when reading."""

_SECOND_US = 1_000_000
_OVER = MAX_READ_THRESHOLD // timedelta(seconds=1) + 1  # every wait longer than the maximum
_US = timedelta(microseconds=1)
_INBOUND = Direction.INBOUND
_ANSWERED, _ABANDONED = ContactOutcome.ANSWERED, ContactOutcome.ABANDONED


def check_read_threshold(threshold: object) -> int:
    """Return a read-time threshold in whole seconds.

    Raises:
        InvalidInputError: ``threshold`` is not a ``timedelta`` of whole seconds
            from 0 to :data:`MAX_READ_THRESHOLD`; ``field`` is ``threshold``.
    """
    micros = check_duration(threshold, "threshold") // _US
    if micros % _SECOND_US or micros > MAX_READ_THRESHOLD // _US:
        raise InvalidInputError(
            f"threshold must be whole seconds from 0 to {MAX_READ_THRESHOLD}, got {threshold!r}",
            field="threshold",
        )
    return micros // _SECOND_US


def _second(micros: int) -> int:
    """The whole second a wait ends in: a wait is within T s iff its second is at most T."""
    return min(-(-micros // _SECOND_US), _OVER)


def _add_counts(mine: dict[int, int], other: dict[int, int]) -> None:
    for second, number in other.items():
        mine[second] = mine.get(second, 0) + number


_percentiles = validator(check_instance, cls=Percentiles)


@attrs.define(eq=False)
class Distributions:
    """The distributions of one group's records.

    Attributes:
        wait: Waits of inbound contacts answered or abandoned (queue to answer
            or hang-up), as the waits of the totals.
        answer: Waits of inbound contacts answered: the time to answer.
        handle: Handle times of handled records, both directions: talk, hold
            and after-call work.
    """

    wait: Percentiles = attrs.field(factory=Percentiles, validator=_percentiles)
    answer: Percentiles = attrs.field(factory=Percentiles, validator=_percentiles)
    handle: Percentiles = attrs.field(factory=Percentiles, validator=_percentiles)
    # Inbound waits by the whole second they end in (capped just above the maximum).
    _answered_by_second: dict[int, int] = attrs.field(init=False, factory=dict, repr=False)
    _abandoned_by_second: dict[int, int] = attrs.field(init=False, factory=dict, repr=False)

    def add(self, record: InteractionRecord) -> None:
        """Count one (valid) record's durations."""
        outcome = record.outcome
        if outcome is _ANSWERED:
            answered_at = record.answered_at
            assert answered_at is not None  # noqa: S101 - a valid answered record
            last = record.wrap_up_ended_at or record.ended_at
            self.handle.add_micros((last - answered_at) // _US)
            if record.direction is _INBOUND:
                wait = (answered_at - (record.queued_at or record.arrived_at)) // _US
                self.wait.add_micros(wait)
                self.answer.add_micros(wait)
                second = _second(wait)
                self._answered_by_second[second] = self._answered_by_second.get(second, 0) + 1
        elif outcome is _ABANDONED and record.direction is _INBOUND:
            wait = (record.ended_at - (record.queued_at or record.arrived_at)) // _US
            self.wait.add_micros(wait)
            second = _second(wait)
            self._abandoned_by_second[second] = self._abandoned_by_second.get(second, 0) + 1

    def merge(self, other: Distributions) -> None:
        """Add another group's distributions to these, as if counted here."""
        self.wait.merge(other.wait)
        self.answer.merge(other.answer)
        self.handle.merge(other.handle)
        _add_counts(self._answered_by_second, other._answered_by_second)
        _add_counts(self._abandoned_by_second, other._abandoned_by_second)

    def copy(self) -> Distributions:
        """Return an independent copy."""
        found = Distributions(self.wait.copy(), self.answer.copy(), self.handle.copy())
        found._answered_by_second = dict(self._answered_by_second)
        found._abandoned_by_second = dict(self._abandoned_by_second)
        return found

    def saved(self) -> dict[str, object]:
        """Return these distributions as plain data (see :meth:`from_saved`)."""
        return {
            "wait": self.wait.saved(),
            "answer": self.answer.saved(),
            "handle": self.handle.saved(),
            "answered_by_second": sorted(self._answered_by_second.items()),
            "abandoned_by_second": sorted(self._abandoned_by_second.items()),
        }

    @classmethod
    def from_saved(cls, data: object, what: str = "distributions") -> Distributions:
        """Rebuild distributions from :meth:`saved` data, checking every part and their agreement.

        Raises:
            InvalidInputError: A part is wrong, or the parts disagree (the
                waits by second do not count the answer and wait
                distributions' durations); ``field`` names the part.
        """
        names = {"wait", "answer", "handle", "answered_by_second", "abandoned_by_second"}
        if not isinstance(data, dict) or set(data) != names:
            raise InvalidInputError(f"must be a mapping of {sorted(names)}", field=what)
        found = cls(
            Percentiles.from_saved(data["wait"], f"{what}.wait"),
            Percentiles.from_saved(data["answer"], f"{what}.answer"),
            Percentiles.from_saved(data["handle"], f"{what}.handle"),
        )
        for name, counts in (
            ("answered_by_second", found._answered_by_second),
            ("abandoned_by_second", found._abandoned_by_second),
        ):
            pairs = data[name]
            if not isinstance(pairs, list):
                raise InvalidInputError("must be a list of [second, count]", field=f"{what}.{name}")
            previous = -1
            for number, pair in enumerate(pairs):
                path = f"{what}.{name}[{number}]"
                if not isinstance(pair, list | tuple) or len(pair) != 2:
                    raise InvalidInputError("must be [second, count]", field=path)
                second = check_count(pair[0], path, low=previous + 1, high=_OVER)
                counts[second] = check_count(pair[1], path, low=1, high=MAX_TOTAL)
                previous = second
        answered = sum(found._answered_by_second.values())
        abandoned = sum(found._abandoned_by_second.values())
        if found.answer.count != answered or found.wait.count != answered + abandoned:
            raise InvalidInputError(
                "the waits by second must count the answer and wait distributions' durations",
                field=what,
            )
        return found

    def within(self, threshold: timedelta) -> tuple[int, int, int, int]:
        """Return answered, answered within ``threshold``, abandoned, abandoned within it.

        Raises:
            InvalidInputError: ``threshold`` is not whole seconds from 0 to
                :data:`MAX_READ_THRESHOLD`.
        """
        seconds = check_read_threshold(threshold)
        answered = self._answered_by_second
        abandoned = self._abandoned_by_second
        return (
            sum(answered.values()),
            sum(number for second, number in answered.items() if second <= seconds),
            sum(abandoned.values()),
            sum(number for second, number in abandoned.items() if second <= seconds),
        )

    def service_levels(
        self, threshold: timedelta, *, short_abandoned: int
    ) -> dict[ServiceLevelVariant, float | None]:
        """Return the service level at ``threshold`` in each of the five variants.

        Args:
            threshold: Whole seconds from 0 to :data:`MAX_READ_THRESHOLD`.
            short_abandoned: The group's short abandons (from its totals: the
                short-abandon threshold is the aggregator's).

        Raises:
            InvalidInputError: ``threshold`` is out of range, or
                ``short_abandoned`` is not a whole number from 0 to the
                abandoned count.
        """
        answered, answered_within, abandoned, abandoned_within = self.within(threshold)
        return {
            variant: service_level(
                answered=answered,
                answered_within=answered_within,
                abandoned=abandoned,
                abandoned_within=abandoned_within,
                short_abandoned=short_abandoned,
                variant=variant,
            )
            for variant in ServiceLevelVariant
        }
