"""Background jobs of the shipping app (django-tasks, database queue)."""

from __future__ import annotations

from django_tasks import task

from shipping.services import shipment_request_pickup


@task()
def shipment_book(order_id: str, attempt: int = 1) -> str:
    """Book the courier for a paid order. On a provider failure the task re-enqueues itself
    with `run_after` (exponential backoff) until SHIPMENT_BOOK_MAX_ATTEMPTS, then the shipment
    is marked failed with the error stored so the seller can ship by hand."""
    # The attempt that fails schedules the next one itself (once, under the shipment lock).
    shipment = shipment_request_pickup(order_id=order_id, attempt=attempt)
    return shipment.status if shipment is not None else "skipped"
