"""Background jobs of Instagram publishing (django-tasks, database queue)."""

from __future__ import annotations

from django_tasks import task

from instagram.services import instagram_post_run, instagram_token_refresh


@task()
def instagram_post_publish(post_id: str) -> str:
    """One step of a post's publishing (container, status poll, publish); the step that must
    wait enqueues the next one with its backoff. A duplicate delivery publishes nothing twice."""
    return instagram_post_run(post_id=post_id)


@task()
def instagram_token_refresh_task(account_id: str) -> str:
    """Refresh the account's 60-day token before it expires; reschedules itself."""
    return instagram_token_refresh(account_id=account_id)
