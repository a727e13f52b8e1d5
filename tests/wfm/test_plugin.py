"""The built-in workforce plugin and the forecast-method registry hook."""

from __future__ import annotations

from collections.abc import Mapping

import pluggy

from callcore import hookimpl, hookspecs
from callcore.builtin_plugins import wfm as builtin_wfm
from callcore.plugins import forecast_methods
from callcore.wfm import DailyGrid, ForecastMethod, HoltWinters, SeasonalAverage


class _Flat:
    name = "flat"

    def predict(self, grid: DailyGrid, days: int) -> list[list[float]]:
        return [[1.0] * len(grid.slots) for _ in range(days)]


class _Override:
    @hookimpl
    def callcore_wfm_forecast_methods(self) -> Mapping[str, ForecastMethod]:
        return {"flat": _Flat(), "holt_winters": HoltWinters(alpha=0.5)}


def _manager(*plugins: object) -> pluggy.PluginManager:
    manager = pluggy.PluginManager(hookspecs.PROJECT_NAME)
    manager.add_hookspecs(hookspecs)
    manager.register(builtin_wfm, name="callcore.builtin_plugins.wfm")
    for plugin in plugins:
        manager.register(plugin)
    return manager


def test_builtin_methods_are_registered() -> None:
    """The built-in plugin contributes the seasonal average and Holt-Winters."""
    methods = forecast_methods(_manager())
    assert methods == {"seasonal_average": SeasonalAverage(), "holt_winters": HoltWinters()}
    assert all(isinstance(method, ForecastMethod) for method in methods.values())


def test_later_plugins_add_and_replace_methods() -> None:
    """A third-party plugin adds a method and replaces a built-in one of the same name."""
    methods = forecast_methods(_manager(_Override()))
    assert set(methods) == {"seasonal_average", "holt_winters", "flat"}
    assert methods["holt_winters"] == HoltWinters(alpha=0.5)
