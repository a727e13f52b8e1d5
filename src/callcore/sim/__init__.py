"""The simulator: seeded days of traffic through the real contact centre."""

from callcore.sim._distributions import (
    Distribution,
    Empirical,
    Exponential,
    Fixed,
    LogNormal,
    handle_times,
    read_distribution,
)
from callcore.sim._queue_model import (
    QueueModel,
    QueueResult,
    QueueStudy,
    replicate_queue,
    run_queue,
)
from callcore.sim._stats import Estimate, t_quantile

__all__ = [
    "Distribution",
    "Empirical",
    "Estimate",
    "Exponential",
    "Fixed",
    "LogNormal",
    "QueueModel",
    "QueueResult",
    "QueueStudy",
    "handle_times",
    "read_distribution",
    "replicate_queue",
    "run_queue",
    "t_quantile",
]
