"""The KPI metric registry hook and its built-in plugin."""

from __future__ import annotations

from collections.abc import Mapping

import attrs
import pluggy
import pytest

from callcore import hookimpl
from callcore.errors import ConfigError, PluginError
from callcore.kpi import BUILTIN_METRICS, Aggregate, Metric, Unit
from callcore.plugins import collect_kpi_metrics, make_plugin_manager

CONSULTS = Metric(
    name="consult_rate",
    title="Consults per handled contact",
    unit=Unit.RATIO,
    formula="consults / handled",
    compute=lambda t: t.consults / t.handled if t.handled else None,
)


class ConsultPlugin:
    """A third-party plugin contributing one metric."""

    @hookimpl
    def callcore_kpi_metrics(self) -> Mapping[str, Metric]:
        """Contribute the consult rate."""
        return {CONSULTS.name: CONSULTS}


def _manager(*plugins: object) -> pluggy.PluginManager:
    """A manager with the built-in plugins and ``plugins``, without entry points."""
    return make_plugin_manager(load_entrypoints=False, plugins=plugins)


def test_builtin_plugin_contributes_every_builtin_metric() -> None:
    """With only the built-in plugin, the registry is exactly BUILTIN_METRICS."""
    assert collect_kpi_metrics(_manager()) == dict(BUILTIN_METRICS)


def test_a_plugin_adds_a_metric() -> None:
    """A third-party metric joins the built-ins and computes from totals."""
    metrics = collect_kpi_metrics(_manager(ConsultPlugin()))
    assert set(metrics) == {*BUILTIN_METRICS, "consult_rate"}
    assert metrics["consult_rate"](Aggregate(handled=4, consults=1)) == 0.25


class OtherConsultPlugin:
    """A second third-party plugin with its own 'consult_rate'."""

    @hookimpl
    def callcore_kpi_metrics(self) -> Mapping[str, Metric]:
        """Contribute a different consult rate."""
        return {CONSULTS.name: attrs.evolve(CONSULTS, title="Consults (other)")}


def test_a_name_contributed_twice_is_refused() -> None:
    """Two third-party plugins contributing one name is a plugin error."""
    with pytest.raises(PluginError, match="'consult_rate' is already contributed"):
        collect_kpi_metrics(_manager(ConsultPlugin(), OtherConsultPlugin()))


def test_a_plugin_may_replace_a_builtin_metric() -> None:
    """A plugin registered later replaces a built-in metric of the same name."""

    class BetterAht:
        """Replaces the built-in AHT."""

        @hookimpl
        def callcore_kpi_metrics(self) -> Mapping[str, Metric]:
            """Contribute a retitled AHT."""
            return {"aht": attrs.evolve(BUILTIN_METRICS["aht"], title="AHT (ours)")}

    assert collect_kpi_metrics(_manager(BetterAht()))["aht"].title == "AHT (ours)"


def test_a_metric_filed_under_another_name_is_refused() -> None:
    """A mapping key must be the metric's own name."""

    class Misfiled:
        """Files a metric under the wrong name."""

        @hookimpl
        def callcore_kpi_metrics(self) -> Mapping[str, Metric]:
            """Contribute the consult rate as 'other'."""
            return {"other": CONSULTS}

    with pytest.raises(ConfigError, match="contributed as 'other'"):
        collect_kpi_metrics(_manager(Misfiled()))


def test_builtin_plugins_list_names_the_kpi_plugin() -> None:
    """The built-in KPI plugin is registered by every manager."""
    from callcore.plugins import BUILTIN_PLUGINS  # noqa: PLC0415

    assert "callcore.builtin_plugins.kpi" in BUILTIN_PLUGINS
