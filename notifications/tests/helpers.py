"""Run the notification tasks the way the worker does (database queue), inside a test."""

from __future__ import annotations

from typing import Any

from django_tasks_db.models import DBTaskResult


def run_tasks(capture: Any, *, rounds: int = 10) -> list[Any]:
    """Claim and run every READY notifications task (its on-commit work included) until none is left.

    `capture` is pytest-django's `django_capture_on_commit_callbacks`: tasks enqueue follow-ups
    (emails) after their commit, which the test transaction only runs through it."""
    results = []
    for _ in range(rounds):
        rows = list(DBTaskResult.objects.ready().filter(task_path__startswith="notifications."))
        if not rows:
            break
        for row in rows:
            row.claim("test-worker")
            with capture(execute=True):
                value = row.task.call(*row.args_kwargs.get("args", []), **row.args_kwargs.get("kwargs", {}))
            row.set_successful(value)
            results.append(value)
    return results
