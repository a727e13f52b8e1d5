"""The built-in plugin contributes every strategy; clashing names are refused."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pluggy
import pytest

from callcore import hookimpl
from callcore.acd import BUILTIN_STRATEGIES, Strategy
from callcore.errors import PluginError
from callcore.plugins import make_plugin_manager, routing_strategies

if TYPE_CHECKING:
    from collections.abc import Mapping


def manager(*plugins: object) -> pluggy.PluginManager:
    """A manager with the built-in plugins and ``plugins``, without entry points."""
    return make_plugin_manager(load_entrypoints=False, plugins=plugins)


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


def test_a_plugin_may_replace_a_builtin_strategy() -> None:
    """A plugin registered after the built-ins replaces a strategy of the same name."""
    assert routing_strategies(manager(Clash()))["random"] is BUILTIN_STRATEGIES["linear"]


class OtherClash:
    """A second third-party plugin reusing the name 'random'."""

    @hookimpl
    def callcore_routing_strategies(self) -> Mapping[str, Strategy]:
        """Contribute yet another 'random'."""
        return {"random": BUILTIN_STRATEGIES["top_down"]}


def test_two_plugins_clashing_are_refused() -> None:
    """Two third-party plugins contributing one name raise a PluginError naming it."""
    with pytest.raises(PluginError, match="routing strategy 'random' is already contributed"):
        routing_strategies(manager(Clash(), OtherClash()))
