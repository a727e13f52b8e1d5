"""The ACD's built-in routing strategies, contributed through the registry hook.

A worked example for plugin authors: a third-party plugin contributes its own
strategies the same way (see ``docs/acd/strategy_plugins.md``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from callcore.acd import BUILTIN_STRATEGIES
from callcore.hookspecs import hookimpl

if TYPE_CHECKING:
    from collections.abc import Mapping

    from callcore.acd import Strategy

__all__ = ["callcore_routing_strategies"]


@hookimpl
def callcore_routing_strategies() -> Mapping[str, Strategy]:
    """Contribute ring_all, longest_idle, round_robin and the other built-ins."""
    return BUILTIN_STRATEGIES
