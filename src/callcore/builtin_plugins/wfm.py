"""Built-in workforce plugin: the forecasting methods that ship with callcore.wfm."""

from __future__ import annotations

from collections.abc import Mapping

from callcore.hookspecs import hookimpl
from callcore.wfm import ForecastMethod, HoltWinters, SeasonalAverage


@hookimpl
def callcore_wfm_forecast_methods() -> Mapping[str, ForecastMethod]:
    """Contribute ``seasonal_average`` and ``holt_winters`` with their default settings."""
    return {"seasonal_average": SeasonalAverage(), "holt_winters": HoltWinters()}
