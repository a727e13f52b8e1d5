"""The built-in plugin contributes every strategy; clashing names are refused."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pluggy
import pytest

from callcore import hookimpl, hookspecs
from callcore.acd import BUILTIN_STRATEGIES, Strategy
from callcore.builtin_plugins import acd as builtin_acd
from callcore.errors import ConfigError
from callcore.plugins import routing_strategies

if TYPE_CHECKING:
    from collections.abc import Mapping


def manager(*plugins: object) -> pluggy.PluginManager:
    """A manager with the hookspecs, the ACD built-in plugin and ``plugins``."""
    result = pluggy.PluginManager(hookspecs.PROJECT_NAME)
    result.add_hookspecs(hookspecs)
    result.register(builtin_acd)
    for plugin in plugins:
        result.register(plugin)
    return result


class Clash:
    """A plugin that reuses a built-in name."""

    @hookimpl
    def callcore_routing_strategies(self) -> Mapping[str, Strategy]:
        """Contribute a second 'random'."""
        return {"random": BUILTIN_STRATEGIES["linear"]}


def test_builtin_strategies_are_collected() -> None:
    """The collected mapping holds exactly the ten built-in strategies."""
    assert routing_strategies(manager()) == dict(BUILTIN_STRATEGIES)
    assert len(BUILTIN_STRATEGIES) == 10


def test_clashing_names_are_refused() -> None:
    """Two plugins contributing the same name raise a ConfigError naming it."""
    with pytest.raises(ConfigError, match="'random'"):
        routing_strategies(manager(Clash()))
