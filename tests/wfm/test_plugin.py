"""The built-in workforce plugin and the forecast-method registry hook."""

from __future__ import annotations

from collections.abc import Mapping

import pluggy

from callcore import hookimpl
from callcore.plugins import forecast_methods, make_plugin_manager
from callcore.wfm import AutoForecast, DailyGrid, ForecastMethod, HoltWinters, SeasonalAverage


class _Flat:
    name = "flat"

    def predict(self, grid: DailyGrid, days: int) -> list[list[float]]:
        return [[1.0] * len(grid.slots) for _ in range(days)]


class _Override:
    @hookimpl
    def callcore_wfm_forecast_methods(self) -> Mapping[str, ForecastMethod]:
        return {"flat": _Flat(), "holt_winters": HoltWinters(alpha=0.5)}


def _manager(*plugins: object) -> pluggy.PluginManager:
    """A manager with the built-in plugins and ``plugins``, without entry points."""
    return make_plugin_manager(load_entrypoints=False, plugins=plugins)


def test_builtin_methods_are_registered() -> None:
    """The built-in plugin contributes the seasonal average and Holt-Winters."""
    methods = forecast_methods(_manager())
    assert methods == {
        "seasonal_average": SeasonalAverage(),
        "holt_winters": HoltWinters(),
        "automatic": AutoForecast(),
    }
    assert all(isinstance(method, ForecastMethod) for method in methods.values())


def test_later_plugins_add_and_replace_methods() -> None:
    """A third-party plugin adds a method and replaces a built-in one of the same name."""
    methods = forecast_methods(_manager(_Override()))
    assert set(methods) == {"seasonal_average", "holt_winters", "automatic", "flat"}
    assert methods["holt_winters"] == HoltWinters(alpha=0.5)
