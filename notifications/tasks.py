"""Background jobs of the notifications app (django-tasks, database queue)."""

from __future__ import annotations

from django_tasks import task

from notifications.services import (
    notification_email_deliver,
    notification_whatsapp_deliver,
    notifications_erase_for_user,
    order_notify,
)


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


@task()
def notification_whatsapp_send(notification_id: str) -> str:
    """Hand one buyer notice to the store's WhatsApp outbox (sent from there with retry)."""
    return notification_whatsapp_deliver(notification_id=notification_id)


@task()
def notifications_erase(user_id: str) -> int:
    """Erase a deleted account's notifications and preferences (after `account.deleted`)."""
    return notifications_erase_for_user(user_id=user_id)
