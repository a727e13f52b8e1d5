"""The built-in KPI metrics, contributed through the ``callcore_kpi_metrics`` hook."""

from __future__ import annotations

from typing import TYPE_CHECKING

from callcore.hookspecs import hookimpl
from callcore.kpi import BUILTIN_METRICS

if TYPE_CHECKING:
    from collections.abc import Mapping

    from callcore.kpi import Metric


@hookimpl
def callcore_kpi_metrics() -> Mapping[str, Metric]:
    """Contribute every metric of :data:`callcore.kpi.BUILTIN_METRICS`."""
    return BUILTIN_METRICS
