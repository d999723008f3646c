"""Background jobs of the notifications app (django-tasks, database queue)."""

from __future__ import annotations

from django_tasks import task

from notifications.services import notification_email_deliver, order_notify


@task()
def notify_order(order_id: str, status: str, reason: str = "") -> int:
    """Store (and queue the emails of) the notifications for an order reaching `status` (or
    needing a refund: status "refund_needed" with its `reason`); answers how many were new
    (0 for a replayed event)."""
    return len(order_notify(order_id=order_id, status=status, reason=reason))


@task()
def notification_email_send(notification_id: str, attempt: int = 1) -> str:
    """Send one notification's email; a mail failure re-enqueues itself with backoff."""
    return notification_email_deliver(notification_id=notification_id, attempt=attempt)
