"""Domain-event subscribers: they only enqueue `notify_order` (events run after commit, so the
task never sees uncommitted state and no request waits for an email)."""

from __future__ import annotations

from typing import Any

from notifications.services import ORDER_NOTICES, REFUND_NEEDED
from orders.models import Order


def _enqueue(order_id: str, status: str, reason: str = "") -> None:
    from notifications.tasks import notify_order

    notify_order.enqueue(order_id=order_id, status=status, reason=reason)


def on_order_status_changed(*, order_id: str, to_status: str = "", from_status: str = "", **_: Any) -> None:
    """Every status with something to tell (paid, cancelled, expired, shipped, delivered, refunded)
    arrives here once per change; `order.paid`/`order.cancelled`/`order.expired` are the same moves.
    An unpaid order that is cancelled is not news to the seller (she was never told of it)."""
    if to_status == Order.Status.CANCELLED and from_status not in Order.PAID_STATES:
        return
    if to_status in ORDER_NOTICES:
        _enqueue(order_id, to_status)


def on_order_refund_needed(*, order_id: str, reason: str = "", **_: Any) -> None:
    """The money of an order must go back while its status stays (late payment, partial refund
    at the provider, parcel returned): the seller is told once per order."""
    _enqueue(order_id, REFUND_NEEDED, reason)


def on_account_deleted(*, user_id: str, **_: Any) -> None:
    """The person deleted her account: what she was told goes too (a task does the delete)."""
    from notifications.tasks import notifications_erase

    notifications_erase.enqueue(user_id=user_id)
