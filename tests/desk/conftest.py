"""The testing kit's fixtures, as an installed callcore's pytest plugin provides them."""

from callcore.testing.pytest_plugin import (  # noqa: F401 - fixtures, found by name
    center,
    center_config,
    clock,
    notifier,
    scenario,
    store,
    telephony,
)
