"""callcore: the domain core of contact-centre software.

IVR flows, automatic call distribution, tickets with escalation and SLA clocks,
KPIs and workforce maths, as pure engines, with pluggy hooks through which a
host application supplies storage, telephony and notifications.

Importing :mod:`callcore` is cheap: it loads the errors, the clock and the hook
marker. Engines are imported from their own packages (``callcore.acd``,
``callcore.ivr``...) when needed.

The parts above the engines that do I/O (the plugin manager, the stores) log
to the ``callcore`` logger's children (``callcore.plugins``,
``callcore.storage.sqlite``). The library adds a ``NullHandler`` to
``callcore`` and nothing else: where the records go is the host's choice.
"""

import logging

from callcore.clock import Clock, ManualClock, SystemClock
from callcore.errors import CallcoreError
from callcore.hookspecs import hookimpl

__all__ = [
    "CallcoreError",
    "Clock",
    "ManualClock",
    "SystemClock",
    "__version__",
    "hookimpl",
]

__version__ = "0.1.0"

logging.getLogger(__name__).addHandler(logging.NullHandler())
