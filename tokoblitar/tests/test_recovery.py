"""Recovery after crashes (issue 9 items 19, 20): the supervisor restarts a crashed child, the
task worker rides out database downtime, and tasks left RUNNING by a dead worker run again."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

import pytest
from django.db import connection
from django.utils import timezone
from django_tasks_db.models import DBTaskResult, TaskResultStatus

from orders.tasks import orders_expire_unpaid
from tokoblitar.supervisor import Child, Supervisor
from tokoblitar.worker import tasks_recover_stuck

ROOT = Path(__file__).resolve().parents[2]
embedded_only = pytest.mark.skipif(
    bool(os.environ.get("DATABASE_URL")), reason="subprocesses find the test database through EMBEDDED_DB_NAME"
)


def _env(**extra: str) -> dict[str, str]:
    """Environment for a subprocess working on this test database."""
    return {**os.environ, "EMBEDDED_DB_NAME": connection.settings_dict["NAME"], **extra}


def _wait(predicate: Callable[[], bool], timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what}")


def _status(result_id: str) -> str:
    return DBTaskResult.objects.get(pk=result_id).status


def _admin(sql: str) -> None:
    """Run `sql` from a separate connection to the `postgres` database (autocommit)."""
    import psycopg

    conf = connection.settings_dict
    with psycopg.connect(
        host=conf["HOST"],
        port=conf["PORT"] or None,
        user=conf["USER"],
        password=conf["PASSWORD"] or None,
        dbname="postgres",
        autocommit=True,
    ) as conn:
        conn.execute(sql)


def _postmaster_started():
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_postmaster_start_time()")
        return cursor.fetchone()[0]


# --- supervisor -------------------------------------------------------------------------------


@pytest.mark.django_db
def test_supervisor_restarts_a_crashed_child_and_leaves_the_database_alone(tmp_path: Path) -> None:
    started = _postmaster_started()
    runs = tmp_path / "runs.txt"
    crasher = Child(
        name="crasher",
        argv=[sys.executable, "-c", f"open({str(runs)!r}, 'a').write('x'); raise SystemExit(3)"],
        cwd=tmp_path,
    )
    steady = Child(name="steady", argv=[sys.executable, "-c", "import time; time.sleep(60)"], cwd=tmp_path)
    lines: list[str] = []
    supervisor = Supervisor([crasher, steady], backoff_base=0.05, backoff_max=0.2, log=lines.append)
    supervisor.start()
    steady_pid = steady.proc.pid
    try:
        supervisor.run(until=lambda: runs.exists() and len(runs.read_text()) >= 3)
    finally:
        supervisor.stop()
    assert len(runs.read_text()) >= 3  # ran, crashed, was started again (twice at least)
    assert crasher.restarts >= 2 and crasher.exit_codes[:2] == [3, 3]
    assert steady.proc.pid == steady_pid and steady.restarts == 0  # the others keep running
    assert any("restarting in" in line for line in lines)
    assert _postmaster_started() == started


def test_supervisor_backoff_grows_and_is_capped() -> None:
    supervisor = Supervisor([], backoff_base=1, backoff_max=30)
    assert [supervisor.backoff(n) for n in (1, 2, 3, 4, 5, 6, 7)] == [1, 2, 4, 8, 16, 30, 30]


# --- the worker across a database outage ------------------------------------------------------


@embedded_only
@pytest.mark.django_db(transaction=True)
def test_worker_survives_database_downtime_and_keeps_running_tasks() -> None:
    name = connection.settings_dict["NAME"]
    worker = subprocess.Popen(  # noqa: S603 - our own module
        [sys.executable, "-m", "tokoblitar.worker", "--interval", "0.1", "--no-periodic"],
        cwd=ROOT,
        env=_env(),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        first = orders_expire_unpaid.enqueue()
        _wait(lambda: _status(first.id) == TaskResultStatus.SUCCESSFUL, 60, "the first task")
        # The database goes away under the worker: its connection is cut and new ones are refused
        # (what a Postgres restart looks like from the worker, without restarting the shared server).
        _admin(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS false')
        cut = f"SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '{name}'"  # noqa: S608
        _admin(cut + " AND application_name LIKE 'tb:%'")
        second = orders_expire_unpaid.enqueue()
        time.sleep(2.5)  # the worker meets refused connections for a while
        assert worker.poll() is None, worker.stdout.read() if worker.poll() is not None else ""
        _admin(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS true')
        _wait(lambda: _status(second.id) == TaskResultStatus.SUCCESSFUL, 60, "the task after the outage")
        assert worker.poll() is None
    finally:
        _admin(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS true')
        worker.terminate()
        output = worker.communicate(timeout=30)[0]
    assert "reconnecting" in output


# --- tasks left RUNNING -----------------------------------------------------------------------


def _running(result_id: str, *, worker: str, minutes_ago: int = 10) -> None:
    DBTaskResult.objects.filter(pk=result_id).update(
        status=TaskResultStatus.RUNNING,
        started_at=timezone.now() - timedelta(minutes=minutes_ago),
        worker_ids=[worker],
    )


@embedded_only
@pytest.mark.django_db(transaction=True)
def test_a_task_left_running_by_a_dead_worker_runs_again() -> None:
    lost = orders_expire_unpaid.enqueue()
    _running(lost.id, worker="tb:elsewhere:999999:gone")

    new_ids = tasks_recover_stuck()

    assert len(new_ids) == 1
    old = DBTaskResult.objects.get(pk=lost.id)
    assert old.status == TaskResultStatus.FAILED and old.exception_class_path == "tokoblitar.worker.WorkerLost"
    assert new_ids[0] in old.traceback
    assert _status(new_ids[0]) == TaskResultStatus.READY
    assert tasks_recover_stuck() == []  # once only
    subprocess.run(  # noqa: S603 - our own module
        [sys.executable, "-m", "tokoblitar.worker", "--batch", "--no-periodic", "--interval", "0"],
        cwd=ROOT,
        env=_env(),
        check=True,
        timeout=120,
        capture_output=True,
    )
    rerun = DBTaskResult.objects.get(pk=new_ids[0])
    assert rerun.status == TaskResultStatus.SUCCESSFUL and rerun.return_value == 0


@pytest.mark.django_db
def test_a_task_of_a_live_worker_or_just_started_is_left_alone() -> None:
    alive, fresh = orders_expire_unpaid.enqueue(), orders_expire_unpaid.enqueue()
    _running(alive.id, worker="tb:here:1:alive")
    _running(fresh.id, worker="tb:gone:2:recent", minutes_ago=0)
    with connection.cursor() as cursor:
        cursor.execute("SET application_name = 'tb:here:1:alive'")  # this session is that worker
    try:
        assert tasks_recover_stuck(grace_seconds=60) == []
    finally:
        with connection.cursor() as cursor:
            cursor.execute("RESET application_name")
    assert _status(alive.id) == _status(fresh.id) == TaskResultStatus.RUNNING


@pytest.mark.django_db
def test_a_plain_db_worker_row_is_recovered_only_after_the_long_timeout() -> None:
    recent, old = orders_expire_unpaid.enqueue(), orders_expire_unpaid.enqueue()
    _running(recent.id, worker="randomid123", minutes_ago=10)
    _running(old.id, worker="randomid456", minutes_ago=120)
    assert len(tasks_recover_stuck()) == 1
    assert _status(recent.id) == TaskResultStatus.RUNNING
    assert _status(old.id) == TaskResultStatus.FAILED
