"""The example centre of ``examples/center_call_flow.py``, loaded for the tests."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

from callcore.storage import MemoryStorage

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "center_call_flow.py"


def _load() -> ModuleType:
    spec = importlib.util.spec_from_file_location("center_call_flow", EXAMPLE)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["center_call_flow"] = module  # attrs classes look their module up
    spec.loader.exec_module(module)
    return module


example = _load()


class CountingStorage(MemoryStorage):
    """An in-memory store that notes the name of every checkpoint written."""

    def __init__(self) -> None:
        """Start with no write noted."""
        super().__init__()
        self.written: list[str] = []

    def save_checkpoint(self, name: str, document: str) -> None:
        """Note the name, then save."""
        self.written.append(name)
        super().save_checkpoint(name, document)
