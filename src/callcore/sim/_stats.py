"""Means over replications with Student-t confidence intervals (no SciPy needed)."""

from __future__ import annotations

import math
from collections.abc import Sequence

import attrs

__all__ = ["Estimate", "t_quantile"]

# Two-sided 95 % quantiles of Student's t, t(0.975, df) for df = 1..30 (any statistics table).
_T95 = (
    12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228,
    2.201, 2.179, 2.160, 2.145, 2.131, 2.120, 2.110, 2.101, 2.093, 2.086,
    2.080, 2.074, 2.069, 2.064, 2.060, 2.056, 2.052, 2.048, 2.045, 2.042,
)  # fmt: skip


def t_quantile(df: int) -> float:
    """The two-sided 95 % quantile of Student's t with ``df`` degrees of freedom.

    Beyond 30 degrees of freedom it is interpolated in ``1/df`` towards the
    normal quantile 1.960 (exact to three decimals: t(0.975, 60) = 2.000).
    """
    if df < 1:
        msg = "a confidence interval needs at least two replications"
        raise ValueError(msg)
    if df <= 30:
        return _T95[df - 1]
    return 1.960 + (_T95[29] - 1.960) * 30 / df


@attrs.frozen
class Estimate:
    """A mean over independent replications and its 95 % confidence interval.

    Attributes:
        mean: The mean of the replications' values.
        half_width: Half the width of the 95 % confidence interval of the
            mean (Student's t); ``None`` with a single replication.
        replications: How many values the mean is of.
    """

    mean: float
    half_width: float | None
    replications: int

    @classmethod
    def of(cls, values: Sequence[float]) -> Estimate:
        """The estimate from one value per replication (at least one)."""
        count = len(values)
        if count == 0:
            msg = "an estimate needs at least one value"
            raise ValueError(msg)
        mean = math.fsum(values) / count
        if count == 1:
            return cls(mean, None, 1)
        variance = math.fsum((value - mean) ** 2 for value in values) / (count - 1)
        return cls(mean, t_quantile(count - 1) * math.sqrt(variance / count), count)

    @property
    def low(self) -> float:
        """The lower end of the interval (the mean with one replication)."""
        return self.mean - (self.half_width or 0.0)

    @property
    def high(self) -> float:
        """The upper end of the interval (the mean with one replication)."""
        return self.mean + (self.half_width or 0.0)

    def __str__(self) -> str:
        """``0.8123 ± 0.0041`` (or the mean alone)."""
        if self.half_width is None:
            return f"{self.mean:.4g}"
        return f"{self.mean:.4g} ± {self.half_width:.2g}"
