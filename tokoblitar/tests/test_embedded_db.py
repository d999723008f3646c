"""The embedded server's shared handle file: atomic, locked, recovered when damaged, and one
process leaving never stops the database under another (issue 9 item 21)."""

from __future__ import annotations

import json
import multiprocessing
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tokoblitar import embedded_db
from tokoblitar.embedded_db import (
    HANDLE_FILE,
    LockedHandleList,
    checkout_processes,
    handles_get,
    handles_register,
    handles_write,
    release_handle,
)

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def checkout(tmp_path: Path) -> Path:
    """A fake checkout: <tmp>/var/pgdata, no server."""
    pgdata = tmp_path / "var" / "pgdata"
    pgdata.mkdir(parents=True)
    return pgdata


@pytest.fixture
def sleeper(tmp_path: Path):
    """A live Python process whose working directory is the fake checkout."""
    proc = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"], cwd=tmp_path)
    yield proc
    proc.kill()
    proc.wait()


def _dead_pid() -> int:
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    return proc.pid


def _fake_postmaster(pgdata: Path, pid: int) -> None:
    lines = [str(pid), str(pgdata), str(int(time.time())), "5432", str(pgdata), "", "0 0", "ready"]
    (pgdata / "postmaster.pid").write_text("\n".join(lines) + "\n")


@pytest.mark.parametrize("damage", ["", "[12, 3", "{}", '["x"]', "\x00\x00"])
def test_damaged_file_without_server_reads_as_empty_and_is_repaired(checkout: Path, damage: str) -> None:
    (checkout / HANDLE_FILE).write_text(damage)
    assert handles_get(checkout) == []
    assert json.loads((checkout / HANDLE_FILE).read_text()) == []
    # The library's own bookkeeping (now ours) no longer dies on it either.
    assert LockedHandleList(checkout / HANDLE_FILE).get_and_add(os.getpid()) == []
    assert json.loads((checkout / HANDLE_FILE).read_text()) == [os.getpid()]


def test_damaged_file_with_live_server_is_rebuilt_from_live_checkout_processes(checkout: Path, sleeper) -> None:
    _fake_postmaster(checkout, sleeper.pid)  # "the server" is alive
    (checkout / HANDLE_FILE).write_text("")
    assert sleeper.pid in checkout_processes(checkout.parent.parent)
    pids = handles_get(checkout)
    assert sleeper.pid in pids
    assert json.loads((checkout / HANDLE_FILE).read_text()) == sorted(pids)


def test_an_interrupted_write_leaves_the_previous_list(checkout: Path, monkeypatch) -> None:
    handles_write(checkout, [111, 222])

    def interrupted(*_args: object) -> None:
        raise KeyboardInterrupt  # Ctrl-C between writing the temp file and the rename

    monkeypatch.setattr(embedded_db.os, "replace", interrupted)
    with pytest.raises(KeyboardInterrupt):
        handles_write(checkout, [333])
    monkeypatch.undo()
    assert json.loads((checkout / HANDLE_FILE).read_text()) == [111, 222]
    assert [p.name for p in checkout.iterdir()] == [HANDLE_FILE]  # no temp file left behind


def _churn(pgdata: str, rounds: int) -> None:
    handles = LockedHandleList(Path(pgdata) / HANDLE_FILE)
    for _ in range(rounds):
        handles.get_and_add(os.getpid())
        handles.get_and_remove(os.getpid())
    handles.get_and_add(os.getpid())


def test_concurrent_writers_never_lose_or_corrupt_an_entry(checkout: Path) -> None:
    ctx = multiprocessing.get_context("fork")
    procs = [ctx.Process(target=_churn, args=(str(checkout), 40)) for _ in range(6)]
    for proc in procs:
        proc.start()
    for proc in procs:
        proc.join(60)
        assert proc.exitcode == 0
    assert sorted(json.loads((checkout / HANDLE_FILE).read_text())) == sorted(p.pid for p in procs)


def test_release_keeps_the_server_while_another_live_process_is_registered(checkout: Path, sleeper) -> None:
    _fake_postmaster(checkout, sleeper.pid)
    dead = _dead_pid()
    handles_write(checkout, [os.getpid(), sleeper.pid, dead])
    assert release_handle(checkout, os.getpid()) is False  # would have stopped "the server"
    assert json.loads((checkout / HANDLE_FILE).read_text()) == [sleeper.pid]  # dead pid pruned too
    assert (checkout / "postmaster.pid").exists()


def test_register_prunes_dead_pids(checkout: Path) -> None:
    dead = _dead_pid()
    handles_write(checkout, [dead])
    assert handles_register(checkout, os.getpid()) == [os.getpid()]


@pytest.mark.django_db
@pytest.mark.skipif(bool(os.environ.get("DATABASE_URL")), reason="only the embedded server is shared this way")
def test_a_process_interrupted_beside_us_leaves_the_shared_database_running() -> None:
    """A second process of this checkout (a `manage.py` command, another `make run`) joins the
    embedded server, is stopped with Ctrl-C, and our connection still works."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_postmaster_start_time()")
        started = cursor.fetchone()[0]
    code = (
        "import os, time, django; os.environ['DJANGO_SETTINGS_MODULE'] = 'tokoblitar.settings'; django.setup();"
        "print('ready', flush=True); time.sleep(60)"
    )
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    proc = subprocess.Popen(  # noqa: S603 - our own interpreter and code
        [sys.executable, "-c", code], cwd=ROOT, env=env, stdout=subprocess.PIPE, text=True
    )
    try:
        assert proc.stdout.readline().strip() == "ready"
        proc.send_signal(signal.SIGINT)
        proc.wait(30)
    finally:
        proc.kill()
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_postmaster_start_time()")
        assert cursor.fetchone()[0] == started
