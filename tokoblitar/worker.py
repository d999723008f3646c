"""The task worker: `python -m tokoblitar.worker` (what `make run` and `make serve` start).

django-tasks-db's `db_worker`, made to survive what a long-running process meets:

- **Database restarts**: a broken connection is closed and opened again with backoff
  (0.5 s … 10 s) instead of crashing the process. A task interrupted by a lost connection
  did not fail: it is run again once the database answers. Outcomes (success, failure) are
  recorded with the same reconnecting retry, so a restart between "task done" and "row
  updated" does not leave the row RUNNING.
- **Lost workers**: each worker's id (`tb:<host>:<pid>:<random>`) is also its Postgres
  `application_name`, so `pg_stat_activity` says which workers are alive. A RUNNING row
  whose worker is no longer connected (killed mid-task: SIGKILL, OOM, power) is marked
  failed and enqueued again by `tasks_recover_stuck` (rows claimed by a plain `db_worker`,
  which names no connection, only after an hour). Our tasks are idempotent, so running
  one twice is safe; losing one is not.
- **Periodic jobs**: `settings.WORKER_PERIODIC` maps a dotted callable to its interval in
  seconds (the reconcile sweep). With several workers, a Postgres advisory lock lets one
  run a job at a time.
"""

from __future__ import annotations

import argparse
import logging
import os
import socket
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import timedelta
from functools import partial
from typing import Any

logger = logging.getLogger("tokoblitar.worker")

WORKER_ID_PREFIX = "tb:"
RECONNECT_MAX_SECONDS = 10.0


class WorkerLost(Exception):
    """Recorded on a task row whose worker disappeared mid-run (the row is then re-enqueued)."""


class TaskInterrupted(Exception):
    """Recorded on a task row whose run was cut by a lost database connection."""


def worker_id_make() -> str:
    """A unique worker id naming this host and pid (at most 64 characters, db_worker's limit)."""
    from django.utils.crypto import get_random_string

    host = socket.gethostname()[:32]
    return f"{WORKER_ID_PREFIX}{host}:{os.getpid()}:{get_random_string(8)}"[:64]


def db_errors() -> tuple[type[BaseException], ...]:
    """Errors that mean "the database connection is gone", as Django and psycopg raise them."""
    import psycopg
    from django.db import InterfaceError, OperationalError

    return (OperationalError, InterfaceError, psycopg.OperationalError, psycopg.InterfaceError)


def connected_worker_ids() -> set[str]:
    """application_name of every session on this database: the workers alive right now."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT DISTINCT application_name FROM pg_stat_activity WHERE datname = current_database()"
            " AND application_name LIKE %s",
            [WORKER_ID_PREFIX + "%"],
        )
        return {row[0] for row in cursor.fetchall()}


def task_requeue(*, result_id: str, reason: str, error: type[Exception] = WorkerLost) -> str | None:
    """Mark a RUNNING task row failed with `error` and enqueue the same task again.

    Answers the new result id, or None when the row is no longer RUNNING (someone else
    recovered it, or it finished) or its task no longer exists. One transaction: the
    failed mark and the new row commit together."""
    from django.core.exceptions import SuspiciousOperation
    from django.db import transaction
    from django.utils import timezone
    from django_tasks_db.models import DBTaskResult, TaskResultStatus

    with transaction.atomic():
        row = (
            DBTaskResult.objects.select_for_update(skip_locked=True)
            .filter(pk=result_id, status=TaskResultStatus.RUNNING)
            .first()
        )
        if row is None:
            return None
        try:
            task = row.task
        except (ImportError, SuspiciousOperation):
            task = None
        new = None
        if task is not None:
            new = task.using(run_after=None).enqueue(*row.args_kwargs["args"], **row.args_kwargs["kwargs"])
        row.status = TaskResultStatus.FAILED
        row.finished_at = timezone.now()
        row.exception_class_path = f"{error.__module__}.{error.__qualname__}"
        row.traceback = f"{reason}; " + (f"enqueued again as {new.id}" if new else "task no longer exists")
        row.save(update_fields=["status", "finished_at", "exception_class_path", "traceback"])
    logger.warning("Task %s (%s): %s; re-enqueued as %s", result_id, row.task_path, reason, new.id if new else None)
    return new.id if new else None


def tasks_recover_stuck(*, grace_seconds: int | None = None, foreign_timeout_seconds: int = 3600) -> list[str]:
    """Re-enqueue every RUNNING task whose worker is gone; answers the new result ids.

    A row counts as stuck when it started more than `grace_seconds` ago (default
    settings.STUCK_TASK_GRACE_SECONDS; room for a worker to reconnect after a database
    restart) and its last worker is not connected, or, for workers that do not name their
    connection, when it started more than `foreign_timeout_seconds` ago."""
    from django.conf import settings
    from django.utils import timezone
    from django_tasks_db.models import DBTaskResult

    grace = grace_seconds if grace_seconds is not None else int(getattr(settings, "STUCK_TASK_GRACE_SECONDS", 120))
    now = timezone.now()
    alive = connected_worker_ids()
    rows = DBTaskResult.objects.running().filter(started_at__lte=now - timedelta(seconds=grace))
    recovered = []
    for pk, worker_ids, started_at in rows.values_list("pk", "worker_ids", "started_at"):
        worker = worker_ids[-1] if worker_ids else ""
        if worker.startswith(WORKER_ID_PREFIX):
            if worker in alive:
                continue
        elif started_at > now - timedelta(seconds=foreign_timeout_seconds):
            continue
        new_id = task_requeue(result_id=str(pk), reason=f"worker {worker or '?'} is gone")
        if new_id:
            recovered.append(new_id)
    return recovered


@contextmanager
def advisory_lock(name: str) -> Iterator[bool]:
    """Session-level Postgres advisory lock on `name`; yields False when another holds it."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_lock(hashtext(%s))", [name])
        got = bool(cursor.fetchone()[0])
    try:
        yield got
    finally:
        if got:
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_unlock(hashtext(%s))", [name])


def _make_worker_class() -> type:
    from django.core.exceptions import SuspiciousOperation
    from django.db import close_old_connections, connections, transaction
    from django.utils.module_loading import import_string
    from django_tasks_db.compat import TaskContext, task_finished, task_started
    from django_tasks_db.management.commands.db_worker import Worker
    from django_tasks_db.models import DBTaskResult

    class ResilientWorker(Worker):
        """db_worker's Worker with reconnects, re-runs of interrupted tasks and periodic jobs."""

        def __init__(self, *, periodic: dict[str, float] | None = None, **kwargs: Any) -> None:
            super().__init__(**kwargs)
            self.periodic = dict(periodic or {})
            self.next_periodic = {path: 0.0 for path in self.periodic}
            self.interrupted: list[str] = []
            self.db_failures = 0

        # --- the loop -------------------------------------------------------------------
        def run(self) -> None:
            logger.info("Starting worker %s queues=%s", self.worker_id, ",".join(self.queue_names))
            errors = db_errors()
            while self.running:
                try:
                    if self.interrupted:
                        for result_id in list(self.interrupted):
                            task_requeue(result_id=result_id, reason="database connection lost", error=TaskInterrupted)
                            self.interrupted.remove(result_id)
                    ran = self.step()
                    self.run_periodic()
                    self.db_failures = 0
                except errors as exc:
                    self.wait_for_database(exc)
                    continue
                if self.batch and not ran:
                    return
                if self.max_tasks is not None and self._run_tasks >= self.max_tasks:
                    return
                if self.running and not ran:
                    time.sleep(self.interval)

        def wait_for_database(self, exc: BaseException) -> None:
            self.db_failures += 1
            delay = min(0.5 * 2 ** (self.db_failures - 1), RECONNECT_MAX_SECONDS)
            logger.warning("Database unavailable (%s); reconnecting in %.1f s", str(exc).strip()[:200], delay)
            for conn in connections.all(initialized_only=True):
                conn.close()  # closing a dead connection never raises; the next query reconnects
            time.sleep(delay)

        def step(self) -> bool:
            """Claim and run one ready task; False when there was none."""
            close_old_connections()
            tasks = DBTaskResult.objects.ready().filter(backend_name=self.backend_name)
            if not self.process_all_queues:
                tasks = tasks.filter(queue_name__in=self.queue_names)
            if self.excluded_queue_names:
                tasks = tasks.exclude(queue_name__in=self.excluded_queue_names)
            with transaction.atomic(using=tasks.db):
                task_result = tasks.get_locked()
                if task_result is not None:
                    task_result.claim(self.worker_id)
            if task_result is None:
                return False
            self.run_task(task_result)
            close_old_connections()
            return True

        def run_task(self, db_task_result: DBTaskResult) -> None:
            """Run one claimed task; a lost connection re-runs it, anything else is its outcome."""
            errors = db_errors()
            self.running_task = True
            try:
                task = db_task_result.task
                task_result = db_task_result.task_result
                task_started.send(sender=task.get_backend(), task_result=task_result)
                if task.takes_context:
                    value = task.call(TaskContext(task_result=task_result), *task_result.args, **task_result.kwargs)
                else:
                    value = task.call(*task_result.args, **task_result.kwargs)
            except errors:
                self.interrupted.append(str(db_task_result.id))
                raise
            except BaseException as exc:  # noqa: BLE001 - a task's failure is its outcome, as in db_worker
                self.record(partial(db_task_result.set_failed, exc))
                self.finished(db_task_result)
            else:
                self.record(partial(db_task_result.set_successful, value))
                self.finished(db_task_result)
            finally:
                self.running_task = False
                self._run_tasks += 1

        def finished(self, db_task_result: DBTaskResult) -> None:
            try:
                sender = type(db_task_result.task.get_backend())
            except (ImportError, SuspiciousOperation):
                logger.exception("Task id=%s failed unexpectedly", db_task_result.id)
                return
            task_finished.send(sender=sender, task_result=db_task_result.task_result)

        def record(self, write: Callable[[], None]) -> None:
            """Write a task's outcome, reconnecting until the database answers (or shutdown:
            the row then stays RUNNING under a gone worker and is recovered later)."""
            errors = db_errors()
            failures = 0
            while True:
                try:
                    write()
                    return
                except errors as exc:
                    if not self.running:
                        raise
                    failures += 1
                    self.db_failures = failures
                    self.wait_for_database(exc)

        # --- periodic jobs --------------------------------------------------------------
        def run_periodic(self) -> None:
            now = time.monotonic()
            for path, interval in self.periodic.items():
                if now < self.next_periodic[path] or not self.running:
                    continue
                self.next_periodic[path] = now + interval
                with advisory_lock(f"worker-periodic:{path}") as got:
                    if not got:
                        continue
                    try:
                        import_string(path)()
                    except db_errors():
                        raise
                    except Exception:  # noqa: BLE001 - a broken sweep must not stop the task queue
                        logger.exception("Periodic job %s failed", path)

    return ResilientWorker


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--interval", type=float, default=1.0, help="seconds between polls when idle")
    parser.add_argument("--queue-name", default="default", help="comma-separated queues, * for all")
    parser.add_argument("--worker-id", default="", help="unique id (default: tb:<host>:<pid>:<random>)")
    parser.add_argument("--batch", action="store_true", help="run what is ready, then exit")
    parser.add_argument("--no-periodic", action="store_true", help="skip settings.WORKER_PERIODIC jobs")
    args = parser.parse_args(argv)

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tokoblitar.settings")
    import django

    django.setup()
    from django.conf import settings
    from django.db import connections

    worker_id = args.worker_id or worker_id_make()
    # The connection carries the worker id, so pg_stat_activity tells which workers are alive.
    connections["default"].settings_dict.setdefault("OPTIONS", {})["application_name"] = worker_id
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s")

    worker = _make_worker_class()(
        queue_names=args.queue_name.split(","),
        interval=args.interval,
        batch=args.batch,
        backend_name="default",
        startup_delay=False,
        max_tasks=None,
        worker_id=worker_id,
        excluded_queue_names=[],
        periodic={} if args.no_periodic else getattr(settings, "WORKER_PERIODIC", {}),
    )
    worker.configure_signals()
    worker.run()
    return 0


if __name__ == "__main__":
    sys.exit(main())
