"""A host process of the fail-over test: takes part in owning the shared router."""

from __future__ import annotations

import sys

from callcore.storage.postgres_router import SharedRouter
from tests.postgres import centers
from tests.postgres.routers import build_router

ROUTER = "failover"
LEASE_SECONDS = 1.5


def main(url: str, host_id: str, router: str = ROUTER) -> None:
    """Run until killed (or until standard input closes).

    Router ``ROUTER`` has the queue of ``routers``; any other name, the queue
    of the centres in ``centers``.
    """
    host = SharedRouter(
        url,
        router,
        factory=build_router if router == ROUTER else centers.build_router,
        host_id=host_id,
        lease_seconds=LEASE_SECONDS,
        checkpoint_every=5,  # so that the last commands are replayed from the log
    )
    host.start()
    sys.stdin.read()  # until the test closes it (or kills this process)
    host.stop()


if __name__ == "__main__":
    main(*sys.argv[1:4])
