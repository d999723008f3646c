"""Background jobs of photo enhancement (django-tasks, database queue)."""

from __future__ import annotations

from django_tasks import task

from photos.services import enhance_job_poll, enhance_job_run


@task()
def enhance_job_run_task(job_id: str) -> str:
    """Run one queued enhancement (simulator: to the end; live: until the prediction exists)."""
    return enhance_job_run(job_id=job_id)


@task()
def enhance_job_poll_task(job_id: str) -> str:
    """Read a live prediction back from Replicate; completes, fails on deadline, or polls again."""
    return enhance_job_poll(job_id=job_id)
