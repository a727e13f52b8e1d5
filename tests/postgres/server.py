"""A throw-away PostgreSQL server for the tests, started once per test session.

In order of preference:

1. ``CALLCORE_TEST_POSTGRES_URL``: a server the caller runs (each test gets its
   own schema in that database, dropped afterwards);
2. the ``pgserver`` package (in the ``test`` dependency group): PostgreSQL's
   binaries in a wheel, so a fresh machine needs no system service; as root it
   runs the server as a ``pgserver`` system user it creates;
3. ``initdb`` and ``pg_ctl`` on the PATH (not as root: PostgreSQL refuses).

When none is available the PostgreSQL tests are skipped, saying why.
"""

from __future__ import annotations

import importlib.util
import os
import shutil
import socket
import subprocess
import tempfile
import time
import warnings
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Iterator

URL_VARIABLE = "CALLCORE_TEST_POSTGRES_URL"


class NoServerError(Exception):
    """No way to start or reach a PostgreSQL server here."""


@contextmanager
def _pgserver() -> Iterator[str]:
    with warnings.catch_warnings():  # it warns when it has no XDG runtime directory
        warnings.simplefilter("ignore")
        from pgserver.postgres_server import (  # type: ignore[import-not-found,unused-ignore]  # noqa: PLC0415
            get_server,
        )

        folder = tempfile.mkdtemp(prefix="callcore-pg-")
        server = get_server(folder, cleanup_mode="delete")
    url = str(server.get_uri())
    _throw_away(url)
    try:
        yield url
    finally:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            server.cleanup()
        shutil.rmtree(folder, ignore_errors=True)


def _throw_away(url: str) -> None:
    """No fsync on a throw-away server: faster tests, a fast stop (its data dies with it)."""
    import psycopg  # noqa: PLC0415 - only when a server is started

    with psycopg.connect(url, autocommit=True) as connection:
        connection.execute("ALTER SYSTEM SET fsync = off")
        connection.execute("ALTER SYSTEM SET synchronous_commit = off")
        connection.execute("ALTER SYSTEM SET full_page_writes = off")
        connection.execute("SELECT pg_reload_conf()")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def _pg_ctl() -> Iterator[str]:
    initdb, pg_ctl = shutil.which("initdb"), shutil.which("pg_ctl")
    if initdb is None or pg_ctl is None:
        raise NoServerError("no pgserver package and no initdb/pg_ctl on the PATH")
    if os.geteuid() == 0:
        raise NoServerError("initdb refuses to run as root; install pgserver")
    folder = Path(tempfile.mkdtemp(prefix="callcore-pg-"))
    data, port = folder / "data", _free_port()
    subprocess.run(
        [initdb, "-D", str(data), "-U", "postgres", "-A", "trust", "--no-sync"],
        check=True,
        capture_output=True,
    )
    options = f"-p {port} -k {folder} -c listen_addresses=127.0.0.1 -c fsync=off"
    subprocess.run(
        [pg_ctl, "-D", str(data), "-o", options, "-w", "-l", str(folder / "log"), "start"],
        check=True,
        capture_output=True,
    )
    try:
        yield f"postgresql://postgres@127.0.0.1:{port}/postgres"
    finally:
        subprocess.run([pg_ctl, "-D", str(data), "-m", "immediate", "stop"], check=False)
        shutil.rmtree(folder, ignore_errors=True)


@contextmanager
def postgres_server() -> Iterator[str]:
    """Start (or find) a server; yield its URL; stop it afterwards."""
    given = os.environ.get(URL_VARIABLE)
    if given:
        yield given
        return
    starter = _pgserver if importlib.util.find_spec("pgserver") else _pg_ctl
    started = time.monotonic()
    with starter() as url:
        os.environ["CALLCORE_TEST_POSTGRES_STARTUP_S"] = f"{time.monotonic() - started:.1f}"
        yield url


def with_schema(url: str, schema: str) -> str:
    """The URL with ``schema`` first on the search path (so tables land there)."""
    separator = "&" if "?" in url else "?"
    return f"{url}{separator}options=-csearch_path%3D{schema}"
