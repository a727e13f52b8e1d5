"""Mergeable percentiles of durations: exact for small counts, a sketch beyond.

Up to :data:`EXACT_LIMIT` durations are kept as they are, and a percentile is
the exact nearest-rank value. Beyond, they are counted in logarithmic buckets
(the DDSketch of Masson, Rim and Lee, 2019): a duration ``d`` of ``i`` whole
microseconds goes to bucket ``ceil(log(d) / log(gamma))`` with
``gamma = (1 + a) / (1 - a)``, and a percentile is its bucket's middle
``2 gamma**i / (gamma + 1)``, within a relative error ``a`` =
:data:`RELATIVE_ERROR` of the exact nearest-rank value, whatever the data
(heavy tails and adversarial orders included). Buckets are whole counts, so
merging sketches of shards gives exactly the sketch of all their durations,
and a sketch holds at most one bucket per 2 % step of the range of values (at
most about 1,800 from a microsecond to a century; a few hundred for waits
from a second to an hour).
"""

from __future__ import annotations

import math
from datetime import timedelta

import attrs

from callcore.checks import MAX_DURATION, check_count, check_duration
from callcore.errors import InvalidInputError
from callcore.kpi._limits import MAX_TOTAL

__all__ = ["EXACT_LIMIT", "RELATIVE_ERROR", "Percentiles"]

EXACT_LIMIT = 256
"""Up to this many durations a :class:`Percentiles` is exact."""

RELATIVE_ERROR = 0.01
"""The largest relative error of a percentile beyond :data:`EXACT_LIMIT` durations."""

_GAMMA = (1 + RELATIVE_ERROR) / (1 - RELATIVE_ERROR)
_LOG_GAMMA = math.log(_GAMMA)
_US = timedelta(microseconds=1)


def _bucket(micros: int) -> int:
    """The bucket of a positive number of microseconds."""
    return math.ceil(math.log(micros) / _LOG_GAMMA)


_MAX_US = MAX_DURATION // timedelta(microseconds=1)
_MAX_BUCKET = math.ceil(math.log(_MAX_US) / _LOG_GAMMA) + 1  # room for rounding at the top


def _rank(fraction: float, count: int) -> int:
    """The nearest rank (1-based) of ``fraction`` among ``count`` values."""
    return max(1, math.ceil(fraction * count - 1e-9))  # 1e-9: 0.95 * 100 is 95.00000000000001


@attrs.define(eq=False)
class Percentiles:
    """The distribution of some durations, for percentiles (p50, p80, p90, p95...).

    >>> from datetime import timedelta
    >>> from callcore.kpi import Percentiles
    >>> waits = Percentiles()
    >>> for seconds in (3, 8, 12, 40, 95):
    ...     waits.add(timedelta(seconds=seconds))
    >>> waits.percentile(0.8)
    datetime.timedelta(seconds=40)

    Attributes:
        count: How many durations were added.
    """

    count: int = attrs.field(default=0, init=False)
    _values: list[int] | None = attrs.field(init=False, factory=list, repr=False)  # None: a sketch
    _zeros: int = attrs.field(init=False, default=0, repr=False)  # sketch: durations of zero
    _buckets: dict[int, int] = attrs.field(init=False, factory=dict, repr=False)  # bucket: count

    @property
    def exact(self) -> bool:
        """Whether every duration is kept, so that percentiles are exact."""
        return self._values is not None

    def add(self, duration: timedelta) -> None:
        """Count one duration (from zero to :data:`callcore.checks.MAX_DURATION`).

        Raises:
            InvalidInputError: ``duration`` is not such a ``timedelta``; nothing changed.
        """
        self.add_micros(check_duration(duration, "duration") // _US)

    def add_micros(self, micros: int) -> None:
        """Count one duration given in whole microseconds (checked by the caller)."""
        self.count += 1
        values = self._values
        if values is not None:
            values.append(micros)
            if len(values) > EXACT_LIMIT:
                self._to_sketch()
        elif micros == 0:
            self._zeros += 1
        else:
            index = _bucket(micros)
            self._buckets[index] = self._buckets.get(index, 0) + 1

    def _to_sketch(self) -> None:
        values, self._values = self._values or [], None
        for micros in values:
            if micros == 0:
                self._zeros += 1
            else:
                index = _bucket(micros)
                self._buckets[index] = self._buckets.get(index, 0) + 1

    def merge(self, other: Percentiles) -> None:
        """Add another distribution's durations to this one.

        The result is what adding every duration to one distribution would
        give: the same exact values, or the same buckets.

        Raises:
            InvalidInputError: ``other`` is not a ``Percentiles``; nothing changed.
        """
        if not isinstance(other, Percentiles):
            raise InvalidInputError(
                f"other must be Percentiles, got {type(other).__name__}", field="other"
            )
        if other._values is not None:
            for micros in list(other._values):
                self.add_micros(micros)
            return
        if self._values is not None:
            self._to_sketch()
        self.count += other.count
        self._zeros += other._zeros
        for index, number in other._buckets.items():
            self._buckets[index] = self._buckets.get(index, 0) + number

    def copy(self) -> Percentiles:
        """Return an independent copy."""
        found = Percentiles()
        found.count = self.count
        found._values = None if self._values is None else list(self._values)
        found._zeros = self._zeros
        found._buckets = dict(self._buckets)
        return found

    def saved(self) -> dict[str, object]:
        """Return this distribution as plain data (see :meth:`from_saved`)."""
        if self._values is not None:  # sorted: one distribution, one document
            return {"values": sorted(self._values)}
        return {"zeros": self._zeros, "buckets": sorted(self._buckets.items())}

    @classmethod
    def from_saved(cls, data: object, what: str = "distribution") -> Percentiles:
        """Rebuild a distribution from :meth:`saved` data, checking every part.

        Exact: ``{"values": [...]}``, at most :data:`EXACT_LIMIT` whole
        microseconds from 0 to a century. A sketch: ``{"zeros": n, "buckets":
        [[index, count], ...]}`` with buckets in increasing order, counts of
        at least 1, and more than :data:`EXACT_LIMIT` durations in all.

        Raises:
            InvalidInputError: ``data`` is not such a mapping; ``field`` is
                ``what`` with the part (``wait.values[3]``).
        """
        found = cls()
        if not isinstance(data, dict) or set(data) not in ({"values"}, {"zeros", "buckets"}):
            raise InvalidInputError(
                "must be {'values': [...]} or {'zeros': n, 'buckets': [[index, count], ...]}",
                field=what,
            )
        if "values" in data:
            values = data["values"]
            if not isinstance(values, list) or len(values) > EXACT_LIMIT:
                raise InvalidInputError(
                    f"must be a list of at most {EXACT_LIMIT} durations", field=f"{what}.values"
                )
            for index, value in enumerate(values):
                check_count(value, f"{what}.values[{index}]", low=0, high=_MAX_US)
            found._values, found.count = list(values), len(values)
            return found
        found._values = None
        found._zeros = check_count(data["zeros"], f"{what}.zeros", low=0, high=MAX_TOTAL)
        buckets = data["buckets"]
        if not isinstance(buckets, list):
            raise InvalidInputError("must be a list of [index, count]", field=f"{what}.buckets")
        previous = -1
        for number, pair in enumerate(buckets):
            path = f"{what}.buckets[{number}]"
            if not isinstance(pair, list | tuple) or len(pair) != 2:
                raise InvalidInputError("must be [index, count]", field=path)
            index = check_count(pair[0], path, low=previous + 1, high=_MAX_BUCKET)
            found._buckets[index] = check_count(pair[1], path, low=1, high=MAX_TOTAL)
            previous = index
        found.count = found._zeros + sum(found._buckets.values())
        if found.count <= EXACT_LIMIT:
            raise InvalidInputError(
                f"a sketch holds more than {EXACT_LIMIT} durations; save fewer as values",
                field=what,
            )
        return found

    def percentile(self, fraction: float) -> timedelta | None:
        """Return the duration below or at which ``fraction`` of the durations lie.

        The nearest-rank definition: the smallest duration ``d`` such that at
        least ``ceil(fraction * count)`` durations are at most ``d`` (the
        smallest for a fraction of 0). Exact while :attr:`exact`; otherwise
        within :data:`RELATIVE_ERROR` of that value (and rounded to the
        microsecond: within ``RELATIVE_ERROR * exact + 0.5 us``).

        Args:
            fraction: From 0 to 1: 0.5 for the median, 0.9 for p90.

        Returns:
            The duration, or ``None`` when no duration was added.

        Raises:
            InvalidInputError: ``fraction`` is not a number from 0 to 1.
        """
        if isinstance(fraction, bool) or not isinstance(fraction, int | float):
            raise InvalidInputError(
                f"fraction must be a number from 0 to 1, got {type(fraction).__name__}",
                field="fraction",
            )
        if not 0 <= fraction <= 1:  # NaN fails this too
            raise InvalidInputError(
                f"fraction must be from 0 to 1, got {fraction!r}", field="fraction"
            )
        if self.count == 0:
            return None
        rank = _rank(fraction, self.count)
        if self._values is not None:
            return sorted(self._values)[rank - 1] * _US
        if rank <= self._zeros:
            return timedelta(0)
        seen = self._zeros
        for index in sorted(self._buckets):
            seen += self._buckets[index]
            if seen >= rank:
                return round(2 * _GAMMA**index / (_GAMMA + 1)) * _US
        raise AssertionError  # pragma: no cover - the counts add up to count

    def percentiles(
        self, fractions: tuple[float, ...] = (0.5, 0.8, 0.9, 0.95)
    ) -> dict[float, timedelta | None]:
        """Return several percentiles at once, by fraction (p50, p80, p90, p95 by default)."""
        return {fraction: self.percentile(fraction) for fraction in fractions}
