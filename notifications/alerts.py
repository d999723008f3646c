"""Proactive seller alerts, computed from her data: what needs her attention now, and where to fix it.

Four kinds, each one query however many rows a store has (`seller_alerts`: 5 queries in all):
- low_stock: an active product at or below the store's threshold (StoreAlertSettings, default 5);
- expiring: an unpaid order whose QRIS window ends within EXPIRING_WITHIN;
- unshipped: a paid order (paid/processing) not shipped `ship_within_hours` after payment (default 24);
- booking_failed: a paid order whose courier booking failed (the seller ships by hand).

The dashboard overview shows them; the worker's periodic `alerts_sweep` (settings.WORKER_PERIODIC)
turns each alert into a notification the first time it appears (event key `alert:<kind>:<id>`,
low stock once per product per day), so the seller hears about it even with the dashboard closed.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import timedelta

from django.db.models import DateTimeField, DurationField, ExpressionWrapper, F, OuterRef, Q, Subquery, Value
from django.db.models.functions import Coalesce, Now
from django.urls import reverse
from django.utils import timezone

from catalog.models import Product
from notifications.compose import Composed, compose
from notifications.models import Kind, Notification, StoreAlertSettings
from orders.models import Order
from shipping.models import Shipment
from stores.models import Store

logger = logging.getLogger(__name__)

DEFAULT_LOW_STOCK = StoreAlertSettings._meta.get_field("low_stock_threshold").default
DEFAULT_SHIP_HOURS = StoreAlertSettings._meta.get_field("ship_within_hours").default
EXPIRING_WITHIN = timedelta(minutes=5)
PER_KIND = 20  # the overview shows at most this many of each kind (the sweep takes more)


@dataclass(frozen=True)
class Alert:
    """One alert: `kind` ("low_stock" | "expiring" | "unshipped" | "booking_failed"), `key` (stable
    per thing: the notification event key), JSON `data` for the composer, `url` where it is fixed."""

    kind: str
    key: str
    store_id: str
    data: dict = field(default_factory=dict)

    @property
    def url(self) -> str:
        return self.data.get("url", "")

    @property
    def text(self) -> Composed:
        return compose(Kind.SELLER_ALERT, self.data)


def _setting(column: str, default: int) -> Coalesce:
    return Coalesce(
        Subquery(StoreAlertSettings.objects.filter(store=OuterRef("store_id")).values(column)[:1]), Value(default)
    )


def _low_stock(stores: Q, limit: int) -> list[Alert]:
    rows = (
        Product.objects.alive()
        .filter(stores, status=Product.Status.ACTIVE)
        .annotate(threshold=_setting("low_stock_threshold", DEFAULT_LOW_STOCK))
        .filter(stock__lte=F("threshold"))
        .order_by("stock", "name", "pk")
        .values("pk", "name", "stock", "store_id", "threshold")[:limit]
    )
    day = timezone.localdate().isoformat()
    return [
        Alert(
            "low_stock",
            f"alert:low_stock:{r['pk']}:{day}",
            str(r["store_id"]),
            {
                "alert": "low_stock",
                "product": r["name"],
                "stock": r["stock"],
                "threshold": r["threshold"],
                "url": reverse("dashboard:product-edit", args=[r["pk"]]),
            },
        )
        for r in rows
    ]


def _expiring(stores: Q, limit: int) -> list[Alert]:
    now = timezone.now()
    rows = (
        Order.objects.filter(stores, status=Order.Status.PENDING_PAYMENT)
        .filter(payment__expires_at__gt=now, payment__expires_at__lte=now + EXPIRING_WITHIN)
        .order_by("payment__expires_at", "pk")
        .values("pk", "number", "total", "store_id", "payment__expires_at")[:limit]
    )
    return [
        Alert(
            "expiring",
            f"alert:expiring:{r['pk']}",
            str(r["store_id"]),
            {
                "alert": "expiring",
                "number": r["number"],
                "total": r["total"],
                "deadline": r["payment__expires_at"].isoformat(),
                "url": reverse("dashboard:order", args=[r["pk"]]),
            },
        )
        for r in rows
    ]


def _unshipped(stores: Q, limit: int) -> list[Alert]:
    per_hour = ExpressionWrapper(
        Value(timedelta(hours=1), output_field=DurationField()) * F("hours"), output_field=DurationField()
    )
    rows = (
        Order.objects.filter(stores, status__in=[Order.Status.PAID, Order.Status.PROCESSING])
        .filter(payment__paid_at__isnull=False, manual_awb="")
        .exclude(shipment__status=Shipment.Status.FAILED)  # booking_failed says it already
        .annotate(hours=_setting("ship_within_hours", DEFAULT_SHIP_HOURS))
        .annotate(due_at=ExpressionWrapper(F("payment__paid_at") + per_hour, output_field=DateTimeField()))
        .filter(due_at__lte=Now())
        .order_by("payment__paid_at", "pk")
        .values("pk", "number", "total", "store_id", "hours")[:limit]
    )
    return [
        Alert(
            "unshipped",
            f"alert:unshipped:{r['pk']}",
            str(r["store_id"]),
            {
                "alert": "unshipped",
                "number": r["number"],
                "total": r["total"],
                "hours": r["hours"],
                "url": reverse("dashboard:order", args=[r["pk"]]),
            },
        )
        for r in rows
    ]


def _booking_failed(stores: Q, limit: int) -> list[Alert]:
    rows = (
        Order.objects.filter(stores, status__in=[Order.Status.PAID, Order.Status.PROCESSING], manual_awb="")
        .filter(shipment__status=Shipment.Status.FAILED)
        .order_by("created_at", "pk")
        .values("pk", "number", "total", "store_id")[:limit]
    )
    return [
        Alert(
            "booking_failed",
            f"alert:booking_failed:{r['pk']}",
            str(r["store_id"]),
            {
                "alert": "booking_failed",
                "number": r["number"],
                "total": r["total"],
                "url": reverse("dashboard:order", args=[r["pk"]]),
            },
        )
        for r in rows
    ]


KINDS = (_booking_failed, _unshipped, _expiring, _low_stock)  # most urgent first


def seller_alerts(*, store: Store) -> list[Alert]:
    """The store's current alerts, most urgent kind first (4 queries, flat as rows grow; at most
    PER_KIND of each kind)."""
    scope = Q(store_id=store.pk)
    return [alert for kind in KINDS for alert in kind(scope, PER_KIND)]


def alerts_sweep(*, limit: int = 500) -> int:
    """Notify every seller of alerts that appeared since the last sweep (the worker runs this
    every ALERTS_INTERVAL_SECONDS). Alerts already told (same event key and owner) are found in one
    lookup; answers how many notifications were created."""
    from accounts.models import User
    from notifications.services import notification_create

    alerts = [alert for kind in KINDS for alert in kind(Q(store__is_active=True), limit)]
    if not alerts:
        return 0
    owners = {
        str(pk): owner_id
        for pk, owner_id in Store.objects.filter(pk__in={a.store_id for a in alerts}).values_list("pk", "owner_id")
    }
    users = User.objects.in_bulk(set(owners.values()))
    told = set(
        Notification.objects.filter(event_key__in=[a.key for a in alerts]).values_list("event_key", "recipient_id")
    )
    created = 0
    for alert in alerts:
        owner = users.get(owners.get(alert.store_id))
        if owner is None or (alert.key, owner.pk) in told:
            continue
        if notification_create(
            recipient=owner, kind=Kind.SELLER_ALERT, event_key=alert.key, data=alert.data, url=alert.url
        ):
            created += 1
    if created:
        logger.info("Alerts: %s new seller alert notification(s)", created)
    return created
