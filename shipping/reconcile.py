"""Reconcile: the sweep that leaves no order stranded after a crash.

Runs every RECONCILE_INTERVAL_SECONDS in the task worker (settings.WORKER_PERIODIC), once at
every `make run` / `make serve` start, and on demand (`manage.py reconcile`). Each step is
idempotent and calls the same services as the normal path:

1. tasks left RUNNING by a worker that died are re-enqueued (`tasks_recover_stuck`);
2. unpaid orders past their payment window are expired (`orders_expire_overdue`);
3. paid orders whose courier booking is not in flight get it (re)scheduled: no shipment row,
   a shipment stuck in PENDING/BOOKING (the worker died mid-booking), or a RETRYING one whose
   retry time passed with no task queued. "In flight" means a READY or RUNNING
   `shipment_book` task for the order, so a sweep never doubles a booking.

The shipping app may import orders; orders never import shipping.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import timedelta

from django.conf import settings
from django.db.models import Q
from django.utils import timezone
from django_tasks_db.models import DBTaskResult, TaskResultStatus

from accounts.services import tokens_purge_expired
from orders.models import Order
from orders.services import orders_complete_delivered, orders_expire_overdue
from shipping.models import Shipment
from shipping.services import shipment_book_schedule
from tokoblitar.worker import tasks_recover_stuck

logger = logging.getLogger(__name__)

BOOK_TASK_PATH = "shipping.tasks.shipment_book"
NEEDS_COURIER = (Order.Status.PAID, Order.Status.PROCESSING)
STALLED = (Shipment.Status.PENDING, Shipment.Status.BOOKING, Shipment.Status.RETRYING)


@dataclass
class ReconcileReport:
    """What one sweep did: re-enqueued task ids, expired order count, order numbers rebooked."""

    tasks_recovered: list[str] = field(default_factory=list)
    orders_expired: int = 0
    bookings_scheduled: list[str] = field(default_factory=list)
    tokens_purged: int = 0
    orders_completed: int = 0

    def __str__(self) -> str:
        return (
            f"{len(self.tasks_recovered)} stuck task(s) re-enqueued, {self.orders_expired} order(s) expired, "
            f"{len(self.bookings_scheduled)} courier booking(s) scheduled, "
            f"{self.orders_completed} delivered order(s) completed"
        )


def _grace() -> timedelta:
    return timedelta(seconds=int(getattr(settings, "RECONCILE_GRACE_SECONDS", 120)))


def _booking_in_flight(order_ids: list[str]) -> set[str]:
    """Order ids with a READY or RUNNING booking task (the normal path is still on it)."""
    rows = DBTaskResult.objects.filter(
        task_path=BOOK_TASK_PATH, status__in=[TaskResultStatus.READY, TaskResultStatus.RUNNING]
    ).values_list("args_kwargs", flat=True)
    wanted = set(order_ids)
    found = set()
    for args_kwargs in rows:
        order_id = (args_kwargs.get("kwargs") or {}).get("order_id")
        if order_id is None and args_kwargs.get("args"):
            order_id = args_kwargs["args"][0]
        if order_id in wanted:
            found.add(order_id)
    return found


def shipments_reconcile() -> list[str]:
    """(Re)schedule the courier booking of every paid order left without one in flight.

    Only orders paid (or last touched) more than RECONCILE_GRACE_SECONDS ago are considered,
    so a booking the normal path is about to enqueue is not doubled. Answers order numbers."""
    from shipping.tasks import shipment_book

    cutoff = timezone.now() - _grace()
    orders = list(
        Order.objects.filter(status__in=NEEDS_COURIER, manual_awb="", updated_at__lte=cutoff)
        .filter(Q(shipment__isnull=True) | Q(shipment__status__in=STALLED, shipment__updated_at__lte=cutoff))
        .select_related("shipment")
        .order_by("pk")
    )
    if not orders:
        return []
    busy = _booking_in_flight([str(o.pk) for o in orders])
    scheduled = []
    for order in orders:
        order_id = str(order.pk)
        if order_id in busy:
            continue
        shipment = getattr(order, "shipment", None)
        if shipment is None:
            if order.status != Order.Status.PAID:
                continue  # processing by hand before any booking: the seller ships it
            shipment_book.enqueue(order_id=order_id, attempt=1)
        elif shipment.status == Shipment.Status.RETRYING and shipment.next_attempt_at is not None:
            shipment_book_schedule(order_id=order_id, shipment=shipment, attempt=shipment.attempts)
        else:
            # Killed mid-booking: the attempt it was on counts; the next one runs now (past the
            # last attempt the booking fails instead of retrying, as on the normal path).
            shipment_book.enqueue(order_id=order_id, attempt=shipment.attempts + 1)
        scheduled.append(order.number)
    if scheduled:
        logger.warning("Reconcile: courier booking scheduled again for %s", ", ".join(scheduled))
    return scheduled


def reconcile_run() -> ReconcileReport:
    """One full sweep (stuck tasks, expiry, courier bookings); safe to run any time, any number
    of times, from any number of processes."""
    report = ReconcileReport()
    report.tasks_recovered = tasks_recover_stuck()
    report.orders_expired = orders_expire_overdue()
    report.bookings_scheduled = shipments_reconcile()
    report.tokens_purged = tokens_purge_expired()
    # Delivered orders the buyer never confirmed complete ORDER_AUTO_COMPLETE_DAYS later.
    report.orders_completed = orders_complete_delivered()
    if report.tasks_recovered or report.orders_expired or report.bookings_scheduled or report.orders_completed:
        logger.info("Reconcile: %s", report)
    return report
