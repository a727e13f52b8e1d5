"""The built-in IVR node types, contributed through ``callcore_ivr_node_types``.

A plugin adding its own node type looks the same: subclass
:class:`callcore.ivr.Node` and return ``{"my_type": MyNode}`` from the hook.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from callcore.hookspecs import hookimpl
from callcore.ivr import BUILTIN_NODE_TYPES

if TYPE_CHECKING:
    from collections.abc import Mapping

    from callcore.ivr import Node


@hookimpl
def callcore_ivr_node_types() -> Mapping[str, type[Node]]:
    """Menu, input, say, branch, hours, language, lookup, queue, transfer and the rest."""
    return BUILTIN_NODE_TYPES
