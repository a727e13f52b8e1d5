"""A host process for the restart test: three calls waiting, one mid-menu, then it waits to die.

Before them, an anonymous caller reached a1, who is consulting a supervisor
(the caller on hold): a contact of two legs so far, connected.

Run as ``python restart_host.py DB``; prints ``ready`` once the store holds it all.
"""

from __future__ import annotations

import sys
import time
from datetime import timedelta

from callcore.storage import SQLiteStorage
from tests.center.kit import example


def main(path: str) -> None:
    """Build the durable centre on the file, fill it, say ready, wait."""
    kit = example.build(SQLiteStorage(path), durable=True)
    kit.center.agent_logged_in(example.A1)
    kit.center.inbound_call(caller="anonymous", dialled=example.DIALLED, contact_id="C0")
    kit.clock.advance(timedelta(seconds=1))
    kit.telephony.press("C0", "1")
    kit.telephony.answer("C0", "a1")
    kit.clock.advance(timedelta(seconds=1))
    kit.center.agent_consulted("C0", "sup1")
    for number, caller in enumerate(("0721 000 001", "0721 000 002", "0721 000 003"), 1):
        kit.center.inbound_call(caller=caller, dialled=example.DIALLED, contact_id=f"C{number}")
        kit.clock.advance(timedelta(seconds=2))
        kit.telephony.press(f"C{number}", "2")
        kit.clock.advance(timedelta(seconds=1))
    kit.center.inbound_call(caller="0721 000 004", dialled=example.DIALLED, contact_id="C4")
    print("ready", flush=True)  # noqa: T201 - the parent process waits for this line
    time.sleep(600)  # killed long before


if __name__ == "__main__":
    main(sys.argv[1])
