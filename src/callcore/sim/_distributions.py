"""Random durations: exponential, log-normal, empirical and fixed, read from plain documents.

A distribution draws seconds from a :class:`random.Random` the simulator
owns, so that a seeded run is reproducible. Documents spell them as
``{"distribution": "exponential", "mean": 240}``,
``{"distribution": "lognormal", "mean": 240, "sd": 180}``,
``{"distribution": "empirical", "values": [120, 305, 98]}`` or
``{"distribution": "fixed", "value": 10}`` (a bare number is a fixed value).
"""

from __future__ import annotations

import math
import random
from collections.abc import Iterable, Mapping, Sequence

import attrs

from callcore.errors import Problem
from callcore.kpi import InteractionRecord

__all__ = [
    "Distribution",
    "Empirical",
    "Exponential",
    "Fixed",
    "LogNormal",
    "handle_times",
    "read_distribution",
]

MAX_SECONDS = 30 * 86_400.0
"""The longest duration a distribution may have as its mean or values (30 days)."""


def _floats(values: Iterable[float]) -> tuple[float, ...]:
    return tuple(values)


@attrs.frozen
class Exponential:
    """Exponentially distributed seconds (Erlang's handle times, Palm's patience).

    Attributes:
        mean: The mean, in seconds (> 0).
    """

    mean: float

    def sample(self, rng: random.Random) -> float:
        """One draw, in seconds."""
        return rng.expovariate(1.0 / self.mean)


@attrs.frozen
class LogNormal:
    """Log-normally distributed seconds, given by their own mean and standard deviation.

    Handle times of real centres are skewed this way (Brown et al. 2005,
    "Statistical analysis of a telephone call center").

    Attributes:
        mean: The mean, in seconds (> 0).
        sd: The standard deviation, in seconds (> 0).
    """

    mean: float
    sd: float

    def sample(self, rng: random.Random) -> float:
        """One draw, in seconds."""
        sigma2 = math.log1p((self.sd / self.mean) ** 2)
        return rng.lognormvariate(math.log(self.mean) - sigma2 / 2, math.sqrt(sigma2))


@attrs.frozen
class Empirical:
    """Seconds drawn uniformly from observed values (handle times from records).

    Attributes:
        values: The observed durations, in seconds (at least one).
    """

    values: tuple[float, ...] = attrs.field(converter=_floats)

    @property
    def mean(self) -> float:
        """The mean of the values."""
        return sum(self.values) / len(self.values)

    def sample(self, rng: random.Random) -> float:
        """One draw, in seconds."""
        return self.values[int(rng.random() * len(self.values))]


@attrs.frozen
class Fixed:
    """Always the same number of seconds.

    Attributes:
        value: The duration, in seconds (>= 0).
    """

    value: float

    @property
    def mean(self) -> float:
        """The value."""
        return self.value

    def sample(self, rng: random.Random) -> float:  # noqa: ARG002 - the common signature
        """The value."""
        return self.value


Distribution = Exponential | LogNormal | Empirical | Fixed
"""Any of the simulator's distributions."""


def handle_times(records: Iterable[InteractionRecord]) -> Empirical:
    """An empirical handle-time distribution from answered KPI records.

    The handle time is talk plus after-contact work: from the answer to the
    end of wrap-up (to the end when there was no wrap-up).

    Raises:
        ValueError: No record was answered.
    """
    values = []
    for record in records:
        if record.answered_at is None:
            continue
        end = record.wrap_up_ended_at or record.ended_at
        values.append((end - record.answered_at).total_seconds())
    if not values:
        msg = "no answered record to take handle times from"
        raise ValueError(msg)
    return Empirical(values)


def _seconds(value: object, path: str, problems: list[Problem], *, positive: bool) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        problems.append(Problem(path, f"must be a number of seconds, got {value!r}"))
        return 1.0
    low_ok = value > 0 if positive else value >= 0
    if not low_ok or value > MAX_SECONDS:
        bound = "> 0" if positive else ">= 0"
        problems.append(Problem(path, f"must be {bound} and at most {MAX_SECONDS:g} s"))
        return 1.0
    return float(value)


def _values(raw: object, path: str, problems: list[Problem]) -> tuple[float, ...]:
    if not isinstance(raw, Sequence) or isinstance(raw, str) or not raw:
        problems.append(Problem(path, "must be a non-empty list of seconds"))
        return (1.0,)
    if len(raw) > 1_000_000:
        problems.append(Problem(path, "has more than 1,000,000 values"))
        return (1.0,)
    return tuple(
        _seconds(item, f"{path}[{index}]", problems, positive=False)
        for index, item in enumerate(raw)
    )


def read_distribution(raw: object, path: str, problems: list[Problem]) -> Distribution:  # noqa: PLR0911 - one return per kind
    """Read a distribution document, adding every problem (with its path) to ``problems``."""
    if isinstance(raw, int | float) and not isinstance(raw, bool):
        return Fixed(_seconds(raw, path, problems, positive=False))
    if not isinstance(raw, Mapping):
        problems.append(Problem(path, "must be a number of seconds or a distribution mapping"))
        return Fixed(0.0)
    kind = raw.get("distribution", "exponential")
    allowed = {
        "exponential": {"mean"},
        "lognormal": {"mean", "sd"},
        "empirical": {"values"},
        "fixed": {"value"},
    }
    if kind not in allowed:
        problems.append(
            Problem(
                f"{path}.distribution",
                f"unknown distribution {kind!r}; use one of {', '.join(sorted(allowed))}",
            )
        )
        return Fixed(0.0)
    problems.extend(
        Problem(f"{path}.{key}", f"unknown field for a {kind} distribution")
        for key in raw
        if key != "distribution" and key not in allowed[kind]
    )
    problems.extend(
        Problem(f"{path}.{key}", "is required") for key in sorted(allowed[kind]) if key not in raw
    )
    if kind == "empirical":
        return Empirical(_values(raw.get("values"), f"{path}.values", problems))
    if kind == "fixed":
        return Fixed(_seconds(raw.get("value", 0), f"{path}.value", problems, positive=False))
    mean = _seconds(raw.get("mean", 1), f"{path}.mean", problems, positive=True)
    if kind == "lognormal":
        return LogNormal(mean, _seconds(raw.get("sd", 1), f"{path}.sd", problems, positive=True))
    return Exponential(mean)
