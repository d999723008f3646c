"""Background jobs of the sales channels (django-tasks, database queue; `manage.py db_worker`)."""

from __future__ import annotations

from django_tasks import task

from marketplace.services import connection_maintain, stock_push, sync_retry


@task()
def stock_push_task(product_id: str, attempt: int = 1) -> dict:
    """Push one product's current stock to every connected platform (coalesced; see
    services.stock_push)."""
    return stock_push(product_id=product_id, attempt=attempt)


@task()
def sync_retry_task(connection_id: str, product_ids: list[str], attempt: int) -> dict:
    """Retry throttled listing creates/updates with backoff."""
    return sync_retry(connection_id=connection_id, product_ids=product_ids, attempt=attempt)


@task()
def connection_maintain_task(connection_id: str) -> str:
    """Refresh tokens before they expire and pull new platform orders; re-enqueues itself."""
    return connection_maintain(connection_id=connection_id)
