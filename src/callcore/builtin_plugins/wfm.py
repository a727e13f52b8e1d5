"""Built-in workforce plugin: the forecasting methods that ship with callcore.wfm."""

from __future__ import annotations

from collections.abc import Mapping

from callcore.hookspecs import hookimpl
from callcore.wfm import AutoForecast, ForecastMethod, HoltWinters, SeasonalAverage


@hookimpl
def callcore_wfm_forecast_methods() -> Mapping[str, ForecastMethod]:
    """Contribute ``seasonal_average``, ``holt_winters`` and ``automatic`` with their defaults."""
    return {
        "seasonal_average": SeasonalAverage(),
        "holt_winters": HoltWinters(),
        "automatic": AutoForecast(),
    }
